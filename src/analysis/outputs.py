"""A report's outputs in the output folder, replaced as a whole or not at all.

A build writes its outputs into a folder of its own, ``.builds/NAME/<version>/``, and then
switches the link ``.builds/NAME/current`` to it with one rename. The files readers open
(``NAME.html``, ``NAME.pdf``, ``figures/NAME-fdi.svg``, ...) are relative links through ``current``,
so every one of them changes at that one instant. At any moment, a build killed or failed included,
every output that can be opened belongs to one and the same build. Links an output set gains or
loses (a build with other ``--format``) are added before the switch and removed after it: until
then they lead nowhere, and `tidy` removes what a killed build left.

Everything here runs under the report's lock (`locked`): one build of a report at a time in a
folder, while builds of other reports go on beside it.

A build writes inside the output folder only. `prepare` checks, before any kernel starts, that the
folder is one, can be written, and that none of the folders the build writes into (``figures/``,
``failed/``, ``.builds/``) is a symbolic link: publishing through a link could write outside the
output folder, so the build refuses, and says how to remove the link, rather than replace it (the
link, and what it leads to, may be there on purpose; a refusal loses nothing). The same is
checked again where each file is written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from analysis import config, interrupts
from analysis.errors import BuildError, ParameterError

BUILDS_DIR = ".builds"
FIGURES_DIR = "figures"
FAILED_DIR = "failed"
CURRENT = "current"
SCRATCH = "."  # names in a report's builds folder starting with this are scratch (temporary links)
REPORT_SUFFIXES = (".html", ".pdf", ".ipynb", ".metrics.json")
MAX_NAME_CHARS = 100  # with ".metrics.json" and a lock's dots, well inside a file name's 255 bytes
PLAIN_NAME = re.compile(r"\w[\w.-]*")  # never ".", "..", a hidden name, a path or an option


def is_plain_name(name: str) -> bool:
    """Say whether a report's name is a plain file name, which no path can resolve out of its folder.

    Examples
    --------
    >>> [is_plain_name(n) for n in ("russia-mexico-fdi.es", "..", ".builds", "a/b", "")]
    [True, False, False, False, False]
    """
    return len(name) <= MAX_NAME_CHARS and PLAIN_NAME.fullmatch(name) is not None


def prepare(out_dir: Path, names: Iterable[str] = ()) -> None:
    """Make the output folder if it is missing, and check that a build can write into it, safely.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder (a link to a folder is fine: it was named on the command line).
    names : iterable of str
        The reports about to be built.

    Raises
    ------
    ParameterError
        The folder cannot be one (``--out`` is bad input, exit status 2): it is a file, or inside
        one, or a symbolic link loop.
    BuildError
        What is wrong and what to do: the folder cannot be written; a folder the build writes
        into is a symbolic link or a file; a report's output name is taken by a folder.
    """
    from analysis.faults import describe_os_error

    shown = config.display_path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if error.errno not in (errno.EEXIST, errno.ENOTDIR):
            raise BuildError(f"cannot make the output folder {shown}: {describe_os_error(error)}") from None
    if not out_dir.is_dir():  # the command line asks for what cannot be: bad input
        raise ParameterError([_not_a_folder(out_dir)])
    names = list(names)
    for relative in (FIGURES_DIR, FAILED_DIR, BUILDS_DIR, *(f"{BUILDS_DIR}/{name}" for name in names)):
        refuse_link(out_dir, out_dir / relative)
        if (out_dir / relative).exists() and not (out_dir / relative).is_dir():
            raise BuildError(
                f"{config.display_path(out_dir / relative)} is a file where the build keeps a folder: "
                "move it away, or build into another folder with --out"
            )
    for name in names:
        for suffix in REPORT_SUFFIXES:
            path = out_dir / f"{name}{suffix}"
            if path.is_dir() and not path.is_symlink():
                raise BuildError(
                    f"{config.display_path(path)} is a folder, where the build puts the report's {suffix} file: "
                    "move the folder away, or build into another folder with --out"
                )
    probe = out_dir / f".write-test-{secrets.token_hex(4)}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600))
        probe.unlink()
    except OSError as error:  # named by the folder: the test file's random name says nothing
        named = OSError(error.errno, error.strerror, str(out_dir))
        raise BuildError(f"cannot write into the output folder {shown}: {describe_os_error(named)}") from None


def _not_a_folder(out_dir: Path) -> str:
    """Say why the output folder is not one: a file, a file on its path, a link loop."""
    shown = config.display_path(out_dir)
    advice = "give a folder for the outputs with --out (it is made if missing)"
    if out_dir.is_symlink() and not out_dir.exists():
        try:
            out_dir.stat()
        except OSError as error:
            if error.errno == errno.ELOOP:
                return f"the output folder {shown} is a symbolic link loop (the link leads back to itself): {advice}"
        return f"the output folder {shown} is a symbolic link to nothing ({out_dir.readlink()}): {advice}"
    for parent in [out_dir, *out_dir.parents]:
        if parent.exists() and not parent.is_dir():
            if parent == out_dir:
                return f"the output folder {shown} is a file, not a folder: {advice}"
            return f"the output folder {shown} cannot be made: {config.display_path(parent)} is a file, not a folder: {advice}"
    return f"the output folder {shown} is not a folder: {advice}"


def refuse_link(out_dir: Path, folder: Path) -> None:
    """Refuse to write into a folder of the output folder that is a symbolic link.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    folder : pathlib.Path
        A folder inside it that the build writes into.

    Raises
    ------
    BuildError
        When ``folder`` is a symbolic link.
    """
    if folder != out_dir and folder.is_symlink():
        shown = config.display_path(folder)
        raise BuildError(
            f"{shown} is a symbolic link (to {folder.readlink()}): the build writes only inside the output "
            "folder, never through a link that could lead out of it: remove the link "
            f"(rm {shown}; what it leads to stays) and build again, or build into another folder with --out"
        )


def versions(out_dir: Path, name: str) -> Path:
    """Return the folder holding a report's output sets: always strictly inside ``.builds``."""
    if not is_plain_name(name):
        raise BuildError(f"{name!r} is not a plain file name: a report's outputs are never named by it")
    return out_dir / BUILDS_DIR / name


