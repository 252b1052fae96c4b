"""The data contract that data/README.md documents, as pandera models of the files' text.

Each model describes one CSV file as it is on disk: every column holds text, and each check says
what that text must look like (a year is four digits, a date YYYY, YYYY-MM or YYYY-MM-DD), so
that a value is refused in the analyst's terms ("'2O24' is not a year") rather than as a failed
conversion. `analysis.load` types the columns (`contract.DTYPES`) once they passed, which can
no longer fail. A check's ``error`` is the sentence after the offending value: it says what
would be right.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis import contract
from analysis.contract import (
    ALL_ORIGINS,
    CATEGORIES,
    FDI_KEY,
    FIRST_DATE_YEAR,
    FIRST_YEAR,
    NUMBER,
    SOURCE_ID,
    THOUSANDS,
    TRUST_LEVELS,
    USD_DECIMALS,
    USD_INTEGER_DIGITS,
    date_precision,
    first_day,
    iso_alpha3,
    translation_pattern,
)

# Optional translation columns (``note_es``, ``event_es``): any number, each text.
FDI_TRANSLATIONS = f"^{translation_pattern('fdi.csv')}$"
SOURCES_TRANSLATIONS = f"^{translation_pattern('sources.csv')}$"
TIMELINE_TRANSLATIONS = f"^{translation_pattern('timeline.csv')}$"
CLAIMS_TRANSLATIONS = f"^{translation_pattern('claims.csv')}$"


def _text(series: Series[str]) -> pd.Series:
    return series.astype("str")


def _in_range(series: Series[str], pattern: str, low: float, high: float) -> pd.Series:
    """Say where the value is in [low, high], or does not parse (another check reports that)."""
    text = _text(series)
    values = pd.to_numeric(text.where(text.str.fullmatch(pattern)), errors="coerce")
    return values.isna() | values.between(low, high)


def _this_year() -> int:
    return contract.today().year


def _dates_within(series: Series[str], first: dt.date = dt.date.min, last: dt.date = dt.date.max) -> pd.Series:
    """Say where a date's first day is within [first, last], or is no date (another check reports that)."""
    days = _text(series).map(first_day)
    return days.map(lambda day: not isinstance(day, dt.date) or first <= day <= last).astype(bool)


def _usd_parts(series: Series[str]) -> pd.DataFrame:
    """Split plain numbers into the digits before the point (leading zeros aside) and after it."""
    parts = _text(series).str.extract(r"^-?0*([0-9]*?)(?:\.([0-9]+))?$")
    return parts.fillna("").apply(lambda column: column.str.len())


# The checks a figure in US$ millions gets, in fdi.csv and in claims.csv: each error the sentence after the value.
USD_ERRORS = {
    "thousands": "has a thousands separator: write the number without commas",
    "number": "is not a number: write US$ millions in digits 0-9, with a dot for decimals",
    "magnitude": f"is too large for US$ millions: at most {USD_INTEGER_DIGITS} digits before the point"
    f" ({'9' * USD_INTEGER_DIGITS} is about US$10 trillion, five times the world's largest year of FDI)",
    "decimals": f"has more than {USD_DECIMALS} decimals: US$ millions are written to the dollar at most"
    f" ({USD_DECIMALS} decimals); round it as the source gave it",
}


def _plain_number(series: Series[str]) -> pd.Series:
    """Say where the value is a number as the contract writes it, or one with thousands separators (reported apart)."""
    text = _text(series)
    return text.str.fullmatch(NUMBER) | text.str.fullmatch(THOUSANDS)


