"""Registering from an invite: every outcome of a link, the race for one link, and coming back."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.plan.loader import load_plan
from bot.plan.registry import DepartmentRegistry
from bot.services.invites import create_department_invite
from bot.services.registration import (
    InvalidNameError,
    NameProblem,
    Outcome,
    RegistrationService,
    clean_full_name,
)
from storage.enums import OfficerRole
from storage.models import Officer
from storage.plan_sync import sync_plan
from storage.repositories import audit, departments, invites, officers

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 local, after the 2025 mergers
WEEK = dt.timedelta(days=7)
LAN, MINH = 710_001, 710_002


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def service(db_sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> RegistrationService:
    loaded = load_plan()
    async with db_sessions.begin() as session:
        await sync_plan(session, loaded, today=NOW.astimezone(TZ).date(), now=NOW)
    return RegistrationService(db_sessions, DepartmentRegistry(loaded.plan), clock, TZ)


async def _invite(service: RegistrationService, code: str = "SXD") -> str:
    created = await create_department_invite(service.sessions, service.registry, code, WEEK, service.clock, TZ)
    return created.token


async def _officer(sessions: async_sessionmaker[AsyncSession], telegram_user_id: int) -> Officer | None:
    async with sessions() as session:
        return await officers.get_by_telegram_id(session, telegram_user_id)


async def test_open_then_confirm_registers_the_officer(service: RegistrationService) -> None:
    token = await _invite(service)
    checked = await service.check(token, LAN)
    assert (checked.outcome, checked.department_code, checked.department_name) == (Outcome.VALID, "SXD", "Sở Xây dựng")
    assert await _officer(service.sessions, LAN) is None  # opening the link consumes and creates nothing

    result = await service.register(token, LAN, "  Nguyễn   Thị Lan ")
    assert (result.outcome, result.department_code) == (Outcome.REGISTERED, "SXD")
    officer = await _officer(service.sessions, LAN)
    assert officer is not None
    assert (officer.full_name, officer.role, officer.active, officer.joined_at) == (
        "Nguyễn Thị Lan",
        OfficerRole.OFFICER,
        True,
        NOW,
    )
    async with service.sessions() as session:
        department = await departments.get_by_id(session, officer.department_id or 0)
        assert department is not None
        assert department.code == "SXD"
        invite = await invites.get_by_token(session, token)
        assert invite is not None
        assert (invite.used_by_officer_id, invite.used_at) == (officer.id, NOW)
        [redeemed, *_] = await audit.list_events(session, entity="invite")
        assert (redeemed.action, redeemed.actor_officer_id) == ("redeem", officer.id)

    again = await service.check(token, LAN)  # the same person opening the link again
    assert (again.outcome, again.department_name) == (Outcome.ALREADY_REGISTERED, "Sở Xây dựng")


async def test_unknown_token(service: RegistrationService) -> None:
    for token in ("no-such-token", "../../etc/passwd", "x" * 65, ""):
        assert (await service.check(token, LAN)).outcome is Outcome.UNKNOWN
        assert (await service.register(token, LAN, "Lan")).outcome is Outcome.UNKNOWN
    assert await _officer(service.sessions, LAN) is None


async def test_expired_token(service: RegistrationService, clock: FakeClock) -> None:
    token = await _invite(service)
    clock.advance(dt.timedelta(days=8))
    assert (await service.check(token, LAN)).outcome is Outcome.EXPIRED
    assert (await service.register(token, LAN, "Lan")).outcome is Outcome.EXPIRED
    assert await _officer(service.sessions, LAN) is None


async def test_used_token(service: RegistrationService) -> None:
    token = await _invite(service)
    assert (await service.register(token, LAN, "Lan")).outcome is Outcome.REGISTERED
    assert (await service.check(token, MINH)).outcome is Outcome.USED
    assert (await service.register(token, MINH, "Minh")).outcome is Outcome.USED
    assert await _officer(service.sessions, MINH) is None


async def test_revoked_token(service: RegistrationService) -> None:
    token = await _invite(service)
    async with service.sessions.begin() as session:
        invite = await invites.get_by_token(session, token)
        assert invite is not None
        assert await invites.revoke_invite(session, invite.id, by_officer_id=None, now=NOW)
    assert (await service.check(token, LAN)).outcome is Outcome.REVOKED
    assert (await service.register(token, LAN, "Lan")).outcome is Outcome.REVOKED
    assert await _officer(service.sessions, LAN) is None


async def test_two_people_racing_for_one_link_have_one_winner(service: RegistrationService) -> None:
    token = await _invite(service)
    assert (await service.check(token, LAN)).outcome is (await service.check(token, MINH)).outcome is Outcome.VALID
    results = await asyncio.gather(service.register(token, LAN, "Lan"), service.register(token, MINH, "Minh"))
    assert sorted(result.outcome for result in results) == sorted([Outcome.REGISTERED, Outcome.USED])
    winner = next(result for result in results if result.outcome is Outcome.REGISTERED)
    async with service.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Officer))
        people = [await officers.get_by_telegram_id(session, user) for user in (LAN, MINH)]
        invite = await invites.get_by_token(session, token)
    assert count == 1  # the loser's officer row was rolled back with its failed redemption
    assert [person.id for person in people if person is not None] == [winner.officer_id]
    assert invite is not None
    assert invite.used_by_officer_id == winner.officer_id


async def test_deactivated_officer_comes_back_on_the_same_row(service: RegistrationService) -> None:
    first = await service.register(await _invite(service, "SXD"), LAN, "Lan")
    async with service.sessions.begin() as session:
        officer = await officers.get_by_id(session, first.officer_id or 0)
        assert officer is not None
        await officers.deactivate(session, officer, by_officer_id=None, now=NOW)

    token = await _invite(service, "SKHCN")
    assert (await service.check(token, LAN)).outcome is Outcome.VALID  # inactive: not "already registered"
    back = await service.register(token, LAN, "Trần Thị Lan")
    assert (back.outcome, back.department_code, back.officer_id) == (Outcome.REACTIVATED, "SKHCN", first.officer_id)
    officer = await _officer(service.sessions, LAN)
    assert officer is not None
    assert (officer.active, officer.deactivated_at, officer.full_name) == (True, None, "Trần Thị Lan")
    async with service.sessions() as session:
        department = await departments.get_by_id(session, officer.department_id or 0)
        assert department is not None
        assert department.code == "SKHCN"
        actions = [event.action for event in await audit.list_events(session, entity="officer", entity_id=officer.id)]
    assert actions == ["reactivate", "deactivate", "create"]


async def test_registered_officer_opening_another_link_changes_nothing(service: RegistrationService) -> None:
    await service.register(await _invite(service, "SXD"), LAN, "Lan")
    token = await _invite(service, "SKHCN")
    for result in (await service.check(token, LAN), await service.register(token, LAN, "Lan")):
        assert (result.outcome, result.department_code) == (Outcome.ALREADY_REGISTERED, "SXD")
    async with service.sessions() as session:
        invite = await invites.get_by_token(session, token)
    assert invite is not None
    assert invite.used_at is None


async def test_link_to_a_department_merged_away_since(service: RegistrationService) -> None:
    async with service.sessions.begin() as session:
        merged = await departments.get_by_code(session, "SKHDT")
        assert merged is not None
        invite = await invites.create_invite(session, merged, WEEK, None, now=NOW)
        token = invite.token
    result = await service.check(token, LAN)
    assert (result.outcome, result.department_code) == (Outcome.DEPARTMENT_GONE, "SKHDT")
    assert (await service.register(token, LAN, "Lan")).outcome is Outcome.DEPARTMENT_GONE
    assert await _officer(service.sessions, LAN) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("  lan  ", "lan"),
        ("H'Hen Niê", "H'Hen Niê"),
        ("A Páo", "A Páo"),
        ("Y Ngọc’s", "Y Ngọc's"),
        ("Nguyen Van A. Tran-Le", "Nguyen Van A. Tran-Le"),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # decomposed input is stored composed (NFC)
    ],
)
def test_good_names(typed: str, stored: str) -> None:
    assert clean_full_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", NameProblem.TOO_SHORT),
        ("A", NameProblem.TOO_SHORT),
        ("..", NameProblem.TOO_SHORT),
        ("x" * 101, NameProblem.TOO_LONG),
        ("Lan 2", NameProblem.DIGITS),
        ("Lan 😀", NameProblem.CHARACTERS),
        ("Lan\x00", NameProblem.CHARACTERS),
        ("Lan\u200b", NameProblem.CHARACTERS),
        ("Lan@mail", NameProblem.CHARACTERS),
    ],
)
def test_bad_names(typed: str, problem: NameProblem) -> None:
    with pytest.raises(InvalidNameError) as caught:
        clean_full_name(typed)
    assert caught.value.problem is problem
