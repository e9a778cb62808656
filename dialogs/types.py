"""The engine's vocabulary: events in, replies and effects out, and the context of one turn.

All of them are small frozen values, messenger-neutral, so the same engine serves Telegram, the
console chat and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Lang = Literal["en", "zh"]
"""The languages the coach speaks."""
LANGS: tuple[Lang, ...] = ("en", "zh")


def lang_of(value: object) -> Lang:
    """The one place that picks the language: Chinese for ``zh`` and for any Chinese language
    code (Telegram's ``zh-hans``), English for everything else, nothing included."""
    return "zh" if isinstance(value, str) and value.lower().startswith("zh") else "en"


def lang_named(words: str) -> Lang | None:
    """The language a user asked for in words (``/lang zh``, ``中文``, ``English``); None when
    the words name neither."""
    wanted = words.strip().lower()
    if wanted.startswith(("zh", "中")):
        return "zh"
    return "en" if wanted.startswith("en") else None


JsonValue = Any
"""A JSON-able answer value: str, int, float, bool, list[str] or None (skipped)."""


# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextIn:
    """Something the rep typed (a number, a choice's number or label, a date in words...)."""

    text: str
    buyer: str = ""
    """In a role-play: the buyer's answer to ``text`` as a language model phrased it at the edge
    (``bot.llm_buyer``); empty, the script's own lines answer. Kept with the event, so a replay
    meets the same buyer."""


@dataclass(frozen=True, slots=True)
class PickIn:
    """A tap on an option button of the question with this ``token`` (stale tokens are refused).

    For a multiple-choice question each tap toggles an option and ``option == DONE`` submits.
    """

    token: int
    option: str


DONE = "__done__"
BACK = "__back__"
SKIP = "__skip__"
"""Buttons under a question for /back and /skip: applied only while that question is current."""


@dataclass(frozen=True, slots=True)
class CommandIn:
    """A command: back, skip, cancel, resume, discard, help, or start (``arg`` = script id)."""

    name: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class MediaIn:
    """Anything that is not text: photo, voice, location, sticker, video, document, ..."""

    kind: str
    ref: str = ""


Event = TextIn | PickIn | CommandIn | MediaIn


# --- replies ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: str
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Say:
    """A message to show. ``text`` is in the Telegram-HTML subset (``<b>``, ``<i>``), escaped."""

    text: str


@dataclass(frozen=True, slots=True)
class Ask:
    """A question. Buttons carry ``token`` so that a tap on a stale question is recognised."""

    token: int
    step: str
    kind: str
    text: str
    progress: str
    choices: tuple[Choice, ...] = ()
    hint: str = ""
    current: str = ""
    """The answer given before, when the rep went back to change it."""
    can_skip: bool = False
    can_back: bool = False


@dataclass(frozen=True, slots=True)
class Nudge:
    """A reminder or nudge from the scheduler (not from the engine): ``actions`` are buttons
    bound to reminder ``ref`` as it was when sent (``version`` counts its snoozes, so a button
    of an older copy changes nothing)."""

    ref: int
    text: str
    actions: tuple[Choice, ...] = ()
    version: int = 0


Reply = Say | Ask | Nudge


# --- effects ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunStarted:
    run: int
    script: str
    version: int


@dataclass(frozen=True, slots=True)
class AnswerSaved:
    run: int
    step: str
    value: JsonValue


@dataclass(frozen=True, slots=True)
class AnswerDropped:
    """An answer on a branch that is no longer taken after the rep changed an earlier answer."""

    run: int
    step: str


@dataclass(frozen=True, slots=True)
class RunDrafted:
    run: int


@dataclass(frozen=True, slots=True)
class RunResumed:
    run: int


@dataclass(frozen=True, slots=True)
class RunDiscarded:
    run: int


@dataclass(frozen=True, slots=True)
class RunFinished:
    """The visit (or plan) is complete: the answers are final and the summary rendered."""

    run: int
    script: str
    summary: str
    answers: dict[str, JsonValue] = field(default_factory=dict)
    revised: bool = False
    """The rep reopened a finished run with /edit and changed it: this replaces the earlier
    finish, and the run's follow-up and manager notice below replace the earlier ones."""


@dataclass(frozen=True, slots=True)
class FollowUpWanted:
    run: int
    at: datetime
    about: str
    step: str = ""
    """The datetime step ``at`` comes from: one follow-up per run and step."""
    visit: bool = False
    """A planned customer visit (the reminder offers the debrief; a missing debrief is nudged)."""
    customer: str = ""


@dataclass(frozen=True, slots=True)
class RevisitWanted:
    """A deal was won with ``customer``: the revisits after a deal are due (seed 002)."""

    run: int
    customer: str


@dataclass(frozen=True, slots=True)
class ManagerNotice:
    run: int
    script: str
    summary: str


@dataclass(frozen=True, slots=True)
class MediaKept:
    """Evidence (photo, voice note, location) attached to the current run and step."""

    run: int
    step: str
    kind: str
    ref: str


@dataclass(frozen=True, slots=True)
class NoteKept:
    """Text the rep typed at a step that is not its answer (a vent, pushback, an aside): kept
    with the run."""

    run_no: int
    step: str
    text: str


Effect = (
    RunStarted
    | AnswerSaved
    | AnswerDropped
    | RunDrafted
    | RunResumed
    | RunDiscarded
    | RunFinished
    | FollowUpWanted
    | RevisitWanted
    | ManagerNotice
    | MediaKept
    | NoteKept
)


# --- context and result ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What the engine may know of the world for one turn: the clock and the rep's preferences."""

    now: datetime
    """Aware, UTC."""
    lang: Lang = "en"
    tz: str = "UTC"
    probes: bool = True
    """Ask a script's probes (follow-up questions on vague answers); a team may turn them off."""


@dataclass(frozen=True, slots=True)
class Turn:
    state: Any  # dialogs.state.Conversation; Any here to keep this module free of cycles
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]
