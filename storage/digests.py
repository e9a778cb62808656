"""Claims on weekly digests, so each manager gets each week's digest once.

Inserting the ``digest`` row is the claim (its unique key settles a race between two bot
processes); a claim whose sender died is taken over after a lease. The one window where a digest
can repeat: a process that sent it and crashed before ``finish`` — the same as for reminders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from coaching.ports import DigestKey
from storage.db import READ_ONLY
from storage.schema import digest_table

LEASE = timedelta(minutes=10)
"""How long a claimed digest may take to go out before another process takes it over."""
FINAL = ("sent", "failed")


class Digests:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**READ_ONLY)

    def settled(self, keys: Iterable[DigestKey], *, now: datetime) -> set[DigestKey]:
        """Those of ``keys`` that need nothing: sent, failed, or claimed within the lease."""
        d = digest_table
        wanted = set(keys)
        if not wanted:
            return set()
        weeks = {week for _, _, week in wanted}
        query = sa.select(d.c.team_id, d.c.manager_id, d.c.week, d.c.status, d.c.claimed_at).where(
            d.c.week.in_(weeks)
        )
        with self._reader.connect() as conn:
            rows = conn.execute(query).all()
        return {
            (row.team_id, row.manager_id, row.week)
            for row in rows
            if row.status in FINAL or row.claimed_at > now - LEASE
        } & wanted

    def claim(self, key: DigestKey, *, now: datetime) -> bool:
        """True when this caller is now the one to send the digest ``key``."""
        d = digest_table
        team_id, manager_id, week = key
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        with self._engine.begin() as conn:
            inserted = conn.execute(
                insert(d)
                .values(
                    team_id=team_id,
                    manager_id=manager_id,
                    week=week,
                    status="claimed",
                    claimed_at=now,
                )
                .on_conflict_do_nothing(index_elements=[d.c.team_id, d.c.manager_id, d.c.week])
                .returning(d.c.id)
            ).first()
            if inserted is not None:
                return True
            taken_over = conn.execute(
                sa.update(d)
                .where(
                    d.c.team_id == team_id,
                    d.c.manager_id == manager_id,
                    d.c.week == week,
                    d.c.status == "claimed",
                    d.c.claimed_at <= now - LEASE,
                )
                .values(claimed_at=now)
            )
            return taken_over.rowcount == 1

    def finish(self, key: DigestKey, *, sent: bool, now: datetime) -> None:
        d = digest_table
        team_id, manager_id, week = key
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(d)
                .where(d.c.team_id == team_id, d.c.manager_id == manager_id, d.c.week == week)
                .values(status="sent" if sent else "failed", sent_at=now if sent else None)
            )

    def status(self, key: DigestKey) -> str | None:
        d = digest_table
        team_id, manager_id, week = key
        with self._reader.connect() as conn:
            value = conn.execute(
                sa.select(d.c.status).where(
                    d.c.team_id == team_id, d.c.manager_id == manager_id, d.c.week == week
                )
            ).scalar()
        return None if value is None else str(value)


__all__ = ["LEASE", "DigestKey", "Digests"]
