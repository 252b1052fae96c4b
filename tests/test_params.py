"""Parameters: read from the notebook, merged and type-checked, checked against the data."""

import ast
import os
import shutil
from pathlib import Path

import papermill
import pytest
from conftest import FIXTURE_PARAMETERS

from analysis import config
from analysis.errors import ParameterError
from analysis.load import load_dataset
from analysis.params import check_against_data, notebook_parameters, read_yaml, resolve, type_problem

TINY = Path(__file__).parent / "fixtures" / "tiny"
SPECS = notebook_parameters(config.DEFAULT_NOTEBOOK)
DECIMAL = "write a whole number in decimal digits 0-9, without quotes"


def test_the_parameters_cell_reads_as_papermill_reads_it():
    inspected = papermill.inspect_notebook(str(config.DEFAULT_NOTEBOOK))
    assert list(inspected) == list(SPECS)
    for name, spec in SPECS.items():
        assert inspected[name]["inferred_type_name"] == spec.type_name
        assert ast.literal_eval(inspected[name]["default"]) == spec.default
        assert inspected[name]["help"] == spec.help


def test_the_design_parameters_are_there_with_their_defaults():
    defaults = {name: spec.default for name, spec in SPECS.items()}
    assert defaults["origin"] == "RUS" and defaults["destination"] == "MEX"
    assert (defaults["base_year"], defaults["target_year"], defaults["months"]) == (2022, 2024, 12)
    assert defaults["prefer_sources"] == [] and defaults["data_dir"] == "data"
    assert {"title", "compare_with"} <= set(defaults)
    assert all(spec.help for spec in SPECS.values())


def test_the_default_params_file_matches_the_notebook_defaults():
    values, _ = read_yaml(config.DEFAULT_PARAMS)
    for name, value in values.items():
        assert SPECS[name].default == value, name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ([("target_yaer", "2025")], "-p: parameter target_yaer: unknown name"),
        ([("months", "nine")], f"-p: parameter months: expected int, got 'nine' (str): {DECIMAL}"),
        ([("base_year", "true")], "-p: parameter base_year: expected int, got True (bool)"),
        ([("prefer_sources", "gw2ru")], "-p: parameter prefer_sources: expected list[str], got 'gw2ru' (str)"),
    ],
)
def test_unknown_names_and_wrong_types_are_refused(overrides, message):
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [], overrides)
    assert caught.value.problems[0] == message
    assert "Valid parameters:" in str(caught.value) and "target_year (int)" in str(caught.value)


def test_every_problem_is_listed_at_once(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("origin: RUS\ntarget_yaer: 2025\nmonths: '9'\n")
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [(path, *read_yaml(path))], [("nope", "1")])
    assert caught.value.problems[:3] == [
        f"{path}:2: parameter target_yaer: unknown name",
        f"{path}:3: parameter months: expected int, got '9' (str): {DECIMAL}",
        "-p: parameter nope: unknown name",
    ]


def test_overrides_are_typed_by_the_parameter():
    values = resolve(SPECS, [], [("title", "2024"), ("target_year", "2025"), ("prefer_sources", "[a, b]")])
    assert values["title"] == "2024"  # text stays text
    assert values["target_year"] == 2025
    assert values["prefer_sources"] == ["a", "b"]


