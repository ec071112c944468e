"""Notes: every note, filtered, sorted and paged."""

from __future__ import annotations

import streamlit as st

from pkm_core.application.dto import PageRequest, SortOrder
from pkm_core.application.use_cases.notes import count_notes, list_notes
from streamlit_app.components import nav
from streamlit_app.components.catalog import load_catalog
from streamlit_app.components.context import open_kairos, show_flash
from streamlit_app.components.errors import shown_errors
from streamlit_app.components.filters import filter_bar
from streamlit_app.components.note_card import note_card, note_row
from streamlit_app.components.url_state import choice_param, from_url, int_param, list_param, to_url

SORTS = {SortOrder.UPDATED: "Last updated", SortOrder.CREATED: "Newest", SortOrder.TITLE: "Title"}
PAGE_SIZES = (10, 20, 50)
VIEWS = {"cards": ":material/view_agenda: Cards", "list": ":material/view_list: List"}
PAGE_KEY = "notes_page"
# `/?keyword=coffee&project=2&sort=title`: the filtered list has an address of its own.
URL = [
    list_param("keyword", "notes_keywords"),
    int_param("project", "notes_project"),
    choice_param("sort", "notes_sort", list(SORTS), SortOrder.UPDATED),
    choice_param("view", "notes_view", list(VIEWS), "cards"),  # `view=list`: the dense one
]

state = st.session_state
st.title("Notes")
show_flash()
kairos = open_kairos()
if kairos is None:
    st.stop()

with shown_errors():
    total_notes = count_notes(kairos.uow())
    if total_notes == 0:
        with st.container(border=True):
            st.subheader("Your knowledge base is empty")
            st.markdown(
                "Write your first note: a title and a few lines are enough. Kairos keeps it "
                "on this machine and shows related notes as your collection grows."
            )
            if st.button(
                "Write your first note",
                key="write_first",
                type="primary",
                icon=":material/edit_note:",
            ):
                st.switch_page(nav.WRITE)
        st.stop()

    catalog = load_catalog(kairos)
    from_url("notes", URL)
    filters = filter_bar("notes", catalog)
    col_sort, col_size, col_view, _ = st.columns([2, 1, 2, 4], vertical_alignment="bottom")
    sort = col_sort.selectbox(
        "Sort by",
        list(SORTS),
        format_func=SORTS.__getitem__,
        key="notes_sort",
        persist_state="session",
    )
    size = col_size.selectbox(
        "Per page", PAGE_SIZES, index=1, key="notes_page_size", persist_state="session"
    )
    if state.get("notes_view") not in VIEWS:
        state["notes_view"] = "cards"
    view = col_view.segmented_control(
        "View",
        list(VIEWS),
        format_func=VIEWS.__getitem__,
        key="notes_view",
        required=True,
        help="Cards show a line of each note; the list shows one row per note.",
    )

    to_url("notes", URL)
    # A new filter or order starts again at page 1.
    signature = (filters, sort, size)
    if st.session_state.get("notes_signature") != signature:
        st.session_state["notes_signature"] = signature
        st.session_state[PAGE_KEY] = 1
    # The pager below sets the page; it is read here first because the query needs it.
    page_number = st.session_state.get(PAGE_KEY, 1)
    result = list_notes(kairos.uow(), filters, PageRequest(page_number, size), sort)
    if page_number > result.pages:  # fewer notes than before (deleted meanwhile)
        st.session_state[PAGE_KEY] = page_number = result.pages
        result = list_notes(kairos.uow(), filters, PageRequest(page_number, size), sort)

    noun = "note" if result.total == 1 else "notes"
    if filters.is_empty:
        st.caption(f"{result.total} {noun}")
    else:
        st.caption(f"{result.total} of {total_notes} notes match the filters")

    if not result.items:
        st.info("No notes match these filters. Remove a keyword or widen the dates.")
    show = note_row if view == "list" else note_card
    for summary in result.items:
        show(summary, catalog)

    if result.pages > 1:
        st.pagination(result.pages, key=PAGE_KEY)
