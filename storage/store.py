"""The unit of work: one event of one user, handled in one database transaction.

``Store.handle`` gets or creates the user, takes the user's lock, recognises a redelivered event,
runs the (pure) turn function on the stored state and writes everything the turn produced — new
state, inbox row, runs, answers, effect rows and one outbox row per reply — before it commits.
Nothing about a user is kept in memory between calls: any number of ``Store`` objects, threads or
processes on one database continue every conversation.

Serialising one user's turns: on SQLite every write transaction starts with ``BEGIN IMMEDIATE``
(``storage.db``), on PostgreSQL the user's conversation row is read ``FOR UPDATE``. The state is
written back with ``UPDATE ... WHERE version = <the version read>`` as well: should the lock ever be
missing (``Store(..., lock=False)``, a hand-made engine), a concurrent writer is detected, the
transaction rolled back and the turn computed again on the new state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from coaching.ports import OutboxItem, Profile, TurnResult, TurnStore
from dialogs.state import Conversation, Run, from_json, to_json
from dialogs.types import (
    LANGS,
    AnswerDropped,
    AnswerSaved,
    Context,
    Effect,
    Event,
    NoteKept,
    Reply,
    RunDiscarded,
    RunDrafted,
    RunFinished,
    RunResumed,
    RunStarted,
    Turn,
    lang_of,
)
from storage.codec import (
    EFFECT_KIND,
    effect_from_json,
    effect_to_json,
    event_to_json,
    reply_from_json,
    reply_to_json,
)
from storage.db import READ_ONLY, WriteQueue, write_queue
from storage.leases import MAX_ATTEMPTS as OUTBOX_MAX_ATTEMPTS
from storage.leases import claim_statement as outbox_claim
from storage.leases import lock_user as outbox_lock_user
from storage.prepared import Prepared
from storage.schema import (
    answer_table,
    conversation_table,
    effect_table,
    inbox_table,
    outbox_table,
    reminder_table,
    run_table,
    step_note_table,
    user_table,
)

TurnFn = Callable[[Conversation, Event, Context], Turn]
"""The engine with its catalog bound, e.g. ``functools.partial(dialogs.engine.step, catalog)``."""

SUPERSEDED_KINDS = ("run_finished", "manager_notice", "follow_up", "revisit")
"""Effect rows of a run that a revised finish (``RunFinished.revised``, after /edit) replaces."""
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


@dataclass(frozen=True)
class UserInfo:
    id: int
    key: str
    display_name: str
    lang: str
    tz: str
    created_at: datetime
    active: bool


@dataclass(frozen=True)
class RunInfo:
    no: int
    script: str
    script_version: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    summary: str | None


@dataclass(frozen=True)
class EffectInfo:
    id: int
    kind: str
    effect: Effect
    created_at: datetime
    done_at: datetime | None


class ConflictError(RuntimeError):
    """A turn lost the race for the user's conversation more often than the store retries."""


_Loaded = tuple[int, str, str, int, dict[str, Any]]
"""user id, lang, tz, conversation version, conversation state (JSON)."""


class _NoQueue:
    """PostgreSQL needs no in-process queue: the row lock orders one user's turns."""

    def acquire(self) -> None:
        pass

    def release(self) -> None:
        pass


class _VersionConflict(Exception):
    pass


class _Duplicate(Exception):
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id


def _bp(name: str, type_: Any = None) -> sa.BindParameter[Any]:
    return sa.bindparam(name, type_=type_)


