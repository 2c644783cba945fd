"""Annex I task progress: which tasks an officer reports on, and the confirmed, versioned write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.i18n import N_
from bot.plan.model import Task
from bot.services.accounts import Identity, PlanningOffice
from bot.services.entries import EntryProblem, EntryRefusedError, EvidenceDraft
from bot.services.periods import PeriodService
from bot.services.responsibility import Responsibility, TaskAssignment
from storage.enums import ProgressStatus
from storage.models import TaskProgressReport
from storage.repositories import departments, locks, task_progress

#: How each status is called in the annex's language (English msgids).
STATUS_LABELS: dict[ProgressStatus, str] = {
    ProgressStatus.NOT_STARTED: N_("Not started"),
    ProgressStatus.IN_PROGRESS: N_("In progress"),
    ProgressStatus.DONE: N_("Completed"),
    ProgressStatus.BLOCKED: N_("Facing difficulties"),
}

#: Statuses that cannot be confirmed without a note saying why.
NOTE_REQUIRED = frozenset({ProgressStatus.BLOCKED})


@dataclass(frozen=True, slots=True)
class ProgressDraft:
    task_id: str
    status: ProgressStatus | None = None
    note: str | None = None
    evidence: EvidenceDraft | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            "task": self.task_id,
            "status": self.status.value if self.status else None,
            "note": self.note,
            "evidence": self.evidence.as_data() if self.evidence else None,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ProgressDraft:
        status = data.get("status")
        return cls(
            task_id=str(data["task"]),
            status=ProgressStatus(status) if status else None,
            note=data.get("note"),
            evidence=EvidenceDraft.from_data(data.get("evidence")),
        )


@dataclass(frozen=True, slots=True)
class TaskStatus:
    assignment: TaskAssignment
    current: TaskProgressReport | None


@dataclass(frozen=True)
class ProgressService:
    sessions: async_sessionmaker[AsyncSession]
    periods: PeriodService
    responsibility: Responsibility
    clock: Clock
    tz: ZoneInfo

    def today(self) -> dt.date:
        return local_today(self.clock, self.tz)

    def assignments(self, identity: Identity) -> list[TaskAssignment]:
        if identity.department_code is None:
            raise EntryRefusedError(EntryProblem.NO_DEPARTMENT)
        return self.responsibility.tasks_for(identity.department_code, self.today())

    def task_for(self, identity: Identity, task_id: str) -> Task:
        """The task, if the caller's department leads or coordinates it today; otherwise a refusal."""
        task = self.responsibility.task(task_id)
        if identity.department_code is None:
            raise EntryRefusedError(EntryProblem.NO_DEPARTMENT)
        if task is None or self.responsibility.task_role(identity.department_code, task, self.today()) is None:
            raise EntryRefusedError(EntryProblem.NOT_YOUR_TASK, task=task_id, department=identity.department_name or "")
        return task

    async def statuses(self, identity: Identity, year: int) -> list[TaskStatus]:
        """The caller's tasks (leads first), each with the department's latest report for ``year``."""
        assignments = self.assignments(identity)
        async with self.sessions() as session:
            department = await departments.get_by_code(session, identity.department_code or "")
            ids = await self.periods.task_ids(session)
            result = []
            for assignment in assignments:
                current = None
                if department is not None and assignment.task.id in ids:
                    current = await task_progress.latest_report(session, ids[assignment.task.id], department.id, year)
                result.append(TaskStatus(assignment, current))
        return result

    async def confirm(
        self, identity: Identity, year: int, draft: ProgressDraft, office: PlanningOffice
    ) -> TaskProgressReport:
        """Store the report as the department's next version for the task and year."""
        self.task_for(identity, draft.task_id)
        if draft.status is None:
            raise ValueError("a progress report needs a status")
        if draft.status in NOTE_REQUIRED and not draft.note:
            raise EntryRefusedError(EntryProblem.NOTE_REQUIRED)
        async with self.sessions.begin() as session:
            plan_id = await self.periods.plan_id(session)
            if await locks.is_locked(session, plan_id, year):
                raise EntryRefusedError(EntryProblem.LOCKED, year=year, office=office.name)
            department = await departments.get_by_code(session, identity.department_code or "")
            if department is None:
                raise EntryRefusedError(EntryProblem.NO_DEPARTMENT)
            task_id = (await self.periods.task_ids(session))[draft.task_id]
            return await task_progress.record_progress(
                session,
                task_id=task_id,
                department_id=department.id,
                period_year=year,
                status=draft.status,
                reported_by_officer_id=identity.officer_id,
                note=draft.note,
                evidence=draft.evidence.for_storage() if draft.evidence else None,
                actor_telegram_id=identity.telegram_user_id,
                now=self.clock.now(),
            )
