"""Display objects: a section shows as outputs, its first carrying its heading for the contents;
figures carry alt text, a number and, where given, a version for phones."""

import base64
import functools
import io
import re

import matplotlib
import pytest
from IPython.core.interactiveshell import InteractiveShell
from markupsafe import Markup
from matplotlib.figure import Figure
from PIL import Image

from analysis import _charts as charts
from analysis import _present as present
from analysis._language import edition
from analysis._present import FIGURE_MIME, SECTION_MIME, FigureOutput, Renders, Section, plain_text
from analysis._sections.timeline import Event

FMT = edition("en").fmt


def chart(text: str = "An event") -> functools.partial:
    """A chart of one dated event by `analysis._charts`, to draw (so keyed by what it is drawn from)."""
    marks = charts.timeline_marks([Event("2025-06-20", 2025, "energy", text, "en", "", "en", "s")], fmt=FMT, differ={})
    words = charts.ChartWords(title="Events", source="test", alt=f"One event: {text}")
    return functools.partial(charts.events_chart, marks, categories={"energy": "Energy"}, words=words)


def output(text: str = "An event", **changes) -> FigureOutput:
    arguments = {"alt": f"One event: {text}", "source": "test", **changes}
    return FigureOutput(chart(text), arguments.pop("number", 1), "timeline", "Caption", **arguments)


def drawn(figure: Figure, alt: str = "A chart drawn by hand") -> FigureOutput:
    """A figure drawn by hand (not by a helper of `analysis._charts`: no content key), without a phone version."""
    return FigureOutput(lambda: figure, 1, "board", "Caption", alt, phone=False)


def test_figure_output_bundle_has_png_svg_alt_number_and_a_phone_version():
    shown = output(number=2, label="Figura")
    data, meta = shown._repr_mimebundle_()
    assert base64.b64decode(data["image/png"])[:4] == b"\x89PNG"
    assert base64.b64decode(meta[FIGURE_MIME]["narrow_png"])[:4] == b"\x89PNG"
    assert data["image/svg+xml"].startswith("<?xml")
    assert meta["image/png"]["alt"] == shown.alt == shown.figure.alt_text == "One event: An event"
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


def shown_parts(section: Section) -> list[tuple[dict, dict]]:
    shell = InteractiveShell.instance()
    shown = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append((data, metadata or {}))
    try:
        from IPython.display import display

        display(section)
    finally:
        InteractiveShell.clear_instance()
    return shown


def test_a_section_displays_each_part_with_its_heading_on_the_first():
    figure = output()
    section = Section(
        "timeline", "Timeline", [Markup("<h2 id='timeline'>Timeline</h2><p>x</p>"), figure, Markup("<p>y</p>")]
    )
    shown = shown_parts(section)
    assert len(shown) == 3
    (first, first_meta), (image, image_meta), (last, last_meta) = shown
    assert first_meta[SECTION_MIME] == {"id": "timeline", "title": "Timeline"}
    # the heading and introduction stay with the chart that follows them, in the PDF
    assert first["text/html"].startswith('<div class="section-intro"><h2')
    assert "image/png" in image and FIGURE_MIME in image_meta
    assert last == {"text/html": "<p>y</p>", "text/plain": "y"} and SECTION_MIME not in last_meta
    assert section.text == "Timeline x y" and section.figures == [figure]


BLOCKS = ["p", "li", "td", "th", "tr", "h2", "h3", "caption", "figcaption", "ul", "table", "figure"]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>A &amp; B</p><p>C<strong>D</strong></p>", "A & B CD"),  # paragraphs are apart, inline markup is not
        ("one<br>two", "one two"),  # a line break
        # nothing but a block element between the words: a reader still sees them apart
        *((f"one<{tag}>two</{tag}>three", "one two three") for tag in BLOCKS),
    ],
)
def test_plain_text_is_what_a_reader_sees(markup, text):
    assert plain_text(markup) == text


