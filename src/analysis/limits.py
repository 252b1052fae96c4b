"""Time limits for the phases of a build: a phase that runs past its limit is stopped.

Each phase of a build has a limit in seconds, so that no input, however hostile, makes a build
hang: a text of thousands of characters without a space, for one, makes the PDF's layout run for
minutes. A phase that runs past its limit is stopped (the kernel or the renderer's process is
killed), the build fails with a `TimeLimitError` that names the phase (exit status 1), and
nothing is published.

The defaults (`PHASES`) leave a report of the project's size many times the time it takes on a
slow machine. To change them, ``--time-limit PHASE=SECONDS`` (``analysis build`` and ``watch``;
repeated, or comma-separated: ``--time-limit pdf=600,notebook=1200``), or the environment
variable ``ANALYSIS_TIME_LIMITS`` in the same form; the option wins over the variable.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.errors import ParameterError, TimeLimitError, shown_text

# name: (what the phase does, in messages; its default limit in seconds)
PHASES = {
    "kernel": ("starting the kernel", 120.0),
    "notebook": ("running the notebook", 600.0),
    "html": ("rendering the HTML", 60.0),
    "pdf": ("rendering the PDF", 120.0),
}
ENVIRONMENT = "ANALYSIS_TIME_LIMITS"
LONGEST = 24 * 3600.0  # a limit longer than a day is no limit

_HINTS = {
    "kernel": "The machine may be overloaded, or an import of the notebook stuck. ",
    "notebook": "A cell may be stuck in a loop or waiting: the partly executed notebook shows which. ",
    "html": "A very long text in the data may be the cause: shorten it. ",
    "pdf": (
        "A very long text without spaces in the data (a note, a title, an address) makes the layout slow: "
        "shorten it, or put spaces in it. "
    ),
}


@dataclass(frozen=True)
class TimeLimits:
    """The time limit of each phase of a build, in seconds."""

    kernel: float = PHASES["kernel"][1]
    notebook: float = PHASES["notebook"][1]
    html: float = PHASES["html"][1]
    pdf: float = PHASES["pdf"][1]


def parse(texts: Sequence[str], given_as: str) -> dict[str, float]:
    """Read ``PHASE=SECONDS`` pairs (each text one or more, comma-separated).

    Parameters
    ----------
    texts : sequence of str
        Such as ``["pdf=600", "notebook=1200,html=90"]``.
    given_as : str
        Where they were given, for messages (``--time-limit``, the environment variable).

    Returns
    -------
    dict of str to float

    Raises
    ------
    ParameterError
        Every pair that is not a known phase with a number of seconds above 0, up to a day.

    Examples
    --------
    >>> parse(["pdf=600,html=90.5"], "--time-limit")
    {'pdf': 600.0, 'html': 90.5}
    """
    found: dict[str, float] = {}
    problems = []
    phases = ", ".join(PHASES)
    for text in texts:
        for pair in (p.strip() for p in text.split(",")):
            if not pair:
                continue
            name, equals, value = (part.strip() for part in pair.partition("="))
            shown = shown_text(pair, 60)
            if not equals or name not in PHASES:
                problems.append(f"{given_as} {shown}: write PHASE=SECONDS, PHASE one of {phases} (such as pdf=600)")
                continue
            try:
                seconds = float(value)
            except ValueError:
                seconds = math.nan
            if not 0 < seconds <= LONGEST:  # nan fails too
                problems.append(
                    f"{given_as} {shown}: the limit of {name} is a number of seconds above 0 and at most "
                    f"{LONGEST:,.0f} (a day), such as {name}={PHASES[name][1]:g}"
                )
                continue
            found[name] = seconds
    if problems:
        raise ParameterError(problems)
    return found


def resolve(options: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> TimeLimits:
    """Return the time limits: the defaults, then the environment variable's, then the options'.

    Parameters
    ----------
    options : sequence of str
        The ``--time-limit`` values.
    environ : mapping, optional
        The environment (``os.environ`` by default).

    Returns
    -------
    TimeLimits

    Raises
    ------
    ParameterError
        A value that is not ``PHASE=SECONDS``.
    """
    environ = os.environ if environ is None else environ
    values = parse([environ.get(ENVIRONMENT, "")], f"environment variable {ENVIRONMENT}")
    values.update(parse(options, "--time-limit"))
    return TimeLimits(**values)


def exceeded(phase: str, seconds: float) -> TimeLimitError:
    """Return the error of a phase stopped at its time limit: it names the phase and what to do.

    Parameters
    ----------
    phase : str
        A key of `PHASES`.
    seconds : float
        Its limit.

    Returns
    -------
    TimeLimitError
    """
    what = PHASES[phase][0]
    return TimeLimitError(
        f"{what} took longer than its time limit of {seconds:g} s and was stopped; nothing was published. "
        f"{_HINTS[phase]}If the machine is only slow, raise the limit: --time-limit {phase}=SECONDS "
        f"(or the environment variable {ENVIRONMENT}={phase}=SECONDS)."
    )
