"""`greenbot demo`: one reporting year of the Kon Tum plan, offline, told as the chats people would read.

No token and no network: the real bot (our Application, handlers, services, a temporary SQLite database)
long-polls an embedded Bot API emulator on 127.0.0.1 while a simulated clock walks through 2015. Every day
at 08:30 the reminder and digest rounds run, exactly as the scheduled jobs would; in between three people act:

* Phạm Văn Hùng, the planning office's admin (Sở Kế hoạch và Đầu tư in 2015), closes 2013 and 2014, files
  his office's overdue task report and invites two departments on 5 January;
* Lê Văn Cường of Sở Xây dựng enters indicators 1-4 on 20 November (one wrong input on the way) and
  corrects indicator 1 on 2 December (version 2);
* Trần Thị Hoa of Thành phố Kon Tum lets the deadline of 15 December pass: she is reminded, the planning
  office is told on the 16th and receives the compile with its files; she reports from the reminder's
  button on the 17th and the updated compile follows on the 18th.

The files of the last compile and the transcript are written to the output folder. The same run is the CI
smoke test (tests/cli/test_demo.py).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from telegram.ext import Application

from bot.app import build_application
from bot.clock import FakeClock
from bot.config import Settings
from bot.demo_transcript import Person, Transcript
from bot.i18n import N_, Translator
from bot.runtime import Runtime, build_runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.ptb import running_application
from handlers.reminder_delivery import run_round
from handlers.summary_delivery import run_digest_round
from storage.db import default_sqlite_url
from storage.migrate import upgrade_async

App = Application[Any, Any, Any, Any, Any, Any]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BOT_USERNAME = "greenbot_demo_bot"
ADMIN_ID, BUILDING_ID, CITY_ID = 900_001, 811_002, 811_001
FIRST_DAY, LAST_DAY = dt.date(2015, 1, 5), dt.date(2015, 12, 18)
ROUND_TIME, ACTION_TIME = dt.time(8, 30), dt.time(9, 0)
#: A person takes a minute to read and answer; the bot answers within that minute.
THINKING = dt.timedelta(minutes=1)
REPLY_TIMEOUT = 60.0  # seconds of real time for one answer; generous for a slow CI machine
TRANSCRIPT_NAME = "transcript.txt"

TITLE = N_("Greenbot demo: one reporting year (2015) of the Kon Tum green growth action plan, simulated offline")
SCENE_SETUP = N_(
    "5 January 2015: the planning office closes 2013 and 2014, files its own overdue report and invites two departments"
)
SCENE_JULY = N_("1 July: the first reminder of the year")
SCENE_MONTH_BEFORE = N_("From 13 November: a month before the deadline of 15 December, everyone is reminded")
SCENE_ENTRY = N_("20 November: Sở Xây dựng enters its indicators (one wrong input)")
SCENE_CORRECTION = N_("2 December: Sở Xây dựng corrects indicator 1")
SCENE_LATE = N_("16 December: Thành phố Kon Tum is late; the planning office is told and receives the compile")
SCENE_REPORT = N_("17 December: Thành phố Kon Tum reports from the reminder")
SCENE_UPDATE = N_("18 December: the planning office receives the updated compile")


class DemoError(RuntimeError):
    """The bot did not answer as the script expects (no answer in time, a missing button)."""


class DemoSettings(Settings):
    """The demo always plays the same year: the environment and .env are ignored, only arguments count."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_settings(base: Settings, emu: BotApiEmulator, database_url: str) -> Settings:
    """Default settings pointed at the emulator; only the caller's catalogs (LOCALES_DIR) are kept."""
    return DemoSettings(
        telegram_bot_token=SecretStr(emu.token),
        bot_username=BOT_USERNAME,
        telegram_base_url=emu.api_base_url,
        telegram_base_file_url=emu.file_base_url,
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID}),
        locales_dir=base.locales_dir,
        reminder_rounds=False,  # the demo runs every round itself, at the simulated time
        summary_rounds=False,
        reminder_chat_interval_seconds=0,
    )


@dataclass(frozen=True)
class DemoResult:
    transcript: str
    files: list[Path]  # the transcript first, then the compile's files


def local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, TZ).astimezone(dt.UTC)


def button_label(message: SentMessage, prefix: str) -> str:
    """The full label of the one button starting with ``prefix``."""
    found = [button.text for button in message.buttons if button.text.startswith(prefix)]
    if len(found) != 1:
        raise DemoError(f"expected one button {prefix!r} on {message.summary()}")
    return found[0]


