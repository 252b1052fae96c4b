"""Parameters: declared by the notebook, given in params files and with -p, refused before any kernel starts.

The contract: `analysis build` exits 2 and lists every problem at once, each located
(``FILE:LINE: parameter NAME: what is wrong``, or ``-p: ...``), with bounded time and messages
whatever the file holds; checks against the data name what would be valid.
"""

import ast
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import FIXTURE_PARAMETERS

from analysis import _config as config
from analysis._load import load_dataset
from analysis._params import check_against_data, notebook_parameters, read_yaml
from analysis.cli import main

TINY = Path(__file__).parent / "fixtures" / "tiny"
SPECS = notebook_parameters(config.DEFAULT_NOTEBOOK)
DEFAULTS = {spec.name: spec.default for spec in SPECS.values()}
DECIMAL = "write a whole number in decimal digits 0-9, at most 30 of them"
ANCHORS = "a params file may not use anchors or aliases (&name, *name); write each value out"


def refused(tmp_path, capsys, *args) -> list[str]:
    """Run ``analysis build ARGS`` in process: exit 2, nothing written, the problems (file paths as v.yaml)."""
    out = tmp_path / "out"
    assert main(["build", "--out", str(out), *map(str, args)]) == 2
    assert not out.exists() or not any(out.iterdir())  # nothing built, nothing written
    err = capsys.readouterr().err.replace(str(tmp_path / "v.yaml"), "v.yaml").splitlines()
    return err[: err.index("Valid parameters:")] if "Valid parameters:" in err else err


def params(tmp_path, content) -> Path:
    path = tmp_path / "v.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_the_parameters_cell_reads_as_papermill_reads_it():
    import papermill

    inspected = papermill.inspect_notebook(str(config.DEFAULT_NOTEBOOK))
    assert list(inspected) == list(SPECS)
    for name, spec in SPECS.items():
        assert inspected[name]["inferred_type_name"] == spec.type_name
        assert ast.literal_eval(inspected[name]["default"]) == spec.default
        assert inspected[name]["help"] == spec.help


def test_the_project_params_files_read_and_the_default_one_holds_the_notebook_defaults():
    assert (DEFAULTS["origin"], DEFAULTS["base_year"], DEFAULTS["prefer_sources"]) == ("RUS", 2022, [])
    for path in sorted(config.PARAMS_DIR.glob("*.yaml")):
        values, lines = read_yaml(path)
        assert set(values) == set(lines) and values["origin"] == "RUS", path
    values, _ = read_yaml(config.DEFAULT_PARAMS)
    assert values == {name: str(DEFAULTS[name]) if name != "prefer_sources" else [] for name in values}


def test_every_problem_of_a_params_file_and_of_p_is_listed_at_once_located(tmp_path, capsys):
    path = params(tmp_path, "origin: RUS\ntarget_yaer: 2025\nmonths: nine\nprefer_sources: gw2ru\n")
    err = refused(tmp_path, capsys, path, "-p", "nope", "1", "-p", "base_year", "true")
    assert err == [
        "v.yaml:2: parameter target_yaer: unknown name",
        f"v.yaml:3: parameter months: expected int, got 'nine' (str): {DECIMAL}",
        "v.yaml:4: parameter prefer_sources: expected list[str], got 'gw2ru' (str)",
        "-p: parameter nope: unknown name",
        f"-p: parameter base_year: expected int, got 'true' (str): {DECIMAL}",
    ]


