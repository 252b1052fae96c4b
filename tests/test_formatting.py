"""How numbers, money, periods, dates and names are written, in English (CLDR en) and Mexican
Spanish (CLDR es-MX). Expected texts follow CLDR's patterns as its charts publish them."""

import pytest

from analysis._formatting import Formatter
from analysis._language import edition

EN = edition("en").fmt
ES = edition("es").fmt


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (36872, 0, "36,872"),
        (2.8, 1, "2.8"),
        (31604.3, 1, "31,604.3"),
        (-21, 0, "-21"),
        (-0.04, 1, "0.0"),  # rounds to zero: no minus sign on a zero
        (1062.16216, 2, "1,062.16"),
        (2.25, 1, "2.3"),  # half away from zero, as the figure is written (not banker's 2.2)
        (0.125, 2, "0.13"),
        (1 / 3, 12, "0.333333"),  # never more than six decimals
    ],
)
def test_number_in_english_and_mexican_spanish(value, decimals, expected):
    # es-MX groups with a comma and marks decimals with a point, as en does (CLDR)
    assert EN.number(value, decimals) == ES.number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "english", "spanish"),
    [
        (2.8, 1, "US$2.8 million", "2.8 millones de dólares"),
        (86.4, 1, "US$86.4 million", "86.4 millones de dólares"),
        (36872, 0, "US$36,872 million", "36,872 millones de dólares"),
        (-21, 0, "-US$21 million", "-21 millones de dólares"),
        (1, 0, "US$1 million", "1 millón de dólares"),  # CLDR es: "one" for n = 1
    ],
)
def test_money(value, decimals, english, spanish):
    assert EN.money(value, decimals) == english
    assert ES.money(value, decimals) == spanish


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (2985.7142857, True, "+2,985.7%"),
        (455.49206, False, "455.5%"),
        (0.234324, False, "0.23%"),  # below 1 %: two significant digits
        (0.0079338, False, "0.0079%"),
        (-4.5, True, "-4.5%"),
        (0, False, "0.0%"),
        (1e-12, False, "<0.000001%"),  # two significant digits, but never past six decimals
    ],
)
def test_percent(value, signed, expected):
    # es-MX writes the percent sign without a space, as en does (CLDR "#,##0%")
    assert EN.percent(value, signed=signed) == ES.percent(value, signed=signed) == expected


def test_times_and_multiples():
    assert EN.times(864 / 28) == "30.9 times" and ES.times(864 / 28) == "30.9 veces"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (86.35 / 2.85, 86.45 / 2.75, ("30.3", "31.4")),
        (49.95 / 12.55, 50.05 / 12.45, ("3.98", "4.02")),
        (2.0, 2.0, ("2.000", "2.000")),
    ],
)
def test_multiple_range_uses_as_few_decimals_as_tell_the_ends_apart(low, high, expected):
    assert EN.multiple_range(low, high) == expected


@pytest.mark.parametrize(
    ("code", "english", "spanish"),
    [
        ("RUS", "Russia", "Rusia"),
        ("MEX", "Mexico", "México"),
        ("KOR", "South Korea", "Corea del Sur"),
        ("USA", "United States", "Estados Unidos"),
        ("NLD", "Netherlands", "Países Bajos"),
        ("WLD", "all origins", "todos los orígenes"),
        ("XKX", "XKX", "XKX"),  # a code ISO 3166 does not list: shown as it is
    ],
)
def test_country_names_come_from_cldr(code, english, spanish):
    assert EN.country(code) == english
    assert ES.country(code) == spanish


def test_a_country_the_locales_data_do_not_name_is_shown_as_its_code():
    # ISO 3166 lists North Macedonia (MK), but CLDR's Asturian has no name for it; Mexico it names
    asturian = Formatter("ast")
    assert asturian.country("MKD") == "MKD"
    assert asturian.country("MEX") == "Méxicu"


def test_names_inside_a_sentence():
    assert EN.country("USA", in_text=True) == "the United States"
    assert ES.country("NLD", in_text=True) == "los Países Bajos"
    assert ES.country("USA", in_text=True) == "Estados Unidos"


@pytest.mark.parametrize(
    ("year", "months", "english", "spanish"),
    [
        (2024, 12, "2024", "2024"),
        (2025, 9, "January\u2009–\u2009September 2025", "enero–septiembre de 2025"),
        (2024, 1, "January 2024", "enero de 2024"),
    ],
)
def test_period(year, months, english, spanish):
    assert EN.period(year, months) == english
    assert ES.period(year, months) == spanish


