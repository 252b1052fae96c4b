"""Editions: one gettext catalogue per language, templates shared by all of them, escaped by construction."""

import os
import shutil

import pytest
from markupsafe import Markup

from analysis import _language as language
from analysis._language import edition, languages, year_ranges
from analysis.errors import BuildError


def _copied(tmp_path, monkeypatch, attribute: str):
    """Copy the folder `language.<attribute>` names (times kept) and point the editions, built afresh, at the copy."""
    folder = tmp_path / attribute.lower()
    shutil.copytree(getattr(language, attribute), folder)
    monkeypatch.setattr(language, attribute, folder)
    language.edition.cache_clear()
    yield folder
    language.edition.cache_clear()


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A copy of the section templates, to add probes to."""
    yield from _copied(tmp_path, monkeypatch, "SECTION_TEMPLATES")


@pytest.fixture
def locale(tmp_path, monkeypatch):
    """A copy of the catalogues (compiled ones too), to add languages to."""
    yield from _copied(tmp_path, monkeypatch, "LOCALE_DIR")


def test_the_package_writes_english_and_spanish():
    assert languages() == ("en", "es")
    assert edition("es").locale == "es_MX" and edition("es").html_lang == "es-MX"  # the .po header's Language
    assert edition("en").locale == "en"


def test_a_missing_language_names_the_languages():
    with pytest.raises(KeyError, match="no edition in 'fr': the languages are en, es"):
        edition("fr")


def compile_catalogue(po):
    """Compile a .po beside itself, as `make translations` does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source, po.with_suffix(".mo").open("wb") as target:
        write_mo(target, read_po(source))


def test_a_third_language_is_a_po_file(locale):
    folder = locale / "pt" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = (locale / "es" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    (folder / "messages.po").write_text(po.replace('"Language: es_MX\\n"', '"Language: pt_BR\\n"'), encoding="utf-8")
    compile_catalogue(folder / "messages.po")
    assert languages() == ("en", "es", "pt")
    pt = edition("pt")
    assert pt.locale == "pt_BR" and pt.fmt.country("RUS") == "Rússia"  # CLDR pt, from the header, no Python touched


def test_a_stale_or_missing_compiled_catalogue_is_refused_never_read_as_english(locale):
    mo = locale / "es" / "LC_MESSAGES" / "messages.mo"
    os.utime(mo, ns=(0, 0))
    with pytest.raises(BuildError, match=r"messages\.mo is missing or older than .*messages\.po: .*make translations"):
        edition("es")
    mo.unlink()
    with pytest.raises(BuildError, match="missing or older"):
        edition("es")


def test_the_formatters_phrases_come_from_the_catalogue():
    es, en = edition("es").fmt, edition("en").fmt
    assert (es.money(86.4), es.money(1, 0), es.money(-2.5)) == (
        "86.4 millones de dólares",
        "1 millón de dólares",
        "-2.5 millones de dólares",
    )
    # the form by CLDR's category of the number as written: English "1.0" is "other", Spanish "1.0" is "one"
    assert (en.times(30.86), en.times(1), es.times(1), es.times(2.5)) == (
        "30.9 times",
        "1.0 times",
        "1.0 vez",
        "2.5 veces",
    )
    assert (en.country("NLD", in_text=True), es.country("NLD", in_text=True)) == ("the Netherlands", "los Países Bajos")
    assert (en.country("WLD"), es.country("WLD")) == ("all origins", "todos los orígenes")


def test_a_language_lists_its_contractions_and_they_are_made_in_its_messages():
    es = edition("es")
    assert es.contract("las estadísticas de el Banco y a el Senado") == "las estadísticas del Banco y al Senado"
    assert es.contract("la edición de El Universal, de ellos") == "la edición de El Universal, de ellos"  # names, words
    assert edition("en").contract("of the de el") == "of the de el"  # English makes none
    made = es.contract(Markup("de el <b>Banco</b>"))
    assert isinstance(made, Markup) and made == Markup("del <b>Banco</b>")


def test_templates_escape_what_they_print_and_keep_markup(templates):
    (templates / "probe.html.j2").write_text("<p>{{ value }} {{ made }}</p>", encoding="utf-8")
    html = language.edition("en").render("probe.html.j2", value='<b>"x"</b> & y', made=Markup("<em>kept</em>"))
    assert isinstance(html, Markup)
    assert html == "<p>&lt;b&gt;&#34;x&#34;&lt;/b&gt; &amp; y <em>kept</em></p>"


def test_a_messages_placeholder_values_are_escaped_and_its_own_words_are_not(templates):
    (templates / "probe.html.j2").write_text(
        "{% trans name=value %}parameter {{ name }}{% endtrans %} / {{ _('%(path)s changed', path=value) }}",
        encoding="utf-8",
    )
    html = language.edition("es").render("probe.html.j2", value="<script>&")
    assert html == "parámetro &lt;script&gt;&amp; / &lt;script&gt;&amp; cambió"


@pytest.mark.parametrize(
    ("years", "expected"),
    [([1999, 2000, 2001, 2005], ["1999–2001", "2005"]), ([2023], ["2023"]), ([], []), ([3, 1, 2], ["1–3"])],
)
def test_year_ranges(years, expected):
    assert year_ranges(years) == expected


def test_lists_escape_text_and_keep_markup(templates):
    (templates / "probe.html.j2").write_text("{{ items | listing }} / {{ items | listing('or') }}")
    items = ["<b>A</b>", Markup("<em>B</em>"), "C & D"]
    html = language.edition("en").render("probe.html.j2", items=items)
    assert html == "&lt;b&gt;A&lt;/b&gt;, <em>B</em>, and C &amp; D / &lt;b&gt;A&lt;/b&gt;, <em>B</em>, or C &amp; D"
    assert language.edition("es").render("probe.html.j2", items=items[:2]) == (
        "&lt;b&gt;A&lt;/b&gt; y <em>B</em> / &lt;b&gt;A&lt;/b&gt; o <em>B</em>"
    )
