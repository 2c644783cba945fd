"""Timestamps: refused when naive, stored as UTC, returned aware on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.enums import OfficerRole
from storage.models import Officer
from storage.types import UTC, ensure_aware, utcnow

HANOI = dt.timezone(dt.timedelta(hours=7))


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is UTC


def test_ensure_aware_converts_and_refuses_naive() -> None:
    assert ensure_aware(dt.datetime(2025, 1, 1, 7, tzinfo=HANOI)) == dt.datetime(2025, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        ensure_aware(dt.datetime(2025, 1, 1))


def _officer(joined_at: dt.datetime) -> Officer:
    return Officer(
        telegram_user_id=42, full_name="Nguyễn Văn A", role=OfficerRole.OFFICER, active=True, joined_at=joined_at
    )


async def test_aware_datetimes_round_trip_as_utc(db_sessions: async_sessionmaker[AsyncSession]) -> None:
    joined = dt.datetime(2025, 6, 1, 9, 15, 30, 123456, tzinfo=HANOI)
    async with db_sessions() as session:
        session.add(_officer(joined))
        await session.commit()
    async with db_sessions() as session:
        officer = await session.scalar(select(Officer))
        assert officer is not None
        assert officer.joined_at.tzinfo is not None
        assert officer.joined_at.utcoffset() == dt.timedelta(0)
        assert officer.joined_at == joined
        assert officer.joined_at.hour == 2
        # comparisons in SQL use the same conversion
        found = await session.scalar(select(Officer.id).where(Officer.joined_at == joined))
        assert found == officer.id


async def test_stored_as_utc_wall_clock(db_session: AsyncSession, db_backend: str) -> None:
    db_session.add(_officer(dt.datetime(2025, 6, 1, 9, 0, tzinfo=HANOI)))
    await db_session.commit()
    raw = (await db_session.execute(text("SELECT joined_at FROM officers"))).scalar_one()
    if db_backend == "sqlite":
        assert str(raw).startswith("2025-06-01 02:00:00")
    else:
        assert raw == dt.datetime(2025, 6, 1, 2, 0, tzinfo=UTC)


async def test_naive_datetime_is_refused(db_session: AsyncSession) -> None:
    db_session.add(_officer(dt.datetime(2025, 6, 1, 9, 0)))
    with pytest.raises(StatementError, match="naive"):
        await db_session.flush()
