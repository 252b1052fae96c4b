"""Ctrl-C at each phase of ``analysis build``: exit 130, nothing published, nothing left behind.

Each test starts a build in a session of its own, with the test seam ``ANALYSIS_TEST_PAUSE`` set
to a phase: the process doing that phase's work (the build, its kernel, its renderer) writes a
marker file and waits there. The test then interrupts the build as a terminal's Ctrl-C does (SIGINT
to the whole process group: the build and its renderer; jupyter_client starts the kernel in a
session of its own, which the build must stop itself), or as ``kill -INT`` does (the build's process
alone), and looks at what is left: the previous outputs byte for byte, no process of the build's
(found by the environment they inherit, kernels included), no kernel folder or connection file in
the temporary folder, no build folder.
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
from conftest import FIXTURES, copy_outputs, tiny_params

from analysis import config, interrupts

pytestmark = pytest.mark.slow

PHASES = [
    "checking the inputs",
    "starting the kernel",
    "executing the notebook",
    "rendering HTML",
    "rendering PDF",
    "publishing",
]


def build_processes(marker: Path) -> set[int]:
    """Every live process of one test's build: the build, its children, its kernels, their children.

    Found by the environment they inherit (the test seam's marker file, unique to the test), since
    jupyter_client starts each kernel in a session of its own, out of reach of the build's session
    and process group.
    """
    tag = f"{interrupts.PAUSE_FILE_ENV}={marker}".encode()
    found = set()
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            environment = (folder / "environ").read_bytes()
            text = (folder / "stat").read_text()
        except OSError:
            continue
        state = text[text.rindex(")") + 2 :].split()[0]  # after the command's name, which may hold spaces
        if tag in environment.split(b"\0") and state != "Z":
            found.add(int(folder.name))
    return found


def command_line(pid: int) -> bytes:
    """A process's command line (empty once it has ended)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def tree(out: Path) -> dict[str, str]:
    """Every entry under the output folder: what links lead to, files' digests; lock files aside."""
    seen = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if path.name.endswith(".lock"):
            continue
        if path.is_symlink():
            seen[relative] = "-> " + path.readlink().as_posix()
        elif path.is_dir():
            seen[relative] = "folder"
        else:
            seen[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


class Build:
    """``analysis build`` of the tiny report into a copy of earlier outputs, paused at a phase."""

    def __init__(self, tmp_path: Path, out: Path, phase: str, *params: Path, extra=()):
        self.tmp = Path(tempfile.mkdtemp(prefix="ai-", dir="/tmp"))  # short: kernel sockets go here
        self.runtime = tmp_path / "runtime"
        self.runtime.mkdir()
        self.marker = tmp_path / "paused"
        self.out = out
        environment = {
            **os.environ,
            "TMPDIR": str(self.tmp),
            "JUPYTER_RUNTIME_DIR": str(self.runtime),
            interrupts.PAUSE_ENV: phase,
            interrupts.PAUSE_FILE_ENV: str(self.marker),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "analysis", "build", *map(str, params), "--out", str(out), "--force", *extra],
            cwd=config.PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            start_new_session=True,
        )

    def wait_for_pause(self, phase: str) -> None:
        deadline = time.monotonic() + 120
        while not self.marker.exists() or (phase == "starting the kernel" and not self._parent_waits_for_kernel()):
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, f"the build never paused at {phase!r}"
            time.sleep(0.02)

    def _parent_waits_for_kernel(self) -> bool:
        phases = (self.out / ".builds" / "tiny").glob("*/phase")
        return any(p.read_text().strip() == "starting the kernel" for p in phases if p.exists())

    def interrupt(self, whole_group: bool, number: int = signal.SIGINT) -> tuple[int, str]:
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

    def close(self) -> None:
        for pid in build_processes(self.marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def assert_nothing_left(build: Build, before: dict[str, str]) -> None:
    assert build_processes(build.marker) == set()  # no kernel, no renderer, no build of --jobs
    assert list(build.tmp.iterdir()) == []  # no kernel folder, socket or connection file (with its key)
    assert list(build.runtime.iterdir()) == []
    assert tree(build.out) == before  # the previous outputs byte for byte, no build folder, no failed/


@pytest.mark.parametrize(
    ("phase", "whole_group"),
    [
        # Ctrl-C in a terminal: the signal goes to every process of the build
        *[pytest.param(phase, True, id=f"{phase}, Ctrl-C") for phase in PHASES],
        # kill -INT PID: to the build alone, which stops its kernel and renderer too
        *[
            pytest.param(phase, False, id=f"{phase}, to the build alone")
            for phase in ("starting the kernel", "executing the notebook", "rendering PDF")
        ],
    ],
)
def test_an_interrupt_at_each_phase_publishes_nothing_and_leaves_nothing(tiny_report, tmp_path, phase, whole_group):
    out = copy_outputs(tiny_report, tmp_path / "out")
    before = tree(out)
    build = Build(tmp_path, out, phase, tiny_params(tmp_path, FIXTURES / "tiny"))
    try:
        build.wait_for_pause(phase)
        status, stderr = build.interrupt(whole_group=whole_group)
        assert status == 130, stderr
        assert stderr.startswith("interrupted: the build stopped, and nothing of it was published"), stderr
        assert "Traceback" not in stderr, stderr  # whole: a rare traceback here is to be read, not cut
        assert_nothing_left(build, before)
    finally:
        build.close()


def test_sigterm_stops_the_build_as_ctrl_c_does(tiny_report, tmp_path):
    out = copy_outputs(tiny_report, tmp_path / "out")
    before = tree(out)
    build = Build(tmp_path, out, "rendering HTML", tiny_params(tmp_path, FIXTURES / "tiny"))
    try:
        build.wait_for_pause("rendering HTML")
        status, stderr = build.interrupt(whole_group=False, number=signal.SIGTERM)
        assert status == 128 + signal.SIGTERM, stderr  # 143
        assert_nothing_left(build, before)
    finally:
        build.close()


def test_ctrl_c_stops_every_build_of_jobs(tiny_report, tmp_path):
    out = copy_outputs(tiny_report, tmp_path / "out")
    before = tree(out)
    first = tiny_params(tmp_path, FIXTURES / "tiny", "tiny")
    second = tiny_params(tmp_path, FIXTURES / "tiny", "tiny-again")
    build = Build(tmp_path, out, "executing the notebook", first, second, extra=("--jobs", "2", "--format", "html"))
    try:
        build.wait_for_pause("executing the notebook")
        deadline = time.monotonic() + 60  # both kernels up: each build's child has its kernel
        kernels = set()
        while len(kernels) < 2 and time.monotonic() < deadline:
            kernels = {p for p in build_processes(build.marker) if b"analysis.kernel" in command_line(p)}
            time.sleep(0.05)
        assert len(kernels) == 2
        status, stderr = build.interrupt(whole_group=False)
        assert status == 130, stderr
        assert "Traceback" not in stderr
        assert_nothing_left(build, before)  # tiny-again had no outputs, and still has none
    finally:
        build.close()


def test_builds_of_jobs_stop_without_publishing_when_their_parent_is_killed(tiny_report, tmp_path):
    # kill -9 of the build: its children get no signal of it, yet must not go on to publish
    out = copy_outputs(tiny_report, tmp_path / "out")
    before = tree(out)
    first = tiny_params(tmp_path, FIXTURES / "tiny", "tiny")
    second = tiny_params(tmp_path, FIXTURES / "tiny", "tiny-again")
    build = Build(tmp_path, out, "no phase", first, second, extra=("--jobs", "2", "--format", "html"))
    try:
        deadline = time.monotonic() + 120
        started = set()
        while len(started) < 2:  # both children are building, each in a folder of its own
            assert build.process.poll() is None and time.monotonic() < deadline, build.process.communicate()
            started = {p.parent.parent.name for p in out.glob(".builds/*/*/phase")}
            time.sleep(0.01)
        os.kill(build.process.pid, signal.SIGKILL)
        build.process.wait()
        deadline = time.monotonic() + 120
        while build_processes(build.marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert_nothing_left(build, before)  # tiny as it was, tiny-again never published, no process left
    finally:
        build.close()
