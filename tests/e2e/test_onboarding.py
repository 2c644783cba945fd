"""Invitations end to end: an admin creates a link, a new officer opens it and registers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.clock import FakeClock
from bot.runtime import Runtime
from bot.services.conversations import Flow
from emulator.emulator import BotApiEmulator
from storage.models import Invite
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.registration_steps import department_of, invite_row, invite_token, officer_row, register, token_in

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
ASK_NEW_LINK = "Vui lòng liên hệ cơ quan đầu mối (Sở Tài chính tỉnh Quảng Ngãi) để được cấp link mới."


async def _invite_count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Invite)) or 0)


async def test_invite_then_register(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/moi sxd")
    invitation = await admin.wait_for_reply()
    token = token_in(invitation)
    assert invitation.text == (
        "Link mời cho Sở Xây dựng (SXD):\n"
        f"https://t.me/greenbot_test_bot?start={token}\n\n"
        "Vui lòng chuyển link này cho cán bộ đầu mối của Sở Xây dựng. "
        "Link chỉ dùng được một lần và hết hạn lúc 09:00 09/03/2026."
    )

    lan = emulator.user(424242, "Lan", last_name="Nguyễn")
    await lan.send(f"/start {token}")
    prompt = await lan.wait_for_reply()
    assert prompt.text == "Anh/chị sẽ đăng ký làm cán bộ đầu mối của Sở Xây dựng. Họ và tên của anh/chị là Lan Nguyễn?"
    assert prompt.reply_markup is not None
    assert prompt.reply_markup.texts == [["Đúng", "Nhập tên khác"]]
    conversation = await runtime.conversations.get(lan.id, Flow.REGISTER)
    assert conversation is not None
    assert conversation.step == "confirm"
    assert prompt.callback_data == [f"r:{conversation.nonce}:ok", f"r:{conversation.nonce}:name"]
    invite = await invite_row(runtime.sessions, token)
    assert invite is not None
    assert invite.used_at is None
    assert await officer_row(runtime.sessions, lan.id) is None

    await lan.press(prompt, text="Đúng")
    await lan.wait_for_callback_answer()
    welcome = await lan.wait_for_reply()
    assert welcome.text is not None
    assert welcome.text.startswith("Đăng ký thành công: anh/chị là cán bộ đầu mối của Sở Xây dựng.")
    assert "Anh/chị báo cáo cho: Sở Xây dựng" in welcome.text
    assert welcome.reply_markup is not None
    assert ["Trợ giúp"] in welcome.reply_markup.texts

    officer = await officer_row(runtime.sessions, lan.id)
    assert officer is not None
    assert (officer.full_name, officer.active, officer.role) == ("Lan Nguyễn", True, "officer")
    department = await department_of(runtime.sessions, officer)
    assert department is not None
    assert department.code == "SXD"
    invite = await invite_row(runtime.sessions, token)
    assert invite is not None
    assert invite.used_by_officer_id == officer.id
    assert await runtime.conversations.get(lan.id, Flow.REGISTER) is None

    await lan.send("/start")
    menu = await lan.wait_for_reply()
    assert menu.text is not None
    assert "Anh/chị báo cáo cho: Sở Xây dựng" in menu.text

    await lan.press(prompt, text="Đúng")  # the old prompt again: stale, nothing happens
    assert (await lan.wait_for_callback_answer()).text == "Nút này không còn hiệu lực. Vui lòng mở lại link mời."

    await lan.send(f"/start {token}")  # the link again, now registered
    again = await lan.wait_for_reply()
    assert again.text == (
        "Anh/chị đã được đăng ký cho Sở Xây dựng, không cần dùng link mời này và không có gì thay đổi. "
        "Gửi /start để mở menu."
    )


async def test_typing_another_name(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    token = await invite_token(emulator.user(ADMIN_ID, "Hùng"))
    lan = emulator.user(424243, "Lan")
    await lan.send(f"/start {token}")
    prompt = await lan.wait_for_reply()
    await lan.press(prompt, text="Nhập tên khác")
    await lan.wait_for_callback_answer()
    assert (await lan.wait_for_reply()).text == "Vui lòng nhập họ và tên đầy đủ của anh/chị (ví dụ: Nguyễn Văn An)."
    conversation = await runtime.conversations.get(lan.id, Flow.REGISTER)
    assert conversation is not None
    assert conversation.step == "name"

    await lan.press(prompt, text="Đúng")  # a button of the previous question: refused
    assert (await lan.wait_for_callback_answer()).text == "Nút này không còn hiệu lực. Vui lòng mở lại link mời."

    await lan.send("Trần Thị Lan 2")
    assert (
        await lan.wait_for_reply()
    ).text == "Họ tên không được chứa chữ số. Vui lòng nhập lại, ví dụ: Nguyễn Văn An."
    await lan.send_sticker()
    assert (await lan.wait_for_reply()).text == "Vui lòng nhập họ và tên bằng chữ (không gửi nhãn dán, ảnh hay tệp)."
    await lan.send("Lan 🌸")
    rejected = await lan.wait_for_reply()
    assert rejected.text is not None
    assert rejected.text.startswith("Họ tên chỉ gồm chữ cái")
    assert await officer_row(runtime.sessions, lan.id) is None

    await lan.send("  Trần   Thị Lan ")
    confirm = await lan.wait_for_reply()
    assert confirm.text == (
        "Anh/chị sẽ đăng ký làm cán bộ đầu mối của Sở Xây dựng. Họ và tên của anh/chị là Trần Thị Lan?"
    )
    await lan.press(confirm, text="Đúng")
    await lan.wait_for_callback_answer()
    welcome = await lan.wait_for_reply()
    assert welcome.text is not None
    assert "Sở Xây dựng" in welcome.text
    officer = await officer_row(runtime.sessions, lan.id)
    assert officer is not None
    assert officer.full_name == "Trần Thị Lan"


async def test_telegram_name_that_is_no_name_is_asked_for(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime
) -> None:
    token = await invite_token(emulator.user(ADMIN_ID, "Hùng"), "SKHCN")
    person = emulator.user(424244, "🌟")
    await person.send(f"/start {token}")
    ask = await person.wait_for_reply()
    assert ask.text == (
        "Anh/chị sẽ đăng ký làm cán bộ đầu mối của Sở Khoa học và Công nghệ.\n"
        "Vui lòng nhập họ và tên đầy đủ của anh/chị (ví dụ: Nguyễn Văn An)."
    )
    await person.send("Y Bình")
    confirm = await person.wait_for_reply()
    await person.press(confirm, text="Đúng")
    await person.wait_for_callback_answer()
    await person.wait_for_reply()
    officer = await officer_row(runtime.sessions, person.id)
    assert officer is not None
    assert officer.full_name == "Y Bình"


async def test_expired_link(emulator: BotApiEmulator, bot_app: App, runtime: Runtime, clock: FakeClock) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    token = await invite_token(admin)
    late = await invite_token(admin)
    opened_in_time = emulator.user(424245, "Minh")
    await opened_in_time.send(f"/start {late}")
    prompt = await opened_in_time.wait_for_reply()

    clock.advance(dt.timedelta(days=8))
    lan = emulator.user(424242, "Lan")
    await lan.send(f"/start {token}")
    assert (await lan.wait_for_reply()).text == f"Link mời này đã hết hạn. {ASK_NEW_LINK}"
    await opened_in_time.press(prompt, text="Đúng")  # opened in time, confirmed too late
    assert (await opened_in_time.wait_for_reply()).text == f"Link mời này đã hết hạn. {ASK_NEW_LINK}"
    for user in (lan, opened_in_time):
        assert await officer_row(runtime.sessions, user.id) is None
        assert await runtime.conversations.get(user.id, Flow.REGISTER) is None


async def test_used_link(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    token = await invite_token(emulator.user(ADMIN_ID, "Hùng"))
    first, second = emulator.user(424242, "Lan"), emulator.user(424246, "Bình")
    await first.send(f"/start {token}")
    first_prompt = await first.wait_for_reply()
    await second.send(f"/start {token}")  # both opened it; the first to confirm wins
    second_prompt = await second.wait_for_reply()
    await first.press(first_prompt, text="Đúng")
    await first.wait_for_callback_answer()
    await first.wait_for_reply()
    await second.press(second_prompt, text="Đúng")
    await second.wait_for_callback_answer()
    used = (
        "Link mời này đã được sử dụng (mỗi link chỉ dùng được một lần). "
        "Vui lòng liên hệ cơ quan đầu mối (Sở Tài chính tỉnh Quảng Ngãi) để được cấp link mới."
    )
    assert (await second.wait_for_reply()).text == used
    await second.send(f"/start {token}")
    assert (await second.wait_for_reply()).text == used
    assert await officer_row(runtime.sessions, second.id) is None
    winner = await officer_row(runtime.sessions, first.id)
    invite = await invite_row(runtime.sessions, token)
    assert winner is not None
    assert invite is not None
    assert invite.used_by_officer_id == winner.id
    await second.send("/start")
    stranger = await second.wait_for_reply()
    assert stranger.text is not None
    assert "chưa được đăng ký" in stranger.text


async def test_unknown_link(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    lan = emulator.user(424242, "Lan")
    for token in ("khongcoma", "a" * 40):
        await lan.send(f"/start {token}")
        assert (await lan.wait_for_reply()).text == f"Link mời này không hợp lệ. {ASK_NEW_LINK}"
    assert await officer_row(runtime.sessions, lan.id) is None
    assert await runtime.conversations.get(lan.id, Flow.REGISTER) is None


async def test_admin_opening_a_link_changes_nothing(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    token = await invite_token(admin)
    await admin.send(f"/start {token}")
    assert (await admin.wait_for_reply()).text == (
        "Anh/chị đã được đăng ký cho Sở Tài chính, không cần dùng link mời này và không có gì thay đổi. "
        "Gửi /start để mở menu."
    )
    invite = await invite_row(runtime.sessions, token)
    assert invite is not None
    assert invite.used_at is None
    lan = emulator.user(424242, "Lan")  # still usable by the person it was meant for
    welcome = await register(lan, token)
    assert welcome.text is not None
    assert welcome.text.startswith("Đăng ký thành công")


async def test_invite_by_buttons(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/start")
    menu = await admin.wait_for_reply()
    await admin.press(menu, text="Mời cán bộ")
    await admin.wait_for_callback_answer()
    choose = await admin.wait_for_reply()
    assert choose.text == "Chọn đơn vị cần mời cán bộ đầu mối (hoặc gửi /moi kèm mã đơn vị):"
    labels = [button.text for button in choose.buttons]
    assert {"Sở Tài chính", "Sở XD", "Sở KHCN", "Sở NNMT", "Sở Công Thương", "Báo Kon Tum"} <= set(labels)
    data = choose.callback_data
    assert all(len(item.encode()) <= 64 and item.isascii() for item in data)
    assert {"a:inv:SXD", "a:inv:STC", "a:inv:SKHCN", "a:inv:SNNMT"} <= set(data)
    for gone in ("SKHDT", "STNMT", "STTTT", "SGTVT", "SNNPTNT", "TPKONTUM", "ALL_UNITS"):
        assert f"a:inv:{gone}" not in data

    await admin.press(choose, text="Sở XD")
    await admin.wait_for_callback_answer()
    link = await admin.wait_for_reply()
    token = token_in(link)
    assert link.text is not None
    assert link.text.startswith("Link mời cho Sở Xây dựng (SXD):")
    welcome = await register(emulator.user(424242, "Lan"), token)
    assert welcome.text is not None
    assert "Sở Xây dựng" in welcome.text

    await admin.send("/moi")  # the command without a code shows the same buttons
    assert (await admin.wait_for_reply()).callback_data == data


async def test_invite_for_a_merged_or_unknown_department(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime
) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/moi SKHDT")
    merged = await admin.wait_for_reply()
    assert merged.text == (
        "SKHDT (Sở Kế hoạch và Đầu tư) không còn tồn tại vào ngày 02/03/2026: nhiệm vụ đã chuyển sang "
        "STC (Sở Tài chính). Vui lòng tạo lời mời cho đơn vị đó."
    )
    await admin.send("/moi SGTVT")
    replaced = await admin.wait_for_reply()
    assert replaced.text is not None
    assert "SXD (Sở Xây dựng)" in replaced.text
    await admin.send("/moi XYZ")
    assert (await admin.wait_for_reply()).text == "Không có đơn vị nào mang mã XYZ."
    await admin.press(merged, callback_data="a:inv:STNMT", force=True)  # forged: merged away
    await admin.wait_for_callback_answer()
    forged = await admin.wait_for_reply()
    assert forged.text is not None
    assert "SNNMT (Sở Nông nghiệp và Môi trường)" in forged.text
    assert await _invite_count(runtime) == 0
