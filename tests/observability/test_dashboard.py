"""The Grafana dashboard and docs/operations.md name only metrics the bot exports, and the docs
name every one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.monitor import Monitor
from storage.db import make_engine
from storage.migrate import upgrade
from tests.observability.test_health import QuietSender
from tests.telegram.test_bot_reminders import START, Dial

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy" / "grafana-dashboard.json"
OPERATIONS = REPO / "docs" / "operations.md"
NAME = re.compile(r"\bcoachbot_[a-z_]+")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[str]]:
    """The families and the sample names a bot's /metrics shows."""
    url = f"sqlite:///{tmp_path_factory.mktemp('metrics') / 'bot.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        monitor = Monitor(engine=engine, database_url=url, sender=QuietSender(), clock=Dial(START))
        monitor.metrics.updates.labels("message", "ok").inc()  # labelled: shown once used
        monitor.metrics.update_seconds.labels("message").observe(0.01)
        monitor.metrics.webhook_requests.labels("200").inc()
        families = list(text_string_to_metric_families(monitor.metrics.exposition().decode()))
    finally:
        engine.dispose()
    samples = {sample.name for family in families for sample in family.samples}
    return {family.name for family in families}, samples


def test_every_dashboard_query_reads_metrics_the_bot_exports(
    exported: tuple[set[str], set[str]],
) -> None:
    _, samples = exported
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    queried: set[str] = set()
    for panel in panels:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            queried |= set(NAME.findall(target["expr"]))
    assert queried - samples == set()
    assert len(queried) >= 15  # it shows the whole list, not a sample of it


def test_the_operations_page_names_every_metric(exported: tuple[set[str], set[str]]) -> None:
    families, _ = exported
    families = {name for name in families if name.startswith("coachbot_")}
    documented = {
        re.sub(r"_(total|bucket|sum|count)$", "", name)
        for name in NAME.findall(OPERATIONS.read_text(encoding="utf-8"))
    }
    assert families - documented == set()
    assert documented - families == set()  # no metric documented that the bot does not export
