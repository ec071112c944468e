"""A note's attachments under its text: the files to download, and the images its text
does not embed (those are drawn where they are embedded, note_body.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import streamlit as st

from pkm_core.application.vault import Attachment
from streamlit_app.components.note_body import shown_inline
from streamlit_app.components.text import md_escape


def show_attachments(found: Sequence[Attachment], drawn: Collection[str] = ()) -> None:
    rest = [a for a in found if a.path not in drawn]
    if not rest:
        return
    st.subheader("Attachments")
    for index, item in enumerate(rest):
        if shown_inline(item):
            st.image(item.data, caption=item.path)
        else:
            st.download_button(
                f"{md_escape(item.path)} ({item.size:,} bytes)",
                data=item.data,
                file_name=item.path.rsplit("/", 1)[-1],
                mime=item.media_type,
                key=f"attachment_{index}",
                icon=":material/attach_file:",
            )
