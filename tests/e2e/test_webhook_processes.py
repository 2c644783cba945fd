"""Two `greenbot run --webhook` processes behind a round-robin load balancer, sharing one PostgreSQL.

The emulator posts every update to the balancer, which hands them alternately to process A and
process B, so each step of one officer's /nhap (and /tiendo) conversation is answered by the other
process than the step before. That works only because the step and the draft live in the database.
Both processes also run the reminder and digest rounds on a simulated clock (08:30 on Tuesday
8 December 2015: the -7 reminders of the 15/12/2015 deadlines and the weekly digest are due); their
start-up catch-up rounds race: the round lease lets one process run each round, and the send
logs let exactly one send each entry.

The schema is migrated by the session's database fixture; both processes run with ``--no-migrate``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import secrets
import socket
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.runtime import build_runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from storage.db import create_session_factory
from storage.enums import AttemptOutcome, DigestKind, ProgressStatus, SendStatus
from storage.models import DeliveryAttempt, DigestSend, IndicatorValue, Officer, ReminderSend, TaskProgressReport
from tests.e2e.conftest import ADMIN_ID, register_officer
from tests.e2e.test_intake import button_starting
from tests.e2e.test_two_processes import LOCKED_YEARS, MISSED_JOB, SIMULATED_NOW
from tests.e2e.test_webhook import START_TIMEOUT_SECONDS, BotProcess, _free_port, _webhook_env

pytestmark = pytest.mark.e2e

OFFICER_ID: Final = 830_001  # Sở Xây dựng: owes indicators 1-4 and leads tasks; has the conversation
COLLEAGUE_ID: Final = 830_002  # Thành phố Kon Tum: two -7 reminders for 15/12/2015, no conversation
REPLY_TIMEOUT_SECONDS: Final = 30.0
SETTLE_TIMEOUT_SECONDS: Final = 60.0
POLL_SECONDS: Final = 0.2
UNFINISHED: Final = (SendStatus.CLAIMED, SendStatus.FAILED)
#: Not forwarded: the balancer's client sets its own (as a real proxy does).
HOP_HEADERS: Final = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive"})


@dataclass(frozen=True, slots=True)
class Forwarded:
    """One update the balancer passed on: to which backend (0 = A, 1 = B) and what it answered."""

    update_id: int
    backend: int
    status: int


class RoundRobinBalancer:
    """What sits in front of several webhook processes: each POST goes to the next backend in turn."""

    def __init__(self, backends: Sequence[str]) -> None:
        self.backends = list(backends)
        self.forwarded: list[Forwarded] = []
        self._next = 0
        self._client: aiohttp.ClientSession | None = None

    @property
    def handled_by(self) -> Counter[int]:
        return Counter(entry.backend for entry in self.forwarded if entry.status == 200)

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        backend = self._next
        self._next = (self._next + 1) % len(self.backends)
        body = await request.read()
        headers = {name: value for name, value in request.headers.items() if name.lower() not in HOP_HEADERS}
        update_id = int((await request.json()).get("update_id", -1))
        try:
            async with self._client.post(self.backends[backend] + request.path_qs, data=body, headers=headers) as got:
                status, answer, content_type = got.status, await got.read(), got.content_type
        except aiohttp.ClientError:
            status, answer, content_type = 502, b"", "text/plain"
        self.forwarded.append(Forwarded(update_id, backend, status))
        return web.Response(status=status, body=answer, content_type=content_type)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serves on 127.0.0.1 at a port the system picks; yields the base URL."""
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._forward)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        try:
            async with aiohttp.ClientSession() as self._client:
                await site.start()
                host, port = runner.addresses[0][:2]
                yield f"http://{host}:{port}"
        finally:
            await runner.cleanup()


async def _prepare_database(database_url: str, compiled_locales: Path) -> None:
    """The plan as of the simulated day, two officers and the admin, and 2013-2014 locked."""
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        locales_dir=compiled_locales,
        admin_ids=frozenset({ADMIN_ID}),
        simulated_now=dt.datetime.fromisoformat(SIMULATED_NOW),
    )
    runtime = build_runtime(settings)
    try:
        await runtime.sync_plan()
        await register_officer(runtime, OFFICER_ID, "Nguyễn Văn An", "SXD")
        await register_officer(runtime, COLLEAGUE_ID, "Trần Thị Mai", "TPKONTUM")
        await runtime.accounts.identify(ADMIN_ID, "Hùng")  # the ADMIN_IDS admin, in the planning office
        for year in LOCKED_YEARS:
            await runtime.periods.set_locked(year, True, by_officer_id=None)
    finally:
        await runtime.engine.dispose()


