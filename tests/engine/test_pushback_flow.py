"""Pushback in a conversation: never stored as the answer, kept as a note; the recovery line and
the question in other words; a second pushback offers to skip — typed or tapped, in zh and en —
and a skipped question reads as empty (null) for branches and summaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE, load_catalog
from dialogs.catalog import Catalog
from dialogs.compile import build_catalog
from dialogs.types import AnswerSaved, Lang, NoteKept, RunFinished
from tests.chat import Chat, plain

TALK = Path(__file__).with_name("pushback_talk.yaml")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    messages = (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8")
    catalog, problems = build_catalog({"talk.yaml": TALK.read_text(encoding="utf-8")}, messages)
    assert problems == []
    return catalog


def at_why(catalog: Catalog, lang: Lang = "en") -> Chat:
    chat = Chat(catalog, lang=lang)
    chat.start("talk")
    chat.send("ACME")
    chat.send({"en": "yes", "zh": "是"}[lang])
    assert chat.step_id == "why"
    return chat


RECOVERY = {"en": "What I think doesn't matter", "zh": "我怎么想不重要"}
REPHRASED = {
    "en": ["Picture the buyer after you left", "One guess about the buyer is enough"],
    "zh": ["想象你走后客户在想什么", "对客户猜一个原因就够了"],
}
OFFER = {"en": ["Skip it", "Let me answer"], "zh": ["先跳过", "我来回答"]}


@pytest.mark.parametrize(
    ("lang", "pushback"),
    [
        ("en", "I don't know, you tell me"),
        ("en", "what's the point of these questions"),
        ("zh", "你是教练，你告诉我啊"),
        ("zh", "问这些有什么用"),
    ],
)
def test_pushback_gets_the_recovery_line_and_the_question_in_other_words(
    catalog: Catalog, lang: Lang, pushback: str
) -> None:
    chat = at_why(catalog, lang)

    chat.send(pushback)

    assert RECOVERY[lang] in chat.said
    assert chat.step_id == "why"
    assert REPHRASED[lang][0] in plain(chat.question.text)
    assert "why" not in chat.answers()
    assert chat.effects == [NoteKept(1, "why", pushback)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_second_pushback_offers_to_skip_and_skipping_stores_null(
    catalog: Catalog, lang: Lang
) -> None:
    chat = at_why(catalog, lang)
    chat.send({"en": "no idea", "zh": "不清楚"}[lang])
    chat.send({"en": "who cares", "zh": "随便"}[lang])

    assert [plain(c.label) for c in chat.question.choices] == OFFER[lang]
    assert RECOVERY[lang] not in chat.said  # said once is enough
    assert "why" not in chat.answers()

    chat.click(OFFER[lang][0])

    assert chat.answers()["why"] is None
    assert AnswerSaved(1, "why", None) in chat.effects
    assert chat.step_id == "line"  # the branch for a skipped "why" is taken
    notes = [e for e in chat.history if isinstance(e, NoteKept)]
    assert [note.text for note in notes] == [
        {"en": "no idea", "zh": "不清楚"}[lang],
        {"en": "who cares", "zh": "随便"}[lang],
    ]


def test_the_skip_offer_by_typing(catalog: Catalog) -> None:
    chat = at_why(catalog)
    chat.send("idk")
    chat.send("dunno")
    chat.send("2")  # let me answer

    assert chat.step_id == "why"
    assert REPHRASED["en"][1] in plain(chat.question.text)  # the other wording this time

    chat.send("pass")  # pushback again: the offer again
    assert [plain(c.label) for c in chat.question.choices] == OFFER["en"]
    chat.send("yes")
    assert chat.answers()["why"] is None


def test_an_answer_typed_at_the_skip_offer_is_read_as_the_answer(catalog: Catalog) -> None:
    chat = at_why(catalog)
    chat.send("no idea")
    chat.send("not sure")

    chat.send("Their stock is still high")

    assert chat.answers()["why"] == "Their stock is still high"
    assert chat.step_id == "value"


def test_pass_at_a_required_question_offers_to_skip_at_once(catalog: Catalog) -> None:
    chat = at_why(catalog)

    chat.send("pass")

    assert [plain(c.label) for c in chat.question.choices] == OFFER["en"]


def test_pass_at_an_optional_question_skips_it(catalog: Catalog) -> None:
    chat = at_why(catalog)
    chat.send("They want a trial first")
    assert chat.step_id == "value"

    chat.send("skip")

    assert chat.answers()["value"] is None
    assert [e for e in chat.effects if isinstance(e, NoteKept)] == [NoteKept(1, "value", "skip")]


def test_pushback_at_a_closed_question_is_read_after_the_answer(catalog: Catalog) -> None:
    chat = Chat(catalog)
    chat.start("talk")
    chat.send("ACME")

    chat.send("no")  # an answer at a yes/no question
    assert chat.answers()["met"] is False

    chat.command("back")
    chat.send("no idea, you tell me")
    assert RECOVERY["en"] in chat.said
    assert "Did ACME agree to what you came for?" in plain(chat.question.text)  # a template
    assert chat.answers()["met"] is False  # the earlier answer stays


def test_pushback_is_no_new_customer(catalog: Catalog) -> None:
    chat = Chat(catalog)
    chat.start("talk")

    chat.send("不知道")

    assert chat.step_id == "customer"
    assert "customer" not in chat.answers()


def test_a_step_without_pushback_takes_such_words_as_the_answer(catalog: Catalog) -> None:
    chat = at_why(catalog)
    chat.send("who cares")
    chat.command("skip")  # after pushback, /skip is granted
    assert chat.step_id == "line"

    chat.send("Why should you care? Who cares about a 5% saving?")  # the rep's role-play line

    [finished] = [e for e in chat.effects if isinstance(e, RunFinished)]
    assert finished.answers["line"] == "Why should you care? Who cares about a 5% saving?"
    assert finished.answers["why"] is None


def test_back_after_pushback_goes_to_the_question_before(catalog: Catalog) -> None:
    chat = at_why(catalog)
    chat.send("I don't know")

    chat.command("back")

    assert chat.step_id == "met"
    assert plain(chat.question.text) == "Goal met?"  # not the other wording


@pytest.mark.parametrize(
    "words", ["why does it matter", "问这些有什么用", "I can't remember", "你是专家"]
)
def test_resisting_words_are_no_yes_or_no(catalog: Catalog, words: str) -> None:
    chat = Chat(catalog)
    chat.start("talk")
    chat.send("ACME")

    chat.send(words)

    assert chat.step_id == "met"
    assert "met" not in chat.answers()
    assert RECOVERY["en"] in chat.said


def test_a_bare_mm_is_a_yes(catalog: Catalog) -> None:
    chat = Chat(catalog)
    chat.start("talk")
    chat.send("ACME")

    chat.send("嗯")

    assert chat.answers()["met"] is True


def test_skip_this_one_at_a_number_is_no_1(catalog: Catalog) -> None:
    chat = at_why(catalog)
    chat.send("They want a trial first")

    chat.send("skip this one")

    assert chat.answers()["value"] is None


def test_an_option_named_like_pushback_is_the_answer() -> None:
    chat = Chat(load_catalog(), lang="zh")
    chat.start("revisit")
    chat.send("华信物流")
    chat.send("托盘，11月20日交货")
    chat.send("是")
    assert chat.step_id == "product_status"

    chat.send("还不清楚")

    assert chat.answers()["product_status"] == "unknown"
