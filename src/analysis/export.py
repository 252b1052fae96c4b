"""Export the executed notebook as the report's HTML page (nbconvert) and PDF (WeasyPrint).

`exporter` is nbconvert's ``HTMLExporter``, configured: the package's template (``templates/
fdi_report``, extending ``lab``), no code, no prompts, images embedded, nothing loaded from
another host. Its preprocessors drop cells tagged ``remove-cell`` and text written to stderr
(warnings belong in the run record), and gather the sections the report's cells displayed for the
table of contents. The PDF is the same page laid out by WeasyPrint, which may fetch nothing but
``data:`` URLs.
"""

from __future__ import annotations

import functools
from typing import Any

from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from analysis import config
from analysis.config import SECTION_MIME
from analysis.harvest import is_stderr

# Formats a report output is rendered from, best first: the page shows PNG; the SVG copy is
# extracted for reuse.
DISPLAY_PRIORITY = ["text/html", "text/markdown", "image/png", "image/svg+xml", "image/jpeg", "text/plain"]
REMOVE_TAG = "remove-cell"


class ContentsList(Preprocessor):
    """Gather the sections (outputs whose metadata carries ``SECTION_MIME``), in order and each id once, into ``resources["contents"]``."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Collect the sections of the whole notebook; the notebook is left as it is."""
        contents: dict[str, dict[str, str]] = {}
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                section = output.get("metadata", {}).get(SECTION_MIME)
                if section and section.get("id"):
                    contents.setdefault(
                        str(section["id"]), {"id": str(section["id"]), "title": str(section.get("title", ""))}
                    )
        resources["contents"] = list(contents.values())
        return nb, resources


class StderrRemover(Preprocessor):
    """Remove what cells wrote to stderr: warnings belong in the run record, not on the page."""

    def preprocess_cell(self, cell: Any, resources: dict[str, Any], index: int) -> tuple[Any, dict[str, Any]]:
        """Drop the cell's stderr stream outputs."""
        if "outputs" in cell:
            cell.outputs = [output for output in cell.outputs if not is_stderr(output)]
        return cell, resources


class PageLanguage(Preprocessor):
    """Give the page the edition's language (``<html lang="es-MX">``), for screen readers and hyphenation."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Set ``resources["language_code"]`` from the page's ``html_lang``."""
        language = resources.get("report", {}).get("html_lang")
        if language:
            resources["language_code"] = language
        return nb, resources


@functools.cache
def exporter() -> HTMLExporter:
    """Return nbconvert's HTML exporter set up for the report (made once: its template compiles now)."""
    settings = Config()
    settings.NbConvertBase.display_data_priority = DISPLAY_PRIORITY  # read by the output filter of each page
    settings.HTMLExporter.update(
        template_name=config.TEMPLATE_NAME,
        extra_template_basedirs=[str(config.TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        preprocessors=[StderrRemover, ContentsList, PageLanguage],  # after nbconvert's own, TagRemovePreprocessor's
    )
    settings.TagRemovePreprocessor.update(enabled=True, remove_cell_tags={REMOVE_TAG})
    made = HTMLExporter(config=settings)
    made.template  # noqa: B018 - compiles the Jinja template now
    return made


def _rehearsal() -> Any:
    """Return a small notebook with one output of each kind the report has."""
    import nbformat

    from analysis.config import FIGURE_MIME

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x")
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x\n"),
        nbformat.v4.new_output("stream", name="stderr", text="x\n"),
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": '<h2 id="x">x</h2><table><tr><td>x</td></tr></table>', "text/plain": "x"},
            metadata={SECTION_MIME: {"id": "x", "title": "x"}},
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": png, "image/svg+xml": "<svg/>", "text/plain": "x"},
            metadata={FIGURE_MIME: {"number": 1, "key": "x", "caption": "x", "alt": "x"}, "image/png": {"width": 1}},
        ),
        nbformat.v4.new_output("display_data", data={"text/markdown": "*x*", "text/plain": "x"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("## x\n\n*x* `x` [x](#x)\n\n- x"), code]
    return nb


def prepare() -> None:
    """Render a small page and its PDF, so that templates compile and fonts load while the kernel works."""
    page = dict.fromkeys(("title", "subtitle", "built", "data_vintage", "code", "notebook", "version"), "x")
    try:
        html = to_html(_rehearsal(), page)
    except Exception:  # a page that needs what a rehearsal lacks (its labels): the real one compiles the rest
        html = "<p>x</p>"
    to_pdf(html)


def to_html(nb: Any, page: dict[str, Any]) -> str:
    """Render the executed notebook (left as it is) as the report's page; ``page`` is the template's ``resources.report``."""
    body, _ = exporter().from_notebook_node(nb, resources={"report": page})
    return body


def to_pdf(page: str) -> bytes:
    """Lay the HTML page out as a PDF with WeasyPrint."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only data: URLs: a page that refers to anything else fails instead of reaching out.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=page, base_url=str(config.PROJECT_ROOT), url_fetcher=fetcher).write_pdf()
