"""What a save writes beside the note: only the chunks whose text changed are rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pkm_core.application.use_cases.notes import create_note, update_note
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from tests.fakes import FakeEmbedder

BODY = "## One\nfirst part about tides\n## Two\nsecond part about moons\n## Three\nthird part"


def uow_of(urls: DatabaseUrls) -> SyncSQLAlchemyUnitOfWork:
    return SyncSQLAlchemyUnitOfWork(urls.sync_url)


def stored_chunks(urls: DatabaseUrls, note_id: int) -> list[tuple[int, int, str, str, bool]]:
    """(row id, ordinal, text, content hash, has a vector) of the note's chunk rows."""
    with uow_of(urls) as uow:
        rows = uow.session.execute(
            text(
                "SELECT id, ordinal, text, content_hash, embedding IS NOT NULL FROM note_chunks "
                "WHERE note_id = :n ORDER BY ordinal"
            ),
            {"n": note_id},
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def expected(note: Note) -> list[tuple[int, str, str, bool]]:
    return [(c.ordinal, c.text, c.content_hash, True) for c in chunk_note(note.title, note.body)]


def edit(urls: DatabaseUrls, embedder: FakeEmbedder, note: Note, body: str) -> Note:
    embedder.calls.clear()
    draft = NoteDraft(title=note.title, body=body)
    return update_note(uow_of(urls), embedder, note.id, draft, note.version)


def test_an_edit_of_the_last_section_rewrites_that_chunk_only(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    note = create_note(uow_of(clean_database), fake_embedder, NoteDraft(title="Sky", body=BODY))
    before = stored_chunks(clean_database, note.id)
    assert len(before) == 3

    saved = edit(clean_database, fake_embedder, note, BODY.replace("third part", "third, edited"))

    after = stored_chunks(clean_database, note.id)
    assert [row[1:] for row in after] == expected(saved)
    assert [row[0] for row in after[:2]] == [row[0] for row in before[:2]]  # kept as they were
    assert after[2][0] not in {row[0] for row in before}
    assert fake_embedder.calls == ["Sky\nThree\nthird, edited"]


def test_a_section_added_in_front_rewrites_every_chunk_that_moved(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    note = create_note(uow_of(clean_database), fake_embedder, NoteDraft(title="Sky", body=BODY))
    before = stored_chunks(clean_database, note.id)

    saved = edit(clean_database, fake_embedder, note, "## Zero\nbefore all\n" + BODY)

    after = stored_chunks(clean_database, note.id)
    assert [row[1:] for row in after] == expected(saved)
    assert not {row[0] for row in after} & {row[0] for row in before}
    assert fake_embedder.calls == ["Sky\nZero\nbefore all"]  # moved chunks keep their vectors


def test_a_removed_section_takes_its_chunk_along(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    note = create_note(uow_of(clean_database), fake_embedder, NoteDraft(title="Sky", body=BODY))
    before = stored_chunks(clean_database, note.id)

    saved = edit(clean_database, fake_embedder, note, BODY.split("\n## Three")[0])

    after = stored_chunks(clean_database, note.id)
    assert [row[1:] for row in after] == expected(saved)
    assert [row[0] for row in after] == [row[0] for row in before[:2]]
    assert fake_embedder.calls == []


def test_a_chunk_stored_without_a_vector_gets_one_on_the_next_save(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    note = create_note(uow_of(clean_database), fake_embedder, NoteDraft(title="Sky", body=BODY))
    with uow_of(clean_database) as uow:
        uow.session.execute(
            text("UPDATE note_chunks SET embedding = NULL WHERE note_id = :n AND ordinal = 0"),
            {"n": note.id},
        )

    saved = edit(clean_database, fake_embedder, note, BODY.replace("third part", "third, edited"))

    after = stored_chunks(clean_database, note.id)
    assert [row[1:] for row in after] == expected(saved)
    with uow_of(clean_database) as uow:
        first = uow.notes.chunks(note.id)[0]
    wanted = fake_embedder.embed_documents(["Sky\nOne\nfirst part about tides"])[0]
    assert first.embedding == pytest.approx(wanted, abs=1e-6)


LINKED = "see [[Moon]] and [[Tide tables]]"


def beside_rows(urls: DatabaseUrls, note_id: int) -> dict[str, list[tuple[str, str]]]:
    """(name or link title, xmin: the transaction that wrote the row) of the note's keyword
    and link rows: an unchanged xmin is a row the save did not rewrite."""
    with uow_of(urls) as uow:
        keywords = uow.session.execute(
            text(
                "SELECT k.name, nk.xmin::text FROM note_keywords nk "
                "JOIN keywords k ON k.id = nk.keyword_id WHERE nk.note_id = :n ORDER BY 1"
            ),
            {"n": note_id},
        )
        links = uow.session.execute(
            text(
                "SELECT target_title, xmin::text FROM note_links "
                "WHERE source_note_id = :n ORDER BY 1"
            ),
            {"n": note_id},
        )
        return {"keywords": [tuple(r) for r in keywords], "links": [tuple(r) for r in links]}  # type: ignore[misc]


def test_a_created_note_comes_back_as_a_read_of_it_returns_it(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    draft = NoteDraft(title="Sky", body=LINKED, keywords=["zeta", "Alpha", "beta-2", "Beta"])

    created = create_note(uow_of(clean_database), fake_embedder, draft)

    with uow_of(clean_database) as uow:
        assert uow.notes.get(created.id) == created


def test_an_edit_keeping_keywords_and_links_leaves_their_rows_alone(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    draft = NoteDraft(title="Sky", body=LINKED, keywords=["sea", "moon"])
    note = create_note(uow_of(clean_database), fake_embedder, draft)
    before = beside_rows(clean_database, note.id)

    saved = update_note(
        uow_of(clean_database),
        fake_embedder,
        note.id,
        NoteDraft(title="Sky", body=LINKED + " at dusk", keywords=["moon", "sea"]),
        note.version,
    )

    assert beside_rows(clean_database, note.id) == before
    assert saved.keywords == ("moon", "sea")
    assert saved.body == LINKED + " at dusk"


def test_an_edit_changing_keywords_and_links_rewrites_them(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    draft = NoteDraft(title="Sky", body=LINKED, keywords=["sea", "moon"])
    note = create_note(uow_of(clean_database), fake_embedder, draft)

    saved = update_note(
        uow_of(clean_database),
        fake_embedder,
        note.id,
        NoteDraft(title="Sky", body="see [[Moon]] and [[Stars]]", keywords=["sea", "sky"]),
        note.version,
    )

    after = beside_rows(clean_database, note.id)
    assert [name for name, _ in after["keywords"]] == ["sea", "sky"]
    assert [title for title, _ in after["links"]] == ["Moon", "Stars"]
    assert saved.keywords == ("sea", "sky")
    with uow_of(clean_database) as uow:
        assert uow.notes.get(note.id) == saved
