"""What 100 revisions of a note cost on disk: whole copies against line deltas.

For a 250-word note and a 25,000-word one, a note is saved 101 times (each save
changes one sentence), once with every revision stored whole and once with the
delta policy of `note_history` (deltas for bodies of at least DELTA_MIN_CHARS, a
whole copy every KEYFRAME_EVERY versions). Printed: the bytes the revision bodies take
as stored (pg_column_size: after PostgreSQL's own compression), the table's size on disk
with its TOAST and indexes (pg_total_relation_size), and the time to rebuild the oldest
version.

    .venv/bin/python -m benchmarks.revision_storage
"""

from __future__ import annotations

import random
import time

from sqlalchemy import create_engine, text

from benchmarks.common import machine, scratch_database, unique_name
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence import note_history
from pkm_core.infrastructure.persistence.migrate import ensure_migrated
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork

WORDS = [
    "coffee",
    "grind",
    "water",
    "pressure",
    "extraction",
    "crema",
    "bean",
    "roast",
    "acidity",
    "body",
    "sweet",
    "bitter",
    "temperature",
    "ratio",
    "dose",
    "yield",
    "time",
    "basket",
    "puck",
    "channel",
    "tamp",
    "bloom",
    "filter",
    "kettle",
]


def paragraphs(words: int, rng: random.Random) -> list[str]:
    """Sentences of ~12 words, five to a paragraph line."""
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        for _ in range(max(1, words // 12))
    ]
    return [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]


def run(url: str, words: int, deltas: bool, saves: int = 100) -> tuple[int, int, float, int]:
    rng = random.Random(words)
    lines = paragraphs(words, rng)
    note_history.DELTA_MIN_CHARS = 4_000 if deltas else 10**9
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE notes, note_revisions, bm25_postings, bm25_terms RESTART IDENTITY CASCADE"
            )
        )
        conn.execute(
            text("UPDATE bm25_stats SET doc_count = 0, sum_len_title = 0, sum_len_body = 0")
        )
    with SyncSQLAlchemyUnitOfWork(url) as uow:
        note = uow.notes.add(NoteDraft(title="Espresso", body="\n\n".join(lines)))
    chars = len(note.body)
    for _ in range(saves):
        i = rng.randrange(len(lines))
        lines[i] = lines[i].replace(rng.choice(WORDS), rng.choice(WORDS), 1) + " Edited."
        with SyncSQLAlchemyUnitOfWork(url) as uow:
            note = uow.notes.update(
                note.id, NoteDraft(title="Espresso", body="\n\n".join(lines)), note.version
            )
    with engine.begin() as conn:
        stored = conn.execute(
            text(
                "SELECT coalesce(sum(pg_column_size(body)), 0)"
                " + coalesce(sum(pg_column_size(body_delta)), 0) FROM note_revisions"
            )
        ).scalar_one()
        total = conn.execute(text("SELECT pg_total_relation_size('note_revisions')")).scalar_one()
    engine.dispose()
    started = time.perf_counter()
    with SyncSQLAlchemyUnitOfWork(url) as uow:
        oldest = uow.notes.revision(note.id, 1)
    rebuild = time.perf_counter() - started
    assert oldest is not None
    return int(stored), int(total), rebuild, chars


def main() -> None:
    print(machine())
    with scratch_database(unique_name("kairos_revisions")) as urls:
        ensure_migrated(urls.sync_url)
        print("| note | policy | body chars | 100 revisions stored | on disk | rebuild v1 |")
        print("|---|---|---:|---:|---:|---:|")
        for words in (250, 25_000):
            for deltas in (False, True):
                stored, total, rebuild, chars = run(urls.sync_url, words, deltas)
                print(
                    f"| {words:,} words | {'deltas' if deltas else 'whole'} | {chars:,} "
                    f"| {stored / 1024:,.1f} KiB | {total / 1024:,.0f} KiB "
                    f"| {rebuild * 1000:.1f} ms |"
                )


if __name__ == "__main__":
    main()
