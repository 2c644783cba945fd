"""Seeded generators of what officers (and their phones, and attackers) type where the bot expects a figure or a note.

Every generated figure is wrong *by construction* (the parser is not used to pick them), and carries
the problems the bot may name for it, so a test can check the explanation as well as the refusal.
Notes come with what must be stored (the text without surrounding whitespace) or the reason to refuse.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.services.entries import NOTE_MAX_CHARS, EntryProblem
from bot.services.figures import MAX_LENGTH, FigureProblem

P = FigureProblem


@dataclass(frozen=True)
class BadFigure:
    """A message at the figure step: ``text`` typed, or other content (``fields``) where text is expected."""

    kind: str
    text: str | None
    expected: frozenset[FigureProblem]
    fields: dict[str, Any] = field(default_factory=dict)

    def content(self) -> dict[str, Any]:
        """The message's content fields, as the Bot API sends them."""
        return {"text": self.text} if self.text is not None else dict(self.fields)


def _digits(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(low, high))


def _decimal_sep(rng: random.Random) -> str:
    return rng.choice([",", "."])


def _percent_suffix(rng: random.Random) -> str:
    return rng.choice(["", "", "%", " %", "％"])


def _ratio_sep(rng: random.Random) -> str:
    return rng.choice(["/", " / ", " trên ", " TRÊN ", "tren", "／", "÷", "⁄", " Trên "])


def _blank(rng: random.Random) -> tuple[str, set[P]]:
    pieces = [" ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u200b", "\u200c", "\u200d", "\ufeff", "\u200e", "\u200f"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))), {P.EMPTY}


def _huge(rng: random.Random) -> tuple[str, set[P]]:
    number = _digits(rng, 101, 10 ** rng.randint(3, MAX_LENGTH - 10))
    decimals = rng.choice(["", "", _decimal_sep(rng) + _digits(rng, 0, 99)])
    return number + decimals + _percent_suffix(rng), {P.ABOVE_100}


def _too_long(rng: random.Random) -> tuple[str, set[P]]:
    alphabet = rng.choice(["0123456789", "9", "0123456789,.", "a😀 ", "45,5"])
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(MAX_LENGTH + 1, 5000))), {P.TOO_LONG}


def _huge_string(rng: random.Random) -> tuple[str, set[P]]:
    return rng.choice(["4", "x", "😀", "٤", "%", "/", "\u202e"]) * 5000, {P.TOO_LONG}


def _negative(rng: random.Random) -> tuple[str, set[P]]:
    minus = rng.choice(["-", "−", "–", "—", "‒"]) + rng.choice(["", " "])
    if rng.random() < 0.3:  # a ratio with a negative part
        top, bottom = _digits(rng, 1, 50), _digits(rng, 51, 100)
        return rng.choice([minus + top, top]) + _ratio_sep(rng) + minus + bottom, {P.NEGATIVE}
    value = _digits(rng, 0, 100) + rng.choice(["", _decimal_sep(rng) + _digits(rng, 0, 99)])
    return minus + value + _percent_suffix(rng), {P.NEGATIVE}


def _above_100(rng: random.Random) -> tuple[str, set[P]]:
    whole = rng.choice([100, rng.randint(101, 999), rng.randint(1000, 10**6)])
    if whole == 100:
        return f"100{_decimal_sep(rng)}{rng.randint(1, 99):02d}{_percent_suffix(rng)}", {P.ABOVE_100}
    fraction = rng.choice(["", _decimal_sep(rng) + _digits(rng, 0, 99)])
    return f"{whole}{fraction}{_percent_suffix(rng)}", {P.ABOVE_100}


def _zero_denominator(rng: random.Random) -> tuple[str, set[P]]:
    zero = rng.choice(["0", "00", "0,0", "0.00", "０"])
    return _digits(rng, 0, 1000) + _ratio_sep(rng) + zero, {P.ZERO_DENOMINATOR}


def _numerator_above(rng: random.Random) -> tuple[str, set[P]]:
    bottom = rng.randint(1, 500)
    top = bottom + rng.randint(1, 500)
    return f"{top}{_ratio_sep(rng)}{bottom}", {P.NUMERATOR_ABOVE_DENOMINATOR}


