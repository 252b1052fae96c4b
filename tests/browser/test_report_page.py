"""The report page in a real browser: Debian's Chromium, driven by Playwright from PyPI.

Where Chromium is missing these tests skip and say why; with CI=true they fail instead.
"""

import os
from pathlib import Path

import pytest
from conftest import chromium_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# Chromium on a closed network: no background services that would try to reach Google.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
WIDTHS = [1280, 390]  # a laptop, a phone


@pytest.fixture(scope="module")
def browser():
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        yield launched
        launched.close()


class Visit:
    """One page load, with every request and console error it caused."""

    def __init__(self, browser, url: str, width: int):
        self.width = width
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="load")


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def visit(request, browser, edition):
    seen = Visit(browser, edition[1].path(".html").as_uri(), request.param)
    seen.edition = edition
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        seen.page.screenshot(path=f"{folder}/report-{edition[0]}-{request.param}px.png", full_page=True)
    yield seen
    seen.page.close()


def test_opening_the_page_requests_nothing_from_other_hosts(visit):
    elsewhere = [u for u in visit.requests if not u.startswith(("file://", "data:"))]
    assert elsewhere == []


def test_no_console_errors(visit):
    assert visit.errors == []


def test_every_image_loads_and_has_alt_text(visit):
    images = visit.page.eval_on_selector_all(
        "img",
        "els => els.map(i => ({alt: i.getAttribute('alt'), w: i.naturalWidth, ok: i.complete,"
        " phone: i.currentSrc !== i.src}))",
    )
    # Each chart as drawn for the page's width, decoded: 200 dots an inch, 7.2 in wide for the page
    # (1,440 px); on a phone the timelines' own layout, 3.9 in wide (780 px).
    phone = visit.width < 640
    expected = [(True, 1440, False), (True, 1440, False)] + [(True, 780 if phone else 1440, phone)] * 2
    assert [(i["ok"], i["w"], i["phone"]) for i in images] == expected
    alts = [image["alt"] for image in images]
    expected = visit.edition[2]["alt"]
    assert alts[0].startswith(expected[0]) and alts[1].startswith(expected[1]), alts
    assert all(alt.startswith(expected[2]) for alt in alts[2:]) and len(alts) == 4


def test_the_page_is_in_its_language_and_links_to_the_other_edition(visit):
    lang, built, expected = visit.edition
    assert visit.page.evaluate("document.documentElement.lang") == {"en": "en", "es": "es-MX"}[lang]
    other, label = expected["other"]
    link = visit.page.locator(f'nav.editions a[hreflang="{other}"]')
    assert link.inner_text() == label
    assert (built.out / link.get_attribute("href")).is_file()


def test_table_of_contents_links_resolve(visit):
    targets = visit.page.eval_on_selector_all(
        "nav.toc a",
        "links => links.map(a => [a.getAttribute('href'), !!document.getElementById(decodeURIComponent(a.hash.slice(1)))])",
    )
    assert [href for href, found in targets if not found] == []
    # one link per section, in the order of the page, each named as its heading
    links = visit.page.eval_on_selector_all("nav.toc a", "links => links.map(a => [a.hash, a.textContent.trim()])")
    headings = visit.page.eval_on_selector_all(
        "main h2[id]", "hs => hs.map(h => ['#' + encodeURIComponent(h.id), h.textContent.trim()])"
    )
    assert links == headings
    expected = visit.edition[2]["headings"]
    assert (links[0][1], links[-1][1]) == (expected[0], expected[-1])


def test_nothing_overflows_the_page_width(visit):
    widths = visit.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


def test_no_serious_or_critical_accessibility_violation(visit):
    if not AXE.exists():
        message = "axe-core not installed (make test installs it with npm into tests/browser/node_modules)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    visit.page.add_script_tag(path=str(AXE))
    result = visit.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
