"""The report's editions: one folder per language, holding its catalogue and its templates.

``src/analysis/languages/<code>/`` holds everything a reader sees in that language:

- ``catalogue.yaml``: the CLDR locale, the short texts (headings, table headers, chart labels,
  captions, status words) and the few phrases CLDR lacks (how money reads);
- ``*.html.j2``: one Jinja template per report section (prose and tables, autoescaped), and
  ``*.txt.j2`` for plain text (chart alt text).

``languages/common/`` holds the markup every language shares (the table macro). A language is
there when its folder has a catalogue: adding one means adding a folder, not editing Python.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import config
from analysis.formatting import Formatter

LANGUAGES_DIR = config.PACKAGE_DIR / "languages"
COMMON = "common"
CATALOGUE = "catalogue.yaml"
LOCALE_DIR = config.PACKAGE_DIR / "locale"  # gettext catalogues: <lang>/LC_MESSAGES/messages.po and .mo
DOMAIN = "messages"
SECTION_TEMPLATES = config.PACKAGE_DIR / "templates" / "sections"  # one template per section, every language


def catalogue_path(lang: str, suffix: str = ".po") -> Path:
    """Return the path of a language's gettext catalogue (``.po``) or its compiled form (``.mo``)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def translations(lang: str):
    """Load a language's compiled gettext catalogue (``messages.mo``).

    Raises
    ------
    analysis.errors.BuildError
        When the ``.mo`` is missing or older than its ``.po``: the report would otherwise be
        written with stale words, or silently in English.
    """
    from babel.support import Translations

    from analysis.errors import BuildError

    po, mo = catalogue_path(lang), catalogue_path(lang, ".mo")
    if not po.is_file():
        raise KeyError(f"no gettext catalogue for {lang!r}: {config.display_path(po)} is missing")
    if not mo.is_file() or mo.stat().st_mtime_ns < po.stat().st_mtime_ns:
        raise BuildError(
            f"{config.display_path(mo)} is missing or older than {config.display_path(po)}: "
            "compile the catalogues with `make translations`"
        )
    with mo.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


def languages() -> tuple[str, ...]:
    """Return the codes of the editions this package can write, sorted.

    Returns
    -------
    tuple of str
        Such as ``("en", "es")``: every folder of ``languages/`` with a catalogue.
    """
    return tuple(sorted(p.parent.name for p in LANGUAGES_DIR.glob(f"*/{CATALOGUE}")))


class Catalogue:
    """An edition's short texts, looked up by dotted key (``"table.growth.caption"``).

    Parameters
    ----------
    entries : mapping
        The parsed ``catalogue.yaml``.
    lang : str
        Its language code, for messages.
    """

    def __init__(self, entries: Mapping[str, Any], lang: str):
        self.entries = entries
        self.lang = lang

    def get(self, key: str) -> Any:
        """Return the entry at a dotted key (a text, a list or a mapping of plural forms).

        Raises
        ------
        KeyError
            Naming the key and the language, when the catalogue lacks it.
        """
        node: Any = self.entries
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise KeyError(f"the {self.lang} catalogue has no entry {key!r}")
            node = node[part]
        return node

    def text(self, key: str, **values: Any) -> str:
        """Return the text at a key, its ``{placeholders}`` filled in (plain text, not HTML)."""
        entry = self.get(key)
        if not isinstance(entry, str):
            raise KeyError(f"the {self.lang} catalogue's entry {key!r} is not a text")
        return entry.format(**values) if values else entry


