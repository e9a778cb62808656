"""Yes/no as reps answer it, in English and Chinese: (text, value, stored without asking)."""

from __future__ import annotations

import pytest

from dialogs.readers import PARTLY, read_yes_no

SURE_YES = [
    "yes", "Yes.", "YES!", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "correct",
    "absolutely", "definitely", "of course", "yes they did", "Yes, they did.", "yes we did",
    "I did", "we did it", "they did", "sure did", "yes, reached it", "we made it",
    "achieved it", "done", "1", "👍", "是", "是的", "对", "对的", "好的", "嗯", "有", "有的",
    "可以", "没错", "当然", "达成了", "达成", "做到了", "成了", "完成了", "搞定了", "嗯，达成了",
    "是的，客户同意了", "拿下了", "谈成了", "当然达成了", "达成了！",
]  # fmt: skip
SURE_NO = [
    "no", "No.", "NO!", "n", "nope", "nah", "never", "no, not yet", "not yet", "No, not yet.",
    "they did not", "they didn't", "we didn't", "I didn't", "no they didn't", "didn't happen",
    "failed", "missed it", "no, not quite", "2", "👎", "不", "不是", "不对", "没有", "没", "还没",
    "还没有", "没达成", "没有达成", "未达成", "没做到", "没成", "没谈成", "还没有，差一点",
    "没有，差一点", "否", "失败了", "没拿下", "还没呢",
]  # fmt: skip
UNSURE = [  # (text, value without a "partly" answer, value where "partly" is allowed)
    ("partly", False, PARTLY),
    ("partially", False, PARTLY),
    ("half of it", False, PARTLY),
    ("yes and no", False, PARTLY),
    ("一部分", False, PARTLY),
    ("达成了一部分", False, PARTLY),
    ("一半", False, PARTLY),
    ("sort of", True, PARTLY),
    ("kind of", True, PARTLY),
    ("more or less", True, PARTLY),
    ("mostly", True, PARTLY),
    ("pretty much", True, PARTLY),
    ("算是吧", True, PARTLY),
    ("基本上", True, PARTLY),
    ("基本达成了", True, PARTLY),
    ("差不多吧", True, PARTLY),
    ("大部分达成了", True, PARTLY),
    ("almost", False, PARTLY),
    ("nearly", False, PARTLY),
    ("差一点", False, PARTLY),
    ("差点", False, PARTLY),
    ("not really", False, PARTLY),
    ("不太", False, PARTLY),
]
NOTHING = [
    "", "   ", "hello", "maybe", "perhaps", "I don't know", "no idea", "not sure", "不知道",
    "不清楚", "说不好", "可能吧", "随便", "?", "the buyer was late", "🙂",
]  # fmt: skip


@pytest.mark.parametrize("text", SURE_YES)
def test_clear_yes_is_stored(text: str) -> None:
    reading = read_yes_no(text)
    assert reading is not None
    assert reading.value is True
    assert reading.sure


@pytest.mark.parametrize("text", SURE_NO)
def test_clear_no_is_stored(text: str) -> None:
    reading = read_yes_no(text)
    assert reading is not None
    assert reading.value is False
    assert reading.sure


@pytest.mark.parametrize(("text", "lean", "partial"), UNSURE)
def test_partial_answers(text: str, lean: bool, partial: str) -> None:
    without = read_yes_no(text)
    assert without is not None
    assert without.value is lean
    assert not without.sure
    assert lean not in without.alternatives  # the other answer is offered as a button
    allowed = read_yes_no(text, partial=True)
    assert allowed is not None
    assert allowed.value == partial


def test_a_clear_partly_is_stored_where_allowed() -> None:
    reading = read_yes_no("partly", partial=True)
    assert reading is not None
    assert reading.sure
    reading = read_yes_no("一部分", partial=True)
    assert reading is not None
    assert reading.sure


@pytest.mark.parametrize("text", NOTHING)
def test_no_answer_in_it(text: str) -> None:
    assert read_yes_no(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "yes but they didn't sign",
        "no, they did",
        "No, he wanted to wait for his boss to decide on it",
    ],
)
def test_mixed_or_long_answers_are_asked_back(text: str) -> None:
    reading = read_yes_no(text)
    assert reading is not None
    assert not reading.sure
    assert reading.alternatives


def test_at_least_sixty_cases() -> None:
    assert len(SURE_YES) + len(SURE_NO) + len(UNSURE) + len(NOTHING) >= 60


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("they agreed", True), ("we got the order", True), ("signed it", True),
        ("客户同意了", True), ("签了", True), ("成交了", True), ("absolutely not", False),
        ("of course not", False), ("当然没有", False), ("客户拒绝了", False), ("没签", False),
        ("不同意", False), ("they said no", False), ("not this time", False),
    ],
)  # fmt: skip
def test_outcomes_said_in_other_words(text: str, value: bool) -> None:
    reading = read_yes_no(text)
    assert reading is not None
    assert (reading.value, reading.sure) == (value, True)


@pytest.mark.parametrize(
    "text",
    [
        "还在谈", "还在考虑", "等客户回复", "再看看吧", "待定", "still negotiating",
        "waiting for their answer", "they'll get back to me", "pending", "on hold",
        "they need to think about it", "we'll see",
    ],
)  # fmt: skip
def test_still_open_is_a_not_yet_shown_back(text: str) -> None:
    reading = read_yes_no(text, partial=True)
    assert reading is not None
    assert (reading.value, reading.sure, reading.alternatives) == (False, False, (PARTLY,))
    plain = read_yes_no(text)
    assert plain is not None
    assert (plain.value, plain.sure, plain.alternatives) == (False, False, (True,))


def test_a_clear_answer_with_talks_still_going_is_that_answer() -> None:
    for text, value in (
        ("yes but still negotiating the price", True),
        ("no, still in talks", False),
    ):
        reading = read_yes_no(text)
        assert reading is not None
        assert (reading.value, reading.sure) == (value, True)
