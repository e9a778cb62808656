"""A rep's own data: export everything we hold about them, or delete it.

``export_user`` is what the bot sends as ``coachbot-export.json``: the profile, every run with its
answers and its notes (what the rep typed that was no answer: pushback, a vent, an aside), the
follow-ups, manager notices and media kept, and the conversation memory (recent
customers, objections) — plain JSON, datetimes as ISO 8601 UTC, summaries without HTML. The raw
inbox/outbox plumbing is left out: it only repeats what the rep typed and was told.

``delete_user`` deletes every row of the rep, except that the team's weekly totals keep their
work without their identity: their finished runs of the report scripts move to a fresh
anonymous user (key ``deleted:<random hex>``, no name, inactive) with a ``deleted`` membership
in each team they were a rep of, over the same time span. Only the answers the digest counts
that identify nobody stay (``KEPT_ANSWERS``: option ids, yes/no, numbers, visit times); every
free-text answer and summary goes. The customer's name becomes a keyed hash whose key is random
and forgotten when the transaction ends: the same customer hashes the same within the deleted
rep's runs (so a plan still matches its debrief and revisits still add up), but nobody can
recover a name from it, not even by trying names. The moved runs get new ids, so nothing that
named the old run (a manager's message, a log line) leads to them.

Both work for any history size with a fixed handful of set-based statements (no query per run),
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from coaching.answers import (
    CUSTOMER,
    CUSTOMER_CLASS,
    DEAL_SIZE,
    FEELING_SCORE,
    GOAL_MET,
    GOAL_PARTLY,
    MAIN_OBJECTION,
    OBJECTIONS,
    ORDER_VALUE,
    VISIT_AT,
    VISIT_TYPE,
)
from dialogs.contract import Contract, Unit
from dialogs.readers import CURRENCIES
from dialogs.state import from_json
from dialogs.types import FollowUpWanted, ManagerNotice, MediaKept, RunFinished
from storage.activity import DEBRIEF_GRACE, PLAN_LOOKBACK, REPORT_SCRIPTS
from storage.codec import CodecError, effect_from_json
from storage.db import READ_ONLY, flush_deleted
from storage.schema import (
    answer_table,
    conversation_table,
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
from storage.store import Store

EXPORT_FORMAT_VERSION = 1
"""Bump when a field of the export changes meaning or goes away (adding one does not)."""
EXPORT_FILENAME = "coachbot-export.json"

_TAG = re.compile(r"<[^>]+>")


def export_user(store: Store, key: str, *, now: datetime | None = None) -> dict[str, Any] | None:
    """Everything held about the rep ``key`` (``tg:42``) as JSON-able data; None when unknown.

    One read transaction (a snapshot: PostgreSQL at REPEATABLE READ, SQLite's deferred BEGIN),
    so a turn committed meanwhile shows up whole or not at all. ``now`` stamps ``exported_at``.
    """
    u, c, r, a, e = user_table, conversation_table, run_table, answer_table, effect_table
    engine = store.engine
    options: dict[str, Any] = dict(READ_ONLY)
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.execution_options(**options).begin() as conn:
        user = conn.execute(
            sa.select(
                u.c.id, u.c.key, u.c.display_name, u.c.lang, u.c.tz, u.c.created_at, u.c.active
            ).where(u.c.key == key)
        ).first()
        if user is None:
            return None
        uid = user.id
        state = conn.execute(sa.select(c.c.state).where(c.c.user_id == uid)).scalar()
        runs = conn.execute(
            sa.select(
                r.c.id,
                r.c.no,
                r.c.script,
                r.c.script_version,
                r.c.status,
                r.c.started_at,
                r.c.finished_at,
                r.c.summary,
            )
            .where(r.c.user_id == uid)
            .order_by(r.c.started_at, r.c.no)
        ).all()
        answers = conn.execute(
            sa.select(a.c.run_id, a.c.step, a.c.value, a.c.answered_at, a.c.revision)
            .join(r, r.c.id == a.c.run_id)
            .where(r.c.user_id == uid)
            .order_by(a.c.answered_at, a.c.id)
        ).all()
        effects = conn.execute(
            sa.select(e.c.kind, e.c.payload, e.c.created_at, e.c.done_at)
            .where(e.c.user_id == uid)
            .order_by(e.c.created_at, e.c.id)
        ).all()
        m = reminder_table
        reminders = conn.execute(
            sa.select(m.c.kind, m.c.about, m.c.customer, m.c.due_at, m.c.status, m.c.closed_at)
            .where(m.c.user_id == uid)
            .order_by(m.c.due_at, m.c.id)
        ).all()
        sn = step_note_table
        asides = conn.execute(
            sa.select(sn.c.run_id, sn.c.step, sn.c.text, sn.c.created_at)
            .join(r, r.c.id == sn.c.run_id)
            .where(r.c.user_id == uid)
            .order_by(sn.c.id)
        ).all()
        n = note_table
        notes = conn.execute(
            sa.select(r.c.no, n.c.text, n.c.created_at, u.c.display_name)
            .join(r, r.c.id == n.c.run_id)
            .outerjoin(u, u.c.id == n.c.author_id)
            .where(n.c.rep_id == uid)
            .order_by(n.c.created_at, n.c.id)
        ).all()

    by_run: defaultdict[int, dict[str, Any]] = defaultdict(dict)
    for answer in answers:
        by_run[answer.run_id][answer.step] = {
            "value": answer.value,
            "answered_at": _iso(answer.answered_at),
            "revision": answer.revision,
        }
    by_run_notes: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for aside in asides:
        by_run_notes[aside.run_id].append(
            {"step": aside.step, "text": aside.text, "at": _iso(aside.created_at)}
        )
    conversation = from_json(state)
    memory = dict(conversation.memory)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _iso(now or datetime.now(UTC)),
        "profile": {
            "key": user.key,
            "display_name": user.display_name,
            "language": user.lang,
            "time_zone": user.tz,
            "created_at": _iso(user.created_at),
            "active": bool(user.active),
            "last_seen": conversation.last_seen or None,
        },
        "runs": [
            {
                "no": run.no,
                "script": run.script,
                "version": run.script_version,
                "status": run.status,
                "started_at": _iso(run.started_at),
                "finished_at": _iso(run.finished_at),
                "summary": plain(run.summary) if run.summary is not None else None,
                "answers": by_run.get(run.id, {}),
                "notes": by_run_notes.get(run.id, []),
            }
            for run in runs
        ],
        **_effects(effects),
        "reminders": [
            {
                "kind": row.kind,
                "about": plain(row.about),
                "customer": row.customer,
                "due_at": _iso(row.due_at),
                "status": row.status,
                "closed_at": _iso(row.closed_at),
            }
            for row in reminders
        ],
        "manager_notes": [
            {
                "run": row.no,
                "from": row.display_name or "",
                "text": row.text,
                "created_at": _iso(row.created_at),
            }
            for row in notes
        ],
        "memory": {
            "recent_customers": list(memory.pop("customers", [])),
            "objections": list(memory.pop("objections", [])),
            "kept": memory,  # history, latest answers per script and per customer
        },
    }


def delete_user(store: Store, key: str, *, now: datetime | None = None) -> bool:
    """Delete the rep ``key`` in one transaction, their team's totals anonymised (see the module
    docstring); True when there was anyone to delete. ``now``: when they leave their team.

    Children before parents, so it needs no ``ON DELETE CASCADE``. On PostgreSQL the rep's
    conversation row is locked first — the lock a turn takes — so a turn in flight commits
    before the rows are deleted, and one arriving meanwhile waits and then finds no user: it
    starts afresh as a first contact. (SQLite's ``BEGIN IMMEDIATE`` serialises all writers.)
    """
    u, c, i, r = user_table, conversation_table, inbox_table, run_table
    a, o, e, m = answer_table, outbox_table, effect_table, membership_table
    engine = store.engine
    moment = now or datetime.now(UTC)
    with engine.begin() as conn:
        uid = conn.execute(sa.select(u.c.id).where(u.c.key == key)).scalar()
        if uid is None:
            return False
        if engine.dialect.name == "postgresql":
            conn.execute(sa.select(c.c.user_id).where(c.c.user_id == uid).with_for_update())
        _anonymise(conn, uid, moment)
        _forget_copies(conn, uid)
        runs = sa.select(r.c.id).where(r.c.user_id == uid).scalar_subquery()
        deleted = 0
        rv, n = review_table, note_table
        for statement in (
            # a manager's copies of the rep's summaries and notes on the rep's runs; a deleted
            # manager's own review copies go too, the notes they wrote stay the reps' (unsigned)
            sa.delete(rv).where(sa.or_(rv.c.rep_id == uid, rv.c.manager_id == uid)),
            sa.delete(n).where(n.c.rep_id == uid),
            sa.update(n).where(n.c.author_id == uid).values(author_id=None),
            sa.delete(a).where(a.c.run_id.in_(runs)),
            sa.delete(step_note_table).where(step_note_table.c.run_id.in_(runs)),
            sa.delete(e).where(e.c.user_id == uid),
            sa.delete(reminder_table).where(reminder_table.c.user_id == uid),
            sa.delete(r).where(r.c.user_id == uid),
            sa.delete(o).where(o.c.user_id == uid),
            sa.delete(i).where(i.c.user_id == uid),
            sa.delete(c).where(c.c.user_id == uid),
            sa.delete(m).where(m.c.user_id == uid),
            sa.delete(u).where(u.c.id == uid),
        ):
            deleted += conn.execute(statement).rowcount
    if deleted:
        flush_deleted(engine)
    return deleted > 0


def _forget_copies(conn: sa.Connection, uid: int) -> None:
    """What others hold of rep ``uid``'s words: the outbox messages that carried their summaries
    to their managers (sent or not) go, and a manager's coaching note on their visits leaves
    the manager's inbox record (the update id stays: a redelivered update is still answered
    once). Another rep's summary that waited in the same unsent daily batch goes back to
    pending, so the manager's next batch brings it."""
    rv, o, i = review_table, outbox_table, inbox_table
    carried = sa.select(rv.c.outbox_id).where(rv.c.rep_id == uid, rv.c.outbox_id.is_not(None))
    unsent = sa.select(o.c.id).where(o.c.id.in_(carried), o.c.sent_at.is_(None))
    conn.execute(
        sa.update(rv)
        .where(rv.c.outbox_id.in_(unsent), rv.c.rep_id != uid, rv.c.status == "sent")
        .values(status="pending", sent_at=None, outbox_id=None)
    )
    conn.execute(sa.delete(o).where(o.c.id.in_(carried)))
    reviews = sa.select(rv.c.id).where(rv.c.rep_id == uid)
    managers = sa.select(rv.c.manager_id).where(rv.c.rep_id == uid)
    conn.execute(
        sa.update(i)
        .where(
            i.c.user_id.in_(managers),
            i.c.event["type"].as_string() == "note",
            i.c.event["review"].as_integer().in_(reviews),
        )
        .values(event={"type": "note"})
    )


