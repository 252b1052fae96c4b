"""Work in a forked child: its answer, its errors, its time limit, Ctrl-C; no process left behind."""

import os
import signal
import time
from pathlib import Path

import pytest

from analysis import forked, interrupts
from analysis.errors import BuildError, TimeLimitError


def square(x):
    return x * x


def fail(message):
    raise ValueError(message)


def sleep_then(seconds, pid_file):
    written = Path(f"{pid_file}.part")
    written.write_text(str(os.getpid()))
    written.rename(pid_file)  # whole when it appears: the test reads it as soon as it exists
    time.sleep(seconds)
    return "woke"


def deaf_then(seconds, pid_file):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a child that does not stop when asked
    return sleep_then(seconds, pid_file)


def die(number):
    os.kill(os.getpid(), number)


class UnrebuildableError(Exception):
    def __init__(self, a, b):  # pickle cannot rebuild it from its args
        super().__init__(f"{a}-{b}")


def raise_unrebuildable():
    raise UnrebuildableError(1, 2)


def too_long():
    return TimeLimitError("too long")


def gone(pid: int) -> bool:
    """The process no longer exists (reaped), or is at most a zombie."""
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] == "Z"


def test_the_child_answers():
    assert forked.call(square, 12, phase="squaring", limit=30, exceeded=too_long) == 144


def test_the_childs_exception_is_raised_here_with_its_traceback():
    with pytest.raises(ValueError, match="bad page") as caught:
        forked.call(fail, "bad page", phase="rendering", limit=30, exceeded=too_long)
    assert any("in fail" in note or "fail(" in note for note in caught.value.__notes__)


def test_an_exception_that_cannot_be_rebuilt_comes_back_as_its_name_and_text():
    with pytest.raises(BuildError, match="rendering failed: UnrebuildableError: 1-2"):
        forked.call(raise_unrebuildable, phase="rendering", limit=30, exceeded=too_long)


def test_the_time_limit_kills_the_child(tmp_path):
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(TimeLimitError, match="too long"):
        forked.call(sleep_then, 60, pid_file, phase="sleeping", limit=1.0, exceeded=too_long)
    assert time.monotonic() - started < 10  # 1 s and the kill, not the 60 s of the work
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


def test_a_stop_request_kills_the_child(tmp_path):
    pid_file = tmp_path / "pid"
    interrupts.reset()

    def ask_later(signum, frame):
        interrupts.request()

    previous = signal.signal(signal.SIGALRM, ask_later)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            forked.call(sleep_then, 60, pid_file, phase="sleeping", limit=None, exceeded=too_long)
        assert time.monotonic() - started < 10
        assert gone(int(pid_file.read_text()))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        interrupts.reset()


def test_children_asked_to_stop_are_killed_after_their_grace(tmp_path):
    # one child stops when asked; the other ignores SIGTERM and is killed once the grace is over
    children = [
        forked.start(sleep_then, 60, tmp_path / "pid0", phase="sleeping"),
        forked.start(deaf_then, 60, tmp_path / "pid1", phase="sleeping"),
    ]
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"pid{i}").exists() for i in range(2)):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    started = time.monotonic()
    forked.stop(children, grace=1.0)
    assert time.monotonic() - started >= 1.0  # the deaf child was given its grace, not killed at once
    assert all(gone(int((tmp_path / f"pid{i}").read_text())) for i in range(2))
    assert all(child.fd == -1 for child in children)
