"""The facts of one run, computed once and frozen: what every section of the report writes from.

Nothing here depends on the edition's language: the English and the Spanish report are written
from the same `Facts`, so they carry the same numbers. The sections (`analysis._sections`) turn
facts into text through their language's templates.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis import _metrics as metrics
from analysis import _verdict as verdict
from analysis._load import Dataset
from analysis.contract import TRUST_LEVELS, first_day
from analysis.errors import ParameterError


def in_language(translations: Mapping[str, str], column: str, lang: str, original: str) -> tuple[str, str]:
    """Return a column's text in a language where translated (``COLUMN_LANG``), else the English original: (text, its language)."""
    translated = translations.get(f"{column}_{lang}", "") if lang != "en" else ""
    return (translated, lang) if translated else (original, "en")


@dataclass(frozen=True)
class Source:
    """One row of sources.csv, as the report shows it."""

    source_id: str
    publisher: str
    title: str
    url: str
    published: str
    accessed: str
    trust: str
    note: str
    cites: str = ""
    figures_by: str = ""
    language: str = ""
    translations: Mapping[str, str] = field(default_factory=dict)  # note_<lang>, figures_by_<lang> -> text

    def note_in(self, lang: str) -> tuple[str, str]:
        """Return the note in a language where translated, else the original: (text, its language)."""
        return in_language(self.translations, "note", lang, self.note)

    def name(self, lang: str) -> str:
        """Return the publisher's name as a language writes it (where the data translate it)."""
        return self.translations.get(f"publisher_{lang}", "") or self.publisher

    def figures_by_in(self, lang: str) -> str:
        """Return whose figures the source relays, as a sentence in a language writes it."""
        return self.translations.get(f"figures_by_{lang}", "") or self.figures_by


@dataclass(frozen=True)
class Reported:
    """One report of a period's figure."""

    value: float
    decimals: int
    source_id: str
    credited_to: str  # the source it is credited to: the one an echo repeats, else itself
    published: str  # the row's own source's date (an echo's, for an echo)
    trust: str
    independent: bool  # False for an echo folded into its origin's own report
    used: bool
    note: str
    translations: Mapping[str, str] = field(default_factory=dict)  # note_<lang> -> text

    def note_in(self, lang: str) -> tuple[str, str]:
        """Return the note in a language where translated, else the original: (text, its language)."""
        return in_language(self.translations, "note", lang, self.note)

    @property
    def via(self) -> str | None:
        """The echo the figure is known through, when its origin's own report is not in the data."""
        return self.source_id if self.credited_to != self.source_id else None


@dataclass(frozen=True)
class Period:
    """Every report of one period, best first, echoes last."""

    origin: str
    destination: str
    year: int
    months: int
    reports: tuple[Reported, ...]
    basis: str = ""  # why the chosen report was chosen (a criterion of `analysis._metrics.CRITERIA`, "only report",
    # "all reports agree" or "first in file")

    @property
    def independent(self) -> tuple[Reported, ...]:
        """The reports left once echoes are folded into what they repeat."""
        return tuple(r for r in self.reports if r.independent)

    @property
    def chosen(self) -> Reported | None:
        """The report the figure is taken from, if any."""
        return next((r for r in self.reports if r.used), None)

    @property
    def values(self) -> tuple[float, ...]:
        """The distinct values of the independent reports, largest first."""
        return tuple(sorted({r.value for r in self.independent}, reverse=True))

    def reporting(self, value: float) -> tuple[Reported, ...]:
        """Return the independent reports giving one value."""
        return tuple(r for r in self.independent if r.value == value)

    def echoes_of(self, report: Reported) -> tuple[Reported, ...]:
        """Return the echoes folded into a report (reports credited to its source that are not it)."""
        return tuple(r for r in self.reports if not r.independent and r.credited_to == report.credited_to)


