"""The page `analysis watch` serves, in a real browser: it reloads on every publication.

Where Chromium is missing these tests skip and say why; with CI=true they fail instead.
"""

import urllib.request

import pytest
from conftest import chromium_or_skip

from analysis._serve import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PAGE = b"<!DOCTYPE html>\n<html><head><title>r</title></head><body><p>first build</p></body></html>\n"


def test_a_build_published_before_the_pages_first_poll_reloads_it(tmp_path):
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    (tmp_path / "r.html").write_bytes(PAGE)
    server = Server(tmp_path, "r.html", 0)
    try:
        url = server.url + "r.html"
        with urllib.request.urlopen(url, timeout=10) as response:
            served_before = response.read()  # as a browser gets it just before the build lands
        (tmp_path / "r.html").write_bytes(PAGE.replace(b"first", b"second"))
        server.state.published()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
            page = browser.new_page()
            requests: list[str] = []

            def first_then_disk(route):  # the first load gets the page served before publication
                requests.append("served before" if not requests else "from the server")
                if len(requests) == 1:
                    route.fulfill(status=200, content_type="text/html; charset=utf-8", body=served_before)
                else:
                    route.continue_()

            page.route(url, first_then_disk)
            page.goto(url, wait_until="load")
            page.wait_for_function("document.querySelector('p').textContent === 'second build'", timeout=5000)
            browser.close()
        assert requests == ["served before", "from the server"]
    finally:
        server.close()
