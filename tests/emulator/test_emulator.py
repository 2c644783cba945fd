"""The Bot API emulator, driven by a real python-telegram-bot over loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from emulator import BotApiEmulator, EmulatedUser, make_png
from emulator.ptb import application_builder, running_application

AnyApp = Application[Any, Any, Any, Any, Any, Any]
PRIVATE = filters.ChatType.PRIVATE


# ---- a tiny bot ------------------------------------------------------------------------------


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Đồng ý", callback_data="yes"),
                InlineKeyboardButton("Không", callback_data="no"),
            ]
        ]
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(f"Echo: {message.text}", reply_markup=keyboard(), do_quote=True)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text("start:" + ",".join(context.args or []))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Đã chọn {query.data}")
    await query.edit_message_text(f"Bạn chọn: {query.data}")


async def reverse_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    data = await (await message.document.get_file()).download_as_bytearray()
    await message.reply_document(bytes(data[::-1]), filename="reversed.bin", caption="đảo ngược")


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    kind = "photo" if message.photo else "sticker" if message.sticker else "other"
    await message.reply_text(f"Không hỗ trợ: {kind}")


def build_app(emu: BotApiEmulator, **builder_options: Any) -> AnyApp:
    builder = application_builder(emu)
    if "rate_limiter" in builder_options:
        builder = builder.rate_limiter(builder_options["rate_limiter"])
    app = builder.build()
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(PRIVATE & filters.Document.ALL, reverse_document))
    app.add_handler(MessageHandler(PRIVATE & (filters.PHOTO | filters.Sticker.ALL), unsupported))
    app.add_handler(CallbackQueryHandler(button))
    return app


@pytest.fixture
async def running(emulator: BotApiEmulator) -> AsyncIterator[AnyApp]:
    async with running_application(build_app(emulator)) as app:
        yield app


@pytest.fixture
def an(emulator: BotApiEmulator) -> EmulatedUser:
    return emulator.user(1001, "An", "Nguyễn", username="an_nguyen")


def direct_bot(emu: BotApiEmulator, token: str | None = None) -> Bot:
    return Bot(token or emu.token, base_url=emu.api_base_url, base_file_url=emu.file_base_url)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# ---- over a running Application --------------------------------------------------------------


async def test_get_me(emulator: BotApiEmulator) -> None:
    async with direct_bot(emulator) as bot:
        me = await bot.get_me()
    assert me.username == "greenbot_test_bot"
    assert me.id == emulator.bot_user.id
    assert me.is_bot


async def test_text_reply_keyboard_press_and_edit(
    emulator: BotApiEmulator, running: AnyApp, an: EmulatedUser
) -> None:
    sent = await an.send("Xin chào")
    reply = await an.wait_for_reply()
    assert reply.text == "Echo: Xin chào"
    assert reply.reply_to_message_id == sent.message_id
    assert reply.reply_markup is not None
    assert reply.reply_markup.kind == "inline"
    assert reply.reply_markup.texts == [["Đồng ý", "Không"]]
    assert reply.callback_data == ["yes", "no"]

    await an.press(reply, text="Đồng ý")
    answer = await an.wait_for_callback_answer()
    assert answer.text == "Đã chọn yes"
    assert not answer.show_alert
    edited = await an.wait_for_edit(reply)
    assert edited.text == "Bạn chọn: yes"
    assert edited.reply_markup is None  # editMessageText without markup drops the keyboard
    assert an.messages == [edited]
    assert edited.edit_count == 1
    assert [a.text for a in an.callback_answers] == ["Đã chọn yes"]
    assert len(emulator.calls_to("sendMessage", ok=True)) == 1


async def test_start_deep_link_gets_command_entity(running: AnyApp, an: EmulatedUser) -> None:
    update = await an.send("/start ma_moi_123")
    assert update.message is not None
    assert update.message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert (await an.wait_for_reply()).text == "start:ma_moi_123"


async def test_document_round_trip(emulator: BotApiEmulator, running: AnyApp, an: EmulatedUser) -> None:
    payload = "Báo cáo quý 1;123\n".encode() * 50
    await an.send_document(payload, filename="bao_cao.csv", mime_type="text/csv")
    reply = await an.wait_for_reply()
    assert reply.document is not None
    assert reply.document.data == payload[::-1]
    assert reply.document.filename == "reversed.bin"
    assert reply.caption == "đảo ngược"
    assert reply.raw["document"]["file_size"] == len(payload)
    assert emulator.calls_to("downloadFile", ok=True)

    async with direct_bot(emulator) as bot:  # the bot's own upload can be fetched back too
        file = await bot.get_file(reply.document.file_id)
        assert bytes(await file.download_as_bytearray()) == payload[::-1]
        again = await bot.send_document(an.id, reply.document.file_id)
        photo = await bot.send_photo(an.id, make_png(4, 3), caption="<i>biểu đồ</i>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Image_process_failed"):
            await bot.send_photo(an.id, b"not an image")
        with pytest.raises(BadRequest, match="Type of file mismatch"):
            await bot.send_photo(an.id, reply.document.file_id)
    assert again.document is not None
    assert again.document.file_id == reply.document.file_id
    assert (photo.photo[-1].width, photo.photo[-1].height, photo.caption) == (4, 3, "biểu đồ")
    shown = an.messages[-1]
    assert shown.photo is not None
    assert shown.photo.data == make_png(4, 3)
    upload = emulator.calls_to("sendPhoto")[0]
    assert upload.params["chat_id"] == an.id  # form fields are typed in the call log
    assert upload.params["photo"].startswith("<upload")


async def test_photo_and_sticker_from_user(running: AnyApp, an: EmulatedUser) -> None:
    await an.send_photo(caption="ảnh")
    await an.send_sticker()
    first, second = await an.wait_for_replies(2)
    assert (first.text, second.text) == ("Không hỗ trợ: photo", "Không hỗ trợ: sticker")


async def test_group_messages_are_ignored(
    emulator: BotApiEmulator, running: AnyApp, an: EmulatedUser
) -> None:
    group = emulator.group(-100200, "Sở TN&MT")
    await an.send_in(group, "chào nhóm")
    fetched = await an.send_in(group, "/start")
    await fetched.confirmed()  # the bot took it off the server
    await an.send("sau nhóm")  # updates are handled in order: this reply is the barrier
    assert (await an.wait_for_reply()).text == "Echo: sau nhóm"
    assert group.messages == []


# ---- direct API calls ---------------------------------------------------------------------------


async def test_long_poll_waits_then_confirms(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    async with direct_bot(emulator) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await emulator.wait_for_long_poll()
        await an.send("một")
        await an.send("hai")
        updates = await asyncio.wait_for(poll, 2)
        assert [u.message.text for u in updates if u.message] == ["một", "hai"]
        assert len(await bot.get_updates(limit=1)) == 1  # not confirmed yet
        assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert emulator.pending_updates() == []


async def test_callback_data_limit_counts_utf8_bytes(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    an.chat.started = True
    async with direct_bot(emulator) as bot:
        for data in ("đ" * 32, "ệ" * 21 + "a"):  # 64 bytes each
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data=data)]])
            await bot.send_message(an.id, "vừa đủ", reply_markup=markup)
        for data in ("đ" * 33, "ệ" * 22, "a" * 65):
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data=data)]])
            with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
                await bot.send_message(an.id, "quá dài", reply_markup=markup)
    assert len(an.messages) == 2


async def test_text_length_and_parse_rules(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    an.chat.started = True
    async with direct_bot(emulator) as bot:
        await bot.send_message(an.id, "ư" * 4096)
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(an.id, "ư" * 4097)
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(an.id, "   ")
        html = await bot.send_message(an.id, "<b>Hạn nộp</b> &lt;15/3&gt;", parse_mode=ParseMode.HTML)
        assert html.text == "Hạn nộp <15/3>"
        assert [(e.type, e.offset, e.length) for e in html.entities] == [("bold", 0, 7)]
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(an.id, "a < b <i>c", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text(
                "<b>Hạn nộp</b> &lt;15/3&gt;", an.id, html.message_id, parse_mode="HTML"
            )
        await bot.edit_message_text("Hạn nộp mới", an.id, html.message_id)
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", an.id, 999)
    assert [m.content[:7] for m in an.messages] == ["ưưưưưưư", "Hạn nộp"]
    assert an.messages[1].history[0]["text"] == "Hạn nộp <15/3>"


async def test_markup_edit_delete_and_reply_keyboard(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    await an.send("hi")
    async with direct_bot(emulator) as bot:
        reply_kb = ReplyKeyboardMarkup([["Có", "Không"]], one_time_keyboard=True)
        await bot.send_message(an.id, "Chọn", reply_markup=reply_kb)
        assert an.reply_keyboard is not None
        assert an.reply_keyboard.texts == [["Có", "Không"]]
        await bot.send_message(an.id, "Xong", reply_markup=ReplyKeyboardRemove())
        assert an.reply_keyboard is None
        message = await bot.send_message(an.id, "Menu", reply_markup=keyboard())
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_reply_markup(an.id, message.message_id, reply_markup=keyboard())
        await bot.edit_message_reply_markup(an.id, message.message_id, reply_markup=None)
        assert an.messages[-1].reply_markup is None
        assert await bot.delete_message(an.id, message.message_id)
        with pytest.raises(BadRequest, match="Message to delete not found"):
            await bot.delete_message(an.id, message.message_id)
        await bot.send_chat_action(an.id, "typing")
    assert an.messages[-1].deleted
    assert an.visible_messages[-1].text == "Xong"
    assert an.actions == ["typing"]
    with pytest.raises(AssertionError, match="no longer"):
        await an.press(message.message_id, "yes")
    update = await an.press(message.message_id, "forged:data", force=True)
    assert update.update["callback_query"]["data"] == "forged:data"


async def test_commands_menu_chat_and_webhook(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    await an.send("hi")
    commands = [BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")]
    async with direct_bot(emulator) as bot:
        assert await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats(), language_code="vi")
        assert await bot.set_my_commands([BotCommand("start", "Start")])
        got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="vi")
        assert [c.command for c in got] == ["start", "help"]
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Bad-Name", "x")])
        await bot.set_chat_menu_button(an.id, MenuButtonCommands())
        chat = await bot.get_chat(an.id)
        assert (chat.first_name, chat.last_name, chat.username) == ("An", "Nguyễn", "an_nguyen")
        assert await bot.set_webhook("https://example.invalid/hook")
        assert (await bot.get_webhook_info()).pending_update_count == 1
        with pytest.raises(Conflict):
            await bot.get_updates()
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()
        assert await bot.delete_my_commands()
    assert emulator.commands({"type": "all_private_chats"}, "vi") == [
        {"command": "start", "description": "Bắt đầu"},
        {"command": "help", "description": "Trợ giúp"},
    ]
    assert emulator.commands() == []
    assert emulator.menu_button(an.id) == {"type": "commands"}
    assert emulator.calls_to("setMyCommands")[0].params["language_code"] == "vi"


async def test_unreachable_users(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    async with direct_bot(emulator) as bot:
        with pytest.raises(Forbidden, match="initiate conversation"):
            await bot.send_message(an.id, "chưa /start")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(424242, "ai vậy")
        await an.send("/start")
        an.block()
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(an.id, "bị chặn")
        kinds = [next(k for k in u if k != "update_id") for u in emulator.pending_updates()]
        assert kinds == ["message", "my_chat_member"]


async def test_unknown_token_method_and_raw_bodies(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    stranger = direct_bot(emulator, "123456:ABCdefGhIJKlmnoPQRstuVWxyz0123456789")
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await stranger.initialize()  # getMe
    await stranger.shutdown()
    an.chat.started = True
    url = f"{emulator.api_base_url}{emulator.token}"
    async with httpx.AsyncClient() as client:
        missing = await client.post(f"{url}/fooBar")
        assert missing.status_code == 404
        assert missing.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        unauthorized = await client.get(f"{emulator.api_base_url}1:nope/getMe")
        assert unauthorized.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        as_json = await client.post(
            f"{url}/sendMessage", json={"chat_id": an.id, "text": "json", "reply_markup": markup}
        )
        as_form = await client.post(
            f"{url}/sendmessage",  # method names are case-insensitive
            data={
                "chat_id": str(an.id),
                "text": "form",
                "reply_markup": '{"inline_keyboard": [[{"text": "B", "callback_data": "b"}]]}',
            },
        )
        assert as_json.json()["ok"]
        assert as_form.json()["ok"]
        assert as_form.json()["result"]["message_id"] == as_json.json()["result"]["message_id"] + 1
    assert [m.callback_data for m in an.messages] == [["a"], ["b"]]


async def test_fake_clock_dates_and_second_bot() -> None:
    now = [1_750_000_000.0]
    async with BotApiEmulator(clock=lambda: now[0]) as emu:
        other_token = emu.add_bot("other_test_bot")
        user = emu.user(5, started=True)
        other_user = emu.user(5, token=other_token, started=True)
        async with direct_bot(emu) as bot, direct_bot(emu, other_token) as other:
            first = await bot.send_message(5, "một")
            now[0] += 3600
            second = await other.send_message(5, "hai")
            assert (await other.get_me()).username == "other_test_bot"
        assert first.date.timestamp() == 1_750_000_000
        assert second.date.timestamp() == 1_750_003_600
        assert [m.text for m in user.messages] == ["một"]
        assert [m.text for m in other_user.messages] == ["hai"]
        assert first.message_id == second.message_id == 1  # ids are per chat and per bot


async def test_wait_timeout_lists_what_arrived(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    an.chat.started = True
    async with direct_bot(emulator) as bot:
        await bot.send_message(an.id, "đã nhận")
        with pytest.raises(BadRequest):
            await bot.send_message(an.id, "<b>hỏng", parse_mode="HTML")
    with pytest.raises(AssertionError) as failure:
        await an.wait_for_replies(2, timeout=0.05)
    assert "'đã nhận'" in str(failure.value)
    assert "Can't find end tag" in str(failure.value)


# ---- failure injection -------------------------------------------------------------------------


async def test_injected_failures(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    an.chat.started = True
    emulator.fail_next("sendMessage", 1, "429", retry_after=0.25)
    emulator.fail_next("sendChatAction", 1, "slow", delay=0.2)
    async with direct_bot(emulator) as bot:
        emulator.fail_next(["getMe", "getChat"], 2, "500")
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(an.id, "lần 1")
        assert retry_after_seconds(flood.value) == 0.25
        await bot.send_message(an.id, "lần 2")
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_me()
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_chat(an.id)
        assert (await bot.get_me()).username == "greenbot_test_bot"
        loop = asyncio.get_running_loop()
        started = loop.time()
        await bot.send_chat_action(an.id, "typing")
        assert loop.time() - started >= 0.2
    assert [m.text for m in an.messages] == ["lần 2"]
    assert (emulator.stats.accepted, emulator.stats.rejected, emulator.stats.rate_limited) == (1, 1, 1)


async def test_ptb_rate_limiter_retries_after_429(emulator: BotApiEmulator, an: EmulatedUser) -> None:
    emulator.fail_next("sendMessage", 1, "429", retry_after=0.05)
    app = build_app(emulator, rate_limiter=AIORateLimiter(max_retries=2))
    async with running_application(app):
        await an.send("thử lại")
        assert (await an.wait_for_reply()).text == "Echo: thử lại"
    assert emulator.stats.rejected_by_method["sendMessage"] == 1
    assert emulator.stats.accepted_by_method["sendMessage"] == 1


async def test_rate_limit_mode_sliding_window() -> None:
    ticks = [100.0]
    async with BotApiEmulator(monotonic=lambda: ticks[0]) as emu:
        users = [emu.user(10 + i, started=True) for i in range(4)]
        emu.enforce_rate_limit(per_second=3, per_chat_per_second=1)
        async with direct_bot(emu) as bot:
            await bot.send_message(users[0].id, "1")
            with pytest.raises(RetryAfter) as per_chat:
                await bot.send_message(users[0].id, "2")
            assert retry_after_seconds(per_chat.value) == 1.0
            await bot.send_message(users[1].id, "3")
            ticks[0] += 0.5
            await bot.send_message(users[2].id, "4")
            with pytest.raises(RetryAfter) as overall:
                await bot.send_message(users[3].id, "5")
            assert retry_after_seconds(overall.value) == 0.5  # the first slot frees at t=101
            ticks[0] += 0.5
            await bot.send_message(users[3].id, "6")
            await bot.send_message(users[0].id, "7")
            emu.disable_rate_limit()
            await bot.send_message(users[0].id, "8")
    assert (emu.stats.accepted, emu.stats.rejected, emu.stats.rate_limited) == (6, 2, 2)
    assert [m.text for m in users[0].messages] == ["1", "7", "8"]


# ---- lifecycle ------------------------------------------------------------------------------------


async def test_shutdown_is_fast_and_leaves_no_tasks() -> None:
    loop = asyncio.get_running_loop()
    before = asyncio.all_tasks()
    emu = BotApiEmulator()
    await emu.start()
    user = emu.user(77)
    app = build_app(emu)
    async with running_application(app, poll_timeout=30):
        await user.send("một")
        await user.wait_for_reply()
        await emu.wait_for_long_poll()  # a 30 s long poll is now in flight
        started = loop.time()
    stopped_app = loop.time() - started
    # the emulator also answers a poll still waiting when it stops
    async with direct_bot(emu) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await emu.wait_for_long_poll()
        started = loop.time()
        await emu.stop()
        assert await asyncio.wait_for(poll, 2) == ()
    stopped_emulator = loop.time() - started
    assert stopped_app < 1.0
    assert stopped_emulator < 1.0
    assert emu.pending_updates() == []  # PTB confirmed what it fetched on the way out
    leftover = {t for t in asyncio.all_tasks() - before if t is not asyncio.current_task() and not t.done()}
    assert leftover == set()
