"""Investment by year: the origin's figures and the destination's total, year by year.

Every year the data cover is shown, gaps as gaps; part-year figures are never drawn as full years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis import charts
from analysis.contract import ALL_ORIGINS
from analysis.facts import Reported
from analysis.metrics import share_pct
from analysis.present import FigureOutput, Section

if TYPE_CHECKING:
    from analysis.report import Report

ID = "investment-by-year"


@dataclass(frozen=True)
class Year:
    """One year of the table: the origin's figure, its other period lengths, the total, the share."""

    year: int
    origin: Reported | None
    other: tuple[tuple[int, Reported], ...]  # (months, figure) for period lengths other than the report's
    total: Reported | None
    share: float | None


def years(report: Report) -> list[Year]:
    """Every year from the first to the last the origin's or the total's figures cover."""
    f = report.facts
    origin, total = f.series(f.origin), f.series(ALL_ORIGINS)
    covered = set(origin["year"]) | set(total.loc[total["months"] == f.months, "year"])
    if not covered:
        return []
    rows = []
    for year in range(min(covered), max(covered) + 1):
        figure = f.chosen(f.origin, year)
        whole = f.chosen(ALL_ORIGINS, year)
        lengths = sorted(set(origin.loc[(origin["year"] == year) & (origin["months"] != f.months), "months"]))
        other = tuple((m, f.chosen(f.origin, year, m)) for m in lengths)
        share = float(share_pct(figure.value, whole.value)) if figure and whole and whole.value > 0 else None
        rows.append(Year(year, figure, other, whole, share))
    return rows


def by_year(report: Report) -> Section:
    """Chart and table: the origin's FDI and the destination's total, year by year."""
    f, e = report.facts, report.edition
    title = e.t("sections.by_year")
    table = years(report)
    used = [r.source_id for y in table for r in (y.origin, y.total, *(o for _, o in y.other)) if r is not None]
    figure = charts.fdi_by_year(
        table,
        f.growth,
        edition=e,
        source=report.source_line(used),
    )
    number = report.numbering.next_figure()
    caption = e.render("by_year.html.j2", "caption", origin=f.origin, destination=f.destination, months=f.months)
    context = {
        "id": ID,
        "title": title,
        "origin": f.origin,
        "destination": f.destination,
        "months": f.months,
        "years": table,
        "sources": f.sources,
        "g": f.growth,
    }
    intro = e.render("by_year.html.j2", "intro", **context)
    output = FigureOutput(figure, number, "fdi", str(caption), label=e.t("labels.figure"))
    rows = e.render("by_year.html.j2", "table", table_number=report.numbering.next_table(), **context)
    return Section(ID, title, [intro, output, rows])
