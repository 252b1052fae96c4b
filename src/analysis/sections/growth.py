"""Growth metrics: a table of every measure, each with how it is computed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.present import Section

if TYPE_CHECKING:
    from analysis.report import Report

ID = "growth-metrics"


def growth_metrics(report: Report) -> Section:
    """Tabulate the growth metrics: figures, change, multiple and its ranges, shares."""
    f, e = report.facts, report.edition
    title = e.t("sections.growth")
    markup = e.render(
        "growth.html.j2",
        id=ID,
        title=title,
        g=f.growth,
        base=f.base,
        target=f.target,
        origin=f.origin,
        destination=f.destination,
        months=f.months,
        sources=f.sources,
        table_number=report.numbering.next_table(),
    )
    return Section(ID, title, [markup])
