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
from dataclasses import dataclass
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

    Keeps none until `keep` is called (a report kernel does as it settles), so a process that
    builds once, or tests that build many reports, draw every chart.
    """

    def __init__(self) -> None:
        self.limit = 0
        self._renderings: OrderedDict[tuple, dict] = OrderedDict()

    def keep(self, limit: int = 32) -> None:
        """Keep the latest ``limit`` renderings from now on."""
        self.limit = limit

    def get(self, key: tuple | None) -> dict | None:
        """Return the rendering kept under ``key``, or None."""
        if key in self._renderings:
            self._renderings.move_to_end(key)
        return self._renderings.get(key)

    def put(self, key: tuple | None, rendered: dict) -> None:
        """Keep a new rendering under ``key`` (nothing is kept without a key)."""
        if key is not None:
            self._renderings[key] = rendered
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

    @functools.cached_property
    def _rendered(self) -> dict:
        """Its PNG and SVG, and its phone version's PNG: the ones this process kept, if it did."""
        key = self.content_keys
        if (kept := RENDERS.get(key)) is not None:
            return kept
        with matplotlib.style.context(config.MPL_STYLE):  # savefig settings come from the style too
            rendered = {  # the SVG after the PNG, in the layout the PNG's draw settled
                "png": self._png(self.figure),
                "width": round(self.figure.get_figwidth() * 96),
                "svg": self._svg(self.figure),
            }
            if self.narrow is not None:
                rendered.update(narrow_png=self._png(self.narrow), narrow_width=round(self.narrow.get_figwidth() * 96))
        RENDERS.put(key, rendered)
        return rendered

    def _png(self, figure: Figure) -> str:
        """Draw the figure once at the PNG's resolution; return it opaque (an alpha channel costs the PDF a soft mask), in base64."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(figure)
        figure.set_dpi(self.dpi)
        canvas.draw()
        png = io.BytesIO()
        Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba()).convert("RGB").save(
            png, format="png", compress_level=3
        )
        return base64.b64encode(png.getvalue()).decode("ascii")

    @staticmethod
    def _svg(figure: Figure) -> str:
        """Return the figure as SVG in the layout its PNG's draw settled (not laid out again)."""
        figure.set_layout_engine("none")
        text = io.StringIO()
        figure.savefig(text, format="svg", dpi=72, metadata={"Date": None})
        return text.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        rendered = self._rendered
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

        for i, part in enumerate(self.parts):
            if isinstance(part, FigureOutput):
                display(part)
                continue
            if i == 0 and len(self.parts) > 1:  # its heading and introduction stay with what follows
                part = Markup('<div class="section-intro">{}</div>').format(part)
            metadata = {SECTION_MIME: {"id": self.id, "title": self.title}} if i == 0 else None
            display({"text/html": str(part), "text/plain": plain_text(part)}, raw=True, metadata=metadata)

    def _repr_html_(self) -> str:
        return str(self.html)

    def __repr__(self) -> str:
        return self.text
