"""Ctrl-C (and SIGTERM, SIGHUP) stop a build at any moment, and the build cleans up after itself.

`handled` installs, for a command's duration, one handler of SIGINT, SIGTERM and SIGHUP. The
first signal raises KeyboardInterrupt in the main thread and records that a stop was asked for;
later ones are only recorded, so that a second Ctrl-C cannot cut the clean-up short (it stops
the kernel and removes what the build made, in a few seconds at most).

Python drops an exception raised where it cannot propagate: in a weakref callback, a finaliser,
a C library's callback. Ctrl-C during WeasyPrint's layout was lost that way, and the build went on
to publish. So the build does not rely on the exception alone: it calls `check` at each step and
before it publishes, whatever waits for another process (a renderer, a build of ``--jobs``)
polls `requested`, and `on_request` interrupts a busy kernel too (a signal sent to the build's
process alone does not reach it).

`deferred` holds a stop back while a few steps run that must not be cut in two (starting a
kernel and recording it, stopping one and removing its folder, switching the outputs): the
KeyboardInterrupt is raised when they are done.

`pause` is a seam for tests, inert unless ``ANALYSIS_TEST_PAUSE`` names a phase: the process
doing that phase's work then writes the file ``ANALYSIS_TEST_PAUSE_FILE`` and waits there, so
that a test can interrupt the build at a known moment of each phase.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
PAUSE_ENV = "ANALYSIS_TEST_PAUSE"
PAUSE_FILE_ENV = "ANALYSIS_TEST_PAUSE_FILE"

_requested = threading.Event()
_state: dict[str, Any] = {"signal": signal.SIGINT, "deferring": 0, "held": False}
_callbacks: list[Callable[[], None]] = []


def _handler(signum: int, frame: Any) -> None:
    first = not _requested.is_set()
    if first:
        _state["signal"] = signum
        _requested.set()
    for callback in list(_callbacks):
        with contextlib.suppress(Exception):  # a kernel that is gone needs no interrupting
            callback()
    if not first:
        return  # already stopping: let the clean-up finish
    if _state["deferring"]:
        _state["held"] = True
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Handle SIGINT, SIGTERM and SIGHUP as a request to stop, for the duration of the block.

    Only in the main thread (elsewhere the block changes nothing).

    Yields
    ------
    None
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reset()
    previous = {number: signal.signal(number, _handler) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def install() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP as a request to stop from now on (a child process's whole life)."""
    reset()
    for number in SIGNALS:
        signal.signal(number, _handler)


def reset() -> None:
    """Forget an earlier stop request (a new command, or a child process starting afresh)."""
    _requested.clear()
    _state.update(signal=signal.SIGINT, deferring=0, held=False)


def request() -> None:
    """Ask for a stop from code (``analysis watch`` on Ctrl-C): what polls `requested` stops."""
    _requested.set()
    for callback in list(_callbacks):
        with contextlib.suppress(Exception):
            callback()


def requested() -> bool:
    """Tell whether a stop was asked for."""
    return _requested.is_set()


def exit_status() -> int:
    """Return the exit status of a command stopped by a signal: 128 + its number (130 for Ctrl-C)."""
    return 128 + int(_state["signal"])


def check() -> None:
    """Raise KeyboardInterrupt if a stop was asked for (even if its exception was lost)."""
    if _requested.is_set():
        raise KeyboardInterrupt


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold a stop back until the block is done, then raise it.

    Yields
    ------
    None
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are handled in the main thread only
        return
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
        if not _state["deferring"] and _state["held"]:
            _state["held"] = False
            raise KeyboardInterrupt


@contextlib.contextmanager
def on_request(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` (in the main thread) if a stop is asked for during the block.

    Parameters
    ----------
    callback : callable
        Quick and safe to call from a signal handler (sending a signal, setting a flag).

    Yields
    ------
    None
    """
    _callbacks.append(callback)
    try:
        yield
    finally:
        _callbacks.remove(callback)


def pause(phase: str) -> None:
    """Wait here if the test seam ``ANALYSIS_TEST_PAUSE`` names this phase (else return at once).

    Parameters
    ----------
    phase : str
        The phase reached: "checking the inputs", "starting the kernel", "executing the
        notebook", "rendering HTML", "rendering PDF" or "publishing".
    """
    if os.environ.get(PAUSE_ENV) != phase:
        return
    marker = os.environ.get(PAUSE_FILE_ENV)
    if marker:
        Path(marker).write_text(f"{os.getpid()}\n", encoding="utf-8")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        check()
        time.sleep(0.05)
