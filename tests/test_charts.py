"""Charts: a Figure each, with a left-aligned title, a source line and alt text in the caller's words;
every text legible and inside the image at both widths; part years never drawn as full years."""

import dataclasses
import functools
import io
import itertools
import re

import matplotlib.colors
import matplotlib.pyplot as plt
import pytest
from conftest import bilingual_report
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis import _charts as charts
from analysis._facts import Period, Reported
from analysis._language import edition
from analysis._sections.timeline import Event

EN, ES = edition("en"), edition("es")
report = bilingual_report


def svg_text(output) -> str:
    """The text of a chart's SVG as the build saves it (text kept as text: svg.fonttype none)."""
    svg = output._repr_mimebundle_()[0]["image/svg+xml"]
    return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_chart_text_is_in_the_editions_language():
    r = report("es")
    output = r.by_year().figures[0]
    drawn = svg_text(output)
    figure = output.figure
    assert figure._suptitle.get_text() and figure._suptitle.get_horizontalalignment() == "left"
    assert figure._suptitle.get_position()[0] == figure._supxlabel.get_position()[0] < 0.02
    assert figure._supxlabel.get_text().startswith("Fuentes: ")
    # the fixture: full years 2019 (12.5) and 2023 (50.0 and 45.5) of the five from 2019 to 2023
    assert "IED de Corea del Sur en Chile: cifra anual para 2 de los 5 años de 2019" in drawn
    assert "Solo enero\u2009–\u2009junio (no el año completo)" in drawn  # CLDR's interval, thin spaces
    assert "millones de dólares" in drawn
    assert figure.alt_text.startswith("Puntos de la IED de Corea del Sur en Chile en un eje de tiempo")
    timeline = svg_text(r.timeline().figures[0])
    assert "Diplomacia" in timeline and "mayo de 1901: Se firma el tratado de prueba" in timeline


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


LONG = "A long event description that needs a good deal of room on the page, " * 3


def test_the_style_loads_by_dotted_name():
    with matplotlib.style.context("analysis.house"):
        assert matplotlib.rcParams["axes.titlelocation"] == "left"
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0].lower() == "#0072b2"


def test_every_chart_of_the_report_is_keyed_before_it_is_drawn():
    built = report()
    figures = [f for name in ("evidence", "size", "by_year", "timeline") for f in getattr(built, name)().figures]
    assert {f.key for f in figures} >= {"range", "origins", "fdi"}
    keys = [k for f in figures for k in f.content_keys[:2]]  # the page's and the phone's (then the resolution)
    assert all(k.startswith("sha256:") for k in keys)
    assert len(set(keys)) == len(keys)  # no two charts drawn from the same: no key shared
    assert not any("figure" in f.__dict__ for f in figures)  # none drawn yet
    assert figures[0].figure.content_key == figures[0].content_keys[0]  # the key of what is drawn


# Publishers' names with dollar signs: one mathtext would draw as TeX ("x" italic, "2" raised),
# one it cannot parse (a double subscript) and would fail to draw.
TRICKY_PUBLISHERS = ["Pay $x^2$ Ltd", "US$5_1_2 and US$7 Ltd"]


def drawn_svg_text(figure: Figure) -> list[str]:
    """The texts a figure draws, from its SVG (text kept as text), outside the house style.

    Only ``svg.fonttype`` is set: mathtext stays on by default, so a text drawn as TeX shows.
    """
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "text.parse_math": True}):
        figure.savefig(buffer, format="svg")
    return [" ".join(t.split()) for t in re.findall(r"<text[^>]*>([^<]*)</text>", buffer.getvalue())]


# Charts drawn from the caller's words ------------------------------------------------------------

FMT = EN.fmt


def reported(value, source, published, credited_to=None, independent=True, used=False, decimals=1) -> Reported:
    return Reported(value, decimals, source, credited_to or source, published, "low", independent, used, "")