class _Statements:
    """The hot path's Core statements, compiled once for the engine's dialect (``Prepared``)."""

    def __init__(self, dialect: sa.Dialect, lock: bool) -> None:
        u, c, i = user_table, conversation_table, inbox_table
        r, a, o, e = run_table, answer_table, outbox_table, effect_table
        m = reminder_table
        pg = dialect.name == "postgresql"
        insert: Any = postgresql.insert if pg else sqlite.insert

        def prepare(statement: Any, *columns: str) -> Prepared:
            return Prepared(statement, dialect, column_keys=list(columns) or None)

        self.begin = "BEGIN IMMEDIATE" if dialect.name == "sqlite" else ""
        load = (
            sa.select(u.c.id, u.c.lang, u.c.tz, c.c.version, c.c.state)
            .select_from(u.join(c, c.c.user_id == u.c.id))
            .where(u.c.key == _bp("key"))
        )
        if lock and pg:
            load = load.with_for_update(of=c)
        self.load = prepare(load)
        self.insert_user = prepare(
            insert(u).on_conflict_do_nothing(index_elements=[u.c.key]),
            *("key", "display_name", "lang", "tz", "created_at", "active"),
        )
        self.user_id = prepare(sa.select(u.c.id).where(u.c.key == _bp("key")))
        self.insert_conversation = prepare(
            insert(c).on_conflict_do_nothing(index_elements=[c.c.user_id]),
            *("user_id", "version", "state", "updated_at"),
        )
        claim = insert(i).from_select(
            ["user_id", "source", "external_id", "event", "received_at", "processed_at"],
            sa.select(
                u.c.id,
                _bp("source", i.c.source.type),
                _bp("external_id", i.c.external_id.type),
                _bp("event", i.c.event.type),
                _bp("received_at", i.c.received_at.type),
                _bp("processed_at", i.c.processed_at.type),
            ).where(u.c.key == _bp("key")),
        )
        self.claim = prepare(
            claim.on_conflict_do_nothing(index_elements=[i.c.source, i.c.external_id]).returning(
                i.c.id
            )
        )
        self.save_state = prepare(
            sa.update(c)
            .where(c.c.user_id == _bp("uid"), c.c.version == _bp("old_version"))
            .values(
                state=_bp("new_state", c.c.state.type),
                version=c.c.version + 1,
                updated_at=_bp("now", c.c.updated_at.type),
            )
        )

        def run_id() -> Any:
            return (
                sa.select(r.c.id)
                .where(r.c.user_id == _bp("uid"), r.c.no == _bp("run"))
                .scalar_subquery()
            )

        self.insert_run = prepare(
            sa.insert(r),
            *("user_id", "no", "script", "script_version", "status", "started_at"),
        )
        upsert = insert(a).from_select(
            ["run_id", "step", "value", "answered_at", "revision"],
            sa.select(
                r.c.id,
                _bp("step", a.c.step.type),
                _bp("value", a.c.value.type),
                _bp("now", a.c.answered_at.type),
                sa.literal(0),
            ).where(r.c.user_id == _bp("uid"), r.c.no == _bp("run")),
        )
        self.upsert_answer = prepare(
            upsert.on_conflict_do_update(
                index_elements=[a.c.run_id, a.c.step],
                set_={
                    "value": upsert.excluded.value,
                    "answered_at": upsert.excluded.answered_at,
                    "revision": a.c.revision + 1,
                },
            )
        )
        self.delete_answer = prepare(
            sa.delete(a).where(a.c.run_id == run_id(), a.c.step == _bp("step"))
        )
        run_key = (r.c.user_id == _bp("uid"), r.c.no == _bp("run"))
        # drafted or resumed (a draft, or a finished run reopened by /edit): not finished
        self.run_status = prepare(
            sa.update(r).where(*run_key).values(status=_bp("status"), finished_at=None)
        )
        self.supersede = prepare(
            sa.update(e)
            .where(
                e.c.user_id == _bp("uid"),
                e.c.run_id == run_id(),
                sa.or_(*(e.c.kind == kind for kind in SUPERSEDED_KINDS)),
                e.c.done_at.is_(None),
            )
            .values(done_at=_bp("now", e.c.done_at.type))
        )
        self.cancel_reminders = prepare(
            sa.update(m)
            .where(m.c.user_id == _bp("uid"), m.c.run_no == _bp("run"), m.c.status == "pending")
            .values(
                status="cancelled",
                closed_at=_bp("now", m.c.closed_at.type),
                updated_at=_bp("now", m.c.updated_at.type),
            )
        )
        self.run_closed = prepare(
            sa.update(r)
            .where(*run_key)
            .values(
                status=_bp("status"),
                finished_at=_bp("now", r.c.finished_at.type),
                summary=_bp("summary", r.c.summary.type),
            )
        )
        self.insert_effect = prepare(
            sa.insert(e).values(
                user_id=_bp("uid"),
                run_id=run_id(),
                kind=_bp("kind"),
                payload=_bp("payload", e.c.payload.type),
                created_at=_bp("now", e.c.created_at.type),
            )
        )
        n = step_note_table
        self.insert_note = prepare(
            sa.insert(n).values(
                run_id=run_id(),
                step=_bp("step", n.c.step.type),
                text=_bp("text", n.c.text.type),
                created_at=_bp("now", n.c.created_at.type),
            )
        )
        self.insert_outbox = prepare(
            sa.insert(o).returning(o.c.id), "user_id", "payload", "created_at", "attempts"
        )
        lock_user = outbox_lock_user(dialect)
        self.lock_outbox = prepare(lock_user) if lock_user is not None else None
        self.claim_outbox = prepare(outbox_claim(o.c.user_id == _bp("uid")))


