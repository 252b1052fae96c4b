"""The project's exceptions, and every sentence that tells an analyst what went wrong and what to do.

The command line maps the exceptions to exit statuses: 2 for bad input (`InputError`), 1 for the
rest. An error that is not the project's own (a full disk, too many open files) becomes one
sentence (`describe`), so an analyst reads a traceback only when asking for one with ``--debug``.
"""

from __future__ import annotations

import errno
import os
import resource
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from analysis import _config as config
from analysis.contract import BIDI_CONTROLS

SHOWN_CHARS = 60  # of a value quoted in a message: a value can be as long as its file
SHOWN_ITEMS = 5  # items of a list or mapping shown in a message
SHOWN_DEPTH = 2  # levels of nesting shown in a message
# Characters a message shows escaped: control characters (Unicode's Cc), surrogates (Cs), line and
# paragraph separators (Zl, Zp), and the bidirectional controls.
ESCAPES = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in [*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000), 0x2028, 0x2029, *map(ord, BIDI_CONTROLS)]
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, shown as ``FILE:LINE: column COLUMN: message``.

    Attributes
    ----------
    file : str
        The file, as `config.display_path` shows it.
    line : int or None
        1-based line in the file (the header is line 1); None for a problem with the whole file.
    column : str or None
        The column's name, or None when the problem is not in one column.
    message : str
        What is wrong, in words an analyst can act on.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        shown = _escaped(self.file)
        where = shown if self.line is None else f"{shown}:{self.line}"
        if self.column is not None:
            where += f": column {shown_text(self.column, quoted=False)}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, order=True)
class Omitted(Problem):
    """The count of a file's problems not listed: it comes last among them."""

    count: int = 0


class AnalysisError(Exception):
    """Base of every error this package raises on purpose."""

    exit_status = 1


class InputError(AnalysisError):
    """Bad input from the user: data files or parameters (exit status 2)."""

    exit_status = 2


class DataValidationError(InputError):
    """One or more data files break the data contract.

    Parameters
    ----------
    problems : list of Problem
        Every problem found, not only the first.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=problem_order)
        count = self.count
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{count:,} problem{'s' if count != 1 else ''} in the data:\n{lines}")

    @property
    def count(self) -> int:
        """Every problem found, those left unlisted (`Omitted`) included."""
        return sum(p.count if isinstance(p, Omitted) else 1 for p in self.problems)


class ParameterError(InputError):
    """A parameter is unknown, of the wrong type, or asks for something the data lack.

    Parameters
    ----------
    problems : list of str
        One sentence per problem, each naming the parameter and what would be valid.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InputFileError(InputError):
    """An input file cannot be read as one: missing, not a regular file, too large, unreadable, not UTF-8."""

    def __init__(self, shown: str, reason: str, line: int | None = None):
        self.shown, self.reason, self.line = shown, reason, line
        super().__init__(str(Problem(shown, line, None, reason)))


class SystemLimitError(AnalysisError):
    """The machine ran out of something a step needs (open files, memory): not a fault of the input."""


class NotebookExecutionError(AnalysisError):
    """A cell of the report notebook raised; the partly executed notebook was kept (``kept_at``)."""

    def __init__(self, message: str, kept_at: str | None = None):
        self.kept_at = kept_at
        where = (
            f"\nThe partly executed notebook is kept at {kept_at}: open it to see the failing cell, its output "
            "and its traceback"
            if kept_at
            else ""
        )
        super().__init__(f"the report notebook failed: {message}{where}")


class BuildError(AnalysisError):
    """The build could not finish for a reason outside the inputs (rendering, writing)."""


class TimeLimitError(BuildError):
    """A phase of a build ran past its time limit and was stopped (see `analysis._limits`)."""


def problem_order(problem: Problem) -> tuple[str, bool, int, str, str]:
    """Order problems by file, then line, then column; a file's `Omitted` count last."""
    return (problem.file, isinstance(problem, Omitted), problem.line or 0, problem.column or "", problem.message)


# Values in messages --------------------------------------------------------------------------


def _escaped(text: str) -> str:
    """Escape what would act on a terminal rather than show: controls, and marks that reorder text."""
    return text.translate(ESCAPES)


def shown_text(text: str, limit: int = SHOWN_CHARS, *, quoted: bool = True) -> str:
    """Quote a text for a message, escaped: at most ``limit`` characters, and a count of the rest.

    >>> shown_text("x" * 62)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (2 more characters)"
    """
    head = _escaped(text[:limit])
    quote = "'" if quoted else ""
    if len(text) <= limit:
        return f"{quote}{head}{quote}"
    rest = len(text) - limit
    return f"{quote}{head}…{quote} ({rest:,} more character{'s' if rest != 1 else ''})"


def shown_value(value: object, depth: int = 0) -> str:
    """Show a value as a params file or ``-p`` gives it (texts, lists, mappings) in a message, bounded whatever its size or nesting."""
    if not isinstance(value, list | dict):
        return shown_text(str(value))
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    if depth >= SHOWN_DEPTH:
        return f"{opening}…{closing}" if value else f"{opening}{closing}"
    if isinstance(value, dict):
        parts = [
            f"{shown_value(k, depth + 1)}: {shown_value(v, depth + 1)}" for k, v in islice(value.items(), SHOWN_ITEMS)
        ]
    else:
        parts = [shown_value(item, depth + 1) for item in value[:SHOWN_ITEMS]]
    if (rest := len(value) - len(parts)) > 0:
        parts.append(f"… ({rest:,} more item{'s' if rest != 1 else ''})")
    return opening + ", ".join(parts) + closing


