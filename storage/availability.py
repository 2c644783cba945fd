"""Telling "the database cannot be reached right now" from every other failure.

A network cut, a PostgreSQL restart (``pg_terminate_backend``, failover), a full connection pool
or an SQLite file that cannot be opened are not bugs: the person is told to try again in a few
minutes and the operators get a short warning, not a traceback. The engine's pool recovers on its
own (``pool_pre_ping`` on PostgreSQL; a fresh connection per failed SQLite connect).
"""

from __future__ import annotations

import socket
import sqlite3
import sys
from collections.abc import Iterator

from sqlalchemy import exc as sa

#: SQLAlchemy's own classes for a lost or unobtainable connection (a timeout from the pool included).
_SQLALCHEMY_UNAVAILABLE = (sa.OperationalError, sa.InterfaceError, sa.DisconnectionError, sa.TimeoutError)
#: asyncpg's: the connection failed or was closed, the server is shutting down or starting (class 57),
#: or it has no connection slot left.
_ASYNCPG_UNAVAILABLE = ("PostgresConnectionError", "OperatorInterventionError", "TooManyConnectionsError")
#: Raised by the socket layer while the driver connects (refused, reset, DNS, timeout).
_NETWORK = (ConnectionError, TimeoutError, socket.gaierror)
#: Packages whose frames show that a network error came from the database, not from elsewhere.
_DATABASE_PACKAGES = frozenset({"sqlalchemy", "asyncpg", "sqlite3", "storage"})
_MAX_CHAIN = 10


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver error SQLAlchemy wrapped (``.orig``) and their causes, each once."""
    pending, seen = [error], set[int]()
    while pending and len(seen) < _MAX_CHAIN:
        current = pending.pop(0)  # outermost first
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                pending.append(linked)


def _raised_in_database_code(error: BaseException) -> bool:
    traceback = error.__traceback__
    while traceback is not None:
        module = str(traceback.tb_frame.f_globals.get("__name__", ""))
        if module.partition(".")[0] in _DATABASE_PACKAGES:
            return True
        traceback = traceback.tb_next
    return False


def _asyncpg_unavailable() -> tuple[type[BaseException], ...]:
    """asyncpg's classes, once asyncpg is loaded: before that no asyncpg error exists (an SQLite deployment
    never loads it, and saves its memory)."""
    pg = sys.modules.get("asyncpg.exceptions")
    return tuple(getattr(pg, name) for name in _ASYNCPG_UNAVAILABLE) if pg is not None else ()


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (*_SQLALCHEMY_UNAVAILABLE, *_asyncpg_unavailable(), sqlite3.OperationalError)):
        return True
    return isinstance(error, _NETWORK) and _raised_in_database_code(error)


def database_unavailable(error: BaseException | None) -> bool:
    """True when ``error`` (or what it wraps) says the database is unreachable or overloaded for now."""
    return error is not None and any(_unavailable(link) for link in _chain(error))


def _name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def describe(error: BaseException) -> str:
    """Class names only: a driver's message can quote the statement's parameters, i.e. what someone typed."""
    return "<-".join(_name(link) for link in _chain(error))
