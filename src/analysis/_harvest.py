"""Take what the build needs out of the executed notebook: metrics, figures, warnings.

The notebook hands the build its results as display outputs (`analysis._config`): the metrics
file's content under ``METRICS_MIME``, and every chart with ``FIGURE_MIME`` metadata beside its
PNG and SVG. Nothing here runs in the kernel; it reads the notebook papermill returns.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from analysis._config import FIGURE_MIME, METRICS_MIME
from analysis._outputs import FIGURES_DIR
from analysis.errors import BuildError


def outputs(nb: Any) -> Iterator[dict[str, Any]]:
    """Yield every output of every cell, in order."""
    for cell in nb.cells:
        yield from cell.get("outputs", [])


def metrics(nb: Any) -> dict[str, Any]:
    """Return the metrics the notebook displayed (`analysis.report.Report.emit_metrics`); none is a `BuildError`."""
    for output in outputs(nb):
        if METRICS_MIME in output.get("data", {}):
            return dict(output["data"][METRICS_MIME])
    raise BuildError("the notebook displayed no metrics: its last cell must call report.emit_metrics()")


def figure_files(nb: Any, name: str) -> dict[str, bytes]:
    """Return the files of every chart report ``name`` displayed: ``figures/NAME-KEY.png`` and ``.svg`` to their bytes."""
    files = {}
    for output in outputs(nb):
        if figure := output.get("metadata", {}).get(FIGURE_MIME):
            stem = f"{FIGURES_DIR}/{name}-{figure['key']}"
            data = output["data"]
            if "image/png" in data:
                files[f"{stem}.png"] = base64.b64decode(data["image/png"])
            if "image/svg+xml" in data:
                files[f"{stem}.svg"] = data["image/svg+xml"].encode("utf-8")
    return files


def is_stderr(output: dict[str, Any]) -> bool:
    """Tell whether an output is text a cell wrote to stderr."""
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def stderr_messages(nb: Any) -> list[str]:
    """Return what cells wrote to stderr (warnings): kept in the notebook, not shown in the report."""
    return [output.get("text", "").strip() for output in outputs(nb) if is_stderr(output)]
