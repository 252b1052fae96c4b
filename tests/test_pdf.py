"""The PDF as a reader meets it: A4, numbered pages, the headline, nothing off the page."""

import os
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

pytestmark = pytest.mark.slow

A4 = (595.28, 841.89)  # points


def tool_or_skip(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} not found (poppler-utils); CI=true, so this fails instead of skipping")
    pytest.skip(f"{name} not found: sudo apt-get install poppler-utils")


@pytest.fixture(scope="module")
def pdf(edition):
    return PdfReader(edition[1].path(".pdf"))


@pytest.fixture(scope="module")
def pages_text(pdf):
    return [page.extract_text() for page in pdf.pages]


def test_pages_are_a4_and_hold_every_section_in_order(pdf, pages_text, edition):
    text = " ".join(" ".join(pages_text).split())
    headings = edition[2]["headings"]
    place = text.index(headings[-1])  # the contents list ends with the last section
    for heading in headings:  # then every section, in order, after the contents
        place = text.index(heading, place + 1)
    for page in pdf.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)


def test_every_page_is_numbered_page_x_of_y(pages_text, edition):
    total = len(pages_text)
    for number, text in enumerate(pages_text, 1):
        assert edition[2]["page"].format(n=number, total=total) in text


def test_the_text_holds_the_headline_figures(pages_text, edition):
    text = " ".join(" ".join(pages_text).split())
    for expected in edition[2]["headline"]:
        assert expected in text


def test_the_title_runs_in_the_header_from_page_two(pages_text, edition):
    title = edition[1].metrics["report"]["title"]
    assert title == edition[2]["title"]
    assert all(title in " ".join(t.split()) for t in pages_text[1:])


def test_each_figure_is_on_the_page_of_its_caption(edition, pages_text):
    tool = tool_or_skip("pdfimages")
    listing = subprocess.run([tool, "-list", str(edition[1].path(".pdf"))], capture_output=True, text=True, check=True)
    rows = [line.split() for line in listing.stdout.splitlines()[2:]]
    drawn = [int(row[0]) for row in rows if row and row[2] == "image"]
    caption = re.compile(edition[2]["figure"] + r" \d+\.")
    assert len(drawn) == len(caption.findall(" ".join(pages_text))) == 4  # by year, shares, two eras of events
    for number, text in enumerate(pages_text, 1):
        assert drawn.count(number) == len(caption.findall(text)), number


def test_source_addresses_are_printed(pages_text):
    text = "".join(pages_text).replace("\n", "")
    assert "theyucatanpost.com/2025/07/04/russia-seeks-to-establish-strategic-corridor" in text


def test_nothing_runs_past_the_page_width(edition, tmp_path):
    tool = tool_or_skip("pdftotext")
    out = tmp_path / "words.html"
    subprocess.run([tool, "-bbox", str(edition[1].path(".pdf")), str(out)], check=True)
    layout = out.read_text()
    widths = [float(w) for w in re.findall(r'<page width="([\d.]+)"', layout)]
    words = [tuple(map(float, m)) for m in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', layout)]
    assert widths and words
    margin = 17 / 25.4 * 72 - 1  # the 17 mm page margin, less a point of slack
    for x_min, x_max in words:
        assert margin <= x_min and x_max <= widths[0] - margin, (x_min, x_max)


def test_every_page_renders_to_png(edition, pdf, tmp_path):
    tool = tool_or_skip("pdftoppm")
    subprocess.run([tool, "-r", "40", "-png", str(edition[1].path(".pdf")), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(pdf.pages)
    for png in pngs:
        with Image.open(png) as page:
            # A4 at 40 dots an inch (8.27 x 11.69 in), in portrait
            assert page.format == "PNG" and page.size == pytest.approx((331, 468), abs=1)
            grey = page.convert("L")
            # not a blank sheet: dark text at the top (the title, or the running header), and the
            # page number, in grey, at the foot
            top, foot = (
                grey.crop((0, 0, page.width, page.height // 5)),
                grey.crop((0, page.height * 94 // 100, *page.size)),
            )
            assert top.getextrema()[0] < 128 and foot.getextrema()[0] < 255, png.name


def test_the_pdf_has_bookmarks_and_metadata(pdf, edition):
    title = edition[2]["title"]
    top = pdf.outline
    assert top[0].title == title
    sections = [item.title for item in top[1]]
    assert [s for s in sections if s in edition[2]["headings"]] == edition[2]["headings"]
    assert pdf.metadata.title == title
