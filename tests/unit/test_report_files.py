"""The yearly compile's three files, read back the way the planning office opens them.

The workbook is reopened with openpyxl (real cells, formats, frozen header), the draft with
python-docx (title, "Kính gửi", tables, highlighted placeholders), the chart is checked as a PNG and
glyph by glyph against the font it is drawn with, and LibreOffice converts the two office files to
PDF as a stand-in for "it opens in an office suite".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import docx
import matplotlib
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Pt
from matplotlib.font_manager import findfont
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image

from bot.i18n import Translator, load_catalogs
from bot.reports.chart import (
    BAR_PITCH,
    BARS_DPI,
    FONT_FAMILY,
    FONT_FILE,
    SMALL_MULTIPLES_MAX,
    build_chart,
    render_chart,
)
from bot.reports.draft_report import build_draft_report
from bot.reports.files import DOCX_MIME, PNG_MIME, XLSX_MIME, ReportFiles, build_report_files, write_report_files
from bot.reports.model import TaskReport, YearSummary
from bot.reports.workbook import build_workbook, workbook_bytes
from bot.services.progress import STATUS_LABELS
from storage.enums import ProgressStatus
from tests.summary_sample import sample_summary

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUBJECT = "Kết quả thực hiện Kế hoạch hành động thực hiện Chiến lược quốc gia về tăng trưởng xanh năm 2015"


@pytest.fixture(scope="module")
def vi(compiled_locales: Path) -> Translator:
    return load_catalogs(compiled_locales).translator("vi")


@pytest.fixture(scope="module")
def summary() -> YearSummary:
    return sample_summary()


@pytest.fixture(scope="module")
def files(summary: YearSummary, vi: Translator) -> ReportFiles:
    return build_report_files(summary, vi)


@pytest.fixture(scope="module")
def book(files: ReportFiles) -> Workbook:
    return load_workbook(BytesIO(files.workbook.data))


@pytest.fixture(scope="module")
def document(files: ReportFiles) -> docx.document.Document:
    return docx.Document(BytesIO(files.report.data))


def _header(sheet: Worksheet) -> list[object]:
    return [cell.value for cell in sheet[1]]


def _rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


# --- the three files together ----------------------------------------------------------------


def test_files_have_ascii_names_and_types(files: ReportFiles) -> None:
    assert [(f.name, f.mime_type) for f in files.all()] == [
        ("tong-hop-2015.xlsx", XLSX_MIME),
        ("bieu-do-2015.png", PNG_MIME),
        ("bao-cao-2015.docx", DOCX_MIME),
    ]
    assert all(f.name.isascii() and f.data for f in files.all())


def test_write_report_files_creates_the_folder(files: ReportFiles, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "2015"
    paths = write_report_files(files, out)
    assert paths == [out / f.name for f in files.all()]
    assert [p.read_bytes() for p in paths] == [f.data for f in files.all()]
    assert sorted(p.name for p in out.iterdir()) == sorted(f.name for f in files.all())  # no temporary left


def test_a_summary_without_rows_still_gives_three_files(summary: YearSummary, vi: Translator) -> None:
    empty = dataclasses.replace(summary, indicators=(), task_groups=(), departments=(), progress_history=())
    built = build_report_files(empty, vi)
    assert built.chart.data.startswith(PNG_SIGNATURE)
    assert load_workbook(BytesIO(built.workbook.data)).sheetnames == ["Phụ lục I", "Phụ lục II", "Lịch sử"]
    text = "\n".join(p.text for p in docx.Document(BytesIO(built.report.data)).paragraphs)
    assert "Năm 2015 không có đơn vị nào đến hạn báo cáo." in text


# --- workbook --------------------------------------------------------------------------------


def test_sheets_in_annex_order(book: Workbook) -> None:
    assert book.sheetnames == ["Phụ lục I", "Phụ lục II", "Lịch sử"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"  # the header (row 1) stays in view
        assert str(sheet.auto_filter.ref).startswith("A1:")
        assert all(cell.font.b for cell in sheet[1])
        assert sheet["A1"].fill.fgColor.rgb not in (None, "00000000")
    assert "2015" in (book.properties.title or "")


def test_annex_one_mirrors_the_annex(book: Workbook, summary: YearSummary) -> None:
    sheet = book["Phụ lục I"]
    assert _header(sheet) == [
        "TT",
        "Nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian thực hiện",
        "Tình trạng",
        "Ghi chú",
        "Cập nhật lần cuối",
    ]
    rows = _rows(sheet)
    assert len(rows) == len(summary.task_groups) + len(summary.tasks)
    assert rows[0][:2] == ("I", "Nhiệm vụ chung")
    assert sheet["B2"].font.b  # a group row, bold like the annex
    first = rows[1]
    assert first[:5] == (
        "I.1",
        "Xây dựng chương trình kế hoạch hành động và chỉ đạo thực hiện chiến lược tăng trưởng xanh",
        "Sở Kế hoạch và Đầu tư",
        "Các cơ quan có liên quan",
        "Quý II/2013",
    )
    assert first[5] == "Hoàn thành"
    assert first[6] == "Sở Kế hoạch và Đầu tư: Đã ban hành Kế hoạch theo Quyết định số 514/QĐ-UBND"
    # 02:30 UTC is 09:30 in Vietnam; stored as a real (zone-less) Excel datetime.
    assert first[7] == dt.datetime(2015, 12, 10, 9, 30)
    assert sheet["H3"].number_format == "dd/mm/yyyy hh:mm"
    title = sheet["B3"]
    assert title.alignment.wrap_text
    assert title.alignment.vertical == "top"
    assert sheet.column_dimensions["B"].width >= 50
    assert (sheet.row_dimensions[3].height or 0) >= 30  # two lines: LibreOffice shows only stored heights


def test_annex_one_notes_name_every_reporting_department(book: Workbook) -> None:
    rows = {row[0]: row for row in _rows(book["Phụ lục I"])}
    assert rows["I.5"][6] == (
        "Báo Kon Tum (Hoàn thành): Đăng 12 tin, bài về tăng trưởng xanh\n"
        "Sở Thông tin và Truyền thông (Đang triển khai): Đã tổ chức 3 hội nghị tuyên truyền"
    )
    assert rows["I.3"][5:] == (None, None, None)  # nobody reported


def test_annex_two_stores_numbers_with_a_percent_format(book: Workbook) -> None:
    sheet = book["Phụ lục II"]
    assert _header(sheet) == [
        "TT",
        "Chỉ tiêu",
        "Đơn vị thực hiện",
        "Thời gian thực hiện",
        "Năm 2013",
        "Năm 2014",
        "Năm 2015",
        "Mục tiêu (năm 2020)",
        "Tiến độ so với mục tiêu (năm 2015)",
    ]
    value = sheet["G2"]  # indicator 1, 2015: 45,5%
    assert value.value == pytest.approx(0.455)
    assert value.number_format == "0.0%"
    assert sheet["H2"].value == pytest.approx(1.0)
    assert sheet["I2"].value == pytest.approx(0.455)
    assert sheet["I2"].number_format == "0.0%"
    rows = {row[0]: row for row in _rows(sheet)}
    assert rows[2][5] is None  # no 2014 figure: an empty cell, not 0
    assert rows[3][6:9:2] == (None, None)  # no 2015 figure, so no progress either
    assert rows[4][6] == pytest.approx(0.625)  # the corrected version wins
    assert rows[6][7:9] == (None, None)  # the plan sets no target
    assert sheet["B2"].alignment.wrap_text


def test_history_has_every_version(book: Workbook, summary: YearSummary, vi: Translator) -> None:
    rows = _rows(book["Lịch sử"])
    figures = [row for row in rows if row[0] == "Số liệu chỉ tiêu"]
    progress = [row for row in rows if row[0] == "Tiến độ nhiệm vụ"]
    assert len(figures) == sum(len(line.versions) for line in summary.indicators) == 16
    assert len(progress) == len(summary.progress_history) == 7
    corrected = [row for row in figures if row[1] == 4 and row[3] == 2015]
    assert [(row[4], row[5]) for row in corrected] == [(1, pytest.approx(0.6)), (2, pytest.approx(0.625))]
    assert corrected[1][12] == "Điều chỉnh theo số liệu của thành phố Kon Tum"
    imported = next(row for row in figures if row[1] == 3 and row[3] == 2013)
    assert imported[10] == "(hệ thống hoặc nhập từ tệp)"
    blocked = [row for row in progress if row[1] == "II.4"]
    assert [(row[4], row[8]) for row in blocked] == [
        (1, vi.gettext(STATUS_LABELS[ProgressStatus.IN_PROGRESS])),
        (2, vi.gettext(STATUS_LABELS[ProgressStatus.BLOCKED])),
    ]
    assert all(isinstance(row[11], dt.datetime) and row[11].tzinfo is None for row in rows)


def test_officer_text_is_never_a_formula(summary: YearSummary, vi: Translator) -> None:
    group = summary.task_groups[0]
    task = group.tasks[0]
    report = TaskReport("Sở Tài chính", ProgressStatus.IN_PROGRESS, '=HYPERLINK("x")\x0b', "An", task.reports[0].at, 1)
    tampered = dataclasses.replace(
        summary,
        task_groups=(dataclasses.replace(group, tasks=(dataclasses.replace(task, reports=(report,)),)),),
    )
    sheet = load_workbook(BytesIO(workbook_bytes(tampered, vi)))["Phụ lục I"]
    assert sheet["G3"].value == 'Sở Tài chính: =HYPERLINK("x")'
    assert sheet["G3"].data_type == "s"
    dangerous = dataclasses.replace(report, department="=SUM(1)", note=None)
    tampered = dataclasses.replace(
        tampered,
        progress_history=(),
        task_groups=(dataclasses.replace(group, tasks=(dataclasses.replace(task, reports=(dangerous, report)),)),),
    )
    built = build_workbook(tampered, vi)
    assert built["Phụ lục I"]["G3"].data_type == "s"


def test_officer_text_with_markup_and_control_characters(summary: YearSummary, vi: Translator) -> None:
    group = summary.task_groups[0]
    task = group.tasks[0]
    note = 'Thiếu <kinh phí> & "đất"\x0b\x01\r\nchờ ý kiến'
    report = TaskReport("Sở Tài chính", ProgressStatus.BLOCKED, note, "An", task.reports[0].at, 1)
    tampered = dataclasses.replace(
        summary,
        task_groups=(dataclasses.replace(group, tasks=(dataclasses.replace(task, reports=(report,)),)),),
    )
    document = docx.Document(BytesIO(build_draft_report(tampered, vi)))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Nhiệm vụ")
    assert table.rows[2].cells[4].text == 'Sở Tài chính: Thiếu <kinh phí> & "đất" chờ ý kiến'
    assert any('Thiếu <kinh phí> & "đất"' in p.text for p in document.paragraphs)  # section V quotes it
    sheet = load_workbook(BytesIO(workbook_bytes(tampered, vi)))["Phụ lục I"]
    assert sheet["G3"].value == 'Sở Tài chính: Thiếu <kinh phí> & "đất" chờ ý kiến'


def test_english_files(summary: YearSummary, compiled_locales: Path) -> None:
    en = load_catalogs(compiled_locales).translator("en")
    built = build_report_files(summary, en)
    book = load_workbook(BytesIO(built.workbook.data))
    assert book.sheetnames == ["Annex I", "Annex II", "Version history"]
    assert _header(book["Annex I"])[:2] == ["No.", "Task"]
    text = "\n".join(p.text for p in docx.Document(BytesIO(built.report.data)).paragraphs)
    assert "of 16 July 2013" in text
    assert built.chart.data.startswith(PNG_SIGNATURE)


def test_national_scale_workbook_and_draft(vi: Translator) -> None:
    big = sample_summary(scale=34)
    assert (len(big.indicators), len(big.tasks)) == (204, 646)
    book = load_workbook(BytesIO(workbook_bytes(big, vi)))
    assert book["Phụ lục I"].max_row == 1 + 5 + 646
    assert book["Phụ lục II"].max_row == 1 + 204
    document = docx.Document(BytesIO(build_draft_report(big, vi)))
    tasks = next(t for t in document.tables if t.rows[0].cells[1].text == "Nhiệm vụ")
    assert len(tasks.rows) == 1 + 5 + 646


# --- draft report ----------------------------------------------------------------------------


def _all_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables[:1] + document.tables[-1:]:  # the heading and signature blocks
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_draft_has_the_administrative_heading(document: docx.document.Document) -> None:
    text = _all_text(document)
    for expected in (
        "ỦY BAN NHÂN DÂN TỈNH KON TUM",
        "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
        "Số: ……/BC-……",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kon Tum, ngày …… tháng …… năm ……",
        "BÁO CÁO",
        SUBJECT,
        "Kính gửi: Ủy ban nhân dân tỉnh",
        "Nơi nhận:",
        "- Bộ Kế hoạch và Đầu tư;",
        "- Lưu: VT.",
        "GIÁM ĐỐC",
    ):
        assert expected in text, expected
    opening = next(p.text for p in document.paragraphs if p.text.startswith("Thực hiện Quyết định"))
    assert opening.startswith("Thực hiện Quyết định số 514/QĐ-UBND ngày 16 tháng 7 năm 2013 của Ủy ban nhân dân tỉnh")
    assert opening.endswith("Sở Kế hoạch và Đầu tư báo cáo kết quả thực hiện năm 2015 như sau:")
    heading_table = document.tables[0]
    assert heading_table.style is None or heading_table.style.name == "Normal Table"  # no borders


def test_draft_indicator_table(document: docx.document.Document) -> None:
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Chỉ tiêu")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == [
        "TT",
        "Chỉ tiêu",
        "Đơn vị thực hiện",
        "Năm 2015",
        "Năm 2014",
        "Mục tiêu",
        "Tiến độ so với mục tiêu",
    ]
    assert len(rows) == 1 + 6
    assert rows[1][:2] == ["1", "Tỷ lệ các xã phường, thị trấn có các điểm thu gom rác thải, nước thải"]
    assert rows[1][3:] == ["45,5%", "38,2%", "100% (năm 2020)", "45,5%"]
    assert rows[3][3:] == ["chưa có số liệu", "8%", "40% (năm 2020)", "–"]
    assert rows[6][5] == "không quy định"


def test_draft_task_table_groups_the_tasks(
    document: docx.document.Document, summary: YearSummary, vi: Translator
) -> None:
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Nhiệm vụ")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Tình trạng", "Ghi chú"]
    assert len(rows) == 1 + len(summary.task_groups) + len(summary.tasks)
    groups = [row for row in rows if row[0] in ("I", "II", "III", "IV", "V")]
    assert [row[1] for row in groups] == [group.title for group in summary.task_groups]
    assert all(len(set(row[1:])) == 1 for row in groups)  # the title spans the row
    by_key = {row[0]: row for row in rows}
    assert by_key["I.1"][3] == "Hoàn thành"
    assert by_key["II.4"][3] == vi.gettext(STATUS_LABELS[ProgressStatus.BLOCKED])
    assert by_key["III.2"][3] == "Chưa báo cáo"
    assert by_key["I.5"][4].count("\n") == 1  # two departments, one line each
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeats on each page


def test_draft_lists_how_departments_reported(document: docx.document.Document) -> None:
    text = "\n".join(p.text for p in document.paragraphs)
    assert "- Báo cáo đúng hạn (2 đơn vị): Sở Kế hoạch và Đầu tư; Báo Kon Tum." in text
    assert "Sở Xây dựng (quá hạn 5 ngày)" in text
    assert "- Đã quá hạn nhưng chưa báo cáo (1 đơn vị): Sở Giao thông vận tải." in text
    assert "- Chưa đến hạn báo cáo (1 đơn vị): Sở Khoa học và Công nghệ." in text
    assert "Thiếu quỹ đất trong các cụm công nghiệp" in text  # section V quotes the blocked task


def test_draft_marks_what_the_office_must_write(document: docx.document.Document) -> None:
    paragraphs = [
        *document.paragraphs,
        *(p for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs),
    ]
    marked = [
        run.text
        for paragraph in paragraphs
        for run in paragraph.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW and run.italic
    ]
    assert len(marked) >= 6
    assert all(text.startswith("[") and text.endswith("]") for text in marked)
    assert any(text.startswith("[Cơ quan đầu mối viết phần đánh giá chung tại đây") for text in marked)


def test_draft_page_and_font(document: docx.document.Document) -> None:
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, stored in twips
    assert round(section.left_margin.mm) == 30  # Nghị định 30/2020: 30-35 mm binding side
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size in (Pt(13), Pt(14))
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:cs")) == "Times New Roman"


# --- chart -----------------------------------------------------------------------------------


def test_chart_is_a_png_of_sensible_size(files: ReportFiles) -> None:
    assert files.chart.data.startswith(PNG_SIGNATURE)
    with Image.open(BytesIO(files.chart.data)) as image:
        image.verify()
    with Image.open(BytesIO(files.chart.data)) as image:
        width, height = image.size
    assert 1000 <= width <= 2000
    assert 800 <= height <= 4000


def _drawn_texts(summary: YearSummary, vi: Translator) -> Iterator[tuple[str, str]]:
    """(text, font file) of everything written on the chart: matplotlib's texts and Pillow's."""
    chart = build_chart(summary, vi)
    chart.figure.canvas.draw()  # tick labels exist only once drawn
    for text in chart.figure.findobj(Text):
        if text.get_visible() and text.get_text().strip():
            yield text.get_text(), findfont(text.get_fontproperties(), fallback_to_default=False)
    for overlay in chart.overlays:
        yield overlay.text, str(overlay.font_path)


@pytest.mark.parametrize("scale", [1, 3], ids=["small-multiples", "bars"])
def test_every_drawn_character_has_a_glyph(vi: Translator, scale: int) -> None:
    summary = sample_summary(scale=scale)
    assert (len(summary.indicators) > SMALL_MULTIPLES_MAX) == (scale > 1)
    charmaps: dict[str, dict[int, int]] = {}
    drawn = ""
    for text, path in _drawn_texts(summary, vi):
        assert Path(path).name.startswith("DejaVuSans"), (text, path)
        charmap = charmaps.setdefault(path, FT2Font(path).get_charmap())
        missing = {char for char in text if char != "\n" and ord(char) not in charmap}
        assert not missing, (text, missing)
        drawn += text + "\n"
    assert "Tỷ lệ các khu, cụm công nghiệp" in drawn  # Vietnamese names are really drawn
    assert "45,5%" in drawn  # percentages with a decimal comma
    if scale == 1:
        assert "Chỉ tiêu 1: Tỷ lệ các xã phường" in drawn
        assert "Mục tiêu 100% (2020)" in drawn
    else:
        assert "Tiến độ so với mục tiêu năm 2015" in drawn
        assert "3. Tỷ lệ đô thị loại IV" in drawn
        assert "chưa có số liệu" in drawn


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("scale", [1, 3], ids=["small-multiples", "bars"])
def test_rendering_warns_of_no_missing_glyph(vi: Translator, scale: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = render_chart(sample_summary(scale=scale), vi)
    assert data.startswith(PNG_SIGNATURE)


def test_bar_chart_grows_with_the_indicators(vi: Translator) -> None:
    """Beyond a dozen indicators each one gets a bar of fixed height, so labels never overlap."""
    summary = sample_summary(scale=3)
    with Image.open(BytesIO(render_chart(summary, vi))) as image:
        _width, height = image.size
    assert height >= len(summary.indicators) * BAR_PITCH * BARS_DPI


VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"


@pytest.mark.parametrize("name", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_the_bundled_font_has_every_vietnamese_letter(name: str) -> None:
    """The chart needs no system font: matplotlib's own DejaVu Sans covers Vietnamese."""
    assert FONT_FAMILY == "DejaVu Sans"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    assert path.parent == FONT_FILE.parent  # the file the chart's Pillow texts use
    charmap = FT2Font(str(path)).get_charmap()
    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    assert [letter for letter in letters if ord(letter) not in charmap] == []


# --- LibreOffice ------------------------------------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed; CI must install it")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def test_libreoffice_opens_the_workbook_and_the_draft(files: ReportFiles, tmp_path: Path) -> None:
    soffice = _soffice()
    inputs = [tmp_path / files.workbook.name, tmp_path / files.report.name]
    for path, item in zip(inputs, (files.workbook, files.report), strict=True):
        path.write_bytes(item.data)
    out = tmp_path / "pdf"
    # One LibreOffice start for both files; a private profile so a running office is never touched.
    result = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, inputs),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    for path in inputs:
        pdf = out / f"{path.stem}.pdf"
        assert pdf.exists(), (result.returncode, result.stdout, result.stderr)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        assert len(data) > 5_000
