"""Two `greenbot run` processes on one PostgreSQL: every due reminder goes out exactly once.

Both processes start together with the clock at 08:30 on Tuesday 8 December 2015, when the
-7 reminders for the 15/12/2015 deadlines are due, so their start-up catch-up rounds race
for the same sends. The round lease lets one of them run the round, and the send log's claim
(INSERT … ON CONFLICT DO NOTHING) decides every single send. The emulator enforces flood
limits stricter than the bot's pacing, so some sends are answered 429 and retried, which must
not turn into a second copy either.

The schema is migrated beforehand (the session's database fixture) and both processes run
with ``--no-migrate``, as the CLI documents for several processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import socket
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Final

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.plan.model import DepartmentKind
from bot.runtime import Runtime, build_runtime
from emulator.emulator import BotApiEmulator
from emulator.user import EmulatedUser
from storage.db import create_session_factory
from storage.enums import AttemptOutcome, SendPurpose, SendStatus
from storage.models import DeliveryAttempt, Officer, ReminderSend
from tests.e2e.conftest import register_officer
from tests.e2e.test_process import _environment

pytestmark = pytest.mark.e2e

SIMULATED_NOW: Final = "2015-12-08T08:30:00+07:00"
LOCKED_YEARS: Final = (2013, 2014)  # closed years send nothing: only 2015 (and later) deadlines are open
FIRST_TELEGRAM_ID: Final = 810_001
#: Below the bot's own pacing (RATE_LIMIT_MESSAGES_PER_SECOND, 29): Telegram's ~30/s is approximate, and a
#: stricter answer than the pacing expects makes the 429s happen that must not turn into second copies.
FLOOD_LIMIT_PER_SECOND: Final = 15
TELEGRAM_PER_CHAT_PER_SECOND: Final = 1  # and per private chat
SETTLE_TIMEOUT_SECONDS: Final = 60.0
POLL_SECONDS: Final = 0.2
EXIT_TIMEOUT_SECONDS: Final = 30.0
UNFINISHED: Final = (SendStatus.CLAIMED, SendStatus.FAILED)
#: APScheduler's warning when a job's run time passed before the job queue started (the catch-up is then lost).
MISSED_JOB: Final = "was missed by"


def _officers_for(index: int) -> int:
    """Two or three officers per department, so chats get different numbers of envelopes."""
    return 2 + index % 2


async def _register_officers(runtime: Runtime) -> list[int]:
    """Officers in every department that exists on the simulated day; returns their Telegram ids."""
    today = runtime.clock.now().astimezone(runtime.settings.tz).date()
    registry = runtime.registry
    codes = [
        department.code
        for department in registry
        if department.kind is not DepartmentKind.GROUP
        and registry.successor_on(department.code, today) == department.code
    ]
    telegram_ids: list[int] = []
    for index, code in enumerate(codes):
        for seat in range(_officers_for(index)):
            telegram_id = FIRST_TELEGRAM_ID + len(telegram_ids)
            await register_officer(runtime, telegram_id, f"Cán bộ {seat + 1} {code}", code)
            telegram_ids.append(telegram_id)
    return telegram_ids


async def _prepare_database(database_url: str, compiled_locales: Path) -> list[int]:
    """The plan as of the simulated day, the officers, and 2013-2014 locked; the engine is closed again."""
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        locales_dir=compiled_locales,
        simulated_now=dt.datetime.fromisoformat(SIMULATED_NOW),
    )
    runtime = build_runtime(settings)
    try:
        await runtime.sync_plan()
        telegram_ids = await _register_officers(runtime)
        for year in LOCKED_YEARS:
            await runtime.periods.set_locked(year, True, by_officer_id=None)
    finally:
        await runtime.engine.dispose()
    return telegram_ids


async def _start_bot(env: dict[str, str], log_path: Path) -> asyncio.subprocess.Process:
    with log_path.open("wb") as log:  # a file, not a pipe: a full pipe would block the bot
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--no-migrate", cwd=log_path.parent, env=env, stdout=log, stderr=log
        )


async def _status_counts(engine: AsyncEngine) -> Counter[SendStatus]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(select(ReminderSend.status, func.count()).group_by(ReminderSend.status))
        return Counter({SendStatus(status): count for status, count in rows.all()})


async def _wait_until_settled(
    engine: AsyncEngine, processes: list[asyncio.subprocess.Process], logs: list[Path]
) -> Counter[SendStatus]:
    """Until the send log has rows and none is still claimed or failed.

    One round claims all its sends in one transaction, so the first rows seen are all of them;
    once every one is finished, no round of either process can add or retake anything.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT_SECONDS
    while True:
        counts = await _status_counts(engine)
        if counts and not any(counts[status] for status in UNFINISHED):
            return counts
        for process, log in zip(processes, logs, strict=True):
            assert process.returncode is None, f"{log.name} exited early:\n{log.read_text(encoding='utf-8')}"
        if loop.time() > deadline:
            raise AssertionError(f"the send log did not settle within {SETTLE_TIMEOUT_SECONDS}s: {dict(counts)}")
        await asyncio.sleep(POLL_SECONDS)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), timeout=EXIT_TIMEOUT_SECONDS)


