"""Benchmark the build: cold, unchanged, many variants, the watch's edit loop, memory, scale, tests.

Run with ``make bench``. Every measurement is taken in this one run, repetitions alternating
between the commands so that a slow spell of the machine falls on all of them alike; each figure
is the median of the repetitions. It prints each ratio against its target and writes
bench/results.md.

    (a) the naive pipeline on the default report: the papermill command, then
        jupyter nbconvert --to html --no-input, then the weasyprint command on that HTML
    (b) analysis build, cold (--force: the output cache off)
    (c) analysis build again, nothing changed
    (d) four variants, built one after another and with --jobs 2
    (e) analysis watch: a figure in fdi.csv edited, until the HTML is published again; against
        (f) analysis build --force --format html of the same report, cold
    (g) analysis watch: an event's words edited in timeline.csv (its chart is drawn again), to (f)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "russia_mexico_fdi.ipynb"
NOTES = ROOT / "bench" / "notes.md"  # the reading of the results, appended to results.md
TARGETS = {
    "cold": 0.65,
    "edit": 0.4,
    "unchanged": 0.1,
    "parallel": 0.65,
    "scale_seconds": 2.0,
    "scale_gib": 1.0,
    "tests_seconds": 90.0,
}

VARIANTS = {
    "default": "params/russia-mexico-fdi.yaml",
    "jan-sep": "params/russia-mexico-fdi-jan-sep.yaml",
}
EXTRA_VARIANTS = {  # two more, written into the work folder
    "russia-2016-2024": "origin: RUS\nbase_year: 2016\ntarget_year: 2024\ntitle: Russian FDI into Mexico, 2016 and 2024\n",
    "usa-2022-2025": "origin: USA\nbase_year: 2022\ntarget_year: 2025\ntitle: US FDI into Mexico, 2022 and 2025\n",
}


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total, stack = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack += [int(c) for c in children]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def timed(command: list[str], *, memory: bool = False) -> tuple[float, int]:
    """Run a command; return its wall time and (if asked) the peak RSS of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        if memory:
            peak = max(peak, tree_rss(process.pid))
        time.sleep(0.02 if memory else 0.005)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{process.stderr.read().decode()}")
    return seconds, peak


def naive() -> list[list[str]]:
    out = WORK / "naive"
    out.mkdir(parents=True, exist_ok=True)
    return [
        [
            str(BIN / "papermill"),
            str(NOTEBOOK),
            str(out / "report.ipynb"),
            "--no-progress-bar",
            "--log-level",
            "WARNING",
        ],
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "html",
            "--no-input",
            str(out / "report.ipynb"),
            "--output-dir",
            str(out),
        ],
        [str(BIN / "weasyprint"), str(out / "report.html"), str(out / "report.pdf")],
    ]


def analysis(*arguments: str) -> list[str]:
    return [str(BIN / "analysis"), "build", "--quiet", *arguments]


def variant_files() -> list[str]:
    folder = WORK / "params"
    folder.mkdir(parents=True, exist_ok=True)
    files = [str(ROOT / path) for path in VARIANTS.values()]
    for name, text in EXTRA_VARIANTS.items():
        path = folder / f"{name}.yaml"
        path.write_text(text)
        files.append(str(path))
    return files


NAIVE_STEPS = ("naive: papermill", "naive: nbconvert", "naive: weasyprint")
PHASES = textwrap.dedent(
    """
    import json, sys, time
    started = time.perf_counter()
    from pathlib import Path
    from analysis import _pipeline as pipeline, _plan as plan
    from analysis._execute import Executor
    marks = {}
    def progress(name, step):
        marks[step] = time.perf_counter() - started
    executor = Executor()
    executor.start()  # as analysis build does: the kernel boots and imports during the checks
    variants = plan.check(plan.plan([], []))
    marks["checked"] = time.perf_counter() - started
    executor.ready()
    marks["kernel ready"] = time.perf_counter() - started
    options = pipeline.BuildOptions(out_dir=Path(sys.argv[1]), force=True, progress=progress)
    pipeline.build_one(variants[0], options, executor)
    marks["done"] = time.perf_counter() - started
    executor.close()
    print(json.dumps(marks))
    """
)


