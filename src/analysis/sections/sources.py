"""Data sources and methods.

What the data hold, how figures are chosen and compared, how far each figure behind the headline
is verified, and every source with its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import config, metrics
from analysis.contract import ALL_ORIGINS
from analysis.facts import Period, Source
from analysis.present import Section

if TYPE_CHECKING:
    from analysis.sections._report import Report

ID = "sources-and-methods"


@dataclass(frozen=True)
class Verified:
    """One figure behind the headline, and how far it is verified."""

    period: Period
    whole: bool  # the total from all origins, not the report's origin
    status: str  # "missing", "single" (one independent report), "corroborated" (all agree) or "disputed"
    trusts: tuple[str, ...]  # the independent reports' trust levels, each once, in their order
    echoes: int  # reports that repeat another, not counted


@dataclass(frozen=True)
class Listed:
    """One source of the table of sources, with the precision of its dates."""

    source: Source
    published_day: bool  # its publication date is a full day (not a month or a year)
    accessed_day: bool


def verified(period: Period, whole: bool) -> Verified:
    """Say how far a period's figure is verified: by how many independent reports, agreeing or not."""
    n = len(period.independent)
    if not period.reports:
        status = "missing"
    elif n == 1:
        status = "single"
    elif len(period.values) == 1:
        status = "corroborated"
    else:
        status = "disputed"
    trusts = tuple(dict.fromkeys(r.trust for r in period.independent))
    return Verified(period, whole, status, trusts, len(period.reports) - n)


def sources_and_methods(report: Report) -> Section:
    """Methods prose, the verification table and the table of sources."""
    f, e = report.facts, report.edition
    title = e.gettext("Data sources and methods")
    g = f.growth
    rounding = None
    if g.base is not None and g.target is not None:
        rounding = [
            (figure, *(float(x) for x in metrics.rounding_interval(figure.value, figure.decimals)))
            for figure in (g.base, g.target)
        ]
    checked = [
        ("origin", f.origin, g.base_year),
        ("origin", f.origin, g.target_year),
        ("total", ALL_ORIGINS, g.base_year),
        ("total", ALL_ORIGINS, g.target_year),
    ]
    context = {
        "files": [Path(p).name for p in f.data.checksums],
        "folder": config.display_path(f.data.data_dir),
        "n_figures": len(f.data.fdi),
        "n_figure_sources": f.data.fdi["source_id"].nunique(),
        "n_events": len(f.data.timeline),
        "n_sources": len(f.data.sources),
        "n_echoes": sum(1 for s in f.sources.values() if s.cites),
        "rounding": rounding,
        "preferred": list(f.parameters["prefer_sources"]),
        "verified": [verified(f.period(code, year), kind == "total") for kind, code, year in checked],
        "origin": f.origin,
        "sources": f.sources,
        "listed": [Listed(s, len(s.published) == 10, len(s.accessed) == 10) for s in f.sources.values()],
        "verification_number": report.numbering.next_table(),
    }
    context["sources_number"] = report.numbering.next_table()
    return report.section(ID, title, "sources.html.j2", **context)
