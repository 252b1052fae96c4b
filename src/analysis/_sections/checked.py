"""How we checked: the search, the statistics' own table, the data's cut-off, trust levels and verdicts.

Whether the statistics body's own table was found is decided from the data: a report of the two
periods that relays no one's statistics and is rated high would be that table.
"""

from __future__ import annotations

from types import SimpleNamespace

from analysis import _verdict as rule
from analysis._present import Section
from analysis._sections._report import Report
from analysis.contract import TRUST_LEVELS, first_day

ID = "how-we-checked"


def checked(report: Report) -> Section:
    """Say how the report was checked (whether any report of the two periods is the statistics body's own), and define its trust levels and verdicts."""
    f = report.facts
    reports = [r for p in (f.base, f.target) for r in p.independent]
    own = [r for r in reports if not f.sources[r.credited_to].figures_by and r.trust == "high"]
    relaying = [r for r in reports if f.sources[r.credited_to].figures_by]
    relayed = tuple(dict.fromkeys(f.sources[r.credited_to].figures_by_in(report.edition.lang) for r in relaying))
    if len(relaying) < len(reports):  # some do not say whose figures they give
        relayed = ()
    x = SimpleNamespace(
        figures=len(f.data.fdi),
        sources=len(f.data.sources),
        events=len(f.data.timeline),
        relayed_only=not own,  # every report relays someone's statistics, or is not rated high
        relayed_by=relayed,  # whose statistics they relay
        accessed=max((s.accessed for s in f.sources.values() if s.accessed), key=first_day, default=None),
        vintage=f.vintage,  # the latest publication date among the figures' sources
    )
    return report.section(
        ID,
        report.edition.gettext("How we checked"),
        "checked.html.j2",
        x=x,
        levels=TRUST_LEVELS,
        verdicts=rule.VERDICTS,
        tolerance=float(rule.TOLERANCE) * 100,
        claimed=f.lead_claim is not None,
    )
