"""Where sources disagree: every period reported with more than one figure, and the choice made."""

from __future__ import annotations

from types import SimpleNamespace

from analysis._facts import Period
from analysis._present import Section
from analysis._sections._report import Report

ID = "where-sources-disagree"


def listed(periods: list[Period]) -> list[SimpleNamespace]:
    """Every report of every disputed period, in the table's order, with what its row says."""
    rows = []
    for p in periods:
        spread = [r.value for r in p.independent]
        decimals = max(max(r.decimals for r in p.reports), 0)
        for i, r in enumerate(p.reports):
            rows.append(
                SimpleNamespace(
                    period=p,
                    report=r,
                    first=i == 0,  # the period's first row: it names the period and gives its spread
                    spread=max(spread) - min(spread),  # the largest independent figure minus the smallest
                    spread_decimals=decimals,
                    status="used"
                    if r.used
                    else (
                        "repeats" if not r.independent else ""
                    ),  # "used", "repeats" (a copy of another report, not counted) or ""
                )
            )
    return rows


def disagreements(report: Report) -> Section:
    """Prose and table: the rule, and every report of every disputed period."""
    f = report.facts
    periods = []
    for key, _ in f.conflicts.groupby(["origin", "destination", "year", "months"], sort=False):
        origin, _, year, months = key
        periods.append(f.period(origin, int(year), int(months)))
    return report.section(
        ID,
        report.edition.gettext("Where sources disagree"),
        "disagreements.html.j2",
        periods=len(periods),
        listed=listed(periods),
        preferred=list(f.parameters["prefer_sources"]),
        table_number=next(report.tables) if periods else None,
    )
