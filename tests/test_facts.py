"""The facts of a run, language-free: sources and reports as the report shows them, series, events.

Built from tests/fixtures/bilingual (South Korea into Chile; see tests/test_report.py) and from
small timelines written out here.
"""

from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURE_PARAMETERS
from pandas.testing import assert_frame_equal

from analysis import _metrics as metrics
from analysis._facts import Facts, Period, Reported, Source
from analysis._load import load_dataset

BILINGUAL = Path(__file__).parent / "fixtures" / "bilingual"
PARAMETERS = {**FIXTURE_PARAMETERS, "lang": "en"}


@pytest.fixture(scope="module")
def bilingual() -> Facts:
    return Facts.compute({**PARAMETERS, "data_dir": str(BILINGUAL)}, load_dataset(BILINGUAL), provenance={})


# Sources and reports, in each edition's language --------------------------------------------


def test_a_sources_note_in_the_language_it_is_translated_into_else_in_english(bilingual):
    review, archive, gazette = (bilingual.sources[s] for s in ("review", "archive", "gazette"))
    assert review.note_in("es") == ("cita al banco central", "es")
    assert review.note_in("en") == ("quotes the central bank", "en")
    assert archive.note_in("es") == ("sin dirección", "es")
    assert gazette.note_in("es") == ("", "en")  # no note at all: nothing to translate
    assert review.note_in("fr") == ("quotes the central bank", "en")  # no French column


def test_whose_figures_a_source_relays_in_each_language(bilingual):
    assert bilingual.sources["review"].figures_by_in("es") == "el Banco Central de Chile"
    assert bilingual.sources["review"].figures_by_in("en") == "Banco Central de Chile"
    assert bilingual.sources["mirror"].figures_by_in("es") == ""  # relays no one's statistics


def test_a_publishers_name_as_a_language_writes_it():
    source = Source(
        "se", "Ministry of Economy", "T", "", "2024", "2025-01-01", "high", "",
        translations={"publisher_es": "Secretaría de Economía"},
    )  # fmt: skip
    assert (source.name("es"), source.name("en"), source.name("fr")) == (
        "Secretaría de Economía",
        "Ministry of Economy",
        "Ministry of Economy",
    )


def test_a_reports_note_in_the_editions_language(bilingual):
    early, review, mirror = bilingual.target.reports[1], bilingual.target.reports[0], bilingual.target.reports[2]
    assert (early.source_id, review.source_id, mirror.source_id) == ("gazette", "review", "mirror")
    assert early.note_in("es") == ("una publicación temprana", "es")
    assert early.note_in("en") == ("an early release", "en")
    assert review.note_in("es") == ("corregida", "es")
    assert bilingual.base.reports[0].note_in("es") == ("", "en")  # 2019: no note
    assert early.note_in("fr") == ("an early release", "en")


def test_the_reports_of_a_period_best_first_echoes_last(bilingual):
    target = bilingual.target
    # 2023: the Review (2024-05-06) over the Gazette (2020-03); the Mirror repeats the Review
    assert [(r.source_id, r.value, r.independent, r.used) for r in target.reports] == [
        ("review", 50.0, True, True),
        ("gazette", 45.5, True, False),
        ("mirror", 50.0, False, False),
    ]
    assert target.values == (50.0, 45.5) and target.basis == "latest published"
    assert target.reporting(50.0) == (target.reports[0],)
    assert target.echoes_of(target.reports[0]) == (target.reports[2],)
    assert target.echoes_of(target.reports[1]) == ()
    assert target.reports[2].via == "mirror" and target.reports[0].via is None


def test_echoes_are_matched_to_what_they_repeat():
    def report(source, credited, independent):
        return Reported(1.0, 1, source, credited, "2024", "high", independent, False, "")

    own, echo, other, other_echo = (
        report("a", "a", True),
        report("e", "a", False),
        report("b", "b", True),
        report("f", "b", False),
    )
    period = Period("KOR", "CHL", 2023, 12, (own, other, echo, other_echo))
    assert period.echoes_of(own) == (echo,) and period.echoes_of(other) == (other_echo,)
    assert period.independent == (own, other) and period.chosen is None


