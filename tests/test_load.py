"""Loading and validation: the good fixture, and one broken copy of it per class of problem."""

import csv
import datetime as dt
import errno
import hashlib
import os
import random
import shutil
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis import _config as config
from analysis import contract, errors
from analysis._load import load_dataset
from analysis.errors import DataValidationError


def problems_in(folder):
    """Every problem `load_dataset` raises for a folder, or none."""
    try:
        load_dataset(folder)
    except DataValidationError as error:
        return error.problems
    return []


def set_line(path: Path, number: int, text: str) -> None:
    """Replace a line, or add it after the last one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines += [""] * (number - len(lines))
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


FDI_HEADER = "origin,destination,year,months,usd_millions,source_id,note"


def messages(folder):
    return [str(p) for p in problems_in(folder)]


def located(folder):
    """Each problem as (line, column, message)."""
    return [(p.line, p.column, p.message) for p in problems_in(folder)]


def only_problem(folder):
    found = problems_in(folder)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_the_good_fixture_loads_typed(data_copy):
    loaded = load_dataset(data_copy)
    expected = pd.DataFrame(
        {
            "origin": ["KOR", "KOR"],
            "destination": ["CHL", "CHL"],
            "year": [2019, 2023],
            "months": [12, 12],
            "usd_millions": [12.5, 45.5],
            "decimals": [1, 1],
            "source_id": ["tiny-a", "tiny-a"],
            "note": ["", "an early release"],
            "line": [2, 3],
        }
    )
    assert_frame_equal(loaded.fdi.head(2)[expected.columns], expected, check_dtype=False)
    assert loaded.fdi.dtypes[["year", "months", "usd_millions", "decimals"]].astype(str).tolist() == [
        "int64",
        "int64",
        "float64",
        "int64",  # a count of digits, written as a format's precision: never 1.0
    ]
    assert loaded.timeline["year"].dtype == "int64"
    assert loaded.fdi.set_index("line").loc[9, "decimals"] == 0  # "700"
    assert list(loaded.timeline["precision"]) == ["month", "day", "year"]
    assert str(loaded.sources.set_index("source_id").loc["tiny-a", "published_on"].date()) == "2020-03-01"
    assert set(loaded.checksums) == {f"{data_copy}/fdi.csv", f"{data_copy}/sources.csv", f"{data_copy}/timeline.csv"}


def test_the_project_data_are_valid_and_hold_the_headline_reports():
    loaded = load_dataset("data")
    rus = loaded.fdi[(loaded.fdi["origin"] == "RUS") & (loaded.fdi["months"] == 12)]
    reports = sorted(zip(rus["year"], rus["usd_millions"], rus["source_id"], strict=True))
    assert [r for r in reports if r[0] in (2022, 2024)] == [
        (2022, 2.8, "proceso-2025-06-25"),
        (2024, 19.1, "forte-2025-03"),
        (2024, 86.4, "gw2ru-2026-01"),
        (2024, 86.4, "proceso-2025-06-25"),
    ]
    sources = loaded.sources.set_index("source_id")
    assert sources.loc["gw2ru-2026-01", "cites"] == "expansion-2026-01-08"  # an echo of Expansión
    # the Spanish edition: every event and every note has its Spanish text
    timeline = loaded.timeline
    assert (timeline["event_es"] != "").all()
    assert ((timeline["note"] == "") | (timeline["note_es"] != "")).all()
    assert ((loaded.fdi["note"] == "") | (loaded.fdi["note_es"] != "")).all()
    assert ((sources["note"] == "") | (sources["note_es"] != "")).all()


@pytest.mark.parametrize(
    ("file", "line", "text", "where", "words"),
    [
        # a non-numeric value
        ("fdi.csv", 2, "KOR,CHL,2019,12,abc,tiny-a,", (2, "usd_millions"), "'abc' is not a number"),
        # thousands separators, quoted and not
        ("fdi.csv", 7, 'WLD,CHL,2019,12,"1,250.0",tiny-a,', (7, "usd_millions"), "'1,250.0' has a thousands separator"),
        (
            "fdi.csv",
            7,
            "WLD,CHL,2019,12,1,250.0,tiny-a,",
            (7, "usd_millions"),
            "'1,250.0' has a thousands separator (it splits the line into an extra field): write the number without"
            " commas",
        ),
        # a year out of range, or not a year
        ("fdi.csv", 2, "KOR,CHL,1850,12,12.5,tiny-a,", (2, "year"), "'1850' is out of range"),
        ("fdi.csv", 2, "KOR,CHL,2999,12,12.5,tiny-a,", (2, "year"), "'2999' is out of range"),
        ("fdi.csv", 2, "KOR,CHL,19,12,12.5,tiny-a,", (2, "year"), "'19' is not a year"),
        # months outside 1-12
        ("fdi.csv", 2, "KOR,CHL,2019,13,12.5,tiny-a,", (2, "months"), "'13' is outside 1-12"),
        ("fdi.csv", 2, "KOR,CHL,2019,0,12.5,tiny-a,", (2, "months"), "'0' is outside 1-12"),
        ("fdi.csv", 2, "KOR,CHL,2019,9.5,12.5,tiny-a,", (2, "months"), "'9.5' is not a whole number of months"),
        # country codes that are not ISO alpha-3
        ("fdi.csv", 2, "Korea,CHL,2019,12,12.5,tiny-a,", (2, "origin"), "'Korea' is not an ISO 3166-1 alpha-3"),
        ("fdi.csv", 2, "KOR,XXX,2019,12,12.5,tiny-a,", (2, "destination"), "'XXX' is not an ISO 3166-1 alpha-3"),
        ("fdi.csv", 2, "KOR,WLD,2019,12,12.5,tiny-a,", (2, "destination"), "'WLD' is not an ISO 3166-1 alpha-3"),
        # an unknown source_id, a malformed one
        (
            "fdi.csv",
            2,
            "KOR,CHL,2019,12,12.5,tiny-z,",
            (2, "source_id"),
            "'tiny-z' is not a source_id listed in sources.csv",
        ),
        ("fdi.csv", 2, "KOR,CHL,2019,12,12.5,tiny a,", (2, "source_id"), "'tiny a' is not a source_id"),
        (
            "timeline.csv",
            4,
            "2021,Fixture ferry opens,transport,nowhere,",
            (4, "source_id"),
            "'nowhere' is not a source_id listed",
        ),
        # the same source reporting one period twice
        ("fdi.csv", 3, "KOR,CHL,2019,12,13.0,tiny-a,", (3, None), "repeats line 2"),
        # a duplicate source_id
        ("sources.csv", 5, "tiny-a,Other,Other,,2024,2026-01-02,high,", (5, "source_id"), "'tiny-a' is also on line 2"),
        # dates that are not YYYY, YYYY-MM or YYYY-MM-DD, or no real day
        (
            "timeline.csv",
            2,
            "03/02/1999,Fixture treaty signed,diplomacy,tiny-c,",
            (2, "date"),
            "'03/02/1999' is not a date",
        ),
        ("timeline.csv", 2, "2021-13,Fixture treaty signed,diplomacy,tiny-c,", (2, "date"), "'2021-13' is not a date"),
        (
            "timeline.csv",
            2,
            "2025-02-30,Fixture treaty signed,diplomacy,tiny-c,",
            (2, "date"),
            "'2025-02-30' is not a date",
        ),
        (
            "sources.csv",
            2,
            "tiny-a,Fixture Gazette,Early,,March 2020,2026-01-02,medium,",
            (2, "published"),
            "'March 2020' is not a date",
        ),
        (
            "sources.csv",
            2,
            "tiny-a,Fixture Gazette,Early,,2020-03,2026-01,medium,",
            (2, "accessed"),
            "'2026-01' is not a date written YYYY-MM-DD",
        ),
        # an unknown category or trust level
        (
            "timeline.csv",
            2,
            "1901-05,Fixture treaty signed,economy,tiny-c,",
            (2, "category"),
            "'economy' is not a category",
        ),
        (
            "sources.csv",
            2,
            "tiny-a,Fixture Gazette,Early,,2020-03,2026-01-02,certain,",
            (2, "trust"),
            "'certain' is not a trust level",
        ),
        # an empty required value
        ("fdi.csv", 2, "KOR,CHL,2019,12,,tiny-a,", (2, "usd_millions"), "(empty) is not a number"),
        # a line with a stray comma
        (
            "timeline.csv",
            4,
            "2021,Fixture, ferry opens,transport,tiny-a,",
            (4, None),
            "has 6 fields where the header has 5",
        ),
    ],
)
def test_each_class_of_problem_is_located(data_copy, file, line, text, where, words):
    set_line(data_copy / file, line, text)
    problem = only_problem(data_copy)
    assert (Path(problem.file).name, problem.line, problem.column) == (file, *where)
    assert words in problem.message
    assert str(problem).startswith(f"{data_copy}/{file}:{line}: ")


def test_a_missing_column(data_copy):
    rows = [
        line.rsplit(",", 2)[0] + "," + line.rsplit(",", 1)[1]
        for line in (data_copy / "fdi.csv").read_text().splitlines()
    ]
    (data_copy / "fdi.csv").write_text("\n".join(rows) + "\n")  # drops source_id
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (1, "source_id")
    assert "missing from the header" in problem.message


def test_an_extra_column(data_copy):
    rows = [f"{line},x" for line in (data_copy / "timeline.csv").read_text().splitlines()]
    rows[0] = rows[0].replace(",x", ",extra")
    (data_copy / "timeline.csv").write_text("\n".join(rows) + "\n")
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (1, "extra")
    assert "is not a column of this file" in problem.message


def test_the_note_column_may_be_left_out(data_copy):
    rows = [line.rsplit(",", 1)[0] for line in (data_copy / "timeline.csv").read_text().splitlines()]
    (data_copy / "timeline.csv").write_text("\n".join(rows) + "\n")
    # the event with a note held a comma-free note: dropping the last field drops the note only
    assert problems_in(data_copy) == []
    assert set(load_dataset(data_copy).timeline["note"]) == {""}


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff"])
def test_an_empty_file(data_copy, content):
    (data_copy / "timeline.csv").write_text(content, encoding="utf-8")
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (1, None)
    assert "the file is empty: expected the header date,event,category,source_id,note" in problem.message


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_the_wrong_delimiter(data_copy, delimiter, name):
    text = (data_copy / "sources.csv").read_text().replace(",", delimiter)
    (data_copy / "sources.csv").write_text(text)
    found = problems_in(data_copy)
    assert str(found[0]) == f"{data_copy}/sources.csv:1: fields are separated by {name}: separate them with commas"
    # with sources.csv unreadable, the references to it are not reported as problems too
    assert len(found) == 1


def test_undecodable_bytes_are_located_by_their_line(data_copy):
    raw = (data_copy / "sources.csv").read_bytes().replace(b"Fixture Review", "Fixture Revisión".encode("latin-1"))
    (data_copy / "sources.csv").write_bytes(raw)
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (3, None)
    assert problem.message.startswith("byte(s) F3 are not UTF-8 (the file looks saved as Windows-1252 or Latin-1)")


def test_the_timeline_is_typed_in_date_order_then_line_order(data_copy):
    set_line(data_copy / "timeline.csv", 2, "2021,Fixture treaty signed,diplomacy,tiny-c,")  # the year of line 4
    timeline = load_dataset(data_copy).timeline
    assert list(timeline.columns) == [
        *("line", "date", "event", "category", "source_id", "note"),
        *("precision", "when", "year"),
    ]
    assert timeline.index.tolist() == [0, 1, 2]
    # 1999-02-03 (line 3), then 2021 twice: line 2 before line 4
    assert timeline[["line", "date"]].values.tolist() == [[3, "1999-02-03"], [2, "2021"], [4, "2021"]]


def test_a_utf8_byte_order_mark_is_fine(data_copy):
    path = data_copy / "fdi.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems_in(data_copy) == []
    assert "origin" in load_dataset(data_copy).fdi.columns


def test_a_missing_file(data_copy):
    (data_copy / "timeline.csv").unlink()
    problem = only_problem(data_copy)
    assert str(problem) == f"{data_copy}/timeline.csv: file not found"


def test_every_problem_in_every_file_at_once(data_copy):
    set_line(data_copy / "fdi.csv", 2, "Korea,CHL,20x9,13,12,5,tiny-a,")
    set_line(data_copy / "fdi.csv", 8, "WLD,CHL,2023,12,2000.0,tiny-q,")
    set_line(data_copy / "timeline.csv", 3, "1999-02-31,Event,economy,tiny-c,")
    set_line(data_copy / "sources.csv", 4, "tiny-c,Fixture Archive,Dates,ftp://x,2019,2026-01-02,low,")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(data_copy)
    found = [(Path(p.file).name, p.line, p.column) for p in caught.value.problems]
    assert found == [
        ("fdi.csv", 2, None),  # 8 fields: the stray comma hides the rest of the line
        ("fdi.csv", 8, "source_id"),
        ("sources.csv", 4, "url"),
        ("timeline.csv", 3, "category"),
        ("timeline.csv", 3, "date"),
    ]
    assert str(caught.value).startswith("5 problems in the data:\n")


@pytest.mark.parametrize(
    ("sources", "problem"),
    [
        ("", ("sources.csv", 1, None)),  # empty: no text to parse
        ("source_id;publisher;title\n", ("sources.csv", 1, None)),  # no header to parse with
    ],
)
def test_a_file_that_cannot_be_read_does_not_stop_the_files_after_it(data_copy, sources, problem):
    (data_copy / "sources.csv").write_text(sources, encoding="utf-8")
    set_line(data_copy / "fdi.csv", 2, "KOR,CHL,20x9,12,12.5,tiny-a,")
    set_line(data_copy / "timeline.csv", 3, "1999-02-31,Event,diplomacy,tiny-c,")
    assert [(Path(p.file).name, p.line, p.column) for p in problems_in(data_copy)] == [
        ("fdi.csv", 2, "year"),
        problem,
        ("timeline.csv", 3, "date"),
    ]


def test_an_error_reading_the_country_codes_is_raised_as_itself(data_copy, monkeypatch):
    # inside a pandera check it would be a failure on no line, not the error it is
    def unreadable():
        raise OSError(errno.EIO, "Input/output error", "iso3166-1.json")

    monkeypatch.setattr(contract, "iso_alpha3", unreadable)
    with pytest.raises(OSError, match=r"iso3166-1\.json"):
        load_dataset(data_copy)


def test_a_check_that_raises_refuses_the_file_instead_of_passing_it(data_copy, monkeypatch):
    from analysis import _schema as schema

    def faulty():
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(schema, "iso_alpha3", faulty)  # what the origin and destination checks call
    with pytest.raises(errors.AnalysisError) as caught:
        load_dataset(data_copy)
    assert str(caught.value) == (
        f"{data_copy / 'fdi.csv'}: column origin: the check 'is not an ISO 3166-1 alpha-3 country code (such as"
        " RUS) or WLD' could not run (TypeError(\"unhashable type: 'list'\")): a fault of the analysis package,"
        " not of the file, which is not passed as valid"
    )
    assert caught.value.exit_status == 1  # not the input's fault (2)


def with_column(path: Path, name: str, values: list[str]) -> None:
    """Append a column to a CSV file: its name, then one value per data line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{lines[0]},{name}", *(f"{line},{value}" for line, value in zip(lines[1:], values, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_cites_sources_and_translations_may_be_given(data_copy):
    # tiny-c repeats tiny-b, which repeats tiny-a: a chain of two
    with_column(data_copy / "sources.csv", "cites", ["", "tiny-a", "tiny-b"])
    with_column(data_copy / "timeline.csv", "event_es", ["Se abre un puerto", "", "Un ferri"])
    loaded = load_dataset(data_copy)
    assert list(loaded.sources["cites"]) == ["", "tiny-a", "tiny-b"]
    assert list(loaded.sources["figures_by"]) == ["", "", ""]  # left out: reads as empty
    assert list(loaded.timeline["event_es"]) == ["Se abre un puerto", "", "Un ferri"]


