"""End to end over the loopback emulator: update throughput, per-step intake latency, and resident memory.

Run: ``.venv/bin/python -m bench.endtoend`` (``--database-url postgresql+asyncpg://...`` for PostgreSQL;
``--updates N`` for the memory run's length, ``--skip-memory`` to leave it out).

Three measurements, each with the production pieces (``build_runtime``, ``build_application``, the real handlers
and database) talking real HTTP to ``emulator.BotApiEmulator`` on 127.0.0.1:

* THROUGHPUT. ``USERS`` emulated officers at once, each in a closed loop (send, wait for the bot's answer, send
  the next) through the whole /nhap flow: /nhap, year, indicator, "45,5", skip the note, skip the evidence,
  confirm: 7 updates, each answered, the last one storing a figure. The same users then drive a bare
  python-telegram-bot echo bot (one ``MessageHandler`` replying with the text it got) on the same emulator, 7
  texts per loop, the same number of updates. Both use PTB's defaults for fetching updates (long polling, one
  update at a time); goal: ours >= 0.5 x the echo bot's updates per second.
* LATENCY. During the throughput run, ``Application.process_update`` is timed for every update (the handlers
  and the database, not HTTP), grouped by intake step; p50 and p95 per step. Goal: p95 <= 15 ms on SQLite,
  <= 30 ms on PostgreSQL.
* MEMORY. ``greenbot run`` as a real process (``python -m bot.cli run --no-migrate``, configured through the
  environment), idle after start-up, then driven through ``--updates`` updates (10,000 by default) of the same
  flow; its VmRSS is read from /proc every 1,000 updates. Goal: idle <= 80 MB, no growth trend (the slope over
  the second half of the run, in MB per 1,000 updates, and the growth from the 2,000th update to the end).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters

from bench.system import machine
from bot.app import build_application
from bot.clock import FakeClock
from bot.config import DEFAULT_LOCALES_DIR, Settings
from bot.i18n import compile_catalogs
from bot.runtime import Runtime, build_runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.ptb import application_builder, running_application
from emulator.user import EmulatedUser
from storage import migrate
from tests.dbfixtures import SQLITE, backend_of, blank_database
from tests.e2e.conftest import START_TIME, register_officer

App = Application[Any, Any, Any, Any, Any, Any]

USERS: Final = 20
LOOPS_PER_USER: Final = 15  # throughput: 20 x 15 x 7 = 2,100 updates per bot
MEMORY_UPDATES: Final = 10_000
SAMPLE_EVERY: Final = 1_000
TELEGRAM_ID_BASE: Final = 8_100_000
DEPARTMENT: Final = "SXD"  # Sở Xây dựng leads indicators 1 and 4 of the Kon Tum plan
WAIT: Final = 60.0  # seconds an answer may take before the bench gives up (never reached in a healthy run)
GOAL_RATIO: Final = 0.5
GOAL_P95_MS: Final = {"sqlite": 15.0, "postgresql": 30.0}
GOAL_IDLE_MB: Final = 80.0
MB: Final = 10**6
PACED_RATE: Final = 29  # Settings.rate_limit_messages_per_second's default

#: The intake steps in order, as labelled in the latency table.
STEPS: Final = ("/nhap", "year", "indicator", "value typed", "skip note", "skip evidence", "confirm")


# --- the user side -------------------------------------------------------------------------------


def _button(message: SentMessage, accept: Callable[[str], bool]) -> str:
    found = [b.callback_data for b in message.buttons if accept(b.text) and b.callback_data]
    if len(found) != 1:
        raise AssertionError(f"expected one button, got {[b.text for b in message.buttons]} in {message.text!r}")
    return found[0]


@dataclass
class Driver:
    """Sends one step at a time and waits for its answer; tells the timing wrapper which step is in hand."""

    step_of: dict[int, str] = field(default_factory=dict)  # telegram user id → the step being answered
    sent: int = 0

    async def _say(self, user: EmulatedUser, step: str, text: str) -> SentMessage:
        self.step_of[user.id] = step
        await user.send(text)
        self.sent += 1
        return await user.wait_for_reply(timeout=WAIT)

    async def _press(
        self, user: EmulatedUser, step: str, message: SentMessage, accept: Callable[[str], bool]
    ) -> SentMessage:
        self.step_of[user.id] = step
        await user.press(message, _button(message, accept))
        self.sent += 1
        return await user.wait_for_reply(timeout=WAIT)

    async def intake_flow(self, user: EmulatedUser) -> None:
        """/nhap for indicator 1 of 2020 with "45,5", no note, no evidence, confirmed: 7 updates."""
        years = await self._say(user, "/nhap", "/nhap")
        indicators = await self._press(user, "year", years, lambda text: text.startswith("2020"))
        prompt = await self._press(user, "indicator", indicators, lambda text: text[2:].startswith("1."))
        note = await self._say(user, "value typed", "45,5")
        evidence = await self._press(user, "skip note", note, lambda text: text == "Bỏ qua")
        review = await self._press(user, "skip evidence", evidence, lambda text: text == "Bỏ qua")
        saved = await self._press(user, "confirm", review, lambda text: text == "Xác nhận")
        if saved.text is None or "Đã lưu" not in saved.text:
            raise AssertionError(f"the figure was not saved: {saved.text!r}")
        del prompt

    async def echo_loop(self, user: EmulatedUser) -> None:
        """7 texts, each echoed back: the same number of updates as one intake flow."""
        for index in range(len(STEPS)):
            text = f"{user.id} {index}"
            reply = await self._say(user, "echo", text)
            if reply.text != text:
                raise AssertionError(f"echo answered {reply.text!r} to {text!r}")


async def closed_loops(
    users: list[EmulatedUser], loops: int, body: Callable[[EmulatedUser], Awaitable[None]]
) -> float:
    """Every user runs ``body`` ``loops`` times, all users at once; the wall time in seconds."""

    async def one(user: EmulatedUser) -> None:
        for _ in range(loops):
            await body(user)

    started = time.perf_counter()
    await asyncio.gather(*(one(user) for user in users))
    return time.perf_counter() - started


# --- the bots ------------------------------------------------------------------------------------


def settings_for(emulator: BotApiEmulator, database_url: str, locales: Path, *, paced: bool = True) -> Settings:
    """The bot's settings; unpaced (bench only) lifts the 29 messages/s pacing the production bot keeps to."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=emulator.token,
        telegram_base_url=emulator.api_base_url,
        telegram_base_file_url=emulator.file_base_url,
        database_url=database_url,
        locales_dir=locales,
        reminder_rounds=False,
        summary_rounds=False,
    )
    if paced:
        return settings
    # Past the setting's validated range on purpose: this run measures processing, not Telegram's pacing.
    return settings.model_copy(update={"rate_limit_messages_per_second": 1_000_000.0})


