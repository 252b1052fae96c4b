"""The report's editions: one gettext catalogue per language, and templates shared by all of them.

A language is one file, ``src/analysis/locale/<code>/LC_MESSAGES/messages.po`` (compiled to
``messages.mo`` by ``make translations``): every word a reader sees, English being the language
the messages are written in, and in its header's ``Language`` the CLDR locale its numbers, dates,
plurals and country names follow (through Babel). The templates, one per section for every
language, are in ``templates/sections/``: HTML, escaped by construction (every value a template
prints is escaped unless it is already Markup). Adding a language means adding a ``.po`` file, not
editing Python.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from analysis import _config as config
from analysis._formatting import Formatter

LOCALE_DIR = config.PACKAGE_DIR / "locale"  # <lang>/LC_MESSAGES/messages.po and .mo; tests point it elsewhere
DOMAIN = "messages"
SECTION_TEMPLATES = config.PACKAGE_DIR / "templates" / "sections"  # one template per section, every language


def catalogue_path(lang: str, suffix: str = ".po") -> Path:
    """Return the path of a language's gettext catalogue (``.po``) or its compiled form (``.mo``)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def compiled(lang: str) -> bytes:
    """Read a language's ``messages.mo``; refuse one missing or older than its ``.po`` (stale words, or English)."""
    from analysis.errors import BuildError

    po, mo = catalogue_path(lang), catalogue_path(lang, ".mo")
    if not po.is_file():
        raise KeyError(f"no gettext catalogue for {lang!r}: {config.display_path(po)} is missing")
    if not mo.is_file() or mo.stat().st_mtime_ns < po.stat().st_mtime_ns:
        raise BuildError(
            f"{config.display_path(mo)} is missing or older than {config.display_path(po)}: "
            "compile the catalogues with `make translations`"
        )
    return mo.read_bytes()


def languages() -> tuple[str, ...]:
    """Return the codes of the editions this package can write (every ``messages.po`` under `LOCALE_DIR`), sorted."""
    return tuple(sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


@dataclass(frozen=True)
class Edition:
    """One language's gettext catalogue, formatter and templates.

    Build it with `edition`; the templates see the catalogue through Jinja's i18n extension
    (``{% trans %}``, ``_()``, ``ngettext()``, ``pgettext()``) and the formatter's methods as
    filters (``money``, ``number``, ``percent``, ``times``, ``date``, ``country``, ``listing``, …).
    """

    lang: str
    translations: Any  # babel.support.Translations
    fmt: Formatter

    @functools.cached_property
    def contract(self) -> Callable[[str], str]:
        """Make the language's contractions in a filled-in message (`contractions`)."""
        return contractions(self.translations)

    def gettext(self, message: str, **values: Any) -> str:
        """Translate a message and fill its ``%(name)s`` placeholders (plain text, not HTML)."""
        text = self.translations.gettext(message)
        return self.contract(text % values if values else text)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """Translate a message with plural forms, chosen by ``n`` (also available as ``%(num)s``)."""
        return self.contract(self.translations.ngettext(singular, plural, n) % {"num": n, **values})

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        """Translate a message in a context (a word that reads differently in different places)."""
        text = self.translations.pgettext(context, message)
        return self.contract(text % values if values else text)

    @property
    def locale(self) -> str:
        """The CLDR locale (``"es_MX"``)."""
        return self.fmt.locale

    @property
    def html_lang(self) -> str:
        """The BCP 47 tag for ``<html lang>`` (``"es-MX"``)."""
        return self.fmt.locale.replace("_", "-")

    @functools.cached_property
    def _environment(self):
        import jinja2

        from analysis import _metrics as metrics

        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(SECTION_TEMPLATES)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            extensions=["jinja2.ext.do", "jinja2.ext.i18n"],
        )
        environment.policies["ext.i18n.trimmed"] = True  # a message's line breaks are layout, not words
        environment.install_gettext_translations(self.translations, newstyle=True)
        for name in ("gettext", "ngettext", "pgettext", "npgettext"):  # {% trans %} and _() call these
            environment.globals[name] = _contracting(environment.globals[name], self.contract)
        f = self.fmt
        environment.filters.update(
            listing=functools.partial(listing, f),
            number=f.number,
            money=f.money,
            percent=f.percent,
            points=f.signed,  # a difference of percentages: signed, one decimal
            signed=f.signed,
            times=f.times,
            multiple=f.number,  # one decimal
            rounded_multiple=f.rounded_multiple,
            rounded_percent=f.rounded_percent,
            rounded_range=lambda ends: f.rounded_range(*ends),
            date=f.date,
            country=f.country,
            language=f.language,
            capfirst=lambda text: text[:1].upper() + text[1:],
        )
        environment.globals.update(
            period=f.period,
            months_span=f.months_span,
            multiple_range=f.multiple_range,
            year_ranges=year_ranges,
            lang=self.lang,
            criteria=lambda: metrics.CRITERIA,  # the ranking's order, read when a template asks
        )
        return environment

    def render(self, template: str, block: str | None = None, **context: Any) -> Markup:
        """Render a template of ``templates/sections/``, or one ``{% block %}`` of it, as escaped Markup."""
        loaded = self._environment.get_template(template)
        text = loaded.render(**context) if block is None else "".join(loaded.blocks[block](loaded.new_context(context)))
        return Markup(text.strip())


