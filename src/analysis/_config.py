"""Every path and name the project uses, anchored on this package: a build started anywhere reads and writes the same places."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parents[1]  # src/analysis -> the project

DATA_DIR = PROJECT_ROOT / "data"
PARAMS_DIR = PROJECT_ROOT / "params"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
LOCK_FILE = PROJECT_ROOT / "requirements.lock"

DEFAULT_NOTEBOOK = NOTEBOOKS_DIR / "russia_mexico_fdi.ipynb"
DEFAULT_PARAMS = PARAMS_DIR / "russia-mexico-fdi.yaml"

TEMPLATE_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "fdi_report"
MPL_STYLE = "analysis.house"  # src/analysis/house.mplstyle, loaded by dotted name

# Output types the notebook displays for the build to collect (nbconvert shows neither).
FIGURE_MIME = "application/vnd.analysis.figure+json"  # a chart's number, key, caption, alt text
METRICS_MIME = "application/vnd.analysis.metrics+json"  # the content of NAME.metrics.json
# In a display output's metadata: the output opens a section of the report; the build lists it
# in the contents ({"id": "...", "title": "..."}).
SECTION_MIME = "application/vnd.analysis.section+json"

# The report's editions: the `lang` parameter's values, one per gettext catalogue
# (locale/<lang>/LC_MESSAGES/messages.po; analysis._language reads them). An edition's outputs are
# named after its params file, plus ".LANG" for every language but English.
LANGUAGES = tuple(sorted(p.parent.parent.name for p in (PACKAGE_DIR / "locale").glob("*/LC_MESSAGES/messages.po")))
DEFAULT_LANGUAGE = "en"

FDI_FILE = "fdi.csv"
SOURCES_FILE = "sources.csv"
TIMELINE_FILE = "timeline.csv"
CLAIMS_FILE = "claims.csv"  # optional: a folder without it holds no claims
REQUIRED_DATA_FILES = (FDI_FILE, SOURCES_FILE, TIMELINE_FILE)
DATA_FILES = (*REQUIRED_DATA_FILES, CLAIMS_FILE)  # every file a report reads, when it is there


def resolve_project_path(value: str | os.PathLike[str]) -> Path:
    """Return a path from a params file or the notebook as an absolute one, a relative path taken from the project's root."""
    path = Path(value).expanduser()
    # realpath, not Path.resolve (RuntimeError on a link loop): a loop is left for the reading to report
    return path if path.is_absolute() else Path(os.path.realpath(PROJECT_ROOT / path))


def given_path(value: str | os.PathLike[str]) -> Path:
    """Return a path typed on the command line as an absolute one, a relative path taken from the current folder."""
    return Path(os.path.realpath(Path(value).expanduser()))


def display_path(path: str | os.PathLike[str]) -> str:
    """Show a path as messages and the metrics file name it: relative to the project's root when inside it."""
    absolute = Path(os.path.abspath(path))  # noqa: PTH100 - not resolve(): a link names the output, not its version
    try:
        return absolute.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return absolute.as_posix()