def indicator_label(message: SentMessage, number: int) -> str:
    """The label of an indicator's button: a status mark, then "1. Tỷ lệ ..."."""
    for button in message.buttons:
        _mark, _, rest = button.text.partition(" ")
        if rest.startswith(f"{number}."):
            return button.text
    raise DemoError(f"no button for indicator {number} on {message.summary()}")


@dataclass
class Demo:
    """The year's script: what each person does, and what the bot answers, written down as it happens."""

    app: App
    runtime: Runtime
    clock: FakeClock
    emu: BotApiEmulator
    translator: Translator
    transcript: Transcript
    people: list[Person] = field(default_factory=list)
    compile_files: dict[str, bytes] = field(default_factory=dict)

    def person(self, user_id: int, name: str) -> Person:
        found = Person(self.emu.user(user_id, name, language_code="vi"), name)
        self.people.append(found)
        return found

    def scene(self, msgid: str) -> None:
        self.transcript.heading(self.translator.gettext(msgid))

    async def _answer(self, person: Person) -> SentMessage:
        """Wait for the bot's answer to ``person``; write down everything new; return the answer."""
        try:
            await person.user.wait_until(lambda: bool(self.transcript.unread(person)), REPLY_TIMEOUT, "an answer")
        except AssertionError as error:  # the emulator's timeout, with the chat so far
            raise DemoError(str(error)) from error
        answer = self.transcript.unread(person)[0]
        self.transcript.collect(self.people)
        return answer

    async def say(self, person: Person, text: str) -> SentMessage:
        self.clock.advance(THINKING)
        self.transcript.said(person, text)
        await person.user.send(text)
        return await self._answer(person)

    async def press(self, person: Person, message: SentMessage, prefix: str) -> SentMessage:
        """``person`` presses the button whose label starts with ``prefix``."""
        label = button_label(message, prefix)
        self.clock.advance(THINKING)
        self.transcript.pressed(person, label)
        await person.user.press(message, text=label)
        return await self._answer(person)

    async def send_file(self, person: Person, filename: str) -> SentMessage:
        self.clock.advance(THINKING)
        self.transcript.sent_file(person, filename)
        await person.user.send_document(filename=filename)
        return await self._answer(person)

    async def rounds(self) -> None:
        """The 08:30 reminder and digest rounds, as the scheduled jobs run them; keeps the compile's files."""
        await run_round(self.app.bot, self.runtime)
        await run_digest_round(self.app.bot, self.runtime)
        for message in self.transcript.collect(self.people):
            stored = message.document or message.photo
            if stored is not None and stored.filename:
                self.compile_files[stored.filename] = stored.data

    # ---- what the people do -------------------------------------------------------------------

    async def setup(self, admin: Person, building: Person, city: Person) -> None:
        await self.say(admin, "/start")
        for year in (2013, 2014):
            await self.say(admin, f"/khoa {year}")
        tasks = await self.say(admin, "/tiendo")  # I.3 for the 2015 plan was due on 31/07/2014
        status = await self.press(admin, tasks, "⬜ I.3 ")
        await self.press(admin, status, "Hoàn thành")
        evidence = await self.say(admin, "Kế hoạch phát triển KT-XH năm 2015 đã lồng ghép tăng trưởng xanh")
        review = await self.press(admin, evidence, "Bỏ qua")
        await self.press(admin, review, "Xác nhận")
        for person, code in ((building, "SXD"), (city, "TPKONTUM")):
            invitation = await self.say(admin, f"/moi {code}")
            _, _, link = invitation.content.partition("?start=")
            if not link:
                raise DemoError(f"no invitation link in {invitation.summary()}")
            prompt = await self.say(person, f"/start {link.split()[0]}")
            await self.press(person, prompt, "Đúng")

    async def enter_figures(self, building: Person) -> None:
        years = await self.say(building, "/nhap")
        indicators = await self.press(building, years, "2015")
        await self.press(building, indicators, indicator_label(indicators, 1))
        await self.say(building, "bốn mươi lăm phẩy năm")  # the wrong input: words, not digits
        await self.say(building, "45,5")
        await self.say(building, "Tổng hợp từ báo cáo của 10 huyện, thành phố")
        review = await self.send_file(building, "bao-cao-chi-tieu-1-2015.pdf")
        await self.press(building, review, "Xác nhận")
        review = await self.say(building, "/nhap 2015 2=50 3=40 4=12/30")  # the quick way for the others
        await self.press(building, review, "Xác nhận")

    async def correct(self, building: Person) -> None:
        review = await self.say(building, "/nhap 2015 1=47")
        await self.press(building, review, "Xác nhận")

    async def report_late(self, city: Person) -> None:
        """ "Nhập ngay" on the overdue reminder opens /tiendo for 2015; her part of the report is II.4."""
        overdue = [m for m in city.user.messages if m.buttons and "Đã quá hạn" in m.content]
        if not overdue:
            raise DemoError("no overdue reminder reached the city's officer")
        tasks = await self.press(city, overdue[-1], "Nhập ngay")
        status = await self.press(city, tasks, "⬜ II.4 ")
        await self.press(city, status, "Đang triển khai")
        evidence = await self.say(city, "Đã lồng ghép tăng trưởng xanh vào kế hoạch phát triển đô thị năm 2016")
        review = await self.press(city, evidence, "Bỏ qua")
        await self.press(city, review, "Xác nhận")


