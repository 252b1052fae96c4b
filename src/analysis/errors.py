"""The project's exceptions: one base, `AnalysisError`, and a subclass for each kind of failure.

The command line maps them to exit statuses: 2 for bad input (`InputError`), 1 for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column is not None:
            where += f": column {self.column}"
        return f"{where}: {self.message}"


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
        self.problems = sorted(problems, key=_problem_order)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the data:\n{lines}")


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
        where = f"\nThe partly executed notebook is kept at {kept_at}" if kept_at else ""
        super().__init__(f"the report notebook failed: {message}{where}")


class BuildError(AnalysisError):
    """The build could not finish for a reason outside the inputs (rendering, writing)."""


def _problem_order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.column or "", problem.message)


class TimeLimitError(BuildError):
    """A phase of a build ran past its time limit and was stopped (see `analysis.limits`)."""
