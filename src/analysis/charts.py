"""The report's charts. Each helper takes data and returns a matplotlib Figure.

Every figure has a left-aligned title, a source line and alt text (``figure.alt_text``, read by
`alt_text`), all in the edition's language. The first helpers (`fdi_by_year`, `share_chart`,
`timeline_chart`) take an edition: words come from its gettext catalogue, numbers and dates from
its formatter, alt text from the ``alt.txt.j2`` template. The later ones (`range_chart`,
`years_chart`, `origins_chart`, `events_chart`) look up no word: the caller passes every word,
already translated (`ChartWords`), and a formatter for numbers; they come in a page's width and
a phone's (``narrow=True``), every text legible at both. The helpers build figures with
``matplotlib.figure.Figure`` rather than pyplot, so they keep no global state and never show
anything; the style is the package's own ``analysis.house``. Each figure also carries a key of
what it was drawn from (``figure.content_key``), by which a kernel kept warm between runs reuses
its rendering (`analysis.present`).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import io
import itertools
import pickle
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator
from matplotlib.transforms import offset_copy

from analysis import config
from analysis.cache import sha256
from analysis.contract import CATEGORIES, first_day
from analysis.metrics import Growth

if TYPE_CHECKING:
    from analysis.formatting import Formatter
    from analysis.language import Edition

HIGHLIGHT = "#0072B2"  # Okabe-Ito blue
MUTED = "#9DB9D3"  # the same hue, lighter: told apart by lightness, not by hue
TOTAL = "#B9B9B9"
INK = "#1f1f1f"
SOFT_INK = "#555555"
CATEGORY_STYLE = {  # colour and marker shape, so no category rests on hue alone
    "diplomacy": ("#0072B2", "o"),
    "investment": ("#D55E00", "s"),
    "energy": ("#009E73", "^"),
    "transport": ("#CC79A7", "D"),
    "politics": ("#E69F00", "v"),
}
TEXT_LEFT = 0.012  # title and source line start here, a little in from the image's edge
LOG_SCALE_SPAN = 20  # a largest-to-smallest ratio past which bars go on a logarithmic axis
WIDE = 7.2  # inches: the page's width
NARROW = 3.9  # inches: a phone's width (390 CSS pixels at about 100 per inch), text kept the same size


def alt_text(figure: Figure) -> str:
    """Return the alt text a chart helper attached to its figure.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure made by one of this module's helpers.

    Returns
    -------
    str
    """
    return figure.alt_text


class _KeyPickler(pickle.Pickler):
    """Pickles a chart's arguments, an edition by its language, locale and compiled catalogue.

    Its words come from its catalogue (identified by the digest of its ``.mo``) and its numbers
    from its locale, so these identify it (its loaded catalogue and compiled templates could not
    be pickled). A formatter is pickled by its locale and phrases, the same before and after it
    caches its Babel locale.
    """

    def persistent_id(self, obj: Any) -> Any:
        from analysis.formatting import Formatter
        from analysis.language import Edition

        if isinstance(obj, Edition):
            return ("edition", obj.lang, obj.locale, obj.digest)
        if isinstance(obj, Formatter):  # by what it writes from, not the locale object it caches
            return ("formatter", obj.locale, obj.phrases)
        return None


def content_key(name: str, args: tuple, kwargs: dict[str, Any]) -> str:
    """Return a key of everything a chart is drawn from: its helper's name and its arguments.

    The helpers are pure: within one process, the same key draws the same picture (the code, the
    style and the fonts are the same; a kernel is restarted when any of them changes).

    Parameters
    ----------
    name : str
        The chart helper's name.
    args, kwargs
        Its arguments.

    Returns
    -------
    str
        ``"sha256:<hex>"``.
    """
    buffer = io.BytesIO()
    _KeyPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((name, args, sorted(kwargs.items())))
    return sha256(buffer.getvalue())


def _keyed(helper: Callable[..., Figure]) -> Callable[..., Figure]:
    """Attach `content_key` of the helper's arguments to the figure it returns."""

    @functools.wraps(helper)
    def keyed(*args: Any, **kwargs: Any) -> Figure:
        key = content_key(helper.__qualname__, args, kwargs)  # before the helper could change them
        figure = helper(*args, **kwargs)
        figure.content_key = key
        return figure

    return keyed


