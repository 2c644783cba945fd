"""Pytest fixtures; import them into a conftest: ``from emulator.fixtures import emulator``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio

from emulator.emulator import BotApiEmulator


def make_emulator_fixture(**options: Any) -> Callable[[], AsyncIterator[BotApiEmulator]]:
    """A fixture yielding a started emulator built with ``options`` (e.g. ``clock=...``)."""

    @pytest_asyncio.fixture
    async def _emulator() -> AsyncIterator[BotApiEmulator]:
        async with BotApiEmulator(**options) as emu:
            yield emu

    return _emulator


emulator = make_emulator_fixture()
