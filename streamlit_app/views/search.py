"""Search: one box, hybrid by default, semantic or keyword on demand, with filters."""

from __future__ import annotations

import streamlit as st

from pkm_core.application.dto import SearchHit, SearchMode
from pkm_core.application.use_cases.search import search_notes
from pkm_core.domain.snippet import Snippet
from streamlit_app.components.catalog import load_catalog
from streamlit_app.components.context import open_kairos
from streamlit_app.components.errors import shown_errors
from streamlit_app.components.filters import filter_bar
from streamlit_app.components.nav import note_link
from streamlit_app.components.text import highlight_snippet, md_escape
from streamlit_app.components.url_state import (
    choice_param,
    from_url,
    int_param,
    list_param,
    text_param,
    to_url,
)
from streamlit_app.runtime import ModelState, get_model_loader

MODES = {
    SearchMode.HYBRID: "Hybrid",
    SearchMode.SEMANTIC: "By meaning",
    SearchMode.KEYWORD: "By keyword",
}
MODE_HELP = (
    "**Hybrid** (default) combines meaning and keywords. **By meaning** finds notes about "
    "the same thing in other words. **By keyword** finds the words you typed."
)
SYNTAX_HELP = (
    "A note whose title is exactly what you typed comes first. "
    '`"a phrase"` finds only notes with those words in that order; '
    "`-word` leaves out notes containing that word. "
    "Case and accents never matter."
)
PAGE = 10
LIMIT_KEY = "search_limit"
# `/search?q=espresso&mode=keyword&keyword=coffee&project=2`: reload, Back and bookmarks
URL = [
    text_param("q", "search_query"),
    choice_param("mode", "search_mode", list(SearchMode), SearchMode.HYBRID),
    list_param("keyword", "search_keywords"),
    int_param("project", "search_project"),
]


def reason(hit: SearchHit) -> str:
    if hit.weak:
        return f"Weak match by meaning · similarity {hit.semantic_score or 0:.2f}"
    why = " and ".join(hit.matched_by) or "search"
    label = {SearchMode.KEYWORD: "BM25 score", SearchMode.SEMANTIC: "similarity"}.get(
        hit.mode, "relevance"
    )
    return f"Matched by {why} · {label} {hit.score:.2f}"


def show_hit(hit: SearchHit) -> None:
    with st.container(border=True):
        note_link(hit.note_id, hit.title, bold=True)
        # HTML-escaped first; only the <mark> tags around the matches' spans are added.
        snippet = highlight_snippet(Snippet(hit.snippet, hit.highlights))
        if snippet:
            st.markdown(f'<div class="kairos-snippet">{snippet}</div>', unsafe_allow_html=True)
        st.caption(reason(hit))


st.title("Search")
kairos = open_kairos()
if kairos is None:
    st.stop()

from_url("search", URL)
query = st.text_input(
    "Search",
    key="search_query",
    persist_state="session",
    placeholder="Search your notes: a question, an idea, or some words…",
    label_visibility="collapsed",
    icon=":material/search:",
    help=SYNTAX_HELP,
)
mode = st.segmented_control(
    "Mode",
    list(MODES),
    default=SearchMode.HYBRID,
    required=True,
    format_func=MODES.__getitem__,
    key="search_mode",
    persist_state="session",
    help=MODE_HELP,
)
with shown_errors():
    catalog = load_catalog(kairos)
    with st.expander("Filters", icon=":material/filter_list:"):
        filters = filter_bar("search", catalog)

    to_url("search", URL)
    # NUL bytes cannot reach PostgreSQL; they carry no meaning in a query anyway.
    query = query.replace("\x00", "").strip()
    if st.session_state.get("search_signature") != (query, mode, filters):
        st.session_state["search_signature"] = (query, mode, filters)
        st.session_state[LIMIT_KEY] = PAGE

    if not query:
        st.caption("Type what you are looking for and press Enter.")
        st.stop()

    loader = get_model_loader()
    effective = mode
    if mode is not SearchMode.KEYWORD and loader.state is not ModelState.READY:
        effective = SearchMode.KEYWORD
        if loader.state is ModelState.LOADING:
            st.info(
                "The embedding model is still loading, so these are keyword matches only; "
                "matches by meaning follow as soon as it is ready.",
                icon=":material/hourglass_top:",
            )
        else:
            st.warning(
                f"Search by meaning is unavailable: {md_escape(loader.error or '')} "
                "Showing keyword matches.",
                icon=":material/error:",
            )

    limit = st.session_state.get(LIMIT_KEY, PAGE)
    hits = search_notes(
        kairos.uow(),
        kairos.embedder if effective is not SearchMode.KEYWORD else None,
        query,
        effective,
        filters,
        limit=limit + 1,  # one more than shown tells whether there are more
    )
    if not hits:
        hint = "" if filters.is_empty else ", or fewer filters"
        st.info(
            f"Nothing matches “{md_escape(query)}”. Try other words, another mode{hint}.",
            icon=":material/search_off:",
        )
        st.stop()

    page = hits[:limit]
    strong = [h for h in page if not h.weak]
    weak = [h for h in page if h.weak]
    more = "+" if len(hits) > limit else ""
    st.caption(
        f"{len(strong)}{more if not weak else ''} "
        f"{'match' if len(strong) == 1 and not more else 'matches'}"
        + (f" · {len(weak)}{more} weaker" if weak else "")
    )
    if not strong:
        st.info(
            f"Nothing matches “{md_escape(query)}” well; the closest notes by meaning are "
            "below the floor.",
            icon=":material/search_off:",
        )
    for hit in strong:
        show_hit(hit)
    if weak and st.toggle("Show weaker matches", key="show_weak"):
        for hit in weak:
            show_hit(hit)
    if len(hits) > limit and (not weak or st.session_state.get("show_weak")):
        st.button(
            "Show more",
            key="show_more",
            icon=":material/expand_more:",
            on_click=lambda: st.session_state.update({LIMIT_KEY: limit + PAGE}),
        )
