"""The checks a careful reader makes, made by the report.

Each rule reads the data and says when it applies, with the facts a sentence needs. The wording
is the edition's (its ``caveats`` template); nothing here is language.

Rules that read the data:

- ``single_source``: a headline period rests on one independent report;
- ``known_through_echo``: a headline figure is known only through a source repeating another;
- ``full_year_below_part_year``: a full-year figure is below the same year's part-year figure
  (flows are rarely negative for a whole quarter: one of them is probably wrong);
- ``releases_apart``: a share whose numerator and denominator come from releases published more
  than `RELEASES_APART_DAYS` apart (figures are revised between releases);
- ``part_year_beside_full_year``: the report shows part-year figures beside full-year ones.

Standing caveats, true of the statistics themselves: ``immediate_investor`` and
``preliminary_register`` (Mexico's Secretaría de Economía: the country of the immediate investor,
preliminary notifications revised every quarter), and ``current_dollars``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis._facts import Facts
from analysis.contract import ALL_ORIGINS, first_day

RELEASES_APART_DAYS = 183  # six months
# Destinations whose FDI statistics the standing caveats describe (Mexico's SE and its register).
SE_REGISTER = frozenset({"MEX"})


@dataclass(frozen=True)
class Caveat:
    """One caveat: its kind (the template's key) and the facts its sentence is written from."""

    kind: str
    facts: Mapping[str, Any] = field(default_factory=dict)


def caveats(facts: Facts) -> tuple[Caveat, ...]:
    """Return every caveat that applies to a run, data rules first, standing caveats last."""
    rules = (single_source, known_through_echo, full_year_below_part_year, releases_apart, part_year_beside_full_year)
    return tuple(caveat for rule in (*rules, standing) for caveat in rule(facts))


def single_source(facts: Facts) -> list[Caveat]:
    """Find the headline periods that rest on one independent report."""
    return [
        Caveat("single_source", {"end": end, "year": period.year, "report": period.independent[0]})
        for end, period in (("base", facts.base), ("target", facts.target))
        if len(period.independent) == 1
    ]


def known_through_echo(facts: Facts) -> list[Caveat]:
    """Find the headline figures known only through a source that repeats another."""
    return [
        Caveat("known_through_echo", {"end": end, "year": period.year, "report": period.chosen})
        for end, period in (("base", facts.base), ("target", facts.target))
        if period.chosen is not None and period.chosen.via
    ]


def full_year_below_part_year(facts: Facts) -> list[Caveat]:
    """Find full-year figures below a part-year figure of the same year (the origin's or the total's)."""
    found = []
    for origin in (facts.origin, ALL_ORIGINS):
        series = facts.series(origin)
        full = series[series["months"] == 12].set_index("year")
        part = series[series["months"] < 12]
        for row in part.itertuples(index=False):
            if row.year not in full.index or full.loc[row.year, "usd_millions"] >= row.usd_millions:
                continue
            year_full = facts.period(origin, int(row.year), 12)
            year_part = facts.period(origin, int(row.year), int(row.months))
            others = tuple(r for r in year_full.independent if not r.used)
            found.append(
                Caveat(
                    "full_year_below_part_year",
                    {
                        "origin": origin,
                        "year": int(row.year),
                        "months": int(row.months),
                        "full": year_full.chosen,
                        "part": year_part.chosen,
                        "other_full": others,
                    },
                )
            )
    return found


def releases_apart(facts: Facts) -> list[Caveat]:
    """Find shares of the total whose two figures come from releases more than six months apart.

    One caveat lists them all, year by year.
    """
    items = []
    series = facts.series(facts.origin)
    years = sorted(set(series.loc[series["months"] == facts.months, "year"]))
    for year in years:
        numerator = facts.chosen(facts.origin, year)
        denominator = facts.chosen(ALL_ORIGINS, year)
        if numerator is None or denominator is None:
            continue
        first, second = (first_day(facts.sources[r.credited_to].published) for r in (numerator, denominator))
        days = abs((first - second).days)
        if days > RELEASES_APART_DAYS:
            items.append(
                {
                    "year": year,
                    "numerator": numerator,
                    "denominator": denominator,
                    "months_apart": round(days / 30.44),
                    "headline": year in (facts.base_year, facts.target_year),
                }
            )
    return [Caveat("releases_apart", {"months": facts.months, "items": tuple(items)})] if items else []


def part_year_beside_full_year(facts: Facts) -> list[Caveat]:
    """Find the origin's figures for other period lengths, shown beside the report's own."""
    series = facts.series(facts.origin)
    other = series[series["months"] != facts.months]
    if other.empty or (series["months"] == facts.months).sum() == 0:
        return []
    periods = tuple((int(r.year), int(r.months)) for r in other.itertuples(index=False))
    return [Caveat("part_year_beside_full_year", {"periods": periods, "months": facts.months})]


def standing(facts: Facts) -> list[Caveat]:
    """Return the caveats true of the statistics themselves, whatever the figures."""
    found = []
    if facts.destination in SE_REGISTER:
        found.append(Caveat("immediate_investor", {"origin": facts.origin, "destination": facts.destination}))
        found.append(Caveat("preliminary_register", {"destination": facts.destination}))
    found.append(Caveat("current_dollars", {}))
    return found
