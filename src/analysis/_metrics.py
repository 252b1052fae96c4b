"""Growth metrics, as pure functions of the figures, and the rule that chooses one figure per period.

The arithmetic takes numbers or arrays and returns NaN where a metric is undefined (`undefined_code`
says why). `rank` orders every period's reports by `CRITERIA`; `select_figures` keeps the first of
each, and `growth` gathers the headline comparison into a `Growth`, whose `to_dict` is the
``growth`` block of NAME.metrics.json.
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
    base, target, years = (np.asarray(a, dtype=float) for a in (base, target, years))
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
    return np.min(corners, axis=0)[()], np.max(corners, axis=0)[()]  # NaN from a corner whose base is not above zero


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
    checks = [] if metric == "abs_change" else [(base == 0, "base_zero"), (base < 0, "base_negative")]
    if metric == "cagr_pct":
        checks += [(target < 0, "target_negative"), (years is not None and years <= 0, "not_after")]
    return next((code for failed, code in checks if failed), None)  # the first that fails


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
        current, seen = i, {i}
        while cites[current] in position and position[cites[current]] not in seen:
            current = position[cites[current]]
            seen.add(current)
            worst[i] = max(worst[i], trust[current])
        root[i] = current
    return root, worst


# How a figure is chosen among a period's independent reports, strongest first: each criterion
# decides only a tie of those before it, and the row first in the file a tie of all. `rank` sorts by
# this tuple and names the criterion that decided as the `basis`; the report words the rule from it.
CRITERIA = ("preferred source", "latest published", "more trusted source")


def rank(fdi: pd.DataFrame, sources: pd.DataFrame, prefer_sources: Sequence[str] = ()) -> pd.DataFrame:
    """Return every report, best first within its period, by the rule of `select_figures`.

    Parameters
    ----------
    fdi, sources : pandas.DataFrame
        Typed fdi.csv and sources.csv.
    prefer_sources : sequence of str, optional
        source_ids to prefer, strongest first.

    Returns
    -------
    pandas.DataFrame
        One row per report: the key, ``usd_millions``, ``decimals``, ``source_id``, ``note``,
        ``line``, ``published``, ``trust``, ``credited_to``, ``independent``, ``used``, one column
        per criterion of `CRITERIA` (smaller is better), and per period ``n_reports``,
        ``n_echoes``, ``n_values``, ``n_values_all``, ``low``, ``high`` and ``basis``.
    """
    root, chain_trust = fold_citations(sources)
    ids = sources["source_id"].to_numpy()
    own = pd.Index(ids).get_indexer(fdi["source_id"])
    credited = root[own]
    preference = {source: i for i, source in enumerate(prefer_sources)}
    published_on = sources["published_on"].to_numpy("datetime64[ns]").astype(np.int64)
    # Each criterion is taken from the source a report is credited to: an echo is neither a
    # second source nor a newer release, and no surer than the least trusted link of its chain.
    score = {
        "preferred source": pd.Series(ids[credited]).map(preference).fillna(len(preference)).to_numpy(),
        "latest published": -published_on[credited],
        "more trusted source": chain_trust[own],
    }
    # Sort numbers only (periods numbered in key order, the criteria, the line); the text follows once.
    period = fdi.groupby(FDI_KEY, sort=True).ngroup().to_numpy()
    line = fdi["line"].to_numpy()
    fold = pd.DataFrame({"period": period, "credited": credited, "echo": credited != own, "line": line})
    folded = fold.sort_values(["period", "credited", "echo", "line"]).duplicated(["period", "credited"])
    independent = ~folded.sort_index().to_numpy()
    keys = pd.DataFrame({"period": period, "independent": independent, **score, "line": line})
    order = keys.sort_values(
        ["period", "independent", *CRITERIA, "line"], ascending=[True, False, *[True] * len(CRITERIA), True]
    ).index.to_numpy()
    own, credited, period = own[order], credited[order], period[order]
    ranked = (
        fdi[[*FDI_KEY, "usd_millions", "decimals", "source_id", "note", "line"]]
        .take(order)
        .reset_index(drop=True)
        .assign(
            published=sources["published"].to_numpy()[own],
            trust=sources["trust"].to_numpy()[own],
            credited_to=ids[credited],
            independent=independent[order],
            used=np.append(True, period[1:] != period[:-1]) if len(order) else np.empty(0, bool),
            **{criterion: keys[criterion].to_numpy()[order] for criterion in CRITERIA},
        )
    )
    value = ranked["usd_millions"]
    kept = value.where(ranked["independent"]).groupby(period)
    per_period = pd.DataFrame(
        {
            "n_reports": kept.count(),
            "n_values": kept.nunique(),
            "n_values_all": value.groupby(period).nunique(),
            "low": kept.min(),
            "high": kept.max(),
        }
    )
    # The basis: the first criterion on which the chosen report beats the runner-up.
    chosen, runner_up = ranked[ranked["used"]], ranked[list(CRITERIA)].shift(-1)[ranked["used"].to_numpy()]
    reports, values = per_period["n_reports"].to_numpy(), per_period["n_values"].to_numpy()
    beats = [
        (chosen[criterion].to_numpy() != runner_up[criterion].to_numpy()) & (reports > 1) for criterion in CRITERIA
    ]
    bases = ("only report", "all reports agree", *CRITERIA)  # the basis of every period; else "first in file"
    per_period["basis"] = np.select([reports == 1, values == 1, *beats], bases, default="first in file")
    ranked = ranked.join(per_period.iloc[period].reset_index(drop=True))
    ranked["n_echoes"] = value.groupby(period).transform("size").to_numpy() - ranked["n_reports"]
    return ranked


def select_figures(
    fdi: pd.DataFrame, sources: pd.DataFrame, prefer_sources: Sequence[str] = (), *, ranking: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Choose one figure for each (origin, destination, year, months).

    The rule: first fold every echo into the source it repeats (``cites``, followed to the end
    of the chain), so that an echo is neither a second source nor a newer release. Among the
    independent reports left, the criteria of `CRITERIA` decide in turn: a source listed in
    ``prefer_sources`` (the earlier listed, the stronger), then the most recently published,
    then the more trusted source; then the row that comes first in the file.

    Parameters
    ----------
    fdi, sources : pandas.DataFrame
        Typed fdi.csv and sources.csv (see `analysis._load.Dataset`).
    prefer_sources : sequence of str, optional
        source_ids to prefer, strongest first.
    ranking : pandas.DataFrame, optional
        The result of `rank` for the same arguments, when the caller has it already.

    Returns
    -------
    pandas.DataFrame
        One row per period, sorted by the key: the key, ``usd_millions``, ``decimals``,
        ``source_id`` (the row's own source), ``published``, ``trust``, ``credited_to`` (the
        source an echo repeats; else its own), ``n_reports`` (independent reports of the period),
        ``n_echoes`` (reports folded into another), ``n_values`` (distinct values among the
        independent reports) and ``basis`` (a criterion of `CRITERIA`, ``only report``, ``all
        reports agree`` or ``first in file``).
    """
    ranking = rank(fdi, sources, prefer_sources) if ranking is None else ranking
    columns = [*FDI_KEY, "usd_millions", "decimals", "source_id", "published", "trust", "credited_to"]
    return ranking.loc[ranking["used"], [*columns, "n_reports", "n_echoes", "n_values", "basis"]].reset_index(drop=True)


