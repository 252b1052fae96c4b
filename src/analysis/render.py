"""Turn an executed notebook into the report's HTML (nbconvert) and PDF (WeasyPrint).

The HTML uses the package's own template (``templates/fdi_report``, extending nbconvert's
``lab``): no code, no prompts, images embedded, nothing loaded from another host. The PDF is the
same HTML laid out by WeasyPrint for A4, whose fetcher is refused every address that is not
embedded in the page.
"""

from __future__ import annotations

import copy
import functools
import html
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from analysis import config
from analysis.config import FIGURE_MIME, METRICS_MIME
from analysis.errors import BuildError

# Formats a report output is rendered from, best first: the page shows PNG; the SVG copy is
# extracted for reuse.
DISPLAY_PRIORITY = ["text/html", "text/markdown", "image/png", "image/svg+xml", "image/jpeg", "text/plain"]
TOC_MARKER = "<!-- analysis:toc -->"


def _outputs(nb: Any) -> Iterator[dict[str, Any]]:
    for cell in nb.cells:
        yield from cell.get("outputs", [])


def collect_metrics(nb: Any) -> dict[str, Any]:
    """Return the metrics the notebook displayed (`analysis.report.Report.emit_metrics`).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    dict

    Raises
    ------
    BuildError
        When no cell displayed them.
    """
    for output in _outputs(nb):
        if METRICS_MIME in output.get("data", {}):
            return dict(output["data"][METRICS_MIME])
    raise BuildError("the notebook displayed no metrics: its last cell must call report.emit_metrics()")


def collect_figures(nb: Any) -> list[dict[str, Any]]:
    """Return every chart the notebook displayed: key, number, PNG (base64) and SVG text.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    list of dict
    """
    return [
        {**meta, "png": output["data"].get("image/png"), "svg": output["data"].get("image/svg+xml")}
        for output in _outputs(nb)
        if (meta := output.get("metadata", {}).get(FIGURE_MIME))
    ]


def stderr_messages(nb: Any) -> list[str]:
    """Return what cells wrote to stderr (warnings): kept in the notebook, not shown in the report."""
    return [
        output.get("text", "").strip()
        for output in _outputs(nb)
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]


@functools.cache
def exporter() -> Any:
    """Return the configured nbconvert exporter (built once: the template compiles on first use).

    Returns
    -------
    nbconvert.HTMLExporter
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    settings = Config()
    settings.HTMLExporter.extra_template_basedirs = [str(config.TEMPLATE_DIR)]
    settings.HTMLExporter.template_name = config.TEMPLATE_NAME
    settings.HTMLExporter.exclude_input = True
    settings.HTMLExporter.exclude_input_prompt = True
    settings.HTMLExporter.exclude_output_prompt = True
    settings.TagRemovePreprocessor.enabled = True
    settings.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    settings.NbConvertBase.display_data_priority = DISPLAY_PRIORITY
    made = HTMLExporter(config=settings)
    made.template  # noqa: B018 - compiles the Jinja template now
    return made


def prepare() -> None:
    """Import the renderers and compile the template ahead of use.

    The build runs this in a thread while the kernel executes the notebook in its own process:
    the parent would otherwise sit idle there and then pay for these imports afterwards.
    """
    exporter()
    import weasyprint  # noqa: F401


def to_html(nb: Any, page: dict[str, str]) -> str:
    """Render the executed notebook as the report's self-contained HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    page : dict
        The title block: ``title``, ``subtitle``, ``built``, ``data_vintage``, ``code``,
        ``notebook``, ``version``.

    Returns
    -------
    str
    """
    shown = copy.deepcopy(nb)
    for cell in shown.cells:  # warnings stay in the run record, not on the page
        cell["outputs"] = [
            o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
        ]
    body, _ = exporter().from_notebook_node(shown, resources={"report": page})
    return insert_toc(body)


class _Headings(HTMLParser):
    """Collect the ``<h2 id=…>`` headings of the report, with their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._current: str | None = None
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._current = dict(attrs).get("id")
            self._text = []
        elif tag == "a" and self._current is not None and "anchor-link" in (dict(attrs).get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag == "h2" and self._current:
            self.found.append((self._current, "".join(self._text).strip()))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and not self._skip:
            self._text.append(data)


def insert_toc(page: str) -> str:
    """Replace the template's marker with a table of contents of the page's sections."""
    headings = _Headings()
    headings.feed(page)
    items = "".join(f'<li><a href="#{html.escape(i)}">{html.escape(t)}</a></li>' for i, t in headings.found)
    nav = f'<nav class="toc" aria-labelledby="toc-title"><p class="toc-title" id="toc-title">Contents</p><ol>{items}</ol></nav>'
    return page.replace(TOC_MARKER, nav, 1)


def to_pdf(page: str) -> bytes:
    """Lay the HTML page out as an A4 PDF with WeasyPrint.

    Parameters
    ----------
    page : str
        The report's HTML.

    Returns
    -------
    bytes
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only data: URLs: a page that refers to anything else fails instead of reaching out.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=page, base_url=str(config.PROJECT_ROOT), url_fetcher=fetcher).write_pdf()
