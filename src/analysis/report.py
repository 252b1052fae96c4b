"""What the report notebook calls: one `Report` per run, one method per section.

The notebook holds the narrative that never changes and calls these methods for everything that
depends on the data: every number in the prose is written here, from the run's own figures, so a
rerun with other figures changes every sentence with them.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import charts, config, metrics, provenance
from analysis import formatting as fmt
from analysis.config import METRICS_MIME
from analysis.contract import ALL_ORIGINS, FDI_KEY
from analysis.load import Dataset, load_dataset
from analysis.present import (
    Column,
    FigureOutput,
    Html,
    Numbering,
    esc,
    paragraphs,
    table,
)


@dataclass
class Report:
    """The data, the chosen figures and the metrics of one run, and the report's sections.

    Build it with `Report.build`; every other method returns something the notebook displays.
    """

    parameters: dict[str, Any]
    data: Dataset
    previous: dict[str, Any] | None = None
    previous_problem: str | None = None
    numbering: Numbering = field(default_factory=Numbering)

    def __post_init__(self) -> None:
        p = self.parameters
        self.origin, self.destination = p["origin"], p["destination"]
        self.months = p["months"]
        fdi, sources, preferred = self.data.fdi, self.data.sources, p["prefer_sources"]
        ranking = metrics.rank(fdi, sources, preferred)
        self.selected = metrics.select_figures(fdi, sources, preferred, ranking=ranking)
        self.growth = metrics.growth(
            self.selected, self.origin, self.destination, p["base_year"], p["target_year"], self.months
        )
        self.conflicts = metrics.disagreements(fdi, sources, preferred, ranking=ranking)
        self.provenance = provenance.collect()
        self._sources = self.data.sources.set_index("source_id")

    @classmethod
    def build(
        cls,
        data_dir: str = "data",
        origin: str = "RUS",
        destination: str = "MEX",
        base_year: int = 2022,
        target_year: int = 2024,
        months: int = 12,
        prefer_sources: Sequence[str] = (),
        title: str = "",
        compare_with: str = "",
        **extra: Any,
    ) -> Report:
        """Load and validate the data and compute everything the report shows.

        Parameters
        ----------
        data_dir, origin, destination, base_year, target_year, months, prefer_sources, title, compare_with
            The notebook's parameters (see its parameters cell).
        **extra
            Further parameters, recorded in the run record as they are.

        Returns
        -------
        Report
        """
        parameters = {
            "data_dir": data_dir,
            "origin": origin,
            "destination": destination,
            "base_year": base_year,
            "target_year": target_year,
            "months": months,
            "prefer_sources": list(prefer_sources),
            "title": title,
            "compare_with": compare_with,
            **extra,
        }
        previous, problem = _read_previous(compare_with)
        return cls(parameters, load_dataset(data_dir), previous, problem)

    # Names --------------------------------------------------------------------------------

    @property
    def origin_name(self) -> str:
        """The investing country's name."""
        return fmt.country(self.origin)

    @property
    def destination_name(self) -> str:
        """The receiving country's name."""
        return fmt.country(self.destination)

    def period(self, year: int) -> str:
        """Name the report's period in a year (``"2024"``, ``"January–September 2024"``)."""
        return fmt.period(year, self.months)

    def _publisher(self, source_id: str) -> str:
        return str(self._sources.loc[source_id, "publisher"])

    def _trust(self, source_id: str) -> str:
        return str(self._sources.loc[source_id, "trust"])

    def _reports(self, origin: str, year: int) -> pd.DataFrame:
        fdi = self.data.fdi
        mask = (
            (fdi["origin"] == origin)
            & (fdi["destination"] == self.destination)
            & (fdi["year"] == year)
            & (fdi["months"] == self.months)
        )
        return fdi[mask]

    def _source_line(self, source_ids: Sequence[str]) -> str:
        publishers = list(dict.fromkeys(self._publisher(s) for s in source_ids))
        if not publishers:
            return "no figures"
        listed = publishers[0] if len(publishers) == 1 else ", ".join(publishers[:-1]) + " and " + publishers[-1]
        return f"{listed}; see the table of sources"

    # Sections -----------------------------------------------------------------------------

    def headline(self) -> Html:
        """Write the headline paragraph: the change, the multiple with its bounds, the shares."""
        g = self.growth
        o, d = esc(self.origin_name), esc(self.destination_name)
        p0, p1 = esc(self.period(g.base_year)), esc(self.period(g.target_year))
        if g.base is None or g.target is None:
            missing = g.reasons.get("base_value") or g.reasons.get("target_value")
            return paragraphs(
                f"The comparison cannot be made: there is {esc(missing)}.",
                css="lead",
            )
        b, t = g.base, g.target
        first = (
            f"Foreign direct investment (FDI) from {o} into {d} went from "
            f"<strong>{esc(fmt.usd_millions(b.value, b.decimals))}</strong> in {p0} to "
            f"<strong>{esc(fmt.usd_millions(t.value, t.decimals))}</strong> in {p1}"
        )
        change = g.abs_change
        direction = "an increase" if change > 0 else ("a fall" if change < 0 else "no change")
        amount = "" if change == 0 else f" of {esc(fmt.usd_millions(abs(change), max(b.decimals, t.decimals)))}"
        if g.multiple is not None and g.multiple >= 0:
            first += (
                f": <strong>{esc(fmt.times(g.multiple))} times</strong> as much, {direction}{amount} "
                f"({esc(fmt.percent(g.pct_change, signed=True))})"
            )
            if g.cagr_pct is not None:
                years = g.target_year - g.base_year
                first += f", or {esc(fmt.percent(g.cagr_pct))} a year compounded over {esc(_count(years, 'year'))}"
            first += "."
            if g.multiple_low is not None and g.multiple_low >= 0:
                low, high = fmt.times_range(g.multiple_low, g.multiple_high)
                first += (
                    " Because the published figures are rounded, the true multiple lies between about "
                    f"{esc(low)} and {esc(high)}."
                )
        elif g.multiple is not None:  # a positive base turned into a net outflow
            first += (
                f", {direction}{amount} ({esc(fmt.percent(g.pct_change, signed=True))}): the flow turned into a net "
                f"outflow, so no multiple or growth rate describes it."
            )
        else:
            first += f", {direction}{amount}. {esc(self._undefined_sentence())}"
        second = self._share_sentence()
        third = self._trust_sentence()
        return paragraphs(first, second, third, css="lead")

    def _undefined_sentence(self) -> str:
        g = self.growth
        reason = g.reasons.get("multiple") or g.reasons.get("cagr_pct")
        base = fmt.usd_millions(g.base.value, g.base.decimals)
        undefined = ["multiple", "pct_change", "cagr_pct"]
        names = {
            "multiple": "the multiple",
            "pct_change": "the percentage change",
            "cagr_pct": "the compound growth rate",
        }
        gone = [names[k] for k in undefined if g.values.get(k) is None]
        listed = ", ".join(gone[:-1]) + (" and " if len(gone) > 1 else "") + gone[-1]
        return f"{listed.capitalize()} {'is' if len(gone) == 1 else 'are'} not defined because the {reason} ({base})."

    def _share_sentence(self) -> str:
        g = self.growth
        o, d = esc(self.origin_name), esc(self.destination_name)
        p0, p1 = esc(self.period(g.base_year)), esc(self.period(g.target_year))
        t_share, b_share = g.target_share_of_total_pct, g.base_share_of_total_pct
        if t_share is None and b_share is None:
            return f"Its share of all FDI into {d} cannot be computed: {esc(g.reasons['target_share_of_total_pct'])}."
        if t_share is None:
            return f"{o} accounted for {esc(fmt.percent(b_share))} of all FDI into {d} in {p0}; for {p1} there is {esc(g.reasons['target_share_of_total_pct'])}."
        lead = "Even so, " if (g.multiple or 0) > 1 else ""
        sentence = f"{lead}{o} accounted for {esc(fmt.percent(t_share))} of all FDI into {d} in {p1}"
        if b_share is not None:
            sentence += f" ({esc(fmt.percent(b_share))} in {p0})"
        return sentence + "."

    def _trust_sentence(self) -> str:
        parts = []
        for year, figure in ((self.growth.base_year, self.growth.base), (self.growth.target_year, self.growth.target)):
            reports = self._reports(self.origin, year)
            publishers = list(dict.fromkeys(self._publisher(s) for s in reports["source_id"]))
            values = reports["usd_millions"].nunique()
            described = f"the {esc(self.period(year))} figure comes from {esc(_count(len(reports), 'source'))}"
            described += f" ({esc(', '.join(publishers))})" if len(publishers) <= 3 else ""
            described += f", rated {esc(self._trust(figure.source_id))}" if len(reports) == 1 else ""
            if values > 1:
                described += f", which report {esc(_count(values, 'different value'))}"
            parts.append(described)
        sentence = "On sourcing: " + "; ".join(parts) + "."
        if self.conflicts.empty:
            return sentence
        return sentence + ' Where reports differ, the section "Where sources disagree" shows every figure.'

    def growth_table(self) -> Html:
        """Tabulate the growth metrics, each with how it is computed."""
        g = self.growth
        p0, p1 = self.period(g.base_year), self.period(g.target_year)
        d = self.destination_name
        years = g.target_year - g.base_year

        def value(name: str, text) -> str:
            number = g.values.get(name)
            return text(number) if number is not None else f"not defined: {g.reasons.get(name, '')}"

        decimals = max(g.base.decimals if g.base else 1, g.target.decimals if g.target else 1)
        rows = [
            {
                "measure": f"FDI, {p0} (base)",
                "value": value("base_value", lambda v: fmt.usd_millions(v, g.base.decimals)),
                "how": _source_phrase(g.base, self),
            },
            {
                "measure": f"FDI, {p1} (target)",
                "value": value("target_value", lambda v: fmt.usd_millions(v, g.target.decimals)),
                "how": _source_phrase(g.target, self),
            },
            {
                "measure": "Absolute change",
                "value": value("abs_change", lambda v: ("+" if v > 0 else "") + fmt.usd_millions(v, decimals)),
                "how": "target − base",
            },
            {"measure": "Multiple", "value": value("multiple", lambda v: f"{fmt.times(v)}×"), "how": "target ÷ base"},
            {
                "measure": "Multiple allowing for rounding",
                "value": value("multiple_low", lambda v: "{}× to {}×".format(*fmt.times_range(v, g.multiple_high))),
                "how": "smallest and largest target ÷ base within half a unit of each figure's last digit",
            },
            {
                "measure": "Percentage change",
                "value": value("pct_change", lambda v: fmt.percent(v, signed=True)),
                "how": "(target ÷ base − 1) × 100",
            },
            {
                "measure": "Compound annual growth rate",
                "value": value("cagr_pct", lambda v: fmt.percent(v)),
                "how": f"((target ÷ base)^(1/{years}) − 1) × 100, over {_count(years, 'year')}",
            },
            {
                "measure": f"Share of all FDI into {d}, {p0}",
                "value": value("base_share_of_total_pct", fmt.percent),
                "how": f"base ÷ FDI from all origins in {p0}",
            },
            {
                "measure": f"Share of all FDI into {d}, {p1}",
                "value": value("target_share_of_total_pct", fmt.percent),
                "how": f"target ÷ FDI from all origins in {p1}",
            },
        ]
        columns = [
            Column("measure", "Measure", width="34%"),
            Column("value", "Value", numeric=True, width="22%"),
            Column("how", "How it is computed", width="44%"),
        ]
        caption = f"Growth of FDI from {self.origin_name} into {d}, {p0} to {p1} (US$, current prices)"
        return table(self.numbering.next_table(), caption, columns, rows, css="metrics grid")

    def fdi_figure(self) -> FigureOutput:
        """Chart: the origin's FDI by year, the headline multiple annotated."""
        series = metrics.origin_series(self.selected, self.origin, self.destination, self.months)
        figure = charts.fdi_chart(series, self.growth, source=self._source_line(series["source_id"]))
        caption = f"FDI from {self.origin_name} into {self.destination_name} by year ({fmt.period_length(self.months)}), US$ millions"
        return FigureOutput(figure, self.numbering.next_figure(), "fdi", caption)

    def context(self) -> Html:
        """Prose: the destination's total FDI and the largest origins."""
        g = self.growth
        d = esc(self.destination_name)
        sentences = []
        totals = [(y, f) for y, f in ((g.base_year, g.base_total), (g.target_year, g.target_total)) if f]
        if len(totals) == 2:
            (y0, f0), (y1, f1) = totals
            reason = metrics.undefined_reason("pct_change", f0.value, f1.value)
            change = (
                f"{reason}: no percentage change"
                if reason
                else fmt.percent(metrics.pct_change(f0.value, f1.value), signed=True)
            )
            sentences.append(
                f"FDI into {d} from all origins was {esc(fmt.usd_millions(f0.value, f0.decimals))} in {esc(self.period(y0))} "
                f"and {esc(fmt.usd_millions(f1.value, f1.decimals))} in {esc(self.period(y1))} ({esc(change)})."
            )
        elif totals:
            ((y, f),) = totals
            sentences.append(
                f"FDI into {d} from all origins was {esc(fmt.usd_millions(f.value, f.decimals))} in {esc(self.period(y))}; the other year has no total."
            )
        else:
            sentences.append(f"The data hold no total of FDI into {d} for either year, so no share can be computed.")
        for year in (g.target_year,):
            others = metrics.origins_in(self.selected, self.destination, year, self.months)
            others = others[others["origin"] != self.origin]
            if others.empty:
                continue
            top = others.iloc[0]
            share = "" if pd.isna(top["share_pct"]) else f" ({esc(fmt.percent(top['share_pct']))} of the total)"
            sentences.append(
                f"Of the other origins with a figure for {esc(self.period(year))}, the largest is {esc(fmt.country(top['origin'], article=True))}, "
                f"with {esc(fmt.usd_millions(top['usd_millions'], int(top['decimals'])))}{share}."
            )
        return paragraphs(" ".join(sentences))

    def share_figure(self) -> FigureOutput:
        """Chart: the origin's share of the total by year, and beside other origins."""
        series = metrics.origin_series(self.selected, self.origin, self.destination, self.months)
        year = self.growth.target_year
        comparison = metrics.origins_in(self.selected, self.destination, year, self.months)
        # The sources of what the chart draws: shares need both the origin's figure and the total.
        drawn = series.dropna(subset=["share_pct"])
        totals = self._totals()
        years = {*drawn["year"], *([year] if comparison["share_pct"].notna().any() else [])}
        used = [
            *drawn["source_id"],
            *comparison.dropna(subset=["share_pct"])["source_id"],
            *totals.loc[totals["year"].isin(years), "source_id"],
        ]
        figure = charts.share_chart(
            series,
            comparison,
            origin=self.origin,
            destination=self.destination,
            year=year,
            months=self.months,
            source=self._source_line(used),
        )
        caption = f"{self.origin_name}'s share of all FDI into {self.destination_name}, by year and beside other origins in {self.period(year)}"
        return FigureOutput(figure, self.numbering.next_figure(), "share", caption)

    def _totals(self) -> pd.DataFrame:
        s = self.selected
        return s[(s["origin"] == ALL_ORIGINS) & (s["destination"] == self.destination) & (s["months"] == self.months)]

    def origins_table(self) -> Html:
        """Table: every origin's FDI in the base and target periods, with shares of the total."""
        g = self.growth
        frames = {}
        for end, year in (("base", g.base_year), ("target", g.target_year)):
            frames[end] = metrics.origins_in(self.selected, self.destination, year, self.months).set_index("origin")
        origins = list(dict.fromkeys([*frames["target"].index, *frames["base"].index]))
        rows = []
        for origin in origins:
            row = {"origin": fmt.country(origin), "code": origin}
            for end in ("base", "target"):
                frame = frames[end]
                if origin in frame.index:
                    row[f"{end}_value"] = fmt.number(
                        frame.loc[origin, "usd_millions"], int(frame.loc[origin, "decimals"])
                    )
                    share = frame.loc[origin, "share_pct"]
                    row[f"{end}_share"] = "" if pd.isna(share) else fmt.percent(share)
                else:
                    row[f"{end}_value"] = row[f"{end}_share"] = "–"
            rows.append(row)
        total_row = {"origin": "All origins (total)", "code": ALL_ORIGINS}
        for end, figure in (("base", g.base_total), ("target", g.target_total)):
            total_row[f"{end}_value"] = fmt.number(figure.value, figure.decimals) if figure else "–"
            total_row[f"{end}_share"] = "100%" if figure else "–"
        rows.append(total_row)
        p0, p1 = self.period(g.base_year), self.period(g.target_year)
        columns = [
            Column("origin", "Origin", width="28%"),
            Column("base_value", f"{p0} (US$ millions)", numeric=True, width="18%"),
            Column("base_share", f"{p0} (% of total)", numeric=True, width="18%"),
            Column("target_value", f"{p1} (US$ millions)", numeric=True, width="18%"),
            Column("target_share", f"{p1} (% of total)", numeric=True, width="18%"),
        ]
        caption = f"FDI into {self.destination_name} by origin, {p0} and {p1}"
        note = "– : no figure reported for that period. Shares are of FDI from all origins in the same period."
        return table(
            self.numbering.next_table(),
            caption,
            columns,
            rows,
            note=esc(note),
            css="grid",
            row_css=lambda r: (
                "highlight" if r["code"] == self.origin else ("total" if r["code"] == ALL_ORIGINS else "")
            ),
        )

    def disagreements(self) -> Html:
        """Prose and table: every period reported with more than one figure, and the choice made."""
        conflicts = self.conflicts
        preferred = self.parameters["prefer_sources"]
        rule = (
            "the figure from the most recently published source is used; on equal dates, the more trusted source's"
            if not preferred
            else f"a figure from the preferred sources ({', '.join(preferred)}) is used first, then the most recently published"
        )
        if conflicts.empty:
            return paragraphs(
                f"No period in the data is reported with more than one figure. Had one been, {esc(rule)}."
            )
        periods = conflicts.groupby(FDI_KEY, sort=False)
        intro = (
            f"{esc(_count(periods.ngroups, 'period').capitalize())} {'is' if periods.ngroups == 1 else 'are'} reported with more than one figure. "
            f"For each, {esc(rule)}."
        )
        rows = []
        for key, group in periods:
            origin, _, year, months = key
            for i, row in enumerate(group.itertuples(index=False)):
                rows.append(
                    {
                        "period": f"{_capital(fmt.country(origin))}, {fmt.period(year, months)}" if i == 0 else "",
                        "value": fmt.number(row.usd_millions, _decimals(row.usd_millions)),
                        "source": f"{self._publisher(row.source_id)}, {row.published}",
                        "trust": row.trust,
                        "used": f"✓ {row.basis}" if row.used else "",
                        "spread": fmt.number(row.spread, _decimals(row.spread)) if i == 0 else "",
                        "first": i == 0,
                    }
                )
        columns = [
            Column("period", "Origin, period", width="18%"),
            Column("value", "Figure (US$ millions)", numeric=True, width="13%"),
            Column("spread", "Spread (US$ millions)", numeric=True, width="13%"),
            Column("source", "Reported by, published", width="30%"),
            Column("trust", "Trust", width="11%"),
            Column("used", "Used", width="15%"),
        ]
        caption = "Periods reported with more than one figure, every report listed"
        note = "Spread: the largest figure minus the smallest for the period."
        return paragraphs(intro) + table(
            self.numbering.next_table(),
            caption,
            columns,
            rows,
            note=esc(note),
            row_css=lambda r: "group-start" if r["first"] else "",
        )

    def timeline_figure(self, start: int | None = None, end: int | None = None) -> FigureOutput:
        """Chart: the dated events, one row each, coloured by category.

        Parameters
        ----------
        start, end : int, optional
            First and last year shown; by default those of the earliest and latest events, so no
            event in the data is left off.

        Returns
        -------
        FigureOutput
        """
        events = self.data.timeline
        start = int(events["year"].min()) if start is None else start
        end = int(events["year"].max()) if end is None else end
        shown = events[(events["year"] >= start) & (events["year"] <= end)]
        figure = charts.timeline_chart(events, start=start, end=end, source=self._source_line(shown["source_id"]))
        caption = f"Dated events, {start}–{end}, by category"
        return FigureOutput(figure, self.numbering.next_figure(), "timeline", caption)

    def timeline_table(self) -> Html:
        """Table: every dated event with its source and notes (conflicting dates flagged)."""
        rows = [
            {
                "date": fmt.date_text(r.date),
                "event": r.event,
                "category": r.category,
                "source": self._publisher(r.source_id),
                "note": r.note,
            }
            for r in self.data.timeline.itertuples(index=False)
        ]
        columns = [
            Column("date", "Date", width="13%"),
            Column("event", "Event", width="29%"),
            Column("category", "Category", width="14%"),
            Column("source", "Reported by", width="17%"),
            Column("note", "Note", width="27%"),
        ]
        caption = "Dated events, as precise as their sources (a year, a month or a day)"
        return table(self.numbering.next_table(), caption, columns, rows, css="timeline long")

    def verification_table(self) -> Html:
        """Table: each figure the report's prose relies on, with its sources and status."""
        g = self.growth
        claims = []
        for label, origin, year in (
            (f"FDI from {self.origin_name}, {self.period(g.base_year)}", self.origin, g.base_year),
            (f"FDI from {self.origin_name}, {self.period(g.target_year)}", self.origin, g.target_year),
            (f"FDI from all origins, {self.period(g.base_year)}", ALL_ORIGINS, g.base_year),
            (f"FDI from all origins, {self.period(g.target_year)}", ALL_ORIGINS, g.target_year),
        ):
            reports = self._reports(origin, year)
            if reports.empty:
                claims.append({"claim": label, "figure": "no figure", "sources": "", "trust": "", "status": "missing"})
                continue
            chosen = self.selected.set_index(FDI_KEY).loc[(origin, self.destination, year, self.months)]
            values = reports["usd_millions"].nunique()
            if len(reports) == 1:
                status = "single source"
            elif values == 1:
                status = f"corroborated by {len(reports)} sources"
            else:
                status = f"disputed: {values} figures from {len(reports)} sources"
            claims.append(
                {
                    "claim": label,
                    "figure": fmt.number(chosen["usd_millions"], int(chosen["decimals"])),
                    "sources": "; ".join(dict.fromkeys(self._publisher(s) for s in reports["source_id"])),
                    "trust": ", ".join(dict.fromkeys(self._trust(s) for s in reports["source_id"])),
                    "status": status,
                }
            )
        columns = [
            Column("claim", "Figure", width="22%"),
            Column("figure", "Value used (US$ millions)", numeric=True, width="14%"),
            Column("sources", "Reported by", width="32%"),
            Column("trust", "Trust", width="13%"),
            Column("status", "Status", width="19%"),
        ]
        return table(
            self.numbering.next_table(),
            "The figures behind the headline, and how far each is verified",
            columns,
            claims,
        )

    def methods(self) -> Html:
        """Prose: what the data hold and how figures are chosen and compared."""
        data = self.data
        g = self.growth
        files = ", ".join(Path(p).name for p in data.checksums)
        first = (
            f"The report reads {esc(files)} from <code>{esc(config.display_path(data.data_dir))}</code>: "
            f"{esc(_count(len(data.fdi), 'reported figure'))} from {esc(_count(data.fdi['source_id'].nunique(), 'source'))}, "
            f"and {esc(_count(len(data.timeline), 'dated event'))}; {esc(_count(len(data.sources), 'source'))} in all. "
            "Every row names its source, and every source its publisher, address, dates and a trust level "
            "(high, medium, low or unverified)."
        )
        second = (
            "Figures are US$ millions at current prices: flows into the destination as its official statistics "
            "publish them (for Mexico, the Secretaría de Economía, which revises them every quarter), so one period "
            "can carry several values. All are kept, and the choice among them follows the rule stated under "
            "“Where sources disagree”."
        )
        third = ""
        if g.base is not None and g.target is not None:
            (b_low, b_high), (t_low, t_high) = (
                metrics.rounding_interval(f.value, f.decimals) for f in (g.base, g.target)
            )
            third = (
                f"A published figure stands for any value that rounds to it: {esc(fmt.number(g.base.value, g.base.decimals))} "
                f"for anything from {esc(fmt.number(b_low, g.base.decimals + 2))} up to {esc(fmt.number(b_high, g.base.decimals + 2))}, "
                f"{esc(fmt.number(g.target.value, g.target.decimals))} from {esc(fmt.number(t_low, g.target.decimals + 2))} "
                f"up to {esc(fmt.number(t_high, g.target.decimals + 2))}. The range of the multiple is the smallest and largest "
                "ratio over those intervals. A multiple, a percentage change or a growth rate is not defined from a base of zero "
                "or below, since FDI flows can be negative; the report then says so instead of printing a number."
            )
        return paragraphs(first, second, third)

    def sources_table(self) -> Html:
        """Table: every source with publisher, title (linked), dates and trust."""
        rows = [r._asdict() for r in self.data.sources.itertuples(index=False)]

        def described(row: dict) -> str:
            title = esc(row["title"])
            title = f'<a href="{esc(row["url"])}">{title}</a>' if row["url"] else f"{title} <em>(no address)</em>"
            dates = f"Published {esc(row['published'])}, accessed {esc(row['accessed'])}"
            return (
                f'<span class="publisher">{esc(row["publisher"])}</span>: {title}. '
                f'<span class="dates">{dates}</span> <code class="id">{esc(row["source_id"])}</code>'
            )

        columns = [
            Column("source", "Source", html=described, width="56%"),
            Column("trust", "Trust", width="12%"),
            Column("note", "Note", width="32%"),
        ]
        note = esc("A title in [brackets] was not seen on the page: it is supplied from the page's address or content.")
        return table(self.numbering.next_table(), "Sources", columns, rows, note=note, css="sources long")

    def changes(self) -> Html:
        """Prose and table: what changed since the build whose metrics file was given."""
        if self.previous_problem:
            return paragraphs(esc(self.previous_problem))
        if self.previous is None:
            return paragraphs(
                "This is the first build of this report into its output folder: there is nothing to compare with yet."
            )
        current = self.metrics()
        before_inputs = self.previous.get("inputs", {})
        after_inputs = current["inputs"]
        changed = [p for p in after_inputs if p in before_inputs and before_inputs[p] != after_inputs[p]]
        added = [p for p in after_inputs if p not in before_inputs]
        removed = [p for p in before_inputs if p not in after_inputs]
        when = self.previous.get("provenance", {}).get("built_at", "an unknown time")
        parts = [f"Compared with the build of {esc(when)}:"]
        if not (changed or added or removed):
            parts.append("no input file changed.")
        else:
            listed = (
                [f"{esc(p)} changed" for p in changed]
                + [f"{esc(p)} is new" for p in added]
                + [f"{esc(p)} is gone" for p in removed]
            )
            parts.append("; ".join(listed) + ".")
        before_params = self.previous.get("parameters", {})
        moved_params = [
            k for k, v in current["parameters"].items() if k != "compare_with" and before_params.get(k) != v
        ]
        if moved_params:
            parts.append(
                "Parameters changed: "
                + ", ".join(
                    f"{esc(k)} ({esc(json.dumps(before_params.get(k)))} → {esc(json.dumps(current['parameters'][k]))})"
                    for k in moved_params
                )
                + "."
            )
        before, after = self.previous.get("growth", {}), current["growth"]
        rows = []
        for key, (label, kind) in HEADLINE.items():
            old, new = before.get(key), after.get(key)
            if old == new or (old is not None and new is not None and math.isclose(old, new, rel_tol=1e-12)):
                continue
            difference = "" if old is None or new is None else _difference(new - old, kind)
            rows.append(
                {"figure": label, "before": _shown(old, kind), "after": _shown(new, kind), "difference": difference}
            )
        if not rows:
            parts.append("No headline figure moved.")
            return paragraphs(" ".join(parts))
        columns = [
            Column("figure", "Headline figure", width="40%"),
            Column("before", "Before", numeric=True, width="20%"),
            Column("after", "Now", numeric=True, width="20%"),
            Column("difference", "Difference", numeric=True, width="20%"),
        ]
        return paragraphs(" ".join(parts)) + table(
            self.numbering.next_table(), "Headline figures that moved since the last build", columns, rows
        )

    def run_record(self) -> Html:
        """Appendix: parameters, inputs with checksums, code version, packages, build time."""
        record = self.metrics()
        prov = record["provenance"]
        rows = [
            {"item": f"parameter {k}", "value": json.dumps(v, ensure_ascii=False)}
            for k, v in record["parameters"].items()
        ]
        rows += [{"item": path, "value": digest} for path, digest in record["inputs"].items()]
        dirty = {True: " (with uncommitted changes)", False: "", None: ""}[prov["git_dirty"]]
        rows += [
            {"item": "git commit", "value": f"{prov['git_commit'] or 'not a git checkout'}{dirty}"},
            {"item": "built at (UTC)", "value": prov["built_at"]},
            {"item": "Python", "value": f"{prov['python']} on {prov['platform']}"},
        ]
        rows += [
            {"item": f"package {name}", "value": version or "not installed"}
            for name, version in prov["packages"].items()
        ]
        columns = [Column("item", "Item", width="26%"), Column("value", "Value", width="74%")]
        return table(self.numbering.next_table(), "Run record: what made this report", columns, rows, css="record long")

    # The metrics file ---------------------------------------------------------------------

    def metrics(self) -> dict[str, Any]:
        """Return the content of NAME.metrics.json (DESIGN.md's stable keys, and a few more).

        Returns
        -------
        dict
            ``parameters``, ``growth``, ``inputs``, ``provenance``, ``report`` (title block) and
            ``disagreements`` (periods reported with more than one figure). A copy: computed once
            a run, for the changes section, the run record and the build alike.
        """
        return copy.deepcopy(self._metrics)

    @functools.cached_property
    def _metrics(self) -> dict[str, Any]:
        g = self.growth
        used = [f.source_id for f in (g.base, g.target, g.base_total, g.target_total) if f]
        vintage = max((str(self._sources.loc[s, "published"]) for s in used), default=None)
        conflicts = self.conflicts.groupby(FDI_KEY, sort=False).agg(
            values=("usd_millions", list), used=("used", lambda u: u.tolist().index(True))
        )
        return {
            "parameters": dict(self.parameters),
            "growth": g.to_dict(),
            "inputs": dict(self.data.checksums),
            "provenance": self.provenance,
            "report": {
                "title": self.parameters["title"],
                "subtitle": (
                    f"FDI from {self.origin_name} into {self.destination_name}, {self.period(g.base_year)} to "
                    f"{self.period(g.target_year)}, and the events around it"
                ),
                "data_vintage": vintage,
            },
            "disagreements": [
                {
                    "origin": k[0],
                    "destination": k[1],
                    "year": int(k[2]),
                    "months": int(k[3]),
                    "values": r["values"],
                    "used_index": int(r["used"]),
                }
                for k, r in conflicts.iterrows()
            ],
        }

    def emit_metrics(self) -> None:
        """Display the metrics as a machine-readable output the build collects."""
        from IPython.display import display

        display({METRICS_MIME: self.metrics(), "text/plain": "metrics for the build"}, raw=True)


