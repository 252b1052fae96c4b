"""The report's sections, built in-process from fixture data (no kernel), in both editions.

The fixture (tests/fixtures/bilingual): South Korea into Chile. 2019: 12.5 from the Gazette
(medium) only. 2023: 50.0 from the Review (2024-05-06, high), 45.5 from the Gazette (2020-03),
and 50.0 from the Mirror, which repeats the Review. Totals 1,250 (2019) and 2,000 (2023).
Worked by hand: multiple 50 / 12.5 = 4.0; the reports allow 45.5 / 12.5 = 3.64 to 4.0; change
+37.5 (+300 %); shares 12.5 / 1250 = 1.0 % and 50 / 2000 = 2.5 %.
"""

import csv
import html
import json
import re
import shutil
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import BILINGUAL_PARAMETERS, FIXTURES, bilingual_report

from analysis.report import Report

report = bilingual_report


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "bilingual", folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# The headline -------------------------------------------------------------------------------


def test_headline_when_independent_reports_disagree():
    assert report().headline().text == (
        "Headline Banco Central de Chile figures, as reported by Fixture Gazette for 2019 and by Fixture Review "
        "for 2023, put foreign direct investment (FDI) from South Korea into Chile at US$12.5 million in 2019 and "
        "US$50.0 million in 2023. The 2019 figure rests on a single source, Fixture Gazette, rated medium. "
        "Independent reports disagree on 2023: US$50.0 million (Fixture Review) and US$45.5 million (Fixture "
        "Gazette). Taken together, they allow a multiple anywhere from 3.6 times (on US$45.5 million for 2023 from "
        "Fixture Gazette) to 4.0 times (on US$50.0 million for 2023 from Fixture Review). The report uses US$50.0 "
        "million for 2023: Fixture Review, published May 6, 2024, as the most recently published report (a later "
        "release revises an earlier one). On the figures used, FDI in 2023 was 4.0 times that of "
        "2019, an increase of US$37.5 million (+300.0%). Even so, South Korea accounted for 2.5% of all FDI into "
        "Chile in 2023 (1.0% in 2019). The section Why the figures differ lists what else a careful reader should "
        "weigh."
    )


def test_the_headline_says_whose_figures_and_how_sure_before_any_derived_figure():
    text = report().headline().text
    first_derived = text.index("4.0 times that of")
    assert text.index("Banco Central de Chile figures") < text.index("rests on a single source") < first_derived
    assert text.index("from 3.6 times") < first_derived and text.index("The report uses") < first_derived
    assert "a year compounded" not in text and "455" not in text  # no growth rate from two points


def test_headline_when_reports_agree(data):
    edit(data, "fdi.csv", "KOR,CHL,2023,12,45.5,gazette", "KOR,CHL,2023,12,50.0,gazette")
    text = report(data_dir=str(data)).headline().text
    assert "disagree" not in text and "allow a multiple" not in text
    assert "Independent reports" not in text
    assert "FDI in 2023 was 4.0 times that of 2019, an increase of US$37.5 million (+300.0%)." in text


def test_headline_when_one_year_rests_on_a_single_unverified_source(data):
    edit(data, "sources.csv", "2020-03,2026-01-02,medium", "2020-03,2026-01-02,unverified")
    text = report(data_dir=str(data)).headline().text
    assert (
        "The 2019 figure rests on a single source, Fixture Gazette, rated unverified: no independent report of it "
        "was found." in text
    )


def test_headline_when_both_figures_come_from_one_source(data):
    edit(data, "fdi.csv", "KOR,CHL,2023,12,50.0,review", "KOR,CHL,2023,12,49.0,review")
    edit(data, "sources.csv", "2024-05-06,2026-01-02,high", "2019-05-06,2026-01-02,high")
    # now the Gazette (2020-03) is the latest independent report of 2023: 45.5, and of 2019: 12.5
    text = report(data_dir=str(data)).headline().text
    assert text.startswith(
        "Headline Banco Central de Chile figures as reported by Fixture Gazette put foreign direct investment (FDI)"
        " from South Korea into Chile at US$12.5 million in 2019 and US$45.5 million in 2023."
    )
    # 45.5 / 12.5 = 3.64, 49 / 12.5 = 3.92
    assert "from 3.6 times (on US$45.5 million for 2023 from Fixture Gazette) to 3.9 times" in text


