"""The relevance floors and the related-notes blend, measured: similarity distributions of
relevant and non-relevant pairs.

- Short notes (tests/data/short_notes.json, 26 notes in 9 topics, 12 queries written for
  this): query → note similarities (a listed note is relevant, the others not) and note →
  note similarities (same topic = related). Notes are embedded as a save embeds them.
- SciFact test (--scifact, reads the vectors of a database kept by
  `benchmarks.scifact_quality --keep`, same --workdir/--db/--backend): each claim against
  every abstract by best chunk (qrels = relevant), and abstract pairs relevant to one
  claim (related) against random pairs.

    .venv/bin/python -m benchmarks.calibrate_floors
    .venv/bin/python -m benchmarks.calibrate_floors --scifact --backend torch \
        --workdir /work/bench/scifact-torch --db kairos_bench_scifact_torch
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from benchmarks.common import (
    SCIFACT,
    bench_settings,
    build_embedder_for,
    load_beir,
    scratch_database,
)
from pkm_core.application.dto import DEFAULT_TUNING, RelatedCandidate
from pkm_core.application.indexing import mean_vector
from pkm_core.application.related import blend
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.embedding import BACKENDS
from pkm_core.infrastructure.embedder import SentenceTransformerEmbedder

SHORT_NOTES = Path(__file__).resolve().parent.parent / "tests" / "data" / "short_notes.json"
PERCENTILES = (5, 25, 50, 75, 95)


def describe(name: str, values: list[float]) -> str:
    p = np.percentile(values, PERCENTILES) if values else [float("nan")] * len(PERCENTILES)
    cells = " ".join(f"p{q}={v:.3f}" for q, v in zip(PERCENTILES, p, strict=True))
    return f"{name:<34} n={len(values):<7} {cells}"


def floor_report(relevant: list[float], other: list[float]) -> list[str]:
    """For candidate floors: share of relevant pairs kept, of non-relevant ones hidden."""
    lines = []
    for floor in np.arange(0.10, 0.55, 0.05):
        kept = float(np.mean([r >= floor for r in relevant]))
        hidden = float(np.mean([o < floor for o in other]))
        lines.append(
            f"  floor {floor:.2f}: relevant kept {kept:.3f}  non-relevant hidden {hidden:.3f}"
        )
    return lines


def short_notes(model: SentenceTransformerEmbedder) -> None:
    data = json.loads(SHORT_NOTES.read_text(encoding="utf-8"))
    notes = data["notes"]
    vectors = {
        n["title"]: np.array(
            mean_vector(
                model.embed_documents([c.embed_text for c in chunk_note(n["title"], n["body"])])
            )
        )
        for n in notes
    }
    relevant: list[float] = []
    other: list[float] = []
    for q in data["queries"]:
        qv = np.array(model.embed_query(q["query"]))
        for title, v in vectors.items():
            (relevant if title in q["relevant"] else other).append(float(qv @ v))
    print("Short notes, query -> note (cosine similarity)")
    print(describe("relevant", relevant))
    print(describe("non-relevant", other))
    print("\n".join(floor_report(relevant, other)))

    topic = {n["title"]: n["topic"] for n in notes}
    same: list[float] = []
    different: list[float] = []
    for a, b in itertools.combinations(vectors, 2):
        (same if topic[a] == topic[b] else different).append(float(vectors[a] @ vectors[b]))
    print("Short notes, note -> note")
    print(describe("same topic (related)", same))
    print(describe("other topic", different))
    print("\n".join(floor_report(same, different)))
    blend_report(notes, vectors, topic)


def blend_report(notes: list[dict], vectors: dict[str, np.ndarray], topic: dict[str, str]) -> None:
    """Precision of the 3 most related notes (same topic) for blend weights: the formula
    of pkm_core/application/related.py on the notes' links and keywords."""
    links = {
        (n["title"], t)
        for n in notes
        for t in [s.split("]]")[0] for s in n["body"].split("[[")[1:]]
    }
    keywords = {n["title"]: set(n["keywords"]) for n in notes}
    print("Related notes blend: precision@3 (same topic) over the 26 notes")
    for link_w, kw_w in itertools.product((0.0, 0.1, 0.15, 0.3), (0.0, 0.1, 0.15, 0.3)):
        tuning = replace(DEFAULT_TUNING, related_link_weight=link_w, related_keyword_weight=kw_w)
        hits = []
        for a in vectors:
            candidates = [
                RelatedCandidate(
                    note_id=i,
                    title=b,
                    similarity=float(vectors[a] @ vectors[b]),
                    shared_keywords=tuple(sorted(keywords[a] & keywords[b])),
                    keyword_union=len(keywords[a] | keywords[b]),
                    link="direct" if (a, b) in links or (b, a) in links else "",
                )
                for i, b in enumerate(vectors)
                if b != a
            ]
            top = blend(candidates, 3, tuning)
            hits += [topic[r.title] == topic[a] for r in top]
        print(f"  link {link_w:.2f} keywords {kw_w:.2f}: precision@3 {np.mean(hits):.3f}")


