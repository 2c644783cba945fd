"""Initial schema: plan, departments, officers, invites, reports, audit, locks, send log, conversations.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Generated with autogenerate against storage.models, then reviewed by hand:
timestamps are plain ``DateTime(timezone=True)`` (the UTC handling lives in Python),
enumerations are VARCHAR(32) with named CHECK constraints (plan-derived ones are
unchecked), and every constraint is named by the metadata naming convention so
later batch migrations on SQLite can refer to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('conversation_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=128), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_states')),
    sa.UniqueConstraint('name', 'chat_id', 'user_id', name=op.f('uq_conversation_states_name_chat_id_user_id'))
    )
    op.create_index(op.f('ix_conversation_states_expires_at'), 'conversation_states', ['expires_at'], unique=False)
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('department', 'board', 'media', 'locality', 'organisation', 'group', name='department_kind', native_enum=False, length=32), nullable=False),
    sa.Column('replaced_by_code', sa.String(length=32), nullable=True),
    sa.Column('replaced_on', sa.Date(), nullable=True),
    sa.Column('established', sa.Date(), nullable=True),
    sa.Column('dissolved_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('decision_number', sa.String(length=64), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('code', name=op.f('uq_plans_code'))
    )
    op.create_table('department_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.Text(), nullable=False),
    sa.Column('normalized', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_aliases_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_aliases')),
    sa.UniqueConstraint('normalized', name=op.f('uq_department_aliases_normalized'))
    )
    op.create_index(op.f('ix_department_aliases_department_id'), 'department_aliases', ['department_id'], unique=False)
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('responsible_text', sa.Text(), nullable=False),
    sa.Column('timeframe_text', sa.Text(), nullable=False),
    sa.Column('period_start', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Integer(), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('target_year', sa.Integer(), nullable=True),
    sa.Column('direction', sa.Enum('increase', 'decrease', 'any', name='indicator_direction', native_enum=False, length=32), nullable=False),
    sa.Column('numerator_question', sa.Text(), nullable=True),
    sa.Column('denominator_question', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_indicators_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_indicators_plan_id_number'))
    )
    op.create_table('officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('role', sa.Enum('officer', 'admin', name='officer_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unreachable_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('admin_from_config', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_officers_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officers')),
    sa.UniqueConstraint('telegram_user_id', name=op.f('uq_officers_telegram_user_id'))
    )
    op.create_index(op.f('ix_officers_department_id'), 'officers', ['department_id'], unique=False)
    op.create_table('plan_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('task_key', sa.String(length=16), nullable=False),
    sa.Column('group_code', sa.String(length=8), nullable=False),
    sa.Column('group_title', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('lead_text', sa.Text(), nullable=False),
    sa.Column('coordinators_text', sa.Text(), nullable=False),
    sa.Column('timeframe', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_tasks_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_tasks')),
    sa.UniqueConstraint('plan_id', 'task_key', name=op.f('uq_plan_tasks_plan_id_task_key'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_officer_id', sa.Integer(), nullable=True),
    sa.Column('actor_telegram_id', sa.BigInteger(), nullable=True),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('old_value', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('new_value', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_officer_id'], ['officers.id'], name=op.f('fk_audit_events_actor_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_index(op.f('ix_audit_events_entity'), 'audit_events', ['entity', 'entity_id'], unique=False)
    op.create_index(op.f('ix_audit_events_occurred_at'), 'audit_events', ['occurred_at'], unique=False)
    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.Enum('task', 'indicator', 'regime', name='subject_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject_key', sa.String(length=32), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('one_off', 'annual_report', 'final_evaluation', 'plan_submission', 'five_year_plan_submission', 'consolidated_report', name='deadline_kind', native_enum=False, length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('period_year', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_deadlines_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_deadlines_plan_id_plans')),
    sa.ForeignKeyConstraint(['task_id'], ['plan_tasks.id'], name=op.f('fk_deadlines_task_id_plan_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines')),
    sa.UniqueConstraint('plan_id', 'subject_type', 'subject_key', 'kind', 'due_on', name=op.f('uq_deadlines_plan_id_subject_type_subject_key_kind_due_on'))
    )
    op.create_index(op.f('ix_deadlines_due_on'), 'deadlines', ['due_on'], unique=False)
    op.create_index(op.f('ix_deadlines_indicator_id'), 'deadlines', ['indicator_id'], unique=False)
    op.create_index(op.f('ix_deadlines_task_id'), 'deadlines', ['task_id'], unique=False)
    op.create_table('indicator_departments',
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('lead', 'coordinator', name='indicator_department_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_indicator_departments_department_id_departments')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_departments_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('indicator_id', 'department_id', 'role', name=op.f('pk_indicator_departments'))
    )
    op.create_index(op.f('ix_indicator_departments_department_id'), 'indicator_departments', ['department_id'], unique=False)
    op.create_table('indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('numerator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('denominator', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence_file_id', sa.String(length=255), nullable=True),
    sa.Column('evidence_file_name', sa.String(length=255), nullable=True),
    sa.Column('evidence_file_size', sa.BigInteger(), nullable=True),
    sa.Column('evidence_sender_telegram_id', sa.BigInteger(), nullable=True),
    sa.Column('entered_by_officer_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Enum('chat', 'quick', 'import', 'admin', name='value_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_indicator_values_department_id_departments')),
    sa.ForeignKeyConstraint(['entered_by_officer_id'], ['officers.id'], name=op.f('fk_indicator_values_entered_by_officer_id_officers')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_values_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['indicator_values.id'], name=op.f('fk_indicator_values_supersedes_id_indicator_values')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
    sa.UniqueConstraint('indicator_id', 'year', 'version', name=op.f('uq_indicator_values_indicator_id_year_version'))
    )
    op.create_index(op.f('ix_indicator_values_department_id'), 'indicator_values', ['department_id'], unique=False)
    op.create_table('invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('officer', 'admin', name='invite_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_by_officer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_officer_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_officer_id'], ['officers.id'], name=op.f('fk_invites_created_by_officer_id_officers')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_invites_department_id_departments')),
    sa.ForeignKeyConstraint(['used_by_officer_id'], ['officers.id'], name=op.f('fk_invites_used_by_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invites')),
    sa.UniqueConstraint('token', name=op.f('uq_invites_token'))
    )
    op.create_index(op.f('ix_invites_department_id'), 'invites', ['department_id'], unique=False)
    op.create_table('period_locks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('changed_by_officer_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_officer_id'], ['officers.id'], name=op.f('fk_period_locks_changed_by_officer_id_officers')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_period_locks_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_locks')),
    sa.UniqueConstraint('plan_id', 'year', name=op.f('uq_period_locks_plan_id_year'))
    )
    op.create_table('task_departments',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('lead', 'coordinator', name='task_department_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_task_departments_department_id_departments')),
    sa.ForeignKeyConstraint(['task_id'], ['plan_tasks.id'], name=op.f('fk_task_departments_task_id_plan_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'department_id', 'role', name=op.f('pk_task_departments'))
    )
    op.create_index(op.f('ix_task_departments_department_id'), 'task_departments', ['department_id'], unique=False)
    op.create_table('task_progress_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('period_year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'blocked', name='progress_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence_file_id', sa.String(length=255), nullable=True),
    sa.Column('evidence_file_name', sa.String(length=255), nullable=True),
    sa.Column('evidence_file_size', sa.BigInteger(), nullable=True),
    sa.Column('evidence_sender_telegram_id', sa.BigInteger(), nullable=True),
    sa.Column('reported_by_officer_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_task_progress_reports_department_id_departments')),
    sa.ForeignKeyConstraint(['reported_by_officer_id'], ['officers.id'], name=op.f('fk_task_progress_reports_reported_by_officer_id_officers')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['task_progress_reports.id'], name=op.f('fk_task_progress_reports_supersedes_id_task_progress_reports')),
    sa.ForeignKeyConstraint(['task_id'], ['plan_tasks.id'], name=op.f('fk_task_progress_reports_task_id_plan_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_progress_reports')),
    sa.UniqueConstraint('task_id', 'department_id', 'period_year', 'version', name='uq_task_progress_reports_version')
    )
    op.create_index(op.f('ix_task_progress_reports_department_id'), 'task_progress_reports', ['department_id'], unique=False)
    op.create_table('reminder_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('claimed', 'sent', 'failed', 'skipped', name='send_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('telegram_message_id', sa.BigInteger(), nullable=True),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_reminder_sends_deadline_id_deadlines')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_reminder_sends_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sends')),
    sa.UniqueConstraint('deadline_id', 'officer_id', 'offset_days', name=op.f('uq_reminder_sends_deadline_id_officer_id_offset_days'))
    )
    op.create_index(op.f('ix_reminder_sends_officer_id'), 'reminder_sends', ['officer_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_reminder_sends_officer_id'), table_name='reminder_sends')
    op.drop_table('reminder_sends')
    op.drop_index(op.f('ix_task_progress_reports_department_id'), table_name='task_progress_reports')
    op.drop_table('task_progress_reports')
    op.drop_index(op.f('ix_task_departments_department_id'), table_name='task_departments')
    op.drop_table('task_departments')
    op.drop_table('period_locks')
    op.drop_index(op.f('ix_invites_department_id'), table_name='invites')
    op.drop_table('invites')
    op.drop_index(op.f('ix_indicator_values_department_id'), table_name='indicator_values')
    op.drop_table('indicator_values')
    op.drop_index(op.f('ix_indicator_departments_department_id'), table_name='indicator_departments')
    op.drop_table('indicator_departments')
    op.drop_index(op.f('ix_deadlines_task_id'), table_name='deadlines')
    op.drop_index(op.f('ix_deadlines_indicator_id'), table_name='deadlines')
    op.drop_index(op.f('ix_deadlines_due_on'), table_name='deadlines')
    op.drop_table('deadlines')
    op.drop_index(op.f('ix_audit_events_occurred_at'), table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_entity'), table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_table('plan_tasks')
    op.drop_index(op.f('ix_officers_department_id'), table_name='officers')
    op.drop_table('officers')
    op.drop_table('indicators')
    op.drop_index(op.f('ix_department_aliases_department_id'), table_name='department_aliases')
    op.drop_table('department_aliases')
    op.drop_table('plans')
    op.drop_table('departments')
    op.drop_index(op.f('ix_conversation_states_expires_at'), table_name='conversation_states')
    op.drop_table('conversation_states')
