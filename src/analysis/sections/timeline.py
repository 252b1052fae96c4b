"""Timeline: the dated events the story rests on, charted by era and listed with their sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from analysis import charts
from analysis.present import FigureOutput, Section

if TYPE_CHECKING:
    from analysis.language import Edition
    from analysis.report import Report

ID = "timeline"
ERA_GAP = 15  # the fewest years without an event that split the timeline into charts of their own
ERA_GAP_SHARE = 0.25  # ... and at least this share of the whole span, so only the longest gaps split
ERA_MIN_EVENTS = 3  # an era with fewer events joins its nearer neighbour


@dataclass(frozen=True)
class Event:
    """One dated event, its text in the edition's language where the data translate it."""

    date: str
    year: int
    category: str
    text: str
    text_lang: str
    note: str
    note_lang: str
    source_id: str


def events_in(timeline: pd.DataFrame, lang: str) -> list[Event]:
    """Return the events in date order, each in ``lang`` where translated, else in English.

    Parameters
    ----------
    timeline : pandas.DataFrame
        The typed timeline (`analysis.load.Dataset.timeline`).
    lang : str
        The edition's language.

    Returns
    -------
    list of Event
    """
    found = []
    for row in timeline.to_dict("records"):
        text, text_lang = _translated(row, "event", lang)
        note, note_lang = _translated(row, "note", lang)
        found.append(
            Event(row["date"], int(row["year"]), row["category"], text, text_lang, note, note_lang, row["source_id"])
        )
    return found


def _translated(row: dict, column: str, lang: str) -> tuple[str, str]:
    translated = row.get(f"{column}_{lang}", "") if lang != "en" else ""
    return (translated, lang) if translated else (row[column], "en")


def eras(years: list[int], gap: int | None = None, least: int = ERA_MIN_EVENTS) -> list[tuple[int, int]]:
    """Split sorted event years into eras at the long gaps between them.

    An era with fewer than ``least`` events joins the neighbour it is nearer to, so that no
    chart holds one lonely event.

    Parameters
    ----------
    years : list of int
        The events' years, sorted.
    gap : int, optional
        The smallest gap, in years, that starts a new era; by default the larger of `ERA_GAP`
        and `ERA_GAP_SHARE` of the span.
    least : int
        The fewest events an era keeps on its own.

    Returns
    -------
    list of (first year, last year)

    Examples
    --------
    >>> eras([1890, 1891, 1924, 1930, 1991, 2013, 2014, 2022])
    [(1890, 1930), (1991, 2022)]
    >>> eras([1890, 1891, 1924, 1930, 1945, 1991, 2013, 2014, 2022])  # 1891-1924 is under 132/4
    [(1890, 1945), (1991, 2022)]
    """
    if not years:
        return []
    if gap is None:
        gap = max(ERA_GAP, round((years[-1] - years[0]) * ERA_GAP_SHARE))
    groups: list[list[int]] = [[years[0]]]
    for year in years[1:]:
        if year - groups[-1][-1] >= gap:
            groups.append([year])
        else:
            groups[-1].append(year)
    changed = True
    while changed and len(groups) > 1:
        changed = False
        for i, group in enumerate(groups):
            if len(group) >= least:
                continue
            before = group[0] - groups[i - 1][-1] if i > 0 else None
            after = groups[i + 1][0] - group[-1] if i + 1 < len(groups) else None
            into = i - 1 if after is None or (before is not None and before <= after) else i + 1
            merged = sorted(groups[into] + group)
            groups = [g for j, g in enumerate(groups) if j not in (i, into)]
            groups.insert(min(i, into), merged)
            changed = True
            break
    return [(g[0], g[-1]) for g in groups]


def timeline(report: Report) -> Section:
    """Charts of the events, one per era, and the table of every event with its source."""
    f, e = report.facts, report.edition
    title = e.t("sections.timeline")
    events = events_in(f.data.timeline, e.lang)
    parts = [e.render("timeline.html.j2", "intro", id=ID, title=title, events=events)]
    for start, end in eras(sorted(ev.year for ev in events)):
        shown = [ev for ev in events if start <= ev.year <= end]
        parts.append(_chart(report, e, shown, start, end))
    parts.append(
        e.render(
            "timeline.html.j2",
            "table",
            events=events,
            sources=f.sources,
            table_number=report.numbering.next_table(),
        )
    )
    return Section(ID, title, parts)


def _chart(report: Report, edition: Edition, events: list[Event], start: int, end: int) -> FigureOutput:
    source = report.source_line([ev.source_id for ev in events])
    figure = charts.timeline_chart(events, start=start, end=end, edition=edition, source=source)
    narrow = charts.timeline_chart(events, start=start, end=end, edition=edition, source=source, width=charts.NARROW)
    caption = edition.render("timeline.html.j2", "caption", start=start, end=end)
    key = f"timeline-{start}-{end}"
    number = report.numbering.next_figure()
    return FigureOutput(figure, number, key, str(caption), label=edition.t("labels.figure"), narrow=narrow)
