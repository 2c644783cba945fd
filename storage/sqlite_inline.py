"""SQLite in the event loop's own thread, behind the aiosqlite interface that SQLAlchemy's dialect drives.

aiosqlite runs every call (make a cursor, execute, fetch, close, commit) in a thread of its own
and wakes the event loop for each answer: four thread hops per statement, which cost more CPU
than the bot's small queries on a local file (bench/endtoend: about half of each update's time).
Here the same calls run directly; a query of the bot takes microseconds to a few milliseconds.

The one thing a thread did well is waiting for the write lock, which another connection may hold
while its task awaits something else. SQLite's own busy handler would sleep in this thread and
freeze that other task too, so it is off (``busy_timeout=0``) and the wait is cooperative instead:
a statement refused with "database is locked" yields to the event loop and is tried again, with a
growing pause, until ``BUSY_WAIT_SECONDS``. A refused statement did not run, so trying it again is safe.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi

if TYPE_CHECKING:
    from sqlalchemy.connectors.asyncio import AsyncIODBAPIConnection

#: How long a statement waits for another connection's write lock (as PRAGMA busy_timeout did).
BUSY_WAIT_SECONDS: Final = 5.0
_FIRST_PAUSE: Final = 0.001
_LONGEST_PAUSE: Final = 0.05

T = TypeVar("T")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "database is locked" in message or "database table is locked" in message


async def _patiently(run: Callable[[], T]) -> T:
    """``run()``, tried again while SQLite answers busy, yielding to the event loop in between."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + BUSY_WAIT_SECONDS
    pause = _FIRST_PAUSE
    while True:
        try:
            return run()
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or loop.time() >= give_up:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


class InlineCursor:
    """aiosqlite's Cursor, run in place."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        await _patiently(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> InlineCursor:
        rows = list(parameters)
        await _patiently(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _ImmediateQueue:
    """SQLAlchemy sets ``isolation_level`` by queueing a function to aiosqlite's thread: here it runs at once."""

    __slots__ = ()

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to whoever awaits the future, as aiosqlite does
            future.set_exception(error)


class InlineConnection:
    """aiosqlite's Connection, run in place (the attributes SQLAlchemy's aiosqlite dialect reads)."""

    __slots__ = ("_conn",)

    _tx: Final = _ImmediateQueue()

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._open().cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        connection = self._open()
        await _patiently(connection.commit)

    async def rollback(self) -> None:
        self._open().rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def open_connection(database: str, **options: Any) -> InlineConnection:
    """Open ``database`` for use from the event loop's thread, with the driver options SQLAlchemy passes.

    The busy timeout is 0 (``_patiently`` waits instead), transactions are SQLAlchemy's to begin
    (``isolation_level=None``), and the pool may close a connection from another thread.
    """
    for ours in ("timeout", "check_same_thread", "isolation_level"):
        options.pop(ours, None)
    connection = sqlite3.connect(database, timeout=0, check_same_thread=False, isolation_level=None, **options)
    return InlineConnection(connection)


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite adaptation with this module in aiosqlite's place (``create_engine(module=...)``)."""

    def __init__(self) -> None:
        super().__init__(sys.modules[__name__], sqlite3)

    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdapt_aiosqlite_connection:
        # The members the adaptation uses are here (the tests run every query through them); the protocol's
        # others (callproc, nextset, async iteration) are for drivers SQLAlchemy adapts in other ways.
        connection = cast("AsyncIODBAPIConnection", open_connection(*args, **kwargs))
        return AsyncAdapt_aiosqlite_connection(self, connection)


# What SQLAlchemy's adaptation reads off the "aiosqlite" module it is given: the DB-API names, and Connection.
Connection = InlineConnection
DatabaseError = sqlite3.DatabaseError
Error = sqlite3.Error
IntegrityError = sqlite3.IntegrityError
NotSupportedError = sqlite3.NotSupportedError
OperationalError = sqlite3.OperationalError
ProgrammingError = sqlite3.ProgrammingError
sqlite_version = sqlite3.sqlite_version
sqlite_version_info = sqlite3.sqlite_version_info
