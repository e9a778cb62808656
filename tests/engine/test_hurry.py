"""A rep short of time ("hurry up", "I only have 2 minutes", "快点吧") is told short answers will
do and asked again: it is never read as the answer (it was read as a rating of 2, or refused)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.pushback import hurries
from dialogs.types import AnswerSaved, Lang, NoteKept
from tests.chat import Chat

HURRIED = [
    "hurry up", "Hurry up please", "I only have 2 minutes", "only got 5 mins",
    "I'm in a hurry, sorry", "make it quick", "can we keep it short?", "no time", "gotta go",
    "快点吧", "快点快点", "我赶时间", "我只有5分钟", "时间不多了", "简单点吧", "我很忙啊",
    "长话短说",
]  # fmt: skip
NOT_HURRIED = [
    "4", "hurry up, 4", "the customer was in a hurry", "they were busy", "busy", "quick",
    "fast", "客户很忙", "很忙", "no idea", "the meeting ran 5 minutes late", "他赶时间，没谈完",
]  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize("text", HURRIED)
def test_a_hurry_is_heard(text: str) -> None:
    assert hurries(text)


@pytest.mark.parametrize("text", NOT_HURRIED)
def test_an_answer_or_a_story_is_not_a_hurry(text: str) -> None:
    assert not hurries(text)


@given(st.text(max_size=300))
def test_any_text_is_read_without_raising(text: str) -> None:
    assert hurries(text) in (True, False)


@pytest.mark.parametrize(
    ("lang", "said", "heard"),
    [
        ("en", "I only have 2 minutes", "you're short on time"),
        ("en", "hurry up", "a number or a few words will do"),
        ("zh", "快点吧", "你在赶时间"),
        ("zh", "我只有5分钟", "简短回答就行"),
    ],
)
def test_at_the_first_question_a_hurry_is_answered_and_kept_not_scored(
    catalog: Catalog, lang: Lang, said: str, heard: str
) -> None:
    chat = Chat(catalog, lang=lang)
    chat.start("debrief")
    asked = chat.step_id
    chat.send(said)
    assert heard in chat.said
    assert "/cancel" in chat.said  # a bad moment: stop now, nothing lost
    assert chat.step_id == asked
    assert not any(isinstance(effect, AnswerSaved) for effect in chat.effects)
    assert NoteKept(1, asked, said) in chat.effects
    chat.send("4")
    assert chat.answers()[asked] == 4


def test_where_quick_is_an_option_it_is_the_answer(catalog: Catalog) -> None:
    """At "short or full debrief?", "快点" names the short one: the reading wins."""
    chat = Chat(catalog, lang="zh")
    chat.start("debrief")
    for answer in ("3", "还行吧，客户没定", "华润万家"):
        chat.send(answer)
    assert chat.step_id == "depth"
    chat.send("快点")
    assert chat.answers()["depth"] == "short"
