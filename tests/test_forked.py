"""Work in a forked child: its answer, its errors, its time limit, a stop; no process left behind."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from analysis import _forked as forked
from analysis import _interrupts as interrupts
from analysis import _pipeline as pipeline
from analysis.errors import BuildError, TimeLimitError

pytestmark = pytest.mark.slow  # each test forks


def square(x):
    return x * x


def fail(message):
    raise ValueError(message)


def sleep_then(seconds, pid_file, ignore_sigterm=False):
    if ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a child that does not stop when asked
    written = Path(f"{pid_file}.part")
    written.write_text(str(os.getpid()))
    written.rename(pid_file)  # whole when it appears
    time.sleep(seconds)
    return "woke"


def die(number):
    os.kill(os.getpid(), number)


def too_long():
    return TimeLimitError("too long")


def gone(pid: int) -> bool:
    """The process no longer exists, or is at most a zombie."""
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] == "Z"


def test_the_child_answers():
    assert forked.call(square, 12, phase="squaring", limit=30, exceeded=too_long) == 144


def test_the_childs_exception_is_raised_here():
    with pytest.raises(ValueError, match="bad page"):
        forked.call(fail, "bad page", phase="rendering", limit=30, exceeded=too_long)


def test_the_time_limit_kills_the_child(tmp_path):
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(TimeLimitError, match="too long"):
        forked.call(sleep_then, 60, pid_file, phase="sleeping", limit=1.0, exceeded=too_long)
    assert time.monotonic() - started < 10  # 1 s and the kill, not the 60 s of the work
    time.sleep(0.5)
    assert gone(int(pid_file.read_text()))


@pytest.mark.parametrize(("number", "expected"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGKILL, BuildError)])
def test_a_child_that_dies_is_reported(number, expected):
    with pytest.raises(expected) as caught:
        forked.call(die, number, phase="rendering PDF", limit=30, exceeded=too_long)
    if expected is BuildError:
        assert str(caught.value) == (
            "rendering PDF failed: the process doing it was killed by SIGKILL "
            "(by the system, if it ran out of memory) without finishing"
        )


def test_a_stop_request_from_another_thread_kills_the_child(tmp_path):
    pid_file = tmp_path / "pid"
    interrupts.reset()
    timer = threading.Timer(1.0, interrupts.request)
    timer.start()
    try:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            forked.call(sleep_then, 60, pid_file, phase="sleeping", limit=None, exceeded=too_long)
        assert time.monotonic() - started < 10
        time.sleep(0.5)
        assert gone(int(pid_file.read_text()))
    finally:
        timer.cancel()
        interrupts.reset()


def test_builds_of_jobs_asked_to_stop_get_their_grace_then_are_killed(tmp_path, monkeypatch):
    # one child stops when asked; the other ignores SIGTERM and is killed once the grace is over
    def build(variant, options):
        return sleep_then(60, tmp_path / variant, ignore_sigterm=variant == "deaf")

    monkeypatch.setattr(pipeline, "guarded", build)
    monkeypatch.setattr(pipeline, "STOP_GRACE", 1.0)
    builds = pipeline.in_parallel(["polite", "deaf"], pipeline.BuildOptions(jobs=2))

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            next(builds)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    pids = [int((tmp_path / name).read_text()) for name in ("polite", "deaf")]
    assert all(gone(pid) for pid in pids)
    assert time.monotonic() - started >= 2.0 + 1.0  # the deaf child was given its grace, not killed at once