def test_figure_output_png_is_the_chart_drawn_opaque_at_its_resolution_saved_at_zlib_level_3():
    shown = output(dpi=100)
    png = base64.b64decode(shown._repr_mimebundle_()[0]["image/png"])
    with Image.open(io.BytesIO(png)) as drawn:
        # the chart's own size in inches, at 100 dots an inch; no alpha channel (a soft mask in the PDF)
        assert drawn.size == (round(shown.figure.get_figwidth() * 100), round(shown.figure.get_figheight() * 100))
        assert drawn.mode == "RGB"
        assert drawn.convert("L").getextrema() == (pytest.approx(0, abs=80), 255)  # ink on white
        pixels = Image.frombytes("RGB", drawn.size, drawn.tobytes())
    # the same pixels saved by Pillow at compress level 3 give the same bytes: no other level
    # (the default is 6), no other chunk
    again = io.BytesIO()
    pixels.save(again, format="png", compress_level=3)
    assert png == again.getvalue()


def test_figure_output_svg_is_drawn_at_72_dots_an_inch():
    # one pixel a point (not the style's 200 for saved files): an image filling a chart of 2 by 1
    # inches is 144 by 72 pixels inside the SVG
    board = Figure(figsize=(2, 1))
    board.add_axes((0, 0, 1, 1)).imshow([[0, 1], [1, 0]], aspect="auto", interpolation="nearest")
    svg = drawn(board)._repr_mimebundle_()[0]["image/svg+xml"]
    (data,) = re.findall(r'xlink:href="data:image/png;base64,\s*([^"]+)"', svg)
    with Image.open(io.BytesIO(base64.b64decode(data))) as image:
        assert image.size == (144, 72)


def test_figure_output_svg_keeps_the_layout_of_the_png_whatever_matplotlibs_settings():
    # an analyst's matplotlibrc asking for tight layout must not lay the chart out again for the SVG
    plain, asked = output(), output()
    plain._repr_mimebundle_()
    with matplotlib.rc_context({"figure.autolayout": True}):
        asked._repr_mimebundle_()
    assert [a.get_position().bounds for a in asked.figure.axes] == [a.get_position().bounds for a in plain.figure.axes]


def test_the_phone_version_is_drawn_once_as_a_png_only():
    # no SVG of it is kept, so none is drawn (an SVG would cost it two more draws)
    shown = output()
    phone, draws = shown.narrow, []
    phone.draw = lambda renderer, draw=phone.draw: draws.append(renderer) or draw(renderer)
    shown._repr_mimebundle_()
    assert len(draws) == 1


def test_a_figure_without_a_source_line_carries_an_empty_one():
    meta = drawn(Figure(), "A bare chart")._repr_mimebundle_()[1]
    assert meta[FIGURE_MIME]["source"] == "" and meta[FIGURE_MIME]["alt"] == "A bare chart"
    assert meta[FIGURE_MIME]["narrow_png"] is None


def test_a_section_of_one_part_is_not_wrapped_and_of_two_is():
    ((alone, meta),) = shown_parts(Section("caveats", "What to keep in mind", [Markup("<h2>W</h2><p>x</p>")]))
    assert alone["text/html"] == "<h2>W</h2><p>x</p>" and meta[SECTION_MIME]["id"] == "caveats"
    (first, _), (second, second_meta) = shown_parts(Section("s", "S", [Markup("<h2>S</h2>"), Markup("<p>y</p>")]))
    assert first["text/html"] == '<div class="section-intro"><h2>S</h2></div>'
    assert second["text/html"] == "<p>y</p>" and SECTION_MIME not in second_meta


def test_a_section_shows_as_its_html_and_its_text():
    section = Section("s", "S", [Markup("<h2>S &amp; T</h2>"), Markup("<p>y</p>")])
    assert section._repr_html_() == "<h2>S &amp; T</h2>\n<p>y</p>"
    assert repr(section) == "S & T y"