def disagreements(
    fdi: pd.DataFrame, sources: pd.DataFrame, prefer_sources: Sequence[str] = (), *, ranking: pd.DataFrame | None = None
) -> pd.DataFrame:
    """List every report of every period reported with more than one distinct value.

    Returns
    -------
    pandas.DataFrame
        One row per report, best first within each period and echoes last: the key,
        ``usd_millions``, ``decimals`` (as written, so 50.0 is shown as 50.0), ``source_id``,
        ``note``, ``published``, ``trust``, ``credited_to``, ``independent`` (False for an echo
        folded into its origin's report), ``used``, ``basis`` (why the used figure won),
        ``spread`` (max - min over the independent reports, US$ millions) and ``spread_ratio``
        (max / min, NaN unless both are positive).
    """
    ranking = rank(fdi, sources, prefer_sources) if ranking is None else ranking
    rows = ranking[ranking["n_values_all"] > 1]
    columns = [*FDI_KEY, "usd_millions", "decimals", "source_id", "note", "published", "trust", "credited_to"]
    return (
        rows[[*columns, "independent", "used", "basis"]]
        .assign(spread=rows["high"] - rows["low"], spread_ratio=multiple(rows["low"], rows["high"]))
        .reset_index(drop=True)
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
    for end, figure, year in (("base", base, base_year), ("target", target, target_year)):
        if figure is None:
            undefined((f"{end}_value",), f"no_{end}", f"no figure for {origin} into {destination} in {year} ({period})")

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


def all_reports(ranking: pd.DataFrame) -> pd.DataFrame:
    """List every report in rank order (from `rank`), with whether it is independent and used."""
    columns = ["usd_millions", "decimals", "source_id", "note", "line", "published", "trust", "credited_to"]
    return ranking[[*FDI_KEY, *columns, "independent", "used"]]


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
