"""deploy/coachbot@.service: one worker per instance (its port), run as coachbot, stopped by
SIGTERM with time to finish the updates in hand."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bot.cli import build_parser
from bot.telegram.runner import SHUTDOWN_GRACE
from config import Settings, env_name, load_settings

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "coachbot@.service"


def unit() -> dict[str, dict[str, list[str]]]:
    """Sections of key -> values (systemd allows a key several times, e.g. Environment)."""
    sections: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    section = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        sections[section][key].append(value)
    return sections


def test_the_unit_runs_coachbot_with_known_settings_and_stops_it_gracefully() -> None:
    service = unit()["Service"]
    [start] = service["ExecStart"]
    program, *args = start.split()
    assert program.endswith("/bin/coachbot")
    assert build_parser().parse_args(args).command.__name__ == "cmd_run"
    assert service["User"] == ["coachbot"]
    environment = dict(item.split("=", 1) for item in service["Environment"])
    assert set(environment) <= {env_name(field) for field in Settings.model_fields}
    instance = {key: value.replace("%i", "8081") for key, value in environment.items()}
    assert load_settings(instance, None).webhook_listen == "127.0.0.1:8081"
    assert service["KillSignal"] == ["SIGTERM"]
    assert float(service["TimeoutStopSec"][0]) > SHUTDOWN_GRACE
    assert service["Restart"] == ["on-failure"]
    assert unit()["Install"]["WantedBy"] == ["multi-user.target"]
