"""The yearly compile as an Excel workbook: the two annexes of the plan filled in, plus every version.

The planning office pastes from it into its own report and filters it, so the sheets mirror the
annex tables column for column, the header is always row 1 (frozen, filterable) and numbers stay
numbers: a percentage is stored as a fraction with a percent format (45.5 → 0.455 shown "45,5%"),
a time as a real Excel datetime in Vietnam's time (Excel has no time zones).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Final
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.formatting import DISPLAY_TZ
from bot.i18n import Translator
from bot.reports.model import HUNDRED, IndicatorLine, TaskLine, YearSummary
from bot.services.progress import STATUS_LABELS

__all__ = ["build_workbook", "task_note_lines", "workbook_bytes"]

PERCENT_FORMAT = "0.0%"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
NUMBER_FORMAT = "#,##0.##"

#: What this module writes into a cell.
CellValue = str | int | float | dt.datetime | None

_TZ = ZoneInfo(DISPLAY_TZ)

# Named cell styles: one lookup per cell instead of hashing four style objects per cell, which
# is what keeps a national-size workbook (200 indicators, 650 tasks) well under a second.
TEXT = "Greenbot text"
CENTER = "Greenbot centred"
PERCENT = "Greenbot percent"
NUMBER = "Greenbot number"
DATETIME = "Greenbot date and time"
HEADER = "Greenbot header"
GROUP = "Greenbot group"
GROUP_CENTER = "Greenbot group centred"


def _add_styles(workbook: Workbook) -> None:
    thin = Side(style="thin", color="FFBFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(wrap_text=True, vertical="top")
    top_center = Alignment(wrap_text=True, vertical="top", horizontal="center")
    bold = Font(bold=True)
    group_fill = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
    header_fill = PatternFill(fill_type="solid", start_color="FFD9EAD3", end_color="FFD9EAD3")
    header_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for style in (
        NamedStyle(TEXT, alignment=top, border=border),
        NamedStyle(CENTER, alignment=top_center, border=border),
        NamedStyle(PERCENT, alignment=top, border=border, number_format=PERCENT_FORMAT),
        NamedStyle(NUMBER, alignment=top, border=border, number_format=NUMBER_FORMAT),
        NamedStyle(DATETIME, alignment=top_center, border=border, number_format=DATETIME_FORMAT),
        NamedStyle(HEADER, font=bold, fill=header_fill, alignment=header_align, border=border),
        NamedStyle(GROUP, font=bold, fill=group_fill, alignment=top, border=border),
        NamedStyle(GROUP_CENTER, font=bold, fill=group_fill, alignment=top_center, border=border),
    ):
        workbook.add_named_style(style)


@dataclass(frozen=True, slots=True)
class _Column:
    header: str
    width: float
    style: str = TEXT


def build_workbook(summary: YearSummary, translator: Translator) -> Workbook:
    """The three sheets "Annex I", "Annex II" and "Version history" (vi: "Lịch sử"), in that order."""
    _ = translator.gettext
    workbook = Workbook()
    _add_styles(workbook)
    _fill_annex_one(_sheet(workbook.active, _("Annex I")), summary, translator)
    _fill_annex_two(_sheet(workbook.create_sheet(), _("Annex II")), summary, translator)
    _fill_history(_sheet(workbook.create_sheet(), _("Version history")), summary, translator)

    subject = _("Results of the {year} implementation of the green growth action plan").format(year=summary.year)
    props = workbook.properties
    props.title = subject
    props.subject = summary.heading.title
    props.creator = summary.heading.planning_office
    props.description = _("{plan}, issued with Decision No. {number}").format(
        plan=summary.heading.title, number=summary.heading.decision_number
    )
    props.keywords = str(summary.year)
    compiled = summary.compiled_at.astimezone(dt.UTC).replace(tzinfo=None)
    props.created = compiled
    props.modified = compiled
    for sheet in workbook.worksheets:
        header, footer = HeaderFooterItem(), HeaderFooterItem()
        header.center.text = _escape_header(subject)
        footer.left.text = _escape_header(summary.heading.planning_office)
        footer.right.text = _("Page &P of &N")
        sheet.oddHeader, sheet.oddFooter = header, footer
    return workbook


def workbook_bytes(summary: YearSummary, translator: Translator) -> bytes:
    """The workbook as an .xlsx file's content, ready to send or write."""
    buffer = BytesIO()
    build_workbook(summary, translator).save(buffer)
    return buffer.getvalue()


