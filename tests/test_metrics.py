"""Metrics against values worked out by hand from the inputs (the working is in each comment)."""

import copy
import math
import pickle
import signal
import warnings

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis import _metrics as metrics


def approx(value):
    return pytest.approx(value, rel=1e-12, abs=1e-12)


# The headline: 2.8 (2022) to 86.4 (2024) ---------------------------------------------------


def test_multiple_of_the_headline():
    # 86.4 / 2.8 = 864 / 28 = 30.857142857142857...
    assert metrics.multiple(2.8, 86.4) == approx(864 / 28)
    assert round(float(metrics.multiple(2.8, 86.4)), 6) == 30.857143


def test_percent_change_of_the_headline():
    # (86.4 / 2.8 - 1) * 100 = 2985.714285714...
    assert metrics.pct_change(2.8, 86.4) == approx((864 / 28 - 1) * 100)
    assert round(float(metrics.pct_change(2.8, 86.4)), 1) == 2985.7


def test_absolute_change_of_the_headline():
    # 86.4 - 2.8 = 83.6
    assert metrics.abs_change(2.8, 86.4) == approx(83.6)


def test_cagr_of_the_headline_over_two_years():
    # sqrt(30.857142857) = 5.554920598...; minus 1, times 100 = 455.4920598...
    assert metrics.cagr(2.8, 86.4, 2) == approx((math.sqrt(864 / 28) - 1) * 100)
    assert round(float(metrics.cagr(2.8, 86.4, 2)), 2) == 455.49


def test_multiple_bounds_from_rounding():
    # 2.8 stands for [2.75, 2.85), 86.4 for [86.35, 86.45): 86.35/2.85 = 30.2982..., 86.45/2.75 = 31.4363...
    low, high = metrics.multiple_bounds(2.8, 1, 86.4, 1)
    assert low == approx(86.35 / 2.85)
    assert high == approx(86.45 / 2.75)
    assert (round(float(low), 1), round(float(high), 1)) == (30.3, 31.4)


@pytest.mark.parametrize(
    ("base", "base_decimals", "target", "target_decimals", "low", "high"),
    [
        # 2.8 (one decimal) stands for [2.75, 2.85), 430 (none) for [429.5, 430.5)
        (2.8, 1, 430.0, 0, 429.5 / 2.85, 430.5 / 2.75),  # 150.70..., 156.54...
        # 37 (none) stands for [36.5, 37.5), 146.6 (one decimal) for [146.55, 146.65)
        (37.0, 0, 146.6, 1, 146.55 / 37.5, 146.65 / 36.5),  # 3.9080, 4.01780...
        # 1250 (none) and 50.25 (two decimals): [1249.5, 1250.5) and [50.245, 50.255)
        (1250.0, 0, 50.25, 2, 50.245 / 1250.5, 50.255 / 1249.5),
    ],
    ids=["2.8-to-430", "37-to-146.6", "1250-to-50.25"],
)
def test_multiple_bounds_use_each_figures_own_decimals(base, base_decimals, target, target_decimals, low, high):
    found = metrics.multiple_bounds(base, base_decimals, target, target_decimals)
    assert found == (approx(low), approx(high))


def test_share_of_total():
    # 86.4 / 36872 * 100 = 0.234324...
    assert metrics.share_pct(86.4, 36872) == approx(86.4 / 36872 * 100)
    assert round(float(metrics.share_pct(86.4, 36872)), 4) == 0.2343


# Part-year periods and fractional spans ----------------------------------------------------


def test_part_year_comparison_of_equal_periods():
    # January-September 2024 (37) to January-September 2025 (430): one year apart,
    # so CAGR = 430/37 - 1 = 10.6216216... = 1062.16 %.
    years = metrics.period_span_years(2024, 9, 2025, 9)
    assert years == approx(1.0)
    assert metrics.cagr(37, 430, years) == approx((430 / 37 - 1) * 100)
    assert round(float(metrics.cagr(37, 430, years)), 2) == 1062.16


@pytest.mark.parametrize(
    ("base_year", "base_months", "target_year", "target_months", "expected"),
    [
        (2022, 12, 2024, 12, 2.0),  # middles 2022.5 and 2024.5
        (2024, 9, 2025, 12, 1.125),  # middles 2024 + 9/24 = 2024.375 and 2025.5
        (2024, 6, 2024, 12, 0.25),  # middles 2024.25 and 2024.5
    ],
)
def test_period_span_years(base_year, base_months, target_year, target_months, expected):
    assert metrics.period_span_years(base_year, base_months, target_year, target_months) == approx(expected)


@pytest.mark.parametrize(
    ("base", "target", "years", "expected"),
    [
        (100, 121, 2, 10.0),  # 1.21 ** (1/2) = 1.1
        (100, 110, 0.5, 21.0),  # 1.1 ** 2 = 1.21: half a year's growth, annualised
        (100, 100, 3, 0.0),
        (50, 0, 1, -100.0),  # a flow falling to zero: -100 % a year
    ],
)
def test_cagr_by_hand(base, target, years, expected):
    assert metrics.cagr(base, target, years) == pytest.approx(expected, abs=1e-9)


# Undefined metrics ---------------------------------------------------------------------------


@pytest.mark.parametrize("base", [-21.0, 0.0])
def test_ratios_are_undefined_from_a_base_of_zero_or_below(base):
    assert math.isnan(metrics.multiple(base, 35))
    assert math.isnan(metrics.pct_change(base, 35))
    assert math.isnan(metrics.cagr(base, 35, 1))
    low, high = metrics.multiple_bounds(base, 0, 35, 0)
    assert math.isnan(low) and math.isnan(high)


