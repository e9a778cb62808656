"""Teams: managers and reps, invite links, the managers' copies of summaries, coaching notes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def ts(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def fk(
    name: str, table: str, constraint: str, *, nullable: bool = False, on_delete: str = "CASCADE"
) -> sa.Column:
    return sa.Column(
        name,
        sa.Integer(),
        sa.ForeignKey(f"{table}.id", name=constraint, ondelete=on_delete),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=True),
        ts("created_at"),
        fk("created_by", "user", "fk_team_created_by", nullable=True, on_delete="SET NULL"),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), primary_key=True),
        fk("team_id", "team", "fk_membership_team_id"),
        fk("user_id", "user", "fk_membership_user_id"),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=True),
        sa.Column("prefs", sa.JSON(), nullable=True),
        ts("joined_at"),
        ts("changed_at"),
        sa.UniqueConstraint("team_id", "user_id", name="uq_membership_team_id_user_id"),
    )
    op.create_index("ix_membership_user_id", "membership", ["user_id", "status"])
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), primary_key=True),
        fk("team_id", "team", "fk_invite_team_id"),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        fk("created_by", "user", "fk_invite_created_by", nullable=True, on_delete="SET NULL"),
        ts("created_at"),
        ts("expires_at"),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        ts("revoked_at", nullable=True),
        sa.UniqueConstraint("code", name="uq_invite_code"),
    )
    op.create_index("ix_invite_team_id", "invite", ["team_id"])
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), primary_key=True),
        fk("team_id", "team", "fk_review_team_id"),
        fk("effect_id", "effect", "fk_review_effect_id"),
        fk("run_id", "run", "fk_review_run_id"),
        fk("rep_id", "user", "fk_review_rep_id"),
        fk("manager_id", "user", "fk_review_manager_id"),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=True),
        ts("created_at"),
        ts("sent_at", nullable=True),
        ts("reviewed_at", nullable=True),
        sa.UniqueConstraint("effect_id", "manager_id", name="uq_review_effect_id_manager_id"),
    )
    op.create_index("ix_review_manager_id", "review", ["manager_id", "status"])
    op.create_index("ix_review_rep_id", "review", ["rep_id", "run_id"])
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), primary_key=True),
        fk("team_id", "team", "fk_note_team_id"),
        fk("run_id", "run", "fk_note_run_id"),
        fk("rep_id", "user", "fk_note_rep_id"),
        fk("author_id", "user", "fk_note_author_id", nullable=True, on_delete="SET NULL"),
        sa.Column("text", sa.Text(), nullable=False),
        ts("created_at"),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_note_rep_id", "note", ["rep_id", "run_id"])


def downgrade() -> None:
    for index, table in (
        ("ix_note_rep_id", "note"),
        ("ix_review_rep_id", "review"),
        ("ix_review_manager_id", "review"),
        ("ix_invite_team_id", "invite"),
        ("ix_membership_user_id", "membership"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("note", "review", "invite", "membership", "team"):
        op.drop_table(table)
