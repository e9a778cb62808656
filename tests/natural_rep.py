"""A rep who answers the debrief in their own words, in English and Chinese: no digits for the
numbered questions, hedges, units, "yes they did", "达成了" — and what must be stored from it.

Shared by the engine, console and Telegram tests, so all three read the same words the same way.
"""

from __future__ import annotations

from typing import Any

ENGLISH = [
    "about a 3 I guess",  # feeling 1-5
    "Good. Quick reorder, friendly as always.",
    "none of these",  # nothing made it harder
    "Baker & Sons",
    "small",  # deal size, by its label
    "short",  # "Short — do and check", by the label's head
    "an existing customer",
    "A reorder of at least 300 boxes.",
    "She checked stock with me and ordered 250.",
    "yes they did",  # goal reached
    "about 410k EUR",  # order value, with its currency
    "the price",  # objections
    "They want to keep stock low.",
    "I had their figures ready.",
    "Ask about their sales plan first.",
    "Call her on the 1st",
    "1 Dec 9:30",
    "yes",  # the date is right
]
ENGLISH_ANSWERS: dict[str, Any] = {
    "feeling_score": 3,
    "blame": ["none"],
    "deal_size": "small",
    "depth": "short",
    "visit_type": "existing",
    "goal_met": True,
    "order_value": 410_000,
    "order_value.unit": "EUR",
    "objections": ["price"],
}

CHINESE = [
    "3分吧",
    "挺顺利的，客户很爽快。",
    "都没有",
    "恒达五金",
    "小单",
    "简短",
    "老客户",
    "让他们补一批货，大约200箱。",
    "采购主管直接下了180箱。",
    "达成了",
    "大概41万欧元",
    "价格和时机",
    "他们库存快用完了。",
    "我提前查好了订货量。",
    "提前准备好降价问题的回答。",
    "周五前给他回复价格政策",
    "周四下午3点",
    "对",
]
CHINESE_ANSWERS: dict[str, Any] = {
    "feeling_score": 3,
    "blame": ["none"],
    "deal_size": "small",
    "depth": "short",
    "visit_type": "existing",
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
