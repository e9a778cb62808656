"""The debrief's manners, as a rep meets them: feelings first and never argued with, a blame
that leads to an analysis offer, the recovery line on pushback, the customer's side always, a
short route for small deals, a pre-call plan quoted back, and practice of a real objection."""

from __future__ import annotations

import re

import pytest

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.types import DONE, FollowUpWanted, ManagerNotice, PickIn, RunFinished, RunStarted
from tests.chat import Chat, plain

RECOVERY = {
    "en": "what I think doesn't matter; what matters is how you see it",
    "zh": "我怎么想并不重要，重要的是你怎么看、怎么分析",
}
PRAISE_OR_ARGUMENT = re.compile(
    r"\b(great|well done|good job|excellent|you should have|that's not|you're wrong|but)\b|"
    r"很好|太棒|做得好|你应该|不对|但是",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def begin(catalog: Catalog, lang: str = "en") -> Chat:
    chat = Chat(catalog, lang=lang)  # type: ignore[arg-type]
    chat.start("debrief")
    return chat


def feel(chat: Chat, score: str, words: str) -> None:
    """Phase 1 without blaming anyone."""
    chat.send(score)
    chat.send(words)
    chat.send("4")  # none of these


def facts(chat: Chat, *, deal: str, depth: str) -> None:
    """From the customer question to the goal question."""
    chat.send("Acme Tools")
    chat.click(deal)
    chat.click(depth)
    if depth == "full":
        chat.send("Ms Wang, purchasing")
        chat.click("decision_maker")
    chat.click("existing")
    if depth == "full":
        chat.click("a")
        chat.click("compare")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feelings_come_first_and_blame_is_heard_then_analysed(catalog: Catalog, lang: str) -> None:
    chat = begin(catalog, lang)
    assert chat.step_id == "feeling_score"  # nothing before the feeling, not even the customer
    chat.send("1")
    chat.send("Terrible. He wasted my time and our delivery let me down again.")
    chat.send("1, 3")  # the customer, our company
    assert chat.step_id == "vent"
    vented = "He is impossible, and logistics never ships on time!"
    chat.send(vented)
    reaction = chat.said
    assert not PRAISE_OR_ARGUMENT.search(reaction), reaction
    offer = {"en": "Let's work through it together", "zh": "我们一起冷静地分析一下"}[lang]
    assert offer in reaction
    assert chat.step_id == "customer"
    assert chat.answers()["blame"] == ["buyer", "company"]
    assert chat.answers()["vent"] == vented


def test_no_blame_goes_straight_to_the_facts(catalog: Catalog) -> None:
    chat = begin(catalog)
    chat.send("4")
    chat.send("Fine")
    chat.click("none")  # a tap toggles the option; DONE submits
    chat.event(PickIn(chat.question.token, DONE))
    assert chat.step_id == "customer"
    assert "work through it together" not in chat.said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pushback_on_a_why_question_gets_the_recovery_line_and_other_words(
    catalog: Catalog, lang: str
) -> None:
    chat = begin(catalog, lang)
    feel(chat, "3", "OK")
    facts(chat, deal="small", depth="short")
    chat.send("A reorder")
    chat.send("They ordered half")
    chat.click("no")
    chat.send("3")  # price
    assert chat.step_id == "why_outcome"
    question = plain(chat.question.text)
    chat.send({"en": "I don't know.", "zh": "不知道"}[lang])
    assert RECOVERY[lang] in chat.said
    assert chat.step_id == "why_outcome"
    assert plain(chat.question.text) != question  # asked again, in other words
    assert {"en": "Picture the customer after you left", "zh": "想象你走后客户在想什么"}[
        lang
    ] in plain(chat.question.text)
    assert "why_outcome" not in chat.answers()
    chat.send({"en": "Their stock is high.", "zh": "他们库存还多。"}[lang])
    assert chat.step_id == "went_best"


def test_every_why_is_about_the_customer(catalog: Catalog) -> None:
    chat = begin(catalog)
    feel(chat, "2", "Bad")
    facts(chat, deal="large", depth="full")
    chat.send("A trial order")
    chat.send("Demo, then ask")
    chat.send("They said the price is too high")
    chat.click("no")
    chat.send("3")
    chat.send("You cost 20% more than our supplier")
    why_outcome = plain(chat.question.text)
    chat.send("They compare unit prices")
    why_objection = plain(chat.question.text)
    for question in (why_outcome, why_objection):
        assert "why do you think the customer" in question.lower()
        assert "why did you" not in question.lower()
    assert "You cost 20% more than our supplier" in why_objection  # built from the rep's words


def test_a_small_deal_gets_the_short_debrief_and_a_large_one_the_full(catalog: Catalog) -> None:
    short = begin(catalog)
    feel(short, "4", "Good")
    facts(short, deal="small", depth="short")
    short.send("Reorder 300 boxes")
    short.send("They ordered 250")
    short.click("no")
    short.send("4")
    short.send("Sales slowed")
    short.send("I had the figures")
    short.send("Ask about next month first")
    short.send("Call on the 1st")
    short.send("1 Dec 9:30")
    short.click("yes")
    finished = [e for e in short.effects if isinstance(e, RunFinished)]
    assert finished, short.texts
    asked_short = set(finished[0].answers)
    for full_only in ("plan", "contact_role", "customer_class", "stage", "problem", "practice"):
        assert full_only not in asked_short
    assert len(asked_short) <= 16

    offered = begin(catalog)
    feel(offered, "3", "OK")
    offered.send("Acme Tools")
    offered.click("small")
    assert "short debrief is usually enough" in plain(offered.question.text)
    offered.click("full")  # the rep can always ask for the full one
    assert offered.step_id == "contact"


def test_the_pre_call_plan_for_this_customer_is_shown_and_asked_against(catalog: Catalog) -> None:
    chat = Chat(catalog)
    chat.start("precall")
    chat.send("Acme Tools")
    chat.send("A trial order of 50 units by Friday")
    chat.click("yes")
    chat.send("1, 2")
    chat.send("How many do you use?")
    chat.send("Show the test results, then offer the trial")
    chat.send("They lose money on breakage")
    chat.send("2")
    chat.send("Interested but worried about price")
    chat.send("They compare unit prices")
    chat.send("3")
    chat.send("Show the cost of breakage per month")
    chat.send("1, 2")
    chat.click("no")
    chat.send("tomorrow 10am")
    chat.click("yes")
    chat.click("no")  # no rehearsal now
    assert any(isinstance(e, RunFinished) for e in chat.effects), chat.texts

    chat.start("debrief")
    feel(chat, "3", "OK")
    facts(chat, deal="large", depth="full")
    assert "A trial order of 50 units by Friday" in plain(chat.question.text)
    chat.send("My goal was the trial order")
    assert "Show the test results, then offer the trial" in plain(chat.question.text)
    chat.send("I showed the results, but did not offer the trial")
    assert "Interested but worried about price" in plain(chat.question.text)


def test_stuck_on_a_solution_gets_one_suggestion_for_the_objection_met(catalog: Catalog) -> None:
    chat = begin(catalog)
    feel(chat, "2", "Bad")
    facts(chat, deal="large", depth="full")
    chat.send("Trial order")
    chat.send("Demo")
    chat.send("Too expensive, they said")
    chat.click("no")
    chat.send("3")  # price only
    chat.command("skip")  # their words not remembered
    chat.send("They compare unit prices")
    assert "pushed back on Price" in plain(chat.question.text)
    chat.send("Nobody showed them the total cost")
    chat.send("The demo")
    chat.send("Ask about budget first")
    chat.send("No answer to the price comparison")
    assert chat.step_id == "solution"
    chat.command("skip")
    assert "Compensation" in chat.said  # the price technique, only now
    assert chat.step_id == "solution_after_tip"


def test_a_real_objection_can_be_practised_right_away(catalog: Catalog) -> None:
    chat = begin(catalog, "zh")
    feel(chat, "2", "很郁闷")
    facts(chat, deal="large", depth="full")
    chat.send("约技术交流会")
    chat.send("先介绍再约")
    chat.send("他说太贵")
    chat.click("no")
    chat.send("3")
    chat.send("你们比别家贵 10%")
    chat.send("他在压价")
    chat.send("他只看单价")
    chat.send("没有争论")
    chat.send("先问清楚在比什么")
    chat.command("skip")
    chat.send("和同事对练价格异议")
    chat.send("把成本对比表发给他")
    chat.send("下周三上午十点")
    chat.click("yes")
    assert chat.step_id == "practise_now"
    chat.click("yes")
    kinds = [type(effect) for effect in chat.effects]
    assert RunFinished in kinds
    assert ManagerNotice in kinds
    assert FollowUpWanted in kinds
    assert any(isinstance(e, RunStarted) and e.script == "coaching" for e in chat.effects)
    carried = chat.answers()
    assert carried["skill"] == "objections"
    assert carried["objection_text"] == "你们比别家贵 10%"
    assert carried["real_objection"] is True
    assert carried["customer"] == "Acme Tools"
    assert chat.step_id == "observed"  # the five steps start by observing: that moment
    assert "你们比别家贵 10%" in plain(chat.question.text)
