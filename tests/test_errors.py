"""Messages: every value they quote is bounded and cannot act on the terminal; any error is one sentence with what to do."""

import errno
import resource

import pytest
import zmq

from analysis import errors
from analysis.errors import DataValidationError, Omitted, Problem, shown_text, shown_value


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("RUS", "'RUS'"),
        ("x" * 60, "'" + "x" * 60 + "'"),
        ("x" * 61, "'" + "x" * 60 + "…' (1 more character)"),
        ("y" * 100_000, "'" + "y" * 60 + "…' (99,940 more characters)"),
        ("red\x1b[31mtext", "'red\\x1b[31mtext'"),  # an escape sequence shows, it does not colour
        ("abc\u202edcba", "'abc\\u202edcba'"),  # a right-to-left override would reverse what follows
        ("two\nlines", "'two\\x0alines'"),
    ],
)
def test_shown_text(text, shown):
    assert shown_text(text) == shown


def billion_laughs(depth=9, width=9):
    """A list that shares itself: 9**9 items when expanded, a few hundred objects in memory."""
    value = ["lol"] * width
    for _ in range(depth - 1):
        value = [value] * width
    return value


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("nine", "'nine'"),  # a params file's values are texts, lists and mappings of them
        ("9" * 100, "'" + "9" * 60 + "…' (40 more characters)"),
        (["a", "b"], "['a', 'b']"),
        ([str(i) for i in range(8)], "['0', '1', '2', '3', '4', … (3 more items)]"),
        ({"a": "1"}, "{'a': '1'}"),
        ([[["1"]]], "[[[…]]]"),
    ],
)
def test_shown_value(value, shown):
    assert shown_value(value) == shown


def test_a_value_that_would_expand_to_billions_is_shown_in_a_few_hundred_characters():
    # two levels shown, five items of each, the rest counted; deeper levels elided
    inner = "[" + ", ".join(["[…]"] * 5 + ["… (4 more items)"]) + "]"
    assert shown_value(billion_laughs()) == "[" + ", ".join([inner] * 5 + ["… (4 more items)"]) + "]"


def test_a_problem_escapes_its_file_and_bounds_its_column():
    problem = Problem("data\x1b]0;x\x07/fdi.csv", 3, "c" * 100, "is wrong")
    assert str(problem) == "data\\x1b]0;x\\x07/fdi.csv:3: column " + "c" * 60 + "… (40 more characters): is wrong"


def test_unlisted_problems_come_last_and_count():
    problems = [
        Omitted("b.csv", None, None, "5 more problems not listed", 5),
        Problem("b.csv", 7, "x", "second"),
        Problem("a.csv", 2, None, "first"),
        Problem("b.csv", None, None, "whole file"),
    ]
    error = DataValidationError(problems)
    assert [p.message for p in error.problems] == ["first", "whole file", "second", "5 more problems not listed"]
    assert error.count == 8


def open_files_advice() -> str:
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return (
        f"too many open files (this process may have {soft} open at once): close programs that hold many files, "
        "or raise the limit in the shell that runs the command (ulimit -n 4096) and build again; nothing was published"
    )


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EMFILE, "Too many open files", "/out/tiny.html"),
        OSError(errno.ENFILE, "Too many open files in system"),
        zmq.ZMQError(errno.EMFILE),  # the kernel's messaging, starting a kernel
    ],
    ids=["EMFILE", "ENFILE", "ZMQError"],
)
def test_running_out_of_file_descriptors(error):
    assert errors.describe(error) == open_files_advice()


def test_running_out_of_files_is_found_under_the_error_it_caused():
    try:
        try:
            raise zmq.ZMQError(errno.EMFILE)
        except zmq.ZMQError as cause:
            raise RuntimeError("Kernel didn't respond in 60 seconds") from cause
    except RuntimeError as error:
        assert errors.describe(error) == open_files_advice()


def test_a_rename_names_the_folder_in_the_way_not_the_file_moved(tmp_path):
    moved, in_the_way = tmp_path / "executed.ipynb", tmp_path / "failed.ipynb"
    moved.write_text("{}")
    (in_the_way / "inside").mkdir(parents=True)
    with pytest.raises(OSError) as caught:
        moved.replace(in_the_way)
    assert errors.describe(caught.value) == (
        f"{in_the_way} is a folder where the build writes a file: move the folder away, or build into another "
        "folder with --out"
    )


def test_a_full_disk_names_the_file():
    assert errors.describe(OSError(errno.ENOSPC, "No space left on device", "/out/tiny.pdf")) == (
        "no space left on the disk (or over the disk quota) while writing /out/tiny.pdf: free some space, or build "
        "into a folder on another disk with --out; the outputs already in place are as they were"
    )


def test_an_unforeseen_error_asks_for_debug():
    assert errors.describe(KeyError("cell")) == (
        "an unexpected error: KeyError: 'cell'; run the command again with --debug to see where it happened, "
        "and report it"
    )
    assert errors.describe(ValueError()).startswith("an unexpected error: ValueError: no message; ")


def test_the_last_words_of_a_log_are_bounded(tmp_path):
    log = tmp_path / "kernel.log"
    log.write_text("starting\n\n" + "x" * 1000 + "\n")
    words = errors.last_words(log)
    assert words == "x" * 299 + "…"
    assert errors.last_words(tmp_path / "missing.log") == ""


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.EACCES, "permission denied: this user may not write /out/r.pdf: make it writable"),
        (errno.EPERM, "permission denied: this user may not write /out/r.pdf: make it writable"),
        (errno.EROFS, "/out/r.pdf is on a read-only file system: build into a writable folder with --out"),
        (errno.ENOMEM, "out of memory: close other programs"),
        (errno.ELOOP, "/out/r.pdf is a symbolic link loop (the link leads back to itself)"),
        (errno.ENOTDIR, "a part of /out/r.pdf is a file where a folder should be"),
        (errno.EISDIR, "/out/r.pdf is a folder where the build writes a file"),
        (errno.EEXIST, "/out/r.pdf already exists and is in the way"),
        (errno.ENAMETOOLONG, "the path /out/r.pdf is too long for this system"),
        (errno.EIO, "input/output error at /out/r.pdf (a failing disk, or a lost network share)"),
        (errno.ECONNRESET, "Connection reset (/out/r.pdf)"),
    ],
    ids=lambda value: errno.errorcode[value] if isinstance(value, int) else None,
)
def test_each_kind_of_system_error_is_said_with_the_path_and_what_to_do(code, expected):
    strerror = "Connection reset" if code == errno.ECONNRESET else "ignored"
    assert errors.describe(OSError(code, strerror, "/out/r.pdf")).startswith(expected)


def test_a_system_error_without_a_path_or_words_gives_its_kind():
    assert errors.describe(OSError()) == "OSError"
    assert errors.describe(MemoryError()).startswith("out of memory")
