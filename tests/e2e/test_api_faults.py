"""A stretch of Bot API trouble during a conversation: 500s, 429s and timeouts delay answers, never lose them.

The whole /nhap flow runs over the loopback emulator while it fails on purpose: fetching updates
answers 500 twice and then times out (python-telegram-bot's polling loop tries again by itself and
the update is delivered again, since it was never confirmed); the bot's answers meet 500s and a 429
(``bot.rate_limiter.PatientRateLimiter`` and AIORateLimiter try again); one answer takes longer than
the bot waits, which is not retried (Telegram may already have it) and arrives once, late. The
officer sees every question exactly once, no apology, and the figure is stored once.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.runtime import Runtime
from emulator.emulator import BotApiEmulator
from emulator.user import EmulatedUser
from tests.e2e.test_intake import officer, press, say, values  # noqa: F401

pytestmark = pytest.mark.e2e

READ_TIMEOUT = 0.5  # seconds the bot waits for an answer (production: 5)
LONGER_THAN_THE_BOT_WAITS = 2.0  # a long poll's wait is READ_TIMEOUT plus its 1 s poll timeout
APOLOGY = "Hệ thống đang bận hoặc gặp sự cố"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"telegram_read_timeout_seconds": READ_TIMEOUT})


def _texts(user: EmulatedUser) -> list[str]:
    return [m.text or "" for m in user.messages]


async def test_a_stretch_of_bot_api_failures_delays_the_conversation_but_loses_nothing(
    officer: EmulatedUser,  # noqa: F811
    emulator: BotApiEmulator,
    runtime: Runtime,
) -> None:
    emulator.fail_next("getUpdates", 2, "500")
    emulator.fail_next("getUpdates", 1, "slow", delay=LONGER_THAN_THE_BOT_WAITS)
    years = await say(officer, "/nhap")
    assert "chọn năm báo cáo" in (years.text or "")

    emulator.fail_next("answerCallbackQuery", 1, "500")
    emulator.fail_next("sendMessage", 2, "500")
    emulator.fail_next("sendMessage", 1, "429", retry_after=0.01)
    indicators = await press(officer, years, "2020")
    assert "Các chỉ tiêu của Sở Xây dựng" in (indicators.text or "")

    slow = emulator.fail_next("sendMessage", 1, "slow", delay=LONGER_THAN_THE_BOT_WAITS)
    [data] = [b.callback_data for b in indicators.buttons if b.text[2:].startswith("1.")]
    assert data is not None
    await officer.press(indicators, data)
    await emulator.wait_until_used(slow)
    prompt = await officer.wait_for_reply(timeout=LONGER_THAN_THE_BOT_WAITS + 5)
    assert "Vui lòng nhập tỷ lệ (%) năm 2020" in (prompt.text or "")

    emulator.fail_next("sendMessage", 1, "500")
    note = await say(officer, "45,5")
    assert (note.text or "").startswith("Đã ghi vào bản nháp: 45,5%.")
    evidence = await press(officer, note, "Bỏ qua")
    review = await press(officer, evidence, "Bỏ qua")
    saved = await press(officer, review, "Xác nhận")
    assert "Đã lưu. Số liệu năm 2020:" in (saved.text or "")

    [stored] = await values(runtime)
    assert (stored.year, stored.value, stored.version) == (2020, Decimal("45.5"), 1)
    texts = _texts(officer)
    assert len(texts) == 7, texts  # the 7 answers of the flow, each once
    assert max(Counter(texts).values()) == 1, texts
    assert not any(APOLOGY in text for text in texts), texts
    failed = Counter(call.status for call in emulator.hub.calls if not call.ok)
    assert failed == Counter({500: 6, 429: 1}), failed  # every planned failure was met, and nothing else failed
    assert len(emulator.calls_to("answerCallbackQuery", ok=True)) == 5  # each press answered once in the end
