"""When a manager's weekly digest is due, and which week it covers (pure: no clock, no I/O).

A manager picks a weekday and a local time (``ManagerPrefs.digest_day`` / ``digest_at``). A digest
sent from Monday to Thursday looks back at the last full ISO week; one sent Friday to Sunday covers
the week that is ending, so a Friday 16:00 digest reads the week the team just worked. Only the
latest scheduled moment counts: after a long downtime the manager gets one digest, not a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from reminders.policy import at_local, to_local

LOOKS_AT_THIS_WEEK_FROM = 4
"""Friday (Monday = 0): from this weekday on, a digest covers the week in progress."""


@dataclass(frozen=True)
class DigestSlot:
    """One scheduled digest: when it was due (UTC) and the ISO week it covers."""

    due_at: datetime
    week: str

    @property
    def monday(self) -> date:
        return week_monday(self.week)


def parse_clock(value: str) -> time:
    """ "8:00" or "08:00" → 08:00; anything else raises ValueError."""
    hours, _, minutes = value.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    """ "2026-W47" → the Monday of that ISO week; ValueError for anything else."""
    year, _, number = week.strip().upper().partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def covered_week(sent_on: date) -> str:
    """The week a digest sent on ``sent_on`` (the manager's local date) reports on."""
    if sent_on.weekday() >= LOOKS_AT_THIS_WEEK_FROM:
        return iso_week(sent_on)
    return iso_week(sent_on - timedelta(days=7))


def latest_slot(digest_day: int, digest_at: str, tz: str, now: datetime) -> DigestSlot:
    """The most recent scheduled digest at or before ``now`` for a manager in zone ``tz``."""
    clock = parse_clock(digest_at)
    today = to_local(now, tz).date()
    day = today - timedelta(days=(today.weekday() - digest_day) % 7)
    due = at_local(day, clock, tz)
    if due > now:
        day -= timedelta(days=7)
        due = at_local(day, clock, tz)
    return DigestSlot(due, covered_week(day))


__all__ = ["DigestSlot", "covered_week", "iso_week", "latest_slot", "parse_clock", "week_monday"]
