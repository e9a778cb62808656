"""Property: whatever a rep sends, in any order, the engine replies and loses nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from dialogs.catalog import Catalog
from dialogs.state import from_json, to_json
from dialogs.types import (
    DONE,
    AnswerDropped,
    AnswerSaved,
    Ask,
    CommandIn,
    Event,
    MediaIn,
    PickIn,
    RunFinished,
    TextIn,
)
from tests.chat import Chat

MEANINGFUL = [
    "1", "2", "3", "4", "5", "1, 2", "yes", "no", "是", "否", "small", "Large", "12,500", "-1",
    "tomorrow 3pm", "next Tuesday", "yesterday", "明天下午3点", "in 2 weeks", "", " ", "x" * 3000,
]  # fmt: skip
COMMANDS = ["start", "open", "resume", "back", "back", "back", "skip", "skip", "cancel", "discard",
            "help", "nonsense"]  # fmt: skip
OPTION_IDS = ["yes", "no", "continue", "restart", "buyer", "rival", "nobody", "small", "large",
              "1", "3", "5", DONE, "", "x" * 80]  # fmt: skip


SENSIBLE = {
    "text": ["It went well", "他们嫌贵"],
    "number": ["100", "2500"],
    "datetime": ["tomorrow 3pm", "明天下午3点"],
}


@st.composite
def events(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(
        st.sampled_from(["text"] * 6 + ["command"] * 3 + ["pick"] * 2 + ["garbage", "media"])
    )
    if kind == "text":
        return kind, draw(st.sampled_from(MEANINGFUL))
    if kind == "garbage":
        return kind, draw(st.text(max_size=60))
    if kind == "pick":
        return kind, (draw(st.booleans()), draw(st.sampled_from(OPTION_IDS)))
    if kind == "command":
        return kind, (draw(st.sampled_from(COMMANDS)), draw(st.sampled_from(["", "sample", "zz"])))
    return kind, draw(st.sampled_from(["photo", "sticker", "voice", "location", "poll"]))


def to_event(chat: Chat, spec: tuple[str, Any]) -> Event:
    kind, value = spec
    if kind in ("text", "garbage"):
        return TextIn(value)
    if kind == "answer":  # a sensible answer to the question on screen, as a rep would give it
        asks = [reply for reply in chat.replies if isinstance(reply, Ask)]
        if asks and asks[-1].choices:
            ask = asks[-1]
            if ask.kind == "multi" and value % 3 == 0:
                return PickIn(ask.token, DONE)
            return PickIn(ask.token, ask.choices[value % len(ask.choices)].id)
        if asks and asks[-1].kind in SENSIBLE:
            return TextIn(SENSIBLE[asks[-1].kind][value % 2])
        return TextIn(str(value))
    if kind == "pick":
        current, option = value
        return PickIn(chat.state.token if current else chat.state.token - 1, option)
    if kind == "command":
        return CommandIn(*value)
    return MediaIn(value, "ref")


def check_sequence(chat: Chat, specs: list[tuple[str, Any]], hours: int) -> None:
    kept: dict[int, dict[str, Any]] = {}
    reached = 0
    for spec in specs:
        chat.wait(hours=hours)
        replies = chat.event(to_event(chat, spec))
        for effect in chat.effects:
            if isinstance(effect, AnswerSaved):
                kept.setdefault(effect.run, {})[effect.step] = effect.value
            elif isinstance(effect, AnswerDropped):
                kept.setdefault(effect.run, {}).pop(effect.step, None)
                reached += 1
            elif isinstance(effect, RunFinished):
                assert effect.answers == kept.get(effect.run, {}), "a finished run lost an answer"
                reached += 1
        # never silent; while something is open, the last reply is a question with live buttons
        assert replies, f"no reply to {spec!r}"
        if chat.state.active is not None or chat.state.mode:
            last = replies[-1]
            assert isinstance(last, Ask), f"{spec!r} left an open conversation without a question"
            assert last.token == chat.state.token
        # every accepted answer is still in its run, whether active or drafted
        for run in (chat.state.active, *chat.state.drafts):
            if run is not None:
                assert run.answers == kept.get(run.no, {}), "an accepted answer was lost"
        # the state survives a JSON round trip unchanged (it is stored as JSON)
        assert from_json(to_json(chat.state)) == chat.state
    target(float(reached))  # steer the search towards dropped branches and finished runs


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            events(),
            *[st.tuples(st.just("answer"), st.integers(0, 9))] * 3,
            st.just(("command", ("back", ""))),
        ),
        max_size=60,
    ),
    st.sampled_from(["en", "zh"]),
    st.sampled_from([0, 1, 30]),
)
def test_random_events_on_sample_script(
    sample_catalog: Catalog, specs: list[tuple[str, Any]], lang: str, hours: int
) -> None:
    chat = Chat(sample_catalog, lang="zh" if lang == "zh" else "en")
    check_sequence(chat, [("command", ("start", "sample")), *specs], hours)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            *[st.tuples(st.just("answer"), st.integers(0, 9))] * 3,
            st.just(("command", ("back", ""))),
            st.just(("command", ("skip", ""))),
        ),
        min_size=15,
        max_size=60,
    )
)
def test_rep_changing_their_mind(sample_catalog: Catalog, specs: list[tuple[str, Any]]) -> None:
    """Sensible answers with many /back: branches flip, answers drop, nothing else is lost."""
    check_sequence(Chat(sample_catalog), [("command", ("start", "sample")), *specs], 0)