# The headline figures "Changes since the last build" compares: label, and how to write them.
HEADLINE = {
    "base_value": ("Base value (US$ millions)", "money"),
    "target_value": ("Target value (US$ millions)", "money"),
    "abs_change": ("Absolute change (US$ millions)", "money"),
    "multiple": ("Multiple (×)", "times"),
    "multiple_low": ("Multiple, low bound (×)", "times"),
    "multiple_high": ("Multiple, high bound (×)", "times"),
    "pct_change": ("Percentage change", "percent"),
    "cagr_pct": ("Compound annual growth rate", "percent"),
    "base_share_of_total_pct": ("Base share of the total", "percent"),
    "target_share_of_total_pct": ("Target share of the total", "percent"),
}


def _shown(value: float | None, kind: str) -> str:
    if value is None:
        return "not defined"
    return {"money": lambda v: fmt.number(v, 1), "times": fmt.times, "percent": fmt.percent}[kind](value)


def _difference(value: float, kind: str) -> str:
    """Write a change, signed: US$ millions, times, or percentage points."""
    if kind == "percent":
        text = fmt.percent(value, signed=True).removesuffix("%") + " points"
    else:
        text = fmt.number(value, 1)
        text = f"+{text}" if value > 0 else text
    return text


def _read_previous(path: str) -> tuple[dict[str, Any] | None, str | None]:
    if not path:
        return None, None
    file = config.resolve_project_path(path)
    if not file.exists():
        return None, None
    try:
        return json.loads(file.read_text(encoding="utf-8")), None
    except (OSError, ValueError) as error:
        return (
            None,
            f"The previous metrics file {config.display_path(file)} could not be read ({error}), so changes are not shown.",
        )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(n: int, noun: str) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
    return f"{words.get(n, str(n))} {noun}{'' if n == 1 else 's'}"


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _source_phrase(figure: metrics.Figure | None, report: Report) -> str:
    if figure is None:
        return "no figure in the data"
    return f"reported by {report._publisher(figure.source_id)} ({figure.basis})"
