"""Translations for the bot: compiled gettext catalogs, loaded once at start-up and passed down.

Vietnamese is the default language and English the second. Message ids in the code are English;
``locales/vi`` must translate every one of them (tests/unit/test_catalogs.py enforces it).

There is deliberately no module-level state: ``load_catalogs`` returns an immutable ``Catalogs``
that the runtime owns; handlers ask it for a ``Translator`` and do ``_ = translator.gettext``.
Babel silently returns ``NullTranslations`` (i.e. English for everyone) when a ``.mo`` file is
missing; ``load_catalogs`` refuses that and raises ``CatalogMissingError`` instead.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import Locale
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot import formatting
from bot.formatting import DISPLAY_TZ, Number

__all__ = [
    "COMPILE_COMMAND",
    "DEFAULT_DOMAIN",
    "DEFAULT_LOCALE",
    "N_",
    "SUPPORTED_LOCALES",
    "CatalogMissingError",
    "Catalogs",
    "Translator",
    "compile_catalogs",
    "load_catalogs",
    "normalize_locale",
]

DEFAULT_DOMAIN = "greenbot"
DEFAULT_LOCALE = "vi"
SUPPORTED_LOCALES: tuple[str, ...] = ("vi", "en")
COMPILE_COMMAND = "bash scripts/i18n.sh compile"


class CatalogMissingError(RuntimeError):
    """A compiled catalog is absent or empty: the bot would otherwise answer in raw English ids."""


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext name for a deferred marker
    """Mark a module-level string for extraction; translate it later with ``translator.gettext``."""
    return msgid


def normalize_locale(code: str | None) -> str | None:
    """Reduce a Telegram/IETF language tag to its language: "en-US", "en_GB", "EN" → "en"."""
    if not code:
        return None
    language = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return language or None


class Translator:
    """One language: gettext lookups plus number/date formatting with the same locale."""

    __slots__ = ("_locale", "_translations")

    def __init__(self, locale: Locale, translations: Translations) -> None:
        self._locale = locale
        self._translations = translations

    def __repr__(self) -> str:
        return f"Translator({self.code!r})"

    @property
    def locale(self) -> Locale:
        """The Babel locale, for formatting helpers that need it directly."""
        return self._locale

    @property
    def code(self) -> str:
        """The language code this translator was loaded for ("vi", "en")."""
        return str(self._locale)

    def gettext(self, msgid: str) -> str:
        """Translate ``msgid``; an untranslated message comes back as the English id."""
        return self._translations.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Pick the plural form for ``n`` (Vietnamese has one form, English two)."""
        return self._translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, msgid: str) -> str:
        """Translate ``msgid`` in ``context``, for short English words with several meanings."""
        result = self._translations.pgettext(context, msgid)
        return result if isinstance(result, str) else msgid

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        """``ngettext`` with a context."""
        return self._translations.npgettext(context, singular, plural, n)

    # Formatting with this translator's locale; see bot.formatting for the exact output.

    def percent(self, value: Number, max_decimals: int = 1) -> str:
        """45.5 → "45,5%" in Vietnamese, "45.5%" in English."""
        return formatting.format_percent(value, self._locale, max_decimals)

    def decimal(self, value: Number, max_decimals: int = 2) -> str:
        """1234.5 → "1.234,5" in Vietnamese, "1,234.5" in English."""
        return formatting.format_decimal(value, self._locale, max_decimals)

    def date(self, d: _dt.date) -> str:
        """Short date: "31/12/2025" in Vietnamese, "12/31/2025" in English."""
        return formatting.format_date(d, self._locale)

    def day_month(self, month: int, day: int) -> str:
        """A yearly due day: "15/12" in Vietnamese, "12/15" in English."""
        return formatting.format_day_month(month, day, self._locale)

    def date_long(self, d: _dt.date) -> str:
        """Long date: "ngày 31 tháng 12 năm 2025" in Vietnamese, "31 December 2025" in English."""
        return formatting.format_date_long(d, self._locale)

    def datetime(self, value: _dt.datetime, tz: ZoneInfo | str = DISPLAY_TZ) -> str:
        """An aware datetime shown in ``tz``: "08:00 31/12/2025" in Vietnamese."""
        return formatting.format_datetime(value, tz, self._locale)


