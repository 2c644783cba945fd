"""Running a real python-telegram-bot ``Application`` against the emulator inside a test."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, ApplicationBuilder

from emulator.emulator import BotApiEmulator

if TYPE_CHECKING:
    from telegram.ext._applicationbuilder import InitApplicationBuilder

DEFAULT_POLL_TIMEOUT = 1.0


def application_builder(emu: BotApiEmulator, token: str | None = None) -> InitApplicationBuilder:
    """An ``ApplicationBuilder`` with the token and URLs of the emulator already set."""
    return (
        ApplicationBuilder()
        .token(token or emu.token)
        .base_url(emu.api_base_url)
        .base_file_url(emu.file_base_url)
    )


@asynccontextmanager
async def running_application(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: float = DEFAULT_POLL_TIMEOUT
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialize, run post_init, start and long-poll like ``run_polling`` would, without blocking or signals.

    Stopping is quick: PTB cancels the in-flight long poll, then confirms what it fetched.
    """
    async with app:
        if app.post_init is not None:  # run_polling calls it after initialize(); so do we
            await app.post_init(app)
        await app.start()
        updater = app.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await updater.start_polling(poll_interval=0, timeout=dt.timedelta(seconds=poll_timeout))
        try:
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    if app.post_shutdown is not None:  # run_polling calls it after shutdown()
        await app.post_shutdown(app)
