from __future__ import annotations

import pytest

from bot.text_table import render_table


def test_wraps_long_cells_and_underlines_header() -> None:
    text = render_table(["TT", "Nhiệm vụ"], [["I.1", "Xây dựng chương trình kế hoạch hành động"]], [4, 16])
    lines = text.splitlines()
    assert lines[0].startswith("TT")
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert "Xây dựng" in lines[2]
    assert len(lines) > 3  # the task text wrapped onto more lines
    assert all(len(line) <= 4 + 2 + 16 for line in lines)


def test_rows_must_match_headers() -> None:
    with pytest.raises(ValueError, match="one cell per header"):
        render_table(["a", "b"], [["only one"]], [3, 3])