def phase_times() -> dict[str, float]:
    """Where a cold build's time goes, from its own progress steps (a separate build)."""
    command = [sys.executable, "-c", PHASES, str(WORK / "phases")]
    marks = json.loads(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    return {
        "ours: start, check parameters and data (the kernel starts meanwhile)": marks["checked"],
        "ours: wait for the kernel and its imports": marks["kernel ready"] - marks["checked"],
        "ours: execute the notebook (its imports done)": marks["rendering HTML"] - marks["kernel ready"],
        "ours: render HTML": marks["rendering PDF"] - marks["rendering HTML"],
        "ours: render PDF, write outputs": marks["done"] - marks["rendering PDF"],
    }


class Watch:
    """``analysis watch`` of the default report on a copy of the data, for edits to time."""

    def __init__(self) -> None:
        data = WORK / "watch-data"
        shutil.copytree(ROOT / "data", data)
        self.fdi = data / "fdi.csv"
        self.text = self.fdi.read_text()
        self.timeline = data / "timeline.csv"
        self.events = self.timeline.read_text()
        self.event_edits = 0
        self.params = WORK / "params" / "watched.yaml"
        self.params.parent.mkdir(parents=True, exist_ok=True)
        self.params.write_text((ROOT / VARIANTS["default"]).read_text().replace("data_dir: data", f"data_dir: {data}"))
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        command = [str(BIN / "analysis"), "watch", str(self.params), "--out", str(WORK / "watch"), "--no-serve"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("PDF updated")
        self.edits = 0

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line))

    def wait_for(self, text: str) -> float:
        """Return when a line saying ``text`` arrived."""
        while True:
            try:
                seen, line = self.lines.get(timeout=300)
            except queue.Empty:
                raise SystemExit(f"analysis watch said no {text!r}") from None
            if "problem" in line or "failed" in line or "error" in line:
                raise SystemExit(f"analysis watch: {line}")
            if text in line:
                return seen

    def edit(self) -> float:
        """Change the 2024 figure (86.4 and back), and time it until the HTML is published."""
        self.edits += 1
        figure = "86.5" if self.edits % 2 else "86.4"
        text = re.sub(r"^(RUS,MEX,2024,12,)86\.4,", rf"\g<1>{figure},", self.text, count=1, flags=re.M)
        started = time.perf_counter()
        self.fdi.write_text(text)
        published = self.wait_for("HTML updated")
        self.wait_for("PDF updated")  # the next edit comes once the PDF is out too
        return published - started

    def edit_event(self) -> float:
        """Change the words of the timeline's last event; time it until the HTML is published.

        Unlike an edit to fdi.csv, this one changes a timeline chart: it is drawn again. Each edit
        writes words not written before, so the warm kernel has no picture of them to reuse.
        """
        self.event_edits += 1
        rows = list(csv.reader(io.StringIO(self.events)))
        rows[-1][1] += f" (edit {self.event_edits})"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        started = time.perf_counter()
        self.timeline.write_text(buffer.getvalue())
        published = self.wait_for("HTML updated")
        self.wait_for("PDF updated")
        return published - started

    def close(self) -> None:
        """Stop it, as Ctrl-C does."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def measure_builds(repetitions: int) -> dict[str, list[float]]:
    """Alternate the commands repetition by repetition; return every wall time."""
    files = variant_files()
    keys = ("naive", "cold", "unchanged", "serial", "parallel", "cold_html", "edit", "edit_event", *NAIVE_STEPS)
    times: dict[str, list[float]] = {k: [] for k in keys}
    timed(analysis("--out", str(WORK / "cold"), "--force"))  # warm the disk cache; the unchanged build reuses it
    watch = Watch()
    try:
        _alternate(repetitions, files, times, watch)
    finally:
        watch.close()
    # Memory on runs of their own: sampling /proc costs CPU that the timed runs should not lose.
    times["peak_rss"] = [timed(analysis("--out", str(WORK / "memory"), "--force"), memory=True)[1] for _ in range(3)]
    return times


def _alternate(repetitions: int, files: list[str], times: dict[str, list[float]], watch: Watch) -> None:
    for repetition in range(repetitions):
        order = ["naive", "cold", "unchanged", "serial", "parallel", "phases", "cold_html", "edit", "edit_event"]
        shift = repetition % len(order)
        for name in order[shift:] + order[:shift]:
            if name == "naive":
                steps = [timed(command)[0] for command in naive()]
                for step, seconds in zip(NAIVE_STEPS, steps, strict=True):
                    times[step].append(seconds)
                times[name].append(sum(steps))
            elif name == "cold":
                times[name].append(timed(analysis("--out", str(WORK / "cold"), "--force"))[0])
            elif name == "unchanged":
                timed(analysis("--out", str(WORK / "cold")))  # make sure it is built and current
                times[name].append(timed(analysis("--out", str(WORK / "cold")))[0])
            elif name == "serial":
                times[name].append(timed(analysis(*files, "--out", str(WORK / "serial"), "--force"))[0])
            elif name == "parallel":
                command = analysis(*files, "--out", str(WORK / "parallel"), "--force", "--jobs", "2")
                times[name].append(timed(command)[0])
            elif name == "cold_html":
                command = analysis(str(watch.params), "--out", str(WORK / "cold-html"), "--force", "--format", "html")
                times[name].append(timed(command)[0])
            elif name == "edit":
                times[name].append(watch.edit())
            elif name == "edit_event":
                times[name].append(watch.edit_event())
            else:
                for phase, seconds in phase_times().items():
                    times.setdefault(phase, []).append(seconds)
        shown = ("naive", "cold", "unchanged", "serial", "parallel", "cold_html", "edit", "edit_event")
        print(
            f"  repetition {repetition + 1}/{repetitions}: " + ", ".join(f"{k} {times[k][-1]:.2f} s" for k in shown),
            flush=True,
        )


SCALE = textwrap.dedent(
    """
    import resource, sys, time
    import numpy as np, pandas as pd
    from analysis import _metrics as metrics
    rows = int(sys.argv[1])
    rng = np.random.default_rng(7)
    sources = pd.DataFrame({"source_id": [f"s{i}" for i in range(50)],
                            "published": "2025-01", "trust": rng.choice(["high", "medium", "low", "unverified"], 50),
                            "published_on": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 2000, 50), unit="D")})
    fdi = pd.DataFrame({"origin": pd.Series(rng.choice([f"O{i:03d}" for i in range(400)] + ["WLD"], rows)),
                        "destination": pd.Series(rng.choice(["MEX", "CHL", "PER", "COL"], rows)),
                        "year": rng.integers(1995, 2026, rows), "months": rng.choice([3, 6, 9, 12], rows),
                        "usd_millions": rng.normal(100, 80, rows).round(1), "decimals": 1,
                        "source_id": rng.choice(sources["source_id"], rows), "note": "", "line": np.arange(2, rows + 2)})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    ranking = metrics.rank(fdi, sources, prefer_sources=["s3", "s7"])
    selected = metrics.select_figures(fdi, sources, ranking=ranking)
    conflicts = metrics.disagreements(fdi, sources, ranking=ranking)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(seconds, peak * 1024, before * 1024, len(selected), len(conflicts))
    """
)


def measure_scale(rows: int, repetitions: int) -> tuple[list[float], int, str]:
    seconds, peak = [], 0
    for _ in range(repetitions):
        done = subprocess.run(
            [sys.executable, "-c", SCALE, str(rows)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        took, high, _, selected, conflicts = done.stdout.split()
        seconds.append(float(took))
        peak = max(peak, int(high))
    return (
        seconds,
        peak,
        f"{int(selected):,} periods chosen, {int(conflicts):,} conflicting reports",
    )


def measure_tests() -> tuple[float, str]:
    """Time the test suite as make test runs it; return the time and pytest's summary line."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    summary = next((line.strip("= ") for line in reversed(done.stdout.splitlines()) if " in " in line), "")
    return seconds, summary


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()} {platform.machine()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    arguments = parser.parse_args()
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)

    print(f"Benchmark on {machine()}", flush=True)
    times = measure_builds(arguments.repetitions)
    median = {k: statistics.median(v) for k, v in times.items()}
    scale, scale_peak, scale_note = measure_scale(arguments.rows, arguments.repetitions)
    test_seconds, test_summary = (None, "") if arguments.skip_tests else measure_tests()

    ratios = {
        "cold": median["cold"] / median["naive"],
        "unchanged": median["unchanged"] / median["cold"],
        "parallel": median["parallel"] / median["serial"],
        "edit": median["edit"] / median["cold_html"],
        "edit_event": median["edit_event"] / median["cold_html"],
    }
    checks = [
        ("(b)/(a) cold build / naive pipeline", ratios["cold"], TARGETS["cold"], ""),
        ("(c)/(b) unchanged rebuild / cold build", ratios["unchanged"], TARGETS["unchanged"], ""),
        ("(d) --jobs 2 / serial, four variants", ratios["parallel"], TARGETS["parallel"], ""),
        ("(e)/(f) watch: edit to HTML / cold HTML build", ratios["edit"], TARGETS["edit"], ""),
        ("(g)/(f) watch: an event edited, to HTML / cold HTML build", ratios["edit_event"], TARGETS["edit"], ""),
        (f"metrics on {arguments.rows:,} rows, seconds", statistics.median(scale), TARGETS["scale_seconds"], " s"),
        (f"metrics on {arguments.rows:,} rows, peak memory GiB", scale_peak / 1024**3, TARGETS["scale_gib"], " GiB"),
    ]
    if test_seconds is not None:
        checks.append(
            (f"make test's pytest -n 2 ({test_summary}), seconds", test_seconds, TARGETS["tests_seconds"], " s")
        )

    lines = [
        "# Benchmark results",
        "",
        f"Run on {dt.date.today().isoformat()} by `make bench` (bench/run.py), on {machine()}.",
        f"Each time is the median of {arguments.repetitions} repetitions, alternating between the commands.",
        "",
        "| measurement | median (s) | all runs (s) |",
        "|---|---:|---|",
    ]
    labels = {
        "naive": "(a) naive: papermill, then nbconvert --no-input, then weasyprint",
        "cold": "(b) analysis build --force (cold: output cache off)",
        "unchanged": "(c) analysis build, nothing changed",
        "serial": "(d) four variants, one after another",
        "parallel": "(d) four variants, --jobs 2",
        "edit": "(e) analysis watch: fdi.csv edited, until its HTML is published",
        "cold_html": "(f) analysis build --force --format html (cold), the same report",
        "edit_event": "(g) analysis watch: an event's words edited in timeline.csv, until its HTML is published",
    }
    for key, label in labels.items():
        lines.append(f"| {label} | {median[key]:.2f} | {', '.join(f'{t:.2f}' for t in times[key])} |")
    lines += ["", "Where the time goes (medians; the build's phases are timed on a separate cold build):", ""]
    lines += ["| step | median (s) |", "|---|---:|"]
    for key in (*NAIVE_STEPS, *[k for k in times if k.startswith("ours: ")]):
        lines.append(f"| {key} | {median[key]:.2f} |")
    lines += [
        "",
        f"Peak memory of (b), the build and its kernel together: {max(times['peak_rss']) / 1024**2:.0f} MiB "
        f"(median {median['peak_rss'] / 1024**2:.0f} MiB).",
        f"Metrics at scale: {scale_note}; runs {', '.join(f'{s:.2f}' for s in scale)} s.",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|---|",
    ]
    for label, value, limit, unit in checks:
        met = "yes" if value <= limit else f"**no**, by {value - limit:.2f}{unit or ''}"
        lines.append(f"| {label} | {value:.3f}{unit} | {limit}{unit} | {met} |")
    notes = NOTES.read_text() if NOTES.exists() else ""
    report = "\n".join(lines) + "\n" + (f"\n{notes}" if notes else "")
    (ROOT / "bench" / "results.md").write_text(report)
    print()
    print(report)


if __name__ == "__main__":
    main()