def test_a_period_without_reports(bilingual):
    missing = bilingual.period("KOR", 2020)
    assert (missing.reports, missing.chosen, missing.values, missing.basis) == ((), None, (), "")


# Series ----------------------------------------------------------------------------------------


def test_an_origins_series_every_period_length_by_year(bilingual):
    expected = pd.DataFrame(
        {
            "year": [2019, 2022, 2023, 2023],
            "months": [12, 6, 6, 12],
            "usd_millions": [12.5, 8.0, 20.0, 50.0],
            "decimals": [1, 1, 1, 1],
            "source_id": ["gazette", "review", "review", "review"],
            "credited_to": ["gazette", "review", "review", "review"],
        }
    )
    assert_frame_equal(bilingual.series("KOR"), expected, check_dtype=False)


# Events ----------------------------------------------------------------------------------------

TIMELINE = """date,event,category,source_id,note
2018-07-01,López Obrador wins the election,politics,s,
2018-12-01,López Obrador takes office,politics,s,
2019-05,Flights to Havana resume,transport,s,
2020,A ferry to Cuba (planned),transport,s,
2021-03,LNG cargo sails,energy,s,
2022,lng terminal: U.S. firm withdraws,energy,s,
"""


def facts_of(folder: Path, fdi: str, sources: str, timeline: str) -> Facts:
    """Write a small data folder (each file's rows after its header) and compute its facts."""
    folder.mkdir()
    (folder / "fdi.csv").write_text("origin,destination,year,months,usd_millions,source_id,note\n" + fdi)
    (folder / "sources.csv").write_text("source_id,publisher,title,url,published,accessed,trust,note\n" + sources)
    (folder / "timeline.csv").write_text(timeline)
    return Facts.compute({**PARAMETERS, "data_dir": str(folder)}, load_dataset(folder), provenance={})


@pytest.fixture
def timeline(tmp_path) -> Facts:
    return facts_of(tmp_path / "data", "KOR,CHL,2019,12,1,s,\n", "s,P,T,,2020,2026-01-02,high,\n", TIMELINE)


def texts(events: pd.DataFrame) -> list[str]:
    return events["event"].tolist()


def test_events_of_a_category_in_date_order(timeline):
    assert texts(timeline.events(category="energy")) == ["LNG cargo sails", "lng terminal: U.S. firm withdraws"]
    assert len(timeline.events()) == 6 and texts(timeline.events())[0] == "López Obrador wins the election"


def test_events_mentioning_every_word_in_any_case_taken_literally(timeline):
    assert texts(timeline.events(mentioning=["López Obrador", "office"])) == ["López Obrador takes office"]
    assert texts(timeline.events(mentioning="lng")) == ["LNG cargo sails", "lng terminal: U.S. firm withdraws"]
    # "U.S." and "(planned)" are text, not patterns: "U.S." is not "UxSx", brackets are brackets
    assert texts(timeline.events(mentioning="U.S.")) == ["lng terminal: U.S. firm withdraws"]
    assert texts(timeline.events(mentioning="(planned)")) == ["A ferry to Cuba (planned)"]
    assert texts(timeline.events(mentioning="L.G")) == []
    # a word is a word, not a list of letters
    assert texts(timeline.events(mentioning="office")) == ["López Obrador takes office"]


