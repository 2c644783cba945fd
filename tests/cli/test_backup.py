"""`greenbot db backup`: a consistent SQLite copy while the bot runs; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import re
import shlex
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, main
from storage.migrate import head_revision


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def live_database(cli_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A migrated SQLite database with the plan synced and one invite, as the bot leaves it."""
    path = tmp_path / "live" / "greenbot.sqlite3"
    cli_env.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["db", "upgrade"]) == EXIT_OK
    assert main(["invite", "sxd"]) == EXIT_OK
    capsys.readouterr()
    assert _count(path, "invites") == 1
    assert _count(path, "departments") > 30
    return path


def test_backup_while_a_writer_holds_the_database(
    cli_env: pytest.MonkeyPatch, live_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The copy is the committed state: a write in progress neither blocks the backup nor leaks into it."""
    writer = sqlite3.connect(live_database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM invites")  # not committed while the backup runs
        copy = tmp_path / "backup.sqlite3"
        assert main(["db", "backup", str(copy)]) == EXIT_OK
        writer.execute("ROLLBACK")
    finally:
        writer.close()

    out = capsys.readouterr().out
    assert str(copy) in out
    assert head_revision() in out
    assert _count(copy, "invites") == 1
    assert _count(copy, "departments") == _count(live_database, "departments")
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not Path(f"{copy}-wal").exists()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # officers' data: readable by the bot's user only
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup.sqlite3", "live"]  # no partial file left

    # The copy is a database the bot can use: restore = point at (or copy back) the file.
    cli_env.setenv("DATABASE_URL", f"sqlite:///{copy}")
    assert main(["db", "current"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == head_revision()


def test_backup_into_a_folder_gets_a_time_stamped_name(
    live_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["db", "backup", str(folder)]) == EXIT_OK
    [written] = list(folder.iterdir())
    assert re.fullmatch(r"greenbot-\d{8}-\d{6}\.sqlite3", written.name)
    assert str(written) in capsys.readouterr().out
    assert _count(written, "invites") == 1


def test_backup_refuses_to_overwrite_the_live_database(live_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "backup", str(live_database)]) == EXIT_FAILURE
    assert "the destination is the live database itself" in capsys.readouterr().err
    assert _count(live_database, "invites") == 1


def test_backup_into_a_missing_folder_fails_cleanly(
    live_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "backup", str(tmp_path / "nowhere" / "backup.sqlite3")]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert "The backup to" in err
    assert "does not exist" in err
    assert "Traceback" not in err


def test_backup_without_a_database_file_creates_none(
    cli_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "data" / "greenbot.sqlite3"
    cli_env.setenv("DATABASE_URL", f"sqlite:///{missing}")
    assert main(["db", "backup", str(tmp_path / "backup.sqlite3")]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert f"There is no database file at {missing}" in err
    assert not missing.exists()
    assert not (tmp_path / "backup.sqlite3").exists()


def test_postgresql_is_pointed_to_pg_dump(
    cli_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No connection is attempted (the host does not exist); the password is not printed."""
    cli_env.setenv("DATABASE_URL", "postgresql+asyncpg://greenbot:hunter2@db.invalid:5432/greenbot?ssl=require")
    assert main(["db", "backup", str(tmp_path / "greenbot.dump")]) == EXIT_CONFIG
    err = capsys.readouterr().err
    command = f"pg_dump --format=custom --file={tmp_path / 'greenbot.dump'} "
    assert command + "'postgresql://greenbot@db.invalid:5432/greenbot?sslmode=require'" in err
    assert "pg_restore" in err
    assert "hunter2" not in err
    assert "Traceback" not in err


def test_the_printed_pg_dump_command_dumps_the_database(
    cli_env: pytest.MonkeyPatch,
    fresh_database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command the operator is told to run works against a real, migrated PostgreSQL database."""
    if make_url(fresh_database_url).get_backend_name() != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL; TEST_DATABASE_URL names no PostgreSQL target")
    cli_env.setenv("DATABASE_URL", fresh_database_url)
    assert main(["db", "upgrade"]) == EXIT_OK
    capsys.readouterr()
    dump = tmp_path / "greenbot.dump"
    assert main(["db", "backup", str(dump)]) == EXIT_CONFIG
    [line] = [line.strip() for line in capsys.readouterr().err.splitlines() if line.strip().startswith("pg_dump ")][:1]
    subprocess.run(shlex.split(line), check=True, timeout=120, capture_output=True)
    listing = subprocess.run(
        ["pg_restore", "--list", str(dump)], check=True, timeout=60, capture_output=True, text=True
    ).stdout
    assert "TABLE public alembic_version" in listing
    assert "TABLE public invites" in listing