class Store:
    """Durable conversations: ``handle`` runs one turn in one transaction. Thread-safe."""

    def __init__(
        self,
        engine: sa.Engine,
        turn: TurnFn,
        *,
        lock: bool = True,
        retries: int = 5,
        claim_as: str | None = None,
        lease: float = 30.0,
    ) -> None:
        """``claim_as``: the bot process's name (``storage.outbox``): each turn claims its replies
        for it (with a ``lease`` in seconds) unless another process holds the user's chat."""
        self._engine = engine
        self._claim_as = claim_as
        self._lease = timedelta(seconds=lease)
        self._turn = turn
        self._lock = lock
        self._retries = retries
        self._sql = _Statements(engine.dialect, lock)
        self._reader = engine.execution_options(**READ_ONLY)
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._pipeline = engine.dialect.name == "postgresql" and _pipeline_supported()
        self._writers: WriteQueue | _NoQueue = write_queue(engine) or _NoQueue()

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    @property
    def claim_as(self) -> str | None:
        """The process name the turns claim their replies for (None: they claim nothing)."""
        return self._claim_as

    # --- the hot path ---------------------------------------------------------------------------

    def handle(
        self,
        profile: Profile,
        event: Event,
        *,
        now: datetime,
        source: str = "console",
        external_id: str | None = None,
    ) -> TurnResult:
        """Apply ``event`` to ``profile``'s conversation and commit everything, or nothing.

        Raises whatever the turn function raises (after rolling back), ``ConflictError`` when
        concurrent writers won more than ``retries`` times in a row, and database errors as
        ``sqlalchemy.exc.DBAPIError`` subclasses.
        """
        if now.tzinfo is None:
            raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
        inbox = {
            "source": source,
            "external_id": external_id,
            "event": event_to_json(event),
            "received_at": now,
            "processed_at": now,
        }
        for attempt in range(self._retries + 1):
            try:
                return self._attempt(profile, event, now, inbox)
            except _Duplicate as duplicate:
                return TurnResult((), (), True, duplicate.user_id)
            except _VersionConflict:
                continue
            except self._dbapi_error as error:
                sqlstate = getattr(error, "sqlstate", None)
                if sqlstate in RETRYABLE_SQLSTATES and attempt < self._retries:
                    continue
                raise DBAPIError.instance(None, None, error, self._dbapi_error) from error
        raise ConflictError(
            f"{profile.key}: conversation changed concurrently {self._retries + 1} times in a row"
        )

    def _attempt(
        self, profile: Profile, event: Event, now: datetime, inbox: dict[str, Any]
    ) -> TurnResult:
        """One try: the whole turn in one transaction on a pooled DBAPI connection.

        With ``lock`` (the default) the user's lock is taken first (SQLite: ``BEGIN IMMEDIATE``;
        PostgreSQL: ``FOR UPDATE``) and held through the turn. Without it the state is read in a
        transaction of its own, and only the version check protects the write. On PostgreSQL the
        statements that don't depend on each other go in one round trip (psycopg pipeline mode).
        """
        sql = self._sql
        key = {"key": profile.key}
        claim = {"key": profile.key, **inbox}
        writers = self._writers  # SQLite: this process's writers take turns, first come first
        held = False
        raw = self._engine.raw_connection()
        cursors = _Cursors(raw)
        try:
            writers.acquire()
            held = True
            cursor = cursors.new()
            if sql.begin:
                cursor.execute(sql.begin)
            claiming = None
            with self._batch(raw):
                loading = sql.load.run(cursors.new(), key)
                if self._lock:
                    claiming = sql.claim.run(cursors.new(), claim)
            row = sql.load.first(loading)
            if row is None:
                # First contact. Start over: on PostgreSQL the claim above may have found the
                # user committed meanwhile by a concurrent first turn, and inserted the inbox row
                # before this turn holds the lock. Create the user, then lock and claim.
                cursors.close()
                raw.rollback()
                cursor = cursors.new()
                if sql.begin:
                    cursor.execute(sql.begin)
                row = self._create(cursor, profile, now)
                if self._lock:
                    claiming = sql.claim.run(cursors.new(), claim)
            uid, lang, tz, version, state_json = cast(_Loaded, row)
            if claiming is not None and sql.claim.first(claiming) is None:
                raise _Duplicate(uid)
            if not self._lock:
                raw.commit()
                held = False
                writers.release()
            state = from_json(state_json)
            turn = self._turn(state, event, _context(now, lang, tz, probes=profile.probes))
            with self._batch(raw):
                if not self._lock:
                    writers.acquire()
                    held = True
                    if sql.begin:
                        cursor.execute(sql.begin)
                    claiming = sql.claim.run(cursors.new(), claim)
                saving = sql.save_state.run(
                    cursors.new(),
                    {
                        "uid": uid,
                        "old_version": version,
                        "new_state": to_json(turn.state),
                        "now": now,
                    },
                )
                for effect in turn.effects:
                    self._apply(cursor, uid, state, effect, now)
                inserting = [
                    sql.insert_outbox.run(
                        cursors.new(),
                        {
                            "user_id": uid,
                            "payload": reply_to_json(reply),
                            "created_at": now,
                            "attempts": 0,
                        },
                    )
                    for reply in turn.replies
                ]
                taking = None
                if self._claim_as is not None and turn.replies:
                    if sql.lock_outbox is not None:
                        sql.lock_outbox.run(cursors.new(), {"uid": uid})
                    taking = sql.claim_outbox.run(
                        cursors.new(),
                        {
                            "uid": uid,
                            "owner": self._claim_as,
                            "now": now,
                            "until": now + self._lease,
                            "max_attempts": OUTBOX_MAX_ATTEMPTS,
                        },
                    )
            if not self._lock and sql.claim.first(claiming) is None:
                raise _Duplicate(uid)
            if saving.rowcount != 1:
                raise _VersionConflict
            outbox_ids = tuple(_returned_id(sql.insert_outbox, c) for c in inserting)
            claimed = None
            if taking is not None:
                claimed = tuple(
                    OutboxItem(row[0], profile.key, reply_from_json(row[2]), row[3], row[4])
                    for row in sorted(sql.claim_outbox.all(taking))
                )
            raw.commit()
        except BaseException:
            try:
                cursors.close()
                raw.rollback()
            except Exception:
                raw.invalidate()
            raise
        finally:
            cursors.close()
            if held:
                writers.release()
            raw.close()
        finished = any(isinstance(effect, RunFinished) for effect in turn.effects)
        return TurnResult(turn.replies, outbox_ids, False, uid, lang, finished, claimed)

    def _batch(self, raw: Any) -> AbstractContextManager[Any]:
        """psycopg's pipeline mode on PostgreSQL (one round trip), nothing on SQLite."""
        if self._pipeline:
            return cast(AbstractContextManager[Any], raw.dbapi_connection.pipeline())
        return nullcontext()

    def _create(self, cursor: Any, profile: Profile, now: datetime) -> tuple[Any, ...]:
        """Create the user and an empty conversation (unless a concurrent turn just did)."""
        sql = self._sql
        sql.insert_user.run(
            cursor,
            {
                "key": profile.key,
                "display_name": profile.display_name,
                "lang": lang_of(profile.lang),
                "tz": profile.tz if _valid_tz(profile.tz) else "UTC",
                "created_at": now,
                "active": True,
            },
        )
        user = sql.user_id.row(cursor, {"key": profile.key})
        assert user is not None
        sql.insert_conversation.run(
            cursor,
            {"user_id": user[0], "version": 0, "state": to_json(Conversation()), "updated_at": now},
        )
        row = sql.load.row(cursor, {"key": profile.key})
        assert row is not None
        return row

    def _apply(
        self, cursor: Any, uid: int, old: Conversation, effect: Effect, now: datetime
    ) -> None:
        sql = self._sql
        if isinstance(effect, NoteKept):
            note = {"uid": uid, "run": effect.run_no, "step": effect.step, "text": effect.text}
            sql.insert_note.run(cursor, {**note, "now": now})
            return
        if isinstance(effect, AnswerSaved):
            if _unchanged(old, effect):
                return
            sql.upsert_answer.run(
                cursor,
                {
                    "uid": uid,
                    "run": effect.run,
                    "step": effect.step,
                    "value": effect.value,
                    "now": now,
                },
            )
        elif isinstance(effect, RunStarted):
            sql.insert_run.run(
                cursor,
                {
                    "user_id": uid,
                    "no": effect.run,
                    "script": effect.script,
                    "script_version": effect.version,
                    "status": "active",
                    "started_at": now,
                },
            )
        elif isinstance(effect, AnswerDropped):
            sql.delete_answer.run(cursor, {"uid": uid, "run": effect.run, "step": effect.step})
        elif isinstance(effect, RunDrafted | RunResumed):
            status = "draft" if isinstance(effect, RunDrafted) else "active"
            sql.run_status.run(cursor, {"uid": uid, "run": effect.run, "status": status})
        elif isinstance(effect, RunDiscarded | RunFinished):
            finished = isinstance(effect, RunFinished)
            if isinstance(effect, RunFinished) and effect.revised:
                # finished again after /edit: the new finish, notice and follow-up replace the
                # earlier ones, which consumers must no longer act on
                sql.supersede.run(cursor, {"uid": uid, "run": effect.run, "now": now})
                # ... and so do its reminders: the planner brings back the ones it still wants
                sql.cancel_reminders.run(cursor, {"uid": uid, "run": effect.run, "now": now})
            sql.run_closed.run(
                cursor,
                {
                    "uid": uid,
                    "run": effect.run,
                    "status": "finished" if finished else "discarded",
                    "summary": effect.summary if isinstance(effect, RunFinished) else None,
                    "now": now,
                },
            )
        kind = EFFECT_KIND.get(type(effect))
        if kind is not None:
            sql.insert_effect.run(
                cursor,
                {
                    "uid": uid,
                    "run": effect.run,
                    "kind": kind,
                    "payload": effect_to_json(effect),
                    "now": now,
                },
            )

    # --- the sender's side ----------------------------------------------------------------------

    def mark_sent(self, outbox_ids: Sequence[int], *, now: datetime) -> None:
        """The replies were delivered: they leave ``unsent``."""
        if not outbox_ids:
            return
        o = outbox_table
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(o)
                .where(o.c.id.in_(list(outbox_ids)), o.c.sent_at.is_(None))
                .values(sent_at=now, attempts=o.c.attempts + 1)
            )

    def mark_failed(self, outbox_ids: Sequence[int]) -> None:
        """A delivery attempt failed: count it (the replies stay unsent)."""
        if not outbox_ids:
            return
        o = outbox_table
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(o)
                .where(o.c.id.in_(list(outbox_ids)), o.c.sent_at.is_(None))
                .values(attempts=o.c.attempts + 1)
            )

    def unsent(self, user_key: str) -> list[tuple[int, Reply]]:
        """The user's replies not yet marked sent, oldest first (for a sender that restarts)."""
        o, u = outbox_table, user_table
        query = (
            sa.select(o.c.id, o.c.payload)
            .join(u, u.c.id == o.c.user_id)
            .where(u.c.key == user_key, o.c.sent_at.is_(None))
            .order_by(o.c.id)
        )
        with self._reader.connect() as conn:
            return [(row.id, reply_from_json(row.payload)) for row in conn.execute(query)]

    def pending_outbox(self, *, limit: int = 100) -> list[OutboxItem]:
        """Every user's undelivered replies, oldest first: what a restarted sender resumes with."""
        o, u = outbox_table, user_table
        query = (
            sa.select(o.c.id, u.c.key, o.c.payload, o.c.attempts, o.c.created_at)
            .join(u, u.c.id == o.c.user_id)
            .where(o.c.sent_at.is_(None), u.c.active.is_(True))
            .order_by(o.c.id)
            .limit(limit)
        )
        with self._reader.connect() as conn:
            return [
                OutboxItem(
                    row.id, row.key, reply_from_json(row.payload), row.attempts, row.created_at
                )
                for row in conn.execute(query)
            ]

    # --- preferences ------------------------------------------------------------------------------

    def set_language(self, key: str, lang: str) -> None:
        """The rep's language for every later turn; creates the user when missing."""
        if lang not in LANGS:
            raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGS)}")
        self._set_user(key, lang=lang)

    def set_timezone(self, key: str, tz: str) -> None:
        """The rep's IANA time zone (``Asia/Shanghai``); creates the user when missing."""
        if not _valid_tz(tz):
            raise ValueError(f"unknown time zone {tz!r}")
        self._set_user(key, tz=tz)

    def set_active(self, key: str, active: bool) -> None:
        """False when the rep blocked the bot; true again when they come back."""
        self._set_user(key, active=active)

    def _set_user(self, key: str, **values: Any) -> None:
        u = user_table
        insert: Any = (
            postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        )
        new = {"key": key, "display_name": "", "lang": "en", "tz": "UTC", "active": True}
        with self._engine.begin() as conn:
            conn.execute(
                insert(u)
                .values(**new, created_at=datetime.now(UTC))
                .on_conflict_do_nothing(index_elements=[u.c.key])
            )
            conn.execute(sa.update(u).where(u.c.key == key).values(**values))

    # --- the read side ------------------------------------------------------------------------

    def user(self, key: str) -> UserInfo | None:
        u = user_table
        with self._reader.connect() as conn:
            row = conn.execute(
                sa.select(
                    u.c.id, u.c.key, u.c.display_name, u.c.lang, u.c.tz, u.c.created_at, u.c.active
                ).where(u.c.key == key)
            ).first()
        return UserInfo(*row) if row is not None else None

    def conversation(self, key: str) -> Conversation:
        """The user's dialog state; an empty ``Conversation`` for an unknown user."""
        u, c = user_table, conversation_table
        query = sa.select(c.c.state).join(u, u.c.id == c.c.user_id).where(u.c.key == key)
        with self._reader.connect() as conn:
            state = conn.execute(query).scalar()
        return from_json(state)

    def version(self, key: str) -> int:
        """How many turns changed the user's conversation (0 for an unknown user)."""
        u, c = user_table, conversation_table
        query = sa.select(c.c.version).join(u, u.c.id == c.c.user_id).where(u.c.key == key)
        with self._reader.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def answers(self, key: str, run_no: int | None = None) -> dict[str, Any]:
        """The stored answers of run ``run_no`` (default: the user's latest run), by step."""
        u, r, a = user_table, run_table, answer_table
        runs = sa.select(r.c.id).join(u, u.c.id == r.c.user_id).where(u.c.key == key)
        if run_no is None:
            runs = runs.order_by(r.c.no.desc()).limit(1)
        else:
            runs = runs.where(r.c.no == run_no)
        query = (
            sa.select(a.c.step, a.c.value)
            .where(a.c.run_id == runs.scalar_subquery())
            .order_by(a.c.id)
        )
        with self._reader.connect() as conn:
            return {row.step: row.value for row in conn.execute(query)}

    def runs(self, key: str) -> list[RunInfo]:
        """The user's runs, oldest first."""
        u, r = user_table, run_table
        query = (
            sa.select(
                r.c.no,
                r.c.script,
                r.c.script_version,
                r.c.status,
                r.c.started_at,
                r.c.finished_at,
                r.c.summary,
            )
            .join(u, u.c.id == r.c.user_id)
            .where(u.c.key == key)
            .order_by(r.c.no)
        )
        with self._reader.connect() as conn:
            return [RunInfo(*row) for row in conn.execute(query)]

    def effects(self, key: str, *, pending_only: bool = False) -> list[EffectInfo]:
        """The effect rows (follow-ups, manager notices, finished runs, media) of the user."""
        u, e = user_table, effect_table
        query = (
            sa.select(e.c.id, e.c.kind, e.c.payload, e.c.created_at, e.c.done_at)
            .join(u, u.c.id == e.c.user_id)
            .where(u.c.key == key)
            .order_by(e.c.id)
        )
        if pending_only:
            query = query.where(e.c.done_at.is_(None))
        with self._reader.connect() as conn:
            return [
                EffectInfo(
                    row.id, row.kind, effect_from_json(row.payload), row.created_at, row.done_at
                )
                for row in conn.execute(query)
            ]

    def notes(self, key: str) -> list[NoteKept]:
        """What the user typed that was no step's answer (``NoteKept``), in typing order."""
        u, r, n = user_table, run_table, step_note_table
        query = (
            sa.select(r.c.no, n.c.step, n.c.text)
            .join(r, r.c.id == n.c.run_id)
            .join(u, u.c.id == r.c.user_id)
            .where(u.c.key == key)
            .order_by(n.c.id)
        )
        with self._reader.connect() as conn:
            return [NoteKept(row.no, row.step, row.text) for row in conn.execute(query)]

    def inbox(self, key: str) -> list[tuple[int, str, str | None, dict[str, Any]]]:
        """The user's handled events in application order: (id, source, external_id, event)."""
        u, i = user_table, inbox_table
        query = (
            sa.select(i.c.id, i.c.source, i.c.external_id, i.c.event)
            .join(u, u.c.id == i.c.user_id)
            .where(u.c.key == key)
            .order_by(i.c.id)
        )
        with self._reader.connect() as conn:
            return [(row.id, row.source, row.external_id, row.event) for row in conn.execute(query)]


