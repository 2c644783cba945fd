"""The three files of the yearly compile (workbook, chart, draft report), built together from one
``YearSummary`` so they always agree, with the names and types the bot sends them under."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.i18n import Translator
from bot.reports.model import YearSummary

__all__ = [
    "DOCX_MIME",
    "PNG_MIME",
    "XLSX_MIME",
    "ReportFile",
    "ReportFiles",
    "build_report_files",
    "write_report_files",
]

XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG_MIME: Final = "image/png"
DOCX_MIME: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True, slots=True)
class ReportFile:
    """One file: an ASCII name (safe in every mail client and file system), its bytes and type."""

    name: str
    data: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class ReportFiles:
    workbook: ReportFile  # tong-hop-YYYY.xlsx
    chart: ReportFile  # bieu-do-YYYY.png
    report: ReportFile  # bao-cao-YYYY.docx, the draft report

    def all(self) -> tuple[ReportFile, ReportFile, ReportFile]:
        """The workbook, the chart and the draft report."""
        return (self.workbook, self.chart, self.report)


def build_report_files(summary: YearSummary, translator: Translator) -> ReportFiles:
    """Build all three files (CPU-bound, no I/O: the bot runs this in a worker thread).

    matplotlib, openpyxl, python-docx and Pillow are imported here, on the first compile, not when the bot
    starts: together they are about 60 MB of a process that spends most of its life waiting for messages.
    """
    from bot.reports.chart import render_chart
    from bot.reports.draft_report import build_draft_report
    from bot.reports.workbook import workbook_bytes

    year = summary.year
    return ReportFiles(
        workbook=ReportFile(f"tong-hop-{year}.xlsx", workbook_bytes(summary, translator), XLSX_MIME),
        chart=ReportFile(f"bieu-do-{year}.png", render_chart(summary, translator), PNG_MIME),
        report=ReportFile(f"bao-cao-{year}.docx", build_draft_report(summary, translator), DOCX_MIME),
    )


def write_report_files(files: ReportFiles, out_dir: Path) -> list[Path]:
    """Write the files into ``out_dir`` (created if needed); return their paths.

    Each file is written to a temporary name and renamed, so a reader never sees half a file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for item in files.all():
        target = out_dir / item.name
        handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=f".{item.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(item.data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        paths.append(target)
    return paths
