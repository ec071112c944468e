"""Issue 8 in a real browser at 1280×800: drafts survive a reload, wikilinks are links,
a rename rewrites links elsewhere, the trash and the history give notes back, a
double-clicked slow save makes one note, a search address reopens the same search.
Screenshots of the new pages go to docs/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.test_kairos_in_a_browser import (
    MODEL_LOAD,
    STEP,
    save,
    saved,
    settle,
    shoot,
    sidebar_link,
    write,
)

pytestmark = pytest.mark.browser
SLOW_SAVE = 240_000  # ms


@pytest.fixture
def page(browser: Browser, kairos_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=kairos_url)
    context.set_default_timeout(STEP)
    page = context.new_page()
    yield page
    context.close()


def fresh_form(page: Page) -> None:
    """The Write page with an empty form (an earlier test's draft offer dismissed)."""
    page.goto("/write")
    settle(page)
    expect(page.get_by_text("Model ready")).to_be_visible(timeout=MODEL_LOAD)
    discard = page.get_by_role("button", name="Discard it")
    if discard.count():
        discard.click()
        settle(page)


def create(page: Page, title: str, body: str) -> str:
    fresh_form(page)
    write(page, title, body)
    save(page, title)
    return page.url.split("note=")[1]


def test_a_draft_typed_without_leaving_the_box_is_offered_back_after_a_reload(
    page: Page,
) -> None:
    fresh_form(page)
    page.get_by_role("textbox", name="Title").fill("Unsaved thoughts")
    body = page.get_by_role("textbox", name="Body (Markdown)")
    body.click()
    body.press_sequentially("typed and never saved")  # the focus stays in the box
    expect(page).to_have_url(re.compile(r"/write\?draft=\w+"))
    page.wait_for_timeout(2500)  # a second after the last key, the draft is written
    settle(page)
    page.reload()
    expect(page.get_by_text(re.compile(r"Restore the unsaved draft of \d\d:\d\d"))).to_be_visible()
    shoot(page, "draft-restore")
    page.get_by_role("button", name="Restore the draft").click()
    expect(page.get_by_role("textbox", name="Body (Markdown)")).to_have_value(
        "typed and never saved"
    )
    expect(page.get_by_role("textbox", name="Title")).to_have_value("Unsaved thoughts")


def test_wikilinks_open_their_note_from_the_preview_and_from_the_note_page(
    page: Page,
) -> None:
    target = create(page, "Grinder settings", "Burr grinder, step 12 for espresso.")
    fresh_form(page)
    write(page, "Morning routine", "Weigh, then grind per [[Grinder settings|the grinder]].")
    page.get_by_role("textbox", name="Title").click()  # hands the body to the preview
    preview_link = page.get_by_test_id("stMain").get_by_role("link", name="the grinder")
    expect(preview_link).to_have_attribute("href", f"note?id={target}")
    save(page, "Morning routine")
    source = page.url.split("note=")[1]
    page.get_by_test_id("stMain").get_by_role("link", name="the grinder").click()
    expect(page.get_by_role("heading", name="Grinder settings")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/note\?id={target}$"))

    page.goto(f"/note?id={source}")
    page.get_by_test_id("stMain").get_by_role("link", name="the grinder").first.click()
    expect(page.get_by_role("heading", name="Grinder settings")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/note\?id={target}$"))
    page.go_back()
    expect(page.get_by_role("heading", name="Morning routine")).to_be_visible()


def test_typing_an_open_link_offers_titles_and_a_click_completes_it(page: Page) -> None:
    create(page, "Tamping pressure", "Level, firm, about fifteen kilos.")
    fresh_form(page)
    page.get_by_role("textbox", name="Title").fill("Shot diary")
    body = page.get_by_role("textbox", name="Body (Markdown)")
    body.click()
    body.press_sequentially("Pressed per [[tamp")  # the focus stays in the box
    offered = page.locator(".st-key-link_suggestions").get_by_role(
        "button", name="Tamping pressure"
    )
    expect(offered).to_be_visible()
    shoot(page, "link-suggestions")
    offered.click()
    expect(body).to_have_value("Pressed per [[Tamping pressure]]")
    expect(page.locator(".st-key-link_suggestions")).to_have_count(0)
    page.get_by_role("textbox", name="Title").click()  # hands the body to the preview
    preview = page.get_by_test_id("stMarkdownContainer").get_by_role("link", name="Tamping")
    expect(preview.first).to_have_attribute("href", re.compile(r"^note\?id=\d+$"))


def test_a_rename_rewrites_the_link_in_the_other_note(page: Page) -> None:
    target = create(page, "Espresso extraction", "Twenty-five seconds, nine bars.")
    create(page, "Shot log", "Today: see [[Espresso extraction#Timing]] again.")
    page.goto(f"/write?note={target}")
    settle(page)
    page.get_by_role("textbox", name="Title").fill("Espresso shots")
    page.get_by_role("textbox", name="Body (Markdown)").click()
    save(page, "Espresso shots", version=2)
    expect(page.get_by_text("Links to it were updated in 1 note.")).to_be_visible()
    page.goto(f"/note?id={target}")
    page.get_by_test_id("stMain").get_by_role("link", name="Shot log").first.click()
    expect(page.get_by_role("heading", name="Shot log")).to_be_visible()
    rewritten = page.get_by_test_id("stMain").get_by_role("link", name="Espresso shots › Timing")
    expect(rewritten).to_have_attribute("href", f"note?id={target}#timing")
    expect(page.get_by_text("Today: see").first).to_have_text(
        "Today: see Espresso shots › Timing again."
    )


def test_a_note_comes_back_from_the_trash_and_from_an_older_version(page: Page) -> None:
    note = create(page, "Milk steaming", "Stretch for three seconds, then roll.")
    page.get_by_role("textbox", name="Body (Markdown)").fill("Stretch briefly, then spin.")
    save(page, "Milk steaming", version=2)
    page.goto(f"/note?id={note}")
    page.get_by_text("History · 2 versions").click()
    expect(page.locator(".kairos-del").first).to_be_visible()
    shoot(page, "history")
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_text("Restored version 1 as version 3.")).to_be_visible()
    expect(page.get_by_text("Stretch for three seconds, then roll.").first).to_be_visible()

    page.get_by_role("button", name="Move to trash").click()
    page.get_by_role("button", name="Yes, move it to the trash").click()
    expect(page.get_by_text("Moved “Milk steaming” to the trash")).to_be_visible()
    sidebar_link(page, "Trash").click()
    expect(page.get_by_role("heading", name="Trash")).to_be_visible()
    expect(page.get_by_role("button", name="Delete for good")).to_be_visible()
    expect(page.get_by_text("Milk steaming").first).to_be_visible()
    shoot(page, "trash")
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored “Milk steaming”")).to_be_visible()
    sidebar_link(page, "Search").click()
    box = page.get_by_role("textbox", name="Search")
    box.fill("stretch roll")
    box.press("Enter")
    expect(page.get_by_test_id("stPageLink").get_by_role("link").first).to_have_accessible_name(
        "Milk steaming"
    )


WATCH_SAVING = """() => {
  window.sawSaving = false;
  const look = () => {
    for (const button of document.querySelectorAll(".st-key-save button")) {
      if (button.disabled && button.textContent.includes("Saving…")) window.sawSaving = true;
    }
  };
  new MutationObserver(look).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}"""


def test_a_double_clicked_slow_save_makes_exactly_one_note(page: Page) -> None:
    fresh_form(page)
    huge = "Notes on water hardness and scale. " * 4200  # about 150,000 characters
    write(page, "Water chemistry", huge)
    page.get_by_role("textbox", name="Title").click()
    settle(page)
    # The "Saving…" state can last less than a poll on a quiet machine: record it as it is drawn.
    page.evaluate(WATCH_SAVING)
    page.locator(".st-key-save button:visible").dblclick()
    page.wait_for_function("() => window.sawSaving === true", timeout=SLOW_SAVE)
    # Embedding 150,000 characters on a shared CPU takes a while.
    expect(page.get_by_text("Saved · version 1")).to_be_visible(timeout=SLOW_SAVE)
    saved(page, "Water chemistry")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("UniqueViolation")).to_have_count(0)
    expect(page.locator(".st-key-save button:visible")).to_be_enabled()
    sidebar_link(page, "Search").click()
    page.get_by_role("radio", name="By keyword").click()
    box = page.get_by_role("textbox", name="Search")
    box.fill("Water chemistry")
    box.press("Enter")
    expect(page.get_by_role("link", name="Water chemistry")).to_have_count(1)


def test_reloading_a_search_address_shows_the_same_results(page: Page) -> None:
    create(page, "Cold brew", "Coarse grind, twelve hours, cold water.")
    page.goto("/search")
    page.get_by_role("radio", name="By keyword").click()
    box = page.get_by_role("textbox", name="Search")
    box.fill("coarse grind")
    box.press("Enter")
    first = page.get_by_test_id("stPageLink").get_by_role("link").first
    expect(first).to_have_accessible_name("Cold brew")
    expect(page).to_have_url(re.compile(r"/search\?.*q=coarse"))
    assert "mode=keyword" in page.url
    results = page.get_by_test_id("stPageLink").get_by_role("link").all_inner_texts()
    page.reload()
    expect(page.get_by_role("textbox", name="Search")).to_have_value("coarse grind")
    expect(page.get_by_test_id("stPageLink").get_by_role("link").first).to_have_accessible_name(
        "Cold brew"
    )
    assert page.get_by_test_id("stPageLink").get_by_role("link").all_inner_texts() == results
