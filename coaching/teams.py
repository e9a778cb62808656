"""A team as the application knows it: its settings, its managers' choices, its members.

Plain values: ``storage.teams`` reads and writes them (as JSON on the team and membership rows);
the use cases (reminders, digests, team settings) decide with them, and the adapters show
them: a user's ``Standing`` (what the gate lets through), an ``Invite``, a rep's run (``RunRef``).
How a team's settings change the operator's reminder policy is ``TeamSettings.policy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reminders.policy import Policy

SUMMARY_MODES = ("instant", "daily")


@dataclass(frozen=True)
class TeamSettings:
    """What a team's managers set: joining needs approval; the reps' default zone; nudge
    times (``"mon 09:00"``); revisit gaps per customer class; holidays (ISO dates); whether the
    coach asks its probes (follow-up questions on vague answers)."""

    approval: bool = False
    tz: str | None = None
    week_plan_at: str | None = None
    week_review_at: str | None = None
    class_days: Mapping[str, int] = field(default_factory=dict)
    holidays: tuple[str, ...] = ()
    probes: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "approval": self.approval,
            "tz": self.tz,
            "week_plan_at": self.week_plan_at,
            "week_review_at": self.week_review_at,
            "class_days": dict(self.class_days),
            "holidays": list(self.holidays),
            "probes": self.probes,
        }

    @property
    def changes_reminders(self) -> bool:
        """Whether the team changed any of the operator's reminder policy."""
        return bool(self.week_plan_at or self.week_review_at or self.class_days or self.holidays)

    def policy(self, operator: Policy) -> Policy:
        """The operator's reminder policy as this team changed it (the one place that merges
        them: the reminders its reps get and the settings its manager reads)."""
        if not self.changes_reminders:
            return operator
        return operator.for_team(
            week_plan_at=self.week_plan_at,
            week_review_at=self.week_review_at,
            class_days=self.class_days,
            holidays=self.holidays,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> TeamSettings:
        data = data or {}
        return cls(
            approval=bool(data.get("approval", False)),
            tz=data.get("tz") or None,
            week_plan_at=data.get("week_plan_at") or None,
            week_review_at=data.get("week_review_at") or None,
            class_days={str(k): int(v) for k, v in (data.get("class_days") or {}).items()},
            holidays=tuple(str(day) for day in data.get("holidays") or ()),
            probes=bool(data.get("probes", True)),
        )


@dataclass(frozen=True)
class ManagerPrefs:
    """A manager's own choices: summaries at once or in a daily batch (at ``daily_at`` local),
    and the weekly digest's day (0 = Monday) and local time."""

    summaries: str = "instant"
    daily_at: str = "18:00"
    digest_day: int = 0
    digest_at: str = "08:00"

    def to_json(self) -> dict[str, Any]:
        return {
            "summaries": self.summaries,
            "daily_at": self.daily_at,
            "digest_day": self.digest_day,
            "digest_at": self.digest_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ManagerPrefs:
        data = data or {}
        default = cls()
        mode = str(data.get("summaries", default.summaries))
        return cls(
            summaries=mode if mode in SUMMARY_MODES else default.summaries,
            daily_at=str(data.get("daily_at", default.daily_at)),
            digest_day=int(data.get("digest_day", default.digest_day)) % 7,
            digest_at=str(data.get("digest_at", default.digest_at)),
        )


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    settings: TeamSettings
    created_at: datetime


@dataclass(frozen=True)
class Member:
    user_id: int
    key: str
    display_name: str
    lang: str
    tz: str
    active: bool
    """False: the user blocked the bot."""
    role: str
    status: str
    joined_at: datetime
    prefs: ManagerPrefs = ManagerPrefs()


@dataclass(frozen=True)
class Invite:
    id: int
    team_id: int
    code: str
    role: str
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    revoked_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.uses < self.max_uses


@dataclass(frozen=True)
class Standing:
    """Who a user is to the bot: what they may do, and in which teams."""

    admin: bool
    manages: tuple[Team, ...]
    team: Team | None
    """The team the user is an active rep of."""
    pending: Team | None
    """A team the user asked to join, waiting for a manager's approval."""

    @property
    def allowed(self) -> bool:
        """May use the bot (debrief, plan...): an admin, a manager or a rep of a team."""
        return self.admin or bool(self.manages) or self.team is not None

    @property
    def may_create_team(self) -> bool:
        return self.admin or bool(self.manages)


@dataclass(frozen=True)
class RunRef:
    """A run of a rep in one of the manager's teams."""

    run_id: int
    run_no: int
    script: str
    status: str
    finished_at: datetime | None
    summary: str | None
    team_id: int
    rep: Member


__all__ = [
    "SUMMARY_MODES",
    "Invite",
    "ManagerPrefs",
    "Member",
    "RunRef",
    "Standing",
    "Team",
    "TeamSettings",
]
