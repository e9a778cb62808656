"""The debrief answered in a rep's own words, in English and Chinese: no refusal, no doubt, and
every answer stored as meant. A partial goal is a third answer, said in the summary."""

from __future__ import annotations

from typing import Any

import pytest

from coaching_scripts import load_catalog
from dialogs.types import AnswerSaved, Lang, RunFinished
from tests.chat import Chat
from tests.natural_rep import (
    CHINESE,
    CHINESE_ANSWERS,
    ENGLISH,
    ENGLISH_ANSWERS,
    GOAL_MET,
    REFUSALS,
)

CATALOG = load_catalog()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [("en", ENGLISH, ENGLISH_ANSWERS), ("zh", CHINESE, CHINESE_ANSWERS)],
)
def test_a_natural_debrief_needs_no_second_try(
    lang: Lang, lines: list[str], expected: dict[str, Any]
) -> None:
    chat = Chat(CATALOG, lang=lang)
    chat.start("debrief")
    saved: dict[str, Any] = {}
    for line in lines:
        chat.send(line)
        assert not [refusal for refusal in REFUSALS[lang] if refusal in chat.said], (
            line,
            chat.said,
        )
        saved.update({e.step: e.value for e in chat.effects if isinstance(e, AnswerSaved)})
    assert [e for e in chat.effects if isinstance(e, RunFinished)], chat.said
    assert {step: saved.get(step) for step in expected} == expected


def test_a_partly_reached_goal_is_its_own_answer_and_said_in_the_summary() -> None:
    chat = Chat(CATALOG, lang="en")
    chat.start("debrief")
    for line in ENGLISH[:GOAL_MET]:
        chat.send(line)
    assert [c.label for c in chat.question.choices] == ["Yes", "No", "Partly"]
    chat.send("partly")
    assert {e.step: e.value for e in chat.effects if isinstance(e, AnswerSaved)} == {
        "goal_met": "partly"
    }
    for line in ENGLISH[GOAL_MET + 1 :]:
        chat.send(line)
    finished = next(e for e in chat.effects if isinstance(e, RunFinished))
    assert "Goal reached: Partly" in finished.summary
    assert "order value 410000 EUR" in finished.summary


@pytest.mark.parametrize("typed", ["3", "部分", "Partly"])
def test_partly_by_its_number_or_label(typed: str) -> None:
    chat = Chat(CATALOG, lang="zh" if typed == "部分" else "en")
    chat.start("debrief")
    rep = CHINESE if typed == "部分" else ENGLISH
    for line in rep[: rep.index("达成了" if rep is CHINESE else "yes they did")]:
        chat.send(line)
    chat.send(typed)
    assert {e.step: e.value for e in chat.effects if isinstance(e, AnswerSaved)} == {
        "goal_met": "partly"
    }
