"""Debrief summaries for managers, their reviews and coaching notes, as rows.

A rep's finished run leaves a ``manager_notice`` effect (``storage.store``). ``dispatch`` turns
each one into ``review`` rows — one per active manager of the rep's team at that moment — and
marks the effect done, in one transaction: on PostgreSQL the effects are claimed ``FOR UPDATE
SKIP LOCKED`` (a second bot process takes other effects instead of waiting), on SQLite writers
take turns (``BEGIN IMMEDIATE``); the unique ``(effect_id, manager_id)`` makes a second pass a
no-op anyway. A manager who wants summaries at once gets an outbox row in the same commit (the
review becomes ``sent``); one who wants a daily batch gets all pending reviews in one message at
their local ``daily_at`` (``send_daily`` claims them with one conditional ``UPDATE``, so a batch
goes out once even with two claimers). The outbox then delivers them like any reply.

Everything a manager does afterwards — read a review, mark it reviewed, write a coaching note,
invite the rep to a coaching session — takes the manager's ``ManagerScope`` and is limited in SQL
to that manager's own reviews in teams they manage (and reps still in them): a forged review id
of another manager or team raises ``NotYourTeam`` and changes nothing.

The texts are not made here: callers pass pure render functions (``coaching.summaries``).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from coaching.answers import CUSTOMER, DEBRIEF, FEELING_SCORE, GOAL_MET, GOAL_PARTLY
from coaching.ports import Draft, Notice, Reader, Render, RepText, Sent
from dialogs.contract import Contract
from dialogs.zones import zone_of
from reminders.policy import parse_clock
from storage.db import READ_ONLY
from storage.prepared import Prepared
from storage.schema import (
    answer_table,
    effect_table,
    inbox_table,
    membership_table,
    note_table,
    outbox_table,
    reminder_table,
    review_table,
    run_table,
    step_note_table,
    user_table,
)
from storage.teams import ManagerPrefs, ManagerScope, NotYourTeam

REPEAT_NO_GOAL = 3
"""Flag the visit when it is at least the third one in a row to this customer without the goal."""
OVERDUE_AFTER = timedelta(days=1)
"""A follow-up still open this long after its time counts as overdue."""
LOW_FEELING = 2
"""A feeling score at or below this is worth a manager's word."""
VISIT_SCRIPTS = (DEBRIEF.id,)
"""Runs that are customer visits with a goal (the ``no_goal`` flag counts these)."""
CONTRACT = Contract("storage.reviews", (DEBRIEF, CUSTOMER, GOAL_MET, GOAL_PARTLY, FEELING_SCORE))
"""The flags: a visit short of its goal again (``no_goal``), a low feeling."""
NOTE_LENGTH = 2000
DISPATCH_CHUNK = 8
"""Notices turned into reviews per transaction (see ``Reviews.dispatch``)."""


def last_daily_moment(daily_at: str, tz: str, now: datetime) -> datetime:
    """The latest moment at or before ``now`` when the local clock in ``tz`` read ``daily_at``."""
    zone = zone_of(tz)
    clock = parse_clock(daily_at) or time(18, 0)
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), clock, tzinfo=zone)
    if moment > local:
        moment = datetime.combine(local.date() - timedelta(days=1), clock, tzinfo=zone)
    return moment.astimezone(now.tzinfo)


