"""Read access to the plan as stored: tasks, indicators, who leads them, and their deadlines.

Rows are written only by ``storage.plan_sync``; codes are stored as the plan lists
them (routing a dissolved department's work to its successor happens at run time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import DepartmentRole, SubjectType
from storage.models import (
    Deadline,
    Department,
    Indicator,
    IndicatorDepartment,
    Plan,
    PlanTask,
    TaskDepartment,
)

SubjectT = TypeVar("SubjectT", PlanTask, Indicator)


async def get_plan(session: AsyncSession, code: str) -> Plan | None:
    return await session.scalar(select(Plan).where(Plan.code == code))


async def get_task(session: AsyncSession, plan_id: int, task_key: str) -> PlanTask | None:
    return await session.scalar(select(PlanTask).where(PlanTask.plan_id == plan_id, PlanTask.task_key == task_key))


async def get_indicator(session: AsyncSession, plan_id: int, number: int) -> Indicator | None:
    return await session.scalar(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.number == number))


async def list_tasks(session: AsyncSession, plan_id: int, *, active_only: bool = True) -> list[PlanTask]:
    query = select(PlanTask).where(PlanTask.plan_id == plan_id).order_by(PlanTask.position)
    if active_only:
        query = query.where(PlanTask.active.is_(True))
    return list((await session.scalars(query)).all())


async def list_indicators(session: AsyncSession, plan_id: int, *, active_only: bool = True) -> list[Indicator]:
    query = select(Indicator).where(Indicator.plan_id == plan_id).order_by(Indicator.number)
    if active_only:
        query = query.where(Indicator.active.is_(True))
    return list((await session.scalars(query)).all())


async def _departments_of(
    session: AsyncSession, link: Any, owner: Any, owner_id: int
) -> list[tuple[str, DepartmentRole]]:
    """(department code, role) pairs of the ``link`` rows whose ``owner`` column is ``owner_id``, leads first."""
    query = (
        select(Department.code, link.role)
        .join(Department, Department.id == link.department_id)
        .where(owner == owner_id)
        .order_by(link.role.desc(), Department.code)
    )
    return [(code, role) for code, role in (await session.execute(query)).all()]


async def task_departments(session: AsyncSession, task_id: int) -> list[tuple[str, DepartmentRole]]:
    """(department code, role) pairs of a task, leads first."""
    return await _departments_of(session, TaskDepartment, TaskDepartment.task_id, task_id)


async def indicator_departments(session: AsyncSession, indicator_id: int) -> list[tuple[str, DepartmentRole]]:
    return await _departments_of(session, IndicatorDepartment, IndicatorDepartment.indicator_id, indicator_id)


async def _for_department(
    session: AsyncSession,
    subject: type[SubjectT],
    link: Any,
    owner: Any,
    order: Any,
    department_id: int,
    role: DepartmentRole | None,
) -> list[SubjectT]:
    """Active ``subject`` rows that a ``link`` row (``owner`` = subject id) ties to the department."""
    query = (
        select(subject)
        .join(link, owner == subject.id)
        .where(link.department_id == department_id, subject.active.is_(True))
        .order_by(order)
        .distinct()
    )
    if role is not None:
        query = query.where(link.role == role)
    return list((await session.scalars(query)).all())


async def tasks_for_department(
    session: AsyncSession, department_id: int, *, role: DepartmentRole | None = None
) -> list[PlanTask]:
    """Active tasks naming this department (directly, as the plan lists it)."""
    return await _for_department(
        session, PlanTask, TaskDepartment, TaskDepartment.task_id, PlanTask.position, department_id, role
    )


async def indicators_for_department(
    session: AsyncSession, department_id: int, *, role: DepartmentRole | None = None
) -> list[Indicator]:
    return await _for_department(
        session, Indicator, IndicatorDepartment, IndicatorDepartment.indicator_id, Indicator.number, department_id, role
    )


async def list_deadlines(
    session: AsyncSession,
    plan_id: int,
    *,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    subject_type: SubjectType | None = None,
    period_years: Collection[int] | None = None,
    active_only: bool = True,
) -> list[Deadline]:
    """Deadlines in ``[due_from, due_to]`` (both inclusive) of the given reporting years, soonest first."""
    query = select(Deadline).where(Deadline.plan_id == plan_id).order_by(Deadline.due_on, Deadline.id)
    if due_from is not None:
        query = query.where(Deadline.due_on >= due_from)
    if due_to is not None:
        query = query.where(Deadline.due_on <= due_to)
    if subject_type is not None:
        query = query.where(Deadline.subject_type == subject_type)
    if period_years is not None:
        query = query.where(Deadline.period_year.in_(sorted(set(period_years))))
    if active_only:
        query = query.where(Deadline.active.is_(True))
    return list((await session.scalars(query)).all())


async def department_ids(session: AsyncSession, codes: Iterable[str]) -> dict[str, int]:
    """Database ids of the given department codes (unknown codes are simply absent)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await session.execute(select(Department.code, Department.id).where(Department.code.in_(wanted)))
    return {code: department_id for code, department_id in rows.all()}