def test_absolute_change_from_a_negative_base_is_defined():
    # -21 to 35: 35 - (-21) = 56
    assert metrics.abs_change(-21, 35) == approx(56)


def test_cagr_is_undefined_for_a_negative_target_but_the_multiple_is_not():
    assert math.isnan(metrics.cagr(10, -5, 1))
    assert metrics.multiple(10, -5) == approx(-0.5)


def test_bounds_undefined_when_the_rounding_interval_reaches_zero():
    # 0.4 reported with no decimals... is written 0: [-0.5, 0.5) reaches zero.
    low, high = metrics.multiple_bounds(0.4, 0, 10, 0)
    assert math.isnan(low) and math.isnan(high)


@pytest.mark.parametrize(
    ("metric", "base", "target", "years", "reason"),
    [
        ("multiple", -21.0, 35.0, None, "base_negative"),
        ("pct_change", 0.0, 35.0, None, "base_zero"),
        ("cagr_pct", 10.0, -5.0, 1.0, "target_negative"),
        ("multiple", None, 35.0, None, "no_base"),
        ("abs_change", -21.0, 35.0, None, None),
        ("multiple", 2.8, 86.4, None, None),
    ],
)
def test_undefined_code(metric, base, target, years, reason):
    assert metrics.undefined_code(metric, base, target, years) == reason


def test_vectorised_over_arrays():
    base = np.array([2.8, -21.0, 0.0, 100.0])
    target = np.array([86.4, 35.0, 5.0, 121.0])
    result = metrics.multiple(base, target)
    assert result[0] == approx(864 / 28)
    assert np.isnan(result[1]) and np.isnan(result[2])
    assert result[3] == approx(1.21)


# Choosing among rows that report the same period -------------------------------------------


def fdi_frame(rows):
    """rows: (origin, year, months, value, decimals, source_id)"""
    frame = pd.DataFrame(rows, columns=["origin", "year", "months", "usd_millions", "decimals", "source_id"])
    frame.insert(1, "destination", "MEX")
    frame["note"] = ""
    frame["line"] = range(2, len(frame) + 2)
    return frame


SOURCES = pd.DataFrame(
    {
        "source_id": ["proceso", "gw2ru", "forte", "latinnews", "latorre"],
        "published": ["2025-06-25", "2026-01", "2025-03", "2024-02", "2024-02"],
        "trust": ["unverified", "low", "low", "high", "medium"],
        # a YYYY-MM date counts as its first day
        "published_on": pd.to_datetime(["2025-06-25", "2026-01-01", "2025-03-01", "2024-02-01", "2024-02-01"]),
    }
)

FDI = fdi_frame(
    [
        ("RUS", 2022, 12, 2.8, 1, "proceso"),
        ("RUS", 2024, 12, 86.4, 1, "proceso"),
        ("RUS", 2024, 12, 86.4, 1, "gw2ru"),
        ("RUS", 2024, 12, 19.1, 1, "forte"),
        ("USA", 2023, 12, 13640.0, 0, "latinnews"),
        ("USA", 2023, 12, 13800.0, 0, "latorre"),
        ("ESP", 2023, 12, 3774.0, 0, "latorre"),
        ("ESP", 2023, 12, 3774.0, 0, "latinnews"),
    ]
)


def test_select_figures_latest_published_wins():
    chosen = metrics.select_figures(FDI, SOURCES)
    expected = pd.DataFrame(
        {
            "origin": ["ESP", "RUS", "RUS", "USA"],
            "destination": "MEX",
            "year": [2023, 2022, 2024, 2023],
            "months": 12,
            "usd_millions": [3774.0, 2.8, 86.4, 13640.0],
            "source_id": ["latinnews", "proceso", "gw2ru", "latinnews"],
            "n_reports": [2, 1, 3, 2],
            "n_values": [1, 1, 2, 2],
            "basis": ["all reports agree", "only report", "latest published", "more trusted source"],
        }
    )
    columns = list(expected.columns)
    assert_frame_equal(chosen[columns], expected, check_dtype=False)


def test_select_figures_preferred_source_wins():
    chosen = metrics.select_figures(FDI, SOURCES, prefer_sources=["forte"]).set_index(["origin", "year"])
    assert chosen.loc[("RUS", 2024), "usd_millions"] == 19.1
    assert chosen.loc[("RUS", 2024), "basis"] == "preferred source"
    # a preference for a source that does not report the period changes nothing there
    assert chosen.loc[("RUS", 2022), "usd_millions"] == 2.8


def test_disagreements_list_every_report_of_conflicting_periods():
    table = metrics.disagreements(FDI, SOURCES)
    # RUS 2024 (three reports, two values) and USA 2023 (two values); ESP agrees, RUS 2022 is single
    assert sorted(set(zip(table["origin"], table["year"], strict=True))) == [("RUS", 2024), ("USA", 2023)]
    rus = table[table["origin"] == "RUS"]
    assert list(rus["source_id"]) == ["gw2ru", "proceso", "forte"]  # best first
    assert list(rus["used"]) == [True, False, False]
    assert rus["spread"].iloc[0] == approx(86.4 - 19.1)  # 67.3
    assert rus["spread_ratio"].iloc[0] == approx(86.4 / 19.1)


# The headline comparison, and whole tables -------------------------------------------------


