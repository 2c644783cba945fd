"""Closed sets of values stored as short strings (portable VARCHAR + CHECK, no native enum types)."""

from __future__ import annotations

from enum import StrEnum


class OfficerRole(StrEnum):
    OFFICER = "officer"
    ADMIN = "admin"


class DepartmentRole(StrEnum):
    """How a department is named on a task or indicator row of the plan."""

    LEAD = "lead"
    COORDINATOR = "coordinator"


class SubjectType(StrEnum):
    TASK = "task"
    INDICATOR = "indicator"
    REGIME = "regime"


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class ValueSource(StrEnum):
    CHAT = "chat"
    QUICK = "quick"
    IMPORT = "import"
    ADMIN = "admin"


class SendStatus(StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class SendPurpose(StrEnum):
    """Why a row of the send log exists: one key per deadline, recipient, offset and purpose."""

    ACTION = "action"  # the lead department must deliver
    FYI = "fyi"  # a coordinating department is told
    ESCALATION = "escalation"  # the planning office is told who is late
    SNOOZE = "snooze"  # "Nhắc lại sau": the reminder again, a day later


class AttemptOutcome(StrEnum):
    """What one call to Telegram for a reminder came back with."""

    SENT = "sent"
    RETRY_AFTER = "retry_after"
    TIMED_OUT = "timed_out"
    NETWORK_ERROR = "network_error"
    FORBIDDEN = "forbidden"
    BAD_REQUEST = "bad_request"
    ERROR = "error"


class DigestKind(StrEnum):
    """What the planning office is sent automatically (issue: summaries)."""

    WEEKLY = "weekly"  # the weekly digest: deadlines in the next 30 days and overdue ones
    DEADLINE = "deadline"  # the day after a deadline: on time, late, not at all
    COMPILE = "compile"  # the yearly compile with its files
