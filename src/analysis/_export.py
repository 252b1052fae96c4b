"""Export the executed notebook as the report's HTML page (nbconvert) and PDF (WeasyPrint).

`exporter` is nbconvert's ``HTMLExporter``, configured: the package's template (``templates/
fdi_report``, extending ``lab``), no code, no prompts, images embedded, nothing loaded from
another host. Its preprocessors drop cells tagged ``remove-cell`` and text written to stderr
(warnings belong in the run record), and gather the sections the report's cells displayed for the
table of contents. The PDF is the same page laid out by WeasyPrint, which may fetch nothing but
``data:`` URLs.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from analysis import _config as config
from analysis._config import SECTION_MIME
from analysis._harvest import is_stderr, outputs

# Formats a report output is rendered from, best first: the page shows PNG; the SVG copy is
# extracted for reuse.
DISPLAY_PRIORITY = ["text/html", "text/markdown", "image/png", "image/svg+xml", "image/jpeg", "text/plain"]
REMOVE_TAG = "remove-cell"


class ContentsList(Preprocessor):
    """Gather the sections (outputs whose metadata carries ``SECTION_MIME``), in order and each id once, into ``resources["contents"]``."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Collect the sections of the whole notebook; the notebook is left as it is."""
        contents: dict[str, dict[str, str]] = {}
        for output in outputs(nb):
            if section := output.get("metadata", {}).get(SECTION_MIME):
                contents.setdefault(section["id"], {"id": section["id"], "title": section["title"]})
        resources["contents"] = list(contents.values())
        return nb, resources


class StderrRemover(Preprocessor):
    """Remove what cells wrote to stderr: warnings belong in the run record, not on the page."""

    def preprocess_cell(self, cell: Any, resources: dict[str, Any], index: int) -> tuple[Any, dict[str, Any]]:
        """Drop the cell's stderr stream outputs."""
        if "outputs" in cell:
            cell.outputs = [output for output in cell.outputs if not is_stderr(output)]
        return cell, resources


@functools.cache
def exporter() -> HTMLExporter:
    """Return nbconvert's HTML exporter set up for the report (made once: its template compiles now)."""
    settings = Config(
        NbConvertBase={"display_data_priority": DISPLAY_PRIORITY},  # read by the output filter of each page
        HTMLExporter={
            "template_name": config.TEMPLATE_NAME,
            "extra_template_basedirs": [str(config.TEMPLATE_DIR)],
            "exclude_input": True,
            "exclude_input_prompt": True,
            "exclude_output_prompt": True,
            "preprocessors": [StderrRemover, ContentsList],  # after nbconvert's own, TagRemovePreprocessor's
        },
        TagRemovePreprocessor={"enabled": True, "remove_cell_tags": {REMOVE_TAG}},
    )
    made = HTMLExporter(config=settings)
    made.template  # noqa: B018 - compiles the Jinja template now
    return made


def prepare() -> None:
    """Render an empty page and a PDF, so that nbconvert's and WeasyPrint's first use is done while the kernel works."""
    import jinja2
    import nbformat

    with contextlib.suppress(jinja2.UndefinedError):  # the template stops at the edition's labels: past the first use
        to_html(nbformat.v4.new_notebook(), {})
    to_pdf("<p>x</p>")


def to_html(nb: Any, page: dict[str, Any]) -> str:
    """Render the executed notebook (left as it is) as the report's page; ``page`` is the template's ``resources.report``."""
    html = exporter()
    html.language_code = page.get("html_lang", "en")  # <html lang="es-MX">, for screen readers and hyphenation
    body, _ = html.from_notebook_node(nb, resources={"report": page})
    return body


def to_pdf(page: str) -> bytes:
    """Lay the HTML page out as a PDF with WeasyPrint."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only data: URLs: a page that refers to anything else fails instead of reaching out.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=page, base_url=str(config.PROJECT_ROOT), url_fetcher=fetcher).write_pdf()