def _new_figure(width: float, height: float) -> Figure:
    with matplotlib.style.context(config.MPL_STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def _frame(figure: Figure, title: str, source: str, alt: str, edition: Edition) -> Figure:
    """Add the left-aligned title and the source line, and attach the alt text."""
    width = figure.get_figwidth()
    figure.suptitle(
        textwrap.fill(title, int(width * 13)), x=TEXT_LEFT, ha="left", fontsize=11.5, fontweight="bold", color=INK
    )
    wrapped = textwrap.fill(edition.gettext("Source: %(sources)s", sources=source), int(width * 17))
    figure.supxlabel(wrapped, x=TEXT_LEFT, ha="left", fontsize=7.5, color=SOFT_INK)
    figure.get_layout_engine().set(w_pad=0.02, h_pad=0.04)
    figure.alt_text = alt
    figure.source_text = source
    return _literal(figure)


def _literal(figure: Figure) -> Figure:
    """Mark every text made so far literal: the style's ``text.parse_math`` misses texts made outside it."""
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    return figure


def _axis_number(edition: Edition, divisor: float = 1.0) -> FuncFormatter:
    """Tick labels in the edition's number format (whole numbers, or one decimal under 1)."""
    return FuncFormatter(lambda v, _: edition.fmt.number(v / divisor, 0 if abs(v / divisor) >= 1 or v == 0 else 1))


# Investment by year --------------------------------------------------------------------------


@_keyed
def fdi_by_year(years: Sequence[Any], growth: Growth, *, edition: Edition, source: str) -> Figure:
    """Draw the destination's total FDI and one origin's FDI, year by year, on one time axis.

    Parameters
    ----------
    years : sequence
        One entry per year (`analysis.sections.by_year.Year`): ``year``, ``origin`` (the chosen
        figure for the report's period length, or None), ``other`` ((months, figure) for other
        period lengths), ``total`` (the total's figure, or None).
    growth : analysis.metrics.Growth
        The headline comparison: its years are highlighted and its multiple annotated.
    edition : analysis.language.Edition
        The language of every word and number.
    source : str
        The source line.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels sharing the years: above, the total (US$ billions); below, the origin (US$
        millions, logarithmic when its values span more than a factor of 20), with part-year
        figures hatched beside their year and years without a figure marked.
    """
    fmt = edition.fmt
    origin, destination = fmt.country(growth.origin), fmt.country(growth.destination)
    length = edition.pgettext("period", "full year") if growth.months == 12 else fmt.months_span(growth.months)
    ends = {growth.base_year, growth.target_year}
    xs = np.array([y.year for y in years]) if years else np.array([growth.base_year, growth.target_year])
    values = [y.origin.value for y in years if y.origin is not None]
    others = [(y.year, m, r) for y in years for m, r in y.other]
    every = values + [r.value for _, _, r in others]
    positive = bool(every) and min(every) > 0
    log = positive and max(every) / min(every) > LOG_SCALE_SPAN

    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(WIDE, 5.4)
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[1, 1.7])

        totals = [(y.year, y.total.value) for y in years if y.total is not None]
        if totals:
            tx, tv = zip(*totals, strict=True)
            colours = [SOFT_INK if x in ends else TOTAL for x in tx]
            top.bar(tx, np.array(tv) / 1000, width=0.72, color=colours, zorder=2)
        top.yaxis.set_major_formatter(_axis_number(edition))
        top.set_title(
            edition.gettext("All origins, %(length)s, %(unit)s", length=length, unit=edition.gettext("US$ billions")),
            fontsize=9,
            fontweight="bold",
        )

        shown = [y for y in years if y.origin is not None]
        offset = 0.2 if others else 0.0
        if shown:
            bx = np.array([y.year for y in shown]) - offset
            bv = np.array([y.origin.value for y in shown])
            colours = [HIGHLIGHT if y.year in ends else MUTED for y in shown]
            bars = bottom.bar(bx, bv, width=0.72 - 2 * offset, color=colours, zorder=2)
            labels = [fmt.number(y.origin.value, y.origin.decimals) for y in shown]
            bottom.bar_label(bars, labels=labels, padding=2, fontsize=7.5, color=INK)
        if others:
            ox = np.array([x for x, _, _ in others]) + offset
            ov = np.array([r.value for _, _, r in others])
            bars = bottom.bar(
                ox, ov, width=0.4, facecolor="white", edgecolor=HIGHLIGHT, hatch="////", linewidth=0.8, zorder=2
            )
            bottom.bar_label(
                bars,
                labels=[fmt.number(r.value, r.decimals) for _, _, r in others],
                padding=2,
                fontsize=7,
                color=SOFT_INK,
            )
        missing = [y.year for y in years if y.origin is None and not y.other]
        if log:
            bottom.set_yscale("log")
            low, high = min(every), max(every)
            bottom.set_ylim(low / 3.0, high * 18)
            floor = low / 2.2
        else:
            bottom.axhline(0, color=SOFT_INK, linewidth=0.8, zorder=3)
            high = max(every, default=1)
            low = min([*every, 0])
            bottom.set_ylim(low * 1.3, (high * 1.5) or 1)
            floor = 0
        if missing:
            bottom.plot(
                missing, [floor] * len(missing), linestyle="none", marker="x", color=SOFT_INK, markersize=4, zorder=3
            )
        bottom.yaxis.set_major_formatter(_axis_number(edition))
        scale = edition.gettext("logarithmic scale") if log else edition.gettext("linear scale")
        bottom.set_title(
            edition.gettext(
                "%(origin)s, %(length)s, %(unit)s, %(scale)s; years without a figure are marked ×",
                origin=origin,
                length=length,
                unit=edition.gettext("US$ millions"),
                scale=scale,
            ),
            fontsize=9,
            fontweight="bold",
        )
        _annotate_multiple(bottom, growth, years, offset, log, edition)

        handles = [Patch(facecolor=HIGHLIGHT, label=length)]
        for months in sorted({m for _, m, _ in others}):
            label = edition.pgettext("legend", "%(months)s only (not a full year)", months=fmt.months_span(months))
            handles.append(Patch(facecolor="white", edgecolor=HIGHLIGHT, hatch="////", label=label))
        if missing:
            handles.append(
                Line2D([], [], linestyle="none", marker="x", color=SOFT_INK, label=edition.gettext("no figure"))
            )
        bottom.legend(handles=handles, loc="upper left", ncols=len(handles), fontsize=7.5, handlelength=1.4)

        # the compared years, the first and last, and every fifth year, none within a year of another
        ticks = set(ends)
        for year in [int(xs.min()), int(xs.max()), *(int(x) for x in xs if x % 5 == 0)]:
            if all(abs(year - t) > 1 for t in ticks):
                ticks.add(year)
        ticks = sorted(ticks)
        bottom.set_xticks(ticks, [str(t) for t in ticks])
        bottom.set_xlim(xs.min() - 0.8, xs.max() + 0.8)

    title = edition.gettext(
        "FDI into %(destination)s by year: %(origin)s, and all origins", origin=origin, destination=destination
    )
    alt = edition.render(
        "alt.txt.j2",
        "by_year",
        origin=growth.origin,
        destination=growth.destination,
        months=growth.months,
        years=years,
        growth=growth,
        log=log,
    )
    return _frame(figure, title, source, alt, edition)


def _annotate_multiple(axes, growth: Growth, years: Sequence[Any], offset: float, log: bool, edition: Edition) -> None:
    """Join the base and target bars with a bracket, the multiple written above it."""
    by_year = {y.year: y.origin.value for y in years if y.origin is not None}
    if growth.base_year not in by_year or growth.target_year not in by_year:
        return
    fmt = edition.fmt
    if growth.multiple is None:
        from analysis.sections.headline import reasons

        reason = reasons(edition)[growth.codes.get("multiple", "no_base")]
        axes.text(0.02, 0.80, reason, transform=axes.transAxes, va="top", fontsize=8, color=INK)
        return
    base, target = by_year[growth.base_year], by_year[growth.target_year]
    x0, x1 = growth.base_year - offset, growth.target_year - offset
    top = max(base, target)
    bar_y = top * 4.0 if log else top * 1.25
    feet = (base * 2.0, target * 1.7) if log else (base + top * 0.1, target + top * 0.1)
    line = {"color": INK, "linewidth": 1.0, "zorder": 4}
    axes.plot([x0, x0, x1], [feet[0], bar_y, bar_y], **line)
    axes.annotate(
        "",
        xy=(x1, feet[1]),
        xytext=(x1, bar_y),
        arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.0, "shrinkA": 0, "shrinkB": 0},
        zorder=4,
    )
    label = f"×{fmt.multiple(growth.multiple)}"
    axes.annotate(
        label,
        xy=((x0 + x1) / 2, bar_y),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=9.5,
        fontweight="bold",
        color=INK,
        zorder=5,
    )


# Shares -------------------------------------------------------------------------------------