def test_growth_to_dict_matches_the_design_example():
    selected = metrics.select_figures(FDI, SOURCES)
    result = metrics.growth(selected, "RUS", "MEX", 2022, 2024, 12).to_dict()
    assert result["base_value"] == 2.8 and result["target_value"] == 86.4
    assert result["multiple"] == approx(864 / 28)
    assert result["pct_change"] == approx((864 / 28 - 1) * 100)
    assert result["cagr_pct"] == approx((math.sqrt(864 / 28) - 1) * 100)
    assert result["abs_change"] == approx(83.6)
    # no WLD rows in this frame: shares are null, with a reason
    assert result["target_share_of_total_pct"] is None
    assert "all origins" in result["target_share_of_total_pct_reason"]


def test_growth_from_a_negative_base_gives_nulls_with_reasons():
    frame = fdi_frame([("CHN", 2023, 9, -21.0, 0, "forte"), ("CHN", 2024, 9, 35.0, 0, "forte")])
    selected = metrics.select_figures(frame, SOURCES)
    result = metrics.growth(selected, "CHN", "MEX", 2023, 2024, 9).to_dict()
    for key in (
        "multiple",
        "pct_change",
        "cagr_pct",
        "multiple_low",
        "multiple_high",
        "multiple_reported_low",
        "multiple_reported_high",
    ):
        assert result[key] is None
        assert result[f"{key}_reason"] == "base value is negative"
    assert result["abs_change"] == approx(56.0)
    assert "abs_change_reason" not in result


def test_growth_with_a_missing_year():
    selected = metrics.select_figures(FDI, SOURCES)
    result = metrics.growth(selected, "RUS", "MEX", 2021, 2024, 12).to_dict()
    assert result["base_value"] is None
    assert result["base_value_reason"] == "no figure for RUS into MEX in 2021 (the full year)"
    assert result["multiple"] is None and result["multiple_reason"] == "no base figure"


def test_growth_bounds_follow_the_decimals_each_figure_was_reported_with():
    # January-September: 37 (2024, written without decimals) and 146.6 (2025, one decimal), as in
    # data/fdi.csv: 37 stands for [36.5, 37.5), 146.6 for [146.55, 146.65).
    frame = fdi_frame([("RUS", 2024, 9, 37.0, 0, "proceso"), ("RUS", 2025, 9, 146.6, 1, "proceso")])
    selected = metrics.select_figures(frame, SOURCES)
    result = metrics.growth(selected, "RUS", "MEX", 2024, 2025, 9).to_dict()
    assert result["multiple_low"] == approx(146.55 / 37.5)  # 3.90800
    assert result["multiple_high"] == approx(146.65 / 36.5)  # 4.01780...


def test_origins_in_a_period_largest_first_with_shares():
    frame = fdi_frame(
        [
            ("USA", 2025, 12, 15877.0, 0, "proceso"),
            ("ESP", 2025, 12, 4431.0, 0, "proceso"),
            ("WLD", 2025, 12, 40871.0, 0, "proceso"),
        ]
    )
    table = metrics.origins_in(metrics.select_figures(frame, SOURCES), "MEX", 2025, 12)
    # 15877 / 40871 * 100 = 38.8466..., 4431 / 40871 * 100 = 10.8414...; numbered from 0, and
    # nothing else: no column left over from the order before sorting
    expected = pd.DataFrame(
        {
            "origin": ["USA", "ESP"],
            "usd_millions": [15877.0, 4431.0],
            "decimals": [0, 0],
            "source_id": ["proceso", "proceso"],
            "share_pct": [15877 / 40871 * 100, 4431 / 40871 * 100],
        }
    )
    assert_frame_equal(table, expected, check_dtype=False, rtol=1e-12)


def test_metrics_scale_without_python_loops():
    # 200,000 rows over 2,000 origins: the vectorised path must handle it in one call
    rng = np.random.default_rng(1)
    n = 200_000
    frame = pd.DataFrame(
        {
            "origin": [f"O{i:04d}" for i in rng.integers(0, 2000, n)],
            "destination": "MEX",
            "year": rng.integers(2000, 2025, n),
            "months": rng.choice([3, 6, 9, 12], n),
            "usd_millions": rng.normal(100, 50, n).round(1),
            "decimals": 1,
            "source_id": rng.choice(SOURCES["source_id"], n),
            "note": "",
            "line": np.arange(2, n + 2),
        }
    )
    selected = metrics.select_figures(frame, SOURCES)
    assert not selected.duplicated(["origin", "destination", "year", "months"]).any()
    # one chosen figure for every period in the data, and it is one of that period's figures
    key = ["origin", "destination", "year", "months"]
    assert len(selected) == len(frame.drop_duplicates(key))
    reported = set(zip(*(frame[c] for c in [*key, "usd_millions"]), strict=True))
    assert set(zip(*(selected[c] for c in [*key, "usd_millions"]), strict=True)) <= reported


# Echoes folded into what they repeat, and the choice rule's decisive cases -----------------

ECHO_SOURCES = pd.DataFrame(
    {
        # orig: an outlet reporting on its own; echo repeats orig; echo2 repeats echo (a chain of two)
        "source_id": ["orig", "echo", "echo2", "proc", "late", "hi_old", "lo_new", "a_med", "b_high"],
        "published": [
            "2025-11-19",
            "2026-01",
            "2026-02",
            "2025-06-25",
            "2025-12-01",
            "2024-01",
            "2025-01",
            "2024-02",
            "2024-02",
        ],
        "trust": ["high", "low", "medium", "unverified", "medium", "high", "low", "medium", "high"],
        "cites": ["", "orig", "echo", "", "", "", "", "", ""],
    }
)
ECHO_SOURCES["published_on"] = pd.to_datetime(ECHO_SOURCES["published"].map(lambda d: d if len(d) == 10 else f"{d}-01"))


