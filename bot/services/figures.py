"""Reading the figures focal officers type on their phones: percentages, ratios, counts, quick entry.

Forgiving where the meaning is clear, strict where a guess could store a wrong figure:

* A comma or a dot is the decimal separator ("45,5" = "45.5" = 45.5): Vietnamese phones type a
  comma, English keyboards a dot, and a percentage never needs thousands grouping.
* Text is NFKC-normalised (full-width "４５，５％" works) and invisible marks that phones insert
  (zero-width spaces, direction marks, BOM) are dropped; only ASCII digits are digits.
* A ratio is "12/30", "12 / 30", "12 trên 30" (or "tren", any case). In a ratio part or a count a
  dot followed by exactly three digits with no other separator ("1.234") is Vietnamese thousands
  grouping, i.e. 1234; so are "1.234.567" and "1.234,5". In a percentage "1.234" has too many
  decimals instead.
* At most 2 decimals are typed; a percentage is 0..100; "%" only once, at the end of a percentage.
* Exponents, "inf", "nan", words, emoji and control characters are not numbers. Only ``FigureError``
  (or ``QuickEntryError``) ever leaves this module for any text, and no number is ever built from
  more than ``MAX_LENGTH`` characters, so nothing overflows.

Errors carry an English msgid (``N_``) and canonical values ("150.5"); ``describe`` translates the
message and formats the values for the reader's language ("150,5" in Vietnamese).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import StrEnum
from fractions import Fraction

from babel.numbers import get_decimal_symbol

from bot.i18n import N_, Translator

__all__ = [
    "MAX_DECIMALS",
    "MAX_INDICATOR",
    "MAX_LENGTH",
    "MAX_YEAR",
    "MIN_YEAR",
    "PERCENT_QUANTUM",
    "QUICK_ENTRY_EXAMPLE",
    "Figure",
    "FigureError",
    "FigureProblem",
    "QuickEntry",
    "QuickEntryError",
    "QuickEntryProblem",
    "parse_count",
    "parse_figure",
    "parse_quick_entry",
    "ratio_figure",
]

MAX_LENGTH = 200  # characters of one typed figure; longer input is refused before any parsing
MAX_DECIMALS = 2
PERCENT_QUANTUM = Decimal("0.0001")  # what is stored: 1/3 → 33.3333
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_INDICATOR = 999
QUICK_ENTRY_EXAMPLE = "/nhap 2015 1=45,5 2=12/30"
_SHOWN_LENGTH = 20  # a number or a wrong quick-entry item quoted in a message is cut to this many characters
# Wide enough for any number of MAX_LENGTH digits, so quantize never runs out of precision.
_CONTEXT = Context(prec=4 * MAX_LENGTH, rounding=ROUND_HALF_UP)
_MAX_MAGNITUDE = 4 * MAX_LENGTH  # ratio_figure refuses Decimals beyond 10**±this (not typeable)


class FigureProblem(StrEnum):
    """What was wrong with a typed figure; the value is the English msgid of the message."""

    EMPTY = N_("Nothing was entered. Please type a number, for example 45,5.")
    NOT_A_NUMBER = N_(
        "This is not a number. Please use digits only: a percentage such as 45,5 or a ratio such as 12/30."
    )
    SEVERAL_NUMBERS = N_("More than one number was entered. Please type just one number, for example 45,5.")
    NEGATIVE = N_("A negative number is not accepted. Please type 0 or more, for example 45,5.")
    ABOVE_100 = N_("A percentage cannot be more than 100 (you entered {value}). Example: 45,5 or 12/30.")
    NUMERATOR_ABOVE_DENOMINATOR = N_(
        "In a ratio the first number ({numerator}) cannot be larger than the second ({denominator}). Example: 12/30."
    )
    ZERO_DENOMINATOR = N_("The second number of a ratio cannot be 0. Example: 12/30.")
    TOO_MANY_DECIMALS = N_(
        "Too many digits after the decimal separator. Please round to at most 2 decimals, for example {rounded}."
    )
    TOO_LONG = N_("This is too long for a number. Please type one number, for example 45,5.")
    MISPLACED_PERCENT = N_(
        "The percent sign (%) can only come once, at the end of a percentage, and not in a ratio."
        " Example: 12/30 or 45,5%."
    )
    NOT_TEXT = N_("Please type the number as a text message, not a sticker, photo or file. Example: 45,5.")
    NOT_A_COUNT = N_("This is not a number. Please type one number of 0 or more using digits, for example 12 or 1.234.")


# Values under these keys are canonical decimals ("150.5"), shown with the reader's separators.
_NUMBER_KEYS = frozenset({"value", "rounded", "numerator", "denominator"})


class _Blank(dict[str, str]):
    """Placeholders a message lacks a value for come out empty instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