# The project's reports of Russian FDI into Mexico: 2.8 in 2022 (Proceso); in 2024, 86.4 from Proceso
# and from Expansión (known through gw2ru.com's copy), 19.1 from forte.news, and an echo of Proceso.
BASE = Period("RUS", "MEX", 2022, 12, (reported(2.8, "proceso", "2025-06-25", used=True),))
TARGET = Period(
    "RUS",
    "MEX",
    2024,
    12,
    (
        reported(86.4, "gw2ru", "2026-01", credited_to="expansion", used=True),
        reported(86.4, "proceso", "2025-06-25"),
        reported(19.1, "forte", "2025-03-05"),
        reported(86.4, "merida", "2025-06-28", credited_to="proceso", independent=False),
    ),
)
CREDITS = {
    "proceso": "Proceso, Jun 2025",
    "gw2ru": "Expansión (via gw2ru.com), Jan 2026",
    "forte": "forte.news, Mar 2025",
    "merida": "Mérida Digital, Jun 2025",
}
WORDS = charts.ChartWords(
    title="Between 7 and 31 times, depending on which 2024 figure is right",
    source="Sources: Proceso; Expansión via gw2ru.com; forte.news",
    alt="A chart of the reports of Russian FDI into Mexico",
    axis="US$ millions",
)


def laid_out(build):
    """Draw a new chart, failing if its layout collapsed (its texts would be drawn over the plot)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("error", "constrained_layout not applied")
        figure = build()
        FigureCanvasAgg(figure).draw()
    return figure


def range_figure(narrow=False, base=BASE, target=TARGET, **changes) -> Figure:
    arguments = {"credits": CREDITS, "fmt": FMT, "words": WORDS, "narrow": narrow, **changes}
    return laid_out(lambda: charts.range_chart(base, target, **arguments))


@functools.cache
def shared(kind: str, narrow: bool) -> Figure:
    """A chart drawn from the module's data once, for the tests that only read it."""
    return {"range": range_figure, "years": years_figure, "origins": origins_figure}[kind](narrow)


def by_gid(figure: Figure, gid: str) -> list:
    return list(figure.findobj(lambda a: a.get_gid() == gid))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("narrow", [False, True])
def test_range_chart_draws_one_mark_per_distinct_independent_value_with_every_credit(narrow):
    figure = shared("range", narrow)
    marks = sorted((float(m.get_xdata()[0]), float(m.get_ydata()[0])) for m in by_gid(figure, "range-mark"))
    assert marks == [(0.0, 2.8), (1.0, 19.1), (1.0, 86.4)]  # 86.4, given by two sources, is one mark
    assert sorted(t.get_text() for t in by_gid(figure, "range-value")) == ["19.1", "2.8", "86.4"]
    credits = [flat(t.get_text()) for t in by_gid(figure, "range-credit")]
    assert sorted(credits) == sorted(
        ["Proceso, Jun 2025", "Proceso, Jun 2025 Expansión (via gw2ru.com), Jan 2026", "forte.news, Mar 2025"]
    )  # oldest first; the echo (Mérida Digital) is folded into what it repeats, not credited
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["2022", "2024"]
    assert figure.alt_text == WORDS.alt and flat(figure._suptitle.get_text()) == WORDS.title


def test_range_chart_marks_the_multiple_at_each_end_of_the_range():
    figure = shared("range", False)
    # lowest: 19.1 / 2.8 = 6.821...; highest: 86.4 / 2.8 = 30.857...; one decimal tells them apart
    assert sorted(t.get_text() for t in by_gid(figure, "range-multiple")) == ["×30.9", "×6.8"]
    arrows = [a for a in figure.axes[0].texts if a.get_text() == "" and a.arrow_patch is not None]
    assert sorted((a.xyann, a.xy) for a in arrows) == [((0, 2.8), (1, 19.1)), ((0, 2.8), (1, 86.4))]
    # two bases: the lowest multiple from the highest base, the highest from the lowest
    base = Period("RUS", "MEX", 2017, 12, (reported(1.0, "embassy", "2018"), reported(13.2, "sputnik", "2018-05")))
    credits = {**CREDITS, "embassy": "Embassy, 2018", "sputnik": "Sputnik, May 2018"}
    figure = range_figure(base=base, credits=credits, multiple="{value} times")
    # 19.1 / 13.2 = 1.447...; 86.4 / 1.0 = 86.4
    assert sorted(t.get_text() for t in by_gid(figure, "range-multiple")) == ["1.4 times", "86.4 times"]


