"""``BotApiEmulator``: a loopback Telegram Bot API server for end-to-end tests."""

# ruff: noqa: ASYNC109  # test helpers take a plain `timeout=` on purpose
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Protocol, Self

from emulator.failures import FailureKind, PlannedFailure, RateLimiter
from emulator.methods_bot import scope_key
from emulator.models import ApiCall, Stats, StoredFile, WebhookDelivery
from emulator.server import ApiServer
from emulator.state import BotState, ChatState, Hub, UserProfile, random_token
from emulator.user import EmulatedGroup, EmulatedUser

DEFAULT_BOT_ID = 7000000001
DEFAULT_BOT_USERNAME = "greenbot_test_bot"


class _DatetimeClock(Protocol):
    def now(self) -> Any: ...


def _as_timestamp_clock(clock: Callable[[], float] | _DatetimeClock | None) -> Callable[[], float]:
    """Accept ``time.time``-like callables or objects with ``now() -> aware datetime``."""
    if clock is None:
        return time.time
    if callable(clock):
        return clock
    now = clock.now

    def timestamp() -> float:
        return float(now().timestamp())

    return timestamp


class BotApiEmulator:
    """Start with ``async with BotApiEmulator() as emu:``; point PTB at ``emu.base_url``."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] | _DatetimeClock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = "Greenbot Test",
        bot_id: int = DEFAULT_BOT_ID,
        long_poll_cap: float | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.hub = Hub(_as_timestamp_clock(clock), monotonic)
        self.server = ApiServer(self.hub, host=host, long_poll_cap=long_poll_cap)
        self.token = self.add_bot(bot_username, bot_first_name, bot_id)
        self._users: dict[tuple[str, int], EmulatedUser] = {}

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``; PTB wants ``base_url + "/bot"`` and ``+ "/file/bot"``."""
        return self.server.base_url

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.base_url}/file/bot"

    # ---- bots, users, groups -------------------------------------------------------------

    def add_bot(self, username: str, first_name: str = "Test Bot", bot_id: int | None = None) -> str:
        """Register another bot; returns its token."""
        bot_id = bot_id if bot_id is not None else DEFAULT_BOT_ID + len(self.hub.bots) + 1
        token = random_token(bot_id)
        profile = UserProfile(bot_id, first_name, username=username, is_bot=True)
        self.hub.bots[token] = BotState(token, profile)
        return token

    def bot(self, token: str | None = None) -> BotState:
        return self.hub.bots[token or self.token]

    @property
    def bot_user(self) -> UserProfile:
        return self.bot().profile

    def user(
        self,
        user_id: int,
        first_name: str = "An",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        *,
        started: bool = False,
        token: str | None = None,
    ) -> EmulatedUser:
        """The handle for a person. ``started=True`` lets the bot write first (as after /start).

        Calling again with the same id returns the same handle (the profile is updated).
        """
        bot = self.bot(token)
        profile = self.hub.users.get(user_id)
        if profile is None:
            profile = UserProfile(user_id, first_name, last_name, username, language_code)
            self.hub.users[user_id] = profile
        else:
            profile.first_name, profile.last_name = first_name, last_name
            profile.username, profile.language_code = username, language_code
        key = (bot.token, user_id)
        handle = self._users.get(key)
        if handle is None:
            chat = bot.chats.setdefault(user_id, ChatState(user_id, "private", user=profile))
            handle = EmulatedUser(self.hub, bot, profile, chat)
            self._users[key] = handle
        if started:
            handle.chat.started = True
        return handle

    def group(
        self, chat_id: int, title: str, *, supergroup: bool = False, token: str | None = None
    ) -> EmulatedGroup:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        bot = self.bot(token)
        kind = "supergroup" if supergroup else "group"
        chat = bot.chats.setdefault(chat_id, ChatState(chat_id, kind, title=title, started=True))
        return EmulatedGroup(self.hub, bot, chat)

    # ---- inspection -------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        return self.hub.calls

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[ApiCall]:
        return [c for c in self.hub.calls if c.method == method and (ok is None or c.ok == ok)]

    @property
    def stats(self) -> Stats:
        return self.hub.stats

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = "", *, token: str | None = None
    ) -> list[dict[str, str]]:
        return list(self.bot(token).commands.get((scope_key(scope), language_code), []))

    def menu_button(self, chat_id: int | None = None, *, token: str | None = None) -> dict[str, Any] | None:
        return self.bot(token).menu_buttons.get(chat_id)

    def webhook(self, *, token: str | None = None) -> dict[str, Any]:
        return dict(self.bot(token).webhook)

    async def wait_for_webhook(self, timeout: float = 5.0, *, token: str | None = None) -> dict[str, Any]:
        """Wait until the bot has set a webhook (from then on updates are POSTed to it); returns it."""
        bot = self.bot(token)
        if not await self.hub.changed.wait_for(lambda: bool(bot.webhook.get("url")), timeout):
            raise AssertionError(f"no webhook was set within {timeout}s")
        return dict(bot.webhook)

    def webhook_deliveries(self, *, token: str | None = None) -> list[WebhookDelivery]:
        """Every POST of an update to the webhook so far, with its answer."""
        return list(self.bot(token).webhook_deliveries)

    def pending_updates(self, *, token: str | None = None) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        return list(self.bot(token).updates)

    def waiting_polls(self, *, token: str | None = None) -> int:
        """How many getUpdates long polls the server is holding open right now."""
        return self.bot(token).waiting_polls

    async def wait_for_long_poll(self, timeout: float = 5.0, *, token: str | None = None) -> None:
        """Wait until the bot has a long poll open (it is idle, waiting for updates)."""
        bot = self.bot(token)
        if not await self.hub.changed.wait_for(lambda: bot.waiting_polls > 0, timeout):
            raise AssertionError(f"no getUpdates long poll was open within {timeout}s")

    def file(self, file_id: str) -> StoredFile:
        return self.hub.files[file_id]

    async def wait_all_fetched(self, timeout: float = 5.0, *, token: str | None = None) -> None:
        """Wait until the bot confirmed every update produced so far."""
        bot = self.bot(token)
        if not await self.hub.changed.wait_for(lambda: not bot.updates, timeout):
            raise AssertionError(f"bot still has {len(bot.updates)} unconfirmed update(s) after {timeout}s")

    # ---- failure injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str | Iterable[str],
        count: int = 1,
        kind: FailureKind = "429",
        *,
        retry_after: float = 1,
        delay: float = 0.5,
        error_code: int = 400,
        description: str = "Bad Request: injected failure",
    ) -> PlannedFailure:
        """The next ``count`` calls of ``method`` fail: ``"429"`` (with ``retry_after``),
        ``"500"``, ``"error"`` (``error_code``/``description``), or ``"slow"`` (answer normally
        after ``delay`` seconds; a stopping emulator cuts the delay short)."""
        return self.hub.failures.add(
            method,
            count,
            kind,
            retry_after=retry_after,
            delay=delay,
            error_code=error_code,
            description=description,
        )

    async def wait_until_used(self, plan: PlannedFailure, timeout: float = 5.0) -> None:
        """Wait until every planned failure of ``plan`` was taken by a call (a "slow" one is then under way)."""
        if not await self.hub.changed.wait_for(lambda: plan.remaining == 0, timeout):
            raise AssertionError(f"{plan.remaining} planned failure(s) still unused after {timeout}s")

    def clear_failures(self) -> None:
        self.hub.failures.clear()

    def enforce_rate_limit(
        self,
        per_second: int | None = 30,
        per_chat_per_second: int | None = 1,
        *,
        retry_after: float | None = None,
    ) -> None:
        """Answer 429 to message calls beyond these rates (sliding one-second windows).

        ``retry_after=None`` reports the time until the window frees up.
        """
        self.hub.rate_limiter = RateLimiter(per_second, per_chat_per_second, retry_after, self.hub.monotonic)

    def disable_rate_limit(self) -> None:
        self.hub.rate_limiter = None
