"""Loading and validation: the good fixture, and one broken copy of it per class of problem."""

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis import config, load
from analysis.errors import DataValidationError
from analysis.load import load_dataset, problems_in

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture
def data(tmp_path):
    """A writable copy of the tiny fixture."""
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    return folder


def set_line(path: Path, number: int, text: str) -> None:
    """Replace a line, or add it after the last one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines += [""] * (number - len(lines))
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def messages(folder):
    return [str(p) for p in problems_in(folder)]


def only_problem(folder):
    found = problems_in(folder)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_the_good_fixture_loads_typed(data):
    loaded = load_dataset(data)
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
    assert_frame_equal(loaded.fdi.head(2), expected, check_dtype=False)
    assert loaded.fdi["year"].dtype == "int64" and loaded.fdi["usd_millions"].dtype == "float64"
    assert loaded.fdi.set_index("line").loc[9, "decimals"] == 0  # "700"
    assert list(loaded.timeline["precision"]) == ["month", "day", "year"]
    assert str(loaded.sources.set_index("source_id").loc["tiny-a", "published_on"].date()) == "2020-03-01"
    assert set(loaded.checksums) == {f"{data}/fdi.csv", f"{data}/sources.csv", f"{data}/timeline.csv"}


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
        ("fdi.csv", 7, "WLD,CHL,2019,12,1,250.0,tiny-a,", (7, "usd_millions"), "'1,250.0' has a thousands separator"),
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
def test_each_class_of_problem_is_located(data, file, line, text, where, words):
    set_line(data / file, line, text)
    problem = only_problem(data)
    assert (Path(problem.file).name, problem.line, problem.column) == (file, *where)
    assert words in problem.message
    assert str(problem).startswith(f"{data}/{file}:{line}: ")


def test_a_missing_column(data):
    rows = [
        line.rsplit(",", 2)[0] + "," + line.rsplit(",", 1)[1] for line in (data / "fdi.csv").read_text().splitlines()
    ]
    (data / "fdi.csv").write_text("\n".join(rows) + "\n")  # drops source_id
    problem = only_problem(data)
    assert (problem.line, problem.column) == (1, "source_id")
    assert "missing from the header" in problem.message


def test_an_extra_column(data):
    rows = [f"{line},x" for line in (data / "timeline.csv").read_text().splitlines()]
    rows[0] = rows[0].replace(",x", ",extra")
    (data / "timeline.csv").write_text("\n".join(rows) + "\n")
    problem = only_problem(data)
    assert (problem.line, problem.column) == (1, "extra")
    assert "is not a column of this file" in problem.message


def test_the_note_column_may_be_left_out(data):
    rows = [line.rsplit(",", 1)[0] for line in (data / "timeline.csv").read_text().splitlines()]
    (data / "timeline.csv").write_text("\n".join(rows) + "\n")
    # the event with a note held a comma-free note: dropping the last field drops the note only
    assert problems_in(data) == []
    assert set(load_dataset(data).timeline["note"]) == {""}


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff"])
def test_an_empty_file(data, content):
    (data / "timeline.csv").write_text(content, encoding="utf-8")
    problem = only_problem(data)
    assert (problem.line, problem.column) == (1, None)
    assert "the file is empty: expected the header date,event,category,source_id,note" in problem.message


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_the_wrong_delimiter(data, delimiter, name):
    text = (data / "sources.csv").read_text().replace(",", delimiter)
    (data / "sources.csv").write_text(text)
    found = problems_in(data)
    assert str(found[0]) == f"{data}/sources.csv:1: fields are separated by {name}: separate them with commas"
    # with sources.csv unreadable, the references to it are not reported as problems too
    assert len(found) == 1


def test_undecodable_bytes_are_located_by_line_and_column(data):
    raw = (data / "sources.csv").read_bytes().replace(b"Fixture Review", "Fixture Revisión".encode("latin-1"))
    (data / "sources.csv").write_bytes(raw)
    problem = only_problem(data)
    assert (problem.line, problem.column) == (3, "publisher")
    assert "byte(s) F3 are not UTF-8" in problem.message


def test_a_utf8_byte_order_mark_is_fine(data):
    path = data / "fdi.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems_in(data) == []
    assert load_dataset(data).fdi.columns[0] == "origin"


def test_a_missing_file(data):
    (data / "timeline.csv").unlink()
    problem = only_problem(data)
    assert str(problem) == f"{data}/timeline.csv: file not found"


def test_every_problem_in_every_file_at_once(data):
    set_line(data / "fdi.csv", 2, "Korea,CHL,20x9,13,12,5,tiny-a,")
    set_line(data / "fdi.csv", 8, "WLD,CHL,2023,12,2000.0,tiny-q,")
    set_line(data / "timeline.csv", 3, "1999-02-31,Event,economy,tiny-c,")
    set_line(data / "sources.csv", 4, "tiny-c,Fixture Archive,Dates,ftp://x,2019,2026-01-02,low,")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(data)
    found = [(Path(p.file).name, p.line, p.column) for p in caught.value.problems]
    assert found == [
        ("fdi.csv", 2, None),  # 8 fields: the stray comma hides the rest of the line
        ("fdi.csv", 8, "source_id"),
        ("sources.csv", 4, "url"),
        ("timeline.csv", 3, "category"),
        ("timeline.csv", 3, "date"),
    ]
    assert str(caught.value).startswith("5 problems in the data:\n")


def with_column(path: Path, name: str, values: list[str]) -> None:
    """Append a column to a CSV file: its name, then one value per data line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{lines[0]},{name}", *(f"{line},{value}" for line, value in zip(lines[1:], values, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_cites_sources_and_translations_may_be_given(data):
    # tiny-c repeats tiny-b, which repeats tiny-a: a chain of two
    with_column(data / "sources.csv", "cites", ["", "tiny-a", "tiny-b"])
    with_column(data / "timeline.csv", "event_es", ["Se abre un puerto", "", "Un ferri"])
    loaded = load_dataset(data)
    assert list(loaded.sources["cites"]) == ["", "tiny-a", "tiny-b"]
    assert list(loaded.sources["figures_by"]) == ["", "", ""]  # left out: reads as empty
    assert list(loaded.timeline["event_es"]) == ["Se abre un puerto", "", "Un ferri"]


