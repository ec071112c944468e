"""A vault in and out through a real Chromium: upload, report, a note with its image and
links, and the export download."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.apptest.test_import_page import VAULT, zipped_vault
from tests.e2e.browser.test_kairos_in_a_browser import MODEL_LOAD, page, settle, shoot

pytestmark = pytest.mark.browser
__all__ = ["page"]  # the fixture, shared with the other browser test


def test_a_person_uploads_a_vault_opens_a_note_and_downloads_the_export(
    page: Page, tmp_path: Path
) -> None:
    archive = tmp_path / "vault.zip"
    archive.write_bytes(zipped_vault())
    page.goto("/import")
    settle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(archive))
    expect(page.get_by_text("vault.zip")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(
        page.get_by_text("Imported 14, updated 0, unchanged 0, skipped 0; 2 attachments stored.")
    ).to_be_visible(timeout=MODEL_LOAD)
    settle(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    shoot(page, "import")

    page.goto("/")
    settle(page)
    page.get_by_role("link", name="Index", exact=True).first.click()
    expect(page.get_by_role("heading", name="Index", exact=True)).to_be_visible()
    settle(page)
    image = page.get_by_test_id("stImage").locator("img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 6  # the fixture's 6×6 PNG, loaded
    # Where the text embeds it: after the code block, before the callout.
    top = image.bounding_box()["y"]  # type: ignore[index]
    code = page.get_by_text('print("#nope")').first.bounding_box()["y"]  # type: ignore[index]
    callout = page.get_by_text("A callout").first.bounding_box()["y"]  # type: ignore[index]
    assert code < top < callout
    # No other picture in the note: no broken Markdown image pointing at a made-up URL.
    expect(page.get_by_test_id("stMain").locator("img:not([src*='/media/'])")).to_have_count(0)
    image.scroll_into_view_if_needed()
    shoot(page, "vault-note")
    page.get_by_role("link", name="Headless Sync", exact=True).first.click()
    expect(page.get_by_role("heading", name="Headless Sync", exact=True)).to_be_visible()
    settle(page)

    page.goto("/import")
    settle(page)
    page.get_by_role("button", name="Prepare the export").click()
    button = page.get_by_role("button", name="Export (14 notes, 2 attachments)")
    expect(button).to_be_visible()
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as exported:
        assert exported.read("Index.md") == (VAULT / "Index.md").read_bytes()
        assert exported.read("assets/diagram.png") == (VAULT / "assets/diagram.png").read_bytes()
