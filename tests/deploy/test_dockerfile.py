"""The Dockerfile, checked without a Docker engine: hadolint's rules, and what it names exists
(the packages it copies, the commands it runs, the settings it sets, the ports it opens)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import dockerfile

from bot.cli import build_parser
from config import Settings, env_name, load_settings

REPO = Path(__file__).resolve().parents[2]
INSTRUCTIONS = dockerfile.parse_file(str(REPO / "Dockerfile"))
PROBE = "bot.observability.probe"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def instructions(cmd: str) -> list[dockerfile.Command]:
    return [i for i in INSTRUCTIONS if i.cmd == cmd]


def final_stage() -> list[dockerfile.Command]:
    starts = [n for n, i in enumerate(INSTRUCTIONS) if i.cmd == "FROM"]
    return list(INSTRUCTIONS[starts[-1] :])


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "")


def test_slim_python_311_in_both_stages() -> None:
    assert [i.value[0] for i in instructions("FROM")] == ["python:3.11-slim"] * 2


def test_it_runs_as_the_unprivileged_user_it_creates() -> None:
    [user] = [i for i in final_stage() if i.cmd == "USER"]
    uid, _, gid = user.value[0].partition(":")
    assert int(uid) >= 1000
    assert int(gid) >= 1000
    creates = " ".join(" ".join(i.value) for i in final_stage() if i.cmd == "RUN")
    assert f"useradd --system --uid {uid} --gid {gid}" in creates


def test_the_commands_it_runs_are_coachbots() -> None:
    assert PROJECT["project"]["scripts"]["coachbot"] == "bot.cli:main"
    [cmd] = instructions("CMD")
    assert cmd.json
    assert cmd.value[0] == "coachbot"
    assert build_parser().parse_args(cmd.value[1:]).command.__name__ == "cmd_run"
    [check] = instructions("HEALTHCHECK")
    assert check.value == ("CMD", "python", "-m", PROBE)
    assert callable(importlib.import_module(PROBE).main)  # tests/observability runs it
    assert "--start-period=60s" in check.flags


def test_it_builds_every_package_and_nothing_the_context_leaves_out() -> None:
    copied = {i.value[0] for i in instructions("COPY") if not i.flags}
    copied |= {value for i in instructions("COPY") if not i.flags for value in i.value[:-1]}
    packages = set(PROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert packages | {"pyproject.toml", "README.md", "requirements.lock"} == copied
    assert all((REPO / path).exists() for path in copied)
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert copied.isdisjoint(ignored)
    assert {".env", ".venv", ".git", "var"} <= ignored  # no secrets, no local database


def test_its_settings_are_coachbots_and_its_ports_are_the_ones_they_name() -> None:
    env = {}
    for instruction in instructions("ENV"):
        pairs = instruction.value
        env.update(dict(zip(pairs[::2], pairs[1::2], strict=True)))
    settings = {key: value for key, value in env.items() if key.startswith("COACHBOT_")}
    assert set(settings) <= {env_name(field) for field in Settings.model_fields}
    loaded = load_settings(settings, None)
    assert loaded.health_address is not None
    [expose] = instructions("EXPOSE")
    assert set(expose.value) == {str(loaded.webhook_port), str(loaded.health_address[1])}
    assert loaded.database_url.startswith("sqlite:////var/lib/coachbot/")
    [volume] = instructions("VOLUME")
    assert "/var/lib/coachbot" in volume.value[0]


def test_the_image_installs_the_versions_the_lock_pins() -> None:
    builds = [" ".join(i.value) for i in instructions("RUN") if "pip wheel" in " ".join(i.value)]
    assert builds == [
        "pip wheel --no-cache-dir --wheel-dir /wheels --constraint requirements.lock ."
    ]
    installs = [" ".join(i.value) for i in final_stage() if i.cmd == "RUN" and "pip" in i.value[0]]
    assert installs == [
        "pip install --no-cache-dir --no-compile --no-index /wheels/*.whl && rm -rf /wheels"
    ]
