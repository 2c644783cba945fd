"""Splitting long messages: whole blocks move, long lines break between words."""

from __future__ import annotations

from bot.text import split_message, telegram_length


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


def test_a_heading_line_of_a_split_block_stays_with_the_line_after_it() -> None:
    """An over-long block is split between lines, never right after a heading such as "❌ Not submitted (3):"."""
    block = "\n".join(["", "🏢 REPORTS", "❌ Not submitted (3):", "• " + "a" * 30, "• " + "b" * 30, "• " + "c" * 30])
    for limit in range(66, 130):  # from the heading and its first item just fitting in one message
        messages = split_message(["intro " * 3, block], limit)
        assert "\n".join(messages).replace("\n", "") == ("intro " * 3 + block).replace("\n", "")
        for message in messages:
            assert telegram_length(message) <= limit
            last = message.splitlines()[-1]
            assert last.startswith("•") or last.startswith("intro"), (limit, messages)  # never a heading


def test_a_message_never_opens_on_a_blank_line() -> None:
    messages = split_message(["a" * 30, "\nSECTION\n• item"], 35)
    assert messages == ["a" * 30, "SECTION\n• item"]
