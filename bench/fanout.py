"""Fan-out: 1,000 due reminders to 1,000 distinct officers through the loopback emulator at 30 messages/s.

Run: ``.venv/bin/python -m bench.fanout`` (add ``--database-url postgresql+asyncpg://...`` for PostgreSQL,
``--experiments`` for the labelled non-production variants). Every trial uses the real pieces: a fresh
migrated database, ``build_runtime``, ``build_application`` (so the production ``PatientRateLimiter``), and
``handlers.reminder_delivery.run_round``. The emulator answers 429 beyond 30 message calls in any one-second
window (and one per chat), with either ``retry_after: 1`` (Telegram answers whole seconds) or the exact time
until the window frees.

The clock is 2015-11-13 08:30 local: the -30 day reminder of the 15/12/2015 deadlines (15/11 is a Sunday,
so it moves back to Friday 13/11). Officers are placed only in departments that have exactly one due reminder
at that instant, so the round is exactly one message per officer.

Goals: total time within 1.10x the 33.3 s floor (1,000 / 30 per second), no message lost, none duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final
from unittest import mock

from sqlalchemy import func, select
from telegram.ext import AIORateLimiter, BaseRateLimiter

import bot.app
from bench.system import machine
from bot.app import build_application
from bot.clock import FakeClock
from bot.config import DEFAULT_LOCALES_DIR, Settings
from bot.i18n import compile_catalogs
from bot.runtime import Runtime, build_runtime
from bot.services.delivery import load_filed
from bot.services.reminder_plan import Recipient, plan_round
from bot.services.reminders import ReminderService
from emulator.emulator import BotApiEmulator
from handlers.reminder_delivery import run_round
from storage import migrate
from storage.models import ReminderSend
from storage.repositories import departments, locks, officers
from tests.dbfixtures import SQLITE, backend_of, blank_database

OFFICERS: Final = 1_000
RATE_PER_SECOND: Final = 30
PER_CHAT_PER_SECOND: Final = 1
FLOOR_SECONDS: Final = OFFICERS / RATE_PER_SECOND
GOAL_FACTOR: Final = 1.10
#: 08:30 local on Friday 13 November 2015: the -30 day reminder of the 15/12/2015 deadlines is due.
ROUND_AT: Final = dt.datetime(2015, 11, 13, 1, 30, tzinfo=dt.UTC)
LOCKED_YEARS: Final = (2013, 2014)
TELEGRAM_ID_BASE: Final = 5_000_000
#: The emulator's 429 answers: a whole second (what Telegram sends) or the exact time until the window frees.
RETRY_AFTER_MODES: Final[dict[str, float | None]] = {"1s": 1.0, "exact": None}

#: Builds the limiter from the production max_retries setting.
LimiterFactory = Callable[[int], BaseRateLimiter[Any]]


@dataclass(frozen=True)
class Variant:
    """One configuration of the bot side; only ``production`` is the shipped one."""

    name: str
    description: str
    limiter: LimiterFactory | None = None  # None: whatever bot.app.build_application builds

    @property
    def production(self) -> bool:
        return self.limiter is None


PRODUCTION = Variant("production", "bot.app as shipped: PatientRateLimiter, paced at RATE_LIMIT_MESSAGES_PER_SECOND")
#: EXPERIMENTS, not production: limiters the bench swaps in by patching bot.app.PatientRateLimiter.
EXPERIMENTS: Final = (
    Variant(
        "smooth-30",
        "EXPERIMENT AIORateLimiter(overall_max_rate=1, overall_time_period=1/30): no burst, 30/s",
        limiter=lambda retries: AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 30, max_retries=retries),
    ),
    Variant(
        "smooth-29",
        "EXPERIMENT AIORateLimiter(overall_max_rate=1, overall_time_period=1/29): no burst, 29/s",
        limiter=lambda retries: AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 29, max_retries=retries),
    ),
    Variant(
        "burst-3-29",
        "EXPERIMENT AIORateLimiter(overall_max_rate=3, overall_time_period=3/29): bucket of 3, 29/s",
        limiter=lambda retries: AIORateLimiter(overall_max_rate=3, overall_time_period=3 / 29, max_retries=retries),
    ),
)


@dataclass
class TrialResult:
    backend: str
    variant: str
    production: bool
    retry_after: str
    departments: int
    envelopes: int
    messages_accepted: int
    total_s: float
    prepare_s: float
    send_s: float
    ratio_to_floor: float
    rate_limited_429: int
    lost: int
    duplicated: int
    send_log: dict[str, int]
    attempts: dict[str, int]
    log_records: dict[str, int] = field(default_factory=dict)

    @property
    def goal_met(self) -> bool:
        return (
            self.envelopes == OFFICERS
            and self.ratio_to_floor <= GOAL_FACTOR
            and self.lost == 0
            and self.duplicated == 0
        )


class _CountingHandler(logging.Handler):
    """Counts warnings and errors by logger instead of printing a thousand lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.name}:{record.levelname}"] += 1