def test_a_params_file_that_is_not_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("origin: RUS\nmonths: [9\n")
    with pytest.raises(ParameterError) as caught:
        read_yaml(path)
    assert caught.value.problems[0].startswith(f"{path}:3: not valid YAML")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base_year": 2023, "target_year": 2019}, "parameter base_year (2023) must come before target_year (2019)"),
        ({"target_year": 2021}, "parameter target_year 2021: "),
        ({"origin": "BRA"}, "parameter origin 'BRA': "),
        ({"destination": "PER"}, "parameter destination 'PER': "),
        ({"months": 9}, "parameter months 9: "),
        ({"prefer_sources": ["tiny-z"]}, "parameter prefer_sources: 'tiny-z' is not a source_id"),
    ],
)
def test_parameters_are_checked_against_the_data(changes, message):
    values = dict(FIXTURE_PARAMETERS)
    values.update(changes)
    problems = check_against_data(values, load_dataset(TINY))
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_the_check_lists_what_would_be_valid():
    values = {
        "origin": "KOR",
        "destination": "CHL",
        "base_year": 2019,
        "target_year": 2021,
        "months": 12,
        "prefer_sources": [],
    }
    [problem] = check_against_data(values, load_dataset(TINY))
    assert problem.endswith("years with figures: 2019, 2023")
    values.update(origin="BRA", target_year=2023)
    [problem] = check_against_data(values, load_dataset(TINY))
    assert problem.endswith("origins with figures: JPN, KOR, WLD")
    values.update(origin="KOR", months=9)
    [problem] = check_against_data(values, load_dataset(TINY))
    assert problem.endswith("months with figures: 6, 12")


@pytest.mark.parametrize(
    "text", ['say "hi"', "back\\slash", "new\nline", "tab\tand 'single'", '"""triple"""', "ünïcødé ✓"]
)
def test_parameter_values_become_literals_that_round_trip(text):
    from papermill.translators import translate_parameters

    from analysis.execute import register

    register()
    code = translate_parameters("python3", "python", {"title": text, "prefer_sources": [text]}, "Parameters")
    namespace = {}
    for node in ast.parse(code).body:
        namespace[node.targets[0].id] = ast.literal_eval(node.value)
    assert namespace == {"title": text, "prefer_sources": [text]}


def test_the_edition_must_be_one_the_package_writes():
    from analysis.params import check_values

    assert check_values({"lang": "es"}) == []
    assert check_values({"lang": "fr"}) == ["parameter lang 'fr': the editions are en, es"]


def test_a_source_that_repeats_another_cannot_be_preferred():
    from analysis.load import load_dataset
    from analysis.params import check_against_data

    data = load_dataset("data")
    values = {spec.name: spec.default for spec in SPECS.values()} | {"prefer_sources": ["gw2ru-2026-01"]}
    assert check_against_data(values, data) == [
        "parameter prefer_sources: 'gw2ru-2026-01' repeats 'expansion-2026-01-08' (column cites of data/sources.csv):"
        " a source that repeats another never decides a figure; prefer 'expansion-2026-01-08'"
    ]


# Hostile params files (issue 9) ------------------------------------------------------------

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


