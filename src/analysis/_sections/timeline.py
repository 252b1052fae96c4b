"""Timeline: the dated events the story rests on, charted one mark per event and listed with their sources."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import _charts as charts
from analysis._facts import in_language
from analysis._language import Edition
from analysis._present import FigureOutput, Section
from analysis._sections._report import Report

ID = "timeline"


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
    """Return the typed timeline's events in date order, each in ``lang`` where translated, else in English."""
    return [
        Event(
            row["date"],
            int(row["year"]),
            row["category"],
            *in_language(row, "event", lang, row["event"]),  # text, text_lang
            *in_language(row, "note", lang, row["note"]),  # note, note_lang
            row["source_id"],
        )
        for row in timeline.to_dict("records")
    ]


def category_names(edition: Edition) -> dict[str, str]:
    """Name each category of `analysis.contract.CATEGORIES`, in the edition's language."""
    e = edition
    return {
        "diplomacy": e.pgettext("category", "Diplomacy"),
        "investment": e.pgettext("category", "Investment"),
        "energy": e.pgettext("category", "Energy"),
        "transport": e.pgettext("category", "Transport"),
        "politics": e.pgettext("category", "Politics"),
    }


def timeline(report: Report) -> Section:
    """Charts of the events (one mark per event, in pieces of bounded size), and the table of every event."""
    f, e = report.facts, report.edition
    title = e.gettext("Timeline")
    events = events_in(f.data.timeline, e.lang)
    parts = [e.render("timeline.html.j2", "intro", id=ID, title=title, events=events)]
    differ = {
        "year": e.gettext("sources differ on the year"),
        "month": e.gettext("sources differ on the month"),
        "day": e.gettext("sources differ on the day"),
    }
    marks = charts.timeline_marks(events, fmt=e.fmt, differ=differ)
    pieces = charts.timeline_pieces(marks)
    left_out = len(marks) - sum(len(p) for p in pieces)
    for piece in pieces:
        parts.append(_chart(report, piece, left_out if piece is pieces[0] else 0))
    parts.append(
        e.render(
            "timeline.html.j2",
            "table",
            events=events,
            sources=f.sources,
            categories=category_names(e),
            table_number=next(report.tables),
        )
    )
    return Section(ID, title, parts)


def _chart(report: Report, piece: tuple, left_out: int) -> FigureOutput:
    e = report.edition
    first, last = piece[0].date, piece[-1].date
    names = category_names(e)
    categories = {c: names[c] for c in dict.fromkeys(m.category for m in piece)}
    words = charts.ChartWords(
        title=e.gettext("Dated events, %(first)s to %(last)s", first=first, last=last),
        source=report.chart_source([s for m in piece for s in m.sources]),
        alt=e.gettext(
            "Timeline of %(count)s events from %(first)s to %(last)s: %(events)s.",
            count=len(piece),
            first=first,
            last=last,
            events="; ".join(f"{m.date}: {m.text}" for m in piece),
        ),
        note=e.ngettext(
            "The %(num)s earliest event is left out of the charts; the table has every event.",
            "The %(num)s earliest events are left out of the charts; the table has every event.",
            left_out,
        )
        if left_out
        else "",
    )
    arguments = {"categories": categories, "words": words}
    caption = e.gettext("Dated events from %(first)s to %(last)s, one mark each, by category.", first=first, last=last)
    key = f"timeline-{int(piece[0].start)}-{int(piece[-1].end)}"
    return report.chart(key, caption, charts.events_chart, piece, **arguments)
