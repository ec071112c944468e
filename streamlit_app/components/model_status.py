"""The embedding model's state in the sidebar, refreshed while it loads."""

from __future__ import annotations

import streamlit as st

from streamlit_app.components.text import md_escape
from streamlit_app.runtime import ModelState, get_model_loader


@st.fragment(run_every=1.5)
def _while_loading() -> None:
    if get_model_loader().state is not ModelState.LOADING:
        # One full rerun so every page sees the model (related notes, search by meaning).
        st.rerun()
    st.caption(":material/hourglass_top: Loading the embedding model… you can browse and write.")


def model_status() -> None:
    try:
        loader = get_model_loader()
    except Exception as error:  # a bad setting: the pages show the details
        st.caption(f":material/error: Model unavailable: {md_escape(str(error))}")
        return
    state = loader.state
    if state is ModelState.LOADING:
        _while_loading()
    elif state is ModelState.FAILED:
        st.caption(
            f":material/error: The embedding model failed to load: {md_escape(loader.error or '')}"
        )
    else:
        st.caption(f":material/check_circle: Model ready · {loader.embedder.model_name}")
