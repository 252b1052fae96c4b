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
    # pypdf reads WeasyPrint's subset fonts as two bytes a character, one of them NUL: dropped
    return [page.extract_text().replace("\x00", "") for page in pdf.pages]


def test_pages_are_a4_and_hold_every_section_in_order(pdf, pages_text, edition):
    text = " ".join(" ".join(pages_text).split())
    headings = edition[2]["headings"]
    text = text.lower()  # a heading may be set in capitals
    place = text.index(edition[2]["title"].lower())  # the title, then every section, in order (no contents in print)
    for heading in headings:
        place = text.index(heading.lower(), place + 1)
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
    charts = edition[1].html.count('<figure class="chart"')  # range, origins, by year, the timeline's pieces
    assert len(drawn) == len(caption.findall(" ".join(pages_text))) == charts >= 4
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


# Layout that cannot break quietly -----------------------------------------------------------------
# What a page holds, read from the PDF itself: its lines of text (poppler's pdftotext -bbox-layout)
# and the images drawn on it (pypdf, where each image XObject is painted), in points from the top of
# the page. Only the body counts: the running title and "Page X of Y" sit in the page margins.

MARGIN = 20 / 25.4 * 72  # the 20 mm top and bottom page margins of report.css, in points
BOOKS = "{http://www.w3.org/1999/xhtml}"


class PageLayout:
    """The body of one PDF page: rows of text (top, bottom, text) and images (top, bottom)."""

    def __init__(self, number: int, height: float):
        self.number, self.height = number, height
        self.rows: list[list] = []  # [top, bottom, text], one per line of text, top to bottom
        self.images: list[tuple[float, float]] = []

    def add_line(self, top: float, bottom: float, text: str) -> None:
        if not (top >= MARGIN - 1 and bottom <= self.height - MARGIN + 1):
            return  # the running header or the page number
        for row in self.rows:  # the cells of one table row are one line of text across the page
            if abs(row[0] - top) < 2:
                row[1], row[2] = max(row[1], bottom), f"{row[2]} {text}"
                return
        self.rows.append([top, bottom, text])
        self.rows.sort()


def _images_drawn(page) -> list[tuple[float, float]]:
    """(top, bottom) of each image painted on a page, in points from the top (pypdf's graphics state)."""
    height = float(page.mediabox.height)
    objects = (page.get("/Resources") or {}).get("/XObject") or {}
    placed = []

    def paint(operator, operands, matrix, _text_matrix):
        if operator == b"Do" and operands:
            target = objects.get(operands[0])
            if target is not None and target.get_object().get("/Subtype") == "/Image":
                # the unit square, scaled and moved by the current matrix (no rotation in a report)
                bottom, top = sorted((matrix[5], matrix[5] + matrix[3]))
                placed.append((height - top, height - bottom))

    page.extract_text(visitor_operand_before=paint)
    return placed


