"""``handlers.outbox.send_parts`` over the loopback emulator: the in-flight mark a take-over relies on.

Before each call the sender is told which part is on its way; after an answer proving the part did
not arrive (500, 429) it is told ``None``; after a read timeout, which may come after Telegram took
the part, it is told nothing, so a process dying there leaves the mark for the take-over.
"""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from emulator.emulator import BotApiEmulator
from handlers.outbox import Ending, send_parts, text_parts

pytestmark = pytest.mark.e2e

CHAT_ID = 840_001


def _bot(emulator: BotApiEmulator, read_timeout: float = 5.0) -> Bot:
    return Bot(emulator.token, base_url=emulator.api_base_url, request=HTTPXRequest(read_timeout=read_timeout))


async def test_the_mark_follows_each_call_and_is_lifted_after_a_refusal(emulator: BotApiEmulator) -> None:
    user = emulator.user(CHAT_ID, "Lan", started=True)
    marks: list[int | None] = []

    async def in_flight(part: int | None) -> None:
        marks.append(part)

    emulator.fail_next("sendMessage", 1, "slow", delay=0)  # part 0 straight through
    emulator.fail_next("sendMessage", 1, "500")
    emulator.fail_next("sendMessage", 1, "429", retry_after=0.01)
    async with _bot(emulator) as bot:
        delivery = await send_parts(
            bot, CHAT_ID, text_parts(["một", "hai", "ba"]), max_attempts=3, retry_seconds=0.01, in_flight=in_flight
        )
    assert (delivery.ending, delivery.parts_sent) == (Ending.SENT, 3)
    assert marks == [0, 1, None, 1, None, 1, 2]
    assert [m.text for m in user.messages] == ["một", "hai", "ba"]  # each part once


async def test_a_read_timeout_leaves_the_mark_and_is_not_resent(emulator: BotApiEmulator) -> None:
    user = emulator.user(CHAT_ID, "Lan", started=True)
    marks: list[int | None] = []

    async def in_flight(part: int | None) -> None:
        marks.append(part)

    emulator.fail_next("sendMessage", 1, "slow", delay=0.6)
    async with _bot(emulator, read_timeout=0.2) as bot:
        delivery = await send_parts(bot, CHAT_ID, text_parts(["một", "hai"]), in_flight=in_flight)
        assert (delivery.ending, delivery.parts_sent) == (Ending.UNCONFIRMED, 1)
        assert marks == [0]
        # Telegram finishes the slow request: the part arrives once, and nothing else was sent.
        await user.wait_until(lambda: len(user.messages) == 1, what="the slow part")
    assert [m.text for m in user.messages] == ["một"]
    assert len(emulator.calls_to("sendMessage")) == 1
