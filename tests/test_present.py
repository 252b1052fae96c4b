"""Display objects: every value from the data escaped; figures carry alt text and a number."""

import base64

import pandas as pd

from analysis import charts
from analysis.present import FIGURE_MIME, Column, FigureOutput, Numbering, esc, paragraphs, table


def test_esc_escapes_markup_and_quotes():
    assert esc('<script>alert("x")</script> & co') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
    assert esc(None) == ""


def test_table_escapes_every_cell_and_caption():
    html = table(
        3,
        "Caption <i>",
        [Column("name", "Name <b>"), Column("value", "US$ millions", numeric=True, render=lambda v: f"{v:,.1f}")],
        [{"name": "<script>x</script>", "value": 36872.0}],
    ).markup
    assert "<script>" not in html and "<i>" not in html and "<b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<td class="num" data-label="US$ millions">36,872.0</td>' in html
    assert '<span class="label">Table 3.</span> Caption &lt;i&gt;' in html
    assert '<th scope="col" class="num">US$ millions</th>' in html


def test_paragraphs_skip_empty_ones():
    assert paragraphs("one", "", "two", css="lead").markup == '<p class="lead">one</p><p class="lead">two</p>'


def test_numbering_counts_tables_and_figures_apart():
    numbers = Numbering()
    assert (numbers.next_table(), numbers.next_table(), numbers.next_figure()) == (1, 2, 1)


def test_figure_output_bundle_has_png_svg_alt_and_number():
    events = pd.DataFrame(
        {
            "date": ["2025-06-20"],
            "event": ["An event"],
            "category": ["energy"],
            "precision": ["day"],
            "when": pd.to_datetime(["2025-06-20"]),
            "year": [2025],
        }
    )
    figure = charts.timeline_chart(events, start=2020, end=2025, source="test")
    data, meta = FigureOutput(figure, 2, "timeline", "Caption")._repr_mimebundle_()
    assert base64.b64decode(data["image/png"])[:4] == b"\x89PNG"
    assert data["image/svg+xml"].startswith("<?xml")
    assert meta["image/png"]["alt"] == charts.alt_text(figure)
    assert meta[FIGURE_MIME] == {
        "number": 2,
        "key": "timeline",
        "caption": "Caption",
        "alt": charts.alt_text(figure),
        "source": "test",
    }