def test_headline_in_spanish():
    text = report(lang="es").headline().text
    assert text.startswith(
        "Lo esencial Según cifras del Banco Central de Chile publicadas por Fixture Gazette para 2019 y por "
        "Fixture Review para 2023, la inversión extranjera directa (IED) de Corea del Sur en Chile fue de 12.5 "
        "millones de dólares en 2019 y de 50.0 millones de dólares en 2023."
    )
    assert "permiten un múltiplo de entre 3.6 veces" in text and "y 4.0 veces" in text
    assert "Fixture Review, publicado el 6 de mayo de 2024" in text  # CLDR es-MX long date
    assert "un aumento de 37.5 millones de dólares (+300.0%)" in text


def test_a_missing_year_is_a_plain_sentence():
    text = report(base_year=2021).headline().text
    assert text == (
        "Headline The comparison cannot be made: the data hold no figure for FDI from South Korea into Chile in 2021."
    )


def test_a_negative_base_is_said_in_words():
    section = Report.build(
        **{
            **BILINGUAL_PARAMETERS,
            "data_dir": str(FIXTURES / "negative"),
            "origin": "CHN",
            "destination": "MEX",
            "base_year": 2023,
            "target_year": 2024,
            "months": 9,
        }
    ).headline()
    assert (
        "FDI changed by US$56 million; no multiple, percentage change or growth rate is defined, because the base "
        "value is negative (-US$21 million)." in section.text
    )
    assert not re.search(r"\b(nan|inf)\b", section.text, re.I)


# Other sections ------------------------------------------------------------------------------


def test_growth_table_gives_both_ranges_in_the_periods_own_names():
    r = report()
    text = r.growth_metrics().text
    assert "Multiple the independent reports allow 3.64× to 4.00×" not in text  # one decimal tells them apart
    assert "Multiple the independent reports allow 3.6× to 4.0×" in text
    # 49.95/12.55 = 3.980, 50.05/12.45 = 4.020: two decimals needed to tell the ends apart
    assert "Multiple allowing for rounding 3.98× to 4.02×" in text
    assert "Independent reports 1 for 2019, 2 for 2023" in text
    assert "Multiple 4.0× 2023 ÷ 2019, on the figures used" in text
    assert not re.search(r"\b(base|target)\b", text, re.I)  # the periods by their names
    # two points of a swinging flow say little of a trend: the growth rate is in the metrics file only
    assert "growth rate" not in text and r.metrics()["growth"]["cagr_pct"] == pytest.approx(41.42, abs=0.01)


CLAIM = "claim_id,origin,destination,base_year,target_year,months,base,target,multiple,quote,source_id\n"


def test_the_lead_quotes_the_claim_gives_the_verdict_and_answers_in_order(data):
    # A claim of 12.5 -> 50 "four times" (50 / 12.5 = 4): 2023 has 50.0 (Review) and 45.5 (Gazette),
    # which disagree however rounded, so the verdict is disputed; the range is 45.5 / 12.5 = 3.64
    # to 50.0 / 12.5 = 4.0, in prose "between 3.6 and 4.0 times" (a decimal, as both round to 4).
    (data / "claims.csv").write_text(CLAIM + 'c1,KOR,CHL,2019,2023,12,12.5,50,4,"It quadrupled.",gazette\n')
    r = report(data_dir=str(data))
    text = r.lead().text
    assert text.startswith("The claim “It quadrupled.” Fixture Gazette, March 2020 Our verdict: Disputed")
    assert "The sum is right: US$50 million is 4 times US$12.5 million." in text  # the claim's figures as written
    assert (
        "Reports of 2023 disagree: US$50.0 million from Fixture Review or US$45.5 million from Fixture Gazette." in text
    )
    assert "Depending on which is right, the rise is between 3.6 and 4.0 times." in text
    # the answer, then how sure, then how big: the order a reader needs
    assert text.index("The sum is right") < text.index("Reports of 2023 disagree") < text.index("the sums are small")
    assert r.title == "Did FDI from South Korea into Chile really grow 4 times over between 2019 and 2023?"
    assert r.metrics()["claims"] == [
        {"claim_id": "c1", "verdict": "disputed", "multiple_claimed": 4.0, "reasons": ["target_disagree"]}
    ]


