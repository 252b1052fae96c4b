"""The command line: exit statuses and messages (no kernel is started by any of these)."""

import subprocess
import sys

import pytest
from conftest import FIXTURES

from analysis import config
from analysis.cli import main


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, text=True, cwd=config.PROJECT_ROOT
    )


def test_validate_the_project_data(capsys):
    assert main(["validate"]) == 0
    rows = {name: len(config.DATA_DIR.joinpath(name).read_text().splitlines()) - 1 for name in config.DATA_FILES}
    expected = f"data: valid: {rows['fdi.csv']} figures, {rows['sources.csv']} sources, {rows['timeline.csv']} events\n"
    assert capsys.readouterr().out == expected


def test_validate_reports_every_problem_and_exits_2(data_copy, capsys):
    (data_copy / "fdi.csv").write_text(
        (data_copy / "fdi.csv").read_text().replace("KOR,CHL,2019,12,12.5", "KOR,CHL,2019,14,12.5")
    )
    (data_copy / "timeline.csv").write_text((data_copy / "timeline.csv").read_text().replace("1901-05", "1901-5"))
    assert main(["validate", str(data_copy)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{data_copy}/fdi.csv:2: column months: '14' is outside 1-12 (months counted from January; 12 = full year)",
        f"{data_copy}/timeline.csv:2: column date: '1901-5' is not a date written YYYY, YYYY-MM or YYYY-MM-DD",
        "2 problems in the data; nothing was built.",
    ]


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["-p", "nope", "1"], "-p: parameter nope: unknown name"),
        (["-p", "target_year", "twenty"], "-p: parameter target_year: expected int, got 'twenty' (str)"),
        (
            ["-p", "base_year", "2024", "-p", "target_year", "2022"],
            "params/russia-mexico-fdi.yaml with -p base_year, target_year: parameter base_year (2024) must come before target_year (2022)",
        ),
        (
            ["-p", "origin", "BRA"],
            "params/russia-mexico-fdi.yaml with -p origin: parameter origin 'BRA': data/fdi.csv has no figures from it; origins with figures: ",
        ),
        (["params/nowhere.yaml"], "params/nowhere.yaml: params file not found"),
        (["--format", "docx"], "--format docx: formats are html, pdf"),
    ],
)
def test_bad_parameters_exit_2_before_any_kernel(args, first_line, tmp_path, capsys):
    assert main(["build", "--out", str(tmp_path), *args]) == 2
    assert capsys.readouterr().err.splitlines()[0].startswith(first_line)
    assert list(tmp_path.iterdir()) == []


def test_a_data_folder_from_the_command_line_is_relative_to_the_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES)
    assert main(["build", "--out", str(tmp_path), "-p", "data_dir", "tiny", "-p", "origin", "XXX"]) == 2
    message = capsys.readouterr().err
    assert "tests/fixtures/tiny/fdi.csv has no figures from it; origins with figures: JPN, KOR, WLD" in message


def test_help_lists_the_parameters():
    done = run("build", "--help")
    assert done.returncode == 0
    for name in ("data_dir (str)", "origin (str)", "prefer_sources (list[str])", "months (int)"):
        assert name in done.stdout


def test_the_module_runs_as_a_program():
    done = run("validate", FIXTURES / "tiny")
    assert (done.returncode, done.stdout) == (0, "tests/fixtures/tiny: valid: 8 figures, 3 sources, 3 events\n")


@pytest.mark.slow
def test_doctor_on_this_machine():
    done = run("doctor")
    assert done.returncode == 0, done.stdout
    assert "[ok  ] Jupyter kernel: python3 kernel started over IPC" in done.stdout
    assert "[ok  ] WeasyPrint and its system libraries: rendered a test PDF" in done.stdout


def test_an_unwritable_output_folder_is_a_plain_error(tmp_path, capsys):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert main(["build", "--out", str(blocked / "reports")]) == 1
    message = capsys.readouterr().err
    assert message.startswith("error: ") and "Traceback" not in message


@pytest.mark.slow
def test_a_build_with_other_parameters_is_built_not_taken_from_the_cache(tmp_path):
    out = tmp_path / "out"
    params = tmp_path / "tiny.yaml"
    params.write_text(
        f"data_dir: {FIXTURES / 'tiny'}\norigin: KOR\ndestination: CHL\nbase_year: 2019\ntarget_year: 2023\n"
    )
    build = ["build", params, "--out", out, "--format", "html"]
    first = run(*build, "-p", "title", "First title")
    assert first.returncode == 0 and first.stdout.startswith("tiny: built "), first.stderr
    # the same data, notebook and code: only a parameter differs
    second = run(*build, "-p", "title", "Second title")
    assert second.returncode == 0 and second.stdout.startswith("tiny: built "), second.stdout
    html = (out / "tiny.html").read_text(encoding="utf-8")
    assert "<title>Second title</title>" in html and "<title>First title" not in html
    assert 'title ("First title" → "Second title"). No headline figure moved.' in html  # changes since the last build
    # and with nothing changed, the cache answers
    again = run(*build, "-p", "title", "Second title")
    assert again.stdout.startswith("tiny: unchanged since the last build"), again.stdout
