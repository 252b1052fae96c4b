"""The run record: which code, packages and inputs made a report, and when."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from importlib import metadata

from analysis import config

RECORDED_PACKAGES = (
    "analysis",
    "pandas",
    "numpy",
    "matplotlib",
    "pandera",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "weasyprint",
    "pycountry",
)


def git_state() -> dict[str, object]:
    """Return the project's git commit and whether its work tree has changes.

    Returns
    -------
    dict
        ``{"git_commit": "<sha>" or None, "git_dirty": bool or None}``; None where the project
        is not a git checkout or git is missing.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(config.PROJECT_ROOT), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain") if commit else None
    return {"git_commit": commit, "git_dirty": None if status is None else bool(status)}


def package_versions(names: tuple[str, ...] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Return the installed version of each package (None where it is not installed).

    Parameters
    ----------
    names : tuple of str
        Distribution names.

    Returns
    -------
    dict of str to str or None
    """
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def now_utc() -> str:
    """Return the current UTC time as ISO 8601 to the second (``2026-11-27T21:08:09Z``)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def collect() -> dict[str, object]:
    """Return the ``provenance`` block of the metrics file.

    Returns
    -------
    dict
        git_commit, git_dirty, built_at, python, platform, packages.
    """
    return {
        **git_state(),
        "built_at": now_utc(),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "packages": package_versions(),
    }
