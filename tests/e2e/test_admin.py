"""The planning office's commands end to end: /canbo (deactivate, promote, demote), /khoa and /mokhoa."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.ext import Application

from bot.runtime import Runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from storage.models import Officer
from storage.repositories import audit, departments, officers
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.registration_steps import invite_token, officer_row, register

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
ADMINS_ONLY = "Chức năng này chỉ dành cho cơ quan đầu mối (quản trị viên)."
LAN, TAI, STRANGER = 424242, 424250, 555


async def _registered(
    emulator: BotApiEmulator, admin: EmulatedUser, user_id: int, name: str, code: str
) -> EmulatedUser:
    user = emulator.user(user_id, name)
    await register(user, await invite_token(admin, code))
    return user


async def _row(runtime: Runtime, telegram_user_id: int) -> Officer:
    officer = await officer_row(runtime.sessions, telegram_user_id)
    assert officer is not None
    return officer


async def _officers_list(admin: EmulatedUser) -> SentMessage:
    await admin.send("/canbo")
    return await admin.wait_for_reply()


async def _press(user: EmulatedUser, message: SentMessage, text: str) -> SentMessage:
    await user.press(message, text=text)
    await user.wait_for_callback_answer()
    return await user.wait_for_reply()


async def test_officer_list_and_deactivation(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    lan = await _registered(emulator, admin, LAN, "Lan", "SXD")
    listing = await _officers_list(admin)
    assert listing.text is not None
    lines = listing.text.split("\n")
    assert lines[0] == "Cán bộ đã đăng ký (2 đang hoạt động):"
    assert "🏢 Sở Tài chính (STC)" in lines
    assert "• Hùng: quản trị viên (ADMIN_IDS), tham gia 02/03/2026, hoạt động gần nhất 09:00 02/03/2026" in lines
    assert lines.index("🏢 Sở Xây dựng (SXD)") > lines.index("🏢 Sở Tài chính (STC)")
    assert "• Lan: cán bộ, tham gia 02/03/2026, hoạt động gần nhất 09:00 02/03/2026" in lines
    assert listing.reply_markup is not None
    assert listing.reply_markup.texts == [["Vô hiệu hóa Lan"]]  # nothing for oneself or for ADMIN_IDS admins
    lan_id = (await _row(runtime, LAN)).id
    assert listing.callback_data == [f"a:off:{lan_id}"]

    question = await _press(admin, listing, "Vô hiệu hóa Lan")
    assert question.text == (
        "Vô hiệu hóa Lan (Sở Xây dựng)? Người này sẽ không dùng được bot nữa cho đến khi được mời lại."
    )
    assert question.callback_data == [f"a:offok:{lan_id}", f"a:keep:{lan_id}"]
    assert (await _press(admin, question, "Giữ nguyên")).text == "Không có gì thay đổi."
    assert (await _row(runtime, LAN)).active

    done = await _press(admin, question, "Vô hiệu hóa")
    assert done.text == (
        "Đã vô hiệu hóa Lan (Sở Xây dựng). Nếu người này nhắn cho bot, họ sẽ được báo là chưa đăng ký."
    )
    officer = await _row(runtime, LAN)
    assert not officer.active
    async with runtime.sessions() as session:
        [event, *_] = await audit.list_events(session, entity="officer", entity_id=officer.id)
    assert (event.action, event.actor_officer_id) == ("deactivate", (await _row(runtime, ADMIN_ID)).id)

    await lan.send("/start")
    refused = await lan.wait_for_reply()
    assert refused.text is not None
    assert "chưa được đăng ký" in refused.text
    await lan.send("/nhap")
    refused = await lan.wait_for_reply()
    assert refused.text is not None
    assert "chưa được đăng ký" in refused.text

    again = await _press(admin, question, "Vô hiệu hóa")  # a second tap on the old confirmation
    assert again.text == "Lan đã bị vô hiệu hóa từ trước."
    listing = await _officers_list(admin)
    assert listing.text is not None
    assert "• Lan: đã vô hiệu hóa ngày 02/03/2026" in listing.text.split("\n")
    assert listing.reply_markup is None

    welcome = await register(lan, await invite_token(admin, "SKHCN"))  # invited again: the same row comes back
    assert welcome.text is not None
    assert welcome.text.startswith("Chào mừng anh/chị trở lại")
    back = await _row(runtime, LAN)
    assert (back.id, back.active) == (officer.id, True)


async def test_promotion_and_demotion(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    tai = await _registered(emulator, admin, TAI, "Tài", "STC")
    await _registered(emulator, admin, LAN, "Lan", "SXD")
    listing = await _officers_list(admin)
    assert listing.reply_markup is not None
    assert listing.reply_markup.texts == [["Cấp quyền quản trị Tài"], ["Vô hiệu hóa Tài"], ["Vô hiệu hóa Lan"]]

    promoted = await _press(admin, listing, "Cấp quyền quản trị Tài")
    assert promoted.text == "Đã cấp quyền quản trị cho Tài. Khi gửi /start, người này sẽ thấy menu quản trị."
    assert (await _row(runtime, TAI)).role == "admin"
    await tai.send("/start")
    menu = await tai.wait_for_reply()
    assert menu.text is not None
    assert "quyền quản trị viên" in menu.text
    await tai.send("/khoa 2014")  # a promoted admin may use the admin commands
    assert (await tai.wait_for_reply()).text is not None
    assert await runtime.periods.is_locked(2014)

    assert (await _press(admin, listing, "Cấp quyền quản trị Tài")).text == "Tài đã là quản trị viên."
    listing = await _officers_list(admin)
    assert listing.text is not None
    assert "• Tài: quản trị viên, tham gia" in listing.text
    demoted = await _press(admin, listing, "Thu hồi quyền quản trị Tài")
    assert demoted.text == "Đã thu hồi quyền quản trị của Tài; người này vẫn báo cáo cho Sở Tài chính."
    tai_row = await _row(runtime, TAI)
    assert (tai_row.role, tai_row.active) == ("officer", True)
    async with runtime.sessions() as session:
        actions = [e.action for e in await audit.list_events(session, entity="officer", entity_id=tai_row.id)]
    assert actions[:2] == ["demote", "promote"]

    lan_id = (await _row(runtime, LAN)).id  # forged: only planning-office staff can be promoted
    await admin.press(listing, callback_data=f"a:pro:{lan_id}", force=True)
    await admin.wait_for_callback_answer()
    refused = await admin.wait_for_reply()
    assert refused.text == "Chỉ cán bộ của cơ quan đầu mối (Sở Tài chính) mới được cấp quyền quản trị."
    assert (await _row(runtime, LAN)).role == "officer"


async def test_forged_admin_buttons_change_nothing(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    lan = await _registered(emulator, admin, LAN, "Lan", "SXD")
    tai = await _registered(emulator, admin, TAI, "Tài", "STC")
    admin_id, tai_id = (await _row(runtime, ADMIN_ID)).id, (await _row(runtime, TAI)).id
    listing = await _officers_list(admin)

    for data in (f"a:off:{admin_id}", f"a:offok:{tai_id}", f"a:pro:{tai_id}", "a:lock:2015", "a:inv:SXD"):
        await lan.press(listing.message_id, callback_data=data, force=True)
        assert (await lan.wait_for_callback_answer()).text == ADMINS_ONLY
    stranger = emulator.user(STRANGER, "Minh", started=True)
    await stranger.press(listing.message_id, callback_data=f"a:offok:{tai_id}", force=True)
    await stranger.wait_for_callback_answer()
    refusal = await stranger.wait_for_reply()
    assert refusal.text is not None
    assert "chưa được đăng ký" in refusal.text

    await admin.press(listing, callback_data=f"a:offok:{admin_id}", force=True)  # oneself
    await admin.wait_for_callback_answer()
    assert (await admin.wait_for_reply()).text == (
        "Anh/chị không thể tự vô hiệu hóa hoặc tự thay đổi quyền của chính mình."
    )
    for data in ("a:off:abc", "a:offok:-1", "a:off", "a:zap:1", f"a:off:{tai_id}:x", "a:lock:20155"):
        await admin.press(listing, callback_data=data, force=True)
        assert (await admin.wait_for_callback_answer()).text == "Nút này không còn hiệu lực. Vui lòng gửi /start."
    await admin.press(listing, callback_data="a:offok:987654", force=True)
    await admin.wait_for_callback_answer()
    assert (await admin.wait_for_reply()).text == "Không tìm thấy cán bộ này."

    await lan.send("/canbo")
    assert (await lan.wait_for_reply()).text == ADMINS_ONLY
    await tai.send("/start")  # barrier: every forged press has been handled
    await tai.wait_for_reply()
    assert [(await _row(runtime, user)).active for user in (ADMIN_ID, LAN, TAI)] == [True, True, True]
    assert (await _row(runtime, TAI)).role == "officer"
    assert not await runtime.periods.is_locked(2015)
    async with runtime.sessions() as session:
        events = await audit.list_events(session, entity="officer")
    assert {event.action for event in events} <= {"create", "ensure_admin"}


async def test_a_second_configured_admin_is_managed_in_admin_ids(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime
) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/start")
    await admin.wait_for_reply()
    async with runtime.sessions.begin() as session:  # as if a second id had been in ADMIN_IDS earlier
        other = await officers.ensure_admin(session, 900_002, "Mai", None, now=runtime.clock.now())
        other_id = other.id
    await admin.press(admin.messages[-1], callback_data=f"a:offok:{other_id}", force=True)
    await admin.wait_for_callback_answer()
    assert (await admin.wait_for_reply()).text == (
        "Mai là quản trị viên được khai báo trong ADMIN_IDS. Muốn thay đổi, vui lòng sửa ADMIN_IDS "
        "trong cấu hình của bot rồi khởi động lại bot."
    )
    assert (await _row(runtime, 900_002)).active


async def test_lock_and_unlock_a_year(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/khoa 2015")
    assert (await admin.wait_for_reply()).text == (
        "Đã khóa năm 2015: các đơn vị không thể nhập hoặc sửa số liệu năm này nữa."
    )
    assert await runtime.periods.is_locked(2015)
    await admin.send("/khoa 2015")
    assert (await admin.wait_for_reply()).text == "Năm 2015 đã được khóa từ trước."

    await admin.send("/khoa")
    years = await admin.wait_for_reply()
    assert years.text == "Chọn năm cần khóa (🔒 = đã khóa). Để mở khóa một năm, gửi /mokhoa."
    assert years.reply_markup is not None
    assert [b.text for b in years.buttons] == ["2013", "2014", "🔒 2015", "2016", "2017", "2018", "2019", "2020"]
    assert "a:lock:2016" in years.callback_data
    locked = await _press(admin, years, "2016")
    assert locked.text == "Đã khóa năm 2016: các đơn vị không thể nhập hoặc sửa số liệu năm này nữa."
    assert await runtime.periods.is_locked(2016)

    await admin.send("/mokhoa 2015")
    assert (await admin.wait_for_reply()).text == (
        "Đã mở khóa năm 2015: các đơn vị có thể nhập và sửa số liệu năm này trở lại."
    )
    assert not await runtime.periods.is_locked(2015)
    await admin.send("/mokhoa 2015")
    assert (await admin.wait_for_reply()).text == "Năm 2015 đang mở, không cần mở khóa."

    await admin.send("/mokhoa")
    unlock = await admin.wait_for_reply()
    assert unlock.text == "Chọn năm cần mở khóa (🔒 = đang khóa):"
    assert "a:unlock:2016" in unlock.callback_data
    assert (await _press(admin, unlock, "🔒 2016")).text == (
        "Đã mở khóa năm 2016: các đơn vị có thể nhập và sửa số liệu năm này trở lại."
    )
    assert not any(status.locked for status in await runtime.periods.year_statuses())
    async with runtime.sessions() as session:
        actions = [event.action for event in await audit.list_events(session, entity="period_lock")]
    assert sorted(actions) == ["lock", "lock", "unlock", "unlock"]


async def test_lock_arguments_are_checked(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    years = "2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020"
    for text in ("/khoa abc", "/khoa 2015 2016", "/khoa 15"):
        await admin.send(text)
        assert (await admin.wait_for_reply()).text == (
            f"Vui lòng ghi một năm bằng số, ví dụ: /khoa 2015. Các năm báo cáo: {years}."
        )
    await admin.send("/mokhoa năm")
    assert (await admin.wait_for_reply()).text == (
        f"Vui lòng ghi một năm bằng số, ví dụ: /mokhoa 2015. Các năm báo cáo: {years}."
    )
    for year in ("2030", "2012"):
        await admin.send(f"/khoa {year}")
        assert (await admin.wait_for_reply()).text == f"{year} không phải là năm báo cáo. Các năm báo cáo: {years}."
    await admin.press(admin.messages[-1], callback_data="a:lock:2030", force=True)  # forged year button
    await admin.wait_for_callback_answer()
    assert (await admin.wait_for_reply()).text == f"2030 không phải là năm báo cáo. Các năm báo cáo: {years}."
    assert [status for status in await runtime.periods.year_statuses() if status.locked] == []


async def test_officer_cannot_lock(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    lan = await _registered(emulator, admin, LAN, "Lan", "SXD")
    for command in ("/khoa 2015", "/mokhoa 2015", "/moi SXD", "/canbo"):
        await lan.send(command)
        assert (await lan.wait_for_reply()).text == ADMINS_ONLY
    assert not await runtime.periods.is_locked(2015)
    async with runtime.sessions() as session:
        assert await audit.list_events(session, entity="period_lock") == []


async def test_long_officer_list_is_split(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/start")
    await admin.wait_for_reply()
    async with runtime.sessions.begin() as session:
        for index, code in enumerate(("SXD", "SKHCN", "SNNMT")):
            department = await departments.get_by_code(session, code)
            assert department is not None
            for number in range(40):
                await officers.create_officer(
                    session,
                    telegram_user_id=600_000 + index * 1000 + number,
                    full_name=f"Nguyễn Thị Phương Thảo Hoàng Anh {code} {chr(65 + number % 26)}",
                    department_id=department.id,
                    now=runtime.clock.now(),
                )
    await admin.send("/canbo")
    await admin.send("/trogiup")  # barrier: the list is complete once the help arrives
    await admin.wait_until(lambda: any("/trogiup" in (m.text or "") for m in admin.unread), what="the help text")
    pages = [message for message in admin.unread if "/trogiup" not in (message.text or "")]
    assert len(pages) > 1
    assert all(len(page.text or "") <= 4096 and len(page.buttons) <= 100 for page in pages)
    text = "\n".join(page.text or "" for page in pages)
    assert text.count("• ") == 121
    assert sum(len(page.buttons) for page in pages) == 120
    assert "🏢 Sở Xây dựng (SXD) (tiếp)" in text or "🏢 Sở Khoa học và Công nghệ (SKHCN) (tiếp)" in text