def test_range_chart_draws_no_multiple_from_a_base_that_is_not_above_zero():
    base = Period("RUS", "MEX", 2022, 12, (reported(-2.0, "proceso", "2025-06-25"),))
    figure = range_figure(base=base)
    assert by_gid(figure, "range-multiple") == []
    assert figure.axes[0].get_ylim()[0] < -2.0  # a negative value is on the axis too


@pytest.mark.parametrize("narrow", [False, True])
def test_range_chart_is_on_a_linear_axis_from_zero(narrow):
    axes = shared("range", narrow).axes[0]
    assert axes.get_yscale() == "linear" and axes.get_ylim()[0] == 0
    assert axes.get_ylim()[1] >= 86.4
    assert not axes.patches  # marks, not bars


def test_range_chart_needs_a_credit_for_every_report():
    with pytest.raises(KeyError, match="forte"):
        range_figure(credits={k: v for k, v in CREDITS.items() if k != "forte"})


# Russia's reports by year, as in the project's data: two reports in 2017 and a part-year figure.
YEARS = [
    Period("RUS", "MEX", 2016, 12, (reported(1.9, "promexico", "2017", used=True),)),
    Period("RUS", "MEX", 2017, 9, (reported(10.4, "promexico", "2017", used=True),)),
    Period(
        "RUS",
        "MEX",
        2017,
        12,
        (reported(1.0, "embassy", "2018", decimals=0, used=True), reported(13.2, "sputnik", "2018-05")),
    ),
    BASE,
    TARGET,
    Period("RUS", "MEX", 2025, 9, (reported(430.0, "eluniversal", "2026-03", decimals=0, used=True),)),
]
YEARS_WORDS = dataclasses.replace(WORDS, title="Russia's FDI into Mexico, by year")
PART_YEAR = {9: "January–September only (not a full year)"}


def years_figure(narrow=False, **changes) -> Figure:
    arguments = {
        "fmt": FMT,
        "words": YEARS_WORDS,
        "full_year": "Full year",
        "part_year": PART_YEAR,
        "emphasis": (2022, 2024),
        "narrow": narrow,
    }
    return laid_out(lambda: charts.years_chart(changes.pop("periods", YEARS), **{**arguments, **changes}))


def marks_at(figure: Figure, months: int) -> list[tuple[float, float]]:
    return sorted((float(m.get_xdata()[0]), float(m.get_ydata()[0])) for m in by_gid(figure, f"year-mark-{months}"))


@pytest.mark.parametrize("narrow", [False, True])
def test_years_chart_places_years_by_their_value_on_a_time_axis(narrow):
    figure = shared("years", narrow)
    axes = figure.axes[0]
    full = marks_at(figure, 12)
    assert full == [(2016, 1.9), (2017, 1.0), (2017, 13.2), (2022, 2.8), (2024, 19.1), (2024, 86.4)]
    x = {year: axes.transData.transform((year, 0))[0] for year in (2016, 2017, 2022, 2024)}
    # on the page: 2017 to 2022 five times as long as 2016 to 2017, 2022 to 2024 twice
    assert x[2022] - x[2017] == pytest.approx(5 * (x[2017] - x[2016]))
    assert x[2024] - x[2022] == pytest.approx(2 * (x[2017] - x[2016]))
    assert axes.get_xscale() == "linear" and axes.get_yscale() == "linear" and axes.get_ylim()[0] == 0
    assert not axes.patches  # dots, no bars
    ticks = [int(t) for t in axes.get_xticks()]
    assert {2022, 2024} <= set(ticks)  # the years compared are always written
    labels = [t for t in axes.get_xticklabels() if t.get_text() in ("2022", "2024")]
    assert all(t.get_fontweight() == "bold" for t in labels)


