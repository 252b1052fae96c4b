"""The command line: exit statuses and messages, run in process through `main` (one subprocess smoke test)."""

import subprocess
import sys

import pytest
from conftest import FIXTURES

from analysis import _config as config
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


def test_the_count_of_problems_includes_those_left_unlisted(data_copy, capsys):
    # 250 lines with a bad year: 100 listed, then one line counting the other 150
    rows = "".join(f"KOR,CHL,20x9,12,{i}.5,tiny-a,\n" for i in range(250))
    (data_copy / "fdi.csv").write_text("origin,destination,year,months,usd_millions,source_id,note\n" + rows)
    assert main(["validate", str(data_copy)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-2] == f"{data_copy}/fdi.csv: 150 more problems not listed: fix those above and validate again"
    assert err[-1] == "250 problems in the data; nothing was built."


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["-p", "nope", "1"], "-p: parameter nope: unknown name"),
        (
            ["-p", "target_year", "twenty"],
            "-p: parameter target_year: expected int, got 'twenty' (str): write a whole number in decimal digits 0-9, at most 30 of them",
        ),
        pytest.param(  # checked against the data: the build's kernel has started meanwhile
            ["-p", "base_year", "2024", "-p", "target_year", "2022"],
            "params/russia-mexico-fdi.yaml with -p base_year, target_year: parameter base_year (2024) must come before target_year (2022)",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            ["-p", "origin", "BRA"],
            "params/russia-mexico-fdi.yaml with -p origin: parameter origin 'BRA': data/fdi.csv has no figures from it; origins with figures: ",
            marks=pytest.mark.slow,
        ),
        (["params/nowhere.yaml"], "params/nowhere.yaml: params file not found"),
        (["--format", "docx"], "--format 'docx': formats are html, pdf"),
        # a value that would act on the terminal is shown escaped: no escape byte reaches it
        (["--format", "\x1b]0;owned\x07"], "--format '\\x1b]0;owned\\x07': formats are html, pdf"),
    ],
)
def test_bad_parameters_exit_2_before_any_kernel(args, first_line, tmp_path, capsys):
    assert main(["build", "--out", str(tmp_path), *args]) == 2
    assert capsys.readouterr().err.splitlines()[0].startswith(first_line)
    assert list(tmp_path.iterdir()) == []


def test_help_lists_the_parameters(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["build", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in ("data_dir (str)", "origin (str)", "prefer_sources (list[str])", "months (int)", "--time-limit"):
        assert name in out


@pytest.mark.slow
def test_the_module_runs_as_a_program():
    done = run("validate", FIXTURES / "tiny")
    assert (done.returncode, done.stdout) == (0, "tests/fixtures/tiny: valid: 8 figures, 3 sources, 3 events\n")


@pytest.mark.slow
def test_doctor_on_this_machine(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "[ok  ] Jupyter kernel: python3 kernel started over IPC" in out
    assert "[ok  ] WeasyPrint and its system libraries: rendered a test PDF" in out
    assert out.endswith("this machine can build the report\n")


# Faults outside the data: a message that says what to do, exit 2 or 1, a traceback only with --debug


ADVICE = "give a folder for the outputs with --out (it is made if missing)"


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("file", "the output folder {out} is a file, not a folder: " + ADVICE),
        ("inside a file", "the output folder {out} cannot be made: {file} is a file, not a folder: " + ADVICE),
        ("link loop", "the output folder {out} is a symbolic link loop (the link leads back to itself): " + ADVICE),
    ],
)
def test_an_out_that_cannot_be_a_folder_is_bad_input(tmp_path, capsys, shape, expected):
    file = tmp_path / "report.html"
    file.write_text("kept as it is")
    out = {"file": file, "inside a file": file / "reports", "link loop": tmp_path / "loop"}[shape]
    if shape == "link loop":
        out.symlink_to(out.name)
    assert main(["build", "--out", str(out)]) == 2  # the command line asks for what cannot be
    assert capsys.readouterr().err == expected.format(out=out, file=file) + "\n"
    assert file.read_text() == "kept as it is"


def test_an_output_folder_that_cannot_be_written_is_a_plain_error(tmp_path, capsys, refuse_to_open):
    refuse_to_open(".write-test-")  # the build's write test in the output folder
    out = tmp_path / "out"
    assert main(["build", "--out", str(out)]) == 1  # not bad input: this machine's permissions
    assert capsys.readouterr().err == (
        f"error: cannot write into the output folder {out}: permission denied: this user may not write {out}: "
        "make it writable (ls -ld shows its owner and mode), or build into another folder with --out\n"
    )


def test_a_figures_folder_that_is_a_link_is_not_written_through(tmp_path, capsys):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "figures").symlink_to(elsewhere)
    assert main(["build", "--out", str(out), "--format", "html"]) == 1
    assert capsys.readouterr().err == (
        f"error: {out}/figures is a symbolic link (to {elsewhere}): the build writes only inside the output folder, "
        f"never through a link that could lead out of it: remove the link (rm {out}/figures; what it leads to "
        "stays) and build again, or build into another folder with --out\n"
    )
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["figures"]  # no kernel was started, nothing written


