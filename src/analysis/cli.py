"""The command line: ``analysis build``, ``watch``, ``validate``, ``doctor``.

Exit status: 0 done; 2 bad input (data, parameters, an ``--out`` that cannot be a folder), each
problem on its own line, located (``FILE:LINE: column COLUMN: what is wrong``); 1 anything else
(an output folder that cannot be written, the machine, a phase past its time limit); 128 plus the
signal's number when stopped (130 for Ctrl-C, 143 for SIGTERM). Every failure is a message that
says what is wrong and what to do; ``--debug`` adds the traceback. Heavy libraries are imported
only by the commands that need them, so an unchanged rebuild answers at once.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis import _config as config
from analysis import _inputs as inputs
from analysis import _interrupts as interrupts
from analysis import _limits as limits
from analysis import errors
from analysis.errors import AnalysisError, DataValidationError, ParameterError, shown_text

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MAX_JOBS = 32  # each job runs a kernel of its own


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analysis", description="Build the Russia-Mexico FDI report, check its data, or check this machine."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Command)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the traceback of an error, after its message")
    builds = argparse.ArgumentParser(add_help=False, parents=[common])
    builds.add_argument(
        "params",
        nargs="*",
        type=Path,
        metavar="PARAMS.yaml",
        help="params files, one report each (default: params/russia-mexico-fdi.yaml)",
    )
    builds.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter for every report",
    )
    builds.add_argument(
        "--out", type=Path, default=config.REPORTS_DIR, metavar="DIR", help="output folder (default: reports/)"
    )
    builds.add_argument(
        "--format", default="html,pdf", metavar="html,pdf", help="formats to render (default: html,pdf)"
    )
    builds.add_argument(
        "--time-limit",
        action="append",
        default=[],
        metavar="PHASE=SECONDS",
        help=(
            "time limit of a phase of the build: kernel, notebook, html, pdf (default: "
            + ", ".join(f"{name}={seconds:g}" for name, (_, seconds) in limits.PHASES.items())
            + "); also the environment variable ANALYSIS_TIME_LIMITS=pdf=600,notebook=1200"
        ),
    )
    shown = {"formatter_class": argparse.RawDescriptionHelpFormatter, "parameters": True}

    build = commands.add_parser(
        "build",
        parents=[builds],
        help="build reports (HTML, PDF, executed notebook, metrics)",
        description="Build one report per params file (the default report when none is given).",
        **shown,
    )
    build.add_argument("--force", action="store_true", help="rebuild even when nothing changed since the last build")
    build.add_argument(
        "--jobs", "-j", type=int, default=1, metavar="N", help="build N reports at once, one kernel each (default: 1)"
    )
    build.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")

    watch = commands.add_parser(
        "watch",
        parents=[builds],
        help="build, then rebuild on every saved change, serving the report with live reload",
        description=(
            "Build, then rebuild on every saved change to the data, params, notebook or code, keeping a "
            "warm kernel between rebuilds; serve the output folder on 127.0.0.1, reloading the page after "
            "each rebuild. Ctrl-C stops it."
        ),
        **shown,
    )
    watch.add_argument("--port", type=int, default=0, metavar="N", help="serve on port N (default: a free port)")
    watch.add_argument("--no-serve", action="store_true", help="do not serve the output folder")

    validate = commands.add_parser("validate", parents=[common], help="check the data files and print every problem")
    validate.add_argument(
        "data_dir",
        nargs="?",
        type=config.given_path,
        default=config.DATA_DIR,
        metavar="DATA_DIR",
        help="folder with the CSV files (default: data/)",
    )

    doctor = commands.add_parser(
        "doctor",
        parents=[common],
        help="check that this machine can build the report, and say how to fix what is missing",
    )
    doctor.add_argument(
        "--out", type=Path, default=config.REPORTS_DIR, metavar="DIR", help="output folder to check (default: reports/)"
    )
    return parser


class _Command(argparse.ArgumentParser):
    """A command whose help may end with the notebook's parameters, read only when help is asked for."""

    def __init__(self, *args: Any, parameters: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parameters = parameters

    def format_help(self) -> str:
        if self.parameters:
            self.epilog = _parameters_epilog()
        return super().format_help()


def _parameters_epilog() -> str:
    from analysis._params import describe, notebook_parameters

    try:
        specs = notebook_parameters(config.DEFAULT_NOTEBOOK)
    except (OSError, AnalysisError):
        return ""
    return (
        "parameters (from the notebook's parameters cell; set them in a params file or with -p):\n"
        + describe(specs)
        + "\n\nexample:\n  analysis build params/russia-mexico-fdi.yaml params/russia-mexico-fdi-jan-sep.yaml -p target_year 2025"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        The exit status: 0 done, 1 failed, 2 bad input, 128 + N stopped by signal N.

    Examples
    --------
    >>> main(["validate", "tests/fixtures/tiny"])  # doctest: +SKIP
    tests/fixtures/tiny: valid: 8 figures, 3 sources, 3 events
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # known before parsing, which can fail too (out of files)
    try:
        arguments = _parser().parse_args(argv)
        if arguments.command == "watch":  # handles Ctrl-C itself: it stops the watch (exit status 0)
            return _watch(arguments, argv)
        with interrupts.handled():
            return {"build": _build, "validate": _validate, "doctor": _doctor}[arguments.command](arguments)
    except KeyboardInterrupt:
        print(
            "interrupted: the build stopped, and nothing of it was published; the outputs in place are those "
            "of the last build that finished, whole",
            file=sys.stderr,
        )
        return interrupts.exit_status()
    except AnalysisError as error:  # exit status 2 for bad input (InputError), 1 for the rest
        for problem in getattr(error, "problems", None) or [f"error: {error}"]:
            print(problem, file=sys.stderr)
        if isinstance(error, DataValidationError):  # the count includes problems left unlisted
            print(
                f"{error.count:,} problem{'s' if error.count != 1 else ''} in the data; nothing was built.",
                file=sys.stderr,
            )
        status, failure = error.exit_status, error
    except Exception as error:  # a full disk, too many open files, a bug: a sentence, not a traceback
        print(f"error: {errors.describe(error)}", file=sys.stderr)
        status, failure = EXIT_FAILED, error
    if debug:  # outside the except clauses: the error's own traceback
        traceback.print_exception(failure, file=sys.stderr)
    return status


def _options(arguments: argparse.Namespace, **more: object):  # -> pipeline.BuildOptions
    from analysis._pipeline import FORMATS, BuildOptions

    asked = [f.strip().lower() for f in arguments.format.split(",") if f.strip()]
    if not asked or any(f not in FORMATS for f in asked):
        raise ParameterError(
            [
                f"--format {shown_text(arguments.format)}: formats are {', '.join(FORMATS)}, comma-separated (such as --format html,pdf)"
            ]
        )
    inputs.ensure_open_files()
    return BuildOptions(
        out_dir=config.given_path(arguments.out),
        formats=tuple(f for f in FORMATS if f in asked),
        time_limits=limits.resolve(arguments.time_limit),
        **more,
    )


def _build(arguments: argparse.Namespace) -> int:
    from analysis import _pipeline as pipeline
    from analysis._plan import plan

    if not 1 <= arguments.jobs <= MAX_JOBS:
        raise ParameterError([f"--jobs {arguments.jobs}: must be 1 to {MAX_JOBS} (each job runs a kernel of its own)"])
    interactive = sys.stderr.isatty() and not arguments.quiet
    options = _options(
        arguments,
        force=arguments.force,
        jobs=arguments.jobs,
        progress=pipeline.terminal_progress if interactive else pipeline.silent,
    )
    outcomes = pipeline.build_all(plan(arguments.params, [tuple(p) for p in arguments.parameter]), options)
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"{outcome.name}: failed: {outcome.message}", file=sys.stderr)
            if arguments.debug and outcome.detail:
                print(outcome.detail.rstrip(), file=sys.stderr)
            continue
        for warning in outcome.warnings:
            print(f"{outcome.name}: warning from the notebook: {warning}", file=sys.stderr)
        where = config.display_path(options.out_dir / outcome.name)
        listed = ", ".join(o.removeprefix(outcome.name) for o in outcome.outputs if "/" not in o)
        if arguments.quiet:
            continue
        if outcome.status == "unchanged":
            print(
                f"{outcome.name}: unchanged since the last build, outputs reused ({where}{{{listed}}}); --force rebuilds"
            )
        else:
            print(f"{outcome.name}: built {where}{{{listed}}} in {outcome.seconds:.1f} s")
    # 2 (bad input) only when every failure was bad input, else 1
    return min((o.exit_status for o in outcomes if o.status == "failed"), default=EXIT_OK)


def _watch(arguments: argparse.Namespace, argv: list[str]) -> int:
    from analysis._watch import watch

    options = _options(arguments)
    if not 0 <= arguments.port <= 65535:
        raise ParameterError([f"--port {arguments.port}: a port is 0 (any free one) to 65535"])
    port = None if arguments.no_serve else arguments.port
    return watch(arguments.params, [tuple(p) for p in arguments.parameter], options, port, argv, debug=arguments.debug)


def _validate(arguments: argparse.Namespace) -> int:
    from analysis._load import load_dataset

    data = load_dataset(arguments.data_dir)
    print(
        f"{config.display_path(arguments.data_dir)}: valid: {len(data.fdi)} figures, {len(data.sources)} sources, {len(data.timeline)} events"
    )
    return EXIT_OK


def _doctor(arguments: argparse.Namespace) -> int:
    from analysis._doctor import run_checks

    failed = 0
    for check in run_checks(config.given_path(arguments.out)):
        print(f"[{'ok  ' if check.ok else 'note' if check.optional else 'FAIL'}] {check.name}: {check.detail}")
        if not check.ok and check.fix:
            print(f"       fix: {check.fix}")
        failed += not check.ok and not check.optional
    print(f"{failed} required check(s) failed" if failed else "this machine can build the report")
    return EXIT_FAILED if failed else EXIT_OK