def test_years_chart_draws_part_years_apart_from_full_years():
    figure = shared("years", False)
    assert marks_at(figure, 9) == [(2017, 10.4), (2025, 430.0)]
    part = by_gid(figure, "year-mark-9")[0]
    full = by_gid(figure, "year-mark-12")[0]
    assert part.get_marker() != full.get_marker() and part.get_markerfacecolor() == "white"
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["Full year", PART_YEAR[9]]


def test_years_chart_draws_every_independent_report():
    assert sorted(t.get_text() for t in by_gid(shared("years", False), "year-value")) == sorted(
        ["1.9", "10.4", "1", "13.2", "2.8", "86.4", "19.1", "430"]
    )


@pytest.mark.parametrize("narrow", [False, True])
def test_years_chart_labels_touch_no_dot_and_no_other_label(narrow):
    figure = shared("years", narrow)
    renderer = figure.canvas.get_renderer()
    labels = [Text.get_window_extent(t, renderer) for t in by_gid(figure, "year-value")]  # not its leader line
    assert len(labels) == 8  # every value labelled: there is room for each
    dots = [m.get_window_extent(renderer) for m in figure.axes[0].lines if (m.get_gid() or "").startswith("year-mark")]
    for a, b in itertools.combinations(labels, 2):
        assert not overlaps(a, b), (a, b)
    for label, dot in itertools.product(labels, dots):
        assert not overlaps(label, dot), (label, dot)
    page = figure.bbox
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 for b in labels)


# A period's origins, largest first: seventeen, Russia last.
ORIGINS = [(f"Country {i + 1}", 1000.0 - 50 * i, FMT.number(1000.0 - 50 * i, 0)) for i in range(16)]
ORIGINS.append(("Russia", 86.4, "86.4"))
ORIGIN_WORDS = dataclasses.replace(WORDS, title="Russia is a rounding error", axis="US$ millions, 2024")


def origins_figure(narrow=False, ranked=ORIGINS, highlight=16, **changes) -> Figure:
    arguments = {"fmt": FMT, "words": ORIGIN_WORDS, "rank": "Russia: 17th of 17 origins listed", "narrow": narrow}
    return laid_out(lambda: charts.origins_chart(ranked, highlight=highlight, **{**arguments, **changes}))


@pytest.mark.parametrize("narrow", [False, True])
def test_origins_chart_ranks_the_top_ten_and_the_reports_origin(narrow):
    figure = shared("origins", narrow)
    axes = figure.axes[0]
    names = [t.get_text() for t in axes.get_yticklabels()]
    assert names == [f"Country {i}" for i in range(1, 11)] + ["Russia"]
    bars = sorted(axes.patches, key=lambda p: p.get_y())  # the largest on top
    assert [round(p.get_width(), 1) for p in bars] == [1000.0 - 50 * i for i in range(10)] + [86.4]
    assert bars[-1].get_y() - bars[-2].get_y() > bars[1].get_y() - bars[0].get_y()  # a gap before Russia
    highlighted = [p for p in bars if p.get_facecolor()[:3] == matplotlib.colors.to_rgb(charts.HIGHLIGHT)]
    assert highlighted == [bars[-1]]
    assert axes.get_yticklabels()[-1].get_fontweight() == "bold"
    values = [t.get_text() for t in by_gid(figure, "origin-value")]
    assert values == [FMT.number(1000.0 - 50 * i, 0) for i in range(10)] + ["86.4"]
    assert axes.get_title(loc="left") == "Russia: 17th of 17 origins listed"
    assert axes.get_xscale() == "linear" and all(p.get_x() == 0 for p in bars)  # every bar from zero


