"""Read an input file (a data file, a params file) in bounded time and memory.

A file is read only if it is a regular file and no larger than a limit: a named pipe or a device
would block or never end, a file of gigabytes would exhaust memory. The file is looked at with
``stat`` before it is opened, so a pipe or a device is never opened at all (opening a device can
have effects of its own); it is then opened with ``O_NONBLOCK``, so that a file swapped for a
pipe between the two steps cannot block the open, and checked again with ``fstat`` on what was
opened. The read stops one byte past the limit whatever the size said, for files that grow, or
that report no size (``/proc``).

Every failure is an `InputFileError` with a sentence saying what is wrong and what to do, except
running out of open files or memory (`SystemLimitError`): not a fault of the input.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.errors import InputFileError, ParameterError, SystemLimitError

MAX_INPUT_ENV = "ANALYSIS_MAX_INPUT_MIB"
DEFAULT_MAX_INPUT_MIB = 8  # a data file; the project's three are 20 KiB together
MAX_PARAMS_BYTES = 64 * 1024  # a params file; the project's are under 1 KiB
MIB = 1024 * 1024
_CHUNK = 1024 * 1024

# errno values that say the machine, not the input, ran short.
SYSTEM_LIMITS = {errno.EMFILE, errno.ENFILE, errno.ENOMEM}


def max_data_bytes() -> int:
    """Return the largest data file read, in bytes: `DEFAULT_MAX_INPUT_MIB`, or the environment's.

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        When ``ANALYSIS_MAX_INPUT_MIB`` is set to something other than a positive number.
    """
    text = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_INPUT_MIB * MIB
    try:
        mib = float(text)
    except ValueError:
        mib = float("nan")
    if not 0 < mib <= 1024 * 1024:  # nan fails too
        from analysis.errors import shown_text

        raise ParameterError(
            [
                f"environment variable {MAX_INPUT_ENV}: {shown_text(text)} is not a size in MiB: "
                f"give a number such as 64 (the default is {DEFAULT_MAX_INPUT_MIB})"
            ]
        )
    return int(mib * MIB)


def read_bytes(path: Path, limit: int, shown: str, *, what: str = "file") -> bytes:
    """Return the bytes of a regular file no larger than ``limit``.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    limit : int
        The most bytes it may hold.
    shown : str
        The file's name in messages.
    what : str, optional
        What the file is, in messages ("params file").

    Returns
    -------
    bytes

    Raises
    ------
    InputFileError
        Missing, not a regular file, too large, or unreadable; the message says what to do.
    SystemLimitError
        Out of file descriptors or memory.
    """
    try:
        before = path.stat()  # does not open: a pipe or a device is refused unopened
    except OSError as error:
        raise InputFileError(shown, os_reason(error, what)) from None
    _check_kind(before.st_mode, shown, what)
    _check_size(before.st_size, limit, shown, what)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise InputFileError(shown, os_reason(error, what)) from None
    try:
        _check_kind(os.fstat(descriptor).st_mode, shown, what)  # swapped since the stat?
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise InputFileError(shown, os_reason(error, what)) from None
    finally:
        os.close(descriptor)
    _check_size(total, limit, shown, what)
    return b"".join(chunks)


# Files that are not text at all, by their first bytes.
SIGNATURES = (
    (b"\xff\xfe\x00\x00", "is saved as UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "is saved as UTF-32 (big-endian)"),
    (b"\xff\xfe", "is saved as UTF-16 (little-endian)"),
    (b"\xfe\xff", "is saved as UTF-16 (big-endian)"),
    (b"PK\x03\x04", "is a ZIP archive (an .xlsx or .ods spreadsheet is one), not a text file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is an Excel 97-2003 (.xls) workbook, not a text file"),
    (b"\x1f\x8b", "is compressed with gzip, not a text file"),
    (b"%PDF", "is a PDF document, not a text file"),
    (b"\x89PNG", "is a PNG image, not a text file"),
    (b"\xff\xd8\xff", "is a JPEG image, not a text file"),
    (b"\x7fELF", "is a program, not a text file"),
    (b"SQLite format 3\x00", "is an SQLite database, not a text file"),
)
SNIFF_BYTES = 4096
# Where NUL bytes fall, modulo 4, in text of mostly ASCII characters saved without a byte order mark.
_WIDE_ENCODINGS = {
    "UTF-32 (little-endian)": (1, 2, 3),
    "UTF-32 (big-endian)": (0, 1, 2),
    "UTF-16 (little-endian)": (1, 3),
    "UTF-16 (big-endian)": (0, 2),
}
_CONTROL_BYTES = (*range(9), 11, 12, *range(14, 32), 127)


def not_text(data: bytes) -> str | None:
    """Say what a file is when it is not UTF-8 text at all: another encoding, a binary file.

    UTF-16 and UTF-32 are told by their byte order mark, or without one by where the NUL bytes
    fall (every other byte, or three bytes in four, for mostly ASCII text); archives, workbooks,
    images and programs by their first bytes; any other file by the share of control bytes in its
    first 4 KiB. A text with a stray NUL or two is text: those are located one by one.

    Parameters
    ----------
    data : bytes
        The file's bytes (a UTF-8 byte order mark removed).

    Returns
    -------
    str or None
        Such as "is saved as UTF-16 (little-endian)", to follow the file's name; None for text.
    """
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            return kind
    sample = data[:SNIFF_BYTES]
    if len(sample) >= 8 and sample.count(0) >= len(sample) // 4:
        zeros = [sample[k::4].count(0) / max(1, len(sample[k::4])) for k in range(4)]
        for name, positions in _WIDE_ENCODINGS.items():
            others = [k for k in range(4) if k not in positions]
            if all(zeros[k] >= 0.6 for k in positions) and all(zeros[k] <= 0.1 for k in others):
                return f"is saved as {name}, without a byte order mark"
    controls = sum(sample.count(byte) for byte in _CONTROL_BYTES)
    if controls > max(8, len(sample) // 50):
        return (
            f"is not a text file ({controls:,} of its first {len(sample):,} bytes are control characters such as NUL)"
        )
    return None


def check_folder(folder: Path, shown: str, holds: str) -> None:
    """Say what is wrong with a folder that should hold input files, if anything.

    Parameters
    ----------
    folder : pathlib.Path
        The folder.
    shown : str
        Its name in messages.
    holds : str
        What it should hold, for messages ("fdi.csv, sources.csv and timeline.csv").

    Raises
    ------
    InputFileError
        When it is missing, a file, a symbolic link loop, or cannot be searched.
    SystemLimitError
        Out of file descriptors or memory.
    """
    try:
        mode = folder.stat().st_mode
    except OSError as error:
        raise InputFileError(shown, os_reason(error, "folder")) from None
    if not stat.S_ISDIR(mode):
        raise InputFileError(
            shown, f"is {_kind(mode)}, not a folder: give the folder that holds {holds} (the data_dir)"
        )


@contextmanager
def system_limits() -> Iterator[None]:
    """Turn running out of open files or memory into `SystemLimitError` (exit status 1).

    Around the whole of a reading (`analysis.load.load`); where a file is opened, `os_reason`
    says the same of the error it is given.

    Yields
    ------
    None
    """
    try:
        yield
    except OSError as error:
        if error.errno not in SYSTEM_LIMITS:
            raise
        raise SystemLimitError(_limit_message(error)) from None


def os_reason(error: OSError, what: str = "file") -> str:
    """Say in words what an operating system error means for an input, and what to do.

    Parameters
    ----------
    error : OSError
        The error from opening, reading or looking at the file.
    what : str, optional
        What the file is ("file", "params file", "folder").

    Returns
    -------
    str

    Raises
    ------
    SystemLimitError
        For running out of open files or memory: not a fault of the input.
    """
    code = error.errno
    if code in SYSTEM_LIMITS:
        raise SystemLimitError(_limit_message(error)) from None
    if code == errno.ENOENT:
        return f"{what} not found"
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied: this user may not read the {what}; make it readable (chmod u+r) or copy it somewhere readable"
    if code == errno.ELOOP:
        return "is a symbolic link loop (the link leads back to itself): point it at the real file or folder (ls -l shows where it leads)"
    if code == errno.ENOTDIR:
        return "a part of the path is a file where a folder should be: check the path"
    if code == errno.ENAMETOOLONG:
        return "the path is too long for this system: use a shorter one"
    if code == errno.EISDIR:
        return f"is a folder, not a {what}: give the {what} itself"
    if code == errno.EIO:
        return "cannot be read: input/output error (a failing disk or a lost network share): copy the file again"
    return f"cannot be read: {error.strerror or error}"


def _check_kind(mode: int, shown: str, what: str) -> None:
    if not stat.S_ISREG(mode):
        raise InputFileError(
            shown, f"is {_kind(mode)}, not a regular file: give a {what} saved on disk (a pipe or a device is not read)"
        )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a file" if stat.S_ISREG(mode) else "not a regular file"


def _check_size(size: int, limit: int, shown: str, what: str) -> None:
    if size <= limit:
        return
    message = f"is larger than {_size(limit)}, the most a {what} may hold"
    if what == "file":
        message += f": split it, or set {MAX_INPUT_ENV} to a larger size in MiB (such as {MAX_INPUT_ENV}=64)"
    else:
        message += ": is it the right file?"
    raise InputFileError(shown, message)


def _size(count: int) -> str:
    if count % MIB == 0:
        return f"{count // MIB:,} MiB"
    return f"{count // 1024:,} KiB" if count % 1024 == 0 else f"{count:,} bytes"


def _limit_message(error: OSError) -> str:
    from analysis.faults import open_files_limit

    if error.errno == errno.ENOMEM:
        return "out of memory while reading the inputs: close other programs, or run on a machine with more memory"
    limit = open_files_limit()
    shown = f" (this process may have {limit} open at once)" if limit and limit > 0 else ""
    return (
        f"too many open files{shown} while reading the inputs: close other programs' files, or raise the "
        "limit in the shell that runs the command (ulimit -n 4096) and run it again"
    )
