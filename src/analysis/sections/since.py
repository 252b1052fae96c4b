"""What has happened since: the origin's figures for later periods, and the events after the comparison."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.contract import ALL_ORIGINS
from analysis.facts import Period
from analysis.present import Section
from analysis.sections.timeline import Event, events_in

if TYPE_CHECKING:
    from analysis.sections._report import Report

ID = "since"


@dataclass(frozen=True)
class Since:
    """The language-free facts of the section."""

    after: int  # the last year compared
    periods: tuple[Period, ...]  # the origin's periods after it, in order
    totals_only: tuple[Period, ...]  # later full years with a total but no figure from the origin
    events: tuple[Event, ...]  # events dated after the last year compared


def facts(report: Report) -> Since:
    """Find the origin's later figures and the later events."""
    f = report.facts
    series = f.series(f.origin)
    later = sorted(
        {(int(y), int(m)) for y, m in zip(series["year"], series["months"], strict=True) if y > f.target_year}
    )
    periods = tuple(f.period(f.origin, y, m) for y, m in later)
    totals = f.series(ALL_ORIGINS)
    full = sorted(
        {int(y) for y, m in zip(totals["year"], totals["months"], strict=True) if y > f.target_year and m == 12}
    )
    totals_only = tuple(f.period(ALL_ORIGINS, y, 12) for y in full if (y, 12) not in later)
    timeline = f.data.timeline
    events = tuple(e for e in events_in(timeline, report.edition.lang) if e.year > f.target_year)
    return Since(f.target_year, periods, totals_only, events)


def since(report: Report) -> Section:
    """Tell the later figures and events, so the reader knows where the story stands now."""
    e, f = report.edition, report.facts
    title = e.gettext("What has happened since")
    return report.section(
        ID,
        title,
        "since.html.j2",
        x=facts(report),
        origin=f.origin,
        destination=f.destination,
        sources=f.sources,
    )
