"""Search, related-notes and save latency at 10k and 100k notes; HNSW recall vs exact.

The corpus is generated from BEIR SciFact so that it reads like real notes: every
abstract is split into sentences, and each generated note is a run of 2-6 consecutive
sentences of one abstract (a random abstract, a random start), titled with the first
eight words of its first sentence plus a number (titles are unique). Each sentence is
embedded once with the real model (cached in --workdir); a generated note's vector is
the normalised mean of its sentences' vectors, which stands in for embedding the note
(embedding 100k notes would take this machine hours, and latency does not depend on
which model wrote the vectors, only on their number and spread). The notes then go
through the app's own ingest use case (bulk inserts, BM25 trigger, both HNSW indexes).
Every note carries one of 100 tags (1 % of the notes each); notes are spread over 10
projects (10 % each).

Queries: "note-app" queries are 1-6 consecutive words of a SciFact claim (the length
drawn uniformly), as typed in a search box; "long" queries are the SciFact claims.
Every latency is a whole use case call: query embedding + SQL + snippets, warm.

    .venv/bin/python -m benchmarks.latency --notes 10000 --workdir /tmp/kairos-latency
    .venv/bin/python -m benchmarks.latency --notes 100000 --workdir /tmp/kairos-latency
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import create_engine, text
from tqdm import tqdm

from benchmarks.common import (
    SCIFACT,
    build_app,
    load_beir,
    machine,
    percentile,
    scratch_database,
    server_versions,
)
from benchmarks.scifact_quality import parse_tuning
from pkm_core.application.dto import NoteFilter, SearchMode, SearchTuning
from pkm_core.application.ports import IEmbedder
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.application.use_cases.notes import (
    count_notes,
    create_note,
    delete_note,
    get_note,
    update_note,
)
from pkm_core.application.use_cases.search import related_notes, related_to_text, search_notes
from pkm_core.bootstrap import Kairos
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.readers import FileImportReader

T = TypeVar("T")

SENTENCE = re.compile(r"(?<=[.!?])\s+")
TAGS = 100
PROJECTS = 10


# ---------------------------------------------------------------------------- corpus


def sentences_of(beir_corpus: dict[str, dict[str, str]]) -> list[list[str]]:
    return [
        [s.strip() for s in SENTENCE.split(doc["text"]) if len(s.split()) >= 3]
        for doc in beir_corpus.values()
    ]


def sentence_vectors(
    model: IEmbedder, abstracts: list[list[str]], cache: Path
) -> dict[str, np.ndarray]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    unique = list(dict.fromkeys(s for sentences in abstracts for s in sentences))
    vectors: dict[str, np.ndarray] = {}
    for start in tqdm(range(0, len(unique), 1024), desc="embedding sentences"):
        batch = unique[start : start + 1024]
        for sentence, vector in zip(batch, model.embed_documents(batch), strict=True):
            vectors[sentence] = np.asarray(vector, dtype=np.float32)
    cache.write_bytes(pickle.dumps(vectors))
    return vectors


def generate(abstracts: list[list[str]], count: int, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    usable = [a for a in abstracts if len(a) >= 2]
    notes = []
    for i in range(count):
        sentences = rng.choice(usable)
        size = rng.randint(2, min(6, len(sentences)))
        start = rng.randint(0, len(sentences) - size)
        span = sentences[start : start + size]
        title = " ".join(span[0].split()[:8]).rstrip(".,;:") + f" {i}"
        notes.append(
            {
                "id": f"gen{i}",
                "title": title,
                "text": " ".join(span),
                "tags": [f"tag{i % TAGS}"],
                "sentences": span,
            }
        )
    return notes


class LookupEmbedder:
    """Documents: the mean of their sentences' vectors (see the module doc). Queries and
    unknown texts: the real model."""

    def __init__(self, model: IEmbedder, vectors: dict[str, list[float]]) -> None:
        self.model = model
        self.vectors = vectors

    model_name = property(lambda self: self.model.model_name)
    dimension = property(lambda self: self.model.dimension)
    is_loaded = property(lambda self: self.model.is_loaded)

    def load(self) -> None:
        self.model.load()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self.vectors]
        computed = dict(zip(missing, self.model.embed_documents(missing), strict=True))
        return [self.vectors.get(t) or computed[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


def note_vectors(
    notes: list[dict[str, object]], sentences: dict[str, np.ndarray]
) -> dict[str, list[float]]:
    """embed_text of each generated note's chunk -> its stand-in vector."""
    out = {}
    for note in notes:
        spans: list[str] = note["sentences"]  # type: ignore[assignment]
        for chunk in chunk_note(str(note["title"]), str(note["text"])):
            # A chunk holds whole sentences (the packing cuts at sentence ends).
            inside = [sentences[s] for s in spans if s in chunk.text] or [
                sentences[s] for s in spans
            ]
            mean = np.mean(inside, axis=0)
            out[chunk.embed_text] = (mean / np.linalg.norm(mean)).tolist()
    return out


