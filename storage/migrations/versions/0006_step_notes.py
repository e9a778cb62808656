"""Step notes: what a rep typed at a question that was not its answer (pushback, a vent, an
aside), kept with the run so that nothing typed is lost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "step_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("run.id", name="fk_step_note_run_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_step_note_run_id", "step_note", ["run_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_step_note_run_id", table_name="step_note")
    op.drop_table("step_note")
