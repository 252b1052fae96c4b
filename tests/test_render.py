"""Rendering helpers: the table of contents and what the notebook displayed."""

import nbformat

from analysis.config import FIGURE_MIME, METRICS_MIME
from analysis.render import TOC_MARKER, collect_figures, collect_metrics, insert_toc, stderr_messages


def test_insert_toc_links_every_section():
    page = (
        f"<body>{TOC_MARKER}<main>"
        '<h2 id="Headline">Headline<a class="anchor-link" href="#Headline">¶</a></h2>'
        '<h2 id="Where-sources-disagree">Where sources disagree<a class="anchor-link" href="#x">¶</a></h2>'
        "</main></body>"
    )
    html = insert_toc(page)
    assert TOC_MARKER not in html
    assert (
        '<li><a href="#Headline">Headline</a></li><li><a href="#Where-sources-disagree">Where sources disagree</a></li>'
        in html
    )


def test_collect_outputs_from_an_executed_notebook():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={METRICS_MIME: {"growth": {"multiple": 4.0}}, "text/plain": "m"}),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": "iVBORw0KGgo=", "image/svg+xml": "<svg/>", "text/plain": "f"},
            metadata={FIGURE_MIME: {"number": 1, "key": "fdi", "caption": "c", "alt": "a"}},
        ),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
    ]
    nb.cells = [cell]
    assert collect_metrics(nb) == {"growth": {"multiple": 4.0}}
    assert collect_figures(nb) == [
        {"number": 1, "key": "fdi", "caption": "c", "alt": "a", "png": "iVBORw0KGgo=", "svg": "<svg/>"}
    ]
    assert stderr_messages(nb) == ["a warning"]
