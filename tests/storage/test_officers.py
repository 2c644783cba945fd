"""Officers: creation, admin bootstrap, deactivation with audit, last-seen."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OfficerRole
from storage.repositories import audit, officers
from tests.storage.factories import NOW, Seed


async def test_create_and_lookup(db_session: AsyncSession, seeded: Seed) -> None:
    officer = await officers.get_by_telegram_id(db_session, 1001)
    assert officer is not None
    assert (officer.full_name, officer.role, officer.active, officer.locale) == (
        "Cán bộ STNMT",
        OfficerRole.OFFICER,
        True,
        None,  # no personal choice: the bot's DEFAULT_LOCALE applies
    )
    assert officer.joined_at == NOW
    assert await officers.get_by_id(db_session, officer.id) is officer
    [event] = await audit.list_events(db_session, entity="officer", entity_id=officer.id)
    assert event.action == "create"
    assert event.new_value is not None
    assert event.new_value["role"] == "officer"
    assert await officers.get_by_telegram_id(db_session, 999) is None


async def test_telegram_id_is_unique(db_session: AsyncSession, seeded: Seed) -> None:
    with pytest.raises(IntegrityError):
        await officers.create_officer(db_session, telegram_user_id=1001, full_name="Dup", department_id=None)


async def test_ensure_admin_creates_then_promotes_and_reactivates(db_session: AsyncSession, seeded: Seed) -> None:
    admin = await officers.ensure_admin(db_session, 7, "Quản trị", None, now=NOW)
    assert (admin.role, admin.department_id, admin.active) == (OfficerRole.ADMIN, None, True)
    assert (await officers.ensure_admin(db_session, 7, "Quản trị", None, now=NOW)).id == admin.id
    assert len(await audit.list_events(db_session, entity="officer", entity_id=admin.id)) == 1  # no-op not audited

    officer = await officers.get_by_telegram_id(db_session, 1002)
    assert officer is not None
    await officers.deactivate(db_session, officer, by_officer_id=admin.id, now=NOW)
    promoted = await officers.ensure_admin(db_session, 1002, "Cán bộ SCT", seeded.departments["SKHDT"], now=NOW)
    assert promoted.id == officer.id
    assert (promoted.role, promoted.active, promoted.deactivated_at) == (OfficerRole.ADMIN, True, None)
    assert promoted.department_id == seeded.departments["SKHDT"]
    assert [a.telegram_user_id for a in await officers.list_admins(db_session)] == [1002, 7]


async def test_deactivate_writes_audit(db_session: AsyncSession, seeded: Seed) -> None:
    officer = await officers.get_by_telegram_id(db_session, 1001)
    assert officer is not None
    later = NOW + dt.timedelta(days=3)
    assert await officers.deactivate(db_session, officer, by_officer_id=None, reason="chuyển công tác", now=later)
    assert not await officers.deactivate(db_session, officer, by_officer_id=None, now=later)
    await db_session.commit()
    assert await officers.get_active_by_telegram_id(db_session, 1001) is None
    assert officer.deactivated_at == later
    event = (await audit.list_events(db_session, entity="officer", entity_id=officer.id))[0]
    assert (event.action, event.detail) == ("deactivate", "chuyển công tác")
    assert event.old_value is not None
    assert event.new_value is not None
    assert (event.old_value["active"], event.new_value["active"]) == (True, False)
    assert await officers.list_by_department(db_session, seeded.departments["STNMT"]) == []
    assert len(await officers.list_by_department(db_session, seeded.departments["STNMT"], active_only=False)) == 1


async def test_touch_last_seen_clears_unreachable(db_session: AsyncSession, seeded: Seed) -> None:
    officer = await officers.get_by_telegram_id(db_session, 1001)
    assert officer is not None
    await officers.mark_unreachable(db_session, officer, detail="Forbidden: bot was blocked", now=NOW)
    await db_session.commit()
    seen = NOW + dt.timedelta(hours=5)
    await officers.touch_last_seen(db_session, officer.id, now=seen)
    await db_session.commit()
    refreshed = await officers.get_by_telegram_id(db_session, 1001)
    assert refreshed is not None
    await db_session.refresh(refreshed)
    assert (refreshed.last_seen_at, refreshed.unreachable_at) == (seen, None)

    # the loaded object can be passed too (what the account service does)
    await officers.touch_last_seen(db_session, refreshed, seen + dt.timedelta(hours=1))
    await db_session.commit()
    db_session.expunge_all()
    again = await officers.get_by_telegram_id(db_session, 1001)
    assert again is not None
    assert again.last_seen_at == seen + dt.timedelta(hours=1)


async def test_set_locale(db_session: AsyncSession, seeded: Seed) -> None:
    officer = await officers.get_by_telegram_id(db_session, 1001)
    assert officer is not None
    await officers.set_locale(db_session, officer, "en")
    await db_session.commit()
    db_session.expunge_all()
    again = await officers.get_by_telegram_id(db_session, 1001)
    assert again is not None
    assert again.locale == "en"