def test_a_misspelt_translation_column_is_refused(data_copy):
    with_column(data_copy / "timeline.csv", "evnt_es", ["a", "b", "c"])
    problem = only_problem(data_copy)
    assert (problem.line, problem.column, problem.message) == (1, "evnt_es", "is not a column of this file")


@pytest.mark.parametrize(
    ("cites", "expected"),
    [
        (
            ["", "tiny-x", ""],
            [(3, "'tiny-x' is not a source_id listed in sources.csv")],
        ),
        (
            ["", "", "tiny-c"],
            [(4, "'tiny-c' is the row's own source_id: a source cannot repeat itself")],
        ),
        (
            ["tiny-b", "tiny-a", ""],
            [
                (2, "'tiny-b' makes a cycle of citations (tiny-a → tiny-b → tiny-a; line 3)"),
                (3, "'tiny-a' makes a cycle of citations (tiny-b → tiny-a → tiny-b; line 2)"),
            ],
        ),
        (  # a cycle of three, and a row outside it that leads into it (not itself in error)
            ["tiny-b", "tiny-c", "tiny-a"],
            [
                (2, "(tiny-a → tiny-b → tiny-c → tiny-a; line 3, line 4)"),
                (3, "(tiny-b → tiny-c → tiny-a → tiny-b; line 4, line 2)"),
                (4, "(tiny-c → tiny-a → tiny-b → tiny-c; line 2, line 3)"),
            ],
        ),
        (["", "bad id!", ""], [(3, "'bad id!' is not a source_id")]),
        (  # a leads into the cycle of b and c: not itself in error
            ["tiny-b", "tiny-c", "tiny-b"],
            [
                (3, "'tiny-c' makes a cycle of citations (tiny-b → tiny-c → tiny-b; line 4)"),
                (4, "'tiny-b' makes a cycle of citations (tiny-c → tiny-b → tiny-c; line 3)"),
            ],
        ),
    ],
)
def test_cites_must_name_another_source_without_a_cycle(data_copy, cites, expected):
    with_column(data_copy / "sources.csv", "cites", cites)
    found = problems_in(data_copy)
    assert [(p.line, p.column) for p in found] == [(line, "cites") for line, _ in expected]
    for problem, (_, words) in zip(found, expected, strict=True):
        assert words in problem.message, problem.message


