"""Display objects: a section shows as outputs, its first carrying its heading for the contents;
figures carry alt text, a number and, where given, a version for phones."""

import base64

from IPython.core.interactiveshell import InteractiveShell
from markupsafe import Markup

from analysis import charts
from analysis.language import edition
from analysis.present import FIGURE_MIME, SECTION_MIME, FigureOutput, Numbering, Section, plain_text
from analysis.sections.timeline import Event

EVENTS = [Event("2025-06-20", 2025, "energy", "An event", "en", "", "en", "s")]


def figure(width=charts.WIDE):
    return charts.timeline_chart(EVENTS, start=2020, end=2025, edition=edition("en"), source="test", width=width)


def test_numbering_counts_tables_and_figures_apart():
    numbers = Numbering()
    assert (numbers.next_table(), numbers.next_table(), numbers.next_figure()) == (1, 2, 1)


def test_plain_text_is_what_a_reader_sees():
    # paragraphs are apart, inline markup is not
    assert plain_text("<p>A &amp; B</p><p>C<strong>D</strong></p>") == "A & B CD"


def test_figure_output_bundle_has_png_svg_alt_number_and_a_phone_version():
    output = FigureOutput(figure(), 2, "timeline", "Caption", label="Figura", narrow=figure(charts.NARROW))
    data, meta = output._repr_mimebundle_()
    assert base64.b64decode(data["image/png"])[:4] == b"\x89PNG"
    assert base64.b64decode(meta[FIGURE_MIME]["narrow_png"])[:4] == b"\x89PNG"
    assert data["image/svg+xml"].startswith("<?xml")
    assert meta["image/png"]["alt"] == output.alt == charts.alt_text(output.figure)
    assert meta["image/png"]["width"] == round(charts.WIDE * 96)
    assert meta[FIGURE_MIME]["narrow_width"] == round(charts.NARROW * 96)
    assert {k: meta[FIGURE_MIME][k] for k in ("number", "key", "label", "caption", "source")} == {
        "number": 2,
        "key": "timeline",
        "label": "Figura",
        "caption": "Caption",
        "source": "test",
    }
    assert data["text/plain"].startswith("Figura 2. Caption")


def test_a_section_displays_each_part_with_its_heading_on_the_first(capsys):
    shell = InteractiveShell.instance()
    shown = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append((data, metadata or {}))
    chart = FigureOutput(figure(), 1, "timeline", "Caption")
    section = Section(
        "timeline", "Timeline", [Markup("<h2 id='timeline'>Timeline</h2><p>x</p>"), chart, Markup("<p>y</p>")]
    )
    try:
        from IPython.display import display

        display(section)
    finally:
        InteractiveShell.clear_instance()
    assert len(shown) == 3
    (first, first_meta), (image, image_meta), (last, last_meta) = shown
    assert first_meta[SECTION_MIME] == {"id": "timeline", "title": "Timeline"}
    # the heading and introduction stay with the chart that follows them, in the PDF
    assert first["text/html"].startswith('<div class="section-intro"><h2')
    assert "image/png" in image and FIGURE_MIME in image_meta
    assert last == {"text/html": "<p>y</p>", "text/plain": "y"} and SECTION_MIME not in last_meta
    assert section.text == "Timeline x y" and section.figures == [chart]
