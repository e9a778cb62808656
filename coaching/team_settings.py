"""A team's settings in words, as a manager types them after ``/teamsettings`` (or the operator
after ``coachbot team set``): weekly nudge times, days between visits per customer class,
holidays, the default zone of new reps, whether joining needs approval, and whether the coach
asks its probes (follow-up questions on vague answers).

Parsing and describing are pure; ``apply_change`` carries a change out for the Telegram handler
(through the manager's scope) and the CLI (as the operator), and moves the weekly nudges already
planned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from coaching.reminders import DAY_LABELS, ReminderDesk
from coaching.teams import TeamSettings
from dialogs.catalog import Messages
from dialogs.types import Lang
from reminders.policy import Policy, parse_weekly
from reminders.zones import describe_zone, parse_zone

MAX_HOLIDAYS = 100
MAX_CLASS_DAYS = 3650
_CLASS = re.compile(r"([A-Za-z])\s*[=:：]\s*(\d{1,4})")
_RESET = frozenset({"default", "reset", "off", "默认", "恢复默认"})


class SettingRefused(ValueError):
    """``reason`` names the message that explains what to type instead."""

    def __init__(self, reason: str, text: str = "") -> None:
        super().__init__(f"{reason}: {text}" if text else reason)
        self.reason = reason
        self.text = text


@dataclass(frozen=True)
class SettingChange:
    settings: TeamSettings
    moves_weekly: bool
    """The weekly nudge times changed: reps' planned nudges move to the new hours."""


def parse_change(words: str, current: TeamSettings) -> SettingChange:
    """``plan Tue 08:30``, ``review Fri 15:00``, ``classes A=10 B=30``, ``holiday 2026-12-24
    2026-12-31``, ``holiday remove 2026-12-24``, ``holidays clear``, ``tz Berlin``,
    ``approval on|off``, ``probes on|off``; ``default`` resets plan, review or classes to the
    operator's."""
    name, _, rest = words.strip().partition(" ")
    name, rest = name.lower(), rest.strip()
    if name in ("plan", "review"):
        value: str | None = None
        if rest.lower() not in _RESET:
            weekly = parse_weekly(rest)
            if weekly is None:
                raise SettingRefused("ts_bad_weekly", rest)
            day, clock = weekly
            value = f"{DAY_LABELS['en'][day]} {clock:%H:%M}"
        if name == "plan":
            return SettingChange(replace(current, week_plan_at=value), True)
        return SettingChange(replace(current, week_review_at=value), True)
    if name in ("classes", "class"):
        if rest.lower() in _RESET:
            return SettingChange(replace(current, class_days={}), False)
        pairs = _CLASS.findall(rest)
        leftover = _CLASS.sub("", rest).replace(",", " ").replace("，", " ").strip()
        if not pairs or leftover:
            raise SettingRefused("ts_bad_classes", rest)
        days = {letter.upper(): int(number) for letter, number in pairs}
        if not all(1 <= value <= MAX_CLASS_DAYS for value in days.values()):
            raise SettingRefused("ts_bad_classes", rest)
        return SettingChange(replace(current, class_days={**current.class_days, **days}), False)
    if name in ("holiday", "holidays"):
        return SettingChange(_holidays(rest, current), False)
    if name in ("tz", "zone", "timezone"):
        zone = parse_zone(rest)
        if zone is None:
            raise SettingRefused("ts_bad_zone", rest)
        return SettingChange(replace(current, tz=zone), False)
    if name in ("approval", "probes"):
        if rest.lower() not in ("on", "off", "开", "关"):
            raise SettingRefused("ts_usage")
        on = rest.lower() in ("on", "开")
        if name == "approval":
            return SettingChange(replace(current, approval=on), False)
        return SettingChange(replace(current, probes=on), False)
    raise SettingRefused("ts_usage")


def apply_change(
    words: str,
    current: TeamSettings,
    *,
    save: Callable[[TeamSettings], object],
    reps: Callable[[], Iterable[tuple[str, str | None]]],
    desk: ReminderDesk,
    now: datetime,
) -> SettingChange:
    """``/teamsettings WORDS`` (or ``coachbot team set``) carried out: the change is read
    (``SettingRefused`` when it does not read), saved through ``save`` (the manager's scope, or
    the operator's), and when the weekly nudge times moved, the nudges already planned for each
    rep (``reps``: key and zone) move with them."""
    change = parse_change(words, current)
    save(change.settings)
    if change.moves_weekly:
        for key, tz in reps():
            desk.move_weekly(key, tz or "UTC", now)
    return change


def _holidays(rest: str, current: TeamSettings) -> TeamSettings:
    head, _, dates = rest.partition(" ")
    if head.lower() in ("clear", "none", "清空"):
        return replace(current, holidays=())
    removing = head.lower() in ("remove", "delete", "删除")
    texts = (dates if removing else rest).replace(",", " ").split()
    days = []
    for text in texts:
        try:
            days.append(date.fromisoformat(text).isoformat())
        except ValueError:
            raise SettingRefused("ts_bad_date", text) from None
    if not days:
        raise SettingRefused("ts_bad_date", rest)
    if removing:
        kept = tuple(day for day in current.holidays if day not in days)
        return replace(current, holidays=kept)
    merged = tuple(sorted({*current.holidays, *days}))
    if len(merged) > MAX_HOLIDAYS:
        raise SettingRefused("ts_too_many_holidays")
    return replace(current, holidays=merged)


def describe(
    team_name: str,
    settings: TeamSettings,
    operator: Policy,
    messages: Messages,
    lang: Lang,
    now: datetime,
) -> str:
    """The team's settings as the manager reads them, what the team set and what it inherits."""
    policy = settings.policy(operator)
    days = DAY_LABELS[lang]

    def weekly(value: tuple[int, Any]) -> str:
        return f"{days[value[0]]} {value[1]:%H:%M}"

    today = now.date().isoformat()
    upcoming = [day for day in settings.holidays if day >= today]
    return messages.render(
        "ts_show",
        lang,
        team=team_name,
        zone=describe_zone(settings.tz, now, lang) if settings.tz else "",
        plan=weekly(policy.week_plan_at),
        plan_own=bool(settings.week_plan_at),
        review=weekly(policy.week_review_at),
        review_own=bool(settings.week_review_at),
        classes=", ".join(f"{k} {v}" for k, v in sorted(policy.class_max_days.items())),
        holidays=", ".join(upcoming[:12]),
        more=max(0, len(upcoming) - 12),
        approval=settings.approval,
        probes=settings.probes,
    )


__all__ = ["SettingChange", "SettingRefused", "apply_change", "describe", "parse_change"]
