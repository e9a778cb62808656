"""Conversations that build on each other: recent customers, plans quoted in the next visit,
the coach's answer to pushback, tables, chained scripts, and /edit of a finished run."""

from __future__ import annotations

from pathlib import Path

import pytest

from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE
from dialogs.catalog import Catalog
from dialogs.compile import build_catalog
from dialogs.types import AnswerSaved, FollowUpWanted, PickIn, RunFinished, RunResumed, RunStarted
from tests.chat import Chat, plain

LINKED = Path(__file__).with_name("linked")


@pytest.fixture(scope="module")
def linked() -> Catalog:
    sources = {path.name: path.read_text(encoding="utf-8") for path in LINKED.glob("*.yaml")}
    catalog, problems = build_catalog(
        sources, (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8"), default_script="visit"
    )
    assert problems == []
    return catalog


def plan(chat: Chat, customer: str, objective: str, objection: str = "1") -> None:
    chat.start("plan")
    chat.send(customer)
    chat.send(objective)
    chat.send(objection)


def test_recent_customers_are_offered_and_a_new_one_can_be_typed(linked: Catalog) -> None:
    chat = Chat(linked)
    chat.start("plan")
    assert chat.question.choices == ()  # nobody yet: just type
    chat.send("ACME Ltd")
    chat.send("Trial order")
    chat.command("skip")
    plan(chat, "Beta GmbH", "Demo")
    chat.start("plan")
    assert [plain(c.label) for c in chat.question.choices] == ["Beta GmbH", "ACME Ltd"]
    chat.send("2")  # by number
    assert chat.answers()["customer"] == "ACME Ltd"
    chat.command("back")
    chat.event(PickIn(chat.question.token, "m0"))  # by button
    assert chat.answers()["customer"] == "Beta GmbH"
    chat.command("back")
    chat.send("acme ltd")  # by name, in any case: the known spelling is kept
    assert chat.answers()["customer"] == "ACME Ltd"
    chat.command("back")
    chat.event(PickIn(chat.question.token, "m7"))  # forged: no such button
    assert "moved on" in chat.said


def test_the_plan_for_the_same_customer_is_quoted_in_the_visit(linked: Catalog) -> None:
    chat = Chat(linked)
    plan(chat, "ACME Ltd", "Agree a <b>trial</b> of 50 units")
    plan(chat, "Beta GmbH", "Demo")
    chat.start("visit")
    chat.send("ACME Ltd")
    quoted = "Your plan said: Agree a <b>trial</b> of 50 units. Goal met?"
    assert plain(chat.question.text) == quoted
    assert "&lt;b&gt;trial&lt;/b&gt;" in chat.question.text  # the rep's text stays escaped
    chat.command("back")
    chat.send("Gamma")  # no plan for this one
    assert plain(chat.question.text) == "Goal met?"


def test_pushback_gets_the_recovery_line_then_an_offer_to_skip(linked: Catalog) -> None:
    chat = Chat(linked)
    chat.start("visit")
    chat.send("ACME")
    chat.send("yes")
    chat.send("I don't know!")
    assert "What I think doesn't matter" in chat.said
    assert chat.step_id == "why"
    assert "why" not in chat.answers()
    chat.send("I don't know")  # said twice: the rep is not trapped, and it is no answer
    assert [plain(c.label) for c in chat.question.choices] == ["Skip it", "Let me answer"]
    assert "why" not in chat.answers()
    chat.click("Let me answer")
    chat.send("I don't know their budget, but they liked the demo")  # an answer, not pushback
    assert chat.answers()["why"] == "I don't know their budget, but they liked the demo"


def test_tables_chains_history_and_objections(linked: Catalog) -> None:
    chat = Chat(linked)
    plan(chat, "ACME", "Trial")  # main objection: price
    chat.start("visit")
    chat.send("1")
    chat.send("yes")
    chat.send("They trust our service")
    assert "Tip: Show value before price." in chat.said
    chat.send("yes")  # plan the next visit: a plan starts with the customer carried over
    assert "Visits this week: 1" in chat.said
    assert RunStarted(3, "plan", 1) in chat.effects
    assert AnswerSaved(3, "customer", "ACME") in chat.effects
    assert chat.step_id == "objective"
    assert chat.state.memory["objections"] == ["They trust our service"]
    chat.send("Sign")
    chat.command("skip")
    chat.start("visit")
    chat.send("ACME")
    chat.send("no")
    chat.send("Budget")
    assert "Tip: Listen first." in chat.said  # the latest plan had no objection
    chat.send("no")
    assert "Visits this week: 2" in chat.said


def test_edit_reopens_a_finished_run_and_marks_the_finish_revised(linked: Catalog) -> None:
    chat = Chat(linked)
    chat.start("visit")
    chat.send("ACME")
    chat.send("yes")
    chat.send("Good timing")
    chat.send("no")
    assert chat.state.active is None
    chat.wait(hours=2)
    chat.command("edit")
    assert [plain(c.label) for c in chat.question.choices] == [
        "Which customer? — ACME",
        "Goal met? — Yes",
        "Why do you think the customer agreed? — Good timing",
        "Plan the next visit now? — No",
    ]
    chat.click("met")
    assert RunResumed(1) in chat.effects
    assert chat.step_id == "met"
    assert plain(chat.question.current) == "Yes"
    chat.send("no")
    finished = [e for e in chat.effects if isinstance(e, RunFinished)]
    assert len(finished) == 1
    assert finished[0].revised
    assert finished[0].answers["met"] is False
    assert chat.state.memory["history"][0]["met"] is False
    assert len(chat.state.memory["history"]) == 1  # the edit replaced the visit, not added one


def test_edit_window_and_edit_during_a_conversation(linked: Catalog) -> None:
    chat = Chat(linked)
    chat.command("edit")
    assert "nothing recent to change" in chat.said
    plan(chat, "ACME", "Trial")
    chat.wait(hours=80)  # plan keeps the default 72 hours
    chat.command("edit")
    assert "nothing recent to change" in chat.said
    chat.start("visit")
    chat.send("ACME")
    chat.send("yes")
    chat.command("edit")  # in the middle: pick any earlier answer of this conversation
    chat.click("customer")
    chat.send("Beta")
    assert chat.step_id == "why"  # later answers stay
    assert chat.answers()["met"] is True


def test_several_editable_runs_are_offered_newest_first(linked: Catalog) -> None:
    chat = Chat(linked)
    plan(chat, "ACME", "Trial")
    plan(chat, "Beta", "Demo")
    chat.command("edit")
    labels = [plain(c.label) for c in chat.question.choices]
    assert len(labels) == 2
    assert all(label.startswith("plan · Sun 22 Nov") for label in labels)
    chat.send("2")  # the older one
    chat.click("objective")
    chat.send("Trial of 50 units")
    finished = next(e for e in chat.effects if isinstance(e, RunFinished))
    assert finished.run == 1
    assert finished.answers["objective"] == "Trial of 50 units"
    assert not [e for e in chat.effects if isinstance(e, FollowUpWanted)]


def linked_with_chain(chain: str) -> tuple[Catalog, list[str]]:
    sources = {path.name: path.read_text(encoding="utf-8") for path in LINKED.glob("*.yaml")}
    sources["visit.yaml"] = sources["visit.yaml"].replace(
        '{if: "again == true", start: plan, with: {customer: customer}}', chain
    )
    catalog, problems = build_catalog(
        sources, (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8"), default_script="visit"
    )
    return catalog, [problem.message for problem in problems]


def test_a_chain_can_fix_an_answer_of_the_next_script() -> None:
    catalog, problems = linked_with_chain(
        '{if: "again == true", start: plan, with: {customer: customer}, set: {objection: need}}'
    )
    assert problems == []
    chat = Chat(catalog)
    chat.start("visit")
    chat.send("ACME")
    chat.send("yes")
    chat.send("They trust our service")
    chat.send("yes")
    assert AnswerSaved(2, "objection", "need") in chat.effects
    chat.send("Sign the trial")
    assert "Plan for ACME: Sign the trial" in chat.said  # the objection was not asked


@pytest.mark.parametrize(
    ("preset", "complaint"),
    [
        ("{objection: cost}", "sets plan.objection to 'cost', not one of its answers"),
        ("{objective: 3}", "sets plan.objective to 3, not one of its answers"),
        ("{budget: 10}", "'plan' has no step 'budget'"),
    ],
)
def test_a_fixed_answer_the_step_could_not_take_is_a_problem(preset: str, complaint: str) -> None:
    _, problems = linked_with_chain(f'{{if: "again == true", start: plan, set: {preset}}}')
    assert any(complaint in problem for problem in problems), problems
