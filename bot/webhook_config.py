"""Webhook mode's settings and what can go wrong starting it: checked before anything starts.

Kept apart from ``bot.webhook`` (the aiohttp server) so that long polling never imports aiohttp.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

HEALTH_PATH = "/healthz"
#: What Telegram accepts as secret_token.
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ListenError(Exception):
    """The server could not bind WEBHOOK_LISTEN:WEBHOOK_PORT (port in use, bad address)."""

    def __init__(self, listen: str, port: int, reason: str) -> None:
        super().__init__(f"{listen}:{port}: {reason}")
        self.listen, self.port, self.reason = listen, port, reason


class WebhookRefusedError(Exception):
    """Telegram answered setWebhook with an error (not https, unresolvable host, …)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram posts (url) and where we listen; the path we serve is the url's path."""

    url: str
    secret: str
    listen: str
    port: int
    allowed_updates: Sequence[str]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.path or "/") != HEALTH_PATH


def valid_secret(secret: str) -> bool:
    return bool(_SECRET_PATTERN.match(secret))