def test_a_params_file_name_is_shown_escaped_as_a_data_file_name_is(tmp_path, capsys):
    path = tmp_path / "v\x1b[2J.yaml"  # an escape sequence that would clear the screen
    path.write_text("months: nine\nmonths: 9\n", encoding="utf-8")
    assert main(["build", "--out", str(tmp_path / "out"), str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{tmp_path}/v\\x1b[2J.yaml:2: parameter months: also given on line 1: give each parameter once"
    )


def test_the_valid_parameters_are_listed_after_the_problems(tmp_path, capsys):
    assert main(["build", "--out", str(tmp_path / "out"), "-p", "nope", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == ["-p: parameter nope: unknown name", "Valid parameters:"]
    assert [line.split()[0] for line in err[2:]] == list(SPECS)
    assert "target_year (int)" in err[2 + list(SPECS).index("target_year")]


def test_values_are_read_as_written_numbers_in_decimal(tmp_path):
    from analysis._params import resolve

    path = params(tmp_path, "months: 010\nbase_year: +2019\ntitle: 2024\nclaim: no\nprefer_sources: [a, b]\n")
    values = resolve(SPECS, [(path, *read_yaml(path))], [("target_year", "02025"), ("origin", "010")])
    assert (values["months"], values["base_year"], values["target_year"]) == (10, 2019, 2025)  # YAML 1.1: 8, 1041
    assert (values["title"], values["claim"], values["origin"]) == ("2024", "no", "010")  # text stays text
    assert values["prefer_sources"] == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("base_year", "0o17"),  # octal, as YAML 1.2 writes it
        ("months", "1_2"),  # 12 to YAML 1.1
        ("target_year", "1:00"),  # 60 to YAML 1.1: base 60
        ("target_year", "33:44:00"),  # 2024 to YAML 1.1
        ("base_year", "0x7e8"),  # 2024 to YAML 1.1
        ("base_year", "0b11111101000"),
        ("months", "9.0"),
        ("target_year", "1" + "0" * 30),  # 31 digits: more than any parameter takes
    ],
)
def test_a_whole_number_is_written_in_decimal_digits_or_refused_saying_what_to_write(tmp_path, capsys, name, text):
    assert refused(tmp_path, capsys, "-p", name, text) == [
        f"-p: parameter {name}: expected int, got '{text}' (str): {DECIMAL}"
    ]
    assert refused(tmp_path, capsys, params(tmp_path, f"{name}: {text}\n")) == [
        f"v.yaml:1: parameter {name}: expected int, got '{text}' (str): {DECIMAL}"
    ]


LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
title: *h
"""


def test_a_billion_laughs_is_refused_unexpanded_listing_ten_anchors_and_aliases(tmp_path, capsys):
    started = time.perf_counter()
    err = refused(tmp_path, capsys, params(tmp_path, LAUGHS))
    assert time.perf_counter() - started < 2
    assert err[:3] == [
        f"v.yaml:1: &a is a YAML anchor: {ANCHORS}",
        f"v.yaml:2: &b is a YAML anchor: {ANCHORS}",
        f"v.yaml:2: *a is a YAML alias: {ANCHORS}",
    ]
    # 8 anchors, 7 lines of 9 aliases and *h: 72, ten listed
    assert len(err) == 11 and err[-1] == "v.yaml: 62 more anchors and aliases not listed"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "origin: RUS\nmonths: 9\norigin: MEX\n",
            "v.yaml:3: parameter origin: also given on line 1: give each parameter once",
        ),
        ("origin: RUS\n'origin': MEX\n", "v.yaml:2: parameter origin: also given on line 1: give each parameter once"),
        ("<<: {origin: BRA}\nmonths: 9\n", "v.yaml:1: parameter <<: unknown name"),  # no merge keys: a name like any
        ("[a, b]: 1\n", "v.yaml:1: not valid YAML: while constructing a mapping, found unhashable key"),
        (
            "- origin\n- RUS\n",
            "v.yaml:1: expected a mapping of parameter names to values (such as 'origin: RUS'), found ['origin', 'RUS']",
        ),
        (
            "\n\njust text\n",
            "v.yaml:3: expected a mapping of parameter names to values (such as 'origin: RUS'), found 'just text'",
        ),
        (
            "origin: RUS\nmonths: [9\n",
            "v.yaml:3: not valid YAML: while parsing a flow sequence, expected ',' or ']', but got '<stream end>'",
        ),
        (
            "origin: RUS\n---\norigin: MEX\n",
            "v.yaml:2: not valid YAML: expected a single document in the stream, but found another document",
        ),
        (
            "origin: RUS\ntitle: \x07bell\n",
            "v.yaml:2: not valid YAML: holds the character U+0007, which YAML does not allow: remove it",
        ),
        ("origin: RUS\ntitle: [a, [b]]\n", "v.yaml:2: parameter title: expected str, got ['a', ['b']] (list)"),
        (
            "title: " + "[" * 20_000 + "\n",  # never closed
            "v.yaml:1: values are nested more than 8 levels deep: a parameter's value is a text, a number or a list of texts",
        ),
        (
            "title: " + "[" * 5000 + "]" * 5000 + "\n",
            "v.yaml:1: values are nested more than 8 levels deep: a parameter's value is a text, a number or a list of texts",
        ),
        (
            "target_year: " + "9" * 5000 + "\n",
            f"v.yaml:1: parameter target_year: expected int, got '{'9' * 60}…' (4,940 more characters) (str): {DECIMAL}",
        ),
        (
            'origin: RUS\ntitle: "A title \\udc80"\n',
            "v.yaml:2: parameter title: 'A title \\udc80' cannot be written as UTF-8",
        ),
        ("origin: RUS\n".encode("utf-16"), "v.yaml: is saved as UTF-16: save the file as UTF-8"),
        (
            "origin: RUS\ntitle: Revisión\n".encode("latin-1"),
            "v.yaml:2: byte(s) F3 are not UTF-8 (the file looks saved as Windows-1252 or Latin-1): save the file as UTF-8",
        ),
        (
            b"origin: RUS\n" + b"# padding\n" * 7000,
            "v.yaml: is larger than 64 KiB, the most a params file may hold: is it the right file?",
        ),
    ],
)
def test_what_a_params_file_may_not_hold_is_refused_where_it_is_in_bounded_time(tmp_path, capsys, content, expected):
    started = time.perf_counter()
    [problem] = refused(tmp_path, capsys, params(tmp_path, content))
    assert time.perf_counter() - started < 2
    assert problem.startswith(expected) and len(problem) < 400


def test_a_params_file_that_is_a_pipe_is_refused_without_blocking(tmp_path, capsys):
    os.mkfifo(tmp_path / "v.yaml")
    assert refused(tmp_path, capsys, tmp_path / "v.yaml") == [
        "v.yaml: is a named pipe (FIFO), not a regular file: give a params file saved on disk (a pipe or a device is not read)"
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("title", "t" * 100_000, f"'{'t' * 60}…' (99,940 more characters) is 100,000 characters long; at most 500"),
        ("data_dir", "d" * 5000, f"'{'d' * 60}…' (4,940 more characters) is 5,000 characters long; at most 4,096"),
        (
            "months",
            "[" + ", ".join(["x"] * 1000) + "]",
            "expected int, got ['x', 'x', 'x', 'x', 'x', … (995 more items)] (list)",
        ),
        ("prefer_sources", "[&a x, *a]", "expected list[str], got '[&a x, *a]' (str)"),  # an alias in -p stays text
        ("target_yaer" * 1000, "1", "unknown name"),
        (  # bytes that are not UTF-8 on the command line (-p title $'\xff'), as os.fsdecode reads them
            "title",
            "A title \udcff",
            "'A title \\udcff' cannot be written as UTF-8: U+DCFF is no character (bytes that are not UTF-8, read from"
            " the command line, or a \\u escape of half a pair): give the text as UTF-8",
        ),
        (
            "title",
            "Growth \u202e03 times",
            "'Growth \\u202e03 times' holds the bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE), which"
            " changes the order the text around it is shown in: remove it",
        ),
        (
            "prefer_sources",
            '[a, "\\u2066b"]',
            "'\\u2066b' holds the bidirectional control character U+2066 (LEFT-TO-RIGHT ISOLATE), which changes the"
            " order the text around it is shown in: remove it",
        ),
    ],
)
def test_a_value_that_cannot_be_laid_out_or_read_as_written_is_refused_in_a_bounded_message(
    tmp_path, capsys, name, text, message
):
    [problem] = refused(tmp_path, capsys, "-p", name, text)
    shown = name if len(name) < 60 else f"{name[:60]}… ({len(name) - 60:,} more characters)"
    assert problem == f"-p: parameter {shown}: {message}"


def test_a_bool_parameter_takes_true_or_false_only(tmp_path):
    from analysis._params import resolve
    from analysis.errors import ParameterError

    notebook = tmp_path / "n.ipynb"
    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "draft: bool = False  # a draft\n"}
    notebook.write_text(json.dumps({"cells": [cell]}))
    specs = notebook_parameters(notebook)
    assert resolve(specs, [], [("draft", "true")]) == {"draft": True}
    with pytest.raises(ParameterError) as caught:
        resolve(specs, [], [("draft", "yes")])  # YAML 1.1's true
    assert caught.value.problems[0] == "-p: parameter draft: expected bool, got 'yes' (str): write true or false"


# Checked against the data ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base_year": 2023, "target_year": 2019}, "parameter base_year (2023) must come before target_year (2019)"),
        ({"target_year": 2021}, "parameter target_year 2021: "),
        ({"origin": "BRA"}, "parameter origin 'BRA': "),
        ({"destination": "PER"}, "parameter destination 'PER': "),
        ({"months": 9}, "parameter months 9: "),
        ({"prefer_sources": ["tiny-z"]}, "parameter prefer_sources: 'tiny-z' is not a source_id"),
        ({"lang": "fr"}, "parameter lang 'fr': the editions are en, es"),
    ],
)
def test_parameters_are_checked_against_the_data(changes, message):
    problems = check_against_data({**DEFAULTS, **FIXTURE_PARAMETERS, **changes}, load_dataset(TINY))
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_the_check_lists_what_would_be_valid():
    values = {**DEFAULTS, "origin": "KOR", "destination": "CHL", "base_year": 2019, "target_year": 2021}
    [problem] = check_against_data(values, load_dataset(TINY))
    assert problem.endswith("years with figures: 2019, 2023")
    values.update(origin="BRA", target_year=2023)
    [problem] = check_against_data(values, load_dataset(TINY))
    assert problem.endswith("origins with figures: JPN, KOR, WLD")
    values.update(origin="KOR", months=9)
    [problem] = check_against_data(values, load_dataset(TINY))
    assert problem.endswith("months with figures: 6, 12")


def test_unknown_preferred_sources_are_listed_ten_at_most():
    values = {**DEFAULTS, **FIXTURE_PARAMETERS, "prefer_sources": [f"z{i}" for i in range(25)]}
    problems = check_against_data(values, load_dataset(TINY))
    assert len(problems) == 11
    assert problems[-1] == "parameter prefer_sources: 15 more source_ids not in tests/fixtures/tiny/sources.csv"


def test_a_source_that_repeats_another_cannot_be_preferred():
    values = {**DEFAULTS, "prefer_sources": ["gw2ru-2026-01"]}
    assert check_against_data(values, load_dataset("data")) == [
        "parameter prefer_sources: 'gw2ru-2026-01' repeats 'expansion-2026-01-08' (column cites of data/sources.csv):"
        " a source that repeats another never decides a figure; prefer 'expansion-2026-01-08'"
    ]


@pytest.mark.parametrize("claim", ["", "yucatanpost-2022-2024"])
def test_a_claim_of_claims_csv_that_makes_the_comparison_is_accepted(claim):
    assert check_against_data({**DEFAULTS, "claim": claim}, load_dataset("data")) == []


def test_a_claim_of_another_comparison_is_refused_listing_the_valid_ones(tmp_path):
    shutil.copytree(TINY, tmp_path / "data")
    header = "claim_id,origin,destination,base_year,target_year,months,base,target,multiple,quote,source_id\n"
    (tmp_path / "data" / "claims.csv").write_text(
        header
        + "full,KOR,CHL,2019,2023,12,12.5,50.0,4,four times,tiny-b\n"
        + "half,KOR,CHL,2022,2023,6,8.0,20.0,,more than doubled,tiny-b\n"
    )
    data = load_dataset(tmp_path / "data")
    values = {**FIXTURE_PARAMETERS, "claim": "half"}
    assert check_against_data(values, data) == [
        f"parameter claim 'half': {tmp_path}/data/claims.csv:3 compares KOR into CHL, 6 months of 2022 against 2023,"
        " not the report's; claims that make the report's comparison (KOR into CHL, 12 months of 2019 against 2023):"
        " full"
    ]
    # the same claim is valid for its own comparison, and then the other is not
    assert check_against_data({**values, "base_year": 2022, "months": 6}, data) == []
    [problem] = check_against_data({**values, "base_year": 2022, "months": 6, "claim": "full"}, data)
    assert problem.endswith(
        "claims that make the report's comparison (KOR into CHL, 6 months of 2022 against 2023): half"
    )


def test_a_claim_without_claims_is_refused(tmp_path):
    assert check_against_data({**FIXTURE_PARAMETERS, "claim": "any"}, load_dataset(TINY)) == [
        "parameter claim 'any': tests/fixtures/tiny/claims.csv is not there: leave claim empty, or add the claim to it"
    ]
    shutil.copytree(TINY, tmp_path / "data")
    (tmp_path / "data" / "claims.csv").write_text(
        "claim_id,origin,destination,base_year,target_year,months,base,target,multiple,quote,source_id\n"
    )
    assert check_against_data({**FIXTURE_PARAMETERS, "claim": "any"}, load_dataset(tmp_path / "data")) == [
        f"parameter claim 'any': {tmp_path}/data/claims.csv has no claims: leave claim empty, or add the claim to it"
    ]


@pytest.mark.slow  # refused by the data check, while the build's kernel starts
def test_the_command_line_refuses_a_bad_claim_before_any_kernel(tmp_path, capsys):
    assert refused(tmp_path, capsys, "-p", "claim", "nope") == [
        "params/russia-mexico-fdi.yaml with -p claim: parameter claim 'nope': data/claims.csv has no such claim_id;"
        " claims that make the report's comparison (RUS into MEX, 12 months of 2022 against 2024):"
        " yucatanpost-2022-2024"
    ]
    # the January-September report: the default data's claim compares full years
    jan_sep = config.PARAMS_DIR / "russia-mexico-fdi-jan-sep.yaml"
    [message] = refused(tmp_path, capsys, jan_sep, "-p", "claim", "yucatanpost-2022-2024")
    assert "data/claims.csv:2 compares RUS into MEX, 12 months of 2022 against 2024, not the report's" in message
    assert message.endswith(
        "no claim in it makes the report's comparison (RUS into MEX, 9 months of 2024 against 2025): leave claim empty"
    )


@pytest.mark.parametrize(
    "text", ['say "hi"', "back\\slash", "new\nline", "tab\tand 'single'", '"""triple"""', "ünïcødé ✓"]
)
def test_parameter_values_become_literals_that_round_trip(text):
    from papermill.translators import translate_parameters

    from analysis._execute import register

    register()
    code = translate_parameters("python3", "python", {"title": text, "prefer_sources": [text]}, "Parameters")
    namespace = {}
    for node in ast.parse(code).body:
        namespace[node.targets[0].id] = ast.literal_eval(node.value)
    assert namespace == {"title": text, "prefer_sources": [text]}
