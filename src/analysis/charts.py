"""The report's charts. Each helper takes data and returns a matplotlib Figure.

Every figure has a left-aligned title, a source line and alt text (``figure.alt_text``, read by
`alt_text`). The helpers build figures with ``matplotlib.figure.Figure`` rather than pyplot, so
they keep no global state and never show anything; the style is the package's own
``analysis.house``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MultipleLocator

from analysis import config, formatting
from analysis.contract import CATEGORIES
from analysis.metrics import Growth

HIGHLIGHT = "#0072B2"  # Okabe-Ito blue
MUTED = "#9DB9D3"  # the same hue, lighter: told apart by lightness, not by hue
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


def _new_figure(width: float, height: float) -> Figure:
    with matplotlib.style.context(config.MPL_STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def _frame(figure: Figure, title: str, source: str, alt: str) -> Figure:
    """Add the left-aligned title and the source line, and attach the alt text."""
    figure.suptitle(title, x=TEXT_LEFT, ha="left", fontsize=11.5, fontweight="bold", color=INK)
    wrapped = "\n".join(textwrap.wrap(f"Source: {source}", 120))
    figure.supxlabel(wrapped, x=TEXT_LEFT, ha="left", fontsize=7.5, color=SOFT_INK)
    figure.get_layout_engine().set(w_pad=0.02, h_pad=0.04)
    figure.alt_text = alt
    figure.source_text = source
    return figure


def fdi_chart(
    series: pd.DataFrame,
    growth: Growth,
    *,
    source: str,
) -> Figure:
    """Draw one origin's FDI into one destination by year, with the headline multiple.

    Parameters
    ----------
    series : pandas.DataFrame
        ``year``, ``usd_millions``, ``decimals``: the chosen figure for each year
        (`analysis.metrics.origin_series`).
    growth : analysis.metrics.Growth
        The headline comparison: its years are highlighted and its multiple annotated.
    source : str
        The source line.

    Returns
    -------
    matplotlib.figure.Figure
        Bars labelled with their values, on a logarithmic axis when the values span more than
        a factor of 20 and are all positive.
    """
    origin, destination = formatting.country(growth.origin), formatting.country(growth.destination)
    years = series["year"].to_numpy()
    values = series["usd_millions"].to_numpy()
    labels = [formatting.number(v, int(d)) for v, d in zip(values, series["decimals"], strict=True)]
    positive = bool(len(values)) and bool((values > 0).all())
    log = positive and values.max() / values.min() > LOG_SCALE_SPAN
    length = formatting.period_length(growth.months)

    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(7.2, 4.0)
        axes = figure.subplots()
        ends = {growth.base_year, growth.target_year}
        colours = [HIGHLIGHT if year in ends else MUTED for year in years]
        bars = axes.bar(years, values, width=0.62, color=colours, zorder=2)
        axes.bar_label(bars, labels=labels, padding=2, fontsize=8.5, color=INK)
        axes.set_xticks(years, [str(y) for y in years])
        axes.set_xlim(years.min() - 0.8, years.max() + 0.8) if len(years) else None
        if log:
            axes.set_yscale("log")
            axes.set_ylim(values.min() / 2.5, values.max() * 16)
            axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v, 0 if v >= 1 else 1)))
        else:
            axes.axhline(0, color=SOFT_INK, linewidth=0.8, zorder=3)
            top = max(values.max(), 0) if len(values) else 1
            axes.set_ylim(min(values.min(), 0) * 1.25 if len(values) else 0, top * 1.45 or 1)
        axes.set_ylabel("US$ millions (current prices)")
        scale = "logarithmic scale" if log else "linear scale"
        axes.set_title(
            f"US$ millions, {length}, {scale}; years without a figure are blank",
            fontsize=8.5,
            fontweight="normal",
            color=SOFT_INK,
        )
        _annotate_multiple(axes, growth, series, log)

    title = f"FDI from {origin} into {destination}, {formatting.period_length(growth.months)}"
    described = "; ".join(
        f"{y}: {formatting.usd_millions(v, int(d))}" for y, v, d in zip(years, values, series["decimals"], strict=True)
    )
    alt = f"Bar chart on a {scale} of FDI from {origin} into {destination} by year ({length}): {described}."
    if growth.multiple is not None:
        alt += f" {growth.target_year} is {formatting.times(growth.multiple)} times {growth.base_year}."
    return _frame(figure, title, source, alt)


def _annotate_multiple(axes, growth: Growth, series: pd.DataFrame, log: bool) -> None:
    """Join the base and target bars with a bracket, the multiple written above it."""
    by_year = series.set_index("year")["usd_millions"]
    if growth.base_year not in by_year.index or growth.target_year not in by_year.index:
        return
    if growth.multiple is None:
        reason = growth.reasons.get("multiple", "undefined")
        axes.text(0.02, 0.95, f"No multiple: {reason}", transform=axes.transAxes, va="top", fontsize=9, color=INK)
        return
    base, target = by_year[growth.base_year], by_year[growth.target_year]
    top = max(base, target)
    if log:
        bar_y = top * 4.0
        feet = (base * 2.4, target * 2.0)
    else:
        bar_y = top * 1.22
        feet = (base + top * 0.09, target + top * 0.09)
    line = {"color": INK, "linewidth": 1.0, "zorder": 4}
    axes.plot([growth.base_year, growth.base_year, growth.target_year], [feet[0], bar_y, bar_y], **line)
    axes.annotate(
        "",
        xy=(growth.target_year, feet[1]),
        xytext=(growth.target_year, bar_y),
        arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.0, "shrinkA": 0, "shrinkB": 0},
        zorder=4,
    )
    middle = (growth.base_year + growth.target_year) / 2
    lift = 3
    if growth.multiple_low is not None:
        low, high = formatting.times_range(growth.multiple_low, growth.multiple_high)
        axes.annotate(
            f"({low}–{high} given the figures' rounding)",
            xy=(middle, bar_y),
            xytext=(0, lift),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=SOFT_INK,
            zorder=5,
        )
        lift += 12
    axes.annotate(
        f"×{formatting.times(growth.multiple)}",
        xy=(middle, bar_y),
        xytext=(0, lift),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        color=INK,
        zorder=5,
    )


def share_chart(
    series: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    origin: str,
    destination: str,
    year: int,
    months: int,
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
    source : str
        The source line.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: the origin's share by year, and every origin's share in ``year``.
    """
    name, place = formatting.country(origin), formatting.country(destination)
    shares = series.dropna(subset=["share_pct"])
    others = comparison.dropna(subset=["share_pct"]).sort_values("share_pct")
    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(7.2, 3.6)
        left, right = figure.subplots(1, 2, width_ratios=[1, 1.15])

        if shares.empty:
            left.text(0.5, 0.5, "No year has both figures", ha="center", va="center", transform=left.transAxes)
        else:
            bars = left.bar(shares["year"], shares["share_pct"], width=0.62, color=HIGHLIGHT, zorder=2)
            left.bar_label(bars, labels=[formatting.percent(v) for v in shares["share_pct"]], padding=2, fontsize=8.5)
            left.set_xticks(shares["year"], [str(y) for y in shares["year"]])
            left.set_ylim(0, shares["share_pct"].max() * 1.3)
            left.set_xlim(shares["year"].min() - 0.8, shares["year"].max() + 0.8)
        left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
        left.set_title(f"{name}'s share, by year", fontsize=9, fontweight="bold")

        if others.empty:
            right.text(0.5, 0.5, f"No shares for {year}", ha="center", va="center", transform=right.transAxes)
        else:
            colours = [HIGHLIGHT if o == origin else MUTED for o in others["origin"]]
            names = [formatting.country(o) for o in others["origin"]]
            bars = right.barh(names, others["share_pct"], color=colours, height=0.6, zorder=2)
            right.bar_label(bars, labels=[formatting.percent(v) for v in others["share_pct"]], padding=3, fontsize=8.5)
            right.set_xlim(0, others["share_pct"].max() * 1.3)
            right.grid(axis="y", visible=False)
            right.grid(axis="x", visible=True)
        right.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        right.set_title(f"Origins' shares, {formatting.period(year, months)}", fontsize=9, fontweight="bold")

    title = f"{name}'s share of all FDI into {place}"
    by_year = "; ".join(
        f"{y}: {formatting.percent(v)}" for y, v in zip(shares["year"], shares["share_pct"], strict=True)
    )
    ranked = "; ".join(
        f"{formatting.country(o)} {formatting.percent(v)}"
        for o, v in zip(others["origin"][::-1], others["share_pct"][::-1], strict=True)
    )
    alt = f"Two bar charts. Left: {name}'s share of all FDI into {place} by year ({by_year or 'none'})."
    alt += f" Right: shares of origins in {formatting.period(year, months)} ({ranked or 'none'})."
    return _frame(figure, title, source, alt)


