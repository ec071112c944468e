"""A note whose alias is the query comes first, with accents folded as well as case, as a
note whose title is the query does (tests/integration/search/test_search_trust.py)."""

from __future__ import annotations

from pathlib import Path

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from pkm_core.infrastructure.readers import FileImportReader
from tests.fakes import FakeEmbedder


def test_an_alias_equal_to_the_query_with_other_accents_and_case_comes_first(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Morning drink.md").write_text(
        "---\naliases: [Café crème]\n---\nMilk, a short espresso, a wide cup.\n"
    )
    # Holds the query's words many times: it would rank first by keywords alone.
    (vault / "Paris trip.md").write_text("Cafe creme, cafe creme and more cafe creme.\n")
    uow = lambda: SyncSQLAlchemyUnitOfWork(clean_database.sync_url)  # noqa: E731
    ingest_path(uow, fake_embedder, FileImportReader(), vault, batch_size=4)
    for mode in (SearchMode.KEYWORD, SearchMode.HYBRID):
        for query in ("cafe CREME", "Café crème", "  CAFÉ   creme "):
            hits = search_notes(uow(), fake_embedder, query, mode)
            assert hits[0].title == "Morning drink", (mode, query)
            assert hits[0].matched_by[0] == "title"
            assert "Paris trip" in [h.title for h in hits]
