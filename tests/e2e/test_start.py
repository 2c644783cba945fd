"""First contact over real HTTP: a stranger, an admin, a group chat and the command menu."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.ext import Application

from emulator.emulator import BotApiEmulator
from tests.e2e.conftest import ADMIN_ID

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]


async def test_stranger_is_told_to_ask_for_an_invite(emulator: BotApiEmulator, bot_app: App) -> None:
    stranger = emulator.user(424242, "Lan", last_name="Nguyễn")
    await stranger.send("/start")
    reply = await stranger.wait_for_reply()
    assert reply.text is not None
    assert "Xin chào Lan Nguyễn" in reply.text
    assert "514/QĐ-UBND" in reply.text
    assert "chưa được đăng ký" in reply.text
    # In 2026 the planning-office role belongs to the Sở Tài chính (merged with the Sở KH&ĐT in 2025)
    # and Kon Tum is part of Quảng Ngãi province.
    assert "cơ quan đầu mối (Sở Tài chính tỉnh Quảng Ngãi)" in reply.text
    assert reply.reply_markup is None


async def test_admin_gets_the_admin_menu(emulator: BotApiEmulator, bot_app: App) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/start")
    reply = await admin.wait_for_reply()
    assert reply.text is not None
    assert "Xin chào Hùng" in reply.text
    assert "quyền quản trị viên" in reply.text
    assert reply.reply_markup is not None
    labels = [button.text for row in reply.reply_markup.rows for button in row]
    assert labels == [
        "Mời cán bộ",
        "Cán bộ đã đăng ký",
        "Khóa năm báo cáo",
        "Nhập số liệu",
        "Báo cáo tiến độ nhiệm vụ",
        "Hạn nộp của tôi",
        "Lịch sử báo cáo",
        "Trợ giúp",
    ]
    assert all(len((button.callback_data or "").encode()) <= 64 for row in reply.reply_markup.rows for button in row)

    await admin.press(reply, text="Trợ giúp")
    help_reply = await admin.wait_for_reply()
    assert help_reply.text is not None
    assert "/trogiup" in help_reply.text


async def test_forged_admin_button_from_a_stranger_reveals_nothing(emulator: BotApiEmulator, bot_app: App) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/start")
    menu = await admin.wait_for_reply()

    stranger = emulator.user(555, "Minh")
    await stranger.send("/start")
    await stranger.wait_for_reply()
    await stranger.press(menu.message_id, callback_data="m:canbo", force=True)
    assert (await stranger.wait_for_callback_answer()).text is None
    refusal = await stranger.wait_for_reply()
    assert refusal.text is not None
    assert "chưa được đăng ký" in refusal.text

    await stranger.press(menu.message_id, callback_data="m:../../etc", force=True)
    answer = await stranger.wait_for_callback_answer()  # answered, so no spinner hangs, and nothing else
    assert answer.text == "Nút này không còn hiệu lực. Vui lòng gửi /start."
    await stranger.send("/trogiup")  # barrier: the forged press must not have produced a message
    barrier = await stranger.wait_for_reply()
    assert barrier.text is not None
    assert "/start" in barrier.text


async def test_group_messages_are_ignored(emulator: BotApiEmulator, bot_app: App) -> None:
    group = emulator.group(-1001, "Nhóm thử")
    member = emulator.user(777, "Tú")
    await member.send_in(group, "/start")
    await member.send("/start")  # barrier: the private reply arrives, the group got nothing
    await member.wait_for_reply()
    assert [call for call in emulator.calls_to("sendMessage") if call.params.get("chat_id") == -1001] == []


async def test_command_menu_is_set_in_vietnamese(emulator: BotApiEmulator, bot_app: App) -> None:
    commands = emulator.commands()
    assert [command["command"] for command in commands] == [
        "start",
        "nhap",
        "tiendo",
        "hannop",
        "lichsu",
        "huy",
        "trogiup",
    ]
    assert commands[1]["description"] == "Nhập số liệu chỉ tiêu"
    assert commands[-1]["description"] == "Xem hướng dẫn sử dụng"
    english = emulator.commands(language_code="en")
    assert english[-1]["description"] == "Show help"
