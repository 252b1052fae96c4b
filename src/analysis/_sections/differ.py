"""Why the figures differ: revised releases, money counted by the country it arrives from, copies.

Each reason is there only where the data show it: a period of the destination's total reported
with different values, a deal of the origin's routed through a third country (`analysis._sections.lead.ROUTED`), the
copies of the figures used, and the checks of `analysis._caveats` that bear on the comparison.
"""

from __future__ import annotations

from types import SimpleNamespace

from analysis import _caveats as rules
from analysis._present import Section
from analysis._sections._report import Report
from analysis._sections.lead import routed_deals
from analysis.contract import ALL_ORIGINS

ID = "why-figures-differ"
KINDS = ("full_year_below_part_year", "releases_apart")  # the checks told here; the rest are in the lead


def _bears(caveat: rules.Caveat, *years: int) -> bool:
    """Say whether a check bears on the comparison: it concerns one of its years."""
    if caveat.kind == "releases_apart":
        return any(i["headline"] for i in caveat.facts["items"])
    return caveat.facts.get("year") in years


def differ(report: Report) -> Section:
    """Say why reports of the same figure differ, with the reasons the data show."""
    f = report.facts
    revised = [
        f.period(ALL_ORIGINS, int(year), int(months))
        for (origin, _, year, months), _ in f.conflicts.groupby(["origin", "destination", "year", "months"], sort=False)
        if origin == ALL_ORIGINS and months == f.months
    ]
    x = SimpleNamespace(
        register=f.destination in rules.SE_REGISTER,  # SE's register, revised every quarter
        revision=max(revised, key=lambda p: p.year, default=None),  # the latest total reported with different values
        routed=routed_deals(report),  # the origin's deals counted as a third country's, and that country
        # the figures used, each with the copies of it
        copies=tuple((r, p.echoes_of(r)) for p in (f.base, f.target) for r in p.independent if p.echoes_of(r)),
        caveats=tuple(c for c in report.caveat_list if c.kind in KINDS and _bears(c, f.base_year, f.target_year)),
    )
    return report.section(
        ID,
        report.edition.gettext("Why the figures differ"),
        "differ.html.j2",
        x=x,
        apart_months=round(rules.RELEASES_APART_DAYS / 30.44),
    )
