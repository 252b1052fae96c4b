"""The data contract's pieces that stand alone."""

import pytest

from analysis import contract, schema


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("1891", "year"),
        ("1942-11", "month"),
        ("1890-12-01", "day"),
        ("2024-02-29", "day"),  # a leap day
        ("2025-02-29", None),
        ("2025-13", None),
        ("2025-6", None),
        ("25-06-2025", None),
        ("", None),
    ],
)
def test_date_precision(text, precision):
    assert contract.date_precision(text) == precision


def test_iso_codes_are_the_current_countries():
    codes = contract.iso_alpha3()
    assert len(codes) == 249
    assert {"RUS", "MEX", "CUB", "USA"} <= codes
    assert "WLD" not in codes and "SUN" not in codes  # the total, and the USSR (withdrawn)


def test_every_model_lists_the_design_columns():
    assert schema.columns(schema.FDIFile) == [
        "origin",
        "destination",
        "year",
        "months",
        "usd_millions",
        "source_id",
        "note",
    ]
    assert schema.columns(schema.SourcesFile) == [
        "source_id",
        "publisher",
        "title",
        "url",
        "published",
        "accessed",
        "trust",
        "note",
        "cites",
        "figures_by",
        "language",
    ]
    assert schema.columns(schema.TimelineFile) == ["date", "event", "category", "source_id", "note"]
