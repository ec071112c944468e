"""Process-wide resources for the pages, built once by the composition root."""

from __future__ import annotations

import streamlit as st

from pkm_core.bootstrap import Kairos, build_kairos


@st.cache_resource(show_spinner="Starting the database…")
def get_kairos() -> Kairos:
    return build_kairos()
