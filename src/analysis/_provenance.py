"""The run record: which code, packages and inputs made a report, and when."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from importlib import metadata

from analysis import _config as config

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


def _git(*args: str) -> str | None:
    """Run git in the project; its output, or None where git is missing or the project is not a checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(config.PROJECT_ROOT), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def package_versions(names: tuple[str, ...] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Return the installed version of each distribution, None where it is not installed."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def collect() -> dict[str, object]:
    """Return the ``provenance`` block of the metrics file: git commit and state, build time, Python, packages."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain") if commit else None
    return {
        "git_commit": commit,
        "git_dirty": None if status is None else bool(status),
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "packages": package_versions(),
    }