WORDS = [
    "abc", "bốn mươi lăm", "NaN", "nan", "inf", "-inf", "Infinity", "null", "None", "undefined", "true",
    "một trăm", "năm mươi phần trăm", "1e5", "1E2", "4.5e1", "0x1F", "٤٥", "۴۵", "四十五", "४५", "IV",
    "khoảng 45", "45 (ước tính)", "≈45", "45±1", "#45", "$45", "45đ", "n/a", "N/A", "-", "?", "...",
]  # fmt: skip


def _words(rng: random.Random) -> tuple[str, set[P]]:
    return rng.choice(WORDS), {P.NOT_A_NUMBER}


EMOJI = ["😀", "💯", "👍🏽", "🇻🇳", "4️⃣", "👨‍👩‍👧", "❤️", "🔥", "✅", "📈"]


def _emoji(rng: random.Random) -> tuple[str, set[P]]:
    number = rng.choice(["", _digits(rng, 0, 100)])
    emoji = rng.choice(EMOJI)
    return rng.choice([emoji + number, number + emoji, number + " " + emoji + emoji]), {P.NOT_A_NUMBER}


def _bidi_and_invisible(rng: random.Random) -> tuple[str, set[P]]:
    """Direction overrides and isolates are not dropped (they are not what phones insert); letters of RTL scripts."""
    control = rng.choice(["\u202e", "\u202d", "\u202a", "\u202b", "\u2066", "\u2067", "\u2068", "\u061c"])
    number = _digits(rng, 0, 100)
    text = rng.choice([control + number, number + control, f"{number[:1]}{control}{number[1:]}", "שלום", "مرحبا ٤٥"])
    return text, {P.NOT_A_NUMBER}


def _invisible_in_big(rng: random.Random) -> tuple[str, set[P]]:
    """Zero-width marks are dropped, so what remains is judged: here always more than 100."""
    mark = rng.choice(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f"])
    number = _digits(rng, 101, 99999)
    return number[:1] + mark + number[1:], {P.ABOVE_100}


SQL = [
    "1; DROP TABLE indicator_values; --", "' OR '1'='1", "45'); DELETE FROM indicator_values; --", "45' --",
    "UNION SELECT * FROM officers", "1 OR 1=1", "$$; TRUNCATE audit_events; $$", "45\\'; --",
    "'; UPDATE officers SET role='admin' --", "Robert'); DROP TABLE students;--", "0x00; --", "%' AND 1=1 --",
    "45/**/OR/**/1=1", "1' UNION SELECT token FROM invites --",
]  # fmt: skip


def _sql(rng: random.Random) -> tuple[str, set[P]]:
    return rng.choice(SQL), {P.NOT_A_NUMBER}


MARKUP = [
    "<b>45</b>", "*45*", "_45_", "`45`", "```45```", "[45](http://example.com)", "<a href='x'>45</a>",
    "&lt;45&gt;", "45&amp;", "~45~", "||45||", "<script>alert(1)</script>", "\\*45", "__45__", "<i>", "</b>",
    "<tg-spoiler>45</tg-spoiler>", "> 45", "# 45", "{45}", "{value}", "{0}", "%s", "%(value)s", "45{", "}",
]  # fmt: skip


def _markup(rng: random.Random) -> tuple[str, set[P]]:
    return rng.choice(MARKUP), {P.NOT_A_NUMBER}


def _odd_separators(rng: random.Random) -> tuple[str, set[P]]:
    a, b, c = _digits(rng, 0, 99), _digits(rng, 0, 99), _digits(rng, 0, 99)
    three = f"{rng.randint(0, 999):03d}"
    text = rng.choice(
        [
            f"{a},,{b}", f"{a}..{b}", f"{a},{b},{c}", f"{a}.,{b}", f"{a},.{b}", ",", ".", ",,", "..", ",.",
            f"{a}.{b}.{c}", f"{a},{b}.{c}", f"{a}, {b}", f"{a} ,{b}", f"{a}.{three}", f"{a},{three}",
            f"{rng.randint(1, 999)}.{three}.{three}", f"{rng.randint(1, 999)}.{three},{b}",
        ]
    )  # fmt: skip
    return text, {P.NOT_A_NUMBER, P.SEVERAL_NUMBERS, P.TOO_MANY_DECIMALS, P.ABOVE_100}


def _misplaced_percent(rng: random.Random) -> tuple[str, set[P]]:
    a, b = _digits(rng, 0, 50), _digits(rng, 51, 100)
    text = rng.choice([f"%{a}", f"{a}%%", f"{a} % %", f"{a}/{b}%", f"{a}%/{b}", f"%{a}%"])
    return text, {P.MISPLACED_PERCENT}


def _several_numbers(rng: random.Random) -> tuple[str, set[P]]:
    a, b, c = _digits(rng, 0, 50), _digits(rng, 51, 100), _digits(rng, 101, 200)
    text = rng.choice([f"{a} {b}", f"{a} - {b}", f"{a}+{b}", f"{a}/{b}/{c}", f"{a}\n{b}", f"{a}\t{b}%"])
    return text, {P.SEVERAL_NUMBERS}


def _too_many_decimals(rng: random.Random) -> tuple[str, set[P]]:
    decimals = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 12)))
    return f"{rng.randint(0, 99)}{rng.choice([',', '.'])}{decimals}", {P.TOO_MANY_DECIMALS}


