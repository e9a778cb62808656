"""The reminder policy the operator configured, read from the settings: the adapters build it at
start and hand it to ``coaching.reminders.ReminderDesk`` (the application reads no settings)."""

from __future__ import annotations

from datetime import time, timedelta

from config.settings import Settings
from reminders.policy import Policy, parse_weekly


def policy_from(settings: Settings) -> Policy:
    """The reminder policy the operator configured (``COACHBOT_QUIET_HOURS`` and friends)."""
    start, end = (time.fromisoformat(part.zfill(5)) for part in settings.quiet_hours.split("-"))

    def weekly(value: str) -> tuple[int, time]:
        parsed = parse_weekly(value)
        if parsed is None:  # pragma: no cover - the settings checked it on load
            raise ValueError(f"not a weekday and a time: {value!r}")
        return parsed

    return Policy(
        quiet_start=start,
        quiet_end=end,
        quiet_weekends=settings.quiet_weekends,
        holidays=frozenset(settings.holidays),
        week_plan_at=weekly(settings.week_plan_at),
        week_review_at=weekly(settings.week_review_at),
        debrief_nudge_after=timedelta(hours=settings.debrief_nudge_hours),
        revisit_after_days=tuple(settings.revisit_days),
        class_max_days=settings.class_days,
    )


__all__ = ["policy_from"]