def chosen(frame, prefer=()):
    table = metrics.select_figures(frame, ECHO_SOURCES, prefer).set_index(["origin", "year"])
    return {
        k: (r.usd_millions, r.source_id, r.credited_to, r.basis, r.n_reports, r.n_echoes) for k, r in table.iterrows()
    }


def test_an_echo_published_after_its_origin_never_decides_the_figure():
    # orig (2025-11-19) and proc (2025-06-25) report on their own; echo (2026-01, the latest date)
    # repeats orig and misquotes it as 90.0: folded into orig, it neither wins nor counts.
    frame = fdi_frame(
        [("RUS", 2024, 12, 80.0, 1, "proc"), ("RUS", 2024, 12, 90.0, 1, "echo"), ("RUS", 2024, 12, 86.4, 1, "orig")]
    )
    assert chosen(frame)[("RUS", 2024)] == (86.4, "orig", "orig", "latest published", 2, 1)
    table = metrics.disagreements(frame, ECHO_SOURCES)
    assert list(table["source_id"]) == ["orig", "proc", "echo"]  # the echo last
    assert list(table["independent"]) == [True, True, False]
    assert list(table["credited_to"]) == ["orig", "proc", "orig"]
    assert table["spread"].iloc[0] == approx(86.4 - 80.0)  # over the independent reports only


def test_a_chain_of_two_echoes_stands_for_its_origin_with_its_date_and_the_chains_least_trust():
    # echo2 -> echo -> orig; orig has no figure here, so echo2's figure stands for orig, dated
    # 2025-11-19 (orig's), which beats proc (2025-06-25)...
    frame = fdi_frame([("RUS", 2023, 12, 40.0, 0, "proc"), ("RUS", 2023, 12, 50.0, 0, "echo2")])
    assert chosen(frame)[("RUS", 2023)] == (50.0, "echo2", "orig", "latest published", 2, 0)
    root, trust = metrics.fold_citations(ECHO_SOURCES)
    assert list(root[:3]) == [0, 0, 0]
    # high (orig), low (echo), medium (echo2): each is as sure as its least trusted link
    assert list(trust[:3]) == [0, 2, 2]


def test_an_echo_is_not_a_newer_release():
    # echo's own date (2026-01) would beat late (2025-12-01); the date of what it repeats
    # (orig, 2025-11-19) does not
    frame = fdi_frame([("RUS", 2023, 12, 70.0, 0, "echo"), ("RUS", 2023, 12, 60.0, 0, "late")])
    assert chosen(frame)[("RUS", 2023)] == (60.0, "late", "late", "latest published", 2, 0)


def test_two_echoes_of_one_origin_count_once():
    frame = fdi_frame([("RUS", 2023, 12, 10.0, 0, "echo2"), ("RUS", 2023, 12, 10.0, 0, "echo")])
    # the first in the file stands for orig; the other is folded into it
    assert chosen(frame)[("RUS", 2023)] == (10.0, "echo2", "orig", "only report", 1, 1)


@pytest.mark.parametrize(
    ("rows", "prefer", "expected"),
    [
        # an older, more trusted report loses to a newer, less trusted one
        ([(5.0, "hi_old"), (6.0, "lo_new")], (), (6.0, "lo_new", "latest published")),
        # ... unless the older one is preferred
        ([(5.0, "hi_old"), (6.0, "lo_new")], ("hi_old",), (5.0, "hi_old", "preferred source")),
        # on equal dates the more trusted wins, wherever it is in the file
        ([(7.0, "a_med"), (8.0, "b_high")], (), (8.0, "b_high", "more trusted source")),
        # the stronger preference wins
        ([(7.0, "a_med"), (8.0, "b_high")], ("a_med", "b_high"), (7.0, "a_med", "preferred source")),
    ],
    ids=["newer-beats-more-trusted", "preferred-beats-newer", "equal-dates-more-trusted", "stronger-preference"],
)
def test_the_choice_rule_decides_in_order(rows, prefer, expected):
    frame = fdi_frame([("USA", 2023, 12, value, 1, source) for value, source in rows])
    value, source, _, basis, _, _ = chosen(frame, prefer)[("USA", 2023)]
    assert (value, source, basis) == expected


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (metrics.CRITERIA, (6.0, "lo_new", "latest published")),
        # trust before date: the older, more trusted report wins, and that is the basis named
        (("preferred source", "more trusted source", "latest published"), (5.0, "hi_old", "more trusted source")),
        # preference last: the date decides before the preference is reached
        (("latest published", "more trusted source", "preferred source"), (6.0, "lo_new", "latest published")),
    ],
    ids=["as-shipped", "trust-before-date", "preference-last"],
)
def test_the_ranking_applies_the_criteria_in_the_order_of_the_tuple(monkeypatch, criteria, expected):
    monkeypatch.setattr(metrics, "CRITERIA", criteria)
    frame = fdi_frame([("USA", 2023, 12, 5.0, 1, "hi_old"), ("USA", 2023, 12, 6.0, 1, "lo_new")])
    prefer = ("hi_old",) if criteria[-1] == "preferred source" else ()
    value, source, _, basis, _, _ = chosen(frame, prefer)[("USA", 2023)]
    assert (value, source, basis) == expected


def test_reports_equal_in_every_way_are_taken_in_file_order():
    sources = pd.DataFrame(
        {
            "source_id": ["x", "y"],
            "published": ["2024-02", "2024-02"],
            "trust": ["medium", "medium"],
            "published_on": pd.to_datetime(["2024-02-01", "2024-02-01"]),
        }
    )
    frame = fdi_frame([("USA", 2023, 12, 2.0, 1, "y"), ("USA", 2023, 12, 1.0, 1, "x")])
    row = metrics.select_figures(frame, sources).iloc[0]
    assert (row.usd_millions, row.source_id, row.basis) == (2.0, "y", "first in file")