SCENES: dict[dt.date, str] = {
    dt.date(2015, 7, 1): SCENE_JULY,
    dt.date(2015, 11, 13): SCENE_MONTH_BEFORE,
    dt.date(2015, 11, 20): SCENE_ENTRY,
    dt.date(2015, 12, 2): SCENE_CORRECTION,
    dt.date(2015, 12, 16): SCENE_LATE,
    dt.date(2015, 12, 17): SCENE_REPORT,
    dt.date(2015, 12, 18): SCENE_UPDATE,
}


async def play(demo: Demo) -> None:
    """5 January to 18 December 2015, one day at a time: the rounds at 08:30, then the day's actions at 09:00."""
    admin = demo.person(ADMIN_ID, "Phạm Văn Hùng")
    building = demo.person(BUILDING_ID, "Lê Văn Cường")
    city = demo.person(CITY_ID, "Trần Thị Hoa")
    actions: dict[dt.date, Callable[[], Awaitable[None]]] = {
        dt.date(2015, 11, 20): lambda: demo.enter_figures(building),
        dt.date(2015, 12, 2): lambda: demo.correct(building),
        dt.date(2015, 12, 17): lambda: demo.report_late(city),
    }
    demo.scene(TITLE)
    demo.scene(SCENE_SETUP)
    demo.clock.current = local(FIRST_DAY, dt.time(8, 0))
    await demo.setup(admin, building, city)
    day = FIRST_DAY
    while day <= LAST_DAY:
        if day in SCENES:
            demo.scene(SCENES[day])
        demo.clock.current = local(day, ROUND_TIME)
        await demo.rounds()
        action = actions.get(day)
        if action is not None:
            demo.clock.current = local(day, ACTION_TIME)
            await action()
        day += dt.timedelta(days=1)


def write_outputs(out_dir: Path, transcript: str, files: dict[str, bytes]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / TRANSCRIPT_NAME]
    written[0].write_text(transcript, encoding="utf-8")
    for name, data in sorted(files.items()):
        path = out_dir / Path(name).name
        path.write_bytes(data)
        written.append(path)
    return written


async def run_demo(base: Settings, out_dir: Path) -> DemoResult:
    """Play the year against an emulator and a temporary database; write the transcript and the files.

    A run that fails still writes the transcript so far (then raises): the first thing to read in CI.
    """
    clock = FakeClock(local(FIRST_DAY, dt.time(8, 0)))
    with tempfile.TemporaryDirectory(prefix="greenbot-demo-") as scratch:
        database_url = default_sqlite_url(Path(scratch))
        await upgrade_async(database_url)
        async with BotApiEmulator(clock=clock, bot_username=BOT_USERNAME, bot_first_name="Greenbot") as emu:
            settings = demo_settings(base, emu, database_url)
            runtime = build_runtime(settings, clock=clock)
            app = build_application(runtime, emu.token)
            if app.job_queue is not None:  # every round runs from the script, at the simulated time
                for job in app.job_queue.jobs():
                    job.schedule_removal()
            translator = runtime.catalogs.translator(settings.default_locale)
            demo = Demo(app, runtime, clock, emu, translator, Transcript(clock, settings.tz))
            try:
                async with running_application(app):
                    await play(demo)
            finally:
                text = demo.transcript.render()
                written = write_outputs(out_dir, text, demo.compile_files)
    return DemoResult(text, written)
