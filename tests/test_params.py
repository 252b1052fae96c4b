"""Parameters: read from the notebook, merged and type-checked, checked against the data."""

import ast
from pathlib import Path

import papermill
import pytest

from analysis import config
from analysis.errors import ParameterError
from analysis.load import load_dataset
from analysis.params import check_against_data, notebook_parameters, read_yaml, resolve

TINY = Path(__file__).parent / "fixtures" / "tiny"
SPECS = notebook_parameters(config.DEFAULT_NOTEBOOK)


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
        ([("months", "nine")], "-p: parameter months: expected int, got 'nine' (str)"),
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
        f"{path}:3: parameter months: expected int, got '9' (str)",
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
    values = {
        "origin": "KOR",
        "destination": "CHL",
        "base_year": 2019,
        "target_year": 2023,
        "months": 12,
        "prefer_sources": [],
    }
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