def listed(sentences: list[str], most: int, rest: str) -> list[str]:
    """Keep the first ``most`` sentences, and ``rest`` formatted with the count of the others, if any."""
    return sentences[:most] + ([rest.format(len(sentences) - most)] if len(sentences) > most else [])


# Sentences for errors that are not the project's own ----------------------------------------

OUT_OF_FILES = frozenset({errno.EMFILE, errno.ENFILE})
SYSTEM_LIMITS = OUT_OF_FILES | {errno.ENOMEM}  # the machine ran short, not the input
OUT_OF_MEMORY = "out of memory: close other programs, or build on a machine with more memory; nothing was published"

# errno: (reading an input, after its name; writing an output at {where}). None: the error's own words.
OS_ERRORS: dict[int, tuple[str | None, str | None]] = {
    errno.ENOENT: ("{what} not found", None),
    errno.EACCES: (
        "permission denied: this user may not read the {what}; make it readable (chmod u+r) or copy it somewhere"
        " readable",
        "permission denied: this user may not write {where}: make it writable (ls -ld shows its owner and mode), or"
        " build into another folder with --out",
    ),
    errno.ENOSPC: (
        None,
        "no space left on the disk (or over the disk quota) while writing {where}: free some space, or build into"
        " a folder on another disk with --out; the outputs already in place are as they were",
    ),
    errno.EROFS: (None, "{where} is on a read-only file system: build into a writable folder with --out"),
    errno.ELOOP: (
        "is a symbolic link loop (the link leads back to itself): point it at the real file or folder (ls -l shows"
        " where it leads)",
        "{where} is a symbolic link loop (the link leads back to itself): point it at a real folder (ls -l shows"
        " where it leads)",
    ),
    errno.ENOTDIR: (
        "a part of the path is a file where a folder should be: check the path",
        "a part of {where} is a file where a folder should be: check the path, or build into another folder with --out",
    ),
    errno.EISDIR: (
        "is a folder, not a {what}: give the {what} itself",
        "{where} is a folder where the build writes a file: move the folder away, or build into another folder"
        " with --out",
    ),
    errno.EEXIST: (
        None,
        "{where} already exists and is in the way: move it away, or build into another folder with --out",
    ),
    errno.ENAMETOOLONG: (
        "the path is too long for this system: use a shorter one",
        "the path {where} is too long for this system: build into a folder with a shorter path",
    ),
    errno.EIO: (
        "cannot be read: input/output error (a failing disk or a lost network share): copy the file again",
        "input/output error at {where} (a failing disk, or a lost network share): check the disk and build again",
    ),
}
OS_ERRORS[errno.EPERM] = OS_ERRORS[errno.EACCES]
OS_ERRORS[errno.ENOTEMPTY] = OS_ERRORS[errno.EEXIST]
OS_ERRORS[getattr(errno, "EDQUOT", errno.ENOSPC)] = OS_ERRORS[errno.ENOSPC]


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def out_of_files(error: BaseException) -> bool:
    """Tell whether an error, or one it arose from, is running out of file descriptors (ZMQError too)."""
    return any(getattr(e, "errno", None) in OUT_OF_FILES for e in _chain(error))


def out_of_files_message() -> str:
    """Say that the process ran out of file descriptors, and what to do."""
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    shown = f" (this process may have {limit} open at once)" if limit > 0 else ""
    return (
        f"too many open files{shown}: close programs that hold many files, or raise the limit in the shell "
        "that runs the command (ulimit -n 4096) and build again; nothing was published"
    )


def os_reason(error: OSError, what: str = "file") -> str:
    """Say what an error reading an input means, after the input's name ("params file", "folder").

    Raises `SystemLimitError` for running out of open files or memory: not a fault of the input.
    """
    if error.errno in SYSTEM_LIMITS:
        raise SystemLimitError(describe_os_error(error)) from None
    reading = OS_ERRORS.get(error.errno or 0, (None, None))[0]
    return reading.format(what=what) if reading else f"cannot be read: {error.strerror or error}"


def describe_os_error(error: OSError) -> str:
    """Say what an error making a folder, writing a file or starting a process means, and what to do."""
    code = error.errno or 0
    if code in SYSTEM_LIMITS:
        return OUT_OF_MEMORY if code == errno.ENOMEM else out_of_files_message()
    path = error.filename
    if error.filename2 and code in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST, errno.ENOTEMPTY):
        path = error.filename2  # a rename: what is in the way is at its destination
    where = config.display_path(path) if path else "a file"
    writing = OS_ERRORS.get(code, (None, None))[1]
    if writing:
        return writing.format(where=where)
    reason = error.strerror or str(error) or type(error).__name__
    return f"{reason} ({where})" if error.filename else reason


def describe(error: BaseException) -> str:
    """Say in one sentence what went wrong: an `AnalysisError`'s own sentence, else what the error means.

    Parameters
    ----------
    error : BaseException
        Any error.

    Returns
    -------
    str
        What happened and what to do; an unforeseen error asks for ``--debug``.
    """
    if isinstance(error, AnalysisError):
        return str(error)
    if out_of_files(error):
        return out_of_files_message()
    if isinstance(error, OSError):
        return describe_os_error(error)
    if isinstance(error, MemoryError):
        return OUT_OF_MEMORY
    return (
        f"an unexpected error: {type(error).__name__}: {str(error) or 'no message'}; "
        "run the command again with --debug to see where it happened, and report it"
    )


def last_words(log: Path, limit: int = 300) -> str:
    """Return the last non-empty line of a process's log, at most ``limit`` characters ("" if none)."""
    try:
        with log.open("rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - 8192))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    text = next((line.strip() for line in reversed(tail.splitlines()) if line.strip()), "")
    return text if len(text) <= limit else text[: limit - 1] + "…"