@dataclass(frozen=True)
class Edition:
    """One language's catalogue, formatter and templates.

    Build it with `edition`; the templates see the formatter's methods as filters (``money``,
    ``number``, ``percent``, ``times``, ``date``, ``period``, ``country``, ``join``, ``count``)
    and the catalogue as ``t(key, **values)``.
    """

    lang: str
    catalogue: Catalogue
    fmt: Formatter
    folder: Path

    @functools.cached_property
    def translations(self):
        """The language's gettext catalogue (`translations`)."""
        return translations(self.lang)

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

    def t(self, key: str, **values: Any) -> str:
        """Look up a short text (see `Catalogue.text`)."""
        return self.catalogue.text(key, **values)

    @functools.cached_property
    def _environment(self):
        import jinja2

        loader = jinja2.FileSystemLoader([str(SECTION_TEMPLATES), str(self.folder), str(LANGUAGES_DIR / COMMON)])
        environment = jinja2.Environment(
            loader=loader,
            autoescape=escaped,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=False,
            keep_trailing_newline=False,
            extensions=["jinja2.ext.do", "jinja2.ext.i18n"],
        )
        environment.policies["ext.i18n.trimmed"] = True  # a message's line breaks are layout, not words
        environment.install_gettext_translations(self.translations, newstyle=True)
        for name in ("gettext", "ngettext", "pgettext", "npgettext"):  # {% trans %} and _() call these
            environment.globals[name] = _contracting(environment.globals[name], self.contract)
        f = self.fmt
        environment.filters.update(
            listing=jinja2.pass_eval_context(functools.partial(listing, f)),
            number=f.number,
            money=f.money,
            percent=f.percent,
            points=f.points,
            signed=f.signed,
            times=f.times,
            multiple=f.multiple,
            rounded_multiple=f.rounded_multiple,
            rounded_percent=f.rounded_percent,
            rounded_range=lambda ends: f.rounded_range(*ends),
            date=f.date,
            country=f.country,
            language=f.language,
            capfirst=lambda text: text[:1].upper() + text[1:],
        )
        environment.globals.update(
            t=self.t,
            count=lambda n, key: f.count(n, self.catalogue.get(key)),
            period=f.period,
            months_span=f.months_span,
            multiple_range=f.multiple_range,
            year_ranges=year_ranges,
            lang=self.lang,
        )
        return environment

    def render(self, template: str, block: str | None = None, **context: Any):
        """Render a template, or one of its blocks, with the given facts.

        Parameters
        ----------
        template : str
            A file of this edition's folder (``"headline.html.j2"``).
        block : str, optional
            A ``{% block %}`` of it to render alone.
        **context
            The facts the template writes from.

        Returns
        -------
        markupsafe.Markup or str
            Markup for an HTML template (its values escaped), str for a ``.txt.j2`` one.
        """
        from markupsafe import Markup

        loaded = self._environment.get_template(template)
        blocks = loaded.blocks
        text = loaded.render(**context) if block is None else "".join(blocks[block](loaded.new_context(context)))
        text = text.strip()
        return Markup(text) if escaped(template) else text


def contractions(translations: Any) -> Callable[[str], str]:
    """Return what makes a language's contractions in a filled-in message ("de el Banco" → "del Banco").

    A message can put a preposition before a placeholder whose value starts with an article (a
    body's name in the data carries its article: "el Banco Central de Chile"). The language's
    catalogue lists its contractions; only lowercase words are contracted, never a capitalised
    name ("de El Universal").
    """
    import re

    from markupsafe import Markup

    # Translators: the contractions your language makes of a word and
    # an article, as "words = contraction" pairs separated by ";"
    # (Spanish: "de el = del; a el = al"); "(none)" if it makes none.
    listed = translations.pgettext("contractions", "(none)")
    rules = []
    for rule in listed.split(";"):
        words, _, contraction = (part.strip() for part in rule.partition("="))
        if words and contraction and words != contraction:
            rules.append((re.compile(rf"\b{re.escape(words)}\b"), contraction))

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


def escaped(template: str | None) -> bool:
    """Say whether a template's output is escaped: every HTML template's is.

    Escaped by construction: every value a template prints is escaped unless it is already
    Markup (a rendered template, a macro's output). Plain-text templates (``.txt.j2``: alt text,
    chart labels) are not HTML and are not escaped. (Jinja's ``autoescape`` rule.)
    """
    return template is None or not template.endswith(".txt.j2")


def listing(fmt: Formatter, context: Any, items: Any, style: str = "standard") -> str:
    """Join items as the language lists them; Markup items stay Markup, text is escaped.

    The ``listing`` filter of the templates (with the edition's formatter bound): in an HTML
    template the result is Markup, each item escaped unless it is Markup already.
    """
    from markupsafe import Markup, escape

    items = list(items)
    if context.autoescape:
        return Markup(fmt.join([str(escape(i)) for i in items], style))
    return fmt.join([str(i) for i in items], style)


def year_ranges(years: list[int]) -> list[str]:
    """Write runs of consecutive years as ranges: ``[1999, 2000, 2001, 2005]`` → ``["1999–2001", "2005"]``.

    Parameters
    ----------
    years : list of int
        Years, in any order.

    Returns
    -------
    list of str
    """
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]


@functools.cache
def edition(lang: str) -> Edition:
    """Return the edition of a language.

    Parameters
    ----------
    lang : str
        One of `languages`.

    Returns
    -------
    Edition

    Raises
    ------
    KeyError
        When the package has no such language.
    """
    import yaml

    folder = LANGUAGES_DIR / lang
    path = folder / CATALOGUE
    if not path.is_file():
        raise KeyError(f"no edition in {lang!r}: the languages are {', '.join(languages())}")
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalogue = Catalogue(entries, lang)
    return Edition(lang, catalogue, Formatter(entries["locale"], entries["formats"]), folder)
