"""A report's outputs in the output folder, replaced as a whole or not at all.

A build writes into ``.builds/NAME/<version>/`` and then renames the link
``.builds/NAME/current`` to it; ``NAME.html``, ``figures/NAME-*`` and the rest are links through
``current``, so every output changes at one instant. Everything runs under the report's lock.
Writes and deletions reach their folder through handles opened without following links, and
report names are plain file names: nothing is written or removed outside the output folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import filelock

from analysis import _config as config
from analysis import _interrupts as interrupts
from analysis.errors import BuildError, ParameterError, describe_os_error

BUILDS_DIR = ".builds"
FIGURES_DIR = "figures"
FAILED_DIR = "failed"
CURRENT = "current"
SCRATCH = "."  # names in a report's builds folder starting with this are scratch (temporary links)
REPORT_SUFFIXES = (".html", ".pdf", ".ipynb", ".metrics.json")
MAX_NAME_CHARS = 100  # with ".metrics.json" and a lock's dots, well inside a file name's 255 bytes
PLAIN_NAME = re.compile(r"\w[\w.-]*")  # never ".", "..", a hidden name, a path or an option
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | CLOEXEC


def is_plain_name(name: str) -> bool:
    """Say whether a report's name is a plain file name, which no path can resolve out of its folder."""
    return len(name) <= MAX_NAME_CHARS and PLAIN_NAME.fullmatch(name) is not None


def prepare(out_dir: Path, names: list[str]) -> None:
    """Make the output folder if it is missing, and check that a build can write into it, safely."""
    shown = config.display_path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if error.errno not in (errno.EEXIST, errno.ENOTDIR):
            raise BuildError(f"cannot make the output folder {shown}: {describe_os_error(error)}") from None
    if not out_dir.is_dir():  # the command line asks for what cannot be: bad input
        raise ParameterError([_not_a_folder(out_dir)])
    for relative in (FIGURES_DIR, FAILED_DIR, BUILDS_DIR, *(f"{BUILDS_DIR}/{name}" for name in names)):
        refuse_link(out_dir, out_dir / relative)
        if (out_dir / relative).exists() and not (out_dir / relative).is_dir():
            raise _a_file_in_the_way(out_dir / relative)
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
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | CLOEXEC, 0o600))
        probe.unlink()
    except OSError as error:  # named by the folder: the test file's random name says nothing
        named = OSError(error.errno, error.strerror, str(out_dir))
        raise BuildError(f"cannot write into the output folder {shown}: {describe_os_error(named)}") from None


def _not_a_folder(out_dir: Path) -> str:
    """Say why the output folder is not one: a link to nothing or in a loop, a file, a path through a file."""
    file = next((p for p in [out_dir, *out_dir.parents] if p.exists() and not p.is_dir()), None)
    if out_dir.is_symlink() and Path(os.path.realpath(out_dir)).is_symlink():  # resolving a loop stops on a link
        why = "is a symbolic link loop (the link leads back to itself)"
    elif out_dir.is_symlink() and not out_dir.exists():
        why = f"is a symbolic link to nothing ({out_dir.readlink()})"
    elif file == out_dir:
        why = "is a file, not a folder"
    elif file is not None:
        why = f"cannot be made: {config.display_path(file)} is a file, not a folder"
    else:
        why = "is not a folder"
    return f"the output folder {config.display_path(out_dir)} {why}: give a folder for the outputs with --out (it is made if missing)"


def _a_file_in_the_way(folder: Path) -> BuildError:
    return BuildError(
        f"{config.display_path(folder)} is a file where the build keeps a folder: move it away, or build into "
        "another folder with --out"
    )


def refuse_link(out_dir: Path, folder: Path) -> None:
    """Refuse to write into a folder of the output folder that is a symbolic link."""
    if folder != out_dir and folder.is_symlink():
        shown = config.display_path(folder)
        raise BuildError(
            f"{shown} is a symbolic link (to {folder.readlink()}): the build writes only inside the output "
            "folder, never through a link that could lead out of it: remove the link "
            f"(rm {shown}; what it leads to stays) and build again, or build into another folder with --out"
        )