def _decimal_year(when: pd.Timestamp, precision: str) -> float:
    if precision == "year":
        return when.year + 0.5
    if precision == "month":
        return when.year + (when.month - 0.5) / 12
    return when.year + (when.day_of_year - 0.5) / 365.25


def timeline_chart(timeline: pd.DataFrame, *, start: int, end: int, source: str) -> Figure:
    """Draw dated events on a time axis, one row each, coloured and shaped by category.

    Each event has its own row, so labels cannot collide; a label sits on whichever side of its
    marker has more room.

    Parameters
    ----------
    timeline : pandas.DataFrame
        ``date``, ``event``, ``category``, ``precision``, ``when`` (`analysis.load.Dataset`).
    start, end : int
        First and last year of the axis.
    source : str
        The source line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    events = timeline[(timeline["year"] >= start) & (timeline["year"] <= end)].reset_index(drop=True)
    xs = [_decimal_year(w, p) for w, p in zip(events["when"], events["precision"], strict=True)]
    middle = (start + end) / 2
    # Characters that fit beside each marker: the room on its side of the axis, at about 0.06 in
    # a character for 7.6-point DejaVu Sans on an axis about 6.8 in wide.
    room = [(end + 2 - x if x < middle else x - start + 2) / (end - start + 4) * 6.8 for x in xs]
    labels = [
        textwrap.fill(f"{formatting.date_text(d)}: {e}", max(24, min(96, int(r / 0.06) - 4)))
        for d, e, r in zip(events["date"], events["event"], room, strict=True)
    ]
    lines = [label.count("\n") + 1 for label in labels]
    row_height, pad = 0.155, 0.075  # inches per text line, and between rows
    heights = [n * row_height + pad for n in lines]
    tops = np.cumsum([0, *heights[:-1]])
    centres = tops + np.array(heights) / 2
    height = max(sum(heights), 0.5) + 1.35

    with matplotlib.style.context(config.MPL_STYLE):
        figure = _new_figure(7.2, height)
        axes = figure.subplots()
        axes.set_xlim(start - 2, end + 2)
        axes.set_ylim(sum(heights) + 0.05, -0.05)
        axes.yaxis.set_visible(False)
        axes.spines["left"].set_visible(False)
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", visible=True)
        axes.xaxis.set_major_locator(MultipleLocator(10))
        axes.xaxis.set_minor_locator(MultipleLocator(5))
        axes.tick_params(axis="x", labelsize=8)
        for row, label, x, y in zip(events.itertuples(index=False), labels, xs, centres, strict=True):
            colour, marker = CATEGORY_STYLE[row.category]
            axes.plot(
                [x],
                [y],
                marker=marker,
                color=colour,
                markersize=6.5,
                markeredgecolor="white",
                markeredgewidth=0.6,
                zorder=3,
            )
            right = x < middle
            axes.annotate(
                label,
                xy=(x, y),
                xytext=(7 if right else -7, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=7.6,
                color=INK,
                linespacing=1.15,
                gid="event-label",
            )
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=CATEGORY_STYLE[c][1],
                color=CATEGORY_STYLE[c][0],
                markersize=6,
                label=c.capitalize(),
            )
            for c in CATEGORIES
            if c in set(events["category"])
        ]
        axes.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=len(handles),
            handletextpad=0.3,
            columnspacing=1.2,
            borderaxespad=0.2,
        )

    counts = events["category"].value_counts()
    described = ", ".join(f"{counts[c]} {c}" for c in CATEGORIES if c in counts)
    first, last = (formatting.date_text(events["date"].iloc[i]) for i in (0, -1)) if len(events) else ("", "")
    alt = (
        f"Timeline of {len(events)} dated events from {first} to {last}, one row each ({described}). "
        "The same events are listed in the table that follows."
    )
    return _frame(figure, f"Dated events, {start}–{end}", source, alt)


def label_artists(figure: Figure) -> Iterable:
    """Return the event labels of a timeline figure (for checking their extents)."""
    return [t for t in figure.axes[0].texts if t.get_gid() == "event-label"]
