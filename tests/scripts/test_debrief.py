"""The debrief's manners, as a rep meets them: feelings first and never argued with, a blame
that leads to an analysis offer, the recovery line on pushback, the customer's side always, a
short route for small deals, a pre-call plan quoted back, and practice of a real objection."""

from __future__ import annotations

import re

import pytest

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.types import FollowUpWanted, ManagerNotice, NoteKept, RunFinished, RunStarted
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
    """Phase 1 without blaming anyone (and in more than a word, so no probe)."""
    chat.send(score)
    chat.send(words)


def facts(chat: Chat, *, deal: str, depth: str) -> None:
    """From the customer question to the first outcome question (nothing known of them yet)."""
    chat.send("Acme Tools")
    chat.click(depth)
    if depth == "full":
        chat.click(deal)
        chat.send("Ms Wang, purchasing")
        chat.click("decision_maker")
        chat.click("existing")
        chat.click("a")
        chat.click("compare")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feelings_come_first_and_blame_is_heard_then_analysed(catalog: Catalog, lang: str) -> None:
    chat = begin(catalog, lang)
    assert chat.step_id == "feeling_score"  # nothing before the feeling, not even the customer
    chat.send("1")
    blamed = {
        "en": "Terrible. He wasted my time and our delivery let me down again.",
        "zh": "太糟了，他根本不听，物流又拖了后腿。",
    }[lang]
    chat.send(blamed)
    assert chat.step_id == "feeling_words"  # the probe: room to vent, nothing argued
    assert {"en": "Tell me about it", "zh": "说说看"}[lang] in plain(chat.question.text)
    assert not PRAISE_OR_ARGUMENT.search(chat.said), chat.said
    vented = "He is impossible, and logistics never ships on time!"
    chat.send(vented)
    reaction = chat.said
    assert not PRAISE_OR_ARGUMENT.search(reaction), reaction
    offer = {"en": "Let's work through it together", "zh": "我们一起冷静地分析一下"}[lang]
    assert offer in reaction
    assert chat.step_id == "customer"
    assert chat.answers()["feeling_words"] == blamed
    assert chat.answers()["vent"] == vented


def test_no_blame_goes_straight_to_the_facts(catalog: Catalog) -> None:
    chat = begin(catalog)
    chat.send("4")
    chat.send("It went well, the buyer listened to the end.")
    assert chat.step_id == "customer"
    assert "work through it together" not in chat.said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pushback_on_a_why_question_gets_the_recovery_line_and_other_words(
    catalog: Catalog, lang: str
) -> None:
    chat = begin(catalog, lang)
    feel(chat, "3", "It was OK, a normal reorder visit.")
    facts(chat, deal="small", depth="short")
    chat.click("no")
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
    chat.send({"en": "Their stock is still high.", "zh": "他们库存还多，不想压货。"}[lang])
    assert chat.step_id == "went_best"


def test_every_why_is_about_the_customer(catalog: Catalog) -> None:
    chat = begin(catalog)
    feel(chat, "2", "Bad, the meeting went nowhere.")
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
    assert "They said the price is too high" in why_outcome  # built from the rep's words
    assert "You cost 20% more than our supplier" in why_objection


def test_a_small_deal_gets_the_short_debrief_and_a_large_one_the_full(catalog: Catalog) -> None:
    short = begin(catalog)
    feel(short, "4", "Good. Quick reorder, friendly as always.")
    facts(short, deal="small", depth="short")
    short.click("no")
    short.send("Sales slowed and they don't want stock sitting around.")
    short.send("I had their last order figures ready")
    short.send("I proposed a quantity before asking about their sales plan")
    short.send("Ask about next month's sales plan first")
    short.send("Ask two colleagues how they open a reorder visit")
    short.send("Call on the 1st")
    short.send("1 Dec 9:30")
    short.click("yes")
    finished = [e for e in short.effects if isinstance(e, RunFinished)]
    assert finished, short.texts
    answers = finished[0].answers
    asked_short = {step for step in answers if step != "known_facts" or answers[step] is not None}
    for full_only in ("plan", "contact_role", "customer_class", "stage", "improve"):
        assert full_only not in asked_short
    for core in ("went_best", "problem", "solution", "practice"):  # the method's core stays
        assert core in asked_short
    assert len(asked_short) <= 12

    offered = begin(catalog)
    feel(offered, "3", "OK, nothing special happened.")
    offered.send("Acme Tools")
    assert "short debrief" in plain(offered.question.text)
    offered.click("full")  # the rep can always ask for the full one
    assert offered.step_id == "deal_size"


