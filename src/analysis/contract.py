"""The data contract's vocabulary: columns, codes, levels, patterns, limits and date precision.

Plain Python, no pandera: the report's sections use it too. `analysis._schema` builds the pandera
models from it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import cache

TRUST_LEVELS = ("high", "medium", "low", "unverified")
CATEGORIES = ("diplomacy", "investment", "energy", "transport", "politics")
ALL_ORIGINS = "WLD"  # origin code for the total over every investing country
FIRST_YEAR = 1900
FDI_KEY = ["origin", "destination", "year", "months"]

# Digits are ASCII digits: ``\d`` would let "２０２４" or "٢٠٢٤" through, which Python reads as
# numbers but a reader of the file does not.
NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
THOUSANDS = r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
SOURCE_ID = r"[A-Za-z0-9][A-Za-z0-9._-]*"
DATE_PATTERNS = {
    "year": re.compile(r"([0-9]{4})"),
    "month": re.compile(r"([0-9]{4})-([0-9]{2})"),
    "day": re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"),
}

# Limits: what a file may hold for the report to mean something and a build to take bounded time
# (bench/notes.md has the measurements behind them).
MAX_TEXT_CHARS = 500  # a value: laying it out in a PDF table cell grows with its length squared
MAX_WORD_CHARS = 50  # a word of free text: a word wider than its column is broken inside, slowly
# Columns with a form of their own (codes, numbers, dates, identifiers, addresses): not held to
# MAX_WORD_CHARS.
FORMATTED_COLUMNS = frozenset(
    {
        *("origin", "destination", "year", "months", "usd_millions", "source_id", "url", "published", "accessed"),
        *("trust", "cites", "language", "date", "category", "claim_id", "base_year", "target_year", "base"),
        *("target", "multiple"),
    }
)
MAX_ROWS = {"fdi.csv": 300, "sources.csv": 200, "timeline.csv": 200, "claims.csv": 30}  # what a build lays out
MAX_COLUMNS = 64  # the contract's columns and their translations, with room to spare
MAX_LINE_CHARS = 40_000  # a line of MAX_COLUMNS values of MAX_TEXT_CHARS, quoted, is 32,192
MAX_PROBLEMS_PER_FILE = 100  # listed; the rest are counted
# usd_millions: at most 7 digits before the point (9,999,999 US$ millions is about US$10
# trillion, five times the largest year of FDI flows the world has seen) and 6 after it (a
# millionth of a million is one dollar): 13 significant digits, exact in a float.
USD_INTEGER_DIGITS = 7
USD_DECIMALS = 6
# Dates lie from 1700 (pandas timestamps begin in 1677) to the day of the build.
FIRST_DATE_YEAR = 1700
# Characters that change the order in which the text around them is shown (embeddings,
# overrides, isolates and marks): "a \u202eetaregaxe ton" shows as "a not exagerate". No value
# of the data or text parameter may hold one.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def bidi_message(char: str) -> str:
    """Say what a bidirectional control character does, and what to do (after "holds")."""
    import unicodedata

    return (
        f"the bidirectional control character U+{ord(char):04X} ({unicodedata.name(char)}), which changes the order"
        " the text around it is shown in: remove it"
    )


def is_source_id(text: str) -> bool:
    """Say whether a text is a well-formed source_id (letters, digits, ``.``, ``_``, ``-``)."""
    return re.fullmatch(SOURCE_ID, text) is not None


@cache
def iso_alpha3() -> frozenset[str]:
    """Return the ISO 3166-1 alpha-3 codes of every current country.

    Returns
    -------
    frozenset of str
        The 249 codes that pycountry ships (from Debian's iso-codes).
    """
    import pycountry

    return frozenset(country.alpha_3 for country in pycountry.countries)


def date_precision(text: str) -> str | None:
    """Say how precise a date written as YYYY, YYYY-MM or YYYY-MM-DD is.

    Parameters
    ----------
    text : str
        The date as written in a data file.

    Returns
    -------
    str or None
        ``"year"``, ``"month"`` or ``"day"``; None when the text is not one of the three forms
        or names no real day (``2025-02-30``, ``2025-13``).
    """
    if first_day(text) is None:
        return None
    return next(precision for precision, pattern in DATE_PATTERNS.items() if pattern.fullmatch(text))


def today() -> dt.date:
    """Return the day of the build: no date in the data may lie after it."""
    return dt.date.today()


def first_day(text: str) -> dt.date | None:
    """Return the first day of a date written YYYY, YYYY-MM or YYYY-MM-DD; None if it is none.

    Parameters
    ----------
    text : str
        The date as written.

    Returns
    -------
    datetime.date or None
        ``2024-05`` gives 2024-05-01; a date lies after the build's day only if its first day does.
    """
    match = next(filter(None, (pattern.fullmatch(text) for pattern in DATE_PATTERNS.values())), None)
    try:
        return None if match is None else dt.date(*map(int, match.groups()), *[1] * (3 - len(match.groups())))
    except ValueError:  # no such day, such as 2025-02-30
        return None


def period_end(year: int, months: int) -> dt.date:
    """Return the last day of the first ``months`` months of ``year`` (months from 1 to 12).

    Parameters
    ----------
    year : int
        The calendar year.
    months : int
        Months covered, counted from January.

    Returns
    -------
    datetime.date
    """
    return dt.date(year, months, calendar.monthrange(year, months)[1])


# Each file's columns, in the contract's order; translations (`TRANSLATABLE`) come besides.
COLUMNS = {
    "fdi.csv": ("origin", "destination", "year", "months", "usd_millions", "source_id", "note"),
    "sources.csv": (
        *("source_id", "publisher", "title", "url", "published", "accessed", "trust", "note", "cites"),
        *("figures_by", "language"),
    ),
    "timeline.csv": ("date", "event", "category", "source_id", "note"),
    "claims.csv": (
        *("claim_id", "origin", "destination", "base_year", "target_year", "months", "base", "target"),
        *("multiple", "quote", "source_id"),
    ),
}
# The columns typed as numbers once valid (every other column is text), and where the digits
# after the point of a figure, as written, are counted (to show it as precisely as its source).
DTYPES = {
    "fdi.csv": {"year": "int64", "months": "int64", "usd_millions": "float64"},
    "claims.csv": {
        "base_year": "int64",
        "target_year": "int64",
        "months": "int64",
        "base": "float64",
        "target": "float64",
        "multiple": "float64",
    },
}
DECIMALS = {
    "fdi.csv": {"usd_millions": "decimals"},
    "claims.csv": {"base": "base_decimals", "target": "target_decimals", "multiple": "multiple_decimals"},
}
# Columns a file may leave out: they read as empty.
OPTIONAL_COLUMNS = {
    "fdi.csv": frozenset({"note"}),
    "sources.csv": frozenset({"note", "cites", "figures_by", "language"}),
    "timeline.csv": frozenset({"note"}),
}
# Text for readers may carry translations in columns named after it with a language code
# (``event_es``, ``note_es``); they are optional, and empty where no translation was made.
TRANSLATABLE = {
    "fdi.csv": ("note",),
    "sources.csv": ("note", "figures_by", "publisher"),
    "timeline.csv": ("event", "note"),
    "claims.csv": ("quote",),
}
LANGUAGE_CODE = r"[a-z]{2}"


def translation_pattern(file_name: str) -> str:
    """Return the regular expression that a file's translation columns' names match.

    Parameters
    ----------
    file_name : str
        ``fdi.csv``, ``sources.csv``, ``timeline.csv`` or ``claims.csv``.

    Returns
    -------
    str
        Such as ``(?:event|note)_[a-z]{2}``.
    """
    return f"(?:{'|'.join(TRANSLATABLE[file_name])})_{LANGUAGE_CODE}"