def test_origins_chart_draws_an_origin_in_the_top_ten_once():
    figure = origins_figure(highlight=2, rank="")
    names = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert names == [f"Country {i}" for i in range(1, 11)]
    assert figure.axes[0].get_yticklabels()[2].get_fontweight() == "bold"


WITH_A_NEGATIVE = [("Country 1", 1000.0, "1,000"), ("Country 2", 300.0, "300"), ("Russia", -210.0, "-210")]


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("ranked", [ORIGINS, WITH_A_NEGATIVE], ids=["positive", "a negative"])
def test_origins_chart_value_labels_fit_beside_their_bars(narrow, ranked):
    figure = origins_figure(narrow, ranked=ranked, highlight=len(ranked) - 1)
    renderer = figure.canvas.get_renderer()
    axes_box = figure.axes[0].get_window_extent(renderer)
    for label in by_gid(figure, "origin-value"):
        box = label.get_window_extent(renderer)
        assert axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1 + 1, label.get_text()


DIFFER = {
    "year": "sources differ on the year",
    "month": "sources differ on the month",
    "day": "sources differ on the day",
}
CATEGORY_WORDS = {c: c.capitalize() for c in charts.CATEGORY_STYLE}
RELATIONS = "Mexico and the Russian Empire establish diplomatic relations"


def sourced(rows) -> list[Event]:
    """Events from (date, category, text, source) rows."""
    return [Event(date, int(date[:4]), category, text, "en", "", "en", source) for date, category, text, source in rows]


def events_figure(marks, narrow=False, **changes) -> Figure:
    arguments = {"categories": CATEGORY_WORDS, "words": dataclasses.replace(WORDS, title="Events")}
    return laid_out(lambda: charts.events_chart(marks, **{**arguments, "narrow": narrow, **changes}))


@pytest.mark.parametrize("narrow", [False, True])
def test_timeline_draws_one_mark_for_an_event_its_sources_date_differently(narrow):
    rows = [
        ("1890-12-01", "diplomacy", RELATIONS, "wikipedia"),
        ("1890-12-11", "diplomacy", RELATIONS, "mfa"),
        ("1890-12-12", "diplomacy", RELATIONS, "presidencia"),
        ("1891", "diplomacy", "First Russian legation opens in Mexico City", "wikipedia"),
        ("1942-11", "diplomacy", "Mexico and the USSR restore relations", "a"),
        ("1943", "diplomacy", "Mexico and the USSR restore relations", "b"),
        ("1960-11-30", "energy", "A plant opens", "a"),
        ("1960-12-01", "energy", "A plant opens", "b"),
        ("1960-12-11", "energy", "A plant opens", "c"),  # on the day and on the month: the month
    ]
    marks = charts.timeline_marks(sourced(rows), fmt=FMT, differ=DIFFER)
    assert [(m.date, m.note, m.sources) for m in marks] == [
        ("December 1890", "sources differ on the day", ("wikipedia", "mfa", "presidencia")),
        ("1891", "", ("wikipedia",)),
        ("November 1942 or 1943", "sources differ on the year", ("a", "b")),
        ("1960", "sources differ on the month", ("a", "b", "c")),
    ]
    figure = events_figure(marks, narrow)
    assert len(by_gid(figure, "event-mark")) == 4  # four events, from nine rows
    labels = [flat(t.get_text()) for t in by_gid(figure, "event-label")]
    assert labels[0] == f"December 1890: {RELATIONS} sources differ on the day"
    assert labels[2] == "November 1942 or 1943: Mexico and the USSR restore relations sources differ on the year"
    spans = by_gid(figure, "event-span")  # the dates the sources give, from the first to the last
    assert [round(float(x), 2) for x in spans[0].get_xdata()] == [1890.92, 1890.95]