class FDIFile(pa.DataFrameModel):
    """``fdi.csv``: one row per reported figure; several rows may report the same period."""

    origin: Series[str]
    destination: Series[str]
    year: Series[str]
    months: Series[str]
    usd_millions: Series[str]
    source_id: Series[str]
    note: Series[str]
    translations: Optional[Series[str]] = pa.Field(alias=FDI_TRANSLATIONS, regex=True)  # noqa: UP045 - pandera reads Optional

    class Config:
        strict = True
        # One source reports one figure for a period; two would be a copying slip.
        unique = (*FDI_KEY, "source_id")

    @pa.check("origin", error="is not an ISO 3166-1 alpha-3 country code (such as RUS) or WLD")
    def origin_code(cls, s: Series[str]) -> Series[bool]:
        return _text(s).isin(iso_alpha3() | {ALL_ORIGINS})

    @pa.check("destination", error="is not an ISO 3166-1 alpha-3 country code (such as MEX)")
    def destination_code(cls, s: Series[str]) -> Series[bool]:
        return _text(s).isin(iso_alpha3())

    @pa.check("year", error="is not a year: write four digits 0-9, such as 2024")
    def year_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"[0-9]{4}")

    @pa.check("year", error=f"is out of range: years run from {FIRST_YEAR} to this year")
    def year_range(cls, s: Series[str]) -> Series[bool]:
        return _in_range(s, r"[0-9]{4}", FIRST_YEAR, _this_year())

    @pa.check("months", error="is not a whole number of months (digits 0-9), such as 12 or 9")
    def months_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"[0-9]{1,2}")

    @pa.check("months", error="is outside 1-12 (months counted from January; 12 = full year)")
    def months_range(cls, s: Series[str]) -> Series[bool]:
        return _in_range(s, r"[0-9]{1,2}", 1, 12)

    @pa.check("usd_millions", error=USD_ERRORS["thousands"])
    def no_thousands_separator(cls, s: Series[str]) -> Series[bool]:
        return ~_text(s).str.fullmatch(THOUSANDS)

    @pa.check("usd_millions", error=USD_ERRORS["number"])
    def usd_number(cls, s: Series[str]) -> Series[bool]:
        return _plain_number(s)

    @pa.check("usd_millions", error=USD_ERRORS["magnitude"])
    def usd_magnitude(cls, s: Series[str]) -> Series[bool]:
        return _usd_parts(s)[0] <= USD_INTEGER_DIGITS

    @pa.check("usd_millions", error=USD_ERRORS["decimals"])
    def usd_decimals(cls, s: Series[str]) -> Series[bool]:
        return _usd_parts(s)[1] <= USD_DECIMALS

    @pa.check("source_id", error="is not a source_id: letters, digits, '.', '_' or '-'")
    def source_id_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(SOURCE_ID)


