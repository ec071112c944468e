"""search_notes answers any query with results or one domain sentence, never a crash.

The cases of issue 11 (NUL byte, lone surrogate, offset >= 2**63, a huge limit, a 1 MB
query) and a property-based fuzz (hypothesis) over random text, offsets and limits in
every mode, on the real PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.search import MAX_OFFSET, MAX_QUERY_CHARS, search_notes
from pkm_core.domain.errors import InvalidSearch, KairosError
from pkm_core.domain.note import Note
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory


@pytest.fixture
def notes(add: Callable[..., Note]) -> list[Note]:
    return [
        add("Canción de otoño", "Leaves fall in the autumn wind."),
        add("Spring", "Blossoms and bees in the garden."),
    ]


@pytest.mark.parametrize("mode", list(SearchMode))
def test_a_nul_byte_in_the_query_is_removed(
    uow: UowFactory, fake_embedder: FakeEmbedder, notes: list[Note], mode: SearchMode
) -> None:
    hits = search_notes(uow(), fake_embedder, "aut\x00umn", mode)
    assert [hit.note_id for hit in hits][:1] == [notes[0].id]


@pytest.mark.parametrize("mode", list(SearchMode))
def test_a_lone_surrogate_in_the_query_is_replaced(
    uow: UowFactory, fake_embedder: FakeEmbedder, notes: list[Note], mode: SearchMode
) -> None:
    hits = search_notes(uow(), fake_embedder, "autumn \ud800", mode)
    assert [hit.note_id for hit in hits][:1] == [notes[0].id]


@pytest.mark.parametrize("offset", [2**63, 2**63 - 1, MAX_OFFSET + 1])
def test_an_offset_beyond_the_limit_is_one_sentence(
    uow: UowFactory, fake_embedder: FakeEmbedder, notes: list[Note], offset: int
) -> None:
    with pytest.raises(InvalidSearch, match="paged up to result 10,000"):
        search_notes(uow(), fake_embedder, "autumn", offset=offset)


def test_the_deepest_allowed_page_is_a_clean_empty_result(
    uow: UowFactory, fake_embedder: FakeEmbedder, notes: list[Note]
) -> None:
    assert search_notes(uow(), fake_embedder, "autumn", offset=MAX_OFFSET) == []


def test_a_huge_limit_is_capped(
    uow: UowFactory, fake_embedder: FakeEmbedder, notes: list[Note]
) -> None:
    hits = search_notes(uow(), fake_embedder, "autumn", SearchMode.KEYWORD, limit=2**80)
    assert [hit.note_id for hit in hits] == [notes[0].id]


def test_a_megabyte_query_is_one_sentence(
    uow: UowFactory, fake_embedder: FakeEmbedder, notes: list[Note]
) -> None:
    with pytest.raises(InvalidSearch, match=f"the limit is {MAX_QUERY_CHARS:,}"):
        search_notes(uow(), fake_embedder, "autumn " * 150_000)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.text(max_size=1_200)
    | st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape")),
    mode=st.sampled_from(list(SearchMode)),
    offset=st.integers(min_value=-(2**70), max_value=2**70) | st.integers(0, 30),
    limit=st.integers(min_value=-(2**70), max_value=2**70) | st.integers(0, 30),
)
def test_random_queries_give_results_or_a_domain_error(
    uow: UowFactory,
    fake_embedder: FakeEmbedder,
    notes: list[Note],
    query: str,
    mode: SearchMode,
    offset: int,
    limit: int,
) -> None:
    try:
        hits = search_notes(uow(), fake_embedder, query, mode, limit=limit, offset=offset)
    except KairosError as error:
        assert str(error).endswith("."), error
        return
    assert len(hits) <= 2
    for hit in hits:
        assert hit.note_id in {note.id for note in notes}
        hit.snippet.encode("utf-8")  # every text going out is valid UTF-8
