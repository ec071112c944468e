"""The main pages on a phone (390×844, Streamlit's narrow layout): nothing wider than the
screen, the Save button and the list within reach. Screenshots go to docs/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.test_kairos_in_a_browser import MODEL_LOAD, SCREENSHOTS, STEP, settle

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
# Elements of the main area wider than the screen (a cut box, a row that overflows).
OVERFLOW = """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
              && getComputedStyle(e).visibility !== 'hidden'
              && e.getBoundingClientRect().width > 0
              && !e.closest('[data-testid="stDataFrame"], textarea, pre'))
  .map((e) => (e.getAttribute('data-testid') || e.tagName)
              + ':' + Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture
def phone(browser: Browser, kairos_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, base_url=kairos_url, is_mobile=True)
    context.set_default_timeout(STEP)
    page = context.new_page()
    yield page
    context.close()


def look(page: Page, name: str) -> None:
    settle(page)
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)
    assert page.evaluate(OVERFLOW) == [], f"{name}: wider than the phone"


def test_the_main_pages_fit_a_phone_screen(phone: Page) -> None:
    page = phone
    page.goto("/write")
    settle(page)
    discard = page.get_by_role("button", name="Discard it")
    if discard.count():
        discard.click()
        settle(page)
    page.get_by_role("textbox", name="Title").fill("Phone note")
    page.get_by_role("textbox", name="Body (Markdown)").fill("Written on a [[small screen]].")
    page.get_by_role("textbox", name="Title").click()
    expect(page.locator(".st-key-save button:visible")).to_be_visible()
    look(page, "write")
    page.locator(".st-key-save button:visible").click()
    expect(page.get_by_text("Saved · version 1")).to_be_visible(timeout=MODEL_LOAD)
    for path, name, heading in (
        ("/", "notes", "Notes"),
        ("/search", "search", "Search"),
        ("/trash", "trash", "Trash"),
        ("/status", "status", "Status"),
        ("/import", "import", "Import & export"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        look(page, name)