def _show_number(translator: Translator, canonical: str) -> str:
    """A canonical decimal with the reader's separators; absurdly long ones are cut to stay readable."""
    value = Decimal(canonical)
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    try:
        shown = translator.decimal(value, max_decimals=decimals)
    except ValueError:  # too many digits for Babel's rounding: show them plainly
        shown = format(value, "f").replace(".", get_decimal_symbol(translator.locale))
    return shown if len(shown) <= _SHOWN_LENGTH else shown[:_SHOWN_LENGTH] + "…"


def _render(translator: Translator, msgid: str, values: Mapping[str, str]) -> str:
    shown = _Blank({k: _show_number(translator, v) if k in _NUMBER_KEYS else v for k, v in values.items()})
    return translator.gettext(msgid).format_map(shown)


class FigureError(ValueError):
    """A typed figure was refused; ``describe`` says why, in the reader's language, with an example."""

    def __init__(self, problem: FigureProblem, values: Mapping[str, str] | None = None) -> None:
        self.problem = problem
        self.values: dict[str, str] = dict(values or {})
        super().__init__(f"{problem.name} {self.values}" if self.values else problem.name)

    def describe(self, translator: Translator) -> str:
        return _render(translator, self.problem.value, self.values)


@dataclass(frozen=True, slots=True)
class Figure:
    """A percentage as stored (0..100, 4 decimals); a ratio also keeps the two numbers typed."""

    percent: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None


# --- scanning -------------------------------------------------------------------------------------

# Zero-width spaces/joiners, direction marks, word joiner, BOM: invisible, inserted by phones and copy-paste.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"), None)

# One letter per token kind; the shape of the input is then matched as a string ("NSN" = a ratio).
_NUM, _PERCENT, _SLASH, _SIGN_MINUS, _SIGN_PLUS = "N", "P", "S", "M", "+"
_TOKEN = re.compile(
    r"(?P<space>[ \t\r\n]+)"
    r"|(?P<N>[0-9.,]+)"
    r"|(?P<P>%)"
    r"|(?P<S>[/⁄∕÷]|trên|tren)"  # NFKC turns "／" into "/" and "½" into "1⁄2"
    r"|(?P<M>[-−–‒—])"
    r"|(?P<plus>\+)",
    re.IGNORECASE,
)
_PERCENT_SHAPE = re.compile(r"[M+]?NP?")
_RATIO_SHAPE = re.compile(r"[M+]?NS[M+]?N")
_COUNT_SHAPE = re.compile(r"[M+]?N")

_PLAIN = re.compile(r"(?P<int>[0-9]*)(?:(?P<sep>[.,])(?P<frac>[0-9]*))?")
_GROUPED = re.compile(r"(?P<int>[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,(?P<frac>[0-9]*))?")  # "1.234.567", "1.234,5"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str


def _scan(text: str, junk: FigureProblem) -> tuple[list[_Token], str]:
    """Split typed text into tokens and return them with their shape; anything unknown is ``junk``."""
    if len(text) > MAX_LENGTH:
        raise FigureError(FigureProblem.TOO_LONG)
    normal = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip(" \t\r\n")
    if len(normal) > MAX_LENGTH:  # NFKC can expand ("⑳" → "20")
        raise FigureError(FigureProblem.TOO_LONG)
    if not normal:
        raise FigureError(FigureProblem.EMPTY)
    tokens: list[_Token] = []
    position = 0
    while position < len(normal):
        match = _TOKEN.match(normal, position)
        if match is None:
            raise FigureError(junk)
        position = match.end()
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == _NUM and not any(ch.isdigit() for ch in match.group()):
            raise FigureError(junk)  # a lone "," or "."
        tokens.append(_Token(_SIGN_PLUS if kind == "plus" else str(kind), match.group()))
    return tokens, "".join(token.kind for token in tokens)


def _number(text: str, *, grouping: bool, junk: FigureProblem) -> Decimal:
    """One number token; ``grouping`` lets "1.234" mean 1234 (ratio parts and counts only)."""
    plain = _PLAIN.fullmatch(text)
    grouped = _GROUPED.fullmatch(text)  # both match only "1.234": ``grouping`` decides which it is
    if plain is not None and not (grouping and grouped is not None):
        integer, fraction = plain["int"], plain["frac"] or ""
    elif grouped is not None:
        integer, fraction = grouped["int"].replace(".", ""), grouped["frac"] or ""
    else:
        raise FigureError(junk)  # "1..5", "1,2,3", "1,234.5"
    value = Decimal(f"{integer or '0'}.{fraction}") if fraction else Decimal(integer or "0")
    if len(fraction) > MAX_DECIMALS:
        rounded = value.quantize(Decimal(1).scaleb(-MAX_DECIMALS), context=_CONTEXT)
        raise FigureError(FigureProblem.TOO_MANY_DECIMALS, {"rounded": str(rounded)})
    return value