@pytest.mark.slow  # refused by the data check, while the build's kernel starts
def test_a_data_folder_that_is_a_link_loop_in_a_params_file(tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(loop.name)
    params = tmp_path / "loop.yaml"
    params.write_text(f"data_dir: {loop}\n")
    assert main(["build", str(params), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{loop}: is a symbolic link loop (the link leads back to itself): point it at the real file or folder"
        " (ls -l shows where it leads)",
        "1 problem in the data; nothing was built.",
    ]


@pytest.mark.slow
def test_a_limit_of_open_files_too_low_for_a_build(tmp_path):
    import resource

    def low() -> None:  # the hard limit too: the build cannot raise it
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    done = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        preexec_fn=low,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "error: this process may have only 64 files open at once (ulimit -n), and a build needs about 160: "
        "raise the limit in the shell that runs the command (ulimit -n 4096) and build again; nothing was built\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("debug", [False, True])
def test_bad_input_shows_a_traceback_only_with_debug(data_copy, capsys, debug):
    (data_copy / "fdi.csv").write_text(
        (data_copy / "fdi.csv").read_text().replace("KOR,CHL,2019,12,", "KOR,CHL,2019,14,")
    )
    assert main(["validate", str(data_copy), *(["--debug"] if debug else [])]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{data_copy}/fdi.csv:2: column months: '14' is outside 1-12")
    assert ("Traceback (most recent call last):" in err) is debug
    if debug:  # after the message, and ending with the error itself
        assert err.index("Traceback") > err.index("nothing was built") and "DataValidationError" in err


@pytest.mark.parametrize("debug", [False, True])
def test_an_unforeseen_error_is_a_sentence_and_a_traceback_only_with_debug(monkeypatch, capsys, debug):
    from analysis import _load as load

    def broken(folder):
        raise RuntimeError("an internal fault")

    monkeypatch.setattr(load, "load_dataset", broken)
    assert main(["validate", *(["--debug"] if debug else [])]) == 1
    err = capsys.readouterr().err
    message = (
        "error: an unexpected error: RuntimeError: an internal fault; run the command again with --debug to see "
        "where it happened, and report it\n"
    )
    if debug:
        assert err.startswith(message + "Traceback (most recent call last):\n")
        assert "in broken" in err and err.endswith("RuntimeError: an internal fault\n")
    else:
        assert err == message


@pytest.mark.slow
def test_a_build_with_other_parameters_is_built_not_taken_from_the_cache(tiny_report, tmp_path, capsys):
    from conftest import copy_outputs, tiny_params

    out = copy_outputs(tiny_report, tmp_path / "out")  # the session's build of the same data and parameters
    build = ["build", str(tiny_params(tmp_path, FIXTURES / "tiny")), "--out", str(out), "--format", "html"]
    assert main([*build, "-p", "title", "Second title"]) == 0  # only a parameter differs
    assert main([*build, "-p", "title", "Second title"]) == 0  # and with nothing changed, the cache answers
    built, again = capsys.readouterr().out.splitlines()
    assert built.startswith("tiny: built ") and again.startswith("tiny: unchanged since the last build")
    html = (out / "tiny.html").read_text(encoding="utf-8")
    assert "<title>Second title</title>" in html
    assert '→ "Second title"). No headline figure moved.' in html  # changes since the last build


@pytest.mark.parametrize("file_name", ["..yaml", "...yaml", ".es.yaml", ".hidden.yaml", "-x.yaml", "a b.yaml"])
def test_a_report_name_that_is_not_a_plain_file_name_is_refused_and_nothing_is_touched(tmp_path, capsys, file_name):
    # A name made of dots resolves to the output folder itself ("..": .builds/..) or to its
    # .builds folder ("."), whose tidying would delete every other report and the user's files.
    out = tmp_path / "out"
    (out / ".builds" / "other" / "v1").mkdir(parents=True)
    (out / ".builds" / "other" / "v1" / "other.html").write_text("another report")
    (out / ".builds" / "other" / "current").symlink_to("v1")
    (out / "other.html").symlink_to(".builds/other/current/other.html")
    (out / "notes.txt").write_text("the user's own file")
    before = sorted((p.relative_to(out).as_posix(), p.is_symlink()) for p in out.rglob("*"))
    params = tmp_path / file_name
    params.write_text((config.PARAMS_DIR / "russia-mexico-fdi.yaml").read_text())
    assert main(["build", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{params}: the report's name" in err and "is not a plain file name" in err
    assert sorted((p.relative_to(out).as_posix(), p.is_symlink()) for p in out.rglob("*")) == before
    assert (out / "notes.txt").read_text() == "the user's own file"
    assert (out / "other.html").read_text() == "another report"


@pytest.mark.slow  # refused by the data check, while the build's kernel starts
def test_a_data_file_that_cannot_be_read_is_bad_input_said_as_such(data_copy, tmp_path, capsys, refuse_to_open):
    from conftest import tiny_params

    params = tiny_params(tmp_path, data_copy)
    refuse_to_open(f"{data_copy}/fdi.csv")
    assert main(["build", str(params), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{data_copy}/fdi.csv: permission denied: this user may not read the file; make it readable (chmod u+r) or"
        " copy it somewhere readable",
        "1 problem in the data; nothing was built.",
    ]
    assert not (tmp_path / "out" / "tiny.html").exists()