def test_events_mentioning_any_of_several_words(timeline):
    found = timeline.events(category="transport", any_of=("Havana", "Cuba"))
    assert texts(found) == ["Flights to Havana resume", "A ferry to Cuba (planned)"]
    assert texts(timeline.events(any_of=("havana",))) == ["Flights to Havana resume"]
    assert texts(timeline.events(category="politics", any_of=("Havana", "Cuba"))) == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("L.G", []),  # a point is a point: not the N of "LNG"
        ("(planned", ["A ferry to Cuba (planned)"]),  # an open bracket is a bracket, not a broken pattern
    ],
)
def test_events_mentioning_any_of_several_words_take_them_literally(timeline, word, expected):
    assert texts(timeline.events(any_of=(word, "Havana"))) == ["Flights to Havana resume", *expected]


def test_the_vintage_is_the_latest_publication_among_the_figures_sources(bilingual):
    # the Gazette (2020-03), the Review (2024-05-06), the Mirror (2024-06): June 2024 is the latest,
    # by its first day; the Archive dates only events
    assert bilingual.vintage == "2024-06"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # dates compare by their first day; where that ties, the coarser date wins (it claims no
        # day it does not know), whichever source comes first
        ("2024", "2024-01-01", "2024"),
        ("2024-01-01", "2024", "2024"),
        ("2024-01", "2024-01-01", "2024-01"),
        ("2024-01-01", "2024-01", "2024-01"),
        ("2024-01", "2024", "2024"),
        ("2024-02", "2024-01-31", "2024-02"),  # February 1 is after January 31
        ("2023-12-31", "2024", "2024"),
    ],
)
def test_the_vintage_compares_dates_by_their_first_day_and_ties_go_to_the_coarser(tmp_path, first, second, expected):
    facts = facts_of(
        tmp_path / "data",
        "KOR,CHL,2019,12,1,a,\nKOR,CHL,2020,12,2,b,\n",
        f"a,P,T,,{first},2026-01-02,high,\nb,Q,U,,{second},2026-01-02,high,\n",
        "date,event,category,source_id,note\n2020,An event,energy,a,\n",
    )
    assert facts.vintage == expected


def test_the_totals_of_the_base_and_target_periods(bilingual):
    # all origins into Chile: 1,250 (2019, the Gazette) and 2,000 (2023, the Review)
    base_total, target_total = bilingual.period("WLD", 2019), bilingual.period("WLD", 2023)
    assert (base_total.chosen.value, base_total.chosen.source_id) == (1250.0, "gazette")
    assert (target_total.chosen.value, target_total.chosen.source_id) == (2000.0, "review")
    assert bilingual.chosen("KOR", 2022, 6).value == 8.0


# The choice the run's parameters make -----------------------------------------------------------


def test_a_preferred_source_decides_the_periods_figure():
    # 2023: the Review (2024-05-06) is the latest published, but the Gazette (45.5) is preferred
    facts = Facts.compute({**PARAMETERS, "prefer_sources": ["gazette"]}, load_dataset(BILINGUAL), provenance={})
    assert [(r.source_id, r.used) for r in facts.target.independent] == [("gazette", True), ("review", False)]
    assert facts.target.basis == "preferred source"
    assert facts.growth.target_value == 45.5


def test_the_reports_are_ranked_once_for_the_choice_and_the_disagreements(monkeypatch):
    # ranking is the costly step on a large table: compute shares one among its users
    calls = []
    rank = metrics.rank
    monkeypatch.setattr(metrics, "rank", lambda *args, **kwargs: calls.append(args) or rank(*args, **kwargs))
    facts = Facts.compute(PARAMETERS, load_dataset(BILINGUAL), provenance={})
    assert len(calls) == 1
    # the facts carry that ranking: one entry per report, the chosen figures' bases per period
    assert len(facts.ranking) == len(facts.data.fdi)
    assert facts.ranking.loc[facts.ranking["used"], "basis"].tolist() == facts.selected["basis"].tolist()


def test_a_period_is_the_destinations(bilingual):
    period = bilingual.period("KOR", 2023)
    assert (period.origin, period.destination, period.year, period.months) == ("KOR", "CHL", 2023, 12)
