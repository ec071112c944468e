"""Kairos in a real browser, used as a person would, with the real model.

Two notes on one topic in different words find each other as related notes; a search by
meaning finds a note that shares no word with the query; edits and deletes go through.
The screenshots in the README are taken here (docs/screenshots/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
MODEL_LOAD = 180_000  # ms: the first load of torch and the model on a busy machine
STEP = 30_000  # ms: one interaction (a save embeds the note on the CPU)
expect.set_options(timeout=STEP)

STARTER = (
    "Sourdough starter care",
    "Feed the starter flour and water every day.\n\n"
    "Keep the jar somewhere warm; a sour smell means it is **hungry**.",
)
BREAD = (
    "Baking bread at home",
    "A loaf needs a long, slow rise. Knead the dough, shape it and bake it in a hot "
    "oven with steam for a crisp crust.",
)
TAXES = (
    "Quarterly tax deadlines",
    "File the VAT return before the end of the month and keep every invoice for seven years.",
)


@pytest.fixture
def page(browser: Browser, kairos_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=kairos_url)
    context.set_default_timeout(STEP)
    page = context.new_page()
    yield page
    context.close()


# The script has finished its run and no element is left over from the previous one.
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null && app.dataset.testScriptState === "notRunning"
    && document.querySelector("[data-stale='true']") === null;
}"""


def settle(page: Page) -> None:
    """Wait for the rerun an interaction started to finish before the next one."""
    page.wait_for_function(SETTLED)


def sidebar_link(page: Page, name: str) -> Locator:
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=name)


def related_panel(page: Page) -> Locator:
    """The links in the related-notes panel, best first."""
    return page.locator(".st-key-related_panel").get_by_test_id("stPageLink").get_by_role("link")


def write(page: Page, title: str, body: str) -> None:
    settle(page)
    page.get_by_role("textbox", name="Title").fill(title)
    page.get_by_role("textbox", name="Body (Markdown)").fill(body)


def new_note(page: Page) -> None:
    page.get_by_role("button", name="New note").click()
    # Wait for the empty form: typing into the old one would race with the rerun.
    expect(page.get_by_role("heading", name="New note")).to_be_visible()
    expect(page.get_by_role("textbox", name="Title")).to_have_value("")
    settle(page)


def saved(page: Page, title: str, version: int = 1) -> None:
    """Wait for the editor to show `title` stored at `version`."""
    expect(page.get_by_text(f"Saved · version {version}")).to_be_visible()
    expect(page.get_by_role("textbox", name="Title")).to_have_value(title)
    settle(page)


def save(page: Page, title: str, version: int = 1) -> None:
    page.locator(".st-key-save button:visible").click()
    saved(page, title, version)


