"""Run a function in a forked child process (pebble), stopped at a time limit or on a stop request.

Renderers (nbconvert, WeasyPrint) run so because a thread cannot be stopped and a C library can
swallow Ctrl-C's exception; a child can be killed. Forked, it has the parent's imports and
compiled templates at no cost.
"""

from __future__ import annotations

import contextlib
import multiprocessing.context
import os
import signal
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import TYPE_CHECKING, Any

from analysis import _interrupts as interrupts
from analysis.errors import BuildError

if TYPE_CHECKING:  # pebble is imported where a child starts: an unchanged rebuild starts none
    from pebble import ProcessFuture

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies (Linux)


def _default_signals() -> None:
    for number in interrupts.SIGNALS:
        signal.signal(number, signal.SIG_DFL)


def die_with_parent(parent: int, number: int) -> None:
    """Have Linux send this child signal ``number`` when its parent dies; stop now if it has already."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(number), 0, 0, 0)
    if os.getppid() != parent:
        raise KeyboardInterrupt


def _plain(parent: int, function: Callable[..., Any], *args: Any) -> Any:
    _default_signals()  # nothing to clean up: a signal ends a renderer at once
    die_with_parent(parent, signal.SIGKILL)  # a build killed (SIGKILL) leaves no renderer behind
    return function(*args)


def _cleaning_up(parent: int, function: Callable[..., Any], *args: Any) -> Any:
    interrupts.install()  # a signal raises KeyboardInterrupt, and the build cleans up
    die_with_parent(parent, signal.SIGTERM)  # as on Ctrl-C, when the parent dies
    try:
        return function(*args)
    finally:
        _default_signals()  # done: pebble ends the child with SIGTERM once it has the answer


class _Context(multiprocessing.context.ForkContext):
    """The fork context, keeping the process pebble starts (its future does not tell)."""

    process: Any = None

    def Process(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - multiprocessing's name
        self.process = super().Process(*args, **kwargs)
        return self.process


def start(
    function: Callable[..., Any], *args: Any, limit: float | None = None, cleans_up: bool = False
) -> tuple[ProcessFuture, Any]:
    """Start ``function(*args)`` in a forked child; return its future (TimeoutError past ``limit``) and process."""
    context = _Context()
    target = _cleaning_up if cleans_up else _plain
    from pebble import concurrent

    future = concurrent.process(timeout=limit, context=context, daemon=not cleans_up)(target)(
        os.getpid(), function, *args
    )
    return future, context.process


def outcome(future: ProcessFuture, phase: str) -> Any:
    """Return a child's result or raise its exception; its death is a BuildError, a stop KeyboardInterrupt."""
    from pebble import ProcessExpired

    try:
        return future.result()
    except CancelledError:
        raise KeyboardInterrupt from None
    except ProcessExpired as error:
        if error.exitcode in [-n for n in interrupts.SIGNALS]:
            raise KeyboardInterrupt from None
        how = f"exited with status {error.exitcode}"
        if error.exitcode is not None and error.exitcode < 0:
            how = f"was killed by {signal.Signals(-error.exitcode).name}"
            if error.exitcode == -signal.SIGKILL:
                how += " (by the system, if it ran out of memory)"
        raise BuildError(f"{phase} failed: the process doing it {how} without finishing") from None


def call(
    function: Callable[..., Any], *args: Any, phase: str, limit: float | None, exceeded: Callable[[], BaseException]
) -> Any:
    """Return ``function(*args)`` computed in a child, killed at ``limit`` seconds or on a stop request.

    A stop terminates the child rather than cancelling its future: pebble raises in a thread of
    its own when a cancelled future's process dies first.
    """
    future, child = start(function, *args, limit=limit)
    try:
        with interrupts.on_request(child.terminate):
            return outcome(future, phase)
    except TimeoutError:
        raise exceeded() from None
    finally:
        child.terminate()
        child.join()  # nothing left behind
