"""The data contract's vocabulary: codes, levels, patterns and date precision.

Plain Python with no pandera, so code that only reads already-validated data (the report's kernel,
see `analysis.load`) need not import it. `analysis.schema` builds the pandera models from these.
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

# Limits: what a file may hold for the report to mean something and to be built in bounded time.
#
# A value (any cell) is at most MAX_TEXT_CHARS characters. Laying out text in a PDF table cell
# grows with the square of its length where the cell may break anywhere (WeasyPrint, CSS
# `overflow-wrap: anywhere`, measured on this project's machine: one cell of 500 characters
# 0.5-1.4 s, of 1,000 4-10 s, of 2,000 17-54 s, of 4,000 over 70 s); the longest value in the
# project's data is 217 characters.
MAX_TEXT_CHARS = 500
# A word (characters between spaces) is at most MAX_WORD_CHARS: the layout's cost grows with a
# word's length once it is wider than its table column and must be hyphenated or broken inside.
# Measured on two cores, with every file at MAX_ROWS and every text value of 500 characters: in
# words of 3 to 9 characters a build of both formats took 98 s; in words of 40, 128 s; of 50,
# 153 s; of 100, 209 s; 100 events of 500 characters without a space, 317 s. The longest word in
# the project's data is 32 characters. Free text only is held to it: the columns with a form of
# their own (codes, numbers, dates, identifiers) are checked against that form, and an address
# (sources.csv's url) is a link, not laid out as text.
MAX_WORD_CHARS = 50
FORMATTED_COLUMNS = frozenset(
    {
        *("origin", "destination", "year", "months", "usd_millions", "source_id", "url", "published", "accessed"),
        *("trust", "cites", "language", "date", "category", "claim_id", "base_year", "target_year", "base"),
        *("target", "multiple"),
    }
)
# Rows a file may hold: what a build lays out grows with them (every event and every source is a
# row of a table, every figure a row where sources disagree), and with the rows a report computes
# over (308,000 figures: the notebook ran past its 600 s limit). At these numbers, every text value
# of 500 characters in words of 50, a build of both formats took 74 to 100 s and 0.7 GiB on two
# busy cores (of the HTML alone, 20 s and 0.55 GiB).
# The project's data hold 92 figures, 75 sources, 50 events and 1 claim.
MAX_ROWS = {"fdi.csv": 300, "sources.csv": 200, "timeline.csv": 200, "claims.csv": 30}
MAX_COLUMNS = 64  # the contract's columns and their translations, with room to spare
MAX_LINE_CHARS = 40_000  # a line of MAX_COLUMNS values of MAX_TEXT_CHARS, quoted, is 32,192
MAX_PROBLEMS_PER_FILE = 100  # listed; the rest are counted
# usd_millions: at most 7 digits before the point (9,999,999 US$ millions is about US$10
# trillion, five times the largest year of FDI flows the world has seen) and 6 after it (a
# millionth of a million is one dollar). 13 significant digits at most: a float holds 15, so
# every figure is exact to the digit written.
USD_INTEGER_DIGITS = 7
USD_DECIMALS = 6
# Dates (published, accessed, timeline's date) lie from 1700 (the report's dates are pandas
# timestamps, which begin in 1677) to the day of the build.
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
    for precision, pattern in DATE_PATTERNS.items():
        match = pattern.fullmatch(text)
        if match:
            parts = [int(p) for p in match.groups()] + [1] * (3 - len(match.groups()))
            try:
                dt.date(*parts)
            except ValueError:
                return None
            return precision
    return None


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
    if date_precision(text) is None:
        return None
    parts = [int(p) for p in text.split("-")]
    return dt.date(*parts, *[1] * (3 - len(parts)))


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


def translation_pattern(file_name: str) -> str | None:
    """Return the regular expression that a file's translation columns' names match.

    Parameters
    ----------
    file_name : str
        ``fdi.csv``, ``sources.csv``, ``timeline.csv`` or ``claims.csv``.

    Returns
    -------
    str or None
        Such as ``(?:event|note)_[a-z]{2}``; None for a file with nothing to translate.
    """
    columns = TRANSLATABLE.get(file_name, ())
    return f"(?:{'|'.join(columns)})_{LANGUAGE_CODE}" if columns else None
