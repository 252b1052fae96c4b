"""How numbers, money, periods and dates are written."""

import pytest

from analysis import formatting as fmt


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (36872, 0, "36,872"),
        (2.8, 1, "2.8"),
        (31604.3, 1, "31,604.3"),
        (-21, 0, "−21"),
        (-0.04, 1, "0.0"),  # rounds to zero: no minus sign on a zero
        (1062.16216, 2, "1,062.16"),
    ],
)
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (2.8, 1, "US$2.8 million"),
        (86.4, 1, "US$86.4 million"),
        (36872, 0, "US$36,872 million"),
        (-21, 0, "−US$21 million"),
    ],
)
def test_usd_millions(value, decimals, expected):
    assert fmt.usd_millions(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (2985.7142857, True, "+2,985.7%"),
        (455.49206, False, "455.5%"),
        (0.234324, False, "0.23%"),  # below 1 %: two significant digits
        (0.0079338, False, "0.0079%"),
        (-4.5, True, "−4.5%"),
        (0, False, "0.0%"),
    ],
)
def test_percent(value, signed, expected):
    assert fmt.percent(value, signed=signed) == expected


def test_times():
    assert fmt.times(864 / 28) == "30.9"


@pytest.mark.parametrize(
    ("code", "name"),
    [("RUS", "Russia"), ("MEX", "Mexico"), ("KOR", "South Korea"), ("USA", "United States"), ("WLD", "all origins")],
)
def test_country(code, name):
    assert fmt.country(code) == name


@pytest.mark.parametrize(
    ("year", "months", "expected"), [(2024, 12, "2024"), (2024, 9, "January–September 2024"), (2024, 1, "January 2024")]
)
def test_period(year, months, expected):
    assert fmt.period(year, months) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("1890-12-01", "1 December 1890"), ("1942-11", "November 1942"), ("1891", "1891")]
)
def test_date_text_keeps_the_precision(text, expected):
    assert fmt.date_text(text) == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (86.35 / 2.85, 86.45 / 2.75, ("30.3", "31.4")),
        (49.95 / 12.55, 50.05 / 12.45, ("3.98", "4.02")),
        (2.0, 2.0, ("2.000", "2.000")),
    ],
)
def test_times_range_uses_as_few_decimals_as_tell_the_ends_apart(low, high, expected):
    assert fmt.times_range(low, high) == expected
