"""Several bot processes on one database: an outbox row is sent by the process that claimed it
(``claimed_by``) while its lease lasts (``lease_until``), and the processes share their send
pacing in ``send_slot`` (one token bucket per chat and one for the whole bot).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "send_slot",
        sa.Column("key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("full_at", sa.Float(precision=53), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("send_slot")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
