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
    assert {"RUS", "MEX", "CUB", "USA"} <= codes
    # countries that came into being or took a new code: South Sudan (2011), Serbia and Montenegro
    # apart (2006), Timor-Leste (TLS, not TMP), the DR Congo (COD, not ZAR), Curaçao and Sint Maarten
    assert {"SSD", "SRB", "MNE", "TLS", "COD", "CUW", "SXM"} <= codes
    # the total, and codes withdrawn: the USSR, Yugoslavia, Serbia and Montenegro, the Netherlands
    # Antilles, Czechoslovakia, East Germany, East Timor, Zaire
    assert codes.isdisjoint({"WLD", "SUN", "YUG", "SCG", "ANT", "CSK", "DDR", "TMP", "ZAR"})
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in codes)


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
