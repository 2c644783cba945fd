"""kill -9 in the middle of /nhap: the officer continues at the same step with earlier answers intact."""

from __future__ import annotations

import asyncio
import signal
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.runtime import build_runtime
from emulator.emulator import BotApiEmulator
from storage.models import IndicatorValue
from tests.e2e.conftest import register_officer
from tests.e2e.test_intake import press, say
from tests.e2e.test_process import _environment

pytestmark = pytest.mark.e2e

OFFICER_ID = 700_003


async def _start_bot(env: dict[str, str], cwd: Path, name: str) -> asyncio.subprocess.Process:
    log = (cwd / f"{name}.log").open("wb")  # a file, not a pipe: a full pipe would block the bot
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=cwd, env=env, stdout=log, stderr=log
    )


async def test_kill_9_between_two_steps_loses_nothing(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    runtime = build_runtime(Settings(_env_file=None, database_url=database_url, locales_dir=compiled_locales))  # type: ignore[call-arg]
    await runtime.sync_plan()
    await register_officer(runtime, OFFICER_ID, "Lê Văn Cường", "SXD")
    env = _environment(emulator, database_url, compiled_locales)
    officer = emulator.user(OFFICER_ID, "Cường")

    first = await _start_bot(env, tmp_path, "first")
    try:
        await officer.send("/nhap")
        years = await officer.wait_for_reply(timeout=60)
        indicators = await press(officer, years, "2020")
        prompt = await press(officer, indicators, "⬜ 1.")
        assert prompt.text is not None
        assert "Vui lòng nhập tỷ lệ (%) năm 2020" in prompt.text
        typed = await officer.send("12/30")
        note_prompt = await officer.wait_for_reply()
        assert note_prompt.text is not None
        assert note_prompt.text.startswith("Đã ghi vào bản nháp: 40% (12/30).")
        await typed.confirmed()  # Telegram's side knows the update was handled
    finally:
        first.send_signal(signal.SIGKILL)
        await asyncio.wait_for(first.wait(), timeout=30)
    assert first.returncode == -signal.SIGKILL

    second = await _start_bot(env, tmp_path, "second")
    try:
        evidence_prompt = await say(officer, "Ghi chú gửi sau khi bot khởi động lại")
        assert evidence_prompt.text is not None
        assert "tệp minh chứng" in evidence_prompt.text
        review = await press(officer, evidence_prompt, "Bỏ qua")
        assert review.text is not None
        assert "• Số liệu: 40% (12/30)" in review.text  # the answer given before the kill
        assert "• Ghi chú: Ghi chú gửi sau khi bot khởi động lại" in review.text
        saved = await press(officer, review, "Xác nhận")
        assert saved.text is not None
        assert "Đã lưu" in saved.text
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), timeout=30)
    async with runtime.sessions() as session:
        [stored] = (await session.scalars(select(IndicatorValue))).all()
    await runtime.engine.dispose()
    assert (stored.value, stored.numerator, stored.denominator) == (Decimal("40"), Decimal(12), Decimal(30))
    assert stored.note == "Ghi chú gửi sau khi bot khởi động lại"
