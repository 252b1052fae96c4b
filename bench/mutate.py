"""Mutation testing of the modules where a wrong answer costs most: ``make mutate``.

mutmut 3 (configured in pyproject.toml, ``[tool.mutmut]``) copies the project into ``mutants/``,
writes every mutant of every function of the listed modules behind a trampoline, runs the fast
tests once to learn which tests call which function, then runs, for each mutant, only those
tests (fastest first, stopping at the first failure). A mutant is killed when a test fails (or
the tests time out on it); it survives when they all pass.

This script starts from a fresh ``mutants/`` (``--keep`` reuses the last run's results, and
``--retest`` goes on as ``--keep`` does, then tests again the survivors docs/mutation.md does
not explain), runs
mutmut over the modules pyproject.toml lists (``[tool.mutmut] only_mutate``), and prints, per
module and in total, how many mutants the tests killed; its last line is ``mutation score: K
killed of N (P %)``. Survivors are listed
with whether docs/mutation.md explains them as equivalent (no behaviour tells them apart from
the code as written). ``mutmut show NAME`` prints a mutant's diff; ``mutmut browse`` them all.

The subprocesses the tests start (``python -m analysis``) import the mutated package too:
PYTHONPATH points at ``mutants/src``, and the mutant under test is named in their environment.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
DOC = ROOT / "docs" / "mutation.md"
LOG = MUTANTS / "mutmut-run.log"

# The modules mutated, as pyproject.toml lists them for mutmut (``only_mutate``): the growth
# metrics and the choice among sources, what a run computes, reading and validating the data, the
# cache key, the atomic output sets, and what the reader sees (formatting, editions, display).
PYPROJECT = ROOT / "pyproject.toml"


def modules() -> list[str]:
    """Return the file names of the mutated modules present on disk (``metrics.py``, ...)."""
    listed = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["mutmut"]["only_mutate"]
    return [Path(path).name for path in listed if (ROOT / path).is_file()]


KILLED = {1, 3}  # pytest failed (3: an internal error, as mutmut counts it)
TIMEOUT = {36, 24, -24, 152, 255}  # the tests ran past their time: the mutant hangs them
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious", None: "not checked"}


def explained() -> set[str]:
    """Mutants docs/mutation.md lists as equivalent: every `analysis.…__mutmut_N` it names."""
    if not DOC.is_file():
        return set()
    return set(re.findall(r"`(analysis\.[^`\s]+__mutmut_\d+)`", DOC.read_text(encoding="utf-8")))


def refresh_data_files() -> None:
    """Copy the package's other files (templates, catalogues) over mutmut's older copies.

    mutmut rewrites a Python file that changed, but keeps a copy of any other file it made once.
    """
    source = ROOT / "src"
    if not (MUTANTS / "src").is_dir():
        return  # nothing copied yet: mutmut copies everything
    for path in source.rglob("*"):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
            target = MUTANTS / "src" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def survivors_to_retest(scope: list[str]) -> list[str]:
    """Name the mutants of the last run that survived and that docs/mutation.md does not explain.

    mutmut tests a mutant again only when its function changes: one that survived keeps that
    verdict after a test that kills it is added. ``--retest`` gives mutmut these names, which it
    then tests again, with the tests as they are now.
    """
    known = explained()
    names = []
    for module in scope:
        meta = MUTANTS / "src" / "analysis" / f"{module}.meta"
        if meta.is_file():
            codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
            # survived (0) or suspicious: not unchecked, killed, timed out, nor without tests
            names += [key for key, code in codes.items() if code is not None and code not in KILLED | TIMEOUT | {5, 33}]
    return [name for name in names if name not in known]


def run_mutmut(jobs: int, names: list[str] | None = None) -> float:
    # ANALYSIS_MAX_EXAMPLES: the property tests try 10 examples each, not up to 150 (a surviving
    # mutant runs every test that reaches it, and theirs took 17 s of its 40 to 70).
    environment = {**os.environ, "PYTHONPATH": str(MUTANTS / "src"), "ANALYSIS_MAX_EXAMPLES": "10"}
    environment.pop("COVERAGE_PROCESS_START", None)
    mutmut = Path(sys.executable).with_name("mutmut")
    # On PYTHONPATH before mutmut starts: a folder missing when Python first looks in it is cached
    # as holding nothing, and the tests' `import analysis` then fails (pytest's exit status 4).
    (MUTANTS / "src").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with LOG.open("w", encoding="utf-8") as log:
        done = subprocess.run(
            # Without names, mutmut mutates what only_mutate lists and keeps every result it has; a
            # name given (--retest) makes it test that mutant again, and only the mutants named.
            [str(mutmut), "run", "--max-children", str(jobs), *(names or [])],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        tail = LOG.read_text(encoding="utf-8", errors="replace")[-3000:]
        sys.exit(f"mutmut failed (exit status {done.returncode}); the end of {LOG}:\n{tail}")
    return seconds


def score(killed: int, total: int) -> str:
    percent = 100 * killed / total if total else 0.0
    return f"mutation score: {killed} killed of {total} ({percent:.1f} %)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ and the results of the last run")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    parser.add_argument("--report", action="store_true", help="only print the scores of the last run")
    parser.add_argument(
        "--retest",
        action="store_true",
        help="go on as --keep, then test again the survivors docs/mutation.md does not explain (after new tests)",
    )
    options = parser.parse_args(argv)

    scope = modules()
    seconds = None
    if options.retest:
        # First as --keep: mutmut rewrites the mutants of changed functions (renumbering them) and
        # tests every mutant without a result; only then are the survivors' names current.
        refresh_data_files()
        seconds = run_mutmut(options.jobs)
        names = survivors_to_retest(scope)
        print(f"testing again {len(names)} surviving mutants not explained in {DOC.relative_to(ROOT)}")
        if names:
            seconds += run_mutmut(options.jobs, names)
    elif not options.report:
        if not options.keep:
            shutil.rmtree(MUTANTS, ignore_errors=True)
        else:
            refresh_data_files()
        seconds = run_mutmut(options.jobs)

    known = explained()
    total_killed = total = total_equivalent = 0
    survivors: list[tuple[str, str]] = []
    lines = []
    for module in scope:
        meta = MUTANTS / "src" / "analysis" / f"{module}.meta"
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"] if meta.is_file() else {}
        killed = sum(code in KILLED or code in TIMEOUT for code in codes.values())
        timeouts = sum(code in TIMEOUT for code in codes.values())
        surviving = [(key, code) for key, code in codes.items() if code not in KILLED and code not in TIMEOUT]
        survivors += [(key, STATUS.get(code, f"exit status {code}")) for key, code in surviving]
        # A mutant docs/mutation.md shows to be equivalent (no test could tell it from the code as
        # written) is set aside from the count, as the score's usual definition does; the raw
        # figure, over every mutant, is printed beside it.
        equivalent = sum(key in known and code == 0 for key, code in surviving)
        counted_here = len(codes) - equivalent
        total_killed, total, total_equivalent = (
            total_killed + killed,
            total + counted_here,
            total_equivalent + equivalent,
        )
        note = f"; {equivalent} equivalent set aside" if equivalent else ""
        note += f", {timeouts} killed by a timeout" if timeouts else ""
        unchecked = sum(code is None for code in codes.values())
        if unchecked:  # an interrupted run: the score counts them as not killed; the checked alone too
            checked = counted_here - unchecked
            share = f"{100 * killed / checked:.1f} %" if checked else "none"
            note += f"; {unchecked} not checked yet (of the {checked} checked, {killed} killed: {share})"
        raw = f"{100 * killed / len(codes):.1f} % of all {len(codes)}" if codes else "none"
        lines.append(f"{module:<14} {score(killed, counted_here)}  [{raw}{note}]")

    if survivors:
        print(f"Surviving mutants ({len(survivors)}; `mutmut show NAME` prints one):")
        for key, status in sorted(survivors):
            mark = "equivalent, see docs/mutation.md" if key in known else "NOT EXPLAINED"
            print(f"  {key}  {status}  [{mark}]")
        print()
    unexplained = sum(key not in known for key, _ in survivors)
    if seconds is not None:
        print(
            f"mutmut ran {total + total_equivalent} mutants in {seconds / 60:.1f} minutes ({options.jobs} at once); log: {LOG}"
        )
    print(f"survivors: {len(survivors)}, of which {len(survivors) - unexplained} equivalent, {unexplained} unexplained")
    for line in lines:
        print(line)
    everything = total + total_equivalent
    print(
        f"total: {100 * total_killed / everything if everything else 0:.1f} % of all {everything} mutants; {total_equivalent} equivalent set aside"
    )
    print(score(total_killed, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
