"""Invites: strong tokens, every redemption outcome, and exactly one winner under a race."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.enums import OfficerRole
from storage.models import Invite
from storage.repositories import audit, departments, invites, officers
from storage.repositories.invites import RedeemResult
from tests.storage.factories import NOW, Seed

DAY = dt.timedelta(days=1)


async def _invite(session: AsyncSession, seed: Seed, role: OfficerRole = OfficerRole.OFFICER) -> Invite:
    invite = await invites.create_invite(
        session, seed.departments["STNMT"], DAY, seed.officers["SCT"], role=role, now=NOW
    )
    await session.commit()
    return invite


async def _newcomer(session: AsyncSession, telegram_user_id: int = 5001) -> int:
    officer = await officers.create_officer(
        session, telegram_user_id=telegram_user_id, full_name="Người mới", department_id=None, now=NOW
    )
    await session.commit()
    return officer.id


async def test_token_is_long_random_and_url_safe(db_session: AsyncSession, seeded: Seed) -> None:
    invite = await _invite(db_session, seeded)
    other = await _invite(db_session, seeded, role=OfficerRole.ADMIN)
    assert invite.token != other.token
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,64}", invite.token)
    assert (invite.expires_at, other.role) == (NOW + DAY, OfficerRole.ADMIN)
    assert (await invites.get_by_token(db_session, invite.token)) is invite
    [event, _] = await audit.list_events(db_session, entity="invite")
    assert event.action == "create"
    assert invite.token not in str(event.new_value)
    department = await departments.get_by_id(db_session, seeded.departments["SCT"])
    assert department is not None
    by_row = await invites.create_invite(db_session, department=department, ttl=DAY, created_by=None, now=NOW)
    assert by_row.department_id == department.id
    with pytest.raises(ValueError, match="positive"):
        await invites.create_invite(db_session, seeded.departments["STNMT"], dt.timedelta(0), None, now=NOW)


async def test_redeem_outcomes(db_session: AsyncSession, seeded: Seed) -> None:
    newcomer = await _newcomer(db_session)
    invite = await _invite(db_session, seeded)
    assert await invites.list_open(db_session, seeded.departments["STNMT"], now=NOW) == [invite]
    later = NOW + dt.timedelta(hours=1)
    assert await invites.redeem_invite(db_session, invite.token, newcomer, now=later) is RedeemResult.OK
    await db_session.commit()
    assert await invites.redeem_invite(db_session, invite.token, newcomer, now=later) is RedeemResult.USED
    stored = await invites.get_by_token(db_session, invite.token)
    assert stored is not None
    assert (stored.used_at, stored.used_by_officer_id) == (later, newcomer)
    assert await invites.redeem_invite(db_session, "no-such-token", newcomer, now=later) is RedeemResult.UNKNOWN

    expiring = await _invite(db_session, seeded)
    result = await invites.redeem_invite(db_session, expiring.token, newcomer, now=NOW + DAY)
    assert result is RedeemResult.EXPIRED  # expires_at is exclusive

    revoked = await _invite(db_session, seeded)
    assert await invites.revoke_invite(db_session, revoked.id, by_officer_id=seeded.officers["SCT"], now=NOW)
    assert not await invites.revoke_invite(db_session, revoked.id, by_officer_id=None, now=NOW)
    assert not await invites.revoke_invite(db_session, invite.id, by_officer_id=None, now=NOW)  # used
    assert await invites.redeem_invite(db_session, revoked.token, newcomer, now=NOW) is RedeemResult.REVOKED
    actions = [e.action for e in await audit.list_events(db_session, entity="invite")]
    assert sorted(actions) == ["create", "create", "create", "redeem", "revoke"]


async def test_concurrent_redemption_has_one_winner(
    db_sessions: async_sessionmaker[AsyncSession], seeded: Seed
) -> None:
    async with db_sessions() as session:
        invite = await _invite(session, seeded)
        first = await _newcomer(session, 5001)
        second = await _newcomer(session, 5002)

    async def attempt(officer_id: int) -> RedeemResult:
        async with db_sessions() as session:
            result = await invites.redeem_invite(session, invite.token, officer_id, now=NOW)
            await session.commit()
            return result

    results = await asyncio.gather(attempt(first), attempt(second))
    assert sorted(results) == [RedeemResult.OK, RedeemResult.USED]
    async with db_sessions() as session:
        stored = await invites.get_by_token(session, invite.token)
        assert stored is not None
        winner = first if results[0] is RedeemResult.OK else second
        assert stored.used_by_officer_id == winner