def test_a_line_may_leave_off_optional_columns_at_its_end(data_copy):
    with_column(data_copy / "sources.csv", "cites", ["", "", ""])
    with_column(data_copy / "sources.csv", "note_es", ["", "", "sin dirección"])
    # a new source typed with the eight columns of the contract's core, as the README shows
    with (data_copy / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("tiny-d,Fixture Desk,Desk notes,https://example.org/d,2024-01,2026-01-02,low,\n")
    loaded = load_dataset(data_copy)
    assert loaded.sources.set_index("source_id").loc["tiny-d", ["cites", "note_es"]].tolist() == ["", ""]


def test_a_line_may_not_leave_off_a_required_column(data_copy):
    with (data_copy / "fdi.csv").open("a", encoding="utf-8") as handle:
        handle.write("KOR,CHL,2024,12,9.5\n")  # source_id missing
    problem = only_problem(data_copy)
    assert (problem.line, problem.message) == (
        10,
        "has 5 fields where the header has 7: a value holding a comma must be quoted",
    )


# Hostile and meaningless input (issue 9) ---------------------------------------------------

TODAY = dt.date(2027, 6, 15)  # a day after every date in the fixture


@pytest.fixture
def today(monkeypatch):
    """Make the day of the build TODAY."""
    monkeypatch.setattr(contract, "today", lambda: TODAY, raising=False)
    return TODAY


@pytest.mark.parametrize(
    ("file", "line", "text", "where", "message"),
    [
        # numbers beyond float range, beyond what a float holds, beyond meaning
        (
            "fdi.csv",
            2,
            f"KOR,CHL,2019,12,{'9' * 400},tiny-a,",
            (2, "usd_millions"),
            f"'{'9' * 60}…' (340 more characters) is too large for US$ millions: at most 7 digits before the point"
            " (9999999 is about US$10 trillion, five times the world's largest year of FDI)",
        ),
        (
            "fdi.csv",
            2,
            "KOR,CHL,2019,12,12345678,tiny-a,",
            (2, "usd_millions"),
            "'12345678' is too large for US$ millions",
        ),
        (
            "fdi.csv",
            2,
            "KOR,CHL,2019,12,0.000000000000000000001,tiny-a,",
            (2, "usd_millions"),
            "'0.000000000000000000001' has more than 6 decimals: US$ millions are written to the dollar at most"
            " (6 decimals); round it as the source gave it",
        ),
        (
            "fdi.csv",
            2,
            "KOR,CHL,2019,12,1.1234567,tiny-a,",
            (2, "usd_millions"),
            "'1.1234567' has more than 6 decimals",
        ),
        # digits Python reads as numbers but a reader does not: they slipped past the year's range
        (
            "fdi.csv",
            2,
            "KOR,CHL,９９９９,12,12.5,tiny-a,",
            (2, "year"),
            "'９９９９' is not a year: write four digits 0-9",
        ),
        ("fdi.csv", 2, "KOR,CHL,2019,12,١٢.5,tiny-a,", (2, "usd_millions"), "'١٢.5' is not a number"),
        ("timeline.csv", 2, "０９０１-05,Treaty,diplomacy,tiny-c,", (2, "date"), "'０９０１-05' is not a date"),
        # dates after the day of the build
        (
            "sources.csv",
            3,
            "tiny-b,Fixture Review,Revised,,2205-05-06,2026-01-02,high,",
            (3, "published"),
            "'2205-05-06' is after today (2027-06-15): no source is published in the future; check the year",
        ),
        (
            "sources.csv",
            3,
            "tiny-b,Fixture Review,Revised,,2027-06-16,2027-06-15,high,",
            (3, "published"),
            "'2027-06-16' is after today (2027-06-15)",
        ),
        (
            "sources.csv",
            3,
            "tiny-b,Fixture Review,Revised,,2024-05-06,2027-06-16,high,",
            (3, "accessed"),
            "'2027-06-16' is after today (2027-06-15): no source is checked in the future; check the year",
        ),
        (
            "timeline.csv",
            2,
            "2027-07,Treaty,diplomacy,tiny-c,",
            (2, "date"),
            "'2027-07' is after today (2027-06-15): the timeline holds events that have happened; check the year",
        ),
        # ... and long before anything the report can date
        ("timeline.csv", 2, "1500-05,Treaty,diplomacy,tiny-c,", (2, "date"), "'1500-05' is before 1700"),
        ("timeline.csv", 2, "0001,Treaty,diplomacy,tiny-c,", (2, "date"), "'0001' is before 1700"),
        ("sources.csv", 4, "tiny-c,Archive,Dates,,1600,2026-01-02,low,", (4, "published"), "'1600' is before 1700"),
        # values that contradict one another
        (
            "sources.csv",
            4,
            "tiny-c,Archive,Dates,,2019-05,2019-04-30,low,",
            (4, "accessed"),
            "'2019-04-30' is before the source was published (2019-05): a source is checked after it is published",
        ),
        (
            "fdi.csv",
            2,
            "KOR,CHL,2027,12,12.5,tiny-a,",
            (2, "year"),
            "'2027' with months 12 is a period that ends on 2027-12-31, after today (2027-06-15): a figure is"
            " reported once its period is over",
        ),
        (
            "fdi.csv",
            2,
            "CHL,CHL,2019,12,12.5,tiny-a,",
            (2, "destination"),
            "'CHL' is also the origin: a country does not invest in itself",
        ),
        # a value too long to lay out
        (
            "timeline.csv",
            2,
            f"1901-05,{'x' * 2000},diplomacy,tiny-c,",
            (2, "event"),
            "is 2,000 characters long; at most 500: shorten it (a longer value makes the PDF slow to lay out)",
        ),
        ("sources.csv", 2, f"tiny-a,G,E,https://e.org/{'a' * 491},2020-03,2026-01-02,medium,", (2, "url"), "is 505"),
        # a row holding U+FFFD was left out of every check (and then failed to convert)
        ("fdi.csv", 2, "KOR,CHL,20x9,12,12.5,tiny-a,bad \ufffd", (2, "year"), "'20x9' is not a year"),
    ],
)
def test_values_beyond_meaning_are_refused(data_copy, today, file, line, text, where, message):
    set_line(data_copy / file, line, text)
    problem = only_problem(data_copy)
    assert (Path(problem.file).name, problem.line, problem.column) == (file, *where)
    assert message in problem.message, problem.message


@pytest.mark.parametrize(
    ("day", "months", "late"),
    [
        (dt.date(2027, 6, 30), "6", False),  # the half-year ends today: it is over
        (dt.date(2027, 6, 29), "6", True),  # ... and tomorrow
        (dt.date(2027, 6, 30), "7", True),
    ],
)
def test_a_period_is_over_on_its_last_day(data_copy, monkeypatch, day, months, late):
    monkeypatch.setattr(contract, "today", lambda: day)
    set_line(data_copy / "fdi.csv", 2, f"KOR,CHL,2027,{months},12.5,tiny-a,")
    assert [(p.line, p.column) for p in problems_in(data_copy)] == ([(2, "year")] if late else [])


def test_a_period_not_over_and_a_country_investing_in_itself(data_copy, today):
    set_line(data_copy / "fdi.csv", 2, "KOR,CHL,2027,12,12.5,tiny-a,")  # a full year 2027 is not over on TODAY
    set_line(data_copy / "fdi.csv", 3, "CHL,CHL,2019,12,12.5,tiny-a,")
    assert [(p.line, p.column) for p in problems_in(data_copy)] == [(2, "year"), (3, "destination")]


def test_the_limits_themselves_are_allowed(data_copy, today):
    set_line(data_copy / "fdi.csv", 2, "KOR,CHL,2019,12,9999999.999999,tiny-a,")
    set_line(data_copy / "fdi.csv", 3, "KOR,CHL,2027,5,-0000012.5,tiny-a,")  # May 2027 is over; leading zeros
    title = " ".join(["t" * contract.MAX_WORD_CHARS] * 10)[: contract.MAX_TEXT_CHARS]  # words as long as allowed
    set_line(data_copy / "sources.csv", 4, f"tiny-c,Archive,{title},,1700,2027-06-15,low,")
    set_line(data_copy / "timeline.csv", 2, "2027-06,Treaty,diplomacy,tiny-c,")  # this month: begun
    set_line(data_copy / "fdi.csv", 10, "KOR,CHL,1900,1,0.5,tiny-a,")  # the first year; one month
    loaded = load_dataset(data_copy)
    assert loaded.fdi[["year", "months"]].min().tolist() == [1900, 1]
    assert loaded.fdi.loc[0, "usd_millions"] == 9999999.999999 and loaded.fdi.loc[0, "decimals"] == 6
    assert loaded.fdi.loc[1, "usd_millions"] == -12.5


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("origin,destination\n".encode("utf-16"), None, "is saved as UTF-16: save it as CSV UTF-8"),
        ("origin,destination\n".encode("utf-16-be"), None, "is saved as UTF-16 (big-endian): save it as CSV UTF-8"),
        ("origin,destination\n".encode("utf-32"), None, "is saved as UTF-32: save it as CSV UTF-8"),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#" + bytes(200),
            None,
            "is not a text file (a spreadsheet such as .xlsx, an image, an archive?): save it as CSV",
        ),
        (random.Random(0).randbytes(5000), None, "is not a text file ("),
        (
            b"origin,destination,year,months,usd_millions,source_id,note\rKOR,CHL,2019,12,12.5,tiny-a,\r",
            None,
            "lines end with a carriage return alone (the line ends of classic Mac OS): save the file with LF or CRLF",
        ),
        (
            "origin,destination,year,months,usd_millions,source_id,note\nKOR,CHL,2019,12,12.5,tiny-a,Revisión\n".encode(
                "latin-1"
            ),
            2,
            "byte(s) F3 are not UTF-8 (the file looks saved as Windows-1252 or Latin-1): save it as CSV UTF-8",
        ),
    ],
)
def test_files_that_are_not_utf8_csv_text(data_copy, content, line, message):
    (data_copy / "fdi.csv").write_bytes(content)
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (line, None)
    assert str(problem).startswith(f"{data_copy}/fdi.csv{'' if line is None else f':{line}'}: {message}")


