"""Every question of the shipped scripts can be asked in other words after pushback, in both
languages, and a rep who pushes back at any of them gets that other wording."""

from __future__ import annotations

import pytest

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.model import LANGUAGES
from dialogs.types import Lang
from tests.chat import Chat, plain


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_every_question_has_another_wording(catalog: Catalog) -> None:
    missing = [
        f"{script_id}.{step_id}"
        for script_id, script in catalog.scripts.items()
        for step_id, compiled in script.steps.items()
        if compiled.step.asks and compiled.step.pushback and not compiled.step.rephrase
    ]
    assert missing == []


def test_the_other_wordings_differ_from_the_question(catalog: Catalog) -> None:
    same = [
        f"{script_id}.{compiled.id}.{lang}"
        for script_id, script in catalog.scripts.items()
        for compiled in script.steps.values()
        for other in compiled.step.rephrase
        for lang in LANGUAGES
        if getattr(other, lang) == getattr(compiled.step.text, lang)
    ]
    assert same == []


@pytest.mark.parametrize(
    ("lang", "pushback", "other"),
    [
        ("en", "no idea, you tell me", "What number do you need to reach this month"),
        ("zh", "不知道，你说呢", "这个月你要完成多少？已经完成了多少？"),
    ],
)
def test_pushback_at_the_week_plan_gets_the_other_wording(
    catalog: Catalog, lang: Lang, pushback: str, other: str
) -> None:
    chat = Chat(catalog, lang=lang)
    chat.start("week_plan")
    assert chat.step_id == "month_target"

    chat.send(pushback)

    assert chat.step_id == "month_target"
    assert other in plain(chat.question.text)
    assert "month_target" not in chat.answers()
