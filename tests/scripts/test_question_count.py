"""How many questions a full debrief asks a rep whose customer the coach already knows (from a
pre-call plan, or from an earlier debrief): counted by a scripted rep who answers whatever is
asked, the same way each time (a date's "right?" counts as a question).

Before probes and memory (main at 7dca553) the same rep answered 28 questions in both cases; the
README gives the figures. ``python -m tests.scripts.test_question_count`` prints today's.
"""

from __future__ import annotations

from typing import Any

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.engine import step
from dialogs.state import Conversation
from dialogs.types import Ask, CommandIn, Context, PickIn, TextIn
from tests.chat import SUNDAY_MORNING

BEFORE = 28
"""Questions the scripted rep answered in the full debrief on main at 7dca553 (both cases)."""
TEXTS = {
    "customer": "Huaxin Logistics",
    "objective": "They agree to a trial of 50 pallets in December",
    "visit_at": "Thursday 10am",
    "next_date": "Tuesday 10am",
    "feeling_words": "Mixed: a good talk, but no decision yet.",
    "contact": "Mr Li, warehouse manager",
    "goal": "A trial of 50 pallets in December",
    "what_happened": "He liked the load test but his boss decides, by Friday.",
    "objection_text": "Your pallets cost 20% more than what we pay now.",
    "why_outcome": "He isn't the one who decides and doesn't want the risk.",
    "why_objection": "He compares unit prices only.",
}
PICKS = {
    "deal_size": "large",
    "depth": "full",
    "contact_role": "influencer",
    "visit_type": "existing",
    "customer_class": "b",
    "stage": "compare",
    "objections": "price",
    "blame": "none",
    "info_needed": "needs",
    "key_persons": "influencer",
    "materials": "samples",
}
NO = frozenset({"goal_met", "practise_now", "missing", "objective_check"})


def reply_to(ask: Ask) -> list[Any]:
    """The rep's answer to ``ask``, as events (a multiple choice: the option's number)."""
    if ask.kind == "multi" and ask.step in PICKS:
        ids = [choice.id for choice in ask.choices]
        return [TextIn(str(ids.index(PICKS[ask.step]) + 1))]
    if ask.kind == "choice" and ask.step in PICKS:
        return [PickIn(ask.token, PICKS[ask.step])]
    if ask.kind == "choice" and ask.choices:
        return [PickIn(ask.token, ask.choices[0].id)]
    if ask.kind == "yesno":
        no = ask.step in NO and "right?" not in ask.text
        return [PickIn(ask.token, "no" if no else "yes")]
    if ask.kind == "scale":
        return [TextIn("4")]
    return [TextIn(TEXTS.get(ask.step, f"My answer about {ask.step.replace('_', ' ')}."))]


def questions_in(catalog: Catalog, script: str, state: Conversation) -> tuple[int, Conversation]:
    """Run ``script`` to its end; how many questions the rep answered."""
    ctx = Context(SUNDAY_MORNING, "en", "Asia/Shanghai")
    turn = step(catalog, state, CommandIn("start", script), ctx)
    count = 0
    while count < 100:
        asks = [reply for reply in turn.replies if isinstance(reply, Ask)]
        if not asks or turn.state.active is None or turn.state.active.script != script:
            return count, turn.state
        count += 1
        for event in reply_to(asks[-1]):
            turn = step(catalog, turn.state, event, ctx)
    raise AssertionError(f"{script} does not end: {asks[-1]}")


def debrief_questions_after(catalog: Catalog, earlier: str) -> int:
    """The questions of a full debrief of the customer of an ``earlier`` conversation."""
    _, state = questions_in(catalog, earlier, Conversation())
    count, _ = questions_in(catalog, "debrief", state)
    return count


def test_a_known_customer_takes_at_least_five_questions_fewer() -> None:
    catalog = load_catalog()
    assert debrief_questions_after(catalog, "precall") <= BEFORE - 5
    assert debrief_questions_after(catalog, "debrief") <= BEFORE - 5


if __name__ == "__main__":
    for earlier in ("precall", "debrief"):
        print(f"after a {earlier}: {debrief_questions_after(load_catalog(), earlier)}")  # noqa: T201
