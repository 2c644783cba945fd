"""Engine and session setup for SQLite (single-host deployments, tests) and PostgreSQL.

Every URL the operator may paste (``sqlite:///…``, ``postgres://…``) is turned into
the async driver URL here, so the rest of the code only ever sees one dialect name
per database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.sqlite_inline import InlineDBAPI

SQLITE_DRIVER = "sqlite+aiosqlite"
POSTGRES_DRIVER = "postgresql+asyncpg"
#: asyncpg waits 60 s for an unanswering host by default; each update would hang that long in an outage.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10.0
DATABASE_FILE_NAME = "greenbot.sqlite3"

_SQLITE_ALIASES = {"sqlite", "sqlite+pysqlite", "sqlite+aiosqlite"}
_POSTGRES_ALIASES = {
    "postgres",
    "postgresql",
    "postgresql+psycopg2",
    "postgresql+psycopg",
    "postgresql+asyncpg",
}


def default_sqlite_url(data_dir: Path) -> str:
    """The URL of the bot's own SQLite file inside ``data_dir``."""
    return f"{SQLITE_DRIVER}:///{(Path(data_dir) / DATABASE_FILE_NAME).as_posix()}"


def _to_url(url: str | URL) -> URL:
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in _SQLITE_ALIASES:
        return parsed.set(drivername=SQLITE_DRIVER)
    if driver in _POSTGRES_ALIASES:
        parsed = parsed.set(drivername=POSTGRES_DRIVER)
        query = dict(parsed.query)
        if "sslmode" in query and "ssl" not in query:
            # libpq spelling (Heroku, Render, …) -> asyncpg spelling.
            query["ssl"] = query.pop("sslmode")
            parsed = parsed.set(query=query)
        return parsed
    raise ValueError(f"unsupported database URL scheme {driver!r}: use sqlite:/// or postgresql://")


def normalize_database_url(url: str | URL) -> str:
    """Return the async-driver spelling of ``url`` (``sqlite+aiosqlite``/``postgresql+asyncpg``)."""
    return _to_url(url).render_as_string(hide_password=False)


def is_sqlite(url: str | URL) -> bool:
    return _to_url(url).get_backend_name() == "sqlite"


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or "mode=memory" in database


def _install_sqlite_hooks(engine: AsyncEngine, *, foreign_keys: bool, immediate: bool) -> None:
    """Foreign keys on, WAL, a cooperative wait for the write lock, and real transactions.

    The stdlib driver only begins a transaction before DML ("legacy" mode), which
    breaks SAVEPOINT and repeatable reads; we switch that off and emit BEGIN
    ourselves, as the SQLAlchemy documentation recommends.

    ``BEGIN IMMEDIATE`` takes the write lock up front. With a plain (deferred) BEGIN,
    a transaction that reads and then writes while another connection writes fails at
    once with "database is locked" (SQLite cannot upgrade a stale WAL snapshot, and
    does not wait); with IMMEDIATE it waits for the lock instead (``storage.sqlite_inline``). The cost
    is that transactions are serialised, which a bot's short transactions can afford.
    """
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            # 0: waiting for another connection's write lock is cooperative (storage.sqlite_inline), since
            # SQLite's own busy handler would sleep in the event loop's thread.
            cursor.execute("PRAGMA busy_timeout=0")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def create_engine(
    url: str | URL, *, sqlite_foreign_keys: bool = True, sqlite_immediate: bool = True, **kwargs: Any
) -> AsyncEngine:
    """Build an ``AsyncEngine`` for ``url`` with the settings each backend needs.

    ``sqlite_foreign_keys=False`` is for migrations only: SQLite's batch mode recreates
    tables, which foreign key enforcement would block (``storage.migrate`` checks
    the keys afterwards).
    """
    parsed = _to_url(url)
    if parsed.get_backend_name() == "sqlite":
        # The connections run in the event loop's thread (storage.sqlite_inline), not in aiosqlite's threads.
        # No reset on return: every session ends its own transaction (commit, or rollback on close), so the
        # pool's extra ROLLBACK would be a no-op statement per transaction.
        options: dict[str, Any] = {"module": InlineDBAPI(), "pool_reset_on_return": None}
        if _is_memory(parsed):
            options["poolclass"] = StaticPool
        elif parsed.database:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options.update(kwargs)
        engine = create_async_engine(parsed, **options)
        _install_sqlite_hooks(engine, foreign_keys=sqlite_foreign_keys, immediate=sqlite_immediate)
        return engine
    # pre_ping: a connection the server dropped (restart, failover, idle cut) is replaced, not handed out.
    options = {"pool_pre_ping": True, "connect_args": {"timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS}}
    options.update(kwargs)
    return create_async_engine(parsed, **options)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions keep loaded objects usable after commit: handlers read them after the transaction."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Fail fast at start-up (or in a health check) when the database is unreachable."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