@asynccontextmanager
async def _webhook_process(env: dict[str, str], cwd: Path, url: str) -> AsyncIterator[BotProcess]:
    """`greenbot run --no-migrate --webhook URL` in ``cwd`` (an existing folder), killed if a test fails."""
    log_path = cwd / "greenbot.log"
    with log_path.open("wb") as log_file:  # a file, not a pipe: a full pipe would block the bot
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "--no-migrate",
            "--webhook",
            url,
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=log_file,
        )
    bot = BotProcess(process, log_path)
    try:
        yield bot
    finally:
        if process.returncode is None:  # a failed assertion: do not leave the bot running
            process.kill()
            await process.wait()


async def _unfinished_sends(engine: AsyncEngine) -> tuple[int, int, int]:
    """Reminder rows, digest rows, and how many of both are still claimed or failed."""
    async with create_session_factory(engine)() as session:
        reminders = Counter(
            dict((await session.execute(select(ReminderSend.status, func.count()).group_by(ReminderSend.status))).all())
        )
        digests = Counter(
            dict((await session.execute(select(DigestSend.status, func.count()).group_by(DigestSend.status))).all())
        )
    unfinished = sum(reminders[status] + digests[status] for status in UNFINISHED)
    return sum(reminders.values()), sum(digests.values()), unfinished


async def _wait_until_settled(engine: AsyncEngine, bots: Sequence[BotProcess]) -> None:
    """Until both send logs have rows and none is still claimed or failed (a round claims all it sends at once)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT_SECONDS
    while True:
        reminders, digests, unfinished = await _unfinished_sends(engine)
        if reminders and digests and not unfinished:
            return
        for bot in bots:
            assert bot.process.returncode is None, f"a process exited early:\n{bot.log}"
        if loop.time() > deadline:
            raise AssertionError(f"send logs not settled: {reminders} reminders, {digests} digests, {unfinished} open")
        await asyncio.sleep(POLL_SECONDS)


@dataclass(frozen=True)
class SendLog:
    """The two send logs as the database holds them, and the chats of the officers."""

    reminders: list[ReminderSend]
    digests: list[DigestSend]
    sent_attempts: Counter[int]
    chat_of: dict[int, int]


async def _send_log(engine: AsyncEngine) -> SendLog:
    async with create_session_factory(engine)() as session:
        reminders = list((await session.scalars(select(ReminderSend).order_by(ReminderSend.id))).all())
        digests = list((await session.scalars(select(DigestSend).order_by(DigestSend.id))).all())
        sent = select(DeliveryAttempt.send_id).where(DeliveryAttempt.outcome == AttemptOutcome.SENT)
        sent_attempts = Counter(send_id for send_id in (await session.scalars(sent)).all() if send_id is not None)
        chat_of = {row.id: row.telegram_user_id for row in (await session.execute(select(Officer))).scalars()}
    return SendLog(reminders, digests, sent_attempts, chat_of)


async def _figures(engine: AsyncEngine) -> list[IndicatorValue]:
    async with create_session_factory(engine)() as session:
        query = select(IndicatorValue).order_by(IndicatorValue.indicator_id, IndicatorValue.version)
        return list((await session.scalars(query)).all())


async def _progress_reports(engine: AsyncEngine) -> list[TaskProgressReport]:
    async with create_session_factory(engine)() as session:
        return list((await session.scalars(select(TaskProgressReport))).all())


async def _say(user: EmulatedUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.wait_for_reply(REPLY_TIMEOUT_SECONDS)


async def _press(user: EmulatedUser, message: SentMessage, label: str) -> SentMessage:
    await user.press(message, button_starting(message, label))
    return await user.wait_for_reply(REPLY_TIMEOUT_SECONDS)


def _text(message: SentMessage) -> str:
    assert message.text is not None
    return message.text


async def _enter_indicator_one(officer: EmulatedUser) -> SentMessage:
    """The whole guided /nhap: year, indicator, value, no note, no file, confirm (seven updates)."""
    years = await _say(officer, "/nhap")
    assert "chọn năm báo cáo" in _text(years)
    indicators = await _press(officer, years, "2015")
    assert "Các chỉ tiêu của Sở Xây dựng" in _text(indicators)
    [data] = [b.callback_data for b in indicators.buttons if b.text[2:].startswith("1.")]
    assert data is not None
    await officer.press(indicators, data)
    prompt = await officer.wait_for_reply(REPLY_TIMEOUT_SECONDS)
    assert "Vui lòng nhập tỷ lệ (%) năm 2015" in _text(prompt)
    note_prompt = await _say(officer, "45,5")
    assert _text(note_prompt).startswith("Đã ghi vào bản nháp: 45,5%.")
    evidence_prompt = await _press(officer, note_prompt, "Bỏ qua")
    assert "tệp minh chứng" in _text(evidence_prompt)
    review = await _press(officer, evidence_prompt, "Bỏ qua")
    assert "• Số liệu: 45,5%" in _text(review)
    return await _press(officer, review, "Xác nhận")


async def _report_a_task_done(officer: EmulatedUser) -> tuple[str, SentMessage]:
    """The whole /tiendo: task, status, no note, no file, confirm (six updates); returns the task's code."""
    tasks = await _say(officer, "/tiendo")
    assert "Nhiệm vụ của Sở Xây dựng" in _text(tasks)
    first = next(button for button in tasks.buttons if button.text.startswith("⬜ "))
    code = first.text.removeprefix("⬜ ").split(" ", 1)[0]
    statuses = await _press(officer, tasks, first.text)
    note_prompt = await _press(officer, statuses, "Hoàn thành")
    review = await _press(officer, await _press(officer, note_prompt, "Bỏ qua"), "Bỏ qua")
    assert "• Tình trạng: Hoàn thành" in _text(review)
    return code, await _press(officer, review, "Xác nhận")


