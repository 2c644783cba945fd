"""Telegram's side of a webhook: while one is set, pending updates are POSTed to it instead of held for getUpdates.

One delivery task per bot posts the oldest pending update, with the secret header when the bot set one.
A 2xx answer confirms it (as an offset would); anything else, or no answer, is retried after a short wait,
and the error shows in getWebhookInfo like Telegram's ``last_error_message``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from emulator.models import WebhookDelivery
from emulator.state import BotState, Hub

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Loopback targets may be plain http (the emulator has no certificates); anything else must be https.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: How long a bot may take to answer one delivery (ours answers after handling the update).
DELIVERY_TIMEOUT_SECONDS = 60.0
#: Wait before retrying a failed delivery (Telegram backs off longer; tests want it short).
RETRY_SECONDS = 0.2
#: How long an idle delivery task waits before re-checking; any new update wakes it at once.
IDLE_RECHECK_SECONDS = 60.0


def start_delivery(hub: Hub, bot: BotState) -> None:
    """Called by setWebhook: one task per bot, which ends by itself once the webhook is deleted."""
    task = bot.webhook_task
    if task is None or task.done():
        bot.webhook_task = asyncio.get_running_loop().create_task(_deliver_updates(hub, bot))
    bot.updates_signal.bump()


async def stop_deliveries(hub: Hub) -> None:
    """Called when the emulator stops: a delivery still waiting for the bot's answer is cut short."""
    tasks = [bot.webhook_task for bot in hub.bots.values() if bot.webhook_task is not None]
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for bot in hub.bots.values():
        bot.webhook_task = None


def _active(hub: Hub, bot: BotState) -> bool:
    return bool(bot.webhook.get("url")) and not hub.closing


async def _deliver_updates(hub: Hub, bot: BotState) -> None:
    timeout = aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while _active(hub, bot):
            await bot.updates_signal.wait_for(lambda: bool(bot.updates) or not _active(hub, bot), IDLE_RECHECK_SECONDS)
            if not _active(hub, bot) or not bot.updates:
                continue
            update = bot.updates[0]
            delivery = await _post(session, bot, update)
            bot.webhook_deliveries.append(delivery)
            if delivery.ok:
                bot.confirm(update["update_id"] + 1)
                bot.webhook.pop("last_error_message", None)
            else:
                bot.webhook["last_error_date"] = hub.now()
                bot.webhook["last_error_message"] = (
                    delivery.error or f"Wrong response from the webhook: {delivery.status}"
                )
            hub.changed.bump()
            if not delivery.ok:
                await hub.changed.wait_for(lambda: not _active(hub, bot), RETRY_SECONDS)


async def _post(session: aiohttp.ClientSession, bot: BotState, update: dict[str, Any]) -> WebhookDelivery:
    url = str(bot.webhook["url"])
    headers = {SECRET_HEADER: bot.webhook["secret_token"]} if bot.webhook.get("secret_token") else {}
    try:
        async with session.post(url, json=update, headers=headers) as response:
            await response.read()
            return WebhookDelivery(update["update_id"], url, response.status)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return WebhookDelivery(update["update_id"], url, None, f"Connection failed: {type(exc).__name__}")
