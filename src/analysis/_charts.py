"""The report's charts: each helper takes data and the caller's words and returns a matplotlib Figure.

A helper looks up no word: the caller passes every text already in the edition's language
(`ChartWords`) and a `Formatter` for numbers. Each draws at the page's width (`WIDE`) or a
phone's (``narrow=True``, `NARROW`), every text legible at both, with a left-aligned title, a
source line and alt text (``figure.alt_text``). Figures are built with
``matplotlib.figure.Figure``, not pyplot, so no global state is kept, in the package's style
``analysis.house``. Each carries ``figure.content_key``, a digest of its arguments, by which a
warm kernel reuses its rendering (`analysis._present`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import itertools
import pickle
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.style
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox, offset_copy

from analysis import _config as config
from analysis._formatting import Formatter
from analysis.contract import CATEGORIES, first_day

HIGHLIGHT = "#0072B2"  # Okabe-Ito blue
MUTED = "#9DB9D3"  # the same hue, lighter: told apart by lightness, not by hue
SOFT_INK = "#555555"
CATEGORY_STYLE = {  # colour and marker shape, so no category rests on hue alone
    "diplomacy": ("#0072B2", "o"),
    "investment": ("#D55E00", "s"),
    "energy": ("#009E73", "^"),
    "transport": ("#CC79A7", "D"),
    "politics": ("#E69F00", "v"),
}
TEXT_LEFT = 0.012  # title and source line start here, a little in from the image's edge
WIDE = 7.2  # inches: the page's width, printed at its size on A4
NARROW = 3.9  # inches: a phone's width (390 CSS pixels, 100 an inch)
# Text sizes are the style's, so what is measured here is what is drawn: a phone shows NARROW
# inches across about 361 CSS px (92.6 px an inch), where 11 px needs 8.55 pt, so no text is
# smaller than the style's 8.6 pt; on A4 the wide figure prints a point a point.
_STYLE = matplotlib.rc_params_from_file(str(config.PACKAGE_DIR / "house.mplstyle"), use_default_template=False)
TEXT_PT, TITLE_PT = _STYLE["font.size"], _STYLE["figure.titlesize"]
STRONG_PT = 10.0  # values and multiples
TITLE_LINES, NOTE_LINES, SOURCE_LINES = 3, 3, 4  # a longer text ends in "…": the figure stays bounded
TOP_ORIGINS = 10  # the origins chart draws the largest ten, and the report's origin
_LINE = 1.2  # a text line's height, in font sizes
_MARK_PT = 8.0  # the markers' size in points
_WIDTH_SLACK = 0.05  # room for what hinting adds to the glyphs' advances when Agg draws them


def content_key(name: str, args: tuple, kwargs: dict[str, Any]) -> str:
    """Return ``"sha256:<hex>"`` of a chart helper's name and arguments: the same key draws the same picture."""
    pickled = pickle.dumps((name, args, sorted(kwargs.items())), protocol=pickle.HIGHEST_PROTOCOL)
    return "sha256:" + hashlib.sha256(pickled).hexdigest()


