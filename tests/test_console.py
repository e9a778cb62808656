"""`coachbot chat` as a rep uses it: a whole debrief piped in, and a crash mid-way resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine

from dialogs.engine import step
from storage.store import Store

LONG_ROUTE = [
    "2",  # feeling 1-5
    "Frustrating, they kept us waiting. The buyer is clueless.",  # blame: room to vent
    "They never read our <b>proposal</b>",
    "Acme Tools",  # a new customer, typed
    "2",  # the full debrief
    "2",  # large deal
    "/skip",  # contact's name
    "2",  # decision-maker
    "1",  # new prospect
    "1",  # class A
    "4",  # evaluating and comparing
    "Get a trial order",
    "Show the demo, then ask for the trial",
    "They liked the demo but said the price is too high",
    "no",  # goal not met
    "3",  # objection: price
    "We can buy it cheaper from a local supplier",
    "They compare us with a cheaper local supplier",
    "Their budget for this year is already spent",
    "The demo",
    "Ask about the budget earlier",
    "/skip",  # no single problem to work on
    "Practise the budget question with my manager",
    "Send a revised quote with a smaller first order",
    "next Tuesday 3pm",
    "yes",
    "no",  # not practising the objection right now
]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "COACHBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'coach.db'}",
        "COACHBOT_TIMEZONE": "Europe/Berlin",
        "PYTHONIOENCODING": "utf-8",
    }
    environment.pop("COACHBOT_LANGUAGE", None)
    return environment


def chat_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "chat", *args]


def stored_answers(env: dict[str, str], key: str) -> dict[str, object]:
    engine = create_engine(env["COACHBOT_DATABASE_URL"])
    try:
        store = Store(engine, lambda *_: pytest.fail("no turn expected"))  # type: ignore[arg-type,return-value]
        return store.answers(key)
    finally:
        engine.dispose()


def test_a_whole_debrief_piped_into_the_console_is_stored(env: dict[str, str]) -> None:
    result = subprocess.run(
        chat_command("--user", "anna", "--lang", "en"),
        input="\n".join(LONG_ROUTE) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "How do you feel about this visit" in out
    assert "[Phase 1 of 6 · question 1 of" in out
    assert "Why do you think the customer reacted that way?" in out
    assert "why did you" not in out.lower()
    assert "— right?" in out
    assert "Everything is saved" in out
    assert out.rstrip().endswith("continue where you left off.")
    answers = stored_answers(env, "console:anna")
    assert answers["feeling_score"] == 2
    assert answers["feeling_words"] == "Frustrating, they kept us waiting. The buyer is clueless."
    assert answers["vent"] == "They never read our <b>proposal</b>"
    assert answers["customer"] == "Acme Tools"
    assert answers["deal_size"] == "large"
    assert answers["contact"] is None
    assert (answers["contact_role"], answers["customer_class"]) == ("decision_maker", "a")
    assert answers["stage"] == "compare"
    assert answers["goal_met"] is False
    assert answers["objections"] == ["price"]
    assert answers["objection_text"] == "We can buy it cheaper from a local supplier"
    assert answers["practise_now"] is False
    assert answers["next_action"] == "Send a revised quote with a smaller first order"
    next_date = answers["next_date"]
    assert isinstance(next_date, dict)
    when = datetime.fromisoformat(next_date["at"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert when > datetime.now(UTC)
    assert (when.weekday(), when.hour, when.minute) == (1, 15, 0)  # a Tuesday, 15:00 local


def test_killed_mid_debrief_resumes_at_the_same_question(env: dict[str, str]) -> None:
    with subprocess.Popen(
        chat_command("--user", "ben", "--lang", "en"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        for answer in LONG_ROUTE[:5]:
            process.stdin.write(answer + "\n")
        process.stdin.flush()
        seen = ""
        while "How big is the deal" not in seen:  # the question after the fifth answer
            line = process.stdout.readline()
            assert line, f"chat ended early: {seen}"
            seen += line
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    again = subprocess.run(
        chat_command("--user", "ben"),
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "Welcome back" in again.stdout
    assert "question 5 of" in again.stdout
    assert "How big is the deal at stake?" in again.stdout
    answers = stored_answers(env, "console:ben")
    assert answers["customer"] == "Acme Tools"
    assert answers["vent"] == "They never read our <b>proposal</b>"


def test_chinese_session_and_unknown_script(env: dict[str, str]) -> None:
    result = subprocess.run(
        chat_command("--user", "chen", "--lang", "zh"),
        input="4\n还不错\n/back\n/help\n/quit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "你对这次拜访感觉如何" in result.stdout
    assert "使用说明" in result.stdout
    assert "你之前的回答：还不错" in result.stdout

    wrong = subprocess.run(
        chat_command("--script", "nosuch"), input="", capture_output=True, text=True, env=env
    )
    assert wrong.returncode == 2
    assert "nosuch" in wrong.stderr


def test_store_is_the_same_the_bot_uses(env: dict[str, str]) -> None:
    """The console writes through the same Store and engine: a second client sees the run."""
    subprocess.run(
        chat_command("--user", "dora"), input="3\n", capture_output=True, text=True, env=env
    )
    engine = create_engine(env["COACHBOT_DATABASE_URL"])
    try:
        from coaching_scripts import load_catalog

        catalog = load_catalog()
        store = Store(engine, lambda state, event, ctx: step(catalog, state, event, ctx))
        conversation = store.conversation("console:dora")
        assert conversation.active is not None
        assert conversation.active.step == "feeling_words"
    finally:
        engine.dispose()


def test_typed_lines_become_events() -> None:
    from bot.console import read_event
    from coaching_scripts import load_catalog
    from dialogs.types import CommandIn, TextIn

    catalog = load_catalog()
    assert read_event("/debrief\n", catalog) == CommandIn("start", "debrief")
    assert read_event("/BACK\n", catalog) == CommandIn("back")
    assert read_event("/resume debrief", catalog) == CommandIn("resume", "debrief")
    assert read_event("/quit", catalog) is None
    assert read_event("/", catalog) == TextIn("/")
    assert read_event("  3  \n", catalog) == TextIn("  3  ")
    assert read_event("/plan", catalog) == CommandIn("start", "precall")


def test_pushback_in_the_console_in_chinese(env: dict[str, str]) -> None:
    result = subprocess.run(
        chat_command("--user", "wang", "--lang", "zh", "--script", "week_plan"),
        input="你是教练，你告诉我啊\n问这些有什么用\n1\n/quit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "这个月你要完成多少？已经完成了多少？" in out  # the question in other words
    assert "1. 先跳过" in out  # the offer after the second pushback
    assert "2. 我来回答" in out
    assert "好，这题先空着，我们继续。" in out
    answers = stored_answers(env, "console:wang")
    assert answers["month_target"] is None
