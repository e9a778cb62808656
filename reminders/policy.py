"""When reminders and nudges fire: pure rules on aware datetimes, the current moment passed in.

Reminders are stored in UTC and computed in the rep's IANA zone (an unknown zone is read as UTC,
a naive datetime as UTC). Every function returns aware UTC datetimes.

Daylight saving, as in ``dialogs.when``: a wall time is put in the zone with ``fold=0`` and
normalised through UTC. A time in the spring-forward gap is read with the offset before the change
(Berlin 2027-03-28 02:30 becomes 03:30 CEST), a time that happens twice in autumn is the first one.
So a weekly nudge keeps its local time across a change, and never fires twice nor is skipped.

Quiet time: the bot does not nudge at night (``quiet_start`` to ``quiet_end`` local), on weekends
(when ``quiet_weekends``) and on team holidays; a nudge due then is ``release``d at the first moment
that is not quiet. What a rep chose (a snooze) is not released.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Literal

from dialogs.zones import zone_of

_SEARCH_DAYS = 400  # a year of holidays still ends the search for a working day
_MIDNIGHT = time(0, 0)


def _class_max_days() -> Mapping[str, int]:
    return MappingProxyType({"A": 14, "B": 30, "C": 90})


@dataclass(frozen=True, slots=True)
class Policy:
    """When the bot may nudge a rep; a team may change any of it (defaults below)."""

    quiet_start: time = time(21, 0)  # quiet from 21:00 local ...
    quiet_end: time = time(8, 0)  # ... until 08:00 local
    quiet_weekends: bool = True  # Saturday and Sunday are quiet all day
    holidays: frozenset[date] = frozenset()  # team holidays: quiet all day
    week_plan_at: tuple[int, time] = (0, time(9, 0))  # weekday (Mon=0), local time
    week_review_at: tuple[int, time] = (4, time(16, 0))  # Friday 16:00
    debrief_nudge_after: timedelta = timedelta(hours=3)
    morning: time = time(9, 0)  # "tomorrow morning", the next-morning nudge, revisit days
    revisit_after_days: tuple[int, ...] = (7, 30, 90)
    # days between visits by customer class; not hashed, so a team may pass a plain dict
    class_max_days: Mapping[str, int] = field(default_factory=_class_max_days, hash=False)
    late_after: timedelta = timedelta(hours=3)

    def __post_init__(self) -> None:
        """A team's weekday typo (7 for Sunday) fails when the policy is made, not silently."""
        for name in ("week_plan_at", "week_review_at"):
            weekday = getattr(self, name)[0]
            if not 0 <= weekday <= 6:
                raise ValueError(f"{name}: weekday {weekday} is not 0 (Monday) to 6 (Sunday)")

    def for_team(
        self,
        *,
        week_plan_at: str | None = None,
        week_review_at: str | None = None,
        class_days: Mapping[str, int] | None = None,
        holidays: Iterable[str] = (),
    ) -> Policy:
        """This policy as a team changed it: its weekly nudge times ("Mon 09:00"), its days
        between visits per customer class (merged over these), its holidays (ISO dates, on top
        of the operator's). A value that does not parse keeps the operator's."""
        changes: dict[str, Any] = {}
        for name, value in (("week_plan_at", week_plan_at), ("week_review_at", week_review_at)):
            weekly = parse_weekly(value) if value else None
            if weekly is not None:
                changes[name] = weekly
        if class_days:
            merged = {**self.class_max_days, **{k.upper(): int(v) for k, v in class_days.items()}}
            changes["class_max_days"] = MappingProxyType(merged)
        days = {day for day in (_iso_date(text) for text in holidays) if day is not None}
        if days:
            changes["holidays"] = self.holidays | days
        return replace(self, **changes) if changes else self


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_clock(text: str) -> time | None:
    """``"18:00"`` (or ``"8:05"``) → that time of day; None for anything else."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        return None
    if not 0 <= int(hours) < 24 or not 0 <= int(minutes) < 60:
        return None
    return time(int(hours), int(minutes))


def parse_weekly(value: str) -> tuple[int, time] | None:
    """ "Mon 09:00" (or "monday 9:00") → (0, 09:00); None when it is not a weekday and a time."""
    parts = value.split()
    if len(parts) != 2 or parts[0][:3].lower() not in WEEKDAY_NAMES:
        return None
    hours, _, minutes = parts[1].partition(":")
    try:
        clock = time(int(hours), int(minutes or 0))
    except ValueError:
        return None
    return WEEKDAY_NAMES.index(parts[0][:3].lower()), clock


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


# --- zones ----------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_local(moment: datetime, tz: str) -> datetime:
    """``moment`` on the rep's wall clock: what "today" and "09:00" mean for them."""
    return _utc(moment).astimezone(zone_of(tz))


def at_local(day: date, clock: time, tz: str) -> datetime:
    """The wall time ``clock`` on ``day`` in ``tz``, in UTC (gap: offset before; twice: first)."""
    wall = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone_of(tz))
    return wall.replace(fold=0).astimezone(UTC)


def _local_date(moment: datetime, tz: str) -> date:
    return to_local(moment, tz).date()


# --- quiet time -----------------------------------------------------------------------------------


def _quiet_day(day: date, policy: Policy) -> bool:
    """A day with no nudges at all: a weekend day (when the team keeps them) or a holiday."""
    return (policy.quiet_weekends and day.weekday() >= 5) or day in policy.holidays


