"""docs/understanding.md tells reps what they may type at each kind of question: every example
there is read by the coach as the document says (one question of each kind, zh and en)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE
from dialogs.catalog import Catalog
from dialogs.compile import build_catalog
from dialogs.types import Lang, NoteKept
from tests.chat import Chat, plain

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "understanding.md"
PROBE = Path(__file__).with_name("understanding.yaml")
ORDER = ("yn", "yn2", "rate", "num", "pick", "many", "when", "words")
FILL = {"yn": "yes", "yn2": "yes", "rate": "3", "num": "5", "pick": "1", "many": "1"}
FILL |= {"when": "tomorrow 3pm", "words": "x"}
CONFIRM = object()
"""Read, and shown back with one-tap buttons to confirm."""
PUSHBACK = object()
"""Not an answer: the recovery line and the question in other words."""

EXAMPLES: list[tuple[str, Lang, str, Any]] = [
    ("yn", "en", "no, not yet", False),
    ("yn", "en", "yes they did", True),
    ("yn", "en", "partly", "partly"),
    ("yn", "zh", "达成了", True),
    ("yn", "zh", "还没有，差一点", False),
    ("yn", "zh", "没有", False),
    ("yn", "en", "sort of", CONFIRM),
    ("yn", "zh", "算是吧", CONFIRM),
    ("yn", "en", "still negotiating", CONFIRM),
    ("yn", "en", "waiting for their answer", CONFIRM),
    ("yn", "zh", "还在谈", CONFIRM),
    ("yn", "zh", "等客户回复", CONFIRM),
    ("yn2", "en", "nope", False),
    ("yn2", "zh", "嗯", True),
    ("rate", "en", "about a 3 I guess", 3),
    ("rate", "en", "4/5", 4),
    ("rate", "en", "four", 4),
    ("rate", "en", "⭐⭐⭐⭐", 4),
    ("rate", "zh", "3分吧", 3),
    ("rate", "zh", "四分", 4),
    ("rate", "en", "terrible", CONFIRM),
    ("rate", "zh", "不错", CONFIRM),
    ("rate", "en", "8/10", CONFIRM),
    ("rate", "zh", "七分", CONFIRM),
    ("rate", "zh", "8分吧", CONFIRM),
    ("num", "en", "12", 12),
    ("num", "en", "3.5", 3.5),
    ("num", "en", "twelve", 12),
    ("num", "en", "about 410k EUR", 410000),
    ("num", "zh", "大概41万欧元", 410000),
    ("num", "zh", "1.5万", 15000),
    ("num", "zh", "两百", 200),
    ("num", "zh", "8次左右", 8),
    ("num", "zh", "二十多万", 200000),
    ("num", "zh", "三十来万", 300000),
    ("num", "zh", "十几万", CONFIRM),
    ("num", "zh", "几十万", CONFIRM),
    ("pick", "en", "2", "existing"),
    ("pick", "en", "the second one", "existing"),
    ("pick", "en", "existing customer I think", "existing"),
    ("pick", "zh", "第二个", "existing"),
    ("pick", "zh", "老客户", "existing"),
    ("many", "en", "1, 3", ["price", "need"]),
    ("many", "en", "price and timing", ["price", "timing"]),
    ("many", "en", "too expensive", ["price"]),
    ("many", "zh", "价格和时机", ["price", "timing"]),
    ("many", "zh", "太贵", ["price"]),
    ("when", "en", "tomorrow 3pm", CONFIRM),
    ("when", "en", "friday after next at half past 3 pm", CONFIRM),
    ("when", "zh", "下周二下午三点", CONFIRM),
    ("when", "zh", "月底前", CONFIRM),
    ("words", "en", "they don't know our brand yet", "they don't know our brand yet"),
    ("words", "zh", "客户不知道我们的品牌", "客户不知道我们的品牌"),
    ("words", "en", "I don't know, you tell me", PUSHBACK),
    ("words", "en", "what's the point of these questions", PUSHBACK),
    ("words", "en", "who cares", PUSHBACK),
    ("words", "zh", "你是教练，你告诉我啊", PUSHBACK),
    ("words", "zh", "问这些有什么用", PUSHBACK),
    ("words", "zh", "随便", PUSHBACK),
    ("yn", "en", "why does it matter", PUSHBACK),
    ("num", "zh", "不清楚", PUSHBACK),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    messages = (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8")
    catalog, problems = build_catalog({"probe.yaml": PROBE.read_text(encoding="utf-8")}, messages)
    assert problems == []
    return catalog


def at(catalog: Catalog, step_id: str, lang: Lang) -> Chat:
    chat = Chat(catalog, lang=lang)
    chat.start("probe")
    for earlier in ORDER[: ORDER.index(step_id)]:
        chat.send(FILL[earlier])
        if chat.step_id == earlier:  # a date read back: confirm it
            chat.send("yes")
    assert chat.step_id == step_id
    return chat


@pytest.mark.parametrize(("step_id", "lang", "text", "expected"), EXAMPLES)
def test_each_example_is_read_as_documented(
    catalog: Catalog, step_id: str, lang: Lang, text: str, expected: Any
) -> None:
    assert f"“{text}”" in DOC.read_text(encoding="utf-8"), "example missing from the doc"
    chat = at(catalog, step_id, lang)

    chat.send(text)

    if expected is PUSHBACK:
        assert step_id not in chat.answers()
        assert NoteKept(1, step_id, text) in chat.effects
        assert chat.step_id == step_id
    elif expected is CONFIRM:
        assert step_id not in chat.answers()
        assert chat.step_id == step_id
        assert len(chat.question.choices) >= 2, "shown back with buttons"
        chat.click(plain(chat.question.choices[0].label))
        assert step_id in chat.answers()
    else:
        assert chat.answers()[step_id] == expected
