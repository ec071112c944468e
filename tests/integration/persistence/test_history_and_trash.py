"""Revisions, trash, drafts, renames and repeated creates on a real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from sqlalchemy import create_engine, text

from pkm_core.application.dto import NoteFilter, PreparedNote, SearchMode
from pkm_core.application.use_cases import async_notes, drafts, history
from pkm_core.application.use_cases import notes as use_cases
from pkm_core.application.use_cases.search import related_notes, search_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.errors import DuplicateTitle
from pkm_core.domain.history import Draft, new_draft_key
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence.note_history import DELTA_MIN_CHARS, KEYFRAME_EVERY
from pkm_core.infrastructure.persistence.note_writes import insert_notes
from pkm_core.infrastructure.persistence.unit_of_work import (
    AsyncSQLAlchemyUnitOfWork,
    SyncSQLAlchemyUnitOfWork,
)
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.usefixtures("clean_database")


def test_every_save_keeps_a_revision_and_large_ones_rebuild_exactly_from_deltas(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    lines = [f"Paragraph {i} about grinding coffee beans finely.\n" for i in range(200)]
    assert len("".join(lines)) > DELTA_MIN_CHARS
    bodies = []
    note = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="Big", body="".join(lines)))
    bodies.append(note.body)
    for i in range(1, 2 * KEYFRAME_EVERY + 3):
        lines[i * 3] = f"Edited paragraph {i}.\n"
        draft = NoteDraft(title=f"Big {i}", body="".join(lines), keywords=(f"k{i}",))
        note = use_cases.update_note(uow(), fake_embedder, note.id, draft, note.version)
        bodies.append(note.body)
    versions = history.list_revisions(uow(), note.id)
    assert [r.version for r in versions] == list(range(note.version, 0, -1))
    for version in (1, 2, KEYFRAME_EVERY, KEYFRAME_EVERY + 1, note.version - 1):
        rebuilt = history.get_revision(uow(), note.id, version)
        assert rebuilt.body == bodies[version - 1]
        assert rebuilt.title == ("Big" if version == 1 else f"Big {version - 1}")
    engine = create_engine(clean_database.sync_url)
    with engine.connect() as conn:
        whole, deltas = conn.execute(
            text("SELECT count(body), count(body_delta) FROM note_revisions")
        ).one()
    engine.dispose()
    assert deltas > whole > 0


def test_a_trashed_note_is_out_of_every_listing_search_and_link_until_restored(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    crema = use_cases.create_note(
        uow(),
        fake_embedder,
        NoteDraft(title="Crema", body="tiger stripes on espresso [[Beans]]", keywords=("coffee",)),
    )
    beans = use_cases.create_note(
        uow(), fake_embedder, NoteDraft(title="Beans", body="espresso beans, see [[Crema]]")
    )

    def visible() -> dict[str, bool]:
        found = {}
        for mode in SearchMode:
            hits = search_notes(uow(), fake_embedder, "tiger stripes espresso", mode=mode)
            found[mode.value] = any(h.note_id == crema.id for h in hits)
        filtered = search_notes(
            uow(), fake_embedder, "tiger", mode=SearchMode.KEYWORD, filters=NoteFilter(("coffee",))
        )
        found["filtered"] = any(h.note_id == crema.id for h in filtered)
        found["listed"] = any(n.id == crema.id for n in use_cases.list_notes(uow()).items)
        found["related"] = any(r.note_id == crema.id for r in related_notes(uow(), beans.id))
        view = use_cases.view_note(uow(), beans.id)
        found["backlink"] = [b.note_id for b in view.backlinks] == [crema.id]
        found["link"] = [out.note_id for out in view.links_out] == [crema.id]
        return found

    assert all(visible().values()), visible()
    use_cases.delete_note(uow(), crema.id, crema.version)
    assert not any(visible().values()), visible()
    assert [t.id for t in history.list_trash(uow())] == [crema.id]
    restored = history.restore_from_trash(uow(), fake_embedder, crema.id)
    assert restored.keywords == ("coffee",)
    assert all(visible().values()), visible()


def test_a_title_in_the_trash_is_free_and_a_restore_then_says_it_is_taken(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    note = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="Crema"))
    use_cases.delete_note(uow(), note.id)
    use_cases.create_note(uow(), fake_embedder, NoteDraft(title="CREMA"))
    with pytest.raises(DuplicateTitle):
        history.restore_from_trash(uow(), fake_embedder, note.id)
    assert history.delete_for_good(uow(), [note.id]) == 1
    assert history.list_trash(uow()) == []


def test_the_trash_empties_what_it_held_for_more_than_thirty_days(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    old = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="Old", body="x"))
    new = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="New", body="y"))
    use_cases.update_note(uow(), fake_embedder, old.id, NoteDraft(title="Old", body="z"), 1)
    use_cases.delete_note(uow(), old.id)
    use_cases.delete_note(uow(), new.id)
    engine = create_engine(clean_database.sync_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE notes SET deleted_at = now() - interval '31 days' WHERE id = :i"),
            {"i": old.id},
        )
    assert history.empty_old_trash(uow()) == 1
    with engine.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM note_revisions")).scalar_one()
    engine.dispose()
    assert left == 0
    assert [t.title for t in history.list_trash(uow())] == ["New"]


def test_a_rename_rewrites_links_in_one_transaction_and_backlinks_survive(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    target = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="Espresso extraction"))
    a = use_cases.create_note(
        uow(), fake_embedder, NoteDraft(title="A", body="[[Espresso extraction|shot]] and more")
    )
    b = use_cases.create_note(
        uow(), fake_embedder, NoteDraft(title="B", body="[[espresso extraction#Grind]]")
    )
    saved = use_cases.save_note(
        uow(), fake_embedder, target.id, NoteDraft(title="Espresso shots"), target.version
    )
    assert sorted(n.title for n in saved.relinked) == ["A", "B"]
    view = use_cases.view_note(uow(), target.id)
    assert sorted(n.title for n in view.backlinks) == ["A", "B"]
    rewritten = use_cases.get_note(uow(), a.id)
    assert (rewritten.body, rewritten.version) == ("[[Espresso shots|shot]] and more", 2)
    assert history.get_revision(uow(), a.id, 1).body == "[[Espresso extraction|shot]] and more"
    assert use_cases.get_note(uow(), b.id).body == "[[Espresso shots#Grind]]"
    hits = search_notes(uow(), fake_embedder, "shots", mode=SearchMode.KEYWORD)
    assert {h.note_id for h in hits} == {target.id, a.id, b.id}


async def test_a_rename_through_the_async_path_rewrites_links_as_the_sync_one_does(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    target = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="Espresso extraction"))
    a = use_cases.create_note(
        uow(), fake_embedder, NoteDraft(title="A", body="[[Espresso extraction|shot]] and more")
    )
    b = use_cases.create_note(
        uow(), fake_embedder, NoteDraft(title="B", body="See [[espresso extraction#Grind]].")
    )
    saved = await async_notes.edit_note(
        AsyncSQLAlchemyUnitOfWork(clean_database.async_url),
        fake_embedder,
        "Espresso extraction",
        target.version,
        async_notes.NoteChanges(title="Espresso shots"),
    )
    assert saved.note.title == "Espresso shots"
    assert sorted((n.title, n.note_id) for n in saved.relinked) == [("A", a.id), ("B", b.id)]
    rewritten = use_cases.get_note(uow(), a.id)
    assert (rewritten.body, rewritten.version) == ("[[Espresso shots|shot]] and more", 2)
    assert history.get_revision(uow(), a.id, 1).body == "[[Espresso extraction|shot]] and more"
    assert use_cases.get_note(uow(), b.id).body == "See [[Espresso shots#Grind]]."
    view = use_cases.view_note(uow(), target.id)
    assert sorted(n.title for n in view.backlinks) == ["A", "B"]
    assert [(link.title, link.note_id) for link in use_cases.view_note(uow(), b.id).links_out] == [
        ("Espresso shots", target.id)
    ]


class EditsALinkingNoteOnce(FakeEmbedder):
    """An embedder during whose first call another writer edits note `other_id`."""

    def __init__(self, sync_url: str, other_id: int) -> None:
        super().__init__()
        self._sync_url, self._other_id, self.raced = sync_url, other_id, False

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not self.raced:
            self.raced = True
            uow = SyncSQLAlchemyUnitOfWork(self._sync_url)
            other = use_cases.get_note(uow, self._other_id)
            edited = other.draft().model_copy(update={"body": other.body + " Edited meanwhile."})
            use_cases.update_note(uow, FakeEmbedder(), other.id, edited, other.version)
        return super().embed_documents(texts)


async def test_an_async_rename_reads_again_when_a_linking_note_changed_meanwhile(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    target = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="Old name"))
    other = use_cases.create_note(uow(), fake_embedder, NoteDraft(title="O", body="[[Old name]]"))
    racing = EditsALinkingNoteOnce(clean_database.sync_url, other.id)
    renamed = await async_notes.update_note(
        AsyncSQLAlchemyUnitOfWork(clean_database.async_url),
        racing,
        target.id,
        NoteDraft(title="New name"),
        target.version,
    )
    assert racing.raced and renamed.title == "New name"
    both = use_cases.get_note(uow(), other.id)
    assert (both.body, both.version) == ("[[New name]] Edited meanwhile.", 3)


def test_concurrent_creates_with_one_token_make_one_note_and_no_error(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    draft = NoteDraft(title="Double click", body="slow save " * 2000)
    results: list[object] = []
    start = threading.Barrier(4)

    def click() -> None:
        start.wait()
        try:
            uow = SyncSQLAlchemyUnitOfWork(clean_database.sync_url)
            results.append(
                use_cases.create_note(uow, FakeEmbedder(), draft, create_token="form-1").id
            )
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert use_cases.count_notes(SyncSQLAlchemyUnitOfWork(clean_database.sync_url)) == 1


def test_two_creates_racing_for_one_title_give_the_loser_one_sentence(
    clean_database: DatabaseUrls,
) -> None:
    engine = create_engine(clean_database.sync_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO notes (title, content_hash) VALUES ('Race', 'h')"),
        )
    engine.dispose()
    with (
        pytest.raises(DuplicateTitle) as raised,
        SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow,
    ):
        # Past the friendly check, as a concurrent create would be.
        insert_notes(uow.session, [PreparedNote(NoteDraft(title="race"), (), None)])
    assert "already exists" in str(raised.value)
    assert "psycopg" not in str(raised.value) and "Unique" not in str(raised.value)


def test_drafts_are_kept_per_key_and_cleared_by_the_save(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    key = new_draft_key("tab-1")
    first = drafts.save_draft(uow(), Draft(key=key, title="Half", body="written"))
    second = drafts.save_draft(uow(), Draft(key=key, title="Half", body="written more"))
    assert first is not None and second is not None and first.saved_at and second.saved_at
    assert second.saved_at > first.saved_at
    assert [d.body for d in drafts.recent_new_drafts(uow())] == ["written more"]
    use_cases.create_note(
        uow(), fake_embedder, NoteDraft(title="Half"), create_token="tab-1", draft_key=key
    )
    assert drafts.get_draft(uow(), key) is None


async def test_the_async_repositories_reach_history_trash_and_drafts(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    note = use_cases.create_note(
        SyncSQLAlchemyUnitOfWork(clean_database.sync_url), fake_embedder, NoteDraft(title="Async")
    )
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        await uow.drafts.save(Draft(key="new:a", title="typed"))
        assert [r.version for r in await uow.notes.revisions(note.id)] == [1]
        assert (await uow.notes.get_by_create_token("none")) is None
        await uow.notes.trash(note.id, note.version)
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        assert [t.id for t in await uow.notes.trashed()] == [note.id]
        assert (await uow.drafts.get("new:a")) is not None
        assert await uow.notes.purge([note.id]) == 1