def test_the_reported_range_and_independent_counts():
    # base 2022: proc 2.8 only. target 2024: proc 86.4, echo 86.4 (orig has no figure: the echo
    # stands for it), forte-like "late" 19.1: three independent reports, two values.
    frame = fdi_frame(
        [
            ("RUS", 2022, 12, 2.8, 1, "proc"),
            ("RUS", 2024, 12, 86.4, 1, "proc"),
            ("RUS", 2024, 12, 86.4, 1, "echo"),
            ("RUS", 2024, 12, 19.1, 1, "late"),
        ]
    )
    ranking = metrics.rank(frame, ECHO_SOURCES)
    selected = metrics.select_figures(frame, ECHO_SOURCES, ranking=ranking)
    reports = metrics.all_reports(ranking)
    result = metrics.growth(selected, "RUS", "MEX", 2022, 2024, 12, reports=reports).to_dict()
    # 19.1 / 2.8 = 6.82142857...; 86.4 / 2.8 = 30.857142857...
    assert result["multiple_reported_low"] == approx(19.1 / 2.8)
    assert result["multiple_reported_high"] == approx(86.4 / 2.8)
    assert (result["base_independent_sources"], result["target_independent_sources"]) == (1, 3)
    # the figure used for 2024 is late's (2025-12-01), newer than orig's via echo (2025-11-19)
    # and proc's (2025-06-25): the headline multiple is 19.1 / 2.8
    assert result["target_value"] == 19.1 and result["target_source_id"] == "late"
    assert result["multiple"] == approx(19.1 / 2.8)


def test_the_reported_range_with_the_origin_in_the_data_counts_the_echo_once():
    frame = fdi_frame(
        [
            ("RUS", 2022, 12, 2.8, 1, "proc"),
            ("RUS", 2024, 12, 86.4, 1, "orig"),
            ("RUS", 2024, 12, 86.4, 1, "echo"),
            ("RUS", 2024, 12, 19.1, 1, "proc"),
        ]
    )
    ranking = metrics.rank(frame, ECHO_SOURCES)
    selected = metrics.select_figures(frame, ECHO_SOURCES, ranking=ranking)
    result = metrics.growth(selected, "RUS", "MEX", 2022, 2024, reports=metrics.all_reports(ranking)).to_dict()
    assert result["target_independent_sources"] == 2
    assert (result["target_source_id"], result["target_via"]) == ("orig", None)


@pytest.mark.parametrize(
    ("bases", "targets", "expected"),
    [
        ([2.8], [86.4], (86.4 / 2.8, 86.4 / 2.8, None)),  # reports agree: the range is the multiple
        ([2.0, 4.0], [10.0, 20.0], (10.0 / 4.0, 20.0 / 2.0, None)),  # 2.5 to 10
        ([-5.0, 4.0], [10.0], (2.5, 2.5, None)),  # the negative base is left out: 10 / 4
        ([-5.0], [10.0], (None, None, "base_negative")),
        ([0.0], [10.0], (None, None, "base_zero")),
        ([], [10.0], (None, None, "no_base")),
        ([2.8], [], (None, None, "no_target")),
        ([0.5], [2.0], (4.0, 4.0, None)),  # a base under one is a base: 2 / 0.5
    ],
)
def test_reported_range_cases(bases, targets, expected):
    low, high, reason = metrics.reported_range(bases, targets)
    assert (low, high, reason) == (
        approx(expected[0]) if expected[0] is not None else None,
        approx(expected[1]) if expected[1] is not None else None,
        expected[2],
    )


# The metrics file's growth block, and the tables behind the report's sections -------------------


def test_the_span_decides_whether_a_growth_rate_is_defined():
    # January-December 2024 to January-December 2024: no time between them
    assert metrics.undefined_code("cagr_pct", 10.0, 20.0, 0.0) == "not_after"
    assert metrics.undefined_code("cagr_pct", 10.0, 20.0, -1.0) == "not_after"
    assert metrics.undefined_code("cagr_pct", 10.0, 20.0, 1.0) is None
    assert metrics.undefined_code("multiple", 10.0, 20.0, 0.0) is None  # a multiple needs no span


def test_growth_to_dict_in_full():
    frame = fdi_frame(
        [
            ("RUS", 2022, 12, 2.8, 1, "proceso"),
            ("RUS", 2024, 12, 86.4, 1, "proceso"),
            ("WLD", 2022, 12, 35292.0, 0, "latinnews"),
            ("WLD", 2024, 12, 36872.0, 0, "latinnews"),
        ]
    )
    result = metrics.growth(metrics.select_figures(frame, SOURCES), "RUS", "MEX", 2022, 2024, 12).to_dict()
    assert result == {
        "origin": "RUS",
        "destination": "MEX",
        "months": 12,
        "base_year": 2022,
        "target_year": 2024,
        "base_value": 2.8,
        "target_value": 86.4,
        "abs_change": approx(83.6),
        "multiple": approx(864 / 28),
        "pct_change": approx((864 / 28 - 1) * 100),
        "cagr_pct": approx((math.sqrt(864 / 28) - 1) * 100),
        "multiple_low": approx(86.35 / 2.85),
        "multiple_high": approx(86.45 / 2.75),
        "multiple_reported_low": approx(864 / 28),
        "multiple_reported_high": approx(864 / 28),
        "base_independent_sources": 1,
        "target_independent_sources": 1,
        "base_share_of_total_pct": approx(2.8 / 35292 * 100),  # 0.00793...
        "target_share_of_total_pct": approx(86.4 / 36872 * 100),  # 0.2343...
        "base_source_id": "proceso",
        "base_via": None,
        "target_source_id": "proceso",
        "target_via": None,
    }


