"""How big it is: the origin's share of all FDI into the destination, and its rank among the origins."""

from __future__ import annotations

from types import SimpleNamespace

from analysis import _charts as charts
from analysis import _metrics as metrics
from analysis._present import Section
from analysis._sections._report import Report
from analysis.contract import ALL_ORIGINS

ID = "how-big"


def facts(report: Report) -> SimpleNamespace:
    """Rank the origins of the target period and place the report's origin among them."""
    f = report.facts
    year = f.target_year
    frame = metrics.origins_in(f.selected, f.destination, year, f.months)
    ranked = tuple(
        (r.origin, float(r.usd_millions), int(r.decimals), None if r.share_pct != r.share_pct else float(r.share_pct))
        for r in frame.itertuples(index=False)
    )
    codes = [r[0] for r in ranked]
    rank = codes.index(f.origin) + 1 if f.origin in codes else None
    own = ranked[rank - 1] if rank else None
    largest = ranked[0] if ranked and ranked[0][0] != f.origin else None
    return SimpleNamespace(
        year=year,
        total=f.chosen(ALL_ORIGINS, year),  # all FDI into the destination in the target period
        share=own[3] if own else None,  # the origin's share of it, percent
        ranked=ranked,  # every origin listed: code, value, decimals, share
        rank=rank,  # the origin's place among them, from 1
        largest=largest,  # the largest origin, when it is not the report's
    )


def size(report: Report) -> Section:
    """Say how big the origin's investment is: its share of the total, and its rank among the origins."""
    e, f = report.edition, report.facts
    fmt = e.fmt
    x = facts(report)
    title = e.gettext("How big it is")
    context = {"id": ID, "title": title, "x": x, "origin": f.origin, "destination": f.destination, "months": f.months}
    parts = [e.render("size.html.j2", "intro", **context)]
    if x.rank and len(x.ranked) > 1:
        origin, period = fmt.country(f.origin), fmt.period(x.year, f.months)
        rows = [(fmt.country(code), value, fmt.number(value, decimals)) for code, value, decimals, _ in x.ranked]
        rank = e.gettext(
            "%(origin)s: place %(rank)s of the %(count)s origins the sources name",
            origin=origin,
            rank=x.rank,
            count=len(x.ranked),
        )
        share = fmt.rounded_percent(x.share)[0] if x.share is not None else None
        point = (
            e.gettext(
                "%(origin)s: %(share)s of all FDI into %(destination)s in %(period)s",
                origin=origin,
                share=share,
                destination=fmt.country(f.destination),
                period=period,
            )
            if share
            else e.gettext(
                "FDI into %(destination)s by origin, %(period)s", destination=fmt.country(f.destination), period=period
            )
        )
        used = [f.chosen(code, x.year).credited_to for code, *_ in x.ranked]  # the origins, not their echoes
        words = charts.ChartWords(
            title=point,
            source=report.chart_source(used),
            alt=e.gettext(
                "Bars of FDI into %(destination)s by origin in %(period)s, largest first: %(origins)s.",
                destination=fmt.country(f.destination),
                period=period,
                origins="; ".join(f"{name} {text}" for name, _, text in rows),
            ),
            axis=e.gettext("US$ millions"),
        )
        arguments = {"highlight": x.rank - 1, "fmt": fmt, "words": words, "rank": rank}
        caption = e.gettext(
            "FDI into %(destination)s in %(period)s from each origin the sources name (US$ millions).",
            destination=fmt.country(f.destination),
            period=period,
        )
        parts.append(report.chart("origins", caption, charts.origins_chart, rows, **arguments))
    return Section(ID, title, parts)
