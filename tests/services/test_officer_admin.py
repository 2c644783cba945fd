"""The planning office's officer management: the roster, deactivation and admin rights, all audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.plan.loader import load_plan
from bot.plan.registry import DepartmentRegistry
from bot.services.accounts import AccountService, Role
from bot.services.officer_admin import AdminOutcome, OfficerAdmin
from storage.enums import OfficerRole
from storage.models import Officer
from storage.plan_sync import sync_plan
from storage.repositories import audit, departments, officers

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
ADMIN, OTHER_ADMIN = 900_001, 900_002


@dataclass(frozen=True)
class Office:
    service: OfficerAdmin
    accounts: AccountService
    admin: int  # officer ids
    other_admin: int
    finance: int  # a plain officer of the planning office (STC)
    builder: int  # an officer of SXD


async def _officer_in(session: AsyncSession, telegram_user_id: int, code: str, name: str) -> int:
    department = await departments.get_by_code(session, code)
    assert department is not None
    officer = await officers.create_officer(
        session, telegram_user_id=telegram_user_id, full_name=name, department_id=department.id, now=NOW
    )
    return officer.id


@pytest.fixture
async def office(db_sessions: async_sessionmaker[AsyncSession]) -> Office:
    loaded = load_plan()
    registry = DepartmentRegistry(loaded.plan)
    clock = FakeClock(NOW)
    async with db_sessions.begin() as session:
        await sync_plan(session, loaded, today=NOW.astimezone(TZ).date(), now=NOW)
    admin_ids = frozenset({ADMIN, OTHER_ADMIN})
    accounts = AccountService(db_sessions, admin_ids, registry, clock, TZ)
    admin = await accounts.identify(ADMIN, "Hùng")
    other = await accounts.identify(OTHER_ADMIN, "Mai")
    async with db_sessions.begin() as session:
        finance = await _officer_in(session, 5001, "STC", "Phạm Văn Tài")
        builder = await _officer_in(session, 5002, "SXD", "Lê Thị Xây")
    assert admin.officer_id is not None
    assert other.officer_id is not None
    service = OfficerAdmin(db_sessions, registry, clock, TZ, admin_ids)
    return Office(service, accounts, admin.officer_id, other.officer_id, finance, builder)


async def _load(office: Office, officer_id: int) -> Officer:
    async with office.service.sessions() as session:
        officer = await officers.get_by_id(session, officer_id)
    assert officer is not None
    return officer


async def _actions(office: Office, officer_id: int) -> list[str]:
    async with office.service.sessions() as session:
        return [event.action for event in await audit.list_events(session, entity="officer", entity_id=officer_id)]


async def test_roster_groups_by_department_planning_office_first(office: Office) -> None:
    roster = await office.service.roster(office.admin)
    assert [(group.code, [entry.full_name for entry in group.officers]) for group in roster] == [
        ("STC", ["Hùng", "Mai", "Phạm Văn Tài"]),
        ("SXD", ["Lê Thị Xây"]),
    ]
    hung, mai, tai = roster[0].officers
    assert (hung.config_admin, hung.can_deactivate, hung.can_promote, hung.can_demote) == (True, False, False, False)
    assert (mai.config_admin, mai.can_deactivate) == (True, False)  # managed through ADMIN_IDS
    assert (tai.is_admin, tai.can_deactivate, tai.can_promote, tai.can_demote) == (False, True, True, False)
    xay = roster[1].officers[0]
    assert (xay.can_deactivate, xay.can_promote) == (True, False)  # not planning-office staff
    assert (xay.joined_at, xay.last_seen_at, xay.department_name) == (NOW, NOW, "Sở Xây dựng")


async def test_promotion_and_demotion_are_audited(office: Office) -> None:
    promoted = await office.service.promote(office.admin, office.finance)
    assert promoted.outcome is AdminOutcome.DONE
    assert promoted.officer is not None
    assert promoted.officer.can_demote
    assert (await _load(office, office.finance)).role is OfficerRole.ADMIN
    assert (await office.accounts.identify(5001, "Tài")).role is Role.ADMIN
    async with office.service.sessions() as session:
        [event, *_] = await audit.list_events(session, entity="officer", entity_id=office.finance)
    assert (event.action, event.actor_officer_id) == ("promote", office.admin)
    assert event.old_value is not None
    assert event.new_value is not None
    assert (event.old_value["role"], event.new_value["role"]) == ("officer", "admin")

    assert (await office.service.promote(office.admin, office.finance)).outcome is AdminOutcome.ALREADY
    demoted = await office.service.demote(office.admin, office.finance)
    assert demoted.outcome is AdminOutcome.DONE
    assert (await _load(office, office.finance)).role is OfficerRole.OFFICER
    assert (await _actions(office, office.finance))[:2] == ["demote", "promote"]
    assert (await office.service.demote(office.admin, office.finance)).outcome is AdminOutcome.ALREADY


async def test_promotion_is_only_for_planning_office_staff(office: Office) -> None:
    result = await office.service.promote(office.admin, office.builder)
    assert result.outcome is AdminOutcome.NOT_PLANNING_OFFICE
    assert (await _load(office, office.builder)).role is OfficerRole.OFFICER
    assert await _actions(office, office.builder) == ["create"]


async def test_configured_admins_are_left_to_admin_ids(office: Office) -> None:
    for change in (office.service.deactivate, office.service.demote):
        assert (await change(office.admin, office.other_admin)).outcome is AdminOutcome.CONFIG_ADMIN
    other = await _load(office, office.other_admin)
    assert (other.active, other.role) == (True, OfficerRole.ADMIN)


async def test_deactivating_oneself_is_refused(office: Office) -> None:
    assert (await office.service.check_deactivation(office.admin, office.admin)).outcome is AdminOutcome.SELF
    result = await office.service.deactivate(office.admin, office.admin)
    assert result.outcome is AdminOutcome.SELF
    assert (await _load(office, office.admin)).active
    assert "deactivate" not in await _actions(office, office.admin)


async def test_deactivation_is_audited_and_makes_a_stranger(office: Office) -> None:
    check = await office.service.check_deactivation(office.admin, office.builder)
    assert check.outcome is AdminOutcome.DONE  # would be done; nothing changed yet
    assert (await _load(office, office.builder)).active
    result = await office.service.deactivate(office.admin, office.builder)
    assert result.outcome is AdminOutcome.DONE
    builder = await _load(office, office.builder)
    assert (builder.active, builder.deactivated_at) == (False, NOW)
    async with office.service.sessions() as session:
        [event, *_] = await audit.list_events(session, entity="officer", entity_id=office.builder)
    assert (event.action, event.actor_officer_id) == ("deactivate", office.admin)
    assert (await office.accounts.identify(5002, "Xây")).role is Role.STRANGER
    assert (await office.service.deactivate(office.admin, office.builder)).outcome is AdminOutcome.INACTIVE
    roster = await office.service.roster(office.admin)
    [sxd] = [group for group in roster if group.code == "SXD"]
    assert [(entry.active, entry.can_deactivate) for entry in sxd.officers] == [(False, False)]


async def test_only_an_active_admin_may_act(office: Office) -> None:
    assert (await office.service.deactivate(office.builder, office.finance)).outcome is AdminOutcome.NOT_ALLOWED
    assert (await office.service.promote(office.finance, office.finance)).outcome is AdminOutcome.NOT_ALLOWED
    assert (await office.service.deactivate(999_999, office.finance)).outcome is AdminOutcome.NOT_ALLOWED
    assert (await office.service.deactivate(office.admin, 999_999)).outcome is AdminOutcome.NOT_FOUND
    promoted = await office.service.promote(office.admin, office.finance)
    assert promoted.outcome is AdminOutcome.DONE
    await office.service.deactivate(office.admin, office.finance)  # a deactivated admin has no rights left
    assert (await office.service.deactivate(office.finance, office.builder)).outcome is AdminOutcome.NOT_ALLOWED
    assert (await _load(office, office.builder)).active
