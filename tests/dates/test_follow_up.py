"""Property: at a follow-up (``future: true``) date question, the engine never takes a date in the
past unless the rep confirmed it, and takes nothing without a confirmation at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE
from dialogs.compile import build_catalog
from dialogs.engine import DATE_CONFIRMATIONS
from dialogs.types import RunFinished
from testkit.dates.chinese import CHINESE
from testkit.dates.english import ENGLISH
from tests.chat import Chat, plain

SAMPLE = Path(__file__).parents[1] / "engine" / "sample.yaml"
CATALOG, PROBLEMS = build_catalog(
    {"sample.yaml": SAMPLE.read_text(encoding="utf-8")},
    (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8"),
)
PHRASES = sorted({text for text, _, _ in ENGLISH + CHINESE} | {"1 Jan 2020", "上上周五"})
MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])


def _at_the_follow_up_question(lang: str, tz: str, now: datetime) -> Chat:
    chat = Chat(CATALOG, lang=lang, tz=tz, now=now)  # type: ignore[arg-type]
    chat.start()
    for answer in ("4", "It went fine", "3", "1", "no"):
        chat.send(answer)
    assert chat.step_id == "when"
    return chat


def _is_past(at: datetime, has_time: bool, now: datetime, tz: str) -> bool:
    if has_time:
        return at < now.replace(second=0, microsecond=0)
    zone = ZoneInfo(tz)
    return at.astimezone(zone).date() < now.astimezone(zone).date()


def test_the_sample_script_builds() -> None:
    assert PROBLEMS == []


@settings(max_examples=150, deadline=None)
@given(
    phrase=st.sampled_from(PHRASES) | st.text(max_size=30),
    now=MOMENTS,
    tz=ZONES,
    lang=st.sampled_from(["en", "zh"]),
)
def test_a_past_date_is_taken_only_once_confirmed(
    phrase: str, now: datetime, tz: str, lang: str
) -> None:
    chat = _at_the_follow_up_question(lang, tz, now)
    chat.send(phrase)
    run = chat.state.active
    assert run is not None, "a date was taken without being confirmed"
    if run.pending is None or run.pending.kind not in DATE_CONFIRMATIONS:
        assert chat.step_id == "when"  # not read as a date (or pushback): still this question
        assert "when" not in run.answers
        return
    at = datetime.fromisoformat(run.pending.value["at"])
    past = _is_past(at, run.pending.value["has_time"], now, tz)
    assert run.pending.kind == ("confirm_past" if past else "confirm_date")
    warned = ("已经过去了" if lang == "zh" else "is in the past") in plain(chat.question.text)
    assert warned == past
    confirmed = run.pending.value
    chat.click("yes")
    assert chat.state.active is None  # confirmed: taken, as confirmed
    finished = [effect for effect in chat.effects if isinstance(effect, RunFinished)]
    assert finished[0].answers["when"] == confirmed