def _signed(tokens: list[_Token], *, grouping: bool, junk: FigureProblem) -> list[tuple[bool, Decimal]]:
    """Each number token with whether a minus sign stood right before it."""
    result: list[tuple[bool, Decimal]] = []
    previous = ""
    for token in tokens:
        if token.kind == _NUM:
            result.append((previous == _SIGN_MINUS, _number(token.text, grouping=grouping, junk=junk)))
        previous = token.kind
    return result


# --- percentages, ratios, counts ------------------------------------------------------------------


def _round_percent(value: Fraction) -> Decimal:
    """Exact half-up rounding to ``PERCENT_QUANTUM`` (no intermediate decimal rounding)."""
    scaled = value * 10**4
    quotient, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        quotient += 1
    return Decimal(quotient).scaleb(-4)


def ratio_figure(numerator: Decimal, denominator: Decimal) -> Figure:
    """The share numerator/denominator as a percentage; also the last step of the two-step entry."""
    for part in (numerator, denominator):
        if not part.is_finite() or abs(part.adjusted()) > _MAX_MAGNITUDE:
            raise FigureError(FigureProblem.NOT_A_NUMBER)
    if numerator < 0 or denominator < 0:
        raise FigureError(FigureProblem.NEGATIVE)
    if denominator == 0:
        raise FigureError(FigureProblem.ZERO_DENOMINATOR)
    if numerator > denominator:
        values = {"numerator": str(numerator), "denominator": str(denominator)}
        raise FigureError(FigureProblem.NUMERATOR_ABOVE_DENOMINATOR, values)
    percent = _round_percent(Fraction(numerator) * 100 / Fraction(denominator))
    return Figure(percent=percent, numerator=numerator, denominator=denominator)


def parse_figure(text: str) -> Figure:
    """A typed percentage ("45,5", "45.5%") or ratio ("12/30", "12 trên 30"); raises ``FigureError``."""
    junk = FigureProblem.NOT_A_NUMBER
    tokens, shape = _scan(text, junk)
    numbers = shape.count(_NUM)
    if numbers == 0:
        raise FigureError(junk)
    if _SLASH in shape:
        if numbers > 2:
            raise FigureError(FigureProblem.SEVERAL_NUMBERS)
        if _PERCENT in shape:
            raise FigureError(FigureProblem.MISPLACED_PERCENT)
        if not _RATIO_SHAPE.fullmatch(shape):
            raise FigureError(junk)
        (minus_top, top), (minus_bottom, bottom) = _signed(tokens, grouping=True, junk=junk)
        if minus_top or minus_bottom:
            raise FigureError(FigureProblem.NEGATIVE)
        return ratio_figure(top, bottom)
    if numbers > 1:
        raise FigureError(FigureProblem.SEVERAL_NUMBERS)
    if shape.count(_PERCENT) > 1 or (_PERCENT in shape and not shape.endswith(_PERCENT)):
        raise FigureError(FigureProblem.MISPLACED_PERCENT)
    if not _PERCENT_SHAPE.fullmatch(shape):
        raise FigureError(junk)
    [(minus, value)] = _signed(tokens, grouping=False, junk=junk)
    if minus:
        raise FigureError(FigureProblem.NEGATIVE)
    if value > 100:
        raise FigureError(FigureProblem.ABOVE_100, {"value": str(value)})
    return Figure(percent=value.quantize(PERCENT_QUANTUM, context=_CONTEXT))


def parse_count(text: str) -> Decimal:
    """One number of the two-step ratio entry (numerator or denominator): ≥ 0, "1.234" = 1234."""
    junk = FigureProblem.NOT_A_COUNT
    tokens, shape = _scan(text, junk)
    if _PERCENT in shape or _SLASH in shape or _NUM not in shape:
        raise FigureError(junk)
    if shape.count(_NUM) > 1:
        raise FigureError(FigureProblem.SEVERAL_NUMBERS)
    if not _COUNT_SHAPE.fullmatch(shape):
        raise FigureError(junk)
    [(minus, value)] = _signed(tokens, grouping=True, junk=junk)
    if minus:
        raise FigureError(FigureProblem.NEGATIVE)
    return value


