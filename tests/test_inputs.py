"""Reading an input: only a regular file, within a size limit, never blocking."""

import errno
import os
import threading
from pathlib import Path

import pytest

from analysis import _inputs as inputs
from analysis.errors import InputFileError, ParameterError, SystemLimitError, os_reason


def read_within(seconds, function, *args, **kwargs):
    """Run a read in a thread; fail the test (instead of hanging it) if it blocks."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args, **kwargs)
        except Exception as error:  # the test inspects it
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the read blocked for {seconds} s"
    return outcome


def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 1000)
    assert inputs.read_bytes(path, 1000, "a.csv") == b"x" * 1000


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(3 * inputs.MIB + 1)  # sparse: no time spent writing it
    with pytest.raises(InputFileError) as caught:
        inputs.read_bytes(path, 3 * inputs.MIB, "big.csv")
    assert caught.value.reason == (
        "is larger than 3 MiB, the most a file may hold: split it, or set ANALYSIS_MAX_INPUT_MIB to a larger"
        " size in MiB (such as ANALYSIS_MAX_INPUT_MIB=64)"
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [  # a pipe with no writer: opening it to read would wait for one, reading would never end; devices read forever
        (os.mkfifo, "is a named pipe (FIFO), not a regular file"),
        (lambda path: path.symlink_to("/dev/zero"), "is a device, not a regular file"),
        (lambda path: path.symlink_to("/dev/urandom"), "is a device, not a regular file"),
    ],
)
def test_a_pipe_or_a_device_is_refused_without_reading_it(tmp_path, make, reason):
    make(tmp_path / "fdi.csv")
    outcome = read_within(10, inputs.read_bytes, tmp_path / "fdi.csv", 1000, "fdi.csv")
    assert isinstance(outcome.get("error"), InputFileError)
    assert outcome["error"].reason.startswith(reason)


def test_a_file_swapped_for_a_pipe_after_the_look_is_refused_without_blocking(tmp_path, monkeypatch):
    fifo = tmp_path / "fdi.csv"
    os.mkfifo(fifo)
    regular = tmp_path / "regular"
    regular.write_text("x")
    looked = regular.stat()
    # the look (stat) sees a regular file; by the time of the open, it is a pipe
    monkeypatch.setattr(Path, "stat", lambda self, **kwargs: looked)
    outcome = read_within(10, inputs.read_bytes, fifo, 1000, "fdi.csv")
    assert outcome["error"].reason.startswith("is a named pipe (FIFO), not a regular file")


def test_a_file_that_grows_past_its_size_is_read_no_further_than_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "growing.csv"
    path.write_bytes(b"x" * 5000)
    small = tmp_path / "small"
    small.write_bytes(b"x" * 10)
    looked = small.stat()  # a size of 10, as /proc files and files being written report less
    monkeypatch.setattr(Path, "stat", lambda self, **kwargs: looked)
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(InputFileError) as caught:
        inputs.read_bytes(path, 1000, "growing.csv")
    assert caught.value.reason.startswith("is larger than 1,000 bytes")
    assert sum(reads) <= 1001


def test_a_folder_given_as_a_file(tmp_path):
    with pytest.raises(InputFileError) as caught:
        inputs.read_bytes(tmp_path, 1000, "x", what="params file")
    assert (
        caught.value.reason
        == "is a folder, not a regular file: give a params file saved on disk (a pipe or a device is not read)"
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOENT, "file not found"),
        (errno.EACCES, "permission denied: this user may not read the file; make it readable (chmod u+r)"),
        (errno.ELOOP, "is a symbolic link loop (the link leads back to itself)"),
        (errno.ENOTDIR, "a part of the path is a file where a folder should be"),
        (errno.EIO, "input/output error"),
    ],
)
def test_operating_system_errors_are_explained(code, words):
    assert words in os_reason(OSError(code, os.strerror(code)))


@pytest.mark.parametrize("code", [errno.EMFILE, errno.ENFILE, errno.ENOMEM])
def test_running_out_of_files_or_memory_is_not_a_fault_of_the_input(tmp_path, monkeypatch, code):
    path = tmp_path / "a.csv"
    path.write_text("x")

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(SystemLimitError) as caught:
        inputs.read_bytes(path, 1000, "a.csv")
    assert caught.value.exit_status == 1
    assert ("ulimit -n" in str(caught.value)) == (code != errno.ENOMEM)


@pytest.mark.parametrize(
    ("value", "expected"), [("", 8 * inputs.MIB), ("64", 64 * inputs.MIB), (" 0.5 ", inputs.MIB // 2)]
)
def test_the_size_limit_and_its_override(monkeypatch, value, expected):
    monkeypatch.setenv(inputs.MAX_INPUT_ENV, value)
    assert inputs.max_data_bytes() == expected


@pytest.mark.parametrize("value", ["lots", "0", "-5", "nan", "inf", "1e30"])
def test_a_size_limit_that_is_not_a_size(monkeypatch, value):
    monkeypatch.setenv(inputs.MAX_INPUT_ENV, value)
    with pytest.raises(ParameterError) as caught:
        inputs.max_data_bytes()
    assert caught.value.problems[0].startswith(f"environment variable ANALYSIS_MAX_INPUT_MIB: '{value}' is not a size")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("origin,year\n".encode("utf-16"), "f.csv: is saved as UTF-16: "),
        ("origin,year\n".encode("utf-16-be"), "f.csv: is saved as UTF-16 (big-endian): "),
        ("origin,ñandú\n".encode("utf-16-le"), "f.csv: is saved as UTF-16 (little-endian): "),
        ("origin,year\n".encode("utf-32"), "f.csv: is saved as UTF-32: "),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#", "f.csv: is not a text file (a spreadsheet"),
        (b"\x7fELF" + bytes(range(256)) * 4, "f.csv: is not a text file"),
        (
            b"a,b\nx,y\nx,caf\xe9\n",
            "f.csv:3: byte(s) E9 are not UTF-8 (the file looks saved as Windows-1252 or Latin-1)",
        ),
    ],
)
def test_bytes_that_are_not_utf8_text_are_told_apart_with_what_to_do(data, said):
    with pytest.raises(InputFileError) as caught:
        inputs.decode(data, "f.csv")
    assert str(caught.value).startswith(said)
    assert str(caught.value).endswith(inputs.SAVE_AS_UTF8)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"origin,year\nRUS,2024\n", "origin,year\nRUS,2024\n"),
        ("\ufeffaño,ñandú\n".encode(), "año,ñandú\n"),  # a byte order mark is dropped
        (b"a,b\n" + b"1,2\n" * 50 + b"3,\x004\n", "a,b\n" + "1,2\n" * 50 + "3,\x004\n"),  # a stray NUL: located later
    ],
)
def test_utf8_is_text(data, text):
    assert inputs.decode(data, "f.csv") == text
