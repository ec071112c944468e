"""Search quality on BEIR SciFact through the app's own code path.

Ingests the 5,183 abstracts into a fresh database with the app's ingest use case
(`ingest_jsonl`, reading ../shared/data/beir-scifact/corpus.jsonl where it lies), runs
the 300 test claims through the app's search use case (`search_notes`) in each mode,
and prints nDCG@10 and Recall@100 per mode.

    .venv/bin/python -m benchmarks.scifact_quality
    .venv/bin/python -m benchmarks.scifact_quality --docs 1000 --queries 50   # a sample
    .venv/bin/python -m benchmarks.scifact_quality --set semantic_weight=0.6  # a variant
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sqlalchemy import create_engine, text
from tqdm import tqdm

from benchmarks.common import (
    SCIFACT,
    Beir,
    build_app,
    load_beir,
    machine,
    ndcg_at,
    recall_at,
    scratch_database,
    server_versions,
)
from pkm_core.application.dto import DEFAULT_TUNING, SearchMode, SearchTuning
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import Kairos
from pkm_core.infrastructure.readers import FileImportReader


@dataclass(frozen=True)
class ModeResult:
    mode: str
    ndcg10: float
    recall100: float
    mean_ms: float
    queries: int


def sample(beir: Beir, docs: int | None, queries: int | None, seed: int = 7) -> Beir:
    """`queries` test claims, and a corpus of `docs` abstracts holding all their relevant
    ones (the rest drawn at random): a smaller, still honest, retrieval problem."""
    rng = random.Random(seed)
    query_ids = sorted(beir.queries, key=int)
    if queries is not None and queries < len(query_ids):
        query_ids = sorted(rng.sample(query_ids, queries), key=int)
    corpus_ids = list(beir.corpus)
    if docs is not None and docs < len(corpus_ids):
        needed = {d for q in query_ids for d in beir.qrels[q] if d in beir.corpus}
        others = [d for d in corpus_ids if d not in needed]
        chosen = needed | set(rng.sample(others, max(0, docs - len(needed))))
        corpus_ids = [d for d in corpus_ids if d in chosen]
    return Beir(
        corpus={d: beir.corpus[d] for d in corpus_ids},
        queries={q: beir.queries[q] for q in query_ids},
        qrels={q: beir.qrels[q] for q in query_ids},
        corpus_path=beir.corpus_path,
    )


def write_corpus(beir: Beir, folder: Path) -> Path:
    """The (sampled) corpus as JSONL, BEIR's own format, for the ingest use case."""
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for doc_id, doc in beir.corpus.items():
            handle.write(json.dumps({"_id": doc_id, **doc}) + "\n")
    return path


def ingest(kairos: Kairos, corpus_path: Path, batch_size: int, quiet: bool = False) -> float:
    """Seconds spent importing the corpus through the app's ingest use case."""
    bar = tqdm(desc="ingest", unit="doc", disable=quiet)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    started = time.perf_counter()
    report = ingest_path(
        kairos.uow,
        kairos.embedder,
        FileImportReader(),
        corpus_path,
        on_progress=progress,
        batch_size=batch_size,
    )
    elapsed = time.perf_counter() - started
    bar.close()
    if report.skipped:
        raise SystemExit(f"ingest skipped documents: {report.skipped_items[:3]}")
    if not quiet:
        print(
            f"ingest: created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, {len(report.warnings)} warnings; {elapsed:.1f} s"
        )
    return elapsed


def corpus_ids_by_note(kairos: Kairos) -> dict[int, str]:
    engine = create_engine(kairos.urls.sync_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, external_id FROM notes")).all()
    engine.dispose()
    return {note_id: ext.removeprefix("jsonl:") for note_id, ext in rows if ext}


def evaluate(
    kairos: Kairos,
    beir: Beir,
    mode: SearchMode,
    tuning: SearchTuning = DEFAULT_TUNING,
    ids: dict[int, str] | None = None,
    quiet: bool = True,
) -> ModeResult:
    """nDCG@10 of the first page as the app shows it (limit 10) and Recall@100 of a
    100-deep result list (limit 100: every list is then at least 100 deep)."""
    ids = ids if ids is not None else corpus_ids_by_note(kairos)
    ndcgs, recalls, times = [], [], []
    for query_id, query in tqdm(beir.queries.items(), desc=str(mode), disable=quiet):
        started = time.perf_counter()
        page = search_notes(kairos.uow(), kairos.embedder, query, mode, limit=10, tuning=tuning)
        times.append(time.perf_counter() - started)
        deep = search_notes(kairos.uow(), kairos.embedder, query, mode, limit=100, tuning=tuning)
        ndcgs.append(ndcg_at([ids[h.note_id] for h in page], beir.qrels[query_id], 10))
        recalls.append(recall_at([ids[h.note_id] for h in deep], beir.qrels[query_id], 100))
    return ModeResult(
        str(mode),
        statistics.mean(ndcgs),
        statistics.mean(recalls),
        1000 * statistics.mean(times),
        len(ndcgs),
    )


def parse_tuning(pairs: list[str]) -> SearchTuning:
    types = {f.name: f.type for f in fields(SearchTuning)}
    changes: dict[str, object] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key not in types:
            raise SystemExit(f"unknown tuning knob {key!r}; known: {', '.join(types)}")
        kind = types[key]
        changes[key] = value if kind == "str" else (int(value) if kind == "int" else float(value))
    return replace(DEFAULT_TUNING, **changes)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SCIFACT, help="BEIR SciFact folder")
    parser.add_argument("--docs", type=int, default=None, help="sample this many abstracts")
    parser.add_argument("--queries", type=int, default=None, help="sample this many claims")
    parser.add_argument("--modes", nargs="+", default=["semantic", "keyword", "hybrid"])
    parser.add_argument("--set", nargs="*", default=[], help="tuning knob=value (dto.py)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the server here")
    parser.add_argument("--db", default="kairos_bench_scifact", help="database name")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")
    args = parser.parse_args(argv)

    beir = sample(load_beir(args.data), args.docs, args.queries)
    tuning = parse_tuning(args.set)
    print(machine())
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database(args.db, args.workdir, keep=args.keep, reuse=args.reuse) as urls,
    ):
        kairos = build_app(urls)
        print(server_versions(kairos))
        corpus = beir.corpus_path if args.docs is None else write_corpus(beir, Path(tmp))
        ingest(kairos, corpus, args.batch_size)
        ids = corpus_ids_by_note(kairos)
        print(f"{len(ids)} notes, {len(beir.queries)} queries; tuning: {tuning}")
        print(f"{'mode':<10} {'nDCG@10':>8} {'R@100':>8} {'ms/query (limit 10)':>20}")
        for mode in args.modes:
            result = evaluate(kairos, beir, SearchMode(mode), tuning, ids)
            print(
                f"{result.mode:<10} {result.ndcg10:>8.4f} {result.recall100:>8.4f} "
                f"{result.mean_ms:>20.1f}"
            )


if __name__ == "__main__":
    main()
