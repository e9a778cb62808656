"""The bot's log: one structured line per update with its latency, and nothing a rep typed, no
name and no phone number in it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.observability.logs import (
    QUIET_LOGGERS,
    configure_logging,
    redact_private,
    structured_handler,
)
from testkit.fake_telegram import FakeTelegram
from tests.telegram.test_bot_polling import GOLDEN_INPUTS, running, say, settings_for
from tests.telegram.test_bot_reminders import START, Dial

MARKER = "Zq7-marker-K4v"
PHONE = "+86 138 0013 8000"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger's records, as ``coachbot run`` with COACHBOT_LOG_FORMAT=json writes
    them, at the default level (INFO)."""
    stream = io.StringIO()
    handler = structured_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_debrief_leaves_one_line_per_update_and_none_of_its_words(
    fake_api: FakeTelegram, tmp_path: Path, json_log: io.StringIO
) -> None:
    fake = fake_api
    rep = fake.user(42, "Zebulon", last_name="Quarrington", username="zebq", language_code="en")
    lines = (GOLDEN_INPUTS / "debrief.short.en.txt").read_text().splitlines()
    lines[1] = f"Good, {MARKER}. Call me on {PHONE}."  # why that feeling (free text)
    lines = [line.replace("Baker & Sons", f"Customer {MARKER}") for line in lines]
    typed = ["/debrief", *lines]
    async with running(settings_for(fake, tmp_path), Dial(START), reps=[rep]) as app:
        for line in typed:
            await say(fake, rep, line)
        kept = app.store.answers("tg:42")
        assert kept["feeling_words"] == f"Good, {MARKER}. Call me on {PHONE}."
        assert kept["customer"] == f"Customer {MARKER}"
        assert "Your debrief: Customer Zq7" in (fake.messages_to(42)[-1].text or "")
        before = len(fake.messages_to(42))
        fake.send_contact(rep, PHONE, "Zebulon")  # a phone number, shared as a contact
        await fake.wait_for_messages(42, before + 1)

    written = json_log.getvalue()
    records = [json.loads(line) for line in written.splitlines()]  # every line is JSON
    for secret in (MARKER, PHONE, "Zebulon", "Quarrington", "zebq", "Good, "):
        assert secret not in written
    updates = [r for r in records if r.get("logger") == "coachbot.updates"]
    assert [r["update_id"] for r in updates] == [u["update_id"] for u in fake.updates]
    for record in updates:
        assert record["event"] == "update ok"
        assert record["chat"] == 42
        assert record["latency_ms"] >= 0
        assert record["level"] == "info"
        assert record["timestamp"].endswith("Z")
    assert [r["kind"] for r in updates] == ["message"] * len(fake.updates)
    assert sum(r["turns"] for r in updates) >= len(typed)


def test_keys_that_would_carry_a_person_are_blanked_whoever_logs_them() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.observability.careless")
    logger.addHandler(structured_handler("json", stream))
    logger.propagate = False
    try:
        logger.warning("odd input", extra={"text": MARKER, "first_name": "Zebulon", "chat": 42})
    finally:
        logger.handlers.clear()
        logger.propagate = True
    record = json.loads(stream.getvalue())
    assert record["text"] == record["first_name"] == "[redacted]"
    assert record["chat"] == 42
    assert redact_private(None, "info", {"phone_number": PHONE}) == {"phone_number": "[redacted]"}


def test_the_console_format_is_one_readable_line() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.observability.console")
    logger.addHandler(structured_handler("console", stream))
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        logger.info("update %s", "ok", extra={"update_id": 7, "latency_ms": 3.5})
    finally:
        logger.handlers.clear()
        logger.propagate = True
    [line] = stream.getvalue().splitlines()
    assert "update ok" in line
    assert "update_id=7" in line
    assert "latency_ms=3.5" in line


def test_coachbot_run_keeps_per_tick_and_per_request_chatter_out_of_the_log() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("json", "INFO")
        assert len(root.handlers) == 1
        for name in ("apscheduler.executors.default", "aiohttp.access", "aiogram.event"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger("coachbot.updates").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)