def test_a_claim_whose_sum_is_wrong_says_so(data):
    # 50 / 12.5 = 4, not 10: more than 5 % off its own arithmetic, so false
    (data / "claims.csv").write_text(CLAIM + 'c1,KOR,CHL,2019,2023,12,12.5,50,10,"Ten times.",gazette\n')
    text = report(data_dir=str(data)).lead().text
    assert "Our verdict: False" in text
    assert "The sum is wrong: US$50 million is 4 times US$12.5 million, not 10 times." in text


def test_without_a_matching_claim_the_report_leads_with_its_headline(data):
    (data / "claims.csv").write_text(CLAIM + 'c1,KOR,CHL,2018,2023,12,12.5,50,4,"Other years.",gazette\n')
    r = report(data_dir=str(data))
    assert r.lead().html == r.headline().html
    assert r.metrics()["claims"] == []


def test_why_figures_differ_names_the_copies_and_only_the_rules_of_the_destination():
    text = report().differ().text
    assert "Copies are not confirmation. Fixture Review's figure is repeated by Fixture Mirror" in text
    assert "Secretaría de Economía" not in text  # Mexico's register only: the destination here is Chile


def test_disagreements_mark_the_echo_and_keep_the_figures_as_written():
    text = report().disagreements().text
    assert (
        "South Korea, 2023 50.0 4.5 Fixture Review, May 6, 2024 revised high ✓ latest published "
        "45.5 Fixture Gazette, March 2020 an early release medium "
        "50.0 Fixture Mirror, June 2024 repeats the Review low repeats Fixture Review: not counted" in text
    )


@pytest.mark.parametrize(
    ("criteria", "basis"),
    [
        (("preferred source", "latest published", "more trusted source"), "latest published"),
        (("preferred source", "more trusted source", "latest published"), "more trusted source"),
    ],
)
def test_the_rule_the_report_states_is_the_order_the_ranking_applies(monkeypatch, criteria, basis):
    # 2023: Fixture Review (May 6, 2024, high) against Fixture Gazette (March 2020, medium): the
    # Review wins either way, decided by whichever of date and trust the rule puts first
    from analysis import _metrics as metrics

    monkeypatch.setattr(metrics, "CRITERIA", criteria)
    built = bilingual_report()
    latest, trusted = "the most recently published report", "the report from the more trusted source"
    first, second = (latest, trusted) if basis == "latest published" else (trusted, latest)
    for section in (built.disagreements(), built.sources_and_methods()):
        rule = section.text[section.text.index("among the independent reports left") :]
        assert rule.index(first) < rule.index(second)
    assert f"✓ {basis}" in built.disagreements().text
    # the headline's "why" names the criterion that decided, in the rule's own words
    assert f"published May 6, 2024: {first}" in built.evidence().text


def test_sources_table_marks_the_echo_and_the_title_language():
    section = report().sources_and_methods()
    assert "Repeats Fixture Review." in section.text
    # the Review's title is in Spanish on an English page
    assert '<a href="https://example.org/b?x=1&amp;y=2" hreflang="es"><span lang="es">Cifras revisadas' in section.html


