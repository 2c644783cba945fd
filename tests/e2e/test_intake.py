"""/nhap over real HTTP: direct percentage, ratio, two steps, bad input, correction, locked year, quick entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.runtime import Runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from storage.enums import ValueSource
from storage.models import AuditEvent, IndicatorValue
from tests.e2e.conftest import ADMIN_ID, register_officer

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
OFFICER_ID = 700_001


def button_starting(message: SentMessage, prefix: str) -> str:
    """The callback data of the one button whose label starts with ``prefix``."""
    found = [b.callback_data for b in message.buttons if b.text.startswith(prefix) and b.callback_data]
    assert len(found) == 1, f"{prefix!r} among {[b.text for b in message.buttons]}"
    return found[0]


async def press(user: EmulatedUser, message: SentMessage, label: str) -> SentMessage:
    await user.press(message, button_starting(message, label))
    return await user.wait_for_reply()


async def say(user: EmulatedUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.wait_for_reply()


async def next_answer(user: EmulatedUser, data: str, message: SentMessage) -> str | None:
    """Press (forged or not) and return the text of the answer to exactly that press."""
    seen = len(user.callback_answers)
    await user.press(message, data, force=True)
    await user.wait_until(lambda: len(user.callback_answers) > seen, what="the callback answer")
    return user.callback_answers[seen].text


async def values(runtime: Runtime) -> list[IndicatorValue]:
    async with runtime.sessions() as session:
        query = select(IndicatorValue).order_by(IndicatorValue.year, IndicatorValue.version)
        return list((await session.scalars(query)).all())


async def open_indicator(user: EmulatedUser, year_label: str, indicator: int) -> SentMessage:
    years = await say(user, "/nhap")
    assert years.text is not None
    assert "chọn năm báo cáo" in years.text
    indicators = await press(user, years, year_label)
    assert indicators.text is not None
    assert "Các chỉ tiêu của Sở Xây dựng" in indicators.text
    [data] = [b.callback_data for b in indicators.buttons if b.text[2:].startswith(f"{indicator}.")]
    assert data is not None
    await user.press(indicators, data)
    return await user.wait_for_reply()


@pytest.fixture
async def officer(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> EmulatedUser:
    await register_officer(runtime, OFFICER_ID, "Nguyễn Văn An", "SXD")
    return emulator.user(OFFICER_ID, "An")


async def test_direct_percentage_with_note_and_evidence(officer: EmulatedUser, runtime: Runtime) -> None:
    prompt = await open_indicator(officer, "2020 (năm đang mở)", 1)
    assert prompt.text is not None
    assert "Chỉ tiêu 1: Tỷ lệ các xã phường, thị trấn" in prompt.text
    assert "Vui lòng nhập tỷ lệ (%) năm 2020" in prompt.text

    note_prompt = await say(officer, " 45,5 % ")
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 45,5%.")
    assert "Thêm ghi chú" in note_prompt.text

    evidence_prompt = await say(officer, "Số liệu theo báo cáo của các huyện")
    assert evidence_prompt.text is not None
    assert "tệp minh chứng" in evidence_prompt.text
    await officer.send_document(filename="bao-cao-2020.pdf")
    review = await officer.wait_for_reply()
    assert review.text is not None
    assert "Đã nhận tệp: bao-cao-2020.pdf." in review.text
    assert "Vui lòng kiểm tra lại trước khi gửi. Năm báo cáo 2020:" in review.text
    assert "• Số liệu: 45,5%" in review.text
    assert "• Ghi chú: Số liệu theo báo cáo của các huyện" in review.text
    assert "• Tệp minh chứng: bao-cao-2020.pdf" in review.text
    assert [b.text for b in review.buttons] == ["Xác nhận", "Sửa", "Hủy"]
    assert await values(runtime) == []  # nothing before Xác nhận

    saved = await press(officer, review, "Xác nhận")
    assert saved.text is not None
    assert "Đã lưu. Số liệu năm 2020:" in saved.text
    assert "Chỉ tiêu 1: 45,5% (phiên bản 1, lúc 09:00 02/03/2026)" in saved.text  # Asia/Ho_Chi_Minh
    [stored] = await values(runtime)
    assert (stored.year, stored.value, stored.version, stored.source) == (2020, Decimal("45.5"), 1, ValueSource.CHAT)
    assert stored.note == "Số liệu theo báo cáo của các huyện"
    assert stored.evidence_file_name == "bao-cao-2020.pdf"
    assert stored.evidence_sender_telegram_id == OFFICER_ID
    assert stored.evidence_file_id


async def test_ratio_typed_and_in_two_steps(officer: EmulatedUser, runtime: Runtime) -> None:
    await open_indicator(officer, "2020", 2)
    note_prompt = await say(officer, "12 trên 30")
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 40% (12/30).")
    evidence = await press(officer, note_prompt, "Bỏ qua")
    review = await press(officer, evidence, "Bỏ qua")
    assert review.text is not None
    assert "• Số liệu: 40% (12/30)" in review.text
    await press(officer, review, "Xác nhận")

    prompt = await open_indicator(officer, "2020", 3)
    numerator = await press(officer, prompt, "Nhập tử số và mẫu số")
    assert numerator.text is not None
    assert "Bước 1/2: Số đô thị loại IV, loại V và làng nghề" in numerator.text
    denominator = await say(officer, "7")
    assert denominator.text is not None
    assert "Tử số: 7" in denominator.text
    assert "Bước 2/2: Tổng số đô thị loại IV" in denominator.text
    zero = await say(officer, "0")
    assert zero.text is not None
    assert zero.text.startswith("Mẫu số (số thứ hai) của tỷ số không thể bằng 0")
    assert "Tử số: 7" in zero.text  # asked again, numerator kept
    note_prompt = await say(officer, "21")
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 33,33% (7/21).")
    review = await press(officer, await press(officer, note_prompt, "Bỏ qua"), "Bỏ qua")
    await press(officer, review, "Xác nhận")
    stored = {v.value for v in await values(runtime)}
    assert stored == {Decimal("40.0000"), Decimal("33.3333")}
    two_step = next(v for v in await values(runtime) if v.value == Decimal("33.3333"))
    assert (two_step.numerator, two_step.denominator) == (Decimal(7), Decimal(21))


# Telegram cannot send an empty message; whitespace only is the nearest thing.
BAD_INPUTS: list[tuple[str, str]] = [
    ("   ", "chưa nhập số liệu"),
    ("bốn mươi lăm", "Đây không phải là số"),
    ("12 15", "nhiều hơn một số"),
    ("-5", "không nhận số âm"),
    ("150", "không thể lớn hơn 100%"),
    ("31/30", "tử số (31) không thể lớn hơn mẫu số (30)"),
    ("5/0", "không thể bằng 0"),
    ("45,12345", "chữ số thập phân"),
    ("4" * 201, "quá dài"),
    ("45😀", "Đây không phải là số"),
    ("4\u00075", "Đây không phải là số"),
]


async def test_every_bad_input_is_explained_and_asked_again(officer: EmulatedUser, runtime: Runtime) -> None:
    prompt = await open_indicator(officer, "2020", 1)
    question = "Vui lòng nhập tỷ lệ (%) năm 2020"
    assert prompt.text is not None
    assert question in prompt.text
    for text, expected in BAD_INPUTS:
        answer = await say(officer, text)
        assert answer.text is not None
        assert expected.lower() in answer.text.lower(), (text, answer.text)
        assert question in answer.text, text  # the same question again
        assert "Ví dụ" in answer.text or "ví dụ" in answer.text, text
    await officer.send_sticker()
    sticker = await officer.wait_for_reply()
    assert sticker.text is not None
    assert "không gửi nhãn dán" in sticker.text
    assert question in sticker.text
    await officer.send_photo()
    photo = await officer.wait_for_reply()
    assert photo.text is not None
    assert question in photo.text
    note_prompt = await say(officer, "45.5")  # a dot is a decimal separator too
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 45,5%.")
    long_note = await say(officer, "x" * 1001)
    assert long_note.text is not None
    assert "Ghi chú quá dài (1001 ký tự)" in long_note.text
    evidence = await say(officer, "Ghi chú hợp lệ")
    text_instead_of_file = await say(officer, "đây là chữ")
    assert text_instead_of_file.text is not None
    assert "Vui lòng gửi tệp tài liệu hoặc ảnh" in text_instead_of_file.text
    assert evidence.text is not None
    assert await values(runtime) == []  # nothing invalid (nor unconfirmed) was stored


async def test_edit_one_field_then_correction_makes_a_second_version(officer: EmulatedUser, runtime: Runtime) -> None:
    await open_indicator(officer, "2020", 4)
    note_prompt = await say(officer, "50")
    evidence = await say(officer, "Ghi chú đầu")
    review = await press(officer, evidence, "Bỏ qua")
    fields = await press(officer, review, "Sửa")
    assert fields.text == "Anh/chị muốn sửa nội dung nào?"
    value_prompt = await press(officer, fields, "Số liệu")
    review = await say(officer, "55,5")  # straight back to the review, note kept
    assert review.text is not None
    assert "• Số liệu: 55,5%" in review.text
    assert "• Ghi chú: Ghi chú đầu" in review.text
    await press(officer, review, "Xác nhận")
    assert note_prompt.text is not None
    assert value_prompt.text is not None

    prompt = await open_indicator(officer, "2020", 4)
    assert prompt.text is not None
    note_prompt = await say(officer, "60")
    review = await press(officer, await press(officer, note_prompt, "Bỏ qua"), "Bỏ qua")
    saved = await press(officer, review, "Xác nhận")
    assert saved.text is not None
    assert "phiên bản 2" in saved.text
    rows = await values(runtime)
    assert [(r.version, r.value) for r in rows] == [(1, Decimal("55.5")), (2, Decimal("60"))]
    assert rows[1].supersedes_id == rows[0].id
    async with runtime.sessions() as session:
        audit = (await session.scalars(select(AuditEvent).where(AuditEvent.entity == "indicator_value"))).all()
    assert [event.action for event in audit] == ["record", "correct"]
    assert audit[1].old_value is not None
    assert audit[1].old_value["value"] == "55.5000"


async def test_soft_check_asks_before_accepting_a_fall(officer: EmulatedUser, runtime: Runtime) -> None:
    await open_indicator(officer, "2019", 1)
    review = await press(officer, await press(officer, await say(officer, "80"), "Bỏ qua"), "Bỏ qua")
    await press(officer, review, "Xác nhận")
    await open_indicator(officer, "2020", 1)
    sure = await say(officer, "20")
    assert sure.text is not None
    assert "Anh/chị chắc chắn chứ?" in sure.text
    assert "năm 2019 là 80%, nay nhập 20%" in sure.text
    again = await press(officer, sure, "Không, nhập lại")
    assert again.text is not None
    assert "Vui lòng nhập tỷ lệ (%) năm 2020" in again.text
    sure = await say(officer, "78")
    assert sure.text is not None
    assert "lẽ ra không giảm" in sure.text
    kept = await press(officer, sure, "Đúng, giữ số này")
    assert kept.text is not None
    assert "Thêm ghi chú" in kept.text
    review = await press(officer, await press(officer, kept, "Bỏ qua"), "Bỏ qua")
    await press(officer, review, "Xác nhận")
    assert [v.value for v in await values(runtime)] == [Decimal(80), Decimal(78)]


async def test_locked_year_is_refused_and_names_the_contact(officer: EmulatedUser, runtime: Runtime) -> None:
    await runtime.periods.set_locked(2015, True, None)
    years = await say(officer, "/nhap")
    assert any(b.text == "🔒 2015" for b in years.buttons)
    refused = await press(officer, years, "🔒 2015")
    assert refused.text is not None
    assert "Năm 2015 đã khóa sổ" in refused.text
    assert "liên hệ cơ quan đầu mối (Sở Tài chính)" in refused.text
    quick = await say(officer, "/nhap 2015 1=45,5")
    assert quick.text is not None
    assert "Năm 2015 đã khóa sổ" in quick.text

    # A review screen opened before the year was locked cannot store anything afterwards.
    review = await say(officer, "/nhap 2016 1=45,5")
    await runtime.periods.set_locked(2016, True, None)
    too_late = await press(officer, review, "Xác nhận")
    assert too_late.text is not None
    assert "Năm 2016 đã khóa sổ" in too_late.text
    assert await values(runtime) == []


async def test_quick_entry_goes_to_the_review(officer: EmulatedUser, runtime: Runtime) -> None:
    review = await say(officer, "/nhap 2015 1=45,5 2=12/30")
    assert review.text is not None
    assert "Năm báo cáo 2015" in review.text
    assert "• Số liệu: 45,5%" in review.text
    assert "• Số liệu: 40% (12/30)" in review.text
    bad = await say(officer, "/nhap 2015 1=150")
    assert bad.text is not None
    assert "Chỉ tiêu 1" in bad.text
    assert "không thể lớn hơn 100" in bad.text
    foreign = await say(officer, "/nhap 2015 5=45")
    assert foreign.text is not None
    assert "Chỉ tiêu 5 không do đơn vị của anh/chị (Sở Xây dựng) báo cáo" in foreign.text
    review = await say(officer, "/nhap 2015 1=45,5 2=12/30")
    await press(officer, review, "Xác nhận")
    rows = await values(runtime)
    assert sorted((r.value, r.source) for r in rows) == [
        (Decimal("40"), ValueSource.QUICK),
        (Decimal("45.5"), ValueSource.QUICK),
    ]


async def test_forged_and_stale_buttons_change_nothing(
    officer: EmulatedUser, emulator: BotApiEmulator, runtime: Runtime
) -> None:
    indicators_message = await open_indicator(officer, "2020", 1)
    assert indicators_message.text is not None
    nonce = button_starting(indicators_message, "Nhập tử số").split(":")[1]
    # Another department's indicator (5 belongs to the Sở Khoa học và Công nghệ), with the right nonce.
    refusal = await next_answer(officer, f"n:{nonce}:i:5", indicators_message)
    assert refusal is not None
    assert "tin nhắn cũ" in refusal
    # A review screen of an earlier conversation: its nonce is no longer valid.
    review = await say(officer, "/nhap 2020 1=45")
    await say(officer, "/nhap 2020 1=46")  # a new conversation replaces it
    stale = await next_answer(officer, button_starting(review, "Xác nhận"), review)
    assert stale is not None
    assert "Vui lòng gửi /nhap để bắt đầu lại" in stale
    # A stranger pressing the officer's button gets the not-registered answer.
    stranger = emulator.user(424_242, "Lạ")
    await say(stranger, "/start")
    await stranger.press(review, button_starting(review, "Xác nhận"), force=True)
    refused = await stranger.wait_for_reply()
    assert refused.text is not None
    assert "chưa được đăng ký" in refused.text
    assert await values(runtime) == []


async def test_department_without_indicators_is_told_who_reports_them(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime
) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    answer = await say(admin, "/nhap")
    assert answer.text is not None
    assert "(Sở Tài chính) không chủ trì chỉ tiêu nào" in answer.text
    assert "5. Tỷ lệ các cơ sở sản xuất mới" in answer.text
    assert "Sở Khoa học và Công nghệ" in answer.text
    assert "6. Tỷ lệ các khu, cụm công nghiệp" in answer.text
    assert "Sở Nông nghiệp và Môi trường" in answer.text


async def test_idle_conversation_is_parked_and_resumed(
    officer: EmulatedUser, runtime: Runtime, bot_app: App, clock: Any
) -> None:
    from handlers.dialog import notify_idle

    await open_indicator(officer, "2020", 1)
    await say(officer, "45,5")
    clock.advance(dt.timedelta(minutes=31))
    assert await notify_idle(bot_app.bot, runtime) == 1
    notice = await officer.wait_for_reply()
    assert notice.text is not None
    assert "tạm dừng sau 30 phút" in notice.text
    assert "/nhap" in notice.text
    waiting = await say(officer, "ghi chú muộn")
    assert waiting.text is not None
    assert "không có câu hỏi nào đang chờ" in waiting.text
    offer = await say(officer, "/nhap")
    assert offer.text is not None
    assert "phần nhập chưa gửi của năm 2020 (chỉ tiêu 1: 45,5%)" in offer.text
    resumed = await press(officer, offer, "Tiếp tục")
    assert resumed.text is not None
    assert "Thêm ghi chú" in resumed.text
    review = await press(officer, await say(officer, "Ghi chú sau khi quay lại"), "Bỏ qua")
    await press(officer, review, "Xác nhận")
    [stored] = await values(runtime)
    assert stored.note == "Ghi chú sau khi quay lại"


async def test_cancel_leaves_nothing_behind(officer: EmulatedUser, runtime: Runtime) -> None:
    await open_indicator(officer, "2020", 1)
    cancelled = await say(officer, "/huy")
    assert cancelled.text is not None
    assert cancelled.text.startswith("Đã hủy")
    after = await say(officer, "45")
    assert after.text is not None
    assert "không có câu hỏi nào đang chờ" in after.text
    assert await values(runtime) == []