class Reviews:
    """Reviews and notes over the same engine as the store and the teams."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**READ_ONLY)
        self._postgres = engine.dialect.name == "postgresql"
        self._hot = _Dispatching(engine.dialect)

    # --- notices into reviews -------------------------------------------------------------

    def dispatch(self, render: Render, *, now: datetime, limit: int = 200) -> list[Sent]:
        """Turn up to ``limit`` new manager notices into reviews, and summaries for the
        managers who want them at once. Returns what to deliver.

        A few notices per transaction (``DISPATCH_CHUNK``): each takes milliseconds (several
        statements and a rendered summary), and on SQLite every rep's turn waits while the
        transaction holds the write lock; 40 notices in one held it for 150-odd ms (the
        webhook bench's p99)."""
        sent: list[Sent] = []
        while limit > 0:
            chunk = min(limit, DISPATCH_CHUNK)
            taken, committed = self._dispatch_some(render, now=now, limit=chunk)
            sent += committed
            if taken < chunk:
                break
            limit -= taken
        return sent

    def _dispatch_some(
        self, render: Render, *, now: datetime, limit: int
    ) -> tuple[int, list[Sent]]:
        """Up to ``limit`` notices in one transaction: how many were taken, and what to
        deliver."""
        e = effect_table
        query = (
            sa.select(e.c.id, e.c.user_id, e.c.run_id)
            .where(e.c.kind == "manager_notice", e.c.done_at.is_(None))
            .order_by(e.c.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(of=e, skip_locked=True)
        committed: list[Sent] = []
        with self._engine.begin() as conn:
            effects = conn.execute(query).all()
            if not effects:
                return 0, []
            instant: list[tuple[Reader, int]] = []
            for effect in effects:
                if effect.run_id is not None:
                    instant.extend(self._review(conn, effect, now))
            conn.execute(
                sa.update(e).where(e.c.id.in_([row.id for row in effects])).values(done_at=now)
            )
            for reader, review_id in instant:
                notices = self._hot.notice(conn, review_id)
                committed.extend(self._send(conn, reader, notices, render, daily=False, now=now))
        return len(effects), committed

    def _review(self, conn: sa.Connection, effect: Any, now: datetime) -> list[tuple[Reader, int]]:
        """The effect's review rows; (manager, review id) for those who want it at once."""
        hot = self._hot
        with _cursor(conn) as cursor:
            managers = hot.managers.all(hot.managers.run(cursor, {"rep": effect.user_id}))
        if not managers:
            return []
        flags = hot.flags(conn, effect.user_id, effect.run_id, now)
        out: list[tuple[Reader, int]] = []
        with _cursor(conn) as cursor:
            for team_id, prefs, manager_id, key, display_name, lang, tz in managers:
                # an earlier summary of this run (before /edit) no longer waits for the batch
                hot.replace_pending.run(cursor, {"run": effect.run_id, "manager": manager_id})
                made = hot.insert_review.row(
                    cursor,
                    {
                        "team_id": team_id,
                        "effect_id": effect.id,
                        "run_id": effect.run_id,
                        "rep_id": effect.user_id,
                        "manager_id": manager_id,
                        "status": "pending",
                        "flags": list(flags),
                        "created_at": now,
                    },
                )
                if made is None:
                    continue
                if ManagerPrefs.from_json(prefs).summaries == "instant":
                    reader = Reader(manager_id, key, display_name, lang, tz)
                    out.append((reader, int(made[0])))
        return out

    # --- the daily batch ------------------------------------------------------------------

    def send_daily(self, render: Render, *, now: datetime) -> list[Sent]:
        """Each manager's pending reviews once their local ``daily_at`` has come (a manager
        who switched to instant gets what still waits now), one batch per manager and team."""
        rv, m, u = review_table, membership_table, user_table
        query = (
            sa.select(
                rv.c.id,
                rv.c.team_id,
                rv.c.created_at,
                m.c.prefs,
                u.c.id.label("manager_id"),
                u.c.key,
                u.c.display_name,
                u.c.lang,
                u.c.tz,
            )
            .join(m, sa.and_(m.c.team_id == rv.c.team_id, m.c.user_id == rv.c.manager_id))
            .join(u, u.c.id == rv.c.manager_id)
            .where(rv.c.status == "pending", m.c.role == "manager", m.c.status == "active")
            .order_by(rv.c.id)
        )
        with self._reader.connect() as conn:
            rows = conn.execute(query).all()
        batches: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for row in rows:
            batches[(row.manager_id, row.team_id)].append(row)
        sent: list[Sent] = []
        for group in batches.values():
            first = group[0]
            prefs = ManagerPrefs.from_json(first.prefs)
            due = now
            if prefs.summaries == "daily":
                due = last_daily_moment(prefs.daily_at, first.tz, now)
            ids = [row.id for row in group if row.created_at <= due]
            if not ids:
                continue
            reader = Reader(first.manager_id, first.key, first.display_name, first.lang, first.tz)
            with self._engine.begin() as conn:
                claimed = (
                    conn.execute(
                        sa.update(rv)
                        .where(rv.c.id.in_(ids), rv.c.status == "pending")
                        .values(status="sent", sent_at=now)
                        .returning(rv.c.id)
                    )
                    .scalars()
                    .all()
                )
                if not claimed:
                    continue
                notices = _notices(conn, sorted(claimed))
                sent.extend(self._send(conn, reader, notices, render, daily=True, now=now))
        return sent

    def _send(
        self,
        conn: sa.Connection,
        reader: Reader,
        notices: Sequence[Notice],
        render: Render,
        *,
        daily: bool,
        now: datetime,
    ) -> list[Sent]:
        if not notices:
            return []
        rv = review_table
        out = []
        carried: dict[int, int] = {}  # review id -> the outbox row with its summary
        every = [n.review_id for n in notices]
        for draft in render(reader, notices, daily):
            outbox_id = self._hot.outbox(conn, reader.user_id, draft, now)
            out.append(Sent(reader.key, reader.lang, outbox_id, draft))
            for review_id in draft.reviews or every:
                carried.setdefault(review_id, outbox_id)
        values: dict[str, Any] = {"status": "sent", "sent_at": sa.func.coalesce(rv.c.sent_at, now)}
        if carried:
            values["outbox_id"] = sa.case(carried, value=rv.c.id, else_=rv.c.outbox_id)
        conn.execute(sa.update(rv).where(rv.c.id.in_(every)).values(**values))
        return out

    # --- what a manager does, through their scope -----------------------------------------

    def notice(self, scope: ManagerScope, review_id: int) -> Notice:
        """One of the manager's reviews, of a rep still in a team they manage."""
        with self._reader.connect() as conn:
            found = _notices(conn, [review_id], scope)
        if not found:
            raise NotYourTeam(f"review {review_id}")
        scope.run(found[0].run_id)  # the rep is still an active rep of a team they manage
        return found[0]

    def mark_reviewed(self, scope: ManagerScope, review_id: int, *, now: datetime) -> Notice:
        self.notice(scope, review_id)
        rv = review_table
        with self._engine.begin() as conn:
            changed = conn.execute(
                sa.update(rv)
                .where(*_own(scope, review_id))
                .values(status="reviewed", reviewed_at=sa.func.coalesce(rv.c.reviewed_at, now))
            )
            if changed.rowcount != 1:
                raise NotYourTeam(f"review {review_id}")
        return self.notice(scope, review_id)

    def add_note(
        self,
        scope: ManagerScope,
        review_id: int,
        text: str,
        rep_text: RepText,
        *,
        now: datetime,
        source: str = "telegram",
        external_id: str | None = None,
    ) -> Sent | None:
        """A coaching note on the review's run: a note row and the rep's message, in one
        commit; the review counts as reviewed. With ``external_id`` (the update that carried
        the note) recorded in the inbox in the same commit: a redelivered update returns None
        and adds nothing."""
        notice = self.notice(scope, review_id)
        text = text.strip()[:NOTE_LENGTH]
        n, rv, u = note_table, review_table, user_table
        with self._engine.begin() as conn:
            event = {"type": "note", "review": review_id, "text": text}
            if not self._first(conn, scope, source, external_id, event, now):
                return None
            author = conn.execute(
                sa.select(u.c.display_name).where(u.c.id == scope.manager_id)
            ).scalar()
            draft = Draft(rep_text(notice, author or ""))
            outbox_id = self._hot.outbox(conn, notice.rep_id, draft, now)
            # INSERT ... SELECT from the manager's own review: nothing when it is not theirs
            inserted = conn.execute(
                sa.insert(n)
                .from_select(
                    ["team_id", "run_id", "rep_id", "author_id", "text", "created_at", "outbox_id"],
                    sa.select(
                        rv.c.team_id,
                        rv.c.run_id,
                        rv.c.rep_id,
                        rv.c.manager_id,
                        sa.literal(text, n.c.text.type),
                        sa.literal(now, n.c.created_at.type),
                        sa.literal(outbox_id),
                    ).where(*_own(scope, review_id)),
                )
                .returning(n.c.id)
            ).scalar()
            if inserted is None:
                raise NotYourTeam(f"review {review_id}")  # rolls back the rep's message too
            conn.execute(
                sa.update(rv)
                .where(*_own(scope, review_id))
                .values(status="reviewed", reviewed_at=sa.func.coalesce(rv.c.reviewed_at, now))
            )
        return Sent(notice.rep_key, notice.rep_lang, outbox_id, draft)

    def invite(
        self,
        scope: ManagerScope,
        review_id: int,
        rep_text: RepText,
        *,
        now: datetime,
        buttons: tuple[tuple[tuple[str, str], ...], ...] = (),
        source: str = "telegram",
        external_id: str | None = None,
    ) -> Sent | None:
        """The manager asks the rep to a coaching session (``rep_text`` names the skill;
        ``buttons``: the rep's, e.g. one that starts it). None: a redelivered update."""
        notice = self.notice(scope, review_id)
        u = user_table
        with self._engine.begin() as conn:
            event = {"type": "coach", "review": review_id}
            if not self._first(conn, scope, source, external_id, event, now):
                return None
            author = conn.execute(
                sa.select(u.c.display_name).where(u.c.id == scope.manager_id)
            ).scalar()
            draft = Draft(rep_text(notice, author or ""), buttons)
            own = conn.execute(sa.select(review_table.c.id).where(*_own(scope, review_id)))
            if own.first() is None:
                raise NotYourTeam(f"review {review_id}")
            outbox_id = self._hot.outbox(conn, notice.rep_id, draft, now)
        return Sent(notice.rep_key, notice.rep_lang, outbox_id, draft)

    def _first(
        self,
        conn: sa.Connection,
        scope: ManagerScope,
        source: str,
        external_id: str | None,
        event: dict[str, Any],
        now: datetime,
    ) -> bool:
        """Record the update that asked for this in the inbox: False when it was handled before
        (a redelivery), so the caller does nothing twice."""
        if external_id is None:
            return True
        i = inbox_table
        claimed = conn.execute(
            _insert(self._engine.dialect)(i)
            .values(
                user_id=scope.manager_id,
                source=source,
                external_id=external_id,
                event=event,
                received_at=now,
                processed_at=now,
            )
            .on_conflict_do_nothing(index_elements=[i.c.source, i.c.external_id])
            .returning(i.c.id)
        ).scalar()
        return claimed is not None

    def drafts(self, outbox_ids: Sequence[int]) -> dict[int, Draft]:
        """The outbox rows among ``outbox_ids`` made here with buttons, as drafts: a restarted
        sender resends them with their buttons (``reply_from_json`` knows only the text)."""
        if not outbox_ids:
            return {}
        o = outbox_table
        query = sa.select(o.c.id, o.c.payload).where(o.c.id.in_(list(outbox_ids)))
        out: dict[int, Draft] = {}
        with self._reader.connect() as conn:
            for row in conn.execute(query):
                buttons = row.payload.get("buttons") if isinstance(row.payload, dict) else None
                if buttons:
                    rows = tuple(tuple((str(t), str(d)) for t, d in line) for line in buttons)
                    out[row.id] = Draft(str(row.payload.get("text", "")), rows)
        return out

    def notes_of(self, scope: ManagerScope, run_id: int) -> list[tuple[str, datetime]]:
        """The notes on a run of the manager's teams: (text, when), oldest first."""
        scope.run(run_id)
        n = note_table
        query = (
            sa.select(n.c.text, n.c.created_at)
            .where(n.c.run_id == run_id, n.c.team_id.in_(scope.managed_ids()))
            .order_by(n.c.id)
        )
        with self._reader.connect() as conn:
            return [(row.text, row.created_at) for row in conn.execute(query)]

    def pending(self, scope: ManagerScope) -> list[Notice]:
        """The manager's reviews not yet marked reviewed, oldest first."""
        rv = review_table
        query = sa.select(rv.c.id).where(
            rv.c.manager_id == scope.manager_id,
            rv.c.team_id.in_(scope.managed_ids()),
            rv.c.status.in_(("pending", "sent")),
        )
        with self._reader.connect() as conn:
            ids = list(conn.execute(query).scalars())
            return _notices(conn, ids, scope)


def _own(scope: ManagerScope, review_id: int) -> tuple[Any, ...]:
    """The manager's own review, in a team they manage."""
    rv = review_table
    return (
        rv.c.id == review_id,
        rv.c.manager_id == scope.manager_id,
        rv.c.team_id.in_(scope.managed_ids()),
    )


_NOTICE_COLUMNS = (
    review_table.c.id,
    review_table.c.team_id,
    review_table.c.run_id,
    review_table.c.rep_id,
    review_table.c.flags,
    review_table.c.status,
    run_table.c.no,
    run_table.c.script,
    run_table.c.summary,
    run_table.c.finished_at,
    user_table.c.key,
    user_table.c.display_name,
    user_table.c.lang,
    user_table.c.tz,
)
_NOTICE_FROM = review_table.join(run_table, run_table.c.id == review_table.c.run_id).join(
    user_table, user_table.c.id == review_table.c.rep_id
)


class _NoticeRow(NamedTuple):
    """A row of ``_NOTICE_COLUMNS``, in their order."""

    id: int
    team_id: int
    run_id: int
    rep_id: int
    flags: Any
    status: str
    no: int
    script: str
    summary: str | None
    finished_at: datetime | None
    key: str
    display_name: str | None
    lang: str
    tz: str


def _notice(row: Any, answers: dict[str, Any], notes: Sequence[str]) -> Notice:
    return Notice(
        review_id=row.id,
        team_id=row.team_id,
        run_id=row.run_id,
        run_no=row.no,
        script=row.script,
        summary=row.summary or "",
        answers=answers,
        rep_id=row.rep_id,
        rep_key=row.key,
        rep_name=row.display_name or row.key,
        rep_lang=row.lang,
        rep_tz=row.tz,
        flags=tuple(str(flag) for flag in (row.flags or ())),
        status=row.status,
        finished_at=row.finished_at,
        notes=tuple(notes),
    )


def _notices(
    conn: sa.Connection, review_ids: Sequence[int], scope: ManagerScope | None = None
) -> list[Notice]:
    if not review_ids:
        return []
    rv, a = review_table, answer_table
    query = (
        sa.select(*_NOTICE_COLUMNS)
        .select_from(_NOTICE_FROM)
        .where(rv.c.id.in_(list(review_ids)))
        .order_by(rv.c.id)
    )
    if scope is not None:
        query = query.where(
            rv.c.manager_id == scope.manager_id, rv.c.team_id.in_(scope.managed_ids())
        )
    rows = conn.execute(query).all()
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    run_ids = {row.run_id for row in rows}
    if run_ids:
        for run_id, step, value in conn.execute(
            sa.select(a.c.run_id, a.c.step, a.c.value).where(a.c.run_id.in_(run_ids))
        ):
            answers[run_id][step] = value
    notes: dict[int, list[str]] = defaultdict(list)
    if run_ids:
        n = step_note_table
        for run_id, text in conn.execute(
            sa.select(n.c.run_id, n.c.text).where(n.c.run_id.in_(run_ids)).order_by(n.c.id)
        ):
            notes[run_id].append(text)
    return [_notice(row, answers.get(row.run_id, {}), notes.get(row.run_id, ())) for row in rows]


def _short_of_goal(goal_met: object) -> bool:
    """A goal met only partly is still a visit without the goal: it continues the streak."""
    return goal_met is False or goal_met == GOAL_PARTLY.value


def _bp(name: str) -> sa.BindParameter[Any]:
    return sa.bindparam(name)


def _any_of(column: sa.ColumnElement[Any], values: Sequence[str]) -> sa.ColumnElement[bool]:
    """``column IN values`` written out as ORs: a prepared statement has no expanding IN."""
    return sa.or_(*(column == value for value in values))


@contextlib.contextmanager
def _cursor(conn: sa.Connection) -> Iterator[Any]:
    """A DBAPI cursor in ``conn``'s transaction, closed after use (on SQLite a cursor left
    open keeps a read snapshot: see ``storage.store._Cursors``)."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    finally:
        cursor.close()


class _Dispatching:
    """What dispatching one notice runs, compiled once per dialect (``storage.prepared``):
    built and executed through ``Connection.execute`` each time, its dozen statements cost
    about 3.7 ms a notice — the summary tick was a tenth of the webhook worker's CPU
    (bench/README.md)."""

    def __init__(self, dialect: sa.Dialect) -> None:
        m, u, rv, a, r, rem = (
            membership_table,
            user_table,
            review_table,
            answer_table,
            run_table,
            reminder_table,
        )
        o, n = outbox_table, step_note_table
        insert = _insert(dialect)
        rep_team = (
            sa.select(m.c.team_id)
            .where(m.c.user_id == _bp("rep"), m.c.role == "rep", m.c.status == "active")
            .scalar_subquery()
        )
        self.managers = Prepared(
            sa.select(m.c.team_id, m.c.prefs, u.c.id, u.c.key, u.c.display_name, u.c.lang, u.c.tz)
            .join(u, u.c.id == m.c.user_id)
            .where(
                m.c.team_id == rep_team,
                m.c.role == "manager",
                m.c.status == "active",
                m.c.user_id != _bp("rep"),
            )
            .order_by(m.c.id),
            dialect,
        )
        self.replace_pending = Prepared(
            sa.update(rv)
            .where(
                rv.c.run_id == _bp("run"),
                rv.c.manager_id == _bp("manager"),
                rv.c.status == "pending",
            )
            .values(status="replaced"),
            dialect,
        )
        review_columns = (
            "team_id",
            "effect_id",
            "run_id",
            "rep_id",
            "manager_id",
            "status",
            "flags",
            "created_at",
        )
        self.insert_review = Prepared(
            insert(rv)
            .on_conflict_do_nothing(index_elements=[rv.c.effect_id, rv.c.manager_id])
            .returning(rv.c.id),
            dialect,
            column_keys=list(review_columns),
        )
        self.insert_outbox = Prepared(
            sa.insert(o).returning(o.c.id),
            dialect,
            column_keys=["user_id", "payload", "created_at", "attempts"],
        )
        flagged = (CUSTOMER.step, GOAL_MET.step, FEELING_SCORE.step)
        self.this_run = Prepared(
            sa.select(a.c.step, a.c.value).where(
                a.c.run_id == _bp("run"), _any_of(a.c.step, flagged)
            ),
            dialect,
        )
        self.script = Prepared(sa.select(r.c.script).where(r.c.id == _bp("run")), dialect)
        self.visits = Prepared(
            sa.select(r.c.id, r.c.finished_at, a.c.step, a.c.value)
            .join(a, a.c.run_id == r.c.id)
            .where(
                r.c.user_id == _bp("rep"),
                _any_of(r.c.script, VISIT_SCRIPTS),
                sa.or_(r.c.status == "finished", r.c.id == _bp("run")),
                _any_of(a.c.step, (CUSTOMER.step, GOAL_MET.step)),
            ),
            dialect,
        )
        self.overdue = Prepared(
            sa.select(sa.func.count())
            .select_from(rem)
            .where(
                rem.c.user_id == _bp("rep"),
                rem.c.kind == "follow_up",
                _any_of(rem.c.status, ("pending", "sent")),
                rem.c.due_at <= sa.bindparam("before", type_=rem.c.due_at.type),
            ),
            dialect,
        )
        self.notice_row = Prepared(
            sa.select(*_NOTICE_COLUMNS).select_from(_NOTICE_FROM).where(rv.c.id == _bp("review")),
            dialect,
        )
        self.answers = Prepared(
            sa.select(a.c.step, a.c.value).where(a.c.run_id == _bp("run")), dialect
        )
        self.notes = Prepared(
            sa.select(n.c.text).where(n.c.run_id == _bp("run")).order_by(n.c.id), dialect
        )

    def notice(self, conn: sa.Connection, review_id: int) -> list[Notice]:
        """``_notices(conn, [review_id])``, prepared."""
        with _cursor(conn) as cursor:
            found = self.notice_row.row(cursor, {"review": review_id})
            if found is None:
                return []
            row = _NoticeRow(*found)
            run = {"run": row.run_id}
            answers = dict(self.answers.all(self.answers.run(cursor, run)))
            notes = [text for (text,) in self.notes.all(self.notes.run(cursor, run))]
        return [_notice(row, answers, notes)]

    def outbox(self, conn: sa.Connection, user_id: int, draft: Draft, now: datetime) -> int:
        """An outbox row for ``draft`` (see ``_payload``); returns its id."""
        params = {"user_id": user_id, "payload": _payload(draft), "created_at": now, "attempts": 0}
        with _cursor(conn) as cursor:
            made = self.insert_outbox.row(cursor, params)
        assert made is not None, "INSERT ... RETURNING returned no row"
        return int(made[0])

    def flags(
        self, conn: sa.Connection, rep_id: int, run_id: int, now: datetime
    ) -> tuple[str, ...]:
        """What a manager should notice about this run, computed when it is dispatched."""
        flags: list[str] = []
        with _cursor(conn) as cursor:
            this = dict(self.this_run.all(self.this_run.run(cursor, {"run": run_id})))
            found = self.script.row(cursor, {"run": run_id})
            script = found[0] if found is not None else None
            customer = this.get(CUSTOMER.step)
            missed = _short_of_goal(this.get(GOAL_MET.step))
            if script in VISIT_SCRIPTS and isinstance(customer, str) and missed:
                visited = self.visits.run(cursor, {"rep": rep_id, "run": run_id})
                streak = _streak(self.visits.all(visited), run_id, customer)
                if streak >= REPEAT_NO_GOAL:
                    flags.append(f"no_goal:{streak}")
            counted = self.overdue.row(cursor, {"rep": rep_id, "before": now - OVERDUE_AFTER})
        overdue = counted[0] if counted is not None else 0
        if overdue:
            flags.append(f"overdue:{overdue}")
        score = this.get(FEELING_SCORE.step)
        if isinstance(score, int | float) and not isinstance(score, bool) and score <= LOW_FEELING:
            flags.append("low_feeling")
        return tuple(flags)


def _streak(rows: Sequence[tuple[Any, ...]], run_id: int, customer: str) -> int:
    """Visits in a row to ``customer`` short of their goal, up to this run (``rows``: run id,
    finished at, step, value of each visit's customer and goal answers)."""
    visits: dict[int, dict[str, Any]] = defaultdict(dict)
    order: dict[int, Any] = {}
    for rid, finished_at, step, value in rows:
        visits[rid][step] = value
        order[rid] = (rid == run_id, finished_at, rid)
    streak = 0
    wanted = customer.strip().casefold()
    for rid in sorted(visits, key=lambda rid: order[rid]):
        visit = visits[rid]
        name = visit.get(CUSTOMER.step)
        if not isinstance(name, str) or name.strip().casefold() != wanted:
            continue
        streak = streak + 1 if _short_of_goal(visit.get(GOAL_MET.step)) else 0
    return streak


def _payload(draft: Draft) -> dict[str, Any]:
    """An outbox row's payload for ``draft``: a ``say`` (what a restarted sender resends) plus
    buttons."""
    payload: dict[str, Any] = {"type": "say", "text": draft.text}
    if draft.buttons:
        payload["buttons"] = [[list(button) for button in row] for row in draft.buttons]
    return payload


def _insert(dialect: sa.Dialect) -> Any:
    return postgresql.insert if dialect.name == "postgresql" else sqlite.insert


__all__ = [
    "Draft",
    "Notice",
    "Reader",
    "Render",
    "RepText",
    "Reviews",
    "Sent",
    "last_daily_moment",
]
