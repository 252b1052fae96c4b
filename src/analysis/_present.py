"""Display objects for the report notebook: sections and numbered figures.

A `Section` is what one notebook cell shows: its parts are HTML (`markupsafe.Markup`, rendered
from the edition's templates, so every value from the data arrives escaped) and charts
(`FigureOutput`). In the notebook it displays each part as an output of its own; its first
output carries the section's id and title in its metadata, where the build finds the contents.

Drawing the charts is most of a run's time. A chart is drawn when first shown, and a kernel kept
warm between runs (`analysis watch`) keeps its latest renderings in `RENDERS` by what each chart
is drawn from (its content key, known before drawing): a chart whose data did not change is not
drawn again, so an edit to the figures redraws the charts of figures, not the timeline's.
"""

from __future__ import annotations

import base64
import functools
import html
import io
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

import matplotlib.style
from markupsafe import Markup
from matplotlib.figure import Figure
from PIL import Image

from analysis import _config as config
from analysis._config import FIGURE_MIME, SECTION_MIME

__all__ = ["FIGURE_MIME", "RENDERS", "SECTION_MIME", "FigureOutput", "Renders", "Section", "plain_text"]


def plain_text(markup: str) -> str:
    """Return the text a reader sees in some HTML: tags dropped, entities decoded, spaces folded."""
    parts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append
    blocks = {"p", "li", "td", "th", "tr", "h2", "h3", "caption", "figcaption", "br", "ul", "table", "figure"}
    parser.handle_starttag = lambda tag, attrs: parts.append(" ") if tag in blocks else None
    parser.handle_endtag = lambda tag: parts.append(" ") if tag in blocks else None
    parser.feed(str(markup))
    return " ".join(html.unescape("".join(parts)).split())


class Renders:
    """Charts rendered by this process, by content key, for its later runs (least recently used dropped past ``limit``).

    Off until `keep` is called (a report kernel does as it settles), so a process that builds
    once, or tests that build many reports, draw every chart.
    """

    def __init__(self, limit: int = 32) -> None:
        self.kept = False
        self.limit = limit
        self._renderings: OrderedDict[tuple, dict] = OrderedDict()

    def keep(self) -> None:
        """Keep renderings from now on."""
        self.kept = True

    def get(self, key: tuple | None) -> dict | None:
        """Return the rendering kept under ``key``, or None."""
        found = self._renderings.get(key) if key is not None else None
        if found is not None:
            self._renderings.move_to_end(key)
        return found

    def put(self, key: tuple | None, rendered: dict) -> None:
        """Keep a rendering under ``key`` (nothing is kept without a key, or unless asked to)."""
        if self.kept and key is not None:
            self._renderings[key] = rendered
            self._renderings.move_to_end(key)
            while len(self._renderings) > self.limit:
                self._renderings.popitem(last=False)


RENDERS = Renders()


