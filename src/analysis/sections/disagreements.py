"""Where sources disagree: every period reported with more than one figure, and the choice made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.present import Section

if TYPE_CHECKING:
    from analysis.report import Report

ID = "where-sources-disagree"


def disagreements(report: Report) -> Section:
    """Prose and table: the rule, and every report of every disputed period."""
    f, e = report.facts, report.edition
    title = e.t("sections.disagreements")
    periods = []
    for key, _ in f.conflicts.groupby(["origin", "destination", "year", "months"], sort=False):
        origin, _, year, months = key
        periods.append(f.period(origin, int(year), int(months)))
    markup = e.render(
        "disagreements.html.j2",
        id=ID,
        title=title,
        periods=periods,
        preferred=list(f.parameters["prefer_sources"]),
        sources=f.sources,
        table_number=report.numbering.next_table() if periods else None,
    )
    return Section(ID, title, [markup])
