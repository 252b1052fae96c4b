"""Hostile input through the command line: a located message and exit status 2, never a traceback
or a hang. Most cases run `analysis.cli.main` in process; those that need a process of their own
(a pipe with no writer, a limit of descriptors or memory, bytes on the command line) run
``python -m analysis`` with a time limit."""

import contextlib
import io
import os
import random
import resource
import subprocess
import sys
import textwrap
from types import SimpleNamespace
from unittest import mock

import pytest

from analysis import _config as config
from analysis import cli

TIME_LIMIT = 120  # seconds: far above what any case takes; reached only by a hang


def run(*args, env=None):
    """Run the command line in process: its exit status and what it wrote to stderr."""
    err = io.StringIO()
    with (
        mock.patch.dict(os.environ, env or {}),
        contextlib.redirect_stderr(err),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        status = cli.main([str(arg) for arg in args])
    return SimpleNamespace(returncode=status, stderr=err.getvalue())


def run_process(*args, env=None, memory=None):
    def limit():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        return subprocess.run(
            [sys.executable, "-m", "analysis", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=config.PROJECT_ROOT,
            timeout=TIME_LIMIT,
            env={**os.environ, **(env or {})},
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"analysis {' '.join(map(str, args))} still running after {TIME_LIMIT} s")


def refused(done, *expected_lines, status=2):
    """Assert the exit status, no traceback, and these lines (at the start of stderr)."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == status, done.stderr
    lines = done.stderr.splitlines()
    assert lines[: len(expected_lines)] == list(expected_lines), lines


@pytest.mark.slow
def test_a_data_file_that_is_a_pipe(data_copy):
    (data_copy / "fdi.csv").unlink()
    os.mkfifo(data_copy / "fdi.csv")  # no writer: a read would wait for ever
    refused(
        run_process("validate", data_copy),
        f"{data_copy}/fdi.csv: is a named pipe (FIFO), not a regular file: give a file saved on disk (a pipe or a device is not read)",
        "1 problem in the data; nothing was built.",
    )


def test_a_data_file_that_is_a_device(data_copy):
    (data_copy / "timeline.csv").unlink()
    (data_copy / "timeline.csv").symlink_to("/dev/zero")  # an endless file
    refused(
        run("validate", data_copy),
        f"{data_copy}/timeline.csv: is a device, not a regular file: give a file saved on disk (a pipe or a device is not read)",
    )


def test_a_data_file_over_the_size_limit_and_the_override(data_copy):
    with (data_copy / "fdi.csv").open("r+b") as handle:
        handle.truncate(8 * 1024 * 1024 + 1)  # sparse: 8 MiB and a byte, nearly all NUL
    refused(
        run("validate", data_copy),
        f"{data_copy}/fdi.csv: is larger than 8 MiB, the most a file may hold: split it, or set ANALYSIS_MAX_INPUT_MIB"
        " to a larger size in MiB (such as ANALYSIS_MAX_INPUT_MIB=64)",
    )
    # allowed more, the file is read, and its line of NULs is too long
    done = run("validate", data_copy, env={"ANALYSIS_MAX_INPUT_MIB": "9"})
    refused(done)
    assert done.stderr.startswith(f"{data_copy}/fdi.csv:10: the line is 8,388,295 characters long; at most 40,000")
    refused(
        run("validate", data_copy, env={"ANALYSIS_MAX_INPUT_MIB": "lots"}),
        "environment variable ANALYSIS_MAX_INPUT_MIB: 'lots' is not a size in MiB: give a number such as 64 (the default is 8)",
    )


@pytest.mark.parametrize(
    ("encoding", "saved_as"),
    [
        ("utf-16", "UTF-16"),
        ("utf-16-be", "UTF-16 (big-endian)"),
        ("utf-32", "UTF-32"),
    ],
)
def test_a_data_file_in_utf16_or_utf32(data_copy, encoding, saved_as):
    path = data_copy / "sources.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    refused(
        run("validate", data_copy),
        f"{data_copy}/sources.csv: is saved as {saved_as}: save it as CSV UTF-8 (in Excel: Save As, CSV UTF-8;"
        " in LibreOffice: character set Unicode (UTF-8))",
    )


def test_a_binary_file(data_copy):
    (data_copy / "fdi.csv").write_bytes(random.Random(9).randbytes(20_000))
    done = run("validate", data_copy)
    refused(done)
    assert done.stderr.startswith(f"{data_copy}/fdi.csv: is not a text file (")


def test_nul_bytes_control_characters_and_carriage_returns(data_copy):
    path = data_copy / "timeline.csv"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"Fixture treaty", b"Fixture\x00treaty")
    lines[2] = lines[2].replace(b"event", b"ev\x1b[2Jent")  # an escape sequence that would clear the screen
    lines[3] = lines[3].replace(b"ferry", b"fer\rry")
    path.write_bytes(b"\n".join(lines))
    refused(
        run("validate", data_copy),
        f"{data_copy}/timeline.csv:2: column event: holds a NUL byte (00), which no text holds (a damaged file, or one"
        " saved by a program as binary): remove it",
        f"{data_copy}/timeline.csv:3: column event: holds the control character U+001B, which no text holds: remove it",
        f"{data_copy}/timeline.csv:4: column event: holds a carriage return (CR) that ends no line: remove it, or save"
        " the file with LF or CRLF line ends",
    )


def test_classic_mac_line_ends(data_copy):
    path = data_copy / "fdi.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    refused(
        run("validate", data_copy),
        f"{data_copy}/fdi.csv: lines end with a carriage return alone (the line ends of classic Mac OS): save the"
        " file with LF or CRLF line ends (Excel: CSV UTF-8, not CSV Macintosh)",
    )


def test_a_huge_single_line(data_copy):
    (data_copy / "fdi.csv").write_text("x" * 2_000_000)
    refused(
        run("validate", data_copy),
        f"{data_copy}/fdi.csv:1: the line is 2,000,000 characters long; at most 40,000: is a line break missing?",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: permissions cannot be tested as root")
def test_an_unreadable_data_file(data_copy):
    (data_copy / "fdi.csv").chmod(0)
    refused(
        run("validate", data_copy),
        f"{data_copy}/fdi.csv: permission denied: this user may not read the file; make it readable (chmod u+r) or copy it somewhere readable",
    )


def test_an_unreadable_data_file_in_process(data_copy, refuse_to_open, capsys):
    # the same case without root's privilege: the operating system's answer, refused at the open
    from analysis.cli import main

    refuse_to_open("fdi.csv")
    assert main(["validate", str(data_copy)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{data_copy}/fdi.csv: permission denied: this user may not read the file; make it readable (chmod u+r) or"
        " copy it somewhere readable"
    )


@pytest.mark.slow
def test_running_out_of_file_descriptors(data_copy):
    # every descriptor the process may have is taken before the command runs: exit 1 (not bad
    # input), with what to do
    script = textwrap.dedent(
        f"""
        import os, resource, sys
        from analysis import cli, _inputs as inputs, _load as load, _params as params, _schema as schema  # the command's own imports done
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        held = []
        try:
            while True:
                held.append(os.open("/dev/null", os.O_RDONLY))
        except OSError:
            pass
        status = cli.main(["validate", {str(data_copy)!r}])
        for descriptor in held:  # given back, so that coverage (under make test) can save at exit
            os.close(descriptor)
        sys.exit(status)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=TIME_LIMIT, cwd=config.PROJECT_ROOT
    )
    refused(
        done,
        "error: too many open files (this process may have 64 open at once): close programs that hold many files, or"
        " raise the limit in the shell that runs the command (ulimit -n 4096) and build again; nothing was published",
        status=1,
    )


LAUGHS = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=False)),
        "title: *i",
    ]
)


