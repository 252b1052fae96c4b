"""Growth metrics: a table of every measure, each with how it is computed.

The table names the periods themselves ("2024 ÷ 2022"), never "base" and "target". The compound
annual growth rate stays in the metrics file (``cagr_pct``) but not in the table: from two points
of a flow that swings from year to year it says little about a trend.
"""

from __future__ import annotations

from analysis._present import Section
from analysis._sections._report import Report

ID = "growth-metrics"


def growth_metrics(report: Report) -> Section:
    """Tabulate the growth metrics: figures, change, multiple and its ranges, shares."""
    f = report.facts
    g = f.growth
    figures = [r for r in (g.base, g.target) if r is not None]
    return report.section(
        ID,
        report.edition.gettext("Growth metrics"),
        "growth.html.j2",
        g=g,
        decimals=max((r.decimals for r in figures), default=1),  # a difference of the two: the more precise
        base=f.base,
        target=f.target,
        table_number=next(report.tables),
    )
