"""What the operator's probes read from the database: backlog figures for ``/metrics`` and the
schema's revision for ``/readyz``.

Every query is read-only and cheap at any size: the outbox and reminder figures use the partial
indexes on unsent and pending rows, the dialog count reads only conversations with a recent turn.
Only Telegram users (``tg:`` keys) count, as only they are the bot's to serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from coaching.users import TELEGRAM_KEYS
from storage.db import READ_ONLY
from storage.leases import MAX_ATTEMPTS
from storage.migrate import alembic_config
from storage.schema import (
    conversation_table,
    outbox_table,
    reminder_table,
    run_table,
    user_table,
)

BOT_KEYS = TELEGRAM_KEYS
"""Users the bot serves; console users' rows are the console's business."""


@dataclass(frozen=True)
class Backlog:
    """Work waiting, at ``now``."""

    outbox_unsent: int
    """Replies and nudges committed, not yet delivered and still to be tried (to reps who have not
    blocked the bot)."""
    outbox_oldest: datetime | None
    """When the oldest of them was committed."""
    outbox_given_up: int
    """Undelivered rows no worker will try again (``MAX_ATTEMPTS`` failed attempts)."""
    reminders_due: int
    """Pending reminders whose time has come."""
    reminders_late: int
    """Of those, the ones due for longer than ``late_after``."""
    dialogs_active: int
    """Conversations with a script under way and a turn within ``active_within``."""


def read_backlog(
    engine: sa.Engine, now: datetime, *, late_after: timedelta, active_within: timedelta
) -> Backlog:
    """The backlog figures in one read-only transaction (four small queries)."""
    o, u, r, c, run = outbox_table, user_table, reminder_table, conversation_table, run_table
    bot_user = u.c.key.startswith(BOT_KEYS)
    trying = o.c.attempts < MAX_ATTEMPTS
    outbox = (
        sa.select(
            sa.func.count().filter(trying),
            sa.func.min(o.c.created_at).filter(trying),
            sa.func.count().filter(sa.not_(trying)),
        )
        .select_from(o.join(u, u.c.id == o.c.user_id))
        .where(o.c.sent_at.is_(None), u.c.active.is_(True), bot_user)
    )
    late = sa.case((r.c.due_at <= now - late_after, 1), else_=0)
    reminders = (
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(late), 0))
        .select_from(r.join(u, u.c.id == r.c.user_id))
        .where(r.c.status == "pending", r.c.due_at <= now, bot_user)
    )
    under_way = (
        sa.select(run.c.id).where(run.c.user_id == c.c.user_id, run.c.status == "active").exists()
    )
    dialogs = (
        sa.select(sa.func.count())
        .select_from(c.join(u, u.c.id == c.c.user_id))
        .where(c.c.updated_at >= now - active_within, bot_user, under_way)
    )
    with engine.execution_options(**READ_ONLY).connect() as conn:
        unsent, oldest, given_up = conn.execute(outbox).one()
        due, late_count = conn.execute(reminders).one()
        active = conn.execute(dialogs).scalar_one()
    return Backlog(int(unsent), oldest, int(given_up), int(due), int(late_count), int(active))


def ping(engine: sa.Engine) -> None:
    """Raise unless the database answers a trivial query."""
    with engine.execution_options(**READ_ONLY).connect() as conn:
        conn.execute(sa.text("SELECT 1"))


@dataclass(frozen=True)
class CodeRevisions:
    """The migrations this code ships: the newest (``heads``) and every one it knows."""

    heads: frozenset[str]
    known: frozenset[str]


def code_revisions(database_url: str) -> CodeRevisions:
    """Read from the migration scripts (no database needed)."""
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    known = frozenset(script.revision for script in scripts.walk_revisions())
    return CodeRevisions(frozenset(scripts.get_heads()), known)


def database_revisions(engine: sa.Engine) -> frozenset[str]:
    """The migration(s) the database is at (empty for a database never migrated)."""
    with engine.execution_options(**READ_ONLY).connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())
