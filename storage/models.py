"""The relational schema (SQLAlchemy 2 typed ORM).

Conventions: integer surrogate keys; UTC-aware timestamps (``UTCDateTime``); plan
entities keep the plan's own keys ("I.1", indicator 3, department code) as unique
business keys so re-loading the plan file is an idempotent upsert; reports are
append-only versions (a correction is a new version that supersedes the old one);
relationships are ``lazy="raise"`` so a missing eager load fails loudly instead of
issuing hidden queries inside async code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.plan.model import DeadlineKind, DepartmentKind, Direction
from storage.base import NAMING_CONVENTION, Base, str_enum
from storage.enums import (
    DepartmentRole,
    OfficerRole,
    ProgressStatus,
    SendStatus,
    SubjectType,
    ValueSource,
)


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime]


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[DepartmentKind] = mapped_column(str_enum(DepartmentKind, "department_kind", checked=False))
    replaced_by_code: Mapped[str | None] = mapped_column(String(32))
    replaced_on: Mapped[dt.date | None] = mapped_column(Date)
    established: Mapped[dt.date | None] = mapped_column(Date)
    dissolved_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)

    aliases: Mapped[list[DepartmentAlias]] = relationship(back_populates="department", lazy="raise")


class DepartmentAlias(Base):
    __tablename__ = "department_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(255), unique=True)

    department: Mapped[Department] = relationship(back_populates="aliases", lazy="raise")


class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[OfficerRole] = mapped_column(str_enum(OfficerRole, "officer_role"))
    active: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime | None]
    deactivated_at: Mapped[dt.datetime | None]
    unreachable_at: Mapped[dt.datetime | None]
    locale: Mapped[str | None] = mapped_column(String(16))  # None: the bot's DEFAULT_LOCALE
    admin_from_config: Mapped[bool] = mapped_column(default=False, server_default=false())

    department: Mapped[Department | None] = relationship(lazy="raise")


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    role: Mapped[OfficerRole] = mapped_column(str_enum(OfficerRole, "invite_role"))
    created_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    revoked_at: Mapped[dt.datetime | None]

    department: Mapped[Department] = relationship(lazy="raise")


class PlanTask(Base):
    __tablename__ = "plan_tasks"
    __table_args__ = (UniqueConstraint("plan_id", "task_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    task_key: Mapped[str] = mapped_column(String(16))
    group_code: Mapped[str] = mapped_column(String(8))
    group_title: Mapped[str] = mapped_column(Text)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    lead_text: Mapped[str] = mapped_column(Text)
    coordinators_text: Mapped[str] = mapped_column(Text)
    timeframe: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    departments: Mapped[list[TaskDepartment]] = relationship(lazy="raise")


class TaskDepartment(Base):
    __tablename__ = "task_departments"

    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True, index=True)
    role: Mapped[DepartmentRole] = mapped_column(str_enum(DepartmentRole, "task_department_role"), primary_key=True)

    department: Mapped[Department] = relationship(lazy="raise")


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(32))
    responsible_text: Mapped[str] = mapped_column(Text)
    timeframe_text: Mapped[str] = mapped_column(Text)
    period_start: Mapped[int]
    period_end: Mapped[int]
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    target_year: Mapped[int | None]
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "indicator_direction", checked=False))
    numerator_question: Mapped[str | None] = mapped_column(Text)
    denominator_question: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    departments: Mapped[list[IndicatorDepartment]] = relationship(lazy="raise")


class IndicatorDepartment(Base):
    __tablename__ = "indicator_departments"

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True, index=True)
    role: Mapped[DepartmentRole] = mapped_column(
        str_enum(DepartmentRole, "indicator_department_role"), primary_key=True
    )

    department: Mapped[Department] = relationship(lazy="raise")


class Deadline(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("plan_id", "subject_type", "subject_key", "kind", "due_on"),
        Index("ix_deadlines_due_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    subject_type: Mapped[SubjectType] = mapped_column(str_enum(SubjectType, "subject_type"))
    subject_key: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_tasks.id"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    kind: Mapped[DeadlineKind] = mapped_column(str_enum(DeadlineKind, "deadline_kind", checked=False))
    due_on: Mapped[dt.date] = mapped_column(Date)
    period_year: Mapped[int]
    label: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    task: Mapped[PlanTask | None] = relationship(lazy="raise")
    indicator: Mapped[Indicator | None] = relationship(lazy="raise")


# Reports, audit and runtime state live in a second module to keep files short; importing
# them here registers their tables on ``Base.metadata`` and re-exports the classes.
from storage.models_runtime import (  # noqa: E402
    AuditEvent,
    ConversationState,
    DeliveryAttempt,
    DigestSend,
    IndicatorValue,
    PeriodLock,
    PlanningOfficeChat,
    ReminderSend,
    ReminderSnooze,
    RoundLease,
    TaskProgressReport,
)

__all__ = [
    "NAMING_CONVENTION",
    "AuditEvent",
    "Base",
    "ConversationState",
    "Deadline",
    "DeliveryAttempt",
    "Department",
    "DepartmentAlias",
    "DepartmentRole",
    "DigestSend",
    "Indicator",
    "IndicatorDepartment",
    "IndicatorValue",
    "Invite",
    "Officer",
    "OfficerRole",
    "PeriodLock",
    "Plan",
    "PlanTask",
    "PlanningOfficeChat",
    "ProgressStatus",
    "ReminderSend",
    "ReminderSnooze",
    "RoundLease",
    "SendStatus",
    "SubjectType",
    "TaskDepartment",
    "TaskProgressReport",
    "ValueSource",
    "str_enum",
]
