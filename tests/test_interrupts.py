"""Ctrl-C and SIGTERM stop ``analysis build``: exit 130 or 143, nothing published, nothing left behind.

One end-to-end test per signal path, each a build of the stub notebook (tests/_stub.py) in a
session of its own: Ctrl-C to the whole group while the notebook runs, SIGTERM to the build alone
while the PDF is laid out, Ctrl-C to the parent of ``--jobs`` alone, and ``kill -9`` of that
parent. What is left is then looked at: the previous outputs byte for byte, no process of the
build's (found by an environment variable they all inherit, kernels included), no kernel file in
the temporary folders, no build folder. The primitives (the handler, `deferred`, a renderer
killed on a stop request) are tested in process.
"""

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from _stub import stub_params

from analysis import _config as config
from analysis import _interrupts as interrupts

TAG = "ANALYSIS_TEST_BUILD"
STUB = Path(__file__).parent / "_stub.py"


def build_processes(tag: str) -> set[int]:
    """Every live process that inherited this test's tag: the build, its children, its kernels."""
    found = set()
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            environment = (folder / "environ").read_bytes()
            text = (folder / "stat").read_text()
        except OSError:
            continue
        if f"{TAG}={tag}".encode() in environment.split(b"\0") and text[text.rindex(")") + 2] != "Z":
            found.add(int(folder.name))
    return found


def tree(out: Path) -> dict[str, str]:
    """Every entry under the output folder (links, folders, files' digests), lock files aside."""
    seen = {}
    for path in sorted(out.rglob("*")):
        if path.name.endswith(".lock"):
            continue
        relative = path.relative_to(out).as_posix()
        if path.is_symlink():
            seen[relative] = "-> " + path.readlink().as_posix()
        else:
            seen[relative] = "folder" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


