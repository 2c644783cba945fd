"""Delivery hardening: calls in flight are never sent twice, and one process at a time runs a round.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('reminder_sends') as batch:
        batch.add_column(sa.Column('calling_since', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('digest_sends') as batch:
        batch.add_column(sa.Column('part_in_flight', sa.Integer(), nullable=True))
    op.create_table('round_leases',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=160), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_round_leases'))
    )


def downgrade() -> None:
    op.drop_table('round_leases')
    with op.batch_alter_table('digest_sends') as batch:
        batch.drop_column('part_in_flight')
    with op.batch_alter_table('reminder_sends') as batch:
        batch.drop_column('calling_since')
