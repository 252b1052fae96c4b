"""The data contract that data/README.md documents, as pandera schemas of the files' text.

Each schema describes one CSV file as it is on disk: every column holds text, and each check says
what that text must look like (a year is four digits, a date YYYY, YYYY-MM or YYYY-MM-DD), so a
value is refused in the analyst's terms ("'2O24' is not a year") rather than as a failed
conversion; `analysis._load` types the columns (`contract.DTYPES`) once they passed. A column
means the same in every file that has it, so its checks are written once (`CHECKS`). A check's
``error`` is the sentence after the offending value: it says what would be right.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa

from analysis import contract
from analysis.contract import (
    ALL_ORIGINS,
    CATEGORIES,
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
)

FIRST_DATE = dt.date(FIRST_DATE_YEAR, 1, 1)


def _in_range(text: pd.Series, pattern: str, low: float, high: float) -> pd.Series:
    """Say where the value is in [low, high], or does not match ``pattern`` (another check reports that)."""
    values = pd.to_numeric(text.where(text.str.fullmatch(pattern)), errors="coerce")
    return values.isna() | values.between(low, high)


def _dates_within(text: pd.Series, first: dt.date = dt.date.min, last: dt.date = dt.date.max) -> pd.Series:
    """Say where a date's first day is within [first, last], or is no date (another check reports that)."""
    return text.map(lambda value: (day := first_day(value)) is None or first <= day <= last).astype(bool)


def _usd_parts(text: pd.Series) -> pd.DataFrame:
    """Count the digits of plain numbers before the point (leading zeros aside) and after it."""
    return text.str.extract(r"^-?0*([0-9]*?)(?:\.([0-9]+))?$").fillna("").apply(lambda column: column.str.len())


def _given(what: str) -> pa.Check:
    return pa.Check(lambda s: s.str.strip() != "", error=f"is empty: {what}")


def _plain_number(s: pd.Series) -> pd.Series:
    return s.str.fullmatch(NUMBER) | s.str.fullmatch(THOUSANDS)  # a thousands separator is reported apart


NOT_SOURCE_ID = "is not a source_id: letters, digits, '.', '_' or '-'"
YEAR = [
    pa.Check(lambda s: s.str.fullmatch(r"[0-9]{4}"), error="is not a year: write four digits 0-9, such as 2024"),
    pa.Check(
        lambda s: _in_range(s, r"[0-9]{4}", FIRST_YEAR, contract.today().year),
        error=f"is out of range: years run from {FIRST_YEAR} to this year",
    ),
]
THOUSANDS_SEPARATOR = pa.Check(
    lambda s: ~s.str.fullmatch(THOUSANDS), error="has a thousands separator: write the number without commas"
)
USD = [
    THOUSANDS_SEPARATOR,
    pa.Check(_plain_number, error="is not a number: write US$ millions in digits 0-9, with a dot for decimals"),
    pa.Check(
        lambda s: _usd_parts(s)[0] <= USD_INTEGER_DIGITS,
        error=f"is too large for US$ millions: at most {USD_INTEGER_DIGITS} digits before the point"
        f" ({'9' * USD_INTEGER_DIGITS} is about US$10 trillion, five times the world's largest year of FDI)",
    ),
    pa.Check(
        lambda s: _usd_parts(s)[1] <= USD_DECIMALS,
        error=f"has more than {USD_DECIMALS} decimals: US$ millions are written to the dollar at most"
        f" ({USD_DECIMALS} decimals); round it as the source gave it",
    ),
]
DATE_FROM = pa.Check(
    lambda s: _dates_within(s, first=FIRST_DATE),
    error=f"is before {FIRST_DATE_YEAR}: the report's dates begin in {FIRST_DATE_YEAR}",
)
ANY_DATE = pa.Check(lambda s: s.map(date_precision).notna(), error="is not a date written YYYY-MM-DD, YYYY-MM or YYYY")

