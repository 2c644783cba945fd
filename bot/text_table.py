"""Plain-text tables for the shell commands (an IT officer reads them in a terminal)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> str:
    """Columns wrapped to the given widths, separated by two spaces, header underlined."""
    if not (len(headers) == len(widths) and all(len(row) == len(headers) for row in rows)):
        raise ValueError("every row needs one cell per header")
    lines: list[str] = []
    for cells in (headers, *rows):
        wrapped = [
            textwrap.wrap(str(cell), width, break_long_words=False) or [""]
            for cell, width in zip(cells, widths, strict=True)
        ]
        height = max(len(column) for column in wrapped)
        for index in range(height):
            parts = [
                (column[index] if index < len(column) else "").ljust(width)
                for column, width in zip(wrapped, widths, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
        if cells is headers:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
