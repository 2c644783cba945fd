"""Alembic environment: async engines, batch mode on SQLite, models' metadata as the target.

Two ways in: ``storage.migrate`` hands over an open connection in
``config.attributes["connection"]`` (so it can run inside an existing event loop), or
the alembic CLI, where the URL comes from ``-x url=…``, ``sqlalchemy.url`` or the
environment and an engine is created here.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import create_engine, normalize_database_url
from storage.models import Base

config = context.config
target_metadata = Base.metadata

if config.cmd_opts is not None and config.config_file_name is not None:
    # Only the alembic CLI configures logging; library callers keep their own setup.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("GREENBOT_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
    )
    if not url:
        raise RuntimeError("no database URL: pass -x url=… or set GREENBOT_DATABASE_URL")
    return normalize_database_url(url)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # storage.db makes SQLite emit a real BEGIN, so DDL rolls back there too.
        transactional_ddl=True,
        compare_type=True,
        compare_server_default=False,
    )


def do_run_migrations(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=_database_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
