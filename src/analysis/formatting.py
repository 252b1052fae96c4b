"""How numbers, money and dates are written in the report's prose, tables and charts.

One place, so the headline, the tables and the chart labels never disagree on how 86.4 reads.
Negative numbers take a true minus sign (U+2212).
"""

from __future__ import annotations

import math

MINUS = "\u2212"
COUNTRY_NAMES = {"RUS": "Russia", "WLD": "all origins"}  # pycountry's names, where too formal


def number(value: float, decimals: int = 1) -> str:
    """Write a number with thousands separators and a fixed count of decimals.

    Parameters
    ----------
    value : float
        The number.
    decimals : int, default 1
        Digits after the point.

    Returns
    -------
    str
        ``"36,872"``, ``"2.8"``, ``"−21"``.
    """
    text = f"{abs(value):,.{decimals}f}"
    return f"{MINUS}{text}" if value < 0 and text.strip("0.,") else text


def usd_millions(value: float, decimals: int = 1) -> str:
    """Write a flow in US$ millions as the report's prose does.

    Parameters
    ----------
    value : float
        US$ millions.
    decimals : int, default 1
        Digits after the point, normally as the figure was reported.

    Returns
    -------
    str
        ``"US$86.4 million"``, ``"US$36,872 million"``, ``"−US$21 million"``.
    """
    text = number(abs(value), decimals)
    return f"{MINUS if value < 0 else ''}US${text} million"


def times(value: float) -> str:
    """Write a multiple with one decimal: ``"30.9"``."""
    return number(value, 1)


def times_range(low: float, high: float) -> tuple[str, str]:
    """Write the two ends of a range of multiples with as few decimals as tell them apart.

    Parameters
    ----------
    low, high : float
        The range.

    Returns
    -------
    (str, str)
        ``("30.3", "31.4")``; ``("3.98", "4.02")`` where one decimal would write both as 4.0.
    """
    for decimals in (1, 2, 3):
        ends = number(low, decimals), number(high, decimals)
        if ends[0] != ends[1]:
            return ends
    return ends


def percent(value: float, signed: bool = False) -> str:
    """Write a percentage, with enough decimals to show small shares.

    Parameters
    ----------
    value : float
        The percentage (30 for 30 %).
    signed : bool, default False
        Write a plus sign before a positive value.

    Returns
    -------
    str
        One decimal from 1 % up (``"2,985.7%"``); two significant digits below
        (``"0.23%"``, ``"0.0079%"``).
    """
    magnitude = abs(value)
    small = 0 < magnitude < 1
    decimals = min(6, 1 - math.floor(math.log10(magnitude))) if small else 1
    text = number(value, decimals) + "%"
    return f"+{text}" if signed and value > 0 else text


def country(code: str, article: bool = False) -> str:
    """Name a country from its ISO alpha-3 code, as a sentence would.

    Parameters
    ----------
    code : str
        ISO 3166-1 alpha-3, or ``WLD``.
    article : bool, default False
        Put "the" before the names that take it in running text (``"the United States"``).

    Returns
    -------
    str
        ``"Russia"``, ``"Mexico"``, ``"South Korea"``; the code itself when unknown.
    """
    if code in COUNTRY_NAMES:
        name = COUNTRY_NAMES[code]
    else:
        import pycountry

        found = pycountry.countries.get(alpha_3=code)
        name = code if found is None else (getattr(found, "common_name", None) or found.name)
    return f"the {name}" if article and code in TAKES_THE else name


# Countries whose names take "the" in running text.
TAKES_THE = frozenset({"USA", "GBR", "NLD", "PHL", "BHS", "GMB", "ARE", "DOM", "CAF", "COM", "MDV", "MHL", "SLB"})


def period(year: int, months: int) -> str:
    """Name a period counted from January: ``"2024"`` or ``"January–September 2024"``."""
    if months == 12:
        return str(year)
    if months == 1:
        return f"January {year}"
    return f"January–{MONTHS[months - 1]} {year}"


def period_length(months: int) -> str:
    """Describe a period's length: ``"full year"`` or ``"January–September"``."""
    return "full year" if months == 12 else ("January" if months == 1 else f"January–{MONTHS[months - 1]}")


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_text(text: str) -> str:
    """Write a YYYY, YYYY-MM or YYYY-MM-DD date in words at its own precision.

    Parameters
    ----------
    text : str
        The date as in a data file.

    Returns
    -------
    str
        ``"1 December 1890"``, ``"November 1942"``, ``"1891"``.
    """
    parts = text.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"