def test_a_figure_known_through_an_echo_is_credited_to_what_it_repeats():
    # echo2 -> echo -> orig: orig has no report of 2024, so echo2's stands for it
    frame = fdi_frame([("RUS", 2022, 12, 2.0, 1, "proc"), ("RUS", 2024, 12, 8.0, 1, "echo2")])
    growth = metrics.growth(metrics.select_figures(frame, ECHO_SOURCES), "RUS", "MEX", 2022, 2024, 12)
    result = growth.to_dict()
    assert (result["target_source_id"], result["target_via"]) == ("orig", "echo2")
    assert (result["base_source_id"], result["base_via"]) == ("proc", None)
    assert growth.multiple == approx(4.0) and growth.target.via == "echo2"


def test_a_growth_copies_and_names_what_it_lacks():
    selected = metrics.select_figures(FDI, SOURCES)
    growth = metrics.growth(selected, "RUS", "MEX", 2022, 2024, 12)
    assert copy.deepcopy(growth) == growth
    assert pickle.loads(pickle.dumps(growth)).to_dict() == growth.to_dict()
    with pytest.raises(AttributeError, match=r"^median$"):
        growth.median  # noqa: B018 - a metric the block does not have


def test_origins_in_a_period_without_a_total_have_no_share():
    frame = fdi_frame([("USA", 2025, 12, 15877.0, 0, "proceso"), ("ESP", 2025, 12, 4431.0, 0, "proceso")])
    table = metrics.origins_in(metrics.select_figures(frame, SOURCES), "MEX", 2025, 12)
    assert list(table.index) == [0, 1] and list(table["origin"]) == ["USA", "ESP"]
    assert table["share_pct"].isna().all()


def test_origins_with_equal_figures_keep_the_order_of_their_codes():
    # twenty-four origins, eight of each of three values: ties in the order of their codes
    codes = [f"{a}{b}X" for a in "ABCDEF" for b in "ABCD"]
    values = [(1.0, 2.0, 3.0)[i % 3] for i in range(len(codes))]
    frame = fdi_frame([(code, 2025, 12, value, 1, "proceso") for code, value in zip(codes, values, strict=True)])
    table = metrics.origins_in(metrics.select_figures(frame, SOURCES), "MEX", 2025, 12)
    expected = [c for v in (3.0, 2.0, 1.0) for c, w in zip(codes, values, strict=True) if w == v]
    assert list(table["origin"]) == expected


def test_no_reports_at_all():
    empty = fdi_frame([])
    chosen = metrics.select_figures(empty, SOURCES)
    assert chosen.empty and {"usd_millions", "basis", "n_reports"} <= set(chosen.columns)
    assert metrics.disagreements(empty, SOURCES).empty
    growth = metrics.growth(chosen, "RUS", "MEX", 2022, 2024).to_dict()
    assert (growth["base_value"], growth["multiple"], growth["multiple_reason"]) == (None, None, "no base figure")


def test_bounds_reaching_zero_leave_the_multiple_but_not_its_range():
    # 0.4 written without decimals stands for [-0.1, 0.9): the multiple 10 / 0.4 = 25 stands, its
    # rounding range does not
    frame = fdi_frame([("RUS", 2022, 12, 0.4, 0, "proceso"), ("RUS", 2024, 12, 10.0, 0, "proceso")])
    result = metrics.growth(metrics.select_figures(frame, SOURCES), "RUS", "MEX", 2022, 2024).to_dict()
    assert result["multiple"] == approx(25.0)
    assert (result["multiple_low"], result["multiple_high"]) == (None, None)
    assert (
        result["multiple_low_reason"]
        == result["multiple_high_reason"]
        == ("the base figure's rounding interval reaches zero")
    )


def test_a_share_of_a_total_that_is_not_positive_is_undefined():
    frame = fdi_frame(
        [
            ("RUS", 2022, 12, 2.8, 1, "proceso"),
            ("RUS", 2024, 12, 86.4, 1, "proceso"),
            ("WLD", 2022, 12, 0.0, 0, "proceso"),
            ("WLD", 2024, 12, -50.0, 0, "proceso"),  # a year of net disinvestment
        ]
    )
    result = metrics.growth(metrics.select_figures(frame, SOURCES), "RUS", "MEX", 2022, 2024).to_dict()
    for end in ("base", "target"):
        assert result[f"{end}_share_of_total_pct"] is None
        assert result[f"{end}_share_of_total_pct_reason"] == "the total is not positive"


def test_growth_rates_and_shares_at_the_edges_of_their_definition():
    # a base under 1 is still a base: 0.5 to 2.0 in two years is 4 ** (1/2) = 2, +100 % a year
    assert metrics.cagr(0.5, 2.0, 2) == approx(100.0)
    assert math.isnan(metrics.cagr(10.0, 20.0, 0))  # no time between the periods
    # a total under 1 is still a total: 0.1 of 0.5 is 20 %; a total of zero has no shares
    assert metrics.share_pct(0.1, 0.5) == approx(20.0)
    assert math.isnan(metrics.share_pct(5.0, 0.0))