@contextmanager
def _counted_logs() -> Iterator[_CountingHandler]:
    handler = _CountingHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@contextmanager
def _bot_side(variant: Variant) -> Iterator[None]:
    """Swap the rate limiter bot.app builds, for experiments only; production leaves bot.app untouched."""
    if variant.limiter is None:
        yield
        return
    factory = variant.limiter

    def patched(*, max_retries: int, **_production: Any) -> BaseRateLimiter[Any]:
        return factory(max_retries)

    with mock.patch.object(bot.app, "PatientRateLimiter", patched):
        yield


async def _single_reminder_departments(runtime: Runtime) -> list[str]:
    """Departments with exactly one due reminder at the clock's instant (one probe recipient each)."""
    service = ReminderService.from_runtime(runtime)
    today = service.today()
    async with runtime.sessions() as session:
        snapshot = await service.views.snapshot(session)
        filed = await load_filed(session, {deadline.period_year for deadline in snapshot.deadlines})
    codes = service.views.departments_on(today)
    items = {code: service.views.items_from(snapshot, filed, code, today) for code in codes}
    probes = {code: [Recipient(-n - 1, -n - 1, "probe", None, code)] for n, code in enumerate(codes)}
    plan = plan_round(
        items, probes, [], policy=runtime.reminder_policy, now=runtime.clock.now(), locked_years=snapshot.locked_years
    )
    counts = Counter(reminder.recipient.department_code for reminder in plan.reminders)
    return sorted(code for code, count in counts.items() if count == 1)


async def _lock_earlier_years(runtime: Runtime) -> None:
    """Closed years send nothing: only 2015's deadlines are due."""
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        for year in LOCKED_YEARS:
            await locks.set_lock(session, plan_id, year, True, None, now=runtime.clock.now())


async def _seed(runtime: Runtime, emulator: BotApiEmulator, codes: list[str], count: int) -> None:
    """Register ``count`` officers round-robin over ``codes``, each with a chat that accepts the bot."""
    if not codes:
        raise SystemExit("no department has exactly one due reminder at the bench instant: the plan changed?")
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        ids = {}
        for code in codes:
            department = await departments.get_by_code(session, code)
            assert department is not None, code
            ids[code] = department.id
        for n in range(count):
            telegram_id = TELEGRAM_ID_BASE + n
            await officers.create_officer(
                session,
                telegram_user_id=telegram_id,
                full_name=f"Cán bộ {n:04d}",
                department_id=ids[codes[n % len(codes)]],
                now=now,
            )
            emulator.user(telegram_id, f"Cán bộ {n:04d}", started=True)


async def _send_log(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(ReminderSend.status, func.count()).group_by(ReminderSend.status))
        return {str(status): int(count) for status, count in rows.all()}