@dataclass(frozen=True, slots=True, eq=False)
class Catalogs:
    """All loaded languages; immutable, built once by ``load_catalogs`` and passed down."""

    translators: Mapping[str, Translator]
    default_locale: str = DEFAULT_LOCALE

    def __post_init__(self) -> None:
        if self.default_locale not in self.translators:
            known = sorted(self.translators)
            raise ValueError(f"default locale {self.default_locale!r} is not among {known}")
        object.__setattr__(self, "translators", MappingProxyType(dict(self.translators)))

    @property
    def locales(self) -> tuple[str, ...]:
        """Loaded language codes, in the order they were requested (default first by convention)."""
        return tuple(self.translators)

    def translator(self, locale: str | None = None) -> Translator:
        """The translator for a user's language tag; unknown or missing tags get the default (vi)."""
        code = normalize_locale(locale)
        if code is not None and code in self.translators:
            return self.translators[code]
        return self.translators[self.default_locale]


def _mo_path(locales_dir: Path, locale: str, domain: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{domain}.mo"


def _missing(path: Path, why: str) -> CatalogMissingError:
    return CatalogMissingError(
        f"Translation catalog {path} {why}. Compile the catalogs with: {COMPILE_COMMAND}"
        f" / Thiếu bản dịch {path}; hãy chạy: {COMPILE_COMMAND}"
    )


def _load_one(locales_dir: Path, locale: str, domain: str) -> Translations:
    path = _mo_path(locales_dir, locale, domain)
    if not path.is_file():
        raise _missing(path, "is missing")
    loaded = Translations.load(dirname=locales_dir, locales=[locale], domain=domain)
    # Babel falls back to NullTranslations silently; a plain Translations is the only success.
    if not isinstance(loaded, Translations):
        raise _missing(path, "could not be loaded")
    return loaded


def _count_messages(path: Path) -> int:
    with path.open("rb") as fp:
        return len(read_mo(fp))


def load_catalogs(
    locales_dir: Path,
    locales: Sequence[str] = SUPPORTED_LOCALES,
    domain: str = DEFAULT_DOMAIN,
    default_locale: str = DEFAULT_LOCALE,
) -> Catalogs:
    """Load every compiled ``.mo``; raise ``CatalogMissingError`` rather than fall back to English.

    The default-language catalog must also contain at least one translated message: an empty
    Vietnamese catalog means the ``.po`` was compiled before it was translated.
    """
    locales_dir = Path(locales_dir)
    if default_locale not in locales:
        raise ValueError(f"default locale {default_locale!r} must be one of {list(locales)}")
    translators: dict[str, Translator] = {}
    for code in locales:
        translations = _load_one(locales_dir, code, domain)
        if code == default_locale and _count_messages(_mo_path(locales_dir, code, domain)) == 0:
            raise _missing(_mo_path(locales_dir, code, domain), "has no translated messages")
        translators[code] = Translator(Locale.parse(code), translations)
    return Catalogs(translators=translators, default_locale=default_locale)


def compile_catalogs(
    source_dir: Path,
    target_dir: Path,
    locales: Iterable[str] = SUPPORTED_LOCALES,
    domain: str = DEFAULT_DOMAIN,
) -> Path:
    """Compile ``<source_dir>/<locale>/LC_MESSAGES/<domain>.po`` into ``target_dir``; return it.

    For tests and tooling that need ``.mo`` files without running ``scripts/i18n.sh compile``;
    fuzzy entries are left out exactly as ``pybabel compile`` does. Never called at run time:
    a missing catalog must stay an error there.
    """
    for code in locales:
        po_path = Path(source_dir) / code / "LC_MESSAGES" / f"{domain}.po"
        if not po_path.is_file():
            raise CatalogMissingError(f"Source catalog {po_path} is missing")
        with po_path.open("rb") as fp:
            catalog = read_po(fp, locale=code, domain=domain)
        mo_path = _mo_path(Path(target_dir), code, domain)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as fp:
            write_mo(fp, catalog)
    return Path(target_dir)