def test_timeline_keeps_apart_what_is_not_one_event():
    rows = [
        ("1943", "diplomacy", "Umansky arrives", "a"),
        ("1943-06-21", "diplomacy", "Umansky arrives", "b"),  # the same, more precisely: no disagreement
        ("2000-05", "energy", "A forum is held", "a"),
        ("2010-05", "energy", "A forum is held", "b"),  # ten years apart: two events
        ("2020-01", "energy", "A flight resumes", "a"),
        ("2020-03", "energy", "A flight resumes", "a"),  # one source, two dates: two events
        ("2021-01", "energy", "Talks", "a"),
        ("2021-01", "politics", "Talks", "b"),  # another category: another event
    ]
    marks = charts.timeline_marks(sourced(rows), fmt=FMT, differ=DIFFER)
    assert [(m.date, m.note) for m in marks] == [
        ("June 21, 1943", ""),
        ("May 2000", ""),
        ("May 2010", ""),
        ("January 2020", ""),
        ("March 2020", ""),
        ("January 2021", ""),
        ("January 2021", ""),
    ]


@pytest.mark.parametrize("narrow", [False, True])
def test_timeline_marks_draw_from_the_18th_century_on(narrow):
    rows = [
        ("1700-01-01", "diplomacy", "First", "a"),
        ("1788", "politics", "Second", "b"),
        ("2025-06", "energy", "Last", "c"),
    ]
    figure = events_figure(charts.timeline_marks(sourced(rows), fmt=FMT, differ=DIFFER), narrow)
    axes = figure.axes[0]
    ticks = [t for t in axes.get_xticks() if axes.get_xlim()[0] <= t <= axes.get_xlim()[1]]
    assert min(ticks) >= 1700 and max(ticks) <= 2025 and 2 <= len(ticks) <= (4 if narrow else 8)
    assert [round(float(m.get_xdata()[0])) for m in by_gid(figure, "event-mark")] == [1700, 1788, 2025]


def assert_events_fit(figure: Figure, piece) -> None:
    """Every mark of the piece drawn, its label inside the image, no two labels touching."""
    renderer = figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in by_gid(figure, "event-label")]
    assert len(boxes) == len(piece) == len(by_gid(figure, "event-mark"))
    page = figure.bbox
    for box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, box
    for a, b in itertools.combinations(boxes, 2):
        assert not overlaps(a, b), (a, b)
    # the title, the legend and the source line: inside the image, clear of the plot and its labels
    frame = [figure._suptitle, figure._supxlabel, figure.axes[0].get_legend()]
    plot = figure.axes[0].get_window_extent(renderer)
    for artist in filter(None, frame):
        box = artist.get_window_extent(renderer)
        assert page.y0 <= box.y0 and box.y1 <= page.y1 + 1 and not overlaps(box, plot), artist
        assert not any(overlaps(box, label) for label in boxes), artist


@pytest.mark.parametrize("narrow", [False, True])
def test_timeline_labels_fit_and_never_overlap(narrow):
    rows = [
        (f"2025-06-{d:02d}", ["energy", "transport", "investment", "politics"][d % 4], f"{d} {LONG}", "s")
        for d in range(1, 15)
    ]
    rows = [("1890", "diplomacy", "Early", "s"), ("1955-03", "energy", LONG, "s"), *rows]
    for piece in charts.timeline_pieces(charts.timeline_marks(sourced(rows), fmt=FMT, differ=DIFFER)):
        assert_events_fit(events_figure(piece, narrow), piece)


