"""Indicator figures as an append-only version history.

A correction never overwrites: it adds version n+1 that points at the version it
supersedes, and the audit trail records the old and new figure. Two officers
confirming at the same instant collide on UNIQUE (indicator_id, year, version);
the loser gets an IntegrityError and may simply retry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ValueSource
from storage.models import IndicatorValue
from storage.repositories.evidence import Evidence, evidence_columns
from storage.repositories.versioning import append_version
from storage.types import utcnow

ENTITY = "indicator_value"
PERCENT_LIMIT = Decimal("99999.9999")  # Numeric(9, 4)
SCALE = Decimal("0.0001")


def _scaled(value: Decimal | None) -> Decimal | None:
    """Round to the column's 4 decimals here, so SQLite and PostgreSQL store the same figure."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError("pass figures as Decimal, never float")
    return value.quantize(SCALE, rounding=ROUND_HALF_UP)


def _summary(row: IndicatorValue) -> dict[str, Any]:
    return {
        "version": row.version,
        "value": row.value,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "department_id": row.department_id,
        "note": row.note,
        "evidence_file_id": row.evidence_file_id,
        "source": row.source,
    }


async def latest_value(session: AsyncSession, indicator_id: int, year: int) -> IndicatorValue | None:
    """The current (highest) version for the indicator and year."""
    query = (
        select(IndicatorValue)
        .where(IndicatorValue.indicator_id == indicator_id, IndicatorValue.year == year)
        .order_by(IndicatorValue.version.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def latest_values(session: AsyncSession, year: int) -> dict[int, IndicatorValue]:
    """Current version of every indicator that has one for ``year``, keyed by indicator id."""
    newest = (
        select(IndicatorValue.indicator_id, func.max(IndicatorValue.version).label("version"))
        .where(IndicatorValue.year == year)
        .group_by(IndicatorValue.indicator_id)
        .subquery()
    )
    query = select(IndicatorValue).join(
        newest,
        (IndicatorValue.indicator_id == newest.c.indicator_id) & (IndicatorValue.version == newest.c.version),
    )
    rows = (await session.scalars(query.where(IndicatorValue.year == year))).all()
    return {row.indicator_id: row for row in rows}


async def history(
    session: AsyncSession,
    *,
    indicator_id: int | None = None,
    department_id: int | None = None,
    year: int | None = None,
) -> list[IndicatorValue]:
    """All versions matching the filters, oldest first per indicator and year."""
    query = select(IndicatorValue).order_by(IndicatorValue.indicator_id, IndicatorValue.year, IndicatorValue.version)
    if indicator_id is not None:
        query = query.where(IndicatorValue.indicator_id == indicator_id)
    if department_id is not None:
        query = query.where(IndicatorValue.department_id == department_id)
    if year is not None:
        query = query.where(IndicatorValue.year == year)
    return list((await session.scalars(query)).all())


async def record_value(
    session: AsyncSession,
    *,
    indicator_id: int,
    department_id: int,
    year: int,
    value: Decimal,
    entered_by_officer_id: int | None,
    source: ValueSource = ValueSource.CHAT,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    note: str | None = None,
    evidence: Evidence | None = None,
    actor_telegram_id: int | None = None,
    now: dt.datetime | None = None,
) -> IndicatorValue:
    """Store a confirmed figure as the next version. Lock checks belong to the caller (service)."""
    scaled = _scaled(value)
    if scaled is None or abs(scaled) > PERCENT_LIMIT:
        raise ValueError(f"value {value} does not fit a percentage column")
    now = now or utcnow()
    previous = await latest_value(session, indicator_id, year)
    row = IndicatorValue(
        indicator_id=indicator_id,
        department_id=department_id,
        year=year,
        value=scaled,
        numerator=_scaled(numerator),
        denominator=_scaled(denominator),
        note=note,
        entered_by_officer_id=entered_by_officer_id,
        entered_at=now,
        source=source,
        **evidence_columns(evidence),
    )
    return await append_version(
        session,
        row,
        previous,
        entity=ENTITY,
        entity_id=f"{indicator_id}:{year}",
        actor_officer_id=entered_by_officer_id,
        actor_telegram_id=actor_telegram_id,
        summarize=_summary,
        now=now,
    )


async def first_figures(session: AsyncSession, years: Iterable[int]) -> dict[tuple[int, int], dt.datetime]:
    """(indicator id, year) → when its first confirmed version was entered, for the given years."""
    wanted = sorted(set(years))
    if not wanted:
        return {}
    query = (
        select(IndicatorValue.indicator_id, IndicatorValue.year, func.min(IndicatorValue.entered_at))
        .where(IndicatorValue.year.in_(wanted))
        .group_by(IndicatorValue.indicator_id, IndicatorValue.year)
    )
    return {(indicator_id, year): at for indicator_id, year, at in (await session.execute(query)).all()}


async def versions_between(session: AsyncSession, first_year: int, last_year: int) -> list[IndicatorValue]:
    """Every version of every indicator for the years in [first_year, last_year], oldest first."""
    query = (
        select(IndicatorValue)
        .where(IndicatorValue.year >= first_year, IndicatorValue.year <= last_year)
        .order_by(IndicatorValue.indicator_id, IndicatorValue.year, IndicatorValue.version)
    )
    return list((await session.scalars(query)).all())
