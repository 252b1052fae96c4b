"""What has happened since: the origin's figures for later periods, and the events after the comparison."""

from __future__ import annotations

from types import SimpleNamespace

from analysis._present import Section
from analysis._sections._report import Report
from analysis._sections.timeline import events_in
from analysis.contract import ALL_ORIGINS

ID = "since"


def since(report: Report) -> Section:
    """Tell the origin's later figures and the later events, so the reader knows where the story stands now."""
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
    x = SimpleNamespace(
        after=f.target_year,  # the last year compared
        periods=periods,  # the origin's periods after it, in order
        totals_only=totals_only,  # later full years with a total but no figure from the origin
        events=tuple(e for e in events_in(f.data.timeline, report.edition.lang) if e.year > f.target_year),
    )
    return report.section(
        ID,
        report.edition.gettext("What has happened since"),
        "since.html.j2",
        x=x,
    )
