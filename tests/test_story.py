"""The PDF tells the story first: at most five A4 pages, then the appendix from a new page."""

import subprocess

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def outline(pdf: PdfReader) -> list[tuple[str, int]]:
    """Every bookmark, depth first: its title and its page (from 1)."""
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((item.title, pdf.get_destination_page_number(item) + 1))

    walk(pdf.outline)
    return found


def test_the_story_fits_five_pages_and_the_appendix_starts_a_page_by_page_six(edition):
    pdf = PdfReader(edition[1].path(".pdf"))
    marks = outline(pdf)
    [(title, page)] = [(t, p) for t, p in marks if t.startswith(("Appendix", "Apéndice"))]
    assert title == edition[2]["appendix"]
    assert page <= 6
    story = [t for t, p in marks if p < page]
    assert [t for t in story if t in edition[2]["story"]] == edition[2]["story"]  # every story section, in order
    # the appendix's heading opens its page: above it, only the running header (the report's title)
    lines = [" ".join(line.split()) for line in page_text(edition[1].path(".pdf"), page).splitlines() if line.strip()]
    assert lines.index(title) == 1 and lines[0] in edition[2]["title"]


def page_text(path, page: int) -> str:
    """One page's text in reading order (poppler's pdftotext)."""
    done = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True, text=True
    )
    return done.stdout


def test_the_story_quotes_the_claim_and_gives_the_verdict_on_page_one(edition):
    text = " ".join(PdfReader(edition[1].path(".pdf")).pages[0].extract_text().replace("\x00", "").split())
    assert "In 2022, $2.8 million in Foreign Direct Investment (FDI) arrived in Mexico from Russia" in text
    assert edition[2]["verdict"].split(":")[0] in text
    for figure in edition[2]["headline"][:4]:
        assert figure in text


def test_a_short_story_still_opens_the_appendix_on_a_page_of_its_own(tiny_report):
    # the tiny fixture's story fills about a page: the appendix must not run on beneath it
    pdf = PdfReader(tiny_report.path(".pdf"))
    [(title, page)] = [(t, p) for t, p in outline(pdf) if t.startswith("Appendix")]
    lines = [" ".join(line.split()) for line in page_text(tiny_report.path(".pdf"), page).splitlines() if line.strip()]
    assert page > 1 and lines.index(title) == 1
