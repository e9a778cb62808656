"""The database schema, as SQLModel tables. Alembic migrations in ``storage/migrations`` build it.

Every timestamp is stored as UTC and read back as an aware UTC ``datetime`` (SQLite keeps no zone).
JSON columns hold the codec's output (``storage.codec``) and ``dialogs.state.to_json``.
Constraint and index names are explicit, so migrations and the metadata compare equal everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that only takes aware datetimes and always returns UTC ones."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        # SQLite has no time zones: store UTC wall time (the zone is implied).
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(*, nullable: bool = False) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable, default=None if nullable else ...)


def _json(*, nullable: bool = False) -> Any:
    return Field(sa_type=sa.JSON, nullable=nullable)


class UserRow(SQLModel, table=True):
    """A rep (or manager) known to the bot, by adapter key: ``tg:123456``, ``console:anna``."""

    __tablename__ = "user"
    __table_args__ = (sa.UniqueConstraint("key", name="uq_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=sa.String(200))
    display_name: str = Field(default="", sa_type=sa.String(200))
    lang: str = Field(default="en", sa_type=sa.String(8))
    tz: str = Field(default="UTC", sa_type=sa.String(64))
    created_at: datetime = _ts()
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    paused_until: datetime | None = _ts(nullable=True)
    """``/pause``: no nudges before this moment (follow-ups only if the rep chose to hold them)."""
    prefs: dict[str, Any] | None = _json(nullable=True)
    """Reminder preferences (``storage.reminders.Prefs``); None: the defaults."""


class ConversationRow(SQLModel, table=True):
    """The dialog state of one user (``dialogs.state.to_json``); ``version`` counts turns."""

    __tablename__ = "conversation"

    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("user.id", name="fk_conversation_user_id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    version: int = Field(default=0)
    state: dict[str, Any] = _json()
    updated_at: datetime = _ts()


class InboxRow(SQLModel, table=True):
    """One row per handled event; ``(source, external_id)`` recognises a redelivered update."""

    __tablename__ = "inbox"
    __table_args__ = (
        sa.UniqueConstraint("source", "external_id", name="uq_inbox_source_external_id"),
        sa.Index("ix_inbox_user_id", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("user.id", name="fk_inbox_user_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    source: str = Field(sa_type=sa.String(32))
    external_id: str | None = Field(default=None, sa_type=sa.String(128))
    event: dict[str, Any] = _json()
    received_at: datetime = _ts()
    processed_at: datetime | None = _ts(nullable=True)


class RunRow(SQLModel, table=True):
    """One pass through one script; ``no`` is the per-user run number of the engine state."""

    __tablename__ = "run"
    __table_args__ = (sa.UniqueConstraint("user_id", "no", name="uq_run_user_id_no"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("user.id", name="fk_run_user_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    no: int
    script: str = Field(sa_type=sa.String(100))
    script_version: int
    status: str = Field(sa_type=sa.String(16))  # active | draft | finished | discarded
    started_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    summary: str | None = Field(default=None, sa_type=sa.Text)


class AnswerRow(SQLModel, table=True):
    """The current answer to one step of one run; ``revision`` counts how often it changed."""

    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("run_id", "step", name="uq_answer_run_id_step"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("run.id", name="fk_answer_run_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    step: str = Field(sa_type=sa.String(100))
    value: Any = _json(nullable=True)
    answered_at: datetime = _ts()
    revision: int = Field(default=0)


class StepNoteRow(SQLModel, table=True):
    """What the rep typed at a step that was not its answer (pushback, a vent, an aside):
    nothing typed is lost (``dialogs.types.NoteKept``). Kept with the run, in typing order."""

    __tablename__ = "step_note"
    __table_args__ = (sa.Index("ix_step_note_run_id", "run_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("run.id", name="fk_step_note_run_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    step: str = Field(sa_type=sa.String(100))
    text: str = Field(sa_type=sa.Text)
    created_at: datetime = _ts()


class OutboxRow(SQLModel, table=True):
    """A reply to deliver (``storage.codec.reply_to_json``); the sender sets ``sent_at``.

    ``claimed_by``/``lease_until``: the bot process that took the row to send it, and until when
    nobody else may (``storage.outbox``); a row whose lease ran out is anyone's again."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index(
            "ix_outbox_unsent",
            "user_id",
            "id",
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("user.id", name="fk_outbox_user_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    payload: dict[str, Any] = _json()
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, sa_type=sa.String(100), nullable=True)
    lease_until: datetime | None = _ts(nullable=True)


