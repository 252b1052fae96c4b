"""Planning: each variant's name, edition and parameters, before anything runs."""

import pytest
from conftest import FIXTURES

from analysis import _config as config
from analysis._plan import Variant, check, plan, report_name
from analysis.errors import ParameterError

DEFAULT = config.PARAMS_DIR / "russia-mexico-fdi.yaml"
SPANISH = config.PARAMS_DIR / "russia-mexico-fdi.es.yaml"


@pytest.mark.parametrize(
    ("stem", "lang", "name"),
    [
        ("russia-mexico-fdi", "en", "russia-mexico-fdi"),
        ("russia-mexico-fdi", "es", "russia-mexico-fdi.es"),
        ("russia-mexico-fdi.es", "es", "russia-mexico-fdi.es"),
        ("russia-mexico-fdi.es", "en", "russia-mexico-fdi"),
        ("russia-mexico-fdi-jan-sep", "es", "russia-mexico-fdi-jan-sep.es"),
        ("fdi.2024", "en", "fdi.2024"),  # not a language suffix: four digits
    ],
)
def test_a_reports_name_is_its_params_file_and_its_language(stem, lang, name):
    assert report_name(stem, lang) == name


@pytest.mark.parametrize(
    ("files", "overrides", "names"),
    [
        ([], [], ["russia-mexico-fdi"]),
        ([], [("lang", "es")], ["russia-mexico-fdi.es"]),
        ([SPANISH], [], ["russia-mexico-fdi.es"]),
        ([DEFAULT, SPANISH], [], ["russia-mexico-fdi", "russia-mexico-fdi.es"]),
    ],
)
def test_editions_never_share_outputs(files, overrides, names):
    variants = plan(files, overrides)
    assert [v.name for v in variants] == names
    assert [v.params_file for v in variants] == [config.display_path(f) for f in files or [DEFAULT]]


def test_two_variants_with_one_name_are_refused():
    with pytest.raises(ParameterError) as caught:
        plan([DEFAULT, SPANISH], [("lang", "es")])
    [problem] = caught.value.problems
    assert "russia-mexico-fdi.es.yaml" in problem and "russia-mexico-fdi.es.*" in problem


def test_each_edition_links_the_others():
    english = Variant("russia-mexico-fdi", "p", {"lang": "en"})
    spanish = Variant("russia-mexico-fdi.es", "p", {"lang": "es"})
    assert english.editions == [{"lang": "es", "href": "russia-mexico-fdi.es.html"}]
    assert spanish.editions == [{"lang": "en", "href": "russia-mexico-fdi.html"}]
    assert Variant("r", "p", {}).lang == "en"  # a notebook without the parameter: English


def test_given_by_names_the_params_file_and_the_overrides():
    assert Variant("r", "params/r.yaml", {}, overridden=("origin", "months")).given_by == (
        "params/r.yaml with -p origin, months"
    )


def test_every_problem_of_every_params_file_is_listed_at_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("months: nine\n")
    with pytest.raises(ParameterError) as caught:
        plan([tmp_path, bad, DEFAULT], [])
    problems = caught.value.problems
    assert problems[0] == (
        f"{tmp_path}: is a folder, not a regular file: give a params file saved on disk (a pipe or a device is not read)"
    )
    assert problems[1].startswith(f"{bad}:1: parameter months: expected int, got 'nine' (str)")
    assert problems[2] == "Valid parameters:"


def test_a_data_folder_given_with_p_is_taken_from_the_current_folder(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    [variant] = plan([], [("data_dir", "tiny")])
    assert variant.parameters["data_dir"] == "tests/fixtures/tiny"


def test_the_check_against_the_data_names_where_the_parameters_came_from():
    with pytest.raises(ParameterError) as caught:
        check(plan([], [("origin", "BRA")]))
    assert caught.value.problems[0].startswith(
        "params/russia-mexico-fdi.yaml with -p origin: parameter origin 'BRA': data/fdi.csv has no figures from it;"
    )


def test_two_params_files_that_would_write_the_same_outputs(tmp_path):
    same = tmp_path / "russia-mexico-fdi.yaml"
    same.write_text("origin: RUS\n")
    with pytest.raises(ParameterError) as caught:
        plan([DEFAULT, same], [])
    assert caught.value.problems == [
        f"{same}: would write the same outputs (russia-mexico-fdi.*) as params/russia-mexico-fdi.yaml"
    ]
