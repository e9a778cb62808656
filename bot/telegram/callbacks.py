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
_REMINDER = re.compile(r"r:(\d{1,12}):(\d{1,6}):([a-z_]{1,16})")
_SETTING = re.compile(r"s:([a-z_]{1,24}):(on|off)")
_PAUSE = re.compile(r"p:(keep|hold)")
_MANAGE = re.compile(r"m:([ncsv]):(\d{1,12})(?::([a-z_]{1,24}))?|m:(go)")
_TEAM_USER = re.compile(r"t:(ap|dc|rm|ry):(\d{1,12}):(\d{1,12})")
_TEAM_SWITCH = re.compile(r"t:(ao):(\d{1,12}):(on|off)")
_TEAM_REF = re.compile(r"t:(rv|nl|v):(\d{1,12})")
_JOIN = re.compile(r"j:y:([A-Za-z0-9_-]{1,60})|j:(n)")
TEAM_ACTIONS = frozenset({"ap", "dc", "rm", "ry", "ao", "rv", "nl", "v"})
"""ap/dc: approve/decline a join request; rm: ask to remove a rep, ry: remove; ao: approval
switch; rv: withdraw invite ``ref``; nl: a new invite link; v: show the team again."""


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


@dataclass(frozen=True, slots=True)
class ReminderTap:
    """A button under reminder ``ref``, as it was after ``version`` snoozes."""

    ref: int
    version: int
    action: str


@dataclass(frozen=True, slots=True)
class SettingTap:
    """A /settings toggle: switch nudge ``kind`` on or off (the state to set, so a redelivered
    tap changes nothing more)."""

    kind: str
    on: bool


@dataclass(frozen=True, slots=True)
class PauseTap:
    """During a new pause: keep the rep's follow-ups on time, or hold them too."""

    hold: bool


@dataclass(frozen=True, slots=True)
class TeamTap:
    """A manager's button (/team, a join request): ``action`` on team ``ref`` (for ``rv`` an
    invite id), about user ``user_id`` (0: none); ``on`` is the approval switch's new state.
    Ids are only claims: the manager's scope refuses any outside their own teams."""

    action: str
    ref: int
    user_id: int = 0
    on: bool = False


@dataclass(frozen=True, slots=True)
class ManageTap:
    """A manager's button under a summary (``review``): ``n`` write a coaching note, ``c``
    choose a skill to coach, ``s`` coach ``skill``, ``v`` mark reviewed; or the rep's ``go``
    under a coaching invitation (review 0). Ids are only claims: the scope decides."""

    action: str
    review: int
    skill: str = ""


@dataclass(frozen=True, slots=True)
class JoinTap:
    """A rep's answer to "this link moves you to another team — switch?": join the team of
    invite ``code``, or (``code`` empty) stay. The code is the link's own secret, so a forged
    tap can do no more than opening the link would."""

    code: str


MANAGE_ACTIONS = frozenset({"n", "c", "s", "v"})
Tap = (
    Pick
    | Nav
    | LangPick
    | Cmd
    | ReminderTap
    | SettingTap
    | PauseTap
    | TeamTap
    | ManageTap
    | JoinTap
)
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


def reminder_data(ref: int, version: int, action: str) -> str:
    return _checked(f"r:{ref}:{version}:{action}")


def setting_data(kind: str, on: bool) -> str:
    return _checked(f"s:{kind}:{'on' if on else 'off'}")


def pause_data(hold: bool) -> str:
    return _checked(f"p:{'hold' if hold else 'keep'}")


def team_data(action: str, ref: int, user_id: int | None = None, on: bool | None = None) -> str:
    if action not in TEAM_ACTIONS:
        raise ValueError(f"not a team action: {action!r}")
    tail = "" if user_id is None else f":{user_id}"
    tail += "" if on is None else f":{'on' if on else 'off'}"
    data = _checked(f"t:{action}:{ref}{tail}")
    if parse(data) is None:
        raise ValueError(f"malformed team button: {data!r}")
    return data


def manage_data(action: str, review: int = 0, skill: str = "") -> str:
    if action == "go":
        return _checked("m:go")
    if action not in MANAGE_ACTIONS or (action == "s") != bool(skill):
        raise ValueError(f"not a manager's button: {action!r} {skill!r}")
    return _checked(f"m:{action}:{review}" + (f":{skill}" if skill else ""))


def join_data(code: str | None) -> str:
    """Switch to the team of invite ``code``; None: stay in the current team."""
    if code is None:
        return "j:n"
    data = _checked(f"j:y:{code}")
    if not _JOIN.fullmatch(data):
        raise ValueError(f"not an invite code: {code!r}")
    return data


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
    if reminder := _REMINDER.fullmatch(data):
        return ReminderTap(int(reminder[1]), int(reminder[2]), reminder[3])
    if setting := _SETTING.fullmatch(data):
        return SettingTap(setting[1], setting[2] == "on")
    if pause := _PAUSE.fullmatch(data):
        return PauseTap(pause[1] == "hold")
    if manage := _MANAGE.fullmatch(data):
        if manage[4]:
            return ManageTap("go", 0)
        if (manage[1] == "s") != bool(manage[3]):
            return None
        return ManageTap(manage[1], int(manage[2]), manage[3] or "")
    if team := _TEAM_USER.fullmatch(data):
        return TeamTap(team[1], int(team[2]), int(team[3]))
    if team := _TEAM_SWITCH.fullmatch(data):
        return TeamTap(team[1], int(team[2]), on=team[3] == "on")
    if team := _TEAM_REF.fullmatch(data):
        return TeamTap(team[1], int(team[2]))
    if join := _JOIN.fullmatch(data):
        return JoinTap(join[1] or "")
    return None


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data