def plan_visit(chat: Chat) -> None:
    chat.start("precall")
    chat.send("Acme Tools")
    chat.click("existing")
    chat.click("large")
    chat.click("a")
    chat.send("A trial order of 50 units by Friday")
    chat.send("1, 2")
    chat.send("How many do you use?")
    chat.send("Show the test results, then offer the trial")
    chat.send("They lose money on breakage")
    chat.send("2")
    chat.send("Ms Wang, purchasing manager")
    chat.click("decision_maker")
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


def test_the_pre_call_plan_for_this_customer_is_shown_and_asked_against(catalog: Catalog) -> None:
    chat = Chat(catalog)
    plan_visit(chat)
    chat.start("debrief")
    feel(chat, "3", "OK, a mixed feeling.")
    chat.send("Acme Tools")
    known = plain(chat.question.text)
    assert chat.step_id == "known_facts"
    assert "Ms Wang, purchasing manager" in known
    assert "Decision-maker" in known
    chat.click("yes")  # one tap instead of five questions
    chat.click("full")
    chat.click("compare")
    assert "A trial order of 50 units by Friday" in plain(chat.question.text)
    chat.send("My goal was the trial order")
    assert "Show the test results, then offer the trial" in plain(chat.question.text)
    chat.send("I showed the results, but did not offer the trial")
    assert "Interested but worried about price" in plain(chat.question.text)
    answers = chat.answers()
    assert answers["contact"] == "Ms Wang, purchasing manager"
    assert answers["contact_role"] == "decision_maker"
    assert answers["visit_type"] == "existing"


def test_denied_facts_are_asked_again_one_by_one(catalog: Catalog) -> None:
    chat = Chat(catalog)
    plan_visit(chat)
    chat.start("debrief")
    feel(chat, "3", "OK, a mixed feeling.")
    chat.send("Acme Tools")
    chat.click("no")
    chat.click("full")
    assert chat.step_id == "deal_size"


def test_stuck_on_a_solution_gets_one_suggestion_for_the_objection_met(catalog: Catalog) -> None:
    chat = begin(catalog)
    feel(chat, "2", "Bad, they did not bite.")
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
    feel(chat, "2", "很郁闷，客户一直压价")
    facts(chat, deal="large", depth="full")
    chat.send("约技术交流会")
    chat.send("先介绍再约")
    chat.send("他说太贵了，要再考虑考虑")
    chat.click("no")
    chat.send("3")
    chat.send("你们比别家贵 10%")
    chat.send("他在压价，想要更低的折扣")
    chat.send("他只看单价，没人算过总成本")
    chat.send("没有争论")
    chat.send("先问清楚在比什么")
    chat.send("没准备好价格对比")
    chat.command("skip")
    chat.send("我会先问他算没算过破损的成本")
    chat.send("和同事对练价格异议")
    chat.send("把成本对比表发给他")
    chat.send("下周三上午十点")
    chat.click("yes")
    assert chat.step_id == "practise_now", chat.texts
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


