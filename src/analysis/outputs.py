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
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

BUILDS_DIR = ".builds"
FIGURES_DIR = "figures"
FAILED_DIR = "failed"
CURRENT = "current"
SCRATCH = "."  # names in a report's builds folder starting with this are scratch (temporary links)


def versions(out_dir: Path, name: str) -> Path:
    """Return the folder holding a report's output sets."""
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
    with (out_dir / f".{name}.lock").open("a") as handle:
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
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        candidate = folder / f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
        with contextlib.suppress(FileExistsError):
            candidate.mkdir()  # honours the umask and a set-group-ID folder, unlike mkdtemp
            return candidate


def discard(out_dir: Path, name: str, version: Path) -> None:
    """Remove a version folder unless it has become the current set."""
    if version.name != current(out_dir, name):
        _remove(version)


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
    if not folder.is_dir():
        return
    keep = {CURRENT, current(out_dir, name)}
    for entry in folder.iterdir():
        if entry.name not in keep:
            _remove(entry)
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
    for suffix in (".ipynb", ".kernel.log"):
        (out_dir / FAILED_DIR / f"{name}{suffix}").unlink(missing_ok=True)


def _link(out_dir: Path, name: str, relative: str) -> None:
    """Make ``out_dir/relative`` a link to the same file of the current set (atomically)."""
    link = out_dir / relative
    target = os.path.relpath(versions(out_dir, name) / CURRENT / relative, link.parent)
    if link.is_symlink() and link.readlink().as_posix() == target:
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    # Made in the report's builds folder, where a killed build's leftover is tidied away.
    temporary = versions(out_dir, name) / f"{SCRATCH}link-{secrets.token_hex(4)}"
    temporary.symlink_to(target)
    temporary.replace(link)


def _links(out_dir: Path, name: str) -> list[str]:
    """List every link in the output folder that leads into this report's sets."""
    found = []
    for folder, prefix in ((out_dir, f"{BUILDS_DIR}/{name}/"), (out_dir / FIGURES_DIR, f"../{BUILDS_DIR}/{name}/")):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.is_symlink() and entry.readlink().as_posix().startswith(prefix):
                found.append(entry.relative_to(out_dir).as_posix())
    return found


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)