class Build:
    """``analysis build`` of the stub notebook, in a session of its own, into ``out``."""

    def __init__(self, notebook: Path, tmp_path: Path, out: Path, *params: Path, extra=()):
        self.tmp = Path(tempfile.mkdtemp(prefix="ai-", dir="/tmp"))  # short: kernel sockets go here
        self.runtime = tmp_path / "runtime"
        self.runtime.mkdir()
        self.tag = str(tmp_path)
        self.out = out
        environment = {**os.environ, "TMPDIR": str(self.tmp), "JUPYTER_RUNTIME_DIR": str(self.runtime), TAG: self.tag}
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(STUB),
                str(notebook),
                "build",
                *map(str, params),
                "--out",
                str(out),
                "--force",
                *extra,
            ],
            cwd=config.PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            start_new_session=True,
        )

    def wait_for(self, ready) -> None:
        deadline = time.monotonic() + 120
        while not ready():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "the build never got there"
            time.sleep(0.05)

    def signal(self, number: int, whole_group: bool = False) -> tuple[int, str]:
        if whole_group:
            os.killpg(self.process.pid, number)  # what a terminal's Ctrl-C does
        else:
            self.process.send_signal(number)  # kill -INT PID
        try:
            _, stderr = self.process.communicate(timeout=60)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.returncode, stderr

    def assert_nothing_left(self, before: dict[str, str]) -> None:
        deadline = time.monotonic() + 30
        while build_processes(self.tag) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert build_processes(self.tag) == set()  # no kernel, no renderer, no build of --jobs
        assert list(self.tmp.iterdir()) == []  # no kernel folder, socket or connection file
        assert list(self.runtime.iterdir()) == []
        assert tree(self.out) == before  # the previous outputs byte for byte, no build folder, no failed/

    def close(self) -> None:
        for pid in build_processes(self.tag):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def previous(tmp_path_factory, stub_notebook) -> Path:
    """Outputs of an earlier build of the stub, to be kept byte for byte."""
    folder = tmp_path_factory.mktemp("previous")
    out = folder / "out"
    done = subprocess.run(
        [sys.executable, str(STUB), str(stub_notebook), "build", str(stub_params(folder)), "--out", str(out)],
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


def copy(out: Path, folder: Path) -> Path:
    shutil.copytree(out, folder, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    return folder


def phase_is(out: Path, text: str):
    return lambda: any(p.read_text().strip() == text for p in out.glob(".builds/*/*/phase") if p.exists())


@pytest.mark.slow
def test_ctrl_c_while_the_notebook_runs_exits_130_and_leaves_nothing(previous, stub_notebook, tmp_path):
    out = copy(previous, tmp_path / "out")
    before = tree(out)
    marker = tmp_path / "running"
    build = Build(stub_notebook, tmp_path, out, stub_params(tmp_path, marker=str(marker), sleep=600))
    try:
        build.wait_for(marker.exists)
        status, stderr = build.signal(signal.SIGINT, whole_group=True)
        assert status == 130, stderr
        assert stderr.startswith("interrupted: the build stopped, and nothing of it was published"), stderr
        assert "Traceback" not in stderr, stderr
        build.assert_nothing_left(before)
    finally:
        build.close()


@pytest.mark.slow
def test_sigterm_to_the_build_alone_while_the_pdf_is_laid_out_exits_143_and_leaves_nothing(
    previous, stub_notebook, tmp_path
):
    out = copy(previous, tmp_path / "out")
    before = tree(out)
    build = Build(stub_notebook, tmp_path, out, stub_params(tmp_path, word=100_000))  # minutes of layout
    try:
        build.wait_for(phase_is(out, "rendering PDF"))
        time.sleep(0.5)  # the renderer is forked
        status, stderr = build.signal(signal.SIGTERM)
        assert status == 128 + signal.SIGTERM, stderr
        assert "Traceback" not in stderr, stderr
        build.assert_nothing_left(before)
    finally:
        build.close()


@pytest.mark.slow
def test_ctrl_c_to_the_parent_of_jobs_alone_stops_every_build(previous, stub_notebook, tmp_path):
    out = copy(previous, tmp_path / "out")
    before = tree(out)
    markers = [tmp_path / "one", tmp_path / "two"]
    params = [
        stub_params(tmp_path, name, marker=str(m), sleep=600)
        for name, m in zip(("stub", "again"), markers, strict=False)
    ]
    build = Build(stub_notebook, tmp_path, out, *params, extra=("--jobs", "2", "--format", "html"))
    try:
        build.wait_for(lambda: all(m.exists() for m in markers))  # both notebooks run, each in its kernel
        status, stderr = build.signal(signal.SIGINT)
        assert status == 130, stderr
        assert "Traceback" not in stderr, stderr
        build.assert_nothing_left(before)  # "again" had no outputs, and still has none
    finally:
        build.close()


@pytest.mark.slow
def test_builds_of_jobs_publish_nothing_once_their_parent_is_killed(previous, stub_notebook, tmp_path):
    out = copy(previous, tmp_path / "out")
    before = tree(out)
    markers = [tmp_path / "one", tmp_path / "two"]
    params = [
        stub_params(tmp_path, name, marker=str(m), sleep=5) for name, m in zip(("stub", "again"), markers, strict=False)
    ]
    build = Build(stub_notebook, tmp_path, out, *params, extra=("--jobs", "2", "--format", "html"))
    try:
        build.wait_for(lambda: all(m.exists() for m in markers))
        os.kill(build.process.pid, signal.SIGKILL)  # its children get no word of it from the parent
        build.process.wait()
        time.sleep(6)  # past the notebooks' end: a child that went on would publish now
        build.assert_nothing_left(before)
    finally:
        build.close()


# The primitives, in process ---------------------------------------------------------------------


@pytest.fixture
def handled():
    with interrupts.handled():
        yield
    interrupts.reset()


def test_the_first_signal_raises_and_sets_the_exit_status_later_ones_are_only_recorded(handled):
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert interrupts.requested() and interrupts.exit_status() == 143
    os.kill(os.getpid(), signal.SIGINT)  # a second one cannot cut the clean-up short
    time.sleep(0.05)
    assert interrupts.exit_status() == 143
    with pytest.raises(KeyboardInterrupt):
        interrupts.check()  # an exception that a library swallowed is raised again here


def test_a_stop_during_a_deferred_block_is_raised_when_it_ends(handled):
    done = []
    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        done.append("the block finished")
    assert done == ["the block finished"]
    assert interrupts.exit_status() == 130


def test_a_stop_wakes_what_waits_on_it(handled):
    woken = []
    with interrupts.on_request(lambda: woken.append("late")):
        interrupts.request()
    with interrupts.on_request(lambda: woken.append("already asked")):
        pass
    assert woken == ["late", "already asked"]
