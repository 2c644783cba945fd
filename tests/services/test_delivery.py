"""The "has the department delivered" rule: pure cases first, then over the real plan on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from bot.plan.loader import load_plan
from bot.plan.model import DeadlineKind
from bot.plan.registry import DepartmentRegistry
from bot.runtime import Runtime
from bot.services.delivery import (
    Delivery,
    DeliveryService,
    Duties,
    Facts,
    IndicatorDuty,
    TaskDuty,
    build_duties,
    deliveries,
    due_years,
    regime_delivery,
)
from storage.enums import ProgressStatus, SubjectType
from storage.models import Deadline
from storage.repositories import indicator_values, task_progress
from storage.repositories import plan as plan_rows
from tests.services.conftest import NOW

AT = dt.datetime(2015, 12, 10, 3, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SubjectRow:
    subject_type: SubjectType
    task_id: int | None
    indicator_id: int | None
    period_year: int


@dataclass(frozen=True)
class FakeDeadline:
    id: int
    subject_type: SubjectType
    period_year: int
    task_id: int | None = None
    indicator_id: int | None = None


# --- the pure rule ---------------------------------------------------------------------------


def test_task_deadline_needs_a_report_for_its_own_year() -> None:
    facts = Facts(progress={(10, 2015): AT})
    due_2015 = FakeDeadline(1, SubjectType.TASK, 2015, task_id=10)
    due_2016 = FakeDeadline(2, SubjectType.TASK, 2016, task_id=10)
    other_task = FakeDeadline(3, SubjectType.TASK, 2015, task_id=11)
    result = deliveries([due_2015, due_2016, other_task], Duties(), facts)
    assert result == {1: Delivery(True, delivered_at=AT), 2: Delivery(False), 3: Delivery(False)}


def test_indicator_deadline_needs_a_figure_for_that_year() -> None:
    facts = Facts(figures={(20, 2019): AT})
    result = deliveries(
        [
            FakeDeadline(1, SubjectType.INDICATOR, 2019, indicator_id=20),
            FakeDeadline(2, SubjectType.INDICATOR, 2020, indicator_id=20),
        ],
        Duties(),
        facts,
    )
    assert [result[1].delivered, result[2].delivered] == [True, False]


def test_yearly_report_needs_every_led_task_and_indicator() -> None:
    duties = Duties(
        led_tasks={2015: (TaskDuty(10, "III.2"), TaskDuty(11, "IV.1"))},
        led_indicators={2015: (IndicatorDuty(20, 1), IndicatorDuty(21, 2))},
    )
    partial = Facts(progress={(10, 2015): AT, (11, 2014): AT}, figures={(21, 2015): AT})
    assert regime_delivery(2015, duties, partial) == Delivery(False, ("IV.1",), (1,))

    complete = Facts(progress={(10, 2015): AT, (11, 2015): AT}, figures={(20, 2015): AT, (21, 2015): AT})
    assert regime_delivery(2015, duties, complete) == Delivery(True, delivered_at=AT)
    regime = FakeDeadline(7, SubjectType.REGIME, 2015)
    assert deliveries([regime], duties, complete)[7].delivered


def test_leading_nothing_delivers_with_any_progress_report_of_the_year() -> None:
    nothing_led = Duties(led_tasks={2016: (TaskDuty(10, "I.5"),)})
    assert regime_delivery(2015, nothing_led, Facts()) == Delivery(False)
    assert regime_delivery(2015, nothing_led, Facts(progress={(12, 2014): AT})) == Delivery(False)
    assert regime_delivery(2015, nothing_led, Facts(progress={(12, 2015): AT})) == Delivery(True, delivered_at=AT)


def test_duties_only_count_subjects_due_that_year() -> None:
    rows = [
        SubjectRow(SubjectType.TASK, 12, None, 2014),  # due before task 10 in 2014: listed first
        SubjectRow(SubjectType.TASK, 10, None, 2013),
        SubjectRow(SubjectType.TASK, 10, None, 2014),
        SubjectRow(SubjectType.TASK, 10, None, 2014),  # a second deadline the same year counts once
        SubjectRow(SubjectType.TASK, 11, None, 2014),  # not led
        SubjectRow(SubjectType.INDICATOR, None, 20, 2014),
        SubjectRow(SubjectType.REGIME, None, None, 2014),
    ]
    led_tasks = [TaskDuty(10, "I.4"), TaskDuty(12, "II.1")]
    duties = build_duties(led_tasks, [IndicatorDuty(20, 6)], due_years(rows))
    assert duties.led_tasks == {
        2013: (TaskDuty(10, "I.4"),),
        2014: (TaskDuty(12, "II.1"), TaskDuty(10, "I.4")),
    }
    assert duties.led_indicators == {2014: (IndicatorDuty(20, 6),)}


def test_predecessors_follow_the_2025_merger() -> None:
    registry = DepartmentRegistry(load_plan().plan)
    assert sorted(registry.predecessors("SNNMT", dt.date(2026, 1, 1))) == ["SNNPTNT", "STNMT"]
    assert registry.predecessors("SNNMT", dt.date(2024, 1, 1)) == ()
    assert registry.predecessors("SXD", dt.date(2026, 1, 1)) == ("SGTVT",)  # Sở Giao thông vận tải
    assert registry.predecessors("SCT", dt.date(2026, 1, 1)) == ()


# --- over the real plan, on the database -----------------------------------------------------


async def _ids(runtime: Runtime) -> tuple[dict[str, int], dict[str, int], dict[int, int], list[Deadline]]:
    async with runtime.sessions() as session:
        plan_id = await runtime.periods.plan_id(session)
        departments = await plan_rows.department_ids(session, [d.code for d in runtime.plan.plan.departments])
        tasks = {row.task_key: row.id for row in await plan_rows.list_tasks(session, plan_id)}
        indicators = {row.number: row.id for row in await plan_rows.list_indicators(session, plan_id)}
        deadlines = await plan_rows.list_deadlines(session, plan_id)
    return departments, tasks, indicators, deadlines


async def _progress(
    runtime: Runtime, task_id: int, department_id: int, year: int, now: dt.datetime = NOW
) -> None:
    async with runtime.sessions.begin() as session:
        await task_progress.record_progress(
            session,
            task_id=task_id,
            department_id=department_id,
            period_year=year,
            status=ProgressStatus.IN_PROGRESS,
            reported_by_officer_id=None,
            now=now,
        )


async def _figure(
    runtime: Runtime, indicator_id: int, department_id: int, year: int, now: dt.datetime = NOW
) -> None:
    async with runtime.sessions.begin() as session:
        await indicator_values.record_value(
            session,
            indicator_id=indicator_id,
            department_id=department_id,
            year=year,
            value=Decimal("40"),
            entered_by_officer_id=None,
            now=now,
        )


def _find(deadlines: list[Deadline], subject_key: str, kind: DeadlineKind, year: int) -> Deadline:
    return next(d for d in deadlines if d.subject_key == subject_key and d.kind is kind and d.period_year == year)


async def test_status_for_a_department_over_the_real_plan(runtime: Runtime) -> None:
    departments, tasks, indicators, deadlines = await _ids(runtime)
    sxd = departments["SXD"]
    service = DeliveryService.from_runtime(runtime)
    task_2015 = _find(deadlines, "task:I.5", DeadlineKind.ANNUAL_REPORT, 2015)
    task_2016 = _find(deadlines, "task:I.5", DeadlineKind.ANNUAL_REPORT, 2016)
    figure_2015 = _find(deadlines, "indicator:1", DeadlineKind.ANNUAL_REPORT, 2015)
    yearly_2015 = _find(deadlines, "regime", DeadlineKind.ANNUAL_REPORT, 2015)
    chosen = [task_2015, task_2016, figure_2015, yearly_2015]

    before = await service.status_for("SXD", chosen)
    assert not any(delivery.delivered for delivery in before.values())
    # In 2015 the Sở Xây dựng leads III.2 and IV.1 (final evaluation 2015) and indicators 1-4.
    assert before[yearly_2015.id] == Delivery(False, ("III.2", "IV.1"), (1, 2, 3, 4))

    await _progress(runtime, tasks["I.5"], sxd, 2015)
    await _figure(runtime, indicators[1], sxd, 2015)
    await _progress(runtime, tasks["III.2"], departments["SCT"], 2015)  # another department's report
    after = await service.status_for("SXD", chosen)
    assert after[task_2015.id].delivered
    assert not after[task_2016.id].delivered
    assert after[figure_2015.id].delivered
    assert after[yearly_2015.id] == Delivery(False, ("III.2", "IV.1"), (2, 3, 4))

    last_piece = NOW + dt.timedelta(days=3)
    for key in ("III.2", "IV.1"):
        await _progress(runtime, tasks[key], sxd, 2015)
    for number in (2, 3, 4):
        await _figure(runtime, indicators[number], sxd, 2015, now=last_piece if number == 3 else NOW)
    await _figure(runtime, indicators[2], sxd, 2015, now=last_piece + dt.timedelta(days=1))  # a correction
    done = await service.status_for("SXD", chosen)
    # Delivered when the last missing piece came in; a later correction does not move it.
    assert done[yearly_2015.id] == Delivery(True, delivered_at=last_piece)
    assert done[task_2015.id].delivered_at == NOW
    assert await service.status_for("SXD", []) == {}


async def test_reports_of_a_merged_department_count_for_its_successor(runtime: Runtime) -> None:
    departments, tasks, _, deadlines = await _ids(runtime)
    service = DeliveryService.from_runtime(runtime)
    deadline = _find(deadlines, "task:II.4", DeadlineKind.ANNUAL_REPORT, 2014)
    assert not (await service.status_for("SNNMT", [deadline]))[deadline.id].delivered
    await _progress(runtime, tasks["II.4"], departments["SNNMT"], 2014, now=NOW + dt.timedelta(days=9))
    await _progress(runtime, tasks["II.4"], departments["STNMT"], 2014)  # filed before the 2025 merger
    merged = (await service.status_for("SNNMT", [deadline]))[deadline.id]
    assert merged == Delivery(True, delivered_at=NOW)  # the earliest report of either counts
    assert not (await service.status_for("SXD", [deadline]))[deadline.id].delivered


@contextmanager
def _counting(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)


async def test_the_number_of_queries_does_not_grow_with_the_deadlines(runtime: Runtime) -> None:
    _, _, _, deadlines = await _ids(runtime)
    service = DeliveryService.from_runtime(runtime)
    regime = [d for d in deadlines if d.subject_type is SubjectType.REGIME]
    with _counting(runtime) as few:
        await service.status_for("SXD", regime[:1])
    with _counting(runtime) as many:
        result = await service.status_for("SXD", deadlines)
    assert len(result) == len(deadlines) > 100
    assert len(many) == len(few) <= 10
