"""Column types shared by the models.

Timestamps are always timezone-aware UTC in Python. PostgreSQL stores them as
``timestamptz``; SQLite has no time zone support and hands back naive values, so
the decorator strips the zone on the way in and re-attaches UTC on the way out.
Naive datetimes are refused on write: a naive value is a bug (local time or
``datetime.utcnow()``) that would silently shift deadlines by hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC. The only clock the storage layer reads."""
    return dt.datetime.now(UTC)


def ensure_aware(value: dt.datetime) -> dt.datetime:
    """Return ``value`` converted to UTC; raise if it carries no time zone."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime {value.isoformat()} refused: pass an aware (UTC) datetime")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A ``DateTime(timezone=True)`` that only accepts and only returns aware UTC values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        aware = ensure_aware(value)
        if dialect.name == "sqlite":
            return aware.replace(tzinfo=None)
        return aware

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
