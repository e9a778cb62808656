"""A rep who answers the debrief in their own words, in English and Chinese: no digits for the
numbered questions, hedges, units, "yes they did", "达成了" — and what must be stored from it.

Shared by the engine, console and Telegram tests, so all three read the same words the same way.
"""

from __future__ import annotations

from typing import Any

ENGLISH = [
    "about a 3 I guess",  # feeling 1-5
    "Good. Quick reorder, friendly as always.",
    "Baker & Sons",
    "full",  # "Full — plan, do, check", by the label's head
    "small",  # deal size, by its label
    "Ms Baker, the buyer",
    "the decision-maker",
    "an existing customer",
    "B",
    "evaluating and comparing",
    "A reorder of at least 300 boxes.",
    "Check their stock, then propose 300.",
    "She checked stock with me and ordered 250.",
    "yes they did",  # goal reached
    "about 410k EUR",  # order value, with its currency
    "the price",  # objections
    "She said our price is higher than last year.",
    "They want to keep stock low.",
    "Their budget is fixed per quarter.",
    "I had their figures ready.",
    "Ask about their sales plan first.",
    "I had no answer ready on price.",
    "Show the cost per box over a year.",
    "Rehearse the price answer with Wei.",
    "Call her on the 1st",
    "1 Dec 9:30",
    "yes",  # the date is right
    "no",  # no practice of the objection now
]
ENGLISH_ANSWERS: dict[str, Any] = {
    "feeling_score": 3,
    "depth": "full",
    "deal_size": "small",
    "contact_role": "decision_maker",
    "visit_type": "existing",
    "customer_class": "b",
    "stage": "compare",
    "goal_met": True,
    "order_value": 410_000,
    "order_value.unit": "EUR",
    "objections": ["price"],
}
GOAL_MET = ENGLISH.index("yes they did")
"""Where the goal question comes in the English rep's lines."""

CHINESE = [
    "3分吧",
    "挺顺利的，客户很爽快。",
    "恒达五金",
    "完整",
    "小单",
    "王经理，采购主管",
    "决策者",
    "老客户",
    "B 类",
    "评估比较",
    "让他们补一批货，大约200箱。",
    "先看库存，再提补货量。",
    "采购主管直接下了180箱。",
    "达成了",
    "大概41万欧元",
    "价格和时机",
    "价格",
    "他说价格比去年高。",
    "他们库存快用完了。",
    "他们的预算按季度定。",
    "我提前查好了订货量。",
    "先问他们的销售计划。",
    "价格问题没准备好回答。",
    "把全年的单箱成本算给他看。",
    "和老刘对练价格异议。",
    "周五前给他回复价格政策",
    "周四下午3点",
    "对",
    "不",
]
CHINESE_ANSWERS: dict[str, Any] = {
    "feeling_score": 3,
    "depth": "full",
    "deal_size": "small",
    "contact_role": "decision_maker",
    "visit_type": "existing",
    "customer_class": "b",
    "stage": "compare",
    "goal_met": True,
    "order_value": 410_000,
    "order_value.unit": "EUR",
    "objections": ["price", "timing"],
}

REFUSALS = {
    "en": ["Please answer", "Please pick", "Please choose", "couldn't read", "I read that as"],
    "zh": ["请回答", "请选择", "请从选项", "请输入", "没能识别", "我理解为"],
}
"""What a refusal (or a doubtful reading) says: a natural rep should meet none of them."""
