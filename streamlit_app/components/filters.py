"""Filter widgets shared by the Notes and Search pages: keyword, project, date range."""

from __future__ import annotations

from datetime import date, datetime, time

import streamlit as st

from pkm_core.application.dto import NoteFilter
from streamlit_app.components.catalog import Catalog

DATE_FIELDS = {"updated": "Updated", "created": "Created"}


def _local(day: date, at: time) -> datetime:
    # The person picks days in their own time zone; the database compares instants.
    return datetime.combine(day, at).astimezone()


def _keep_known(key: str, options: list, multi: bool) -> None:
    """Drop a remembered choice that no longer exists (e.g. its last note was deleted)."""
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if multi:
        st.session_state[key] = [v for v in value if v in options]
    elif value not in options:
        st.session_state[key] = None


def filter_bar(prefix: str, catalog: Catalog) -> NoteFilter:
    """Render the filters (keys prefixed by `prefix`) and return what they select."""
    keyword_key, project_key = f"{prefix}_keywords", f"{prefix}_project"
    keywords = list(catalog.keywords)
    projects: list[int | None] = [None, *catalog.projects]
    _keep_known(keyword_key, keywords, multi=True)
    _keep_known(project_key, projects, multi=False)

    col_kw, col_project, col_field, col_dates = st.columns([4, 3, 2, 3])
    chosen = col_kw.multiselect(
        "Keywords",
        keywords,
        key=keyword_key,
        persist_state="session",  # the same filters when the person comes back
        format_func=lambda k: f"{k} ({catalog.keywords.get(k, 0)})",
        placeholder="Any keyword",
        help="Notes that carry all of the chosen keywords.",
    )
    project = col_project.selectbox(
        "Project",
        projects,
        key=project_key,
        persist_state="session",  # the same filters when the person comes back
        format_func=lambda p: "All projects" if p is None else catalog.projects.get(p, f"#{p}"),
        placeholder="All projects",
        help="A project includes the projects nested inside it.",
    )
    field = col_field.selectbox(
        "Date",
        list(DATE_FIELDS),
        key=f"{prefix}_date_field",
        persist_state="session",  # the same filters when the person comes back
        format_func=DATE_FIELDS.__getitem__,
    )
    days = col_dates.date_input(
        "Between",
        value=[],
        key=f"{prefix}_dates",
        persist_state="session",  # the same filters when the person comes back
        format="YYYY-MM-DD",
        help="Pick the first and the last day (both included).",
    )
    start = end = None
    if isinstance(days, tuple | list) and days:
        start = _local(days[0], time.min)
        end = _local(days[-1], time.max)
    dates = {f"{field}_from": start, f"{field}_to": end}
    return NoteFilter(keywords=tuple(chosen), project_id=project, **dates)
