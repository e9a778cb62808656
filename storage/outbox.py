"""Who sends which outbox row, when several bot processes share one database.

A row is sent by the process that claimed it (``claimed_by``), and by nobody else while its
lease lasts (``lease_until``). One rule keeps a rep's messages in order across processes: a
process claims a user's unsent rows all together, and only when none of them is held by another
process under a live lease. So whoever holds a chat sends its rows in order, a row committed
meanwhile by another process waits for the holder (who takes it over the moment it has marked
its own rows sent: ``mark_sent``), and a process that died leaves its rows to whoever comes
next once their leases ran out (``sweep``) — never earlier, so a restarting process cannot send
a row a live one is sending.

Claims of one user are serialised: on PostgreSQL by a transaction-level advisory lock per user
(taken by the turn in ``storage.store`` too, and here in user-id order, so no two claimers
deadlock), on SQLite by the database's single writer. Leases are measured on the caller's clock
(``now``): the processes' clocks must agree to well under a lease (NTP does).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from storage.codec import reply_from_json
from storage.leases import LOCK_SPACE, MAX_ATTEMPTS, claim_statement
from storage.schema import outbox_table, user_table
from storage.store import OutboxItem

RETRIES = 5
"""Tries of one unit of work that PostgreSQL aborted as a deadlock victim."""

T = TypeVar("T")
LOCK_WAITING = (
    "SELECT u, pg_advisory_xact_lock(:space, u) IS NULL"
    " FROM (SELECT unnest(CAST(:users AS integer[])) AS u ORDER BY 1) AS ordered"
)
"""The claim locks of users, in id order (the same order everywhere: no deadlock)."""
LOCK_FREE = (
    "SELECT u, pg_try_advisory_xact_lock(:space, u)"
    " FROM (SELECT unnest(CAST(:users AS integer[])) AS u ORDER BY 1) AS ordered"
)
"""The claim locks of those users nobody is claiming right now."""


class Outbox:
    """The claims, leases and deliveries of one bot process (``owner``). Thread-safe."""

    def __init__(
        self,
        engine: sa.Engine,
        owner: str,
        *,
        lease: float = 30.0,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._engine = engine
        self.owner = owner
        self.lease = timedelta(seconds=lease)
        self.max_attempts = max_attempts

    # --- taking rows --------------------------------------------------------------------------

    def claim(self, user_ids: Iterable[int], now: datetime) -> list[OutboxItem]:
        """Take the unsent rows of these users that nobody else holds (see the module), oldest
        first, waiting for a claim of the same user in progress elsewhere (a turn)."""
        users = sorted(set(user_ids))
        if not users:
            return []
        return self._retry(lambda: self._claim(users, now, wait=True))

    def claim_rows(self, outbox_ids: Sequence[int], now: datetime) -> list[OutboxItem]:
        """``claim`` for the users of these rows (just committed elsewhere: a reminder, a
        summary): those rows and any others of theirs that nobody holds."""
        if not outbox_ids:
            return []
        ids = list(outbox_ids)
        with self._engine.connect() as conn:
            users = self._users_of(conn, ids)
        return self.claim(users, now)

    def sweep(
        self, now: datetime, *, limit: int = 200, everything: bool = False
    ) -> list[OutboxItem]:
        """Take the rows nobody holds any more (never claimed, released after a failure, or
        whose holder's lease ran out: it died or stalled), for at most ``limit`` users who have
        not blocked the bot; users being claimed right now are left to their claimer.
        ``everything``: live leases too — only for a process that knows it is the only one
        (SQLite at start-up: its predecessor's leases are a dead process's)."""
        o, u = outbox_table, user_table
        free_lease = sa.or_(o.c.lease_until.is_(None), o.c.lease_until <= now)
        free = (
            sa.select(o.c.user_id)
            .join(u, u.c.id == o.c.user_id)
            .where(
                o.c.sent_at.is_(None),
                sa.true() if everything else free_lease,
                o.c.attempts < self.max_attempts,
                u.c.active.is_(True),
            )
            .distinct()
            .limit(limit)
        )
        with self._engine.connect() as conn:
            users = sorted(conn.execute(free).scalars())
        if not users:
            return []
        return self._retry(lambda: self._claim(users, now, wait=False, everything=everything))

    def _claim(
        self, users: list[int], now: datetime, *, wait: bool, everything: bool = False
    ) -> list[OutboxItem]:
        o = outbox_table
        with self._engine.begin() as conn:
            users = self._lock(conn, users, wait=wait)
            if not users:
                return []
            rows = conn.execute(
                claim_statement(o.c.user_id.in_(users)),
                {
                    "owner": self.owner,
                    "now": datetime.max.replace(tzinfo=UTC) if everything else now,
                    "until": now + self.lease,
                    "max_attempts": self.max_attempts,
                },
            ).all()
            return self._items(conn, rows)

    # --- what became of them ------------------------------------------------------------------

    def mark_sent(self, outbox_ids: Sequence[int], now: datetime) -> list[OutboxItem]:
        """The rows were delivered. In the same transaction, take the next rows of their users
        that were committed meanwhile by another process (it left them to us, the holder)."""
        if not outbox_ids:
            return []
        ids = list(outbox_ids)
        o = outbox_table

        def work() -> list[OutboxItem]:
            # Recording the delivery changes no owner: no claim lock, nothing to wait for.
            with self._engine.begin() as conn:
                users = self._users_of(conn, ids)
                conn.execute(
                    sa.update(o)
                    .where(o.c.id.in_(ids), o.c.sent_at.is_(None))
                    .values(sent_at=now, attempts=o.c.attempts + 1, lease_until=None)
                )
            with self._engine.begin() as conn:
                self._lock(conn, users, wait=True)
                waiting = conn.execute(
                    sa.select(o.c.user_id)
                    .where(o.c.user_id.in_(users), o.c.sent_at.is_(None))
                    .distinct()
                ).scalars()
                next_users = sorted(waiting)
                if not next_users:
                    return []
                rows = conn.execute(
                    claim_statement(o.c.user_id.in_(next_users)),
                    {
                        "owner": self.owner,
                        "now": now,
                        "until": now + self.lease,
                        "max_attempts": self.max_attempts,
                    },
                ).all()
                return self._items(conn, rows)

        return self._retry(work)

    def release(self, outbox_ids: Sequence[int], now: datetime) -> None:
        """A delivery failed (or the process is stopping before it): count the attempt and give
        the rows up at once, so any process may try them again."""
        if not outbox_ids:
            return
        ids = list(outbox_ids)
        o = outbox_table

        def work() -> None:
            with self._engine.begin() as conn:
                self._lock(conn, self._users_of(conn, ids), wait=True)
                conn.execute(
                    sa.update(o)
                    .where(o.c.id.in_(ids), o.c.sent_at.is_(None), o.c.claimed_by == self.owner)
                    .values(attempts=o.c.attempts + 1, lease_until=None)
                )

        self._retry(work)

    def renew(self, outbox_ids: Sequence[int], now: datetime) -> set[int]:
        """Extend the lease of the rows still being sent; returns those still ours (a row
        another process took over after our lease ran out is no longer)."""
        if not outbox_ids:
            return set()
        ids = list(outbox_ids)
        o = outbox_table

        def work() -> set[int]:
            # No claim lock: extending a lease changes no owner, and must not wait behind
            # claims (a late renewal is how rows get taken over by mistake).
            with self._engine.begin() as conn:
                kept = conn.execute(
                    sa.update(o)
                    .where(o.c.id.in_(ids), o.c.sent_at.is_(None), o.c.claimed_by == self.owner)
                    .values(lease_until=now + self.lease)
                    .returning(o.c.id)
                ).scalars()
                return set(kept)

        return self._retry(work)

    # --- helpers ------------------------------------------------------------------------------

    def _lock(self, conn: sa.Connection, users: list[int], *, wait: bool) -> list[int]:
        """Take the claim locks of ``users`` in id order, in one statement; returns the users
        locked (all when waiting; without waiting, those nobody else is claiming now)."""
        if self._engine.dialect.name != "postgresql" or not users:
            return users
        rows = conn.execute(
            sa.text(LOCK_WAITING if wait else LOCK_FREE),
            {"space": LOCK_SPACE, "users": sorted(users)},
        ).all()
        return [uid for uid, got in rows if got or wait]

    @staticmethod
    def _users_of(conn: sa.Connection, ids: list[int]) -> list[int]:
        o = outbox_table
        query = sa.select(o.c.user_id).where(o.c.id.in_(ids)).distinct()
        return sorted(conn.execute(query).scalars())

    @staticmethod
    def _items(conn: sa.Connection, rows: Sequence[sa.Row[Any]]) -> list[OutboxItem]:
        if not rows:
            return []
        u = user_table
        user_ids = {row.user_id for row in rows}
        keys = dict(conn.execute(sa.select(u.c.id, u.c.key).where(u.c.id.in_(user_ids))).all())
        return [
            OutboxItem(row.id, keys[row.user_id], reply_from_json(row.payload), row.attempts,
                       row.created_at)
            for row in sorted(rows, key=lambda row: row.id)
        ]  # fmt: skip

    def _retry(self, work: Callable[[], T]) -> T:
        """``work``, again if PostgreSQL chose it as a deadlock's victim (rows of several
        users are updated together by different processes)."""
        for attempt in range(RETRIES):
            try:
                return work()
            except DBAPIError as error:
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in ("40P01", "40001") or attempt == RETRIES - 1:
                    raise
                time.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")


def owner_name(host: str, pid: int, token: str) -> str:
    """A process's name in ``claimed_by``: where it runs, and a token new at every start (a
    restarted process is somebody else: it does not inherit its predecessor's live leases)."""
    return f"{host}:{pid}:{token}"[:100]


__all__ = ["Outbox", "owner_name"]