def time_process_update(app: App, driver: Driver, timings: dict[str, list[float]]) -> None:
    """Wrap the application's ``process_update`` (bench only) to time each update by its step."""
    process = app.process_update

    async def timed(update: object) -> None:
        # The step is read before processing: once the answer is out, the user may already label the next one.
        user = update.effective_user if isinstance(update, Update) else None
        step = driver.step_of.get(user.id, "other") if user is not None else "other"
        started = time.perf_counter()
        try:
            await process(update)
        finally:
            timings[step].append(time.perf_counter() - started)

    app.process_update = timed  # type: ignore[method-assign]


async def register_officers(runtime: Runtime, count: int) -> list[int]:
    ids = [TELEGRAM_ID_BASE + index for index in range(count)]
    for telegram_id in ids:
        await register_officer(runtime, telegram_id, f"Cán bộ {telegram_id}", DEPARTMENT)
    return ids


def production_pacing() -> AIORateLimiter:
    """The pacing ``bot.app.build_application`` gives the bot (one message every 1/29 s), for the echo bot."""
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / PACED_RATE)


async def echo_bot_run(users: int, loops: int, *, paced: bool) -> dict[str, Any]:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            await update.message.reply_text(update.message.text)

    async with BotApiEmulator() as emulator:
        builder = application_builder(emulator)
        app = (builder.rate_limiter(production_pacing()) if paced else builder).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        driver = Driver()
        people = [emulator.user(TELEGRAM_ID_BASE + index, f"U{index}") for index in range(users)]
        async with running_application(app):
            await closed_loops(people, 1, driver.echo_loop)  # warm-up
            driver.sent = 0
            seconds = await closed_loops(people, loops, driver.echo_loop)
    return {"updates": driver.sent, "seconds": round(seconds, 3), "updates_per_s": round(driver.sent / seconds, 1)}


