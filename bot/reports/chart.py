"""The yearly compile as a picture: each indicator's figures by year against its target.

Drawn with a bare ``matplotlib.figure.Figure`` on the Agg canvas, never pyplot: pyplot keeps global
state, and the bot renders in a worker thread. Every text is set in DejaVu Sans, which matplotlib
bundles and which has the Vietnamese glyphs (ả, ệ, ữ, ơ, ư, đ), so no system font is needed.

Up to ``SMALL_MULTIPLES_MAX`` indicators (a province) get one small line chart each; more (a
national plan has about 200) get one tall bar chart of progress toward the target, which stays
readable and renders quickly.

The bar chart's 400 per-indicator texts (names and percentages) are drawn with Pillow over the
rendered figure, from the same DejaVu Sans file: matplotlib 3.11 draws text glyph by glyph in
Python (about 0.2 ms a glyph), which made those 13 000 glyphs take 3-5 s; Pillow draws them in
C in a fraction of a second. Everything else (axes, ticks, titles, legend) is matplotlib's.
"""

from __future__ import annotations

import gc
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Final

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter
from PIL import Image, ImageDraw, ImageFont

from bot.i18n import Translator
from bot.reports.model import IndicatorLine, YearSummary
from bot.text import shorten

__all__ = ["FONT_FAMILY", "FONT_FILE", "SMALL_MULTIPLES_MAX", "Chart", "Overlay", "build_chart", "font", "render_chart"]

FONT_FAMILY: Final = "DejaVu Sans"
#: The same font as files, for the texts Pillow draws: matplotlib's bundled copy, always there.
FONT_FILE: Final = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
BOLD_FONT_FILE: Final = FONT_FILE.with_name("DejaVuSans-Bold.ttf")
SMALL_MULTIPLES_MAX: Final = 12
DPI: Final = 120  # small multiples: about 1440 pixels wide
BARS_DPI: Final = 100  # the tall bar chart: fewer pixels to draw and compress
BAR_PITCH: Final = 0.2  # inches per bar
TITLE_LIMIT: Final = 150  # characters of "Chỉ tiêu N: name" above a small chart
TITLE_WIDTH: Final = 58  # characters per title line
BAR_LABEL_LIMIT: Final = 60  # characters of "N. name" beside a bar
BAR_CAP: Final = 200.0  # progress axis stops here; longer bars are cut and labelled

VALUE_COLOR: Final = "#1f6fb2"
TARGET_COLOR: Final = "#c0392b"
REACHED_COLOR: Final = "#2e7d32"
MUTED_COLOR: Final = "#6b6b6b"
_PNG_OPTIONS: Final = {"compress_level": 1}


def font(size: float, *, bold: bool = False) -> FontProperties:
    """The one font of the chart (see the module docstring), at ``size`` points."""
    return FontProperties(family=FONT_FAMILY, size=size, weight="bold" if bold else "normal")


@dataclass(frozen=True, slots=True)
class Overlay:
    """A text drawn with Pillow over the rendered figure (see the module docstring)."""

    text: str
    x: float  # pixels from the left edge of the image
    y: float  # pixels from the top edge of the image
    anchor: str  # Pillow's text anchor: "rm" right-middle, "lm" left-middle
    size: float  # in points, like matplotlib's font sizes
    color: str = "black"
    bold: bool = False

    @property
    def font_path(self) -> Path:
        return BOLD_FONT_FILE if self.bold else FONT_FILE


@dataclass(frozen=True, slots=True)
class Chart:
    """The matplotlib figure (on its own Agg canvas) and the texts drawn over it."""

    figure: Figure
    overlays: tuple[Overlay, ...] = ()


def render_chart(summary: YearSummary, translator: Translator) -> bytes:
    """The chart as PNG bytes."""
    data = _png(build_chart(summary, translator))
    # A figure is a web of reference cycles that holds its pixel buffer (20 MB for a national chart) until
    # the cyclic collector runs; collect the young generations now, as pyplot does when it closes a figure.
    gc.collect(1)
    return data


