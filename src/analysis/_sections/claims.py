"""What the source article claims, each claim with its status.

Where the data bear on a claim, the facts that decide it come from them: the latest flight news,
the offers on record, the series since a president took office.
"""

from __future__ import annotations

from types import SimpleNamespace

from analysis._present import Section
from analysis._sections._report import Report
from analysis._sections.timeline import Event, events_in

ID = "source-article"


def _mentioning(report: Report, category: str, *words: str) -> tuple[Event, ...]:
    rows = report.facts.events(category=category, mentioning=words)
    return tuple(events_in(rows, report.edition.lang))


def facts(report: Report) -> SimpleNamespace:
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
        since = SimpleNamespace(  # what the origin's full-year series shows after a president took office
            event=office[0],
            shown=tuple(after),  # full years after taking office with a figure
            missing=missing,  # full years after taking office, up to the last figure, without one
            before=tuple(before),  # full years before, with a figure
        )
    return SimpleNamespace(  # events in the edition's language
        lng=_mentioning(report, "energy", "LNG"),
        flights=tuple(
            events_in(report.facts.events(category="transport", any_of=("Havana", "Cuba")), report.edition.lang)
        ),
        forum=_mentioning(report, "investment", "Business Forum"),
        since_office=since,
    )


# One scale for the article's other claims, from best supported to least.
STATUSES = ("on_record", "one_side", "unconfirmed", "not_shown")


def statuses(c: SimpleNamespace) -> dict[str, str]:
    """Place each of the article's claims on the one scale, from what the data hold."""
    return {
        "energy": "one_side",
        "uranium": "one_side",
        "reactors": "one_side",
        "lng": "on_record" if c.lng else "unconfirmed",
        "crude": "one_side",
        "air_route": "unconfirmed",
        "since_office": "not_shown" if c.since_office else "unconfirmed",
        "india": "one_side",
        "valkov": "unconfirmed",
        "forum": "on_record" if c.forum else "unconfirmed",
    }


def claims(report: Report) -> Section:
    """List the article's other claims, each placed on one status scale."""
    found = facts(report)
    office = found.since_office
    record = None
    if office and office.shown:
        best = max(office.shown + office.before, key=lambda item: item[1].value)
        record = best if best in office.shown else None
    return report.section(
        ID,
        report.edition.gettext("The article's other claims"),
        "claims.html.j2",
        c=found,
        placed=statuses(found),
        scale=STATUSES,
        record=record,
        origin=report.facts.origin,
        sources=report.facts.sources,
    )