@pytest.mark.parametrize(
    ("lang", "unsure", "helped", "lectured", "picked"),
    [
        ("en", "I don't know", "pick the one that comes closest", "matters less", "Short"),
        ("zh", "不知道", "选最接近的一个就行", "我怎么想", "简短"),
    ],
)
def test_a_rep_unsure_between_two_options_is_helped_to_pick_not_lectured(
    catalog: Catalog, lang: str, unsure: str, helped: str, lectured: str, picked: str
) -> None:
    chat = begin(catalog, lang)
    feel(chat, "3", "还行，客户挺客气的" if lang == "zh" else "OK, a polite meeting")
    chat.send("Acme Tools")
    assert chat.step_id == "depth"

    chat.send(unsure)

    said = " ".join(plain(text) for text in chat.texts[-2:])
    assert helped in said
    assert lectured not in said  # the recovery line is for a rep who resists the analysis
    assert chat.step_id == "depth"  # asked again, nothing taken as the answer
    chat.send(picked)
    assert chat.answers()["depth"] == "short"


@pytest.mark.parametrize(
    ("lang", "said", "depth"),
    [
        ("en", "whatever is quicker", None),  # shown back: "I read that as Short — right?"
        ("en", "the quick one", "short"),
        ("en", "the long one", "full"),
        ("zh", "快点吧", "short"),
        ("zh", "详细点", "full"),
    ],
)
def test_the_debrief_depth_in_the_reps_words(
    catalog: Catalog, lang: str, said: str, depth: str | None
) -> None:
    chat = begin(catalog, lang)
    feel(chat, "3", "还行，客户挺客气的" if lang == "zh" else "OK, a polite meeting")
    chat.send("Acme Tools")
    chat.send(said)
    assert chat.answers().get("depth") == depth
    if depth is None:
        assert "Short" in chat.texts[-1]
        chat.send("yes")
        assert chat.answers()["depth"] == "short"


@pytest.mark.parametrize(("lang", "word"), [("en", "nah"), ("en", "nope"), ("zh", "没有")])
def test_one_word_no_to_the_goal_is_the_answer_not_pushback(
    catalog: Catalog, lang: str, word: str
) -> None:
    chat = begin(catalog, lang)
    feel(chat, "3", "还行，客户挺客气的" if lang == "zh" else "OK, a polite meeting")
    facts(chat, deal="small", depth="short")
    assert chat.step_id == "goal_met"
    chat.send(word)
    assert chat.answers()["goal_met"] is False
    assert chat.step_id == "why_outcome"


@pytest.mark.parametrize(
    ("lang", "word"), [("en", "yes"), ("en", "ok"), ("zh", "好"), ("zh", "是")]
)
def test_a_yes_typed_at_the_customer_question_is_not_filed_as_a_customer(
    catalog: Catalog, lang: str, word: str
) -> None:
    chat = begin(catalog, lang)
    feel(chat, "3", "还行，客户挺客气的" if lang == "zh" else "OK, a polite meeting")
    chat.send(word)
    assert chat.step_id == "customer"  # asked whether that is the name
    assert "customer" not in chat.answers() or chat.answers()["customer"] is None
    chat.send("Brightway Foods")
    assert chat.answers()["customer"] == "Brightway Foods"


@pytest.mark.parametrize(
    ("lang", "story", "kept"),
    [
        ("en", "she controls who gets to see the boss, and she was not happy", "Gatekeeper"),
        ("zh", "她管着谁能见到老板，而且今天态度一般", "守门人"),
    ],
)
def test_talking_on_after_a_reading_is_shown_back_keeps_it_and_the_words(
    catalog: Catalog, lang: str, story: str, kept: str
) -> None:
    chat = begin(catalog, lang)
    feel(chat, "3", "还行，客户挺客气的" if lang == "zh" else "OK, a polite meeting")
    chat.send("Acme Tools")
    chat.click("full")
    chat.click("large")
    chat.send("Ms Wang, purchasing")
    chat.send("gate keeper")  # close to a label: shown back, "right?"
    assert chat.step_id == "contact_role"
    assert "contact_role" not in chat.answers()

    chat.send(story)  # no tap: the rep goes on talking

    assert chat.answers()["contact_role"] == "gatekeeper"
    assert f"“{kept}”" in chat.texts[0]
    assert "/back" in chat.texts[0]
    assert chat.step_id == "visit_type"  # not refused, not asked again
    notes = [e.text for e in chat.history if isinstance(e, NoteKept)]
    assert story in notes
