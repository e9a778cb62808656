"""Property: an answer read with doubt never becomes an answer without the rep's confirmation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.answers import Unsure, read_text
from dialogs.catalog import Catalog
from dialogs.types import AnswerSaved, Context
from tests.chat import Chat

WORDS = st.sampled_from(
    ["terrible", "good", "sort of", "partly", "about", "410k", "30-40k", "3 or 4", "large",
     "rather", "the", "pirce", "太差了", "算是吧", "差一点", "一般", "12 or 13", "buyer", "and",
     "competition", "3.5", "8/10", "yes", "no", "but", ",", " "]
)  # fmt: skip
TEXTS = st.one_of(st.lists(WORDS, min_size=1, max_size=6).map(" ".join), st.text(max_size=40))
ROUTE = ["3", "fine", "1", "2"]  # to mood, words, blame, size, value: every kind on the way


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(ROUTE)), TEXTS)
def test_an_unsure_reading_is_never_stored_unconfirmed(
    sample_catalog: Catalog, depth: int, text: str
) -> None:
    chat = Chat(sample_catalog)
    chat.start()
    for line in ROUTE[:depth]:
        chat.send(line)
    run = chat.state.active
    assert run is not None
    compiled = sample_catalog.scripts["sample"].steps[run.step]
    reading = read_text(compiled, text, Context(chat.now, chat.lang, chat.tz))
    chat.send(text)
    if isinstance(reading, Unsure):
        assert not [e for e in chat.effects if isinstance(e, AnswerSaved)]
        assert chat.question.kind == "confirm"
        assert chat.question.choices[0].id == "ok"