def _vector(value: object) -> np.ndarray:
    return np.array(json.loads(value) if isinstance(value, str) else value, dtype=np.float32)


def _stored_vectors(urls: DatabaseUrls) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """From a database the benchmark kept: the abstracts' ids, every chunk vector with the
    index of its abstract, and the note vectors (as the app stored them)."""
    engine = create_engine(urls.sync_url)
    with engine.connect() as conn:
        notes = conn.execute(text("SELECT id, external_id, embedding FROM notes ORDER BY id")).all()
        chunks = conn.execute(text("SELECT note_id, embedding FROM note_chunks")).all()
    engine.dispose()
    index = {r.id: i for i, r in enumerate(notes)}
    ids = [r.external_id.removeprefix("jsonl:") for r in notes]
    note_matrix = np.array([_vector(r.embedding) for r in notes])
    chunk_matrix = np.array([_vector(r.embedding) for r in chunks])
    owner = np.array([index[r.note_id] for r in chunks])
    return ids, chunk_matrix, owner, note_matrix


def scifact(workdir: Path, db: str, backend: str | None, data: Path, pairs: int = 20_000) -> None:
    """SciFact test claims against the abstracts of a kept `benchmarks.scifact_quality`
    database (`--workdir`/`--db` as given to it with `--keep`), with its backend."""
    beir = load_beir(data)
    with scratch_database(db, workdir, keep=True, reuse=True) as urls:
        ids, matrix, owner_arr, notes = _stored_vectors(urls)
    if not ids:
        raise SystemExit(f"database {db} in {workdir} holds no notes: run scifact_quality --keep")
    position = {d: i for i, d in enumerate(ids)}
    model = build_embedder_for(backend or bench_settings().embedding_backend)
    print(f"{len(ids)} abstracts, {len(matrix)} chunks; queries by {model.model_name}")
    relevant, hard, other = [], [], []
    for qid, query in beir.queries.items():
        sims = matrix @ np.array(model.embed_query(query), dtype=np.float32)
        best = np.full(len(ids), -1.0)
        np.maximum.at(best, owner_arr, sims)
        wanted = {position[d] for d in beir.qrels[qid] if d in position}
        relevant += [float(best[i]) for i in wanted]
        order = np.argsort(-best)
        hard += [float(best[i]) for i in order[:10] if i not in wanted]
        mask = np.ones(len(ids), dtype=bool)
        mask[list(wanted)] = False
        other += best[mask].tolist()
    print("SciFact test, claim -> abstract (best chunk)")
    print(describe("relevant", relevant))
    print(describe("non-relevant in the top 10", hard))
    print(describe("non-relevant, all", other))
    print("\n".join(floor_report(relevant, other)))
    groups = [
        [position[d] for d in beir.qrels[q] if d in position]
        for q in beir.qrels
        if len([d for d in beir.qrels[q] if d in position]) > 1
    ]
    same = [float(notes[a] @ notes[b]) for g in groups for a, b in itertools.combinations(g, 2)]
    rng = random.Random(7)
    rand = [
        float(notes[a] @ notes[b])
        for a, b in (rng.sample(range(len(ids)), 2) for _ in range(pairs))
    ]
    print("SciFact, abstract -> abstract (note vectors)")
    print(describe("relevant to one claim", same))
    print(describe("random pairs", rand))
    print("\n".join(floor_report(same, rand)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scifact", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None, help="scifact_quality's --workdir")
    parser.add_argument("--db", default="kairos_bench_scifact", help="scifact_quality's --db")
    parser.add_argument("--backend", choices=BACKENDS, default=None, help="the database's")
    parser.add_argument("--data", type=Path, default=SCIFACT)
    args = parser.parse_args()
    if args.scifact:
        scifact(args.workdir, args.db, args.backend, args.data)
    else:
        short_notes(SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu"))


if __name__ == "__main__":
    main()