async def test_two_processes_send_every_due_reminder_exactly_once(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes on one database is a PostgreSQL deployment; SQLite serves one process")
    telegram_ids = await _prepare_database(database_url, compiled_locales)
    users: dict[int, EmulatedUser] = {tg: emulator.user(tg, f"Cán bộ {tg}", started=True) for tg in telegram_ids}
    emulator.enforce_rate_limit(FLOOD_LIMIT_PER_SECOND, TELEGRAM_PER_CHAT_PER_SECOND)
    env = _environment(
        emulator,
        database_url,
        compiled_locales,
        REMINDER_ROUNDS="true",
        SIMULATED_NOW=SIMULATED_NOW,
        REMINDER_CHAT_INTERVAL_SECONDS="0",  # one chat's envelopes back to back: the per-chat limit answers 429
        REMINDER_ROUND_MINUTES="1",
    )
    logs = [tmp_path / "first" / "greenbot.log", tmp_path / "second" / "greenbot.log"]
    for log in logs:
        log.parent.mkdir()
    processes = list(await asyncio.gather(*(_start_bot(env, log) for log in logs)))
    try:
        counts = await _wait_until_settled(db_engine, processes, logs)
    finally:
        await asyncio.gather(*(_stop(process) for process in processes))
    texts = {f"{log.parent.name}/{log.name}": log.read_text(encoding="utf-8") for log in logs}
    for name, process in zip(texts, processes, strict=True):
        assert process.returncode == 0, texts[name]

    async with create_session_factory(db_engine)() as session:
        sends = list((await session.scalars(select(ReminderSend).order_by(ReminderSend.id))).all())
        officer_chats = {
            officer_id: chat for officer_id, chat in await session.execute(select(Officer.id, Officer.telegram_user_id))
        }
        sent_attempts = Counter(
            (
                await session.scalars(
                    select(DeliveryAttempt.send_id).where(DeliveryAttempt.outcome == AttemptOutcome.SENT)
                )
            ).all()
        )

    # Every send finished as sent, once: one successful attempt each. No escalation: they go to the
    # planning office's admins and none is registered here (some open deadlines are already overdue:
    # task deadlines of 31/07/2014 and 31/07/2015 arrive as catch-up messages).
    assert set(counts) == {SendStatus.SENT}, counts
    assert all(send.telegram_message_id is not None for send in sends)
    assert sent_attempts == Counter(send.id for send in sends)
    assert not [send for send in sends if send.purpose is SendPurpose.ESCALATION]
    assert {send.offset_days for send in sends} >= {-7}  # the week-before reminders of 15/12/2015 are among them

    # Who ran the round. The round lease (bot/services/round_lease.py) lets one process run it; the other
    # skips its catch-up round, or runs it after the first one ended and finds every send claimed. Either
    # way one process claimed everything (no send failed, so no later round took one over).
    workers = {f"{socket.gethostname()}:{process.pid}" for process in processes}
    claimed_by = Counter(send.claimed_by for send in sends)
    assert len(claimed_by) == 1, claimed_by
    assert set(claimed_by) <= workers, claimed_by

    # What the officers saw: each envelope is one message (these texts are far below 4096 characters,
    # so no envelope was split into parts), and no message came twice.
    envelopes: defaultdict[int, set[int]] = defaultdict(set)
    for send in sends:
        assert send.telegram_message_id is not None
        envelopes[officer_chats[send.officer_id]].add(send.telegram_message_id)
    for telegram_id, user in users.items():
        delivered = [message for message in user.chat.bot_messages if not message.deleted]
        assert delivered, f"officer {telegram_id} got no reminder"
        assert {message.message_id for message in delivered} == envelopes[telegram_id]
        repeated = [text for text, n in Counter(message.content for message in delivered).items() if n > 1]
        assert not repeated, f"chat {telegram_id} got the same message twice: {repeated}"
    assert emulator.stats.rate_limited > 0  # the flood limits were really hit (and survived)

    secret = emulator.token.split(":", 1)[1]
    for name, text in texts.items():
        assert MISSED_JOB not in text, f"{name}: a round was skipped, so the race did not happen:\n{text}"
        assert "Traceback" not in text, f"{name}:\n{text}"
        assert secret not in text, name