@dataclass(frozen=True)
class Facts:
    """Everything one run of the report computes, language-free.

    Build it with `Facts.compute`. DataFrames inside are not to be modified.
    """

    parameters: Mapping[str, Any]
    data: Dataset
    ranking: pd.DataFrame  # every report in rank order (`analysis._metrics.rank`)
    selected: pd.DataFrame
    reports: pd.DataFrame
    conflicts: pd.DataFrame
    growth: metrics.Growth
    provenance: Mapping[str, Any]

    @classmethod
    def compute(cls, parameters: Mapping[str, Any], data: Dataset, provenance: Mapping[str, Any]) -> Facts:
        """Choose the figures and compute the metrics for a run.

        Parameters
        ----------
        parameters : mapping
            The effective parameters (the notebook's).
        data : analysis._load.Dataset
            The validated data.
        provenance : mapping
            The run record (`analysis._provenance.collect`).

        Returns
        -------
        Facts

        Raises
        ------
        ParameterError
            When the ``claim`` parameter names no claim of claims.csv that makes the comparison
            (``analysis build`` refuses it before any kernel starts; a notebook run in Lab does
            here).
        """
        from analysis._params import claim_problems

        problems = claim_problems(parameters, data)
        if problems:
            raise ParameterError(problems)
        fdi, sources, preferred = data.fdi, data.sources, list(parameters["prefer_sources"])
        ranking = metrics.rank(fdi, sources, preferred)
        selected = metrics.select_figures(fdi, sources, preferred, ranking=ranking)
        reports = metrics.all_reports(ranking)
        growth = metrics.growth(
            selected,
            parameters["origin"],
            parameters["destination"],
            parameters["base_year"],
            parameters["target_year"],
            parameters["months"],
            reports=reports,
        )
        conflicts = metrics.disagreements(fdi, sources, preferred, ranking=ranking)
        return cls(dict(parameters), data, ranking, selected, reports, conflicts, growth, dict(provenance))

    # The parameters -----------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """The investing country (ISO alpha-3)."""
        return self.parameters["origin"]

    @property
    def destination(self) -> str:
        """The receiving country (ISO alpha-3)."""
        return self.parameters["destination"]

    @property
    def months(self) -> int:
        """Months covered from January in both periods."""
        return self.parameters["months"]

    @property
    def base_year(self) -> int:
        """The earlier year compared."""
        return self.parameters["base_year"]

    @property
    def target_year(self) -> int:
        """The later year compared."""
        return self.parameters["target_year"]

    # Sources and reports ------------------------------------------------------------------

    @functools.cached_property
    def sources(self) -> dict[str, Source]:
        """Every source by its id."""
        frame = self.data.sources
        translated = [c for c in frame.columns if c.startswith(("note_", "figures_by_", "publisher_"))]
        return {
            row["source_id"]: Source(
                source_id=row["source_id"],
                publisher=row["publisher"],
                title=row["title"],
                url=row["url"],
                published=row["published"],
                accessed=row["accessed"],
                trust=row["trust"],
                note=row["note"],
                cites=row.get("cites", "") or "",
                figures_by=row.get("figures_by", "") or "",
                language=row.get("language", "") or "",
                translations={c: row[c] or "" for c in translated},
            )
            for row in frame.to_dict("records")
        }

    def period(self, origin: str, year: int, months: int | None = None) -> Period:
        """Return every report of one of the destination's periods.

        Parameters
        ----------
        origin : str
            ISO alpha-3, or ``WLD`` for the total.
        year : int
            The year.
        months : int, optional
            Months from January; the report's own by default.

        Returns
        -------
        Period
            With no reports when the data have none.
        """
        months = self.months if months is None else months
        rows = self._periods.get((origin, year, months), [])
        chosen = metrics.in_period(self.selected, origin, self.destination, year, months)
        basis = str(chosen["basis"].iloc[0]) if len(chosen) else ""
        return Period(origin, self.destination, year, months, tuple(rows), basis)

    @functools.cached_property
    def _periods(self) -> dict[tuple[str, int, int], list[Reported]]:
        found: dict[tuple[str, int, int], list[Reported]] = {}
        frame = self.reports[self.reports["destination"] == self.destination]
        fdi = self.data.fdi.set_index("line")
        translated = [c for c in fdi.columns if c.startswith("note_")]
        for row in frame.itertuples(index=False):
            notes = {c: fdi.at[row.line, c] for c in translated if fdi.at[row.line, c]}
            found.setdefault((row.origin, int(row.year), int(row.months)), []).append(
                Reported(
                    value=float(row.usd_millions),
                    decimals=int(row.decimals),
                    source_id=row.source_id,
                    credited_to=row.credited_to,
                    published=str(row.published),
                    trust=row.trust,
                    independent=bool(row.independent),
                    used=bool(row.used),
                    note=row.note,
                    translations=notes,
                )
            )
        return found

    @property
    def base(self) -> Period:
        """Every report of the origin's base period."""
        return self.period(self.origin, self.base_year)

    @property
    def target(self) -> Period:
        """Every report of the origin's target period."""
        return self.period(self.origin, self.target_year)

    def chosen(self, origin: str, year: int, months: int | None = None) -> Reported | None:
        """Return the figure used for a period, if any."""
        return self.period(origin, year, months).chosen

    def series(self, origin: str) -> pd.DataFrame:
        """Return the chosen figures of one origin into the destination, every period length.

        Parameters
        ----------
        origin : str
            ISO alpha-3, or ``WLD``.

        Returns
        -------
        pandas.DataFrame
            ``year``, ``months``, ``usd_millions``, ``decimals``, ``source_id``,
            ``credited_to``, sorted by year then months.
        """
        s = self.selected
        rows = s[(s["origin"] == origin) & (s["destination"] == self.destination)]
        columns = ["year", "months", "usd_millions", "decimals", "source_id", "credited_to"]
        return rows[columns].sort_values(["year", "months"]).reset_index(drop=True)

    # Claims ----------------------------------------------------------------------------------

    @functools.cached_property
    def claims(self) -> tuple[verdict.Verdict, ...]:
        """The claims of claims.csv that make the report's comparison, each judged, in file order.

        A claim makes it when its origin, destination, base and target years and months are the
        report's. See `analysis._verdict` for the rule.
        """
        found = verdict.matching(
            verdict.claims_from(self.data.claims),
            self.origin,
            self.destination,
            self.base_year,
            self.target_year,
            self.months,
        )
        periods = self.period
        return tuple(
            verdict.judge(
                claim,
                periods(claim.origin, claim.base_year, claim.months),
                periods(claim.origin, claim.target_year, claim.months),
                self._chain_trust,
            )
            for claim in found
        )

    @property
    def lead_claim(self) -> verdict.Verdict | None:
        """The claim the report leads with: the one the ``claim`` parameter names, else the first; None if none."""
        named = self.parameters.get("claim", "")
        return next((v for v in self.claims if not named or v.claim.claim_id == named), None)

    @functools.cached_property
    def _chain_trust(self) -> dict[str, str]:
        """Each source's rating as its figures carry it: the lowest along its chain of citations."""
        _, worst = metrics.fold_citations(self.data.sources)
        return {s: TRUST_LEVELS[w] for s, w in zip(self.data.sources["source_id"], worst, strict=True)}

    @property
    def vintage(self) -> str | None:
        """Return the latest publication date among the sources of the figures (fdi.csv).

        The sources of dated events are left out: a wiki page's "date" is when it was read.
        Dates compare by their first day; where that ties (``2024`` and ``2024-01-01``), the
        coarser date is the vintage: it claims no day it does not know.
        """
        used = set(self.data.fdi["source_id"])
        dates = {self.sources[s].published for s in used if s in self.sources}
        # the tie is broken on the text, not left to the order of a set (which changes by run)
        return max(dates, key=lambda date: (first_day(date), -len(date)), default=None)

    def events(
        self, *, category: str | None = None, mentioning: str | Sequence[str] = (), any_of: Sequence[str] = ()
    ) -> pd.DataFrame:
        """Return timeline events, in date order, optionally of one category or mentioning words.

        Parameters
        ----------
        category : str, optional
            One of the contract's categories.
        mentioning : str or sequence of str, optional
            Words the event's (English) text contains, every one, case-insensitively.
        any_of : sequence of str, optional
            Words of which the event's (English) text contains at least one.

        Returns
        -------
        pandas.DataFrame
        """
        events = self.data.timeline
        if category is not None:
            events = events[events["category"] == category]
        for word in [mentioning] if isinstance(mentioning, str) else mentioning:
            events = events[events["event"].str.contains(word, case=False, regex=False)]
        if any_of:
            events = events[events["event"].str.contains("|".join(map(re.escape, any_of)), case=False)]
        return events
