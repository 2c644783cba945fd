"""Who is who: strangers, admins bootstrapped from ADMIN_IDS, and admins removed from it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.plan.loader import load_plan
from bot.plan.registry import DepartmentRegistry
from bot.services.accounts import AccountService, PlanningOffice, Role
from storage.plan_sync import sync_plan
from storage.repositories import audit, officers

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = 900_001


async def _service(
    sessions: async_sessionmaker[AsyncSession], admin_ids: set[int], when: dt.datetime
) -> AccountService:
    loaded = load_plan()
    clock = FakeClock(when)
    async with sessions.begin() as session:
        await sync_plan(session, loaded, today=when.astimezone(TZ).date(), now=when)
    return AccountService(sessions, frozenset(admin_ids), DepartmentRegistry(loaded.plan), clock, TZ)


async def test_stranger_is_nobody(db_sessions: async_sessionmaker[AsyncSession]) -> None:
    service = await _service(db_sessions, {ADMIN}, dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC))
    identity = await service.identify(12345, "Lan")
    assert identity.role is Role.STRANGER
    assert identity.department_code is None


async def test_admin_follows_the_planning_office_through_the_merger(
    db_sessions: async_sessionmaker[AsyncSession],
) -> None:
    before = await _service(db_sessions, {ADMIN}, dt.datetime(2024, 6, 3, 2, tzinfo=dt.UTC))
    identity = await before.identify(ADMIN, "Hùng")
    assert (identity.role, identity.department_code) == (Role.ADMIN, "SKHDT")

    after = await _service(db_sessions, {ADMIN}, dt.datetime(2025, 3, 1, 1, tzinfo=dt.UTC))  # 08:00 local, 1 March
    identity = await after.identify(ADMIN, "Hùng")
    assert (identity.role, identity.department_code) == (Role.ADMIN, "STC")
    assert after.planning_office() == PlanningOffice("STC", "Sở Tài chính", "Kon Tum")
    merged_province = await _service(db_sessions, {ADMIN}, dt.datetime(2025, 7, 1, 1, tzinfo=dt.UTC))
    assert merged_province.planning_office() == PlanningOffice("STC", "Sở Tài chính", "Quảng Ngãi")


async def test_removed_from_admin_ids_loses_the_role(db_sessions: async_sessionmaker[AsyncSession]) -> None:
    when = dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC)
    configured = await _service(db_sessions, {ADMIN}, when)
    assert (await configured.identify(ADMIN, "Hùng")).role is Role.ADMIN

    removed = await _service(db_sessions, set(), when)
    assert (await removed.identify(ADMIN, "Hùng")).role is Role.STRANGER
    async with db_sessions() as session:
        officer = await officers.get_by_telegram_id(session, ADMIN)
        assert officer is not None
        assert not officer.active
        events = await audit.list_events(session, entity="officer", entity_id=officer.id)
        assert events[0].action == "revoke_config_admin"

    assert (await configured.identify(ADMIN, "Hùng")).role is Role.ADMIN  # put back in ADMIN_IDS: admin again
