"""Mutation testing of the modules where a wrong answer costs most: ``make mutate``.

mutmut 3 (configured in pyproject.toml, ``[tool.mutmut]``) copies the project into ``mutants/``,
writes every mutant of every function of the listed modules behind a trampoline, runs the fast
tests once to learn which tests call which function, then runs, for each mutant, only those
tests (fastest first, stopping at the first failure). A mutant is killed when a test fails (or
the tests time out on it); it survives when they all pass.

This script starts from a fresh ``mutants/`` (``--keep`` reuses the last run's results), runs
mutmut over the functions in `SCOPE`, and prints, per module and in total, how many mutants the
tests killed; its last line is ``mutation score: K killed of N (P %)``. Survivors are listed
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
DOC = ROOT / "docs" / "mutation.md"
LOG = MUTANTS / "mutmut-run.log"

# Module -> the functions whose mutants count (mutmut's mangled names: ``x_name`` for a function,
# ``xǁClassǁname`` for a method); None for every function of the module. Modules missing on disk
# (one side of a split not merged yet) are left out.
SCOPE: dict[str, list[str] | None] = {
    "metrics.py": None,  # the growth metrics, and the choice among sources (rank, select_figures)
    "facts.py": None,  # what a run computes from the chosen figures
    "load.py": None,  # reading and validation of the data files, the validation token
    "schema.py": None,  # the data contract as pandera models
    "contract.py": None,  # the contract's vocabulary
    "cache.py": None,  # the cache key: what an unchanged rebuild is recognised by
    "outputs.py": None,  # output sets replaced as a whole
    "formatting.py": None,  # numbers, money, dates and names as each edition writes them
    "language.py": None,  # the editions' templates, escaped by construction
    "present.py": None,  # the display objects the report's HTML is made of
}

KILLED = {1, 3}  # pytest failed (3: an internal error, as mutmut counts it)
TIMEOUT = {36, 24, -24, 152, 255}  # the tests ran past their time: the mutant hangs them
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious", None: "not checked"}


def in_scope() -> dict[str, list[str] | None]:
    package = ROOT / "src" / "analysis"
    return {module: functions for module, functions in SCOPE.items() if (package / module).is_file()}


def patterns(scope: dict[str, list[str] | None]) -> list[str]:
    """Return the mutant-name patterns (mutmut's) of the functions in scope."""
    found = []
    for module, functions in scope.items():
        dotted = f"analysis.{module.removesuffix('.py')}"
        found += [f"{dotted}.*"] if functions is None else [f"{dotted}.{f}__mutmut_*" for f in functions]
    return found


def counted(scope: dict[str, list[str] | None], module: str, key: str) -> bool:
    functions = scope[module]
    function = key.rsplit(".", 1)[1].split("__mutmut_")[0]
    return functions is None or function in functions


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


def run_mutmut(scope: dict[str, list[str] | None], jobs: int) -> float:
    environment = {**os.environ, "PYTHONPATH": str(MUTANTS / "src")}
    environment.pop("COVERAGE_PROCESS_START", None)
    mutmut = Path(sys.executable).with_name("mutmut")
    MUTANTS.mkdir(exist_ok=True)
    started = time.monotonic()
    with LOG.open("w", encoding="utf-8") as log:
        done = subprocess.run(
            [str(mutmut), "run", "--max-children", str(jobs), *patterns(scope)],
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
    options = parser.parse_args(argv)

    scope = in_scope()
    seconds = None
    if not options.report:
        if not options.keep:
            shutil.rmtree(MUTANTS, ignore_errors=True)
        else:
            refresh_data_files()
        seconds = run_mutmut(scope, options.jobs)

    known = explained()
    total_killed = total = 0
    survivors: list[tuple[str, str]] = []
    lines = []
    for module in scope:
        meta = MUTANTS / "src" / "analysis" / f"{module}.meta"
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"] if meta.is_file() else {}
        codes = {key: code for key, code in codes.items() if counted(scope, module, key)}
        killed = sum(code in KILLED or code in TIMEOUT for code in codes.values())
        timeouts = sum(code in TIMEOUT for code in codes.values())
        survivors += [
            (key, STATUS.get(code, f"exit status {code}"))
            for key, code in codes.items()
            if code not in KILLED and code not in TIMEOUT
        ]
        total_killed, total = total_killed + killed, total + len(codes)
        note = f", {timeouts} of them by a timeout" if timeouts else ""
        lines.append(f"{module:<14} {score(killed, len(codes))}{note}")

    if survivors:
        print(f"Surviving mutants ({len(survivors)}; `mutmut show NAME` prints one):")
        for key, status in sorted(survivors):
            mark = "equivalent, see docs/mutation.md" if key in known else "NOT EXPLAINED"
            print(f"  {key}  {status}  [{mark}]")
        print()
    unexplained = sum(key not in known for key, _ in survivors)
    if seconds is not None:
        print(f"mutmut ran {total} mutants in {seconds / 60:.1f} minutes ({options.jobs} at once); log: {LOG}")
    print(f"survivors: {len(survivors)}, of which {len(survivors) - unexplained} equivalent, {unexplained} unexplained")
    for line in lines:
        print(line)
    print(score(total_killed, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
