"""Callback data of inline buttons: short (Telegram allows 64 bytes) and tied to the question.

A button carries the token of the question it belongs to, so a tap on a button of an earlier
question is recognised by the engine as stale and applied to nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
NAV_COMMANDS = frozenset({"back", "skip"})
_ANSWER = re.compile(r"a:(\d{1,12}):([a-z0-9_]{1,32})")
_NAV = re.compile(r"n:(\d{1,12}):(back|skip)")
_LANG = re.compile(r"l:(en|zh)")
_CMD = re.compile(r"c:(edit|forget|keep)")


@dataclass(frozen=True, slots=True)
class Pick:
    """An option of the question with ``token`` (``DONE`` submits a multiple choice)."""

    token: int
    option: str


@dataclass(frozen=True, slots=True)
class Nav:
    """/back or /skip, tapped under the question with ``token``."""

    token: int
    command: str


@dataclass(frozen=True, slots=True)
class LangPick:
    """A language chosen under /lang."""

    lang: str


@dataclass(frozen=True, slots=True)
class Cmd:
    """A command offered as a button, e.g. /edit under a summary (not tied to a question)."""

    command: str


Tap = Pick | Nav | LangPick | Cmd
BUTTON_COMMANDS = frozenset({"edit", "forget", "keep"})


def pick_data(token: int, option: str) -> str:
    return _checked(f"a:{token}:{option}")


def nav_data(token: int, command: str) -> str:
    if command not in NAV_COMMANDS:
        raise ValueError(f"not a navigation command: {command!r}")
    return _checked(f"n:{token}:{command}")


def lang_data(lang: str) -> str:
    return _checked(f"l:{lang}")


def command_data(command: str) -> str:
    if command not in BUTTON_COMMANDS:
        raise ValueError(f"not a button command: {command!r}")
    return _checked(f"c:{command}")


def parse(data: str | None) -> Tap | None:
    """The tap a button meant, or None for data we never made (old versions, forged)."""
    if not data:
        return None
    if answer := _ANSWER.fullmatch(data):
        return Pick(int(answer[1]), answer[2])
    if nav := _NAV.fullmatch(data):
        return Nav(int(nav[1]), nav[2])
    if lang := _LANG.fullmatch(data):
        return LangPick(lang[1])
    if command := _CMD.fullmatch(data):
        return Cmd(command[1])
    return None


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data
