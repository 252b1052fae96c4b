"""Data sources and methods.

What the data hold, how figures are chosen and compared, how far each figure behind the headline
is verified, and every source with its provenance.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from analysis import _config as config
from analysis import _metrics as metrics
from analysis._facts import Period
from analysis._present import Section
from analysis._sections._report import Report
from analysis.contract import ALL_ORIGINS

ID = "sources-and-methods"


def verified(period: Period, whole: bool) -> SimpleNamespace:
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
    return SimpleNamespace(
        period=period,
        whole=whole,  # the total from all origins, not the report's origin
        status=status,
        trusts=tuple(dict.fromkeys(r.trust for r in period.independent)),  # each once, in their order
        echoes=len(period.reports) - n,  # reports that repeat another, not counted
    )


def sources_and_methods(report: Report) -> Section:
    """Methods prose, the verification table and the table of sources."""
    f = report.facts
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
        "listed": [  # each source, with whether its dates are full days (not a month or a year)
            SimpleNamespace(source=s, published_day=len(s.published) == 10, accessed_day=len(s.accessed) == 10)
            for s in f.sources.values()
        ],
        "verification_number": next(report.tables),
    }
    context["sources_number"] = next(report.tables)
    return report.section(ID, report.edition.gettext("Data sources and methods"), "sources.html.j2", **context)