@pytest.fixture(scope="module")
def layout(edition, pdf) -> list[PageLayout]:
    """Every page of the edition's PDF, as rows of text and images in the body."""
    import xml.etree.ElementTree as ElementTree

    tool = tool_or_skip("pdftotext")
    listing = subprocess.run(
        [tool, "-bbox-layout", str(edition[1].path(".pdf")), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", listing))
    pages = []
    for number, (element, page) in enumerate(zip(root.iter(f"{BOOKS}page"), pdf.pages, strict=True), 1):
        seen = PageLayout(number, float(element.get("height")))
        for line in element.iter(f"{BOOKS}line"):
            words = " ".join(word.text or "" for word in line.iter(f"{BOOKS}word"))
            seen.add_line(float(line.get("yMin")), float(line.get("yMax")), words)
        seen.images = _images_drawn(page)
        pages.append(seen)
    return pages


def _squeezed(text: str) -> str:
    """Letters and digits only, lower case: a heading's words whatever their line breaks or hyphens."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _headings(pdf) -> list[tuple[str, int, float]]:
    """(title, page number, top in points from the top) of every heading, from the PDF's bookmarks
    (WeasyPrint makes one for every h1–h6), in the order of the document."""
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                page = pdf.get_destination_page_number(item)
                top = float(pdf.pages[page].mediabox.height) - float(item.top)
                found.append((item.title, page + 1, top))

    walk(pdf.outline)
    return sorted(found, key=lambda h: (h[1], h[2]))


def _inked_share(path, number: int, tmp_path) -> float:
    """The share of a page body's height that has any ink on it (a drawing is not an image)."""
    tool = tool_or_skip("pdftoppm")
    out = tmp_path / f"page-{number}"
    subprocess.run([tool, "-r", "30", "-gray", "-png", "-f", str(number), "-l", str(number), "-singlefile",
                    str(path), str(out)], check=True)  # fmt: skip
    with Image.open(f"{out}.png") as page:
        margin = round(page.height * MARGIN / (A4[1]))
        body = page.convert("L").crop((0, margin, page.width, page.height - margin))
        inked = sum(1 for y in range(body.height) if body.crop((0, y, body.width, y + 1)).getextrema()[0] < 200)
        return inked / body.height


def test_no_page_but_the_last_is_nearly_empty(layout, edition, tmp_path):
    # A page with fewer than five lines of text and no figure is a hole in the report: a table or
    # figure that did not fit moved whole to the next page and left its lead-in alone (the review
    # of 2026-12-05: ES p.7, "10 periodos se reportan con más de una cifra." and nothing else).
    # A figure is an image, or a drawing that inks a quarter of the page's height.
    holes = [
        (page.number, [row[2][:60] for row in page.rows])
        for page in layout[:-1]
        if len(page.rows) < 5
        and not page.images
        and _inked_share(edition[1].path(".pdf"), page.number, tmp_path) < 0.25
    ]
    assert not holes, f"nearly empty pages (page, its lines of text): {holes}"


def test_no_figure_runs_off_its_page(layout):
    # A chart taller than the page is cut at the page's foot (and pushed its caption to the next).
    cut = [
        (page.number, round(top), round(bottom))
        for page in layout
        for top, bottom in page.images
        if top < MARGIN - 1 or bottom > page.height - MARGIN + 1
    ]
    assert not cut, f"images outside the page body (page, top, bottom in points): {cut}"


def test_no_heading_is_left_at_the_foot_of_a_page(layout, pdf):
    # A heading (h2, h3: every bookmark) must have at least three lines of its section, or a figure,
    # under it on its page, unless the section ends there. A heading that is the last text on its
    # page, or is followed by a line or two while the section goes on overleaf, is stranded (the
    # review: EN p.5, "In context" and one sentence at the foot of a half-empty page).
    headings = _headings(pdf)
    stranded = []
    for index, (title, number, top) in enumerate(headings):
        page = layout[number - 1]
        rows = [row for row in page.rows if row[1] > top]  # the heading's lines, then what follows
        words, wanted, bottom = "", _squeezed(title), top
        while rows and wanted not in words:
            line = rows.pop(0)
            words, bottom = words + _squeezed(line[2]), line[1]
        assert wanted in words, f"heading {title!r} not found on page {number}"
        if len(rows) >= 3 or any(image_top >= bottom - 1 for image_top, _ in page.images):
            continue  # enough of its section under it
        later = headings[index + 1] if index + 1 < len(headings) else None
        if number == len(layout) or (later and later[1] == number):
            continue  # the section ends on this page
        following = layout[number]
        opens = not following.rows or (later and later[2] <= following.rows[0][0] + 1)
        if later and later[1] == number + 1 and opens and not any(t < later[2] for t, _ in following.images):
            continue  # the next page opens with the next section: this one ended here
        stranded.append((number, title, [row[2][:50] for row in rows]))
    assert not stranded, f"headings at the foot of a page (page, heading, the lines under it): {stranded}"