# --- what a deleted rep leaves to their team's totals -------------------------------------------

_ID = re.compile(r"[A-Za-z0-9_]{1,32}")


def _option(value: Any) -> Any:
    """An option id (the scripts' choices store ids, never what the rep typed)."""
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def _options(value: Any) -> Any:
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, str) and _ID.fullmatch(item)]


def _yes_no(value: Any) -> Any:
    return value if isinstance(value, bool) or value == GOAL_PARTLY.value else None


def _number(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _unit(value: Any) -> Any:
    """Only a unit code the number reader names (a currency, "%"): never a word the rep typed."""
    return value if value in CURRENCIES or value == "%" else None


def _moment(value: Any) -> Any:
    """A datetime answer (``{"at": ISO, "has_time": bool}``) rebuilt from the parsed moment."""
    if not isinstance(value, dict) or not isinstance(value.get("at"), str):
        return None
    try:
        moment = datetime.fromisoformat(value["at"])
    except ValueError:
        return None
    return {"at": moment.isoformat(), "has_time": value.get("has_time") is True}


ORDER_UNIT = Unit(ORDER_VALUE)
KEPT_ANSWERS: Mapping[str, Callable[[Any], Any]] = {
    VISIT_TYPE.step: _option,
    CUSTOMER_CLASS.step: _option,
    DEAL_SIZE.step: _option,
    MAIN_OBJECTION.step: _option,
    OBJECTIONS.step: _options,
    GOAL_MET.step: _yes_no,
    ORDER_VALUE.step: _number,
    ORDER_UNIT.key: _unit,
    FEELING_SCORE.step: _number,
    VISIT_AT.step: _moment,
}
"""The answers of ``storage.activity.REPORT_STEPS`` a deleted rep's runs keep, each with the
check that keeps only a value of its kind (anything else is dropped). ``customer`` is hashed."""
CONTRACT = Contract(
    "storage.privacy",
    (
        CUSTOMER,
        VISIT_TYPE,
        CUSTOMER_CLASS,
        DEAL_SIZE,
        MAIN_OBJECTION,
        OBJECTIONS,
        GOAL_MET,
        GOAL_PARTLY,
        ORDER_VALUE,
        ORDER_UNIT,
        FEELING_SCORE,
        VISIT_AT,
    ),
)
DELETED = "deleted"
"""The membership status of a deleted rep's anonymous stand-in (``storage.activity.FORMER``)."""


def _anonymise(conn: sa.Connection, uid: int, now: datetime) -> None:
    """Move what the team's totals count of rep ``uid`` to a new anonymous user, if they were a
    rep of any team; fixed statements whatever the history's size."""
    u, m, r, a = user_table, membership_table, run_table, answer_table
    memberships = conn.execute(
        sa.select(m.c.team_id, m.c.status, m.c.joined_at, m.c.changed_at).where(
            m.c.user_id == uid, m.c.role == "rep", m.c.status.in_(("active", "removed"))
        )
    ).all()
    # active: in the team until now; removed: until then (a span of no time counts nothing)
    spans: list[tuple[int, datetime, datetime]] = [
        (row.team_id, row.joined_at, now if row.status == "active" else row.changed_at)
        for row in memberships
        if row.joined_at < (now if row.status == "active" else row.changed_at)
    ]
    if not spans:
        return
    first = min(joined for _, joined, _ in spans) - PLAN_LOOKBACK
    last = max(left for _, _, left in spans) + DEBRIEF_GRACE
    kept = (
        r.c.user_id == uid,
        r.c.status == "finished",
        r.c.script.in_(REPORT_SCRIPTS),
        r.c.finished_at >= first,
        r.c.finished_at < last,
    )
    anon = conn.execute(
        sa.insert(u)
        .values(
            key=f"deleted:{secrets.token_hex(16)}",
            display_name="",
            lang="en",
            tz="UTC",
            created_at=now,
            active=False,  # no paused_until, no prefs: SQL NULL
        )
        .returning(u.c.id)
    ).scalar_one()
    conn.execute(
        sa.insert(m),
        [
            {
                "team_id": team,
                "user_id": anon,
                "role": "rep",
                "status": DELETED,
                "joined_at": joined,
                "changed_at": left,
            }
            for team, joined, left in spans
        ],
    )
    # new rows, new ids: the run's number keeps old and new apart until the answers are in;
    # no summary, and started when finished (how long the rep took is theirs)
    conn.execute(
        sa.insert(r).from_select(
            ["user_id", "no", "script", "script_version", "status", "started_at", "finished_at"],
            sa.select(
                sa.literal(anon, sa.Integer),
                r.c.no,
                r.c.script,
                r.c.script_version,
                r.c.status,
                r.c.finished_at,
                r.c.finished_at,
            ).where(*kept),
        )
    )
    moved = {
        row.no: (row.id, row.finished_at)
        for row in conn.execute(
            sa.select(r.c.id, r.c.no, r.c.finished_at).where(r.c.user_id == anon)
        )
    }
    salt = secrets.token_bytes(32)  # forgotten when this function returns
    answers: list[dict[str, Any]] = []
    for no, step_id, value in conn.execute(
        sa.select(r.c.no, a.c.step, a.c.value)
        .join(r, r.c.id == a.c.run_id)
        .where(*kept, a.c.step.in_((*KEPT_ANSWERS, CUSTOMER.step)))
    ):
        if step_id == CUSTOMER.step:
            kept_value = _customer_hash(salt, value)
        else:
            kept_value = KEPT_ANSWERS[step_id](value)
        if kept_value is None or no not in moved:
            continue
        run_id, finished_at = moved[no]
        answers.append(
            {
                "run_id": run_id,
                "step": step_id,
                "value": kept_value,
                "answered_at": finished_at,
                "revision": 0,
            }
        )
    if answers:
        conn.execute(sa.insert(a), answers)


def _customer_hash(salt: bytes, value: Any) -> str | None:
    """The customer as ``#`` and 16 hex digits: equal names (case and spaces aside) hash equal
    under one ``salt``; without the salt, no name can be tried against it."""
    if not isinstance(value, str) or not value.strip():
        return None
    digest = hmac.new(salt, value.strip().casefold().encode(), hashlib.sha256).hexdigest()
    return "#" + digest[:16]


def plain(text: str) -> str:
    """Telegram HTML as the rep reads it: tags dropped, entities (``&amp;``) decoded."""
    return html.unescape(_TAG.sub("", text))


def _effects(rows: Sequence[Any]) -> dict[str, list[dict[str, Any]]]:
    """The effect rows by kind, in time order; a row that no longer decodes is kept raw."""
    out: dict[str, list[dict[str, Any]]] = {
        "follow_ups": [],
        "manager_notices": [],
        "media": [],
        "finished": [],
        "other": [],
    }
    for row in rows:
        common = {"created_at": _iso(row.created_at), "done_at": _iso(row.done_at)}
        payload: dict[str, Any] = row.payload
        try:
            effect = effect_from_json(payload)
        except CodecError:
            out["other"].append({"kind": row.kind, "payload": payload, **common})
            continue
        if isinstance(effect, FollowUpWanted):
            out["follow_ups"].append(
                {"run": effect.run, "at": _iso(effect.at), "text": plain(effect.about), **common}
            )
        elif isinstance(effect, ManagerNotice):
            out["manager_notices"].append(
                {
                    "run": effect.run,
                    "script": effect.script,
                    "summary": plain(effect.summary),
                    **common,
                }
            )
        elif isinstance(effect, MediaKept):
            out["media"].append(
                {
                    "run": effect.run,
                    "step": effect.step,
                    "kind": effect.kind,
                    "ref": effect.ref,
                    **common,
                }
            )
        elif isinstance(effect, RunFinished):
            # the answers as they were at this finish: after /edit, earlier finishes keep the
            # answers since changed, which we still hold
            out["finished"].append(
                {
                    "run": effect.run,
                    "script": effect.script,
                    "revised": effect.revised,
                    "answers": effect.answers,
                    **common,
                }
            )
        else:
            out["other"].append({"kind": row.kind, "payload": payload, **common})
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


__all__ = [
    "DELETED",
    "EXPORT_FILENAME",
    "EXPORT_FORMAT_VERSION",
    "KEPT_ANSWERS",
    "delete_user",
    "export_user",
    "plain",
]
