"""What /metrics and /readyz read from the database, on both backends; and workers starting
together migrate one at a time."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from storage.db import make_engine
from storage.gauges import code_revisions, database_revisions, read_backlog
from storage.leases import MAX_ATTEMPTS
from storage.schema import (
    conversation_table,
    outbox_table,
    reminder_table,
    run_table,
    user_table,
)

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def add_user(
    conn: sa.Connection, key: str, *, active: bool = True, turn_at: datetime | None = None
) -> int:
    user_id = conn.execute(
        sa.insert(user_table)
        .values(key=key, created_at=NOW, active=active)
        .returning(user_table.c.id)
    ).scalar_one()
    if turn_at is not None:
        conn.execute(
            sa.insert(conversation_table).values(user_id=user_id, state={}, updated_at=turn_at)
        )
    return int(user_id)


def add_run(conn: sa.Connection, user_id: int, no: int, status: str) -> None:
    conn.execute(
        sa.insert(run_table).values(
            user_id=user_id,
            no=no,
            script="debrief",
            script_version=1,
            status=status,
            started_at=NOW,
        )
    )


def add_outbox(
    conn: sa.Connection,
    user_id: int,
    created_at: datetime,
    *,
    sent: bool = False,
    attempts: int = 0,
) -> None:
    conn.execute(
        sa.insert(outbox_table).values(
            user_id=user_id,
            payload={},
            created_at=created_at,
            sent_at=NOW if sent else None,
            attempts=attempts,
        )
    )


def add_reminder(
    conn: sa.Connection, user_id: int, key: str, due_at: datetime, status: str = "pending"
) -> None:
    conn.execute(
        sa.insert(reminder_table).values(
            user_id=user_id,
            kind="follow_up",
            key=key,
            wanted_at=due_at,
            due_at=due_at,
            status=status,
            created_at=NOW,
            updated_at=NOW,
        )
    )


def test_the_backlog_counts_what_waits_for_the_bots_reps_only(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        anna = add_user(conn, "tg:1", turn_at=NOW - 5 * MINUTE)  # mid-debrief
        add_run(conn, anna, 1, "finished")
        add_run(conn, anna, 2, "active")
        ben = add_user(conn, "tg:2", turn_at=NOW - 20 * MINUTE)  # mid-debrief, gone quiet
        add_run(conn, ben, 1, "active")
        cleo = add_user(conn, "tg:3", turn_at=NOW - MINUTE)  # finished: nothing under way
        add_run(conn, cleo, 1, "finished")
        gone = add_user(conn, "tg:4", active=False)  # blocked the bot
        desk = add_user(conn, "console:dora", turn_at=NOW)  # the console's, not the bot's
        add_run(conn, desk, 1, "active")

        add_outbox(conn, anna, NOW - 3 * MINUTE)
        add_outbox(conn, anna, NOW - MINUTE)
        add_outbox(conn, anna, NOW - 9 * MINUTE, sent=True)
        add_outbox(conn, ben, NOW - 2 * MINUTE)
        add_outbox(conn, ben, NOW - 30 * MINUTE, attempts=MAX_ATTEMPTS)  # given up
        add_outbox(conn, gone, NOW - 60 * MINUTE)
        add_outbox(conn, desk, NOW - 60 * MINUTE)

        add_reminder(conn, anna, "a", NOW - 10 * MINUTE)  # late
        add_reminder(conn, anna, "b", NOW - 30 * MINUTE // 60)  # due 30 s ago: not late yet
        add_reminder(conn, anna, "c", NOW + MINUTE)  # not due
        add_reminder(conn, ben, "d", NOW - 2 * MINUTE, status="sent")
        add_reminder(conn, desk, "e", NOW - 10 * MINUTE)

    backlog = read_backlog(engine, NOW, late_after=MINUTE, active_within=15 * MINUTE)
    assert backlog.outbox_unsent == 3
    assert backlog.outbox_oldest == NOW - 3 * MINUTE
    assert backlog.outbox_given_up == 1
    assert (backlog.reminders_due, backlog.reminders_late) == (2, 1)
    assert backlog.dialogs_active == 1


def test_an_empty_database_has_no_backlog(engine: sa.Engine) -> None:
    backlog = read_backlog(engine, NOW, late_after=MINUTE, active_within=15 * MINUTE)
    assert (backlog.outbox_unsent, backlog.outbox_oldest, backlog.outbox_given_up) == (0, None, 0)
    assert (backlog.reminders_due, backlog.reminders_late, backlog.dialogs_active) == (0, 0, 0)


def test_workers_starting_together_migrate_one_at_a_time(empty_db_url: str) -> None:
    """Three processes (workers of a new version starting at once) upgrade an empty database:
    all succeed and it ends at the newest migration."""
    code = "import sys; from storage.migrate import upgrade; upgrade(sys.argv[1])"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code, empty_db_url],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(worker.wait(120), worker.communicate()[1]) for worker in workers]
    assert [status for status, _ in outcomes] == [0, 0, 0], outcomes
    engine = make_engine(empty_db_url)
    try:
        assert database_revisions(engine) == code_revisions(empty_db_url).heads
    finally:
        engine.dispose()
