"""The dialect's own ``insert`` (with ON CONFLICT), for the two databases we run on.

Only the dialect in use is imported: an SQLite deployment never loads SQLAlchemy's PostgreSQL dialect.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

SUPPORTED = frozenset({"postgresql", "sqlite"})


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """``insert(table)`` with ``on_conflict_do_nothing`` / ``on_conflict_do_update``, for the session's database."""
    name = session.get_bind().dialect.name
    if name not in SUPPORTED:
        raise NotImplementedError(f"no ON CONFLICT support for dialect {name!r}")
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert(table)
