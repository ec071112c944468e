"""Status: where the data lives, how much there is, the model, and the state of the index."""

from __future__ import annotations

import time

import streamlit as st

from pkm_core.application.use_cases.index import IndexStatus, index_status, reindex
from pkm_core.bootstrap import Kairos
from streamlit_app.components.context import open_kairos
from streamlit_app.components.errors import friendly, show_error, shown_errors
from streamlit_app.components.import_run import time_left
from streamlit_app.runtime import ModelLoader, ModelState, get_model_loader

DONE = "status_reindexed"
RUNNING = "status_reindex_running"  # (done, total) while a rebuild runs
BATCH = 8  # notes per transaction: the bar moves every few seconds even on a slow CPU
state = st.session_state


def _storage(kairos: Kairos) -> None:
    st.subheader("Data")
    if kairos.urls.embedded_pgdata is not None:
        st.markdown(f"Embedded PostgreSQL in `{kairos.urls.embedded_pgdata}`")
        st.caption("Started by Kairos on this machine; reachable only through a local socket.")
    else:
        # `display` masks the password.
        st.markdown(f"External PostgreSQL at `{kairos.urls.display}`")


def _model(kairos: Kairos, loader: ModelLoader) -> None:
    st.subheader("Embedding model")
    embedder = kairos.embedder
    if loader.state is ModelState.READY:
        # Reading the device or the dimension loads the model: only once it is loaded.
        # `device` is not part of the IEmbedder port: an embedder may not tell.
        device = getattr(embedder, "device", None) or "an unknown device"
        st.markdown(
            f"`{embedder.model_name}` on **{device}**, {embedder.dimension} dimensions · loaded"
        )
        _backend(kairos)
    elif loader.state is ModelState.LOADING:
        st.markdown(f"`{embedder.model_name}` · loading…")
        _backend(kairos)
    else:
        show_error(f"The model could not be loaded: {loader.error}")


def _backend(kairos: Kairos) -> None:
    st.caption(
        f"Backend **{kairos.settings.embedding_backend}** (KAIROS_EMBEDDING_BACKEND: torch, "
        "onnx or onnx-int8). Vectors of another backend count as another model."
    )


def _counts(status: IndexStatus) -> None:
    notes, chunks, missing = st.columns(3)
    notes.metric("Notes", f"{status.notes:,}", border=True)
    chunks.metric("Chunks", f"{status.chunks:,}", border=True)
    missing.metric(
        "Notes without vectors",
        f"{status.notes_without_vectors:,}",
        border=True,
        help="Found by keyword only until they are indexed.",
    )


def _coverage(status: IndexStatus) -> bool:
    """Describe the index; True when it needs rebuilding."""
    st.subheader("Index")
    if not status.model_matches:
        st.warning(
            f"The stored vectors were made by `{status.recorded_model}` "
            f"({status.recorded_dimension} dimensions), but the configured model is "
            f"`{status.configured_model}`: search by meaning and related notes are off until "
            "you rebuild the index.",
            icon=":material/warning:",
        )
        return True
    if status.notes_without_vectors:
        st.warning(
            f"{status.notes_without_vectors:,} of {status.notes:,} notes have no vectors "
            "yet, so they are found by keyword only. Rebuild the index to include them.",
            icon=":material/warning:",
        )
        return True
    if status.notes:
        recorded = status.recorded_model or status.configured_model
        st.success(f"Every note is indexed with `{recorded}`.", icon=":material/check_circle:")
    else:
        st.caption("Nothing to index yet.")
    return False


def _reindex(kairos: Kairos, loader: ModelLoader, needed: bool) -> None:
    ready = loader.state is ModelState.READY
    clicked = st.button(
        "Rebuild the index",
        key="reindex",
        type="primary" if needed else "secondary",
        icon=":material/autorenew:",
        disabled=not ready,
        help="Re-embed every note with the configured model. Notes stay readable meanwhile."
        if ready
        else "Available once the embedding model has loaded.",
    )
    if not clicked:
        return
    # A click on Cancel asks for a rerun, which Streamlit delivers at the next update of
    # the bar: after a batch has been committed, so the notes done so far stay indexed.
    st.button("Cancel", key="reindex_cancel", icon=":material/cancel:")
    bar = st.progress(0.0, text="Starting…")
    started = time.monotonic()
    state[RUNNING] = (0, 0)

    def progress(done: int, total: int) -> None:
        state[RUNNING] = (done, total)  # what a cancelled run reports
        share = done / total if total else 1.0
        left = time_left(done, total, time.monotonic() - started)
        bar.progress(share, text=f"Indexed {done:,} of {total:,} notes · {left}".rstrip(" ·"))

    try:
        count = reindex(kairos.uow, kairos.embedder, on_progress=progress, batch_size=BATCH)
    except Exception as error:
        state.pop(RUNNING, None)
        bar.empty()
        show_error(friendly(error))
        return
    state.pop(RUNNING, None)
    state[DONE] = f"Re-indexed {count:,} {'note' if count == 1 else 'notes'}."
    st.rerun()  # show the new counts


def _stopped() -> None:
    """The last rebuild was cancelled (or the page left): say how far it got."""
    done, total = state.pop(RUNNING)
    st.warning(
        f"The rebuild was stopped after {done:,} of {total:,} notes; those are indexed. "
        "Rebuild again to finish the others (until then they keep their old vectors, or "
        "are found by keyword only after a change of model).",
        icon=":material/cancel:",
    )


st.title("Status")
kairos = open_kairos()
if kairos is None:
    st.stop()
loader = get_model_loader()
if DONE in state:
    st.success(state.pop(DONE), icon=":material/check_circle:")
if RUNNING in state:
    _stopped()

left, right = st.columns(2, gap="large")
with left:
    _storage(kairos)
with right:
    _model(kairos, loader)
st.divider()
with shown_errors():
    status = index_status(kairos.uow(), kairos.embedder.model_name)
    _counts(status)
    needed = _coverage(status)
    _reindex(kairos, loader, needed)