# --- quick entry: /nhap 2015 1=45,5 2=12/30 -------------------------------------------------------


class QuickEntryProblem(StrEnum):
    """What was wrong with the arguments of the quick-entry command; values are English msgids."""

    NOTHING_GIVEN = N_(
        "Please write the figures after the command: the year (optional), then indicator number=value."
        " Example: {example}"
    )
    BAD_YEAR = N_(
        "“{token}” is not a valid year. Write the year first, with 4 digits from {first} to {last}. Example: {example}"
    )
    BAD_ITEM = N_(
        "“{token}” is not understood. Write each figure as indicator number=value without spaces"
        " (a ratio as 12/30). Example: {example}"
    )
    BAD_INDICATOR = N_("“{token}”: the indicator number must be a whole number from 1 to {last}. Example: {example}")
    DUPLICATE_INDICATOR = N_(
        "Indicator {indicator} is given more than once. Give each indicator only once. Example: {example}"
    )
    BAD_VALUE = N_("Indicator {indicator}: {problem}")


class QuickEntryError(ValueError):
    """Quick-entry arguments were refused; a wrong value keeps its indicator and its ``FigureError``."""

    def __init__(
        self,
        problem: QuickEntryProblem,
        values: Mapping[str, str] | None = None,
        *,
        indicator: int | None = None,
        figure_error: FigureError | None = None,
    ) -> None:
        self.problem = problem
        self.values: dict[str, str] = dict(values or {})
        if indicator is not None:
            self.values["indicator"] = str(indicator)
        self.indicator = indicator
        self.figure_error = figure_error
        detail = f" ({figure_error})" if figure_error is not None else ""
        super().__init__(f"{problem.name} {self.values}{detail}")

    def describe(self, translator: Translator) -> str:
        values = {"example": QUICK_ENTRY_EXAMPLE, **self.values}
        if self.figure_error is not None:
            values["problem"] = self.figure_error.describe(translator)
        return _render(translator, self.problem.value, values)


@dataclass(frozen=True, slots=True)
class QuickEntry:
    """The year if one was given first, and (indicator number, figure) in the order typed."""

    year: int | None
    items: tuple[tuple[int, Figure], ...]


_DIGITS = re.compile(r"[0-9]+")
_ITEM = re.compile(r"(?P<number>[^=:]*)[=:](?P<value>.*)", re.DOTALL)


def _quoted(token: str) -> str:
    """A wrong item as it can safely be quoted back: printable and short."""
    printable = "".join(ch for ch in token if not unicodedata.category(ch).startswith("C"))
    if len(printable) > _SHOWN_LENGTH:
        return printable[:_SHOWN_LENGTH] + "…"
    return printable


def parse_quick_entry(args: list[str]) -> QuickEntry:
    """Arguments of "/nhap 2015 1=45,5 2=12/30": optional year, then "N=value" or "N:value" items.

    Each item is one argument, so a ratio is written "12/30" here (not "12 trên 30").
    """
    tokens = [normal for arg in args if (normal := unicodedata.normalize("NFKC", arg).translate(_INVISIBLE).strip())]
    year: int | None = None
    if tokens and _DIGITS.fullmatch(tokens[0]):
        first = tokens.pop(0)
        if len(first) != 4 or not MIN_YEAR <= int(first) <= MAX_YEAR:
            values = {"token": _quoted(first), "first": str(MIN_YEAR), "last": str(MAX_YEAR)}
            raise QuickEntryError(QuickEntryProblem.BAD_YEAR, values)
        year = int(first)
    if not tokens:
        raise QuickEntryError(QuickEntryProblem.NOTHING_GIVEN)
    items: dict[int, Figure] = {}
    for token in tokens:
        item = _ITEM.fullmatch(token.rstrip(";"))
        if item is None:
            raise QuickEntryError(QuickEntryProblem.BAD_ITEM, {"token": _quoted(token)})
        number_text = item["number"].strip()
        if not re.fullmatch(r"[0-9]{1,3}", number_text) or int(number_text) == 0:
            values = {"token": _quoted(token), "last": str(MAX_INDICATOR)}
            raise QuickEntryError(QuickEntryProblem.BAD_INDICATOR, values)
        number = int(number_text)
        if number in items:
            raise QuickEntryError(QuickEntryProblem.DUPLICATE_INDICATOR, indicator=number)
        try:
            items[number] = parse_figure(item["value"])
        except FigureError as error:
            raise QuickEntryError(QuickEntryProblem.BAD_VALUE, indicator=number, figure_error=error) from error
    return QuickEntry(year=year, items=tuple(items.items()))