def _chart(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw in the house style, keep every text literal (no mathtext), and key the figure by its arguments."""

    @functools.wraps(draw)
    def chart(*args: Any, **kwargs: Any) -> Figure:
        key = chart.key(*args, **kwargs)  # before the helper could change them
        with matplotlib.style.context(config.MPL_STYLE):
            figure = draw(*args, **kwargs)
        for text in figure.findobj(Text):  # the style's text.parse_math misses texts made outside it
            text.set_parse_math(False)
        figure.content_key = key
        return figure

    chart.key = lambda *args, **kwargs: content_key(draw.__qualname__, args, kwargs)  # without drawing
    return chart


def _new_figure(narrow: bool, height: float) -> tuple[Figure, Axes]:
    """Return a constrained-layout figure of one axes, at a phone's width or the page's."""
    figure = Figure(figsize=(NARROW if narrow else WIDE, height), layout="constrained")
    return figure, figure.subplots()


@dataclass(frozen=True)
class ChartWords:
    """The words one chart draws, already in the edition's language.

    ``title`` is what it shows, as a sentence; ``source`` the whole source line drawn under it;
    ``alt`` its alt text; ``axis`` the value axis's label and ``note`` a line above the source
    line (both optional).
    """

    title: str
    source: str
    alt: str
    axis: str = ""
    note: str = ""


@functools.cache
def _advance(weight: str, char: str) -> float:
    """Return a character's advance at 1 pt, in points, in the house style's first font."""
    from matplotlib.font_manager import FontProperties, findfont, get_font
    from matplotlib.ft2font import LoadFlags

    font = get_font(findfont(FontProperties(family="DejaVu Sans", weight=weight)))
    font.set_size(100, 72)
    return font.load_char(ord(char), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536 / 100


def _width(text: str, size: float = TEXT_PT, weight: str = "normal") -> float:
    """Return the width in points of a text's longest line, so labels can be fitted before drawing."""
    return max(size * sum(_advance(weight, c) for c in line) for line in text.split("\n")) * (1 + _WIDTH_SLACK)


def _wrap(text: str, points: float, size: float = TEXT_PT, weight: str = "normal", most: int | None = None) -> str:
    """Wrap a text into lines no wider than ``points``, cutting only words longer than a line; past ``most`` lines, end it with "…"."""
    if not text.strip():
        return ""
    chars = int(points * len(text) / _width(text, size, weight)) + 1  # a line of the text's average letters
    while True:
        lines = textwrap.wrap(text, chars, max_lines=most, placeholder=" …", break_on_hyphens=False)
        if chars <= 3 or all(_width(line, size, weight) <= points for line in lines):
            return "\n".join(lines)
        chars -= 1


def _lines(text: str) -> int:
    """Return how many lines a text has."""
    return text.count("\n") + 1


def _usable(figure: Figure) -> float:
    """Return the width in points a title or a source line may take."""
    return figure.get_figwidth() * 72 * (1 - 2 * TEXT_LEFT)


def _framed(figure: Figure, words: ChartWords) -> None:
    """Add the caller's title, note and source line, and attach its alt text."""
    usable = _usable(figure)
    figure.suptitle(_wrap(words.title, usable, TITLE_PT, "bold", TITLE_LINES), x=TEXT_LEFT, ha="left")
    foot = [_wrap(text, usable, most=most) for text, most in ((words.note, NOTE_LINES), (words.source, SOURCE_LINES))]
    figure.supxlabel("\n".join(filter(None, foot)), x=TEXT_LEFT, ha="left", color=SOFT_INK)
    figure.get_layout_engine().set(w_pad=TEXT_LEFT * figure.get_figwidth(), h_pad=0.04)  # in line with the title
    figure.alt_text = words.alt


def _settle(figure: Figure) -> None:
    """Lay the figure out (in the house style), so label positions can be measured."""
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            axis.get_major_ticks(len(axis.get_majorticklocs()))  # every tick made in the house style
            axis.get_minor_ticks(len(axis.get_minorticklocs()))
    figure.draw_without_rendering()


def _points(axes) -> tuple[float, float]:
    """Return an axes' width and height in points, as laid out."""
    scale = 72 / axes.get_figure().dpi
    return axes.bbox.width * scale, axes.bbox.height * scale


def _value_axis(axes: Axes, ticks: Sequence[float], fmt: Formatter, unit: str) -> None:
    """Put round ticks on the value axis (y), and its unit above it, where it takes no width from the plot."""
    axes.set_ylim(ticks[0], ticks[-1])
    axes.set_yticks(ticks, _tick_texts(ticks, fmt))
    axes.set_title(unit)  # in the style's axes title: left, small, soft


def _legend(axes: Axes, handles: list[Line2D], **placement: Any) -> None:
    """Add a legend (if any handles) of as many columns as fit in nine tenths of the figure's width."""
    entries = [_width(h.get_label()) + TEXT_PT * 2.6 for h in handles]  # a marker, its gaps
    points = _usable(axes.get_figure()) * 0.9
    fits = (
        n for n in range(len(entries), 1, -1) if sum(max(entries[c::n]) for c in range(n)) + TEXT_PT * (n - 1) <= points
    )
    if handles:
        axes.legend(handles=handles, ncols=next(fits, 1), handletextpad=0.3, **placement)


def _value_ticks(low: float, high: float, most: int) -> np.ndarray:
    """Return round ticks from ``low`` to ``high`` (both included) for a linear value axis."""
    return MaxNLocator(nbins=most, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3).tick_values(low, high)


def _tick_texts(ticks: Sequence[float], fmt: Formatter) -> list[str]:
    """Write ticks with as few decimals as write them all exactly (none for whole numbers)."""
    decimals = next((d for d in range(4) if all(abs(round(t, d) - t) < 1e-9 for t in ticks)), 3)
    return [fmt.number(t, decimals) for t in ticks]


def _spread(wanted: Sequence[float], heights: Sequence[float], low: float, high: float) -> list[float]:
    """Return label centres as near ``wanted`` as labels of ``heights`` allow without overlapping."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    centres = list(wanted)
    floor = low
    for i in order:  # upwards: each above the one below it
        centres[i] = max(wanted[i], floor + heights[i] / 2)
        floor = centres[i] + heights[i] / 2
    ceiling = high
    for i in reversed(order):  # downwards: each below the one above it, and the top within the axes
        centres[i] = min(centres[i], ceiling - heights[i] / 2)
        ceiling = centres[i] - heights[i] / 2
    return centres


# A period's distinct values: the marks of the range and the years charts -------------------------


@dataclass(frozen=True)
class _Mark:
    """One distinct value of a period, as written, with every independent report giving it, oldest first."""

    period: Any
    value: float
    text: str
    reports: tuple[Any, ...]

    def credited(self, credits: Mapping[str, str]) -> list[str]:
        """Return its reports' credits, oldest first, each once (KeyError: a report without a credit)."""
        return list(dict.fromkeys(credits[r.source_id] for r in self.reports))


def _marks(period: Any, fmt: Formatter) -> list[_Mark]:
    """Return one mark per distinct value of a period's independent reports."""
    marks = []
    for value in period.values:
        dated = sorted(period.reporting(value), key=lambda r: (first_day(r.published) or dt.date.max, r.source_id))
        marks.append(_Mark(period, value, fmt.number(value, max(r.decimals for r in dated)), tuple(dated)))
    return marks


# The range of reported figures -----------------------------------------------------------------


@_chart
def range_chart(
    base: Any,
    target: Any,
    *,
    credits: Mapping[str, str],
    fmt: Formatter,
    words: ChartWords,
    multiple: str = "×{value}",
    narrow: bool = False,
) -> Figure:
    """Draw every independent report of two periods side by side, and the range of multiples.

    One mark per distinct value, on a linear axis from zero, labelled with the value and the
    credit of every report giving it (``credits``: a dated credit by ``source_id``). Arrows join
    base to target at both ends of the range of multiples (lowest target over highest base, and
    highest over lowest), written as ``multiple``; none when a base value is not above zero.
    Raises KeyError when a report has no credit.
    """
    columns = [_marks(base, fmt), _marks(target, fmt)]
    values = [m.value for column in columns for m in column]
    ticks = _value_ticks(min([0.0, *values]), max([0.0, *values]) * 1.08 or 1.0, 4 if narrow else 5)
    ends = []
    bases, targets = ([m.value for m in column] for column in columns)
    if bases and targets and min(bases) > 0:
        pairs = [(max(bases), min(targets)), (min(bases), max(targets))]  # the lowest, the highest
        low, high = (t / b for b, t in pairs)
        texts = fmt.multiple_range(low, high) if low != high else (fmt.number(low),) * 2
        ends = list(dict.fromkeys(zip(pairs, texts, strict=True)))
    figure, axes = _new_figure(narrow, 5.0 if narrow else 4.3)
    _value_axis(axes, ticks, fmt, words.axis)
    axes.tick_params(axis="x", length=0, pad=6)
    estimate = (figure.get_figwidth() - 0.75) * 72  # the axes' width before layout, for wrapping
    names = [_wrap(fmt.period(p.year, p.months), max(estimate * 0.34, 72)) for p in (base, target)]
    axes.set_xticks([0, 1], names, fontweight="bold")
    for x, column in enumerate(columns):
        for mark in column:
            axes.plot(
                [x],
                [mark.value],
                marker="o",
                markersize=_MARK_PT + 1,
                color=HIGHLIGHT,
                markeredgecolor="white",
                markeredgewidth=1.0,
                zorder=4,
                gid="range-mark",
            )
    for i, ((b, t), text) in enumerate(ends):
        axes.annotate(
            "",
            xy=(1, t),
            xytext=(0, b),
            arrowprops={"arrowstyle": "-|>", "color": SOFT_INK, "linewidth": 1.1, "shrinkA": 6, "shrinkB": 7},
            zorder=3,
        )
        above = i == len(ends) - 1  # the highest above-left of its arrow, the lowest below-right
        axes.annotate(
            multiple.format(value=text),
            xy=(0.5, (b + t) / 2),
            xytext=(-5, 4) if above else (5, -4),
            textcoords="offset points",
            ha="right" if above else "left",
            va="bottom" if above else "top",
            fontsize=STRONG_PT + 1,
            fontweight="bold",
            gid="range-multiple",
            annotation_clip=False,
        ).set_in_layout(False)
    _framed(figure, words)
    _settle(figure)

    wide, tall = _points(axes)
    room = wide * 0.39 - 16  # each column's credits; a fifth of the axes left between them, for the arrows
    hanging = "\n\u2002\u2002"  # a credit's later lines indented, so that where one credit ends shows
    blocks = [
        [(m, "\n".join(_wrap(c, room).replace("\n", hanging) for c in m.credited(credits))) for m in column]
        for column in columns
    ]
    sides = [
        max((max(_width(m.text, STRONG_PT, "bold"), _width(c)) for m, c in column), default=0) + 16 for column in blocks
    ]
    per_point = 1 / max(wide - sides[0] - sides[1], wide * 0.2)  # data units of x per point
    axes.set_xlim(-sides[0] * per_point, 1 + sides[1] * per_point)
    bottom, top = ticks[0], ticks[-1]
    for x, column in enumerate(blocks):
        heights = [STRONG_PT * _LINE + (_lines(c) * TEXT_PT * _LINE if c else 0) + 4 for _, c in column]
        wanted = [(m.value - bottom) / (top - bottom) * tall for m, _ in column]
        centres = _spread(wanted, heights, 0, tall)
        for (mark, credit), centre, height, point in zip(column, centres, heights, wanted, strict=True):
            first = centre + height / 2 - point - 2  # the block's top, from the mark, in points
            common = {
                "xy": (x, mark.value),
                "textcoords": "offset points",
                "ha": "right" if x == 0 else "left",
                "va": "top",
                "annotation_clip": False,
            }
            dx = -9 if x == 0 else 9
            axes.annotate(
                mark.text, xytext=(dx, first), fontsize=STRONG_PT, fontweight="bold", gid="range-value", **common
            ).set_in_layout(False)
            if credit:
                axes.annotate(
                    credit,
                    xytext=(dx, first - STRONG_PT * _LINE),
                    linespacing=1.1,
                    multialignment="left",
                    gid="range-credit",
                    **common,
                ).set_in_layout(False)
    _settle(figure)
    return figure


# An origin's figures by year -------------------------------------------------------------------


def _year_ticks(years: Sequence[int], first: Sequence[int], per_year: float, label: float) -> list[int]:
    """Choose the years to label: ``first`` ones, then the latest others whose labels have room."""
    chosen: list[int] = []
    for year in [*first, *sorted(set(years) - set(first), reverse=True)]:
        if all(abs(year - other) * per_year >= label for other in chosen):
            chosen.append(year)
    return sorted(chosen)


@_chart
def years_chart(
    periods: Sequence[Any],
    *,
    fmt: Formatter,
    words: ChartWords,
    full_year: str,
    part_year: Mapping[int, str],
    emphasis: Sequence[int] = (),
    narrow: bool = False,
) -> Figure:
    """Draw one origin's figures as dots on a time axis, placed by value.

    A year without a figure is an empty stretch of the axis; a part-year figure is a hollow
    diamond (legend ``part_year[months]``), never drawn as a full year (``full_year``). Values are
    labelled on whichever side of their dots is free, else left out (the report's table holds
    them). Every independent report's value is drawn; ``emphasis`` holds years whose tick is
    always written, in bold.
    """
    dots = [mark for p in periods for mark in _marks(p, fmt)]
    values = [d.value for d in dots]
    years = sorted({d.period.year for d in dots}) or sorted({p.year for p in periods}) or [0]
    ticks = _value_ticks(min([0.0, *values]), max([0.0, *values]) * 1.05 or 1.0, 5)
    kinds = sorted({d.period.months for d in dots}, reverse=True)  # 12 (the full year) first
    figure, axes = _new_figure(narrow, 4.4 if narrow else 3.8)
    _value_axis(axes, ticks, fmt, words.axis)
    for dot in dots:
        axes.plot(
            [dot.period.year],
            [dot.value],
            **_dot_style(dot.period.months),
            zorder=4,
            gid=f"year-mark-{dot.period.months}",
        )
    handles = [Line2D([], [], **_dot_style(m), label=full_year if m == 12 else part_year[m]) for m in kinds]
    below = offset_copy(axes.transAxes, figure, y=-(TEXT_PT * 1.6 + 6), units="points")
    _legend(
        axes,
        handles,
        loc="upper left",
        bbox_to_anchor=(0, 0),
        bbox_transform=below,
        columnspacing=1.2,
        borderaxespad=0,
        borderpad=0,
    )
    _framed(figure, words)
    _settle(figure)

    wide = _points(axes)[0]
    reach = max((_width(d.text) for d in dots), default=0) + 10  # a label and its gap
    if len(years) > 1:
        per_year = (wide - 2 * reach) / (years[-1] - years[0])
        pad = reach / per_year
    else:
        per_year, pad = wide / 2, 1.0
    axes.set_xlim(years[0] - pad, years[-1] + pad)
    label = _width("0000", TEXT_PT, "bold") + 10
    shown = _year_ticks(years, [y for y in emphasis if y in years], per_year, label)
    axes.set_xticks(shown, [str(y) for y in shown])
    for text, year in zip(axes.get_xticklabels(), shown, strict=True):
        text.set_fontweight("bold" if year in emphasis else "normal")
    if len(years) > 1 and years[-1] - years[0] <= 100:  # a small tick every year, labelled or not
        axes.set_xticks(range(years[0], years[-1] + 1), minor=True)
    _value_labels(axes, dots, years, per_year)
    _settle(figure)
    return figure


def _dot_style(months: int) -> dict[str, Any]:
    """Return how a dot is drawn: a full year's filled round, a part year's hollow diamond."""
    full = months == 12
    return {
        "linestyle": "none",
        "marker": "o" if full else "D",
        "markersize": _MARK_PT if full else _MARK_PT - 1.5,
        "color": HIGHLIGHT,
        "markerfacecolor": HIGHLIGHT if full else "white",
        "markeredgecolor": "white" if full else HIGHLIGHT,
        "markeredgewidth": 0.8 if full else 1.6,
    }


def _value_labels(axes: Axes, dots: list[_Mark], years: list[int], per_year: float) -> None:
    """Label each year's dots (``per_year`` points apart) on the side where the labels touch no dot and no other label."""
    (bottom, top), (_, tall) = axes.get_ylim(), _points(axes)
    left = axes.get_xlim()[0]
    height, gap, radius = TEXT_PT * _LINE, 7.0, _MARK_PT / 2 + 1

    def at(year: float, value: float) -> tuple[float, float]:
        return (year - left) * per_year, (value - bottom) / (top - bottom) * tall

    taken = [
        Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
        for x, y in (at(d.period.year, d.value) for d in dots)
    ]
    for year in years:
        column = [d for d in dots if d.period.year == year]
        points = [at(d.period.year, d.value) for d in column]
        centres = _spread([y for _, y in points], [height] * len(column), 0, tall)
        widths = [_width(d.text) for d in column]
        for side in (1, -1):
            boxes = [
                Bbox.from_extents(x + side * gap, centre - height / 2, x + side * (gap + width), centre + height / 2)
                for (x, _), centre, width in zip(points, centres, widths, strict=True)
            ]
            others = [
                b for i, b in enumerate(taken) if i >= len(dots) or dots[i].period.year != year
            ]  # not this year's dots
            if not any(b.overlaps(o) for b in boxes for o in others):
                break
        else:
            continue  # no free side: the values are in the report's table
        taken.extend(boxes)
        for dot, (_, y), centre in zip(column, points, centres, strict=True):
            moved = abs(centre - y) > 3
            axes.annotate(
                dot.text,
                xy=(dot.period.year, dot.value),
                xytext=(side * gap, centre - y),
                textcoords="offset points",
                ha="left" if side > 0 else "right",
                va="center",
                gid="year-value",
                annotation_clip=False,
                arrowprops={"arrowstyle": "-", "color": SOFT_INK, "linewidth": 0.6, "shrinkA": 1, "shrinkB": radius}
                if moved
                else None,
            ).set_in_layout(False)


# The origins of a period, ranked ------------------------------------------------------------------


@_chart
def origins_chart(
    ranked: Sequence[tuple[str, float, str]],
    *,
    highlight: int | None,
    fmt: Formatter,
    words: ChartWords,
    rank: str = "",
    narrow: bool = False,
) -> Figure:
    """Draw a period's origins as horizontal bars on a linear axis, largest first.

    ``ranked`` holds (name, value, value as written) for every origin, largest first. The
    `TOP_ORIGINS` largest are drawn, and the report's origin (``highlight``, its index) after a
    gap when it ranks lower, highlighted; ``rank`` says where it stands, above the bars.
    """
    rows = list(range(min(TOP_ORIGINS, len(ranked))))
    if highlight is not None and highlight >= TOP_ORIGINS:
        rows.append(highlight)
    ys = [float(i) if i < TOP_ORIGINS else TOP_ORIGINS + 0.6 for i in rows]  # a gap before an origin ranked lower
    names = [_wrap(ranked[i][0], (NARROW if narrow else WIDE) * 72 * 0.3) for i in rows]
    values = [ranked[i][1] for i in rows]
    texts = [ranked[i][2] for i in rows]
    height = 1.25 + 0.1 * (_lines(words.title) > 1) + sum(0.14 + 0.13 * _lines(n) for n in names)
    figure, axes = _new_figure(narrow, max(height + (0.25 if rank else 0), 2.4))
    colours = [HIGHLIGHT if i == highlight else MUTED for i in rows]
    axes.barh(ys, values, height=0.64, color=colours, zorder=2, gid="origin-bar")
    axes.set_yticks(ys, names)
    axes.set_ylim(max(ys, default=0) + 0.6, -0.6)
    if highlight in rows:
        axes.get_yticklabels()[rows.index(highlight)].set(fontweight="bold", color=HIGHLIGHT)
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", visible=True)
    axes.axvline(0, color=SOFT_INK, linewidth=0.8, zorder=3)
    axes.set_xlabel(words.axis, loc="left")
    heading = axes.set_title(rank, fontsize=TEXT_PT + 0.5, fontweight="bold", color=HIGHLIGHT)
    low, high = min([0.0, *values]), max([0.0, *values]) or 1.0
    ticks = [t for t in _value_ticks(low, high, 3 if narrow else 5) if low <= t <= high * 1.0001]
    axes.set_xticks(ticks, _tick_texts(ticks, fmt))
    axes.set_xlim(low, high)
    _framed(figure, words)
    _settle(figure)
    if rank:  # wrapped to the room right of the names, once the layout has placed them
        room = (1 - TEXT_LEFT - axes.get_position().x0) * figure.get_figwidth() * 72
        heading.set_text(_wrap(rank, room, heading.get_fontsize(), "bold"))
        _settle(figure)

    wide, _ = _points(axes)
    widths = [_width(t, TEXT_PT, "bold") + 6 for t in texts]
    # each label just past its bar's end, right of a positive bar, left of a negative one: the
    # scale (points a unit) is the largest at which every pair of ends fits across the axes
    rights = [(0.0, 0.0), *((v, w) for v, w in zip(values, widths, strict=True) if v >= 0)]
    lefts = [(0.0, 0.0), *((v, w) for v, w in zip(values, widths, strict=True) if v < 0)]
    scale = min(
        ((wide - wr - wl) / (vr - vl) for (vr, wr), (vl, wl) in itertools.product(rights, lefts) if vr > vl),
        default=wide,
    )
    left = min(v - w / scale for v, w in lefts)
    axes.set_xlim(left, left + wide / scale)
    for y, value, text, i in zip(ys, values, texts, rows, strict=True):
        axes.annotate(
            text,
            xy=(value, y),
            xytext=(4 if value >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontweight="bold" if i == highlight else "normal",
            gid="origin-value",
            annotation_clip=False,
        ).set_in_layout(False)
    _settle(figure)
    return figure


# Dated events, one mark each ----------------------------------------------------------------------
#
# The bound: a chart holds at most MAX_EVENT_MARKS marks whose labels take at most MAX_EVENT_LINES
# lines at a phone's width (a label at most MAX_LABEL_LINES, room for the contract's longest
# text, 500 characters), so no chart is taller than MAX_TIMELINE_HEIGHT inches, an A4
# page's printable height; and `timeline_pieces` returns at most MAX_EVENT_CHARTS charts, the
# latest events (those nearest the figures a report checks), leaving the earliest out past that.
# Drawing costs at most MAX_EVENT_CHARTS * MAX_EVENT_MARKS marks, however many events there are;
# merging them and counting their lines is linear in their number.
MAX_EVENT_MARKS = 20
MAX_EVENT_LINES = 48
MAX_LABEL_LINES = 24
MAX_EVENT_CHARTS = 4
MAX_TIMELINE_HEIGHT = 10.0
SAME_EVENT_DAYS = 731  # rows with the same text and category, dated within two years: one event
_PRECISIONS = ("year", "month", "day")


@dataclass(frozen=True)
class EventMark:
    """One event as a timeline draws it: every row that dates it, merged.

    ``start`` and ``end`` are its earliest and latest dates in years; ``date`` what its sources
    agree on, as written; ``note`` the caller's words where they differ; ``dates`` and
    ``sources`` every date given and the rows' ``source_id``.
    """

    start: float
    end: float
    date: str
    text: str
    category: str
    note: str
    dates: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def x(self) -> float:
        """Where its mark is drawn, in years: the middle of its dates."""
        return (self.start + self.end) / 2


def _year_position(date: str) -> float:
    """Return a YYYY, YYYY-MM or YYYY-MM-DD date's place in years: the middle of what it names."""
    parts = [int(p) for p in date.split("-")]
    year = parts[0]
    days = 366 if calendar.isleap(year) else 365
    if len(parts) == 1:
        return year + 0.5
    first = dt.date(year, parts[1], 1).timetuple().tm_yday - 1
    if len(parts) == 2:
        return year + (first + calendar.monthrange(year, parts[1])[1] / 2) / days
    return year + (first + parts[2] - 0.5) / days


def _merged(rows: Sequence[Any], fmt: Formatter, differ: Mapping[str, str]) -> EventMark:
    """Return the mark of rows that date one event: its date where they agree, a note where not."""
    dates = tuple(dict.fromkeys(r.date for r in rows))
    longest = max(dates, key=len)
    differences = (  # where two dates first differ, unless one is the other made more precise
        next((k for k, (x, y) in enumerate(zip(a.split("-"), b.split("-"), strict=False)) if x != y), None)
        for a, b in itertools.combinations(dates, 2)
    )
    level = min((k for k in differences if k is not None), default=None)
    if level is None:  # the same day, or one date more precise than another: no disagreement
        shown, note = fmt.date(longest), ""
    else:  # what they agree on (every date that long agrees on it), or each date
        agreed = "-".join(longest.split("-")[:level])
        shown = fmt.date(agreed) if level else fmt.join([fmt.date(d) for d in dates], style="or")
        note = differ[_PRECISIONS[level]]
    xs = [_year_position(d) for d in dates]
    first = rows[0]
    return EventMark(min(xs), max(xs), shown, first.text, first.category, note, dates, tuple(r.source_id for r in rows))


def timeline_marks(events: Sequence[Any], *, fmt: Formatter, differ: Mapping[str, str]) -> tuple[EventMark, ...]:
    """Merge the rows that date one event differently into one `EventMark` each, in date order.

    Rows are one event when they share text and category, come from different sources (or give
    the same date) and lie within `SAME_EVENT_DAYS` of the first; ``differ`` words a disagreement
    on the ``"year"``, ``"month"`` or ``"day"``.
    """
    ordered = sorted(events, key=lambda r: (r.text, r.category, first_day(r.date), r.date, r.source_id))
    marks = []
    for _, rows in itertools.groupby(ordered, key=lambda r: (r.text, r.category)):  # in date order
        cluster: list[Any] = []
        for row in rows:
            late = cluster and (first_day(row.date) - first_day(cluster[0].date)).days > SAME_EVENT_DAYS
            if late or any(c.source_id == row.source_id and c.date != row.date for c in cluster):
                marks.append(_merged(cluster, fmt, differ))
                cluster = []
            cluster.append(row)
        marks.append(_merged(cluster, fmt, differ))
    return tuple(sorted(marks, key=lambda m: (m.start, m.end, m.text)))


def _event_room(narrow: bool) -> float:
    """Return the width in points of an event's label: half the axis, less the gap to its mark."""
    return ((NARROW if narrow else WIDE) * 72 * (1 - 4 * TEXT_LEFT)) / 2 - 12


def _event_label(mark: EventMark, narrow: bool, room: float | None = None) -> str:
    """Return an event's label wrapped to its room (half the axis at least): date, event, note."""
    room = max(room or 0, _event_room(narrow))
    label = _wrap(f"{mark.date}: {mark.text}", room, most=MAX_LABEL_LINES - NOTE_LINES)
    return f"{label}\n{_wrap(mark.note, room, most=NOTE_LINES)}" if mark.note else label


def _split(lines: Sequence[int], most: int) -> list[list[int]]:
    """Split marks of ``lines`` label lines, latest first, into runs of at most ``most`` marks and `MAX_EVENT_LINES` lines."""
    pieces: list[list[int]] = [[]]
    for i in reversed(range(len(lines))):
        run = pieces[-1]
        if run and (len(run) == most or sum(lines[j] for j in run) + lines[i] > MAX_EVENT_LINES):
            pieces.append([])
        pieces[-1].append(i)
    return [sorted(p) for p in reversed(pieces) if p]


def timeline_pieces(marks: Sequence[EventMark]) -> list[tuple[EventMark, ...]]:
    """Split marks into at most `MAX_EVENT_CHARTS` charts of about equal size, in date order.

    Each holds at most `MAX_EVENT_MARKS` marks and `MAX_EVENT_LINES` label lines at a phone's
    width; past that the earliest marks are left out (the caller says how many).
    """
    lines = [_lines(_event_label(m, narrow=True)) for m in marks]
    pieces = _split(lines, MAX_EVENT_MARKS)
    if len(pieces) <= MAX_EVENT_CHARTS:  # all fit: share them out evenly
        even = _split(lines, -(-len(marks) // max(len(pieces), 1)))
        pieces = even if len(even) == len(pieces) else pieces
    return [tuple(marks[i] for i in piece) for piece in pieces[-MAX_EVENT_CHARTS:]]


@_chart
def events_chart(
    marks: Sequence[EventMark],
    *,
    categories: Mapping[str, str],
    words: ChartWords,
    narrow: bool = False,
) -> Figure:
    """Draw dated events on a time axis, one mark and one row each, shaped and coloured by category.

    An event its sources date differently is one mark spanning their dates. Labels sit on the
    side of their mark with more room, each on its own row, so none collide. Given a piece of
    `timeline_pieces`, the figure is at most `MAX_TIMELINE_HEIGHT` inches tall.
    """
    lo = min((m.start for m in marks), default=2000.0)
    hi = max((m.end for m in marks), default=lo + 1)
    pad = max((hi - lo) * 0.04, 0.5)
    middle = (lo + hi) / 2
    axis = 2 * (_event_room(narrow) + 12)  # the axis's width in points
    # each label wraps to the room on its mark's far side: half the axis or more
    rooms = [(hi + pad - m.x if m.x < middle else m.x - lo + pad) / (hi - lo + 2 * pad) * axis - 12 for m in marks]
    labels = [_event_label(m, narrow, room) for m, room in zip(marks, rooms, strict=True)]
    heights = [_lines(label) * TEXT_PT * 1.15 / 72 + 0.09 for label in labels]  # in inches
    needed = max(sum(heights), 0.4)
    centres = np.cumsum([0, *heights[:-1]]) + np.array(heights) / 2 if marks else np.array([])
    figure, axes = _new_figure(narrow, needed + 2.0)
    axes.set_xlim(lo - pad, hi + pad)
    axes.set_ylim(needed, 0)
    axes.yaxis.set_visible(False)
    axes.spines["left"].set_visible(False)
    axes.grid(axis="x", visible=True)  # the y axis hidden, its grid with it
    locator = MaxNLocator(nbins=3 if narrow else 7, integer=True, min_n_ticks=1, steps=[1, 2, 2.5, 5, 10])
    ticks = [int(t) for t in locator.tick_values(lo - pad, hi + pad) if lo - pad <= t <= hi + pad]
    axes.set_xticks(ticks, [str(t) for t in ticks])  # at most 4 or 8 round years, written as years
    for mark, label, y in zip(marks, labels, centres, strict=True):
        colour, marker = CATEGORY_STYLE[mark.category]
        if mark.end > mark.start:
            axes.plot([mark.start, mark.end], [y, y], color=colour, linewidth=1.4, zorder=2, gid="event-span")
        axes.plot(
            [mark.x],
            [y],
            marker=marker,
            color=colour,
            markersize=_MARK_PT - 1,
            markeredgecolor="white",
            markeredgewidth=0.6,
            zorder=3,
            gid="event-mark",
        )
        right = mark.x < middle
        axes.annotate(
            label,
            xy=(mark.x, y),
            xytext=(7 if right else -7, 0),
            textcoords="offset points",
            ha="left" if right else "right",
            va="center",
            linespacing=1.1,
            gid="event-label",
            annotation_clip=False,
        ).set_in_layout(False)
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=CATEGORY_STYLE[c][1],
            color=CATEGORY_STYLE[c][0],
            markersize=_MARK_PT - 1,
            label=categories[c],
        )
        for c in CATEGORIES
        if any(m.category == c for m in marks)
    ]
    _legend(axes, handles, loc="lower left", bbox_to_anchor=(0, 1.0), columnspacing=1.0, borderaxespad=0.3)
    _framed(figure, words)
    for _ in range(3):  # grow the figure until the rows have the room they need, in inches
        _settle(figure)
        short = needed - _points(axes)[1] / 72
        if short <= 0.005:
            break
        figure.set_figheight(figure.get_figheight() + short + 0.01)
    return figure
