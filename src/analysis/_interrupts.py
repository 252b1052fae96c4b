"""Ctrl-C, SIGTERM and SIGHUP stop a command at any moment, and it cleans up after itself.

`handled` makes the first of these signals a KeyboardInterrupt in the main thread and records it;
later ones are only recorded, so that a second Ctrl-C cannot cut the clean-up short. An exception
can be dropped where Python cannot raise it (a C library's callback), so the build also calls
`check` before it publishes, and whatever waits in another thread or process registers
`on_request` to be woken.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_requested = threading.Event()
_state: dict[str, Any] = {"signal": signal.SIGINT, "deferring": 0, "held": False}
_callbacks: list[Callable[[], None]] = []


def _handler(signum: int, frame: Any) -> None:
    first = not _requested.is_set()
    if first:
        _state["signal"] = signum
    request()
    if first and _state["deferring"]:
        _state["held"] = True
    elif first:
        raise KeyboardInterrupt


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Take SIGINT, SIGTERM and SIGHUP as a request to stop during the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in SIGNALS}
    install()
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def install() -> None:
    """Take these signals as a request to stop for the rest of this process (a child's whole life)."""
    reset()
    for number in SIGNALS:
        signal.signal(number, _handler)


def reset() -> None:
    """Forget an earlier stop request."""
    _requested.clear()
    _state.update(signal=signal.SIGINT, deferring=0, held=False)


def request() -> None:
    """Ask for a stop from code: what registered `on_request` is woken."""
    _requested.set()
    for callback in list(_callbacks):
        with contextlib.suppress(Exception):  # a kernel that is gone needs no interrupting
            callback()


def requested() -> bool:
    """Tell whether a stop was asked for."""
    return _requested.is_set()


def exit_status() -> int:
    """Return 128 + the number of the signal that stopped the command (130 for Ctrl-C)."""
    return 128 + int(_state["signal"])


def check() -> None:
    """Raise KeyboardInterrupt if a stop was asked for, even if its exception was lost."""
    if _requested.is_set():
        raise KeyboardInterrupt


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold a stop back until the block is done (steps that must not be cut in two), then raise it."""
    if threading.current_thread() is not threading.main_thread():
        yield
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
    """Call ``callback`` (quick, signal-safe) if a stop is asked for during the block."""
    _callbacks.append(callback)
    try:
        if _requested.is_set():
            callback()
        yield
    finally:
        _callbacks.remove(callback)
