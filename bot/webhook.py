"""Webhook mode: a small aiohttp server that feeds Telegram's POSTs to the Application, with /healthz beside it.

PTB's `run_webhook` serves only the update path, so this follows PTB's custom-webserver pattern instead:
the Application runs without its Updater, and each update is handed to it from our own request handler.
The answer (200) goes back only after the update was handled, so Telegram redelivers an update whose
process died half-way; the update processor keeps `concurrent_updates(False)` one-at-a-time as in polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application

from bot.webhook_config import HEALTH_PATH, ListenError, WebhookConfig, WebhookRefusedError
from storage.db import ping

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: A load balancer's probe must get an answer, not hang on a blackholed database host.
HEALTH_TIMEOUT_SECONDS = 3.0
#: After SIGTERM, updates in hand get this long to finish; the rest of the 10 s goes to stopping the Application.
DRAIN_SECONDS = 5.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_web_app(application: AnyApplication, *, path: str, secret: str, engine: AsyncEngine) -> web.Application:
    """The update path (POST, secret checked) and /healthz (GET, database reachability)."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook request without the right secret token from %s: refused", request.remote)
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook request with a body that is not an update: refused")
            return web.Response(status=400)
        await application.update_processor.process_update(update, application.process_update(update))
        return web.Response()

    async def health(request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(ping(engine), HEALTH_TIMEOUT_SECONDS)
        except Exception as exc:  # any failure (refused, timeout, bad file) is "unreachable" to a probe
            log.warning("health check: the database is unreachable (%s)", type(exc).__name__)
            return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    app = web.Application()
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, health)
    return app


async def serve_webhook(
    application: AnyApplication, config: WebhookConfig, engine: AsyncEngine, stop: asyncio.Event
) -> None:
    """Like `run_polling`'s life cycle (post_init, start, … post_shutdown), with our server in the middle.

    On `stop`: the server stops accepting, updates in hand finish (up to DRAIN_SECONDS), then the
    Application stops (job queue included) and the engine is disposed by post_shutdown.
    """
    try:
        async with application:  # initialize (getMe) … shutdown
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()  # the update fetcher and the job queue: reminder and digest rounds
            runner = web.AppRunner(
                build_web_app(application, path=config.path, secret=config.secret, engine=engine),
                access_log=None,
                shutdown_timeout=DRAIN_SECONDS,
            )
            await runner.setup()
            try:
                await _listen(runner, config)
                await _set_webhook(application, config)
                log.info("serving webhooks for %s on %s:%s", config.url, config.listen, config.port)
                await stop.wait()
                log.info("stopping: no new updates; finishing the ones in hand")
            finally:
                await runner.cleanup()
                if application.running:
                    await application.stop()
                    if application.post_stop is not None:
                        await application.post_stop(application)
    finally:
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _listen(runner: web.AppRunner, config: WebhookConfig) -> None:
    try:
        await web.TCPSite(runner, config.listen, config.port).start()
    except OSError as exc:
        raise ListenError(config.listen, config.port, exc.strerror or type(exc).__name__) from exc


async def _set_webhook(application: AnyApplication, config: WebhookConfig) -> None:
    """After the server listens, so the first delivery finds it; pending updates are kept."""
    try:
        await application.bot.set_webhook(
            config.url, secret_token=config.secret, allowed_updates=list(config.allowed_updates)
        )
    except BadRequest as exc:
        raise WebhookRefusedError(exc.message) from exc


def run_webhook(application: AnyApplication, config: WebhookConfig, engine: AsyncEngine) -> None:
    """Blocks until SIGTERM or SIGINT, then stops as `serve_webhook` describes."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        try:
            await serve_webhook(application, config, engine, stop)
        finally:
            for sig in _STOP_SIGNALS:
                with contextlib.suppress(ValueError, RuntimeError):
                    loop.remove_signal_handler(sig)

    asyncio.run(main())
