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
