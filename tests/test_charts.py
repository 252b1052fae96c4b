"""Charts: a Figure each, with a left-aligned title, a source line, alt text; labels that fit."""

import itertools

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis import charts, metrics
from analysis.load import load_dataset

SOURCES = pd.DataFrame(
    {"source_id": ["s"], "published": ["2025-01"], "trust": ["high"], "published_on": pd.to_datetime(["2025-01-01"])}
)


def series(rows):
    """rows: (origin, year, months, value, decimals)"""
    frame = pd.DataFrame(rows, columns=["origin", "year", "months", "usd_millions", "decimals"])
    frame.insert(1, "destination", "MEX")
    return frame.assign(source_id="s", note="", line=range(2, len(frame) + 2))


@pytest.fixture(scope="module")
def data():
    return load_dataset("data")


def draw(figure: Figure) -> Figure:
    FigureCanvasAgg(figure).draw()
    return figure


def framed(figure: Figure):
    assert isinstance(figure, Figure)
    assert figure._suptitle.get_text() and figure._suptitle.get_horizontalalignment() == "left"
    assert figure._suptitle.get_position()[0] == figure._supxlabel.get_position()[0] < 0.02
    assert figure._supxlabel.get_text().startswith("Source: ")
    assert len(charts.alt_text(figure)) > 40


def test_fdi_chart_labels_bars_on_a_log_scale(data):
    selected = metrics.select_figures(data.fdi, data.sources)
    growth = metrics.growth(selected, "RUS", "MEX", 2022, 2024, 12)
    figure = draw(charts.fdi_chart(metrics.origin_series(selected, "RUS", "MEX", 12), growth, source="test"))
    framed(figure)
    axes = figure.axes[0]
    assert axes.get_yscale() == "log"  # 1 to 86.4 spans more than a factor of 20
    labels = {t.get_text() for t in axes.texts}
    assert {"2.8", "86.4", "1.9", "1"} <= labels
    assert {"×30.9", "(30.3–31.4 given the figures' rounding)"} <= labels
    assert "2022: US$2.8 million" in charts.alt_text(figure) and "30.9 times" in charts.alt_text(figure)


def test_fdi_chart_with_a_negative_value_is_linear_and_says_why_there_is_no_multiple():
    chosen = metrics.select_figures(series([("CHN", 2023, 9, -21.0, 0), ("CHN", 2024, 9, 35.0, 0)]), SOURCES)
    growth = metrics.growth(chosen, "CHN", "MEX", 2023, 2024, 9)
    figure = draw(charts.fdi_chart(metrics.origin_series(chosen, "CHN", "MEX", 9), growth, source="test"))
    axes = figure.axes[0]
    assert axes.get_yscale() == "linear"
    assert "No multiple: base value is negative" in {t.get_text() for t in axes.texts}
    assert "−21" in {t.get_text() for t in axes.texts}


def test_share_chart(data):
    selected = metrics.select_figures(data.fdi, data.sources)
    figure = draw(
        charts.share_chart(
            metrics.origin_series(selected, "RUS", "MEX", 12),
            metrics.origins_in(selected, "MEX", 2024, 12),
            origin="RUS",
            destination="MEX",
            year=2024,
            months=12,
            source="test",
        )
    )
    framed(figure)
    texts = {t.get_text() for a in figure.axes for t in a.texts}
    assert {"0.0079%", "0.23%", "44.8%"} <= texts  # 2.8/35292, 86.4/36872, 16513/36872


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def assert_labels_fit(figure: Figure):
    renderer = figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in charts.label_artists(figure)]
    assert boxes
    page = figure.bbox
    for box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, box
    for a, b in itertools.combinations(boxes, 2):
        assert not overlaps(a, b), (a, b)
    markers = [line for line in figure.axes[0].lines if line.get_marker() not in (None, "None", "")]
    assert len(markers) == len(boxes)


def test_timeline_labels_do_not_overlap(data):
    figure = draw(charts.timeline_chart(data.timeline, start=1890, end=2025, source="test"))
    framed(figure)
    assert_labels_fit(figure)


def test_timeline_labels_do_not_overlap_even_when_events_crowd_one_year():
    dates = [f"2025-06-{d:02d}" for d in range(1, 29)] + ["1890", "1955-03"]
    events = pd.DataFrame(
        {
            "date": dates,
            "event": [
                "A long event description that needs a good deal of room on the page, " * (1 + d % 2) for d in range(28)
            ]
            + ["Early", "Middle"],
            "category": ["energy", "transport", "investment", "politics"] * 7 + ["diplomacy", "energy"],
            "precision": ["day"] * 28 + ["year", "month"],
            "when": pd.to_datetime([*dates[:28], "1890-01-01", "1955-03-01"]),
        }
    )
    events["year"] = events["when"].dt.year
    figure = draw(charts.timeline_chart(events.sort_values("when"), start=1890, end=2025, source="test"))
    assert_labels_fit(figure)


def test_helpers_leave_no_pyplot_state(data):
    plt.close("all")
    charts.timeline_chart(data.timeline, start=1890, end=2025, source="test")
    assert plt.get_fignums() == []


def test_the_style_loads_by_dotted_name():
    import matplotlib

    with matplotlib.style.context("analysis.house"):
        assert matplotlib.rcParams["axes.titlelocation"] == "left"
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0].lower() == "#0072b2"


def test_dollar_signs_in_the_data_are_text_not_tex():
    events = pd.DataFrame(
        {
            "date": ["2025-01", "2025-02"],
            "event": ["Russia pledges US$5 million, then US$10 million", "Pledges of US$5_1_2 and US$7 more"],
            "category": ["investment", "investment"],
            "precision": ["month", "month"],
            "when": pd.to_datetime(["2025-01-01", "2025-02-01"]),
            "year": [2025, 2025],
        }
    )
    figure = draw(charts.timeline_chart(events, start=2020, end=2025, source="US$ figures from a US$ source"))
    labels = [t.get_text() for t in charts.label_artists(figure)]
    assert labels[0].endswith("Russia pledges US$5 million, then US$10 million")
    # drawn as written: with mathtext on, the first would be drawn as TeX and the second fail to draw
    assert not any(t.get_parse_math() for t in charts.label_artists(figure))