def read_problems(tmp_path, content, name="v.yaml"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        read_yaml(path)
    return [p.replace(str(path), "v.yaml") for p in caught.value.problems]


def test_anchors_and_aliases_are_refused_where_they_are(tmp_path):
    problems = read_problems(tmp_path, LAUGHS)
    rule = "a params file may not use anchors or aliases (&name, *name); write each value out"
    assert problems[:3] == [
        f"v.yaml:1: &a is a YAML anchor: {rule}",
        f"v.yaml:2: &b is a YAML anchor: {rule}",
        f"v.yaml:2: *a is a YAML alias: {rule}",
    ]
    # one line per anchor or alias and line, ten at most, then a count
    assert len(problems) == 11 and problems[-1] == "v.yaml: 6 more anchors and aliases not listed"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "origin: RUS\nmonths: 9\norigin: MEX\n",
            ["v.yaml:3: parameter origin: also given on line 1: give each parameter once"],
        ),
        (
            "origin: RUS\n'origin': MEX\n",  # quoted or not, the same name
            ["v.yaml:2: parameter origin: also given on line 1: give each parameter once"],
        ),
        (
            "<<: {origin: BRA}\nmonths: 9\n",
            ["v.yaml:1: '<<' (a YAML merge key) has no use in a params file: write each parameter out"],
        ),
        ("[a, b]: 1\n", ["v.yaml:1: a parameter's name is a word, such as origin, not a list or a mapping"]),
        (
            "- origin\n- RUS\n",
            ["v.yaml:1: expected a mapping of parameter names to values (such as 'origin: RUS'), found a list"],
        ),
        (
            "\n\njust text\n",
            [
                "v.yaml:3: expected a mapping of parameter names to values (such as 'origin: RUS'), found the value 'just text'"
            ],
        ),
        (
            "title: " + "[" * 5000 + "]" * 5000 + "\n",
            [
                "v.yaml:1: values are nested more than 8 levels deep: a parameter's value is a text, a number or a list of texts"
            ],
        ),
        (
            "target_year: " + "9" * 5000 + "\n",
            [
                f"v.yaml:1: parameter target_year: '{'9' * 60}…' (4,940 more characters) is a number 5,000 characters"
                " long: no parameter takes one longer than 30"
            ],
        ),
        (
            "origin: RUS\ntitle: 2024-13-45\n",
            ["v.yaml:2: parameter title: cannot be read (month must be in 1..12): write the value in quotes"],
        ),
        (
            "origin: RUS\n---\norigin: MEX\n",
            ["v.yaml:2: not valid YAML: expected a single document in the stream, but found another document"],
        ),
        (
            "origin: RUS\ntitle: \x07bell\n",
            ["v.yaml:2: not valid YAML: holds the character U+0007, which YAML does not allow: remove it"],
        ),
    ],
)
def test_what_a_params_file_may_not_hold(tmp_path, content, expected):
    assert read_problems(tmp_path, content) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("origin: RUS\n".encode("utf-16"), "v.yaml: is saved as UTF-16 (little-endian): save it as UTF-8"),
        (
            "origin: RUS\ntitle: Revisión\n".encode("latin-1"),
            "v.yaml:2: byte(s) F3 are not UTF-8: save the file as UTF-8",
        ),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "v.yaml: is a PNG image, not a text file: save it as UTF-8"),
        (
            b"origin: RUS\n" + b"# padding\n" * 7000,
            "v.yaml: is larger than 64 KiB, the most a params file may hold: is it the right file?",
        ),
    ],
)
def test_params_files_that_are_not_yaml_text(tmp_path, content, expected):
    assert read_problems(tmp_path, content) == [expected]


def test_a_params_file_that_is_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "v.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ParameterError) as caught:
        read_yaml(fifo)
    assert caught.value.problems == [
        f"{fifo}: is a named pipe (FIFO), not a regular file: give a params file saved on disk (a pipe or a device is not read)"
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # a value too long to lay out, or to read in a message
        (
            [("title", "t" * 100_000)],
            f"-p: parameter title: '{'t' * 60}…' (99,940 more characters) is 100,000 characters long; at most 500",
        ),
        (
            [("prefer_sources", "[" + ", ".join(["a"] * 10_000) + "]")],
            None,  # a list of 10,000 names is a list of texts: checked against the data, not here
        ),
        (
            [("months", "[" + ", ".join(["x"] * 10_000) + "]")],
            "-p: parameter months: expected int, got ['x', 'x', 'x', 'x', 'x', … (9,995 more items)] (list)",
        ),
        # an alias in -p stays text, and says so
        (
            [("prefer_sources", "[&a x, *a]")],
            "-p: parameter prefer_sources: expected list[str], got '[&a x, *a]' (str)",
        ),
        ([("target_year", "9" * 40)], f"-p: parameter target_year: expected int, got '{'9' * 40}' (str): {DECIMAL}"),
        ([("target_year", str(10**29))], None),  # 30 digits: a number, refused against the data, not here
        (
            [("target_yaer" * 1000, "1")],
            f"-p: parameter {'target_yaer' * 5}{'target_yaer'[:5]}… (10,940 more characters): unknown name",
        ),
    ],
)
def test_every_value_a_message_quotes_is_bounded(overrides, message):
    if message is None:
        resolve(SPECS, [], overrides)
        return
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [], overrides)
    assert caught.value.problems[0] == message


