"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_LOCALES_DIR
from bot.i18n import compile_catalogs


@pytest.fixture(scope="session")
def compiled_locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogs compiled from the .po files of this checkout, so tests never see stale .mo files."""
    target = tmp_path_factory.mktemp("locales")
    compile_catalogs(DEFAULT_LOCALES_DIR, target)
    return target
