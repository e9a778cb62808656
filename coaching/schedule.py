"""When a manager's weekly digest is due, and which week it covers (pure: no clock, no I/O).

A manager picks a weekday and a local time (``ManagerPrefs.digest_day`` / ``digest_at``). A digest
sent from Monday to Thursday looks back at the last full ISO week; one sent Friday to Sunday covers
the week that is ending, so a Friday 16:00 digest reads the week the team just worked. Only the
latest scheduled moment counts: after a long downtime the manager gets one digest, not a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from reminders.policy import at_local, parse_clock, to_local

LOOKS_AT_THIS_WEEK_FROM = 4
"""Friday (Monday = 0): from this weekday on, a digest covers the week in progress."""
DEFAULT_AT = time(8, 0)
"""When a digest comes if the manager's stored time does not read (``ManagerPrefs``' default)."""


def week_name(year: int, week: int) -> str:
    """An ISO week as the digests name it: ``2026-W05``."""
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DigestSlot:
    """One scheduled digest: when it was due (UTC) and the ISO week it covers."""

    due_at: datetime
    week: str


def covered_week(sent_on: date) -> str:
    """The week a digest sent on ``sent_on`` (the manager's local date) reports on."""
    day = sent_on if sent_on.weekday() >= LOOKS_AT_THIS_WEEK_FROM else sent_on - timedelta(days=7)
    year, week, _ = day.isocalendar()
    return week_name(year, week)


def latest_slot(digest_day: int, digest_at: str, tz: str, now: datetime) -> DigestSlot:
    """The most recent scheduled digest at or before ``now`` for a manager in zone ``tz``."""
    clock = parse_clock(digest_at) or DEFAULT_AT
    today = to_local(now, tz).date()
    day = today - timedelta(days=(today.weekday() - digest_day) % 7)
    due = at_local(day, clock, tz)
    if due > now:
        day -= timedelta(days=7)
        due = at_local(day, clock, tz)
    return DigestSlot(due, covered_week(day))


__all__ = ["DigestSlot", "covered_week", "latest_slot"]
