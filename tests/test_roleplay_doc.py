"""docs/roleplay.md shows two role-plays (en, zh) exactly as the coach plays them today.

Regenerate after a deliberate change of the buyer's rules or lines with
``COACHBOT_UPDATE_GOLDEN=1 pytest tests/test_roleplay_doc.py`` and read the diff as a rep would.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from coaching_scripts import load_catalog
from dialogs.types import DONE, Ask, PickIn
from tests.chat import Chat, plain

DOC = Path(__file__).resolve().parent.parent / "docs" / "roleplay.md"

# (objection, style, the rep's replies, ticks, technique, rating): a rep who argues first,
# then acknowledges, asks, answers with figures and proposes a next step.
EXAMPLES = {
    "en": (
        "price",
        "wolf",
        [
            "Our price is fine, take it or leave it.",
            "I understand, 15% is a lot. What are you comparing us with?",
            "Our pallets last twice as long, so you save about 900 a month.",
            "Fair point. 60 days on the first order, and you save 5% on freight per month.",
            "A trial of 50 pallets from next Monday?",
        ],
        ["listened", "confirmed", "no_argue", "answered"],
        "compensation",
        "3",
    ),
    "zh": (
        "product",
        "koala",
        [
            "我们的交货没问题，不是我们的问题。",
            "您说得对，上次晚到确实给您添了麻烦。那次对你们影响最大的是哪一块？",
            "我们在您附近备了 200 件库存，交货时间能缩短到 3 天。",
            "明白。我们的工程师 12 小时内到场，响应时间能缩短一半。",
            "下周三先在一个仓库试行两周，您看可以吗？",
        ],
        ["listened", "confirmed", "no_argue", "answered"],
        "yes_but",
        "3",
    ),
}
LABELS = {"en": ("Buyer", "Rep", "Coach"), "zh": ("客户", "销售", "教练")}


def play(lang: str) -> str:
    """The role-play and the coach's feedback, as the rep reads them."""
    objection, style, replies, ticks, technique, rating = EXAMPLES[lang]
    buyer, rep, coach = LABELS[lang]
    chat = Chat(load_catalog(), lang=lang)  # type: ignore[arg-type]
    chat.start("coaching")
    chat.click("objections")
    chat.send("A buyer said we were too expensive." if lang == "en" else "客户说我们太贵。")
    chat.send("Confirming first." if lang == "en" else "先确认。")
    chat.click("no")
    chat.click(objection)
    chat.click(style)
    lines = [f"{buyer}: {plain(chat.question.text)}"]
    for reply in replies:
        lines.append(f"{rep}:   {reply}")
        chat.send(reply)
        said = [plain(r.text) for r in chat.replies]
        lines.append(f"{buyer}: {said[-1] if chat.step_id == 'rep_answer' else said[0]}")
    assert chat.step_id == "checklist", "the role-play did not end"
    for option in ticks:
        chat.event(PickIn(chat.question.token, option))
    chat.event(PickIn(chat.question.token, DONE))
    chat.click(technique)
    chat.click(rating)
    feedback = [plain(r.text) for r in chat.replies if not isinstance(r, Ask)]
    lines.append(f"\n{coach}: " + "\n".join(feedback))
    return "\n".join(lines)


def block(lang: str, body: str) -> str:
    return f"<!-- roleplay:{lang} -->\n```text\n{body}\n```\n<!-- /roleplay:{lang} -->"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_documented_role_play_is_the_one_the_coach_plays(lang: str) -> None:
    page = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"<!-- roleplay:{lang} -->.*?<!-- /roleplay:{lang} -->", re.S)
    assert pattern.search(page), f"docs/roleplay.md has no <!-- roleplay:{lang} --> block"
    expected = block(lang, play(lang))
    if os.environ.get("COACHBOT_UPDATE_GOLDEN"):
        page = pattern.sub(lambda _: expected, page)
        DOC.write_text(page, encoding="utf-8")
    assert pattern.search(page).group(0) == expected  # type: ignore[union-attr]
