"""What the source article claims, each claim with its status.

Where the data bear on a claim, the facts that decide it come from them: the latest flight news,
the offers on record, the series since a president took office.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.facts import Reported
from analysis.present import Section
from analysis.sections.timeline import Event, events_in

if TYPE_CHECKING:
    from analysis.report import Report

ID = "source-article"


@dataclass(frozen=True)
class SinceOffice:
    """What the origin's full-year series shows after a president took office."""

    event: Event
    shown: tuple[tuple[int, Reported], ...]  # full years after taking office with a figure
    missing: tuple[int, ...]  # full years after taking office, up to the last figure, without one
    before: tuple[tuple[int, Reported], ...]  # full years before, with a figure


@dataclass(frozen=True)
class Claims:
    """The facts the claims' statuses rest on (events in the edition's language)."""

    lng: tuple[Event, ...]
    flights: tuple[Event, ...]
    forum: tuple[Event, ...]
    since_office: SinceOffice | None


def _mentioning(report: Report, category: str, *words: str) -> tuple[Event, ...]:
    rows = report.facts.events(category=category, mentioning=words)
    return tuple(events_in(rows, report.edition.lang))


def facts(report: Report) -> Claims:
    """Compute the facts the article's claims are checked against."""
    f = report.facts
    office = _mentioning(report, "politics", "López Obrador", "office")
    since = None
    if office:
        start = office[0].year
        series = f.series(f.origin)
        full = series[series["months"] == 12]
        after = [(int(y), f.chosen(f.origin, int(y), 12)) for y in full["year"] if y > start]
        before = [(int(y), f.chosen(f.origin, int(y), 12)) for y in full["year"] if y <= start]
        last = max((y for y, _ in after), default=start)
        missing = tuple(y for y in range(start + 1, last + 1) if y not in {y for y, _ in after})
        since = SinceOffice(office[0], tuple(after), missing, tuple(before))
    return Claims(
        lng=_mentioning(report, "energy", "LNG"),
        flights=tuple(
            events_in(report.facts.events(category="transport", any_of=("Havana", "Cuba")), report.edition.lang)
        ),
        forum=_mentioning(report, "investment", "Business Forum"),
        since_office=since,
    )


def claims(report: Report) -> Section:
    """List the article's claims, each with its status."""
    e = report.edition
    title = e.t("sections.claims")
    markup = e.render(
        "claims.html.j2", id=ID, title=title, c=facts(report), origin=report.facts.origin, sources=report.facts.sources
    )
    return Section(ID, title, [markup])
