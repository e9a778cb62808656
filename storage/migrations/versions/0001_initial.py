"""Initial schema: user, conversation, inbox, run, answer, outbox, effect.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def ts(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def user_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=name, ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        ts("created_at"),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.UniqueConstraint("key", name="uq_user_key"),
    )
    op.create_table(
        "conversation",
        sa.Column("user_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        ts("updated_at"),
        user_fk("fk_conversation_user_id"),
    )
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("event", sa.JSON(), nullable=False),
        ts("received_at"),
        ts("processed_at", nullable=True),
        user_fk("fk_inbox_user_id"),
        sa.UniqueConstraint("source", "external_id", name="uq_inbox_source_external_id"),
    )
    op.create_index("ix_inbox_user_id", "inbox", ["user_id", "id"])
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("script", sa.String(100), nullable=False),
        sa.Column("script_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        ts("started_at"),
        ts("finished_at", nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        user_fk("fk_run_user_id"),
        sa.UniqueConstraint("user_id", "no", name="uq_run_user_id_no"),
    )
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        ts("answered_at"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name="fk_answer_run_id", ondelete="CASCADE"),
        sa.UniqueConstraint("run_id", "step", name="uq_answer_run_id_step"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        ts("created_at"),
        ts("sent_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        user_fk("fk_outbox_user_id"),
    )
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["user_id", "id"],
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "effect",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        ts("created_at"),
        ts("done_at", nullable=True),
        user_fk("fk_effect_user_id"),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name="fk_effect_run_id", ondelete="CASCADE"),
    )
    op.create_index(
        "ix_effect_pending",
        "effect",
        ["kind", "id"],
        sqlite_where=sa.text("done_at IS NULL"),
        postgresql_where=sa.text("done_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_effect_pending", table_name="effect")
    op.drop_table("effect")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("answer")
    op.drop_table("run")
    op.drop_index("ix_inbox_user_id", table_name="inbox")
    op.drop_table("inbox")
    op.drop_table("conversation")
    op.drop_table("user")
