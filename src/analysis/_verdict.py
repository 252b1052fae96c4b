"""A verdict on each claim of claims.csv, by the written rule of data/README.md ("claims.csv").

In order: ``false`` when the multiple claimed lies more than 5 % outside the range the
independent reports of the two periods allow (each figure widened by its rounding), or the
claim's own arithmetic is off by more than 5 %; ``disputed`` when either period's reports
cannot be one value however rounded; ``unproven`` when either period has fewer than two
independent reports and none rated high; else ``confirmed``. Each verdict carries the reason
codes that decided it (`REASONS`, tabled in data/README.md) and those of later steps that hold
too. The arithmetic is exact (`fractions.Fraction` of the decimals written), so a claim at the
rule's edge is decided as the rule says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from analysis._facts import Period, Reported

TOLERANCE = Fraction(5, 100)  # how far outside the range, or off its own arithmetic, a claim may be
VERDICTS = ("confirmed", "unproven", "disputed", "false")  # from best to worst
# Every reason code, in the order a verdict lists them, with the verdict it leads to.
REASONS = {
    "outside_range": "false",
    "arithmetic": "false",
    "base_not_positive": "false",
    "base_disagree": "disputed",
    "target_disagree": "disputed",
    "base_missing": "unproven",
    "base_thin": "unproven",
    "target_missing": "unproven",
    "target_thin": "unproven",
    "within_range": "confirmed",
    "agree": "confirmed",
    "sourced": "confirmed",
}


@dataclass(frozen=True)
class Claim:
    """One row of claims.csv: a claim of growth between two periods, as a publication made it."""

    claim_id: str
    origin: str
    destination: str
    base_year: int
    target_year: int
    months: int
    base: float
    base_decimals: int
    target: float
    target_decimals: int
    multiple: float | None  # as the claim states it; None where it states none
    multiple_decimals: int
    quote: str
    source_id: str
    line: int = 0
    translations: Mapping[str, str] = field(default_factory=dict)  # quote_<lang> -> text

    def quote_in(self, lang: str) -> tuple[str, str | None]:
        """Return the quote in a language where translated (text, that language), else (the quote, None)."""
        translated = self.translations.get(f"quote_{lang}", "")
        return (translated, lang) if translated else (self.quote, None)


@dataclass(frozen=True)
class Verdict:
    """A claim judged by the rule, with what a writer needs to say why.

    ``multiple_claimed`` is the multiple the claim states, else its target ÷ base;
    ``multiple_arithmetic`` its target ÷ base (None for a base not above zero) and
    ``arithmetic_gap`` how far that is from the stated multiple. ``range_low``/``range_high`` are
    the least and greatest target ÷ base over the independent reports, and the ``_widened`` pair
    the same with each figure at the end of its rounding interval that widens the range.
    """

    claim: Claim
    verdict: str
    reasons: tuple[str, ...]
    also: tuple[str, ...]
    multiple_claimed: float | None
    multiple_arithmetic: float | None
    arithmetic_gap: float | None
    range_low: float | None
    range_high: float | None
    range_low_widened: float | None
    range_high_widened: float | None
    base: Period
    target: Period

    def to_dict(self) -> dict[str, Any]:
        """Return the claim's entry in the metrics file's ``claims``: id, verdict, multiple claimed, reasons."""
        return {
            "claim_id": self.claim.claim_id,
            "verdict": self.verdict,
            "multiple_claimed": self.multiple_claimed,
            "reasons": list(self.reasons),
        }


def claims_from(frame: pd.DataFrame) -> tuple[Claim, ...]:
    """Turn typed claims.csv (`analysis._load.Dataset.claims`) into claims, in file order."""
    translated = [c for c in frame.columns if c.startswith("quote_")]
    return tuple(
        Claim(
            claim_id=row["claim_id"],
            origin=row["origin"],
            destination=row["destination"],
            base_year=int(row["base_year"]),
            target_year=int(row["target_year"]),
            months=int(row["months"]),
            base=float(row["base"]),
            base_decimals=int(row["base_decimals"]),
            target=float(row["target"]),
            target_decimals=int(row["target_decimals"]),
            multiple=None if pd.isna(row["multiple"]) else float(row["multiple"]),
            multiple_decimals=int(row["multiple_decimals"]),
            quote=row["quote"],
            source_id=row["source_id"],
            line=int(row["line"]),
            translations={c: row[c] for c in translated if row[c]},
        )
        for row in frame.to_dict("records")
    )


def matching(
    claims: Sequence[Claim], origin: str, destination: str, base_year: int, target_year: int, months: int
) -> tuple[Claim, ...]:
    """Return the claims that make one comparison (countries, years, months), in their order."""
    key = (origin, destination, base_year, target_year, months)
    return tuple(c for c in claims if (c.origin, c.destination, c.base_year, c.target_year, c.months) == key)


def judge(claim: Claim, base: Period, target: Period, trust: Mapping[str, str] | None = None) -> Verdict:
    """Judge one claim against every report of its two periods (echoes marked), by the rule.

    ``trust`` gives each source's rating along its chain of citations, by source_id; a report
    missing from it is rated by its own rating.

    Examples
    --------
    >>> from analysis._facts import Period, Reported
    >>> claim = Claim("c", "RUS", "MEX", 2022, 2024, 12, 2.8, 1, 86.4, 1, 30.0, 0, "", "s")
    >>> def period(year, *values):
    ...     ids = [f"s{i}" for i in range(len(values))]
    ...     reports = [Reported(v, 1, s, s, "2025", "low", True, False, "") for v, s in zip(values, ids)]
    ...     return Period("RUS", "MEX", year, 12, tuple(reports))
    >>> found = judge(claim, period(2022, 2.8), period(2024, 86.4, 19.1))
    >>> found.verdict, found.reasons, found.also
    ('disputed', ('target_disagree',), ('base_thin',))
    """
    trust = trust or {}
    ratio = (
        _exact(claim.target, claim.target_decimals) / _exact(claim.base, claim.base_decimals)
        if claim.base > 0
        else None
    )
    stated = _exact(claim.multiple, claim.multiple_decimals) if claim.multiple is not None else None
    multiple = ratio if stated is None else stated  # the multiple claimed: the one stated, else target ÷ base
    gap = ratio / stated - 1 if ratio is not None and stated is not None else None

    found: list[str] = []
    bounds = _bounds(base.independent, target.independent)
    if multiple is None or (stated is not None and (gap is None or abs(gap) > TOLERANCE)):
        found.append("arithmetic")
    if bounds == "no_positive_base":
        found.append("base_not_positive")
    elif bounds is not None and multiple is not None:
        low, high = bounds[1]
        if multiple < low - TOLERANCE * abs(low) or multiple > high + TOLERANCE * abs(high):
            found.append("outside_range")
    for end, period in (("base", base), ("target", target)):
        reports = period.independent
        if not reports:
            found.append(f"{end}_missing")
            continue
        if _disagree(reports):
            found.append(f"{end}_disagree")
        if len(reports) < 2 and not any(trust.get(r.source_id, r.trust) == "high" for r in reports):
            found.append(f"{end}_thin")

    found.sort(key=list(REASONS).index)
    verdict = next((v for v in ("false", "disputed", "unproven") if any(REASONS[r] == v for r in found)), "confirmed")
    reasons = tuple(r for r in found if REASONS[r] == verdict) or ("within_range", "agree", "sourced")
    plain, widened = bounds if isinstance(bounds, tuple) else ((None, None), (None, None))
    return Verdict(
        claim=claim,
        verdict=verdict,
        reasons=reasons,
        also=tuple(r for r in found if r not in reasons),
        multiple_claimed=_float(multiple),
        multiple_arithmetic=_float(ratio),
        arithmetic_gap=_float(gap),
        range_low=_float(plain[0]),
        range_high=_float(plain[1]),
        range_low_widened=_float(widened[0]),
        range_high_widened=_float(widened[1]),
        base=base,
        target=target,
    )


def _exact(value: float, decimals: int) -> Fraction:
    """Return a figure as the decimal written in the file (86.4 is 864/10, not the float nearest it)."""
    return Fraction(f"{value:.{decimals}f}")


def _interval(report: Reported) -> tuple[Fraction, Fraction]:
    """Return the values a reported figure stands for, [low, high): 2.8 stands for [2.75, 2.85)."""
    value, half = _exact(report.value, report.decimals), Fraction(1, 2 * 10**report.decimals)
    return value - half, value + half


def _bounds(
    bases: Sequence[Reported], targets: Sequence[Reported]
) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]] | str | None:
    """Return the range of target ÷ base the reports allow, plain and widened by rounding.

    None where a period has no report; ``"no_positive_base"`` where no base report is above zero.
    """
    if not bases or not targets:
        return None
    positive = [b for b in bases if b.value > 0]  # a figure above zero stands for values above zero
    if not positive:
        return "no_positive_base"
    plain = [_exact(t.value, t.decimals) / _exact(b.value, b.decimals) for b in positive for t in targets]
    corners = [
        t / b for b_report in positive for t_report in targets for b in _interval(b_report) for t in _interval(t_report)
    ]
    return (min(plain), max(plain)), (min(corners), max(corners))


def _disagree(reports: Sequence[Reported]) -> bool:
    """Say whether reports cannot all be one value, however each was rounded."""
    intervals = [_interval(r) for r in reports]
    return max(low for low, _ in intervals) >= min(high for _, high in intervals)


def _float(value: Fraction | None) -> float | None:
    """Return an exact value as the float the result and the metrics file carry."""
    return None if value is None else float(value)