def test_a_billion_laughs_in_a_params_file_costs_nothing(tmp_path):
    # the aliases are refused before any value is built, so nothing expands: not the value, not the message
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [(path, *read_yaml(path))], [])
    lines = str(caught.value).replace(str(path), "laughs.yaml").splitlines()
    assert lines[0].startswith("laughs.yaml:1: &a is a YAML anchor")
    assert len(lines) <= 12 and all(len(line) < 200 for line in lines)  # bounded, wherever the file is


def test_a_year_of_four_thousand_digits_gives_short_messages():
    # it used to resolve, and then every message about it printed it whole
    values = {"origin": "KOR", "destination": "CHL", "base_year": "2019"}
    try:
        resolved = resolve(SPECS, [], [("target_year", "9" * 4000), *values.items()])
        problems = check_against_data(resolved, load_dataset(TINY))
    except ParameterError as error:
        problems = error.problems
    assert (
        problems[0]
        == f"-p: parameter target_year: expected int, got '{'9' * 60}…' (3,940 more characters) (str): {DECIMAL}"
    )
    assert all(len(line) < 300 for p in problems for line in p.splitlines())


def test_an_integer_larger_than_any_parameter_takes():
    assert (
        type_problem(SPECS["target_year"], 10**30)
        == "1000000000000000000000000000000 is larger than any parameter takes"
    )
    assert type_problem(SPECS["target_year"], 10**30 - 1) is None


def test_unknown_preferred_sources_are_listed_ten_at_most():
    values = {spec.name: spec.default for spec in SPECS.values()}
    values.update(
        origin="KOR", destination="CHL", base_year=2019, target_year=2023, prefer_sources=[f"z{i}" for i in range(25)]
    )
    problems = check_against_data(values, load_dataset(TINY))
    assert len(problems) == 11
    assert problems[-1] == "parameter prefer_sources: 15 more source_ids not in tests/fixtures/tiny/sources.csv"


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_a_float_parameter_must_be_finite(value):
    from analysis.params import Spec

    assert type_problem(Spec("ratio", "float", 1.0, ""), value) == f"expected a finite number, got {value!r}"


def test_yaml_values_of_the_default_files_still_read():
    for path in sorted(config.PARAMS_DIR.glob("*.yaml")):
        values, lines = read_yaml(path)
        assert set(values) == set(lines) and values["origin"] == "RUS", path


# The claim the report leads with ---------------------------------------------------------------

DEFAULTS = {spec.name: spec.default for spec in SPECS.values()}


def test_the_claim_parameter_is_declared_with_an_empty_default():
    assert SPECS["claim"].type_name == "str" and SPECS["claim"].default == ""
    assert "claims.csv" in SPECS["claim"].help


@pytest.mark.parametrize("claim", ["", "yucatanpost-2022-2024"])
def test_a_claim_of_claims_csv_that_makes_the_comparison_is_accepted(claim):
    assert check_against_data({**DEFAULTS, "claim": claim}, load_dataset("data")) == []


def test_a_claim_that_is_not_in_claims_csv_is_refused_listing_the_valid_ones():
    problems = check_against_data({**DEFAULTS, "claim": "proceso-30x"}, load_dataset("data"))
    assert problems == [
        "parameter claim 'proceso-30x': data/claims.csv has no such claim_id; claims that make the report's"
        " comparison (RUS into MEX, 12 months of 2022 against 2024): yucatanpost-2022-2024"
    ]


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


