"""What to keep in mind: the checks a careful reader makes, made by the report (`analysis.caveats`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.present import Section

if TYPE_CHECKING:
    from analysis.report import Report

ID = "caveats"


def caveats(report: Report) -> Section:
    """List every caveat that applies to this run, the data's own first."""
    f, e = report.facts, report.edition
    title = e.t("sections.caveats")
    markup = e.render(
        "caveats.html.j2",
        id=ID,
        title=title,
        caveats=report.caveat_list,
        sources=f.sources,
        origin=f.origin,
        destination=f.destination,
        months=f.months,
    )
    return Section(ID, title, [markup])
