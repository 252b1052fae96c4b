"""A two-cell notebook for tests of the build machinery: the report's parameters, then its metrics.

It takes the report notebook's parameters cell as it is (so params files and checks work
unchanged) and adds four of its own: ``stub_marker`` (a file it writes, with its kernel's pid,
when it runs), ``stub_sleep`` (seconds it then waits), ``stub_fail`` (it raises) and
``stub_word`` (letters of one word in a table: a page slow to lay out). No pandas, no charts.

Run as a script, ``python tests/_stub.py NOTEBOOK ARGS...`` is ``analysis ARGS...`` building
that notebook instead of the report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

from analysis import _config as config

STUB_PARAMETERS = """\
stub_marker: str = ""  # a file the stub writes its kernel's pid to as it runs
stub_sleep: int = 0  # seconds the stub then waits
stub_fail: bool = False  # the stub raises
stub_word: int = 0  # letters of one word in a table cell
"""
LABELS = {
    **dict.fromkeys(("kicker", "built", "data", "code", "contents", "skip", "editions"), "label"),
    "footer": "Built by {command} from {notebook}.",
    "page_of": ["Page ", " of ", ""],
}
STUB_CELL = f"""\
import hashlib
import os
import time
from pathlib import Path

from IPython.display import display

if stub_marker:
    Path(stub_marker).write_text(f"{{os.getpid()}}\\n")
time.sleep(stub_sleep)
if stub_fail:
    raise ValueError("the stub failed on purpose")
if stub_word:  # a table cell of one long word, broken anywhere in print: slow to lay out
    display({{"text/html": '<table class="data"><tr><td>' + "x" * stub_word + "</td></tr></table>"}}, raw=True)
display(
    {{
        "{config.METRICS_MIME}": {{
            "provenance": {{"built_at": "2026-01-02T03:04:05Z", "git_commit": "", "git_dirty": False}},
            "report": {{"title": "Stub", "subtitle": "", "read_in": {{"es": "es", "en": "en"}}, "labels": {LABELS}}},
            "origin": origin,
            "fdi": hashlib.sha256(Path(data_dir, "fdi.csv").read_bytes()).hexdigest(),
        }},
        "text/plain": "metrics for the build",
    }},
    raw=True,
)
"""


def write_stub(folder: Path) -> Path:
    """Write the stub notebook into ``folder``; return its path."""
    real = nbformat.read(config.DEFAULT_NOTEBOOK, as_version=4)
    parameters = next(c for c in real.cells if "parameters" in c.metadata.get("tags", []))
    nb = nbformat.v4.new_notebook(metadata=real.metadata)
    nb.cells = [
        nbformat.v4.new_code_cell(parameters.source + "\n" + STUB_PARAMETERS, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(STUB_CELL),
    ]
    path = folder / "stub.ipynb"
    nbformat.write(nb, path)
    return path


def stub_params(folder: Path, name: str = "stub", data_dir: Path | None = None, **stub: object) -> Path:
    """Write a params file for the stub: the tiny data (tests/fixtures/tiny) unless told, ``stub_*`` values."""
    values = {
        "data_dir": str(data_dir or Path(__file__).parent / "fixtures" / "tiny"),
        "origin": "KOR",
        "destination": "CHL",
        "base_year": 2019,
        "target_year": 2023,
        **{f"stub_{k}": v for k, v in stub.items()},
    }
    path = folder / f"{name}.yaml"
    path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items()), encoding="utf-8")
    return path


def stub_variant(folder: Path, notebook: Path, name: str = "stub", **stub: object):
    """Plan and check one variant of the stub, as ``analysis build`` does."""
    from analysis._plan import check, plan

    return check(plan([stub_params(folder, name, **stub)], [], notebook))[0]


if __name__ == "__main__":
    config.DEFAULT_NOTEBOOK = Path(sys.argv[1]).resolve()  # before the modules that take it as a default
    from analysis import cli

    sys.exit(cli.main(sys.argv[2:]))