def test_the_command_line_refuses_a_bad_claim_before_any_kernel(tmp_path, capsys):
    from analysis.cli import main

    assert main(["build", "--out", str(tmp_path), "-p", "claim", "nope"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "params/russia-mexico-fdi.yaml with -p claim: parameter claim 'nope': data/claims.csv has no such claim_id;"
        " claims that make the report's comparison (RUS into MEX, 12 months of 2022 against 2024):"
        " yucatanpost-2022-2024"
    )
    assert list(tmp_path.iterdir()) == []  # nothing built, nothing written
    # the January-September report: the default data's claim compares full years
    jan_sep = str(config.PARAMS_DIR / "russia-mexico-fdi-jan-sep.yaml")
    assert main(["build", jan_sep, "--out", str(tmp_path), "-p", "claim", "yucatanpost-2022-2024"]) == 2
    message = capsys.readouterr().err.splitlines()[0]
    assert "data/claims.csv:2 compares RUS into MEX, 12 months of 2022 against 2024, not the report's" in message
    assert message.endswith(
        "no claim in it makes the report's comparison (RUS into MEX, 9 months of 2024 against 2025): leave claim empty"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (  # bytes that are not UTF-8 on the command line (-p title $'\xff'), as os.fsdecode reads them
            "title",
            "A title \udcff",
            "-p: parameter title: 'A title \\udcff' cannot be written as UTF-8: U+DCFF is no character"
            " (bytes that are not UTF-8, read from the command line, or a \\u escape of half a pair): give the"
            " text as UTF-8",
        ),
        (
            "data_dir",
            "data\udc80",
            "-p: parameter data_dir: 'data\\udc80' cannot be written as UTF-8: U+DC80 is no character"
            " (bytes that are not UTF-8, read from the command line, or a \\u escape of half a pair): give the"
            " text as UTF-8",
        ),
        (
            "title",
            "Growth \u202e03 times",
            "-p: parameter title: 'Growth \\u202e03 times' holds the bidirectional control character U+202E"
            " (RIGHT-TO-LEFT OVERRIDE), which changes the order the text around it is shown in: remove it",
        ),
        (
            "prefer_sources",
            '[a, "\\u2066b"]',
            "-p: parameter prefer_sources: '\\u2066b' holds the bidirectional control character U+2066"
            " (LEFT-TO-RIGHT ISOLATE), which changes the order the text around it is shown in: remove it",
        ),
    ],
)
def test_text_that_cannot_be_written_or_that_reorders_other_text_is_refused(name, text, message):
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [], [(name, text)])
    assert caught.value.problems[0] == message


def test_a_params_file_with_half_a_surrogate_pair_is_refused_where_it_is(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text('origin: RUS\ntitle: "A title \\udc80"\n')
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [(path, *read_yaml(path))], [])
    assert caught.value.problems[0].startswith(
        f"{path}:2: parameter title: 'A title \\udc80' cannot be written as UTF-8"
    )


# Numbers are read in plain decimal, whatever YAML 1.1 would make of them ----------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("base_year", "0o17"),  # octal, as YAML 1.2 writes it
        ("months", "1_2"),  # 12 to YAML 1.1
        ("target_year", "1:00"),  # 60 to YAML 1.1: base 60
        ("target_year", "33:44:00"),  # 2024 to YAML 1.1
        ("base_year", "0x7e8"),  # 2024 to YAML 1.1
        ("base_year", "0b11111101000"),  # 2024 to YAML 1.1
        ("months", "9.0"),
    ],
)
def test_a_whole_number_is_written_in_decimal_digits_or_refused(name, text):
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [], [(name, text)])
    shown = f"'{text}' (str)" if name != "months" or text != "9.0" else "9.0 (float)"
    assert caught.value.problems[0] == f"-p: parameter {name}: expected int, got {shown}: {DECIMAL}"


def test_leading_zeros_are_decimal_not_octal():
    values = resolve(SPECS, [], [("months", "010"), ("base_year", "02019"), ("target_year", "+2023")])
    assert (values["months"], values["base_year"], values["target_year"]) == (10, 2019, 2023)  # YAML 1.1: 8, 1041


def test_a_params_file_reads_numbers_and_words_as_they_are_written(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("months: 010\nbase_year: 33:44:00\ntitle: no\norigin: 'RUS'\n")
    values, lines = read_yaml(path)
    assert values == {"months": 10, "base_year": "33:44:00", "title": "no", "origin": "RUS"}
    with pytest.raises(ParameterError) as caught:
        resolve(SPECS, [(path, values, lines)], [])
    assert caught.value.problems == [
        f"{path}:2: parameter base_year: expected int, got '33:44:00' (str): {DECIMAL}",
        "Valid parameters:",
        caught.value.problems[2],
    ]