@pytest.mark.parametrize(
    ("text", "english", "spanish"),
    [
        ("1890-12-01", "December 1, 1890", "1 de diciembre de 1890"),
        ("1942-11", "November 1942", "noviembre de 1942"),
        ("1891", "1891", "1891"),
    ],
)
def test_dates_keep_their_precision(text, english, spanish):
    assert EN.date(text) == english
    assert ES.date(text) == spanish


def test_lists_follow_the_language():
    assert EN.join(["A", "B", "C"]) == "A, B, and C"
    assert ES.join(["A", "B", "C"]) == "A, B y C"
    assert EN.join([]) == ""


def test_a_formatter_needs_only_a_locale_and_its_phrases():
    fmt = Formatter("en", {"money": {"other": "%(sign)s$%(amount)sM"}, "times": "%(value)sx", "all_origins": "all"})
    assert fmt.money(-2.5, 1) == "-$2.5M"
    assert fmt.times(3) == "3.0x"
    assert fmt.months_span(9) == "January\u2009–\u2009September"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, "+0.5"),  # 2.5 % to 3.0 %: half a point more
        (-1.25, "-1.3"),  # half away from zero
        (0.05, "+0.1"),  # rounds up to a tenth: a rise shown
        (0.04, "0.0"),  # rounds to nothing: neither sign
        (-0.04, "0.0"),
        (1234.56, "+1,234.6"),
    ],
)
def test_points_are_signed_with_one_decimal(value, expected):
    assert EN.signed(value) == ES.signed(value) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (3, 0, "+3"),
        (1234.5, 0, "+1,235"),
        (0.3, 2, "+0.30"),
        (-2.5, 1, "-2.5"),
        (0.04, 1, "0.0"),  # zero at the digits shown: no sign
    ],
)
def test_signed_numbers(value, decimals, expected):
    assert EN.signed(value, decimals) == ES.signed(value, decimals) == expected


def test_language_names_in_the_editions_language():
    assert (EN.language("es"), ES.language("en"), ES.language("es")) == ("Spanish", "inglés", "español")
    assert EN.language("xx") == "xx"  # a code CLDR does not name: shown as it is


def test_the_months_of_a_period_without_its_year():
    assert (EN.months_span(1), ES.months_span(1)) == ("January", "enero")
    assert ES.months_span(6) == "enero\u2009–\u2009junio"  # CLDR's fallback interval, thin spaces


def test_defaults_one_decimal_for_numbers_money_and_signed_numbers():
    assert EN.number(2.84) == "2.8" and EN.money(86.44) == "US$86.4 million"
    assert EN.signed(0.25) == "+0.3" and EN.signed(-1.04) == "-1.0"  # 0.25 half away from zero, not "+0.25"


def test_another_locales_separators_come_from_its_cldr_data():
    # German (CLDR de): a point groups thousands, a comma marks decimals, the percent sign after a
    # no-break space
    de = Formatter("de_DE", {})
    assert de.number(1234.5, 1) == "1.234,5"
    assert de.percent(12.345) == "12,3\u00a0%"
    assert de.percent(-1e-12) == "-<0,000001\u00a0%"


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (-1e-12, False, "-<0.000001%"),  # too small for six decimals, and negative
        (-0.0, False, "0.0%"),  # a negative zero is zero
        (0.0, True, "0.0%"),  # no plus sign on zero
        (0.5, True, "+0.50%"),
    ],
)
def test_percent_near_zero(value, signed, expected):
    assert EN.percent(value, signed=signed) == ES.percent(value, signed=signed) == expected


@pytest.mark.parametrize(("value", "decimals", "expected"), [(0, 0, "US$0 million"), (0.5, 1, "US$0.5 million")])
def test_money_below_one_has_no_sign(value, decimals, expected):
    assert EN.money(value, decimals) == expected


def test_money_takes_the_form_of_its_numbers_plural_category():
    # Spanish has a "many" form for millions (CLDR): its catalogue gives it the "other" form's words
    assert ES.money(1_000_000, 0) == "1,000,000 millones de dólares"
    assert ES.money(1, 0) == "1 millón de dólares" and ES.money(21, 0) == "21 millones de dólares"


def test_lists_with_or():
    assert EN.join(["A", "B", "C"], "or") == "A, B, or C"
    assert ES.join(["A", "B"], "or") == "A o B"


def test_a_two_month_period_is_a_range():
    assert EN.period(2024, 2) == "January\u2009–\u2009February 2024"
    assert ES.period(2024, 2) == "enero–febrero de 2024"
    assert EN.months_span(2) == "January\u2009–\u2009February"


def test_a_formatter_without_names_for_running_text_uses_cldrs():
    bare = Formatter("en", {"all_origins": "all"})
    assert bare.country("USA", in_text=True) == "United States"