async def greenbot_run(database_url: str, locales: Path, users: int, loops: int, *, paced: bool) -> dict[str, Any]:
    async with BotApiEmulator() as emulator:
        settings = settings_for(emulator, database_url, locales, paced=paced)
        runtime = build_runtime(settings, clock=FakeClock(START_TIME))
        token = runtime.settings.token_value()
        assert token
        app = build_application(runtime, token)
        driver = Driver()
        timings: dict[str, list[float]] = defaultdict(list)
        time_process_update(app, driver, timings)
        try:
            async with running_application(app):
                ids = await register_officers(runtime, users)
                people = [emulator.user(telegram_id, f"U{telegram_id}") for telegram_id in ids]
                await closed_loops(people, 1, driver.intake_flow)  # warm-up
                driver.sent = 0
                timings.clear()
                seconds = await closed_loops(people, loops, driver.intake_flow)
        finally:
            await runtime.engine.dispose()
    latency = {
        step: {
            "count": len(timings[step]),
            "p50_ms": round(_percentile(timings[step], 50) * 1000, 2),
            "p95_ms": round(_percentile(timings[step], 95) * 1000, 2),
        }
        for step in STEPS
        if timings[step]
    }
    return {
        "updates": driver.sent,
        "seconds": round(seconds, 3),
        "updates_per_s": round(driver.sent / seconds, 1),
        "latency": latency,
    }


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))]


# --- memory: greenbot run as a process ----------------------------------------------------------


def rss_mb(pid: int) -> float:
    """VmRSS of a process, in MB (10^6 bytes), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / MB
    raise RuntimeError(f"no VmRSS for {pid}")


def _environment(emulator: BotApiEmulator, database_url: str, locales: Path) -> dict[str, str]:
    repo = Path(__file__).resolve().parent.parent
    return {
        **{k: v for k, v in os.environ.items() if k not in {"ADMIN_IDS", "PLAN_FILE", "BOT_USERNAME"}},
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_BASE_URL": emulator.api_base_url,
        "TELEGRAM_BASE_FILE_URL": emulator.file_base_url,
        "DATABASE_URL": database_url,
        "LOCALES_DIR": str(locales),
        "PYTHONPATH": str(repo),
        "REMINDER_ROUNDS": "false",
        "SUMMARY_ROUNDS": "false",
        "LOG_LEVEL": "WARNING",
    }


def _slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (updates, MB), in MB per 1,000 updates."""
    if len(points) < 2:
        return 0.0
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    denominator = sum((x - mean_x) ** 2 for x in xs)
    return 1000 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / denominator


async def memory_run(database_url: str, locales: Path, users: int, updates: int, work_dir: Path) -> dict[str, Any]:
    async with BotApiEmulator() as emulator:
        setup = build_runtime(settings_for(emulator, database_url, locales), clock=FakeClock(START_TIME))
        try:
            await setup.sync_plan()
            ids = await register_officers(setup, users)
        finally:
            await setup.engine.dispose()
        log_path = work_dir / "greenbot-run.log"
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", "--no-migrate",
                env=_environment(emulator, database_url, locales), cwd=work_dir, stdout=log, stderr=log,
            )  # fmt: skip
        try:
            await emulator.wait_for_long_poll(timeout=WAIT)  # started: plan synced, waiting for updates
            idle = rss_mb(process.pid)
            people = [emulator.user(telegram_id, f"U{telegram_id}") for telegram_id in ids]
            driver = Driver()
            await closed_loops(people, 1, driver.intake_flow)  # every handler of the flow used once
            warm = rss_mb(process.pid)
            samples: list[tuple[int, float]] = []
            driver.sent = 0
            loops_per_sample = max(1, SAMPLE_EVERY // (len(STEPS) * users))
            started = time.perf_counter()
            while driver.sent < updates:
                await closed_loops(people, loops_per_sample, driver.intake_flow)
                samples.append((driver.sent, round(rss_mb(process.pid), 1)))
            seconds = time.perf_counter() - started
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=30)
    second_half = [point for point in samples if point[0] > samples[-1][0] / 2]
    from_2000 = next((mb for sent, mb in samples if sent >= 2000), samples[0][1])
    return {
        "idle_mb": round(idle, 1),
        "after_first_flows_mb": round(warm, 1),
        "updates": driver.sent,
        "seconds": round(seconds, 1),
        "samples": samples,
        "final_mb": samples[-1][1],
        "slope_mb_per_1000_second_half": round(_slope(second_half), 2),
        "growth_from_2000_mb": round(samples[-1][1] - from_2000, 1),
        "exit_code": process.returncode,
    }


