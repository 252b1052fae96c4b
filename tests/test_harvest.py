"""What the build takes out of the executed notebook: metrics, figures, warnings."""

import base64

import nbformat
import pytest

from analysis import _harvest as harvest
from analysis._config import FIGURE_MIME, METRICS_MIME
from analysis.errors import BuildError

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n-bytes").decode()


def notebook(*outputs) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = list(outputs)
    nb.cells = [nbformat.v4.new_markdown_cell("## A heading"), cell]
    return nb


METRICS = nbformat.v4.new_output("display_data", data={METRICS_MIME: {"growth": {"multiple": 4.0}}, "text/plain": "m"})
FIGURE = nbformat.v4.new_output(
    "display_data",
    data={"image/png": PNG, "image/svg+xml": "<svg/>", "text/plain": "f"},
    metadata={FIGURE_MIME: {"number": 1, "key": "fdi", "caption": "c", "alt": "a"}},
)
PLAIN_IMAGE = nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "not a report figure"})
WARNING = nbformat.v4.new_output("stream", name="stderr", text="a warning\n")
PRINTED = nbformat.v4.new_output("stream", name="stdout", text="printed\n")


def test_metrics_and_warnings():
    nb = notebook(PRINTED, METRICS, FIGURE, PLAIN_IMAGE, WARNING)
    assert harvest.metrics(nb) == {"growth": {"multiple": 4.0}}
    assert harvest.stderr_messages(nb) == ["a warning"]


def test_figure_files_are_named_after_the_report_and_the_chart():
    files = harvest.figure_files(notebook(FIGURE, PLAIN_IMAGE), "r.es")
    assert files == {"figures/r.es-fdi.png": b"\x89PNG\r\n\x1a\n-bytes", "figures/r.es-fdi.svg": b"<svg/>"}


def test_a_notebook_without_metrics_is_an_error():
    with pytest.raises(BuildError, match="displayed no metrics"):
        harvest.metrics(notebook(FIGURE))
