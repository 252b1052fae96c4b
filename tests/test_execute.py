"""Executing the notebook: kernels on IPC only, failures kept, warm runs equal to cold ones."""

import contextlib
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import FIXTURES, build_one, copy_outputs, digests, notebook_defaults, tiny_params
from pypdf import PdfReader

from analysis import config
from analysis.errors import NotebookExecutionError
from analysis.execute import ColdExecutor, WarmExecutor, warm_imports
from analysis.pipeline import BuildOptions, build_all
from analysis.pipeline import build_one as build_with
from analysis.plan import Variant, check

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("through", ["build_one", "build_all"])
def test_a_dead_kernel_keeps_the_notebook_it_was_running(tiny_report, tmp_path, capfd, through):
    out = copy_outputs(tiny_report, tmp_path / "out")
    before = digests(out)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell('data_dir: str = "data"  # data', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print('before the crash')"),
        nbformat.v4.new_code_cell("import os\nos.system('echo from-a-subprocess')"),
        nbformat.v4.new_code_cell("os._exit(3)"),
    ]
    path = tmp_path / "crash.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(NotebookExecutionError) as caught:
        build_one(Variant("tiny", "test", {"data_dir": "data"}), out, ("html",), force=True, notebook=path)
    assert "DeadKernelError" in str(caught.value)
    kept = nbformat.read(out / "failed" / "tiny.ipynb", as_version=4)
    assert kept.cells[2].outputs[0]["text"] == "before the crash\n"
    assert {k: v for k, v in digests(out).items() if not k.startswith("failed/")} == before
    # what the kernel process itself printed went to its log, not to the build's terminal
    assert "from-a-subprocess" in (out / "failed" / "tiny.kernel.log").read_text()
    assert "from-a-subprocess" not in capfd.readouterr().out

    # the next build that finds the report's outputs current forgets the failure, one report or
    # many (as the command line builds them), and leaves no build folder of the failed build
    variant = Variant("tiny", "test", {**notebook_defaults(), **tiny_report.metrics["parameters"]})
    if through == "build_one":
        outcome = build_one(variant, out, ("html", "pdf"))
    else:
        [outcome] = build_all([variant], BuildOptions(out_dir=out, formats=("html", "pdf")))
    assert outcome.status == "unchanged"
    assert not (out / "failed" / "tiny.ipynb").exists()
    versions = out / ".builds" / "tiny"
    assert sorted(p.name for p in versions.iterdir()) == sorted(["current", (versions / "current").readlink().name])


def test_a_cell_error_without_a_message_names_its_cell(tmp_path):
    from analysis.pipeline import guarded

    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell('data_dir: str = "data"  # data', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("Checks."),
        nbformat.v4.new_code_cell("# the check of the totals\nassert 1 + 1 == 3"),  # AssertionError, empty
    ]
    path = tmp_path / "silent.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "out"
    options = BuildOptions(out_dir=out, formats=("html",), force=True, notebook=path)
    outcome = guarded(Variant("tiny", "test", {"data_dir": "data"}), options)
    kept = nbformat.read(out / "failed" / "tiny.ipynb", as_version=4)
    [failing] = [c for c in kept.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert failing.source.endswith("assert 1 + 1 == 3")
    assert (outcome.status, outcome.exit_status) == ("failed", 1)
    assert outcome.message == (  # which cell (the number the kept notebook shows), its code, where it is kept
        f"the report notebook failed: AssertionError, with no message (cell In [{failing.execution_count}]: "
        "assert 1 + 1 == 3)\nThe partly executed notebook is kept at "
        f"{out}/failed/tiny.ipynb: open it to see the failing cell, its output and its traceback"
    )


def test_only_the_report_of_a_stopped_kernels_output_polling_is_dropped():
    # Seen under load after a notebook stopped at its time limit: asyncio printed this traceback
    # after the build's message (tests/test_limits.py asserts that no traceback is printed).
    import logging

    from analysis.execute import register

    register()

    def shown(future: str) -> bool:
        record = logging.LogRecord(
            "asyncio", logging.ERROR, __file__, 1, f"Task exception was never retrieved\nfuture: {future}", None, None
        )
        return logging.getLogger("asyncio").filter(record)

    assert not shown("<Task finished coro=<NotebookClient._async_poll_output_msg() done> exception=AssertionError()>")
    assert shown("<Task finished coro=<Watcher.run() done> exception=KeyError('x')>")  # any other task's: shown


def _listening_tcp_sockets(pid: int) -> set[str]:
    """Inodes of the TCP sockets (IPv4 and IPv6) a process has open in the LISTEN state."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                listening.add(fields[9])
    owned = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = descriptor.readlink().as_posix()
            if target.startswith("socket:["):
                owned.add(target[len("socket:[") : -1])
    return owned & listening


def test_the_kernel_listens_on_no_tcp_port(tmp_path):
    params = tiny_params(tmp_path, FIXTURES / "tiny")
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis", "build", str(params), "--out", str(tmp_path / "out"), "--format", "html"],
        cwd=config.PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
    )
    samples, found = 0, set()
    while process.poll() is None:  # look at the build and its kernel, all the kernel's life long
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            kernels = [int(c) for c in children if b"analysis.kernel" in Path(f"/proc/{c}/cmdline").read_bytes()]
            for pid in [process.pid, *kernels]:
                found |= _listening_tcp_sockets(pid)
            samples += bool(kernels)
        time.sleep(0.02)
    assert process.returncode == 0
    assert samples > 20  # the kernel was looked at many times while it ran
    assert found == set()


# A warm kernel gives what a fresh one gives --------------------------------------------------

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00| UTC)?")
DURATION = re.compile(r'"duration": [\d.e-]+')


def normalised(text: str, injected_id: str = "") -> str:
    """A build's text with what differs between any two builds (times) blanked."""
    text = TIMESTAMP.sub("<time>", text)
    text = DURATION.sub('"duration": 0', text)
    return text.replace(injected_id, "<injected-cell-id>") if injected_id else text


def injected_cell_id(out: Path, name: str) -> str:
    """papermill gives the cell of injected parameters a random id in each build."""
    nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
    return next(c.id for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))


