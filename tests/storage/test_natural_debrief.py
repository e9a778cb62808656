"""The debrief, end to end, with a rep who types the way reps do (issue 13): natural yes/no,
ratings and numbers with words and units, a date in words, a vent at the first question and
pushback at the "why" questions — in English and Chinese, through the real engine and the store
(SQLite, and PostgreSQL when set). No answer is refused; the stored answers read right; the vent
and the pushback are kept as notes, never as answers.

The rep answers whatever the coach asks (by step), so the test follows the script as it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.engine import OFFER_SKIP, PUSHBACK, READING, step
from dialogs.types import Ask, CommandIn, Reply, TextIn
from storage.store import Profile, Store
from tests.chat import plain

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUNDAY = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)  # Sun 22 Nov 2026, 10:00 in Shanghai
CONFIRMATIONS = frozenset({READING, "confirm_date", "confirm_past"})
PROBE = "probe"
"""A follow-up question on a vague answer (issue 14): asked once, never a refusal."""


@dataclass
class Rep:
    """What the rep types at each question; a list: typed in turn at the same question (pushback
    first, then the answer). ``yes`` confirms a reading shown back."""

    lang: str
    answers: dict[str, str | list[str]]
    yes: str
    typed: list[tuple[str, str]] = field(default_factory=list)

    def probed(self, probe_id: str) -> str:
        """The rep's answer to a probe (a follow-up on a vague answer): a concrete one."""
        del probe_id
        if self.lang == "zh":
            return "他们同意12月15日前试用50个托盘，采购经理周五给我回复。"
        return "They agreed to a 50-pallet trial by 15 December; the buyer confirms on Friday."

    def next(self, step_id: str) -> str:
        planned = self.answers.get(step_id)
        assert planned is not None, f"the coach asked {step_id!r}, which the rep has no answer for"
        if isinstance(planned, list):
            text = planned.pop(0)
            if not planned:
                del self.answers[step_id]
        else:
            text = planned
            del self.answers[step_id]
        return text


ENGLISH = Rep(
    "en",
    {
        "feeling_score": "Terrible. The buyer was an idiot and kept me waiting for an hour.",
        "feeling_words": "Rough visit, he was late and distracted.",
        "customer": "Huaxin Logistics",
        "deal_size": "large",
        "depth": "the full one",
        "contact": "Li Wei, head of purchasing",
        "contact_role": "decision maker",
        "visit_type": "existing customer",
        "customer_class": "A",
        "stage": "evaluating",
        "goal": ["I don't know, you tell me", "My goal was a trial order of 50 pallets."],
        "plan": "Show the tracking demo, then ask for a trial.",
        "what_happened": "They liked the demo but want to compare prices first.",
        "goal_met": "no, not yet",
        "objections": "price and timing",
        "main_objection": "the price",
        "objection_text": "Your pallets cost 20% more than our supplier's.",
        "why_outcome": [
            "what's the point of these questions",
            "who cares",
            "2",  # at the offer to skip: let me answer
            "Their budget is fixed until March.",
        ],
        "why_objection": "They compare unit prices, not the cost of damaged goods.",
        "went_best": "The demo.",
        "improve": "Ask about their budget earlier.",
        "problem": "They only look at the unit price.",
        "solution": "Show them the yearly cost of damaged goods.",
        "practice": "The cost comparison, with my manager on Thursday.",
        "next_action": "Send the cost comparison and call Li Wei.",
        "next_date": "friday after next at half past 3 pm",
        "practise_now": "no",
    },
    yes="yes",
)