@dataclass
class FigureOutput:
    """A numbered chart, drawn when first shown: PNG for the page, SVG for reuse (``figures/NAME-KEY.svg``).

    ``draw()`` draws it for the page and, unless ``phone`` is False, ``draw(narrow=True)`` for a
    phone. Where ``draw`` is a `functools.partial` of a helper of `analysis._charts`, its
    `content_keys` are known before drawing, so a rendering this process kept is shown undrawn.
    """

    draw: Callable[..., Figure]
    number: int
    key: str
    caption: str
    alt: str
    source: str = ""
    label: str = "Figure"
    phone: bool = True
    dpi: int = 200
    _bundle: dict = field(default_factory=dict, repr=False)

    @functools.cached_property
    def figure(self) -> Figure:
        """The chart at the page's width."""
        return self.draw()

    @functools.cached_property
    def narrow(self) -> Figure | None:
        """The chart at a phone's width, or None."""
        return self.draw(narrow=True) if self.phone else None

    @property
    def content_keys(self) -> tuple | None:
        """What its rendering depends on (each width's chart key, the resolution); None where not known."""
        helper, args, kwargs = (getattr(self.draw, name, None) for name in ("func", "args", "keywords"))
        if not hasattr(helper, "key"):
            return None
        phone = (helper.key(*args, narrow=True, **kwargs),) if self.phone else ()
        return (helper.key(*args, **kwargs), *phone, self.dpi)

    def _render(self) -> dict:
        if not self._bundle:
            key = self.content_keys
            self._bundle = RENDERS.get(key) or {}
        if not self._bundle:
            with matplotlib.style.context(config.MPL_STYLE):  # savefig settings come from the style too
                bundle = self._draw(self.figure, svg=True)
                if self.narrow is not None:
                    narrow = self._draw(self.narrow, svg=False)
                    bundle["narrow_png"], bundle["narrow_width"] = narrow["png"], narrow["width"]
            RENDERS.put(key, bundle)
            self._bundle = bundle
        return self._bundle

    def _draw(self, figure: Figure, svg: bool) -> dict:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        # One raster draw at the PNG's resolution, read straight from Agg's buffer: the charts
        # are opaque, so the alpha channel is dropped (it would cost the PDF a soft mask).
        canvas = FigureCanvasAgg(figure)
        figure.set_dpi(self.dpi)
        canvas.draw()
        png = io.BytesIO()
        Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba()).convert("RGB").save(
            png, format="png", compress_level=3
        )
        drawn = {"png": base64.b64encode(png.getvalue()).decode("ascii"), "width": round(figure.get_figwidth() * 96)}
        if svg:
            # The vector copy reuses the layout the raster draw settled: no second layout pass.
            figure.set_layout_engine("none")
            text = io.StringIO()
            figure.savefig(text, format="svg", dpi=72, metadata={"Date": None})
            drawn["svg"] = text.getvalue()
        return drawn

    def _repr_mimebundle_(self, include=None, exclude=None):
        rendered = self._render()
        data = {
            "image/png": rendered["png"],
            "image/svg+xml": rendered["svg"],
            "text/plain": f"{self.label} {self.number}. {self.caption}\n{self.alt}",
        }
        meta = {
            "image/png": {"alt": self.alt, "width": rendered["width"]},
            FIGURE_MIME: {
                "number": self.number,
                "key": self.key,
                "label": self.label,
                "caption": self.caption,
                "alt": self.alt,
                "source": self.source,
                "narrow_png": rendered.get("narrow_png"),
                "narrow_width": rendered.get("narrow_width"),
            },
        }
        return data, meta


@dataclass
class Section:
    """One section of the report: its heading's id (the same in every language) and text, and its parts.

    The parts are Markup or `FigureOutput`, in order; the first holds the heading.
    """

    id: str
    title: str
    parts: Sequence[Markup | FigureOutput]

    @property
    def html(self) -> Markup:
        """The section's HTML parts joined (charts left out): what snapshot tests compare."""
        return Markup("\n").join(p for p in self.parts if isinstance(p, Markup))

    @property
    def text(self) -> str:
        """What a reader sees of the section's HTML, as plain text."""
        return plain_text(self.html)

    @property
    def figures(self) -> list[FigureOutput]:
        """The section's charts."""
        return [p for p in self.parts if isinstance(p, FigureOutput)]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        first = True
        for part in self.parts:
            if isinstance(part, FigureOutput):
                display(part)
            else:
                metadata = {SECTION_MIME: {"id": self.id, "title": self.title}} if first else None
                if first and len(self.parts) > 1:  # its heading and introduction stay with what follows
                    part = Markup('<div class="section-intro">{}</div>').format(part)
                display({"text/html": str(part), "text/plain": plain_text(part)}, raw=True, metadata=metadata)
            first = False

    def _repr_html_(self) -> str:
        return str(self.html)

    def __repr__(self) -> str:
        return self.text
