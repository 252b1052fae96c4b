"""Editions: one folder per language, each complete, escaped by construction."""

import shutil

import pytest
from markupsafe import Markup

from analysis import language
from analysis.language import edition, languages, year_ranges

PLURAL_FORMS = {"zero", "one", "two", "few", "many", "other"}


def keys(node, prefix=""):
    """Every dotted key of a catalogue, plural forms folded into their entry."""
    if isinstance(node, dict) and not set(node) <= PLURAL_FORMS:
        found = set()
        for key, value in node.items():
            found |= keys(value, f"{prefix}{key}.")
        return found
    return {prefix.rstrip(".")}


def test_the_package_writes_english_and_spanish():
    assert languages() == ("en", "es")
    assert edition("es").locale == "es_MX" and edition("es").html_lang == "es-MX"


def test_every_language_has_every_catalogue_entry_of_every_other():
    def translated(lang):  # how names read inside a sentence differs by language: not compared
        return {k for k in keys(edition(lang).catalogue.entries) if not k.startswith("formats.in_text.")}

    english = translated("en")
    for lang in languages():
        assert translated(lang) == english, lang


def test_a_missing_entry_names_itself():
    with pytest.raises(KeyError, match=r"the es catalogue has no entry 'sections\.nothing'"):
        edition("es").t("sections.nothing")
    with pytest.raises(KeyError, match="no edition in 'fr'"):
        edition("fr")


def test_html_templates_escape_what_they_print_and_text_templates_do_not(tmp_path, monkeypatch):
    folder = tmp_path / "languages"
    shutil.copytree(language.LANGUAGES_DIR, folder)
    (folder / "en" / "probe.html.j2").write_text("<p>{{ value }} {{ made }}</p>", encoding="utf-8")
    (folder / "en" / "probe.txt.j2").write_text("{{ value }}", encoding="utf-8")
    monkeypatch.setattr(language, "LANGUAGES_DIR", folder)
    language.edition.cache_clear()
    try:
        probe = language.edition("en")
        html = probe.render("probe.html.j2", value='<b>"x"</b> & y', made=Markup("<em>kept</em>"))
        assert isinstance(html, Markup)
        assert html == "<p>&lt;b&gt;&#34;x&#34;&lt;/b&gt; &amp; y <em>kept</em></p>"
        assert probe.render("probe.txt.j2", value="<b>x</b>") == "<b>x</b>"
    finally:
        language.edition.cache_clear()


def test_a_third_language_is_a_folder_with_a_catalogue(tmp_path, monkeypatch):
    folder = tmp_path / "languages"
    shutil.copytree(language.LANGUAGES_DIR, folder)
    shutil.copytree(folder / "es", folder / "pt")
    text = (folder / "pt" / "catalogue.yaml").read_text(encoding="utf-8").replace("locale: es_MX", "locale: pt_BR")
    (folder / "pt" / "catalogue.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(language, "LANGUAGES_DIR", folder)
    language.edition.cache_clear()
    try:
        assert language.languages() == ("en", "es", "pt")
        assert language.edition("pt").fmt.country("RUS") == "Rússia"  # CLDR pt, no Python touched
    finally:
        language.edition.cache_clear()


@pytest.mark.parametrize(
    ("years", "expected"),
    [([1999, 2000, 2001, 2005], ["1999–2001", "2005"]), ([2023], ["2023"]), ([], []), ([3, 1, 2], ["1–3"])],
)
def test_year_ranges(years, expected):
    assert year_ranges(years) == expected


@pytest.mark.parametrize(
    ("name", "escaped"),
    [("headline.html.j2", True), ("macros.html.j2", True), ("alt.txt.j2", False), ("alt.txt.j2.html", True)],
)
def test_every_html_template_is_escaped_and_only_plain_text_is_not(name, escaped):
    assert language.escaped(name) is escaped
    assert language.escaped(None) is True  # a template made from a string: HTML, to be safe


def test_lists_escape_text_and_keep_markup_in_html_only(tmp_path, monkeypatch):
    folder = tmp_path / "languages"
    shutil.copytree(language.LANGUAGES_DIR, folder)
    for lang in ("en", "es"):
        (folder / lang / "probe.html.j2").write_text("{{ items | listing }} / {{ items | listing('or') }}")
        (folder / lang / "probe.txt.j2").write_text("{{ items | listing }} / {{ items | listing('or') }}")
    monkeypatch.setattr(language, "LANGUAGES_DIR", folder)
    language.edition.cache_clear()
    try:
        items = ["<b>A</b>", Markup("<em>B</em>"), "C & D"]
        html = language.edition("en").render("probe.html.j2", items=items)
        assert (
            html == "&lt;b&gt;A&lt;/b&gt;, <em>B</em>, and C &amp; D / &lt;b&gt;A&lt;/b&gt;, <em>B</em>, or C &amp; D"
        )
        assert language.edition("es").render("probe.html.j2", items=items[:2]) == (
            "&lt;b&gt;A&lt;/b&gt; y <em>B</em> / &lt;b&gt;A&lt;/b&gt; o <em>B</em>"
        )
        assert language.edition("en").render("probe.txt.j2", items=items) == (
            "<b>A</b>, <em>B</em>, and C & D / <b>A</b>, <em>B</em>, or C & D"
        )
    finally:
        language.edition.cache_clear()


def test_a_catalogue_text_fills_its_placeholders_and_refuses_what_is_not_a_text():
    es = edition("es")
    assert es.t("labels.source_line", sources="SE") == "Fuente: SE"
    with pytest.raises(KeyError, match=r"the en catalogue's entry 'formats\.money' is not a text"):
        edition("en").t("formats.money")


def test_a_catalogue_names_its_language_in_what_it_lacks():
    catalogue = language.Catalogue({"a": {"b": "text {x}"}}, "pt")
    with pytest.raises(KeyError, match=r"the pt catalogue has no entry 'a\.c'"):
        catalogue.get("a.c")
    assert catalogue.text("a.b") == "text {x}"  # no values: the text as it is, braces and all
    assert catalogue.text("a.b", x=1) == "text 1"


def test_html_templates_render_to_markup_and_text_templates_to_plain_strings():
    en = edition("en")
    alt = en.render("alt.txt.j2", "timeline", events=[], categories=[])
    assert type(alt) is str
    assert type(en.render("macros.html.j2")) is Markup
