"""Kairos entry point: `kairos run` (or `streamlit run streamlit_app/app.py`).

Refuses to serve on an address other machines can reach unless KAIROS_ALLOW_REMOTE=1.

Declares the pages (one small module each under views/), the sidebar and the look; the
pages do the rest. Nothing slow happens before the first paint: the model loads in a
background thread and the database starts behind a spinner on the page itself.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pkm_core.domain.errors import KairosError
from pkm_core.infrastructure.network import check_bind_address
from streamlit_app.components import nav
from streamlit_app.components.context import track_page
from streamlit_app.components.model_status import model_status
from streamlit_app.components.shortcuts import mount_shortcuts

HERE = Path(__file__).parent

st.set_page_config(
    page_title="Kairos",
    page_icon=":material/neurology:",
    layout="wide",
    initial_sidebar_state="auto",  # open on a desktop, folded away on a phone
)
try:  # a plain `streamlit run` with another configuration: refuse to serve the notes
    check_bind_address(st.get_option("server.address"))
except KairosError as error:
    st.error(str(error), icon=":material/lock:")
    st.stop()
st.logo(str(HERE / "assets" / "kairos.svg"), size="large")
st.html((HERE / "assets" / "style.css").read_text(encoding="utf-8").join(("<style>", "</style>")))

pages = {
    "Knowledge": [
        st.Page(nav.NOTES, title="Notes", icon=":material/library_books:", default=True),
        st.Page(nav.WRITE, title="Write", icon=":material/edit_note:", url_path="write"),
        st.Page(nav.SEARCH, title="Search", icon=":material/search:", url_path="search"),
        # Reached from a note's title (`/note?id=12`), not from the menu.
        st.Page(nav.NOTE, title="Note", icon=":material/description:", visibility="hidden"),
        st.Page(nav.TRASH, title="Trash", icon=":material/delete:", url_path="trash"),
    ],
    "System": [
        st.Page(
            nav.IMPORT, title="Import & export", icon=":material/upload_file:", url_path="import"
        ),
        st.Page(nav.STATUS, title="Status", icon=":material/monitor_heart:", url_path="status"),
    ],
}
page = st.navigation(pages)
with st.sidebar:
    model_status()
    mount_shortcuts()
track_page(page.url_path)
page.run()
