"""The figures behind the claim: every independent report of the two periods, charted, and the one used.

The chart's title says its point (the range of multiples, or that the reports agree); the text
says which figure the report uses where reports disagree, and by which rule.
"""

from __future__ import annotations

from types import SimpleNamespace

from babel.dates import format_skeleton

from analysis import _charts as charts
from analysis._facts import Period
from analysis._present import Section
from analysis._sections._report import Report
from analysis.contract import first_day

ID = "figures"


def facts(report: Report) -> SimpleNamespace:
    """Compute the range of multiples the independent reports allow, and the figures used."""
    f = report.facts
    base, target = f.base, f.target
    values = f.growth.values  # the range the metrics file gives, over the same independent reports
    low, high = values["multiple_reported_low"], values["multiple_reported_high"]
    disputed = tuple(p for p in (base, target) if len(p.values) > 1)
    return SimpleNamespace(
        base=base,
        target=target,
        low=low,  # the lowest and highest target ÷ base over the independent reports
        high=high,
        disputed=disputed,  # the periods whose independent reports disagree
        used=tuple((p, p.chosen) for p in disputed if p.chosen),  # for each disputed period, the figure used
    )


def _credits(report: Report, periods: tuple[Period, ...]) -> dict[str, str]:
    """Credit every report drawn, dated: its origin's name, the echo it is known through, the month."""
    e, f = report.edition, report.facts
    found = {}
    for period in periods:
        for r in period.independent:
            origin = f.sources[r.credited_to]
            day = first_day(origin.published)
            when = origin.published if len(origin.published) == 4 else format_skeleton("yMMM", day, locale=e.fmt.cldr)
            name = origin.name(e.lang)
            if r.via:
                name = e.gettext("%(origin)s (via %(echo)s)", origin=name, echo=f.sources[r.via].name(e.lang))
            found[r.source_id] = e.gettext("%(source)s, %(date)s", source=name, date=when)
    return found


def evidence(report: Report) -> Section:
    """Chart every independent report of the two periods and say which figure is used."""
    e, f = report.edition, report.facts
    fmt = e.fmt
    x = facts(report)
    title = e.gettext("The figures behind it")
    base_name, target_name = fmt.period(f.base_year, f.months), fmt.period(f.target_year, f.months)
    if x.low is not None and x.high is not None and x.low != x.high:
        ends = dict(zip(("low", "high"), fmt.rounded_range(x.low, x.high), strict=True))
        if len(x.disputed) == 1:
            point = e.gettext(
                "Between %(low)s and %(high)s times, depending on which %(period)s figure is right",
                period=fmt.period(x.disputed[0].year, f.months),
                **ends,
            )
        else:
            point = e.gettext("Between %(low)s and %(high)s times, depending on which figures are right", **ends)
    elif x.high is not None:
        point = e.ngettext(
            "About %(num)s time, on every independent report",
            "About %(num)s times, on every independent report",
            2,
            num=fmt.rounded_multiple(x.high),
        )
    else:
        point = e.gettext("No multiple: the base figure is not above zero")
    ids = [r.credited_to for p in (x.base, x.target) for r in p.independent]  # the origins, not their echoes
    credits = _credits(report, (x.base, x.target))
    alt = e.gettext(
        "Every independent report of %(base)s and %(target)s, on a linear scale from zero: %(reports)s.",
        base=base_name,
        target=target_name,
        reports="; ".join(
            f"{p_name}: {fmt.number(r.value, r.decimals)} ({credits[r.source_id]})"
            for p, p_name in ((x.base, base_name), (x.target, target_name))
            for r in p.independent
        ),
    )
    words = charts.ChartWords(title=point, source=report.chart_source(ids), alt=alt, axis=e.gettext("US$ millions"))
    arguments = {
        "credits": credits,
        "fmt": fmt,
        "words": words,
        "multiple": e.gettext("×%(value)s").replace("%(value)s", "{value}"),
    }
    caption = e.gettext(
        "FDI from %(origin)s into %(destination)s as each independent report gives it, %(base)s and %(target)s (US$ millions).",
        origin=fmt.country(f.origin),
        destination=fmt.country(f.destination),
        base=base_name,
        target=target_name,
    )
    output = report.chart("range", caption, charts.range_chart, x.base, x.target, **arguments)
    context = {"id": ID, "title": title, "x": x, "sources": f.sources, "months": f.months}
    markup = e.render("evidence.html.j2", "intro", **context)
    text = e.render("evidence.html.j2", "after", **context)
    return Section(ID, title, [markup, output, text] if str(text) else [markup, output])
