"""Events, replies and effects survive the JSON round trip (through real JSON text, too)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.types import (
    AnswerDropped,
    AnswerSaved,
    Ask,
    Choice,
    CommandIn,
    FollowUpWanted,
    ManagerNotice,
    MediaIn,
    MediaKept,
    NoteKept,
    PickIn,
    RunDiscarded,
    RunDrafted,
    RunFinished,
    RunResumed,
    RunStarted,
    Say,
    TextIn,
)
from storage.codec import (
    CodecError,
    effect_from_json,
    effect_to_json,
    event_from_json,
    event_to_json,
    reply_from_json,
    reply_to_json,
)
from storage.db import json_dumps, json_loads

text = st.text(max_size=30)
ints = st.integers(min_value=0, max_value=2**31)
json_values = st.one_of(
    st.none(),
    st.booleans(),
    ints,
    text,
    st.lists(text, max_size=4),
    st.floats(allow_nan=False, allow_infinity=False),
)
events = st.one_of(
    st.builds(TextIn, text),
    st.builds(PickIn, ints, text),
    st.builds(CommandIn, text, text),
    st.builds(MediaIn, text, text),
)
choices = st.builds(Choice, text, text, st.booleans())
replies = st.one_of(
    st.builds(Say, text),
    st.builds(
        Ask,
        token=ints,
        step=text,
        kind=text,
        text=text,
        progress=text,
        choices=st.lists(choices, max_size=4).map(tuple),
        hint=text,
        current=text,
        can_skip=st.booleans(),
        can_back=st.booleans(),
    ),
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
effects = st.one_of(
    st.builds(RunStarted, ints, text, ints),
    st.builds(AnswerSaved, ints, text, json_values),
    st.builds(AnswerDropped, ints, text),
    st.builds(RunDrafted, ints),
    st.builds(RunResumed, ints),
    st.builds(RunDiscarded, ints),
    st.builds(
        RunFinished,
        ints,
        text,
        text,
        st.dictionaries(text, json_values, max_size=3),
        st.booleans(),
    ),
    st.builds(FollowUpWanted, ints, moments, text),
    st.builds(ManagerNotice, ints, text, text),
    st.builds(MediaKept, ints, text, text, text),
    st.builds(NoteKept, ints, text, text),
)


def through_text(data: dict[str, Any]) -> dict[str, Any]:
    decoded = json_loads(json_dumps(data))
    assert decoded == json.loads(json.dumps(data))
    return dict(decoded)


@given(events)
def test_event_round_trip(event: Any) -> None:
    assert event_from_json(through_text(event_to_json(event))) == event


@given(replies)
def test_reply_round_trip(reply: Any) -> None:
    assert reply_from_json(through_text(reply_to_json(reply))) == reply


@given(effects)
def test_effect_round_trip(effect: Any) -> None:
    assert effect_from_json(through_text(effect_to_json(effect))) == effect


def test_follow_up_keeps_an_aware_time() -> None:
    at = datetime(2025, 11, 25, 8, 0, tzinfo=UTC) + timedelta(microseconds=5)
    decoded = effect_from_json(effect_to_json(FollowUpWanted(1, at, "call back")))
    assert isinstance(decoded, FollowUpWanted)
    assert decoded.at == at
    assert decoded.at.tzinfo is not None


def test_compact_ask() -> None:
    ask = Ask(token=3, step="outcome", kind="choice", text="How did it go?", progress="2/9")
    assert reply_to_json(ask) == {
        "type": "ask",
        "token": 3,
        "step": "outcome",
        "kind": "choice",
        "text": "How did it go?",
        "progress": "2/9",
    }


@pytest.mark.parametrize(
    ("decode", "data"),
    [
        (event_from_json, {"type": "telepathy"}),
        (event_from_json, {"type": "pick", "token": "x", "option": "a"}),
        (event_from_json, {}),
        (reply_from_json, {"type": "ask", "token": 1}),
        (effect_from_json, {"type": "run_drafted"}),
        (effect_from_json, {"type": "nope", "run": 1}),
    ],
)
def test_bad_json_raises_codec_error(decode: Any, data: dict[str, Any]) -> None:
    with pytest.raises(CodecError):
        decode(data)


@pytest.mark.parametrize(
    "encode", [event_to_json, reply_to_json, effect_to_json], ids=["event", "reply", "effect"]
)
def test_encoding_a_non_value_raises(encode: Any) -> None:
    with pytest.raises(CodecError):
        encode(object())
