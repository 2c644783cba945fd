"""A first draft of the planning office's yearly report, as a Word document it finishes by hand.

Section IV.3 of the plan: the departments report to the provincial People's Committee through the
planning office, which compiles their reports. This draft is that compiled report, laid out as
Nghị định 30/2020/NĐ-CP prescribes (national motto, issuing body, number, place and date, subject,
"Kính gửi", recipients, signature), with the indicator and task tables filled in from the data.
What only people can write (assessment, difficulties, proposals, the number and date, the
signature) is left as bracketed, italic, yellow-highlighted placeholders, so none of it can be
mistaken for finished text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Final
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from bot.i18n import Translator
from bot.reports.model import DeliveryState, DepartmentLine, IndicatorLine, TaskLine, YearSummary
from bot.reports.workbook import task_note_lines
from bot.services.progress import STATUS_LABELS
from bot.text import shorten
from storage.enums import ProgressStatus

__all__ = ["FONT_NAME", "build_draft_report"]

FONT_NAME: Final = "Times New Roman"
BODY_SIZE: Final = Pt(14)
TABLE_SIZE: Final = Pt(12)
TABLE_STYLE_NAME: Final = "Greenbot Table Text"
FIRST_LINE_INDENT: Final = Cm(1)
NO_SPACE: Final = Pt(0)


@dataclass(frozen=True, slots=True)
class _Layout:
    """The document and the paragraph style its tables use."""

    document: DocumentObject
    table_text: ParagraphStyle


def build_draft_report(summary: YearSummary, translator: Translator) -> bytes:
    """The draft as .docx bytes."""
    layout = _new_document(summary, translator)
    _heading_block(layout, summary, translator)
    _title_block(layout, summary, translator)
    _section_overview(layout, summary, translator)
    _section_indicators(layout, summary, translator)
    _section_tasks(layout, summary, translator)
    _section_departments(layout, summary, translator)
    _section_difficulties(layout, summary, translator)
    _section_proposals(layout, translator)
    _closing(layout, summary, translator)
    buffer = BytesIO()
    layout.document.save(buffer)
    return buffer.getvalue()


# --- page and styles -------------------------------------------------------------------------


def _new_document(summary: YearSummary, translator: Translator) -> _Layout:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    # Nghị định 30: page numbers centred in the top margin, from the second page on.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)

    _set_fonts(document, _language(translator))
    normal = document.styles["Normal"]
    if not isinstance(normal, ParagraphStyle):  # pragma: no cover - the template's Normal is one
        raise TypeError("the template's Normal style is not a paragraph style")
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    table_text = document.styles.add_style(TABLE_STYLE_NAME, WD_STYLE_TYPE.PARAGRAPH)
    if not isinstance(table_text, ParagraphStyle):  # pragma: no cover - add_style made a paragraph style
        raise TypeError("could not create the table text style")
    table_text.base_style = normal
    table_text.font.size = TABLE_SIZE
    table_text.paragraph_format.space_before = Pt(2)
    table_text.paragraph_format.space_after = Pt(2)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    _ = translator.gettext
    props = document.core_properties
    props.title = _subject(summary, translator)
    props.subject = summary.heading.title
    props.author = summary.heading.planning_office
    props.last_modified_by = summary.heading.planning_office
    props.keywords = str(summary.year)
    props.language = _language(translator)
    props.comments = _("Draft generated from the figures and progress reports of {year}.").format(year=summary.year)
    return _Layout(document=document, table_text=table_text)


def _language(translator: Translator) -> str:
    """The proofing language Word and LibreOffice spell-check the document in."""
    return {"vi": "vi-VN", "en": "en-US"}.get(translator.code, translator.code)


def _set_fonts(document: DocumentObject, language: str) -> None:
    """Times New Roman for every script (Word picks the east-asian or complex-script font for
    some Vietnamese characters when only the Latin one is set) and the document's language."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = [] if defaults is None else list(defaults.iter(qn("w:rPr")))
    normal = document.styles["Normal"].element
    targets.append(normal.get_or_add_rPr())
    for rpr in targets:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attribute in list(fonts.attrib):
            if attribute.endswith("Theme") or attribute.endswith("theme"):
                del fonts.attrib[attribute]  # a theme font would win over the name below
        for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(key), FONT_NAME)
        for key in ("w:sz", "w:szCs"):
            size = rpr.find(qn(key))
            if size is None:
                size = OxmlElement(key)
                rpr.append(size)
            size.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), language)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field, with "1" as the result shown until the application updates it."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# --- heading, title, recipient ---------------------------------------------------------------