CHINESE = Rep(
    "zh",
    {
        "feeling_score": "3分吧",
        "feeling_words": "还行，客户有点忙。",
        "customer": "华信物流",
        "depth": "简短的",
        "goal_met": "达成了",
        "why_outcome": ["问这些有什么用", "他们仓库经理一直抱怨破损，试用的风险小。"],
        "went_best": ["你是教练，你告诉我啊", "演示。"],
        "problem": "他们只看单价。",
        "solution": "算给他们看一年的破损成本。",
        "practice": "周四和经理练一遍价格异议的回答。",
        "next_action": "给李伟打电话确认交货。",
        "next_date": "下下周五下午三点半",
    },
    yes="对",
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def asked(replies: tuple[Reply, ...]) -> Ask:
    asks = [reply for reply in replies if isinstance(reply, Ask)]
    assert asks, [plain(getattr(reply, "text", "")) for reply in replies]
    return asks[-1]


def debrief(store: Store, rep: Rep) -> None:
    """Drive the debrief to its end; fail on the first answer the coach refuses."""
    who = Profile(f"tg:{rep.lang}", display_name=rep.lang, lang=rep.lang, tz="Asia/Shanghai")
    at = SUNDAY
    result = store.handle(who, CommandIn("start", "debrief"), now=at)
    question = asked(result.replies)
    for _ in range(80):
        state = store.conversation(who.key).active
        assert state is not None
        pending = state.pending.kind if state.pending is not None else ""
        if pending in CONFIRMATIONS:
            text = rep.yes
        elif pending == PROBE and state.pending is not None:
            probe_id = str(state.pending.value)
            text = str(rep.answers.pop(probe_id, None) or rep.probed(probe_id))
        else:
            text = rep.next(question.step)
        rep.typed.append((question.step, text))
        at += timedelta(minutes=1)
        result = store.handle(who, TextIn(text), now=at)
        if result.finished:
            assert not [s for s, t in rep.answers.items() if t], "finished before the rep said all"
            return
        after = store.conversation(who.key).active
        assert after is not None
        kind = after.pending.kind if after.pending is not None else ""
        moved = asked(result.replies).step != question.step
        # the same question again: only as a new sub-question (a reading shown back, the other
        # wording after pushback, the offer to skip), never the same one refused
        planned = kind in (PUSHBACK, OFFER_SKIP, PROBE, *CONFIRMATIONS) and kind != pending
        said = [plain(getattr(reply, "text", "")) for reply in result.replies]
        assert moved or planned, f"refused {text!r} at {question.step!r}: {said}"
        question = asked(result.replies)
    raise AssertionError("the debrief did not end")


def stored_at(value: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(value["at"]).astimezone(SHANGHAI)


SHORT_ENGLISH = Rep(
    "en",
    {
        "feeling_score": "about a 3 I guess",
        "feeling_words": "OK, nothing special.",
        "customer": "Baker & Sons",
        "depth": "short",
        "goal_met": "yes they did",
        "why_outcome": ["pass", "skip it"],
        "went_best": "Listening first.",
        "problem": "I had no samples to show.",
        "solution": "Carry two sample boxes in the car.",
        "practice": "The sample pitch, with Wei on Monday.",
        "next_action": "Confirm the delivery date.",
        "next_date": "friday after next at half past 3 pm",
    },
    yes="yes",
)

FULL_CHINESE = Rep(
    "zh",
    {
        "feeling_score": "太糟了，采购简直是个白痴，让我等了一个小时。",
        "feeling_words": "很累，客户根本不听。",
        "vent": "他们只看价格，竞争对手又压价。",
        "customer": "华信物流",
        "deal_size": "大单",
        "depth": "完整：计划、执行、检查",
        "contact": "李伟，采购经理",
        "contact_role": "决策者",
        "visit_type": "老客户",
        "customer_class": "A 类",
        "stage": "评估比较",
        "goal": "签下50个托盘的试用订单。",
        "plan": "先演示追踪系统，再提试用。",
        "what_happened": "他们喜欢演示，但要先比价。",
        "goal_met": "还没有，差一点",
        "objections": "价格和时机",
        "main_objection": "价格",
        "objection_text": "你们的托盘比现在的供应商贵20%。",
        "why_outcome": ["随便", "不清楚", "1"],  # skipped after the second pushback
        "why_objection": "他们只比单价，不算破损的成本。",
        "went_best": "演示。",
        "improve": "早点问预算。",
        "problem": "他们只看单价。",
        "solution": "给他们算一年的破损成本。",
        "practice": "成本对比，周四和经理练。",
        "next_action": "把成本对比发给李伟，然后打电话。",
        "next_date": "下下周五下午三点半",
        "practise_now": "不用了",
    },
    yes="对",
)

FRIDAY_AFTER_NEXT = datetime(2026, 12, 4, 15, 30, tzinfo=SHANGHAI)
CASES = {
    "en-full": (
        ENGLISH,
        {
            "feeling_score": 1,  # "terrible", confirmed with one tap
            "deal_size": "large",
            "depth": "full",
            "contact_role": "decision_maker",
            "visit_type": "existing",
            "customer_class": "a",
            "stage": "compare",
            "goal": "My goal was a trial order of 50 pallets.",
            "goal_met": False,
            "objections": ["price", "timing"],
            "main_objection": "price",
            "why_outcome": "Their budget is fixed until March.",
            "practise_now": False,
        },
        [
            ("feeling_score", ENGLISH.answers["feeling_score"]),
            ("goal", "I don't know, you tell me"),
            ("why_outcome", "what's the point of these questions"),
            ("why_outcome", "who cares"),
        ],
    ),
    "en-short": (
        SHORT_ENGLISH,
        {
            "feeling_score": 3,
            "depth": "short",
            "goal_met": True,
            "why_outcome": None,  # skipped after "pass"
            "went_best": "Listening first.",
        },
        [("why_outcome", "pass")],
    ),
    "zh-short": (
        CHINESE,
        {
            "feeling_score": 3,
            "depth": "short",
            "goal_met": True,
            "why_outcome": "他们仓库经理一直抱怨破损，试用的风险小。",
        },
        [("why_outcome", "问这些有什么用"), ("went_best", "你是教练，你告诉我啊")],
    ),
    "zh-full": (
        FULL_CHINESE,
        {
            "feeling_score": 1,
            "depth": "full",
            "contact_role": "decision_maker",
            "customer_class": "a",
            "stage": "compare",
            "goal_met": False,
            "objections": ["price", "timing"],
            "main_objection": "price",
            "why_outcome": None,
            "why_objection": "他们只比单价，不算破损的成本。",
            "practise_now": False,
        },
        [
            ("feeling_score", "太糟了，采购简直是个白痴，让我等了一个小时。"),
            ("why_outcome", "随便"),
            ("why_outcome", "不清楚"),
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_rep_in_their_own_words(engine: sa.Engine, catalog: Catalog, case: str) -> None:
    planned, expected, notes = CASES[case]
    rep = Rep(
        planned.lang,
        {k: list(v) if isinstance(v, list) else v for k, v in planned.answers.items()},
        planned.yes,
    )
    store = Store(engine, partial(step, catalog))

    debrief(store, rep)

    answers = store.answers(f"tg:{rep.lang}")
    assert {key: answers.get(key, "(not stored)") for key in expected} == expected
    assert stored_at(answers["next_date"]) == FRIDAY_AFTER_NEXT
    kept = [(note.step, note.text) for note in store.notes(f"tg:{rep.lang}")]
    assert kept == notes  # the vent and the pushback, each with its question
    stored = {value for value in answers.values() if isinstance(value, str)}
    assert not stored & {text for _, text in notes}  # none of it stored as an answer