# Renderings a warm kernel keeps ----------------------------------------------------------------


@pytest.fixture
def draws(monkeypatch):
    """The charts drawn, counted, with a store of renderings of the test's own (keeping none, as in a build)."""
    monkeypatch.setattr(present, "RENDERS", Renders())
    drawn = []
    png = FigureOutput._png
    monkeypatch.setattr(FigureOutput, "_png", lambda self, figure: drawn.append(figure) or png(self, figure))
    return drawn


@pytest.fixture
def kept(draws):
    """The store of renderings keeps them (as a report kernel's does)."""
    present.RENDERS.keep()


def test_a_kept_rendering_is_reused_for_a_chart_drawn_from_the_same_data(kept, draws):
    first = output()._repr_mimebundle_()
    assert output()._repr_mimebundle_() == first
    assert len(draws) == 2  # the first run's wide and narrow charts; none in the second


@pytest.mark.parametrize(
    "other",
    [
        {"text": "Another event"},
        {"dpi": 100},
    ],
)
def test_a_chart_drawn_from_other_data_is_drawn_again(kept, draws, other):
    first = output()._repr_mimebundle_()
    second = output(**other)._repr_mimebundle_()
    assert len(draws) == 4 and second[0]["image/png"] != first[0]["image/png"]


def test_the_least_recently_used_rendering_is_dropped_past_the_limit(draws):
    present.RENDERS.keep(limit=2)
    output("One")._repr_mimebundle_()
    output("Two")._repr_mimebundle_()
    output("One")._repr_mimebundle_()  # used again: now the most recent
    output("Three")._repr_mimebundle_()  # a third: "Two" is dropped
    assert len(draws) == 6
    output("One")._repr_mimebundle_()
    assert len(draws) == 6  # kept
    output("Two")._repr_mimebundle_()
    assert len(draws) == 8  # drawn again


def test_renderings_are_not_kept_unless_asked(draws):
    output()._repr_mimebundle_()
    output()._repr_mimebundle_()
    assert len(draws) == 4


def test_the_same_chart_drawn_twice_gives_the_same_svg_bytes():
    # matplotlib would write the time of drawing, and name a chart's markers and clips at random
    # unless the style gives a salt
    first, second = (output()._repr_mimebundle_()[0] for _ in range(2))
    assert first["image/svg+xml"] == second["image/svg+xml"]
    assert 'id="' in first["image/svg+xml"] and "<dc:date>" not in first["image/svg+xml"]


def test_a_chart_without_a_phone_version_is_kept_too(kept, draws):
    first = output(phone=False)._repr_mimebundle_()
    assert output(phone=False)._repr_mimebundle_() == first
    assert len(draws) == 1


def test_a_chart_with_and_without_its_phone_version_are_kept_apart(kept, draws):
    alone = output(phone=False)._repr_mimebundle_()
    both = output()._repr_mimebundle_()
    assert len(draws) == 3  # the page's chart, then the page's and the phone's: nothing taken for the other
    assert alone[1][FIGURE_MIME]["narrow_png"] is None and both[1][FIGURE_MIME]["narrow_png"]


def test_a_chart_without_a_content_key_is_never_taken_for_another(kept, draws):
    shown = []
    for text in ("One", "Two"):
        figure = Figure(figsize=(2, 1))
        figure.text(0.5, 0.5, text)
        shown.append(drawn(figure)._repr_mimebundle_())  # drawn by hand, not by a helper of analysis._charts
    assert len(draws) == 2 and shown[1][0]["image/png"] != shown[0][0]["image/png"]


def test_a_kept_rendering_is_shown_without_drawing_the_chart(kept):
    first = output()
    first._repr_mimebundle_()
    again = output()
    assert again._repr_mimebundle_() == first._repr_mimebundle_()
    assert "figure" not in again.__dict__ and "narrow" not in again.__dict__  # neither width drawn
