"""deploy/compose.yaml, checked without a Docker engine: against the Compose Specification's
JSON schema, and against what coachbot knows (its settings, its commands, nginx's upstreams)."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from config import Settings, env_name, load_settings
from tests.deploy.test_dockerfile import PROBE

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
WORKERS = ("worker-1", "worker-2")
VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")
SETTINGS = {env_name(field) for field in Settings.model_fields}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def env_file(name: str) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return dict(pairs)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, as `docker compose` does them."""

    def one(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if ":?" in match.group(0):
            raise KeyError(f"{name} is required: {fallback}")
        return fallback or ""

    return VARIABLE.sub(one, value)


def worker_settings(env: dict[str, str]) -> Settings:
    """The settings a worker would start with, given the env file's values."""
    worker = compose()["services"]["worker-1"]["environment"]
    return load_settings({key: interpolate(str(value), env) for key, value in worker.items()}, None)


def test_the_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads(
        (files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
    )
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose())]
    assert errors == []


def test_a_wrong_key_is_caught_by_the_schema_check() -> None:
    """The check above can fail: a misspelt key is refused."""
    schema = json.loads(
        (files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
    )
    broken = compose()
    broken["services"]["worker-1"]["helthcheck"] = broken["services"]["worker-1"].pop("healthcheck")
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_postgresql_two_webhook_workers_and_a_proxy() -> None:
    services = compose()["services"]
    assert {"postgres", *WORKERS, "proxy"} <= set(services)
    for name in WORKERS:
        worker = services[name]
        assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert set(worker["environment"]) <= SETTINGS, "unknown setting"
        assert worker["environment"]["COACHBOT_DATABASE_URL"].startswith("postgresql://")
        assert "COACHBOT_WEBHOOK_URL" in worker["environment"]  # webhook mode
        assert worker["healthcheck"]["test"] == ["CMD", "python", "-m", PROBE]
    assert services["proxy"]["depends_on"] == {w: {"condition": "service_healthy"} for w in WORKERS}
    assert "ports" not in services["postgres"]  # the database stays inside


def test_nginx_forwards_to_both_workers_and_keeps_the_probes_inside() -> None:
    services = compose()["services"]
    [mount] = services["proxy"]["volumes"]
    source, target, _ = mount.split(":")
    conf = (DEPLOY / source).read_text(encoding="utf-8")
    assert target == "/etc/nginx/conf.d/default.conf"
    upstreams = re.findall(r"server ([\w-]+):(\d+)", conf)
    listen = worker_settings(REQUIRED).webhook_port
    assert upstreams == [(name, str(listen)) for name in WORKERS]
    assert re.search(r"location ~ \^/\(healthz\|readyz\|metrics\)\$ \{\s*return 404;", conf)
    assert "non_idempotent" in conf  # a restarting worker's updates go to the other one
    assert conf.count(" resolve ") == len(WORKERS)  # a recreated worker's new address is found
    [published] = services["proxy"]["ports"]
    assert published.endswith(":8080")
    assert "listen 8080;" in conf


REQUIRED = {
    "COACHBOT_TELEGRAM_TOKEN": "123456789:AAFakeTokenForCoachbotTests-0123456",
    "COACHBOT_WEBHOOK_URL": "https://coach.example.com/telegram/x",
    "COACHBOT_WEBHOOK_SECRET": "s3cret",
    "POSTGRES_PASSWORD": "secret",
}


@pytest.mark.parametrize("name", ["coachbot.env.example", "try.env"])
def test_every_variable_is_in_the_env_files_and_makes_valid_settings(name: str) -> None:
    env = env_file(name)
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    required = {m.group(1) for m in VARIABLE.finditer(text) if ":?" in m.group(0)}
    assert required <= set(env), "a required variable the env file does not mention"
    if name == "coachbot.env.example":
        return  # its values are placeholders to fill in
    settings = worker_settings(env)
    assert settings.webhook_url == "http://proxy:8080/telegram/try"
    assert settings.health_address == ("0.0.0.0", 9090)


def test_the_try_profile_runs_the_rehearsal_where_the_workers_look_for_telegram() -> None:
    services = compose()["services"]
    fake = services["fake-telegram"]
    assert fake["profiles"] == ["try"]
    command = fake["command"]
    assert command[:3] == ["python", "-m", "tests.telegram.rehearsal"]
    assert (REPO / "tests" / "telegram" / "rehearsal.py").exists()
    port = command[command.index("--port") + 1]
    assert env_file("try.env")["COACHBOT_TELEGRAM_API_URL"] == f"http://fake-telegram:{port}"
    assert all("profiles" not in services[name] for name in ("postgres", *WORKERS, "proxy"))
