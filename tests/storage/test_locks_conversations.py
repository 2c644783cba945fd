"""Period locks (audited) and persisted conversation state (upsert, expiry)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import audit, conversations, locks
from tests.storage.factories import NOW, Seed


async def test_locks(db_session: AsyncSession, seeded: Seed) -> None:
    plan, admin = seeded.plan_id, seeded.officers["SCT"]
    assert not await locks.is_locked(db_session, plan, 2019)
    await locks.set_lock(db_session, plan, 2019, True, admin, now=NOW)
    await locks.set_lock(db_session, plan, 2019, True, admin, now=NOW)  # no change, no event
    await locks.set_lock(db_session, plan, 2020, False, admin, now=NOW)  # open stays open, no event
    await db_session.commit()
    assert await locks.is_locked(db_session, plan, 2019)
    assert await locks.locked_years(db_session, plan) == [2019]
    row = await locks.set_lock(db_session, plan, 2019, False, None, now=NOW + dt.timedelta(days=1))
    assert (row.locked, row.changed_by_officer_id, row.changed_at) == (False, None, NOW + dt.timedelta(days=1))
    assert not await locks.is_locked(db_session, plan, 2019)
    events = await audit.list_events(db_session, entity="period_lock")
    assert [(e.action, e.old_value, e.new_value) for e in events] == [
        ("unlock", {"locked": True}, {"locked": False}),
        ("lock", {"locked": False}, {"locked": True}),
    ]


async def test_conversation_state_upsert_and_clear(db_session: AsyncSession) -> None:
    key = ("enter_value", -100123, 42)
    assert await conversations.load_state(db_session, *key, now=NOW) is None
    await conversations.save_state(db_session, *key, "ASK_VALUE", {"indicator": 3}, now=NOW)
    await conversations.save_state(
        db_session, *key, "CONFIRM", {"indicator": 3, "value": "61,5"}, now=NOW + dt.timedelta(minutes=1)
    )
    await conversations.save_state(db_session, "other", -100123, 42, None, now=NOW)
    await db_session.commit()

    state = await conversations.load_state(db_session, *key, now=NOW)
    assert state is not None
    assert (state.state, state.data, state.updated_at) == (
        "CONFIRM",
        {"indicator": 3, "value": "61,5"},
        NOW + dt.timedelta(minutes=1),
    )
    assert [s.name for s in await conversations.list_states(db_session, "enter_value", now=NOW)] == ["enter_value"]
    assert await conversations.clear_state(db_session, *key)
    assert not await conversations.clear_state(db_session, *key)
    assert await conversations.load_state(db_session, *key, now=NOW) is None


async def test_conversation_state_expires(db_session: AsyncSession) -> None:
    await conversations.save_state(db_session, "draft", 1, 1, "S", {}, ttl=dt.timedelta(hours=1), now=NOW)
    await conversations.save_state(db_session, "draft", 2, 2, "S", {}, now=NOW)
    await db_session.commit()
    assert await conversations.load_state(db_session, "draft", 1, 1, now=NOW + dt.timedelta(minutes=59))
    assert await conversations.load_state(db_session, "draft", 1, 1, now=NOW + dt.timedelta(hours=1)) is None
    assert await conversations.purge_expired(db_session, now=NOW + dt.timedelta(hours=2)) == 1
    assert len(await conversations.list_states(db_session, "draft", now=NOW + dt.timedelta(days=30))) == 1