@contextlib.contextmanager
def locked(out_dir: Path, name: str, on_wait: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold a report's lock: a second build of the same report into this folder waits.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    name : str
        The report.
    on_wait : callable, optional
        Called once if the lock is held by another build, before waiting for it.

    Yields
    ------
    None
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    # Never through a link: an attacker's link would have the build create or lock another file.
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    with os.fdopen(os.open(out_dir / f".{name}.lock", flags, 0o644), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current(out_dir: Path, name: str) -> str | None:
    """Return the name of the version folder ``current`` points to, if any."""
    try:
        return (versions(out_dir, name) / CURRENT).readlink().as_posix()
    except OSError:
        return None


def recorded(out_dir: Path, name: str) -> list[str]:
    """List the outputs of the current set, relative to the output folder.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    name : str
        The report.

    Returns
    -------
    list of str
        What the current set's metrics file records, and the metrics file itself; empty where
        there is no current set.
    """
    metrics_name = f"{name}.metrics.json"
    try:
        text = (versions(out_dir, name) / CURRENT / metrics_name).read_text(encoding="utf-8")
        outputs = json.loads(text)["build"]["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [*outputs, metrics_name]


def new_version(out_dir: Path, name: str) -> Path:
    """Make an empty folder for a build's outputs (its name unique, its mode the folder's usual).

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    name : str
        The report.

    Returns
    -------
    pathlib.Path
    """
    folder = versions(out_dir, name)
    refuse_link(out_dir, folder.parent)
    refuse_link(out_dir, folder)
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        candidate = folder / f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
        with contextlib.suppress(FileExistsError):
            candidate.mkdir()  # honours the umask and a set-group-ID folder, unlike mkdtemp
            return candidate


def discard(out_dir: Path, name: str, version: Path) -> None:
    """Remove a version folder unless it has become the current set (and the folders left empty)."""
    if version.name != current(out_dir, name):
        _remove(out_dir, name, version.name)
    for folder in (versions(out_dir, name), out_dir / BUILDS_DIR):  # a first build's, interrupted
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty


def switch(out_dir: Path, name: str, version: Path, outputs: list[str]) -> None:
    """Make a finished version folder the report's current outputs.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    name : str
        The report.
    version : pathlib.Path
        A folder from `new_version`, holding every output.
    outputs : list of str
        Those outputs, relative to the folder (and to the output folder).
    """
    for relative in outputs:  # links the new set adds: they lead nowhere until the switch
        _link(out_dir, name, relative)
    with interrupts.deferred():  # a Ctrl-C now waits for the switch and the tidying to be done
        pointer = versions(out_dir, name) / f"{SCRATCH}{CURRENT}-{secrets.token_hex(4)}"
        pointer.symlink_to(version.name)
        pointer.replace(versions(out_dir, name) / CURRENT)  # the switch: every output changes here
        tidy(out_dir, name)


def tidy(out_dir: Path, name: str) -> None:
    """Put a report's outputs in order: what a killed or older build left is removed or repaired.

    Idempotent, and cheap when there is nothing to do; every build (reused outputs included)
    runs it under the report's lock. It keeps the current set and its folder only, links every
    output the current set records, and removes links to outputs it does not record.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    name : str
        The report.
    """
    folder = versions(out_dir, name)
    refuse_link(out_dir, folder.parent)
    refuse_link(out_dir, folder)
    if not folder.is_dir():
        return
    keep = {CURRENT, current(out_dir, name)}
    for entry in folder.iterdir():
        if entry.name not in keep:
            _remove(out_dir, name, entry.name)
    wanted = recorded(out_dir, name)
    for relative in wanted:
        _link(out_dir, name, relative)
    for relative in _links(out_dir, name):
        if relative not in wanted:
            (out_dir / relative).unlink(missing_ok=True)


def keep_failed(out_dir: Path, name: str, version: Path) -> str | None:
    """Move a failed build's partly executed notebook (and its kernel's log) to ``failed/``.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    name : str
        The report.
    version : pathlib.Path
        The failed build's folder.

    Returns
    -------
    str or None
        Where the notebook now is; None if the build had not got as far as writing one.
    """
    executed = version / "executed.ipynb"
    if not executed.is_file():
        return None
    failed = out_dir / FAILED_DIR
    refuse_link(out_dir, failed)
    failed.mkdir(exist_ok=True)
    log = version / "kernel.log"
    if log.is_file() and log.stat().st_size:
        log.replace(failed / f"{name}.kernel.log")
    else:
        (failed / f"{name}.kernel.log").unlink(missing_ok=True)
    target = failed / f"{name}.ipynb"
    executed.replace(target)
    return str(target)


def forget_failure(out_dir: Path, name: str) -> None:
    """Remove the record of a failed build once the report's outputs are current again."""
    if (out_dir / FAILED_DIR).is_symlink():  # never through a link (`prepare` refuses it)
        return
    for suffix in (".ipynb", ".kernel.log"):
        (out_dir / FAILED_DIR / f"{name}{suffix}").unlink(missing_ok=True)


def _link(out_dir: Path, name: str, relative: str) -> None:
    """Make ``out_dir/relative`` a link to the same file of the current set (atomically)."""
    link = out_dir / relative
    target = os.path.relpath(versions(out_dir, name) / CURRENT / relative, link.parent)
    if link.is_symlink() and link.readlink().as_posix() == target:
        return
    refuse_link(out_dir, link.parent)
    link.parent.mkdir(parents=True, exist_ok=True)
    # Made in the report's builds folder, where a killed build's leftover is tidied away.
    temporary = versions(out_dir, name) / f"{SCRATCH}link-{secrets.token_hex(4)}"
    temporary.symlink_to(target)
    temporary.replace(link)


def _links(out_dir: Path, name: str) -> list[str]:
    """List every link in the output folder that leads into this report's sets."""
    found = []
    for folder, prefix in ((out_dir, f"{BUILDS_DIR}/{name}/"), (out_dir / FIGURES_DIR, f"../{BUILDS_DIR}/{name}/")):
        if not folder.is_dir() or (folder != out_dir and folder.is_symlink()):
            continue  # a linked figures/ is refused before it is written to, and never tidied through
        for entry in folder.iterdir():
            if entry.is_symlink() and entry.readlink().as_posix().startswith(prefix):
                found.append(entry.relative_to(out_dir).as_posix())
    return found


def _remove(out_dir: Path, name: str, entry: str) -> None:
    """Remove one entry of a report's builds folder, reached by directory handles, never through a link.

    The folders on the way (``.builds``, ``.builds/NAME``) are opened without following links, so a
    folder swapped for a link after it was checked is refused instead of deleted through.
    """
    if entry in ("", ".", "..") or "/" in entry:
        raise BuildError(f"{entry!r} is not an entry of a report's builds folder: not removed")
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    handles: list[int] = []
    try:
        handles.append(os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)))
        for part in (BUILDS_DIR, name):
            handles.append(os.open(part, flags, dir_fd=handles[-1]))
        found = os.stat(entry, dir_fd=handles[-1], follow_symlinks=False)
        if stat.S_ISDIR(found.st_mode):
            shutil.rmtree(entry, dir_fd=handles[-1])  # by handles all the way down (shutil's own guarantee)
        else:
            os.unlink(entry, dir_fd=handles[-1])
    except FileNotFoundError:
        return  # gone already (another build tidied it)
    except OSError as error:
        if error.errno == errno.ELOOP or (error.errno == errno.ENOTDIR and len(handles) < 3):
            raise BuildError(
                f"{config.display_path(versions(out_dir, name))} or a folder above it inside the output folder "
                "became a symbolic link during the build: nothing was removed through it"
            ) from None
        raise
    finally:
        for handle in handles:
            os.close(handle)