# Each column's checks, in the order they are tried: a value is reported by the first it fails.
CHECKS: dict[str, list[pa.Check]] = {
    "origin": [
        pa.Check(
            lambda s: s.isin(iso_alpha3() | {ALL_ORIGINS}),
            error="is not an ISO 3166-1 alpha-3 country code (such as RUS) or WLD",
        )
    ],
    "destination": [
        pa.Check(lambda s: s.isin(iso_alpha3()), error="is not an ISO 3166-1 alpha-3 country code (such as MEX)")
    ],
    "year": YEAR,
    "base_year": YEAR,
    "target_year": YEAR,
    "months": [
        pa.Check(
            lambda s: s.str.fullmatch(r"[0-9]{1,2}"),
            error="is not a whole number of months (digits 0-9), such as 12 or 9",
        ),
        pa.Check(
            lambda s: _in_range(s, r"[0-9]{1,2}", 1, 12),
            error="is outside 1-12 (months counted from January; 12 = full year)",
        ),
    ],
    "usd_millions": USD,
    "base": USD,
    "target": USD,
    "multiple": [
        THOUSANDS_SEPARATOR,
        pa.Check(
            lambda s: (s == "") | _plain_number(s),
            error="is not a multiple: write it in digits 0-9 with a dot for decimals, such as 30, or leave it empty"
            " (then it is target ÷ base)",
        ),
        pa.Check(
            lambda s: (_usd_parts(s)[0] <= USD_INTEGER_DIGITS) & (_usd_parts(s)[1] <= USD_DECIMALS),
            error=f"is too large or too precise for a multiple: at most {USD_INTEGER_DIGITS} digits before the point"
            f" and {USD_DECIMALS} after it",
        ),
        pa.Check(
            lambda s: ~s.str.fullmatch(NUMBER) | (pd.to_numeric(s.where(s.str.fullmatch(NUMBER)), errors="coerce") > 0),
            error="is not above zero: a claim of growth states how many times the base the target is",
        ),
    ],
    "source_id": [pa.Check(lambda s: s.str.fullmatch(SOURCE_ID), error=NOT_SOURCE_ID)],
    "claim_id": [
        pa.Check(lambda s: s.str.fullmatch(SOURCE_ID), error="is not a claim_id: letters, digits, '.', '_' or '-'")
    ],
    "cites": [pa.Check(lambda s: (s == "") | s.str.fullmatch(SOURCE_ID), error=f"{NOT_SOURCE_ID} (or empty)")],
    "publisher": [_given("name who published it")],
    "title": [_given("give the publication's title")],
    "event": [_given("say what happened")],
    "quote": [_given("give the claim's words as they were published")],
    "url": [
        pa.Check(
            lambda s: s.str.fullmatch(r"(?:https?://\S+)?"),
            error="is not a web address starting with http:// or https://",
        )
    ],
    "published": [ANY_DATE, DATE_FROM],
    "date": [
        pa.Check(lambda s: s.map(date_precision).notna(), error="is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
        DATE_FROM,
    ],
    "accessed": [
        pa.Check(lambda s: s.map(date_precision) == "day", error="is not a date written YYYY-MM-DD"),
        DATE_FROM,
    ],
    "trust": [
        pa.Check(lambda s: s.isin(TRUST_LEVELS), error=f"is not a trust level: one of {', '.join(TRUST_LEVELS)}")
    ],
    "category": [pa.Check(lambda s: s.isin(CATEGORIES), error=f"is not a category: one of {', '.join(CATEGORIES)}")],
    "language": [
        pa.Check(
            lambda s: s.str.fullmatch(r"(?:[a-z]{2})?"),
            error="is not a language code: two lowercase letters (ISO 639-1), such as es, or empty",
        )
    ],
}
# Dates that may not lie after the day of the build, and why.
NOT_AFTER_TODAY = {
    "published": "no source is published in the future; check the year",
    "accessed": "no source is checked in the future; check the year",
    "date": "the timeline holds events that have happened; check the year",
}
# Columns whose values, together, are on one row of a file only (checked by `analysis._load`).
UNIQUE = {
    "fdi.csv": [(*contract.FDI_KEY, "source_id")],  # one source reports one figure for a period
    "sources.csv": [("source_id",)],
    "claims.csv": [("claim_id",)],
}


def validator(file_name: str, source_ids: set[str] | None = None) -> pa.DataFrameSchema:
    """Return the schema a file of `contract.COLUMNS` is validated with, on the day it runs.

    Dates may not lie after that day, and a ``source_id`` must be one of ``source_ids`` when given.
    Translation columns (`contract.translation_pattern`) hold any text; other columns are refused.
    """
    day = contract.today()
    columns = {}
    for name in contract.COLUMNS[file_name]:
        checks = list(CHECKS.get(name, []))
        if name in NOT_AFTER_TODAY:
            error = f"is after today ({day.isoformat()}): {NOT_AFTER_TODAY[name]}"
            checks.append(pa.Check(lambda s, day=day: _dates_within(s, last=day), error=error))
        if name == "source_id" and source_ids is not None:
            known = pa.Check(
                lambda s: s.isin(source_ids) | ~s.str.fullmatch(SOURCE_ID),
                error="is not a source_id listed in sources.csv",
            )
            checks.append(known)
        columns[name] = pa.Column(None, checks)  # text by construction: no dtype to check
    columns[f"^{contract.translation_pattern(file_name)}$"] = pa.Column(None, regex=True, required=False)
    return pa.DataFrameSchema(columns, strict=True)
