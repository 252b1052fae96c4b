"""The project's exceptions: one base, `AnalysisError`, and a subclass for each kind of failure.

The command line maps them to exit statuses: 2 for bad input (`InputError`), 1 for the rest.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from analysis.contract import BIDI_CONTROLS

# The most characters of a value any message quotes: a value from a file or the command line can
# be as long as the file, so a message shows its start and says how much was left out.
SHOWN_CHARS = 60
SHOWN_ITEMS = 5  # items of a list or mapping shown in a message
SHOWN_DEPTH = 2  # levels of nesting shown in a message


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located as precisely as it can be.

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
    """A line saying how many more problems a file has: it comes last among the file's problems.

    Attributes
    ----------
    count : int
        How many problems it stands for.
    """

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
    """A parameter is unknown, of the wrong type, or asks for something the data lacks.

    Parameters
    ----------
    problems : list of str
        One sentence per problem, each naming the parameter and what would be valid.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InputFileError(InputError):
    """An input file cannot be read as one: missing, not a regular file, too large, unreadable.

    Parameters
    ----------
    shown : str
        The file, as messages name it.
    reason : str
        What is wrong and what to do, as a sentence after the file's name.
    """

    def __init__(self, shown: str, reason: str):
        self.shown, self.reason = shown, reason
        super().__init__(f"{shown}: {reason}")


class CheckError(AnalysisError):
    """A check of the data raised instead of answering: a fault of the package, not of the file.

    pandera, validating lazily, records such a check as a failure on no line; it would otherwise
    let the file pass.
    """


class SystemLimitError(AnalysisError):
    """The machine ran out of something a step needs (open files, memory): not a fault of the input."""


class NotebookExecutionError(AnalysisError):
    """A cell of the report notebook raised; the partly executed notebook was kept.

    Parameters
    ----------
    message : str
        The exception raised inside the kernel.
    kept_at : str or None
        Where the partly executed notebook was saved.
    """

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
    """A phase of a build ran past its time limit and was stopped (see `analysis.limits`)."""


def problem_order(problem: Problem) -> tuple[str, bool, int, str, str]:
    """Return the key problems are listed by: file, then line (a file's own first), then column.

    Parameters
    ----------
    problem : Problem
        One problem; a count of problems not listed (`Omitted`) comes last in its file.

    Returns
    -------
    tuple
        The sort key.
    """
    return (problem.file, isinstance(problem, Omitted), problem.line or 0, problem.column or "", problem.message)


# Values in messages --------------------------------------------------------------------------

# Characters that would act on a terminal rather than show: controls, and the marks that reorder
# the text around them (bidirectional overrides and isolates).
_BIDI_CONTROLS = frozenset(BIDI_CONTROLS)


def _escaped(text: str) -> str:
    out = []
    for char in text:
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def shown_text(text: str, limit: int = SHOWN_CHARS, *, quoted: bool = True) -> str:
    """Quote a text for a message: at most ``limit`` characters, and a count of the rest.

    Control characters (and the marks that reorder text) are escaped, so a value cannot act on
    the terminal that shows the message.

    Parameters
    ----------
    text : str
        The value, as long as it may be.
    limit : int, optional
        The most characters shown.
    quoted : bool, optional
        Put it in single quotes.

    Returns
    -------
    str
        Such as ``'xxxx…' (1,940 more characters)``.
    """
    head = _escaped(text[:limit])
    quote = "'" if quoted else ""
    if len(text) <= limit:
        return f"{quote}{head}{quote}"
    rest = len(text) - limit
    return f"{quote}{head}…{quote} ({rest:,} more character{'s' if rest != 1 else ''})"


def shown_value(value: object, depth: int = 0) -> str:
    """Show any value from a params file or ``-p`` in a message, in bounded length.

    A text is cut as `shown_text` cuts it; a list or a mapping shows its first few items and
    counts the rest; a nesting deeper than a couple of levels is elided; a huge integer is
    described by its number of digits. Nothing is expanded: the work and the message are bounded
    whatever the value.

    Parameters
    ----------
    value : object
        The value.
    depth : int, optional
        Nesting level (for the recursion).

    Returns
    -------
    str
    """
    if isinstance(value, str):
        return shown_text(value)
    if value is None or isinstance(value, bool | float | dt.date):
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() <= 100:
            return repr(value)
        return f"a number of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    if isinstance(value, list | tuple | dict):
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        if depth >= SHOWN_DEPTH:
            return f"{opening}…{closing}" if value else f"{opening}{closing}"
        items = list(value.items())[:SHOWN_ITEMS] if isinstance(value, dict) else list(value[:SHOWN_ITEMS])
        if isinstance(value, dict):
            parts = [f"{shown_value(k, depth + 1)}: {shown_value(v, depth + 1)}" for k, v in items]
        else:
            parts = [shown_value(item, depth + 1) for item in items]
        rest = len(value) - len(items)
        if rest:
            parts.append(f"… ({rest:,} more item{'s' if rest != 1 else ''})")
        return opening + ", ".join(parts) + closing
    return f"a {type(value).__name__}"
