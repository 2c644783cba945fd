"""The services behind /nhap and /tiendo: rights, the soft check, versions, locks and saved conversations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.plan.loader import load_plan
from bot.plan.registry import DepartmentRegistry
from bot.services.accounts import Identity, PlanningOffice, Role
from bot.services.conversations import ConversationService, Flow, Status
from bot.services.entries import NOTE_MAX_CHARS, EntryProblem, EntryRefusedError, EvidenceDraft, clean_note
from bot.services.intake import DraftItem, IntakeService, WarningReason
from bot.services.periods import PeriodService
from bot.services.progress import ProgressDraft, ProgressService
from bot.services.responsibility import Responsibility
from storage.enums import DepartmentRole, ProgressStatus, ValueSource
from storage.plan_sync import sync_plan
from storage.repositories import departments, officers

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
OFFICE = PlanningOffice("STC", "Sở Tài chính", "Quảng Ngãi")


class Services:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        loaded = load_plan()
        self.sessions = sessions
        self.loaded = loaded
        self.clock = FakeClock(NOW)
        registry = DepartmentRegistry(loaded.plan)
        self.responsibility = Responsibility(loaded.plan, registry)
        self.periods = PeriodService(sessions, loaded, self.clock, TZ)
        self.intake = IntakeService(sessions, self.periods, self.responsibility, registry, self.clock, TZ, Decimal(30))
        self.progress = ProgressService(sessions, self.periods, self.responsibility, self.clock, TZ)
        self.conversations = ConversationService(sessions, self.clock, dt.timedelta(minutes=30))

    async def officer(self, telegram_id: int, code: str) -> Identity:
        async with self.sessions.begin() as session:
            department = await departments.get_by_code(session, code)
            assert department is not None
            row = await officers.create_officer(
                session, telegram_user_id=telegram_id, full_name="Cán bộ", department_id=department.id, now=NOW
            )
            return Identity(Role.OFFICER, telegram_id, "Cán bộ", code, department.name, None, row.id)


@pytest.fixture
async def services(db_sessions: async_sessionmaker[AsyncSession]) -> Services:
    built = Services(db_sessions)
    async with db_sessions.begin() as session:
        await sync_plan(session, built.loaded, today=NOW.astimezone(TZ).date(), now=NOW)
    return built


def test_indicators_follow_the_2025_merger(services: Services) -> None:
    after = NOW.astimezone(TZ).date()
    before = dt.date(2024, 6, 1)
    assert [i.id for i in services.responsibility.indicators_led_by("SXD", after)] == [1, 2, 3, 4]
    assert [i.id for i in services.responsibility.indicators_led_by("SNNMT", after)] == [6]
    assert [i.id for i in services.responsibility.indicators_led_by("SNNMT", before)] == []
    assert [i.id for i in services.responsibility.indicators_led_by("STNMT", before)] == [6]
    assert [i.id for i in services.responsibility.indicators_led_by("STC", after)] == []


def test_tasks_lead_first_then_coordinated(services: Services) -> None:
    assignments = services.responsibility.tasks_for("SXD", NOW.astimezone(TZ).date())
    roles = [a.role for a in assignments]
    assert roles == sorted(roles, key=lambda role: role is not DepartmentRole.LEAD)
    assert [a.task.id for a in assignments if a.role is DepartmentRole.LEAD] == [
        "I.4",
        "III.2",
        "IV.1",
    ]  # III.2: ex-SGTVT


async def test_a_foreign_indicator_is_refused(services: Services) -> None:
    sxd = await services.officer(1, "SXD")
    with pytest.raises(EntryRefusedError) as refused:
        services.intake.indicator_for(sxd, 5)
    assert refused.value.problem is EntryProblem.NOT_YOUR_INDICATOR
    with pytest.raises(EntryRefusedError) as unknown:
        services.intake.indicator_for(sxd, 99)
    assert unknown.value.problem is EntryProblem.UNKNOWN_INDICATOR
    with pytest.raises(EntryRefusedError):
        await services.intake.confirm(sxd, 2020, [DraftItem(5, Decimal(10))], OFFICE, ValueSource.CHAT)


async def test_confirm_makes_versions_and_a_lock_stops_it(services: Services) -> None:
    sxd = await services.officer(1, "SXD")
    evidence = EvidenceDraft("file-1", "a.pdf", 1200, 1)
    first = await services.intake.confirm(
        sxd, 2020, [DraftItem(1, Decimal("45.5"), note="n", evidence=evidence)], OFFICE, ValueSource.CHAT
    )
    second = await services.intake.confirm(sxd, 2020, [DraftItem(1, Decimal("50"))], OFFICE, ValueSource.QUICK)
    assert (first[0].value.version, second[0].value.version) == (1, 2)
    assert first[0].value.evidence_file_name == "a.pdf"
    assert first[0].value.entered_by_officer_id == sxd.officer_id
    assert (await services.intake.confirmed_for_year(2020))[1].value == Decimal(50)
    statuses = await services.intake.statuses(sxd, 2020)
    assert [(s.indicator.id, s.current is not None) for s in statuses] == [
        (1, True),
        (2, False),
        (3, False),
        (4, False),
    ]

    await services.periods.set_locked(2020, True, sxd.officer_id)
    with pytest.raises(EntryRefusedError) as locked:
        await services.intake.confirm(sxd, 2020, [DraftItem(1, Decimal("51"))], OFFICE, ValueSource.CHAT)
    assert locked.value.problem is EntryProblem.LOCKED
    assert "Sở Tài chính" in str(locked.value.values)
    assert await services.periods.open_year() == 2019
    with pytest.raises(EntryRefusedError):
        await services.periods.check_open(2012, OFFICE.name)


async def test_soft_check_compares_with_last_year(services: Services) -> None:
    sxd = await services.officer(1, "SXD")
    assert await services.intake.soft_check(1, 2020, Decimal(10)) is None  # no figure for 2019
    await services.intake.confirm(sxd, 2019, [DraftItem(1, Decimal(50))], OFFICE, ValueSource.CHAT)
    assert await services.intake.soft_check(1, 2020, Decimal(60)) is None
    assert await services.intake.soft_check(1, 2020, Decimal(80)) is None  # exactly the margin
    jump = await services.intake.soft_check(1, 2020, Decimal("80.01"))
    assert jump is not None
    assert jump.reason is WarningReason.JUMP
    assert jump.previous == Decimal(50)
    fall = await services.intake.soft_check(1, 2020, Decimal(49))
    assert fall is not None
    assert fall.reason is WarningReason.FALL
    assert fall.previous_year == 2019


async def test_progress_needs_a_note_when_blocked(services: Services) -> None:
    sxd = await services.officer(1, "SXD")
    with pytest.raises(EntryRefusedError) as refused:
        await services.progress.confirm(sxd, 2020, ProgressDraft("IV.1", ProgressStatus.BLOCKED), OFFICE)
    assert refused.value.problem is EntryProblem.NOTE_REQUIRED
    report = await services.progress.confirm(
        sxd, 2020, ProgressDraft("IV.1", ProgressStatus.BLOCKED, note="Thiếu vốn"), OFFICE
    )
    assert (report.version, report.status) == (1, ProgressStatus.BLOCKED)
    snnmt = await services.officer(2, "SNNMT")
    assert services.progress.task_for(snnmt, "II.1").id == "II.1"  # led by the former Sở TN&MT
    with pytest.raises(EntryRefusedError):
        services.progress.task_for(snnmt, "X.9")


async def test_conversations_park_resume_and_idle(services: Services) -> None:
    conversations = services.conversations
    intake = await conversations.start(1, Flow.INTAKE, "value", {"year": 2020})
    assert (await conversations.active(1)) == intake
    services.clock.advance(dt.timedelta(minutes=1))
    progress = await conversations.start(1, Flow.PROGRESS, "task", {"year": 2020})
    active = await conversations.active(1)
    assert active is not None
    assert active.flow is Flow.PROGRESS
    assert active.nonce == progress.nonce
    parked = await conversations.get(1, Flow.INTAKE)
    assert parked is not None
    assert parked.status is Status.DRAFT
    assert parked.data == {"year": 2020}

    resumed = await conversations.resume(1, Flow.INTAKE)
    assert resumed is not None
    assert resumed.step == "value"
    assert resumed.nonce != intake.nonce
    assert (await conversations.get(1, Flow.PROGRESS)).status is Status.DRAFT  # type: ignore[union-attr]

    await conversations.save(resumed.advance("note", value="45.5"))
    services.clock.advance(dt.timedelta(minutes=29))
    assert await conversations.park_idle() == []
    services.clock.advance(dt.timedelta(minutes=2))
    [idle] = await conversations.park_idle()
    assert (idle.flow, idle.step, idle.data["value"]) == (Flow.INTAKE, "note", "45.5")
    assert await conversations.active(1) is None
    assert await conversations.park_idle() == []  # told once
    await conversations.finish(1, Flow.INTAKE)
    assert await conversations.get(1, Flow.INTAKE) is None


def test_note_rules() -> None:
    assert clean_note("  Đã xong  ") == "Đã xong"
    assert clean_note("dòng 1\ndòng 2") == "dòng 1\ndòng 2"
    for bad, problem in [
        ("   ", EntryProblem.NOTE_EMPTY),
        ("x" * (NOTE_MAX_CHARS + 1), EntryProblem.NOTE_TOO_LONG),
        ("a\x00b", EntryProblem.NOTE_BAD_CHARACTERS),
    ]:
        with pytest.raises(EntryRefusedError) as refused:
            clean_note(bad)
        assert refused.value.problem is problem
    with pytest.raises(EntryRefusedError) as required:
        clean_note("", required=True)
    assert required.value.problem is EntryProblem.NOTE_REQUIRED
    with pytest.raises(EntryRefusedError):
        EvidenceDraft("f", "big.pdf", 21 * 1024 * 1024, 1).checked()
