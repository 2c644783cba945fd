"""Start-up refuses to run half-configured: no catalogs, no plan, no answers in raw English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.config import Settings
from bot.i18n import CatalogMissingError
from bot.plan.loader import PlanError
from bot.runtime import build_runtime


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_missing_vietnamese_catalog_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(CatalogMissingError, match=r"scripts/i18n\.sh compile"):
        build_runtime(_settings(tmp_path, locales_dir=tmp_path / "no-locales"))


def test_broken_plan_file_stops_start_up(tmp_path: Path, compiled_locales: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: {}\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"plan\.yaml"):
        build_runtime(_settings(tmp_path, locales_dir=compiled_locales, plan_file=plan))


def test_runtime_speaks_vietnamese_by_default(tmp_path: Path, compiled_locales: Path) -> None:
    runtime = build_runtime(_settings(tmp_path, locales_dir=compiled_locales))
    translator = runtime.catalogs.translator(runtime.settings.default_locale)
    assert translator.gettext("Help") == "Trợ giúp"
    assert runtime.registry.planning_office(dt.date(2026, 1, 1)) == "STC"
