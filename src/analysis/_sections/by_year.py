"""Investment by year: the origin's figures on a time axis, and the years with a figure in a table.

Years are placed by their value, gaps as gaps; part-year figures are never drawn as full years.
"""

from __future__ import annotations

from types import SimpleNamespace

from markupsafe import Markup

from analysis import _charts as charts
from analysis._metrics import share_pct
from analysis._present import Section
from analysis._sections._report import Report
from analysis.contract import ALL_ORIGINS

ID = "investment-by-year"


def years(report: Report) -> list[SimpleNamespace]:
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
        share = float(share_pct(figure.value, whole.value)) if figure and whole and whole.value > 0 else None
        rows.append(
            SimpleNamespace(
                year=year,
                origin=figure,
                other=tuple((m, f.chosen(f.origin, year, m)) for m in lengths),
                total=whole,
                share=share,
            )
        )
    return rows


def by_year(report: Report) -> Section:
    """Chart and table: the origin's FDI and the destination's total, year by year."""
    f, e = report.facts, report.edition
    title = e.gettext("Investment by year")
    table = years(report)
    series = f.series(f.origin)
    lengths = sorted({(int(y), int(m)) for y, m in zip(series["year"], series["months"], strict=True)})
    periods = [f.period(f.origin, y, m) for y, m in lengths]
    used = [r.credited_to for p in periods for r in p.independent]  # what the chart draws, credited to its origin
    fmt = e.fmt
    full = sorted({y for y, m in lengths if m == 12})
    origin, destination = fmt.country(f.origin), fmt.country(f.destination)
    if full:
        point = e.gettext(
            "FDI from %(origin)s into %(destination)s: a full-year figure for %(count)s of the %(span)s years from %(first)s to %(last)s",
            origin=origin,
            destination=destination,
            count=len(full),
            span=full[-1] - full[0] + 1,
            first=full[0],
            last=full[-1],
        )
    else:
        point = e.gettext(
            "FDI from %(origin)s into %(destination)s, as reported", origin=origin, destination=destination
        )
    words = charts.ChartWords(
        title=point,
        source=report.chart_source(used),
        alt=e.gettext(
            "Dots of FDI from %(origin)s into %(destination)s on a time axis, every independent report: %(reports)s.",
            origin=origin,
            destination=destination,
            reports="; ".join(
                f"{fmt.period(p.year, p.months)}: {fmt.number(r.value, r.decimals)}"
                for p in periods
                for r in p.independent
            ),
        ),
        axis=e.gettext("US$ millions"),
    )
    arguments = {
        "fmt": fmt,
        "words": words,
        "full_year": e.gettext("Full year"),
        "part_year": {
            m: e.gettext("%(months)s only (not a full year)", months=fmt.months_span(m)) for _, m in lengths if m != 12
        },
        "emphasis": (f.base_year, f.target_year),
    }
    shown = [y for y in table if y.origin is not None or y.other]  # the years a reader can learn something from
    context = {
        "id": ID,
        "title": title,
        "origin": f.origin,
        "destination": f.destination,
        "months": f.months,
        "years": shown,
        "present": [str(y.year) for y in shown],
        "base_year": f.base_year,
        "target_year": f.target_year,
        "disagreements_link": Markup('<a href="#where-sources-disagree">{}</a>').format(
            e.gettext("Where sources disagree")
        ),
    }
    caption = e.render("by_year.html.j2", "caption", **context)
    intro = e.render("by_year.html.j2", "intro", **context)
    output = report.chart("fdi", caption, charts.years_chart, periods, **arguments)
    rows = e.render("by_year.html.j2", "table", table_number=next(report.tables), **context)
    return Section(ID, title, [intro, output, rows])
