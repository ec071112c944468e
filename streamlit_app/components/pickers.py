"""Project and source pickers for the Write page, each with a `+` to create a new one."""

from __future__ import annotations

import streamlit as st

from pkm_core.application.use_cases.catalog import create_project, create_source
from streamlit_app.components import draft
from streamlit_app.components.catalog import Catalog
from streamlit_app.components.context import require_kairos
from streamlit_app.components.errors import friendly, show_error

state = st.session_state


def _add_project() -> None:
    name = state.get("new_project_name", "")
    parent = state.get("new_project_parent")
    try:
        project = create_project(require_kairos().uow(), name, parent)
    except Exception as error:
        state["new_project_error"] = friendly(error)
        return
    state.pop("new_project_error", None)
    state["new_project_name"] = ""
    state[draft.PROJECT] = project.id


def _add_source() -> None:
    try:
        source = create_source(
            require_kairos().uow(),
            state.get("new_source_title", ""),
            state.get("new_source_url") or None,
            state.get("new_source_author") or None,
        )
    except Exception as error:
        state["new_source_error"] = friendly(error)
        return
    state.pop("new_source_error", None)
    for key in ("new_source_title", "new_source_url", "new_source_author"):
        state[key] = ""
    state[draft.SOURCE] = source.id


def project_picker(catalog: Catalog) -> None:
    options: list[int | None] = [None, *catalog.projects]
    if state.get(draft.PROJECT) not in options:
        options.append(state[draft.PROJECT])
    # The "+" takes only its own width, so the select box keeps room for its text.
    pick, add = st.columns([6, 1], gap="small", vertical_alignment="bottom")
    pick.selectbox(
        "Project",
        options,
        key=draft.PROJECT,
        format_func=lambda p: "No project" if p is None else catalog.projects.get(p, f"#{p}"),
        placeholder="No project",
        persist_state="session",
    )
    with add.popover("", icon=":material/add:", help="New project"):
        st.text_input("Name of the new project", key="new_project_name")
        st.selectbox(
            "Inside",
            [None, *catalog.projects],
            key="new_project_parent",
            format_func=lambda p: "(top level)" if p is None else catalog.projects.get(p, ""),
            placeholder="(top level)",
        )
        st.button("Create project", key="create_project", on_click=_add_project)
        if state.get("new_project_error"):
            show_error(state["new_project_error"])


def source_picker(catalog: Catalog) -> None:
    options: list[int | None] = [None, *catalog.sources]
    if state.get(draft.SOURCE) not in options:
        options.append(state[draft.SOURCE])
    # The "+" takes only its own width, so the select box keeps room for its text.
    pick, add = st.columns([6, 1], gap="small", vertical_alignment="bottom")
    pick.selectbox(
        "Source",
        options,
        key=draft.SOURCE,
        format_func=lambda s: (
            "No source"
            if s is None
            else (catalog.sources[s].label if s in catalog.sources else f"#{s}")
        ),
        placeholder="No source",
        persist_state="session",
    )
    with add.popover("", icon=":material/add:", help="New source"):
        st.text_input("Title of the source", key="new_source_title", placeholder="A book, a page")
        st.text_input("URL", key="new_source_url", placeholder="https://…")
        st.text_input("Author", key="new_source_author")
        st.button("Create source", key="create_source", on_click=_add_source)
        if state.get("new_source_error"):
            show_error(state["new_source_error"])