@pytest.mark.parametrize(
    ("line", "where", "message"),
    [
        (
            b"KOR,CHL,2019,12,12\x005,tiny-a,",
            (2, "usd_millions"),
            "holds a NUL byte (00), which no text holds (a damaged file, or one saved by a program as binary):"
            " remove it",
        ),
        (
            b"KOR,CHL,2019,12,12.5,tiny-a,a \x1b[2J note",
            (2, "note"),
            "holds the control character U+001B, which no text holds: remove it",
        ),
        (
            b"KOR,CHL,2019,12,12.5,tiny-a,a\rnote",
            (2, "note"),
            "holds a carriage return (CR) that ends no line: remove it, or save the file with LF or CRLF line ends",
        ),
        (  # a line with a quote is split by the csv module, which refuses a carriage return outside quotes
            b'KOR,C\rHL,2019,12,12.5,tiny-a,"a note"',
            (2, None),
            "holds a carriage return (CR) that ends no line: remove it, or save the file with LF or CRLF line ends",
        ),
        (
            b"KOR,CHL,2019,12,12.5,tiny-a,two\xef\xbb\xbffiles",
            (2, "note"),
            "holds a byte order mark (U+FEFF) inside the file (were two files joined?): remove it",
        ),
        (  # DEL, a control character, is no undecodable byte
            b"KOR,CHL,2019,12,12.5,tiny-a,a\x7fnote",
            (2, "note"),
            "holds the control character U+007F, which no text holds: remove it",
        ),
        (
            b'KOR,CHL,2019,12,12.5,tiny-a,"an open quote',
            (2, None),
            "a quoted value is not closed on this line (a value may not hold a line break): close the quote",
        ),
        (
            b'KOR,CHL,2019,12,12.5,tiny-a,"a" quote',
            (2, None),
            'a quoted value goes on after its closing quote: write a quote inside a quoted value as two ("")',
        ),
        (
            b"KOR,CHL," + b"x" * 300_000,
            (2, None),
            "the line is 300,008 characters long; at most 40,000: is a line break missing?",
        ),
    ],
)
def test_characters_and_lines_a_csv_file_does_not_hold(data_copy, line, where, message):
    lines = (data_copy / "fdi.csv").read_bytes().split(b"\n")
    lines[1] = line
    (data_copy / "fdi.csv").write_bytes(b"\n".join(lines))
    problem = only_problem(data_copy)
    assert (problem.line, problem.column, problem.message) == (*where, message)


def test_a_column_whose_name_holds_an_unwanted_character_is_named_with_a_replacement_character(data_copy):
    lines = (data_copy / "fdi.csv").read_text().split("\n")
    lines[0] = lines[0].replace(",note", ",No\x01te")
    (data_copy / "fdi.csv").write_text("\n".join(lines))
    assert located(data_copy) == [
        (1, "No\ufffdte", "holds the control character U+0001, which no text holds: remove it")
    ]


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("\x01KOR,CHL,2019,12,12.5,tiny-a,", (2, "origin")),  # at the start of its line: the first column
        ("KOR,CHL,2019,12,12.5,tiny-a,\x01note", (2, "note")),  # at the start of a value
        ("KOR,CHL,2019,12,12.5,tiny-a,x\x01\x02y", (2, "note")),  # two in one value: one problem
    ],
)
def test_an_unwanted_character_is_located_by_line_and_by_the_column_it_falls_in(data_copy, row, where):
    set_line(data_copy / "fdi.csv", 2, row)
    set_line(data_copy / "fdi.csv", 3, "KOR,CHL,2023,12,45.5,tiny-a,\x03")  # the lines after are still searched
    assert [(p.line, p.column) for p in problems_in(data_copy)][:2] == [where, (3, "note")]


def test_past_a_hundred_problems_in_a_file_the_rest_are_counted(data_copy):
    rows = "".join(f"KOR,CHL,{1900 + i},12,1,tiny-a,\x01\n" for i in range(103))  # lines 2-104
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n{rows}")
    found = [p for p in problems_in(data_copy) if p.file.endswith("fdi.csv")]
    assert [(p.line, p.column) for p in found[:100]] == [(line, "note") for line in range(2, 102)]
    assert len(found) == 101 and isinstance(found[100], errors.Omitted)
    assert (found[100].line, found[100].column, found[100].count, found[100].message) == (
        None,
        None,
        3,
        "3 more problems not listed: fix those above and validate again",
    )