def contractions(translations: Any) -> Callable[[str], str]:
    """Return what makes a language's contractions in a filled-in message ("de el Banco" → "del Banco").

    A message can put a preposition before a placeholder whose value starts with an article (a
    body's name in the data carries its article: "el Banco Central de Chile"). The language's
    catalogue lists its contractions; only lowercase words are contracted, never a capitalised
    name ("de El Universal").
    """
    import re

    # Translators: the contractions your language makes of a word and
    # an article, as "words = contraction" pairs separated by ";"
    # (Spanish: "de el = del; a el = al"); "(none)" if it makes none.
    listed = translations.pgettext("contractions", "(none)")
    pairs = [
        (words.strip(), contraction.strip()) for words, _, contraction in (r.partition("=") for r in listed.split(";"))
    ]
    rules = [
        (re.compile(rf"\b{re.escape(words)}\b"), made) for words, made in pairs if words and made and words != made
    ]

    def contract(text: str) -> str:
        for pattern, contraction in rules:
            changed = pattern.sub(contraction, str(text))
            text = Markup(changed) if isinstance(text, Markup) else changed
        return text

    return contract


def _contracting(translate: Callable[..., Any], contract: Callable[[str], str]) -> Callable[..., Any]:
    """Wrap a template's gettext function so that what it returns has the language's contractions made."""
    import jinja2

    @jinja2.pass_context
    def contracting(context: Any, *args: Any, **kwargs: Any) -> Any:
        return contract(context.call(translate, *args, **kwargs))

    return contracting


def listing(fmt: Formatter, items: Any, style: str = "standard") -> Markup:
    """Join items as the language lists them (the ``listing`` filter): text escaped, Markup kept."""
    return Markup(fmt.join([str(escape(i)) for i in items], style))


def year_ranges(years: list[int]) -> list[str]:
    """Write runs of consecutive years as ranges: ``[1999, 2000, 2001, 2005]`` → ``["1999–2001", "2005"]``."""
    consecutive = itertools.groupby(enumerate(sorted(set(years))), key=lambda pair: pair[1] - pair[0])
    runs = [[year for _, year in run] for _, run in consecutive]
    return [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]


@functools.cache
def edition(lang: str) -> Edition:
    """Return the edition of one of `languages`, its formatter in its catalogue's CLDR locale (``Language: es_MX``)."""
    from babel.support import Translations

    if lang not in languages():
        raise KeyError(f"no edition in {lang!r}: the languages are {', '.join(languages())}")
    catalogue = Translations(io.BytesIO(compiled(lang)), domain=DOMAIN)
    locale = catalogue.info().get("language") or lang
    return Edition(lang, catalogue, Formatter(locale, phrases(catalogue)))


def phrases(catalogue: Any) -> dict[str, Any]:
    """Return what the formatter writes that CLDR does not hold, from a language's catalogue.

    How an amount in US$ millions and a multiple read, in a form for each CLDR plural category
    (`analysis._formatting.PLURAL_CATEGORIES`: a figure such as 1.5 takes the category CLDR gives
    it, which gettext's whole-number plural forms cannot say); how the origins together are named;
    and how a country's name reads inside a sentence, where it differs from CLDR's name.
    """
    # Translators: an amount in US$ millions ("US$86.4 million"), in the form for
    # numbers of the CLDR plural category the context names; a category your
    # language does not use is never shown (copy "other"). %(sign)s: "-" or "".
    money = {
        "other": catalogue.pgettext("money, plural category other", "%(sign)sUS$%(amount)s million"),
        "zero": catalogue.pgettext("money, plural category zero", "%(sign)sUS$%(amount)s million"),
        "one": catalogue.pgettext("money, plural category one", "%(sign)sUS$%(amount)s million"),
        "two": catalogue.pgettext("money, plural category two", "%(sign)sUS$%(amount)s million"),
        "few": catalogue.pgettext("money, plural category few", "%(sign)sUS$%(amount)s million"),
        "many": catalogue.pgettext("money, plural category many", "%(sign)sUS$%(amount)s million"),
    }
    # Translators: a multiple ("30.9 times"), in the form for numbers of the CLDR
    # plural category the context names; a category your language does not use is
    # never shown (copy "other").
    times = {
        "other": catalogue.pgettext("times, plural category other", "%(value)s times"),
        "zero": catalogue.pgettext("times, plural category zero", "%(value)s times"),
        "one": catalogue.pgettext("times, plural category one", "%(value)s time"),
        "two": catalogue.pgettext("times, plural category two", "%(value)s times"),
        "few": catalogue.pgettext("times, plural category few", "%(value)s times"),
        "many": catalogue.pgettext("times, plural category many", "%(value)s times"),
    }
    # Translators: a country's name inside a sentence ("investment from the United
    # States"), as your language writes it there, with its article if it takes one.
    in_text = {
        "USA": catalogue.pgettext("country in a sentence", "the United States"),
        "GBR": catalogue.pgettext("country in a sentence", "the United Kingdom"),
        "NLD": catalogue.pgettext("country in a sentence", "the Netherlands"),
        "ARE": catalogue.pgettext("country in a sentence", "the United Arab Emirates"),
        "PHL": catalogue.pgettext("country in a sentence", "the Philippines"),
        "DOM": catalogue.pgettext("country in a sentence", "the Dominican Republic"),
        "CZE": catalogue.pgettext("country in a sentence", "the Czech Republic"),
        "BHS": catalogue.pgettext("country in a sentence", "the Bahamas"),
    }
    return {"money": money, "times": times, "all_origins": catalogue.gettext("all origins"), "in_text": in_text}