def _control(rng: random.Random) -> tuple[str, set[P]]:
    control = rng.choice(["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x1c"])
    number = _digits(rng, 0, 100)
    return rng.choice([control, number + control, control + number, f"{number[:1]}{control}{number[1:]}"]), {
        P.NOT_A_NUMBER
    }


def _fraction_glyph(rng: random.Random) -> tuple[str, set[P]]:
    """A whole number and a fraction glyph, which NFKC spells as one ratio ("5½" → "51⁄2"): more than 1."""
    return rng.choice(["5½", "3¼", "7¾", "2⅓", "9⅛"]), {P.NUMERATOR_ABOVE_DENOMINATOR}


def _file_size(rng: random.Random) -> int:
    return rng.choice([1, 1024, 20 * 1024 * 1024 + 1, 2_000_000_000])


def _not_text(rng: random.Random) -> tuple[dict[str, Any], set[P]]:
    unique = rng.randint(1, 10**9)
    choices: list[dict[str, Any]] = [
        {"location": {"latitude": 14.35, "longitude": 108.0}},
        {"contact": {"phone_number": "+84123456789", "first_name": "An"}},
        {"dice": {"emoji": "🎲", "value": rng.randint(1, 6)}},
        {"venue": {"location": {"latitude": 14.3, "longitude": 108.0}, "title": "45", "address": "Kon Tum"}},
        {
            "sticker": {
                "file_id": f"sticker-{unique}", "file_unique_id": f"s{unique}", "width": 512, "height": 512,
                "is_animated": False, "is_video": False, "type": "regular", "emoji": "👍",
            }
        },
        {"photo": [{"file_id": f"photo-{unique}", "file_unique_id": f"p{unique}", "width": 9, "height": 9}]},
        {
            "document": {
                "file_id": f"doc-{unique}", "file_unique_id": f"d{unique}", "file_name": "so-lieu.xlsx",
                "file_size": _file_size(rng),
            },
            "caption": "45,5",  # the figure in a caption is still not a typed answer
        },
        {"voice": {"file_id": f"voice-{unique}", "file_unique_id": f"v{unique}", "duration": 3}},
    ]  # fmt: skip
    return rng.choice(choices), {P.NOT_TEXT}


TEXT_KINDS: dict[str, Callable[[random.Random], tuple[str, set[P]]]] = {
    "blank": _blank,
    "huge": _huge,
    "too_long": _too_long,
    "5000_chars": _huge_string,
    "negative": _negative,
    "above_100": _above_100,
    "zero_denominator": _zero_denominator,
    "numerator_above_denominator": _numerator_above,
    "words": _words,
    "emoji": _emoji,
    "bidi": _bidi_and_invisible,
    "invisible_in_big": _invisible_in_big,
    "sql": _sql,
    "markup": _markup,
    "odd_separators": _odd_separators,
    "misplaced_percent": _misplaced_percent,
    "several_numbers": _several_numbers,
    "too_many_decimals": _too_many_decimals,
    "control": _control,
    "fraction_glyph": _fraction_glyph,
}


