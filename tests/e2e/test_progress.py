"""/tiendo over real HTTP: choose a task, a status, a required note, a file, edit, confirm."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.runtime import Runtime
from emulator.emulator import BotApiEmulator
from emulator.user import EmulatedUser
from storage.enums import ProgressStatus
from storage.models import TaskProgressReport
from tests.e2e.conftest import register_officer
from tests.e2e.test_intake import button_starting, next_answer, press, say

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
OFFICER_ID = 700_002


@pytest.fixture
async def officer(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> EmulatedUser:
    await register_officer(runtime, OFFICER_ID, "Trần Thị Bình", "SXD")
    return emulator.user(OFFICER_ID, "Bình")


async def reports(runtime: Runtime) -> list[TaskProgressReport]:
    async with runtime.sessions() as session:
        query = select(TaskProgressReport).order_by(TaskProgressReport.version)
        return list((await session.scalars(query)).all())


async def test_blocked_task_needs_a_note_then_is_stored_with_history(officer: EmulatedUser, runtime: Runtime) -> None:
    tasks = await say(officer, "/tiendo")
    assert tasks.text is not None
    assert "Nhiệm vụ của Sở Xây dựng tại Phụ lục I, năm báo cáo 2020:" in tasks.text
    assert "⬜ IV.1 (chủ trì):" in tasks.text
    assert "⬜ I.4 (chủ trì):" in tasks.text
    assert tasks.text.index("(chủ trì)") < tasks.text.index("(phối hợp)")  # the tasks it leads come first
    statuses = await press(officer, tasks, "⬜ IV.1 ")
    assert [b.text for b in statuses.buttons] == ["Chưa triển khai", "Đang triển khai", "Hoàn thành", "Gặp vướng mắc"]
    note = await press(officer, statuses, "Gặp vướng mắc")
    assert note.text is not None
    assert "(bắt buộc)" in note.text
    assert note.buttons == []
    await officer.send_sticker()
    sticker = await officer.wait_for_reply()
    assert sticker.text is not None
    assert "không gửi nhãn dán" in sticker.text
    empty = await say(officer, "   ")
    assert empty.text is not None
    assert "bắt buộc có ghi chú" in empty.text
    evidence = await say(officer, "Thiếu kinh phí xây dựng trạm xử lý")
    await officer.send_photo()
    review = await officer.wait_for_reply()
    assert review.text is not None
    assert "• Tình trạng: Gặp vướng mắc" in review.text
    assert "• Tệp minh chứng: ảnh" in review.text
    assert evidence.text is not None

    fields = await press(officer, review, "Sửa")
    statuses = await press(officer, fields, "Tình trạng")
    review = await press(officer, statuses, "Đang triển khai")
    assert review.text is not None
    assert "• Tình trạng: Đang triển khai" in review.text
    assert "• Ghi chú: Thiếu kinh phí xây dựng trạm xử lý" in review.text  # nothing asked twice
    assert await reports(runtime) == []
    saved = await press(officer, review, "Xác nhận")
    assert saved.text is not None
    assert "Đã lưu: nhiệm vụ IV.1, năm 2020: Đang triển khai (phiên bản 1, lúc 09:00 02/03/2026)." in saved.text

    tasks = await say(officer, "/tiendo")
    statuses = await press(officer, tasks, "✅ IV.1 ")
    skip_note = await press(officer, statuses, "Hoàn thành")
    review = await press(officer, await press(officer, skip_note, "Bỏ qua"), "Bỏ qua")
    await press(officer, review, "Xác nhận")
    rows = await reports(runtime)
    assert [(r.version, r.status, r.period_year) for r in rows] == [
        (1, ProgressStatus.IN_PROGRESS, 2020),
        (2, ProgressStatus.DONE, 2020),
    ]
    assert rows[0].note == "Thiếu kinh phí xây dựng trạm xử lý"
    assert rows[0].evidence_file_id
    assert rows[1].supersedes_id == rows[0].id


async def test_forged_status_and_task_buttons_are_refused(officer: EmulatedUser, runtime: Runtime) -> None:
    tasks = await say(officer, "/tiendo")
    nonce = button_starting(tasks, "⬜ IV.1 ").split(":")[1]
    statuses = await press(officer, tasks, "⬜ IV.1 ")
    await officer.press(statuses, f"p:{nonce}:s:zz", force=True)
    refused = await officer.wait_for_reply()
    assert refused.text == "Nút này không còn hiệu lực. Vui lòng gửi /start."
    answer = await next_answer(officer, f"p:{nonce}:t:I.1", statuses)  # a task button at the status step
    assert answer is not None
    assert "tin nhắn cũ" in answer
    assert await reports(runtime) == []
