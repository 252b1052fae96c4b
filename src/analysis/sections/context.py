"""In context: the destination's total FDI, the origin's share of it, and the largest origins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis import charts, metrics
from analysis.contract import ALL_ORIGINS
from analysis.present import FigureOutput, Section

if TYPE_CHECKING:
    from analysis.report import Report

ID = "in-context"


def context(report: Report) -> Section:
    """Prose, chart and table: the origin against the total and against other origins."""
    f, e = report.facts, report.edition
    title = e.t("sections.context")
    g = f.growth
    by_end = {}
    for end, year in (("base", g.base_year), ("target", g.target_year)):
        by_end[end] = metrics.origins_in(f.selected, f.destination, year, f.months)
    others = by_end["target"][by_end["target"]["origin"] != f.origin]
    largest = others.iloc[0].to_dict() if len(others) else None
    totals = (f.chosen(ALL_ORIGINS, g.base_year), f.chosen(ALL_ORIGINS, g.target_year))
    total_change = None
    if all(totals) and totals[0].value > 0:
        total_change = float(metrics.pct_change(totals[0].value, totals[1].value))
    context = {
        "id": ID,
        "title": title,
        "origin": f.origin,
        "destination": f.destination,
        "months": f.months,
        "g": g,
        "totals": totals,
        "total_change": total_change,
        "largest": largest,
    }
    intro = e.render("context.html.j2", "intro", **context)

    series = metrics.origin_series(f.selected, f.origin, f.destination, f.months)
    comparison = by_end["target"]
    drawn = series.dropna(subset=["share_pct"])
    total_rows = f.series(ALL_ORIGINS)
    shown_years = {*drawn["year"], *([g.target_year] if comparison["share_pct"].notna().any() else [])}
    used = [
        *drawn["source_id"],
        *comparison.dropna(subset=["share_pct"])["source_id"],
        *total_rows.loc[total_rows["year"].isin(shown_years) & (total_rows["months"] == f.months), "source_id"],
    ]
    figure = charts.share_chart(
        series,
        comparison,
        origin=f.origin,
        destination=f.destination,
        year=g.target_year,
        months=f.months,
        edition=e,
        source=report.source_line(used),
    )
    caption = e.render("context.html.j2", "caption", **context)
    output = FigureOutput(figure, report.numbering.next_figure(), "share", str(caption), label=e.t("labels.figure"))

    origins = list(dict.fromkeys([*by_end["target"]["origin"], *by_end["base"]["origin"]]))
    rows = []
    for code in origins:
        row = {"origin": code}
        for end in ("base", "target"):
            frame = by_end[end].set_index("origin")
            if code in frame.index:
                row[end] = (float(frame.loc[code, "usd_millions"]), int(frame.loc[code, "decimals"]))
                share = frame.loc[code, "share_pct"]
                row[f"{end}_share"] = None if share != share else float(share)
            else:
                row[end] = row[f"{end}_share"] = None
        rows.append(row)
    table = e.render("context.html.j2", "table", rows=rows, table_number=report.numbering.next_table(), **context)
    return Section(ID, title, [intro, output, table])
