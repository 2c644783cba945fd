"""Small plans built directly with the pydantic model, and their "loaded" form with deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.loader import LoadedPlan
from bot.plan.model import DeadlineKind, Plan
from scheduler.deadlines import Deadline
from storage.models import Department, Indicator, PlanTask
from storage.models import Plan as PlanRow

NOW = dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.UTC)
TODAY = NOW.date()


def plan_data() -> dict[str, Any]:
    return {
        "plan": {
            "code": "test-plan-2013",
            "title": "Kế hoạch hành động tăng trưởng xanh (thử)",
            "decision_number": "514/QĐ-UBND",
            "decision_date": "2013-06-10",
            "issuing_body": "UBND tỉnh",
            "province": "Tỉnh Thử",
            "period": {"start": 2013, "end": 2020},
        },
        "reporting": {
            "planning_office": "SKHDT",
            "reporters": ["STNMT", "SCT"],
            "recipient": "UBND tỉnh",
            "upstream": "Bộ KH&ĐT",
            "years": {"start": 2014, "end": 2020},
        },
        "departments": [
            {"code": "SKHDT", "name": "Sở Kế hoạch và Đầu tư", "kind": "department", "aliases": ["KH&ĐT"]},
            {"code": "STNMT", "name": "Sở Tài nguyên và Môi trường", "kind": "department", "aliases": ["TN&MT"]},
            {"code": "SCT", "name": "Sở Công Thương", "kind": "department"},
            {
                "code": "SNNPTNT",
                "name": "Sở Nông nghiệp và Phát triển nông thôn",
                "kind": "department",
                "replaced_by": {"successor": "SNNMT", "effective": "2025-03-01"},
            },
            {"code": "SNNMT", "name": "Sở Nông nghiệp và Môi trường", "kind": "department"},
            {"code": "CAC_SO", "name": "Các sở, ngành", "kind": "group", "members": ["STNMT", "SCT"]},
        ],
        "task_groups": [
            {"code": "I", "title": "Giảm cường độ phát thải"},
            {"code": "II", "title": "Xanh hóa sản xuất"},
        ],
        "tasks": [
            {
                "id": "I.1",
                "group": "I",
                "title": "Kiểm kê khí nhà kính",
                "lead": ["STNMT"],
                "lead_text": "Sở Tài nguyên và Môi trường",
                "coordinators": ["SCT", "SKHDT"],
                "coordinators_text": "Sở Công Thương, Sở KH&ĐT",
                "timeframe": "2014-2015",
            },
            {
                "id": "II.1",
                "group": "II",
                "title": "Sản xuất sạch hơn",
                "lead": ["SCT"],
                "lead_text": "Sở Công Thương",
                "timeframe": "Hằng năm",
            },
        ],
        "indicators": [
            {
                "id": 1,
                "name": "Tỷ lệ che phủ rừng",
                "lead": ["SNNPTNT"],
                "coordinators": ["STNMT"],
                "responsible_text": "Sở NN&PTNT",
                "period": {"start": 2014, "end": 2020},
                "timeframe_text": "Hằng năm",
                "target": {"value": 63.5, "year": 2020},
            },
            {
                "id": 2,
                "name": "Tỷ lệ chất thải rắn được thu gom",
                "lead": ["STNMT"],
                "responsible_text": "Sở TN&MT",
                "period": {"start": 2014, "end": 2020},
                "timeframe_text": "Hằng năm",
                "direction": "increase",
            },
        ],
    }


def make_plan(**changes: Any) -> Plan:
    data = plan_data()
    data.update(changes)
    return Plan.model_validate(data)


def annual(year: int, label: str | None = None) -> Deadline:
    return Deadline(due=dt.date(year, 12, 15), kind=DeadlineKind.ANNUAL_REPORT, period_year=year, label=label)


def make_loaded(plan: Plan | None = None, *, source: str = "test-plan.yaml") -> LoadedPlan:
    """The plan with a few deadlines per task/indicator, as the loader would derive them."""
    plan = plan or make_plan()
    task_deadlines = {task.id: [annual(2014), annual(2015)] for task in plan.tasks}
    indicator_deadlines = {indicator.id: [annual(2019), annual(2020)] for indicator in plan.indicators}
    regime = [
        annual(2014, "Báo cáo năm"),
        Deadline(dt.date(2014, 12, 31), DeadlineKind.CONSOLIDATED_REPORT, 2014, "Báo cáo tổng hợp"),
    ]
    return LoadedPlan(
        source=Path(source),
        plan=plan,
        task_deadlines=task_deadlines,
        indicator_deadlines=indicator_deadlines,
        regime_deadlines=regime,
    )


@dataclass(frozen=True)
class Seed:
    """Ids of a synced small plan and one officer per reporting department."""

    plan_id: int
    departments: dict[str, int]
    tasks: dict[str, int]
    indicators: dict[int, int]
    officers: dict[str, int]


async def seed(session: AsyncSession) -> Seed:
    from storage.plan_sync import sync_plan
    from storage.repositories import officers

    await sync_plan(session, make_loaded(), today=TODAY, now=NOW)
    departments = dict((await session.execute(select(Department.code, Department.id))).all())
    tasks = dict((await session.execute(select(PlanTask.task_key, PlanTask.id))).all())
    indicators = dict((await session.execute(select(Indicator.number, Indicator.id))).all())
    plan_id = await session.scalar(select(PlanRow.id))
    assert plan_id is not None
    people = {}
    for number, code in enumerate(["STNMT", "SCT"], start=1):
        officer = await officers.create_officer(
            session,
            telegram_user_id=1000 + number,
            full_name=f"Cán bộ {code}",
            department_id=departments[code],
            now=NOW,
        )
        people[code] = officer.id
    await session.commit()
    return Seed(plan_id, departments, tasks, indicators, people)
