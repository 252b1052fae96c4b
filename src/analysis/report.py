"""What the report notebook calls: one `Report` per run, one method per section.

`Report` is a façade: it holds the run's frozen `analysis._facts.Facts`, the edition
(`analysis._language.Edition`: the language's gettext catalogue, formatter and templates) and the
numbering of tables and figures; each section method is defined in its own module of
`analysis._sections` and attached here. Every number in the prose is written by those sections
from the run's own facts, so a rerun with other figures changes every sentence with them.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.figure import Figure

from analysis import _caveats as caveat_rules
from analysis import _config as config
from analysis import _provenance as provenance
from analysis._config import METRICS_MIME
from analysis._facts import Facts
from analysis._language import Edition, edition, languages
from analysis._load import load_dataset
from analysis._present import FigureOutput, Section
from analysis._sections import (
    appendix,
    by_year,
    changes,
    checked,
    claims,
    differ,
    disagreements,
    evidence,
    growth,
    headline,
    lead,
    record,
    since,
    size,
    sources,
    timeline,
)


class Report:
    """The report of one run: its facts, its edition, and its sections as methods.

    Build it with `Report.build`; every section method returns a `analysis._present.Section`
    that the notebook displays.

    Parameters
    ----------
    facts : Facts
        The run.
    edition : Edition
        The language it is written in.
    previous : dict, optional
        The metrics file of the last build, for "Changes since the last build".
    previous_problem : str, optional
        Why the last build's metrics file could not be read.
    """

    def __init__(
        self,
        facts: Facts,
        edition: Edition,
        previous: dict[str, Any] | None = None,
        previous_problem: str | None = None,
    ):
        self.facts = facts
        self.edition = edition
        self.previous = previous
        self.previous_problem = previous_problem
        self.tables, self.figures = itertools.count(1), itertools.count(1)  # numbered as the notebook shows them

    @classmethod
    def build(
        cls,
        *,
        data_dir: str,
        origin: str,
        destination: str,
        base_year: int,
        target_year: int,
        months: int,
        prefer_sources: Sequence[str],
        claim: str,
        title: str,
        lang: str,
        compare_with: str,
        **extra: Any,
    ) -> Report:
        """Load and validate the data and compute everything the report shows.

        The parameters are the notebook's (its ``parameters`` cell is their one definition,
        defaults included); they are all required here.

        Parameters
        ----------
        data_dir, origin, destination, base_year, target_year, months, prefer_sources, claim, title, lang, compare_with
            The notebook's parameters.
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
            "claim": claim,
            "title": title,
            "lang": lang,
            "compare_with": compare_with,
            **extra,
        }
        previous, problem = _read_previous(compare_with)
        facts = Facts.compute(parameters, load_dataset(data_dir), provenance.collect())
        return cls(facts, edition(lang), previous, problem)

    # The sections, each defined in its own module ------------------------------------------

    lead = lead.lead
    evidence = evidence.evidence
    size = size.size
    differ = differ.differ
    since = since.since
    checked = checked.checked
    appendix = appendix.appendix
    headline = headline.headline
    growth_metrics = growth.growth_metrics
    by_year = by_year.by_year
    disagreements = disagreements.disagreements
    timeline = timeline.timeline
    claims = claims.claims
    sources_and_methods = sources.sources_and_methods
    changes = changes.changes
    run_record = record.run_record

    # Shared by the sections -----------------------------------------------------------------

    @functools.cached_property
    def caveat_list(self) -> tuple[caveat_rules.Caveat, ...]:
        """Every caveat that applies to this run (`analysis._caveats`)."""
        return caveat_rules.caveats(self.facts)

    @property
    def title(self) -> str:
        """The report's title: the ``title`` parameter, else written from origin and destination."""
        given = self.facts.parameters["title"]
        if given:
            return given
        fmt = self.edition.fmt
        judged = self.facts.lead_claim
        if judged is not None and judged.multiple_claimed is not None:  # the question the report answers
            shown = fmt.rounded_multiple(judged.multiple_claimed)
            c = judged.claim
            return self.edition.ngettext(
                "Did FDI from %(origin)s into %(destination)s really grow %(num)s time over between %(base)s and %(target)s?",
                "Did FDI from %(origin)s into %(destination)s really grow %(num)s times over between %(base)s and %(target)s?",
                1 if shown == "1" else 2,
                num=shown,
                origin=fmt.country(c.origin),
                destination=fmt.country(c.destination),
                base=fmt.period(c.base_year, c.months),
                target=fmt.period(c.target_year, c.months),
            )
        return self.edition.gettext(
            "%(origin)s and %(destination)s: foreign direct investment, and the events around it",
            origin=fmt.country(self.facts.origin),
            destination=fmt.country(self.facts.destination),
        )

    def section(self, id: str, title: str, template: str, **context: Any) -> Section:
        """Return a section of one part: its template rendered with its id, title, the run's countries, months and sources, and ``context``."""
        f = self.facts
        shared = {"origin": f.origin, "destination": f.destination, "months": f.months, "sources": f.sources}
        return Section(id, title, [self.edition.render(template, id=id, title=title, **{**shared, **context})])

    def chart(self, key: str, caption: str, draw: Callable[..., Figure], *args: Any, **kwargs: Any) -> FigureOutput:
        """Return the next numbered figure: a chart of `analysis._charts`, drawn when shown, at both widths."""
        words = kwargs["words"]
        chart = functools.partial(draw, *args, **kwargs)
        number = next(self.figures)
        return FigureOutput(chart, number, key, str(caption), words.alt, words.source, self.edition.gettext("Figure"))

    def chart_source(self, source_ids: Sequence[str]) -> str:
        """Return the source line a chart draws under itself: "Sources: …", its publishers named."""
        e = self.edition
        publishers = list(dict.fromkeys(self.facts.sources[s].name(e.lang) for s in source_ids))
        named = (
            e.fmt.join(publishers) + "; " + e.gettext("see the table of sources")
            if publishers
            else e.gettext("no figures")
        )
        return e.gettext("Sources: %(sources)s", sources=named)

    # The metrics file -------------------------------------------------------------------------

    def metrics(self) -> dict[str, Any]:
        """Return the content of NAME.metrics.json (the design's stable keys, and a few more).

        Returns
        -------
        dict
            ``parameters``, ``growth``, ``inputs``, ``provenance``, ``report`` (the page's title
            block and labels, in the edition's language), ``disagreements`` (periods reported
            with more than one figure) and ``claims`` (the claims of claims.csv that make the
            report's comparison, in file order, each ``claim_id``, ``verdict``,
            ``multiple_claimed`` and ``reasons``; see `analysis._verdict`). The numbers are the
            same in every edition. A copy: computed once a run.
        """
        return copy.deepcopy(self._metrics)

    @functools.cached_property
    def _metrics(self) -> dict[str, Any]:
        f = self.facts
        e = self.edition
        fmt = e.fmt
        conflicts = f.conflicts.groupby(["origin", "destination", "year", "months"], sort=False).agg(
            values=("usd_millions", list), used=("used", lambda u: u.tolist().index(True))
        )
        vintage = f.vintage
        return {
            "parameters": dict(f.parameters),
            "growth": f.growth.to_dict(),
            "inputs": dict(f.data.checksums),
            "provenance": dict(f.provenance),
            "report": {
                "lang": e.lang,
                "html_lang": e.html_lang,
                "title": self.title,
                "question": f.lead_claim is not None and not f.parameters["title"],
                "subtitle": e.gettext(
                    "FDI from %(origin)s into %(destination)s, %(base)s to %(target)s, as the sources report it",
                    origin=fmt.country(f.origin),
                    destination=fmt.country(f.destination),
                    base=fmt.period(f.base_year, f.months),
                    target=fmt.period(f.target_year, f.months),
                ),
                "data_vintage": vintage,
                "data_as_of": _data_as_of(e, vintage) if vintage else None,
                "labels": page_labels(e),
                "read_in": {lang: _read_in(lang) for lang in languages()},
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
            "claims": [v.to_dict() for v in f.claims],
        }

    def emit_metrics(self) -> None:
        """Display the metrics as a machine-readable output the build collects."""
        from IPython.display import display

        display({METRICS_MIME: self.metrics(), "text/plain": "metrics for the build"}, raw=True)


def _read_in(lang: str) -> str:
    """Name the link to a language's edition, in that language."""
    # Translators: the link to this report in your language, written in it
    # ("Leer en español"), shown at the top of every other edition.
    return edition(lang).pgettext("link to this edition", "Read in English")


def _data_as_of(e: Edition, vintage: str) -> str:
    """Say up to when the figures were published: a day ("up to June 25, 2025"), a month or a year."""
    if len(vintage) == 10:
        return e.pgettext("a full day", "figures as published up to %(date)s", date=e.fmt.date(vintage))
    return e.pgettext("a month or a year", "figures as published up to %(date)s", date=e.fmt.date(vintage))


def page_labels(e: Edition) -> dict[str, Any]:
    """Return the words of the page around the report (title block, contents, footer), in its language.

    ``footer`` keeps ``{command}`` and ``{notebook}`` where the page puts them as code; ``page_of``
    is what the PDF's footer writes before the page number, between it and the page count, and after.
    """
    page_of = e.gettext("Page %(page)s of %(pages)s", page="{page}", pages="{pages}")
    before, rest = page_of.split("{page}", 1)
    between, after = rest.split("{pages}", 1)
    return {
        "kicker": e.gettext("Fact check: foreign direct investment"),
        "built": e.gettext("Built"),
        "data": e.gettext("Data"),
        "code": e.gettext("Code"),
        "contents": e.gettext("Contents"),
        "skip": e.gettext("Skip to the report"),
        "footer": e.gettext(
            "Built by %(command)s from %(notebook)s. The executed notebook and the metrics file beside this page are "
            "its run record.",
            command="{command}",
            notebook="{notebook}",
        ),
        "page_of": [before, between, after],
        "editions": e.gettext("Other editions"),
        "modified": e.gettext("modified"),
        "no_git": e.gettext("not a git checkout"),
        "unknown": e.gettext("unknown"),
    }


def _read_previous(path: str) -> tuple[dict[str, Any] | None, str | None]:
    """Read the last build's metrics file; say why when it cannot be read."""
    if not path:
        return None, None
    file = config.resolve_project_path(path)
    if not file.exists():
        return None, None
    try:
        return json.loads(file.read_text(encoding="utf-8")), None
    except (OSError, ValueError) as error:
        return None, f"{config.display_path(file)}: {error}"
