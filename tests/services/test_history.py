"""/lichsu's data: the department's own versions in order, who and when, and nothing of other departments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.runtime import Runtime
from bot.services.history import HistoryService
from storage.enums import DepartmentRole, ProgressStatus, ValueSource
from storage.repositories import indicator_values, officers, task_progress
from storage.repositories import plan as plan_rows
from storage.repositories.evidence import Evidence
from tests.services.conftest import NOW

LATER = NOW + dt.timedelta(hours=5, minutes=5)


async def _seed(runtime: Runtime) -> None:
    """Two SXD officers with two versions each; entries of other departments that SXD must not see."""
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        ids = await plan_rows.department_ids(session, ["SXD", "SCT", "SKHCN", "SGTVT"])
        lan = await officers.create_officer(
            session, telegram_user_id=1, full_name="Nguyễn Thị Lan", department_id=ids["SXD"]
        )
        minh = await officers.create_officer(
            session, telegram_user_id=2, full_name="Trần Minh", department_id=ids["SXD"]
        )
        other = await officers.create_officer(
            session, telegram_user_id=3, full_name="Lê Công", department_id=ids["SCT"]
        )
        indicator = await plan_rows.get_indicator(session, plan_id, 1)
        i5 = await plan_rows.get_task(session, plan_id, "I.5")
        ii2 = await plan_rows.get_task(session, plan_id, "II.2")
        assert indicator is not None
        assert i5 is not None
        assert ii2 is not None
        figure = {"session": session, "indicator_id": indicator.id, "year": 2015}
        await indicator_values.record_value(
            **figure,
            department_id=ids["SXD"],
            value=Decimal("40"),
            numerator=Decimal(12),
            denominator=Decimal(30),
            entered_by_officer_id=lan.id,
            now=NOW,
        )
        await indicator_values.record_value(
            **figure,
            department_id=ids["SXD"],
            value=Decimal("47.5"),
            entered_by_officer_id=minh.id,
            source=ValueSource.QUICK,
            note="Theo số liệu " + "rất dài " * 20,
            evidence=Evidence(file_id="F1", file_name="bao-cao.pdf", file_size=10, sender_telegram_id=2),
            now=LATER,
        )
        await indicator_values.record_value(
            **figure,
            department_id=ids["SKHCN"],
            value=Decimal("99"),
            entered_by_officer_id=None,
            now=LATER,
        )
        progress = {"session": session, "task_id": i5.id, "period_year": 2015}
        await task_progress.record_progress(
            **progress,
            department_id=ids["SXD"],
            status=ProgressStatus.NOT_STARTED,
            reported_by_officer_id=lan.id,
            now=NOW,
        )
        await task_progress.record_progress(
            **progress,
            department_id=ids["SXD"],
            status=ProgressStatus.DONE,
            reported_by_officer_id=lan.id,
            now=LATER,
        )
        await task_progress.record_progress(
            **progress,
            department_id=ids["SCT"],
            status=ProgressStatus.BLOCKED,
            reported_by_officer_id=other.id,
            note="Bí mật của Sở Công Thương",
            now=NOW,
        )
        await task_progress.record_progress(  # before the merger into the Sở Xây dựng
            session,
            task_id=ii2.id,
            period_year=2015,
            department_id=ids["SGTVT"],
            status=ProgressStatus.IN_PROGRESS,
            reported_by_officer_id=None,
            now=NOW,
        )


async def test_versions_of_the_department_in_order_with_who_and_when(runtime: Runtime) -> None:
    await _seed(runtime)
    history = await HistoryService.from_runtime(runtime).history("SXD", 2015)
    assert (history.year, history.locked, history.is_empty) == (2015, False, False)

    [indicator] = history.indicators
    assert indicator.number == 1
    first, second = indicator.versions  # SKHCN's version 3 of the same series is not shown
    assert (first.filed.version, first.value, first.numerator, first.denominator) == (1, Decimal(40), 12, 30)
    assert (first.filed.officer_name, first.filed.at, first.filed.is_correction) == ("Nguyễn Thị Lan", NOW, False)
    assert (second.filed.version, second.value, second.source) == (2, Decimal("47.5"), ValueSource.QUICK)
    assert (second.filed.officer_name, second.filed.at, second.filed.is_correction) == ("Trần Minh", LATER, True)
    assert second.filed.evidence_file_name == "bao-cao.pdf"
    assert second.filed.note is not None
    assert len(second.filed.note) <= 80
    assert second.filed.note.endswith("…")
    assert history.not_entered == (2, 3, 4)

    tasks = {task.task_key: task for task in history.tasks}
    assert list(tasks) == ["I.5", "II.2"]  # annex order
    assert tasks["I.5"].role is DepartmentRole.COORDINATOR
    assert [(v.filed.version, v.status) for v in tasks["I.5"].versions] == [
        (1, ProgressStatus.NOT_STARTED),
        (2, ProgressStatus.DONE),
    ]  # the Sở Công Thương's own report on I.5 is not among them
    assert all(v.filed.note != "Bí mật của Sở Công Thương" for v in tasks["I.5"].versions)
    [merged] = tasks["II.2"].versions
    assert (merged.filed.taken_over_from, merged.filed.officer_name) == ("Sở Giao thông vận tải", None)


async def test_another_department_sees_none_of_it(runtime: Runtime) -> None:
    await _seed(runtime)
    history = await HistoryService.from_runtime(runtime).history("SCT", 2015)
    assert history.indicators == ()
    [task] = history.tasks
    assert [(v.filed.officer_name, v.status) for v in task.versions] == [("Lê Công", ProgressStatus.BLOCKED)]


async def test_an_empty_year_and_a_locked_one(runtime: Runtime) -> None:
    await _seed(runtime)
    service = HistoryService.from_runtime(runtime)
    empty = await service.history("SXD", 2016)
    assert empty.is_empty
    assert empty.not_entered == (1, 2, 3, 4)
    await runtime.periods.set_locked(2015, True, by_officer_id=None)
    assert (await service.history("SXD", 2015)).locked


async def test_years_typed_or_sent_by_a_button(runtime: Runtime) -> None:
    service = HistoryService.from_runtime(runtime)
    assert service.reporting_years() == list(range(2013, 2021))
    assert service.parse_year("2015") == 2015
    assert service.parse_year(" 2020 ") == 2020
    for bad in ("abc", "2012", "2021", "2030", "15", "-2015", "2015.0", "٢٠١٥", "", "20150"):
        assert service.parse_year(bad) is None, bad
    assert await service.default_year() == 2020
    await runtime.periods.set_locked(2020, True, by_officer_id=None)
    assert await service.default_year() == 2019
    for year in range(2013, 2020):
        await runtime.periods.set_locked(year, True, by_officer_id=None)
    assert await service.default_year() == 2020  # all locked: still show the latest
    assert (2020, True) in await service.year_statuses()
