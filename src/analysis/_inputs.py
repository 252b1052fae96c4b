"""Read an input file (a data file, a params file) in bounded time and memory, as UTF-8 text.

A file is read only if it is a regular file no larger than a limit: a pipe or a device would
block or never end, a file of gigabytes would exhaust memory. It is looked at with ``stat``
before it is opened (a pipe or a device is never opened), opened with ``O_NONBLOCK`` and looked at
again with ``fstat`` (in case it was swapped meanwhile), and read no further than one byte past
the limit, whatever its size said.
"""

from __future__ import annotations

import codecs
import os
import resource
import stat
from pathlib import Path

from analysis.errors import BuildError, InputFileError, ParameterError, os_reason, shown_text

MAX_INPUT_ENV = "ANALYSIS_MAX_INPUT_MIB"
DEFAULT_MAX_INPUT_MIB = 8  # a data file; the project's three are 20 KiB together
MAX_PARAMS_BYTES = 64 * 1024  # a params file; the project's are under 1 KiB
MIB = 1024 * 1024
OPEN_FILES_NEEDED = 160  # twice what a build uses
OPEN_FILES_WANTED = 4096
SAVE_AS_UTF8 = "save it as CSV UTF-8 (in Excel: Save As, CSV UTF-8; in LibreOffice: character set Unicode (UTF-8))"
# The encodings a text that is not UTF-8 is told apart as (charset-normalizer's names).
LIKELY_ENCODINGS = ["utf_8", "cp1252", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"]
LEGACY_NAMES = {"cp1252": "Windows-1252 or Latin-1"}
ENCODING_NAMES = {
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16 (little-endian)",
    "utf_16_be": "UTF-16 (big-endian)",
    "utf_32": "UTF-32",
    "utf_32_le": "UTF-32 (little-endian)",
    "utf_32_be": "UTF-32 (big-endian)",
}
# What a file is said to be when it is no UTF-8 at all (None: charset-normalizer found no text).
WHOLE_FILE = {
    None: "is not a text file (a spreadsheet such as .xlsx, an image, an archive?)",
    **{code: f"is saved as {name}" for code, name in ENCODING_NAMES.items()},
}


KINDS = {
    stat.S_ISREG: "a file",
    stat.S_ISDIR: "a folder",
    stat.S_ISFIFO: "a named pipe (FIFO)",
    stat.S_ISCHR: "a device",
    stat.S_ISBLK: "a device",
    stat.S_ISSOCK: "a socket",
}


def max_data_bytes() -> int:
    """Return the largest data file read, in bytes: `DEFAULT_MAX_INPUT_MIB`, or ``ANALYSIS_MAX_INPUT_MIB``'s.

    Raises `ParameterError` when the variable is set to something other than a positive number.
    """
    text = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_INPUT_MIB * MIB
    try:
        mib = float(text)
    except ValueError:
        mib = float("nan")
    if not 0 < mib <= 1024 * 1024:  # nan fails too
        raise ParameterError(
            [
                f"environment variable {MAX_INPUT_ENV}: {shown_text(text)} is not a size in MiB: "
                f"give a number such as 64 (the default is {DEFAULT_MAX_INPUT_MIB})"
            ]
        )
    return int(mib * MIB)


def read_bytes(path: Path, limit: int, shown: str, *, what: str = "file") -> bytes:
    """Return the bytes of a regular file no larger than ``limit``.

    Raises `InputFileError` (missing, not a regular file, too large, unreadable: ``shown`` and what
    to do), or `SystemLimitError` when out of file descriptors or memory.
    """
    try:
        before = path.stat()  # does not open: a pipe or a device is refused unopened
        _check_kind(before.st_mode, shown, what)
        _check_size(before.st_size, limit, shown, what)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
        try:
            _check_kind(os.fstat(descriptor).st_mode, shown, what)  # swapped since the stat?
            chunks, total = [], 0
            while total <= limit and (chunk := os.read(descriptor, min(MIB, limit + 1 - total))):
                chunks.append(chunk)
                total += len(chunk)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise InputFileError(shown, os_reason(error, what)) from None
    _check_size(total, limit, shown, what)
    return b"".join(chunks)


def decode(data: bytes, shown: str, *, save_as: str = SAVE_AS_UTF8) -> str:
    """Return bytes as UTF-8 text, a byte order mark dropped.

    Raises `InputFileError` for bytes that are not UTF-8, naming what they look like
    (charset-normalizer's guess: UTF-16, UTF-32, Windows-1252, or no text at all) and, for stray
    bytes in a text, the line of the first; ``save_as`` says what to do.
    """
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        guess = _guess(data)
        if guess not in WHOLE_FILE:  # a text in another encoding: where its first stray bytes are
            bad = data[error.start : error.end].hex(" ").upper()
            line = data.count(b"\n", 0, error.start) + 1
            raise InputFileError(
                shown,
                f"byte(s) {bad} are not UTF-8 (the file looks saved as {LEGACY_NAMES.get(guess, guess)}): {save_as}",
                line,
            ) from None
        raise InputFileError(shown, f"{WHOLE_FILE[guess]}: {save_as}") from None
    if "\x00" in text and (guess := _guess(data)) in ENCODING_NAMES:  # UTF-16 of ASCII is UTF-8 with NULs
        raise InputFileError(shown, f"{WHOLE_FILE[guess]}: {save_as}")
    return text


def _guess(data: bytes) -> str | None:
    """Return charset-normalizer's guess at a text's encoding, among `LIKELY_ENCODINGS`; None for no text."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=LIKELY_ENCODINGS).best()
    return None if best is None else best.encoding


def check_folder(folder: Path, shown: str, holds: str) -> None:
    """Raise `InputFileError` unless ``folder`` is a folder that can be searched (``holds``: what it should hold)."""
    try:
        mode = folder.stat().st_mode
    except OSError as error:
        raise InputFileError(shown, os_reason(error, "folder")) from None
    if not stat.S_ISDIR(mode):
        raise InputFileError(
            shown, f"is {_kind(mode)}, not a folder: give the folder that holds {holds} (the data_dir)"
        )


def ensure_open_files() -> None:
    """Raise this process's limit of open files towards `OPEN_FILES_WANTED`; refuse to build below `OPEN_FILES_NEEDED`.

    The kernel and the renderers inherit the limit; ZeroMQ aborts the process when it runs out,
    so the limit is made enough before anything starts. Raises `BuildError` when the hard limit
    is below `OPEN_FILES_NEEDED`.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    infinite = resource.RLIM_INFINITY
    if soft != infinite and soft < OPEN_FILES_WANTED:
        soft = OPEN_FILES_WANTED if hard == infinite else max(soft, min(OPEN_FILES_WANTED, hard))
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if soft != infinite and soft < OPEN_FILES_NEEDED:
        raise BuildError(
            f"this process may have only {soft} files open at once (ulimit -n), and a build needs about "
            f"{OPEN_FILES_NEEDED}: raise the limit in the shell that runs the command (ulimit -n 4096) and build again; "
            "nothing was built"
        )


def _check_kind(mode: int, shown: str, what: str) -> None:
    if not stat.S_ISREG(mode):
        raise InputFileError(
            shown, f"is {_kind(mode)}, not a regular file: give a {what} saved on disk (a pipe or a device is not read)"
        )


def _kind(mode: int) -> str:
    return next((kind for test, kind in KINDS.items() if test(mode)), "not a regular file")


def _check_size(size: int, limit: int, shown: str, what: str) -> None:
    if size <= limit:
        return
    advice = (
        f"split it, or set {MAX_INPUT_ENV} to a larger size in MiB (such as {MAX_INPUT_ENV}=64)"
        if what == "file"
        else "is it the right file?"
    )
    raise InputFileError(shown, f"is larger than {_size(limit)}, the most a {what} may hold: {advice}")


def _size(count: int) -> str:
    if count % MIB == 0:
        return f"{count // MIB:,} MiB"
    return f"{count // 1024:,} KiB" if count % 1024 == 0 else f"{count:,} bytes"
