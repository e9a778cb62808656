"""Yes or no to "I read that as … — right?", in English and Chinese."""

from __future__ import annotations

import pytest

from dialogs.readers import read_confirmation

YES = [
    "1", "yes", "Yes!", "y", "yeah", "yep", "ok", "OK", "okay", "sure", "right", "correct",
    "exactly", "that's right", "That's it", "yes please", "ok thanks", "perfect", "👍", "✅",
    "对", "对的", "对啊", "是", "是的", "好", "好的", "好的谢谢", "行", "可以", "没问题", "没错",
    "确定", "嗯", "嗯嗯", "正确", "就是这样", "对，没错", "是的没错", "１",
]  # fmt: skip
NO = [
    "no", "No.", "n", "nope", "wrong", "not right", "that's wrong", "not quite", "👎",
    "不", "不对", "不是", "错了", "不对啊", "不是的", "搞错了",
]  # fmt: skip
OTHER = ["", "3", "maybe", "4 actually", "其实是4", "hello", "price", "明天"]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    reading = read_confirmation(text)
    assert reading is not None
    assert reading.value is True
    assert reading.sure


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    reading = read_confirmation(text)
    assert reading is not None
    assert reading.value is False


@pytest.mark.parametrize("text", OTHER)
def test_something_else_is_a_new_answer(text: str) -> None:
    assert read_confirmation(text) is None


def test_at_least_sixty_cases() -> None:
    assert len(YES) + len(NO) + len(OTHER) >= 60
