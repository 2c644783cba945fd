"""Splitting long messages: whole blocks move, long lines break between words."""

from __future__ import annotations

from bot.text import split_message


def test_blocks_move_whole_to_the_next_message() -> None:
    blocks = ["A" * 40, "B" * 40, "C" * 40]
    assert split_message(blocks, limit=90) == ["A" * 40 + "\n" + "B" * 40, "C" * 40]


def test_a_long_block_splits_between_lines_and_a_long_line_between_words() -> None:
    words = " ".join(f"từ{i}" for i in range(60))
    messages = split_message(["đầu", words], limit=50)
    assert all(len(m) <= 50 for m in messages)
    rejoined = " ".join(m.replace("\n", " ") for m in messages)
    assert rejoined.split() == ["đầu", *words.split()]  # every word whole, in order
    assert split_message(["x" * 120], limit=50) == ["x" * 50, "x" * 50, "x" * 20]  # only a giant word is cut


def test_length_is_counted_as_telegram_counts_it() -> None:
    """Emoji are two UTF-16 units: 2,048 of them fill a message, the 2,049th goes to the next."""
    messages = split_message(["📊" * 2048, "📊"], limit=4096)
    assert [len(m) for m in messages] == [2048, 1]
    assert split_message(["📊" * 3], limit=4) == ["📊📊", "📊"]  # a giant word is cut between characters
