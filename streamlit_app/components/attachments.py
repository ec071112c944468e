"""A note's attachments under its text: images inline, other files as downloads."""

from __future__ import annotations

import streamlit as st

from pkm_core.application.use_cases.attachments import note_attachments
from pkm_core.bootstrap import Kairos
from streamlit_app.components.text import md_escape


def show_attachments(kairos: Kairos, body: str) -> None:
    found = note_attachments(kairos.uow(), body)
    if not found:
        return
    st.subheader("Attachments")
    for index, item in enumerate(found):
        if item.is_image and item.media_type != "image/svg+xml":  # SVG can carry script
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