def test_three_thousand_events_stay_within_the_bound_in_bounded_time():
    import time

    started = time.perf_counter()
    rows = []
    for i in range(3000):  # from 1700 to 2025; a third of them the contract's longest text, 500 characters
        text = f"Event {i}: " + ("a long account of what happened " * 16)[: 490 if i % 3 == 0 else 60]
        rows.append((f"{1700 + i * 325 // 3000}-{1 + i % 12:02d}-{1 + i % 28:02d}", "energy", text, f"s{i}"))
    marks = charts.timeline_marks(sourced(rows), fmt=FMT, differ=DIFFER)
    pieces = charts.timeline_pieces(marks)
    assert len(marks) == 3000 and 1 <= len(pieces) <= charts.MAX_EVENT_CHARTS
    assert pieces[-1][-1] == marks[-1]  # the latest events are kept, the earliest left out
    worst = dataclasses.replace(
        WORDS, title="A long title " * 20, note="A long note " * 50, source="Sources: " + "; ".join(["Publisher"] * 300)
    )
    for i, piece in enumerate(pieces):
        assert 1 <= len(piece) <= charts.MAX_EVENT_MARKS
        for narrow in (False, True) if i == 0 else (True,):  # a phone's width takes the most lines
            figure = events_figure(piece, narrow, words=worst)
            assert figure.get_figheight() <= charts.MAX_TIMELINE_HEIGHT
            assert_events_fit(figure, piece)  # each piece drawn whole: it is within the bound as given
            lines = sum(t.get_text().count("\n") + 1 for t in by_gid(figure, "event-label"))
            assert lines <= charts.MAX_EVENT_LINES
    assert time.perf_counter() - started < 60  # bounded: the drawing does not grow with the events


# Every new chart: legible, literal, worded by its caller ------------------------------------------


def new_charts(
    narrow: bool, words: charts.ChartWords = WORDS, name: str = "Russia", credit: str = "", rank: str = ""
) -> dict:
    """Each new chart, drawn at one width; ``name`` and ``credit`` are put in its own texts."""
    credits = {**CREDITS, "forte": credit or CREDITS["forte"]}
    marks = charts.timeline_marks(
        sourced([(f"2025-0{m}", c, f"{name} event {m}", "s") for m, c in enumerate(charts.CATEGORY_STYLE, 1)]),
        fmt=FMT,
        differ=DIFFER,
    )
    ranked = [*ORIGINS[:16], (name, 86.4, "86.4")]
    return {
        "range": range_figure(narrow, words=words, credits=credits),
        "years": years_figure(narrow, words=words, part_year={9: f"{name}: January–September"}),
        "origins": origins_figure(narrow, ranked=ranked, words=words, rank=rank or f"{name}: 17th of 17"),
        "events": events_figure(marks, narrow, words=words, categories={c: f"{name} {c}" for c in CATEGORY_WORDS}),
    }


# The smallest text each variant may draw, in points. On a phone the narrow figure (3.9 in) is
# shown 390 CSS px wide, 100 px an inch; s pt is s/72 in, so s * 100/72 px, and 11 px takes
# 11 * 72/100 = 7.92 pt. On A4 the wide figure (7.2 in) is printed 7.2 in wide: 7 pt is 7 pt.
PHONE_FLOOR = 11 * 72 / (390 / 3.9)
PRINT_FLOOR = 7.0


@pytest.mark.parametrize("narrow", [False, True])
def test_every_text_of_the_new_charts_is_legible_and_inside_the_image(narrow):
    floor = PHONE_FLOOR if narrow else PRINT_FLOOR
    assert floor == pytest.approx(7.92 if narrow else 7.0)
    # the report's longest rank sentence: at a phone's width it wraps rather than run off the right edge
    for name, figure in new_charts(narrow, rank="Russia: place 17 of the 17 origins the sources name").items():
        assert figure.get_figwidth() == (3.9 if narrow else 7.2), name
        drawn = [t for t in figure.findobj(Text) if t.get_text().strip() and t.get_visible()]
        assert len(drawn) >= 10, name  # titles, ticks, labels, legends, source lines: all of them measured
        small = [(t.get_text()[:30], t.get_fontsize()) for t in drawn if t.get_fontsize() < floor]
        assert not small, (name, small)
        renderer, page = figure.canvas.get_renderer(), figure.bbox
        for text in drawn:
            box = Text.get_window_extent(text, renderer)  # the text alone, not an annotation's arrow
            inside = page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1
            assert inside, (name, text.get_text(), box)


