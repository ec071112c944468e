"""Import & export (`/import`): upload a vault, see what each file became; download it all."""

from __future__ import annotations

import io

import streamlit as st

from pkm_core.application.use_cases.export import export_vault
from pkm_core.application.use_cases.ingest import ingest_uploads
from pkm_core.infrastructure.export_sinks import ZipSink
from streamlit_app.components.context import open_kairos
from streamlit_app.components.errors import friendly, show_error
from streamlit_app.components.import_run import PROGRESS, progress_bar, show_report

state = st.session_state
RUNNING = "import_running"

st.title("Import & export")
kairos = open_kairos()
if kairos is None:
    st.stop()

st.subheader("Bring your notes")
st.caption(
    "A .zip of an Obsidian or Logseq vault, or several Markdown files. Front matter, tags, "
    "aliases, links, folders and attachments are kept; importing again changes only what "
    "changed."
)
files = st.file_uploader(
    "Vault (.zip) or Markdown files",
    type=["zip", "md", "markdown"],
    accept_multiple_files=True,
    key="import_files",
)
if state.pop(RUNNING, False):
    done, total = state.pop(PROGRESS, (0, 0))
    st.warning(
        f"The last import was stopped after {done:,} of {total:,} files; the batches "
        "written stay. Import again to go on: files already stored are skipped.",
        icon=":material/cancel:",
    )
start = st.button("Import", type="primary", disabled=not files, icon=":material/upload:")
if start and files:
    st.button("Cancel", key="import_cancel", icon=":material/cancel:")  # a click stops the run
    state[RUNNING] = True
    try:
        report = ingest_uploads(
            kairos.uow,
            kairos.embedder,
            kairos.reader,
            [(f.name, f.getvalue()) for f in files],
            on_progress=progress_bar(),
        )
    except Exception as error:
        state.pop(RUNNING, None)
        show_error(friendly(error))
    else:
        state.pop(RUNNING, None)
        state["import_report"] = report
if "import_report" in state:
    show_report(state["import_report"])

st.divider()
st.subheader("Take them with you")
st.caption(
    "Every note as a Markdown file at its vault path (notes written here under their "
    "project's folder), with its front matter, and every attachment."
)
if st.button("Prepare the export", icon=":material/inventory_2:"):
    buffer = io.BytesIO()
    try:
        sink = ZipSink(buffer)
        summary = export_vault(kairos.uow, sink)
        sink.close()
    except Exception as error:
        show_error(friendly(error))
    else:
        state["export_zip"] = buffer.getvalue()
        state["export_summary"] = f"{summary.notes} notes, {summary.attachments} attachments"
if "export_zip" in state:
    st.download_button(
        f"Export ({state['export_summary']})",
        data=state["export_zip"],
        file_name="kairos-vault.zip",
        mime="application/zip",
        type="primary",
        icon=":material/download:",
        key="export_download",
    )
