"""Metrics against values worked out by hand from the inputs (the working is in each comment)."""

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis import metrics


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
        ("multiple", -21.0, 35.0, None, "base value is negative"),
        ("pct_change", 0.0, 35.0, None, "base value is zero"),
        ("cagr_pct", 10.0, -5.0, 1.0, "target value is negative"),
        ("multiple", None, 35.0, None, "no base figure"),
        ("abs_change", -21.0, 35.0, None, None),
        ("multiple", 2.8, 86.4, None, None),
    ],
)
def test_undefined_reason(metric, base, target, years, reason):
    assert metrics.undefined_reason(metric, base, target, years) == reason


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
    for key in ("multiple", "pct_change", "cagr_pct", "multiple_low", "multiple_high"):
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


def test_growth_table_for_every_origin_at_once():
    frame = fdi_frame(
        [
            ("RUS", 2022, 12, 2.8, 1, "proceso"),
            ("RUS", 2024, 12, 86.4, 1, "proceso"),
            ("WLD", 2022, 12, 35292.0, 0, "proceso"),
            ("WLD", 2024, 12, 36872.0, 0, "proceso"),
            ("CHN", 2022, 12, -10.0, 0, "proceso"),
            ("CHN", 2024, 12, 20.0, 0, "proceso"),
        ]
    )
    table = metrics.growth_table(metrics.select_figures(frame, SOURCES), 2022, 2024).set_index("origin")
    assert table.loc["RUS", "multiple"] == approx(864 / 28)
    assert table.loc["RUS", "target_share_of_total_pct"] == approx(86.4 / 36872 * 100)
    assert table.loc["WLD", "multiple"] == approx(36872 / 35292)
    assert math.isnan(table.loc["CHN", "multiple"])
    assert table.loc["CHN", "abs_change"] == approx(30.0)


def test_origins_in_a_period_largest_first_with_shares():
    frame = fdi_frame(
        [
            ("USA", 2025, 12, 15877.0, 0, "proceso"),
            ("ESP", 2025, 12, 4431.0, 0, "proceso"),
            ("WLD", 2025, 12, 40871.0, 0, "proceso"),
        ]
    )
    table = metrics.origins_in(metrics.select_figures(frame, SOURCES), "MEX", 2025, 12)
    assert list(table["origin"]) == ["USA", "ESP"]
    # 15877 / 40871 * 100 = 38.8466..., 4431 / 40871 * 100 = 10.8414...
    assert table["share_pct"].tolist() == [approx(15877 / 40871 * 100), approx(4431 / 40871 * 100)]


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
    table = metrics.growth_table(selected, 2010, 2020)
    assert len(table) > 1000
    positive = table["base_value"] > 0
    np.testing.assert_allclose(
        table.loc[positive, "multiple"], table.loc[positive, "target_value"] / table.loc[positive, "base_value"]
    )
    assert table.loc[~positive, "multiple"].isna().all()
