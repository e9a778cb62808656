"""What the use cases ask of the database (the ports), and the values that cross them.

The application declares these; ``storage/`` implements them (``storage.store.Store``,
``storage.reminders.Reminders``, ``storage.teams.Teams``, ``storage.digests.Digests``) and the
adapters pass the implementations in. A use case sees only the methods named here, so it cannot
reach for SQL, and a test can hand it a stand-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from coaching.teams import Member, Team, TeamSettings
from coaching.users import TELEGRAM_KEYS
from dialogs.state import Conversation
from dialogs.types import Event, Reply

# --- a rep's turn -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What an adapter knows about a user: on first contact, to create the user; and on each
    turn, whether the rep's team lets the coach ask its probes."""

    key: str
    display_name: str = ""
    lang: str = "en"
    tz: str = "UTC"
    probes: bool = True


@dataclass(frozen=True)
class TurnResult:
    replies: tuple[Reply, ...]
    outbox_ids: tuple[int, ...]
    """The replies' outbox rows, in order: pass them to ``mark_sent`` once delivered."""
    duplicate: bool
    """True: this (source, external_id) was handled before; nothing was done, no replies."""
    user_id: int
    lang: str = "en"
    """The language the replies are in (the rep's, from the database): for the adapter's own
    texts around them, such as button labels."""
    finished: bool = False
    """The turn finished a conversation (its summary is among the replies): an adapter may
    offer to change an answer right under it."""
    claimed: tuple[OutboxItem, ...] | None = None
    """With ``Store(claim_as=...)``: the user's unsent rows this process now holds, oldest first
    (earlier ones left by others included, and ``outbox_ids`` when they are ours to send); empty
    when another process holds the chat and sends them (``storage.outbox``). None: no claims."""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    user_key: str
    reply: Reply
    attempts: int
    created_at: datetime


class TurnStore(Protocol):
    """What a turn needs of the database (``coaching.conversations``): ``storage.store.Store``
    (SQLite, PostgreSQL) and ``storage.memory.MemoryStore``."""

    def handle(
        self,
        profile: Profile,
        event: Event,
        *,
        now: datetime,
        source: str = "console",
        external_id: str | None = None,
    ) -> TurnResult: ...

    def mark_sent(self, outbox_ids: Sequence[int], *, now: datetime) -> None: ...

    def unsent(self, user_key: str) -> list[tuple[int, Reply]]: ...

    def conversation(self, key: str) -> Conversation: ...

    def answers(self, key: str, run_no: int | None = None) -> dict[str, Any]: ...


# --- reminders ---------------------------------------------------------------------------------

NUDGE_KINDS = ("debrief_nudge", "week_plan", "week_review", "revisit")
"""Reminders the bot times itself: a rep can switch each kind off and ``/pause`` stops them."""
REP_KINDS = ("follow_up", "visit")
"""Reminders the rep asked for, at the moment the rep named."""
WEEKLY_KINDS = ("week_plan", "week_review")
OPEN = ("pending", "sent")
"""A reminder still to do: waiting to go out, or sent and not yet marked done."""


