"""Options picked by number, label or synonym, in English and Chinese."""

from __future__ import annotations

import pytest

from dialogs.readers import OptionWords, read_choice, read_choices

OPTIONS = (
    OptionWords("need", ("No need", "需求：“我们不需要”", "we don't need it", "不需要")),
    OptionWords("product", ("Product or service", "产品或服务", "the product")),
    OptionWords("price", ("Price", "价格", "too expensive", "太贵")),
    OptionWords("timing", ("Timing", "时机：“现在不买”", "not now", "时机")),
    OptionWords("none", ("No objection", "没有异议")),
)

CHOICES = [
    ("1", "need", True), ("3", "price", True), ("5", "none", True), ("#2", "product", True),
    ("option 4", "timing", True), ("number 3", "price", True), ("3.", "price", True),
    ("the first", "need", True), ("the second one", "product", True), ("third", "price", True),
    ("the last one", None, None), ("第一个", "need", True), ("第二个", "product", True),
    ("第3个", "price", True), ("选2", "product", True), ("选第四个", "timing", True),
    ("2号", "product", True), ("３", "price", True), ("price", "price", True),
    ("Price", "price", True), ("PRICE!", "price", True), ("timing", "timing", True),
    ("no need", "need", True),
    ("No objection", "none", True), ("product or service", "product", True),
    ("价格", "price", True), ("产品或服务", "product", True), ("没有异议", "none", True),
    ("时机", "timing", True), ("too expensive", "price", True), ("太贵", "price", True),
    ("太贵了", "price", True), ("not now", "timing", True), ("不需要", "need", True),
    ("the product", "product", True), ("it's the price", "price", True),
    ("I think the price", "price", True), ("mainly the price", "price", True),
    ("主要是价格", "price", True), ("应该是时机吧", "timing", True), ("价格吧", "price", True),
    ("the price was the issue for them", "price", False),
    ("他们觉得价格有点高", "price", False),
    ("pirce", "price", False), ("timng", "timing", False), ("产品", "product", False),
    ("objection", "none", False), ("hello", None, None), ("", None, None), ("9", None, None),
    ("0", None, None), ("不知道", None, None), ("sixth", None, None),
]  # fmt: skip
MULTI = [
    ("1, 3", ("need", "price")), ("1 3", ("need", "price")), ("3,1", ("need", "price")),
    ("1、3、4", ("need", "price", "timing")), ("price and timing", ("price", "timing")),
    ("价格、时机", ("price", "timing")),
    ("价格和时机", ("price", "timing")), ("2", ("product",)),
    ("price", ("price",)),
    ("price, 4", ("price", "timing")), ("太贵，不需要", ("need", "price")),
    ("1;2", ("need", "product")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "option", "sure"), CHOICES)
def test_one_choice(text: str, option: str | None, sure: bool | None) -> None:
    reading = read_choice(text, OPTIONS)
    if option is None:
        assert reading is None, reading
        return
    assert reading is not None, text
    assert (reading.value, reading.sure) == (option, sure)


@pytest.mark.parametrize(("text", "options"), MULTI)
def test_several_choices(text: str, options: tuple[str, ...]) -> None:
    reading = read_choices(text, OPTIONS)
    assert reading is not None
    assert reading.value == options
    assert reading.sure


def test_nothing_to_choose_from() -> None:
    assert read_choice("1", ()) is None
    assert read_choices("1, 2", ()) is None
    assert read_choices("hello there", OPTIONS) is None


def test_at_least_sixty_cases() -> None:
    assert len(CHOICES) + len(MULTI) >= 60


DEPTH = (
    OptionWords("short", ("Short — do and check", "简短：执行与检查")),
    OptionWords("full", ("Full — plan, do, check", "完整：计划、执行、检查")),
)


@pytest.mark.parametrize(
    ("text", "option"), [("the short one", "short"), ("let's do the full thing", "full")]
)
def test_a_word_only_one_option_has_is_offered_back(text: str, option: str) -> None:
    reading = read_choice(text, DEPTH)
    assert reading is not None
    assert reading.value == option
    assert not reading.sure


ROLES = (
    OptionWords("gatekeeper", ("Gatekeeper", "守门人")),
    OptionWords("decision_maker", ("Decision-maker", "决策者")),
    OptionWords("influencer", ("Influencer", "影响者")),
)


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("decision maker", "decision_maker"),  # a zh rep typing the English label, spaced
        ("Decision-maker", "decision_maker"),
        ("decision_maker", "decision_maker"),
        ("decision – maker", "decision_maker"),
        ("决策者", "decision_maker"),
        ("Influencer", "influencer"),
    ],
)
def test_a_label_written_with_a_space_for_its_hyphen_is_sure(text: str, option: str) -> None:
    reading = read_choice(text, ROLES)
    assert reading is not None
    assert (reading.value, reading.sure) == (option, True)
