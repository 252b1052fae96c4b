"""The headline: whose figures these are, how sure they are, and what they say.

In that order: the first sentence names whose figures the report uses; where independent reports
disagree on either period, the range of multiples they allow comes next, with the report behind
each end and the figure used and why, before any derived figure; a year that rests on a single
source says so, with its trust. The derived figures (change, shares) follow.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from analysis._facts import Period
from analysis._language import Edition
from analysis._present import Section
from analysis._sections._report import Report

ID = "headline"


def range_ends(base: Period, target: Period) -> tuple[SimpleNamespace, SimpleNamespace] | None:
    """Return the lowest and highest multiple independent reports allow, with their reports; None if none."""
    bases = [r for r in base.independent if r.value > 0]
    if not bases or not target.independent:
        return None
    pairs = [(t.value / b.value, b, t) for b in bases for t in target.independent]

    def end(pick: Callable) -> SimpleNamespace:
        """One end of the range: its multiple, its two figures and the reports giving them."""
        multiple, b, t = pick(pairs, key=lambda p: p[0])
        return SimpleNamespace(
            multiple=multiple,
            base_value=b.value,
            base_decimals=b.decimals,
            target_value=t.value,
            target_decimals=t.decimals,
            base_reports=base.reporting(b.value),
            target_reports=target.reporting(t.value),
        )

    return end(min), end(max)


def facts(report: Report) -> SimpleNamespace:
    """Compute the headline's language-free facts from the run."""
    f = report.facts
    base_period, target_period = f.base, f.target
    base, target = base_period.chosen, target_period.chosen
    g = f.growth
    disputes = [end for end, p in (("base", base_period), ("target", target_period)) if len(p.values) > 1]
    disputed = None if not disputes else ("both" if len(disputes) == 2 else disputes[0])
    basis = {"target": target_period.basis, "both": target_period.basis, "base": base_period.basis}.get(disputed, "")
    chosen = [r for r in (base, target) if r is not None]
    relayed = tuple(
        dict.fromkeys(f.sources[r.credited_to].figures_by for r in chosen if f.sources[r.credited_to].figures_by)
    )
    single = tuple(
        (end, p.independent[0])
        for end, p in (("base", base_period), ("target", target_period))
        if len(p.independent) == 1
    )
    return SimpleNamespace(
        origin=f.origin,
        destination=f.destination,
        base_year=f.base_year,
        target_year=f.target_year,
        months=f.months,
        base=base,
        target=target,
        base_period=base_period,
        target_period=target_period,
        relayed=relayed,  # whose statistics the credited sources relay (figures_by)
        # both figures from one source, neither through an echo
        same_source=len(chosen) == 2 and base.credited_to == target.credited_to and not base.via and not target.via,
        # both figures relay one body's statistics (one figures_by), from two sources
        same_body=len(chosen) == 2 and len(relayed) == 1 and all(f.sources[r.credited_to].figures_by for r in chosen),
        disagree=disputed is not None,
        ends=range_ends(base_period, target_period) if disputed else None,
        growth=g,
        basis=basis,  # why the target figure (or the base, if only it is disputed) was chosen
        disputed_end=disputed,  # "target", "base" or "both"
        single=single,  # (end, its only report) for single-source years
        missing=g.reasons.get("base_value") or g.reasons.get("target_value"),
        decimals=max((r.decimals for r in chosen), default=1),  # for a difference: the more precise of the two
    )


def reasons(edition: Edition) -> dict[str, str]:
    """Say why a measure is undefined, for each code of `analysis._metrics.REASONS` (and ``no_total``)."""
    e = edition
    return {
        "no_base": e.gettext("there is no base figure"),
        "no_target": e.gettext("there is no target figure"),
        "base_zero": e.gettext("the base value is zero"),
        "base_negative": e.gettext("the base value is negative"),
        "target_negative": e.gettext("the target value is negative"),
        "not_after": e.gettext("the target period does not come after the base period"),
        "rounding_reaches_zero": e.gettext("the base figure's rounding interval reaches zero"),
        "total_not_positive": e.gettext("the total is not positive"),
        "no_total": e.gettext("there is no total for that period"),
    }


def headline(report: Report) -> Section:
    """Write the headline paragraphs (see the module's docstring for their order)."""
    found = facts(report)
    code = found.growth.codes.get("multiple")
    return report.section(
        ID,
        report.edition.gettext("Headline"),
        "headline.html.j2",
        h=found,
        reason=reasons(report.edition)[code] if code else "",
        sources=report.facts.sources,
    )
