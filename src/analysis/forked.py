"""Run a function in a forked child process: bounded in time, stopped by Ctrl-C, leaving nothing.

The build renders its pages (nbconvert, WeasyPrint) in Python code, where a thread cannot be
stopped and where Ctrl-C can be lost (an exception raised in a C library's callback is dropped).
In a child process the work can be stopped: the parent waits for the answer with a time limit,
polling for a stop request (`analysis.interrupts`), and kills the child (SIGKILL) as soon as
either comes. Forked from the build, the child has the parent's imports, compiled templates and
loaded fonts at no cost; it sends back its result, or its exception, pickled through a pipe, and
exits without running any of the parent's exit handlers.

`call` runs one function so. `start`, `wait` and `stop` run longer work (one report's build, for
``--jobs``) the same way, for the caller to wait on several children at once and to stop them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from analysis import interrupts
from analysis.errors import BuildError

POLL = 0.1  # seconds between looks at a stop request while waiting for a child
BLOCK = 1 << 20


class Child:
    """A forked child running one function; its answer comes through a pipe.

    Parameters
    ----------
    function : callable
        What the child runs.
    *args
        Its arguments (the child has them as they are: nothing is copied but on write).
    phase : str
        What the child does, for messages (and for the test seam `interrupts.pause`).
    cleans_up : bool
        Whether the child takes a signal to stop as the build does, raising KeyboardInterrupt
        to clean up before it exits (a build of ``--jobs``, which has a kernel to stop);
        otherwise a signal ends it at once (a renderer, which has nothing to clean up).
    """

    def __init__(self, function: Callable[..., Any], *args: Any, phase: str, cleans_up: bool = False) -> None:
        self.phase = phase
        self.done = False
        self._chunks: list[bytes] = []
        self._status: int | None = None
        reading, writing = os.pipe()
        try:
            self.pid = os.fork()
        except BaseException:
            os.close(reading)
            os.close(writing)
            raise
        if self.pid == 0:  # pragma: no cover - the child, measured in its parent's tests
            os.close(reading)
            _run_child(writing, function, args, phase, cleans_up)
        os.close(writing)
        self.fd = reading

    def fileno(self) -> int:
        """Return the pipe's end to read from (for `select`)."""
        return self.fd

    def read(self) -> None:
        """Read what the child has sent so far; `done` once it has closed the pipe."""
        chunk = os.read(self.fd, BLOCK)
        if chunk:
            self._chunks.append(chunk)
        else:
            self.done = True

    def result(self) -> Any:
        """Return the child's result, or raise its exception (once it is `done`).

        Raises
        ------
        KeyboardInterrupt
            The child was stopped by a signal to stop (Ctrl-C reached it first).
        BuildError
            The child died without answering.
        """
        self._reap(block=True)
        data = b"".join(self._chunks)
        try:
            ok, value, trace = pickle.loads(data)
        except Exception:  # nothing, or part of an answer: it died
            raise self._death() from None
        if ok:
            return value
        if isinstance(value, BaseException):
            if trace:
                value.add_note(f"(in the process {self.phase}; its traceback:)\n{trace.rstrip()}")
            raise value
        name, message = value
        raise BuildError(f"{self.phase} failed: {name}: {message or 'no message'}")

    def kill(self, number: int = signal.SIGKILL) -> None:
        """Send the child a signal, if it still runs."""
        if self._status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def close(self) -> None:
        """Kill the child if it still runs, wait for it, and close the pipe."""
        with interrupts.deferred():
            if self._status is None and not self._reap(block=False):
                self.kill()
                self._reap(block=True)
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1

    def _reap(self, block: bool) -> bool:
        if self._status is None:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            if pid == 0:
                return False
            self._status = status
        return True

    def _death(self) -> BaseException:
        status = self._status or 0
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            if number in interrupts.SIGNALS:
                return KeyboardInterrupt()
            how = f"was killed by {signal.Signals(number).name}"
            if number == signal.SIGKILL:
                how += " (by the system, if it ran out of memory)"
        else:
            how = f"exited with status {os.waitstatus_to_exitcode(status)}"
        return BuildError(f"{self.phase} failed: the process doing it {how} without finishing")


def _run_child(writing: int, function: Callable[..., Any], args: tuple[Any, ...], phase: str, cleans_up: bool) -> None:
    """Run the function, send its outcome to the parent, and exit (never returns)."""
    code = 0
    try:
        try:
            if cleans_up:
                interrupts.install()
            else:
                for number in interrupts.SIGNALS:
                    signal.signal(number, signal.SIG_DFL)
            interrupts.pause(phase)
            outcome: tuple[bool, Any, str] = (True, function(*args), "")
        except BaseException as error:  # everything goes back to the parent, to raise there
            outcome = (False, error, traceback.format_exc())
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)  # an exception whose class cannot be rebuilt goes as its name and text
        except Exception:
            error = outcome[1]
            data = pickle.dumps((False, (type(error).__name__, str(error)), outcome[2]))
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def start(function: Callable[..., Any], *args: Any, phase: str, cleans_up: bool = False) -> Child:
    """Start a child running ``function(*args)``; see `Child`.

    Parameters
    ----------
    function : callable
        What the child runs; its result (or exception) must pickle.
    *args
        Its arguments.
    phase : str
        What it does, for messages ("rendering PDF").
    cleans_up : bool, optional
        The child handles Ctrl-C itself (cleaning up as a build does), instead of dying at once.

    Returns
    -------
    Child
    """
    return Child(function, *args, phase=phase, cleans_up=cleans_up)


def wait(children: Iterable[Child], timeout: float) -> list[Child]:
    """Wait up to ``timeout`` seconds for any child to answer; return those that are done.

    Parameters
    ----------
    children : iterable of Child
        Children not yet done.
    timeout : float
        Seconds.

    Returns
    -------
    list of Child
    """
    running = [child for child in children if not child.done]
    if running:
        readable, _, _ = select.select(running, [], [], max(0.0, timeout))
        for child in readable:
            child.read()
    return [child for child in children if child.done]


def stop(children: Iterable[Child], grace: float) -> None:
    """Ask children to stop (SIGTERM), give them ``grace`` seconds to clean up, then kill them.

    Parameters
    ----------
    children : iterable of Child
        The children (those done already are only reaped).
    grace : float
        Seconds.
    """
    children = list(children)
    with interrupts.deferred():
        for child in children:
            if not child.done:
                child.kill(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(not c.done for c in children) and time.monotonic() < deadline:
            wait(children, min(POLL, deadline - time.monotonic()))
        for child in children:
            child.close()


def call(
    function: Callable[..., Any],
    *args: Any,
    phase: str,
    limit: float | None,
    exceeded: Callable[[], BaseException],
) -> Any:
    """Return ``function(*args)`` computed in a child process, within a time limit.

    Parameters
    ----------
    function : callable
        What to compute; its result and its exceptions must pickle.
    *args
        Its arguments.
    phase : str
        What it does, for messages.
    limit : float or None
        Seconds it may take; None for no limit.
    exceeded : callable
        Returns the exception to raise when the limit is reached.

    Returns
    -------
    object
        The function's result.

    Raises
    ------
    KeyboardInterrupt
        A stop was asked for meanwhile (the child is killed).
    Exception
        What the function raised, or ``exceeded()``.
    """
    child = start(function, *args, phase=phase)
    deadline = None if limit is None else time.monotonic() + limit
    try:
        while not child.done:
            interrupts.check()
            remaining = POLL if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                raise exceeded()
            wait([child], min(POLL, remaining))
        return child.result()
    finally:
        child.close()
