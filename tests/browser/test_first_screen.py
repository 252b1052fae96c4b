"""The first screen, as a reader meets it in Chromium: the answer before the evidence.

At 1280 × 800 the first screen shows the title (the question), the claim, the verdict and the
summary; on a 390 × 844 phone, the claim and the verdict. "Shows" means the element's box lies
within the viewport, unscrolled, and is not hidden.
"""

import pytest
from test_report_page import browser  # noqa: F401 - the same Chromium, launched once per module

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENS = {
    (1280, 800): ["h1", "blockquote.claim-quote", ".claim-credit", ".verdict-label", ".summary p:first-child"],
    (390, 844): ["h1", "blockquote.claim-quote", ".verdict-label"],
}


def within_first_screen(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
                  return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth + 1
                         && s.visibility !== 'hidden' && s.display !== 'none'; }""",
    )


@pytest.mark.parametrize("screen", sorted(SCREENS), ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_first_screen_holds_the_answer(browser, edition, screen):  # noqa: F811
    page = browser.new_page(viewport={"width": screen[0], "height": screen[1]})
    try:
        page.goto(edition[1].path(".html").as_uri(), wait_until="load")
        missing = [s for s in SCREENS[screen] if not within_first_screen(page, s)]
        assert missing == [], f"not on the first screen at {screen}: {missing}"
        assert page.inner_text("h1") == edition[2]["title"]
        assert " ".join(page.inner_text(".verdict-label").split()).lower() == edition[2]["verdict"].lower()
        if screen[0] == 1280:  # the summary's first paragraph gives the answer and how sure
            summary = " ".join(page.inner_text(".summary p:first-child").split())
            assert edition[2]["headline"][2] in summary
    finally:
        page.close()