@contextlib.contextmanager
def opened(out_dir: Path, relative: str = "", *, make: bool = False) -> Iterator[int]:
    """Open a folder inside the output folder (made if asked) by handles that never follow a link; yield it."""
    if make:
        out_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as handles:
        handle = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | CLOEXEC)
        handles.callback(os.close, handle)
        walked = out_dir
        for part in relative.split("/") if relative else []:
            if part in ("", ".", ".."):
                raise BuildError(f"{relative!r} is not a folder inside the output folder: nothing is written there")
            walked = walked / part
            try:
                if make:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o777, dir_fd=handle)  # honours the umask and a set-group-ID folder
                handle = os.open(part, FOLDER_FLAGS, dir_fd=handle)
            except OSError as error:
                if error.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise OSError(error.errno, error.strerror, str(walked)) from None
                refuse_link(out_dir, walked)
                if walked.is_symlink() or not walked.exists():
                    raise BuildError(
                        f"{config.display_path(walked)} became a symbolic link during the build: nothing was "
                        "written or removed through it; remove the link and build again"
                    ) from None
                raise _a_file_in_the_way(walked) from None
            handles.callback(os.close, handle)
        yield handle


def write(out_dir: Path, relative: str, data: bytes) -> None:
    """Write a file inside the output folder, replacing what is there in one step, never through a link."""
    parent, _, leaf = relative.rpartition("/")
    with opened(out_dir, parent, make=True) as folder:
        temporary = f"{SCRATCH}{leaf[:120]}.{secrets.token_hex(4)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | CLOEXEC
        try:
            with os.fdopen(os.open(temporary, flags, 0o666, dir_fd=folder), "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, leaf, src_dir_fd=folder, dst_dir_fd=folder)
        except OSError as error:
            raise OSError(error.errno, error.strerror, str(out_dir / relative)) from error
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)  # what a failed write left (none once replaced)


def remove(out_dir: Path, relative: str) -> None:
    """Remove a file or a link inside the output folder (a folder only in ``.builds``), reached as `opened` does."""
    parent, _, leaf = relative.rpartition("/")
    if leaf in ("", ".", ".."):
        raise BuildError(f"{relative!r} is not an entry inside the output folder: not removed")
    with contextlib.suppress(FileNotFoundError), opened(out_dir, parent) as folder:  # gone already: no error
        found = os.stat(leaf, dir_fd=folder, follow_symlinks=False)
        if stat.S_ISDIR(found.st_mode) and parent.startswith(f"{BUILDS_DIR}/"):
            shutil.rmtree(leaf, dir_fd=folder)  # by handles all the way down (shutil's own guarantee)
        else:
            os.unlink(leaf, dir_fd=folder)


def versions(out_dir: Path, name: str) -> Path:
    """Return the folder holding a report's output sets: strictly inside ``.builds``, neither of them a link."""
    if not is_plain_name(name):
        raise BuildError(f"{name!r} is not a plain file name: a report's outputs are never named by it")
    refuse_link(out_dir, out_dir / BUILDS_DIR)
    refuse_link(out_dir, out_dir / BUILDS_DIR / name)
    return out_dir / BUILDS_DIR / name


