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
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Final
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.formatting import DISPLAY_TZ
from bot.gcpause import collector_paused
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

# Named cell styles, each resolved once per workbook to the style array its cells are made with: a
# national workbook has 130,000 history cells, and looking the style up per cell doubled its build time.
TEXT = "Greenbot text"
CENTER = "Greenbot centred"
PERCENT = "Greenbot percent"
NUMBER = "Greenbot number"
DATETIME = "Greenbot date and time"
HEADER = "Greenbot header"
GROUP = "Greenbot group"
GROUP_CENTER = "Greenbot group centred"


def _add_styles(workbook: Workbook) -> dict[str, StyleArray]:
    """Register the named styles; name → the style array a cell of that style carries."""
    thin = Side(style="thin", color="FFBFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(wrap_text=True, vertical="top")
    top_center = Alignment(wrap_text=True, vertical="top", horizontal="center")
    bold = Font(bold=True)
    group_fill = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
    header_fill = PatternFill(fill_type="solid", start_color="FFD9EAD3", end_color="FFD9EAD3")
    header_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
    arrays: dict[str, StyleArray] = {}
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
        arrays[style.name] = style.as_tuple()
    return arrays


@dataclass(frozen=True, slots=True)
class _Column:
    header: str
    width: float
    style: str = TEXT


def build_workbook(summary: YearSummary, translator: Translator) -> Workbook:
    """The three sheets "Annex I", "Annex II" and "Version history" (vi: "Lịch sử"), in that order."""
    _ = translator.gettext
    workbook = Workbook()
    blank = workbook.active
    styles = _add_styles(workbook)
    _fill_annex_one(_SheetWriter(workbook, _("Annex I"), styles), summary, translator)
    _fill_annex_two(_SheetWriter(workbook, _("Annex II"), styles), summary, translator)
    _fill_history(_SheetWriter(workbook, _("Version history"), styles), summary, translator)
    if blank is not None:
        workbook.remove(blank)

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
    with collector_paused():  # the cells are all alive until saved: nothing for the collector to find
        build_workbook(summary, translator).save(buffer)
    return buffer.getvalue()


# --- the sheets ------------------------------------------------------------------------------


def _fill_annex_one(sheet: _SheetWriter, summary: YearSummary, translator: Translator) -> None:
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
    sheet.header(columns)
    for group in summary.task_groups:
        sheet.group_row(columns, group.code, group.title)
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
            sheet.row(columns, values)
    sheet.finish(len(columns))


def _fill_annex_two(sheet: _SheetWriter, summary: YearSummary, translator: Translator) -> None:
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
    sheet.header(columns)
    for line in summary.indicators:
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
        sheet.row(columns, values)
    sheet.finish(len(columns))


def _fill_history(sheet: _SheetWriter, summary: YearSummary, translator: Translator) -> None:
    """Every figure version, then every progress version: who entered what, and when.

    A log of thousands of rows, read on screen and filtered rather than printed: its empty cells are
    left out (no border), which keeps a national workbook's build time down by a fifth.
    """
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
    sheet.header(columns)
    system = _("(system or import)")
    figure_kind = _("Indicator figure")
    for line in summary.indicators:
        name = _text(line.name)
        for version in line.versions:
            values: list[CellValue] = [
                figure_kind,
                line.number,
                name,
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
            sheet.row(columns, values, blanks=False)
    titles = {task.key: _text(task.title) for task in summary.tasks}
    progress_kind = _("Task progress")
    for item in summary.progress_history:
        values = [
            progress_kind,
            item.task_key,
            titles.get(item.task_key, ""),
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
        sheet.row(columns, values, blanks=False)
    sheet.finish(len(columns))


# --- cells -----------------------------------------------------------------------------------


class _SheetWriter:
    """One sheet, written top to bottom: a header row, then data and group rows, then the filter."""

    def __init__(self, workbook: Workbook, title: str, styles: dict[str, StyleArray]) -> None:
        self.sheet: Worksheet = workbook.create_sheet(title[:31])  # Excel's limit on a sheet name
        self.styles = styles
        self.last_row = 0

    def _append(
        self, cells: Iterable[tuple[CellValue, str]], heights: Iterable[tuple[CellValue, float]], *, blanks: bool = True
    ) -> None:
        """One row of (value, named style); its height from (text, column width). Without ``blanks``, an
        empty cell is left out rather than written with its border."""
        row = self.last_row = self.last_row + 1
        lines = _lines_needed(heights)
        if lines > 1:
            self.sheet.row_dimensions[row].height = lines * LINE_HEIGHT + 2
        self.sheet.append(
            [
                self._cell(row, column, value, style) if blanks or value is not None else None
                for column, (value, style) in enumerate(cells, start=1)
            ]
        )

    def _cell(self, row: int, column: int, value: CellValue, style: str) -> Cell:
        cell = Cell(self.sheet, row=row, column=column, value=value, style_array=copy(self.styles[style]))
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text typed by an officer is never a formula
        return cell

    def header(self, columns: Sequence[_Column]) -> None:
        sheet = self.sheet
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self._append(
            ((column.header, HEADER) for column in columns), ((column.header, column.width) for column in columns)
        )

    def row(self, columns: Sequence[_Column], values: Sequence[CellValue], *, blanks: bool = True) -> None:
        pairs = list(zip(columns, values, strict=True))
        cells = ((value, column.style) for column, value in pairs)
        self._append(cells, ((value, column.width) for column, value in pairs), blanks=blanks)

    def group_row(self, columns: Sequence[_Column], code: str, title: str) -> None:
        """A group heading ("I" | "Nhiệm vụ chung") shaded across the row, as in the annex; not merged,
        so sorting and filtering still work."""
        cells = [(code, GROUP_CENTER), (_text(title), GROUP), *((None, GROUP) for _ in columns[2:])]
        self._append(cells, [(title, columns[1].width)])

    def finish(self, width: int) -> None:
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{max(self.last_row, 1)}"


#: Points per line of 11-point Calibri, Excel's and LibreOffice's default cell font.
LINE_HEIGHT: Final = 15.0
#: How many "0" widths an average Vietnamese character takes, rounded up so text is never cut.
CHAR_WIDTH: Final = 1.0


def _lines_needed(cells: Iterable[tuple[CellValue, float]]) -> int:
    """How many lines of wrapped text a row needs.

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
    return lines


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