class _Cursors:
    """The cursors of one attempt, closed before its transaction ends and its connection goes
    back to the pool.

    On SQLite a statement not read to its end (an ``INSERT ... RETURNING`` whose row was not
    fetched, a ``SELECT`` with rows left) keeps its connection's read snapshot open through a
    ROLLBACK. Once any other connection commits, that connection's next ``BEGIN IMMEDIATE``
    fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT: no busy timeout helps) —
    a rep's first message failed that way when the outbox was marked sent in between.
    """

    __slots__ = ("_open", "_raw")

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._open: list[Any] = []

    def new(self) -> Any:
        cursor = self._raw.cursor()
        self._open.append(cursor)
        return cursor

    def close(self) -> None:
        for cursor in self._open:
            cursor.close()
        self._open.clear()


def _returned_id(statement: Prepared, cursor: Any) -> int:
    row = statement.first(cursor)
    assert row is not None, "INSERT ... RETURNING returned no row"
    return int(row[0])


def _pipeline_supported() -> bool:
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def _context(now: datetime, lang: str, tz: str, *, probes: bool = True) -> Context:
    return Context(now=now, lang=lang_of(lang), tz=tz, probes=probes)


def _valid_tz(tz: str) -> bool:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _unchanged(old: Conversation, effect: AnswerSaved) -> bool:
    """The answer is already stored with this value (the rep went back and kept it)."""
    run = _run(old, effect.run)
    if run is None or effect.step not in run.answers:
        return False
    return bool(run.answers[effect.step] == effect.value)


def _run(state: Conversation, no: int) -> Run | None:
    if state.active is not None and state.active.no == no:
        return state.active
    return next((run for run in (*state.drafts, *state.finished) if run.no == no), None)


__all__ = [
    "ConflictError",
    "EffectInfo",
    "OutboxItem",
    "Profile",
    "RunInfo",
    "Store",
    "TurnFn",
    "TurnResult",
    "TurnStore",
    "UserInfo",
]
