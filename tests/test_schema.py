"""The data contract's pieces that stand alone."""

import datetime as dt

import pytest

from analysis import _schema as schema
from analysis import contract


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


@pytest.mark.parametrize("name", sorted(contract.COLUMNS))
def test_every_schema_checks_the_contracts_columns_and_refuses_others(name):
    checked = schema.validator(name)
    assert [column for column, spec in checked.columns.items() if not spec.regex] == list(contract.COLUMNS[name])
    assert checked.strict


def test_the_contracts_columns_are_the_documented_ones():
    assert contract.COLUMNS["fdi.csv"] == (
        "origin",
        "destination",
        "year",
        "months",
        "usd_millions",
        "source_id",
        "note",
    )
    assert contract.COLUMNS["timeline.csv"] == ("date", "event", "category", "source_id", "note")
    assert contract.COLUMNS["sources.csv"][:8] == (
        *("source_id", "publisher", "title", "url", "published", "accessed", "trust", "note"),
    )


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024", dt.date(2024, 1, 1)),
        ("2024-05", dt.date(2024, 5, 1)),
        ("2024-05-06", dt.date(2024, 5, 6)),
        ("2024-5", None),
        ("２０２４", None),
    ],
)
def test_first_day(text, day):
    assert contract.first_day(text) == day


@pytest.mark.parametrize(
    ("year", "months", "end"),
    [
        (2024, 12, dt.date(2024, 12, 31)),
        (2024, 2, dt.date(2024, 2, 29)),
        (2023, 2, dt.date(2023, 2, 28)),
        (2025, 9, dt.date(2025, 9, 30)),
    ],
)
def test_period_end(year, months, end):
    assert contract.period_end(year, months) == end