def _png(chart: Chart) -> bytes:
    buffer = BytesIO()
    if not chart.overlays:
        # Light compression: zlib's default level doubles the time for a few percent of size.
        chart.figure.savefig(buffer, format="png", dpi="figure", facecolor="white", pil_kwargs=_PNG_OPTIONS)
        return buffer.getvalue()
    canvas = FigureCanvasAgg(chart.figure)
    canvas.draw()  # type: ignore[no-untyped-call]  # the figure's facecolor (white) and dpi, into the canvas
    # Read the canvas's buffer in place (no copy of a 1100 x 4200 image); the RGB copy is what gets drawn on.
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    image = Image.frombuffer("RGBA", canvas.get_width_height(), pixels, "raw", "RGBA", 0, 1)
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    dpi = chart.figure.dpi
    fonts: dict[tuple[Path, float], ImageFont.FreeTypeFont] = {}
    for overlay in chart.overlays:
        key = (overlay.font_path, overlay.size * dpi / 72)
        if key not in fonts:
            fonts[key] = ImageFont.truetype(str(key[0]), key[1], layout_engine=ImageFont.Layout.BASIC)
        draw.text((overlay.x, overlay.y), overlay.text, font=fonts[key], fill=overlay.color, anchor=overlay.anchor)
    image.save(buffer, format="PNG", **_PNG_OPTIONS)
    return buffer.getvalue()


def build_chart(summary: YearSummary, translator: Translator) -> Chart:
    """The chart before it is rasterised (tests read its texts back)."""
    if len(summary.indicators) <= SMALL_MULTIPLES_MAX:
        chart = Chart(_small_multiples(summary, translator))
    else:
        chart = _progress_bars(summary, translator)
    FigureCanvasAgg(chart.figure)
    return chart


# --- a province: one small chart per indicator -----------------------------------------------


def _small_multiples(summary: YearSummary, translator: Translator) -> Figure:
    _ = translator.gettext
    count = max(len(summary.indicators), 1)
    columns = 1 if count == 1 else 2
    rows = math.ceil(count / columns)
    width, height = 12.0, 1.3 + 3.4 * rows
    figure = Figure(figsize=(width, height), dpi=DPI)
    # Fixed margins in inches (titles up to three lines, tick labels) instead of a layout engine,
    # which would draw everything once more just to measure it.
    gap_x, gap_y, left, right, top, bottom = 0.9, 0.95, 0.8, 0.25, 1.15, 0.4
    axes_width = (width - left - right - gap_x * (columns - 1)) / columns
    axes_height = (height - top - bottom - gap_y * (rows - 1)) / rows
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=gap_x / axes_width,
        hspace=gap_y / axes_height,
    )
    first, last = (summary.years[0], summary.years[-1]) if summary.years else (summary.year, summary.year)
    heading = _("Green growth monitoring indicators, {start}–{end}").format(start=first, end=last)
    as_of = _("Figures as of {when}").format(when=translator.datetime(summary.compiled_at))
    figure.suptitle(
        f"{heading}\n{as_of}", y=1 - 0.15 / height, va="top", fontproperties=font(13, bold=True), parse_math=False
    )
    grid = figure.subplots(rows, columns, squeeze=False)
    cells: list[Axes] = [ax for row in grid for ax in row]
    for ax, line in zip(cells, summary.indicators, strict=False):
        _indicator_axes(ax, line, summary.years, translator)
    for ax in cells[len(summary.indicators) :]:
        if summary.indicators:
            ax.remove()
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, _("The plan has no indicators."), ha="center", fontproperties=font(11))
    return figure


def _indicator_axes(ax: Axes, line: IndicatorLine, years: Sequence[int], translator: Translator) -> None:
    _ = translator.gettext
    values = [_float_or_nan(line, year) for year in years]
    known = [value for value in values if not math.isnan(value)]
    title = _("Indicator {number}").format(number=line.number) + ": " + line.name
    wrapped = "\n".join(textwrap.wrap(shorten(title, TITLE_LIMIT), TITLE_WIDTH))
    ax.set_title(wrapped, loc="left", fontproperties=font(9.5, bold=True), parse_math=False)

    ax.plot(years, values, marker="o", markersize=6, linewidth=2, color=VALUE_COLOR, label=_("Figure of the year"))
    for year, value in zip(years, values, strict=True):
        if not math.isnan(value):
            ax.annotate(
                translator.percent(value),
                (year, value),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontproperties=font(8),
                color=VALUE_COLOR,
            )
    top = max([*known, 10.0])
    if line.target is not None:
        target = float(line.target)
        top = max(top, target)
        label = _("Target {value}").format(value=translator.percent(target))
        if line.target_year is not None:
            label = _("Target {value} ({year})").format(value=translator.percent(target), year=line.target_year)
        ax.axhline(target, linestyle="--", linewidth=1.4, color=TARGET_COLOR, label=label)
    else:
        ax.text(0.99, 0.03, _("No target set"), transform=ax.transAxes, ha="right", fontproperties=font(8))
    if not known:
        ax.text(
            0.5,
            0.5,
            _("No figures yet"),
            transform=ax.transAxes,
            ha="center",
            color=MUTED_COLOR,
            fontproperties=font(9),
        )

    ax.set_ylim(0, top * 1.22)
    # Room above a 100% target is for the labels; a "120%" tick would suggest figures can get there.
    ax.yaxis.set_major_formatter(_percent_formatter(translator, ceiling=100.0 if top <= 100 else None))
    if years:
        ax.set_xticks(list(years), [str(year) for year in years])
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.tick_params(labelsize=8, labelfontfamily=FONT_FAMILY)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", prop=font(7.5), frameon=False, ncols=2)