def test_problems_past_the_cap_are_counted_not_kept(data_copy):
    # 10,000 lines of one field each, every one a problem: kept, they would take some 6 MiB; counted, the
    # memory held stays that of the file's lines, however many problems it has.
    load_dataset(data_copy)  # the libraries imported, and their caches filled, before measuring
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n" + "x\n" * 10_000)
    tracemalloc.start()
    try:
        found = problems_in(data_copy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found[-1].count == 10_000 - contract.MAX_PROBLEMS_PER_FILE
    assert peak < 2**20 * 3, f"{peak / 2**20:.1f} MiB held to validate 10,000 broken lines"


ROW = "KOR,CHL,2019,12,12.5,tiny-a,"
SHORTEN = "shorten it (a longer value makes the PDF slow to lay out)"


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (f"{FDI_HEADER}\n{ROW}\n{ROW.replace('2019', '2020')}", [2, 3]),  # no line break after the last row
        (f"{FDI_HEADER}\r\n{ROW}\r\n{ROW.replace('2019', '2020')}\r\n", [2, 3]),
        (f"{FDI_HEADER}\n\n{ROW}\n{ROW.replace('2019', '2020')}", [3, 4]),  # a blank second line
        (f"{FDI_HEADER}\n{ROW}\n , ,\n{ROW.replace('2019', '2020')}", [2, 4]),  # a line of blanks before the last
        (f"\n{FDI_HEADER}\n KOR, CHL ,2019,12,12.5,tiny-a,\n", [3]),  # values are stripped
    ],
)
def test_every_row_is_read_by_its_line_whether_or_not_the_file_ends_with_a_line_break(data_copy, text, lines):
    (data_copy / "fdi.csv").write_text(text)
    fdi = load_dataset(data_copy).fdi
    assert list(fdi["line"]) == lines and set(fdi["origin"]) == {"KOR"} and set(fdi["destination"]) == {"CHL"}


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize(("length", "where"), [(40_000, (2, "note")), (40_001, (2, None))])
def test_a_line_of_40000_characters_is_read_and_one_longer_is_not_whatever_its_line_end(
    data_copy, ending, length, where
):
    line = ROW + "x" * (length - len(ROW))  # the note, over 500 characters, is a problem of its column
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}{ending}{line}{ending}")
    assert [(p.line, p.column) for p in problems_in(data_copy)] == [where]


def test_a_line_too_long_after_the_header_is_passed_over_and_the_lines_after_are_read(data_copy):
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n{'x' * 40_001}\nKOR,CHL\nKOR,CHL,2019,12,x,tiny-a,\n")
    assert [(p.line, p.column, p.message) for p in problems_in(data_copy)] == [
        (2, None, "the line is 40,001 characters long; at most 40,000: is a line break missing?"),
        (3, None, "has 2 fields where the header has 7: a value holding a comma must be quoted"),
        (4, "usd_millions", "'x' is not a number: write US$ millions in digits 0-9, with a dot for decimals"),
    ]


@pytest.mark.parametrize("bad", ['KOR,"a" b', "KOR,CHL"])  # a CSV error; a count of fields
def test_past_a_hundred_problems_reading_a_file_the_rest_are_counted(data_copy, bad):
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n" + f"{bad}\n" * 103)  # lines 2-104
    found = [p for p in problems_in(data_copy) if p.file.endswith("fdi.csv")]
    assert [p.line for p in found[:100]] == list(range(2, 102))
    assert len(found) == 101 and (found[100].line, found[100].count) == (None, 3)


def test_a_file_of_blank_lines_and_commas_has_no_header(data_copy):
    (data_copy / "timeline.csv").write_text(",,,\n\n , \n")
    problem = only_problem(data_copy)
    assert (problem.file, problem.line, problem.column, problem.message) == (
        f"{data_copy}/timeline.csv",
        1,
        None,
        "the file is empty: expected the header date,event,category,source_id,note",
    )


def test_a_file_of_only_its_header_has_no_rows_of_every_type(data_copy):
    (data_copy / "fdi.csv").write_text(f"\n{FDI_HEADER}\n")
    fdi = load_dataset(data_copy).fdi
    assert len(fdi) == 0
    assert fdi.dtypes[["line", "year", "months", "usd_millions", "decimals"]].astype(str).tolist() == [
        *("int64", "int64", "int64", "float64", "int64")
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ",".join(f"c{i}" for i in range(65)),
            [(1, None, "the header has 65 columns; a file of the contract has at most 64")],
        ),
        (FDI_HEADER + ",note", [(1, "note", "appears twice in the header")]),
        (FDI_HEADER.replace(",", "|"), [(1, None, "fields are separated by vertical bars: separate them with commas")]),
    ],
)
def test_a_header_is_refused_when_too_wide_another_delimiter_or_naming_a_column_twice(data_copy, header, expected):
    (data_copy / "fdi.csv").write_text(f"{header}\n{ROW}\n")
    assert located(data_copy) == expected


def test_a_header_after_blank_lines_is_located_on_its_own_line(data_copy):
    text = (data_copy / "timeline.csv").read_text()
    (data_copy / "timeline.csv").write_text("\n\n" + text.replace("category", "kind", 1))
    assert located(data_copy) == [
        (3, "category", "is missing from the header"),
        (3, "kind", "is not a column of this file"),
    ]


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        pytest.param(  # a value too long leaves the other values of its row checked
            "fdi.csv",
            "KOR,CHL,20x9,12,12.5,tiny-a," + "n" * 501,
            [
                (2, "note", f"is 501 characters long; at most 500: {SHORTEN}"),
                (2, "year", "'20x9' is not a year: write four digits 0-9, such as 2024"),
            ],
            id="too-long-and-others",
        ),
        pytest.param(  # a value too long is one problem, whatever else it fails (no source_id listed)
            "fdi.csv",
            "KOR,CHL,2019,12,12.5," + "s" * 501 + ",",
            [(2, "source_id", f"is 501 characters long; at most 500: {SHORTEN}")],
            id="too-long-only",
        ),
        pytest.param(  # a value failing two checks (8 digits, 7 decimals) is one problem, of the first the model lists
            "fdi.csv",
            "KOR,CHL,2019,12,12345678.1234567,tiny-a,",
            [
                (
                    2,
                    "usd_millions",
                    "'12345678.1234567' is too large for US$ millions: at most 7 digits before the point"
                    " (9999999 is about US$10 trillion, five times the world's largest year of FDI)",
                )
            ],
            id="first-check-failed",
        ),
        pytest.param(  # an empty value is called empty
            "timeline.csv",
            "2020-03,Fixture deal,investment,,",
            [(2, "source_id", "(empty) is not a source_id: letters, digits, '.', '_' or '-'")],
            id="empty",
        ),
    ],
)
def test_one_problem_per_value_in_words_that_say_it(data_copy, file, text, expected):
    set_line(data_copy / file, 2, text)
    assert located(data_copy) == expected


@pytest.mark.parametrize(
    ("rows", "first_hundred"),
    [
        pytest.param(  # 99 problems on lines 2-100, then two on line 101: origin first in the model, months by name
            "".join(f"KOR,CHL,x{i:03},12,1.5,tiny-a,\n" for i in range(99)) + "XXX,CHL,2019,13,1.5,tiny-a,\n",
            [*((line, "year") for line in range(2, 101)), (101, "months")],
            id="by-line-then-by-column",
        ),
        pytest.param(  # a hundred values checked (lines 2-101), and a byte read (line 102) in a column named earlier
            "".join(f"X{i:02},CHL,2019,12,1.5,tiny-a,\n" for i in range(100)) + "KOR,C\x07HL,2019,12,1.5,tiny-a,\n",
            [(line, "origin") for line in range(2, 102)],
            id="whatever-found-them",
        ),
    ],
)
def test_the_hundred_problems_listed_are_the_first_by_line(data_copy, rows, first_hundred):
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n" + rows)
    found = problems_in(data_copy)
    assert [(p.line, p.column) for p in found[:100]] == first_hundred
    assert str(found[100]) == f"{data_copy}/fdi.csv: 1 more problem not listed: fix those above and validate again"


