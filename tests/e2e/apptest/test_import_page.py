"""The Import & export page: upload a zipped vault, read the report, open a note, export."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pkm_core.bootstrap import Kairos
from streamlit_app.components.text import md_escape

PAGE = "views/import_.py"
VAULT = Path(__file__).parents[2] / "fixtures" / "vault"


def zipped_vault() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(VAULT.rglob("*")):
            if path.is_file():
                archive.write(path, f"My vault/{path.relative_to(VAULT).as_posix()}")
    return buffer.getvalue()


def test_a_zipped_vault_is_imported_with_a_per_file_report_and_exported_again(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    at = open_page(PAGE)
    at.file_uploader(key="import_files").set_value(
        ("vault.zip", zipped_vault(), "application/zip")
    ).run()
    at.button[0].click().run()
    assert not at.exception
    summary = at.success[0].value
    assert "Imported 14, updated 0, unchanged 0, skipped 0; 2 attachments stored." in summary
    report = at.dataframe[0].value
    assert set(report["outcome"]) == {"imported"}
    assert "Index.md" in set(report["file"]) and "assets/diagram.png" in set(report["file"])

    at.button[-1].click().run()  # Prepare the export
    assert not at.exception
    download = at.get("download_button")
    assert any("14 notes, 2 attachments" in str(d.proto.label) for d in download)


def test_an_imported_note_shows_its_image_and_its_links(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    from pkm_core.application.use_cases.ingest import ingest_path

    ingest_path(kairos.uow, kairos.embedder, kairos.reader, VAULT)
    with kairos.uow() as uow:
        index = uow.notes.get_by_title("Index")
    assert index is not None
    at = open_page("views/note.py", id=index.id)
    assert not at.exception
    assert at.title[0].value == "Index"
    images = at.get("image")
    assert len(images) == 1  # ![[diagram.png]] drawn where it is embedded
    shown = "\n".join(m.value for m in at.markdown)
    assert "diagram.png" not in shown  # no broken Markdown image, no "(new)" note link
    with kairos.uow() as uow:
        alpha = uow.notes.get_by_title("projects/alpha/Index")
    assert alpha is not None and alpha.title == "Index (projects/alpha)"
    assert f"](note?id={alpha.id})" in shown  # [[projects/alpha/Index]]: a live link
    assert "write?title=projects" not in shown
    assert "Attachments" not in [h.value for h in at.subheader]  # nothing left to list
    links = [p.proto.label for p in at.get("page_link")]
    assert md_escape("Headless Sync") in links and md_escape("Index (projects/alpha)") in links


def test_a_stopped_import_says_how_many_files_it_had_done(
    open_page: Callable[..., AppTest],
) -> None:
    at = open_page(PAGE)
    at.session_state["import_running"] = True  # the run a Cancel click interrupted
    at.session_state["import_progress"] = (40, 120)
    at.run()
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("The last import was stopped after 40 of 120 files;")
    at.run()
    assert not at.warning  # said once
