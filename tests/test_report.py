"""The report's sections, built in-process from fixture data (no kernel): prose, tables, metrics."""

import json
import re
from pathlib import Path

import pytest

from analysis.report import Report

FIXTURES = Path(__file__).parent / "fixtures"
TINY = {
    "data_dir": str(FIXTURES / "tiny"),
    "origin": "KOR",
    "destination": "CHL",
    "base_year": 2019,
    "target_year": 2023,
    "months": 12,
}


def text(html) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.markup).split())


def test_headline_in_words():
    headline = text(Report.build(**TINY).headline())
    # 12.5 -> 50.0: 4 times, +300 %, sqrt(2) - 1 = 41.4 % a year over 4 years; shares 1 % and 2.5 %
    assert headline.startswith(
        "Foreign direct investment (FDI) from South Korea into Chile went from US$12.5 million in 2019"
    )
    assert (
        "4.0 times as much, an increase of US$37.5 million (+300.0%), or 41.4% a year compounded over four years."
        in headline
    )
    assert "between about 3.98 and 4.02." in headline  # 49.95/12.55 = 3.980, 50.05/12.45 = 4.020
    assert "South Korea accounted for 2.5% of all FDI into Chile in 2023 (1.0% in 2019)." in headline
    assert (
        "the 2023 figure comes from two sources (Fixture Gazette, Fixture Review), which report two different values"
        in headline
    )


def test_a_missing_year_is_a_plain_sentence():
    headline = text(Report.build(**{**TINY, "base_year": 2021}).headline())
    assert headline == "The comparison cannot be made: there is no figure for KOR into CHL in 2021 (the full year)."


def test_a_missing_total_is_said_in_the_share_sentence():
    report = Report.build(**{**TINY, "months": 6, "base_year": 2022, "target_year": 2023})
    metrics = report.metrics()["growth"]
    assert metrics["target_share_of_total_pct"] is None
    assert metrics["target_share_of_total_pct_reason"] == "no figure for FDI from all origins (WLD) in 2023 (6 months)"
    assert "cannot be computed: no figure for FDI from all origins (WLD) in 2023 (6 months)" in text(report.headline())
    # 8.0 -> 20.0 over January-June: 2.5 times
    assert "2.5 times as much" in text(report.headline())
    assert "January–June 2022" in text(report.headline())


def test_negative_base_in_the_metrics_table():
    report = Report.build(
        data_dir=str(FIXTURES / "negative"), origin="CHN", destination="MEX", base_year=2023, target_year=2024, months=9
    )
    table = text(report.growth_table())
    assert "Multiple not defined: base value is negative" in table
    assert "Absolute change +US$56 million" in table
    assert not re.search(r"\b(nan|inf)\b", table, re.I)


def test_tables_and_figures_are_numbered_in_order():
    report = Report.build(**TINY)
    assert "Table 1." in report.growth_table().markup
    assert report.fdi_figure().number == 1
    assert "Table 2." in report.origins_table().markup
    assert report.share_figure().number == 2


def test_verification_statuses():
    table = text(Report.build(**TINY).verification_table())
    assert "FDI from South Korea, 2019 12.5 Fixture Gazette medium single source" in table
    assert (
        "FDI from South Korea, 2023 50.0 Fixture Gazette; Fixture Review medium, high disputed: 2 figures from 2 sources"
        in table
    )


def test_changes_against_a_previous_metrics_file(tmp_path):
    first = Report.build(**TINY).metrics()
    first["growth"]["target_value"] = 45.5
    first["growth"]["multiple"] = 45.5 / 12.5
    first["inputs"][next(iter(first["inputs"]))] = "sha256:0"
    previous = tmp_path / "previous.metrics.json"
    previous.write_text(json.dumps(first))
    changes = text(Report.build(**TINY, compare_with=str(previous)).changes())
    assert "sources.csv changed" in changes
    assert "Target value (US$ millions) 45.5 50.0 +4.5" in changes
    assert "Multiple (×) 3.6 4.0 +0.4" in changes  # 45.5/12.5 = 3.64


@pytest.mark.parametrize(("content", "says"), [(None, "first build"), ("{not json", "could not be read")])
def test_changes_without_a_usable_previous_build(tmp_path, content, says):
    previous = tmp_path / "previous.metrics.json"
    if content is not None:
        previous.write_text(content)
    assert says in text(Report.build(**TINY, compare_with=str(previous)).changes())


def test_the_metrics_file_content_is_json_ready():
    metrics = Report.build(**TINY).metrics()
    assert json.loads(json.dumps(metrics)) == metrics
    assert metrics["disagreements"] == [
        {"origin": "KOR", "destination": "CHL", "year": 2023, "months": 12, "values": [50.0, 45.5], "used_index": 0}
    ]
    assert metrics["report"]["data_vintage"] == "2024-05-06"


def test_a_total_of_zero_or_below_is_said_in_words(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "tiny", data)
    (data / "fdi.csv").write_text(
        (data / "fdi.csv").read_text().replace("WLD,CHL,2019,12,1250.0", "WLD,CHL,2019,12,-1250.0")
    )
    context = text(Report.build(**{**TINY, "data_dir": str(data)}).context())
    assert "(base value is negative: no percentage change)" in context
    assert not re.search(r"\b(nan|inf)\b", context, re.I)


def test_the_timeline_covers_every_event_in_the_data(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "tiny", data)
    with (data / "timeline.csv").open("a") as handle:
        handle.write("1880,An early event,diplomacy,tiny-c,\n2026-03,A late event,energy,tiny-c,\n")
    figure = Report.build(**{**TINY, "data_dir": str(data)}).timeline_figure()
    assert figure.caption == "Dated events, 1880–2026, by category"
    assert figure.figure.alt_text.startswith("Timeline of 5 dated events from 1880 to March 2026")