def test_a_quote_left_open_is_reported_on_its_line_and_the_lines_after_are_still_checked(data_copy):
    set_line(data_copy / "timeline.csv", 2, '1901-05,"Fixture treaty signed,diplomacy,tiny-c,')
    set_line(data_copy / "timeline.csv", 4, "2021,Fixture ferry opens,transport,nowhere,")
    assert [(p.line, p.column) for p in problems_in(data_copy)] == [(2, None), (4, "source_id")]


def test_a_header_too_wide_is_refused_without_checking_its_columns(data_copy):
    header = ",".join(f"c{i}" for i in range(100))
    (data_copy / "timeline.csv").write_text(f"{header}\n" + ",".join(["x"] * 100) + "\n")
    assert messages(data_copy) == [
        f"{data_copy}/timeline.csv:1: the header has 100 columns; a file of the contract has at most 64"
    ]


@pytest.mark.parametrize(
    ("bad_rows", "last"),
    [(101, "1 more problem not listed"), (102, "2 more problems not listed"), (250, "150 more problems not listed")],
)
def test_past_a_hundred_problems_the_rest_are_counted_in_words_that_agree_with_it(data_copy, bad_rows, last):
    rows = "".join(f"KOR,CHL,20x9,12,{i}.5,tiny-a,\n" for i in range(bad_rows))
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n" + rows)
    with pytest.raises(DataValidationError) as caught:
        load_dataset(data_copy)
    found = caught.value.problems
    assert len(found) == 101 and caught.value.count == bad_rows
    assert str(caught.value).startswith(f"{bad_rows} problems in the data:\n")  # the unlisted ones counted
    assert [p.line for p in found[:100]] == list(range(2, 102))
    assert str(found[-1]) == f"{data_copy}/fdi.csv: {last}: fix those above and validate again"


def test_repeated_rows_are_found_in_a_large_file(data_copy):
    rows = "KOR,CHL,2019,12,1.5,tiny-a,\n" * contract.MAX_ROWS["fdi.csv"]
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n" + rows)
    with pytest.raises(DataValidationError) as caught:
        load_dataset(data_copy)
    assert caught.value.count == contract.MAX_ROWS["fdi.csv"] - 1
    assert str(caught.value.problems[0]).endswith(
        "fdi.csv:3: repeats line 2 (origin KOR, destination CHL, year 2019, months 12, source_id tiny-a): one source"
        " reports a period once"
    )


@pytest.mark.parametrize(
    ("count", "loop", "lines"),
    [  # six sources are all named; of seven, the first five and a count of the rest
        (6, "s0 → s1 → s2 → s3 → s4 → s5 → s0", "line 3, line 4, line 5, line 6, line 7"),
        (7, "s0 → s1 → s2 → s3 → s4 → … 2 more → s0", "line 3, line 4, line 5, line 6, line 7, line 8"),
    ],
)
def test_a_cycle_of_citations_names_up_to_six_sources(data_copy, count, loop, lines):
    rows = [f"s{i},P,T,,2020,2026-01-02,low,,s{(i + 1) % count}" for i in range(count)]
    (data_copy / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,trust,note,cites\n"
        + "\n".join(rows)
        + "\ntiny-a,P,T,,2020,2026-01-02,low,,\ntiny-b,P,T,,2020,2026-01-02,low,,\ntiny-c,P,T,,2020,2026-01-02,low,,\n"
    )
    first = problems_in(data_copy)[0]
    assert (first.line, first.column) == (2, "cites")
    assert first.message == (
        f"'s1' makes a cycle of citations ({loop}; {lines}): an echo must end at a source that reports on its own"
    )


def test_a_malformed_citation_ends_the_walk_so_no_cycle_is_made_through_it(data_copy):
    path = data_copy / "sources.csv"
    path.write_text(
        path.read_text().replace(
            "source_id,publisher,title,url,published,accessed,trust,note",
            "source_id,publisher,title,url,published,accessed,trust,note,cites",
        )
        + "tiny-x,P,T,,2020,2026-01-02,low,,b c\n"  # line 5 cites a malformed id
        + "b c,P,T,,2020,2026-01-02,low,,tiny-x\n"  # line 6 has it, and cites line 5 back
    )
    assert located(data_copy) == [
        (5, "cites", "'b c' is not a source_id: letters, digits, '.', '_' or '-' (or empty)"),
        (6, "source_id", "'b c' is not a source_id: letters, digits, '.', '_' or '-'"),
    ]


def test_a_cycle_of_the_most_sources_is_named_by_a_few_of_them(data_copy):
    count = contract.MAX_ROWS["sources.csv"] - 3  # with the three sources the other files cite
    rows = [f"s{i},P,T,,2020,2026-01-02,low,,s{i + 1}" for i in range(count)]
    rows[-1] = rows[-1].rsplit(",", 1)[0] + ",s0"  # and the last cites the first: one cycle of them all
    (data_copy / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,trust,note,cites\n"
        + "\n".join(rows)
        + "\ntiny-a,P,T,,2020,2026-01-02,low,,\ntiny-b,P,T,,2020,2026-01-02,low,,\ntiny-c,P,T,,2020,2026-01-02,low,,\n"
    )
    with pytest.raises(DataValidationError) as caught:
        load_dataset(data_copy)
    first = caught.value.problems[0]
    assert (first.line, first.column) == (2, "cites")
    assert first.message == (
        f"'s1' makes a cycle of citations (s0 → s1 → s2 → s3 → s4 → … {count - 5:,} more → s0; line 3, line 4,"
        f" line 5, line 6, line 7, … {count - 6:,} more): an echo must end at a source that reports on its own"
    )
    assert caught.value.count == count


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: shutil.rmtree(d), "folder not found"),
        (
            lambda d: shutil.rmtree(d) or d.write_text("x"),
            "is a file, not a folder: give the folder that holds fdi.csv, sources.csv, timeline.csv (the data_dir)",
        ),
        (
            lambda d: shutil.rmtree(d) or d.symlink_to(d),
            "is a symbolic link loop (the link leads back to itself): point it at the real file or folder (ls -l shows"
            " where it leads)",
        ),
    ],
)
def test_a_data_folder_that_is_not_one(data_copy, make, message):
    make(data_copy)
    [found] = messages(data_copy)  # one problem, the folder's
    assert found.startswith(f"{data_copy}: {message}")


def test_a_relative_data_folder_that_loops(tmp_path, monkeypatch):
    loop = config.PROJECT_ROOT / "reports" / f"loop-{tmp_path.name}"
    loop.parent.mkdir(exist_ok=True)
    loop.symlink_to(loop.name)
    try:
        [problem] = problems_in(loop.relative_to(config.PROJECT_ROOT))
    finally:
        loop.unlink()
    assert str(problem).startswith(f"reports/{loop.name}: is a symbolic link loop")


@pytest.mark.parametrize("name", ["fdi.csv", "sources.csv"])
def test_a_data_file_that_is_a_pipe_or_a_device(data_copy, name):
    (data_copy / name).unlink()
    os.mkfifo(data_copy / name)
    assert messages(data_copy)[0].startswith(f"{data_copy}/{name}: is a named pipe (FIFO), not a regular file")
    (data_copy / name).unlink()
    (data_copy / name).symlink_to("/dev/zero")
    assert messages(data_copy)[0].startswith(f"{data_copy}/{name}: is a device, not a regular file")


def test_a_data_file_over_the_size_limit(data_copy, monkeypatch):
    monkeypatch.setenv("ANALYSIS_MAX_INPUT_MIB", "0.001")  # 1,048 bytes; the fixture's files are under 400
    set_line(data_copy / "fdi.csv", 10, f"JPN,CHL,2022,12,1.5,tiny-b,{'n' * 400}")
    set_line(data_copy / "fdi.csv", 11, f"JPN,CHL,2021,12,1.5,tiny-b,{'n' * 400}")
    assert messages(data_copy) == [
        f"{data_copy}/fdi.csv: is larger than 1,048 bytes, the most a file may hold: split it, or set"
        " ANALYSIS_MAX_INPUT_MIB to a larger size in MiB (such as ANALYSIS_MAX_INPUT_MIB=64)"
    ]


