"""Repository functions added for registration and officer admin: peek, reactivate, set_role, list_all."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OfficerRole
from storage.repositories import audit, invites, officers
from storage.repositories.invites import RedeemResult
from tests.storage.factories import NOW, Seed

DAY = dt.timedelta(days=1)


async def test_peek_reports_without_consuming(db_session: AsyncSession, seeded: Seed) -> None:
    invite = await invites.create_invite(db_session, seeded.departments["STNMT"], DAY, None, now=NOW)
    assert await invites.peek_invite(db_session, invite.token, now=NOW) == (RedeemResult.OK, invite)
    assert invite.used_at is None
    assert (await invites.peek_invite(db_session, invite.token, now=NOW + DAY))[0] is RedeemResult.EXPIRED
    assert await invites.peek_invite(db_session, "nope", now=NOW) == (RedeemResult.UNKNOWN, None)
    officer_id = seeded.officers["SCT"]
    assert await invites.redeem_invite(db_session, invite.token, officer_id, now=NOW) is RedeemResult.OK
    assert (await invites.peek_invite(db_session, invite.token, now=NOW))[0] is RedeemResult.USED
    assert invites.status_of(None, now=NOW) is RedeemResult.UNKNOWN


async def test_reactivate_rebinds_and_audits(db_session: AsyncSession, seeded: Seed) -> None:
    officer = await officers.get_by_id(db_session, seeded.officers["STNMT"])
    assert officer is not None
    await officers.ensure_admin(db_session, officer.telegram_user_id, "x", now=NOW)  # was an admin once
    await officers.deactivate(db_session, officer, by_officer_id=None, now=NOW)
    later = NOW + DAY
    await officers.reactivate(
        db_session,
        officer,
        department_id=seeded.departments["SCT"],
        full_name="Người quay lại",
        by_officer_id=seeded.officers["SCT"],
        now=later,
    )
    assert (officer.active, officer.deactivated_at, officer.department_id) == (True, None, seeded.departments["SCT"])
    assert (officer.role, officer.admin_from_config, officer.joined_at) == (OfficerRole.OFFICER, False, later)
    [event, *_] = await audit.list_events(db_session, entity="officer", entity_id=officer.id)
    assert (event.action, event.actor_officer_id) == ("reactivate", seeded.officers["SCT"])
    assert event.new_value is not None
    assert event.new_value["full_name"] == "Người quay lại"


async def test_set_role_audits_promotion_and_demotion(db_session: AsyncSession, seeded: Seed) -> None:
    officer = await officers.get_by_id(db_session, seeded.officers["SCT"])
    assert officer is not None
    by = seeded.officers["STNMT"]
    assert await officers.set_role(db_session, officer, OfficerRole.ADMIN, by_officer_id=by, now=NOW)
    assert not await officers.set_role(db_session, officer, OfficerRole.ADMIN, by_officer_id=by, now=NOW)
    assert await officers.set_role(db_session, officer, OfficerRole.OFFICER, by_officer_id=by, now=NOW)
    events = await audit.list_events(db_session, entity="officer", entity_id=officer.id)
    assert [(e.action, e.actor_officer_id) for e in events] == [("demote", by), ("promote", by), ("create", None)]


async def test_list_all_includes_deactivated(db_session: AsyncSession, seeded: Seed) -> None:
    officer = await officers.get_by_id(db_session, seeded.officers["SCT"])
    assert officer is not None
    await officers.deactivate(db_session, officer, by_officer_id=None, now=NOW)
    assert [o.id for o in await officers.list_all(db_session)] == [seeded.officers["STNMT"], seeded.officers["SCT"]]
    assert [o.id for o in await officers.list_all(db_session, include_inactive=False)] == [seeded.officers["STNMT"]]
