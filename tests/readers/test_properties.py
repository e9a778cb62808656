"""Properties of every reader: never raises, certainty in range, alternatives differ."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.readers import (
    OptionWords,
    read_choice,
    read_choices,
    read_confirmation,
    read_number,
    read_rating,
    read_yes_no,
)
from dialogs.readers.reading import Read

OPTIONS = (OptionWords("price", ("Price", "价格")), OptionWords("need", ("No need", "不需要")))
PIECES = st.sampled_from(
    ["yes", "no", "not", "3", "5", "k", "万", "两百", "分", "吧", "⭐", "/", "-", "about", "€",
     "price", "差一点", "算是", "terrible", "很好", " ", "，", ".", "one", "十", "亿", "and"]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=12).map("".join))


def _in_range(reading: Read[object] | None) -> None:
    if reading is not None:
        assert 0.0 <= reading.certainty <= 1.0
        assert reading.value not in reading.alternatives


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_no_reader_raises_and_certainty_is_in_range(text: str) -> None:
    _in_range(read_yes_no(text))
    _in_range(read_yes_no(text, partial=True))
    _in_range(read_rating(text, 1, 5))
    _in_range(read_rating(text, 1, 3))
    _in_range(read_number(text))
    _in_range(read_choice(text, OPTIONS))
    _in_range(read_choices(text, OPTIONS))
    _in_range(read_confirmation(text))


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(0, 3), st.integers(1, 10))
def test_a_rating_is_always_on_the_scale(text: str, low: int, span: int) -> None:
    reading = read_rating(text, low, low + span)
    if reading is not None:
        assert low <= reading.value <= low + span
        assert all(low <= value <= low + span for value in reading.alternatives)