def bad_figures(seed: int, count: int) -> list[BadFigure]:
    """``count`` wrong answers to "enter the percentage", every kind represented, in a seeded order."""
    rng = random.Random(seed)
    kinds = [*TEXT_KINDS, "not_text"]
    found: list[BadFigure] = []
    for index in range(count):
        kind = kinds[index] if index < len(kinds) else rng.choice(kinds)
        if kind == "not_text":
            fields, expected = _not_text(rng)
            found.append(BadFigure(kind, None, frozenset(expected), fields))
        else:
            text, expected = TEXT_KINDS[kind](rng)
            found.append(BadFigure(kind, text, frozenset(expected)))
    rng.shuffle(found)
    return found


# ---- notes ---------------------------------------------------------------------------------------

NOTE_PIECES = [
    "Ghi chú có dấu: Đắk Hà, Kon Plông, Ngọc Hồi", unicodedata.normalize("NFD", "Tiếng Việt tổ hợp"),
    "<b>đậm</b>", "<script>alert('x')</script>", "&amp; &lt; &gt;", "*đậm* _nghiêng_ `mã`",
    "[liên kết](http://example.com)", "~gạch~ ||ẩn||", "'; DROP TABLE task_progress_reports; --",
    "{note} {0} %s %(name)s {{}} }{", "שלום עולם", "مرحبا", "\u202eRLO\u202c", "\u2066isolate\u2069",
    "zero\u200bwidth\u200cjoin\u200d\u2060", "\ufeffBOM", "👨‍👩‍👧‍👦 🇻🇳 👍🏽 ❤️", "Dòng 1\nDòng 2\n\tthụt lề",
    "C:\\Windows\\System32 \\n \\t \\x00", "Z̷̢͔̈́a̸̡͚͑l̵g̶o̵", "\uffff\U0010ffff", "\u2028\u2029", "12/0",
    "150%", "-5", "NULL", "None", "\"quoted\" 'single'", "45,5 tỷ đồng", "١٢٣", "ｆｕｌｌ　ｗｉｄｔｈ",
]  # fmt: skip
BAD_NOTE_PIECES = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\ue000", "\udc80"]  # control, private use, surrogate


@dataclass(frozen=True)
class OddNote:
    """A typed note: ``stored`` is what must be kept, or ``refused`` says why it is not."""

    text: str
    stored: str | None
    refused: EntryProblem | None


def expected_note(text: str, *, required: bool) -> OddNote:
    """The rule in words: trimmed, not empty, at most 1,000 characters, no control/private/surrogate characters."""
    trimmed = text.strip()
    if not trimmed:
        return OddNote(text, None, EntryProblem.NOTE_REQUIRED if required else EntryProblem.NOTE_EMPTY)
    if len(trimmed) > NOTE_MAX_CHARS:
        return OddNote(text, None, EntryProblem.NOTE_TOO_LONG)
    if any(unicodedata.category(ch) in {"Cc", "Cs", "Co"} and ch not in "\n\t" for ch in trimmed):
        return OddNote(text, None, EntryProblem.NOTE_BAD_CHARACTERS)
    return OddNote(text, trimmed, None)


def odd_notes(seed: int, count: int, *, required: bool = False) -> list[OddNote]:
    """Notes made of odd pieces, some padded with spaces, some too long, some with characters that cannot be kept."""
    rng = random.Random(seed)
    notes: list[str] = ["", "   ", "x" * NOTE_MAX_CHARS, "😀" * NOTE_MAX_CHARS, "y" * (NOTE_MAX_CHARS + 1), "z" * 5000]
    while len(notes) < count:
        pieces = rng.choices(NOTE_PIECES, k=rng.randint(1, 6))
        if rng.random() < 0.15:
            pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(BAD_NOTE_PIECES))
        if rng.random() < 0.1:
            pieces.append(rng.choice(NOTE_PIECES) * rng.randint(20, 120))
        padding = rng.choice(["", "", " ", "  \n", "\t"])
        notes.append(padding + rng.choice([" ", "\n", ""]).join(pieces) + padding)
    return [expected_note(note, required=required) for note in notes[:count]]
