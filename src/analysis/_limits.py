"""Time limits of the phases of a build (``--time-limit PHASE=SECONDS``, ``ANALYSIS_TIME_LIMITS``).

A phase past its limit is stopped and the build fails with a `TimeLimitError` naming it, so that
no input, however hostile, makes a build hang.
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
    """Read ``PHASE=SECONDS`` pairs (each text one or more, comma-separated)."""
    found: dict[str, float] = {}
    problems = []
    phases = ", ".join(PHASES)
    for pair in (p.strip() for text in texts for p in text.split(",") if p.strip()):
        name, equals, value = (part.strip() for part in pair.partition("="))
        shown = shown_text(pair, 60)
        if not equals or name not in PHASES:
            problems.append(f"{given_as} {shown}: write PHASE=SECONDS, PHASE one of {phases} (such as pdf=600)")
            continue
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if 0 < seconds <= LONGEST:  # nan fails
            found[name] = seconds
        else:
            problems.append(
                f"{given_as} {shown}: the limit of {name} is a number of seconds above 0 and at most "
                f"{LONGEST:,.0f} (a day), such as {name}={PHASES[name][1]:g}"
            )
    if problems:
        raise ParameterError(problems)
    return found


def resolve(options: Sequence[str] = (), environ: Mapping[str, str] = os.environ) -> TimeLimits:
    """Return the time limits: the defaults, then the environment variable's, then the options'."""
    values = parse([environ.get(ENVIRONMENT, "")], f"environment variable {ENVIRONMENT}")
    values.update(parse(options, "--time-limit"))
    return TimeLimits(**values)


def exceeded(phase: str, seconds: float) -> TimeLimitError:
    """Return the error of a phase stopped at its time limit: it names the phase and what to do."""
    return TimeLimitError(
        f"{PHASES[phase][0]} took longer than its time limit of {seconds:g} s and was stopped; nothing was published. "
        f"{_HINTS[phase]}If the machine is only slow, raise the limit: --time-limit {phase}=SECONDS "
        f"(or the environment variable {ENVIRONMENT}={phase}=SECONDS)."
    )