@pytest.mark.parametrize("publisher", TRICKY_PUBLISHERS)
def test_dollar_signs_in_any_text_of_the_new_charts_are_drawn_as_written(publisher):
    words = dataclasses.replace(
        WORDS, title=f"{publisher} title", source=f"Sources: {publisher}", axis=f"{publisher} axis"
    )
    for name, figure in new_charts(True, words, name=publisher, credit=f"{publisher}, Mar 2025").items():
        drawn = " ".join(drawn_svg_text(figure))  # drawn outside the house style, TeX on by default
        assert f"Sources: {publisher}" in drawn, name
        assert f"{publisher} title" in drawn, name
        inside = {"range": f"{publisher}, Mar 2025", "years": f"{publisher}: January–September", "origins": publisher}
        assert inside.get(name, f"{publisher} event 1") in drawn, name  # a credit, a legend, a tick, a label
        assert not any(t.get_parse_math() for t in figure.findobj(Text)), name


def test_the_new_charts_draw_no_word_of_their_own_and_leave_no_pyplot_state(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a chart looked up a word: the caller gives every word")

    from analysis import _language as language

    for name in ("gettext", "ngettext", "pgettext", "render"):
        monkeypatch.setattr(language.Edition, name, refuse)
    plt.close("all")
    for figure in new_charts(False).values():
        assert figure.alt_text == WORDS.alt
    assert plt.get_fignums() == []


@pytest.mark.parametrize(
    "change",
    [
        {"words": dataclasses.replace(WORDS, title="Another title")},
        {"words": dataclasses.replace(WORDS, alt="Another alt text")},
        {"credits": {**CREDITS, "forte": "forte.news, Apr 2025"}},
        {"target": dataclasses.replace(TARGET, reports=TARGET.reports[:1])},
        {"fmt": ES.fmt},
        {"multiple": "{value} times"},
        {"narrow": True},
    ],
    ids=["title", "alt", "credit", "reports", "language", "multiple", "narrow"],
)
def test_a_figures_content_key_changes_with_anything_it_is_drawn_from(change):
    from analysis._formatting import Formatter

    def key(fmt=FMT, base=BASE, target=TARGET, **changes):  # known without drawing
        return charts.range_chart.key(base, target, **{"credits": CREDITS, "fmt": fmt, "words": WORDS, **changes})

    fresh = Formatter(FMT.locale, FMT.phrases)  # its Babel locale not yet cached
    same = key(fresh)
    fresh.number(1.0)  # caches it: the same formatter, the same key
    assert key(fresh) == same == key() and same.startswith("sha256:")
    assert key(**change) != same


def test_a_drawn_chart_carries_the_key_it_was_known_by():
    figure = charts.range_chart(BASE, TARGET, credits=CREDITS, fmt=FMT, words=WORDS)
    assert figure.content_key == charts.range_chart.key(BASE, TARGET, credits=CREDITS, fmt=FMT, words=WORDS)


@pytest.mark.parametrize("narrow", [False, True])
def test_a_title_and_source_line_of_uneven_letters_wrap_inside_the_image(narrow):
    uneven = "MWMWMWMW " * 8 + "illicit " * 40  # wide letters first: a line of the text's average letters is too wide
    words = dataclasses.replace(WORDS, title=uneven, source=uneven)
    figure = range_figure(narrow, words=words)
    renderer, page = figure.canvas.get_renderer(), figure.bbox
    for text in (figure._suptitle, figure._supxlabel):
        box = text.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1, (text.get_text(), box)
