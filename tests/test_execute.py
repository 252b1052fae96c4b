"""Executing the notebook: failures said and kept, time limits, warm runs equal to cold ones, nothing left.

The machinery runs a two-cell stub notebook (`STUB`): its parameter ``code`` is what the second
cell runs before its one display. Only the warm-against-cold test runs the real report.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest
from conftest import FIXTURES, notebook_defaults

from analysis import _config as config
from analysis._execute import Executor, warm_imports
from analysis._limits import TimeLimits
from analysis._pipeline import BuildOptions, guarded
from analysis._plan import Variant, check
from analysis.errors import NotebookExecutionError, TimeLimitError

STUB = FIXTURES / "stub-kernel.ipynb"


@pytest.fixture(scope="module")
def warm():
    """One warm kernel for the tests that do not test its lifecycle (a failed run replaces it)."""
    executor = Executor(STUB, TimeLimits(notebook=30), warm=True)
    yield executor
    executor.close()


def run(executor, folder: Path, code: str, notebook: Path = STUB, **parameters) -> nbformat.NotebookNode:
    folder.mkdir()
    return executor.run(notebook, {"code": code, **parameters} if code else parameters, folder)


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_the_notebooks_imports_are_run_ahead():
    imports = warm_imports(config.DEFAULT_NOTEBOOK)
    assert "from analysis.report import Report" in imports.splitlines()
    assert all(line.startswith(("import ", "from ")) for line in imports.splitlines())


@pytest.mark.slow
def test_the_warm_kernel_forgets_the_last_runs_names(tmp_path):
    nb = nbformat.read(STUB, as_version=4)
    nb.cells[-1].source = f"import matplotlib\n{nb.cells[-1].source}"  # imported ahead, as the report's imports are
    nbformat.write(nb, notebook := tmp_path / "imports.ipynb")
    code = (
        "import warnings\n"
        "print(sorted(k for k in globals() if k.startswith('left_')), matplotlib.rcParams['font.size'])\n"
        "warnings.warn('shown every run')\n"
        "matplotlib.rcParams['font.size'] = 31\nleft_by = 1"
    )
    seen, threads, kernels = [], [], []
    with contextlib.closing(Executor(notebook, warm=True)) as warm:
        for name in ("first", "second"):
            nb = run(warm, tmp_path / name, code, notebook)
            streams = {o.name: o.text for o in nb.cells[-1].outputs if o.output_type == "stream"}
            seen.append(
                (streams["stdout"], "shown every run" in streams["stderr"], [c.execution_count for c in nb.cells])
            )
            threads.append(threading.active_count())
            kernels.append(warm.kernel)
    assert kernels[0] is kernels[1]  # one kernel, kept
    assert threads[0] == threads[1]  # a run leaves no thread behind (nbclient's client of it is closed)
    assert seen[0] == seen[1] == ("[] 10.0\n", True, [1, 2, 3])  # nothing left, the defaults, counted from 1


def _listening(pid: int) -> list[str]:
    """The local addresses of the TCP sockets a process listens on (hex, as /proc/net/tcp* writes them)."""
    owned = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            owned.add(descriptor.readlink().as_posix().removeprefix("socket:[").removesuffix("]"))
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in owned:  # TCP_LISTEN
                found.append(fields[1].split(":")[0])
    return found


@pytest.mark.slow
def test_the_kernel_talks_over_ipc_and_listens_on_loopback_only(warm, tmp_path):
    nb = run(warm, tmp_path / "run", "import subprocess; subprocess.run(['true'])")
    assert nb.cells[-1].outputs[-1]["data"] == {"text/plain": "shown"}
    assert json.loads((warm.kernel.folder / "kernel.json").read_text())["transport"] == "ipc"
    assert set(_listening(warm.kernel.process.pid)) <= {
        "0100007F",
        "00000000000000000000000001000000",
    }  # 127.0.0.1, ::1


@pytest.mark.slow
def test_a_failing_cell_is_said_with_its_cell_and_the_notebook_kept(tmp_path, capfd):
    code = "import os\nos.system('echo from-a-subprocess')\nassert 1 + 1 == 3"  # AssertionError, no message
    out = tmp_path / "out"
    options = BuildOptions(out_dir=out, formats=("html",), force=True, notebook=STUB)
    outcome = guarded(Variant("tiny", "test", {"data_dir": "data", "code": code}), options)
    kept = nbformat.read(out / "failed" / "tiny.ipynb", as_version=4)
    [failing] = [c for c in kept.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert failing.source.endswith('exec(code)\ndisplay({"text/plain": "shown"}, raw=True)')
    assert (outcome.status, outcome.exit_status) == ("failed", 1)
    assert outcome.message == (  # the cell's number, its first line of code (not its comment), where it is kept
        f"the report notebook failed: AssertionError, with no message (cell In [{failing.execution_count}]: "
        f"exec(code))\nThe partly executed notebook is kept at {out}/failed/tiny.ipynb: open it to see the "
        "failing cell, its output and its traceback"
    )
    # what the kernel process itself printed went to its log, not to the build's terminal
    assert "from-a-subprocess" in (out / "failed" / "tiny.kernel.log").read_text()
    assert "from-a-subprocess" not in capfd.readouterr().out


@pytest.mark.slow
def test_a_dead_kernel_is_said_with_how_its_log_ends_and_the_notebook_kept(warm, tmp_path):
    code = "import os, sys\nprint('out of memory, say', file=sys.__stderr__, flush=True)\nos._exit(3)"
    with pytest.raises(NotebookExecutionError) as caught:
        run(warm, tmp_path / "run", code)
    assert str(caught.value).startswith("the report notebook failed: DeadKernelError")
    assert str(caught.value).endswith("(its log ends: out of memory, say)")
    kept = nbformat.read(tmp_path / "run" / "executed.ipynb", as_version=4)
    assert [c.source for c in kept.cells][-1].startswith("# what the test asks")
    assert warm.kernel is None  # the next run gets a fresh kernel


@pytest.mark.slow
def test_a_warm_kernel_that_died_between_runs_is_replaced(warm, tmp_path):
    run(warm, tmp_path / "1", "")
    first = warm.kernel
    os.kill(first.process.pid, signal.SIGKILL)  # killed from outside (out of memory, say)
    first.process.wait()
    nb = run(warm, tmp_path / "2", "")
    assert nb.cells[-1].outputs[-1]["data"] == {"text/plain": "shown"}
    assert warm.kernel is not first
    assert not first.folder.exists()


@pytest.mark.slow
def test_the_notebook_stops_at_its_time_limit_and_keeps_what_it_printed(tmp_path, capfd):
    executor = Executor(STUB, TimeLimits(notebook=3))
    executor.ready()
    kernel = executor.kernel
    started = time.monotonic()
    try:
        with pytest.raises(TimeLimitError, match=r"^running the notebook took longer than its time limit of 3 s"):
            run(executor, tmp_path / "run", "print('before the wait', flush=True)\nimport time\ntime.sleep(600)")
        assert time.monotonic() - started < 3 + 5
    finally:
        executor.close()
    kept = nbformat.read(tmp_path / "run" / "executed.ipynb", as_version=4)
    assert kept.cells[-1].outputs[0]["text"] == "before the wait\n"
    assert gone(kernel.process.pid) and not kernel.folder.exists()
    assert capfd.readouterr().err == ""  # the build's message is the one report of it


@pytest.mark.slow
def test_a_kernel_started_ahead_and_never_used_leaves_nothing():
    dead = subprocess.Popen(["true"])
    dead.wait()
    killed = Path(tempfile.gettempdir()) / f"analysis-kernel-{dead.pid}-sockets-x"  # a killed build's
    killed.mkdir()
    executor = Executor(STUB)
    executor.ready()
    kernel = executor.kernel
    assert kernel.alive and (kernel.folder / "kernel.json").is_file()
    assert not killed.exists()  # removed by the next build's kernel
    executor.close()
    assert gone(kernel.process.pid) and not kernel.folder.exists()


# A warm kernel gives what a fresh one gives: the real report, whose charts a warm kernel reuses --

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00| UTC)?")
DURATION = re.compile(r'"duration": [\d.e-]+')


def normalised(nb: nbformat.NotebookNode) -> str:
    """An executed notebook's text with what differs between any two runs (times, ids, its path) blanked."""
    injected = next(c.id for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    nb = nbformat.from_dict(
        {**nb, "metadata": {**nb.metadata, "papermill": {**nb.metadata.papermill, "output_path": ""}}}
    )
    text = DURATION.sub('"duration": 0', TIMESTAMP.sub("<time>", nbformat.writes(nb)))
    return text.replace(injected, "<injected-cell-id>")


@pytest.mark.slow
def test_a_warm_rerun_after_an_edit_gives_what_a_fresh_kernel_gives(tmp_path, data_copy):
    values = {**notebook_defaults(), "data_dir": str(data_copy), "origin": "KOR", "destination": "CHL"}
    values.update(base_year=2019, target_year=2023)
    fdi = data_copy / "fdi.csv"
    parameters = check([Variant("tiny", "test", values)])[0].parameters
    notebook = config.DEFAULT_NOTEBOOK
    warm = Executor(notebook, warm=True)
    try:
        before = run(warm, tmp_path / "warm-1", "", notebook, **parameters)
        # a figure's data changes: the warm kernel draws that chart again and reuses the others
        fdi.write_text(fdi.read_text().replace("KOR,CHL,2023,12,50.0,", "KOR,CHL,2023,12,60.0,"))
        after = run(warm, tmp_path / "warm-2", "", notebook, **parameters)
    finally:
        warm.close()
    with contextlib.closing(Executor(notebook)) as cold:
        fresh = run(cold, tmp_path / "cold", "", notebook, **parameters)
    assert "60.0" in normalised(after) and "60.0" not in normalised(before)
    assert normalised(after) == normalised(fresh)
    counts = [c.execution_count for c in after.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # the warm kernel counted from 1 again