def test_out_of_file_descriptors_is_a_system_limit_not_bad_data(data_copy, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(errors.SystemLimitError) as caught:
        load_dataset(data_copy)
    assert "too many open files" in str(caught.value) and "ulimit -n 4096" in str(caught.value)


def test_translations_and_citations_are_checked_like_any_text(data_copy):
    with_column(data_copy / "timeline.csv", "event_es", ["x" * 501, "", "Un ferri"])
    with_column(data_copy / "sources.csv", "cites", ["", "tiny-a\x07", "tiny-b"])
    assert [(Path(p.file).name, p.line, p.column) for p in problems_in(data_copy)] == [
        ("sources.csv", 3, "cites"),
        ("timeline.csv", 2, "event_es"),
    ]


def test_a_sources_file_without_its_source_id_column(data_copy):
    # the references to it cannot be checked: a traceback (KeyError) before, found by test_properties
    text = (data_copy / "sources.csv").read_text()
    (data_copy / "sources.csv").write_text(text.replace("source_id,", "SOURCE_ID,", 1))
    assert [(Path(p.file).name, p.line, p.column, p.message) for p in problems_in(data_copy)] == [
        ("sources.csv", 1, "SOURCE_ID", "is not a column of this file"),
        ("sources.csv", 1, "source_id", "is missing from the header"),
    ]


def test_a_repeated_row_names_the_line_it_repeats_on_every_key_column(data_copy):
    # Line 10 repeats line 4 (KOR into CHL, 2023, 12 months, tiny-b). Lines 2 and 3 share the
    # origin, destination and months with it, line 3 its year too, line 5 its source: none of them
    # is the row it repeats.
    set_line(data_copy / "fdi.csv", 10, "KOR,CHL,2023,12,51.0,tiny-b,")
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (10, None)
    assert problem.message == (
        "repeats line 4 (origin KOR, destination CHL, year 2023, months 12, source_id tiny-b): "
        "one source reports a period once"
    )


@pytest.mark.parametrize(
    "row",
    [
        "KOR,CHL,2023,12,51.0,tiny-c,",  # line 4's period from another source
        "KOR,CHL,2024,12,51.0,tiny-b,",  # line 4's source, another year
        "KOR,CHL,2023,9,51.0,tiny-b,",  # another period length
        "JPN,CHL,2019,12,51.0,tiny-a,",  # line 2's year and source, another origin
        "KOR,MEX,2019,12,51.0,tiny-a,",  # ... another destination
    ],
)
def test_a_row_differing_from_every_other_in_one_key_column_is_no_repeat(data_copy, row):
    set_line(data_copy / "fdi.csv", 10, row)
    assert messages(data_copy) == []


# claims.csv: the optional fourth file -----------------------------------------------------

CLAIMS_HEADER = "claim_id,origin,destination,base_year,target_year,months,base,target,multiple,quote,source_id"
CLAIM = 'kor-4x,KOR,CHL,2019,2023,12,12.5,50.0,4,"rose from 12.5 to 50.0, four times",tiny-b'


def with_claims(folder: Path, *lines: str) -> None:
    """Write claims.csv: its header, then these lines."""
    (folder / "claims.csv").write_text("\n".join([CLAIMS_HEADER, *lines]) + "\n", encoding="utf-8")


def test_a_folder_without_claims_has_none_and_that_is_no_problem(data_copy):
    assert problems_in(data_copy) == []  # the tiny fixture has no claims.csv
    loaded = load_dataset(data_copy)
    assert loaded.claims.empty
    assert set(loaded.claims.columns) == {
        *("claim_id", "origin", "destination", "base_year", "target_year", "months"),
        *("base", "base_decimals", "target", "target_decimals", "multiple", "multiple_decimals"),
        *("quote", "source_id", "line"),
    }
    assert set(loaded.checksums) == {f"{data_copy}/{name}" for name in ("fdi.csv", "sources.csv", "timeline.csv")}


def test_claims_load_typed_in_file_order_with_their_checksum(data_copy):
    with_claims(data_copy, CLAIM, 'second,KOR,CHL,2019,2023,12,12,45.50,,"from 12 to 45.50",tiny-a')
    loaded = load_dataset(data_copy)
    expected = pd.DataFrame(
        {
            "claim_id": ["kor-4x", "second"],
            "origin": ["KOR", "KOR"],
            "destination": ["CHL", "CHL"],
            "base_year": [2019, 2019],
            "target_year": [2023, 2023],
            "months": [12, 12],
            "base": [12.5, 12.0],
            "base_decimals": [1, 0],  # digits after the point, as written: "12" has none
            "target": [50.0, 45.5],
            "target_decimals": [1, 2],  # "45.50" has two
            "multiple": [4.0, float("nan")],  # empty: the claim states none
            "multiple_decimals": [0, 0],
            "quote": ["rose from 12.5 to 50.0, four times", "from 12 to 45.50"],
            "source_id": ["tiny-b", "tiny-a"],
            "line": [2, 3],
        }
    )
    assert_frame_equal(loaded.claims, expected, check_dtype=False, check_like=True)
    assert loaded.claims.dtypes[["base_year", "base", "base_decimals", "multiple"]].astype(str).tolist() == [
        "int64",
        "float64",
        "int64",
        "float64",
    ]
    digest = hashlib.sha256((data_copy / "claims.csv").read_bytes()).hexdigest()
    assert loaded.checksums[f"{data_copy}/claims.csv"] == f"sha256:{digest}"


@pytest.mark.parametrize(
    ("line", "where", "message"),
    [
        ('kor 4x,KOR,CHL,2019,2023,12,12.5,50.0,4,"q",tiny-b', "claim_id", "'kor 4x' is not a claim_id"),
        ('bad,Korea,CHL,2019,2023,12,12.5,50.0,4,"q",tiny-b', "origin", "'Korea' is not an ISO 3166-1 alpha-3"),
        ('bad,KOR,XXX,2019,2023,12,12.5,50.0,4,"q",tiny-b', "destination", "'XXX' is not an ISO 3166-1 alpha-3"),
        ('bad,KOR,CHL,19,2023,12,12.5,50.0,4,"q",tiny-b', "base_year", "'19' is not a year"),
        ('bad,KOR,CHL,2019,2999,12,12.5,50.0,4,"q",tiny-b', "target_year", "'2999' is out of range"),
        ('bad,KOR,CHL,2019,2023,13,12.5,50.0,4,"q",tiny-b', "months", "'13' is outside 1-12"),
        ('bad,KOR,CHL,2019,2023,12,abc,50.0,4,"q",tiny-b', "base", "'abc' is not a number"),
        ('bad,KOR,CHL,2019,2023,12,12.5,"1,250.0",4,"q",tiny-b', "target", "'1,250.0' has a thousands separator"),
        (
            'bad,KOR,CHL,2019,2023,12,1,250.0,50.0,4,"q",tiny-b',
            "base",
            "'1,250.0' has a thousands separator (it splits the line into an extra field)",
        ),
        ('bad,KOR,CHL,2019,2023,12,12.5,50.0,1.1234567,"q",tiny-b', "multiple", "is too large or too precise"),
        ('bad,KOR,CHL,2019,2023,12,12.5,50.0,four,"q",tiny-b', "multiple", "'four' is not a multiple"),
        ('bad,KOR,CHL,2019,2023,12,12.5,50.0,0,"q",tiny-b', "multiple", "'0' is not above zero"),
        ('bad,KOR,CHL,2019,2023,12,12.5,50.0,-4,"q",tiny-b', "multiple", "'-4' is not above zero"),
        ("bad,KOR,CHL,2019,2023,12,12.5,50.0,4,,tiny-b", "quote", "(empty) is empty: give the claim's words"),
        (
            'bad,KOR,CHL,2019,2023,12,12.5,50.0,4,"q",tiny-z',
            "source_id",
            "'tiny-z' is not a source_id listed in sources.csv",
        ),
        # values that contradict one another
        (
            'bad,KOR,CHL,2023,2019,12,12.5,50.0,4,"q",tiny-b',
            "base_year",
            "'2023' is not before target_year (2019): a claim of growth compares a period with a later one",
        ),
        ('bad,KOR,CHL,2019,2019,12,12.5,50.0,4,"q",tiny-b', "base_year", "'2019' is not before target_year (2019)"),
        ('bad,CHL,CHL,2019,2023,12,12.5,50.0,4,"q",tiny-b', "destination", "'CHL' is also the origin"),
        (
            'bad,KOR,CHL,2019,2023,12,0,50.0,,"q",tiny-b',
            "multiple",
            "(empty) with a base of 0: target ÷ base is no multiple where the base is zero or below;"
            " write the multiple the claim states",
        ),
    ],
)
def test_each_problem_of_a_claim_is_located_by_file_line_and_column(data_copy, line, where, message):
    with_claims(data_copy, CLAIM, line)  # the bad claim on line 3
    problem = only_problem(data_copy)
    assert (Path(problem.file).name, problem.line, problem.column) == ("claims.csv", 3, where)
    assert message in problem.message, problem.message
    assert str(problem).startswith(f"{data_copy}/claims.csv:3: column {where}: ")


def test_a_claim_id_is_unique(data_copy):
    with_claims(data_copy, CLAIM, CLAIM.replace("12.5", "12.0"))
    assert located(data_copy) == [(3, "claim_id", "'kor-4x' is also on line 2: each must be unique")]


def test_a_claim_stating_a_multiple_may_have_a_base_of_zero_or_below(data_copy):
    # a claim of "4 times" from nothing is wrong, but it is what the claim says: the verdict judges it
    with_claims(data_copy, 'k,KOR,CHL,2019,2023,12,0,50.0,4,"q",tiny-b', 'm,KOR,CHL,2019,2023,12,-2,50.0,4,"q",tiny-b')
    assert load_dataset(data_copy).claims["base"].tolist() == [0.0, -2.0]


def test_a_comma_in_an_unquoted_quote_is_not_taken_for_a_thousands_separator(data_copy):
    # base 2 and target 800 would read as "2,800", but then the multiple would be 4 and the quote
    # "In 2019": the line is one field too long because of the quote's comma
    with_claims(data_copy, "k,KOR,CHL,2019,2023,12,2,800,4,In 2019, they said,tiny-b")
    assert located(data_copy) == [
        (2, None, "has 12 fields where the header has 11: a value holding a comma must be quoted")
    ]


def test_a_claim_of_a_period_not_over(data_copy, today):
    with_claims(data_copy, 'k,KOR,CHL,2019,2027,12,12.5,50.0,4,"q",tiny-b')
    assert located(data_copy) == [
        (
            2,
            "target_year",
            "'2027' with months 12 is a period that ends on 2027-12-31, after today (2027-06-15): a figure is"
            " reported once its period is over",
        )
    ]


def test_an_empty_claims_file_is_a_problem_not_an_absence(data_copy):
    (data_copy / "claims.csv").write_text("", encoding="utf-8")
    assert located(data_copy) == [(1, None, f"the file is empty: expected the header {CLAIMS_HEADER}")]


def test_a_quote_may_carry_translations_named_after_it(data_copy):
    with_claims(data_copy, CLAIM)
    with_column(data_copy / "claims.csv", "quote_es", ["pasó de 12.5 a 50.0"])
    assert load_dataset(data_copy).claims["quote_es"].tolist() == ["pasó de 12.5 a 50.0"]
    with_claims(data_copy, CLAIM)
    with_column(data_copy / "claims.csv", "quotes_es", ["pasó de 12.5 a 50.0"])
    assert located(data_copy) == [(1, "quotes_es", "is not a column of this file")]


def test_problems_in_claims_are_listed_with_the_others_and_validate_exits_2(data_copy, capsys):
    from analysis.cli import main

    set_line(data_copy / "fdi.csv", 2, "KOR,CHL,2019,14,12.5,tiny-a,")
    with_claims(
        data_copy, 'k,KOR,CHL,2023,2019,12,12.5,50.0,4,"q",tiny-b', 'm,KOR,CHL,2019,2023,12,12.5,50.0,4,"q",tiny-q'
    )
    assert main(["validate", str(data_copy)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{data_copy}/claims.csv:2: column base_year: '2023' is not before target_year (2019): a claim of growth"
        " compares a period with a later one",
        f"{data_copy}/claims.csv:3: column source_id: 'tiny-q' is not a source_id listed in sources.csv",
        f"{data_copy}/fdi.csv:2: column months: '14' is outside 1-12 (months counted from January; 12 = full year)",
        "3 problems in the data; nothing was built.",
    ]


BIDI_CONTROLS = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u061c": "ARABIC LETTER MARK",
}


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_a_character_that_reorders_the_text_after_it_is_refused_where_it_is(data_copy, char):
    # shown, "a note \u202eetareggaxe ton\u202c" reads as "a note not exaggerate": the file says otherwise
    lines = (data_copy / "fdi.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = f"KOR,CHL,2019,12,12.5,tiny-a,a note {char}etareggaxe ton"
    (data_copy / "fdi.csv").write_text("\n".join(lines), encoding="utf-8")
    problem = only_problem(data_copy)
    assert (problem.line, problem.column, problem.message) == (
        2,
        "note",
        f"holds the bidirectional control character U+{ord(char):04X} ({BIDI_CONTROLS[char]}), which changes the"
        " order the text around it is shown in: remove it",
    )


@pytest.mark.parametrize(("file", "column"), [("timeline.csv", "event"), ("sources.csv", "title")])
def test_a_bidirectional_control_is_refused_in_every_file(data_copy, file, column):
    path = data_copy / file
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    values = next(csv.reader([lines[1]]))
    values[header.index(column)] = "Fixture \u2067text\u2069"
    lines[1] = ",".join(f'"{v}"' for v in values)
    path.write_text("\n".join(lines), encoding="utf-8")
    assert [(p.line, p.column) for p in problems_in(data_copy)] == [(2, column)]


# What a build lays out is bounded: rows per file, and words ---------------------------------------


def fdi_rows(count: int) -> str:
    """Rows of fdi.csv with distinct keys: one origin a row, each year, from tiny-a."""
    origins = sorted(contract.iso_alpha3() - {"CHL"})
    return "".join(f"{origins[i % len(origins)]},CHL,{1990 + i // len(origins)},12,1.5,tiny-a,\n" for i in range(count))


@pytest.mark.parametrize("file", sorted(contract.MAX_ROWS))
def test_the_projects_data_is_well_within_the_most_rows(file):
    rows = len((config.DATA_DIR / file).read_text(encoding="utf-8").splitlines()) - 1
    assert rows <= contract.MAX_ROWS[file] // 2  # room to grow, twice over at least


def test_a_file_of_the_most_rows_is_read_and_one_more_is_refused_where_it_is(data_copy):
    most = contract.MAX_ROWS["fdi.csv"]
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n" + fdi_rows(most), encoding="utf-8")
    assert problems_in(data_copy) == []
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n" + fdi_rows(most + 1000), encoding="utf-8")
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (most + 2, None)  # the header, then the rows allowed
    assert problem.message == (
        f"is row {most + 1:,} of {most + 1000:,}: fdi.csv holds at most {most:,} rows (what a build lays out grows"
        " with them): keep the rows the reports need, or split the data into folders of their own"
    )


def test_blank_lines_are_not_rows(data_copy):
    most = contract.MAX_ROWS["fdi.csv"]
    (data_copy / "fdi.csv").write_text(f"{FDI_HEADER}\n\n" + fdi_rows(most) + "\n\n", encoding="utf-8")
    assert problems_in(data_copy) == []


def test_a_word_longer_than_the_layout_takes_is_refused_where_it_is(data_copy):
    longest = contract.MAX_WORD_CHARS
    lines = (data_copy / "fdi.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = f"KOR,CHL,2019,12,12.5,tiny-a,a note with {'x' * longest} in it"
    (data_copy / "fdi.csv").write_text("\n".join(lines), encoding="utf-8")
    assert problems_in(data_copy) == []
    lines[1] = f"KOR,CHL,2019,12,12.5,tiny-a,a note with {'x' * (longest + 1)} in it"
    (data_copy / "fdi.csv").write_text("\n".join(lines), encoding="utf-8")
    problem = only_problem(data_copy)
    assert (problem.line, problem.column) == (2, "note")
    assert problem.message == (
        f"holds a word of {longest + 1} characters ('{'x' * 30}…' ({longest + 1 - 30} more characters)); at most"
        f" {longest} between spaces: put spaces in it, or shorten it (a longer word makes the PDF slow to lay out)"
    )


def test_an_address_is_not_held_to_the_length_of_a_word(data_copy):
    path = data_copy / "sources.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("https://example.org/a", "https://example.org/a/" + "p" * 300), encoding="utf-8")
    assert problems_in(data_copy) == []
