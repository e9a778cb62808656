"""A remark typed where the customer's name is asked ("他就是想压价") is not filed as a customer
without asking; what was said is kept either way."""

from __future__ import annotations

import pytest

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.readers.text import reads_like_a_sentence
from dialogs.types import NoteKept
from tests.chat import Chat, plain


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def to_customer(catalog: Catalog, lang: str) -> Chat:
    chat = Chat(catalog, lang=lang)
    chat.start("debrief")
    chat.send("3")
    chat.send("还可以，客户比较客气" if lang == "zh" else "It was ok, a polite meeting")
    assert chat.step_id == "customer"
    return chat


def notes(chat: Chat) -> list[str]:
    return [effect.text for effect in chat.history if isinstance(effect, NoteKept)]


def test_a_remark_is_asked_about_and_the_real_name_typed_after_it_is_the_customer(
    catalog: Catalog,
) -> None:
    chat = to_customer(catalog, "zh")
    chat.send("他就是想压价")
    assert plain(chat.question.text) == (
        "“他就是想压价”是客户的名称吗？如果不是，请直接输入客户名称。"
    )
    assert "customer" not in chat.answers()
    chat.send("华信物流")
    assert chat.answers()["customer"] == "华信物流"
    assert notes(chat) == ["他就是想压价"]


def test_a_name_that_only_looks_like_a_remark_is_kept_when_the_rep_confirms(
    catalog: Catalog,
) -> None:
    chat = to_customer(catalog, "en")
    chat.send("We Buy Any Car")
    assert plain(chat.question.text).startswith("Is “We Buy Any Car” the customer's name?")
    chat.click("Yes, right")
    assert chat.answers()["customer"] == "We Buy Any Car"
    assert notes(chat) == []


def test_a_plain_name_is_taken_at_once(catalog: Catalog) -> None:
    chat = to_customer(catalog, "en")
    chat.send("Acme Tools Ltd.")
    assert chat.answers()["customer"] == "Acme Tools Ltd."


@pytest.mark.parametrize(
    ("text", "remark"),
    [
        ("华信物流", False),
        ("明华食品有限公司", False),
        ("他就是想压价", True),
        ("客户觉得太贵了", True),
        ("没成，客户说再看看", True),
        ("没签 要考虑", True),
        ("价格太贵", True),
        ("理想汽车", False),
        ("不二家食品", False),
        ("蓝海酒吧", False),
        ("上海说客文化传媒", False),
        ("Acme Tools Ltd.", False),
        ("Baker & Sons", False),
        ("St. Mary's Hospital", False),
        ("they want it cheaper", True),
        ("The buyer was rude!", True),
        ("went ok but no order this time from them", True),
    ],
)
def test_remarks_and_names(text: str, remark: bool) -> None:
    assert reads_like_a_sentence(text) is remark


def test_typing_the_same_name_again_keeps_it_as_the_name(catalog: Catalog) -> None:
    chat = to_customer(catalog, "zh")
    chat.send("客户说再看看")
    assert chat.step_id == "customer"  # asked whether that is the name
    chat.send("客户说再看看")  # typed again rather than tapping "yes": it is the name
    assert chat.answers()["customer"] == "客户说再看看"
    assert chat.step_id != "customer"
