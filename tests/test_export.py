"""The HTML exporter: contents list, what leaves the page, the page's resources."""

import re

import nbformat
import pytest

from analysis._config import SECTION_MIME
from analysis._export import ContentsList, to_html

# The labels a template in the edition's language reads (the report's side supplies them).
LABELS = {
    "skip": "Skip to the report",
    "kicker": "Foreign direct investment report",
    "built": "Built",
    "data": "Data",
    "code": "Code",
    "footer": "Built by {command} from {notebook}.",
    "page_of": ["Page ", " of "],
    "editions": "Other editions",
}
PAGE = {
    "labels": LABELS,
    "title": "T",
    "subtitle": "S",
    "built": "2026-01-01 00:00:00 UTC",
    "data_vintage": "2025-06",
    "code": "abc",
    "notebook": "n.ipynb",
    "version": "0",
}


def section(id_: str, title: str, body: str = "") -> dict:
    """A display output that opens a section, as the report side emits it."""
    return nbformat.v4.new_output(
        "display_data",
        data={"text/html": f'<h2 id="{id_}">{title}</h2>{body}', "text/plain": title},
        metadata={SECTION_MIME: {"id": id_, "title": title}},
    )


def notebook() -> nbformat.NotebookNode:
    """Section outputs among Markdown cells, one of them removed."""
    nb = nbformat.v4.new_notebook()
    removed = nbformat.v4.new_markdown_cell("## Left out", metadata={"tags": ["remove-cell"]})
    code = nbformat.v4.new_code_cell("report.growth()")
    code.outputs = [
        section("growth", "Growth & <metrics>"),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>no section</p>", "text/plain": "x"}),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: a warning\n"),
        section("timeline", "Timeline"),
    ]
    nb.cells = [
        removed,
        nbformat.v4.new_markdown_cell("## Headline\n\nText with `## not a heading`.\n\n```\n## in code\n```"),
        code,
        nbformat.v4.new_markdown_cell("### A subsection\n\n## Where *sources* disagree"),
    ]
    return nb


def test_contents_come_from_section_outputs_in_order():
    _, resources = ContentsList().preprocess(notebook(), {})
    assert resources["contents"] == [  # a Markdown heading is no section
        {"id": "growth", "title": "Growth & <metrics>"},
        {"id": "timeline", "title": "Timeline"},
    ]


def test_a_section_id_is_listed_once():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [section("a", "A"), section("a", "A again")]
    nb.cells = [cell]
    assert ContentsList().preprocess(nb, {})[1]["contents"] == [{"id": "a", "title": "A"}]


def nav(html: str) -> str:
    """The contents list (nbconvert re-serialises the page: attributes may come in any order)."""
    [found] = re.findall(
        r'<nav (?=[^>]*class="toc")(?=[^>]*aria-labelledby="toc-title")[^>]*>.*?</nav>', html, flags=re.S
    )
    return found


def test_the_page_lists_the_sections_and_keeps_stderr_off_it():
    html = to_html(notebook(), PAGE)
    links = re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', nav(html))
    assert links == [("growth", "Growth &amp; &lt;metrics&gt;"), ("timeline", "Timeline")]
    assert '<summary class="toc-title" id="toc-title">Contents</summary>' in nav(html)
    assert "Left out" not in html  # the remove-cell tag
    assert "a warning" not in html  # stderr
    assert "no section" in html
    for target, _ in links:  # every entry leads to its heading
        assert f'id="{target}"' in html.split("</nav>", 1)[1]


@pytest.mark.parametrize(("labels", "shown"), [({"contents": "Contenido"}, "Contenido"), ({}, "Contents")])
def test_the_contents_label_comes_from_the_report(labels, shown):
    html = to_html(notebook(), {**PAGE, "labels": {**LABELS, **labels}})
    assert f'<summary class="toc-title" id="toc-title">{shown}</summary>' in nav(html)


def test_the_notebook_is_left_as_it_was():
    nb = notebook()
    before = nbformat.writes(nb)
    to_html(nb, PAGE)
    assert nbformat.writes(nb) == before


@pytest.mark.parametrize(("page", "lang"), [({**PAGE, "html_lang": "es-MX"}, "es-MX"), (PAGE, "en")])
def test_the_page_is_in_the_editions_language(page, lang):
    assert f'<html lang="{lang}">' in to_html(notebook(), page)
