"""Growth metrics, as pure functions of the figures.

The arithmetic functions take numbers or arrays (numpy broadcasting) and return NaN where a metric
is undefined; `undefined_reason` says why in words. `select_figures` chooses one figure per period
among rows that report the same one, and `growth` gathers the headline comparison into a
`Growth`, whose `to_dict` is the ``growth`` block of NAME.metrics.json (null plus a reason where a
metric is undefined). Nothing here loops over rows in Python, so a table of a million rows takes
about a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.contract import ALL_ORIGINS, FDI_KEY, TRUST_LEVELS

ArrayLike = float | np.ndarray | pd.Series


def _ratio(numerator: ArrayLike, denominator: ArrayLike, defined: ArrayLike) -> ArrayLike:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(defined, np.divide(numerator, denominator), np.nan)[()]


def abs_change(base: ArrayLike, target: ArrayLike) -> ArrayLike:
    """Return the absolute change, ``target - base`` (US$ millions).

    Parameters
    ----------
    base, target : float or array-like
        Values of the earlier and the later period.

    Returns
    -------
    float or numpy.ndarray
    """
    return np.subtract(target, base)[()]


def multiple(base: ArrayLike, target: ArrayLike) -> ArrayLike:
    """Return how many times the base the target is, ``target / base``.

    Parameters
    ----------
    base, target : float or array-like
        Values of the earlier and the later period.

    Returns
    -------
    float or numpy.ndarray
        NaN where the base is zero or negative: a multiple of a net outflow means nothing.

    Examples
    --------
    >>> round(float(multiple(2.8, 86.4)), 3)
    30.857
    """
    base = np.asarray(base, dtype=float)
    return _ratio(target, base, base > 0)


def pct_change(base: ArrayLike, target: ArrayLike) -> ArrayLike:
    """Return the percentage change from base to target, ``(target / base - 1) * 100``.

    Parameters
    ----------
    base, target : float or array-like
        Values of the earlier and the later period.

    Returns
    -------
    float or numpy.ndarray
        NaN where the base is zero or negative.
    """
    return (multiple(base, target) - 1.0) * 100.0


def period_span_years(
    base_year: ArrayLike, base_months: ArrayLike, target_year: ArrayLike, target_months: ArrayLike
) -> ArrayLike:
    """Return the years between the middles of two periods counted from January.

    A period of ``m`` months of year ``y`` runs from ``y`` to ``y + m/12``; its middle is
    ``y + m/24``. Two periods of equal length are a whole number of years apart.

    Parameters
    ----------
    base_year, base_months, target_year, target_months : int or array-like
        The two periods.

    Returns
    -------
    float or numpy.ndarray
        Years from the base period to the target period (may be fractional).

    Examples
    --------
    >>> float(period_span_years(2024, 9, 2025, 12))
    1.125
    """
    base_mid = np.add(base_year, np.divide(base_months, 24))
    target_mid = np.add(target_year, np.divide(target_months, 24))
    return np.subtract(target_mid, base_mid)[()]


def cagr(base: ArrayLike, target: ArrayLike, years: ArrayLike) -> ArrayLike:
    """Return the compound annual growth rate in percent, ``((target/base)**(1/years) - 1) * 100``.

    Parameters
    ----------
    base, target : float or array-like
        Values of the earlier and the later period.
    years : float or array-like
        Years between the periods, fractional for part-year spans (see `period_span_years`).

    Returns
    -------
    float or numpy.ndarray
        NaN where the base is not positive, the target is negative or the span is not positive.
    """
    base = np.asarray(base, dtype=float)
    target = np.asarray(target, dtype=float)
    years = np.asarray(years, dtype=float)
    defined = (base > 0) & (target >= 0) & (years > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.power(np.divide(target, base), np.divide(1.0, years))
    return np.where(defined, (growth - 1.0) * 100.0, np.nan)[()]


def share_pct(value: ArrayLike, total: ArrayLike) -> ArrayLike:
    """Return a value as a percentage of a total.

    Parameters
    ----------
    value, total : float or array-like
        For instance one origin's FDI and the FDI from all origins in the same period.

    Returns
    -------
    float or numpy.ndarray
        NaN where the total is not positive.
    """
    total = np.asarray(total, dtype=float)
    return _ratio(np.multiply(value, 100.0), total, total > 0)


def rounding_interval(value: ArrayLike, decimals: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """Return the interval of true values that round to a reported figure.

    Parameters
    ----------
    value : float or array-like
        The figure as reported.
    decimals : int or array-like
        Digits it was reported with after the point (2.8 has 1).

    Returns
    -------
    (low, high) : tuple
        ``value -/+ half a unit of the last digit``: 2.8 stands for [2.75, 2.85).
    """
    half = 0.5 * np.power(10.0, -np.asarray(decimals, dtype=float))
    return np.subtract(value, half)[()], np.add(value, half)[()]


def multiple_bounds(
    base: ArrayLike, base_decimals: ArrayLike, target: ArrayLike, target_decimals: ArrayLike
) -> tuple[ArrayLike, ArrayLike]:
    """Return the range of the multiple that the figures' rounding allows.

    Parameters
    ----------
    base, target : float or array-like
        The reported figures.
    base_decimals, target_decimals : int or array-like
        Digits each was reported with after the point.

    Returns
    -------
    (low, high) : tuple
        The smallest and largest ``target / base`` over the rounding intervals (2.8 and 86.4
        give 86.35/2.85 and 86.45/2.75); NaN where the base interval reaches zero or below.
    """
    base_low, base_high = rounding_interval(base, base_decimals)
    target_low, target_high = rounding_interval(target, target_decimals)
    corners = [multiple(b, t) for b in (base_low, base_high) for t in (target_low, target_high)]
    defined = np.asarray(base_low) > 0
    low = np.where(defined, np.fmin.reduce(corners), np.nan)[()]
    high = np.where(defined, np.fmax.reduce(corners), np.nan)[()]
    return low, high


# Why a metric is undefined: a code for templates to word, and the metrics file's English.
REASONS = {
    "no_base": "no base figure",
    "no_target": "no target figure",
    "base_zero": "base value is zero",
    "base_negative": "base value is negative",
    "target_negative": "target value is negative",
    "not_after": "the target period does not come after the base period",
    "rounding_reaches_zero": "the base figure's rounding interval reaches zero",
    "total_not_positive": "the total is not positive",
}


def undefined_code(metric: str, base: float | None, target: float | None, years: float | None = None) -> str | None:
    """Say why a metric of two figures is undefined, as a code (a key of `REASONS`).

    Parameters
    ----------
    metric : str
        ``"multiple"``, ``"pct_change"``, ``"cagr_pct"``, ``"abs_change"``, ``"multiple_low"``,
        ``"multiple_high"``.
    base, target : float or None
        The figures; None when the data have no figure for that period.
    years : float, optional
        The span, for ``cagr_pct``.

    Returns
    -------
    str or None
        None when the metric is defined.
    """
    if base is None or target is None:
        return "no_base" if base is None else "no_target"
    if metric == "abs_change":
        return None
    if base == 0:
        return "base_zero"
    if base < 0:
        return "base_negative"
    if metric == "cagr_pct":
        if target < 0:
            return "target_negative"
        if years is not None and years <= 0:
            return "not_after"
    return None


def undefined_reason(metric: str, base: float | None, target: float | None, years: float | None = None) -> str | None:
    """Say in words why a metric of two figures is undefined (see `undefined_code`).

    Returns
    -------
    str or None
        None when the metric is defined.
    """
    code = undefined_code(metric, base, target, years)
    return REASONS[code] if code else None


# Choosing among rows that report the same period -------------------------------------------


def fold_citations(sources: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Follow each source's ``cites`` to the end of its chain.

    Parameters
    ----------
    sources : pandas.DataFrame
        Typed sources.csv; the ``cites`` column may be absent (no source repeats another).

    Returns
    -------
    (root, trust) : tuple of numpy.ndarray
        Per source row: the row of the source it ultimately repeats (itself when it reports on
        its own), and the lowest trust along that chain as a rank of `TRUST_LEVELS` (0 = high):
        a figure known only through an echo is no surer than the echo.
    """
    ids = sources["source_id"].tolist()
    position = {source: i for i, source in enumerate(ids)}
    cites = sources["cites"].fillna("").tolist() if "cites" in sources.columns else [""] * len(ids)
    trust = sources["trust"].map({level: rank for rank, level in enumerate(TRUST_LEVELS)}).to_numpy("int64")
    root = np.arange(len(ids))
    worst = trust.copy()
    for i in range(len(ids)):  # sources, not reports: a few dozen rows
        seen = {i}
        current = i
        while cites[current] in position and position[cites[current]] not in seen:
            current = position[cites[current]]
            seen.add(current)
            worst[i] = max(worst[i], trust[current])
        root[i] = current
    return root, worst


