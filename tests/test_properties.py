"""Property-based tests: generated data folders and params files, valid-looking and hostile.

The contract, for any input:

- the data load, and then the frames keep the contract's invariants (types, ranges, every
  source_id known, dates not after the build's day, no repeats, no cycle of citations) and
  `metrics.select_figures` gives one row per period present; or
- they raise `DataValidationError` (exit status 2) and every problem reads, on one line,
  ``FILE:LINE: column COLUMN: what is wrong``, or ``FILE:LINE: what is wrong`` where no column
  applies (a whole line), or ``FILE: what is wrong`` where no line does (the whole file, or the
  count of problems not listed); FILE is one of the three files or the folder, LINE a line of it,
  COLUMN a column of its header;
- nothing else is raised (no traceback), and each example finishes within the deadline.

Params files and ``-p`` values likewise: the values resolve to their declared types, or
`ParameterError` lists problems as ``FILE:LINE: parameter NAME: what is wrong``,
``FILE:LINE: what is wrong`` or ``FILE: what is wrong`` (``-p: parameter NAME: ...`` for an
override), followed by the list of valid parameters.

These run in process, the command line's too (`analysis.cli.main`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis import _config as config
from analysis import _metrics as metrics
from analysis import cli, contract
from analysis._load import load_dataset
from analysis._params import (
    check_against_data,
    describe,
    notebook_parameters,
    parse_override,
    read_yaml,
    resolve,
)
from analysis.errors import DataValidationError, ParameterError

TINY = Path(__file__).parent / "fixtures" / "tiny"
SPECS = notebook_parameters(config.DEFAULT_NOTEBOOK)
DEADLINE = timedelta(seconds=20)  # a hang, not a slow machine: an example takes well under a second
SETTINGS = {
    "deadline": DEADLINE,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "derandomize": True,
}
# HYPOTHESIS_PROFILE=dev (the quick tier) caps every property test at a few examples; `make
# mutate` caps them with ANALYSIS_MAX_EXAMPLES (bench/mutate.py sets it).
settings.register_profile("dev", max_examples=15)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "")
if PROFILE:
    settings.load_profile(PROFILE)
CAP = int(os.environ.get("ANALYSIS_MAX_EXAMPLES") or 0) or (settings.default.max_examples if PROFILE == "dev" else 0)


def examples(wanted: int) -> int:
    """Return ``wanted``, or the cap a mutation run sets if it is lower."""
    return min(wanted, CAP) if CAP else wanted


# The three forms of a located message (see the module's docstring). FILE holds no ": ".
LOCATED = re.compile(
    r"^(?P<file>[^\n]+?)(?::(?P<line>[1-9][0-9]*))?(?:: column (?P<column>[^\n]+?))?: (?P<message>\S[^\n]*)$"
)
PARAMETER = re.compile(
    r"^(?:(?P<file>[^\n]+?)(?::(?P<line>[1-9][0-9]*))?|-p)(?:: parameter (?P<name>[^\n]+?))?: (?P<message>\S[^\n]*)$"
)
MAX_MESSAGE = 1200  # characters: every value a message quotes is cut to 60

# Generated parts of a data folder ----------------------------------------------------------

IDS = ["s1", "s2", "s3", "tiny-a"]
COUNTRIES = ["RUS", "MEX", "KOR", "CHL", "USA"]
hostile_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(["\x00", "\r", "\x1b", '"', ",", "\n", "\ufeff", "\ufffd"]),
    max_size=12,
)
long_text = st.integers(490, 2000).map(lambda n: "x" * n)
clean_text = st.text(st.characters(codec="ascii", categories=["L", "N", "Zs"]), max_size=20).map(str.strip)


def numbers(clean: bool):
    valid = st.integers(0, 6).flatmap(
        lambda places: st.decimals(-9999999, 9999999, places=places, allow_nan=False, allow_infinity=False)
    ).map(lambda d: format(d, "f")) | st.sampled_from(["0", "2.8", "86.4", "-21", "0.000001", "9999999.999999"])
    if clean:
        return valid
    return (
        valid
        | st.sampled_from(
            [
                "1e400",
                "9" * 400,
                "0." + "0" * 30 + "1",
                "1,234.5",
                "12345678",
                "１２",
                "٣",
                "",
                "abc",
                "1.1234567",
                "-0",
                "+5",
                ".5",
                "5.",
            ]
        )
        | hostile_text
    )


def years(clean: bool):
    valid = st.integers(1990, 2024).map(str)
    return valid if clean else valid | st.integers(0, 9999).map(str) | st.sampled_from(["２０２４", "20x9", "19", ""])


def months(clean: bool):
    valid = st.integers(1, 12).map(str)
    return valid if clean else valid | st.sampled_from(["0", "13", "9.5", "99", "", "٩"])


def dates(clean: bool, day_only: bool = False):
    days = st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31))
    valid = days.map(dt.date.isoformat)
    if not day_only:
        valid = valid | days.map(lambda d: d.isoformat()[:7]) | days.map(lambda d: d.isoformat()[:4])
    if clean:
        return valid
    return (
        valid
        | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
        | st.sampled_from(
            ["2205-05-06", "2025-02-30", "2025-13", "1500", "03/02/1999", "", "２０２４-01-01", "2024-1-1"]
        )
    )


def texts(clean: bool):
    return clean_text if clean else clean_text | hostile_text | long_text


def ids(clean: bool):
    return st.sampled_from(IDS) if clean else st.sampled_from([*IDS, "", "bad id!", "unknown-id", "x" * 600])


@st.composite
def data_folder(draw):
    """Three files of text, each row made of valid parts or, in hostile examples, of anything."""
    clean = draw(st.booleans())
    translation = draw(st.sampled_from(["", "es", "fr"]))

    sources_columns = [
        "source_id",
        "publisher",
        "title",
        "url",
        "published",
        "accessed",
        "trust",
        "note",
        "cites",
        "figures_by",
    ]
    if translation:
        sources_columns.append(f"note_{translation}")
    sources = []
    for source_id in IDS:
        published = draw(dates(clean))
        accessed = draw(dates(clean, day_only=True))
        if clean:  # checked after publication
            accessed = max(accessed, contract.first_day(published).isoformat())
        row = {
            "source_id": source_id if clean else draw(st.sampled_from([source_id, source_id, "", "dup", "bad id!"])),
            "publisher": draw(texts(clean)) or "P",
            "title": draw(texts(clean)) or "T",
            "url": draw(
                st.sampled_from(["", "https://example.org/a"]) | (st.just("ftp://x") if not clean else st.nothing())
            ),
            "published": published,
            "accessed": accessed,
            "trust": draw(st.sampled_from(contract.TRUST_LEVELS) | (st.just("certain") if not clean else st.nothing())),
            "note": draw(texts(clean)),
            # in hostile examples, cycles and self-citations too; clean ones cite an earlier source
            "cites": draw(st.sampled_from(["", *IDS] if not clean else ["", *IDS[: IDS.index(source_id)]])),
            "figures_by": draw(texts(clean)),
        }
        if translation:
            row[f"note_{translation}"] = draw(texts(clean))
        sources.append(row)

    fdi_columns = ["origin", "destination", "year", "months", "usd_millions", "source_id", "note"]
    if translation and draw(st.booleans()):
        fdi_columns.append(f"note_{translation}")
    fdi = []
    for _ in range(draw(st.integers(1, 8))):
        origin = draw(st.sampled_from([*COUNTRIES, "WLD"]) | (hostile_text if not clean else st.nothing()))
        destinations = [c for c in COUNTRIES if c != origin] if clean else COUNTRIES  # no country into itself
        destination = draw(
            st.sampled_from(destinations) | (st.sampled_from(["WLD", "Mexico"]) if not clean else st.nothing())
        )
        row = {
            "origin": origin,
            "destination": destination,
            "year": draw(years(clean)),
            "months": draw(months(clean)),
            "usd_millions": draw(numbers(clean)),
            "source_id": draw(ids(clean)),
            "note": draw(texts(clean)),
            f"note_{translation}": draw(texts(clean)),
        }
        key = tuple(row[c] for c in [*contract.FDI_KEY, "source_id"])
        if not clean or key not in {tuple(r[c] for c in [*contract.FDI_KEY, "source_id"]) for r in fdi}:
            fdi.append(row)  # clean examples report a period once per source

    timeline_columns = ["date", "event", "category", "source_id", "note"]
    if translation:
        timeline_columns += [f"event_{translation}", f"note_{translation}"]
    timeline = [
        {
            "date": draw(dates(clean)),
            "event": draw(texts(clean)) or "E",
            "category": draw(
                st.sampled_from(contract.CATEGORIES) | (st.just("economy") if not clean else st.nothing())
            ),
            "source_id": draw(ids(clean)),
            "note": draw(texts(clean)),
            f"event_{translation}": draw(texts(clean)),
            f"note_{translation}": draw(texts(clean)),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    files = {
        "sources.csv": write_csv(draw, sources_columns, sources, clean),
        "fdi.csv": write_csv(draw, fdi_columns, fdi, clean),
        "timeline.csv": write_csv(draw, timeline_columns, timeline, clean),
    }
    return clean, files


def write_csv(draw, columns, rows, clean):
    """CSV text as a spreadsheet writes it, or, in hostile examples, broken in one of many ways."""
    header = list(columns)
    if not clean and draw(st.integers(0, 9)) == 0:
        header = draw(
            st.sampled_from([header[:-1], [*header, "extra"], [*header, header[0]], [h.upper() for h in header]])
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        values = [row.get(c, "") for c in columns]
        if not clean and draw(st.integers(0, 9)) == 0:
            values = draw(st.sampled_from([values[:-1], [*values, "x"], [",".join(values)]]))
        writer.writerow(values)
    text = out.getvalue()
    if clean:
        return draw(st.sampled_from(["utf-8", "utf-8-sig"])), text.replace("\n", draw(st.sampled_from(["\n", "\r\n"])))
    mangle = draw(st.integers(0, 14))
    if mangle == 0:
        text = text.replace("\n", "\r")
    elif mangle == 1:
        text = text.replace(",", ";")
    elif mangle == 2:
        text = text.replace('"', "", 1)
    elif mangle == 3:
        text = ""
    return draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "utf-16-le", "latin-1", "utf-32"])), text


def write_folder(folder: Path, files) -> None:
    for name, (encoding, text) in files.items():
        (folder / name).write_bytes(text.encode(encoding, errors="replace"))


def assert_located(problem_lines: list[str], folder: Path, files) -> None:
    headers = {}
    for name, (_, text) in files.items():
        first = text.replace("\r", "\n").split("\n", 1)[0]
        try:
            headers[name] = {cell.strip() for cell in next(csv.reader([first]), [])}
        except csv.Error:
            headers[name] = set()
    for line in problem_lines:
        assert len(line) <= MAX_MESSAGE, line[:200]
        match = LOCATED.match(line)
        assert match, f"not a located message: {line!r}"
        shown = match["file"]
        assert shown == str(folder) or shown in {f"{folder}/{name}" for name in files}, line
        if match["line"]:
            name = shown.rsplit("/", 1)[-1]
            count = max(files[name][1].count("\n"), files[name][1].count("\r")) + 1
            assert int(match["line"]) <= count, line
        if match["column"]:
            name = shown.rsplit("/", 1)[-1]
            known = set(contract.OPTIONAL_COLUMNS[name]) | headers[name]
            known |= {"origin", "destination", "year", "months", "usd_millions", "source_id", "note"}
            known |= {"publisher", "title", "url", "published", "accessed", "trust", "date", "event", "category"}
            assert match["column"] in known or "…" in match["column"] or "\\x" in match["column"], line


def assert_consistent(data) -> None:
    today = contract.today()
    fdi, sources, timeline = data.fdi, data.sources, data.timeline
    assert fdi["year"].dtype == "int64" and fdi["months"].dtype == "int64" and fdi["usd_millions"].dtype == "float64"
    assert fdi["year"].between(contract.FIRST_YEAR, today.year).all()
    assert fdi["months"].between(1, 12).all()
    assert all(math.isfinite(v) and abs(v) < 10**contract.USD_INTEGER_DIGITS for v in fdi["usd_millions"])
    assert fdi["decimals"].between(0, contract.USD_DECIMALS).all()
    assert set(fdi["origin"]) <= contract.iso_alpha3() | {"WLD"} and set(fdi["destination"]) <= contract.iso_alpha3()
    assert (fdi["origin"] != fdi["destination"]).all()
    assert all(contract.period_end(y, m) <= today for y, m in zip(fdi["year"], fdi["months"], strict=True))
    known = set(sources["source_id"])
    assert sources["source_id"].is_unique
    assert set(fdi["source_id"]) <= known and set(timeline["source_id"]) <= known
    assert not fdi.duplicated([*contract.FDI_KEY, "source_id"]).any()
    assert (sources["published_on"].dt.date <= today).all() and (sources["published_on"].dt.year >= 1700).all()
    assert all(
        contract.first_day(a) >= p.date() for a, p in zip(sources["accessed"], sources["published_on"], strict=True)
    )
    assert set(sources["trust"]) <= set(contract.TRUST_LEVELS)
    cites = dict(zip(sources["source_id"], sources["cites"], strict=True))
    for source in cites:  # every chain of echoes ends at a source that reports on its own
        seen, current = set(), source
        while cites.get(current):
            assert current not in seen
            seen.add(current)
            current = cites[current]
    assert timeline["when"].is_monotonic_increasing
    assert (timeline["when"].dt.date <= today).all() and (timeline["year"] >= 1700).all()
    assert set(timeline["category"]) <= set(contract.CATEGORIES)
    for frame in (fdi, sources, timeline):
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype).startswith("str"):
                for value in frame[column]:
                    assert len(value) <= contract.MAX_TEXT_CHARS and not re.search("[\x00-\x08\x0b-\x1f\x7f]", value)
    chosen = metrics.select_figures(fdi, sources)
    periods = fdi[contract.FDI_KEY].drop_duplicates()
    assert len(chosen) == len(periods)
    assert set(map(tuple, chosen[contract.FDI_KEY].to_numpy())) == set(map(tuple, periods.to_numpy()))


@settings(max_examples=examples(60), **SETTINGS)
@given(data_folder())
def test_any_data_folder_loads_consistently_or_is_refused_with_located_messages(example):
    clean, files = example
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_folder(folder, files)
        try:
            data = load_dataset(folder)
        except DataValidationError as error:
            event("refused")
            # a clean example is valid by construction: refusing it is a false alarm
            assert not clean, [str(p) for p in error.problems]
            assert error.problems and error.exit_status == 2
            assert_located([str(p) for p in error.problems], folder, files)
            return
        event("loaded")
        assert_consistent(data)


# Params files ------------------------------------------------------------------------------

NAMES = [*SPECS, "target_yaer", "Origin", "1", ""]
scalars = (
    st.integers(-(10**40), 10**40)
    | st.sampled_from([2019, 2023, 12, 6, 0, 13])
    | st.floats(allow_nan=True)
    | st.booleans()
    | st.none()
    | st.text(max_size=20)
    | st.sampled_from(["KOR", "CHL", "RUS", "tiny-a", "tiny-b", "x" * 600])
    | st.dates()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


TYPED = {
    "str": st.text(max_size=30) | st.sampled_from(["KOR", "CHL", "RUS", "es", "tiny-a"]),
    "int": st.integers(-(10**6), 10**6) | st.sampled_from([2019, 2023, 2022, 12, 6]),
    "float": st.floats(-1e6, 1e6),
    "bool": st.booleans(),
    "list[str]": st.lists(st.sampled_from(["tiny-a", "tiny-b", "tiny-z"]) | st.text(max_size=8), max_size=4),
}
typed_mapping = st.fixed_dictionaries(
    {}, optional={name: TYPED[spec.type_name] for name, spec in SPECS.items() if name != "data_dir"}
)


@st.composite
def params_text(draw):
    mapping = draw(typed_mapping | st.dictionaries(st.sampled_from(NAMES), values, max_size=6))
    text = yaml.safe_dump(mapping, allow_unicode=True) if mapping else ""
    hostile = draw(st.integers(0, 9))
    if hostile == 0:
        text += draw(st.sampled_from(NAMES[:4])) + ": again\n"  # a key given twice (or once)
    elif hostile == 1:
        text = "a: &a [x, x]\nb: [*a, *a]\n" + text
    elif hostile == 2:
        text += "title: " + "[" * draw(st.integers(1, 3000)) + "\n"
    elif hostile == 3:
        text = draw(st.text(max_size=60))
    elif hostile == 4:
        text += "target_year: " + "9" * draw(st.integers(20, 6000)) + "\n"
    elif hostile == 5:
        text += "title: 2024-02-30\n<<: {origin: X}\n"
    return text


def assert_parameter_lines(problems: list[str], shown: str) -> None:
    located = problems[: problems.index("Valid parameters:")] if "Valid parameters:" in problems else problems
    if "Valid parameters:" in problems:
        assert "\n".join(problems[len(located) + 1 :]) == describe(SPECS)
    assert located
    for line in located:
        assert len(line) <= MAX_MESSAGE, line[:200]
        match = PARAMETER.match(line)
        assert match and match["file"] in (None, shown, "-p"), f"not a located message: {line!r}"


TINY_DATA = load_dataset(TINY)


@settings(max_examples=examples(150), **SETTINGS)
@given(params_text(), st.lists(st.tuples(st.sampled_from(NAMES), st.text(max_size=30)), max_size=3))
def test_any_params_file_resolves_to_typed_values_or_is_refused_with_located_messages(text, overrides):
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "v.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            mapping, lines = read_yaml(path)
            resolved = resolve(SPECS, [(path, mapping, lines)], overrides)
        except ParameterError as error:
            event("refused")
            assert error.exit_status == 2
            assert_parameter_lines(error.problems, str(path))
            return
    event("resolved")
    assert set(mapping) == set(lines)
    for spec in SPECS.values():
        value = resolved[spec.name]
        expected = {"str": str, "int": int, "float": float, "bool": bool, "list[str]": list}[spec.type_name]
        assert isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if isinstance(value, str) and spec.name not in ("data_dir", "compare_with"):
            assert len(value) <= contract.MAX_TEXT_CHARS
    resolved["data_dir"] = str(TINY)
    for problem in check_against_data(resolved, TINY_DATA):
        assert len(problem) <= MAX_MESSAGE
        assert re.match(rf"parameter ({'|'.join(SPECS)})\b", problem), problem


@settings(max_examples=examples(100), **SETTINGS)
@given(
    st.sampled_from(list(SPECS.values())),
    st.text(max_size=40) | st.sampled_from(["[&a x, *a]", "[" * 500, "9" * 5000, "2024-02-30"]),
)
def test_any_override_is_a_value_or_the_text_itself(spec, text):
    value = parse_override(spec, text)
    if spec.type_name == "str":
        assert value == text  # text parameters take the text as it is
    try:
        resolved = resolve(SPECS, [], [(spec.name, text)])
    except ParameterError as error:
        assert_parameter_lines(error.problems, "-p")
        return
    accepted = {"str": str, "int": int, "bool": bool, "list[str]": list}[spec.type_name]
    assert isinstance(resolved[spec.name], accepted) and not (accepted is int and isinstance(resolved[spec.name], bool))


# Through the command line ------------------------------------------------------------------


@settings(max_examples=examples(10), **SETTINGS)
@given(data_folder())
def test_validate_exits_0_or_2_with_located_lines_and_no_traceback(example):
    _, files = example
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_folder(folder, files)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(["validate", str(folder)])
    if status == 0:
        assert err.getvalue() == "" and out.getvalue().startswith(f"{folder}: valid: ")
        return
    assert status == 2, err.getvalue()
    *lines, last = err.getvalue().splitlines()
    assert re.fullmatch(r"[0-9]+ problems? in the data; nothing was built\.", last), last
    assert_located(lines, folder, files)