def test_a_misspelt_translation_column_is_refused(data):
    with_column(data / "timeline.csv", "evnt_es", ["a", "b", "c"])
    problem = only_problem(data)
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
    ],
)
def test_cites_must_name_another_source_without_a_cycle(data, cites, expected):
    with_column(data / "sources.csv", "cites", cites)
    found = problems_in(data)
    assert [(p.line, p.column) for p in found] == [(line, "cites") for line, _ in expected]
    for problem, (_, words) in zip(found, expected, strict=True):
        assert words in problem.message, problem.message


def test_a_line_may_leave_off_optional_columns_at_its_end(data):
    with_column(data / "sources.csv", "cites", ["", "", ""])
    with_column(data / "sources.csv", "note_es", ["", "", "sin dirección"])
    # a new source typed with the eight columns of the contract's core, as the README shows
    with (data / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("tiny-d,Fixture Desk,Desk notes,https://example.org/d,2024-01,2026-01-02,low,\n")
    loaded = load_dataset(data)
    assert loaded.sources.set_index("source_id").loc["tiny-d", ["cites", "note_es"]].tolist() == ["", ""]


def test_a_line_may_not_leave_off_a_required_column(data):
    with (data / "fdi.csv").open("a", encoding="utf-8") as handle:
        handle.write("KOR,CHL,2024,12,9.5\n")  # source_id missing
    problem = only_problem(data)
    assert (problem.line, problem.message) == (
        10,
        "has 5 fields where the header has 7: a value holding a comma must be quoted",
    )


# A repeated row: the same source reporting one period twice -----------------------------------


def test_a_repeated_row_names_the_line_it_repeats_on_every_key_column(data):
    # Line 10 repeats line 4 (KOR into CHL, 2023, 12 months, tiny-b). Lines 2 and 3 share the
    # origin, destination and months with it, line 3 its year too, line 5 its source: none of them
    # is the row it repeats.
    set_line(data / "fdi.csv", 10, "KOR,CHL,2023,12,51.0,tiny-b,")
    problem = only_problem(data)
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
def test_a_row_differing_from_every_other_in_one_key_column_is_no_repeat(data, row):
    set_line(data / "fdi.csv", 10, row)
    assert messages(data) == []


# The validation token: the kernel trusts a validation made by the build --------------------------


def test_the_token_is_a_sha256_over_the_contracts_code_and_the_sorted_checksums(monkeypatch):
    monkeypatch.setattr(load, "_contract_digest", lambda: b"contract code")
    checksums = {"data/fdi.csv": "sha256:bb", "data/sources.csv": "sha256:aa", "data/timeline.csv": "sha256:cc"}
    expected = hashlib.sha256(b"contract code" + b"sha256:aa" + b"sha256:bb" + b"sha256:cc").hexdigest()
    assert load.validation_token(checksums) == "sha256:" + expected
    assert load.validation_token(dict(reversed(checksums.items()))) == "sha256:" + expected  # any order
    # another version of the code that decides validity vouches for nothing this one validated
    monkeypatch.setattr(load, "_contract_digest", lambda: b"contract code, changed")
    assert load.validation_token(checksums) != "sha256:" + expected


@pytest.mark.parametrize("module", ["contract.py", "schema.py", "load.py"])
def test_a_change_to_the_code_that_decides_validity_changes_every_token(tmp_path, monkeypatch, module):
    package = tmp_path / "analysis"
    shutil.copytree(Path(load.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    checksums = {"data/fdi.csv": "sha256:aa"}
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    load._contract_digest.cache_clear()
    try:
        token = load.validation_token(checksums)
        with (package / module).open("a") as handle:
            handle.write("\n")  # one byte more
        load._contract_digest.cache_clear()
        assert load.validation_token(checksums) != token
    finally:
        load._contract_digest.cache_clear()


@pytest.fixture
def validation_counted(monkeypatch):
    """Count the pandera validations load_dataset runs."""
    runs = []
    real = load._validate

    def counting(*args, **kwargs):
        runs.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "_validate", counting)
    monkeypatch.delenv(load.VALIDATED_ENV, raising=False)
    return runs


def test_a_token_for_these_bytes_is_accepted_and_skips_validation(data, validation_counted):
    checked = load_dataset(data)
    assert len(validation_counted) == 3  # once per file
    token = load.validation_token(checked.checksums)
    trusted = load_dataset(data, trust=token)
    assert len(validation_counted) == 3  # not again
    assert_frame_equal(trusted.fdi, checked.fdi)
    assert_frame_equal(trusted.sources, checked.sources)
    assert_frame_equal(trusted.timeline, checked.timeline)


def test_the_token_is_taken_from_the_environment(data, validation_counted, monkeypatch):
    token = load.validation_token(load_dataset(data).checksums)
    monkeypatch.setenv(load.VALIDATED_ENV, token)
    load_dataset(data)
    assert len(validation_counted) == 3  # only the first load validated
    monkeypatch.setenv(load.VALIDATED_ENV, "sha256:0")
    load_dataset(data)
    assert len(validation_counted) == 6


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("fdi.csv", b"12.5", b"12.6"),
        ("sources.csv", b"2026-01-02", b"2026-01-03"),
        ("timeline.csv", b"ferry", b"ferri"),
    ],
)
def test_a_changed_byte_changes_the_token_and_is_validated_again(data, validation_counted, name, old, new):
    token = load.validation_token(load_dataset(data).checksums)
    path = data / name
    path.write_bytes(path.read_bytes().replace(old, new, 1))
    changed = load_dataset(data, trust=token)  # the old token vouches for other bytes: validated again
    assert len(validation_counted) == 6
    assert load.validation_token(changed.checksums) != token


def test_a_token_does_not_vouch_for_broken_bytes(data, validation_counted):
    token = load.validation_token(load_dataset(data).checksums)
    set_line(data / "fdi.csv", 2, "KOR,CHL,2019,12,12.5.0,tiny-a,")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(data, trust=token)
    assert [str(p) for p in caught.value.problems] == [
        f"{data}/fdi.csv:2: column usd_millions: '12.5.0' is not a number: write US$ millions with a dot for decimals"
    ]
