"""Probes and memory as a rep meets them: one follow-up on a vague answer, never two, never
argued; none when the team turned them off; a plan's facts shown back for one tap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.probes import signals
from dialogs.readers.text import says_nothing
from dialogs.types import Lang
from tests.chat import Chat, plain

GOLDEN_INPUTS = Path(__file__).parents[1] / "golden" / "inputs"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def to_outcome(chat: Chat) -> None:
    """A full debrief up to "what actually happened?"."""
    chat.start("debrief")
    chat.send("5")
    chat.send("Really happy with how it went.")
    chat.send("Acme Tools")
    chat.click("full")
    chat.click("large")
    chat.command("skip")
    chat.click("decision_maker")
    chat.click("existing")
    chat.click("a")
    chat.click("compare")
    chat.send("A trial order")
    chat.send("Demo, then ask")
    assert chat.step_id == "what_happened"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_optimistic_outcome_is_asked_what_the_buyer_agreed_to(
    catalog: Catalog, lang: str
) -> None:
    chat = Chat(catalog, lang=lang)  # type: ignore[arg-type]
    to_outcome(chat)
    chat.send({"en": "Great call, they loved it!", "zh": "很顺利，他们很喜欢！"}[lang])
    assert chat.step_id == "what_happened"  # the same question's follow-up
    probe = {"en": "What exactly did the buyer agree to, and by when?", "zh": "客户具体同意了什么"}
    assert probe[lang] in plain(chat.question.text)
    chat.send({"en": "Nothing firm yet, we'll see", "zh": "还没定，再看看"}[lang])
    assert chat.answers()["agreed"] in ("Nothing firm yet, we'll see", "还没定，再看看")
    chat.click("yes")  # goal met: no second probe on the same outcome
    assert chat.step_id == "order_value"


@pytest.mark.parametrize(
    ("lang", "outcome"),
    [
        ("zh", "demo 很成功, 他说 looks good 但要跟 boss 商量"),  # 中英 mixed
        ("en", "Demo went down well, he said it looks good, needs to check with his boss"),
        ("en", "Very promising, they're keen"),
        ("zh", "应该有戏，客户说回去跟领导汇报"),
    ],
)
def test_a_hopeful_outcome_in_other_words_is_probed_too(
    catalog: Catalog, lang: str, outcome: str
) -> None:
    chat = Chat(catalog, lang=lang)  # type: ignore[arg-type]
    to_outcome(chat)
    chat.send(outcome)
    probe = {"en": "What exactly did the buyer agree to, and by when?", "zh": "客户具体同意了什么"}
    assert probe[lang] in plain(chat.question.text)


def test_a_goal_met_without_evidence_is_asked_for_it_and_may_be_declined(catalog: Catalog) -> None:
    chat = Chat(catalog)
    to_outcome(chat)
    chat.send("We talked for an hour about their warehouse and the new line")
    chat.click("yes")
    assert "What exactly did the buyer agree to" in plain(chat.question.text)
    chat.command("skip")  # a probe is never insisted on
    assert chat.step_id == "order_value"
    assert "evidence" not in chat.answers()


def test_an_outcome_with_a_commitment_is_not_probed(catalog: Catalog) -> None:
    chat = Chat(catalog)
    to_outcome(chat)
    chat.send("Great meeting: they signed a trial of 50 units, delivery by 15 Dec")
    assert chat.step_id == "goal_met"
    chat.click("yes")
    assert chat.step_id == "order_value"


def test_a_team_that_turned_probes_off_gets_none(catalog: Catalog) -> None:
    chat = Chat(catalog, probes=False)
    to_outcome(chat)
    chat.send("Great call, they loved it!")
    assert chat.step_id == "goal_met"


def test_a_one_word_answer_is_probed_before_any_why_quotes_it(catalog: Catalog) -> None:
    chat = Chat(catalog)
    to_outcome(chat)
    chat.send("fine")
    assert "what did the customer say or do" in plain(chat.question.text)
    chat.send("He asked for references before any trial")
    chat.click("no")
    chat.send("5")  # no objections
    why = plain(chat.question.text)
    assert "He asked for references before any trial" in why
    assert "fine" not in why


def test_top_five_asks_for_five_and_accepts_fewer_when_the_rep_says_so(catalog: Catalog) -> None:
    chat = Chat(catalog)
    chat.start("week_plan")
    inputs = GOLDEN_INPUTS / "week_plan.en.txt"
    for line in inputs.read_text(encoding="utf-8").splitlines()[:13]:
        (chat.command("back") if line == "/back" else chat.send(line))
    assert chat.step_id == "top_five"
    chat.send("Trial contract to Huaxin; Minghua tasting date; quote for Sunrise")
    assert chat.step_id == "top_five"
    assert "The rule asks for five" in plain(chat.question.text)
    chat.send("That's all this week: two days of trade fair")
    assert chat.step_id == "first_move"  # fewer, because the rep said so
    assert chat.answers()["top_five_more"] == "That's all this week: two days of trade fair"


def test_signals_read_answers_in_both_languages() -> None:
    assert signals("Call Li; send quote; visit Acme", {})["items"] == 3
    assert signals("a\nb\nc\nd\ne", {})["items"] == 5
    assert signals("还行", {})["short"]
    assert signals("fine", {})["short"]
    assert signals("下周二前签 50 件", {})["number"]
    assert signals("下周二", {})["date"]
    assert not signals("一般般吧", {})["number"]


REPS = Path(__file__).parents[2] / "docs" / "reps"
ARGUING = re.compile(
    r"\b(you should have|that's not|you're wrong|not true|your fault|calm down)\b"
    r"|你应该|不对|你错了|怪你|冷静点",
    re.IGNORECASE,
)
SHOWN = {  # each kind of rep meets its probes and memory (docs/reps/, kept by tests/test_golden)
    "blamer.en": ["Tell me about it.", "Sit in the customer's chair"],
    "blamer.zh": ["说说看，把想说的都说出来。", "换到客户的位置上坐一会儿"],
    "terse.en": ["what made it a 3", "what did the customer say or do", "customer's chair"],
    "terse.zh": ["是什么让你打了 3 分", "客户说了什么、做了什么", "换到客户的位置上"],
    "defensive.en": ["Tell me about it.", "let's get back to analysing it", "customer's chair"],
    "defensive.zh": ["说说看", "回到分析上来", "换到客户的位置上"],
    "happy.en": ["What I have on Huaxin Logistics", "Before the visit you wrote down", "agree to"],
    "happy.zh": ["关于华信物流，我这里记着", "拜访前你写下的目标是", "客户具体同意了什么"],
    "mixed.en": ["What exactly did the buyer agree to"],
    "mixed.zh": ["客户具体同意了什么"],
}


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_each_kind_of_rep_meets_its_probes_and_is_never_argued_with(name: str) -> None:
    transcript = (REPS / f"debrief.{name}.txt").read_text(encoding="utf-8")
    coach = "\n".join(line for line in transcript.splitlines() if not line.startswith(">"))
    for shown in SHOWN[name]:
        assert shown in coach, shown
    assert not ARGUING.search(coach)
    assert "why did you" not in coach.lower()
    assert "You said:\nfine" not in coach


def to_solution(chat: Chat) -> None:
    """The short debrief of the goldens up to "how could you solve it next time?"."""
    chat.start("debrief")
    lines = (GOLDEN_INPUTS / "debrief.short.en.txt").read_text(encoding="utf-8").splitlines()
    for line in lines[:8]:
        chat.send(line)
    assert chat.step_id == "solution"


def test_a_terse_solution_and_practice_are_asked_for_what_and_with_whom(catalog: Catalog) -> None:
    chat = Chat(catalog)
    to_solution(chat)
    chat.send("call her")
    assert "What exactly would you say or do in that moment?" in plain(chat.question.text)
    chat.send("Ask how their sales went before I name a quantity.")
    assert chat.step_id == "practice"
    chat.send("role-play")
    assert "with whom, and when?" in plain(chat.question.text)
    chat.send("With Tom on Thursday, three times")
    assert chat.step_id == "next_action"
    answers = chat.answers()
    assert answers["solution"] == "call her"
    assert answers["solution_how"] == "Ask how their sales went before I name a quantity."
    assert answers["practice_how"] == "With Tom on Thursday, three times"
    chat.send("Call her on the 1st")
    chat.send("1 Dec 9:30")
    chat.send("yes")
    summary = "\n".join(chat.texts)
    assert "call her Ask how their sales went before I name a quantity." in summary
    assert "Practice: role-play With Tom on Thursday, three times" in summary


def test_a_solution_in_a_sentence_is_not_probed(catalog: Catalog) -> None:
    chat = Chat(catalog)
    to_solution(chat)
    chat.send("Ask about their sales plan first.")
    assert chat.step_id == "practice"


@pytest.mark.parametrize(
    "vent",
    [
        "客户一直在挑毛病，说我们价格太贵，完全没诚意",
        "采购就是故意刁难，态度很差",
        "这个客户太难搞了，只知道压价",
        "He only cares about price and wasted my time",
        "Arrogant buyer, nitpicking every line of the quote",
    ],
)
def test_a_blamer_in_either_language_gets_room_to_vent(catalog: Catalog, vent: str) -> None:
    chat = Chat(catalog, lang="en" if vent.isascii() else "zh")
    chat.start("debrief")
    chat.send("2")
    chat.send(vent)
    assert plain(chat.question.text) in (
        "Tell me about it. Say everything you want to say.",
        "说说看，把想说的都说出来。",
    )


@pytest.mark.parametrize(
    ("lang", "nothing"),
    [("en", "nothing"), ("en", "No problems, it went well"), ("zh", "没什么问题"), ("zh", "没有")],
)
def test_no_problem_at_the_main_problem_is_not_followed_by_how_to_solve_it(
    catalog: Catalog, lang: Lang, nothing: str
) -> None:
    chat = Chat(catalog, lang=lang)
    chat.start("debrief")
    for line in (
        (GOLDEN_INPUTS / "debrief.short.en.txt").read_text(encoding="utf-8").splitlines()[:7]
    ):
        chat.send(line)
    assert chat.step_id == "problem"
    chat.send(nothing)
    assert chat.step_id == "practice"  # as with /skip: no "how could you solve it?"
    assert chat.answers()["problem"] is None


@pytest.mark.parametrize(
    ("text", "nothing"),
    [
        ("nothing", True), ("None really.", True), ("no issues", True), ("n/a", True),
        ("没有", True), ("没啥问题", True), ("一切顺利", True), ("没问题，挺顺利的", True),
        ("nothing major, but the demo ran late", False), ("no budget this year", False),
        ("没有预算", False), ("价格", False),
    ],
)  # fmt: skip
def test_what_says_there_is_none(text: str, nothing: bool) -> None:
    assert says_nothing(text) is nothing
