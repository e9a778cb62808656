"""Reminders as rows: create them idempotently, claim the due ones atomically, let reps act on them.

Why rows and not scheduler jobs: a row survives a restart, can be listed, edited and cancelled with
what it belongs to, and two bot processes can share them. The scheduler only ticks; each tick
calls ``claim_due``, which in ONE transaction locks the due rows (PostgreSQL: ``FOR UPDATE SKIP
LOCKED``, so a second process takes other rows instead of waiting; SQLite: ``BEGIN IMMEDIATE``,
one writer at a time), asks the caller's pure ``decide`` what to do with each, and turns each one
to send into an outbox row. A reminder therefore becomes exactly one outbox row, once; the outbox
then delivers it like any reply (see README, "Delivery guarantee").

Every rep-facing action takes the rep's key and touches only that rep's reminders, so a forged
reminder id of somebody else finds nothing. Actions that come from a Telegram update may carry the
update's ``(source, external_id)``: it is recorded in the inbox in the same transaction, so a
redelivered update changes nothing a second time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from coaching.answers import CUSTOMER, CUSTOMER_CLASS, DEBRIEF, REVISIT, VISITS
from coaching.ports import (
    NUDGE_KINDS,
    OPEN,
    REP_KINDS,
    WEEKLY_KINDS,
    ClaimReport,
    Decision,
    Delivery,
    Due,
    NewReminder,
    PlannedEffect,
    Postpone,
    Prefs,
    ReminderInfo,
    Send,
    Skip,
)
from coaching.users import TELEGRAM_KEYS
from dialogs.contract import Contract
from dialogs.types import CommandIn
from storage.codec import effect_from_json, event_to_json, reply_to_json
from storage.db import READ_ONLY
from storage.schema import (
    answer_table,
    effect_table,
    inbox_table,
    membership_table,
    outbox_table,
    reminder_table,
    run_table,
    user_table,
)

CONTRACT = Contract("storage.reminders", (DEBRIEF, REVISIT, CUSTOMER, CUSTOMER_CLASS))
"""The customers a rep has seen (revisit planning, the debrief nudge)."""
UPSERT_BATCH = 1000
"""Reminders per executemany in ``_upsert`` (bounds the parameter list PostgreSQL batches)."""


class Reminders:
    """The reminder repository over the same engine as ``storage.store.Store``."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**READ_ONLY)
        self._postgres = engine.dialect.name == "postgresql"
        self._upsert_cached: Any = None

    # --- creating -------------------------------------------------------------------------

    def add(self, reminders: Iterable[NewReminder], *, now: datetime) -> None:
        with self._engine.begin() as conn:
            self._upsert(conn, list(reminders), now)

    def plan_effects(
        self,
        plan: Callable[[PlannedEffect], Sequence[NewReminder]],
        *,
        now: datetime,
        limit: int = 500,
    ) -> int:
        """Turn pending follow-up and revisit effects into reminders (``plan`` says which), and
        mark the effects done, in one transaction. Returns how many effects were planned."""
        e, u = effect_table, user_table
        query = (
            sa.select(
                e.c.id,
                e.c.user_id,
                e.c.payload,
                e.c.created_at,
                u.c.tz,
                team_of(e.c.user_id).label("team_id"),
            )
            .join(u, u.c.id == e.c.user_id)
            .where(e.c.kind.in_(("follow_up", "revisit")), e.c.done_at.is_(None))
            .order_by(e.c.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(of=e, skip_locked=True)
        with self._engine.begin() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return 0
            new: list[NewReminder] = []
            for row in rows:
                effect = effect_from_json(row.payload)
                new.extend(
                    plan(
                        PlannedEffect(
                            row.id, row.user_id, row.tz, row.created_at, effect, row.team_id
                        )
                    )
                )
            self._upsert(conn, new, now)
            conn.execute(
                sa.update(e).where(e.c.id.in_([row.id for row in rows])).values(done_at=now)
            )
        return len(rows)

    def users_without(
        self, kind: str, *, key_prefix: str, limit: int = 1000, after: int = 0
    ) -> list[tuple[int, str, int | None]]:
        """Active users (of one adapter, e.g. ``tg:``) with no pending reminder of ``kind``:
        (user id, tz, team id), ids above ``after``, in id order. The weekly nudges are kept
        one ahead with this. A manager who is no team's rep writes no weekly plan, so is not
        nudged to."""
        u, r, m = user_table, reminder_table, membership_table
        waiting = (
            sa.select(r.c.id)
            .where(r.c.user_id == u.c.id, r.c.kind == kind, r.c.status == "pending")
            .exists()
        )
        memberships = sa.select(m.c.id).where(m.c.user_id == u.c.id, m.c.status == "active")
        only_manages = (
            memberships.where(m.c.role == "manager").exists()
            & ~memberships.where(m.c.role == "rep").exists()
        )
        query = (
            sa.select(u.c.id, u.c.tz, team_of(u.c.id).label("team_id"))
            .where(
                u.c.id > after,
                u.c.key.startswith(key_prefix),
                u.c.active.is_(True),
                ~waiting,
                ~only_manages,
            )
            .order_by(u.c.id)
            .limit(limit)
        )
        with self._reader.connect() as conn:
            return [(row.id, row.tz, row.team_id) for row in conn.execute(query)]

    def cancel_for_run(self, user_id: int, run_no: int, *, now: datetime) -> int:
        """What a run asked for changed (/edit): its pending reminders are cancelled; the
        planner brings back those the revised run still wants (same key)."""
        r = reminder_table
        with self._engine.begin() as conn:
            result = conn.execute(
                sa.update(r)
                .where(r.c.user_id == user_id, r.c.run_no == run_no, r.c.status == "pending")
                .values(status="cancelled", closed_at=now, updated_at=now)
            )
        return int(result.rowcount)

    def replace_weekly(
        self,
        user_key: str,
        make: Callable[[int], Iterable[NewReminder]],
        *,
        now: datetime,
    ) -> None:
        """The rep's zone changed: their pending weekly nudges are replaced by ``make(user id)``
        in one transaction (only this rep's rows are touched)."""
        r = reminder_table
        with self._engine.begin() as conn:
            user_id = conn.execute(
                sa.select(user_table.c.id).where(user_table.c.key == user_key)
            ).scalar()
            if user_id is None:
                return
            conn.execute(
                sa.delete(r).where(
                    r.c.user_id == user_id,
                    r.c.kind.in_(WEEKLY_KINDS),
                    r.c.status == "pending",
                )
            )
            self._upsert(conn, list(make(user_id)), now)

    # --- delivering -----------------------------------------------------------------------

    def claim_due(
        self,
        decide: Callable[[Due], Decision],
        *,
        now: datetime,
        limit: int = 100,
        key_prefix: str = TELEGRAM_KEYS,
    ) -> ClaimReport:
        """Claim up to ``limit`` due reminders of one adapter's users and act on each as
        ``decide`` says, all in one transaction: a reminder to send becomes an outbox row and
        leaves ``pending`` in the same commit, so no other claimer can ever take it again."""
        r, u = reminder_table, user_table
        query = (
            sa.select(
                *_reminder_columns(),
                team_of(r.c.user_id).label("team_id"),
                u.c.lang,
                u.c.tz,
                u.c.active,
                u.c.paused_until,
                u.c.prefs,
            )
            .join(u, u.c.id == r.c.user_id)
            .where(r.c.status == "pending", r.c.due_at <= now, u.c.key.startswith(key_prefix))
            .order_by(r.c.due_at, r.c.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(of=r, skip_locked=True)
        report = ClaimReport()
        with self._engine.begin() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return report
            done = _last_done(conn, rows)
            follow_on: list[NewReminder] = []
            postpone: list[dict[str, Any]] = []
            skip: list[int] = []
            send: list[tuple[ReminderInfo, int, Send]] = []
            for row in rows:
                info = _info(row)
                due = Due(
                    info,
                    row.user_id,
                    row.lang,
                    row.tz,
                    bool(row.active),
                    row.paused_until,
                    Prefs.from_json(row.prefs),
                    done.get((row.user_id, info.kind, info.customer)),
                    row.user_key,
                    row.team_id,
                )
                decision = decide(due)
                if isinstance(decision, Postpone):
                    postpone.append({"b_id": info.id, "b_until": decision.until})
                    continue
                follow_on.extend(decision.follow_on)
                if isinstance(decision, Skip):
                    skip.append(info.id)
                else:
                    send.append((info, row.user_id, decision))
            # One statement per kind of change for the whole batch (executemany): a tick holds
            # the GIL and the write lock for the rows, not for building a statement per row.
            if postpone:
                conn.execute(
                    sa.update(r)
                    .where(r.c.id == sa.bindparam("b_id"))
                    .values(due_at=sa.bindparam("b_until"), updated_at=now),
                    postpone,
                )
            if skip:
                conn.execute(
                    sa.update(r)
                    .where(r.c.id.in_(skip))
                    .values(status="skipped", closed_at=now, updated_at=now)
                )
            if send:
                outbox_ids = self._insert_outbox(
                    conn,
                    [
                        {
                            "user_id": user_id,
                            "payload": reply_to_json(decision.reply),
                            "created_at": now,
                            "attempts": 0,
                        }
                        for _, user_id, decision in send
                    ],
                )
                conn.execute(
                    sa.update(r)
                    .where(r.c.id == sa.bindparam("b_id"))
                    .values(
                        status="sent",
                        sent_at=now,
                        outbox_id=sa.bindparam("b_outbox"),
                        updated_at=now,
                    ),
                    [
                        {"b_id": info.id, "b_outbox": outbox_id}
                        for (info, _, _), outbox_id in zip(send, outbox_ids, strict=True)
                    ],
                )
                report.deliveries.extend(
                    Delivery(info.id, info.user_key, outbox_id, decision.reply, info.due_at)
                    for (info, _, decision), outbox_id in zip(send, outbox_ids, strict=True)
                )
            self._upsert(conn, follow_on, now)
            postponed, skipped = len(postpone), len(skip)
        return replace(report, postponed=postponed, skipped=skipped)

    # --- the rep's side -------------------------------------------------------------------

    def get(self, user_key: str, reminder_id: int) -> ReminderInfo | None:
        r, u = reminder_table, user_table
        query = (
            sa.select(*_reminder_columns())
            .join(u, u.c.id == r.c.user_id)
            .where(r.c.id == reminder_id, u.c.key == user_key)
        )
        with self._reader.connect() as conn:
            row = conn.execute(query).first()
        return _info(row) if row is not None else None

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
    ) -> ReminderInfo | None:
        """Mark one of the rep's open reminders done or cancelled. None: not the rep's, or no
        longer open, or snoozed since the tapped copy was sent, or this update was handled
        before."""
        if status not in ("done", "cancelled"):
            raise ValueError(f"close as done or cancelled, not {status!r}")
        return self._change(
            user_key,
            reminder_id,
            {"status": status, "closed_at": now},
            now=now,
            event=CommandIn(status, str(reminder_id)),
            seen_snoozes=seen_snoozes,
            source=source,
            external_id=external_id,
        )

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
    ) -> ReminderInfo | None:
        """Send the reminder again at ``until`` (the rep chose it: quiet hours do not apply).
        ``seen_snoozes``: the snooze count the rep's button was made for; a stale button (the
        reminder was snoozed since) changes nothing."""
        r = reminder_table
        return self._change(
            user_key,
            reminder_id,
            {
                "status": "pending",
                "due_at": until,
                "explicit": True,
                "snoozes": r.c.snoozes + 1,
                "outbox_id": None,
            },
            now=now,
            event=CommandIn("snooze", f"{reminder_id} {until.isoformat()}"),
            seen_snoozes=seen_snoozes,
            source=source,
            external_id=external_id,
        )

    def _change(
        self,
        user_key: str,
        reminder_id: int,
        values: dict[str, Any],
        *,
        now: datetime,
        event: CommandIn,
        seen_snoozes: int | None = None,
        source: str | None,
        external_id: str | None,
    ) -> ReminderInfo | None:
        r = reminder_table
        with self._engine.begin() as conn:
            user_id = conn.execute(
                sa.select(user_table.c.id).where(user_table.c.key == user_key)
            ).scalar()
            if user_id is None:
                return None
            if source is not None and not self._record(
                conn, user_id, source, external_id, event, now
            ):
                return None
            where = [r.c.id == reminder_id, r.c.user_id == user_id, r.c.status.in_(OPEN)]
            if seen_snoozes is not None:
                where.append(r.c.snoozes == seen_snoozes)
            changed = conn.execute(
                sa.update(r).where(*where).values(**values, updated_at=now)
            ).rowcount
            if changed != 1:
                return None
            row = conn.execute(
                sa.select(*_reminder_columns())
                .join(user_table, user_table.c.id == r.c.user_id)
                .where(r.c.id == reminder_id)
            ).first()
        return _info(row) if row is not None else None

    def _record(
        self,
        conn: sa.Connection,
        user_id: int,
        source: str,
        external_id: str | None,
        event: CommandIn,
        now: datetime,
    ) -> bool:
        """Record the update in the inbox; False when it was handled before."""
        insert: Any = postgresql.insert if self._postgres else sqlite.insert
        inserted = conn.execute(
            insert(inbox_table)
            .values(
                user_id=user_id,
                source=source,
                external_id=external_id,
                event=event_to_json(event),
                received_at=now,
                processed_at=now,
            )
            .on_conflict_do_nothing(index_elements=["source", "external_id"])
            .returning(inbox_table.c.id)
        ).first()
        return inserted is not None

    def seen(self, source: str, external_id: str) -> bool:
        """This update was handled before (a redelivery): act on it no more."""
        i = inbox_table
        query = sa.select(i.c.id).where(i.c.source == source, i.c.external_id == external_id)
        with self._reader.connect() as conn:
            return conn.execute(query).first() is not None

    def open_for(self, user_key: str, *, limit: int = 50) -> list[ReminderInfo]:
        """The rep's open reminders: overdue and sent first (newest first), then upcoming."""
        r, u = reminder_table, user_table
        query = (
            sa.select(*_reminder_columns())
            .join(u, u.c.id == r.c.user_id)
            .where(u.c.key == user_key, r.c.status.in_(OPEN))
            .order_by(r.c.due_at.desc(), r.c.id.desc())
            .limit(limit)
        )
        with self._reader.connect() as conn:
            return [_info(row) for row in conn.execute(query)]

    def listing(
        self,
        *,
        user_key: str | None = None,
        statuses: Sequence[str] = ("pending",),
        due_before: datetime | None = None,
        limit: int = 200,
    ) -> list[ReminderInfo]:
        """For the operator's ``coachbot reminders list|due``: soonest first."""
        r, u = reminder_table, user_table
        query = (
            sa.select(*_reminder_columns())
            .join(u, u.c.id == r.c.user_id)
            .where(r.c.status.in_(list(statuses)))
            .order_by(r.c.due_at, r.c.id)
            .limit(limit)
        )
        if user_key is not None:
            query = query.where(u.c.key == user_key)
        if due_before is not None:
            query = query.where(r.c.due_at <= due_before)
        with self._reader.connect() as conn:
            return [_info(row) for row in conn.execute(query)]

    def customers(self, user_key: str) -> list[tuple[str, str | None, datetime]]:
        """Each customer the rep debriefed or revisited: (name, latest class, latest visit)."""
        r, a, u = run_table, answer_table, user_table
        query = (
            sa.select(r.c.id, r.c.finished_at, a.c.step, sa.cast(a.c.value, sa.Text))
            .join(u, u.c.id == r.c.user_id)
            .join(a, a.c.run_id == r.c.id)
            .where(
                u.c.key == user_key,
                r.c.status == "finished",
                r.c.script.in_(VISITS),
                a.c.step.in_((CUSTOMER.step, CUSTOMER_CLASS.step)),
            )
            .order_by(r.c.finished_at)
        )
        runs: dict[int, dict[str, Any]] = {}
        with self._reader.connect() as conn:
            for run_id, finished_at, step, value in conn.execute(query):
                runs.setdefault(run_id, {"at": finished_at})[step] = _json_text(value)
        latest: dict[str, tuple[str, str | None, datetime]] = {}  # by folded name
        for run in runs.values():  # oldest first: a later visit wins, a known class stays
            name = run.get(CUSTOMER.step)
            if not isinstance(name, str) or not name.strip():
                continue
            folded = name.strip().casefold()
            known = latest.get(folded)
            klass = run.get(CUSTOMER_CLASS.step) or (known[1] if known else None)
            latest[folded] = (name.strip(), klass if isinstance(klass, str) else None, run["at"])
        return list(latest.values())

    # --- preferences ----------------------------------------------------------------------

    def prefs(self, user_key: str) -> tuple[Prefs, datetime | None]:
        u = user_table
        with self._reader.connect() as conn:
            row = conn.execute(
                sa.select(u.c.prefs, u.c.paused_until).where(u.c.key == user_key)
            ).first()
        if row is None:
            return Prefs(), None
        return Prefs.from_json(row.prefs), row.paused_until

    def set_prefs(
        self,
        user_key: str,
        prefs: Prefs,
        *,
        paused_until: datetime | object | None = ...,
    ) -> None:
        values: dict[str, Any] = {"prefs": prefs.to_json()}
        if paused_until is not ...:
            values["paused_until"] = paused_until
        with self._engine.begin() as conn:
            conn.execute(sa.update(user_table).where(user_table.c.key == user_key).values(**values))

    # --- writing helpers ------------------------------------------------------------------

    def _upsert(self, conn: sa.Connection, reminders: Sequence[NewReminder], now: datetime) -> None:
        """Create the reminders, or bring back a pending (or a run's cancelled) one with the
        same key: one statement, executed for the whole batch (building one per row cost
        about a millisecond each in SQLAlchemy — seconds for a start-up's weekly nudges)."""
        if not reminders:
            return
        statement = self._upsert_statement()
        rows = [
            {
                "user_id": new.user_id,
                "kind": new.kind,
                "key": new.key,
                "run_no": new.run_no,
                "about": new.about,
                "customer": new.customer,
                "wanted_at": new.wanted_at or new.due_at,
                "due_at": new.due_at,
                "explicit": new.explicit,
                "status": "pending",
                "snoozes": 0,
                "created_at": now,
                "updated_at": now,
            }
            for new in reminders
        ]
        for start in range(0, len(rows), UPSERT_BATCH):
            conn.execute(statement, rows[start : start + UPSERT_BATCH])

    def _insert_outbox(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert the outbox rows with one executemany; their ids, in the rows' order.

        PostgreSQL returns them (RETURNING, sorted by parameter order, still batched). On
        SQLite, SQLAlchemy would sort RETURNING rows by running one INSERT per row, so the rows
        go in with a plain executemany and the ids are read back: inside the claim's write
        transaction (``BEGIN IMMEDIATE``: no other writer) the new rows are exactly those above
        the previous largest id, in insertion order (SQLite gives a new row the largest + 1)."""
        o = outbox_table
        if self._postgres:
            statement = sa.insert(o).returning(o.c.id, sort_by_parameter_order=True)
            return list(conn.execute(statement, rows).scalars())
        before = conn.execute(sa.select(sa.func.coalesce(sa.func.max(o.c.id), 0))).scalar_one()
        conn.execute(sa.insert(o), rows)
        ids = list(
            conn.execute(sa.select(o.c.id).where(o.c.id > before).order_by(o.c.id)).scalars()
        )
        if len(ids) != len(rows):  # another writer got in: roll the claim back, claim again
            raise RuntimeError(f"outbox: {len(rows)} rows inserted, {len(ids)} found")
        return ids

    def _upsert_statement(self) -> Any:
        """Built once: constructing ``excluded`` and the conflict clause costs milliseconds."""
        if self._upsert_cached is None:
            r = reminder_table
            insert: Any = postgresql.insert if self._postgres else sqlite.insert
            statement = insert(r)
            revived = sa.or_(
                r.c.status == "pending",
                sa.and_(r.c.status == "cancelled", r.c.run_no.is_not(None)),
            )
            self._upsert_cached = statement.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "about": statement.excluded.about,
                    "customer": statement.excluded.customer,
                    "wanted_at": statement.excluded.wanted_at,
                    "due_at": statement.excluded.due_at,
                    "explicit": statement.excluded.explicit,
                    "status": "pending",
                    "closed_at": None,
                    "updated_at": statement.excluded.updated_at,  # now, as every row says
                },
                where=revived,
            )
        return self._upsert_cached


def team_of(user_id: sa.ColumnElement[int]) -> sa.ScalarSelect[Any]:
    """The team whose settings apply to the user (the one they are an active rep of, else the
    first they manage), as a subquery: each claimed row brings its own, so a tick reads no
    more than what is due. None: on no team."""
    m = membership_table
    return (
        sa.select(m.c.team_id)
        .where(m.c.user_id == user_id, m.c.status == "active")
        .order_by(m.c.role.desc(), m.c.team_id)  # "rep" before "manager"
        .limit(1)
        .scalar_subquery()
    )


def _reminder_columns() -> list[Any]:
    r, u = reminder_table, user_table
    return [
        r.c.id,
        r.c.user_id,
        u.c.key.label("user_key"),
        r.c.kind,
        r.c.key,
        r.c.run_no,
        r.c.about,
        r.c.customer,
        r.c.wanted_at,
        r.c.due_at,
        r.c.explicit,
        r.c.status,
        r.c.snoozes,
        r.c.sent_at,
        r.c.closed_at,
    ]


def _info(row: Any) -> ReminderInfo:
    return ReminderInfo(
        id=row.id,
        user_key=row.user_key,
        kind=row.kind,
        key=row.key,
        run_no=row.run_no,
        about=row.about,
        customer=row.customer,
        wanted_at=row.wanted_at,
        due_at=row.due_at,
        explicit=bool(row.explicit),
        status=row.status,
        snoozes=row.snoozes,
        sent_at=row.sent_at,
        closed_at=row.closed_at,
    )


def _json_text(value: Any) -> Any:
    """An answer read as text (PostgreSQL's json has no equality): decode it."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _last_done(conn: sa.Connection, rows: Sequence[Any]) -> dict[tuple[int, str, str], datetime]:
    """For the claimed nudges: when each rep last finished the thing each nudge asks for."""
    r, a = run_table, answer_table
    done: dict[tuple[int, str, str], datetime] = {}
    weekly = {row.user_id for row in rows if row.kind in WEEKLY_KINDS}
    if weekly:
        query = (
            sa.select(r.c.user_id, r.c.script, sa.func.max(r.c.finished_at))
            .where(
                r.c.user_id.in_(weekly),
                r.c.script.in_(WEEKLY_KINDS),
                r.c.status == "finished",
            )
            .group_by(r.c.user_id, r.c.script)
        )
        for user_id, script, finished_at in conn.execute(query):
            if finished_at is not None:
                done[(user_id, script, "")] = _aware(finished_at)
    nudged = {row.user_id for row in rows if row.kind == "debrief_nudge"}
    if nudged:
        query = (
            sa.select(r.c.user_id, sa.cast(a.c.value, sa.Text), r.c.finished_at)
            .join(a, a.c.run_id == r.c.id)
            .where(
                r.c.user_id.in_(nudged),
                r.c.script == DEBRIEF.id,
                r.c.status == "finished",
                a.c.step == CUSTOMER.step,
            )
        )
        for user_id, value, finished_at in conn.execute(query):
            customer = _json_text(value)
            if not isinstance(customer, str) or finished_at is None:
                continue
            key = (user_id, "debrief_nudge", customer.casefold())
            finished = _aware(finished_at)
            if key not in done or done[key] < finished:
                done[key] = finished
    for row in rows:  # the debrief nudge looks its customer up case-insensitively
        if row.kind == "debrief_nudge":
            found = done.get((row.user_id, "debrief_nudge", row.customer.casefold()))
            if found is not None:
                done[(row.user_id, "debrief_nudge", row.customer)] = found
    return done


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


__all__ = [
    "NUDGE_KINDS",
    "REP_KINDS",
    "ClaimReport",
    "Decision",
    "Delivery",
    "Due",
    "NewReminder",
    "PlannedEffect",
    "Postpone",
    "Prefs",
    "ReminderInfo",
    "Reminders",
    "Send",
    "Skip",
]
