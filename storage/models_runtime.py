"""Tables written while the bot runs: reports (versioned), audit trail, locks, send log, conversations.

Kept apart from ``storage.models`` only for file size; import the classes from
``storage.models``, which re-exports them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, str_enum
from storage.enums import AttemptOutcome, DigestKind, ProgressStatus, SendPurpose, SendStatus, ValueSource


class IndicatorValue(Base):
    """One confirmed version of an indicator's figure for a year; never updated in place."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    year: Mapped[int]
    version: Mapped[int]
    value: Mapped[Decimal] = mapped_column(Numeric(9, 4))
    numerator: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    denominator: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_file_id: Mapped[str | None] = mapped_column(String(255))
    evidence_file_name: Mapped[str | None] = mapped_column(String(255))
    evidence_file_size: Mapped[int | None] = mapped_column(BigInteger)
    evidence_sender_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    entered_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    entered_at: Mapped[dt.datetime]
    source: Mapped[ValueSource] = mapped_column(str_enum(ValueSource, "value_source"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_values.id"))

    supersedes: Mapped[IndicatorValue | None] = relationship(remote_side=[id], lazy="raise")


class TaskProgressReport(Base):
    """One version of a department's progress on a task for a reporting year."""

    __tablename__ = "task_progress_reports"
    __table_args__ = (
        UniqueConstraint("task_id", "department_id", "period_year", "version", name="uq_task_progress_reports_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    period_year: Mapped[int]
    version: Mapped[int]
    status: Mapped[ProgressStatus] = mapped_column(str_enum(ProgressStatus, "progress_status"))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_file_id: Mapped[str | None] = mapped_column(String(255))
    evidence_file_name: Mapped[str | None] = mapped_column(String(255))
    evidence_file_size: Mapped[int | None] = mapped_column(BigInteger)
    evidence_sender_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    reported_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    reported_at: Mapped[dt.datetime]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("task_progress_reports.id"))

    supersedes: Mapped[TaskProgressReport | None] = relationship(remote_side=[id], lazy="raise")


class AuditEvent(Base):
    """Who changed what, with the value before and after; written in the same transaction."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(index=True)
    actor_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    detail: Mapped[str | None] = mapped_column(Text)


class PeriodLock(Base):
    """Whether a reporting year is closed for changes (one row per plan and year)."""

    __tablename__ = "period_locks"
    __table_args__ = (UniqueConstraint("plan_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    year: Mapped[int]
    locked: Mapped[bool]
    changed_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    changed_at: Mapped[dt.datetime]


class ReminderSend(Base):
    """The durable send log: the unique key makes a reminder go out at most once per recipient and offset.

    ``offset_days`` is the nominal day relative to the deadline (-7 a week before, 1 the day after);
    ``due_at`` is when it was meant to go out after moving off weekends and holidays.
    """

    __tablename__ = "reminder_sends"
    __table_args__ = (
        UniqueConstraint("deadline_id", "officer_id", "offset_days", "purpose"),
        Index("ix_reminder_sends_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    offset_days: Mapped[int]
    purpose: Mapped[SendPurpose] = mapped_column(
        str_enum(SendPurpose, "send_purpose"), default=SendPurpose.ACTION, server_default=SendPurpose.ACTION.value
    )
    status: Mapped[SendStatus] = mapped_column(str_enum(SendStatus, "send_status"))
    claimed_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    folded: Mapped[bool] = mapped_column(default=False, server_default=false())  # sent inside a summary message
    acknowledged_at: Mapped[dt.datetime | None]  # "Đã nhận" pressed
    #: Set just before each call to Telegram, cleared when the call came back with a proven failure. A claim
    #: abandoned with it set may have been delivered: the take-over counts it as sent (unconfirmed), never resends.
    calling_since: Mapped[dt.datetime | None]


class DeliveryAttempt(Base):
    """Every call to Telegram made for the send log, with what came back: the trail /nhacnho shows."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_sends.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    attempted_at: Mapped[dt.datetime] = mapped_column(index=True)
    outcome: Mapped[AttemptOutcome] = mapped_column(str_enum(AttemptOutcome, "attempt_outcome"))
    detail: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(128))


class ReminderSnooze(Base):
    """ "Nhắc lại sau": the officer wants this deadline's reminder again at ``remind_at``."""

    __tablename__ = "reminder_snoozes"
    __table_args__ = (UniqueConstraint("deadline_id", "officer_id", "remind_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    remind_at: Mapped[dt.datetime] = mapped_column(index=True)
    created_at: Mapped[dt.datetime]


class DigestSend(Base):
    """The send log of the planning office's digests: the unique key makes each go out once per chat.

    ``subject`` names the occurrence: the ISO week ("2015-W47"), the deadline day ("2015-12-15")
    or the compiled year and the day ("2015:2015-12-16", at most one compile a day).
    ``parts_sent`` lets a retry resume after the messages and files already delivered.
    """

    __tablename__ = "digest_sends"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "chat_id"),
        Index("ix_digest_sends_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DigestKind] = mapped_column(str_enum(DigestKind, "digest_kind"))
    subject: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[SendStatus] = mapped_column(str_enum(SendStatus, "digest_send_status"))
    claimed_at: Mapped[dt.datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    parts_sent: Mapped[int] = mapped_column(default=0)
    #: The part whose call to Telegram is under way; a take-over counts it as out and resumes after it.
    part_in_flight: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class RoundLease(Base):
    """Which process runs a scheduled round (reminders, digests) right now: one holder per round.

    Several processes share one database; each asks for the lease before a round and the others skip
    theirs. The lease ends with the round, or by itself at ``expires_at`` if its holder died. The send
    logs' claims still decide every single send, so an expired lease can cost work, never a duplicate.
    """

    __tablename__ = "round_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(160))
    expires_at: Mapped[dt.datetime]


class PlanningOfficeChat(Base):
    """The group chat an admin registered with /nhantonghop to receive the planning office's digests."""

    __tablename__ = "planning_office_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    registered_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    registered_at: Mapped[dt.datetime]
    active: Mapped[bool] = mapped_column(default=True)


class ConversationState(Base):
    """A conversation step and its draft, so a restart does not lose what an officer typed."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("name", "chat_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None] = mapped_column(index=True)
