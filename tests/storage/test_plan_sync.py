"""Plan sync: idempotent upsert, change detection, orphans kept and reported, and the shipped plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.loader import load_plan
from bot.plan.model import DeadlineKind
from scheduler.deadlines import Deadline as PlannedDeadline
from storage.enums import DepartmentRole, SubjectType
from storage.models import Deadline, Department, DepartmentAlias, Indicator, PlanTask, TaskDepartment
from storage.plan_sync import PlanSyncError, plan_checksum, sync_plan
from storage.repositories import plan as plan_repo
from tests.storage.factories import NOW, TODAY, make_loaded, make_plan, plan_data


async def _count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_first_sync_creates_everything(db_session: AsyncSession) -> None:
    loaded = make_loaded()
    report = await sync_plan(db_session, loaded, today=TODAY, now=NOW)
    await db_session.commit()
    assert report.plan == "created"
    assert (report.departments.created, report.tasks.created, report.indicators.created) == (6, 2, 2)
    assert report.deadlines.created == 2 * 2 + 2 * 2 + 2
    assert report.changed
    assert "tasks +2" in str(report)

    stored = await plan_repo.get_plan(db_session, "test-plan-2013")
    assert stored is not None
    assert (stored.decision_number, stored.decision_date, stored.loaded_at) == (
        "514/QĐ-UBND",
        dt.date(2013, 6, 10),
        NOW,
    )
    assert stored.checksum == plan_checksum(loaded)
    task = await plan_repo.get_task(db_session, stored.id, "I.1")
    assert task is not None
    assert (task.group_code, task.group_title, task.position, task.timeframe) == (
        "I",
        "Giảm cường độ phát thải",
        0,
        "2014-2015",
    )
    assert await plan_repo.task_departments(db_session, task.id) == [
        ("STNMT", DepartmentRole.LEAD),
        ("SCT", DepartmentRole.COORDINATOR),
        ("SKHDT", DepartmentRole.COORDINATOR),
    ]
    indicator = await plan_repo.get_indicator(db_session, stored.id, 1)
    assert indicator is not None
    assert (indicator.target_value, indicator.target_year, indicator.period_start) == (Decimal("63.5"), 2020, 2014)
    # codes are stored as the plan lists them: the replaced department still leads indicator 1
    assert await plan_repo.indicator_departments(db_session, indicator.id) == [
        ("SNNPTNT", DepartmentRole.LEAD),
        ("STNMT", DepartmentRole.COORDINATOR),
    ]
    stnmt = await db_session.scalar(select(Department.id).where(Department.code == "STNMT"))
    assert stnmt is not None
    assert [t.task_key for t in await plan_repo.tasks_for_department(db_session, stnmt)] == ["I.1"]
    assert [i.number for i in await plan_repo.indicators_for_department(db_session, stnmt)] == [1, 2]
    lead_only = await plan_repo.indicators_for_department(db_session, stnmt, role=DepartmentRole.LEAD)
    assert [i.number for i in lead_only] == [2]

    regime = await plan_repo.list_deadlines(db_session, stored.id, subject_type=SubjectType.REGIME)
    assert [(d.subject_key, d.kind, d.due_on, d.label) for d in regime] == [
        ("regime", DeadlineKind.ANNUAL_REPORT, dt.date(2014, 12, 15), "Báo cáo năm"),
        ("regime", DeadlineKind.CONSOLIDATED_REPORT, dt.date(2014, 12, 31), "Báo cáo tổng hợp"),
    ]
    window = await plan_repo.list_deadlines(
        db_session, stored.id, due_from=dt.date(2014, 12, 15), due_to=dt.date(2014, 12, 15)
    )
    assert sorted(d.subject_key for d in window) == ["regime", "task:I.1", "task:II.1"]
    deadline = next(d for d in window if d.subject_key == "task:I.1")
    assert (deadline.task_id, deadline.indicator_id, deadline.period_year) == (task.id, None, 2014)


async def test_second_sync_changes_nothing(db_session: AsyncSession) -> None:
    await sync_plan(db_session, make_loaded(), today=TODAY, now=NOW)
    await db_session.commit()
    counts = [await _count(db_session, m) for m in (Department, DepartmentAlias, PlanTask, TaskDepartment, Deadline)]

    report = await sync_plan(db_session, make_loaded(), today=TODAY, now=NOW + dt.timedelta(days=1))
    assert not report.changed
    assert report.plan == "unchanged"
    assert (report.departments.unchanged, report.tasks.unchanged, report.indicators.unchanged) == (6, 2, 2)
    assert report.deadlines.unchanged == 10
    assert not db_session.dirty
    assert not db_session.new
    await db_session.commit()
    after = [await _count(db_session, m) for m in (Department, DepartmentAlias, PlanTask, TaskDepartment, Deadline)]
    assert after == counts
    stored = await plan_repo.get_plan(db_session, "test-plan-2013")
    assert stored is not None
    assert stored.loaded_at == NOW


async def test_changes_are_applied_and_counted(db_session: AsyncSession) -> None:
    await sync_plan(db_session, make_loaded(), today=TODAY, now=NOW)
    await db_session.commit()
    data = plan_data()
    data["tasks"][0]["title"] = "Kiểm kê khí nhà kính định kỳ"
    data["tasks"][0]["coordinators"] = ["SCT"]  # SKHDT no longer coordinates I.1
    data["indicators"][1]["target"] = {"value": 90, "year": 2020}
    loaded = make_loaded(make_plan(**data))
    loaded.task_deadlines["I.1"][0] = PlannedDeadline(dt.date(2014, 12, 15), DeadlineKind.ANNUAL_REPORT, 2014, "mới")

    later = NOW + dt.timedelta(days=2)
    report = await sync_plan(db_session, loaded, today=TODAY, now=later)
    await db_session.commit()
    assert report.plan == "updated"
    assert (report.tasks.updated, report.tasks.unchanged) == (1, 1)
    assert (report.indicators.updated, report.indicators.unchanged) == (1, 1)
    assert (report.deadlines.updated, report.deadlines.unchanged) == (1, 9)
    stored = await plan_repo.get_plan(db_session, "test-plan-2013")
    assert stored is not None
    assert stored.loaded_at == later
    task = await plan_repo.get_task(db_session, stored.id, "I.1")
    assert task is not None
    assert task.title == "Kiểm kê khí nhà kính định kỳ"
    assert await plan_repo.task_departments(db_session, task.id) == [
        ("STNMT", DepartmentRole.LEAD),
        ("SCT", DepartmentRole.COORDINATOR),
    ]


async def test_removed_rows_are_orphaned_not_deleted(db_session: AsyncSession) -> None:
    await sync_plan(db_session, make_loaded(), today=TODAY, now=NOW)
    await db_session.commit()
    data = plan_data()
    data["tasks"] = data["tasks"][:1]
    data["indicators"] = data["indicators"][:1]
    smaller = make_loaded(make_plan(**data))

    report = await sync_plan(db_session, smaller, today=TODAY, now=NOW)
    await db_session.commit()
    assert (report.tasks.orphaned, report.tasks.deactivated, report.tasks.orphaned_keys) == (1, 1, ["II.1"])
    assert (report.indicators.orphaned, report.indicators.orphaned_keys) == (1, ["2"])
    assert report.deadlines.orphaned == 4
    assert "task:II.1 annual_report 2014-12-15" in report.deadlines.orphaned_keys
    assert await _count(db_session, PlanTask) == 2
    stored = await plan_repo.get_plan(db_session, "test-plan-2013")
    assert stored is not None
    assert [t.task_key for t in await plan_repo.list_tasks(db_session, stored.id)] == ["I.1"]
    assert len(await plan_repo.list_tasks(db_session, stored.id, active_only=False)) == 2
    assert [i.number for i in await plan_repo.list_indicators(db_session, stored.id)] == [1]
    assert all(d.subject_key != "task:II.1" for d in await plan_repo.list_deadlines(db_session, stored.id))

    again = await sync_plan(db_session, smaller, today=TODAY, now=NOW)  # still orphaned, nothing to do
    assert not again.changed
    assert (again.tasks.orphaned, again.tasks.deactivated) == (1, 0)

    revived = await sync_plan(db_session, make_loaded(), today=TODAY, now=NOW)
    assert (revived.tasks.updated, revived.tasks.orphaned, revived.deadlines.updated) == (1, 0, 4)
    assert len(await plan_repo.list_tasks(db_session, stored.id)) == 2


async def test_unknown_department_code_is_an_error(db_session: AsyncSession) -> None:
    data = plan_data()
    data["departments"] = data["departments"][:-1]  # drop the group ...
    data["tasks"][1]["coordinators"] = ["CAC_SO"]  # ... that a task still names
    with pytest.raises(PlanSyncError, match=r"task II\.1: unknown department code 'CAC_SO'"):
        await sync_plan(db_session, make_loaded(make_plan(**data)), today=TODAY, now=NOW)


async def test_duplicate_deadlines_are_stored_once(db_session: AsyncSession) -> None:
    loaded = make_loaded()
    loaded.task_deadlines["I.1"].append(loaded.task_deadlines["I.1"][0])
    report = await sync_plan(db_session, loaded, today=TODAY, now=NOW)
    assert report.deadlines.created == 10


async def test_shipped_plan_syncs_idempotently(db_session: AsyncSession) -> None:
    loaded = load_plan()
    first = await sync_plan(db_session, loaded)
    await db_session.commit()
    assert first.plan == "created"
    assert first.departments.created == len(loaded.plan.departments)
    assert first.tasks.created == len(loaded.plan.tasks)
    assert first.indicators.created == len(loaded.plan.indicators)
    assert first.alias_conflicts == []
    distinct = {
        (kind, key, d.kind, d.due)
        for kind, groups in (
            ("task", loaded.task_deadlines.items()),
            ("indicator", loaded.indicator_deadlines.items()),
            ("regime", [("regime", loaded.regime_deadlines)]),
        )
        for key, deadlines in groups
        for d in deadlines
    }
    assert first.deadlines.created == len(distinct) == await _count(db_session, Deadline)

    second = await sync_plan(db_session, load_plan())
    assert not second.changed, second.summary()
    assert second.deadlines.unchanged == len(distinct)
    assert await _count(db_session, Indicator) == len(loaded.plan.indicators)
