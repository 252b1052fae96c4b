"""The data contract of DESIGN.md, written once, as pandera models of the files' text.

Each model describes one CSV file as it is on disk: every column holds text, and each check says
what that text must look like (a year is four digits, a flow is a plain number with a dot for
decimals, a date is YYYY, YYYY-MM or YYYY-MM-DD). `analysis.load` reads a file, validates it with
its model and only then converts the columns to numbers and dates, which can no longer fail.

A check's ``error`` is the sentence the analyst reads after the offending value, so it says what
would be right.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis.contract import (
    ALL_ORIGINS,
    CATEGORIES,
    FDI_KEY,
    FIRST_YEAR,
    NUMBER,
    SOURCE_ID,
    THOUSANDS,
    TRUST_LEVELS,
    date_precision,
    iso_alpha3,
    translation_pattern,
)

# Optional translation columns (``note_es``, ``event_es``): any number, each text.
FDI_TRANSLATIONS = f"^{translation_pattern('fdi.csv')}$"
SOURCES_TRANSLATIONS = f"^{translation_pattern('sources.csv')}$"
TIMELINE_TRANSLATIONS = f"^{translation_pattern('timeline.csv')}$"


def _text(series: Series[str]) -> pd.Series:
    return series.astype("str")


def _in_range(series: Series[str], pattern: str, low: float, high: float) -> pd.Series:
    """Say where the value is in [low, high], or does not parse (another check reports that)."""
    text = _text(series)
    values = pd.to_numeric(text.where(text.str.fullmatch(pattern)), errors="coerce")
    return values.isna() | values.between(low, high)


def _this_year() -> int:
    return dt.date.today().year


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

    @pa.check("year", error="is not a year: write four digits, such as 2024")
    def year_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"\d{4}")

    @pa.check("year", error=f"is out of range: years run from {FIRST_YEAR} to this year")
    def year_range(cls, s: Series[str]) -> Series[bool]:
        return _in_range(s, r"\d{4}", FIRST_YEAR, _this_year())

    @pa.check("months", error="is not a whole number of months, such as 12 or 9")
    def months_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(r"\d{1,2}")

    @pa.check("months", error="is outside 1-12 (months counted from January; 12 = full year)")
    def months_range(cls, s: Series[str]) -> Series[bool]:
        return _in_range(s, r"\d{1,2}", 1, 12)

    @pa.check("usd_millions", error="has a thousands separator: write the number without commas")
    def no_thousands_separator(cls, s: Series[str]) -> Series[bool]:
        return ~_text(s).str.fullmatch(THOUSANDS)

    @pa.check("usd_millions", error="is not a number: write US$ millions with a dot for decimals")
    def usd_number(cls, s: Series[str]) -> Series[bool]:
        text = _text(s)
        return text.str.fullmatch(NUMBER) | text.str.fullmatch(THOUSANDS)

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

    @pa.check("accessed", error="is not a date written YYYY-MM-DD")
    def accessed_date(cls, s: Series[str]) -> Series[bool]:
        return _text(s).map(date_precision) == "day"

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

    @pa.check("event", error="is empty: say what happened")
    def event_given(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.strip() != ""

    @pa.check("category", error=f"is not a category: one of {', '.join(CATEGORIES)}")
    def category_known(cls, s: Series[str]) -> Series[bool]:
        return _text(s).isin(CATEGORIES)

    @pa.check("source_id", error="is not a source_id: letters, digits, '.', '_' or '-'")
    def source_id_format(cls, s: Series[str]) -> Series[bool]:
        return _text(s).str.fullmatch(SOURCE_ID)


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "fdi.csv": FDIFile,
    "sources.csv": SourcesFile,
    "timeline.csv": TimelineFile,
}


def columns(model: type[pa.DataFrameModel]) -> list[str]:
    """Return a model's columns in the order the contract lists them.

    Parameters
    ----------
    model : pandera DataFrameModel subclass
        One of `MODELS`.

    Returns
    -------
    list of str
        The fixed columns; the optional translation columns (a pattern, not a name) are left out.
    """
    schema = model.to_schema()
    return [name for name, column in schema.columns.items() if not column.regex]


def with_known_sources(model: type[pa.DataFrameModel], source_ids: set[str]) -> pa.DataFrameSchema:
    """Return the model's schema with the reference to sources.csv checked too.

    Parameters
    ----------
    model : pandera DataFrameModel subclass
        `FDIFile` or `TimelineFile`.
    source_ids : set of str
        The source_ids that sources.csv defines.

    Returns
    -------
    pandera.DataFrameSchema
    """
    schema = model.to_schema()
    column = schema.columns["source_id"]
    known = pa.Check(
        lambda s: _text(s).isin(source_ids) | ~_text(s).str.fullmatch(SOURCE_ID),
        name="source_known",
        error="is not a source_id listed in sources.csv",
    )
    return schema.update_column("source_id", checks=[*column.checks, known])