def figures(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in (out / "figures").glob("*.svg"))


def test_a_warm_rebuild_gives_what_a_cold_build_gives(tmp_path, data_copy):
    """A build and two edits, each rebuilt: in a kept kernel, then in fresh ones, into the same folder."""
    values = {**notebook_defaults(), "data_dir": str(data_copy), "origin": "KOR", "destination": "CHL"}
    values.update(base_year=2019, target_year=2023)
    fdi, timeline = data_copy / "fdi.csv", data_copy / "timeline.csv"
    original, events = fdi.read_text(), timeline.read_text()
    out = tmp_path / "out"
    results = {}
    for way in ("warm", "cold"):
        fdi.write_text(original)
        timeline.write_text(events)
        shutil.rmtree(out, ignore_errors=True)
        executor = WarmExecutor() if way == "warm" else ColdExecutor()
        try:
            # a figure changes (the warm kernel redraws its chart and reuses the timeline's),
            # then an event (the timeline is drawn again)
            edits = [
                lambda: fdi.write_text(original.replace("KOR,CHL,2023,12,50.0,", "KOR,CHL,2023,12,60.0,")),
                lambda: timeline.write_text(events.replace("Fixture ferry opens", "Fixture ferry closes")),
                lambda: None,
            ]
            for edit in edits:
                [variant] = check([Variant("tiny", "test", values)])
                outcome = build_with(variant, BuildOptions(out_dir=out, formats=("html", "pdf")), executor)
                assert outcome.status == "built"
                edit()
            if way == "warm":
                assert executor.kernel.runs == 3  # every build ran in the one kernel
        finally:
            executor.close()
        cell = injected_cell_id(out, "tiny")
        results[way] = {
            relative: normalised((out / relative).read_text(encoding="utf-8"), cell)
            for relative in ("tiny.html", "tiny.ipynb", "tiny.metrics.json", *figures(out))
        }
        metrics = json.loads(results[way]["tiny.metrics.json"])
        for relative in metrics["build"]["outputs"]:  # compared above, or differ by their times
            if not relative.endswith(".png"):  # PNGs carry no time: the same bytes
                metrics["build"]["outputs"][relative] = "<compared>"
        results[way]["tiny.metrics.json"] = metrics
        pdf = PdfReader(out / "tiny.pdf")
        results[way]["pdf text"] = normalised("\n".join(page.extract_text() for page in pdf.pages))
    warm, cold = results["warm"], results["cold"]
    assert "60.0" in warm["tiny.html"] and "4.8 times" in warm["tiny.html"]  # 60 / 12.5
    assert "ferry closes" in warm["tiny.html"] and "figures/tiny-timeline-1901-2021.svg" in warm
    for relative in cold:
        assert warm[relative] == cold[relative], relative
    nb = nbformat.reads(warm["tiny.ipynb"], as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # the warm kernel counted from 1 again


def test_the_warm_kernel_forgets_the_last_runs_names(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell('marker: str = ""', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import matplotlib\nimport warnings\n"
            "print(sorted(k for k in globals() if k.startswith('left_')), matplotlib.rcParams['font.size'])\n"
            "warnings.warn('shown every run')\n"
            "matplotlib.rcParams['font.size'] = 31\nleft_by = marker"
        ),
    ]
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    executor = WarmExecutor(path)
    try:
        printed = []
        for marker in ("first", "second"):
            (tmp_path / marker).mkdir()
            nb = executor.run(path, {"marker": marker}, tmp_path / marker)
            streams = [o for o in nb.cells[2].outputs if o.output_type == "stream"]
            printed.append(
                ("".join(o.text for o in streams if o.name == "stdout"), any(o.name == "stderr" for o in streams))
            )
    finally:
        executor.close()
    assert printed[0] == printed[1]
    assert printed[0][0] == "[] 10.0\n" and printed[0][1]  # nothing left, matplotlib's default size, the warning


def test_a_kernel_started_ahead_and_never_used_leaves_nothing(tmp_path):
    executor = ColdExecutor()
    executor.start()
    kernel = executor._next
    kernel.ready()
    pid, folder = kernel.pid, kernel.folder
    assert (folder / "kernel.json").is_file()
    executor.close()
    assert not folder.exists()
    assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_the_notebooks_imports_are_run_ahead(tmp_path):
    imports = warm_imports(config.DEFAULT_NOTEBOOK)
    assert "from analysis.report import Report" in imports.splitlines()
    assert all(line.startswith(("import ", "from ")) for line in imports.splitlines())


def test_a_warm_kernel_that_died_between_runs_is_replaced(tmp_path):
    import os
    import signal

    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("x: int = 0", metadata={"tags": ["parameters"]})]
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    executor = WarmExecutor(path)
    try:
        (tmp_path / "1").mkdir()
        executor.run(path, {"x": 1}, tmp_path / "1")
        first = executor.kernel
        os.kill(first.pid, signal.SIGKILL)  # killed from outside (out of memory, say)
        first.manager.provisioner.process.wait()
        (tmp_path / "2").mkdir()
        executor.run(path, {"x": 2}, tmp_path / "2")
        assert executor.kernel is not first and executor.kernel.runs == 1
        assert not first.folder.exists()
    finally:
        executor.close()
