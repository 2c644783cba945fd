"""Builds the python-telegram-bot Application: the one place where everything is wired."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.i18n import Translator
from bot.rate_limiter import PatientRateLimiter
from bot.runtime import Runtime
from handlers.commands import CommandSpec, admin_commands, officer_commands
from handlers.common import RUNTIME_KEY
from handlers.dialog import notify_idle, park_idle_job
from handlers.reminder_delivery import reminder_round_job
from handlers.routing import register_handlers
from handlers.summary_delivery import digest_round_job

log = logging.getLogger(__name__)

SUPPORTED_MENU_LOCALES = ("vi", "en")
#: How often idle conversations are looked for; the idle timeout itself is a setting.
IDLE_SWEEP_SECONDS = 60
#: The catch-up round waits for post_init (plan sync) to finish first.
STARTUP_ROUND_DELAY_SECONDS = 1


def build_application(runtime: Runtime, token: str) -> Application:  # type: ignore[type-arg]
    """Application with Vietnamese time zone defaults, rate limiting and our handlers."""
    settings = runtime.settings
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .read_timeout(settings.telegram_read_timeout_seconds)
        .get_updates_read_timeout(settings.telegram_read_timeout_seconds)
        .defaults(Defaults(tzinfo=settings.tz))
        .rate_limiter(
            # One message every 1/N s, no bursts: a burst of 30 plus 30/s draws 429s whose pause then
            # releases the queue at once again (bench/fanout: 1.22× the floor with bursts, 1.06× without).
            # On top of that, answers to people are retried through a stretch of 5xx and connection failures.
            PatientRateLimiter(
                attempts=settings.reply_max_attempts,
                retry_seconds=settings.reply_retry_seconds,
                overall_max_rate=1,
                overall_time_period=1 / settings.rate_limit_messages_per_second,
                max_retries=settings.rate_limit_max_retries,
            )
        )
        .concurrent_updates(False)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[RUNTIME_KEY] = runtime
    register_handlers(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            park_idle_job, interval=IDLE_SWEEP_SECONDS, first=IDLE_SWEEP_SECONDS, name="park-idle-conversations"
        )
        schedule_reminder_rounds(application, runtime)
        schedule_digest_rounds(application, runtime)
    return application


def schedule_reminder_rounds(application: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    """The database decides what is due; the jobs only decide when to look.

    A round right after start-up is the catch-up pass; one at the configured send time makes
    08:00 reminders go out at 08:00; the repeating one picks up snoozes and late joiners.
    """
    job_queue = application.job_queue
    settings = runtime.settings
    if job_queue is None or not settings.reminder_rounds:
        return
    send_time = settings.reminder_time.replace(tzinfo=settings.tz)
    # No misfire limit: a slow start-up (plan sync, a busy database) must delay the catch-up, not drop it.
    job_queue.run_once(
        reminder_round_job,
        when=STARTUP_ROUND_DELAY_SECONDS,
        name="reminders-catch-up",
        job_kwargs={"misfire_grace_time": None},
    )
    job_queue.run_daily(reminder_round_job, time=send_time, name="reminders-daily")
    interval = settings.reminder_round_minutes * 60
    job_queue.run_repeating(reminder_round_job, interval=interval, first=interval, name="reminders-sweep")


def schedule_digest_rounds(application: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    """Same pattern as the reminders: the digest send log decides what is due, the jobs when to look."""
    job_queue = application.job_queue
    settings = runtime.settings
    if job_queue is None or not settings.summary_rounds:
        return
    job_queue.run_once(
        digest_round_job,
        when=STARTUP_ROUND_DELAY_SECONDS,
        name="digests-catch-up",
        job_kwargs={"misfire_grace_time": None},
    )
    job_queue.run_daily(digest_round_job, time=settings.summary_time.replace(tzinfo=settings.tz), name="digests-daily")
    interval = settings.reminder_round_minutes * 60
    job_queue.run_repeating(digest_round_job, interval=interval, first=interval, name="digests-sweep")


def _bot_commands(specs: list[CommandSpec], translator: Translator) -> list[BotCommand]:
    return [BotCommand(spec.command.value, translator.gettext(spec.description)) for spec in specs]


async def _set_command_menus(application: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    """Vietnamese menu by default, English for English-language clients, a longer one for admins."""
    default = runtime.catalogs.translator(runtime.settings.default_locale)
    await application.bot.set_my_commands(_bot_commands(officer_commands(), default), scope=BotCommandScopeDefault())
    for locale in SUPPORTED_MENU_LOCALES:
        translator = runtime.catalogs.translator(locale)
        await application.bot.set_my_commands(
            _bot_commands(officer_commands(), translator), scope=BotCommandScopeDefault(), language_code=locale
        )
    for admin_id in sorted(runtime.settings.admin_ids):
        try:
            await application.bot.set_my_commands(
                _bot_commands(admin_commands(), default), scope=BotCommandScopeChat(admin_id)
            )
        except (BadRequest, Forbidden):
            log.info("admin %s has not opened a chat with the bot yet; menu set on first /start", admin_id)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    report = await runtime.sync_plan()
    log.info("plan %s loaded: %s", runtime.plan.plan.plan.code, report)
    await _set_command_menus(application, runtime)
    # Conversations that went idle while the bot was down are parked (and their owners told) now.
    await notify_idle(application.bot, runtime)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    await runtime.engine.dispose()