async def trial(target: str, variant: Variant, retry_after: str, locales: Path, work_dir: Path) -> TrialResult:
    """One fresh database, one fresh emulator, one round; returns what the emulator and the send log saw."""
    with blank_database(target, work_dir) as database_url, _counted_logs() as logs, _bot_side(variant):
        await migrate.upgrade_async(database_url)
        async with BotApiEmulator() as emulator:
            settings = Settings(
                _env_file=None,
                telegram_bot_token=emulator.token,
                telegram_base_url=emulator.api_base_url,
                telegram_base_file_url=emulator.file_base_url,
                database_url=database_url,
                locales_dir=locales,
                reminder_rounds=False,
                reminder_chat_interval_seconds=0,
            )
            runtime = build_runtime(settings, clock=FakeClock(ROUND_AT))
            application = build_application(runtime, emulator.token)
            try:
                await runtime.sync_plan()
                await _lock_earlier_years(runtime)
                codes = await _single_reminder_departments(runtime)
                await _seed(runtime, emulator, codes, OFFICERS)
                await application.initialize()
                emulator.enforce_rate_limit(
                    RATE_PER_SECOND, PER_CHAT_PER_SECOND, retry_after=RETRY_AFTER_MODES[retry_after]
                )
                started_wall, started = time.time(), time.perf_counter()
                report = await run_round(application.bot, runtime)
                total = time.perf_counter() - started
                send_log = await _send_log(runtime)
            finally:
                await application.shutdown()
                await runtime.engine.dispose()
            sends = [call for call in emulator.calls if call.method == "sendMessage"]
            accepted = [call for call in sends if call.ok]
            per_chat = Counter(int(call.params["chat_id"]) for call in accepted)
            officer_ids = range(TELEGRAM_ID_BASE, TELEGRAM_ID_BASE + OFFICERS)
            first_send = min((call.time for call in sends), default=started_wall)
            last_ok = max((call.time for call in accepted), default=first_send)
            return TrialResult(
                backend=backend_of(target),
                variant=variant.name,
                production=variant.production,
                retry_after=retry_after,
                departments=len(codes),
                envelopes=report.sent + report.failed + report.unreachable,
                messages_accepted=len(accepted),
                total_s=round(total, 2),
                prepare_s=round(first_send - started_wall, 2),
                send_s=round(last_ok - first_send, 2),
                ratio_to_floor=round(total / FLOOR_SECONDS, 3),
                rate_limited_429=emulator.stats.rate_limited,
                lost=sum(1 for tid in officer_ids if per_chat[tid] == 0),
                duplicated=sum(1 for tid in officer_ids if per_chat[tid] > 1),
                send_log=send_log,
                attempts={str(outcome): count for outcome, count in report.outcomes.items()},
                log_records=dict(logs.counts),
            )


def _table(results: list[TrialResult]) -> str:
    header = (
        f"{'backend':<10} {'variant':<11} {'429 as':<6} {'env':>5} {'total s':>8} {'prep s':>7} {'send s':>7} "
        f"{'x floor':>8} {'429s':>5} {'lost':>5} {'dup':>4}  goal"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.backend:<10} {r.variant:<11} {r.retry_after:<6} {r.envelopes:>5} {r.total_s:>8.2f} "
            f"{r.prepare_s:>7.2f} {r.send_s:>7.2f} {r.ratio_to_floor:>8.3f} {r.rate_limited_429:>5} "
            f"{r.lost:>5} {r.duplicated:>4}  {'met' if r.goal_met else 'MISSED'}"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[TrialResult]:
    modes = list(RETRY_AFTER_MODES) if args.retry_after == "both" else [args.retry_after]
    variants = [PRODUCTION, *(EXPERIMENTS if args.experiments else ())]
    results: list[TrialResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        work_dir = Path(tmp)
        locales = work_dir / "locales"
        compile_catalogs(DEFAULT_LOCALES_DIR, locales)
        for variant in variants:
            for mode in modes:
                result = await trial(args.database_url, variant, mode, locales, work_dir)
                results.append(result)
                print(
                    f"[{result.backend} {variant.name} 429={mode}] {variant.description}\n"
                    f"    total {result.total_s} s = {result.ratio_to_floor}x floor, {result.rate_limited_429} x 429, "
                    f"lost {result.lost}, duplicated {result.duplicated}\n"
                    f"    envelopes={result.envelopes} (want {OFFICERS}) over {result.departments} departments; "
                    f"send log {result.send_log}; attempts {result.attempts}; logs {result.log_records}",
                    flush=True,
                )
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        default=SQLITE,
        help="'sqlite' (a temporary file) or a PostgreSQL URL used as entry point: a fresh database is made next to it",
    )
    parser.add_argument("--retry-after", choices=[*RETRY_AFTER_MODES, "both"], default="both")
    parser.add_argument("--experiments", action="store_true", help="also run the labelled non-production variants")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # warnings are counted per trial, not printed
    results = asyncio.run(main_async(args))
    print()
    print(f"floor {FLOOR_SECONDS:.1f} s ({OFFICERS} messages at {RATE_PER_SECOND}/s); goal <= {GOAL_FACTOR:.2f}x")
    print(f"machine: {machine()}")
    print(_table(results))
    payload = {
        "bench": "fanout",
        "floor_s": round(FLOOR_SECONDS, 2),
        "goal_factor": GOAL_FACTOR,
        "trials": [{**asdict(r), "goal_met": r.goal_met} for r in results],
    }
    print(json.dumps(payload, ensure_ascii=False))


if __name__ == "__main__":
    main()