@pytest.mark.slow
def test_a_billion_laughs_params_file(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS + "\n")
    done = run_process("build", path, "--out", tmp_path / "out", memory=2 * 1024**3)
    refused(
        done,
        f"{path}:1: &a is a YAML anchor: a params file may not use anchors or aliases (&name, *name); write each value out",
    )
    assert len(done.stderr) < 3000
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_bidirectional_control_in_the_data(data_copy):
    path = data_copy / "timeline.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("Fixture treaty", "Fixture \u202etreaty")
    path.write_text("\n".join(lines), encoding="utf-8")
    refused(
        run("validate", data_copy),
        f"{data_copy}/timeline.csv:2: column event: holds the bidirectional control character U+202E (RIGHT-TO-LEFT"
        " OVERRIDE), which changes the order the text around it is shown in: remove it",
        "1 problem in the data; nothing was built.",
    )


@pytest.mark.slow
def test_a_title_that_is_not_utf8_on_the_command_line(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(  # the bytes as a shell passes them: -p title $'\\xff'
        [sys.executable, "-m", "analysis", "build", "-p", "title", b"A title \xff", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=TIME_LIMIT,
    )
    refused(
        done,
        "-p: parameter title: 'A title \\udcff' cannot be written as UTF-8: U+DCFF is no character (bytes that are"
        " not UTF-8, read from the command line, or a \\u escape of half a pair): give the text as UTF-8",
    )
    assert not out.exists() or not any(out.iterdir())


def test_files_of_8_mib_of_rows_are_refused_at_once(data_copy):
    # nearly 8 MiB of short rows each: 280,000 figures and as many events; a build of them ran for more than
    # ten minutes
    rows = "".join(f"KOR,CHL,{1900 + i % 120},{1 + i // 120 % 12},{i % 1000}.5,tiny-a,\n" for i in range(280_000))
    (data_copy / "fdi.csv").write_text("origin,destination,year,months,usd_millions,source_id,note\n" + rows)
    events = "".join(f"{1700 + i % 300},e,diplomacy,tiny-c,\n" for i in range(280_000))
    (data_copy / "timeline.csv").write_text("date,event,category,source_id,note\n" + events)
    assert (data_copy / "fdi.csv").stat().st_size <= 8 * 2**20 and (
        data_copy / "timeline.csv"
    ).stat().st_size <= 8 * 2**20
    done = run("validate", data_copy)
    refused(
        done,
        f"{data_copy}/fdi.csv:302: is row 301 of 280,000: fdi.csv holds at most 300 rows (what a build lays out grows"
        " with them): keep the rows the reports need, or split the data into folders of their own",
    )
    assert f"{data_copy}/timeline.csv:202: is row 201 of 280,000: timeline.csv holds at most 200 rows" in done.stderr
