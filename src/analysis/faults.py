"""Say what went wrong outside the inputs, and what to do.

A full disk, a folder that cannot be written, too many open files, an unforeseen error. The command line and the build turn every failure that is not the project's own `AnalysisError`
into one sentence here (`describe`), so that an analyst never reads a traceback unless they ask
for one with ``--debug``. `ensure_open_files` raises the limit of open files a build may have
(some systems set it low; the kernel's messaging library aborts the process when it runs out).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

from analysis import config
from analysis.errors import BuildError

OPEN_FILES_NEEDED = 160  # a build was seen to use about 80: twice that
OPEN_FILES_WANTED = 4096
OUT_OF_FILES = {errno.EMFILE, errno.ENFILE}


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def out_of_files(error: BaseException) -> bool:
    """Tell whether an error (or one it arose from) is running out of file descriptors.

    Parameters
    ----------
    error : BaseException
        Any error: an OSError, or a ZMQError (the kernel's messaging), which carry an errno.

    Returns
    -------
    bool
    """
    return any(getattr(e, "errno", None) in OUT_OF_FILES for e in _chain(error))


def open_files_limit() -> int | None:
    """Return how many files this process may have open at once (None where unknown)."""
    try:
        import resource

        return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return None


def out_of_files_message() -> str:
    """Say that the build ran out of file descriptors, and what to do."""
    limit = open_files_limit()
    shown = f" (this process may have {limit} open at once)" if limit and limit > 0 else ""
    return (
        f"too many open files{shown}: close programs that hold many files, or raise the limit in the shell "
        "that runs the command (ulimit -n 4096) and build again; nothing was published"
    )


def ensure_open_files(needed: int = OPEN_FILES_NEEDED, wanted: int = OPEN_FILES_WANTED) -> None:
    """Raise this process's limit of open files towards ``wanted``; refuse to build below ``needed``.

    The kernel and the renderers inherit the limit. Running out midway is reported too, but some
    libraries (ZeroMQ's) abort the process then, so the limit is made enough before anything
    starts.

    Parameters
    ----------
    needed : int
        The fewest a build can do with.
    wanted : int
        What to raise the limit to, if it is lower and the hard limit allows.

    Raises
    ------
    BuildError
        When the hard limit is below ``needed``.
    """
    try:
        import resource
    except ImportError:  # not a Unix: nothing to set
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    infinite = resource.RLIM_INFINITY
    if soft != infinite and soft < wanted:
        target = wanted if hard == infinite else min(wanted, hard)
        if target > soft:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft = target
            except (OSError, ValueError):
                pass
    if soft != infinite and soft < needed:
        raise BuildError(
            f"this process may have only {soft} files open at once (ulimit -n), and a build needs about "
            f"{needed}: raise the limit in the shell that runs the command (ulimit -n 4096) and build again; "
            "nothing was built"
        )


def _shown(path: str | os.PathLike[str] | None) -> str:
    return config.display_path(path) if path else "a file"


def describe_os_error(error: OSError) -> str:
    """Say in words what an operating system error means for a build, and what to do.

    Parameters
    ----------
    error : OSError
        From making a folder, writing a file, starting a process.

    Returns
    -------
    str
    """
    code = error.errno
    where = _shown(error.filename)
    if error.filename2 and code in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST, errno.ENOTEMPTY):
        where = _shown(error.filename2)  # a rename: what is in the way is at its destination
    if code in OUT_OF_FILES:
        return out_of_files_message()
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"no space left on the disk (or over the disk quota) while writing {where}: free some space, "
            "or build into a folder on another disk with --out; the outputs already in place are as they were"
        )
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"permission denied: this user may not write {where}: make it writable (ls -ld shows its owner and "
            "mode), or build into another folder with --out"
        )
    if code == errno.EROFS:
        return f"{where} is on a read-only file system: build into a writable folder with --out"
    if code == errno.ENOMEM:
        return "out of memory: close other programs, or build on a machine with more memory; nothing was published"
    if code == errno.ELOOP:
        return f"{where} is a symbolic link loop (the link leads back to itself): point it at a real folder (ls -l shows where it leads)"
    if code == errno.ENOTDIR:
        return f"a part of {where} is a file where a folder should be: check the path, or build into another folder with --out"
    if code == errno.EISDIR:
        return f"{where} is a folder where the build writes a file: move the folder away, or build into another folder with --out"
    if code in (errno.EEXIST, errno.ENOTEMPTY):
        return f"{where} already exists and is in the way: move it away, or build into another folder with --out"
    if code == errno.ENAMETOOLONG:
        return f"the path {where} is too long for this system: build into a folder with a shorter path"
    if code == errno.EIO:
        return (
            f"input/output error at {where} (a failing disk, or a lost network share): check the disk and build again"
        )
    reason = error.strerror or str(error) or type(error).__name__
    return f"{reason} ({where})" if error.filename else reason


def describe(error: BaseException) -> str:
    """Say in one sentence what went wrong, for an error that is not the project's own.

    Parameters
    ----------
    error : BaseException
        Any error.

    Returns
    -------
    str
    """
    if out_of_files(error):
        return out_of_files_message()
    if isinstance(error, OSError):
        return describe_os_error(error)
    if isinstance(error, MemoryError):
        return "out of memory: close other programs, or build on a machine with more memory; nothing was published"
    if isinstance(error, RuntimeError) and str(error).startswith("Symlink loop from"):
        path = str(error).removeprefix("Symlink loop from ").strip("'\"")
        return describe_os_error(OSError(errno.ELOOP, os.strerror(errno.ELOOP), path))
    return (
        f"an unexpected error: {type(error).__name__}: {str(error) or 'no message'}; "
        "run the command again with --debug to see where it happened, and report it"
    )


def last_words(log: Path, lines: int = 1, limit: int = 300) -> str:
    """Return the last non-empty line(s) a process wrote to its log, bounded ("" if none).

    Parameters
    ----------
    log : pathlib.Path
        The log.
    lines : int
        How many lines.
    limit : int
        Most characters returned.

    Returns
    -------
    str
    """
    try:
        with log.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    found = [line.strip() for line in tail.splitlines() if line.strip()][-lines:]
    text = " / ".join(found)
    return text if len(text) <= limit else text[: limit - 1] + "…"
