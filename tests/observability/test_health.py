"""/healthz and /readyz: a worker answers ready only when it may take updates — the database
answers, its schema is this code's, the sender moves, and it is not stopping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli import main
from bot.observability import probe
from bot.observability.health import Readiness
from bot.observability.http import ProbeServer
from bot.observability.monitor import Monitor
from bot.telegram.sender import SenderStats
from storage.db import make_engine
from storage.gauges import code_revisions
from storage.migrate import downgrade, upgrade
from testkit.fake_telegram import FakeTelegram
from tests.observability.conftest import scrape
from tests.telegram.test_bot_polling import running, settings_for
from tests.telegram.test_bot_reminders import START, Dial
from tests.telegram.test_bot_webhook import free_port

[HEAD] = code_revisions("sqlite://").heads  # the newest migration this code ships


class QuietSender:
    """The sender's tallies, set by the test."""

    def __init__(self) -> None:
        self.backlog = 0
        self.bulk_backlog = 0
        self.stats = SenderStats()


async def get(client: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with client.get(url) as response:
        return response.status, await response.json()


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_a_polling_bot_with_a_health_listener_is_ready_until_its_migrations_fall_behind(
    fake_api: FakeTelegram,
    tmp_path: Path,
    client: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    monkeypatch.setenv("COACHBOT_HEALTH_LISTEN", f"0.0.0.0:{port}")  # for `coachbot health`
    settings = settings_for(fake_api, tmp_path, COACHBOT_HEALTH_LISTEN=f"127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    async with running(settings, Dial(START)):
        assert await get(client, f"{base}/healthz") == (200, {"status": "ok"})
        status, body = await get(client, f"{base}/readyz")
        assert (status, body["ready"]) == (200, True)
        assert body["checks"] == {"phase": "ok", "database": "ok", "sender": "ok"}
        assert "coachbot_turns_total" in (await scrape(client, f"{base}/metrics")).names()
        assert await asyncio.to_thread(main, ["health"]) == 0
        assert '"ready": true' in capsys.readouterr().out
        probe_env = {"COACHBOT_HEALTH_LISTEN": f"0.0.0.0:{port}"}
        assert await asyncio.to_thread(probe.main, probe_env) == 0  # the image's health check

        downgrade(settings.database_url, "0004")  # as if this code were newer than the database
        status, body = await get(client, f"{base}/readyz")
        assert status == 503
        assert body["checks"]["database"] == (
            f"migrations behind: database at 0004, code needs {HEAD}"
        )
        assert (await get(client, f"{base}/healthz"))[0] == 200  # up, only not ready
        assert await asyncio.to_thread(main, ["health"]) == 1
        assert "migrations behind" in capsys.readouterr().err
        assert await asyncio.to_thread(probe.main, probe_env) == 1

        upgrade(settings.database_url)
        assert (await get(client, f"{base}/readyz"))[0] == 200


async def test_an_unreachable_database_is_not_ready_and_metrics_say_so(
    client: aiohttp.ClientSession,
) -> None:
    closed = free_port()  # nothing listens there: the connection is refused at once
    url = f"postgresql+psycopg://coachbot@127.0.0.1:{closed}/coachbot"
    engine = make_engine(url)
    monitor = Monitor(engine=engine, database_url=url, sender=QuietSender(), clock=Dial(START))
    monitor.serving()
    port = free_port()
    probes = ProbeServer(monitor, ("127.0.0.1", port))
    await probes.start()
    try:
        status, body = await get(client, f"http://127.0.0.1:{port}/readyz")
        assert status == 503
        assert body["checks"]["database"] == "unreachable: OperationalError"
        assert (await get(client, f"http://127.0.0.1:{port}/healthz"))[0] == 200
        page = await scrape(client, f"http://127.0.0.1:{port}/metrics")
        assert page["coachbot_database_up"] == 0
        assert "coachbot_outbox_depth" not in page.names()  # left out, not made up
    finally:
        await probes.close()
        engine.dispose()


async def test_a_database_never_migrated_or_a_worker_stopping_is_not_ready(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(url)
    try:
        readiness = Readiness(engine, url, QuietSender())
        verdict = await readiness.verdict()
        assert verdict.checks["phase"] == "starting"
        assert verdict.checks["database"] == "not migrated: run coachbot db upgrade"
        assert not verdict.ready

        upgrade(url)
        readiness.phase = readiness.phase.SERVING
        assert (await readiness.verdict()).ready
    finally:
        engine.dispose()


async def test_a_newer_schema_from_a_rolling_upgrade_keeps_the_old_worker_ready(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
        readiness = Readiness(engine, url, QuietSender())
        readiness.phase = readiness.phase.SERVING
        verdict = await readiness.verdict()
        assert verdict.checks["database"] == f"ok (database at 0099, newer than this code's {HEAD})"
        assert verdict.ready
    finally:
        engine.dispose()


def test_a_sender_with_calls_queued_and_none_made_for_two_minutes_is_stalled(
    tmp_path: Path,
) -> None:
    sender, now = QuietSender(), [0.0]
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    readiness = Readiness(make_engine(url), url, sender, clock=lambda: now[0])
    assert readiness.sender_finding() == "ok"  # nothing queued
    sender.backlog = 3
    assert readiness.sender_finding() == "ok"  # queued now: not stalled yet
    now[0] = 119.0
    assert readiness.sender_finding() == "ok"
    now[0] = 121.0
    assert readiness.sender_finding() == "stalled: 3 calls queued, none made for 121 s"
    sender.stats.rate_limited += 1  # Telegram answered (a 429): the sender moves
    assert readiness.sender_finding() == "ok"
    now[0] = 200.0
    assert readiness.sender_finding() == "ok"  # 79 s since it last moved
    sender.backlog = 0
    now[0] = 1000.0
    assert readiness.sender_finding() == "ok"  # idle is not stalled


def test_coachbot_health_says_so_when_nothing_answers_or_nothing_is_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COACHBOT_HEALTH_LISTEN", raising=False)
    monkeypatch.delenv("COACHBOT_WEBHOOK_URL", raising=False)
    assert main(["health"]) == 2
    assert "set COACHBOT_HEALTH_LISTEN" in capsys.readouterr().err
    monkeypatch.setenv("COACHBOT_HEALTH_LISTEN", f"127.0.0.1:{free_port()}")
    assert main(["health", "--timeout", "2"]) == 1
    assert "no answer from http://127.0.0.1:" in capsys.readouterr().err


def test_the_probe_asks_the_health_listener_else_the_webhook_server() -> None:
    assert probe.url_for("0.0.0.0:9090", None, "0.0.0.0:8080") == "http://127.0.0.1:9090/readyz"
    assert probe.url_for(None, "https://x/hook", "10.0.0.5:8081") == "http://10.0.0.5:8081/readyz"
    assert probe.url_for("[::1]:9090", None, "0.0.0.0:8080") == "http://[::1]:9090/readyz"
    assert probe.url_for(None, None, "0.0.0.0:8080") is None  # polling, no listener
    assert probe.main({}) == 2