# --- a national plan: one bar per indicator --------------------------------------------------


def _progress_bars(summary: YearSummary, translator: Translator) -> Chart:
    _ = translator.gettext
    lines = summary.indicators
    count = len(lines)
    width, height = 11.0, 1.6 + BAR_PITCH * count
    figure = Figure(figsize=(width, height), dpi=BARS_DPI, facecolor="white")
    # Fixed margins (in inches) rather than a layout engine, so the overlay positions computed
    # below are where the figure will be drawn.
    figure.subplots_adjust(left=4.6 / width, right=1 - 0.3 / width, top=1 - 1.05 / height, bottom=0.45 / height)
    ax = figure.add_subplot()

    progress = [line.progress(summary.year) for line in lines]
    widths = [0.0 if value is None else float(value) for value in progress]
    right = min(max([*widths, 100.0]) * 1.12, BAR_CAP)
    colors = [REACHED_COLOR if width >= 100 else VALUE_COLOR for width in widths]
    positions = list(range(count))
    ax.barh(positions, [min(width, right) for width in widths], height=0.7, color=colors)
    ax.set_yticks([])
    ax.set_ylim(count - 0.5, -0.5)  # the first indicator on top
    ax.set_xlim(0, right)

    pixel_height = height * BARS_DPI
    left_edge = ax.transAxes.transform((0.0, 0.0))[0]

    def at(x: float, y: float) -> tuple[float, float]:
        """Data coordinates → image pixels (y downwards, as Pillow counts)."""
        px, py = ax.transData.transform((x, y))
        return float(px), float(pixel_height - py)

    no_figure, no_target = _("no figure"), _("no target")
    overlays: list[Overlay] = []
    for position, line, value, bar in zip(positions, lines, progress, widths, strict=True):
        _x, y = at(0, position)
        name = shorten(f"{line.number}. {line.name}", BAR_LABEL_LIMIT)
        overlays.append(Overlay(name, left_edge - 6, y, "rm", 7.5))
        if value is None:
            text = no_figure if line.figure(summary.year) is None else no_target
            overlays.append(Overlay(text, left_edge + 4, y, "lm", 7, color=MUTED_COLOR))
        elif bar > right:  # cut at the axis end: the figure goes inside the bar
            x, _y = at(right, position)
            overlays.append(Overlay(translator.percent(value), x - 4, y, "rm", 7, color="white", bold=True))
        else:
            x, _y = at(bar, position)
            overlays.append(Overlay(translator.percent(value), x + 4, y, "lm", 7))

    reached = _("Target reached ({value})").format(value=translator.percent(100))
    ax.axvline(100, linestyle="--", linewidth=1.2, color=TARGET_COLOR, label=reached)
    ax.xaxis.set_major_formatter(_percent_formatter(translator))
    ax.tick_params(axis="x", labelsize=8, labelfontfamily=FONT_FAMILY, top=True, labeltop=True)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["right"]].set_visible(False)
    ax.legend(loc="lower right", prop=font(8), framealpha=0.9)

    title = _("Progress toward target in {year}").format(year=summary.year)
    subtitle = translator.ngettext(
        "{with_data} of {count} indicator has a figure for {year}",
        "{with_data} of {count} indicators have a figure for {year}",
        count,
    ).format(with_data=summary.indicators_with_data, count=count, year=summary.year)
    figure.suptitle(f"{title}\n{subtitle}", y=1 - 0.15 / height, va="top", fontproperties=font(12, bold=True))
    return Chart(figure, tuple(overlays))


# --- helpers ---------------------------------------------------------------------------------


def _float_or_nan(line: IndicatorLine, year: int) -> float:
    figure = line.figure(year)
    return math.nan if figure is None else float(figure.value)


def _percent_formatter(translator: Translator, ceiling: float | None = None) -> FuncFormatter:
    """Axis ticks as the reader writes percentages ("45,5%" in Vietnamese); none above ``ceiling``."""

    def label(value: float, _position: int | None = None) -> str:
        if not math.isfinite(value) or (ceiling is not None and value > ceiling + 1e-9):
            return ""
        return translator.percent(value)

    return FuncFormatter(label)
