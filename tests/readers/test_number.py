"""Numbers as reps type them, in English and Chinese: (text, value, unit, stored unasked)."""

from __future__ import annotations

import pytest

from dialogs.readers import read_number

NUMBERS = [
    ("12", 12, "", True), ("3.5", 3.5, "", True), ("１２", 12, "", True), ("0", 0, "", True),
    ("-5", -5, "", True), ("410,000", 410_000, "", True), ("1,250,000", 1_250_000, "", True),
    ("410k", 410_000, "", True), ("410K", 410_000, "", True), ("4.1m", 4_100_000, "", True),
    ("1.2bn", 1_200_000_000, "", True), ("1.5 million", 1_500_000, "", True),
    ("2 thousand", 2_000, "", True), ("twelve", 12, "", True), ("two hundred", 200, "", True),
    ("two hundred and five", 205, "", True), ("a dozen", 12, "", True),
    ("twelve thousand", 12_000, "", True), ("forty-eight thousand", 48_000, "", True),
    ("a hundred", 100, "", True), ("about 410k EUR", 410_000, "EUR", True),
    ("€410,000", 410_000, "EUR", True), ("410000 euros", 410_000, "EUR", True),
    ("$48k", 48_000, "USD", True), ("48k USD", 48_000, "USD", True),
    ("roughly 3 million dollars", 3_000_000, "USD", True), ("£200", 200, "GBP", True),
    ("around 48 thousand", 48_000, "", True), ("about eight", 8, "", True),
    ("8 visits", 8, "visits", True), ("about 12 pallets", 12, "pallets", True),
    ("50%", 50, "%", True), ("~20", 20, "", True), ("approx. 300", 300, "", True),
    ("1.5万", 15_000, "", True), ("41万", 410_000, "", True), ("两百", 200, "", True),
    ("8次左右", 8, "次", True),
    ("大概41万欧元", 410_000, "EUR", True), ("三万六", 36_000, "", True),
    ("一千二", 1_200, "", True), ("四十一万", 410_000, "", True), ("1万2", 12_000, "", True),
    ("十二个", 12, "个", True), ("八次", 8, "次", True), ("六万", 60_000, "", True),
    ("48000元", 48_000, "CNY", True), ("4.8万元", 48_000, "CNY", True),
    ("大约5万块", 50_000, "CNY", True),
    ("3千", 3_000, "", True), ("两千五百万", 25_000_000, "", True),
    ("差不多20万美元", 200_000, "USD", True),
    ("一共12家", 12, "家", True), ("100人民币", 100, "CNY", True),
    ("二十五点五", 25.5, "", True), ("2亿", 200_000_000, "", True), ("约300", 300, "", True),
    ("八次吧", 8, "次", True), ("¥3000", 3000, "CNY", True), ("十五", 15, "", True),
    # a round figure and a bit more: "二十多万" is 200,000, never 20 of a unit "万"
    ("二十多万", 200_000, "", True), ("三十来万", 300_000, "", True),
    ("一百多万", 1_000_000, "", True), ("10多万", 100_000, "", True),
    ("两千来块", 2_000, "CNY", True), ("五十余万元", 500_000, "CNY", True),
    # a magnitude after the number, hedges around it
    ("a hundred k", 100_000, "", True), ("half a mil", 500_000, "", True),
    ("1.5 mil", 1_500_000, "", True), ("3 lakh", 300_000, "", True),
    ("50-odd k", 50_000, "", True), ("north of 200k", 200_000, "", True),
    # unsure: ranges and several numbers — offered back with buttons
    ("30-40k", 35_000, "", False), ("8到10次", 9, "次", False), ("12 or 13", 12, "", False),
    ("between 10 and 20", 15, "", False),
    # "a few" in place of a digit: a guess, shown back
    ("十几万", 150_000, "", False), ("几十万", 300_000, "", False), ("十几个", 15, "个", False),
    ("a few thousand", 3_000, "", False), ("several hundred k", 300_000, "", False),
]  # fmt: skip
NOTHING = ["", "hello", "no idea", "不知道", "一起", "lots", "？", "the buyer was late"]


@pytest.mark.parametrize(("text", "value", "unit", "sure"), NUMBERS)
def test_numbers(text: str, value: float, unit: str, sure: bool) -> None:
    reading = read_number(text)
    assert reading is not None, text
    assert (reading.value, reading.unit, reading.sure) == (value, unit, sure)


@pytest.mark.parametrize("text", NOTHING)
def test_no_number_in_it(text: str) -> None:
    assert read_number(text) is None


def test_a_range_offers_both_ends() -> None:
    reading = read_number("30-40k")
    assert reading is not None
    assert set(reading.alternatives) == {30_000, 40_000}


def test_a_number_inside_a_story_is_asked_back() -> None:
    reading = read_number("we got an order of about 300k in the end, the buyer was happy with it")
    assert reading is not None
    assert reading.value == 300_000
    assert not reading.sure
    assert (
        read_number("Mon: 50 pallets for Huaxin; Tue: 300 boxes for Dongfang paper, and more")
        is None
    )


@pytest.mark.parametrize(
    ("text", "amount", "count"),
    [
        ("50 pallets 试用，大概 3w", 30_000, 50),
        ("50 pallets, about 3w", 30_000, 50),
        ("200 units at 50k", 50_000, 200),
        ("试用 20 台，大概 8万", 80_000, 20),
    ],
)
def test_a_count_and_an_amount_offer_the_amount_first(
    text: str, amount: float, count: float
) -> None:
    reading = read_number(text)
    assert reading is not None
    assert (reading.value, reading.alternatives, reading.sure) == (amount, (count,), False)


def test_at_least_sixty_cases() -> None:
    assert len(NUMBERS) + len(NOTHING) >= 60


@pytest.mark.parametrize(
    ("text", "value", "sure"),
    [
        ("1.250.000", 1_250_000, True), ("12,5", 12.5, True), ("1,500.50", 1500.5, True),
        ("half a million", 500_000, True), ("a couple hundred", 200, True),
        ("三十几", 30, True), ("410.000", 410_000, False),
    ],
)  # fmt: skip
def test_separators_and_rough_words(text: str, value: float, sure: bool) -> None:
    reading = read_number(text)
    assert reading is not None
    assert (reading.value, reading.sure) == (value, sure)
