"""Reminders: the reminder table, and the rep's pause and reminder preferences.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def ts(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("user") as user:
        user.add_column(ts("paused_until", nullable=True))
        user.add_column(sa.Column("prefs", sa.JSON(), nullable=True))
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("run_no", sa.Integer(), nullable=True),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        ts("wanted_at"),
        ts("due_at"),
        sa.Column("explicit", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("snoozes", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        ts("created_at"),
        ts("updated_at"),
        ts("sent_at", nullable=True),
        ts("closed_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_reminder_user_id", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("key", name="uq_reminder_key"),
    )
    op.create_index(
        "ix_reminder_due",
        "reminder",
        ["due_at", "id"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_reminder_user_id", "reminder", ["user_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_reminder_user_id", table_name="reminder")
    op.drop_index("ix_reminder_due", table_name="reminder")
    op.drop_table("reminder")
    with op.batch_alter_table("user") as user:
        user.drop_column("prefs")
        user.drop_column("paused_until")
