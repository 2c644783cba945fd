"""The catalogs in git match the code: every message is translated into Vietnamese, safely.

Extraction runs here exactly as ``scripts/i18n.sh extract`` does (babel.cfg's method map,
keywords and comment tags on top of Babel's defaults), so a new ``_("...")`` without a Vietnamese
translation fails the suite, not a user's chat.
"""

from __future__ import annotations

import configparser
import fnmatch
import string
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
LOCALES = ROOT / "locales"
POT = LOCALES / "greenbot.pot"
STALE = "catalog is stale: run `bash scripts/i18n.sh extract update` and translate"

Key = tuple[str, str | None]  # (msgid, msgctxt)


def _read_mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]], dict[str, Any], list[str]]:
    """babel.cfg → (method map, per-pattern options, keywords, comment tags), version-independent."""
    parser = configparser.RawConfigParser()
    parser.read(MAPPING, encoding="utf-8")
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, str]] = {}
    keywords: dict[str, Any] = dict(DEFAULT_KEYWORDS)
    comment_tags: list[str] = []
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        options = dict(parser.items(section))
        keywords.update(parse_keywords(options.pop("keywords", "").split()))
        comment_tags.extend(tag for tag in options.pop("add_comments", "").split() if tag not in comment_tags)
        method_map.append((pattern, method))
        options_map[pattern] = options
    return method_map, options_map, keywords, comment_tags


def _cli_directory_filter(dirname: str) -> bool:
    """pybabel's default --ignore-dirs (".* ._"): skips .venv, .git and other dot directories."""
    name = Path(dirname).name
    return not any(fnmatch.fnmatch(name, pattern) for pattern in (".*", "._"))


def _extract() -> dict[Key, tuple[str, ...]]:
    method_map, options_map, keywords, comment_tags = _read_mapping()
    found: dict[Key, tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map=method_map,
        options_map=options_map,
        keywords=keywords,
        comment_tags=comment_tags,
        directory_filter=_cli_directory_filter,
    ):
        ids = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        found[(ids[0], context)] = ids
    return found


def _read(path: Path) -> Catalog:
    if not path.is_file():
        pytest.fail(f"{path} is missing; {STALE}")
    with path.open("rb") as fp:
        return read_po(fp)


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (msgid, message.context)


def _strings(message: Message) -> tuple[str, ...]:
    value = message.string
    if value is None:
        return ("",)
    return (value,) if isinstance(value, str) else tuple(value)


def _ids(message: Message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _translated(message: Message | None) -> bool:
    return message is not None and not message.fuzzy and all(_strings(message))


def _fields(text: str) -> set[str]:
    """Names used by str.format: "{name} {count:d} {0}" → {"name", "count", "0"}."""
    names: set[str] = set()
    for _literal, field, _spec, _conversion in string.Formatter().parse(text):
        if field is not None:
            names.add(field.split(".", 1)[0].split("[", 1)[0])
    return names


@pytest.fixture(scope="module")
def extracted() -> dict[Key, tuple[str, ...]]:
    return _extract()


@pytest.fixture(scope="module")
def vi() -> Catalog:
    return _read(LOCALES / "vi" / "LC_MESSAGES" / "greenbot.po")


@pytest.fixture(scope="module")
def en() -> Catalog:
    return _read(LOCALES / "en" / "LC_MESSAGES" / "greenbot.po")


def test_extraction_sees_the_code(extracted: dict[Key, tuple[str, ...]]) -> None:
    assert extracted, "no messages extracted: is babel.cfg right?"


def test_every_message_in_the_code_is_translated_into_vietnamese(
    extracted: dict[Key, tuple[str, ...]], vi: Catalog
) -> None:
    missing = sorted(
        f"  {msgid!r}" + (f" (context {ctxt!r})" if ctxt else "")
        for (msgid, ctxt) in extracted
        if not _translated(vi.get(msgid, ctxt))
    )
    assert not missing, f"{STALE}; missing or untranslated in vi:\n" + "\n".join(missing)


def test_every_message_in_the_code_is_in_the_template(extracted: dict[Key, tuple[str, ...]]) -> None:
    template = {_key(message) for message in _messages(_read(POT))}
    missing = sorted(repr(key[0]) for key in extracted if key not in template)
    assert not missing, f"{STALE}; not in {POT.name}: " + ", ".join(missing)


def test_vietnamese_has_no_empty_or_fuzzy_entries(vi: Catalog) -> None:
    bad = sorted(repr(_key(message)[0]) for message in _messages(vi) if not _translated(message))
    assert not bad, "vi entries need a (non-fuzzy) translation: " + ", ".join(bad)


def test_vietnamese_catalog_header(vi: Catalog) -> None:
    assert str(vi.locale) == "vi"
    assert vi.num_plurals == 1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_placeholders_match(language: str, vi: Catalog, en: Catalog) -> None:
    catalog = {"vi": vi, "en": en}[language]
    problems: list[str] = []
    for message in _messages(catalog):
        ids = _ids(message)
        try:
            wanted = set().union(*(_fields(msgid) for msgid in ids))
            forms = _strings(message)
            for index, text in enumerate(forms):
                if not text:
                    continue  # English: empty means "use the msgid"
                got = _fields(text)
                if len(ids) == 1:
                    ok = got == wanted
                elif index == len(forms) - 1:
                    ok = got == _fields(ids[-1])  # the general plural form keeps every placeholder
                else:
                    ok = got <= wanted  # e.g. "one day" may drop {n}
                if not ok:
                    problems.append(f"  {ids[0]!r} [{index}]: {sorted(got)} instead of {sorted(wanted)}")
        except ValueError as exc:  # unbalanced braces
            problems.append(f"  {ids[0]!r}: {exc}")
    assert not problems, f"{language} placeholders differ from the msgid:\n" + "\n".join(problems)


def test_english_has_the_same_messages(vi: Catalog, en: Catalog) -> None:
    vi_keys = {_key(message) for message in _messages(vi)}
    en_keys = {_key(message) for message in _messages(en)}
    assert en_keys == vi_keys, (
        f"{STALE}; only in vi: {sorted(vi_keys - en_keys)}, only in en: {sorted(en_keys - vi_keys)}"
    )


def test_catalogs_follow_the_template(vi: Catalog, en: Catalog) -> None:
    template = {_key(message) for message in _messages(_read(POT))}
    for name, catalog in (("vi", vi), ("en", en)):
        keys = {_key(message) for message in _messages(catalog)}
        assert keys == template, f"{name}: {STALE}"


def test_vietnamese_text_is_nfc(vi: Catalog) -> None:
    """Decomposed diacritics look identical but break search and sorting in Telegram."""
    bad = [
        repr(_key(message)[0])
        for message in _messages(vi)
        if any(unicodedata.normalize("NFC", text) != text for text in _strings(message))
    ]
    assert not bad, "vi translations must be NFC-normalized: " + ", ".join(bad)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_babel_finds_no_errors(language: str, vi: Catalog, en: Catalog) -> None:
    catalog = {"vi": vi, "en": en}[language]
    errors = [f"{message.id!r}: {errs}" for message, errs in catalog.check()]
    assert not errors, "\n".join(errors)
