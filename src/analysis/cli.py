"""The command line: ``analysis build``, ``watch``, ``validate``, ``doctor``.

Exit status: 0 done; 2 bad input (data or parameters), each problem on its own line as
``FILE:LINE: column COLUMN: what is wrong``; 1 anything else. Heavy libraries are imported only
by the commands that need them, so an unchanged rebuild answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis import config
from analysis.errors import AnalysisError, DataValidationError, InputError, ParameterError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analysis",
        description="Build the Russia-Mexico FDI report, check its data, or check this machine.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="build reports (HTML, PDF, executed notebook, metrics)",
        description="Build one report per params file (the default report when none is given).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_parameters_epilog(),
    )
    build.add_argument(
        "params",
        nargs="*",
        type=Path,
        metavar="PARAMS.yaml",
        help="params files, one report each (default: params/russia-mexico-fdi.yaml)",
    )
    build.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter for every report",
    )
    build.add_argument(
        "--out", type=Path, default=config.REPORTS_DIR, metavar="DIR", help="output folder (default: reports/)"
    )
    build.add_argument("--format", default="html,pdf", metavar="html,pdf", help="formats to render (default: html,pdf)")
    build.add_argument("--force", action="store_true", help="rebuild even when nothing changed since the last build")
    build.add_argument(
        "--jobs", "-j", type=int, default=1, metavar="N", help="build N reports at once, one kernel each (default: 1)"
    )
    build.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")

    watch = commands.add_parser(
        "watch",
        help="build, then rebuild on every saved change, serving the report with live reload",
        description=(
            "Build, then rebuild on every saved change to the data, params, notebook or code, keeping a "
            "warm kernel between rebuilds; serve the output folder on 127.0.0.1, reloading the page after "
            "each rebuild. Ctrl-C stops it."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_parameters_epilog(),
    )
    watch.add_argument("params", nargs="*", type=Path, metavar="PARAMS.yaml", help="params files, one report each")
    watch.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter",
    )
    watch.add_argument(
        "--out", type=Path, default=config.REPORTS_DIR, metavar="DIR", help="output folder (default: reports/)"
    )
    watch.add_argument("--format", default="html,pdf", metavar="html,pdf", help="formats to render (default: html,pdf)")
    watch.add_argument("--port", type=int, default=0, metavar="N", help="serve on port N (default: a free port)")
    watch.add_argument("--no-serve", action="store_true", help="do not serve the output folder")

    validate = commands.add_parser("validate", help="check the data files and print every problem")
    validate.add_argument(
        "data_dir", nargs="?", default=None, metavar="DATA_DIR", help="folder with the CSV files (default: data/)"
    )

    doctor = commands.add_parser(
        "doctor", help="check that this machine can build the report, and say how to fix what is missing"
    )
    doctor.add_argument(
        "--out", type=Path, default=config.REPORTS_DIR, metavar="DIR", help="output folder to check (default: reports/)"
    )
    return parser


def _parameters_epilog() -> str:
    from analysis.params import describe, notebook_parameters

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
        The exit status.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "build":
            return _build(arguments)
        if arguments.command == "watch":
            return _watch(arguments, argv)
        if arguments.command == "validate":
            return _validate(arguments)
        return _doctor(arguments)
    except InputError as error:
        _report_input_error(error)
        return EXIT_BAD_INPUT
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # an unwritable output folder, a full disk
        where = f" ({error.filename})" if error.filename else ""
        print(f"error: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: outputs already in place were left as they were", file=sys.stderr)
        return EXIT_FAILED


def _report_input_error(error: InputError) -> None:
    if isinstance(error, DataValidationError):
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"{count} problem{'s' if count != 1 else ''} in the data; nothing was built.", file=sys.stderr)
    elif isinstance(error, ParameterError):
        for problem in error.problems:
            print(problem, file=sys.stderr)
    else:
        print(f"error: {error}", file=sys.stderr)


def _formats(text: str) -> tuple[str, ...]:
    from analysis.pipeline import FORMATS

    formats = tuple(f.strip() for f in text.split(",") if f.strip())
    if not formats or any(f not in FORMATS for f in formats):
        raise ParameterError([f"--format {text}: formats are {', '.join(FORMATS)}"])
    return formats


def _build(arguments: argparse.Namespace) -> int:
    from analysis import pipeline
    from analysis.plan import plan

    formats = _formats(arguments.format)
    if arguments.jobs < 1:
        raise ParameterError([f"--jobs {arguments.jobs}: must be 1 or more"])
    interactive = sys.stderr.isatty() and not arguments.quiet
    variants = plan(arguments.params, [tuple(p) for p in arguments.parameter])
    out_dir = arguments.out.expanduser().resolve()
    options = pipeline.BuildOptions(
        out_dir=out_dir,
        formats=formats,
        force=arguments.force,
        jobs=arguments.jobs,
        progress=pipeline.terminal_progress if interactive else pipeline.silent,
    )
    outcomes = pipeline.build_all(variants, options)

    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"{outcome.name}: failed: {outcome.message}", file=sys.stderr)
            continue
        for warning in outcome.warnings:
            print(f"{outcome.name}: warning from the notebook: {warning}", file=sys.stderr)
        if arguments.quiet:
            continue
        where = config.display_path(out_dir / outcome.name)
        listed = ", ".join(o.removeprefix(outcome.name) for o in outcome.outputs if "/" not in o)
        if outcome.status == "unchanged":
            print(
                f"{outcome.name}: unchanged since the last build, outputs reused ({where}{{{listed}}}); --force rebuilds"
            )
        else:
            print(f"{outcome.name}: built {where}{{{listed}}} in {outcome.seconds:.1f} s")
    failures = [o.exit_status for o in outcomes if o.status == "failed"]
    if not failures:
        return EXIT_OK
    return EXIT_BAD_INPUT if all(s == EXIT_BAD_INPUT for s in failures) else EXIT_FAILED


def _watch(arguments: argparse.Namespace, argv: list[str]) -> int:
    from analysis.pipeline import BuildOptions
    from analysis.watch import watch

    options = BuildOptions(out_dir=arguments.out.expanduser().resolve(), formats=_formats(arguments.format))
    if not 0 <= arguments.port <= 65535:
        raise ParameterError([f"--port {arguments.port}: a port is 0 (any free one) to 65535"])
    port = None if arguments.no_serve else arguments.port
    return watch(arguments.params, [tuple(p) for p in arguments.parameter], options, port, argv)


def _validate(arguments: argparse.Namespace) -> int:
    from analysis.load import load_dataset

    folder = arguments.data_dir
    folder = config.DATA_DIR if folder is None else Path(folder).expanduser().resolve()
    data = load_dataset(folder)
    print(
        f"{config.display_path(folder)}: valid: {len(data.fdi)} figures, {len(data.sources)} sources, "
        f"{len(data.timeline)} events"
    )
    return EXIT_OK


def _doctor(arguments: argparse.Namespace) -> int:
    from analysis.doctor import run_checks

    failed = 0
    for check in run_checks(arguments.out.expanduser().resolve()):
        mark = "ok  " if check.ok else ("note" if check.optional else "FAIL")
        print(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok and check.fix:
            print(f"       fix: {check.fix}")
        failed += not check.ok and not check.optional
    print("this machine can build the report" if not failed else f"{failed} required check(s) failed")
    return EXIT_OK if not failed else EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