@dataclass(frozen=True)
class Ranking:
    """Every report in rank order (best first within its period), with per-period summaries.

    Echoes are folded first: a report from a source that repeats another (``cites``) counts as
    that source's report. Where the source it repeats has its own report of the period, the
    echo is *folded* into it: listed after every independent report, never counted, never
    chosen. Where it has none, the echo stands for it, dated and preferred as the source it
    repeats, and trusted no more than the least trusted link of the chain.

    Built with numpy on integer codes: one sort of the whole table, no Python loop over rows
    and no grouping on text columns, so a million reports rank in well under a second.
    """

    order: np.ndarray  # fdi's row positions in rank order
    where: np.ndarray  # per report, in rank order: its own source's row in sources
    root: np.ndarray  # per report: the row of the source it is credited to (itself unless an echo)
    independent: np.ndarray  # per report: not folded into another report of its period
    first: np.ndarray  # per report: is it its period's chosen figure
    period: np.ndarray  # per report: its period's number (0, 1, ...), periods in key order
    starts: np.ndarray  # per period: position of its first (chosen) report
    size: np.ndarray  # per period: how many independent reports
    reports: np.ndarray  # per period: how many reports, echoes included
    distinct: np.ndarray  # per period: how many distinct values among independent reports
    distinct_all: np.ndarray  # per period: how many distinct values among all reports
    low: np.ndarray  # per period: the smallest independent value
    high: np.ndarray  # per period: the largest independent value
    basis: np.ndarray  # per period: why the first report was chosen