class SendSlotRow(SQLModel, table=True):
    """Shared send pacing of several bot processes (``storage.send_slots``): per key (0: the
    whole bot, else a chat id), the moment its token bucket is full again, in Unix seconds."""

    __tablename__ = "send_slot"

    key: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    full_at: float = Field(sa_type=sa.Float(precision=53))


class EffectRow(SQLModel, table=True):
    """A fact for later consumers: follow_up, manager_notice, run_finished, media."""

    __tablename__ = "effect"
    __table_args__ = (
        sa.Index(
            "ix_effect_pending",
            "kind",
            "id",
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("user.id", name="fk_effect_user_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    run_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("run.id", name="fk_effect_run_id", ondelete="CASCADE"),
            nullable=True,
        ),
    )
    kind: str = Field(sa_type=sa.String(32))
    payload: dict[str, Any] = _json()
    created_at: datetime = _ts()
    done_at: datetime | None = _ts(nullable=True)


class ReminderRow(SQLModel, table=True):
    """A reminder or nudge to send at ``due_at`` (UTC); ``key`` makes creating it idempotent.

    ``status``: pending (waits for ``due_at``), sent (became the outbox row ``outbox_id``),
    done / cancelled (by the rep or because what it belongs to changed), skipped (not worth
    sending when due: paused, switched off, already done). Sent reminders stay actionable.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        sa.UniqueConstraint("key", name="uq_reminder_key"),
        sa.Index(
            "ix_reminder_due",
            "due_at",
            "id",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_reminder_user_id", "user_id", "status"),
        sa.Index("ix_reminder_user_kind", "user_id", "kind", "status"),  # the weekly check
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("user.id", name="fk_reminder_user_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    kind: str = Field(sa_type=sa.String(24))
    key: str = Field(sa_type=sa.String(200))
    run_no: int | None = Field(default=None)
    about: str = Field(default="", sa_type=sa.Text)
    customer: str = Field(default="", sa_type=sa.String(200))
    wanted_at: datetime = _ts()
    due_at: datetime = _ts()
    explicit: bool = Field(default=False)
    status: str = Field(default="pending", sa_type=sa.String(12))
    snoozes: int = Field(default=0)
    outbox_id: int | None = Field(default=None)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)
    closed_at: datetime | None = _ts(nullable=True)


def _fk(column: str, *, nullable: bool = False, on_delete: str = "CASCADE", name: str) -> Any:
    """An integer foreign key to ``table.id`` (``column`` is ``"table.id"``)."""
    return Field(
        default=None if nullable else ...,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey(column, name=name, ondelete=on_delete), nullable=nullable
        ),
    )


class TeamRow(SQLModel, table=True):
    """A sales team: its managers and reps are ``membership`` rows.

    ``settings`` holds what a manager may set for the team (``storage.teams.TeamSettings``):
    whether joining needs approval, default time zone, nudge times, revisit gaps, holidays.
    """

    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(100))
    settings: dict[str, Any] | None = _json(nullable=True)
    created_at: datetime = _ts()
    created_by: int | None = _fk(
        "user.id", nullable=True, on_delete="SET NULL", name="fk_team_created_by"
    )


class MembershipRow(SQLModel, table=True):
    """A user in a team: ``role`` manager | rep; ``status`` active | pending (waits for a
    manager's approval) | removed | deleted (the anonymous stand-in of a rep who deleted their
    data, ``storage.privacy``; ``changed_at``: when they left). A rep is an active rep of one
    team at most.
    ``prefs``: a manager's own choices (instant or daily summaries, digest day and time)."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "user_id", name="uq_membership_team_id_user_id"),
        sa.Index("ix_membership_user_id", "user_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = _fk("team.id", name="fk_membership_team_id")
    user_id: int = _fk("user.id", name="fk_membership_user_id")
    role: str = Field(sa_type=sa.String(8))
    status: str = Field(sa_type=sa.String(8))
    invite_id: int | None = Field(default=None)
    prefs: dict[str, Any] | None = _json(nullable=True)
    joined_at: datetime = _ts()
    changed_at: datetime = _ts()


class InviteRow(SQLModel, table=True):
    """An invite link's code (``t.me/<bot>?start=<code>``): it expires, and has a use limit."""

    __tablename__ = "invite"
    __table_args__ = (
        sa.UniqueConstraint("code", name="uq_invite_code"),
        sa.Index("ix_invite_team_id", "team_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = _fk("team.id", name="fk_invite_team_id")
    code: str = Field(sa_type=sa.String(64))
    role: str = Field(sa_type=sa.String(8))
    created_by: int | None = _fk(
        "user.id", nullable=True, on_delete="SET NULL", name="fk_invite_created_by"
    )
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    max_uses: int
    uses: int = Field(default=0)
    revoked_at: datetime | None = _ts(nullable=True)


class ReviewRow(SQLModel, table=True):
    """One manager's copy of one finished run's summary (a debrief, a plan, a review).

    ``status``: pending (waits for the manager's daily batch), sent, reviewed. ``effect_id``
    is the ``manager_notice`` effect it came from: one review per notice and manager.
    ``outbox_id``: the message that carried the summary to the manager, so that the rep's
    ``/deleteme`` deletes that copy too (``storage.privacy``).
    """

    __tablename__ = "review"
    __table_args__ = (
        sa.UniqueConstraint("effect_id", "manager_id", name="uq_review_effect_id_manager_id"),
        sa.Index("ix_review_manager_id", "manager_id", "status"),
        sa.Index("ix_review_rep_id", "rep_id", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = _fk("team.id", name="fk_review_team_id")
    effect_id: int = _fk("effect.id", name="fk_review_effect_id")
    run_id: int = _fk("run.id", name="fk_review_run_id")
    rep_id: int = _fk("user.id", name="fk_review_rep_id")
    manager_id: int = _fk("user.id", name="fk_review_manager_id")
    status: str = Field(sa_type=sa.String(8))
    flags: list[str] | None = _json(nullable=True)
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)
    reviewed_at: datetime | None = _ts(nullable=True)
    outbox_id: int | None = Field(default=None)


class NoteRow(SQLModel, table=True):
    """A manager's coaching note on a rep's run (visit), delivered to the rep."""

    __tablename__ = "note"
    __table_args__ = (sa.Index("ix_note_rep_id", "rep_id", "run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = _fk("team.id", name="fk_note_team_id")
    run_id: int = _fk("run.id", name="fk_note_run_id")
    rep_id: int = _fk("user.id", name="fk_note_rep_id")
    author_id: int | None = _fk(
        "user.id", nullable=True, on_delete="SET NULL", name="fk_note_author_id"
    )
    text: str = Field(sa_type=sa.Text)
    created_at: datetime = _ts()
    outbox_id: int | None = Field(default=None)


class DigestRow(SQLModel, table=True):
    """One manager's weekly digest of one team for one ISO week: sent once.

    The row is the claim: whoever inserts it (or takes over a claim whose lease ran out) sends
    the digest. ``status``: claimed, sent, failed (the manager blocked the bot, say).
    """

    __tablename__ = "digest"
    __table_args__ = (
        sa.UniqueConstraint(
            "team_id", "manager_id", "week", name="uq_digest_team_id_manager_id_week"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = _fk("team.id", name="fk_digest_team_id")
    manager_id: int = _fk("user.id", name="fk_digest_manager_id")
    week: str = Field(sa_type=sa.String(8))
    status: str = Field(sa_type=sa.String(8))
    claimed_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)


metadata = SQLModel.metadata

user_table = metadata.tables["user"]
conversation_table = metadata.tables["conversation"]
inbox_table = metadata.tables["inbox"]
run_table = metadata.tables["run"]
answer_table = metadata.tables["answer"]
step_note_table = metadata.tables["step_note"]
outbox_table = metadata.tables["outbox"]
send_slot_table = metadata.tables["send_slot"]
effect_table = metadata.tables["effect"]
reminder_table = metadata.tables["reminder"]
team_table = metadata.tables["team"]
membership_table = metadata.tables["membership"]
invite_table = metadata.tables["invite"]
review_table = metadata.tables["review"]
note_table = metadata.tables["note"]
digest_table = metadata.tables["digest"]
