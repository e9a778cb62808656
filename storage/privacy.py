"""A rep's own data: export everything we hold about them, or delete all of it.

``export_user`` is what the bot sends as ``coachbot-export.json``: the profile, every run with its
answers, the follow-ups, manager notices and media kept, and the conversation memory (recent
customers, objections) — plain JSON, datetimes as ISO 8601 UTC, summaries without HTML. The raw
inbox/outbox plumbing is left out: it only repeats what the rep typed and was told.

Both work for any history size with a fixed handful of set-based statements (no query per run),
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from dialogs.state import from_json
from dialogs.types import FollowUpWanted, ManagerNotice, MediaKept, RunFinished
from storage.codec import CodecError, effect_from_json
from storage.db import READ_ONLY
from storage.schema import (
    answer_table,
    conversation_table,
    effect_table,
    inbox_table,
    note_table,
    outbox_table,
    reminder_table,
    review_table,
    run_table,
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


def delete_user(store: Store, key: str) -> bool:
    """Delete every row of the rep ``key`` in one transaction; True when there was any.

    Children before parents, so it needs no ``ON DELETE CASCADE``. On PostgreSQL the rep's
    conversation row is locked first — the lock a turn takes — so a turn in flight commits
    before the rows are deleted, and one arriving meanwhile waits and then finds no user: it
    starts afresh as a first contact. (SQLite's ``BEGIN IMMEDIATE`` serialises all writers.)
    """
    u, c, i, r = user_table, conversation_table, inbox_table, run_table
    a, o, e = answer_table, outbox_table, effect_table
    engine = store.engine
    with engine.begin() as conn:
        uid = conn.execute(sa.select(u.c.id).where(u.c.key == key)).scalar()
        if uid is None:
            return False
        if engine.dialect.name == "postgresql":
            conn.execute(sa.select(c.c.user_id).where(c.c.user_id == uid).with_for_update())
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
            sa.delete(e).where(e.c.user_id == uid),
            sa.delete(reminder_table).where(reminder_table.c.user_id == uid),
            sa.delete(r).where(r.c.user_id == uid),
            sa.delete(o).where(o.c.user_id == uid),
            sa.delete(i).where(i.c.user_id == uid),
            sa.delete(c).where(c.c.user_id == uid),
            sa.delete(u).where(u.c.id == uid),
        ):
            deleted += conn.execute(statement).rowcount
    return deleted > 0


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


__all__ = ["EXPORT_FILENAME", "EXPORT_FORMAT_VERSION", "delete_user", "export_user", "plain"]