BASES = ("only report", "all reports agree", "preferred source", "latest published", "more trusted source")


def rank(fdi: pd.DataFrame, sources: pd.DataFrame, prefer_sources: Sequence[str] = ()) -> Ranking:
    """Rank every report within its period, best first, by the rule of `select_figures`.

    Parameters
    ----------
    fdi, sources : pandas.DataFrame
        Typed fdi.csv and sources.csv.
    prefer_sources : sequence of str, optional
        source_ids to prefer, strongest first.

    Returns
    -------
    Ranking
        For `select_figures` and `disagreements`, which can share one.
    """
    count = len(fdi)
    origin = pd.factorize(fdi["origin"], sort=True)[0]
    destination, destinations = pd.factorize(fdi["destination"], sort=True)
    # One integer per period that sorts as (origin, destination, year, months) does.
    key = ((origin.astype(np.int64) * max(len(destinations), 1) + destination) * 100_000 + fdi["year"].to_numpy()) * 16
    key += fdi["months"].to_numpy()

    root_of, chain_trust = fold_citations(sources)
    where = pd.Index(sources["source_id"]).get_indexer(fdi["source_id"])
    root = root_of[where]
    echo = root != where
    line = fdi["line"].to_numpy().astype(np.int64)

    # Fold: within a period, one report per root stands (its own report, else its first echo).
    n_sources = max(len(sources), 1)
    by_root = np.lexsort((line, echo, key * n_sources + root))
    group = (key * n_sources + root)[by_root]
    leads = np.ones(count, dtype=bool)
    leads[1:] = group[1:] != group[:-1]
    independent = np.empty(count, dtype=bool)
    independent[by_root] = leads

    # Rank the sources once (a few dozen rows), not the reports: best first by preferred source,
    # latest publication, most trust, each taken from the source a report is credited to (an
    # echo is neither a second source nor a newer release); equal sources share a rank.
    published = sources["published_on"].to_numpy("datetime64[ns]").astype(np.int64)
    preference = {source: rank for rank, source in enumerate(prefer_sources)}
    preferred = sources["source_id"].map(preference).fillna(len(preference)).to_numpy("int64")
    criteria = np.column_stack([preferred[root_of], -published[root_of], chain_trust])
    source_rank = np.unique(criteria, axis=0, return_inverse=True)[1].ravel()

    within = (source_rank[where].astype(np.int64) << 40) | line
    order = np.lexsort((within, ~independent, key))
    key, where, root, independent = key[order], where[order], root[order], independent[order]
    published, trust, preferred = published[root], chain_trust[where], preferred[root]
    values = fdi["usd_millions"].to_numpy()[order]
    first = np.ones(count, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    period = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    reports = np.diff(np.append(starts, count))
    size = np.bincount(period[independent], minlength=len(starts)) if count else reports

    if count:
        kept = pd.Series(values[independent])
        distinct = kept.groupby(period[independent], sort=True).nunique().to_numpy()
        distinct_all = pd.Series(values).groupby(period, sort=True).nunique().to_numpy()
        lead_positions = np.flatnonzero(independent)
        segment = np.searchsorted(period[lead_positions], np.arange(len(starts)))
        low = np.minimum.reduceat(values[lead_positions], segment)
        high = np.maximum.reduceat(values[lead_positions], segment)
    else:
        distinct = distinct_all = low = high = values

    second = np.minimum(starts + 1, max(count - 1, 0))  # the runner-up among independent reports
    has_second = size > 1
    basis = np.select(
        [
            size == 1,
            distinct == 1,
            has_second & (preferred[starts] < preferred[second]),
            has_second & (published[starts] > published[second]),
            has_second & (trust[starts] < trust[second]),
        ],
        BASES,
        default="first in file",
    )
    return Ranking(
        order, where, root, independent, first, period, starts, size, reports, distinct, distinct_all, low, high, basis
    )


def _reports(
    fdi: pd.DataFrame, sources: pd.DataFrame, ranking: Ranking, positions: np.ndarray, columns: list[str]
) -> pd.DataFrame:
    """Return the reports at some positions of the ranking, with their source's date and trust."""
    rows = fdi[columns].take(ranking.order[positions]).reset_index(drop=True)
    where, root = ranking.where[positions], ranking.root[positions]
    ids = sources["source_id"].to_numpy()
    return rows.assign(
        published=sources["published"].to_numpy()[where],
        trust=sources["trust"].to_numpy()[where],
        credited_to=ids[root],
        independent=ranking.independent[positions],
    )


def select_figures(
    fdi: pd.DataFrame, sources: pd.DataFrame, prefer_sources: Sequence[str] = (), *, ranking: Ranking | None = None
) -> pd.DataFrame:
    """Choose one figure for each (origin, destination, year, months).

    The rule: first fold every echo into the source it repeats (``cites``, followed to the end
    of the chain), so that an echo is neither a second source nor a newer release. Among the
    independent reports left, a source listed in ``prefer_sources`` wins (the earlier listed,
    the stronger); otherwise the most recently published; on a tie of dates, the more trusted
    source; then the row that comes first in the file.

    Parameters
    ----------
    fdi : pandas.DataFrame
        Typed fdi.csv (see `analysis.load.Dataset`).
    sources : pandas.DataFrame
        Typed sources.csv.
    prefer_sources : sequence of str, optional
        source_ids to prefer, strongest first.
    ranking : Ranking, optional
        The result of `rank` for the same arguments, when the caller has it already.

    Returns
    -------
    pandas.DataFrame
        One row per period, sorted by the key: the key, ``usd_millions``, ``decimals``,
        ``source_id`` (the row's own source), ``credited_to`` (the source the figure is
        credited to: the one an echo repeats), ``published``, ``trust``, ``n_reports``
        (independent reports of the period), ``n_echoes`` (reports folded into another),
        ``n_values`` (distinct values among the independent reports) and ``basis`` (why this
        row: ``only report``, ``all reports agree``, ``preferred source``, ``latest
        published``, ``more trusted source``, ``first in file``).
    """
    ranking = ranking or rank(fdi, sources, prefer_sources)
    chosen = _reports(fdi, sources, ranking, ranking.starts, [*FDI_KEY, "usd_millions", "decimals", "source_id"])
    return chosen.drop(columns="independent").assign(
        n_reports=ranking.size,
        n_echoes=ranking.reports - ranking.size,
        n_values=ranking.distinct,
        basis=ranking.basis,
    )


def disagreements(
    fdi: pd.DataFrame, sources: pd.DataFrame, prefer_sources: Sequence[str] = (), *, ranking: Ranking | None = None
) -> pd.DataFrame:
    """List every report of every period reported with more than one distinct value.

    Parameters
    ----------
    fdi, sources : pandas.DataFrame
        Typed fdi.csv and sources.csv.
    prefer_sources : sequence of str, optional
        As for `select_figures`.
    ranking : Ranking, optional
        The result of `rank` for the same arguments, when the caller has it already.

    Returns
    -------
    pandas.DataFrame
        One row per report, best first within each period and echoes last: the key,
        ``usd_millions``, ``decimals`` (as written, so 50.0 is shown as 50.0), ``source_id``,
        ``credited_to``, ``independent`` (False for an echo folded into its origin's report),
        ``published``, ``trust``, ``note``, ``used`` (bool), ``basis`` (why the used figure
        won), ``spread`` (max - min over the independent reports, US$ millions) and
        ``spread_ratio`` (max / min, NaN unless both are positive).
    """
    ranking = ranking or rank(fdi, sources, prefer_sources)
    keep = np.flatnonzero((ranking.distinct_all > 1)[ranking.period])
    period = ranking.period[keep]
    columns = [*FDI_KEY, "usd_millions", "decimals", "source_id", "note"]
    return _reports(fdi, sources, ranking, keep, columns).assign(
        used=ranking.first[keep],
        basis=ranking.basis[period],
        spread=(ranking.high - ranking.low)[period],
        spread_ratio=multiple(ranking.low, ranking.high)[period] if len(period) else np.empty(0),
    )


# The headline comparison -------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One chosen figure and where it came from.

    ``source_id`` is the row's own source; ``credited_to`` the source it is credited to (the
    one an echo repeats; the same id when the source reports on its own).
    """

    value: float
    decimals: int
    source_id: str
    credited_to: str = ""

    @property
    def via(self) -> str | None:
        """The echo the figure is known through, if it is not known from its origin itself."""
        return self.source_id if self.credited_to and self.credited_to != self.source_id else None


@dataclass(frozen=True)
class Growth:
    """The growth of one origin's FDI into one destination between two periods.

    Built by `growth`; ``to_dict`` gives the ``growth`` block of the metrics file.
    """

    origin: str
    destination: str
    months: int
    base_year: int
    target_year: int
    base: Figure | None
    target: Figure | None
    base_total: Figure | None
    target_total: Figure | None
    values: dict[str, float | None] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # why each undefined metric is: a key of REASONS

    def __getattr__(self, name: str) -> float | None:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def to_dict(self) -> dict[str, object]:
        """Return the metrics as JSON-ready data: null and ``<name>_reason`` where undefined.

        Returns
        -------
        dict
        """
        out: dict[str, object] = {
            "origin": self.origin,
            "destination": self.destination,
            "months": self.months,
            "base_year": self.base_year,
            "target_year": self.target_year,
        }
        for name, value in self.values.items():
            out[name] = value
            if name in self.reasons:
                out[f"{name}_reason"] = self.reasons[name]
        for end, figure in (("base", self.base), ("target", self.target)):
            out[f"{end}_source_id"] = (figure.credited_to or figure.source_id) if figure else None
            out[f"{end}_via"] = figure.via if figure else None
        return out


def growth(
    selected: pd.DataFrame,
    origin: str,
    destination: str,
    base_year: int,
    target_year: int,
    months: int = 12,
    *,
    reports: pd.DataFrame | None = None,
) -> Growth:
    """Compare one origin's FDI into one destination between two periods of equal length.

    Parameters
    ----------
    selected : pandas.DataFrame
        One figure per period, from `select_figures`.
    origin, destination : str
        ISO alpha-3 codes.
    base_year, target_year : int
        The two years.
    months : int, default 12
        Months covered from January in both years.
    reports : pandas.DataFrame, optional
        Every report with ``independent`` marked (`all_reports`), for the range of multiples
        the independent reports allow and their counts; by default the chosen figures are
        taken to be the only reports.

    Returns
    -------
    Growth
        Every metric of the metrics file's ``growth`` block; undefined ones are None with a
        reason.
    """
    base = _figure(selected, origin, destination, base_year, months)
    target = _figure(selected, origin, destination, target_year, months)
    base_total = _figure(selected, ALL_ORIGINS, destination, base_year, months)
    target_total = _figure(selected, ALL_ORIGINS, destination, target_year, months)
    b = base.value if base else None
    t = target.value if target else None
    years = float(period_span_years(base_year, months, target_year, months))

    values: dict[str, float | None] = {"base_value": b, "target_value": t}
    reasons: dict[str, str] = {}
    codes: dict[str, str] = {}

    def undefined(names: tuple[str, ...], code: str, text: str | None = None) -> None:
        for name in names:
            values[name] = None
            codes[name], reasons[name] = code, text or REASONS[code]

    period = f"{months} months" if months != 12 else "the full year"
    if base is None:
        undefined(("base_value",), "no_base", f"no figure for {origin} into {destination} in {base_year} ({period})")
    if target is None:
        undefined(
            ("target_value",), "no_target", f"no figure for {origin} into {destination} in {target_year} ({period})"
        )

    formulas = {
        "abs_change": lambda: abs_change(b, t),
        "multiple": lambda: multiple(b, t),
        "pct_change": lambda: pct_change(b, t),
        "cagr_pct": lambda: cagr(b, t, years),
    }
    for name, formula in formulas.items():
        code = undefined_code(name, b, t, years)
        if code:
            undefined((name,), code)
        else:
            values[name] = _finite(formula())
    code = undefined_code("multiple", b, t)
    if code is None:
        low, high = multiple_bounds(b, base.decimals, t, target.decimals)
        values["multiple_low"], values["multiple_high"] = _finite(low), _finite(high)
        if values["multiple_low"] is None:
            code = "rounding_reaches_zero"
    if code:
        undefined(("multiple_low", "multiple_high"), code)

    base_values = _independent_values(reports, selected, origin, destination, base_year, months)
    target_values = _independent_values(reports, selected, origin, destination, target_year, months)
    low, high, code = reported_range(base_values, target_values)
    values["multiple_reported_low"], values["multiple_reported_high"] = low, high
    if code:
        undefined(("multiple_reported_low", "multiple_reported_high"), code)
    values["base_independent_sources"] = len(base_values)
    values["target_independent_sources"] = len(target_values)

    for end, figure, total in (("base", base, base_total), ("target", target, target_total)):
        name = f"{end}_share_of_total_pct"
        year = base_year if end == "base" else target_year
        if figure is None:
            undefined((name,), f"no_{end}")
        elif total is None:
            undefined((name,), "no_total", f"no figure for FDI from all origins ({ALL_ORIGINS}) in {year} ({period})")
        else:
            values[name] = _finite(share_pct(figure.value, total.value))
            if values[name] is None:
                undefined((name,), "total_not_positive")

    return Growth(
        origin,
        destination,
        months,
        base_year,
        target_year,
        base,
        target,
        base_total,
        target_total,
        values,
        reasons,
        codes,
    )


def reported_range(
    base_values: Sequence[float], target_values: Sequence[float]
) -> tuple[float | None, float | None, str | None]:
    """Return the smallest and largest multiple that independent reports of two periods allow.

    Parameters
    ----------
    base_values, target_values : sequence of float
        The values of every independent report of each period.

    Returns
    -------
    (low, high, code) : tuple
        ``min`` and ``max`` of ``target / base`` over every pair with a positive base; None and
        a code (a key of `REASONS`) when there is no such pair.

    Examples
    --------
    >>> low, high, _ = reported_range([2.8], [86.4, 19.1])
    >>> round(low, 3), round(high, 3)
    (6.821, 30.857)
    """
    if not len(base_values) or not len(target_values):
        return None, None, "no_base" if not len(base_values) else "no_target"
    bases = np.asarray(base_values, dtype=float)
    positive = bases[bases > 0]
    if not len(positive):
        return None, None, "base_zero" if (bases == 0).all() else "base_negative"
    ratios = np.divide.outer(np.asarray(target_values, dtype=float), positive)
    return _finite(ratios.min()), _finite(ratios.max()), None


def all_reports(fdi: pd.DataFrame, sources: pd.DataFrame, ranking: Ranking) -> pd.DataFrame:
    """List every report in rank order, with whether it is independent and whether it was used.

    Parameters
    ----------
    fdi, sources : pandas.DataFrame
        Typed fdi.csv and sources.csv.
    ranking : Ranking
        From `rank`.

    Returns
    -------
    pandas.DataFrame
        One row per report, best first within each period and echoes last: the key,
        ``usd_millions``, ``decimals``, ``source_id``, ``note``, ``line``, ``published``,
        ``trust``, ``credited_to``, ``independent`` and ``used`` (the chosen report).
    """
    positions = np.arange(len(ranking.order))
    columns = [*FDI_KEY, "usd_millions", "decimals", "source_id", "note", "line"]
    return _reports(fdi, sources, ranking, positions, columns).assign(used=ranking.first)


def in_period(frame: pd.DataFrame, origin: str, destination: str, year: int, months: int) -> pd.DataFrame:
    """Return the rows of a table (fdi.csv, the chosen figures, the reports) in one period.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table with the columns of the period's key.
    origin, destination : str
        ISO alpha-3 codes.
    year, months : int
        The period.

    Returns
    -------
    pandas.DataFrame
    """
    return frame[
        (frame["origin"] == origin)
        & (frame["destination"] == destination)
        & (frame["year"] == year)
        & (frame["months"] == months)
    ]


def _independent_values(
    reports: pd.DataFrame | None, selected: pd.DataFrame, origin: str, destination: str, year: int, months: int
) -> list[float]:
    if reports is None:
        return in_period(selected, origin, destination, year, months)["usd_millions"].tolist()
    rows = in_period(reports, origin, destination, year, months)
    return rows.loc[rows["independent"], "usd_millions"].tolist()


def _figure(selected: pd.DataFrame, origin: str, destination: str, year: int, months: int) -> Figure | None:
    rows = in_period(selected, origin, destination, year, months)
    if rows.empty:
        return None
    row = rows.iloc[0]
    return Figure(float(row["usd_millions"]), int(row["decimals"]), str(row["source_id"]), str(row["credited_to"]))


def _finite(value: ArrayLike) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


# Whole tables at once ----------------------------------------------------------------------


def growth_table(selected: pd.DataFrame, base_year: int, target_year: int) -> pd.DataFrame:
    """Compute the growth metrics for every origin, destination and period length at once.

    Parameters
    ----------
    selected : pandas.DataFrame
        One figure per period, from `select_figures`.
    base_year, target_year : int
        The two years compared.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, destination, months) with figures in both years: ``base_value``,
        ``target_value``, ``abs_change``, ``multiple``, ``pct_change``, ``cagr_pct``,
        ``multiple_low``, ``multiple_high``, ``base_share_of_total_pct``,
        ``target_share_of_total_pct`` (NaN where undefined).
    """
    pair = ["origin", "destination", "months"]
    columns = [*pair, "usd_millions", "decimals"]
    base = selected.loc[selected["year"] == base_year, columns]
    target = selected.loc[selected["year"] == target_year, columns]
    table = base.merge(target, on=pair, suffixes=("_base", "_target"))
    b, t = table["usd_millions_base"].to_numpy(), table["usd_millions_target"].to_numpy()
    low, high = multiple_bounds(b, table["decimals_base"].to_numpy(), t, table["decimals_target"].to_numpy())
    out = table[pair].assign(
        base_value=b,
        target_value=t,
        abs_change=abs_change(b, t),
        multiple=multiple(b, t),
        pct_change=pct_change(b, t),
        cagr_pct=cagr(
            b, t, period_span_years(base_year, table["months"].to_numpy(), target_year, table["months"].to_numpy())
        ),
        multiple_low=low,
        multiple_high=high,
    )
    totals = selected.loc[selected["origin"] == ALL_ORIGINS, ["destination", "months", "year", "usd_millions"]]
    for end, year in (("base", base_year), ("target", target_year)):
        total = totals[totals["year"] == year].drop(columns="year").rename(columns={"usd_millions": "_total"})
        out = out.merge(total, on=["destination", "months"], how="left")
        out[f"{end}_share_of_total_pct"] = share_pct(out[f"{end}_value"].to_numpy(), out["_total"].to_numpy())
        out = out.drop(columns="_total")
    return out


def origin_series(selected: pd.DataFrame, origin: str, destination: str, months: int) -> pd.DataFrame:
    """Return one origin's chosen figures by year, with its share of the total where known.

    Parameters
    ----------
    selected : pandas.DataFrame
        One figure per period, from `select_figures`.
    origin, destination : str
        ISO alpha-3 codes.
    months : int
        Months covered from January.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``usd_millions``, ``decimals``, ``source_id``, ``total`` (FDI from
        all origins, NaN where unknown) and ``share_pct``; sorted by year.
    """
    same = (selected["destination"] == destination) & (selected["months"] == months)
    rows = selected[same & (selected["origin"] == origin)]
    totals = selected[same & (selected["origin"] == ALL_ORIGINS)].set_index("year")["usd_millions"].rename("total")
    series = rows[["year", "usd_millions", "decimals", "source_id"]].join(totals, on="year")
    series["share_pct"] = share_pct(series["usd_millions"].to_numpy(), series["total"].to_numpy())
    return series.sort_values("year").reset_index(drop=True)


def origins_in(selected: pd.DataFrame, destination: str, year: int, months: int) -> pd.DataFrame:
    """Return every origin's figure for one period, largest first, with its share of the total.

    Parameters
    ----------
    selected : pandas.DataFrame
        One figure per period, from `select_figures`.
    destination : str
        ISO alpha-3 code.
    year, months : int
        The period.

    Returns
    -------
    pandas.DataFrame
        Columns ``origin``, ``usd_millions``, ``decimals``, ``source_id``, ``share_pct`` (NaN
        when the period has no total); the total itself (``WLD``) excluded.
    """
    period = selected[
        (selected["destination"] == destination) & (selected["year"] == year) & (selected["months"] == months)
    ]
    total = period.loc[period["origin"] == ALL_ORIGINS, "usd_millions"]
    rows = period[period["origin"] != ALL_ORIGINS][["origin", "usd_millions", "decimals", "source_id"]].copy()
    rows["share_pct"] = share_pct(rows["usd_millions"].to_numpy(), total.iloc[0] if len(total) else np.nan)
    return rows.sort_values("usd_millions", ascending=False, kind="stable").reset_index(drop=True)
