"""Kairos entry point: `streamlit run streamlit_app/app.py`."""

from __future__ import annotations

import streamlit as st

from pkm_core.application.use_cases.notes import count_notes
from pkm_core.domain.errors import KairosError
from streamlit_app.runtime import get_kairos

st.set_page_config(page_title="Kairos", page_icon="🗂️", layout="wide")


def home() -> None:
    st.title("Kairos")
    try:
        kairos = get_kairos()
        st.metric("Notes", count_notes(kairos.uow()))
    except KairosError as error:
        st.error(str(error))


st.navigation([st.Page(home, title="Home", icon="🏠")]).run()