def _check_delivered_once(log: SendLog, users: dict[int, EmulatedUser], before: dict[int, list[SentMessage]]) -> None:
    """Each reminder envelope and each digest part reached its chat once; nothing else came from the rounds."""
    envelopes: defaultdict[int, set[int]] = defaultdict(set)
    for send in log.reminders:
        assert send.telegram_message_id is not None
        envelopes[log.chat_of[send.officer_id]].add(send.telegram_message_id)
    digest_parts = Counter[int]()
    for digest in log.digests:
        digest_parts[digest.chat_id] += digest.parts_sent
    for telegram_id in users:
        delivered = [message for message in before[telegram_id] if not message.deleted]
        assert envelopes[telegram_id] <= {message.message_id for message in delivered}, telegram_id
        assert len(delivered) == len(envelopes[telegram_id]) + digest_parts[telegram_id], [m.text for m in delivered]
        repeated = [text for text, n in Counter(message.content for message in delivered).items() if n > 1]
        assert not repeated, f"chat {telegram_id} got the same message twice: {repeated}"


async def test_two_webhook_processes_share_one_conversation_and_send_each_round_once(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes on one database is a PostgreSQL deployment; SQLite serves one process")
    await _prepare_database(database_url, compiled_locales)
    names = {OFFICER_ID: "An", COLLEAGUE_ID: "Mai", ADMIN_ID: "Hùng"}
    users = {telegram_id: emulator.user(telegram_id, name, started=True) for telegram_id, name in names.items()}
    officer = users[OFFICER_ID]
    secret = f"lb-{secrets.token_urlsafe(24)}"
    ports = [_free_port(), _free_port()]
    balancer = RoundRobinBalancer([f"http://127.0.0.1:{port}" for port in ports])

    async with AsyncExitStack() as stack:
        url = f"{await stack.enter_async_context(balancer.running())}/telegram/{secrets.token_hex(6)}"
        bots: list[BotProcess] = []
        for name, port in zip("AB", ports, strict=True):
            (tmp_path / name).mkdir()
            env = {
                **_webhook_env(emulator, database_url, compiled_locales, port, secret),
                "REMINDER_ROUNDS": "true",
                "SUMMARY_ROUNDS": "true",
                "SIMULATED_NOW": SIMULATED_NOW,
                "REMINDER_CHAT_INTERVAL_SECONDS": "0",
            }
            bots.append(await stack.enter_async_context(_webhook_process(env, tmp_path / name, url)))

        def both_listening() -> bool:  # each sets the webhook only once its server listens
            return len(emulator.calls_to("setWebhook", ok=True)) == len(bots)

        assert await emulator.hub.changed.wait_for(both_listening, START_TIMEOUT_SECONDS), [b.log for b in bots]
        assert emulator.webhook()["url"] == url

        # The start-up catch-up rounds of both processes race for the same reminders and digest.
        await _wait_until_settled(db_engine, bots)
        settled = await _send_log(db_engine)
        before = {telegram_id: list(user.messages) for telegram_id, user in users.items()}
        for user in users.values():
            user.mark_read()

        # One officer's conversation, each update to the other process than the one before.
        saved = await _enter_indicator_one(officer)
        assert "Đã lưu. Số liệu năm 2015:" in _text(saved)
        assert "Chỉ tiêu 1: 45,5% (phiên bản 1" in _text(saved)
        [figure] = await _figures(db_engine)
        assert (figure.year, figure.value, figure.version) == (2015, Decimal("45.5"), 1)

        review = await _say(officer, "/nhap 2015 1=47")  # a correction: reviewed by one process, confirmed by the other
        corrected = await _press(officer, review, "Xác nhận")
        assert "phiên bản 2" in _text(corrected)
        first, second = await _figures(db_engine)
        assert [(f.version, f.value) for f in (first, second)] == [(1, Decimal("45.5")), (2, Decimal("47"))]
        assert second.supersedes_id == first.id

        task_code, done = await _report_a_task_done(officer)
        assert f"Đã lưu: nhiệm vụ {task_code}, năm 2015: Hoàn thành (phiên bản 1" in _text(done)
        [report] = await _progress_reports(db_engine)
        assert (report.period_year, report.status, report.version) == (2015, ProgressStatus.DONE, 1)

        await emulator.wait_all_fetched(timeout=REPLY_TIMEOUT_SECONDS)
        exit_codes = [await bot.terminate() for bot in bots]
        logs = [bot.log for bot in bots]
    assert exit_codes == [0, 0], logs

    # Every update was answered 200 on its first delivery, alternately by A and B.
    deliveries = emulator.webhook_deliveries()
    assert [d.status for d in deliveries] == [200] * len(deliveries)
    assert [entry.update_id for entry in balancer.forwarded] == [d.update_id for d in deliveries]
    assert len({d.update_id for d in deliveries}) == len(deliveries) == 7 + 2 + 6
    backends = [entry.backend for entry in balancer.forwarded]
    assert all(one != other for one, other in itertools.pairwise(backends)), backends
    assert balancer.handled_by == Counter({0: 8, 1: 7})
    assert officer.unread == []  # one answer per step: no process answered a step twice, nothing else arrived
    assert emulator.calls_to("getUpdates") == []  # neither process fell back to long polling

    # The rounds: the send logs did not change while the conversation ran, each entry was sent once,
    # claimed by one of the two processes, and each chat received it once.
    final = await _send_log(db_engine)
    assert [(s.id, s.status, s.telegram_message_id) for s in final.reminders] == [
        (s.id, s.status, s.telegram_message_id) for s in settled.reminders
    ]
    assert [(d.id, d.status, d.parts_sent) for d in final.digests] == [
        (d.id, d.status, d.parts_sent) for d in settled.digests
    ]
    assert {s.status for s in final.reminders} | {d.status for d in final.digests} == {SendStatus.SENT}
    assert final.sent_attempts == Counter(send.id for send in final.reminders)
    assert {s.offset_days for s in final.reminders} >= {-7}  # the week-before reminders of 15/12/2015
    assert {final.chat_of[s.officer_id] for s in final.reminders} >= {OFFICER_ID, COLLEAGUE_ID}
    assert [d.chat_id for d in final.digests if d.kind is DigestKind.WEEKLY] == [ADMIN_ID]
    workers = {f"{socket.gethostname()}:{bot.process.pid}" for bot in bots}
    assert {s.claimed_by for s in final.reminders} | {d.claimed_by for d in final.digests} <= workers
    # Each round was run by one process (the round lease): one worker claimed all reminders, one all digests.
    assert len({s.claimed_by for s in final.reminders}) == 1, [s.claimed_by for s in final.reminders]
    assert len({d.claimed_by for d in final.digests}) == 1, [d.claimed_by for d in final.digests]
    _check_delivered_once(final, users, before)
    weekly = [m for m in before[ADMIN_ID] if (m.text or "").startswith("🗓 Bản tin tuần")]
    assert len(weekly) == 1, [m.text for m in before[ADMIN_ID]]
    for telegram_id in (COLLEAGUE_ID, ADMIN_ID):
        assert users[telegram_id].unread == [], telegram_id  # no round sent anything more during the conversation

    for log in logs:
        assert MISSED_JOB not in log, f"a catch-up round was skipped, so the race did not happen:\n{log}"
        assert "Traceback" not in log, log
        assert secret not in log
        assert emulator.token.split(":", 1)[1] not in log
