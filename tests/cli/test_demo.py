"""`greenbot demo`: a simulated reporting year, offline, as the CI smoke test of the whole bot.

One run (about half a minute) plays the year through the real bot and an embedded emulator; the test then
reads the transcript for the moments the demo promises and opens the files the planning office received.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from PIL import Image

from bot.cli import EXIT_CONFIG, EXIT_OK, build_parser, main

LINE = re.compile(r"^\[(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d)\] (.+?) → (.+?): ")
FILES = ["bao-cao-2015.docx", "bieu-do-2015.png", "tong-hop-2015.xlsx"]
ADMIN, BUILDING, CITY = "Phạm Văn Hùng", "Lê Văn Cường", "Trần Thị Hoa"


def _messages(transcript: str) -> list[tuple[str, str, str]]:
    """(time stamp, "who → whom", the whole message with its indented lines)."""
    found: list[tuple[str, str, str]] = []
    for line in transcript.splitlines():
        match = LINE.match(line)
        if match:
            day, month, year, hour, minute, sender, receiver = match.groups()
            found.append((f"{year}{month}{day}{hour}{minute}", f"{sender} → {receiver}", line[match.end() :]))
        elif line.startswith("    ") and found:
            stamp, who, text = found[-1]
            found[-1] = (stamp, who, f"{text}\n{line[4:]}")
    return found


def _one(messages: list[tuple[str, str, str]], who: str, start: str) -> tuple[str, str]:
    """(time stamp, text) of the first message ``who`` sent that starts with ``start``."""
    hits = [(stamp, text) for stamp, sender, text in messages if sender == who and text.startswith(start)]
    assert hits, f"{who}: nothing starts with {start!r}"
    return hits[0]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, compiled_locales: Path) -> tuple[int, str, str, Path]:
    """One run for the module: (exit code, stdout, stderr, output folder).

    The environment points at a token and a Telegram address that do not exist: the demo must ignore both.
    """
    out = tmp_path_factory.mktemp("demo") / "out"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LOCALES_DIR", str(compiled_locales))
        env.setenv("TELEGRAM_BOT_TOKEN", "123456:not-a-real-token")
        env.setenv("TELEGRAM_BASE_URL", "http://192.0.2.1/bot")  # TEST-NET-1: never reachable
        env.setenv("DATABASE_URL", "postgresql://nobody@192.0.2.1/none")
        env.chdir(out.parent)
        capture = io.StringIO(), io.StringIO()
        env.setattr("sys.stdout", capture[0])
        env.setattr("sys.stderr", capture[1])
        code = main(["demo", "--out", str(out)])
    return code, capture[0].getvalue(), capture[1].getvalue(), out


def test_the_demo_exits_0_and_prints_the_transcript_it_writes(demo_run: tuple[int, str, str, Path]) -> None:
    code, stdout, stderr, out = demo_run
    assert code == EXIT_OK, stderr
    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    assert stdout.startswith(transcript)
    for name in ["transcript.txt", *FILES]:
        assert f"  {out / name}" in stdout
    assert "Traceback" not in stderr


def test_every_line_is_a_timed_chat_line_in_order(demo_run: tuple[int, str, str, Path]) -> None:
    transcript = (demo_run[3] / "transcript.txt").read_text(encoding="utf-8")
    stamps = []
    for line in transcript.splitlines():
        if not line or line.startswith(("    ", "=== ")):
            continue
        match = LINE.match(line)
        assert match, line
        assert "Bot" in (match.group(6), match.group(7)), line
        day, month, year, hour, minute = match.groups()[:5]
        stamps.append(f"{year}{month}{day}{hour}{minute}")
    assert stamps == sorted(stamps)  # as things happened
    assert stamps[0] == "201501050801"
    assert stamps[-1] == "201512180830"  # the rounds run at 08:30 in Asia/Ho_Chi_Minh


def test_the_transcript_shows_each_moment_of_the_year(demo_run: tuple[int, str, str, Path]) -> None:
    messages = _messages((demo_run[3] / "transcript.txt").read_text(encoding="utf-8"))

    # The admin invites two departments; both invitations are accepted.
    _one(messages, f"{ADMIN} → Bot", "/moi SXD")
    _one(messages, f"{ADMIN} → Bot", "/moi TPKONTUM")
    _, prompt = _one(messages, f"Bot → {BUILDING}", "Anh/chị sẽ đăng ký làm cán bộ đầu mối của Sở Xây dựng.")
    assert prompt.endswith("[Đúng] [Nhập tên khác]")
    joined = "Đăng ký thành công: anh/chị là cán bộ đầu mối của"
    assert _one(messages, f"Bot → {BUILDING}", f"{joined} Sở Xây dựng.")[0] == "201501050812"
    _one(messages, f"Bot → {CITY}", f"{joined} Ủy ban nhân dân thành phố Kon Tum.")

    # Reminders go out by themselves, a month before the deadline of 15/12.
    stamp, reminder = _one(messages, f"Bot → {CITY}", "⏰ Nhắc nhở: sắp đến hạn nộp báo cáo.")
    assert stamp == "201511130830"
    assert "hạn 15/12/2015" in reminder
    assert reminder.endswith("[Nhập ngay]\n[Đã nhận] [Nhắc lại sau]")

    # The wrong input gets its explanation, then the figure is accepted and confirmed with its file.
    _one(messages, f"{BUILDING} → Bot", "bốn mươi lăm phẩy năm")
    error = [text for _, who, text in messages if who == f"Bot → {BUILDING}" and "Đây không phải là số" in text]
    assert len(error) == 1
    assert error[0].startswith("Đây không phải là số. Vui lòng chỉ dùng chữ số")
    _one(messages, f"{BUILDING} → Bot", "📎 bao-cao-chi-tieu-1-2015.pdf")
    _, review = _one(messages, f"Bot → {BUILDING}", "Đã nhận tệp: bao-cao-chi-tieu-1-2015.pdf.")
    assert review.endswith("[Xác nhận]\n[Sửa] [Hủy]")
    _one(
        messages,
        f"Bot → {BUILDING}",
        "Đã lưu. Số liệu năm 2015:\n• Chỉ tiêu 1: 45,5% (phiên bản 1, lúc 09:08 20/11/2015)",
    )

    # The correction is the second version.
    _one(messages, f"{BUILDING} → Bot", "/nhap 2015 1=47")
    _one(
        messages,
        f"Bot → {BUILDING}",
        "Đã lưu. Số liệu năm 2015:\n• Chỉ tiêu 1: 47% (phiên bản 2, lúc 09:02 02/12/2015)",
    )

    # The city is late: reminded as overdue, and the planning office is told on 16/12.
    stamp, _ = _one(messages, f"Bot → {CITY}", "⏰ Đã quá hạn: nội dung này chưa được nộp.")
    assert stamp == "201512160830"
    escalations = [
        (stamp, text)
        for stamp, who, text in messages
        if who == f"Bot → {ADMIN}" and text.startswith("⚠️") and "Ủy ban nhân dân thành phố Kon Tum" in text
    ]
    assert [stamp for stamp, _ in escalations] == ["201512160830"]  # once, the day after the deadline
    assert "Báo cáo năm 2015 (mục IV.3)" in escalations[0][1]
    _one(messages, f"{CITY} → Bot", "[Nhập ngay]")
    _one(messages, f"Bot → {CITY}", "Đã lưu: nhiệm vụ II.4, năm 2015: Đang triển khai (phiên bản 1")

    # The planning office receives the compile with its files, then the update once the city reported.
    compiles = [stamp for stamp, who, text in messages if who == f"Bot → {ADMIN}" and text.startswith("📊 Tổng hợp")]
    assert compiles == ["201512160830", "201512180830"]
    attachments = [text.split("\n")[0] for stamp, who, text in messages if who == f"Bot → {ADMIN}" and "📎" in text]
    assert attachments == [f"📎 {name}" for name in ("bieu-do-2015.png", "tong-hop-2015.xlsx", "bao-cao-2015.docx")] * 2


def test_the_compile_files_open(demo_run: tuple[int, str, str, Path]) -> None:
    out = demo_run[3]
    workbook = openpyxl.load_workbook(out / "tong-hop-2015.xlsx")
    annex_ii = workbook["Phụ lục II"]
    header = [cell.value for cell in annex_ii[1]]
    rows = {row[0].value: row for row in annex_ii.iter_rows(min_row=2)}
    assert rows[1][header.index("Năm 2015")].value == pytest.approx(0.47)  # the corrected figure
    assert rows[4][header.index("Năm 2015")].value == pytest.approx(0.4)  # 12/30
    document = Document(str(out / "bao-cao-2015.docx"))
    assert "tăng trưởng xanh năm 2015" in "\n".join(p.text for p in document.paragraphs)
    with Image.open(out / "bieu-do-2015.png") as chart:
        assert chart.format == "PNG"
        assert chart.size[0] > 100


def test_out_defaults_to_demo_output() -> None:
    assert build_parser().parse_args(["demo"]).out == "demo-output"


def test_without_catalogs_the_demo_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOCALES_DIR", str(tmp_path / "no-catalogs"))
    assert main(["demo", "--out", str(tmp_path / "out")]) == EXIT_CONFIG
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