class SourcesFile(pa.DataFrameModel):
    """``sources.csv``: one row per publication a figure or an event comes from."""

    source_id: Series[str] = pa.Field(unique=True)
    publisher: Series[str]
    title: Series[str]
    url: Series[str]
    published: Series[str]
    accessed: Series[str]
    trust: Series[str]
    note: Series[str]
    cites: Series[str]
    figures_by: Series[str]
    language: Series[str]
    translations: Optional[Series[str]] = pa.Field(alias=SOURCES_TRANSLATIONS, regex=True)  # noqa: UP045 - pandera reads Optional

    class Config:
        strict = True

    @pa.check("source_id", error="is not a source_id: letters, digits, '.', '_' or '-'")
    def source_id_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(SOURCE_ID)

    @pa.check("publisher", error="is empty: name who published it")
    def publisher_given(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.strip() != ""

    @pa.check("title", error="is empty: give the publication's title")
    def title_given(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.strip() != ""

    @pa.check("url", error="is not a web address starting with http:// or https://")
    def url_form(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"(?:https?://\S+)?")

    @pa.check("published", error="is not a date written YYYY-MM-DD, YYYY-MM or YYYY")
    def published_date(cls, s: Series[str]) -> Series[bool]:
        return _text(s).map(date_precision).notna()

    @pa.check("published", error=f"is before {FIRST_DATE_YEAR}: the report's dates begin in {FIRST_DATE_YEAR}")
    def published_from(cls, s: Series[str]) -> Series[bool]:
        return _dates_within(s, first=dt.date(FIRST_DATE_YEAR, 1, 1))

    @pa.check("accessed", error="is not a date written YYYY-MM-DD")
    def accessed_date(cls, s: Series[str]) -> Series[bool]:
        return _text(s).map(date_precision) == "day"

    @pa.check("accessed", error=f"is before {FIRST_DATE_YEAR}: the report's dates begin in {FIRST_DATE_YEAR}")
    def accessed_from(cls, s: Series[str]) -> Series[bool]:
        return _dates_within(s, first=dt.date(FIRST_DATE_YEAR, 1, 1))

    @pa.check("trust", error=f"is not a trust level: one of {', '.join(TRUST_LEVELS)}")
    def trust_level(cls, s: Series[str]) -> Series[bool]:
        return _text(s).isin(TRUST_LEVELS)

    @pa.check("language", error="is not a language code: two lowercase letters (ISO 639-1), such as es, or empty")
    def language_code(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"(?:[a-z]{2})?")

    @pa.check("cites", error="is not a source_id: letters, digits, '.', '_' or '-' (or empty)")
    def cites_format(cls, s: Series[str]) -> Series[bool]:
        text = _text(s)
        return (text == "") | text.str.fullmatch(SOURCE_ID)


class TimelineFile(pa.DataFrameModel):
    """``timeline.csv``: dated events; a date's precision (year, month, day) is part of the fact."""

    date: Series[str]
    event: Series[str]
    category: Series[str]
    source_id: Series[str]
    note: Series[str]
    translations: Optional[Series[str]] = pa.Field(alias=TIMELINE_TRANSLATIONS, regex=True)  # noqa: UP045 - pandera reads Optional

    class Config:
        strict = True

    @pa.check("date", error="is not a date written YYYY, YYYY-MM or YYYY-MM-DD")
    def date_form(cls, s: Series[str]) -> Series[bool]:
        return _text(s).map(date_precision).notna()

    @pa.check("date", error=f"is before {FIRST_DATE_YEAR}: the report's dates begin in {FIRST_DATE_YEAR}")
    def date_from(cls, s: Series[str]) -> Series[bool]:
        return _dates_within(s, first=dt.date(FIRST_DATE_YEAR, 1, 1))

    @pa.check("event", error="is empty: say what happened")
    def event_given(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.strip() != ""

    @pa.check("category", error=f"is not a category: one of {', '.join(CATEGORIES)}")
    def category_known(cls, s: Series[str]) -> Series[bool]:
        return _text(s).isin(CATEGORIES)

    @pa.check("source_id", error="is not a source_id: letters, digits, '.', '_' or '-'")
    def source_id_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(SOURCE_ID)


class ClaimsFile(pa.DataFrameModel):
    """``claims.csv``: one row per claim of growth between two periods, as a publication made it."""

    claim_id: Series[str] = pa.Field(unique=True)
    origin: Series[str]
    destination: Series[str]
    base_year: Series[str]
    target_year: Series[str]
    months: Series[str]
    base: Series[str]
    target: Series[str]
    multiple: Series[str]
    quote: Series[str]
    source_id: Series[str]
    translations: Optional[Series[str]] = pa.Field(alias=CLAIMS_TRANSLATIONS, regex=True)  # noqa: UP045 - pandera reads Optional

    class Config:
        strict = True

    @pa.check("claim_id", error="is not a claim_id: letters, digits, '.', '_' or '-'")
    def claim_id_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(SOURCE_ID)

    @pa.check("origin", error="is not an ISO 3166-1 alpha-3 country code (such as RUS) or WLD")
    def origin_code(cls, s: Series[str]) -> Series[bool]:
        return _text(s).isin(iso_alpha3() | {ALL_ORIGINS})

    @pa.check("destination", error="is not an ISO 3166-1 alpha-3 country code (such as MEX)")
    def destination_code(cls, s: Series[str]) -> Series[bool]:
        return _text(s).isin(iso_alpha3())

    @pa.check("base_year", "target_year", error="is not a year: write four digits 0-9, such as 2024")
    def year_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"[0-9]{4}")

    @pa.check("base_year", "target_year", error=f"is out of range: years run from {FIRST_YEAR} to this year")
    def year_range(cls, s: Series[str]) -> Series[bool]:
        return _in_range(s, r"[0-9]{4}", FIRST_YEAR, _this_year())

    @pa.check("months", error="is not a whole number of months (digits 0-9), such as 12 or 9")
    def months_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"[0-9]{1,2}")

    @pa.check("months", error="is outside 1-12 (months counted from January; 12 = full year)")
    def months_range(cls, s: Series[str]) -> Series[bool]:
        return _in_range(s, r"[0-9]{1,2}", 1, 12)

    @pa.check("base", "target", error=USD_ERRORS["thousands"])
    def no_thousands_separator(cls, s: Series[str]) -> Series[bool]:
        return ~_text(s).str.fullmatch(THOUSANDS)

    @pa.check("base", "target", error=USD_ERRORS["number"])
    def usd_number(cls, s: Series[str]) -> Series[bool]:
        return _plain_number(s)

    @pa.check("base", "target", error=USD_ERRORS["magnitude"])
    def usd_magnitude(cls, s: Series[str]) -> Series[bool]:
        return _usd_parts(s)[0] <= USD_INTEGER_DIGITS

    @pa.check("base", "target", error=USD_ERRORS["decimals"])
    def usd_decimals(cls, s: Series[str]) -> Series[bool]:
        return _usd_parts(s)[1] <= USD_DECIMALS

    @pa.check("multiple", error=USD_ERRORS["thousands"])
    def multiple_no_thousands_separator(cls, s: Series[str]) -> Series[bool]:
        return ~_text(s).str.fullmatch(THOUSANDS)

    @pa.check(
        "multiple",
        error="is not a multiple: write it in digits 0-9 with a dot for decimals, such as 30, or leave it empty"
        " (then it is target ÷ base)",
    )
    def multiple_number(cls, s: Series[str]) -> Series[bool]:
        text = _text(s)
        return (text == "") | _plain_number(s)

    @pa.check(
        "multiple",
        error=f"is too large or too precise for a multiple: at most {USD_INTEGER_DIGITS} digits before the point"
        f" and {USD_DECIMALS} after it",
    )
    def multiple_size(cls, s: Series[str]) -> Series[bool]:
        parts = _usd_parts(s)
        return (parts[0] <= USD_INTEGER_DIGITS) & (parts[1] <= USD_DECIMALS)

    @pa.check("multiple", error="is not above zero: a claim of growth states how many times the base the target is")
    def multiple_positive(cls, s: Series[str]) -> Series[bool]:
        text = _text(s)
        return ~text.str.fullmatch(NUMBER) | (
            pd.to_numeric(text.where(text.str.fullmatch(NUMBER)), errors="coerce") > 0
        )

    @pa.check("quote", error="is empty: give the claim's words as they were published")
    def quote_given(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.strip() != ""

    @pa.check("source_id", error="is not a source_id: letters, digits, '.', '_' or '-'")
    def source_id_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(SOURCE_ID)


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "fdi.csv": FDIFile,
    "sources.csv": SourcesFile,
    "timeline.csv": TimelineFile,
    "claims.csv": ClaimsFile,
}


# Dates that may not lie after the day of the build, and why, per file.
NOT_AFTER_TODAY = {
    "sources.csv": {
        "published": "no source is published in the future; check the year",
        "accessed": "no source is checked in the future; check the year",
    },
    "timeline.csv": {"date": "the timeline holds events that have happened; check the year"},
}


def unique_keys(file_name: str) -> list[tuple[str, ...]]:
    """Return the keys of a file: the model's ``unique`` columns together, and each ``unique=True`` column."""
    schema = MODELS[file_name].to_schema()
    keys = [tuple(schema.unique)] if schema.unique else []
    return keys + [(name,) for name, column in schema.columns.items() if column.unique and not column.regex]


def validator(file_name: str, source_ids: set[str] | None = None) -> pa.DataFrameSchema:
    """Return the schema a file is validated with: its model, and the checks that depend on the run.

    Dates may not lie after the day the validation runs, and a ``source_id`` must be one of
    ``source_ids`` when given. Uniqueness (`unique_keys`) is left to `analysis.load`, whose
    message names the line repeated.
    """
    schema = copy.deepcopy(MODELS[file_name].to_schema())  # to_schema() is cached: never change it
    schema.unique = None
    for name in [key[0] for key in unique_keys(file_name) if len(key) == 1]:
        schema = schema.update_column(name, unique=False)
    day = contract.today()
    for column_name, why in NOT_AFTER_TODAY.get(file_name, {}).items():
        column = schema.columns[column_name]
        future = pa.Check(
            lambda s, day=day: _dates_within(s, last=day),
            name=f"{column_name}_not_after_today",
            error=f"is after today ({day.isoformat()}): {why}",
        )
        schema = schema.update_column(column_name, checks=[*column.checks, future])
    if source_ids is not None:
        column = schema.columns["source_id"]
        known = pa.Check(
            lambda s: _text(s).isin(source_ids) | ~_text(s).str.fullmatch(SOURCE_ID),
            name="source_known",
            error="is not a source_id listed in sources.csv",
        )
        schema = schema.update_column("source_id", checks=[*column.checks, known])
    return schema
