"""Loading compiled catalogs: real translations, loud failures, locale fallback.

The catalogs are compiled from ``locales/*.po`` into a temporary directory once per session, so
the suite runs before ``bash scripts/i18n.sh compile``; the run-time loader itself never compiles.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot.i18n import (
    COMPILE_COMMAND,
    N_,
    CatalogMissingError,
    Catalogs,
    Translator,
    compile_catalogs,
    load_catalogs,
    normalize_locale,
)

REPO_LOCALES = Path(__file__).resolve().parents[2] / "locales"


@pytest.fixture(scope="session")
def compiled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_catalogs(REPO_LOCALES, tmp_path_factory.mktemp("locales"))


@pytest.fixture(scope="session")
def catalogs(compiled_dir: Path) -> Catalogs:
    return load_catalogs(compiled_dir)


@pytest.fixture
def vi(catalogs: Catalogs) -> Translator:
    return catalogs.translator("vi")


@pytest.fixture
def en(catalogs: Catalogs) -> Translator:
    return catalogs.translator("en")


def test_vietnamese_catalog_translates(vi: Translator) -> None:
    assert vi.gettext("Help") == "Trợ giúp"
    assert vi.gettext("Enter figures") == "Nhập số liệu"
    greeting = vi.gettext(
        "Hello {name}! This bot collects the reports of the green-growth action plan ({plan})."
    ).format(name="Lan", plan="514/QĐ-UBND")
    assert greeting.startswith("Xin chào Lan!")
    assert "514/QĐ-UBND" in greeting


def test_english_catalog_is_the_msgid(en: Translator) -> None:
    assert en.gettext("Help") == "Help"
    assert en.locale == Locale("en")
    assert en.code == "en"


def test_unknown_message_comes_back_unchanged(vi: Translator) -> None:
    assert vi.gettext("No such message, surely") == "No such message, surely"
    assert vi.pgettext("menu", "No such message, surely") == "No such message, surely"


def test_plural_and_context_lookups_fall_back_to_english(vi: Translator, en: Translator) -> None:
    assert en.ngettext("{n} day", "{n} days", 1) == "{n} day"
    assert en.ngettext("{n} day", "{n} days", 2) == "{n} days"
    assert vi.npgettext("deadline", "{n} day", "{n} days", 2) == "{n} days"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("vi", "vi"),
        ("en", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("EN", "en"),
        ("vi-VN", "vi"),
        ("fr", "vi"),
        ("pt-br", "vi"),
        ("", "vi"),
        (None, "vi"),
    ],
)
def test_translator_for_language_tags(catalogs: Catalogs, tag: str | None, expected: str) -> None:
    assert catalogs.translator(tag).code == expected


def test_catalogs_shape(catalogs: Catalogs) -> None:
    assert catalogs.default_locale == "vi"
    assert catalogs.locales == ("vi", "en")
    assert catalogs.translator().code == "vi"


def test_catalogs_are_immutable(catalogs: Catalogs) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogs.default_locale = "en"  # type: ignore[misc]
    with pytest.raises(TypeError):
        catalogs.translators["fr"] = catalogs.translator("vi")  # type: ignore[index]


def test_translator_formats_with_its_locale(vi: Translator, en: Translator) -> None:
    assert vi.percent(45.5) == "45,5%"
    assert en.percent(45.5) == "45.5%"
    assert vi.percent(Decimal("33.3333"), max_decimals=0) == "33%"
    assert vi.decimal(1234.5) == "1.234,5"
    assert en.decimal(1234.5) == "1,234.5"
    assert vi.date(dt.date(2025, 12, 31)) == "31/12/2025"
    assert vi.date_long(dt.date(2025, 12, 31)) == "ngày 31 tháng 12 năm 2025"
    assert en.date_long(dt.date(2025, 12, 31)) == "31 December 2025"
    assert vi.datetime(dt.datetime(2025, 12, 31, 1, 0, tzinfo=dt.UTC)) == "08:00 31/12/2025"
    assert vi.datetime(dt.datetime(2025, 12, 31, 1, 0, tzinfo=dt.UTC), tz="UTC") == "01:00 31/12/2025"


def test_lazy_marker_is_identity() -> None:
    text = "Start or return to the main menu"
    assert N_(text) is text


def test_missing_catalog_raises(tmp_path: Path) -> None:
    with pytest.raises(CatalogMissingError) as info:
        load_catalogs(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "vi" / "LC_MESSAGES" / "greenbot.mo") in message
    assert COMPILE_COMMAND in message
    assert COMPILE_COMMAND == "bash scripts/i18n.sh compile"


def test_missing_second_language_raises(compiled_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(compiled_dir / "vi", tmp_path / "vi")
    with pytest.raises(CatalogMissingError, match=r"en/LC_MESSAGES/greenbot\.mo"):
        load_catalogs(tmp_path)


def _write_mo(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_mo(fp, catalog)


def test_empty_vietnamese_catalog_raises(compiled_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(compiled_dir / "en", tmp_path / "en")
    _write_mo(tmp_path / "vi" / "LC_MESSAGES" / "greenbot.mo", Catalog(locale="vi"))
    with pytest.raises(CatalogMissingError, match="no translated messages"):
        load_catalogs(tmp_path)


def test_default_locale_must_be_loaded(compiled_dir: Path) -> None:
    with pytest.raises(ValueError, match="default locale"):
        load_catalogs(compiled_dir, locales=("en",))


def test_compile_leaves_out_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "src" / "vi" / "LC_MESSAGES" / "greenbot.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Help"\nmsgstr "Trợ giúp"\n\n'
        '#, fuzzy\nmsgid "Summary"\nmsgstr "Tóm tắt?"\n',
        encoding="utf-8",
    )
    out = compile_catalogs(tmp_path / "src", tmp_path / "out", locales=("vi",))
    vi = load_catalogs(out, locales=("vi",)).translator("vi")
    assert vi.gettext("Help") == "Trợ giúp"
    assert vi.gettext("Summary") == "Summary"


def test_compile_reports_missing_po(tmp_path: Path) -> None:
    with pytest.raises(CatalogMissingError, match=r"greenbot\.po"):
        compile_catalogs(tmp_path, tmp_path / "out")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("vi", "vi"), ("en-US", "en"), ("  EN_gb ", "en"), ("", None), (None, None), ("-", None)],
)
def test_normalize_locale(tag: str | None, expected: str | None) -> None:
    assert normalize_locale(tag) == expected
