"""The data contract's vocabulary: codes, levels, patterns and date precision.

Plain Python with no pandera, so code that only reads already-validated data (the report's kernel,
see `analysis.load`) need not import it. `analysis.schema` builds the pandera models from these.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

TRUST_LEVELS = ("high", "medium", "low", "unverified")
CATEGORIES = ("diplomacy", "investment", "energy", "transport", "politics")
ALL_ORIGINS = "WLD"  # origin code for the total over every investing country
FIRST_YEAR = 1900
FDI_KEY = ["origin", "destination", "year", "months"]

NUMBER = r"-?\d+(?:\.\d+)?"
THOUSANDS = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
SOURCE_ID = r"[A-Za-z0-9][A-Za-z0-9._-]*"
DATE_PATTERNS = {
    "year": re.compile(r"(\d{4})"),
    "month": re.compile(r"(\d{4})-(\d{2})"),
    "day": re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
}


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
}
LANGUAGE_CODE = r"[a-z]{2}"


def translation_pattern(file_name: str) -> str | None:
    """Return the regular expression that a file's translation columns' names match.

    Parameters
    ----------
    file_name : str
        ``fdi.csv``, ``sources.csv`` or ``timeline.csv``.

    Returns
    -------
    str or None
        Such as ``(?:event|note)_[a-z]{2}``; None for a file with nothing to translate.
    """
    columns = TRANSLATABLE.get(file_name, ())
    return f"(?:{'|'.join(columns)})_{LANGUAGE_CODE}" if columns else None