@_keyed
def share_chart(
    series: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    origin: str,
    destination: str,
    year: int,
    months: int,
    edition: Edition,
    source: str,
) -> Figure:
    """Draw one origin's share of all FDI into a destination, by year and beside other origins.

    Parameters
    ----------
    series : pandas.DataFrame
        ``year``, ``share_pct`` for the origin (`analysis.metrics.origin_series`); years without
        a total are skipped.
    comparison : pandas.DataFrame
        ``origin``, ``share_pct`` for every origin in one period (`analysis.metrics.origins_in`).
    origin, destination : str
        ISO alpha-3 codes.
    year, months : int
        The period of ``comparison``.
    edition : analysis.language.Edition
        The language of every word and number.
    source : str
        The source line.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: the origin's share by year, and every origin's share in ``year``.
    """
    fmt = edition.fmt
    name, place = fmt.country(origin), fmt.country(destination)
    shares = series.dropna(subset=["share_pct"])
    others = comparison.dropna(subset=["share_pct"]).sort_values("share_pct")
    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(WIDE, 3.6)
        left, right = figure.subplots(1, 2, width_ratios=[1, 1.15])

        if shares.empty:
            left.text(
                0.5,
                0.5,
                edition.gettext("No year has both figures"),
                ha="center",
                va="center",
                transform=left.transAxes,
            )
        else:
            # one slot per year with a share, in order: years apart in time sit side by side
            slots = np.arange(len(shares))
            bars = left.bar(slots, shares["share_pct"], width=0.62, color=HIGHLIGHT, zorder=2)
            left.bar_label(bars, labels=[fmt.percent(v) for v in shares["share_pct"]], padding=2, fontsize=8)
            left.set_xticks(slots, [str(y) for y in shares["year"]])
            left.set_ylim(0, shares["share_pct"].max() * 1.3)
            left.set_xlim(-0.7, len(shares) - 0.3)
        left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v) if v else fmt.number(0, 0)))
        left.set_title(edition.gettext("%(origin)s's share, by year", origin=name), fontsize=9, fontweight="bold")

        period = fmt.period(year, months)
        if others.empty:
            right.text(
                0.5,
                0.5,
                edition.gettext("No shares for %(period)s", period=period),
                ha="center",
                va="center",
                transform=right.transAxes,
            )
        else:
            colours = [HIGHLIGHT if o == origin else MUTED for o in others["origin"]]
            names = [fmt.country(o) for o in others["origin"]]
            bars = right.barh(names, others["share_pct"], color=colours, height=0.6, zorder=2)
            right.bar_label(bars, labels=[fmt.percent(v) for v in others["share_pct"]], padding=3, fontsize=8.5)
            right.set_xlim(0, others["share_pct"].max() * 1.3)
            right.grid(axis="y", visible=False)
            right.grid(axis="x", visible=True)
        right.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v) if v >= 1 else fmt.number(0, 0)))
        right.set_title(edition.gettext("Origins' shares, %(period)s", period=period), fontsize=9, fontweight="bold")

    title = edition.gettext("%(origin)s's share of all FDI into %(destination)s", origin=name, destination=place)
    alt = edition.render(
        "alt.txt.j2",
        "share",
        origin=origin,
        destination=destination,
        period_text=period,
        shares=list(zip(shares["year"], shares["share_pct"], strict=True)),
        ranked=list(zip(others["origin"][::-1], others["share_pct"][::-1], strict=True)),
    )
    return _frame(figure, title, source, alt, edition)


# Timeline ------------------------------------------------------------------------------------


def _decimal_year(date: str) -> float:
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    day = pd.Timestamp(date).day_of_year
    return parts[0] + (day - 0.5) / 365.25


YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)  # years between ticks, by preference


def _year_step(span: float, most: int) -> int:
    """Return the smallest step of `YEAR_STEPS` that puts at most ``most`` ticks on a span of years."""
    return next((s for s in YEAR_STEPS if span / s <= most), YEAR_STEPS[-1])


