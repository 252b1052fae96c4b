"""How numbers, money, dates, periods and country names are written, in an edition's language.

Everything locale-dependent comes from Babel's copy of the Unicode CLDR: digits, separators,
percent signs, month names, date patterns, lists ("A, B, and C" / "A, B y C"), plural categories
and country names. The edition's gettext catalogue (`analysis._language.phrases`) adds only what
CLDR does not hold: how money in US$ millions reads ("US$86.4 million", "86.4 millones de
dólares"), the word for "times", and how a country's name reads in running text ("the United
States").

Numbers are rounded half away from zero at the digits a figure was reported with, never more:
a multiple keeps one decimal, a percentage one decimal from 1 % up and two significant digits
below.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.lists import format_list
from babel.numbers import parse_pattern

MAX_DECIMALS = 6  # a figure is never written with more digits after the point than this
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's, for any language


def _rounded(value: float, decimals: int) -> decimal.Decimal:
    """Round half away from zero at ``decimals`` digits, from the float's shortest repr."""
    exponent = decimal.Decimal(1).scaleb(-int(decimals))
    return decimal.Decimal(repr(float(value))).quantize(exponent, rounding=decimal.ROUND_HALF_UP)


@dataclass(frozen=True)
class Formatter:
    """Writes values for one edition: a CLDR locale, plus the catalogue's `analysis._language.phrases`."""

    locale: str
    phrases: Mapping[str, Any] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle by what it writes from, not the Babel locale it caches: charts are keyed by the pickle."""
        return {"locale": self.locale, "phrases": self.phrases}

    @cached_property
    def cldr(self) -> Locale:
        """The Babel locale."""
        return Locale.parse(self.locale)

    # Numbers ------------------------------------------------------------------------------

    def _write(self, number: decimal.Decimal, decimals: tuple[int, int], percent: bool = False) -> str:
        """Write a number in the locale's decimal (or percent) pattern, with (fewest, most) decimals."""
        formats = self.cldr.percent_formats if percent else self.cldr.decimal_formats
        pattern = parse_pattern(formats[None].pattern)
        pattern.frac_prec = decimals
        return pattern.apply(number, self.cldr)

    def _sign(self, name: str) -> str:
        """Return the locale's ``"plusSign"`` or ``"minusSign"``."""
        return self.cldr.number_symbols["latn"][name]

    def number(self, value: float, decimals: int = 1) -> str:
        """Write a number with the locale's separators and ``decimals`` (at most `MAX_DECIMALS`): ``"36,872"``."""
        decimals = max(0, min(int(decimals), MAX_DECIMALS))
        rounded = _rounded(value, decimals)
        return self._write(abs(rounded) if rounded == 0 else rounded, (decimals, decimals))  # no "-0.0"

    def percent(self, value: float, signed: bool = False) -> str:
        """Write a percentage (30 for 30 %): one decimal from 1 % up, two significant digits below (``"0.23%"``)."""
        magnitude = abs(value)
        decimals = min(MAX_DECIMALS, 1 - math.floor(math.log10(magnitude))) if 0 < magnitude < 1 else 1
        rounded = _rounded(value, decimals)
        if rounded == 0 and value != 0:  # too small for the decimals shown: say so, not "0.000000%"
            smallest = self._write(decimal.Decimal(1).scaleb(-decimals - 2), (decimals, decimals), percent=True)
            return f"<{smallest}" if value > 0 else f"{self._sign('minusSign')}<{smallest}"
        text = self._write(abs(rounded) / 100 if rounded == 0 else rounded / 100, (decimals, decimals), percent=True)
        return f"{self._sign('plusSign')}{text}" if signed and rounded > 0 else text

    def signed(self, value: float, decimals: int = 1) -> str:
        """Write a number with a plus sign when it is above zero at the digits shown (``"+0.1"``)."""
        text = self.number(value, decimals)
        return f"{self._sign('plusSign')}{text}" if _rounded(value, decimals) > 0 else text

    def money(self, value: float, decimals: int = 1) -> str:
        """Write a flow in US$ millions as prose does: ``"US$86.4 million"``, ``"86.4 millones de dólares"``."""
        rounded = _rounded(value, decimals)
        sign = self._sign("minusSign") if rounded < 0 else ""
        return self._phrase("money", rounded) % {"sign": sign, "amount": self.number(abs(value), decimals)}

    def times(self, value: float) -> str:
        """Write a multiple in words: ``"30.9 times"``, ``"30.9 veces"``."""
        return self._phrase("times", _rounded(value, 1)) % {"value": self.number(value, 1)}

    def rounded_multiple(self, value: float) -> str:
        """Write a multiple as prose rounds it: whole from 3 up (``"31"``), else one decimal (``"2.4"``)."""
        return self.number(value, 0 if abs(value) >= 3 else 1)

    def rounded_range(self, low: float, high: float) -> tuple[str, str]:
        """Write two multiples as prose rounds them, with a decimal more where that would write both alike.

        Examples
        --------
        >>> Formatter("en").rounded_range(6.82, 30.86), Formatter("en").rounded_range(3.64, 4.0)
        (('7', '31'), ('3.6', '4.0'))
        """
        ends = self.rounded_multiple(low), self.rounded_multiple(high)
        return ends if ends[0] != ends[1] or low == high else self.multiple_range(low, high)

    def rounded_percent(self, value: float) -> tuple[str, bool]:
        """Write a share as prose rounds it (``"45%"``, ``"0.23%"``), and say whether it is under 0.01 %."""
        magnitude = abs(value)
        if magnitude < 0.01:
            return self._write(decimal.Decimal("0.0001"), (2, 2), percent=True), value != 0
        decimals = 0 if magnitude >= 10 else min(2, 1 - math.floor(math.log10(magnitude)))
        return self._write(_rounded(value, decimals) / 100, (0, decimals), percent=True), False

    def multiple_range(self, low: float, high: float) -> tuple[str, str]:
        """Write a range of multiples with as few decimals as tell its ends apart: ``("3.98", "4.02")``."""
        for decimals in (1, 2):
            ends = self.number(low, decimals), self.number(high, decimals)
            if ends[0] != ends[1]:
                return ends
        return self.number(low, 3), self.number(high, 3)

    def _phrase(self, key: str, number: decimal.Decimal) -> str:
        """Return the catalogue's phrase for a number as written, in the form of its CLDR plural category."""
        forms = self.phrases[key]
        return forms if isinstance(forms, str) else forms.get(self.cldr.plural_form(abs(number))) or forms["other"]

    # Lists --------------------------------------------------------------------------------

    def join(self, items: Sequence[str], style: str = "standard") -> str:
        """Join items in a CLDR list style (``"standard"``, ``"or"``): ``"A, B, and C"``, ``"A, B y C"``."""
        items = list(items)
        return format_list(items, style=style, locale=self.cldr) if items else ""

    # Dates and periods --------------------------------------------------------------------

    def date(self, text: str) -> str:
        """Write a YYYY, YYYY-MM or YYYY-MM-DD date at its precision: ``"December 1, 1890"``, ``"1942"``."""
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 1:
            return str(parts[0])
        if len(parts) == 2:
            return format_skeleton("yMMMM", dt.date(parts[0], parts[1], 1), locale=self.cldr)
        return format_date(dt.date(*parts), format="long", locale=self.cldr)

    def period(self, year: int, months: int) -> str:
        """Name ``months`` counted from January of ``year``: ``"2024"``, ``"January–September 2024"``."""
        if months == 12:
            return str(year)
        return format_interval(dt.date(year, 1, 1), dt.date(year, months, 1), "yMMMM", locale=self.cldr)

    def months_span(self, months: int) -> str:
        """Name a period's months without the year: ``"January–September"``, ``"enero–septiembre"``."""
        names = self.cldr.months["stand-alone"]["wide"]
        if months == 1:
            return names[1]
        return self.cldr.interval_formats[None].replace("{0}", names[1]).replace("{1}", names[months])

    # Names --------------------------------------------------------------------------------

    def country(self, code: str, in_text: bool = False) -> str:
        """Name a country by its ISO alpha-3 code (``WLD``: all origins), as inside a sentence if ``in_text``."""
        if code == "WLD":
            return self.phrases["all_origins"]
        if in_text and code in self.phrases.get("in_text", {}):
            return self.phrases["in_text"][code]
        import pycountry

        found = pycountry.countries.get(alpha_3=code)
        return self.cldr.territories.get(found.alpha_2, code) if found else code

    def language(self, code: str) -> str:
        """Name a language from its ISO 639-1 code, in this edition's language (``"inglés"``)."""
        return self.cldr.languages.get(code, code)
