"""Plain-text helpers for messages read on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

ELLIPSIS = "…"
#: Telegram's limit on one message's text (telegram.constants.MessageLimit.MAX_TEXT_LENGTH).
MESSAGE_LIMIT: Final = 4096


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + ELLIPSIS


def telegram_length(text: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units: an emoji such as 📊 counts twice."""
    return len(text.encode("utf-16-le")) // 2


def split_message(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks with newlines into messages of at most ``limit`` (Telegram-counted) characters.

    A block (a section, or lines that belong together) moves to the next message whole; a block
    longer than a message is split between its lines, and a single line longer than a whole
    message between its words: nothing is ever cut mid-word unless one word exceeds a message.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        pieces = [block] if telegram_length(block) <= limit else _lines_within(block, limit)
        for piece in pieces:
            candidate = f"{current}\n{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
                continue
            if current:
                messages.append(current)
            current = piece.lstrip("\n")  # a message does not open on the blank line that set its section apart
    if current:
        messages.append(current)
    return messages


#: How item lines begin (a bullet, or an indented detail); any other line introduces what follows it.
ITEM_STARTS: Final = ("•", " ")


def _lines_within(block: str, limit: int) -> list[str]:
    lines: list[str] = []
    for line in block.split("\n"):
        lines.extend(_words_within(line, limit) if telegram_length(line) > limit else [line])
    return _headings_with_what_follows(lines, limit)


def _headings_with_what_follows(lines: list[str], limit: int) -> list[str]:
    """A heading (or blank) line goes with the line after it, so a message never ends on "❌ Not submitted (20):"."""
    pieces: list[str] = []
    waiting: list[str] = []
    for line in lines:
        waiting.append(line)
        if not line.startswith(ITEM_STARTS):
            continue
        together = "\n".join(waiting)
        pieces.extend([together] if telegram_length(together) <= limit else waiting)
        waiting = []
    return pieces + waiting


def _longest_prefix(word: str, limit: int) -> int:
    """How many characters of ``word`` fit in ``limit`` UTF-16 units (at least one)."""
    used = 0
    for index, char in enumerate(word):
        used += telegram_length(char)
        if used > limit:
            return max(index, 1)
    return len(word)


def _words_within(line: str, limit: int) -> list[str]:
    """An over-long line cut at spaces; a single word longer than ``limit`` is the only thing cut."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        while telegram_length(word) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _longest_prefix(word, limit)
            pieces.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if telegram_length(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    pieces.append(current)
    return pieces