def open_note_from_editor(page: Page, title: str) -> None:
    page.get_by_role("link", name="Open the note").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    settle(page)  # the editor's elements are gone


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    toasts = page.get_by_test_id("stToast")
    for close in toasts.get_by_role("button", name="Close").all():
        close.click()  # "Saved" toasts would cover the related notes in the picture
    expect(toasts).to_have_count(0)
    page.wait_for_timeout(300)  # the fade-in of the last rerun, for a crisp picture
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_a_person_writes_relates_finds_edits_and_deletes_notes(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_text("Your knowledge base is empty")).to_be_visible()
    # The first screen is usable before the model has loaded; related notes need it.
    expect(page.get_by_text("Model ready")).to_be_visible(timeout=MODEL_LOAD)

    page.get_by_role("button", name="Write your first note").click()
    expect(page.get_by_role("heading", name="New note")).to_be_visible()
    write(page, *STARTER)
    keywords = page.get_by_test_id("stMultiSelect").get_by_role("combobox")
    keywords.fill("baking")
    keywords.press("Enter")
    save(page, STARTER[0])

    new_note(page)
    write(page, *TAXES)
    save(page, TAXES[0])

    # The related panel follows the draft before it is saved, and after.
    new_note(page)
    write(page, *BREAD)
    page.get_by_role("textbox", name="Title").click()  # leaving the body hands its text over
    expect(related_panel(page).first).to_have_accessible_name(STARTER[0])
    page.get_by_role("textbox", name="Body (Markdown)").press("Control+s")
    saved(page, BREAD[0])
    expect(related_panel(page).first).to_have_accessible_name(STARTER[0])
    shoot(page, "write")

    sidebar_link(page, "Notes").click()
    expect(page.get_by_text("3 notes")).to_be_visible()
    # Keywords stay with their note: one card carries the badge, the starter's.
    tagged = page.locator("[class*='st-key-note_card_']").filter(has_text="sell baking")
    expect(tagged).to_have_count(1)
    expect(tagged).to_contain_text(STARTER[0])
    shoot(page, "notes")

    page.get_by_role("link", name=STARTER[0]).click()
    expect(page.get_by_role("heading", name=STARTER[0])).to_be_visible()
    expect(page).to_have_url(re.compile(r"/note\?id=\d+$"))
    expect(page.get_by_text("a sour smell means it is hungry")).to_be_visible()
    expect(related_panel(page).first).to_have_accessible_name(BREAD[0])
    shoot(page, "note")
    related_panel(page).first.click()
    expect(page.get_by_role("heading", name=BREAD[0])).to_be_visible()
    bread_url = page.url  # the address follows the note shown
    page.reload()
    expect(page.get_by_role("heading", name=BREAD[0])).to_be_visible()
    assert page.url == bread_url
    expect(related_panel(page).first).to_have_accessible_name(STARTER[0])

    # Search by meaning: no word of the query is in the note it finds.
    sidebar_link(page, "Search").click()
    page.get_by_role("radio", name="By meaning").click()
    box = page.get_by_role("textbox", name="Search")
    box.fill("looking after a yeast culture")
    box.press("Enter")
    first = page.get_by_test_id("stPageLink").get_by_role("link").first
    expect(first).to_have_accessible_name(STARTER[0])
    expect(page.get_by_text("Matched by meaning").first).to_be_visible()
    shoot(page, "search")
    first.click()
    expect(page.get_by_role("heading", name=STARTER[0])).to_be_visible()

    page.get_by_role("button", name="Edit").click()
    body = page.get_by_role("textbox", name="Body (Markdown)")
    expect(body).to_have_value(STARTER[1])
    body.fill(STARTER[1] + "\n\nDiscard half before each feed.")
    body.press("Control+s")  # the keyboard shortcut, straight from the body
    saved(page, STARTER[0], version=2)
    open_note_from_editor(page, STARTER[0])
    # The body shows the new paragraph (the History panel below holds it too, folded).
    expect(page.get_by_text("Discard half before each feed.", exact=True).first).to_be_visible()

    page.get_by_role("button", name="Move to trash").click()
    page.get_by_role("button", name="Yes, move it to the trash").click()
    expect(page.get_by_text(f"Moved “{STARTER[0]}” to the trash")).to_be_visible()
    expect(page.get_by_text("2 notes")).to_be_visible()

    sidebar_link(page, "Status").click()
    expect(page.get_by_text("Every note is indexed")).to_be_visible()
    shoot(page, "status")


def test_html_in_a_note_is_shown_as_text_and_never_runs(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/write")
    write(
        page,
        "Markup is only text",
        '<script>window.kairosPwned = 1; alert("script")</script>\n\n'
        '<img src="x" onerror="window.kairosPwned = 2; alert(\'img\')">\n\n'
        "[a link](javascript:window.kairosPwned=3)",
    )
    save(page, "Markup is only text")
    open_note_from_editor(page, "Markup is only text")
    main = page.get_by_test_id("stMain")
    expect(main.locator("img[src='x']")).to_have_count(0)
    expect(main.locator("script")).to_have_count(0)
    if main.get_by_role("link", name="a link").count():
        main.get_by_role("link", name="a link").click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.kairosPwned") is None
    assert dialogs == []
