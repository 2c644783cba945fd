"""Reminder engine: purpose and schedule on the send log, delivery attempts, snoozes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The send log's unique key gains ``purpose`` (an officer of the planning office can get an
action reminder and an escalation for the same deadline and day). SQLite cannot alter a
constraint in place, so the table is rebuilt in batch mode; rows keep purpose 'action'.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PURPOSES = ('action', 'fyi', 'escalation', 'snooze')
_OUTCOMES = ('sent', 'retry_after', 'timed_out', 'network_error', 'forbidden', 'bad_request', 'error')


def upgrade() -> None:
    with op.batch_alter_table('reminder_sends') as batch:
        batch.add_column(sa.Column(
            'purpose',
            sa.Enum(*_PURPOSES, name='send_purpose', native_enum=False, create_constraint=True, length=32),
            server_default='action',
            nullable=False,
        ))
        batch.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('folded', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint('uq_reminder_sends_deadline_id_officer_id_offset_days', type_='unique')
        batch.create_unique_constraint(
            'uq_reminder_sends_deadline_id_officer_id_offset_days_purpose',
            ['deadline_id', 'officer_id', 'offset_days', 'purpose'],
        )
        batch.create_index('ix_reminder_sends_status', ['status'], unique=False)

    op.create_table('delivery_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_id', sa.Integer(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum(*_OUTCOMES, name='attempt_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('worker', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['send_id'], ['reminder_sends.id'], name=op.f('fk_delivery_attempts_send_id_reminder_sends'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempts'))
    )
    op.create_index(op.f('ix_delivery_attempts_attempted_at'), 'delivery_attempts', ['attempted_at'], unique=False)
    op.create_index(op.f('ix_delivery_attempts_send_id'), 'delivery_attempts', ['send_id'], unique=False)

    op.create_table('reminder_snoozes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_reminder_snoozes_deadline_id_deadlines')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_reminder_snoozes_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_snoozes')),
    sa.UniqueConstraint('deadline_id', 'officer_id', 'remind_at', name=op.f('uq_reminder_snoozes_deadline_id_officer_id_remind_at'))
    )
    op.create_index(op.f('ix_reminder_snoozes_officer_id'), 'reminder_snoozes', ['officer_id'], unique=False)
    op.create_index(op.f('ix_reminder_snoozes_remind_at'), 'reminder_snoozes', ['remind_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_reminder_snoozes_remind_at'), table_name='reminder_snoozes')
    op.drop_index(op.f('ix_reminder_snoozes_officer_id'), table_name='reminder_snoozes')
    op.drop_table('reminder_snoozes')
    op.drop_index(op.f('ix_delivery_attempts_send_id'), table_name='delivery_attempts')
    op.drop_index(op.f('ix_delivery_attempts_attempted_at'), table_name='delivery_attempts')
    op.drop_table('delivery_attempts')
    op.execute("DELETE FROM reminder_sends WHERE purpose <> 'action'")
    with op.batch_alter_table('reminder_sends') as batch:
        batch.drop_index('ix_reminder_sends_status')
        batch.drop_constraint('uq_reminder_sends_deadline_id_officer_id_offset_days_purpose', type_='unique')
        batch.create_unique_constraint(
            'uq_reminder_sends_deadline_id_officer_id_offset_days', ['deadline_id', 'officer_id', 'offset_days']
        )
        batch.drop_constraint(op.f('ck_reminder_sends_send_purpose'), type_='check')
        batch.drop_column('acknowledged_at')
        batch.drop_column('folded')
        batch.drop_column('due_at')
        batch.drop_column('purpose')
