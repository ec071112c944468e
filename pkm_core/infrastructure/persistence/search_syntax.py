"""Statement pieces for what a query says beyond its words: an exact title (or alias)
match comes first, `"a phrase"` restricts, `-word` excludes; and the languages present,
in which the query's words are matched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    bindparam,
    func,
    literal_column,
    not_,
    select,
    union,
)
from sqlalchemy.orm import QueryableAttribute, Session

from pkm_core.domain.language import valid_config
from pkm_core.domain.query import SearchQuery
from pkm_core.domain.text import fold_accents
from pkm_core.infrastructure.persistence.models import NoteAliasRow, NoteRow

# A note id (a column or a mapped attribute) passes a filter.
NoteTest = Callable[[ColumnElement[Any] | QueryableAttribute[Any]], ColumnElement[bool]]


def regconfig(config: str) -> ColumnElement[Any]:
    """A text search configuration inlined as a literal (asyncpg would send a parameter
    as varchar, which to_tsvector refuses); only known names get here."""
    return literal_column(f"'{valid_config(config)}'::regconfig")


def note_regconfig() -> ColumnElement[Any]:
    """Each note's own configuration (the one its search_tsv was built with)."""
    return NoteRow.text_config.op("::")(literal_column("regconfig"))


def title_key(text: str) -> str:
    """What a title and a query are compared by: accents folded, case and spaces ignored."""
    return " ".join(fold_accents(text).lower().split())


def _languages() -> Select[Any]:
    """The text search configurations of the stored notes, in order: a loose index scan
    over ix_notes_text_config (one index probe per language, whatever the number of notes)."""
    langs = select(func.min(NoteRow.text_config).label("config")).cte("langs", recursive=True)
    following = (
        select(func.min(NoteRow.text_config)).where(NoteRow.text_config > langs.c.config)
    ).scalar_subquery()
    langs = langs.union_all(select(following).where(langs.c.config.is_not(None)))
    return select(langs.c.config).where(langs.c.config.is_not(None))


_LANGUAGES = _languages()  # built once: it has no parameters


def languages_present(session: Session) -> list[str]:
    """The text search configurations of the stored notes (a statement of its own)."""
    return [valid_config(c) for c in session.execute(_LANGUAGES).scalars()]


def languages_column() -> ColumnElement[Any]:
    """The same as one array column, so that a search statement reports the languages
    present in its own snapshot (see `search_queries.in_languages_present`)."""
    return func.array(_languages().scalar_subquery())


def exact_match_ids() -> Select[Any]:
    """Notes whose title or one of whose aliases is the parameter `title_key` (the query's
    `title_key`: accents folded, case and spaces ignored; `notes.title_folded`,
    `note_aliases.alias_folded`): the first hits. An empty key matches nothing: it is left out."""
    key = bindparam("title_key", type_=Text, required=True)
    titles = select(NoteRow.id.label("note_id")).where(NoteRow.title_folded == key)
    aliases = select(NoteAliasRow.note_id.label("note_id")).where(NoteAliasRow.alias_folded == key)
    both = union(titles, aliases).subquery("exact_keys")
    return select(both.c.note_id)


def _matches(text: str, phrase: bool) -> ColumnElement[bool]:
    """The note's search_tsv holds `text` (a phrase: its words in that order), matched in
    the note's own language, accents folded."""
    to_query = func.phraseto_tsquery if phrase else func.plainto_tsquery
    return NoteRow.search_tsv.bool_op("@@")(to_query(note_regconfig(), fold_accents(text)))


def syntax_clauses(query: SearchQuery) -> list[ColumnElement[bool]]:
    """WHERE clauses on `notes` for the query's phrases and excluded words."""
    clauses = [_matches(p, phrase=True) for p in query.phrases]
    clauses += [not_(func.coalesce(_matches(w, phrase=False), False)) for w in query.excluded]
    return clauses


def restricted(filtered: Select[Any] | None, query: SearchQuery) -> Select[Any] | None:
    """The filter's `SELECT id FROM notes WHERE …` with the query's own restrictions."""
    clauses = syntax_clauses(query)
    if not clauses:
        return filtered
    base = filtered if filtered is not None else select(NoteRow.id)
    return base.where(*clauses)


def restrict_exact(exact: Select[Any] | None, passes: NoteTest | None) -> Select[Any] | None:
    """Exact matches must pass the filters and restrictions too."""
    if exact is None or passes is None:
        return exact
    keys = exact.subquery("exact_ids")
    return select(keys.c.note_id).where(passes(keys.c.note_id))