# --- the sheets ------------------------------------------------------------------------------


def _fill_annex_one(sheet: Worksheet, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    columns = (
        _Column(translator.pgettext("annex column", "No."), 7, CENTER),
        _Column(_("Task"), 60),
        _Column(_("Lead agency"), 28),
        _Column(_("Coordinating agencies"), 32),
        _Column(_("Timeframe"), 22),
        _Column(_("Status"), 16),
        _Column(_("Notes"), 50),
        _Column(_("Last updated"), 17, DATETIME),
    )
    _header(sheet, columns)
    row = 2
    for group in summary.task_groups:
        _group_row(sheet, row, len(columns), group.code, group.title)
        row += 1
        for task in group.tasks:
            latest = task.latest
            values: list[CellValue] = [
                task.key,
                _text(task.title),
                _text(task.lead_text),
                _text(task.coordinators_text),
                _text(task.timeframe),
                _(STATUS_LABELS[latest.status]) if latest else None,
                _notes(task, translator),
                _local(latest.at) if latest else None,
            ]
            _data_row(sheet, row, columns, values)
            row += 1
    _finish(sheet, row - 1, len(columns))


def _fill_annex_two(sheet: Worksheet, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    target_years = {line.target_year for line in summary.indicators if line.target_year is not None}
    one_target_year = len(target_years) <= 1
    if target_years and one_target_year:
        target_header = _("Target (by {year})").format(year=next(iter(target_years)))
    else:
        target_header = _("Target")
    columns = [
        _Column(translator.pgettext("annex column", "No."), 7, CENTER),
        _Column(_("Indicator"), 60),
        _Column(_("Responsible unit"), 34),
        _Column(_("Timeframe"), 14, CENTER),
        *(_Column(_("Year {year}").format(year=year), 11, PERCENT) for year in summary.years),
        _Column(target_header, 14, PERCENT),
    ]
    if not one_target_year:
        columns.append(_Column(_("Target year"), 10, CENTER))
    columns.append(_Column(_("Progress toward target ({year})").format(year=summary.year), 16, PERCENT))
    _header(sheet, columns)

    for row, line in enumerate(summary.indicators, start=2):
        values: list[CellValue] = [
            line.number,
            _text(line.name),
            _text(line.responsible_text),
            _text(line.timeframe_text),
            *(_fraction(_value(line, year)) for year in summary.years),
            _fraction(line.target),
        ]
        if not one_target_year:
            values.append(line.target_year)
        values.append(_fraction(line.progress(summary.year)))
        _data_row(sheet, row, columns, values)
    _finish(sheet, len(summary.indicators) + 1, len(columns))


def _fill_history(sheet: Worksheet, summary: YearSummary, translator: Translator) -> None:
    """Every figure version, then every progress version: who entered what, and when."""
    _ = translator.gettext
    columns = (
        _Column(_("Kind"), 16),
        _Column(translator.pgettext("annex column", "No."), 8, CENTER),
        _Column(_("Indicator or task"), 50),
        _Column(_("Year"), 8, CENTER),
        _Column(_("Version"), 9, CENTER),
        _Column(_("Value"), 11, PERCENT),
        _Column(_("Numerator"), 11, NUMBER),
        _Column(_("Denominator"), 11, NUMBER),
        _Column(_("Status"), 16),
        _Column(_("Department"), 30),
        _Column(_("Entered by"), 22),
        _Column(_("Entered at"), 17, DATETIME),
        _Column(_("Note"), 40),
    )
    _header(sheet, columns)
    system = _("(system or import)")
    row = 2
    figure_kind = _("Indicator figure")
    for line in summary.indicators:
        for version in line.versions:
            values: list[CellValue] = [
                figure_kind,
                line.number,
                _text(line.name),
                version.year,
                version.version,
                _fraction(version.value),
                _number(version.numerator),
                _number(version.denominator),
                None,
                _text(version.department),
                _text(version.officer) if version.officer else system,
                _local(version.at),
                _text(version.note) if version.note else None,
            ]
            _data_row(sheet, row, columns, values)
            row += 1
    titles = {task.key: task.title for task in summary.tasks}
    progress_kind = _("Task progress")
    for item in summary.progress_history:
        values = [
            progress_kind,
            item.task_key,
            _text(titles.get(item.task_key, "")),
            summary.year,
            item.version,
            None,
            None,
            None,
            _(STATUS_LABELS[item.status]),
            _text(item.department),
            _text(item.officer) if item.officer else system,
            _local(item.at),
            _text(item.note) if item.note else None,
        ]
        _data_row(sheet, row, columns, values)
        row += 1
    _finish(sheet, row - 1, len(columns))


# --- cells -----------------------------------------------------------------------------------


def _sheet(sheet: Worksheet | None, title: str) -> Worksheet:
    if sheet is None:  # pragma: no cover - a new Workbook always has an active sheet
        raise RuntimeError("the workbook has no sheet")
    sheet.title = title[:31]  # Excel's limit on a sheet name
    return sheet


def _header(sheet: Worksheet, columns: Sequence[_Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.style = HEADER
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    _fit_height(sheet, 1, ((column.header, column.width) for column in columns))
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _data_row(sheet: Worksheet, row: int, columns: Sequence[_Column], values: Sequence[CellValue]) -> None:
    for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
        cell = sheet.cell(row=row, column=index)
        _set(cell, value)
        cell.style = column.style
    _fit_height(sheet, row, ((value, column.width) for column, value in zip(columns, values, strict=True)))


def _group_row(sheet: Worksheet, row: int, width: int, code: str, title: str) -> None:
    """A group heading ("I" | "Nhiệm vụ chung") shaded across the row, as in the annex; not merged,
    so sorting and filtering still work."""
    for index in range(1, width + 1):
        sheet.cell(row=row, column=index).style = GROUP_CENTER if index == 1 else GROUP
    _set(sheet.cell(row=row, column=1), code)
    _set(sheet.cell(row=row, column=2), _text(title))
    column_b = sheet.column_dimensions["B"].width
    _fit_height(sheet, row, [(title, column_b)])


#: Points per line of 11-point Calibri, Excel's and LibreOffice's default cell font.
LINE_HEIGHT: Final = 15.0
#: How many "0" widths an average Vietnamese character takes, rounded up so text is never cut.
CHAR_WIDTH: Final = 1.0


def _fit_height(sheet: Worksheet, row: int, cells: Iterable[tuple[CellValue, float]]) -> None:
    """Give a row with wrapped text the height it needs.

    LibreOffice shows a row without a stored height at one line, so long titles would be cut; the
    height is estimated from the text length and the column width (counted in widths of "0"),
    erring on the tall side.
    """
    lines = 1
    for value, width in cells:
        if isinstance(value, str) and value:
            usable = max(width - 1.0, 1.0)
            needed = sum(max(1, math.ceil(len(part) * CHAR_WIDTH / usable)) for part in value.split("\n"))
            lines = max(lines, needed)
    if lines > 1:
        sheet.row_dimensions[row].height = lines * LINE_HEIGHT + 2


def _finish(sheet: Worksheet, last_row: int, width: int) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{max(last_row, 1)}"


def _set(cell: Cell | MergedCell, value: CellValue) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text typed by an officer is never a formula


def _text(value: str | None) -> str | None:
    """Drop the control characters Excel refuses (they can arrive in a Telegram note)."""
    return None if value is None else ILLEGAL_CHARACTERS_RE.sub("", value)


def _escape_header(text: str) -> str:
    """ "&" starts a code in Excel's header and footer; keep within its 255-character limit."""
    return text.replace("&", "&&")[:120]


def _notes(task: TaskLine, translator: Translator) -> str | None:
    return _text("\n".join(task_note_lines(task, translator))) or None


def task_note_lines(task: TaskLine, translator: Translator) -> list[str]:
    """One line per reporting department: "Department: note". When several departments report on
    the task, each line also names that department's status ("Department (In progress): note"),
    since the status column can only show the latest one."""
    several = len(task.reports) > 1
    lines: list[str] = []
    for report in task.reports:
        who = report.department
        if several:
            who = f"{who} ({translator.gettext(STATUS_LABELS[report.status])})"
        if report.note:
            lines.append(f"{who}: {' '.join(ILLEGAL_CHARACTERS_RE.sub('', report.note).split())}")
        elif several:
            lines.append(who)
    return lines


def _value(line: IndicatorLine, year: int) -> Decimal | None:
    figure = line.figure(year)
    return None if figure is None else figure.value


def _fraction(percent: Decimal | None) -> float | None:
    """45.5 (percent) → 0.455, what Excel's percent format expects."""
    return None if percent is None else float(percent / HUNDRED)


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _local(at: dt.datetime) -> dt.datetime:
    """Vietnam's wall-clock time, without a zone (Excel cannot store one)."""
    return at.astimezone(_TZ).replace(tzinfo=None, microsecond=0)