# --- the run -------------------------------------------------------------------------------------


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    backend = backend_of(args.database_url)
    result: dict[str, Any] = {"bench": "endtoend", "backend": backend, "machine": machine(), "users": args.users}
    with tempfile.TemporaryDirectory(prefix="bench-endtoend-") as tmp:
        work_dir = Path(tmp)
        locales = work_dir / "locales"
        compile_catalogs(DEFAULT_LOCALES_DIR, locales)
        for paced in (False, True):
            name = "paced" if paced else "unpaced"
            with blank_database(args.database_url, work_dir) as database_url:
                await migrate.upgrade_async(database_url)
                ours = await greenbot_run(database_url, locales, args.users, args.loops, paced=paced)
            echo = await echo_bot_run(args.users, args.loops, paced=paced)
            ratio = ours["updates_per_s"] / echo["updates_per_s"]
            result[name] = {"greenbot": ours, "echo": echo, "ratio": round(ratio, 2)}
        if not args.skip_memory:
            with blank_database(args.database_url, work_dir) as database_url:
                await migrate.upgrade_async(database_url)
                result["memory"] = await memory_run(database_url, locales, args.users, args.updates, work_dir)
    unpaced = result["unpaced"]
    worst_p95 = max(step["p95_ms"] for step in unpaced["greenbot"]["latency"].values())
    goals: dict[str, Any] = {
        "ratio_met": unpaced["ratio"] >= GOAL_RATIO,
        "paced_ratio": result["paced"]["ratio"],
        "p95_goal_ms": GOAL_P95_MS[backend],
        "worst_p95_ms": worst_p95,
        "p95_met": worst_p95 <= GOAL_P95_MS[backend],
    }
    if "memory" in result:
        memory = result["memory"]
        goals["idle_met"] = memory["idle_mb"] <= GOAL_IDLE_MB
        goals["no_growth_trend"] = memory["slope_mb_per_1000_second_half"] <= 0.5
    result["goals"] = goals
    return result


def _report(result: dict[str, Any]) -> str:
    lines = [f"[{result['backend']}] {result['machine']}; {result['users']} users at once"]
    for name in ("unpaced", "paced"):
        run = result[name]
        ours, echo = run["greenbot"], run["echo"]
        lines.append(
            f"throughput, {name}: greenbot {ours['updates_per_s']} updates/s "
            f"({ours['updates']} in {ours['seconds']} s), echo bot {echo['updates_per_s']} updates/s; "
            f"ratio {run['ratio']}"
        )
    lines.append(f"latency (unpaced), goal p95 <= {result['goals']['p95_goal_ms']} ms:")
    lines.append(f"{'step':<14} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for step, row in result["unpaced"]["greenbot"]["latency"].items():
        lines.append(f"{step:<14} {row['count']:>6} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f}")
    if "memory" in result:
        memory = result["memory"]
        lines.append(
            f"memory: idle {memory['idle_mb']} MB (goal <= {GOAL_IDLE_MB}), {memory['after_first_flows_mb']} MB after "
            f"one flow per user, after {memory['updates']} updates "
            f"{memory['final_mb']} MB; slope over the second half {memory['slope_mb_per_1000_second_half']} MB per "
            f"1,000 updates; growth since the 2,000th update {memory['growth_from_2000_mb']} MB"
        )
    lines.append(f"goals: {result['goals']}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=SQLITE, help="sqlite (default) or a PostgreSQL entry-point URL")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--loops", type=int, default=LOOPS_PER_USER, help="flows per user in the throughput run")
    parser.add_argument("--updates", type=int, default=MEMORY_UPDATES, help="updates in the memory run")
    parser.add_argument("--skip-memory", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run_bench(args))
    print(_report(result))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
