"""Builds the python-telegram-bot Application: the one place where everything is wired."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest, Forbidden
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.commands import CommandSpec, admin_commands, officer_commands
from handlers.common import RUNTIME_KEY
from handlers.dialog import notify_idle, park_idle_job
from handlers.routing import register_handlers

log = logging.getLogger(__name__)

SUPPORTED_MENU_LOCALES = ("vi", "en")
#: How often idle conversations are looked for; the idle timeout itself is a setting.
IDLE_SWEEP_SECONDS = 60


def build_application(runtime: Runtime, token: str) -> Application:  # type: ignore[type-arg]
    """Application with Vietnamese time zone defaults, rate limiting and our handlers."""
    settings = runtime.settings
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(Defaults(tzinfo=settings.tz))
        .rate_limiter(AIORateLimiter(max_retries=settings.rate_limit_max_retries))
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
    return application


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