@dataclass(frozen=True)
class Prefs:
    """A rep's reminder preferences, kept as JSON on the user row."""

    off: frozenset[str] = frozenset()
    """Nudge kinds switched off in /settings."""
    hold_follow_ups: bool = False
    """During a pause, the rep's own follow-ups wait for its end too."""

    @classmethod
    def from_json(cls, data: Any) -> Prefs:
        if not isinstance(data, dict):
            return cls()
        off = data.get("off", [])
        return cls(
            off=frozenset(str(kind) for kind in off if kind in NUDGE_KINDS),
            hold_follow_ups=bool(data.get("hold_follow_ups", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {"off": sorted(self.off), "hold_follow_ups": self.hold_follow_ups}


@dataclass(frozen=True)
class ReminderInfo:
    id: int
    user_key: str
    kind: str
    key: str
    run_no: int | None
    about: str
    customer: str
    wanted_at: datetime
    due_at: datetime
    explicit: bool
    status: str
    snoozes: int
    sent_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class NewReminder:
    """A reminder to create; an existing one with the same ``key`` is updated instead (while it
    is still pending, or cancelled because what it belongs to changed), never duplicated."""

    user_id: int
    kind: str
    key: str
    due_at: datetime
    wanted_at: datetime | None = None  # default: due_at
    about: str = ""
    customer: str = ""
    run_no: int | None = None
    explicit: bool = False


@dataclass(frozen=True)
class Due:
    """A claimed reminder with everything a pure ``decide`` needs to know."""

    reminder: ReminderInfo
    user_id: int
    lang: str
    tz: str
    active: bool
    paused_until: datetime | None
    prefs: Prefs
    last_done: datetime | None
    """When the rep last finished what the nudge asks for: the weekly plan or review, or a
    debrief of the nudge's customer. None: never."""
    user_key: str = ""
    team_id: int | None = None
    """The team whose settings apply (see ``team_of``); None: the user is on no team."""


@dataclass(frozen=True)
class Send:
    reply: Reply
    follow_on: tuple[NewReminder, ...] = ()


@dataclass(frozen=True)
class Postpone:
    until: datetime


@dataclass(frozen=True)
class Skip:
    reason: str
    follow_on: tuple[NewReminder, ...] = ()


Decision = Send | Postpone | Skip


@dataclass(frozen=True)
class Delivery:
    """A reminder that became an outbox row: hand ``reply`` to the sender, then mark it sent."""

    reminder_id: int
    user_key: str
    outbox_id: int
    reply: Reply
    due_at: datetime | None = None
    """When it was due (for the lag metric)."""


@dataclass(frozen=True)
class ClaimReport:
    deliveries: list[Delivery] = field(default_factory=list)
    postponed: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class PlannedEffect:
    """A pending ``follow_up`` or ``revisit`` effect, for the planner to turn into reminders."""

    effect_id: int
    user_id: int
    tz: str
    created_at: datetime
    effect: Any  # dialogs.types.FollowUpWanted | RevisitWanted
    team_id: int | None = None


class ReminderRows(Protocol):
    """The reminder rows (``storage.reminders.Reminders``)."""

    def add(self, reminders: Iterable[NewReminder], *, now: datetime) -> None: ...

    def plan_effects(
        self,
        plan: Callable[[PlannedEffect], Sequence[NewReminder]],
        *,
        now: datetime,
        limit: int = 500,
    ) -> int: ...

    def users_without(
        self, kind: str, *, key_prefix: str, limit: int = 1000, after: int = 0
    ) -> list[tuple[int, str, int | None]]: ...

    def replace_weekly(
        self, user_key: str, make: Callable[[int], Iterable[NewReminder]], *, now: datetime
    ) -> None: ...

    def claim_due(
        self,
        decide: Callable[[Due], Decision],
        *,
        now: datetime,
        limit: int = 100,
        key_prefix: str = TELEGRAM_KEYS,
    ) -> ClaimReport: ...

    def get(self, user_key: str, reminder_id: int) -> ReminderInfo | None: ...

    def close(
        self,
        user_key: str,
        reminder_id: int,
        status: str,
        *,
        now: datetime,
        seen_snoozes: int | None = None,
        source: str | None = None,
        external_id: str | None = None,
    ) -> ReminderInfo | None: ...

    def snooze(
        self,
        user_key: str,
        reminder_id: int,
        until: datetime,
        *,
        now: datetime,
        seen_snoozes: int | None = None,
        source: str | None = None,
        external_id: str | None = None,
    ) -> ReminderInfo | None: ...

    def seen(self, source: str, external_id: str) -> bool: ...

    def open_for(self, user_key: str, *, limit: int = 50) -> list[ReminderInfo]: ...

    def customers(self, user_key: str) -> list[tuple[str, str | None, datetime]]: ...

    def prefs(self, user_key: str) -> tuple[Prefs, datetime | None]: ...

    def set_prefs(
        self, user_key: str, prefs: Prefs, *, paused_until: datetime | object | None = ...
    ) -> None: ...


class UserZones(Protocol):
    """Where a rep's time zone is kept (``storage.store.Store``)."""

    def set_timezone(self, key: str, tz: str) -> None: ...


# --- a user's account --------------------------------------------------------------------------


class KnownUser(Protocol):
    """What an account use case reads of a stored user (``storage.store.UserInfo``)."""

    @property
    def lang(self) -> str: ...

    @property
    def tz(self) -> str: ...


class UserAccounts(UserZones, Protocol):
    """Where users' accounts are kept (``storage.store.Store``): ``coaching.accounts``."""

    def user(self, key: str) -> KnownUser | None: ...

    def set_language(self, key: str, lang: str) -> None: ...

    def set_active(self, key: str, active: bool) -> None: ...


class TeamPolicies(Protocol):
    """Where a team's changes to the reminder policy come from (``storage.teams.Teams``)."""

    def changed_settings(self) -> Mapping[int, TeamSettings]: ...

    def settings_of(self, key: str) -> TeamSettings | None: ...

    def is_admin(self, key: str) -> bool: ...


# --- managers' summaries -----------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One review as a manager sees it: the rep's run, its answers and the flags."""

    review_id: int
    team_id: int
    run_id: int
    run_no: int
    script: str
    summary: str
    """The engine's summary (Telegram HTML, in the rep's language)."""
    answers: Mapping[str, Any]
    rep_id: int
    rep_key: str
    rep_name: str
    rep_lang: str
    rep_tz: str
    flags: tuple[str, ...]
    """``no_goal:3`` (third visit in a row to this customer without the goal), ``overdue:2``
    (open follow-ups past their time), ``low_feeling``."""
    status: str
    finished_at: datetime | None
    notes: tuple[str, ...] = ()
    """What the rep typed during the run that was no answer (pushback, a vent), in order."""


@dataclass(frozen=True)
class Reader:
    """The manager a summary is written for."""

    user_id: int
    key: str
    name: str
    lang: str
    tz: str


@dataclass(frozen=True)
class Draft:
    """A message to send: Telegram HTML and rows of ``(label, callback data)`` buttons."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    reviews: tuple[int, ...] = ()
    """The reviews whose summaries this message shows (a daily batch may take several
    messages); empty: all those it was rendered from."""


@dataclass(frozen=True)
class Sent:
    """A message committed to the outbox, to be delivered to ``user_key``."""

    user_key: str
    lang: str
    outbox_id: int
    draft: Draft


Render = Callable[[Reader, Sequence[Notice], bool], Sequence[Draft]]
"""(manager, notices, daily batch?) -> the messages that show them."""
RepText = Callable[[Notice, str], str]
"""(notice, manager's name) -> the text the rep gets, in ``notice.rep_lang``."""


# --- weekly digests ----------------------------------------------------------------------------

DigestKey = tuple[int, int, str]
"""(team id, manager's user id, ISO week)."""


class TeamDirectory(Protocol):
    """Every team and every active manager (``storage.teams.Teams``)."""

    def all_teams(self) -> list[Team]: ...

    def all_managers(self) -> list[tuple[int, Member]]: ...


class DigestClaims(Protocol):
    """Which digests went out, claimed once across processes (``storage.digests.Digests``)."""

    def settled(self, keys: Iterable[DigestKey], *, now: datetime) -> set[DigestKey]: ...

    def claim(self, key: DigestKey, *, now: datetime) -> bool: ...

    def finish(self, key: DigestKey, *, sent: bool, now: datetime) -> None: ...


__all__ = [
    "NUDGE_KINDS",
    "OPEN",
    "REP_KINDS",
    "WEEKLY_KINDS",
    "ClaimReport",
    "Decision",
    "Delivery",
    "DigestClaims",
    "DigestKey",
    "Draft",
    "Due",
    "KnownUser",
    "NewReminder",
    "Notice",
    "OutboxItem",
    "PlannedEffect",
    "Postpone",
    "Prefs",
    "Profile",
    "Reader",
    "ReminderInfo",
    "ReminderRows",
    "Render",
    "RepText",
    "Send",
    "Sent",
    "Skip",
    "TeamDirectory",
    "TeamPolicies",
    "TurnResult",
    "TurnStore",
    "UserAccounts",
    "UserZones",
]
