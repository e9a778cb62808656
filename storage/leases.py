"""The SQL of an outbox claim, shared by a turn (``storage.store``) and ``storage.outbox``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from storage.schema import outbox_table

LOCK_SPACE = 0x0C0A_0B07
"""First key of the per-user advisory locks (PostgreSQL), so they collide with nobody's."""
MAX_ATTEMPTS = 10
"""Attempts after which a row Telegram keeps refusing is no longer claimed."""


def claim_statement(users: sa.ColumnElement[bool]) -> sa.Update:
    """Claim the unsent rows of the users matching ``users`` for ``:owner`` until ``:until``,
    except a user any of whose unsent rows another owner holds beyond ``:now``. Returns the
    rows taken (id, user_id, payload, attempts, created_at); rows already the owner's are taken
    again (their lease renewed), so a caller skips those it is sending already."""
    o = outbox_table
    held = o.alias("held")
    held_elsewhere = (
        sa.select(held.c.id)
        .where(
            held.c.user_id == o.c.user_id,
            held.c.sent_at.is_(None),
            held.c.claimed_by != sa.bindparam("owner", type_=o.c.claimed_by.type),
            held.c.lease_until > sa.bindparam("now", type_=o.c.lease_until.type),
        )
        .exists()
    )
    return (
        sa.update(o)
        .where(
            users,
            o.c.sent_at.is_(None),
            o.c.attempts < sa.bindparam("max_attempts", type_=sa.Integer()),
            ~held_elsewhere,
        )
        .values(
            claimed_by=sa.bindparam("owner", type_=o.c.claimed_by.type),
            lease_until=sa.bindparam("until", type_=o.c.lease_until.type),
        )
        .returning(o.c.id, o.c.user_id, o.c.payload, o.c.attempts, o.c.created_at)
    )


def lock_user(dialect: sa.Dialect, *, wait: bool = True) -> sa.Select[Any] | None:
    """The statement taking ``:uid``'s claim lock till the end of the transaction (None on
    SQLite, where the write transaction is the lock)."""
    if dialect.name != "postgresql":
        return None
    function = sa.func.pg_advisory_xact_lock if wait else sa.func.pg_try_advisory_xact_lock
    return sa.select(function(sa.literal(LOCK_SPACE), sa.bindparam("uid", type_=sa.Integer())))


__all__ = ["LOCK_SPACE", "MAX_ATTEMPTS", "claim_statement", "lock_user"]