def _heading_block(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    """Issuing body and number on the left, national motto, place and date on the right."""
    _ = translator.gettext
    heading = summary.heading
    table = _borderless_table(layout.document, (Cm(6.6), Cm(9.6)))
    left, right = table.rows[0].cells

    _line(left.paragraphs[0], _people_committee(summary).upper(), size=Pt(12))
    _line(left.add_paragraph(), heading.planning_office.upper(), size=Pt(12), bold=True)
    _rule(left.add_paragraph(), Cm(2))
    _line(left.add_paragraph(), _("No.: ……/BC-……"), size=Pt(13), space_before=Pt(6))

    _line(right.paragraphs[0], _("SOCIALIST REPUBLIC OF VIET NAM"), size=Pt(12), bold=True)
    _line(right.add_paragraph(), _("Independence - Freedom - Happiness"), size=Pt(13), bold=True)
    _rule(right.add_paragraph(), Cm(1.8))
    _line(
        right.add_paragraph(),
        _("{place}, date …… month …… year ……").format(place=heading.province),
        size=Pt(13),
        italic=True,
        space_before=Pt(6),
    )


def _title_block(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    document = layout.document
    _line(document.add_paragraph(), _("REPORT"), bold=True, space_before=Pt(18), space_after=Pt(0))
    subject = document.add_paragraph()
    _line(subject, _subject(summary, translator), bold=True, space_after=Pt(2))
    subject.paragraph_format.left_indent = subject.paragraph_format.right_indent = Cm(1)
    _rule(document.add_paragraph(), Cm(6.5))
    to = document.add_paragraph()
    _line(to, _("To: {recipient}").format(recipient=summary.heading.recipient), space_before=Pt(12), space_after=Pt(12))

    heading = summary.heading
    _body(
        document,
        _(
            "Pursuant to Decision No. {number} of {date} of the {issuer} issuing the {plan}, the {office} reports"
            " on the results of its implementation in {year} as follows:"
        ).format(
            number=heading.decision_number,
            date=translator.date_long(heading.decision_date),
            issuer=heading.issuing_body,
            plan=heading.title,
            office=heading.planning_office,
            year=summary.year,
        ),
    )


# --- sections --------------------------------------------------------------------------------


def _section_overview(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    _section_heading(layout.document, _("I. GENERAL SITUATION OF THE IMPLEMENTATION"))
    _placeholder(
        layout.document,
        _(
            "[The planning office writes its general assessment here: how the plan was directed, made known"
            " and funded in {year}, and its main results.]"
        ).format(year=summary.year),
    )


def _section_indicators(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    document = layout.document
    year = summary.year
    count = len(summary.indicators)
    _section_heading(document, _("II. RESULTS OF THE MONITORING INDICATORS (ANNEX II)"))
    counted = translator.ngettext(
        "{with_data} of {count} indicator has a figure for {year}",
        "{with_data} of {count} indicators have a figure for {year}",
        count,
    ).format(with_data=summary.indicators_with_data, count=count, year=year)
    _body(document, counted + ".")

    columns = (
        (translator.pgettext("annex column", "No."), Cm(1.1)),
        (_("Indicator"), Cm(4.5)),
        (_("Responsible unit"), Cm(2.9)),
        (_("Year {year}").format(year=year), Cm(1.8)),
        (_("Year {year}").format(year=year - 1), Cm(1.8)),
        (_("Target"), Cm(2.0)),
        (_("Progress toward target"), Cm(1.9)),
    )
    table = _data_table(layout, columns)
    no_figure = _("no figure yet")
    rows = [
        (
            _Spec(str(line.number), align=_CENTER),
            _Spec(line.name),
            _Spec(line.responsible_text),
            _Spec(_figure_text(line, year, translator, no_figure), align=_CENTER),
            _Spec(_figure_text(line, year - 1, translator, no_figure), align=_CENTER),
            _Spec(_target_text(line, translator), align=_CENTER),
            _Spec(_progress_text(line.progress(year), translator), align=_CENTER),
        )
        for line in summary.indicators
    ]
    _append_rows(table, layout, [width for _title, width in columns], rows)
    _source_note(document, summary, translator)
    _placeholder(
        document,
        _("[Comment on the indicators here: which are on track for their targets, which lag behind and why.]"),
    )


def _section_tasks(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    document = layout.document
    tasks = summary.tasks
    _section_heading(document, _("III. RESULTS OF THE TASKS (ANNEX I)"))
    reported = translator.ngettext(
        "{reported} of {count} task has a progress report for {year}",
        "{reported} of {count} tasks have a progress report for {year}",
        len(tasks),
    ).format(reported=summary.tasks_reported, count=len(tasks), year=summary.year)
    _body(document, reported + _status_counts(tasks, translator) + ".")

    columns = (
        (translator.pgettext("annex column", "No."), Cm(1.2)),
        (_("Task"), Cm(5.6)),
        (_("Lead agency"), Cm(3.0)),
        (_("Status"), Cm(2.2)),
        (_("Notes"), Cm(4.0)),
    )
    table = _data_table(layout, columns)
    not_reported = _("Not reported")
    rows: list[tuple[_Spec, ...]] = []
    for group in summary.task_groups:
        rows.append((_Spec(group.code, bold=True, align=_CENTER), _Spec(group.title, bold=True, span=len(columns) - 1)))
        for task in group.tasks:
            latest = task.latest
            rows.append(
                (
                    _Spec(task.key, align=_CENTER),
                    _Spec(task.title),
                    _Spec(task.lead_text),
                    _Spec(_(STATUS_LABELS[latest.status]) if latest else not_reported),
                    _Spec("\n".join(task_note_lines(task, translator))),
                )
            )
    _append_rows(table, layout, [width for _title, width in columns], rows)
    _placeholder(
        document,
        _("[Assess the tasks here: what was achieved, which tasks are behind schedule and why.]"),
    )


def _section_departments(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    document = layout.document
    _section_heading(document, _("IV. HOW THE DEPARTMENTS REPORTED"))
    on_time: list[str] = []
    late: list[str] = []
    missing: list[str] = []
    pending: list[str] = []
    for line in summary.departments:
        state = _verdict(line)
        if state is DeliveryState.MISSING:
            missing.append(line.name)
        elif state is DeliveryState.LATE:
            days = line.most_days_late
            how_late = translator.ngettext("{n} day late", "{n} days late", days).format(n=days)
            late.append(f"{line.name} ({how_late})")
        elif state is DeliveryState.ON_TIME:
            on_time.append(line.name)
        elif state is DeliveryState.PENDING:
            pending.append(line.name)
    groups = (
        (_("Reported on time ({count}): {names}."), on_time),
        (_("Reported late ({count}): {names}."), late),
        (_("Not reported although due ({count}): {names}."), missing),
        (_("Not yet due ({count}): {names}."), pending),
    )
    written = False
    for template, names in groups:
        if names:
            _body(document, "- " + template.format(count=len(names), names="; ".join(names)))
            written = True
    if not written:
        _body(document, _("No department had a reporting deadline in {year}.").format(year=summary.year))


def _section_difficulties(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    _ = translator.gettext
    document = layout.document
    _section_heading(document, _("V. DIFFICULTIES AND OBSTACLES"))
    blocked = [
        (task, report) for task in summary.tasks for report in task.reports if report.status is ProgressStatus.BLOCKED
    ]
    if blocked:
        _body(document, _("Difficulties the departments reported:"))
        for task, report in blocked:
            note = f": {report.note}" if report.note else ""
            _body(document, f"- {task.key} {shorten(task.title, 90)} ({report.department}){note}")
    _placeholder(document, _("[Describe the difficulties and obstacles here, and their causes.]"))


def _section_proposals(layout: _Layout, translator: Translator) -> None:
    _ = translator.gettext
    _section_heading(layout.document, _("VI. PROPOSALS AND RECOMMENDATIONS"))
    _placeholder(
        layout.document,
        _("[Write the proposals to the provincial People's Committee and the ministries here.]"),
    )


def _closing(layout: _Layout, summary: YearSummary, translator: Translator) -> None:
    """The closing sentence, then recipients on the left and the signature on the right."""
    _ = translator.gettext
    document = layout.document
    heading = summary.heading
    _body(
        document,
        _("The {office} respectfully submits this report to the {recipient} for consideration and direction.").format(
            office=heading.planning_office, recipient=heading.recipient
        ),
    )
    table = _borderless_table(document, (Cm(7.5), Cm(8.5)))
    left, right = table.rows[0].cells

    recipients = left.paragraphs[0]
    _line(
        recipients,
        _("Recipients:"),
        size=Pt(12),
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        space_before=Pt(12),
        space_after=Pt(0),
    )
    for name in (f"- {heading.recipient};", f"- {heading.upstream};", "- " + _("Archive: VT.")):
        _line(left.add_paragraph(), name, size=Pt(11), align=WD_ALIGN_PARAGRAPH.LEFT, space_after=Pt(0))

    title = right.paragraphs[0]
    _line(title, _("DIRECTOR"), bold=True, space_before=Pt(12), space_after=Pt(0))
    _highlight(title)
    sign = right.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _placeholder_run(sign, _("[Signature, full name]"))
    sign.paragraph_format.space_before = Pt(60)


# --- paragraphs ------------------------------------------------------------------------------


def _line(
    paragraph: Paragraph,
    text: str,
    *,
    size: Length | None = None,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    space_before: Length | None = None,
    space_after: Length | None = NO_SPACE,
) -> None:
    """A one-run paragraph, centred by default (heading lines)."""
    paragraph.alignment = align
    if space_before is not None:
        paragraph.paragraph_format.space_before = space_before
    if space_after is not None:
        paragraph.paragraph_format.space_after = space_after
    run = paragraph.add_run(_clean(text))
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = size


def _body(document: DocumentObject, text: str) -> Paragraph:
    paragraph = document.add_paragraph(_clean(text))
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    return paragraph


def _section_heading(document: DocumentObject, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(text).bold = True


def _placeholder(document: DocumentObject, text: str) -> None:
    """A paragraph the office must write itself: italic, in brackets, highlighted yellow."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    paragraph.paragraph_format.space_before = Pt(6)
    _placeholder_run(paragraph, text)


def _placeholder_run(paragraph: Paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    run.italic = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _highlight(paragraph: Paragraph) -> None:
    for run in paragraph.runs:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _source_note(document: DocumentObject, summary: YearSummary, translator: Translator) -> None:
    note = document.add_paragraph()
    note.paragraph_format.space_before = Pt(3)
    run = note.add_run(
        translator.gettext("Figures as reported by the departments, compiled on {when}.").format(
            when=translator.datetime(summary.compiled_at)
        )
    )
    run.italic = True
    run.font.size = Pt(12)


def _rule(paragraph: Paragraph, inset: Length) -> None:
    """Turn an empty paragraph into the short centred line under a heading line: a bottom border
    on a 2-point-high paragraph indented on both sides (no drawing object, so Word and LibreOffice
    print it the same)."""
    layout = paragraph.paragraph_format
    layout.left_indent = layout.right_indent = inset
    layout.space_before = layout.space_after = NO_SPACE
    layout.line_spacing = Pt(2)  # a length: exactly 2 pt
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_AFTER_PBDR)


# What may follow w:pBdr inside w:pPr (the schema is a sequence; Word rejects a misplaced border).
_AFTER_PBDR: Final = tuple(
    f"w:{name}"
    for name in (
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    )
)


# --- tables ----------------------------------------------------------------------------------


def _borderless_table(document: DocumentObject, widths: Sequence[Length]) -> Table:
    table: Table = document.add_table(rows=1, cols=len(widths))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    return table


def _data_table(layout: _Layout, columns: Sequence[tuple[str, Length]]) -> Table:
    """A gridded table whose header row repeats on every page; rows are added by the caller."""
    table: Table = layout.document.add_table(rows=0, cols=len(columns))
    table.style = layout.document.styles["Table Grid"]
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, (_, width) in zip(table.columns, columns, strict=True):
        column.width = width
    header = _add_row(table)
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, (title, _) in zip(header.cells, columns, strict=True):
        _cell(layout, cell, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        shading = OxmlElement("w:shd")
        for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "D9EAD3")):
            shading.set(qn(key), value)
        cell._tc.get_or_add_tcPr().append(shading)
    return table


def _add_row(table: Table) -> _Row:
    row: _Row = table.add_row()  # type: ignore[no-untyped-call]  # python-docx leaves it unannotated
    return row


def _cell(
    layout: _Layout, cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT
) -> None:
    paragraph = cell.paragraphs[0]
    # By id: assigning the style object makes python-docx scan every style of the document for
    # the default one.
    paragraph._p.style = layout.table_text.style_id
    paragraph.alignment = align
    if text:
        run = paragraph.add_run(_clean(text))
        if bold:
            run.bold = True


_LEFT: Final = "left"
_CENTER: Final = "center"


@dataclass(frozen=True, slots=True)
class _Spec:
    """One cell of a data row: its text (lines split on "\n"), weight, alignment, columns spanned."""

    text: str
    bold: bool = False
    align: str = _LEFT
    span: int = 1


def _append_rows(table: Table, layout: _Layout, widths: Sequence[Length], rows: Sequence[Sequence[_Spec]]) -> None:
    """Append all data rows in one XML parse.

    python-docx's cell API costs about half a millisecond per cell (it searches the schema order on
    every child it adds), i.e. seconds for a national task table; the rows are plain and alike, so
    they are written as WordprocessingML text and parsed once.
    """
    style = escape(layout.table_text.style_id, _ATTRIBUTE)
    parts = [f"<w:tbl {nsdecls('w')}>"]
    for row in rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        column = 0
        for spec in row:
            width = sum(int(w.twips) for w in widths[column : column + spec.span])
            column += spec.span
            span = f'<w:gridSpan w:val="{spec.span}"/>' if spec.span > 1 else ""
            run_props = "<w:rPr><w:b/></w:rPr>" if spec.bold else ""
            parts.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}</w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{spec.align}"/></w:pPr>'
            )
            if spec.text:
                lines = '</w:t><w:br/><w:t xml:space="preserve">'.join(
                    escape(line) for line in _clean(spec.text).split("\n")
                )
                parts.append(f'<w:r>{run_props}<w:t xml:space="preserve">{lines}</w:t></w:r>')
            parts.append("</w:p></w:tc>")
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    parsed = parse_xml("".join(parts))
    tbl = table._tbl
    for tr in list(parsed):
        tbl.append(tr)


_ATTRIBUTE: Final = {'"': "&quot;"}
_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """Text as XML allows it: officers' notes can carry control characters from a phone keyboard."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


# --- wording ---------------------------------------------------------------------------------


def _subject(summary: YearSummary, translator: Translator) -> str:
    return translator.gettext(
        "Results of implementing the Action Plan for the National Green Growth Strategy in {year}"
    ).format(year=summary.year)


def _people_committee(summary: YearSummary) -> str:
    """ "Ủy ban nhân dân tỉnh" + "Kon Tum": the body the planning office belongs to."""
    heading = summary.heading
    if heading.province.casefold() in heading.recipient.casefold():
        return heading.recipient
    return f"{heading.recipient} {heading.province}"


def _figure_text(line: IndicatorLine, year: int, translator: Translator, missing: str) -> str:
    figure = line.figure(year)
    return missing if figure is None else translator.percent(figure.value)


def _target_text(line: IndicatorLine, translator: Translator) -> str:
    if line.target is None:
        return translator.gettext("not set")
    value = translator.percent(line.target)
    if line.target_year is None:
        return value
    return translator.gettext("{value} (by {year})").format(value=value, year=line.target_year)


def _progress_text(progress: Decimal | None, translator: Translator) -> str:
    return "–" if progress is None else translator.percent(progress)


def _status_counts(tasks: Sequence[TaskLine], translator: Translator) -> str:
    """ " (Completed: 2; In progress: 3; …)": how the reported tasks stand."""
    counts: dict[ProgressStatus, int] = {}
    for task in tasks:
        if task.latest is not None:
            counts[task.latest.status] = counts.get(task.latest.status, 0) + 1
    parts = [
        f"{translator.gettext(label)}: {counts[status]}" for status, label in STATUS_LABELS.items() if status in counts
    ]
    return f" ({'; '.join(parts)})" if parts else ""


def _verdict(line: DepartmentLine) -> DeliveryState | None:
    """A department's worst outcome of the year: missing, then late, then on time, then pending."""
    for state in (DeliveryState.MISSING, DeliveryState.LATE, DeliveryState.ON_TIME, DeliveryState.PENDING):
        if line.count(state):
            return state
    return None