def _quiet_clock(clock: time, policy: Policy) -> bool:
    """Inside the nightly quiet span; it may wrap midnight, or be empty (start == end)."""
    start, end = policy.quiet_start, policy.quiet_end
    if start > end:
        return clock >= start or clock < end
    return start <= clock < end


def is_quiet(moment: datetime, tz: str, policy: Policy) -> bool:
    """Whether a nudge at ``moment`` would reach the rep at night, on a weekend or a holiday."""
    local = to_local(moment, tz)
    return _quiet_day(local.date(), policy) or _quiet_clock(local.time(), policy)


def _openings(day: date, tz: str, policy: Policy) -> tuple[datetime, ...]:
    """Where the not-quiet spans of a working ``day`` begin, in order."""
    start, end = policy.quiet_start, policy.quiet_end
    if start > end:  # quiet over midnight: the day opens when it ends
        return (at_local(day, end, tz),)
    if start == end:  # no nightly quiet: the whole day is open
        return (at_local(day, _MIDNIGHT, tz),)
    return (at_local(day, _MIDNIGHT, tz), at_local(day, end, tz))  # quiet inside the day


def release(moment: datetime, tz: str, policy: Policy) -> datetime:
    """``moment`` if a nudge may go then, else the first later moment that is not quiet.

    Gives up after a bounded search (a policy quiet every day) and returns ``moment``.
    """
    moment = _utc(moment)
    if not is_quiet(moment, tz, policy):
        return moment
    first = _local_date(moment, tz)
    for offset in range(_SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if _quiet_day(day, policy):
            continue
        for opening in _openings(day, tz, policy):
            if opening > moment and not is_quiet(opening, tz, policy):
                return opening
    return moment


def _next_working_day(after: date, policy: Policy) -> date:
    """The first day after ``after`` that is not quiet all day (bounded: then the next day)."""
    for offset in range(1, _SEARCH_DAYS + 1):
        day = after + timedelta(days=offset)
        if not _quiet_day(day, policy):
            return day
    return after + timedelta(days=1)


# --- nudges ---------------------------------------------------------------------------------------


def next_weekly(
    kind: Literal["week_plan", "week_review"], after: datetime, tz: str, policy: Policy
) -> datetime:
    """The first weekly plan/review moment strictly after ``after``, at its local time.

    Called from one nudge to the next it keeps the local time across DST, never fires twice in
    the repeated autumn hour and never skips a week in spring.
    """
    weekday, clock = policy.week_plan_at if kind == "week_plan" else policy.week_review_at
    after = _utc(after)
    # a day early: a wall time in a gap at midnight may land on the next local day
    day = _local_date(after, tz) - timedelta(days=1)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while (candidate := at_local(day, clock, tz)) <= after:
        day += timedelta(weeks=1)
    return candidate


def debrief_nudges(visit_at: datetime, tz: str, policy: Policy) -> tuple[datetime, datetime]:
    """The two "you haven't debriefed this visit" nudges: soon after it, then the next morning.

    The first is ``debrief_nudge_after`` after the visit, released from quiet time; the second is
    ``policy.morning`` on the first working day after the first one's local date, released too.
    """
    first = release(_utc(visit_at) + policy.debrief_nudge_after, tz, policy)
    day = _next_working_day(_local_date(first, tz), policy)
    return first, release(at_local(day, policy.morning, tz), tz, policy)


def revisit_times(won_at: datetime, tz: str, policy: Policy) -> tuple[datetime, ...]:
    """When to suggest visiting a won customer again: mornings N days on, released."""
    won_day = _local_date(won_at, tz)
    return tuple(
        release(at_local(won_day + timedelta(days=days), policy.morning, tz), tz, policy)
        for days in policy.revisit_after_days
    )


def snooze_until(
    option: Literal["hour", "tomorrow", "next_week"], now: datetime, tz: str, policy: Policy
) -> datetime:
    """When a snoozed reminder comes back; the rep chose it, so quiet time does not move it.

    "hour": an hour from now, to the minute; "tomorrow": tomorrow morning local; "next_week":
    Monday morning of next week.
    """
    now = _utc(now)
    if option == "hour":
        return (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    today = _local_date(now, tz)
    if option == "tomorrow":
        return at_local(today + timedelta(days=1), policy.morning, tz)
    monday = today + timedelta(days=7 - today.weekday())
    return at_local(monday, policy.morning, tz)


def is_late(due: datetime, now: datetime, policy: Policy) -> bool:
    """Whether a reminder is so far past due that the bot says so ("3 hours late")."""
    return _utc(now) - _utc(due) > policy.late_after


def week_of(moment: datetime, tz: str) -> str:
    """The rep's local ISO week, "2026-W48": the key a weekly plan and review share."""
    year, week, _ = to_local(moment, tz).isocalendar()
    return f"{year}-W{week:02d}"


def overdue_for_revisit(
    last_visit: datetime, customer_class: str | None, now: datetime, policy: Policy
) -> bool:
    """Whether a customer has waited more whole days than its class allows (no class: never).

    The class is matched as given, then upper-cased ("a" is class A).
    """
    if customer_class is None:
        return False
    limits = policy.class_max_days
    limit = limits.get(customer_class, limits.get(customer_class.strip().upper()))
    if limit is None:
        return False
    return (_utc(now) - _utc(last_visit)) // timedelta(days=1) > limit