@contextlib.contextmanager
def locked(out_dir: Path, name: str, on_wait: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold a report's lock (``.NAME.lock``, never opened through a link); say ``on_wait`` before waiting."""
    lock = filelock.FileLock(out_dir / f".{name}.lock", preserve_lock_file=True)
    try:
        held = lock.acquire(timeout=0)
    except filelock.Timeout:
        on_wait()
        held = lock.acquire()
    with held:
        yield


def current(out_dir: Path, name: str) -> str | None:
    """Return the name of the version folder ``current`` points to, if any."""
    try:
        return (versions(out_dir, name) / CURRENT).readlink().as_posix()
    except OSError:
        return None


def recorded(out_dir: Path, name: str) -> list[str]:
    """List the outputs of the current set, relative to the output folder."""
    metrics_name = f"{name}.metrics.json"
    try:
        text = (versions(out_dir, name) / CURRENT / metrics_name).read_text(encoding="utf-8")
        outputs = json.loads(text)["build"]["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [*outputs, metrics_name]


def new_version(out_dir: Path, name: str) -> Path:
    """Make an empty folder for a build's outputs (its name unique, its mode the folder's usual)."""
    folder = versions(out_dir, name)
    with opened(out_dir, f"{BUILDS_DIR}/{name}", make=True) as handle:
        while True:
            candidate = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
            with contextlib.suppress(FileExistsError):
                os.mkdir(candidate, 0o777, dir_fd=handle)  # honours the umask and a set-group-ID folder, unlike mkdtemp
                return folder / candidate


def discard(out_dir: Path, name: str, version: Path) -> None:
    """Remove a version folder unless it has become the current set (and the folders left empty)."""
    if version.name != current(out_dir, name):
        remove(out_dir, f"{BUILDS_DIR}/{name}/{version.name}")
    for parent, folder in ((BUILDS_DIR, name), ("", BUILDS_DIR)):  # a first build's, interrupted
        with contextlib.suppress(OSError, BuildError), opened(out_dir, parent) as handle:
            os.rmdir(folder, dir_fd=handle)  # only if empty


def publish(out_dir: Path, name: str, version: Path, files: dict[str, bytes]) -> list[str]:
    """Write a build's files into its version folder, in order, make them the report's outputs, and list them."""
    inside = version.relative_to(out_dir).as_posix()
    for relative, data in files.items():
        write(out_dir, f"{inside}/{relative}", data)
    remove(out_dir, f"{inside}/phase")
    switch(out_dir, name, version, list(files))
    forget_failure(out_dir, name)
    return list(files)


def switch(out_dir: Path, name: str, version: Path, outputs: list[str]) -> None:
    """Make a finished version folder the report's current outputs."""
    for relative in outputs:  # links the new set adds: they lead nowhere until the switch
        _link(out_dir, name, relative)
    # a Ctrl-C now waits for the switch and the tidying to be done
    with interrupts.deferred(), opened(out_dir, f"{BUILDS_DIR}/{name}") as folder:
        _replace_with_link(version.name, folder, CURRENT, folder, version.parent / CURRENT)  # every output changes here
        tidy(out_dir, name)


def tidy(out_dir: Path, name: str) -> None:
    """Put a report's outputs in order: what a killed or older build left is removed or repaired."""
    folder = versions(out_dir, name)
    if not folder.is_dir():
        return
    keep = {CURRENT, current(out_dir, name)}
    for entry in folder.iterdir():
        if entry.name not in keep:
            remove(out_dir, f"{BUILDS_DIR}/{name}/{entry.name}")
    wanted = recorded(out_dir, name)
    for relative in wanted:
        _link(out_dir, name, relative)
    for relative in _links(out_dir, name):
        if relative not in wanted:
            remove(out_dir, relative)


def keep_failed(out_dir: Path, name: str, run_folder: Path) -> str | None:
    """Copy a failed build's partly executed notebook (and its kernel's log) into ``failed/``."""
    executed, log = run_folder / "executed.ipynb", run_folder / "kernel.log"
    if not executed.is_file():
        return None
    if log.is_file() and log.stat().st_size:
        write(out_dir, f"{FAILED_DIR}/{name}.kernel.log", log.read_bytes())
    else:
        remove(out_dir, f"{FAILED_DIR}/{name}.kernel.log")
    write(out_dir, f"{FAILED_DIR}/{name}.ipynb", executed.read_bytes())
    return str(out_dir / FAILED_DIR / f"{name}.ipynb")


def forget_failure(out_dir: Path, name: str) -> None:
    """Remove the record of a failed build once the report's outputs are current again."""
    for suffix in (".ipynb", ".kernel.log"):
        with contextlib.suppress(BuildError):  # never through a link (`prepare` refuses it)
            remove(out_dir, f"{FAILED_DIR}/{name}{suffix}")


def _link(out_dir: Path, name: str, relative: str) -> None:
    """Make ``out_dir/relative`` a link to the same file of the current set (atomically)."""
    link = out_dir / relative
    target = os.path.relpath(versions(out_dir, name) / CURRENT / relative, link.parent)
    if link.is_symlink() and link.readlink().as_posix() == target:
        return
    parent, _, leaf = relative.rpartition("/")
    with opened(out_dir, parent, make=True) as folder, opened(out_dir, f"{BUILDS_DIR}/{name}") as builds:
        _replace_with_link(target, builds, leaf, folder, link)


def _replace_with_link(target: str, builds: int, leaf: str, folder: int, shown: Path) -> None:
    """Make ``leaf`` of ``folder`` (``shown``) a link to ``target`` in one step.

    The link is made first in the report's builds folder, where a killed build's leftover is tidied away.
    """
    temporary = f"{SCRATCH}link-{secrets.token_hex(4)}"
    try:
        os.symlink(target, temporary, dir_fd=builds)
        os.replace(temporary, leaf, src_dir_fd=builds, dst_dir_fd=folder)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(shown)) from error


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
