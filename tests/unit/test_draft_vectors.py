"""A draft's chunk vectors kept between calls (typing changes one chunk at a time), never
mixed between models; a passage's start cut as the snippet maker cuts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pkm_core.application.draft_vectors import ChunkVectors, draft_vectors
from pkm_core.application.use_cases.related import passage_start, related_to_text
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.snippet import make_snippet
from tests.fakes import FakeEmbedder, FakeUnitOfWork

PARAGRAPH = " ".join(f"word{i}" for i in range(120)) + "."
DRAFT = f"{PARAGRAPH}\n\n{PARAGRAPH.replace('word', 'term')}"


def test_only_the_changed_chunk_of_a_draft_is_embedded_again() -> None:
    embedder, kept = FakeEmbedder(), ChunkVectors()
    first = kept.embed(embedder, chunk_note("Draft", DRAFT))
    assert len(first) == 2 and len(embedder.calls) == 2
    embedder.calls.clear()
    edited = chunk_note("Draft", DRAFT.replace("term119", "typed"))
    again = kept.embed(embedder, edited)
    assert embedder.calls == [edited[1].embed_text]
    assert again[0] == first[0]
    assert again[1] == FakeEmbedder().embed_documents([edited[1].embed_text])[0]


def test_kept_vectors_are_never_those_of_another_model() -> None:
    chunks = chunk_note("Draft", DRAFT)
    kept = ChunkVectors()
    kept.embed(FakeEmbedder(model_name="one"), chunks)
    other = FakeEmbedder(dimension=8, model_name="two")
    vectors = kept.embed(other, chunks)
    assert len(other.calls) == 2 and {len(v) for v in vectors} == {8}
    assert draft_vectors(FakeEmbedder()) is not draft_vectors(FakeEmbedder())


def test_the_least_recently_used_vectors_go_first() -> None:
    embedder, kept = FakeEmbedder(), ChunkVectors(size=2)
    a, b, c = (chunk_note(t, "")[0] for t in ("a", "b", "c"))
    kept.embed(embedder, [a, b])
    kept.embed(embedder, [a])  # a is used again: b is now the oldest
    kept.embed(embedder, [c])
    embedder.calls.clear()
    kept.embed(embedder, [a, b])
    assert embedder.calls == ["b"] and len(kept) == 2


def test_typing_in_a_draft_embeds_only_what_changed_between_calls() -> None:
    uow, embedder = FakeUnitOfWork(), FakeEmbedder()
    related_to_text(uow, embedder, "Draft", DRAFT)
    embedder.calls.clear()
    related_to_text(uow, embedder, "Draft", DRAFT.replace("term119", "typed"))
    assert len(embedder.calls) == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        "x " * 30,
        "x " * 31,
        "# Heading\n\n**bold** _it_ [[Link|alias]] [x](http://e) ![img](a.png)\n> quote\n- a",
        "a\u2003b\u00a0c\x1cd " * 20,
        *[
            n["body"]
            for n in json.loads(
                (Path(__file__).parents[1] / "data" / "short_notes.json").read_text("utf-8")
            )["notes"]
        ],
    ],
)
def test_a_passage_starts_as_the_snippet_of_an_empty_query_does(text: str) -> None:
    assert passage_start(text) == make_snippet(text, "", words=30).text