@_keyed
def timeline_chart(
    events: Sequence[Any], *, start: int, end: int, edition: Edition, source: str, width: float = WIDE
) -> Figure:
    """Draw dated events on a time axis, one row each, coloured and shaped by category.

    Each event has its own row, tall enough for its wrapped label, so labels cannot collide; a
    label sits on whichever side of its marker has more room.

    Parameters
    ----------
    events : sequence
        ``date``, ``text``, ``category`` each (`analysis.sections.timeline.Event`), in date order.
    start, end : int
        First and last year of the axis.
    edition : analysis.language.Edition
        The language of dates and words.
    source : str
        The source line.
    width : float
        Inches: `WIDE` for the page, `NARROW` for a phone (labels wrap narrower, text keeps
        its size).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from analysis.sections.timeline import category_names

    events = [ev for ev in events if start <= int(ev.date[:4]) <= end]
    fmt = edition.fmt
    names = category_names(edition)
    xs = [_decimal_year(ev.date) for ev in events]
    span = max(end - start, 1)
    pad = max(span * 0.04, 0.6)
    middle = (start + end) / 2
    axis_width = width - 0.4
    # Characters that fit beside each marker: the room on its side of the axis, at about 0.058 in
    # a character for 7.6-point DejaVu Sans.
    room = [(end + pad - x if x < middle else x - start + pad) / (span + 2 * pad) * axis_width for x in xs]
    labels = [
        textwrap.fill(f"{fmt.date(ev.date)}: {ev.text}", max(18, min(96, int(r / 0.058) - 3)))
        for ev, r in zip(events, room, strict=True)
    ]
    lines = [label.count("\n") + 1 for label in labels]
    row_height, gap = 0.142, 0.07  # inches per text line, and between rows
    heights = [n * row_height + gap for n in lines]
    tops = np.cumsum([0, *heights[:-1]])
    centres = tops + np.array(heights) / 2
    legend_rows = 1 if width >= WIDE else 2
    height = max(sum(heights), 0.5) + 1.15 + 0.2 * legend_rows

    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(width, height)
        axes = figure.subplots()
        axes.set_xlim(start - pad, end + pad)
        axes.set_ylim(sum(heights) + 0.05, -0.05)
        axes.yaxis.set_visible(False)
        axes.spines["left"].set_visible(False)
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", visible=True)
        step = _year_step(span, 8 if width >= WIDE else 4)
        axes.xaxis.set_major_locator(MultipleLocator(step))
        axes.tick_params(axis="x", labelsize=8)
        for event, label, x, y in zip(events, labels, xs, centres, strict=True):
            colour, marker = CATEGORY_STYLE[event.category]
            axes.plot(
                [x],
                [y],
                marker=marker,
                color=colour,
                markersize=6,
                markeredgecolor="white",
                markeredgewidth=0.6,
                zorder=3,
            )
            right = x < middle
            axes.annotate(
                label,
                xy=(x, y),
                xytext=(6 if right else -6, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=7.6,
                color=INK,
                linespacing=1.12,
                gid="event-label",
            )
        present = [c for c in CATEGORIES if any(ev.category == c for ev in events)]
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=CATEGORY_STYLE[c][1],
                color=CATEGORY_STYLE[c][0],
                markersize=6,
                label=names[c],
            )
            for c in present
        ]
        axes.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=len(handles) if legend_rows == 1 else 3,
            handletextpad=0.3,
            columnspacing=1.0,
            borderaxespad=0.2,
        )

    title = edition.gettext("Dated events, %(start)s–%(end)s", start=start, end=end)
    alt = edition.render(
        "alt.txt.j2", "timeline", events=events, categories=[c for c in CATEGORIES if c in present], names=names
    )
    return _frame(figure, title, source, alt, edition)


def label_artists(figure: Figure) -> Iterable:
    """Return the event labels of a timeline figure (for checking their extents)."""
    return [t for t in figure.axes[0].texts if t.get_gid() == "event-label"]


# Charts drawn from the caller's words ---------------------------------------------------------
#
# The helpers below draw no word of their own: the caller passes every word, already in the
# edition's language (`ChartWords`, and a few keyword arguments), and a `Formatter` for numbers
# and periods. Each draws on a linear value axis or a true time axis, in two sizes: the page's
# (`WIDE`, printed at its size on A4) and a phone's (``narrow=True``, `NARROW`).
#
# Text sizes. A phone shows the narrow figure, NARROW = 3.9 in wide, across PHONE_PX = 390 CSS
# pixels: 390 / 3.9 = 100 CSS px an inch, and a point is 1/72 in, so text of s pt shows at
# s * 100 / 72 CSS px; 11 CSS px (PHONE_MIN_PX) needs s >= 11 * 72 / 100 = 7.92 pt. The page's
# padding (0.85 rem, 13.6 px, each side) leaves the image about 361 px of a 390-px screen, 92.6 px
# an inch, where 11 px needs 8.55 pt: the narrow charts' smallest text is 8.6 pt. The wide figure
# is WIDE inches printed WIDE inches across A4, a point a point: PRINT_MIN_PT = 7, drawn at 8.
PHONE_PX = 390
PHONE_MIN_PX = 11
PRINT_MIN_PT = 7.0
TITLE_LINES, NOTE_LINES, SOURCE_LINES = 3, 3, 4  # a longer text ends in "…": the figure stays bounded


@dataclass(frozen=True)
class ChartWords:
    """The words one chart draws, in the edition's language, given by its caller.

    Parameters
    ----------
    title : str
        What the chart shows, as a sentence (``"Between 7 and 31 times, depending on which 2024
        figure is right"``): bold, left-aligned above it.
    source : str
        The whole source line, as drawn under the chart (``"Sources: Proceso; forte.news"``).
    alt : str
        The alt text, attached as ``figure.alt_text``.
    axis : str
        The value axis's label (``"US$ millions"``); empty for none.
    note : str
        A line drawn above the source line (``"Linear scale."``); empty for none.
    """

    title: str
    source: str
    alt: str
    axis: str = ""
    note: str = ""


@dataclass(frozen=True)
class _Sizes:
    """Font sizes in points, and the figure's width in inches, of one variant."""

    width: float
    title: float
    text: float  # labels, credits, ticks, legend
    small: float  # the note and the source line
    strong: float  # values and multiples


_SIZES = {False: _Sizes(WIDE, 12.0, 8.5, 8.0, 10.0), True: _Sizes(NARROW, 11.5, 8.6, 8.6, 10.0)}
_LINE = 1.2  # a text line's height, in font sizes
_MARK_PT = 8.0  # the markers' size in points
_WIDTH_SLACK = 0.05  # room for what hinting adds to the glyphs' advances when Agg draws them


@functools.cache
def _advance(weight: str, char: str) -> float:
    """Return a character's advance at 1 pt, in points, in the house style's first font."""
    from matplotlib.font_manager import FontProperties, findfont, get_font
    from matplotlib.ft2font import LoadFlags

    font = get_font(findfont(FontProperties(family="DejaVu Sans", weight=weight)))
    font.set_size(100, 72)
    return font.load_char(ord(char), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536 / 100


def _width(text: str, size: float, weight: str = "normal") -> float:
    """Return the width in points of a text's longest line, so labels can be fitted before drawing."""
    return max((size * sum(_advance(weight, c) for c in line) for line in text.split("\n")), default=0.0) * (
        1 + _WIDTH_SLACK
    )


def _wrap(text: str, points: float, size: float, weight: str = "normal", most: int | None = None) -> str:
    """Wrap a text into lines no wider than ``points``; past ``most`` lines, end it with "…"."""
    space = size * _advance(weight, " ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split():
            wide = _width(word, size, weight)
            if line and used + space + wide <= points:
                line, used = f"{line} {word}", used + space + wide
                continue
            if line:
                lines.append(line)
            while wide > points and len(word) > 1:  # a word longer than a line is cut where it must
                cut = next(k for k in range(len(word) - 1, 0, -1) if _width(word[:k], size, weight) <= points or k == 1)
                lines.append(word[:cut])
                word = word[cut:]
                wide = _width(word, size, weight)
            line, used = word, wide
        lines.append(line)
    if most is not None and len(lines) > most:
        last = lines[most - 1]
        while last and _width(last + " …", size, weight) > points:
            last = last[:-1]
        lines = [*lines[: most - 1], last.rstrip() + " …"]
    return "\n".join(lines)


def _wrap_after(text: str, points: float, size: float, separator: str = ", ") -> str:
    """Wrap a text preferably after its separators (a credit's name, then its date), else by word."""
    pieces = text.split(separator)
    chunks = [f"{c}{separator.rstrip()}" for c in pieces[:-1]] + pieces[-1:]
    lines: list[str] = []
    line = ""
    for chunk in chunks:
        joined = f"{line} {chunk}" if line else chunk
        if _width(joined, size) <= points:
            line = joined
            continue
        if line:
            lines.append(line)
        *full, line = _wrap(chunk, points, size).split("\n")
        lines.extend(full)
    lines.append(line)
    return "\n".join(lines)


def _hang(text: str) -> str:
    """Indent a wrapped text's lines after the first, so that where one label ends shows."""
    return text.replace("\n", "\n\u2002\u2002")


def _rooms(needs: Sequence[float], room: float) -> list[float]:
    """Share a width among labels that need ``needs``: each its need if all fit, the widest cut first."""
    rooms = list(needs)
    while sum(rooms) > room + 1e-6:
        widest = max(range(len(rooms)), key=lambda i: rooms[i])
        others = sum(rooms) - rooms[widest]
        rooms[widest] = max(room - others, room / len(rooms))
        if sum(rooms) > room + 1e-6:  # every label wider than its share: an equal share each
            rooms = [min(n, room / len(rooms)) for n in needs]
            break
    return rooms


def _lines(text: str) -> int:
    """Return how many lines a text has."""
    return text.count("\n") + 1


def _usable(figure: Figure) -> float:
    """Return the width in points a title or a source line may take."""
    return figure.get_figwidth() * 72 * (1 - 2 * TEXT_LEFT)


def _framed(figure: Figure, words: ChartWords, size: _Sizes) -> Figure:
    """Add the caller's title, note and source line, and attach its alt text and source."""
    usable = _usable(figure)
    title = _wrap(words.title, usable, size.title, "bold", TITLE_LINES)
    figure.suptitle(title, x=TEXT_LEFT, ha="left", fontsize=size.title, fontweight="bold", color=INK, parse_math=False)
    foot = [_wrap(words.note, usable, size.small, most=NOTE_LINES)] if words.note else []
    foot.append(_wrap(words.source, usable, size.small, most=SOURCE_LINES))
    figure.supxlabel("\n".join(foot), x=TEXT_LEFT, ha="left", fontsize=size.small, color=SOFT_INK, parse_math=False)
    figure.get_layout_engine().set(w_pad=TEXT_LEFT * figure.get_figwidth(), h_pad=0.04)  # in line with the title
    figure.alt_text = words.alt
    figure.source_text = words.source
    return figure


def _settle(figure: Figure) -> None:
    """Lay the figure out (in the house style), so label positions can be measured."""
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            axis.get_major_ticks(len(axis.get_majorticklocs()))  # every tick made in the house style
            axis.get_minor_ticks(len(axis.get_minorticklocs()))
    figure.draw_without_rendering()


def _points(axes) -> tuple[float, float]:
    """Return an axes' width and height in points, as laid out."""
    box = axes.get_position()
    figure = axes.get_figure()
    return box.width * figure.get_figwidth() * 72, box.height * figure.get_figheight() * 72


def _unit(axes, unit: str, size: _Sizes) -> None:
    """Write the value axis's unit above it, left-aligned: it takes no width from the plot."""
    if unit:
        axes.set_title(unit, loc="left", fontsize=size.text, fontweight="normal", color=SOFT_INK, pad=6)


def _legend_columns(labels: Sequence[str], size: float, points: float) -> int:
    """Return the most columns a legend of these labels can have within ``points`` of width."""
    entries = [_width(label, size) + size * 2.6 for label in labels]  # a marker and the gaps around it
    for columns in range(len(entries), 1, -1):
        widths = [max(entries[c::columns]) for c in range(columns)]
        if sum(widths) + size * (columns - 1) <= points:
            return columns
    return 1


def _value_ticks(low: float, high: float, most: int) -> np.ndarray:
    """Return round ticks from ``low`` to ``high`` (both included) for a linear value axis."""
    return MaxNLocator(nbins=most, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3).tick_values(low, high)


def _tick_texts(ticks: Sequence[float], fmt: Formatter, percent: bool = False) -> list[str]:
    """Write ticks with as few decimals as write them all exactly (none for whole numbers)."""
    decimals = next((d for d in range(4) if all(abs(round(t, d) - t) < 1e-9 for t in ticks)), 3)
    if percent:
        return [fmt.number(0, 0) if t == 0 else f"{fmt.percent(t)}" for t in ticks]
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


# The range of reported figures -----------------------------------------------------------------


@dataclass(frozen=True)
class _Mark:
    """One distinct value of a period, with the credits of every independent report giving it."""

    value: float
    text: str
    credits: tuple[str, ...]


def _range_marks(period: Any, credits: Mapping[str, str], fmt: Formatter) -> list[_Mark]:
    """Return one mark per distinct value of a period's independent reports, credits oldest first."""
    marks = []
    for value in period.values:
        reports = period.reporting(value)
        missing = [r.source_id for r in reports if r.source_id not in credits]
        if missing:
            raise KeyError(f"range_chart: no credit given for {', '.join(missing)}")
        decimals = max(r.decimals for r in reports)
        dated = sorted(reports, key=lambda r: (first_day(r.published) or dt.date.max, r.source_id))
        marks.append(
            _Mark(value, fmt.number(value, decimals), tuple(dict.fromkeys(credits[r.source_id] for r in dated)))
        )
    return marks


@_keyed
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

    Each distinct value is one mark, on a linear axis from zero, labelled with the value and the
    credit of every report giving it (two sources giving 86.4 are one mark with two credits).
    Arrows join the base to the target at the two ends of the range of multiples: the lowest
    target over the highest base, and the highest target over the lowest base, each written.

    Parameters
    ----------
    base, target : analysis.facts.Period
        The periods compared (base drawn left); their independent reports are drawn.
    credits : mapping of str to str
        A credit for each report's ``source_id``, dated, in the edition's language: ``"Proceso,
        Jun 2025"``, ``"Expansión (via gw2ru.com), Jan 2026"`` (the report's ``credited_to``,
        its ``via``, its ``published``).
    fmt : analysis.formatting.Formatter
        Writes the values (at their reported decimals), the multiples and the periods.
    words : ChartWords
        The title (what the chart shows), the source line, the alt text and the axis's label.
    multiple : str
        How a multiple reads, ``{value}`` being the number: ``"×{value}"``.
    narrow : bool
        Lay it out for a phone (`NARROW` inches wide) rather than the page (`WIDE`).

    Returns
    -------
    matplotlib.figure.Figure
        No multiple is drawn when a base value is zero or negative (``words.note`` can say why).

    Raises
    ------
    KeyError
        A report has no credit.
    """
    size = _SIZES[narrow]
    columns = [_range_marks(base, credits, fmt), _range_marks(target, credits, fmt)]
    values = [m.value for column in columns for m in column]
    ticks = _value_ticks(min([0.0, *values]), max([0.0, *values]) * 1.08 or 1.0, 4 if narrow else 5)
    ends = []
    bases, targets = [m.value for m in columns[0]], [m.value for m in columns[1]]
    if bases and targets and min(bases) > 0:
        pairs = [(max(bases), min(targets)), (min(bases), max(targets))]  # the lowest, the highest
        low, high = (t / b for b, t in pairs)
        texts = fmt.multiple_range(low, high) if low != high else (fmt.multiple(low),) * 2
        ends = list(dict.fromkeys(zip(pairs, texts, strict=True)))
    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(size.width, 5.0 if narrow else 4.3)
        axes = figure.subplots()
        axes.set_ylim(ticks[0], ticks[-1])
        axes.set_yticks(ticks, _tick_texts(ticks, fmt))
        _unit(axes, words.axis, size)
        axes.tick_params(labelsize=size.text)
        axes.tick_params(axis="x", length=0, pad=6)
        axes.grid(axis="x", visible=False)
        estimate = (size.width - 0.75) * 72  # the axes' width before layout, for wrapping
        names = [fmt.period(p.year, p.months) for p in (base, target)]
        axes.set_xticks([0, 1], [_wrap(n, max(estimate * 0.34, 72), size.text) for n in names])
        for label in axes.get_xticklabels():
            label.set_fontweight("bold")
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
                fontsize=size.strong + 1,
                fontweight="bold",
                color=INK,
                gid="range-multiple",
                annotation_clip=False,
            ).set_in_layout(False)
        _framed(figure, words, size)
        _settle(figure)

        wide, tall = _points(axes)
        rooms = _rooms(
            [
                max(
                    (
                        max(_width(m.text, size.strong, "bold"), *(_width(c, size.text) for c in m.credits))
                        for m in column
                    ),
                    default=0,
                )
                for column in columns
            ],
            wide * 0.78 - 32,  # a fifth of the axes left between the columns, for the arrows
        )
        blocks = [
            [(m, "\n".join(_hang(_wrap_after(c, room, size.text)) for c in m.credits)) for m in column]
            for column, room in zip(columns, rooms, strict=True)
        ]
        sides = [
            max((max(_width(m.text, size.strong, "bold"), _width(c, size.text)) for m, c in column), default=0) + 16
            for column in blocks
        ]
        per_point = 1 / max(wide - sides[0] - sides[1], wide * 0.2)  # data units of x per point
        axes.set_xlim(-sides[0] * per_point, 1 + sides[1] * per_point)
        bottom, top = ticks[0], ticks[-1]
        for x, column in enumerate(blocks):
            heights = [size.strong * _LINE + (_lines(c) * size.text * _LINE if c else 0) + 4 for _, c in column]
            wanted = [(m.value - bottom) / (top - bottom) * tall for m, _ in column]
            centres = _spread(wanted, heights, 0, tall)
            for (mark, credit), centre, height, point in zip(column, centres, heights, wanted, strict=True):
                dx = -9 if x == 0 else 9
                ha = "right" if x == 0 else "left"
                first = centre + height / 2 - point - 2  # the block's top, from the mark, in points
                common = {"textcoords": "offset points", "ha": ha, "va": "top", "annotation_clip": False}
                value = axes.annotate(
                    mark.text,
                    xy=(x, mark.value),
                    xytext=(dx, first),
                    fontsize=size.strong,
                    fontweight="bold",
                    color=INK,
                    gid="range-value",
                    **common,
                )
                value.set_in_layout(False)
                if credit:
                    axes.annotate(
                        credit,
                        xy=(x, mark.value),
                        xytext=(dx, first - size.strong * _LINE),
                        fontsize=size.text,
                        color=INK,
                        linespacing=1.1,
                        multialignment="left",
                        gid="range-credit",
                        **common,
                    ).set_in_layout(False)
        _settle(figure)
    return _literal(figure)


# An origin's figures by year -------------------------------------------------------------------


@dataclass(frozen=True)
class _Dot:
    """One distinct figure of a period: where it is drawn and how it reads."""

    year: int
    months: int
    value: float
    text: str


def _dots(periods: Sequence[Any], fmt: Formatter, every: bool) -> list[_Dot]:
    """Return a dot per distinct value of each period: of its independent reports, or its chosen one."""
    dots = []
    for period in periods:
        reports = period.independent if every else tuple(r for r in [period.chosen] if r is not None)
        for value in sorted({r.value for r in reports}, reverse=True):
            decimals = max(r.decimals for r in reports if r.value == value)
            dots.append(_Dot(period.year, period.months, value, fmt.number(value, decimals)))
    return dots


def _year_ticks(years: Sequence[int], first: Sequence[int], per_year: float, label: float) -> list[int]:
    """Choose the years to label: ``first`` ones, then the latest others whose labels have room."""
    chosen: list[int] = []
    for year in [*first, *sorted(set(years) - set(first), reverse=True)]:
        if all(abs(year - other) * per_year >= label for other in chosen):
            chosen.append(year)
    return sorted(chosen)


@_keyed
def years_chart(
    periods: Sequence[Any],
    *,
    fmt: Formatter,
    words: ChartWords,
    full_year: str,
    part_year: Mapping[int, str],
    every: bool = True,
    emphasis: Sequence[int] = (),
    narrow: bool = False,
) -> Figure:
    """Draw one origin's figures as dots on a time axis, years placed by their value.

    A year without a figure is an empty stretch of the axis, not a missing slot; a part-year
    figure is a hollow diamond, never drawn as a full year. Each year's dots are labelled with
    their values, right of them or left, wherever the labels touch no other dot or label (where
    neither side is free, as in a long run of consecutive years on a phone, they are left out:
    the report's table holds every value).

    Parameters
    ----------
    periods : sequence of analysis.facts.Period
        The origin's periods, of any length (``months``).
    fmt : analysis.formatting.Formatter
        Writes the values (at their reported decimals) and the ticks.
    words : ChartWords
        The title, the source line, the alt text and the axis's unit.
    full_year : str
        The legend's words for a full year's figure.
    part_year : mapping of int to str
        The legend's words for each part-year length drawn, by months (``{9: "January–September
        only (not a full year)"}``).
    every : bool
        Draw every independent report's value (True) or only each period's chosen figure.
    emphasis : sequence of int
        Years whose tick is always written, in bold (the years compared).
    narrow : bool
        Lay it out for a phone (`NARROW` inches wide) rather than the page (`WIDE`).

    Returns
    -------
    matplotlib.figure.Figure
        On a linear value axis from zero (below it only for a negative figure).
    """
    size = _SIZES[narrow]
    dots = _dots(periods, fmt, every)
    values = [d.value for d in dots]
    years = sorted({d.year for d in dots}) or sorted({p.year for p in periods}) or [0]
    ticks = _value_ticks(min([0.0, *values]), max([0.0, *values]) * 1.05 or 1.0, 5)
    kinds = sorted({d.months for d in dots}, reverse=True)  # 12 (the full year) first
    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(size.width, 4.4 if narrow else 3.8)
        axes = figure.subplots()
        axes.set_ylim(ticks[0], ticks[-1])
        axes.set_yticks(ticks, _tick_texts(ticks, fmt))
        _unit(axes, words.axis, size)
        axes.tick_params(labelsize=size.text)
        axes.grid(axis="x", visible=False)
        for dot in dots:
            axes.plot([dot.year], [dot.value], **_dot_style(dot.months), zorder=4, gid=f"year-mark-{dot.months}")
        handles = [Line2D([], [], **_dot_style(m), label=full_year if m == 12 else part_year[m]) for m in kinds]
        if handles:
            axes.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(0, 0),
                bbox_transform=offset_copy(axes.transAxes, figure, y=-(size.text * 1.6 + 6), units="points"),
                ncols=_legend_columns([h.get_label() for h in handles], size.text, _usable(figure) * 0.9),
                fontsize=size.text,
                handletextpad=0.3,
                columnspacing=1.2,
                borderaxespad=0,
                borderpad=0,
            )
        _framed(figure, words, size)
        _settle(figure)

        wide, tall = _points(axes)
        reach = max((_width(d.text, size.text) for d in dots), default=0) + 10  # a label and its gap
        if len(years) > 1:
            per_year = (wide - 2 * reach) / (years[-1] - years[0])
            pad = reach / per_year
        else:
            per_year, pad = wide / 2, 1.0
        axes.set_xlim(years[0] - pad, years[-1] + pad)
        label = _width("0000", size.text, "bold") + 10
        shown = _year_ticks(years, [y for y in emphasis if y in years], per_year, label)
        axes.set_xticks(shown, [str(y) for y in shown])
        for text, year in zip(axes.get_xticklabels(), shown, strict=True):
            text.set_fontweight("bold" if year in emphasis else "normal")
        if len(years) > 1 and years[-1] - years[0] <= 100:  # a small tick every year, labelled or not
            axes.set_xticks(range(years[0], years[-1] + 1), minor=True)
        _value_labels(axes, dots, years, (ticks[0], ticks[-1]), (per_year, tall), size)
        _settle(figure)
    return _literal(figure)


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


def _value_labels(axes, dots: list[_Dot], years: list[int], limits, scale, size: _Sizes) -> None:
    """Label each year's dots on the side where the labels touch no dot and no other label."""
    (bottom, top), (per_year, tall) = limits, scale
    left = axes.get_xlim()[0]
    height, gap, radius = size.text * _LINE, 7.0, _MARK_PT / 2 + 1

    def at(year: float, value: float) -> tuple[float, float]:
        return (year - left) * per_year, (value - bottom) / (top - bottom) * tall

    taken = [(x - radius, y - radius, x + radius, y + radius) for x, y in (at(d.year, d.value) for d in dots)]
    for year in years:
        column = [d for d in dots if d.year == year]
        points = [at(d.year, d.value) for d in column]
        centres = _spread([y for _, y in points], [height] * len(column), 0, tall)
        widths = [_width(d.text, size.text) for d in column]
        for side in (1, -1):
            boxes = []
            for (x, _), centre, width in zip(points, centres, widths, strict=True):
                near, far = x + side * gap, x + side * (gap + width)
                boxes.append((min(near, far), centre - height / 2, max(near, far), centre + height / 2))
            own = {i for i, d in enumerate(dots) if d.year == year}
            others = [b for i, b in enumerate(taken) if i not in own]
            if all(not _overlap(b, o) for b in boxes for o in others):
                break
        else:
            continue  # no free side: the values are in the report's table
        taken.extend(boxes)
        for dot, (_, y), centre in zip(column, points, centres, strict=True):
            moved = abs(centre - y) > 3
            axes.annotate(
                dot.text,
                xy=(dot.year, dot.value),
                xytext=(side * gap, centre - y),
                textcoords="offset points",
                ha="left" if side > 0 else "right",
                va="center",
                fontsize=size.text,
                color=INK,
                gid="year-value",
                annotation_clip=False,
                arrowprops={"arrowstyle": "-", "color": SOFT_INK, "linewidth": 0.6, "shrinkA": 1, "shrinkB": radius}
                if moved
                else None,
            ).set_in_layout(False)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Say whether two boxes (x0, y0, x1, y1) overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# The origins of a period, ranked ------------------------------------------------------------------


@_keyed
def origins_chart(
    ranked: Sequence[tuple[str, float, str]],
    *,
    highlight: int | None,
    fmt: Formatter,
    words: ChartWords,
    rank: str = "",
    top: int = 10,
    percent: bool = False,
    narrow: bool = False,
) -> Figure:
    """Draw a period's origins as horizontal bars on a linear axis, largest first.

    The ``top`` largest are drawn, and the report's origin below them (after a gap) when it
    ranks lower, its bar and name highlighted; ``rank`` says where it stands.

    Parameters
    ----------
    ranked : sequence of (str, float, str)
        Every origin, largest first: its name, its value (US$ millions, or a share in percent),
        and the value as written (``"86.4"``, ``"0.23%"``).
    highlight : int or None
        The report's origin: its position in ``ranked``.
    fmt : analysis.formatting.Formatter
        Writes the axis's ticks.
    words : ChartWords
        The title, the source line, the alt text and the axis's unit.
    rank : str
        Where the report's origin ranks, in the caller's words (``"Russia: 17th of 17 origins
        listed"``), written above the bars; empty for none.
    top : int
        How many of the largest are drawn.
    percent : bool
        The values are shares in percent (ticks written as percentages).
    narrow : bool
        Lay it out for a phone (`NARROW` inches wide) rather than the page (`WIDE`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    size = _SIZES[narrow]
    rows = list(range(min(top, len(ranked))))
    if highlight is not None and highlight >= top:
        rows.append(highlight)
    ys = [float(i) if i < top else top + 0.6 for i in rows]  # a gap before an origin ranked lower
    names = [_wrap(ranked[i][0], (size.width * 72) * 0.3, size.text) for i in rows]
    values = [ranked[i][1] for i in rows]
    texts = [ranked[i][2] for i in rows]
    height = 1.25 + 0.1 * (_lines(words.title) > 1) + sum(0.14 + 0.13 * _lines(n) for n in names)
    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(size.width, max(height + (0.25 if rank else 0), 2.4))
        axes = figure.subplots()
        colours = [HIGHLIGHT if i == highlight else MUTED for i in rows]
        axes.barh(ys, values, height=0.64, color=colours, zorder=2, gid="origin-bar")
        axes.set_yticks(ys, names)
        axes.set_ylim(max(ys, default=0) + 0.6, -0.6)
        for label, i in zip(axes.get_yticklabels(), rows, strict=True):
            if i == highlight:
                label.set_fontweight("bold")
                label.set_color(HIGHLIGHT)
        axes.tick_params(labelsize=size.text)
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", visible=True)
        axes.axvline(0, color=SOFT_INK, linewidth=0.8, zorder=3)
        axes.set_xlabel(words.axis, fontsize=size.text, loc="left")
        if rank:
            axes.set_title(rank, loc="left", fontsize=size.text + 0.5, fontweight="bold", color=HIGHLIGHT, pad=6)
        low, high = min([0.0, *values]), max([0.0, *values]) or 1.0
        ticks = [t for t in _value_ticks(low, high, 3 if narrow else 5) if low <= t <= high * 1.0001]
        axes.set_xticks(ticks, _tick_texts(ticks, fmt, percent))
        axes.set_xlim(low, high)
        _framed(figure, words, size)
        _settle(figure)

        wide, _ = _points(axes)
        widths = [_width(t, size.text, "bold") + 6 for t in texts]
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
                fontsize=size.text,
                fontweight="bold" if i == highlight else "normal",
                color=INK,
                gid="origin-value",
                annotation_clip=False,
            ).set_in_layout(False)
        _settle(figure)
    return _literal(figure)


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
    """One event as a timeline draws it: every row that dates it, merged into one mark.

    Parameters
    ----------
    start, end : float
        The earliest and the latest of its dates, in years (1890.92 is late November 1890).
    date : str
        Its date as written: what every source agrees on (``"December 1890"`` for 1, 11 and 12
        December 1890).
    text : str
        What happened.
    category : str
        One of the contract's categories.
    note : str
        Where its sources differ on its date, the caller's words for it; else empty.
    dates : tuple of str
        Every date given for it, as in the data.
    sources : tuple of str
        The ``source_id`` of every row merged, in date order.
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
    parts = [tuple(int(p) for p in d.split("-")) for d in dates]
    longest = max(parts, key=len)
    conflicts = [
        next(k for k in range(min(len(a), len(b))) if a[k] != b[k])
        for a, b in itertools.combinations(parts, 2)
        if a[: min(len(a), len(b))] != b[: min(len(a), len(b))]
    ]
    if not conflicts:  # the same day, or one date more precise than another: no disagreement
        shown, note = fmt.date("-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(longest))), ""
    else:
        level = min(conflicts)
        agreed = max((p[:level] for p in parts), key=len)
        if level == 0:
            shown = fmt.join([fmt.date(d) for d in dates], style="or")
        else:
            shown = fmt.date("-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(agreed)))
        note = differ[_PRECISIONS[level]]
    xs = [_year_position(d) for d in dates]
    first = rows[0]
    return EventMark(min(xs), max(xs), shown, first.text, first.category, note, dates, tuple(r.source_id for r in rows))


def timeline_marks(events: Sequence[Any], *, fmt: Formatter, differ: Mapping[str, str]) -> tuple[EventMark, ...]:
    """Merge the rows that date the same event differently into one mark each.

    Rows are one event when they have the same text and category, come from different sources
    (or give the same date) and lie within `SAME_EVENT_DAYS` of the first of them.

    Parameters
    ----------
    events : sequence
        ``date``, ``text``, ``category``, ``source_id`` each (`analysis.sections.timeline.Event`).
    fmt : analysis.formatting.Formatter
        Writes the dates.
    differ : mapping of str to str
        The words for sources that differ on an event's ``"year"``, ``"month"`` or ``"day"``
        (``"sources differ on the day"``).

    Returns
    -------
    tuple of EventMark
        In date order.
    """
    groups: dict[tuple[str, str], list[Any]] = {}
    for event in events:
        groups.setdefault((event.text, event.category), []).append(event)
    marks = []
    for rows in groups.values():
        rows.sort(key=lambda r: (first_day(r.date), r.date, r.source_id))
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
    width = _SIZES[narrow].width
    return (width * 72 * (1 - 4 * TEXT_LEFT)) / 2 - 12


def _event_label(mark: EventMark, narrow: bool, room: float | None = None) -> str:
    """Return an event's label wrapped to its room (half the axis at least): date, event, note."""
    text = f"{mark.date}: {mark.text}" + (f"\n{mark.note}" if mark.note else "")
    return _wrap(text, max(room or 0, _event_room(narrow)), _SIZES[narrow].text, most=MAX_LABEL_LINES)


def _split(marks: Sequence[EventMark], lines: Sequence[int], most: int) -> list[list[int]]:
    """Split marks, latest first, into runs of at most ``most`` marks and `MAX_EVENT_LINES` lines."""
    pieces: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i in reversed(range(len(marks))):
        if current and (len(current) == most or used + lines[i] > MAX_EVENT_LINES):
            pieces.append(current)
            current, used = [], 0
        current.append(i)
        used += lines[i]
    if current:
        pieces.append(current)
    return [sorted(p) for p in reversed(pieces)]


def timeline_pieces(marks: Sequence[EventMark]) -> list[tuple[EventMark, ...]]:
    """Split marks into charts within the bound, of about equal size, in date order.

    Parameters
    ----------
    marks : sequence of EventMark
        In date order (`timeline_marks`).

    Returns
    -------
    list of tuple of EventMark
        At most `MAX_EVENT_CHARTS`, each of at most `MAX_EVENT_MARKS` marks and `MAX_EVENT_LINES`
        lines of labels at a phone's width (the same pieces suit both widths). Past that many,
        the earliest marks are left out: the caller says so (their count is ``len(marks)`` less
        the marks returned).
    """
    marks = list(marks)
    lines = [_lines(_event_label(m, narrow=True)) for m in marks]
    pieces = _split(marks, lines, MAX_EVENT_MARKS)
    if len(pieces) <= MAX_EVENT_CHARTS:  # all fit: share them out evenly
        even = _split(marks, lines, -(-len(marks) // max(len(pieces), 1)))
        pieces = even if len(even) == len(pieces) else pieces
    return [tuple(marks[i] for i in piece) for piece in pieces[-MAX_EVENT_CHARTS:]]


@_keyed
def events_chart(
    marks: Sequence[EventMark],
    *,
    categories: Mapping[str, str],
    fmt: Formatter,
    words: ChartWords,
    more: str = "",
    narrow: bool = False,
) -> Figure:
    """Draw dated events on a time axis, one mark and one row each, shaped and coloured by category.

    An event its sources date differently is one mark spanning their dates, its label noting
    it. Labels sit on the side of their mark with more room, each on its own row, so none
    collide. A chart holds at most one piece of `timeline_pieces`; past that, the first marks
    that fit are drawn and ``more`` says so.

    Parameters
    ----------
    marks : sequence of EventMark
        In date order: a piece of `timeline_pieces`.
    categories : mapping of str to str
        The legend's word for each category drawn.
    fmt : analysis.formatting.Formatter
        Writes the counts in ``more``.
    words : ChartWords
        The title, the source line (``"Sources: see Table 5"``), the alt text and any note.
    more : str
        What is written when marks are left out, ``{shown}`` and ``{total}`` being counts.
    narrow : bool
        Lay it out for a phone (`NARROW` inches wide) rather than the page (`WIDE`).

    Returns
    -------
    matplotlib.figure.Figure
        At most `MAX_TIMELINE_HEIGHT` inches tall.
    """
    size = _SIZES[narrow]
    marks = list(marks)
    lines = [_lines(_event_label(m, narrow=True)) for m in marks]
    fits = next((k for k in range(1, len(marks) + 1) if k > MAX_EVENT_MARKS or sum(lines[:k]) > MAX_EVENT_LINES), 0)
    fits = max(fits - 1, 1) if fits else len(marks)  # the first that fit, one at least
    shown = marks[:fits]
    if fits < len(marks) and more:
        left_out = more.format(shown=fmt.number(fits, 0), total=fmt.number(len(marks), 0))
        words = dataclasses.replace(words, note="\n".join(filter(None, [left_out, words.note])))  # first: never cut
    lo = min((m.start for m in shown), default=2000.0)
    hi = max((m.end for m in shown), default=lo + 1)
    pad = max((hi - lo) * 0.04, 0.5)
    middle = (lo + hi) / 2
    axis = 2 * (_event_room(narrow) + 12)  # the axis's width in points
    # each label wraps to the room on its mark's far side: half the axis or more
    rooms = [(hi + pad - m.x if m.x < middle else m.x - lo + pad) / (hi - lo + 2 * pad) * axis - 12 for m in shown]
    labels = [_event_label(m, narrow, room) for m, room in zip(shown, rooms, strict=True)]
    line = size.text * 1.15 / 72  # inches a label line
    heights = [_lines(label) * line + 0.09 for label in labels]
    needed = max(sum(heights), 0.4)
    centres = np.cumsum([0, *heights[:-1]]) + np.array(heights) / 2 if shown else np.array([])
    present = [c for c in CATEGORIES if any(m.category == c for m in shown)]
    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(size.width, needed + 2.0)
        axes = figure.subplots()
        axes.set_xlim(lo - pad, hi + pad)
        axes.set_ylim(needed, 0)
        axes.yaxis.set_visible(False)
        axes.spines["left"].set_visible(False)
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", visible=True)
        step = _year_step(hi - lo + 2 * pad, 8 if not narrow else 4)
        ticks = list(range(int(np.ceil((lo - pad) / step)) * step, int(hi + pad) + 1, step))
        axes.set_xticks(ticks, [str(t) for t in ticks])
        axes.tick_params(labelsize=size.text)
        for mark, label, y in zip(shown, labels, centres, strict=True):
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
                fontsize=size.text,
                color=INK,
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
            for c in present
        ]
        if handles:
            axes.legend(
                handles=handles,
                loc="lower left",
                bbox_to_anchor=(0, 1.0),
                ncols=_legend_columns([h.get_label() for h in handles], size.text, _usable(figure) * 0.9),
                fontsize=size.text,
                handletextpad=0.3,
                columnspacing=1.0,
                borderaxespad=0.3,
            )
        _framed(figure, words, size)
        for _ in range(3):  # grow the figure until the rows have the room they need, in inches
            _settle(figure)
            short = needed - _points(axes)[1] / 72
            if short <= 0.005:
                break
            figure.set_figheight(figure.get_figheight() + short + 0.01)
    return _literal(figure)
