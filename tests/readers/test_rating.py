"""Ratings as reps give them, in English and Chinese: (text, value, stored without asking)."""

from __future__ import annotations

import pytest

from dialogs.readers import read_rating

ONE_TO_FIVE = [
    ("3", 3, True), ("4", 4, True), ("1", 1, True), ("5", 5, True), (" 2 ", 2, True),
    ("３", 3, True), ("about a 3 I guess", 3, True), ("a 3", 3, True), ("maybe 4", 4, True),
    ("I'd say 4", 4, True), ("I would say 4", 4, True), ("4 stars", 4, True),
    ("3 points", 3, True), ("probably a 2", 2, True), ("3/5", 3, True), ("3 / 5", 3, True),
    ("4 out of 5", 4, True), ("2 of 5", 2, True), ("three", 3, True), ("Four", 4, True),
    ("one", 1, True), ("five", 5, True), ("about three", 3, True), ("⭐⭐⭐", 3, True),
    ("⭐⭐⭐⭐⭐", 5, True), ("★★★☆☆", 3, True), ("★★", 2, True), ("4!", 4, True),
    ("3分", 3, True), ("3分吧", 3, True), ("三", 3, True), ("三分", 3, True),
    ("三分吧", 3, True), ("给个4分吧", 4, True), ("打4分", 4, True), ("五星", 5, True),
    ("两分", 2, True), ("大概3分", 3, True), ("满分5分打4分", 4, True), ("4分左右", 4, True),
    ("就2分", 2, True), ("一分", 1, True), ("4分。", 4, True),
    # unsure: feelings, ranges, halves, other scales — offered back with buttons
    ("terrible", 1, False), ("Terrible!", 1, False), ("awful", 1, False), ("bad", 2, False),
    ("not good", 2, False), ("ok", 3, False), ("so-so", 3, False), ("meh", 3, False),
    ("not bad", 3, False), ("good", 4, False), ("pretty good", 4, False), ("great", 5, False),
    ("excellent", 5, False), ("very good", 5, False), ("太差了", 1, False), ("很差", 1, False),
    ("糟糕", 1, False), ("不太好", 2, False), ("一般", 3, False), ("还行", 3, False),
    ("还可以吧", 3, False), ("马马虎虎", 3, False), ("不错", 4, False), ("挺好的", 4, False),
    ("很好", 5, False), ("非常好", 5, False), ("完美", 5, False), ("3-4", 3, False),
    ("3 or 4", 3, False), ("3.5", 3, False), ("8/10", 4, False), ("三四分吧", 3, False),
    # points out of ten, as Chinese reps often score
    ("七分", 4, False), ("8分吧", 4, False), ("打个六分", 3, False), ("10分", 5, False),
]  # fmt: skip
NOTHING = ["", "hello", "6", "0", "10", "the buyer was late", "不知道", "？", "十分感谢", "-1"]
COUNTED = [
    "I only have 2 minutes", "2 min", "give me five minutes", "we talked for 3 hours",
    "3 people were there", "2 buyers", "5k", "$3", "4%", "我只有2分钟", "给我5分钟",
    "聊了3小时", "见了2个人", "3次",
]  # fmt: skip
"""A number that counts minutes, people or money is no rating (it was read as one)."""


@pytest.mark.parametrize(("text", "value", "sure"), ONE_TO_FIVE)
def test_ratings_one_to_five(text: str, value: int, sure: bool) -> None:
    reading = read_rating(text, 1, 5)
    assert reading is not None, text
    assert (reading.value, reading.sure) == (value, sure)
    if not sure:
        assert reading.alternatives  # a one-tap correction is offered


@pytest.mark.parametrize("text", NOTHING)
def test_no_rating_in_it(text: str) -> None:
    assert read_rating(text, 1, 5) is None


@pytest.mark.parametrize("text", COUNTED)
def test_a_number_that_counts_something_is_no_rating(text: str) -> None:
    assert read_rating(text, 1, 5) is None


def test_the_rating_beside_a_count_is_the_rating() -> None:
    reading = read_rating("met 2 buyers, 4 overall", 1, 5)
    assert reading is not None
    assert reading.value == 4


@pytest.mark.parametrize(
    ("text", "value"), [("terrible", 1), ("great", 3), ("2", 2), ("两分", 2), ("一般", 2)]
)
def test_other_scales(text: str, value: int) -> None:
    reading = read_rating(text, 1, 3)
    assert reading is not None
    assert reading.value == value


def test_a_vent_is_read_as_a_rating_and_marked_as_more() -> None:
    reading = read_rating("Terrible. The buyer was an idiot and kept us waiting an hour.", 1, 5)
    assert reading is not None
    assert reading.value == 1
    assert not reading.sure
    assert reading.said_more
    reading = read_rating("太差了，客户根本不听我说话，还让我等了一个小时", 1, 5)
    assert reading is not None
    assert reading.value == 1
    assert reading.said_more
    short = read_rating("terrible", 1, 5)
    assert short is not None
    assert not short.said_more


def test_at_least_sixty_cases() -> None:
    assert len(ONE_TO_FIVE) + len(NOTHING) >= 60
