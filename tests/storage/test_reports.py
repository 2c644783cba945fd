"""Indicator figures and task progress: version history, supersedes chain and audit of old/new."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ProgressStatus, ValueSource
from storage.repositories import audit, indicator_values, task_progress
from storage.repositories.evidence import Evidence
from tests.storage.factories import NOW, Seed


async def test_second_value_is_version_two(db_session: AsyncSession, seeded: Seed) -> None:
    indicator = seeded.indicators[1]
    department = seeded.departments["STNMT"]
    officer = seeded.officers["STNMT"]
    first = await indicator_values.record_value(
        db_session,
        indicator_id=indicator,
        department_id=department,
        year=2019,
        value=Decimal("61.25"),
        numerator=Decimal("600000"),
        denominator=Decimal("979600.5"),
        entered_by_officer_id=officer,
        now=NOW,
    )
    second = await indicator_values.record_value(
        db_session,
        indicator_id=indicator,
        department_id=department,
        year=2019,
        value=Decimal("62.123456"),
        note="Số liệu kiểm kê rừng 2019",
        evidence=Evidence(file_id="BQACAgUAAx", file_name="kiemke.pdf", file_size=12345, sender_telegram_id=1001),
        entered_by_officer_id=officer,
        source=ValueSource.QUICK,
        actor_telegram_id=1001,
        now=NOW + dt.timedelta(minutes=5),
    )
    await db_session.commit()
    db_session.expunge_all()

    assert (first.version, second.version, second.supersedes_id) == (1, 2, first.id)
    latest = await indicator_values.latest_value(db_session, indicator, 2019)
    assert latest is not None
    assert latest.id == second.id
    assert latest.value == Decimal("62.1235")  # rounded to the column's 4 decimals on both backends
    assert (latest.evidence_file_name, latest.evidence_file_size, latest.source) == (
        "kiemke.pdf",
        12345,
        ValueSource.QUICK,
    )
    assert latest.entered_at == NOW + dt.timedelta(minutes=5)
    versions = await indicator_values.history(db_session, indicator_id=indicator, year=2019)
    assert [(v.version, v.value) for v in versions] == [(1, Decimal("61.25")), (2, Decimal("62.1235"))]
    assert versions[0].denominator == Decimal("979600.5")
    assert len(await indicator_values.history(db_session, department_id=department)) == 2
    assert await indicator_values.latest_value(db_session, indicator, 2020) is None

    record, correction = sorted(
        await audit.list_events(db_session, entity="indicator_value", entity_id=f"{indicator}:2019"),
        key=lambda event: event.id,
    )
    assert (record.action, record.old_value) == ("record", None)
    assert correction.action == "correct"
    assert correction.old_value is not None
    assert correction.new_value is not None
    assert (correction.old_value["value"], correction.new_value["value"]) == ("61.2500", "62.1235")
    assert (correction.old_value["version"], correction.new_value["version"]) == (1, 2)
    assert correction.actor_telegram_id == 1001


async def test_latest_values_per_year(db_session: AsyncSession, seeded: Seed) -> None:
    for indicator, value in [(1, "60"), (1, "61"), (2, "80")]:
        await indicator_values.record_value(
            db_session,
            indicator_id=seeded.indicators[indicator],
            department_id=seeded.departments["STNMT"],
            year=2020,
            value=Decimal(value),
            entered_by_officer_id=None,
            source=ValueSource.IMPORT,
            now=NOW,
        )
    latest = await indicator_values.latest_values(db_session, 2020)
    assert {key: row.value for key, row in latest.items()} == {
        seeded.indicators[1]: Decimal("61"),
        seeded.indicators[2]: Decimal("80"),
    }
    assert await indicator_values.latest_values(db_session, 2019) == {}


async def test_values_must_be_decimal_and_fit(db_session: AsyncSession, seeded: Seed) -> None:
    common: dict[str, Any] = {
        "indicator_id": seeded.indicators[1],
        "department_id": seeded.departments["STNMT"],
        "year": 2020,
        "entered_by_officer_id": None,
    }
    with pytest.raises(TypeError, match="Decimal"):
        await indicator_values.record_value(db_session, value=61.5, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="does not fit"):
        await indicator_values.record_value(db_session, value=Decimal("100000"), **common)


async def test_progress_versions_per_department(db_session: AsyncSession, seeded: Seed) -> None:
    task = seeded.tasks["I.1"]
    stnmt, sct = seeded.departments["STNMT"], seeded.departments["SCT"]
    first = await task_progress.record_progress(
        db_session,
        task_id=task,
        department_id=stnmt,
        period_year=2014,
        status=ProgressStatus.IN_PROGRESS,
        reported_by_officer_id=seeded.officers["STNMT"],
        now=NOW,
    )
    other = await task_progress.record_progress(
        db_session,
        task_id=task,
        department_id=sct,
        period_year=2014,
        status=ProgressStatus.NOT_STARTED,
        reported_by_officer_id=seeded.officers["SCT"],
        now=NOW,
    )
    done = await task_progress.record_progress(
        db_session,
        task_id=task,
        department_id=stnmt,
        period_year=2014,
        status=ProgressStatus.DONE,
        note="Đã hoàn thành kiểm kê",
        evidence=Evidence(file_id="doc-1"),
        reported_by_officer_id=seeded.officers["STNMT"],
        now=NOW + dt.timedelta(days=1),
    )
    await db_session.commit()
    assert (first.version, other.version, done.version, done.supersedes_id) == (1, 1, 2, first.id)
    latest = await task_progress.latest_report(db_session, task, stnmt, 2014)
    assert latest is not None
    assert (latest.status, latest.evidence_file_id, latest.reported_at) == (
        ProgressStatus.DONE,
        "doc-1",
        NOW + dt.timedelta(days=1),
    )
    assert [r.version for r in await task_progress.history(db_session, task_id=task, department_id=stnmt)] == [1, 2]
    assert len(await task_progress.history(db_session, period_year=2014)) == 3
    events = await audit.list_events(db_session, entity="task_progress", entity_id=f"{task}:{stnmt}:2014")
    assert events[0].old_value is not None
    assert events[0].new_value is not None
    assert (events[0].old_value["status"], events[0].new_value["status"]) == ("in_progress", "done")
