"""The planning office's yearly compile at national scale: the text summary and the three files.

Run: ``.venv/bin/python -m bench.summary`` (``--database-url postgresql+asyncpg://...`` for PostgreSQL,
``--provinces 2`` to shrink it while trying things, ``--profile`` for a cProfile top-20 of one full compile).

The app runs one plan per deployment, so a ministry-wide deployment is one plan that holds every province's
rows. The bench writes such a plan as YAML into a temporary directory and loads it through the normal
``Settings(plan_file=...)`` / ``build_runtime`` path, so the real loader, checks and timeframe rules see it:

* 34 provinces x 12 departments (8 Sở, a Ban quản lý, 3 district People's Committees) plus one group per
  province; the national ``ALL_UNITS`` group of those groups reports, and Bộ Tài chính is the planning office;
* 34 x 6 = 204 indicators (2021-2030, targets for 2030, one of six falls instead of rising);
* 34 x 19 = 646 tasks over groups I-V, each led by a department of its province with 1-2 coordinators of it,
  with every timeframe wording of ``scheduler.deadlines.DEFAULT_RULES``.

It then fills a fresh migrated database through the repositories (``record_value``, ``record_progress``,
``create_officer``), seeded, in one transaction per province: each indicator x 10 years x 3 versions and each
task x 5 progress versions for the compiled year 2030. 85% of the series are reported by the task's lead, the
rest by its first coordinator (so the lead's deadline stays missing); 75% of first versions come before the
due date, the rest after it (late). The clock is 20/12/2030 09:00 local: five days after the units' 15/12
deadline (room for late reports), before the planning office's own 31/12 consolidated report (pending).

Measured, with the production code:

* TEXT: ``SummaryService.from_runtime(runtime).compile(year)`` + ``render_summary(translator, summary)``;
* ALL: TEXT + ``build_report_files(summary, translator)`` (XLSX, PNG, DOCX).

The measurements run in a fresh process started once the database is filled (the filling's own memory would
otherwise count in the peak), which loads the plan and opens the database as a bot process does. Wall times:
best and median of ``--runs`` runs after one warm-up, without tracemalloc. Peak memory: a separate pass of
each under tracemalloc, and that process's ru_maxrss. Population time is printed, not measured.
Goals: TEXT <= 1 s, ALL <= 3 s, peak <= 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import gc
import io
import json
import logging
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.system import machine
from bot.clock import FakeClock
from bot.config import DEFAULT_LOCALES_DIR, Settings
from bot.i18n import Translator, compile_catalogs
from bot.plan.model import Indicator as PlanFileIndicator
from bot.plan.model import Task as PlanFileTask
from bot.reports.chart import render_chart
from bot.reports.draft_report import build_draft_report
from bot.reports.files import ReportFiles, build_report_files
from bot.reports.message import render_summary
from bot.reports.model import YearSummary
from bot.reports.workbook import workbook_bytes
from bot.runtime import Runtime, build_runtime
from bot.services.summaries import SummaryService
from storage import migrate
from storage.enums import ProgressStatus, ValueSource
from storage.models import (
    AuditEvent,
    Deadline,
    Department,
    Indicator,
    IndicatorValue,
    Officer,
    PlanTask,
    TaskProgressReport,
)
from storage.repositories import indicator_values, officers, task_progress
from tests.dbfixtures import SQLITE, backend_of, blank_database

PROVINCES: Final = 34
YEAR: Final = 2030  # the year compiled: every indicator year and every task report are visible
FIRST_YEAR: Final = 2021
VERSIONS_PER_FIGURE: Final = 3
VERSIONS_PER_REPORT: Final = 5
LOCAL: Final = ZoneInfo("Asia/Ho_Chi_Minh")
#: 09:00 local on Friday 20/12/2030: after the units' 15/12 deadline, before the planning office's 31/12.
COMPILED_AT: Final = dt.datetime(2030, 12, 20, 9, 0, tzinfo=LOCAL)
ANNUAL_DUE: Final = dt.date(YEAR, 12, 15)
LEAD_REPORTS_SHARE: Final = 0.85  # the rest of the task series come from the first coordinator
ON_TIME_SHARE: Final = 0.75
OFFICER_DEPARTMENTS: Final = ("STC", "SXD", "SCT", "SNNMT")  # a few officers per province; others enter by import
TELEGRAM_ID_BASE: Final = 9_000_000
SEED: Final = 2030
MIB: Final = 2**20
GOAL_TEXT_S: Final = 1.0
GOAL_ALL_S: Final = 3.0
GOAL_PEAK_BYTES: Final = 300 * 10**6  # 300 MB = 286.1 MiB
TELEGRAM_MESSAGE_LIMIT: Final = 4096

# --- the synthetic national plan -----------------------------------------------------------------------

#: The 34 provinces and centrally-run cities after the 2025 reorganisation: (name, is a city).
PROVINCE_NAMES: Final = (
    ("Hà Nội", True), ("Huế", True), ("Lai Châu", False), ("Điện Biên", False), ("Sơn La", False),
    ("Lạng Sơn", False), ("Quảng Ninh", False), ("Thanh Hóa", False), ("Nghệ An", False), ("Hà Tĩnh", False),
    ("Cao Bằng", False), ("Tuyên Quang", False), ("Lào Cai", False), ("Thái Nguyên", False), ("Phú Thọ", False),
    ("Bắc Ninh", False), ("Hưng Yên", False), ("Hải Phòng", True), ("Ninh Bình", False), ("Quảng Trị", False),
    ("Đà Nẵng", True), ("Quảng Ngãi", False), ("Gia Lai", False), ("Khánh Hòa", False), ("Lâm Đồng", False),
    ("Đắk Lắk", False), ("Hồ Chí Minh", True), ("Đồng Nai", False), ("Tây Ninh", False), ("Cần Thơ", True),
    ("Vĩnh Long", False), ("Đồng Tháp", False), ("Cà Mau", False), ("An Giang", False),
)  # fmt: skip

#: (code suffix, name without the province, kind). STC is each province's own planning office.
DEPARTMENTS: Final = (
    ("STC", "Sở Tài chính", "department"),
    ("SXD", "Sở Xây dựng", "department"),
    ("SCT", "Sở Công Thương", "department"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "department"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "department"),
    ("SNV", "Sở Nội vụ", "department"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "department"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "department"),
    ("BQLKCN", "Ban quản lý các khu công nghiệp", "board"),
    ("H1", "Ủy ban nhân dân {district} phía Bắc", "locality"),
    ("H2", "Ủy ban nhân dân {district} trung tâm", "locality"),
    ("H3", "Ủy ban nhân dân {district} phía Nam", "locality"),
)

TASK_GROUPS: Final = (
    ("I", "Nhiệm vụ chung"),
    ("II", "Giảm cường độ phát thải khí nhà kính và thúc đẩy sử dụng năng lượng sạch, năng lượng tái tạo"),
    ("III", "Xanh hóa sản xuất"),
    ("IV", "Xanh hóa lối sống và thúc đẩy tiêu dùng bền vững"),
    ("V", "Nâng cao nhận thức, huy động nguồn lực và hợp tác quốc tế"),
)

#: The 19 tasks of each province: (group, title, lead, coordinators, timeframe). Every DEFAULT_RULES wording.
TASKS: Final = (
    ("I", "Xây dựng, ban hành kế hoạch hành động tăng trưởng xanh", "STC", ("SNV",), "Quý II/2022"),
    (
        "I",
        "Xây dựng khung theo dõi, đánh giá thực hiện tăng trưởng xanh",
        "STC",
        ("SKHCN",),
        "Triển khai thực hiện và báo cáo đánh giá vào cuối năm 2025",
    ),
    (
        "I",
        "Lồng ghép tăng trưởng xanh trong kế hoạch phát triển kinh tế - xã hội",
        "STC",
        ("SNV", "H1"),
        "KH hàng năm và KH 5 năm 2026-2030",
    ),
    ("I", "Bố trí ngân sách thực hiện các nhiệm vụ tăng trưởng xanh", "STC", ("SXD",), "2021 - 2030"),
    (
        "II",
        "Nâng cao hiệu quả sử dụng năng lượng trong các cơ sở sản xuất công nghiệp",
        "SCT",
        ("SKHCN",),
        "2021 - 2030",
    ),
    ("II", "Phát triển điện mặt trời mái nhà và năng lượng tái tạo", "SCT", ("SXD", "H2"), "2021 - 2030"),
    ("II", "Kiểm kê khí nhà kính cấp tỉnh", "SNNMT", ("SCT",), "Năm 2030"),
    ("II", "Chuyển đổi phương tiện giao thông công cộng sang điện, năng lượng xanh", "SXD", ("SCT",), "2021 - 2030"),
    ("III", "Phát triển nông nghiệp hữu cơ, nông nghiệp tuần hoàn", "SNNMT", ("SKHCN", "H3"), "2021 - 2030"),
    ("III", "Ứng dụng công nghệ sạch, tiết kiệm tài nguyên trong doanh nghiệp", "SKHCN", ("SCT",), "2021 - 2030"),
    ("III", "Xây dựng khu công nghiệp sinh thái", "BQLKCN", ("SNNMT",), "Quý III/2030"),
    ("III", "Phát triển du lịch sinh thái, du lịch xanh", "SVHTTDL", ("SNNMT",), "2021 - 2030"),
    ("III", "Trồng mới và bảo vệ rừng, nâng tỷ lệ che phủ rừng", "SNNMT", ("H1", "H2"), "Hàng năm"),
    ("IV", "Phát triển đô thị xanh, công trình xanh", "SXD", ("H1",), "2021 - 2030"),
    ("IV", "Phân loại chất thải rắn sinh hoạt tại nguồn", "H1", ("SNNMT",), "6 tháng đầu năm 2030"),
    ("IV", "Thúc đẩy mua sắm công xanh", "STC", ("SCT",), "Tháng 9/2030"),
    ("V", "Tuyên truyền, nâng cao nhận thức về tăng trưởng xanh", "SVHTTDL", ("SGDDT",), "2021 - 2030"),
    ("V", "Đưa nội dung tăng trưởng xanh vào chương trình giáo dục", "SGDDT", ("SNV",), "Cuối năm 2030"),
    ("V", "Huy động nguồn lực, hợp tác quốc tế về tăng trưởng xanh", "STC", ("SKHCN", "H3"), "2021 - 2030"),
)


@dataclass(frozen=True)
class IndicatorTemplate:
    name: str
    lead: str
    coordinators: tuple[str, ...]
    direction: str
    start: tuple[int, int]  # the 2021 figure is drawn from this range
    target: tuple[int, int]  # the 2030 target is drawn from this range
    numerator_question: str | None = None
    denominator_question: str | None = None


INDICATORS: Final = (
    IndicatorTemplate(
        "Tỷ lệ chất thải rắn sinh hoạt đô thị được thu gom, xử lý đạt tiêu chuẩn",
        "SXD",
        ("SNNMT",),
        "increase",
        (55, 80),
        (90, 100),
        "Khối lượng chất thải rắn sinh hoạt đô thị được thu gom, xử lý đạt tiêu chuẩn (tấn/ngày)?",
        "Tổng khối lượng chất thải rắn sinh hoạt đô thị phát sinh (tấn/ngày)?",
    ),
    IndicatorTemplate(
        "Tỷ lệ nước thải đô thị được thu gom, xử lý đạt quy chuẩn", "SXD", (), "increase", (10, 30), (40, 60)
    ),
    IndicatorTemplate("Tỷ lệ che phủ rừng", "SNNMT", ("H1", "H2"), "increase", (20, 50), (40, 60)),
    IndicatorTemplate(
        "Tỷ trọng điện năng sản xuất từ nguồn năng lượng tái tạo", "SCT", ("SKHCN",), "increase", (5, 20), (25, 45)
    ),
    IndicatorTemplate(
        "Tỷ lệ khu công nghiệp có hệ thống xử lý nước thải tập trung đạt quy chuẩn",
        "BQLKCN",
        ("SNNMT",),
        "increase",
        (60, 85),
        (100, 100),
        "Số khu công nghiệp có hệ thống xử lý nước thải tập trung đạt quy chuẩn?",
        "Tổng số khu công nghiệp đang hoạt động?",
    ),
    IndicatorTemplate("Tỷ lệ chất thải rắn sinh hoạt chôn lấp trực tiếp", "SNNMT", (), "decrease", (50, 80), (10, 20)),
)

SURNAMES: Final = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE_NAMES: Final = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Thu")
GIVEN_NAMES: Final = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai",
                      "Nam", "Phương", "Quang", "Sơn", "Thảo", "Trung", "Tuấn", "Yến")  # fmt: skip
PROGRESS_NOTES: Final = (
    "Đã ban hành văn bản hướng dẫn triển khai.",
    "Đang tổng hợp số liệu từ các đơn vị.",
    "Hoàn thành khoảng {share}% khối lượng công việc của năm.",
    "Chờ bố trí kinh phí để triển khai các hạng mục còn lại.",
    "Đã tổ chức hội nghị sơ kết, đang hoàn thiện báo cáo.",
)


def code(province: int, suffix: str) -> str:
    """``P07_SXD``: the province number keeps codes unique and short."""
    return f"P{province + 1:02d}_{suffix}"


def province_label(province: int) -> str:
    name, city = PROVINCE_NAMES[province % len(PROVINCE_NAMES)]
    return f"thành phố {name}" if city else f"tỉnh {name}"


def department_name(province: int, template: str) -> str:
    city = PROVINCE_NAMES[province % len(PROVINCE_NAMES)][1]
    return f"{template.format(district='quận' if city else 'huyện')} {province_label(province)}"


def build_plan(provinces: int, rng: random.Random) -> dict[str, Any]:
    """The plan file's content: one national plan that holds every province's departments, tasks, indicators."""
    departments: list[dict[str, Any]] = [
        {"code": "BTC", "name": "Bộ Tài chính", "kind": "department", "aliases": ["BTC"]},
        {
            "code": "ALL_UNITS",
            "name": "Các sở, ban, ngành, địa phương của các tỉnh, thành phố",
            "kind": "group",
            "members": [code(p, "ALL") for p in range(provinces)],
        },
    ]
    names: dict[str, str] = {}
    for province in range(provinces):
        for suffix, template, kind in DEPARTMENTS:
            names[code(province, suffix)] = department_name(province, template)
            departments.append({"code": code(province, suffix), "name": names[code(province, suffix)], "kind": kind})
        departments.append(
            {
                "code": code(province, "ALL"),
                "name": f"Các sở, ban, ngành, địa phương {province_label(province)}",
                "kind": "group",
                "members": [code(province, suffix) for suffix, _, _ in DEPARTMENTS],
            }
        )
    tasks: list[dict[str, Any]] = []
    for group, _ in TASK_GROUPS:  # file order is annex order: group by group, province by province
        number = 0
        for province in range(provinces):
            for task_group, title, lead, coordinators, timeframe in TASKS:
                if task_group != group:
                    continue
                number += 1
                lead_code, coordinator_codes = code(province, lead), [code(province, c) for c in coordinators]
                tasks.append(
                    {
                        "id": f"{group}.{number}",
                        "group": group,
                        "title": f"{title} {province_label(province)}",
                        "lead": [lead_code],
                        "lead_text": names[lead_code],
                        "coordinators": coordinator_codes,
                        "coordinators_text": ", ".join(names[c] for c in coordinator_codes),
                        "timeframe": timeframe,
                    }
                )
    indicators: list[dict[str, Any]] = []
    for province in range(provinces):
        for template in INDICATORS:
            lead_code = code(province, template.lead)
            coordinator_codes = [code(province, c) for c in template.coordinators]
            responsible = f"Chủ trì: {names[lead_code]}"
            if coordinator_codes:
                responsible += "; Phối hợp: " + ", ".join(names[c] for c in coordinator_codes)
            indicators.append(
                {
                    "id": len(indicators) + 1,
                    "name": f"{template.name} {province_label(province)}",
                    "unit": "%",
                    "lead": [lead_code],
                    "coordinators": coordinator_codes,
                    "responsible_text": responsible,
                    "period": {"start": FIRST_YEAR, "end": YEAR},
                    "timeframe_text": f"{FIRST_YEAR} - {YEAR}",
                    "target": {"value": rng.randint(*template.target), "year": YEAR},
                    "direction": template.direction,
                    "numerator_question": template.numerator_question,
                    "denominator_question": template.denominator_question,
                }
            )
    return {
        "plan": {
            "code": "bench-national-2021-2030",
            "title": "Kế hoạch hành động quốc gia về tăng trưởng xanh giai đoạn 2021 - 2030",
            "decision_number": "882/QĐ-TTg",
            "decision_date": dt.date(2022, 7, 22),
            "issuing_body": "Thủ tướng Chính phủ",
            "province": "Việt Nam",
            "period": {"start": FIRST_YEAR, "end": YEAR},
            "vision_year": 2050,
            "national_strategy": "Quyết định số 1658/QĐ-TTg ngày 01/10/2021 của Thủ tướng Chính phủ",
        },
        "reporting": {
            "planning_office": "BTC",
            "reporters": ["ALL_UNITS"],
            "recipient": "Thủ tướng Chính phủ",
            "upstream": "Chính phủ",
            "years": {"start": FIRST_YEAR, "end": YEAR},
            "annual_report_due": "12-15",
            "consolidated_report_due": "12-31",
            "annual_plan_due": "07-31",
            "five_year_plan_due": "12-31",
        },
        "departments": departments,
        "task_groups": [{"code": group, "title": title} for group, title in TASK_GROUPS],
        "tasks": tasks,
        "indicators": indicators,
    }


def write_plan(directory: Path, provinces: int) -> Path:
    path = directory / "national-plan.yaml"
    content = build_plan(provinces, random.Random(SEED))
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path


# --- filling the database --------------------------------------------------------------------------------


@dataclass
class Population:
    seconds: float = 0.0
    officers: int = 0
    figures: int = 0
    reports: int = 0
    by_coordinator: int = 0
    late_first_reports: int = 0


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A random instant in [start, end), to the minute."""
    minutes = max(int((end - start).total_seconds() // 60), 1)
    return start + dt.timedelta(minutes=rng.randrange(minutes))


def _local(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL)


def _entry_times(rng: random.Random, due: dt.date, count: int, cutoff: dt.datetime) -> tuple[list[dt.datetime], bool]:
    """``count`` increasing UTC instants before ``cutoff``; the first on time or late. Returns (times, late)."""
    late = rng.random() >= ON_TIME_SHARE and _local(due + dt.timedelta(days=1)) < cutoff
    if late:
        first = _between(rng, _local(due + dt.timedelta(days=1)), min(cutoff, _local(due + dt.timedelta(days=45))))
    else:
        first = _between(rng, _local(due - dt.timedelta(days=75)), _local(due, 17))
    rest = sorted(_between(rng, first + dt.timedelta(hours=1), cutoff) for _ in range(count - 1))
    return [moment.astimezone(dt.UTC) for moment in (first, *rest)], late


def _figure_series(rng: random.Random, template: IndicatorTemplate, target: Decimal) -> dict[int, Decimal]:
    """A plausible path from the 2021 figure toward the target, with noise."""
    start = Decimal(rng.randint(*template.start))
    years = YEAR - FIRST_YEAR
    return {
        year: max(
            Decimal(0), start + (target - start) * Decimal(year - FIRST_YEAR) / years * Decimal(rng.uniform(0.7, 1.05))
        )
        for year in range(FIRST_YEAR, YEAR + 1)
    }


@dataclass(frozen=True)
class Ids:
    """Database ids of what the plan sync created, by plan code, indicator number and task key."""

    departments: dict[str, int]
    indicators: dict[int, int]
    tasks: dict[str, int]


async def _ids(runtime: Runtime) -> Ids:
    async with runtime.sessions() as session:
        departments = {c: i for c, i in (await session.execute(select(Department.code, Department.id))).all()}
        indicators = {n: i for n, i in (await session.execute(select(Indicator.number, Indicator.id))).all()}
        tasks = {k: i for k, i in (await session.execute(select(PlanTask.task_key, PlanTask.id))).all()}
    return Ids(departments, indicators, tasks)


def _first_due(runtime: Runtime, task_key: str) -> dt.date:
    """The task's first deadline of the compiled year (its yearly report when it has none that year)."""
    dues = [d.due for d in runtime.plan.task_deadlines.get(task_key, []) if d.period_year == YEAR]
    return min(dues, default=ANNUAL_DUE)


async def _officers(
    session: AsyncSession, province: int, department_ids: Mapping[str, int], rng: random.Random, numbered: int
) -> dict[str, int]:
    """A few named officers per province (department code -> officer id); the rest enter figures by import."""
    staff: dict[str, int] = {}
    for n, suffix in enumerate(OFFICER_DEPARTMENTS):
        officer = await officers.create_officer(
            session,
            telegram_user_id=TELEGRAM_ID_BASE + numbered + n,
            full_name=_person(rng),
            department_id=department_ids[code(province, suffix)],
            now=_local(dt.date(FIRST_YEAR, 1, 4)).astimezone(dt.UTC),
        )
        staff[code(province, suffix)] = officer.id
    return staff


async def _figures(
    session: AsyncSession,
    indicator: PlanFileIndicator,
    template: IndicatorTemplate,
    ids: Ids,
    staff: Mapping[str, int],
    rng: random.Random,
) -> int:
    """Every year of one indicator, each in VERSIONS_PER_FIGURE versions (the last one is the path's figure)."""
    lead = indicator.lead[0]
    assert indicator.target is not None
    cutoff = COMPILED_AT - dt.timedelta(hours=1)
    written = 0
    for year, value in _figure_series(rng, template, Decimal(str(indicator.target.value))).items():
        due = dt.date(year, 12, 15)
        times, _ = _entry_times(rng, due, VERSIONS_PER_FIGURE, min(cutoff, _local(due + dt.timedelta(days=300))))
        for version, at in enumerate(times, start=1):
            figure = value + Decimal(rng.uniform(-1.5, 1.5)) if version < VERSIONS_PER_FIGURE else value
            figure = min(max(figure, Decimal(0)), Decimal(100)).quantize(Decimal("0.01"))
            numerator = denominator = None
            if template.denominator_question:
                denominator = Decimal(rng.randint(40, 400))
                numerator = (figure * denominator / 100).quantize(Decimal("0.01"))
            await indicator_values.record_value(
                session,
                indicator_id=ids.indicators[indicator.id],
                department_id=ids.departments[lead],
                year=year,
                value=figure,
                numerator=numerator,
                denominator=denominator,
                entered_by_officer_id=staff.get(lead),
                source=ValueSource.CHAT if lead in staff else ValueSource.IMPORT,
                note=None if version == 1 else "Điều chỉnh theo số liệu thống kê chính thức.",
                now=at,
            )
            written += 1
    return written


async def _reports(
    session: AsyncSession,
    runtime: Runtime,
    task: PlanFileTask,
    ids: Ids,
    staff: Mapping[str, int],
    rng: random.Random,
    population: Population,
) -> None:
    """VERSIONS_PER_REPORT progress versions for YEAR, by the lead or (sometimes) the first coordinator."""
    reporter = task.lead[0]
    if rng.random() >= LEAD_REPORTS_SHARE:
        reporter = task.coordinators[0]
        population.by_coordinator += 1
    times, late = _entry_times(
        rng, _first_due(runtime, task.id), VERSIONS_PER_REPORT, COMPILED_AT - dt.timedelta(hours=1)
    )
    population.late_first_reports += late
    final = rng.choices(list(ProgressStatus), weights=(1, 5, 4, 1))[0]
    for version, at in enumerate(times, start=1):
        early = (ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.IN_PROGRESS)
        await task_progress.record_progress(
            session,
            task_id=ids.tasks[task.id],
            department_id=ids.departments[reporter],
            period_year=YEAR,
            status=final if version == VERSIONS_PER_REPORT else rng.choice(early),
            reported_by_officer_id=staff.get(reporter),
            note=rng.choice(PROGRESS_NOTES).format(share=20 * version),
            now=at,
        )
        population.reports += 1


async def populate(runtime: Runtime, provinces: int) -> Population:
    """Officers, figures and progress reports through the repositories; one transaction per province."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    ids = await _ids(runtime)
    plan = runtime.plan.plan
    population = Population()
    for province in range(provinces):
        prefix = code(province, "")
        async with runtime.sessions.begin() as session:
            staff = await _officers(session, province, ids.departments, rng, population.officers)
            population.officers += len(staff)
            indicators = [i for i in plan.indicators if i.lead[0].startswith(prefix)]
            for indicator, template in zip(indicators, INDICATORS, strict=True):
                population.figures += await _figures(session, indicator, template, ids, staff, rng)
            for task in (t for t in plan.tasks if t.lead[0].startswith(prefix)):
                await _reports(session, runtime, task, ids, staff, rng, population)
    population.seconds = round(time.perf_counter() - started, 2)
    return population


async def row_counts(runtime: Runtime) -> dict[str, int]:
    tables = {
        "departments": Department,
        "tasks": PlanTask,
        "indicators": Indicator,
        "deadlines": Deadline,
        "officers": Officer,
        "indicator_values": IndicatorValue,
        "task_progress_reports": TaskProgressReport,
        "audit_events": AuditEvent,
    }
    async with runtime.sessions() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in tables.items()
        }


# --- measuring -------------------------------------------------------------------------------------------


@dataclass
class Run:
    compile_s: float
    render_s: float
    files_s: float | None = None

    @property
    def text_s(self) -> float:
        return self.compile_s + self.render_s

    @property
    def total_s(self) -> float:
        return self.text_s + (self.files_s or 0.0)


@dataclass
class Output:
    summary: YearSummary
    messages: list[str]
    files: ReportFiles | None


@dataclass
class Measured:
    name: str
    runs: list[Run] = field(default_factory=list)
    peak_mib: float = 0.0
    peak_bytes: int = 0
    maxrss_mib: float = 0.0

    def totals(self) -> list[float]:
        return [run.total_s for run in self.runs]

    @property
    def best_s(self) -> float:
        return round(min(self.totals()), 3)

    @property
    def median_s(self) -> float:
        return round(statistics.median(self.totals()), 3)

    def as_dict(self) -> dict[str, Any]:
        return {
            "best_s": self.best_s,
            "median_s": self.median_s,
            "runs": [{k: round(v, 4) if v is not None else None for k, v in asdict(r).items()} for r in self.runs],
            "tracemalloc_peak_mib": self.peak_mib,
            "maxrss_mib": self.maxrss_mib,
        }


async def compile_once(runtime: Runtime, translator: Translator, with_files: bool) -> tuple[Run, Output]:
    """One production compile: the service, the Telegram texts and, for ALL, the three files."""
    started = time.perf_counter()
    summary = await SummaryService.from_runtime(runtime).compile(YEAR)
    compiled = time.perf_counter()
    messages = render_summary(translator, summary)
    rendered = time.perf_counter()
    run = Run(compiled - started, rendered - compiled)
    files = None
    if with_files:
        files = build_report_files(summary, translator)
        run.files_s = time.perf_counter() - rendered
    return run, Output(summary, messages, files)


def _maxrss_mib() -> float:
    """Peak resident set of this process so far (Linux reports KiB, macOS bytes)."""
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(usage / (MIB if sys.platform == "darwin" else 1024), 1)


async def time_runs(
    runtime: Runtime, translator: Translator, measured: Measured, with_files: bool, runs: int
) -> Output:
    """One warm-up, then ``runs`` timed runs without tracemalloc; the last run's output."""
    _, output = await compile_once(runtime, translator, with_files)
    for _ in range(runs):
        del output
        gc.collect()
        run, output = await compile_once(runtime, translator, with_files)
        measured.runs.append(run)
    measured.maxrss_mib = _maxrss_mib()
    return output


async def trace_peak(runtime: Runtime, translator: Translator, measured: Measured, with_files: bool) -> None:
    """One more run under tracemalloc, after every timed run, so its bookkeeping stays out of the maxrss."""
    gc.collect()
    tracemalloc.start()
    try:
        await compile_once(runtime, translator, with_files)
        measured.peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    measured.peak_mib = round(measured.peak_bytes / MIB, 1)


async def profile(runtime: Runtime, translator: Translator, top: int = 20) -> str:
    """cProfile of one full compile (ALL): the top entries by cumulative and by own time, for whoever speeds it up."""
    profiler = cProfile.Profile()
    profiler.enable()
    await compile_once(runtime, translator, with_files=True)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def file_sizes(files: ReportFiles | None) -> dict[str, int]:
    return {} if files is None else {file.name: len(file.data) for file in files.all()}


def file_breakdown(summary: YearSummary, translator: Translator) -> dict[str, float]:
    """One extra, untraced run of each file builder on its own: where the ALL time beyond TEXT goes."""
    builders = {
        "xlsx": workbook_bytes,
        "png": render_chart,
        "docx": build_draft_report,
    }
    seconds: dict[str, float] = {}
    for name, build in builders.items():
        started = time.perf_counter()
        build(summary, translator)
        seconds[name] = round(time.perf_counter() - started, 3)
    return seconds


def summary_figures(summary: YearSummary, messages: list[str]) -> dict[str, int]:
    return {
        "indicators": len(summary.indicators),
        "indicator_versions": sum(len(line.versions) for line in summary.indicators),
        "indicators_with_data": summary.indicators_with_data,
        "tasks": len(summary.tasks),
        "tasks_reported": summary.tasks_reported,
        "progress_history": len(summary.progress_history),
        "department_lines": len(summary.departments),
        "deadline_outcomes": sum(len(line.outcomes) for line in summary.departments),
        "departments_missing": len(summary.departments_missing),
        "departments_late": len(summary.departments_late),
        "messages": len(messages),
        "message_chars": sum(len(message) for message in messages),
        "longest_message_chars": max((len(message) for message in messages), default=0),
        "messages_over_limit": sum(1 for message in messages if len(message) > TELEGRAM_MESSAGE_LIMIT),
    }


async def measure_compiles(runtime: Runtime, runs: int, with_profile: bool) -> dict[str, Any]:
    """TEXT and ALL: timed runs of both first, then the tracemalloc passes, then the optional profile."""
    translator = runtime.catalogs.translator("vi")
    result: dict[str, Any] = {"load_average_before": round(os.getloadavg()[0], 2)}  # other work skews times
    text, everything = Measured("text"), Measured("all")
    output = await time_runs(runtime, translator, text, False, runs)
    result["summary"] = summary_figures(output.summary, output.messages)
    del output
    output = await time_runs(runtime, translator, everything, True, runs)
    result["files"] = file_sizes(output.files)
    result["file_seconds"] = file_breakdown(output.summary, translator)
    del output
    await trace_peak(runtime, translator, text, False)
    await trace_peak(runtime, translator, everything, True)
    result["text"], result["all"] = text.as_dict(), everything.as_dict()
    result["maxrss_mib"] = _maxrss_mib()
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    result["goals"] = {
        "text_s": GOAL_TEXT_S,
        "all_s": GOAL_ALL_S,
        "peak_mb": GOAL_PEAK_BYTES // 10**6,
        "text_met": text.median_s <= GOAL_TEXT_S,
        "all_met": everything.median_s <= GOAL_ALL_S,
        "peak_met": max(text.peak_bytes, everything.peak_bytes) <= GOAL_PEAK_BYTES,
        # the whole process (interpreter, SQLAlchemy, matplotlib, ...) after the timed runs, before tracemalloc
        "maxrss_met": everything.maxrss_mib * MIB <= GOAL_PEAK_BYTES,
    }
    if with_profile:
        result["profile"] = await profile(runtime, translator)
    return result


def _settings(database_url: str, locales: Path, plan_file: Path) -> Settings:
    return Settings(
        _env_file=None, database_url=database_url, locales_dir=locales, plan_file=plan_file, reminder_rounds=False
    )


async def measure_in_this_process(args: argparse.Namespace) -> dict[str, Any]:
    """The measuring side: a fresh process on the filled database, like a bot process that compiles."""
    settings = _settings(args.database_url, Path(args.locales_dir), Path(args.plan_file))
    runtime = build_runtime(settings, clock=FakeClock(COMPILED_AT.astimezone(dt.UTC)))
    try:
        result: dict[str, Any] = {"maxrss_before_compile_mib": _maxrss_mib()}
        result.update(await measure_compiles(runtime, args.runs, args.profile))
        return result
    finally:
        await runtime.engine.dispose()


def measure_in_child(args: argparse.Namespace, database_url: str, locales: Path, plan_file: Path) -> dict[str, Any]:
    """Run the measurements in a new process, so the filling's own memory is not counted in the peak."""
    command = [
        sys.executable, "-m", "bench.summary", "--measure-only",
        "--database-url", database_url, "--locales-dir", str(locales), "--plan-file", str(plan_file),
        "--runs", str(args.runs), *(["--profile"] if args.profile else []),
    ]  # fmt: skip
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-summary-") as tmp:
        work_dir = Path(tmp)
        locales = work_dir / "locales"
        compile_catalogs(DEFAULT_LOCALES_DIR, locales)
        plan_file = write_plan(work_dir, args.provinces)
        with blank_database(args.database_url, work_dir) as database_url:
            await migrate.upgrade_async(database_url)
            started = time.perf_counter()
            runtime = build_runtime(
                _settings(database_url, locales, plan_file), clock=FakeClock(COMPILED_AT.astimezone(dt.UTC))
            )
            load_s = time.perf_counter() - started
            try:
                started = time.perf_counter()
                sync = await runtime.sync_plan()
                sync_s = time.perf_counter() - started
                population = await populate(runtime, args.provinces)
                counts = await row_counts(runtime)
            finally:
                await runtime.engine.dispose()
            print(
                f"[{backend_of(args.database_url)}] plan loaded in {load_s:.2f} s, synced in {sync_s:.2f} s "
                f"({sync.summary()}); populated in {population.seconds} s: {counts}",
                flush=True,
            )
            result: dict[str, Any] = {
                "backend": backend_of(args.database_url),
                "provinces": args.provinces,
                "year": YEAR,
                "compiled_at": COMPILED_AT.isoformat(),
                "plan_load_s": round(load_s, 2),
                "plan_sync_s": round(sync_s, 2),
                "population": asdict(population),
                "rows": counts,
            }
            if not args.populate_only:
                result.update(await asyncio.to_thread(measure_in_child, args, database_url, locales, plan_file))
            return result


def _table(result: dict[str, Any]) -> str:
    header = (
        f"{'measure':<8} {'best s':>8} {'median s':>9} {'compile s':>10} {'render s':>9} {'files s':>8} "
        f"{'peak MiB':>9} {'maxrss MiB':>11}"
    )
    lines = [header, "-" * len(header)]
    for name in ("text", "all"):
        part = result[name]
        runs = part["runs"]
        compile_s = statistics.median(r["compile_s"] for r in runs)
        render_s = statistics.median(r["render_s"] for r in runs)
        files = [r["files_s"] for r in runs if r["files_s"] is not None]
        files_s = statistics.median(files) if files else 0.0
        lines.append(
            f"{name:<8} {part['best_s']:>8.3f} {part['median_s']:>9.3f} {compile_s:>10.3f} {render_s:>9.3f} "
            f"{files_s:>8.3f} {part['tracemalloc_peak_mib']:>9.1f} {part['maxrss_mib']:>11.1f}"
        )
    return "\n".join(lines)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        default=SQLITE,
        help="'sqlite' (a temporary file) or a PostgreSQL URL used as entry point: a fresh database is made next to it",
    )
    parser.add_argument("--provinces", type=int, default=PROVINCES, choices=range(1, PROVINCES + 1), metavar="N")
    parser.add_argument("--runs", type=int, default=3, help="timed runs after one warm-up")
    parser.add_argument("--profile", action="store_true", help="print a cProfile top-20 of one full compile")
    parser.add_argument("--populate-only", action="store_true", help="build and fill the database, measure nothing")
    # The measuring child process (see measure_in_child): the database is already filled.
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--locales-dir", help=argparse.SUPPRESS)
    parser.add_argument("--plan-file", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.measure_only:
        print(json.dumps(asyncio.run(measure_in_this_process(args)), ensure_ascii=False))
        return
    result = asyncio.run(run_bench(args))
    print(
        f"machine: {machine()}; 1-min load average {result.get('load_average_before')} before the compiles, "
        f"{result.get('load_average_after')} after"
    )
    if "text" in result:
        print(f"summary: {result['summary']}")
        print(f"files (bytes): {result['files']}; each builder alone (s): {result['file_seconds']}")
        print(_table(result))
        goals = result["goals"]
        print(
            f"goals (medians): text <= {GOAL_TEXT_S} s {_verdict(goals['text_met'])}, "
            f"all <= {GOAL_ALL_S} s {_verdict(goals['all_met'])}, "
            f"peak <= 300 MB: tracemalloc {_verdict(goals['peak_met'])}, process maxrss {_verdict(goals['maxrss_met'])}"
        )
    report = result.pop("profile", None)
    if report:
        print(report)
    print(json.dumps({"bench": "summary", **result}, ensure_ascii=False))


if __name__ == "__main__":
    main()
