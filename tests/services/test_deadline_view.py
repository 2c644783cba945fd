"""/hannop's selection: whose deadlines, late or coming, delivered or not, locked years left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.clock import FakeClock, local_today
from bot.plan.model import DeadlineKind
from bot.runtime import Runtime
from bot.services.deadline_view import DeadlineViewService, DueItem, select_overview
from storage.enums import DepartmentRole, ProgressStatus, SubjectType
from storage.repositories import indicator_values, task_progress
from storage.repositories import plan as plan_rows
from tests.services.conftest import NOW

TODAY = dt.date(2026, 3, 2)


def _item(deadline_id: int, due: dt.date, *, delivered: bool = False, year: int | None = None) -> DueItem:
    return DueItem(
        deadline_id=deadline_id,
        subject_type=SubjectType.TASK,
        kind=DeadlineKind.ANNUAL_REPORT,
        due_on=due,
        period_year=year or due.year,
        task_key="I.5",
        indicator_number=None,
        title="Truyền thông",
        role=DepartmentRole.COORDINATOR,
        delivered=delivered,
        days_left=(due - TODAY).days,
    )


# --- the pure selection ----------------------------------------------------------------------


def test_overdue_is_undelivered_most_recent_first_and_capped() -> None:
    items = [_item(i, dt.date(2013 + i, 12, 15)) for i in range(8)]  # 2013 … 2020
    items.append(_item(100, dt.date(2019, 12, 15), delivered=True))
    overview = select_overview(items, TODAY, overdue_shown=3)
    assert [item.period_year for item in overview.overdue] == [2020, 2019, 2018]
    assert overview.overdue_more == 5
    assert 100 not in {item.deadline_id for item in overview.overdue}
    assert overview.upcoming == ()


def test_locked_years_are_left_out() -> None:
    items = [_item(1, dt.date(2019, 12, 15)), _item(2, dt.date(2020, 12, 15)), _item(3, TODAY + dt.timedelta(days=5))]
    overview = select_overview(items, TODAY, locked_years=[2020, 2026])
    assert [item.deadline_id for item in overview.overdue] == [1]
    assert overview.upcoming == ()


def test_upcoming_window_is_today_to_sixty_days_delivered_or_not() -> None:
    items = [
        _item(1, TODAY),
        _item(2, TODAY + dt.timedelta(days=60), delivered=True),
        _item(3, TODAY + dt.timedelta(days=61)),
        _item(4, TODAY + dt.timedelta(days=10)),
        _item(5, TODAY - dt.timedelta(days=1), delivered=True),
    ]
    overview = select_overview(items, TODAY, upcoming_shown=2)
    assert [item.deadline_id for item in overview.upcoming] == [1, 4]
    assert overview.upcoming_more == 1
    assert overview.overdue == ()
    assert overview.overdue_more == 0


# --- over the real plan, on the database -----------------------------------------------------


async def _all_items(runtime: Runtime, code: str) -> list[DueItem]:
    service = DeadlineViewService.from_runtime(runtime)
    async with runtime.sessions() as session:
        return await service.items(session, code, local_today(runtime.clock, runtime.settings.tz))


async def _report(runtime: Runtime, code: str, task_key: str, year: int) -> None:
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        task = await plan_rows.get_task(session, plan_id, task_key)
        department_id = (await plan_rows.department_ids(session, [code]))[code]
        assert task is not None
        await task_progress.record_progress(
            session,
            task_id=task.id,
            department_id=department_id,
            period_year=year,
            status=ProgressStatus.DONE,
            reported_by_officer_id=None,
            now=NOW,
        )


async def test_a_department_sees_only_its_own_deadlines(runtime: Runtime) -> None:
    items = await _all_items(runtime, "SXD")
    indicators = {item.indicator_number for item in items if item.subject_type is SubjectType.INDICATOR}
    assert indicators == {1, 2, 3, 4}  # led by the Sở Xây dựng; 5 and 6 belong to others
    roles = {item.task_key: item.role for item in items if item.task_key}
    assert roles["III.2"] is DepartmentRole.LEAD
    assert roles["I.5"] is DepartmentRole.COORDINATOR
    regime = {item.kind for item in items if item.subject_type is SubjectType.REGIME}
    assert regime == {DeadlineKind.ANNUAL_REPORT}  # a reporter, not the planning office
    office = await _all_items(runtime, "STC")
    assert {item.kind for item in office if item.subject_type is SubjectType.REGIME} == {
        DeadlineKind.ANNUAL_REPORT,
        DeadlineKind.CONSOLIDATED_REPORT,
    }


async def test_in_2026_everything_is_overdue_until_delivered_or_locked(runtime: Runtime) -> None:
    service = DeadlineViewService.from_runtime(runtime)
    first = await service.overview("SXD")
    total = len(first.overdue) + first.overdue_more
    assert first.upcoming == ()
    assert len(first.overdue) == 10
    assert first.overdue_more > 0
    assert all(item.due_on.year == 2020 and item.days_left < 0 for item in first.overdue)
    assert "I.5" in {item.task_key for item in first.overdue}

    await _report(runtime, "SXD", "I.5", 2020)
    second = await service.overview("SXD")
    assert len(second.overdue) + second.overdue_more == total - 1
    assert "I.5" not in {item.task_key for item in second.overdue}

    items_2020 = [i for i in await _all_items(runtime, "SXD") if i.period_year == 2020 and not i.delivered]
    await runtime.periods.set_locked(2020, True, by_officer_id=None)
    third = await service.overview("SXD")
    assert len(third.overdue) + third.overdue_more == total - 1 - len(items_2020)
    assert all(item.period_year != 2020 for item in third.overdue)


async def test_upcoming_in_november_2020(runtime: Runtime) -> None:
    assert isinstance(runtime.clock, FakeClock)
    runtime.clock.current = dt.datetime(2020, 11, 1, 2, 0, tzinfo=dt.UTC)
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        indicator = await plan_rows.get_indicator(session, plan_id, 1)
        sxd = (await plan_rows.department_ids(session, ["SXD"]))["SXD"]
        assert indicator is not None
        await indicator_values.record_value(
            session,
            indicator_id=indicator.id,
            department_id=sxd,
            year=2020,
            value=Decimal("55"),
            entered_by_officer_id=None,
            now=runtime.clock.now(),
        )
    overview = await DeadlineViewService.from_runtime(runtime).overview("SXD")
    upcoming = {(item.task_key, item.indicator_number, item.subject_type): item for item in overview.upcoming}
    assert all(item.due_on == dt.date(2020, 12, 15) and item.days_left == 44 for item in overview.upcoming)
    assert upcoming[(None, 1, SubjectType.INDICATOR)].delivered
    assert not upcoming[(None, 2, SubjectType.INDICATOR)].delivered
    yearly = upcoming[(None, None, SubjectType.REGIME)]
    assert not yearly.delivered
    assert yearly.missing_tasks == ()  # SXD leads no task due in 2020 …
    assert yearly.missing_indicators == (2, 3, 4)  # … but three of its indicators still lack a figure
    assert ("I.5", None, SubjectType.TASK) in upcoming
