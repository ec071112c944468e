"""An import run on the page: a progress bar per batch with the count and the time left,
and the per-file report afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from pkm_core.application.dto import IngestReport
from streamlit_app.components.text import md_text

OUTCOME_LABELS = {
    "imported": "imported",
    "updated": "updated",
    "unchanged": "unchanged",
    "skipped": "skipped",
}


def time_left(done: int, total: int, elapsed: float) -> str:
    if done <= 0 or total <= done:
        return "" if total <= done else "estimating the time left…"
    seconds = elapsed / done * (total - done)
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


PROGRESS = "import_progress"  # (done, total) of the running import: what a stop reports


def progress_bar() -> Callable[[int, int], None]:
    bar = st.progress(0.0, text="Reading the files…")
    started = time.monotonic()
    st.session_state[PROGRESS] = (0, 0)

    def update(done: int, total: int) -> None:
        st.session_state[PROGRESS] = (done, total)
        fraction = done / total if total else 1.0
        left = time_left(done, total, time.monotonic() - started)
        bar.progress(min(fraction, 1.0), text=f"{done:,} of {total:,} files · {left}".rstrip(" ·"))

    return update


def show_report(report: IngestReport) -> None:
    summary = (
        f"Imported {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"skipped {report.skipped}; {report.attachments} attachments stored."
    )
    if report.cancelled:
        st.warning(
            "The import was cancelled; what was written so far stays. Import again to go on: "
            "the files already stored are recognised and skipped.",
            icon=":material/cancel:",
        )
    (st.warning if report.skipped else st.success)(summary, icon=":material/task_alt:")
    rows = [
        {"file": source, "outcome": OUTCOME_LABELS.get(status, status), "reason": reason}
        for source, status, reason in report.files
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="import_report")
    for title, items in (("Notes", report.warnings), ("No longer in the vault", report.vanished)):
        if items:
            with st.expander(f"{title} ({len(items)})"):
                for source, sentence in items:
                    st.markdown(md_text(f"**{source}**: {sentence}"))
