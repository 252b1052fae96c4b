"""The lead: the claim quoted, the verdict on the scale, and the answer in a short summary.

The summary follows the order a reader needs: the answer (does the claim's sum hold), how sure
(what the independent reports say), why figures differ, how big it is. Every decision (which
sentence applies, which figures, how they round) is made here; the template chooses the words.
"""

from __future__ import annotations

from types import SimpleNamespace

from analysis import _verdict as rule
from analysis._caveats import SE_REGISTER
from analysis._facts import Period
from analysis._present import Section
from analysis._sections._report import Report
from analysis._sections.headline import headline
from analysis._sections.timeline import Event, events_in
from analysis.contract import ALL_ORIGINS

ID = "claim"

# Investment of an origin known to reach the destination through a company in a third country: the
# words that find its deals in the timeline (the first word, and any of the others), and that
# country (ISO 3166-1 alpha-3). The lead names the first deal; "Why the figures differ" lists them.
ROUTED = {"RUS": (("Lukoil", ("Area 4", "Fieldwood")), "NLD")}


def routed_deals(report: Report) -> tuple[tuple[Event, ...], str] | None:
    """Return the origin's deals routed through a third country, in date order, and that country."""
    f = report.facts
    if f.origin not in ROUTED or f.destination not in SE_REGISTER:
        return None
    (word, others), via = ROUTED[f.origin]
    translated = events_in(f.events(category="investment", mentioning=word, any_of=others), report.edition.lang)
    return (tuple(translated), via) if translated else None


def _disagreement(period: Period) -> SimpleNamespace | None:
    """Return a period whose independent reports disagree: each value with the reports giving it."""
    if len(period.values) < 2:
        return None
    return SimpleNamespace(year=period.year, values=tuple((v, period.reporting(v)) for v in period.values))


def _share(report: Report, year: int) -> float | None:
    f = report.facts
    part, total = f.chosen(f.origin, year), f.chosen(ALL_ORIGINS, year)
    if part is None or total is None or total.value <= 0:
        return None
    return part.value / total.value * 100


def _leader(report: Report, year: int) -> tuple[str, float] | None:
    """Return the origin with the largest figure of a period, and its share of the total."""
    f = report.facts
    total = f.chosen(ALL_ORIGINS, year)
    origins = set(f.reports.loc[(f.reports["year"] == year) & (f.reports["months"] == f.months), "origin"])
    figures = [(o, f.chosen(o, year)) for o in sorted(origins - {ALL_ORIGINS})]
    figures = [(o, r.value) for o, r in figures if r is not None]
    if total is None or total.value <= 0 or not figures:
        return None
    code, value = max(figures, key=lambda item: item[1])
    return code, value / total.value * 100


def facts(report: Report) -> SimpleNamespace | None:
    """Compute the lead's language-free facts; None when no claim makes the report's comparison."""
    f = report.facts
    judged = f.lead_claim
    if judged is None:
        return None
    source = f.sources[judged.claim.source_id]
    reasons = set(judged.reasons) | set(judged.also)
    thin = tuple(
        (p.year, p.independent[0])
        for p, code in ((judged.base, "base_thin"), (judged.target, "target_thin"))
        if code in reasons
    )
    missing = tuple(
        p.year for p, code in ((judged.base, "base_missing"), (judged.target, "target_missing")) if code in reasons
    )
    return SimpleNamespace(
        judged=judged,
        source=source,  # where the claim was made
        cited=f.sources.get(source.cites) if source.cites else None,  # the source it credits for its figures
        months=judged.claim.months,
        sum_holds="arithmetic" not in judged.reasons,  # target ÷ base is within the tolerance of the multiple stated
        thin=thin,  # periods resting on one report not rated high
        missing=missing,  # periods with no report at all
        disputed=tuple(d for d in (_disagreement(judged.base), _disagreement(judged.target)) if d),
        low=judged.range_low,
        high=judged.range_high,
        share=_share(report, judged.claim.target_year),  # the origin's share of all FDI, percent
        share_base=_share(report, judged.claim.base_year),
        leader=_leader(report, judged.claim.target_year),  # the largest origin and its share, percent
        revised=f.destination in SE_REGISTER,  # the destination's statistics are revised release after release
        routed=routed_deals(report),  # the origin's deals counted as a third country's (the lead names the first)
    )


def lead(report: Report) -> Section:
    """Write the claim, the verdict and the summary; the headline when no claim makes the comparison."""
    found = facts(report)
    if found is None:
        return headline(report)
    return report.section(
        ID,
        report.edition.gettext("The claim"),
        "lead.html.j2",
        x=found,
        c=found.judged.claim,
        origin=report.facts.origin,
        destination=report.facts.destination,
        sources=report.facts.sources,
        verdicts=rule.VERDICTS,
        tolerance=float(rule.TOLERANCE) * 100,
    )