def test_undefined_metrics_are_nan_without_a_warning():
    # the notebook shows warnings: an undefined metric must be silent NaN, not "divide by zero"
    base, target, years = np.array([0.0, -4.0, 10.0, 10.0]), np.array([5.0, 9.0, 20.0, 20.0]), np.array([1, 2, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = metrics.cagr(base, target, years)
        multiples = metrics.multiple(base, target)
        shares = metrics.share_pct(target, base)
        low, high = metrics.multiple_bounds(base, 0, target, 0)
    assert np.isnan(rates[:3]).all() and rates[3] == approx(100.0)
    assert np.isnan(multiples[:2]).all() and np.isnan(shares[:2]).all() and np.isnan([*low[:2], *high[:2]]).all()


def test_disagreements_follow_the_preference_and_say_why_the_figure_won():
    table = metrics.disagreements(FDI, SOURCES, prefer_sources=["forte"])
    rus = table[table["origin"] == "RUS"]
    assert list(rus["source_id"]) == ["forte", "gw2ru", "proceso"]
    assert list(rus["used"]) == [True, False, False]
    assert set(rus["basis"]) == {"preferred source"}
    usa = table[table["origin"] == "USA"]
    assert list(usa["source_id"]) == ["latinnews", "latorre"] and set(usa["basis"]) == {"more trusted source"}
    # 13,800 / 13,640 = 1.01173...
    assert usa["spread_ratio"].tolist() == [approx(13800 / 13640)] * 2


@pytest.mark.parametrize("ratio", [metrics.multiple, metrics.pct_change, metrics.share_pct])
def test_zero_over_zero_is_nan_without_a_warning(ratio):
    # 0 / 0 is numpy's "invalid value", a warning of its own apart from "divide by zero"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(ratio(0.0, 0.0))


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        # a missing figure (None, as `undefined_code` takes it) in an array is a NaN, not an error
        (lambda: metrics.multiple([2.8, None], [86.4, 86.4]), [864 / 28, math.nan]),
        (lambda: metrics.cagr([100.0, None], [121.0, 121.0], [2, 2]), [10.0, math.nan]),  # 1.21 ** 0.5 = 1.1
        (lambda: metrics.cagr([100.0, 100.0], [121.0, None], [2, 2]), [10.0, math.nan]),
        (lambda: metrics.cagr([100.0, 100.0], [121.0, 121.0], [2, None]), [10.0, math.nan]),
        (lambda: metrics.share_pct([86.4, 86.4], [36872.0, None]), [86.4 / 36872 * 100, math.nan]),
    ],
    ids=["multiple-base", "cagr-base", "cagr-target", "cagr-years", "share-total"],
)
def test_a_missing_figure_in_an_array_gives_nan_there(call, expected):
    result = call()
    assert result.dtype == np.float64
    assert result[0] == approx(expected[0]) and math.isnan(result[1])


def test_rounding_interval_with_decimals_of_an_unsigned_type():
    # digits after the point are never negative, so they may come unsigned: 2.8 (one decimal) stands
    # for [2.75, 2.85), 430 (none) for [429.5, 430.5)
    low, high = metrics.rounding_interval(np.array([2.8, 430.0]), np.array([1, 0], dtype=np.uint8))
    assert low.tolist() == [approx(2.75), approx(429.5)]
    assert high.tolist() == [approx(2.85), approx(430.5)]


def test_bounds_of_a_base_whose_interval_touches_zero_or_lies_under_one():
    # 0.5 written without decimals stands for [0, 1): its interval reaches zero, no bounds
    assert all(math.isnan(end) for end in metrics.multiple_bounds(0.5, 0, 10.0, 0))
    # 1 without decimals stands for [0.5, 1.5), 10 for [9.5, 10.5): 9.5 / 1.5 = 6.333..., 10.5 / 0.5 = 21
    assert metrics.multiple_bounds(1.0, 0, 10.0, 0) == (approx(9.5 / 1.5), approx(21.0))


@pytest.mark.parametrize("months", [9, 12])
def test_growth_says_which_figure_is_missing_with_a_code_and_the_period(months):
    period = "the full year" if months == 12 else "9 months"
    frame = fdi_frame([("RUS", 2022, months, 2.8, 1, "proceso")])
    selected = metrics.select_figures(frame, SOURCES)
    no_target = metrics.growth(selected, "RUS", "MEX", 2022, 2024, months)
    assert no_target.codes["target_value"] == "no_target"
    assert no_target.reasons["target_value"] == f"no figure for RUS into MEX in 2024 ({period})"
    assert no_target.to_dict()["target_value_reason"] == f"no figure for RUS into MEX in 2024 ({period})"
    no_base = metrics.growth(selected, "RUS", "MEX", 2021, 2022, months)
    assert no_base.codes["base_value"] == "no_base"
    assert no_base.reasons["base_value"] == f"no figure for RUS into MEX in 2021 ({period})"


@pytest.mark.parametrize(
    ("metric", "base", "target", "years", "code"),
    [
        ("multiple", 2.8, None, None, "no_target"),  # the base is there: it is the target that lacks
        ("multiple", None, None, None, "no_base"),
        ("cagr_pct", 2.8, 0.0, 2.0, None),  # to nothing: (0 / 2.8) ** (1 / 2) - 1 = -100 %, defined
        ("cagr_pct", 2.8, 0.5, 2.0, None),  # to less than one: defined
        ("cagr_pct", 2.8, 86.4, 0.0, "not_after"),
    ],
)
def test_undefined_code_at_the_edges(metric, base, target, years, code):
    assert metrics.undefined_code(metric, base, target, years) == code


def test_following_citations_ends_on_a_cycle_the_row_is_not_part_of():
    # loading refuses a cycle; were one to reach this, a -> b -> c -> b must end, not loop for ever
    sources = pd.DataFrame({"source_id": ["a", "b", "c"], "trust": ["high"] * 3, "cites": ["b", "c", "b"]})
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("fold_citations did not end"))
    signal.alarm(5)
    try:
        root, _ = metrics.fold_citations(sources)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert root.tolist() == [2, 2, 1]  # a stops at c (whose citation, b, is already on its way)