# --------------------------------------------------------------------------- queries


def short_queries(claims: list[str], count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    queries = []
    for claim in rng.sample(claims, count):
        words = [w.strip(".,;:()") for w in claim.split() if w.strip(".,;:()")]
        size = rng.randint(1, min(6, len(words)))
        start = rng.randint(0, len(words) - size)
        queries.append(" ".join(words[start : start + size]))
    return queries


def measure(
    label: str, fn: Callable[[T], object], items: Sequence[T], warm: Sequence[T] | None = None
) -> None:
    for item in items[:10] if warm is None else warm:  # warm caches and the model
        fn(item)
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append(1000 * (time.perf_counter() - started))
    print(
        f"  {label:<44} p50 {percentile(times, 50):7.1f} ms   p95 {percentile(times, 95):7.1f} ms"
        f"   (n={len(times)})",
        flush=True,
    )


# ------------------------------------------------------------------------------ main


def build(
    kairos: Kairos, notes: list[dict[str, object]], embedder: LookupEmbedder, workdir: Path
) -> float:
    engine = create_engine(kairos.urls.sync_url)
    with engine.connect() as conn:
        existing = conn.execute(text("SELECT count(*) FROM notes")).scalar_one()
    if existing >= len(notes):
        engine.dispose()
        return 0.0
    path = workdir / "latency-corpus.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for note in notes:
            record = {k: v for k, v in note.items() if k != "sentences"}
            handle.write(json.dumps(record) + "\n")
    bar = tqdm(desc="ingest", unit="note")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    started = time.perf_counter()
    ingest_path(
        kairos.uow, embedder, FileImportReader(), path, on_progress=progress, batch_size=256
    )
    elapsed = time.perf_counter() - started
    bar.close()
    path.unlink()
    with engine.begin() as conn:
        for p in range(PROJECTS):
            conn.execute(
                text("INSERT INTO projects (name) VALUES (:n) ON CONFLICT DO NOTHING"),
                {"n": f"Project {p}"},
            )
        conn.execute(
            text(
                "UPDATE notes SET project_id = (SELECT min(id) FROM projects) + id % :p "
                "WHERE project_id IS NULL"
            ),
            {"p": PROJECTS},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return elapsed


def drafts(abstracts: list[list[str]], count: int, words: int = 250) -> list[str]:
    """`count` different drafts of `words` words: three abstracts, a paragraph each."""
    out = []
    for i in range(count):
        paragraphs, left = [], words
        for sentences in abstracts[3 * i : 3 * i + 3]:
            taken = " ".join(sentences).split()[: max(left, 0)]
            left -= len(taken)
            paragraphs.append(" ".join(taken))
        out.append("\n\n".join(p for p in paragraphs if p))
    return out


def related_report(
    uow: Callable[[], Any], model: IEmbedder, abstracts: list[list[str]], sample_notes: list[int]
) -> None:
    """Related notes of stored notes, and of a 250-word draft: a new draft each call (nothing
    kept helps) and one draft whose last paragraph changes at each call, as typing does
    (its other chunks' vectors are kept from the call before); the embedding alone."""
    print("related notes:")
    measure("related_notes(note_id)", lambda n: related_notes(uow(), n), sample_notes)
    fresh = drafts(abstracts, 70)  # the first 10 warm up: each measured call is new
    measure(
        "related_to_text(new 250-word draft each call)",
        lambda d: related_to_text(uow(), model, "Draft", d),
        fresh[10:],
        warm=fresh[:10],
    )
    base = next(d for d in fresh if "\n\n" in d)
    last = base.rindex("\n\n")
    # Each call's last paragraph differs from the one before (same words, so the chunks
    # are cut at the same places): only the draft's last chunk is embedded again.
    typed = [f"{base[:last]}\n\n{base[last + 2 :]} Revision {n}." for n in range(70)]
    print(f"  (that draft: {len(chunk_note('Draft', typed[0]))} chunks, the last one changes)")
    measure(
        "related_to_text(one paragraph changed per call)",
        lambda d: related_to_text(uow(), model, "Draft", d),
        typed[10:],
        warm=typed[:10],
    )
    measure(
        "embed the new 250-word draft alone",
        lambda d: model.embed_documents([c.embed_text for c in chunk_note("Draft", d)]),
        fresh[10:],
        warm=fresh[:10],
    )


def recall_report(
    kairos: Kairos,
    model: IEmbedder,
    emb: LookupEmbedder,
    short: list[str],
    sample_notes: list[int],
    tuning: SearchTuning,
) -> None:
    """Recall of the HNSW searches against exact ones (index scans off)."""
    uow = kairos.uow
    print("recall of the approximate indexes against exact search:")
    engine = create_engine(kairos.urls.sync_url)
    exact_chunks = text(
        "SELECT note_id FROM note_chunks ORDER BY embedding <=> CAST(:v AS vector) LIMIT 40"
    )
    # Live notes only, as related notes are (the save benchmark's notes are in the trash
    # with their vectors, and are the nearest to the notes made from the same abstracts).
    exact_related = text(
        "SELECT id FROM notes WHERE id <> :n AND embedding IS NOT NULL AND deleted_at IS NULL "
        "ORDER BY embedding <=> (SELECT embedding FROM notes WHERE id = :n) LIMIT 8"
    )
    recalls, related_recalls = [], []
    with engine.connect() as conn:
        # Exact: index scans off, so PostgreSQL compares the query with every vector.
        conn.execute(text("SET enable_indexscan = off"))
        for q in short:
            vector = model.embed_query(q)
            nearest = conn.execute(exact_chunks, {"v": str(vector)}).scalars().all()
            exact = list(dict.fromkeys(nearest))[:10]  # best chunk per note
            hits = search_notes(uow(), emb, q, SearchMode.SEMANTIC, tuning=tuning)
            recalls.append(len({h.note_id for h in hits} & set(exact)) / len(exact))
        for note_id in sample_notes:
            exact = list(conn.execute(exact_related, {"n": note_id}).scalars())
            found = {r.note_id for r in related_notes(uow(), note_id)}
            related_recalls.append(len(found & set(exact)) / len(exact))
    engine.dispose()
    print(f"  HNSW semantic top-10 notes (best chunk): recall {statistics.mean(recalls):.3f}")
    print(f"  HNSW related notes top-8: recall {statistics.mean(related_recalls):.3f}")


def draft_of(abstracts: list[list[str]]) -> str:
    """A 250-word draft: the first three abstracts' sentences (three chunks)."""
    return " ".join(" ".join(" ".join(s) for s in abstracts[:3]).split()[:250])


def save_report(kairos: Kairos, model: IEmbedder, draft: str, total: int, count: int = 40) -> None:
    """Create `count` 250-word notes (after 10 to warm up), then edit three quarters of
    them (the first sentence and the end changed), with the real model; the notes go to
    the trash afterwards. An edit's timing includes reading the note it starts from."""
    uow = kairos.uow
    print("save one 250-word note (embed + write + commit), real model:")
    saved: list[int] = []
    counter = iter(range(10**6))

    def save(_: object) -> None:
        title = f"Bench save {next(counter)} of {total}"
        saved.append(create_note(uow(), model, NoteDraft(title=title, body=draft)).id)

    measure("create_note", save, list(range(count)))
    edited = draft.replace("the", "a", 1)

    def edit(note_id: int) -> None:
        note = get_note(uow(), note_id)
        update_note(
            uow(),
            model,
            note.id,
            NoteDraft(title=note.title, body=f"{edited} revision {next(counter)}"),
            note.version,
        )

    measure("update_note (last paragraph changed)", edit, saved[10 : 10 + 3 * count // 4])
    for note_id in saved:
        delete_note(uow(), note_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, required=True, help="server and caches")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--set", nargs="*", default=[], help="tuning knob=value (dto.py)")
    parser.add_argument(
        "--quick", action="store_true", help="note-app queries and recall only (for sweeps)"
    )
    parser.add_argument(
        "--save-only", action="store_true", help="the save measures only (create and update)"
    )
    parser.add_argument("--saves", type=int, default=40, help="notes created (--save-only)")
    parser.add_argument("--related", action="store_true", help="related notes only")
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="measure the note-app queries this many times (the first meets the server's "
        "cache cold: the embedded server starts with the benchmark)",
    )
    args = parser.parse_args()
    tuning = parse_tuning(args.set)

    args.workdir.mkdir(parents=True, exist_ok=True)
    beir = load_beir(SCIFACT)
    abstracts = sentences_of(beir.corpus)
    claims = list(beir.queries.values())
    print(machine())
    name = f"kairos_latency_{args.notes}"
    with scratch_database(name, args.workdir, keep=args.keep, reuse=True) as urls:
        kairos = build_app(urls)
        print(server_versions(kairos))
        model = kairos.embedder
        model.load()
        if args.save_only:  # on the database as it is: no corpus generated, nothing built
            save_report(kairos, model, draft_of(abstracts), count_notes(kairos.uow()), args.saves)
            return
        sentences = sentence_vectors(model, abstracts, args.workdir / "sentence-vectors.pickle")
        notes = generate(abstracts, args.notes)
        embedder = LookupEmbedder(model, note_vectors(notes, sentences))
        seconds = build(kairos, notes, embedder, args.workdir)
        if seconds:
            print(f"built {args.notes} notes through ingest_jsonl in {seconds:.0f} s")

        engine = create_engine(kairos.urls.sync_url)
        with engine.connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM notes")).scalar_one()
            chunks = conn.execute(text("SELECT count(*) FROM note_chunks")).scalar_one()
            note_ids = [r[0] for r in conn.execute(text("SELECT id FROM notes")).all()]
            project = conn.execute(text("SELECT min(id) FROM projects")).scalar_one()
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        engine.dispose()
        print(f"{total} notes, {chunks} chunks, database {size / 2**20:.0f} MiB")

        short = short_queries(claims, args.queries)
        long = claims[: args.queries]
        rng = random.Random(3)
        sample_notes = rng.sample(note_ids, args.queries)
        draft = draft_of(abstracts)
        uow, emb = kairos.uow, embedder

        print(f"tuning: {tuning}")
        if args.related:
            related_report(uow, model, abstracts, sample_notes)
            return

        def search_in(mode: SearchMode) -> Callable[[str], object]:
            return lambda q: search_notes(uow(), emb, q, mode, tuning=tuning)

        for number in range(1, args.passes + 1):
            print(f"note-app queries (1-6 words), pass {number} of {args.passes}:")
            for mode in SearchMode:
                measure(f"{mode} (limit 10)", search_in(mode), short)
        if args.quick:
            recall_report(kairos, model, emb, short, sample_notes, tuning)
            return
        measure(
            "hybrid, tag filter (1 % of notes)",
            lambda q: search_notes(
                uow(), emb, q, filters=NoteFilter(keywords=("tag7",)), tuning=tuning
            ),
            short,
        )
        measure(
            "hybrid, project filter (10 % of notes)",
            lambda q: search_notes(
                uow(), emb, q, filters=NoteFilter(project_id=project), tuning=tuning
            ),
            short,
        )
        print("long queries (SciFact claims):")
        for mode in SearchMode:
            measure(f"{mode} (limit 10)", search_in(mode), long)
        related_report(uow, model, abstracts, sample_notes)
        print("query embedding alone:")
        measure("embed_query (note-app query)", model.embed_query, short)

        save_report(kairos, model, draft, total)

        recall_report(kairos, model, emb, short, sample_notes, tuning)
        everything = replace(tuning, postings_per_term=10**9)
        overlaps = []
        for q in short + long:
            fast = search_notes(uow(), None, q, SearchMode.KEYWORD, tuning=tuning)
            exact_kw = search_notes(uow(), None, q, SearchMode.KEYWORD, tuning=everything)
            if exact_kw:
                overlaps.append(
                    len({h.note_id for h in fast} & {h.note_id for h in exact_kw}) / len(exact_kw)
                )
        print(f"  BM25 top-10, bounded postings vs all postings: {statistics.mean(overlaps):.3f}")
        measure(
            "keyword, all postings read (long queries)",
            lambda q: search_notes(uow(), None, q, SearchMode.KEYWORD, tuning=everything),
            long[:50],
        )


if __name__ == "__main__":
    main()
