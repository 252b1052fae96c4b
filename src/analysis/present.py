"""Display objects for the report notebook: HTML blocks, numbered tables and figures.

Everything taken from the data is escaped here, once (`esc`), so an event named
``<script>…</script>`` reaches the page as text. Tables and figures carry their number, caption
and source in their output's metadata too, where the project template and the build read them.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import matplotlib.style
from matplotlib.figure import Figure
from PIL import Image

from analysis import config
from analysis.config import FIGURE_MIME

__all__ = ["FIGURE_MIME", "Column", "FigureOutput", "Html", "Numbering", "esc", "paragraphs", "table"]


def esc(value: object) -> str:
    """Escape any value for HTML text or attributes."""
    return html.escape("" if value is None else str(value), quote=True)


class Html:
    """A block of trusted HTML (built with `esc` around every data value).

    Parameters
    ----------
    markup : str
        The HTML.
    text : str, optional
        A plain-text rendering for consoles; tags stripped from ``markup`` when omitted.
    """

    def __init__(self, markup: str, text: str | None = None):
        self.markup = markup
        self.text = text if text is not None else _strip_tags(markup)

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text

    def __add__(self, other: Html) -> Html:
        return Html(self.markup + other.markup, self.text + "\n" + other.text)


def _strip_tags(markup: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []
    parser = HTMLParser()
    parser.handle_data = parts.append
    parser.feed(markup)
    return html.unescape("".join(parts)).strip()


def paragraphs(*texts: str, css: str = "") -> Html:
    """Wrap already-escaped sentences in ``<p>`` elements.

    Parameters
    ----------
    *texts : str
        HTML fragments, one per paragraph; data values inside must have gone through `esc`.
    css : str, optional
        A class for every paragraph.

    Returns
    -------
    Html
    """
    attribute = f' class="{esc(css)}"' if css else ""
    return Html("".join(f"<p{attribute}>{t}</p>" for t in texts if t))


@dataclass(frozen=True)
class Column:
    """One column of a `Table`.

    Attributes
    ----------
    key : str
        The row field it shows.
    header : str
        Its heading, units included (``"FDI (US$ millions)"``).
    render : callable, optional
        Turns the field's value into text; ``str`` by default. Its result is escaped.
    numeric : bool
        Right-align (numbers).
    html : callable, optional
        Turns the whole row into trusted HTML instead of ``render`` (for links).
    width : str, optional
        Its share of the table's width (``"20%"``): the PDF lays tables out with fixed column
        widths, which is both steadier and far faster than sizing columns to their content.
    """

    key: str
    header: str
    render: Callable[[object], str] = str
    numeric: bool = False
    html: Callable[[dict], str] | None = None
    width: str = ""


@dataclass
class Numbering:
    """Counts tables and figures as the notebook shows them."""

    tables: int = 0
    figures: int = 0

    def next_table(self) -> int:
        """Return the next table's number."""
        self.tables += 1
        return self.tables

    def next_figure(self) -> int:
        """Return the next figure's number."""
        self.figures += 1
        return self.figures


def table(
    number: int,
    caption: str,
    columns: Sequence[Column],
    rows: Iterable[dict],
    *,
    note: str = "",
    css: str = "",
    row_css: Callable[[dict], str] | None = None,
) -> Html:
    """Render a numbered table with a caption; every cell escaped.

    Parameters
    ----------
    number : int
        Its number in the report.
    caption : str
        What it shows (plain text; escaped).
    columns : sequence of Column
        The columns, in order.
    rows : iterable of dict
        The rows.
    note : str, optional
        Trusted HTML shown under the table (a source line or a key).
    css : str, optional
        Extra classes for the ``<table>`` and its ``<figure>``: ``long`` lets a table break across
        PDF pages; ``grid`` keeps it a grid on a phone, where other tables stack each row into a
        block of labelled values.
    row_css : callable, optional
        Gives each row a class.

    Returns
    -------
    Html
    """
    head = "".join(f'<th scope="col"{_num(c)}>{esc(c.header)}</th>' for c in columns)
    widths = "".join(f'<col style="width: {esc(c.width)}">' if c.width else "<col>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            content = c.html(row) if c.html else esc(c.render(row.get(c.key)))
            cells.append(f'<td{_num(c)} data-label="{esc(c.header)}">{content}</td>')
        klass = f' class="{esc(row_css(row))}"' if row_css and row_css(row) else ""
        body.append(f"<tr{klass}>{''.join(cells)}</tr>")
    label = f"Table {number}"
    foot = f'<p class="table-note">{note}</p>' if note else ""
    markup = (
        # focusable, so a keyboard can scroll a table wider than a phone's screen
        f'<figure class="table {esc(css)}" id="table-{number}" tabindex="0" aria-label="{label}">'
        f'<table class="data {esc(css)}"><caption><span class="label">{label}.</span> {esc(caption)}</caption>'
        f"<colgroup>{widths}</colgroup><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}</figure>"
    )
    return Html(markup, f"{label}. {caption}")


def _num(column: Column) -> str:
    return ' class="num"' if column.numeric else ""


@dataclass
class FigureOutput:
    """A numbered chart: PNG for the page, SVG for reuse, alt text, caption and source.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A chart from `analysis.charts` (its ``alt_text`` is used).
    number : int
        Its number in the report.
    key : str
        A short stable name (``"fdi"``): the build saves ``reports/figures/NAME-KEY.svg/.png``.
    caption : str
        What it shows.
    dpi : int
        Resolution of the PNG.
    """

    figure: Figure
    number: int
    key: str
    caption: str
    dpi: int = 200
    _bundle: dict = field(default_factory=dict, repr=False)

    def _render(self) -> dict:
        if not self._bundle:
            with matplotlib.style.context(config.MPL_STYLE):  # savefig settings come from the style too
                self._bundle = self._draw()
        return self._bundle

    def _draw(self) -> dict:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        # One raster draw at the PNG's resolution, read straight from Agg's buffer: the charts
        # are opaque, so the alpha channel is dropped (it would cost the PDF a soft mask).
        canvas = FigureCanvasAgg(self.figure)
        self.figure.set_dpi(self.dpi)
        canvas.draw()
        png = io.BytesIO()
        Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba()).convert("RGB").save(
            png, format="png", compress_level=3
        )
        # The vector copy reuses the layout the raster draw settled: no second layout pass.
        self.figure.set_layout_engine("none")
        svg = io.StringIO()
        self.figure.savefig(svg, format="svg", dpi=72, metadata={"Date": None})
        return {
            "png": base64.b64encode(png.getvalue()).decode("ascii"),
            "svg": svg.getvalue(),
            "width": round(self.figure.get_figwidth() * self.dpi),
        }

    def _repr_mimebundle_(self, include=None, exclude=None):
        rendered = self._render()
        alt = self.figure.alt_text
        data = {
            "image/png": rendered["png"],
            "image/svg+xml": rendered["svg"],
            "text/plain": f"Figure {self.number}. {self.caption}\n{alt}",
        }
        meta = {
            "image/png": {"alt": alt, "width": rendered["width"]},
            FIGURE_MIME: {
                "number": self.number,
                "key": self.key,
                "caption": self.caption,
                "alt": alt,
                "source": getattr(self.figure, "source_text", ""),
            },
        }
        return data, meta
