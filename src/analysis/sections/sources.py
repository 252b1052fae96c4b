"""Data sources and methods.

What the data hold, how figures are chosen and compared, how far each figure behind the headline
is verified, and every source with its provenance.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis import config, metrics
from analysis.contract import ALL_ORIGINS
from analysis.present import Section

if TYPE_CHECKING:
    from analysis.report import Report

ID = "sources-and-methods"


def sources_and_methods(report: Report) -> Section:
    """Methods prose, the verification table and the table of sources."""
    f, e = report.facts, report.edition
    title = e.t("sections.sources")
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
        "id": ID,
        "title": title,
        "files": [Path(p).name for p in f.data.checksums],
        "folder": config.display_path(f.data.data_dir),
        "n_figures": len(f.data.fdi),
        "n_figure_sources": f.data.fdi["source_id"].nunique(),
        "n_events": len(f.data.timeline),
        "n_sources": len(f.data.sources),
        "n_echoes": sum(1 for s in f.sources.values() if s.cites),
        "rounding": rounding,
        "preferred": list(f.parameters["prefer_sources"]),
        "checked": [(kind, f.period(code, year)) for kind, code, year in checked],
        "origin": f.origin,
        "months": f.months,
        "sources": f.sources,
        "source_list": list(f.sources.values()),
        "verification_number": report.numbering.next_table(),
    }
    context["sources_number"] = report.numbering.next_table()
    return Section(ID, title, [e.render("sources.html.j2", **context)])
