"""The real debrief, in both languages: the next step's date said in words is read, confirmed
back in the rep's language, and stored as that moment (the engine with the shipped scripts)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.types import RunFinished
from tests.chat import Chat, plain

NOW = datetime(2027, 3, 10, 6, 20, tzinfo=UTC)  # Wed 10 Mar 2027, 14:20 in Shanghai
FILLER = {"text": "It went fine", "number": "100", "yesno": "no", "scale": "3"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _to_the_next_step_date(catalog: Catalog, lang: str) -> Chat:
    """Answer every question plainly (first option, 3, no, a few words) up to the date."""
    chat = Chat(catalog, lang=lang, tz="Asia/Shanghai", now=NOW)  # type: ignore[arg-type]
    chat.start("debrief")
    for _ in range(60):
        ask = chat.question
        if ask.step == "next_date":
            return chat
        chat.send(FILLER.get(ask.kind, "1"))  # a choice: the first option
    raise AssertionError(f"never reached the next step's date; at {chat.step_id}")


@pytest.mark.parametrize(
    ("lang", "said", "confirmed", "at", "has_time"),
    [
        (
            "en",
            "friday after next at half past 3 pm",
            "Fri 19 Mar, 15:30 — right?",
            "2027-03-19T07:30:00+00:00",
            True,
        ),
        ("en", "by end of next week", "Fri 19 Mar — right?", "2027-03-19T01:00:00+00:00", False),
        (
            "en",
            "in a couple hours",
            "Wed 10 Mar, 16:20 — right?",
            "2027-03-10T08:20:00+00:00",
            True,
        ),
        (
            "zh",
            "下下周五下午三点半",
            "3月26日(周五) 15:30，对吗？",
            "2027-03-26T07:30:00+00:00",
            True,
        ),
        ("zh", "月底前", "3月31日(周三)，对吗？", "2027-03-31T01:00:00+00:00", False),
        ("zh", "明天 3pm", "3月11日(周四) 15:00，对吗？", "2027-03-11T07:00:00+00:00", True),
    ],
)
def test_the_next_step_date_in_words(
    catalog: Catalog, lang: str, said: str, confirmed: str, at: str, has_time: bool
) -> None:
    chat = _to_the_next_step_date(catalog, lang)
    chat.send(said)
    assert plain(chat.question.text) == confirmed
    chat.send("yes" if lang == "en" else "对")
    finished = [effect for effect in chat.effects if isinstance(effect, RunFinished)]
    assert finished, "the debrief ends with the next step's date"
    assert finished[0].answers["next_date"] == {"at": at, "has_time": has_time}
    day = confirmed.split(" — ")[0].split("，")[0]
    assert day in chat.texts[0]  # the summary says when the reminder comes