def start_tags(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every start tag and its attributes, as a browser's parser reads them."""
    found = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_starttag = lambda tag, attrs: found.append((tag, attrs))
    parser.feed(str(html))
    return found


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_address_with_a_quote_cannot_leave_its_attribute(data, lang):
    edit(data, "sources.csv", "https://example.org/a,", 'https://example.org/a"onmouseover="alert(1),')
    html = report(data_dir=str(data), lang=lang).sources_and_methods().html
    assert 'href="https://example.org/a&#34;onmouseover=&#34;alert(1)"' in html
    assert 'onmouseover="' not in html
    # what a browser makes of it: one link, its address whole, no other attribute
    links = [dict(attrs) for tag, attrs in start_tags(html) if tag == "a" and "example.org/a" in dict(attrs)["href"]]
    assert [link["href"] for link in links] == ['https://example.org/a"onmouseover="alert(1)']
    assert set(links[0]) <= {"href", "hreflang"}  # the Gazette's English title: hreflang="en" on the Spanish page


def test_timeline_text_from_the_data_stays_text_in_both_editions():
    for lang in ("en", "es"):
        html = report(lang=lang).timeline().html
        assert "<script>" not in html and "<b>" not in html and "<i>" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_spanish_timeline_falls_back_to_english_marked_as_such():
    html = report(lang="es").timeline().html
    assert '<td data-label="Hecho">Se firma el tratado de prueba</td>' in html
    assert '<td data-label="Hecho" lang="en">Fixture ferry opens</td>' in html


def test_tables_and_figures_are_numbered_in_order():
    r = report()
    r.headline()
    r.growth_metrics()  # table 1
    by_year = r.by_year()  # figure 1, table 2
    assert by_year.figures[0].number == 1 and "Table 2." in by_year.text
    assert r.evidence().figures[0].number == 2


def test_the_metrics_are_the_same_in_both_editions():
    english, spanish = report().metrics(), report(lang="es").metrics()
    assert english["growth"] == spanish["growth"]
    assert english["disagreements"] == spanish["disagreements"]
    assert english["parameters"] | {"lang": "es"} == spanish["parameters"]
    assert english["report"]["title"] == "South Korea and Chile: foreign direct investment, and the events around it"
    assert (
        spanish["report"]["title"]
        == "Corea del Sur y Chile: la inversión extranjera directa y los hechos que la rodean"
    )


def test_the_metrics_file_has_the_design_keys():
    growth = report().metrics()["growth"]
    assert growth["multiple_reported_low"] == pytest.approx(45.5 / 12.5)
    assert growth["multiple_reported_high"] == pytest.approx(50.0 / 12.5)
    assert (growth["base_independent_sources"], growth["target_independent_sources"]) == (1, 2)
    assert (growth["target_source_id"], growth["target_via"]) == ("review", None)
    metrics = report().metrics()
    assert json.loads(json.dumps(metrics)) == metrics


def test_changes_against_a_previous_metrics_file(tmp_path):
    first = report().metrics()
    first["growth"]["target_value"] = 45.5
    first["growth"]["multiple"] = 45.5 / 12.5
    first["inputs"][next(iter(first["inputs"]))] = "sha256:0"
    previous = tmp_path / "previous.metrics.json"
    previous.write_text(json.dumps(first))
    text = report(compare_with=str(previous)).changes().text
    assert "sources.csv changed" in text
    assert "Target value (US$ millions) 45.5 50.0 +4.5" in text
    assert "Multiple (×) 3.6 4.0 +0.4" in text  # 45.5/12.5 = 3.64
    spanish = report(compare_with=str(previous), lang="es").changes().text
    assert "Valor final (millones de dólares) 45.5 50.0 +4.5" in spanish


@pytest.mark.parametrize(("content", "says"), [(None, "first build"), ("{not json", "could not be read")])
def test_changes_without_a_usable_previous_build(tmp_path, content, says):
    previous = tmp_path / "previous.metrics.json"
    if content is not None:
        previous.write_text(content)
    assert says in report(compare_with=str(previous)).changes().text


# The Spanish edition is Spanish --------------------------------------------------------------

ENGLISH_WORDS = {
    "the",
    "and",
    "of",
    "from",
    "with",
    "figure",
    "figures",
    "reported",
    "report",
    "source",
    "sources",
    "which",
    "year",
    "years",
    "into",
    "where",
    "table",
    "all",
    "origins",
    "rests",
    "single",
    "change",
    "changes",
    "built",
    "build",
    "what",
    "that",
    "is",
    "are",
    "was",
    "were",
    "by",
    "for",
    "on",
    "not",
    "none",
    "page",
    "share",
    "event",
    "events",
    "date",
    "note",
    "trust",
    "high",
    "low",
    "medium",
    "unverified",
    "status",
}  # fmt: skip  (no Spanish word among them: "no" and "total" are both, so they are left out)


class Visible(HTMLParser):
    """The words a reader sees, except in code and inside elements marked as another language.

    By default that is English (lang="en"); ``page`` (a language code) skips every element marked
    with another language than the page's.
    """

    def __init__(self, page: str | None = None):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[bool] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        lang = dict(attrs).get("lang") or ""
        other = lang.startswith("en") if self.page is None else bool(lang) and not lang.startswith(self.page)
        self.stack.append(other or tag == "code" or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.words += re.findall(r"[A-Za-z]+", data)


def english_words(html: str) -> set[str]:
    parser = Visible()
    parser.feed(html)
    return {w.lower() for w in parser.words} & ENGLISH_WORDS


SECTIONS = [
    "lead", "evidence", "size", "differ", "since", "claims", "checked", "headline", "growth_metrics",
    "by_year", "disagreements", "timeline", "appendix", "sources_and_methods", "changes", "run_record",
]  # fmt: skip


def test_the_spanish_edition_has_no_english_prose_outside_lang_en():
    r = report(lang="es")
    found = {}
    for name in SECTIONS:
        section = getattr(r, name)()
        words = english_words(section.html)
        words |= {w for f in section.figures for w in english_words(f.caption + " " + f.alt)}
        if words:
            found[name] = sorted(words)
    # proper names in the fixture ("Fixture Review") are names, not prose
    assert found == {}


def test_the_scan_finds_english_where_it_is():
    assert english_words("<p>El total of the years</p>") == {"of", "the", "years"}
    assert latin_words('<p>Ελ total <span lang="es">de los</span> <code>x</code></p>', "el") == {"total"}
    assert english_words('<p lang="en">the year</p><code>the</code>') == set()


# A language is one .po file -------------------------------------------------------------------

# Every letter of a translation accented: unmistakably not English, and not any language's words.
PSEUDO = str.maketrans(string.ascii_letters, "áƀçðéƒĝĥíĵķĺɱñóþǫŕšţúṽŵẋýžÁƁÇÐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŢÚṼŴẊÝŽ")
PLACEHOLDER = re.compile(r"(%\(\w+\)[sd]|%%)")


def pseudo(text: str) -> str:
    """A pseudo-translation: every letter accented, the whole bracketed, placeholders kept as they are."""
    parts = PLACEHOLDER.split(text)
    return "[" + "".join(part if i % 2 else part.translate(PSEUDO) for i, part in enumerate(parts)) + "]"


def latin_words(html: str, page: str) -> set[str]:
    """Words of Latin letters a reader sees, outside code and text marked as another language."""
    parser = Visible(page)
    parser.feed(html)
    return {w for w in parser.words if len(w) > 1}


@pytest.fixture
def pseudo_language(tmp_path, monkeypatch):
    """A language "xx" made of nothing but a .po file: every English message pseudo-translated, its
    numbers, dates and country names from CLDR's Greek (a script of its own, so any word in Latin
    letters on its page is a word left untranslated); and the fixture's data translated into it."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    from analysis import _language as language

    locale = tmp_path / "locale"
    shutil.copytree(language.LOCALE_DIR, locale)
    with language.catalogue_path("en").open("rb") as handle:
        english = read_po(handle)
    catalogue = Catalog(locale="el")
    for message in english:
        if message.id:
            string = tuple(pseudo(i) for i in message.id) if isinstance(message.id, tuple) else pseudo(message.id)
            catalogue.add(message.id, string, context=message.context)
    folder = locale / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalogue)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalogue)
    monkeypatch.setattr(language, "LOCALE_DIR", locale)
    language.edition.cache_clear()

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "bilingual", data)
    for name in ("fdi.csv", "sources.csv", "timeline.csv"):  # a translation of each text the data translate
        with (data / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        texts = [c[: -len("_es")] for c in rows[0] if c.endswith("_es")] + (
            ["publisher"] if name == "sources.csv" else []
        )
        for row in rows:
            row.update({f"{c}_xx": pseudo(row[c]) if row[c] else "" for c in texts})
        with (data / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    yield data
    language.edition.cache_clear()


def words_left(r: Report) -> dict[str, list[str]]:
    """Every visible word of the report's sections, charts and page left in Latin letters, by where it is."""
    from matplotlib.text import Text

    found = {}
    page, made = r.metrics()["report"], r.metrics()["provenance"]
    # the run record's names are not words: Python, the platform, the packages, their versions, the commit
    record = [made["python"], made["platform"], made["git_commit"] or "", made["built_at"], *made["packages"].items()]
    technical = latin_words(html.escape(" ".join(map(str, record))), "xx") | {"Python"}
    labels = [v for value in page["labels"].values() for v in ([value] if isinstance(value, str) else value)]
    labels = [v.replace("{command}", "").replace("{notebook}", "") for v in labels]  # the page puts code there
    shown = [r.title, page["subtitle"], page["data_as_of"] or "", page["read_in"]["xx"], *labels]
    found["page"] = latin_words(html.escape(" ".join(shown)), "xx") | english_words(html.escape(" ".join(shown)))
    for name in SECTIONS:
        section = getattr(r, name)()
        texts = [f.caption + " " + f.alt for f in section.figures]
        texts += [
            t.get_text() for f in section.figures for fig in (f.figure, f.narrow) if fig for t in fig.findobj(Text)
        ]
        plain = html.escape(" ".join(texts))
        found[name] = english_words(section.html) | english_words(plain)
        found[name] |= (latin_words(section.html, "xx") | latin_words(plain, "xx")) - technical
    return {where: sorted(words) for where, words in found.items() if words}


def test_a_language_is_one_po_file_and_leaves_no_english_on_its_page(pseudo_language):
    from analysis._language import edition, languages

    assert languages() == ("en", "es", "xx")
    assert edition("xx").locale == "el" and edition("xx").html_lang == "el"  # from its catalogue's header
    r = report(lang="xx", data_dir=str(pseudo_language))
    assert words_left(r) == {}
    text = r.headline().text
    assert "[ŠƀŕÍŃ]" not in text and "Νότια Κορέα" in text  # CLDR's Greek names the countries
    assert "[ÚŠ$12,5 ɱíĺĺíóñ]" in text  # the money phrase from the catalogue, the number from CLDR


def test_a_word_left_out_of_the_catalogue_is_found(pseudo_language, monkeypatch, tmp_path):
    from analysis import _language as language

    folder = tmp_path / "sections"
    shutil.copytree(language.SECTION_TEMPLATES, folder)
    path = folder / "appendix.html.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("</h2>", " Overview</h2>"), encoding="utf-8")
    monkeypatch.setattr(language, "SECTION_TEMPLATES", folder)
    language.edition.cache_clear()
    assert words_left(report(lang="xx", data_dir=str(pseudo_language))) == {"appendix": ["Overview"]}