# one source, "x", for tests where which source reported a figure does not matter
ONE_SOURCE = pd.DataFrame(
    {"source_id": ["x"], "trust": ["high"], "published": ["2024"], "published_on": pd.to_datetime(["2024-01-01"])}
)


def test_periods_come_out_in_the_order_of_their_codes_not_of_the_file():
    frame = fdi_frame([("USA", 2023, 12, 1.0, 1, "x"), ("USA", 2023, 12, 2.0, 1, "x")])
    frame["destination"] = ["MEX", "CHL"]
    chosen = metrics.select_figures(frame, ONE_SOURCE)
    assert chosen[["destination", "usd_millions"]].values.tolist() == [["CHL", 2.0], ["MEX", 1.0]]


def test_periods_come_out_by_year_then_months():
    frame = fdi_frame([("USA", 2024, 6, 3.0, 1, "x"), ("USA", 2023, 12, 2.0, 1, "x"), ("USA", 2023, 6, 1.0, 1, "x")])
    chosen = metrics.select_figures(frame, ONE_SOURCE)
    assert chosen[["year", "months", "usd_millions"]].values.tolist() == [
        [2023, 6, 1.0],
        [2023, 12, 2.0],
        [2024, 6, 3.0],
    ]


def test_every_origin_and_destination_pair_is_a_period_of_its_own():
    # three origins and two destinations: six periods, none taken for another
    pairs = [(o, d) for o in ("AAA", "BBB", "CCC") for d in ("XXX", "YYY")]
    frame = fdi_frame([(o, 2023, 12, float(i), 1, "x") for i, (o, _) in enumerate(pairs)])
    frame["destination"] = [d for _, d in pairs]
    chosen = metrics.select_figures(frame, ONE_SOURCE)
    assert list(zip(chosen["origin"], chosen["destination"], chosen["usd_millions"], strict=True)) == [
        (o, d, float(i)) for i, (o, d) in enumerate(pairs)
    ]


def test_the_reported_range_takes_every_independent_report_of_the_base_too():
    # base 2022: proc 2.0 and late 4.0, two independent reports; target 2024: proc 10.0
    frame = fdi_frame(
        [("RUS", 2022, 12, 2.0, 1, "proc"), ("RUS", 2022, 12, 4.0, 1, "late"), ("RUS", 2024, 12, 10.0, 1, "proc")]
    )
    ranking = metrics.rank(frame, ECHO_SOURCES)
    selected = metrics.select_figures(frame, ECHO_SOURCES, ranking=ranking)
    reports = metrics.all_reports(ranking)
    result = metrics.growth(selected, "RUS", "MEX", 2022, 2024, 12, reports=reports).to_dict()
    assert (result["multiple_reported_low"], result["multiple_reported_high"]) == (approx(10 / 4), approx(10 / 2))
    assert (result["base_independent_sources"], result["target_independent_sources"]) == (2, 1)


@pytest.mark.parametrize(
    ("total_year", "defined", "missing", "missing_year"),
    [(2022, "base", "target", 2024), (2024, "target", "base", 2022)],
)
def test_a_share_without_its_total_says_which_years_total_is_missing(total_year, defined, missing, missing_year):
    frame = fdi_frame(
        [
            ("RUS", 2022, 12, 2.8, 1, "proceso"),
            ("RUS", 2024, 12, 86.4, 1, "proceso"),
            ("WLD", total_year, 12, 40_000.0, 0, "proceso"),
        ]
    )
    growth = metrics.growth(metrics.select_figures(frame, SOURCES), "RUS", "MEX", 2022, 2024, 12)
    shown = growth.to_dict()
    value = {"base": 2.8, "target": 86.4}[defined]
    assert shown[f"{defined}_share_of_total_pct"] == approx(value / 40_000 * 100)  # 0.007 % or 0.216 %
    assert shown[f"{missing}_share_of_total_pct"] is None
    assert growth.codes[f"{missing}_share_of_total_pct"] == "no_total"
    assert shown[f"{missing}_share_of_total_pct_reason"] == (
        f"no figure for FDI from all origins (WLD) in {missing_year} (the full year)"
    )
    # the totals the shares are taken from travel with the growth
    totals = {"base": growth.base_total, "target": growth.target_total}
    assert totals[defined].value == 40_000.0 and totals[missing] is None


def test_a_growth_rate_backwards_in_time_is_undefined():
    selected = metrics.select_figures(FDI, SOURCES)
    growth = metrics.growth(selected, "RUS", "MEX", 2024, 2022, 12)
    assert growth.cagr_pct is None and growth.codes["cagr_pct"] == "not_after"
    assert growth.multiple == approx(2.8 / 86.4)  # the multiple is defined either way


def test_every_report_is_listed_with_its_sources_date_and_trust_in_the_documented_columns():
    ranking = metrics.rank(FDI, SOURCES)
    table = metrics.all_reports(ranking)
    assert list(table.columns) == [
        *("origin", "destination", "year", "months", "usd_millions", "decimals", "source_id", "note", "line"),
        *("published", "trust", "credited_to", "independent", "used"),
    ]
    rus_2024 = table[(table["origin"] == "RUS") & (table["year"] == 2024)]
    # gw2ru (2026-01) first, then proceso (2025-06-25), then forte (2025-03): latest published first
    assert rus_2024[["source_id", "published", "trust"]].values.tolist() == [
        ["gw2ru", "2026-01", "low"],
        ["proceso", "2025-06-25", "unverified"],
        ["forte", "2025-03", "low"],
    ]
