"""Mutation testing of the modules where a wrong answer costs most: ``make mutate``.

mutmut 3 (``[tool.mutmut]`` in pyproject.toml) copies the project into ``mutants/``, mutates every
function of the listed modules, learns which quick-tier tests call which function, then runs those
tests on each mutant; a mutant is killed when a test fails or hangs. This prints the survivors and,
per module and in total, ``mutation score: K killed of N (P %)``. An occasional tool, not a gate.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
LOG = MUTANTS / "mutmut-run.log"
KILLED = {1, 3, 36, 24, -24, 152, 255}  # a test failed, or the tests ran past their time
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious", None: "not checked"}


def modules() -> list[str]:
    """Return the mutated modules pyproject.toml lists that exist (``metrics.py``, ...)."""
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]["only_mutate"]
    return [Path(path).name for path in listed if (ROOT / path).is_file()]


def run_mutmut(jobs: int) -> float:
    """Run mutmut; the property tests try 10 examples each (``ANALYSIS_MAX_EXAMPLES``)."""
    environment = {**os.environ, "PYTHONPATH": str(MUTANTS / "src"), "ANALYSIS_MAX_EXAMPLES": "10"}
    environment.pop("COVERAGE_PROCESS_START", None)
    (MUTANTS / "src").mkdir(parents=True, exist_ok=True)  # on PYTHONPATH before Python first looks
    started = time.monotonic()
    with LOG.open("w", encoding="utf-8") as log:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(jobs)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        tail = LOG.read_text(encoding="utf-8", errors="replace")[-3000:]
        sys.exit(f"mutmut failed (exit status {done.returncode}); the end of {LOG}:\n{tail}")
    return time.monotonic() - started


def score(killed: int, total: int) -> str:
    percent = 100 * killed / total if total else 0.0
    return f"mutation score: {killed} killed of {total} ({percent:.1f} %)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="go on from the last run's mutants/ and results")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    parser.add_argument("--report", action="store_true", help="only print the scores of the last run")
    options = parser.parse_args(argv)
    if not options.report:
        if not options.keep:
            shutil.rmtree(MUTANTS, ignore_errors=True)
        print(f"mutmut ran for {run_mutmut(options.jobs) / 60:.1f} minutes; log: {LOG}")
    all_killed = all_mutants = 0
    lines, survivors = [], []
    for module in modules():
        meta = MUTANTS / "src" / "analysis" / f"{module}.meta"
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"] if meta.is_file() else {}
        killed = sum(code in KILLED for code in codes.values())
        survivors += [
            (key, STATUS.get(code, f"exit status {code}")) for key, code in codes.items() if code not in KILLED
        ]
        all_killed, all_mutants = all_killed + killed, all_mutants + len(codes)
        lines.append(f"{module:<14} {score(killed, len(codes))}")
    print(f"Surviving mutants ({len(survivors)}; `mutmut show NAME` prints one):")
    for key, status in sorted(survivors):
        print(f"  {key}  {status}")
    print(*lines, sep="\n")
    print(score(all_killed, all_mutants))
    return 0


if __name__ == "__main__":
    sys.exit(main())
