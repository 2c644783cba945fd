"""Summaries: the planning office's digest send log and its registered group chat.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ('weekly', 'deadline', 'compile')
_STATUSES = ('claimed', 'sent', 'failed', 'skipped')


def upgrade() -> None:
    op.create_table('digest_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*_KINDS, name='digest_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum(*_STATUSES, name='digest_send_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('parts_sent', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_sends')),
    sa.UniqueConstraint('kind', 'subject', 'chat_id', name=op.f('uq_digest_sends_kind_subject_chat_id'))
    )
    op.create_index('ix_digest_sends_status', 'digest_sends', ['status'], unique=False)
    op.create_table('planning_office_chats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('registered_by_officer_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['registered_by_officer_id'], ['officers.id'], name=op.f('fk_planning_office_chats_registered_by_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planning_office_chats')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_planning_office_chats_chat_id'))
    )


def downgrade() -> None:
    op.drop_table('planning_office_chats')
    op.drop_index('ix_digest_sends_status', table_name='digest_sends')
    op.drop_table('digest_sends')
