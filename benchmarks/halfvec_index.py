"""halfvec HNSW indexes beside today's vector ones: size, build time, scan latency, recall.

Runs against the database kept by `benchmarks.latency --keep` (same --notes, --workdir);
it adds two expression indexes, `(embedding::halfvec(N)) halfvec_cosine_ops` on
note_chunks and notes (pgvector's default m 16 / ef_construction 64, as the migrations
build today's), times their build, and drops them at the end unless --keep-indexes.
Today's indexes were grown by inserts during the import; to compare builds like with
like, a vector index is also built fresh (CREATE INDEX over the same rows) and dropped.

The scans are the ones search and related notes make: the nearest `--chunks` chunks of a
note-app query (1-6 words of a SciFact claim), and the 8 nearest notes of a note, each at
the `ef_search` the app uses; recall@10 (best chunk per note) and recall@8 are against
the exact scan of the float vectors (index scans off). The halfvec candidates are
re-scored with the float vectors, as search would do if it adopted them.

    .venv/bin/python -m benchmarks.halfvec_index --notes 100000 --workdir /work/bench/latency
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text

from benchmarks.common import SCIFACT, build_app, load_beir, machine, percentile, scratch_database
from benchmarks.latency import short_queries

INDEXES = {  # name: (table, expression)
    "bench_chunks_halfvec_hnsw": ("note_chunks", "(embedding::halfvec({dim})) halfvec_cosine_ops"),
    "bench_notes_halfvec_hnsw": ("notes", "(embedding::halfvec({dim})) halfvec_cosine_ops"),
}
FRESH_VECTOR = ("bench_chunks_vector_fresh_hnsw", "note_chunks", "embedding vector_cosine_ops")


def mib(conn: Connection, index: str) -> float:
    size = conn.execute(text("SELECT pg_relation_size(to_regclass(:i))"), {"i": index}).scalar()
    return float(size or 0) / 2**20


def build_index(conn: Connection, name: str, table: str, expression: str) -> float:
    conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    start = time.perf_counter()
    conn.execute(text(f"CREATE INDEX {name} ON {table} USING hnsw ({expression})"))
    return time.perf_counter() - start


def timed(fn: Callable[..., list[int]], *args: Any) -> tuple[list[int], float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, (time.perf_counter() - start) * 1000


def report(label: str, ms: list[float]) -> None:
    print(
        f"  {label:<46} p50 {statistics.median(ms):6.2f} ms  p95 {percentile(ms, 95):6.2f} ms"
        f"  (n={len(ms)})"
    )


def best_per_note(ids: list[int], k: int = 10) -> list[int]:
    return list(dict.fromkeys(ids))[:k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef-search", type=int, default=400, help="semantic side (app: 400)")
    parser.add_argument("--related-ef-search", type=int, default=100, help="app: 100")
    parser.add_argument("--chunks", type=int, default=40, help="chunks fetched (k 10 x 4)")
    parser.add_argument("--rounds", type=int, default=2, help="timing rounds, taken in turns")
    parser.add_argument("--keep-indexes", action="store_true")
    parser.add_argument("--skip-fresh", action="store_true", help="no fresh vector build")
    args = parser.parse_args()

    beir = load_beir(SCIFACT)
    print(machine())
    with scratch_database(
        f"kairos_latency_{args.notes}", args.workdir, keep=True, reuse=True
    ) as urls:
        kairos = build_app(urls)
        model = kairos.embedder
        model.load()
        dim = model.dimension
        queries = short_queries(list(beir.queries.values()), args.queries)
        vectors = [str(model.embed_query(q)) for q in queries]
        engine = create_engine(kairos.urls.sync_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SET maintenance_work_mem = '512MB'"))
            settings = conn.execute(
                text(
                    "SELECT current_setting('shared_buffers'), "
                    "current_setting('max_parallel_maintenance_workers')"
                )
            ).one()
            print(f"shared_buffers {settings[0]}, parallel maintenance workers {settings[1]}")
            print("index sizes and builds (maintenance_work_mem 512MB):")
            for name in ("ix_note_chunks_embedding_hnsw", "ix_notes_embedding_hnsw"):
                print(f"  {name} (today's, grown by inserts): {mib(conn, name):.1f} MiB")
            if not args.skip_fresh:
                name, table, expr = FRESH_VECTOR
                seconds = build_index(conn, name, table, expr)
                print(
                    f"  {name} (vector, built fresh): {mib(conn, name):.1f} MiB in {seconds:.1f} s"
                )
                conn.execute(text(f"DROP INDEX {name}"))
            for name, (table, expr) in INDEXES.items():
                seconds = build_index(conn, name, table, expr.format(dim=dim))
                print(f"  {name} (halfvec): {mib(conn, name):.1f} MiB in {seconds:.1f} s")
            conn.execute(text("ANALYZE note_chunks"))
            conn.execute(text("ANALYZE notes"))

            float_scan = text(
                "SELECT note_id FROM note_chunks WHERE embedding IS NOT NULL "
                "ORDER BY embedding <=> CAST(:v AS vector) LIMIT :n"
            )
            # The halfvec index orders the candidates; the float vectors re-score them.
            half_scan = text(
                "SELECT note_id FROM (SELECT note_id, embedding FROM note_chunks "
                f"WHERE embedding IS NOT NULL ORDER BY embedding::halfvec({dim}) <=> "
                f"CAST(:v AS vector)::halfvec({dim}) LIMIT :n) c "
                "ORDER BY embedding <=> CAST(:v AS vector)"
            )
            related_float = text(
                "SELECT id FROM notes WHERE id <> :n AND embedding IS NOT NULL "
                "ORDER BY embedding <=> (SELECT embedding FROM notes WHERE id = :n) LIMIT 8"
            )
            related_half = text(
                "SELECT id FROM notes WHERE id <> :n AND embedding IS NOT NULL "
                f"ORDER BY embedding::halfvec({dim}) <=> "
                f"(SELECT embedding::halfvec({dim}) FROM notes WHERE id = :n) LIMIT 8"
            )
            ids = [r[0] for r in conn.execute(text("SELECT id FROM notes")).all()]
            conn.commit()
            scans = create_engine(kairos.urls.sync_url)  # transactions: SET LOCAL holds
            sconn = scans.connect()
            sample = random.Random(3).sample(ids, args.queries)

            def run(stmt: Any, params: dict[str, Any], ef: int) -> list[int]:
                with sconn.begin():
                    sconn.execute(text(f"SET LOCAL hnsw.ef_search = {int(ef)}"))
                    sconn.execute(text("SET LOCAL enable_seqscan = off"))
                    return list(sconn.execute(stmt, params).scalars())

            exact_chunks, exact_related = [], []
            with sconn.begin():
                sconn.execute(text("SET LOCAL enable_indexscan = off"))
                for v in vectors:
                    exact_chunks.append(
                        best_per_note(list(sconn.execute(float_scan, {"v": v, "n": 40}).scalars()))
                    )
                for n in sample:
                    exact_related.append(list(sconn.execute(related_float, {"n": n}).scalars()))

            times: dict[str, list[float]] = {k: [] for k in ("cv", "ch", "rv", "rh")}
            found: dict[str, list[list[int]]] = {k: [] for k in times}
            for _ in range(args.rounds):
                for key, stmt in (("cv", float_scan), ("ch", half_scan)):
                    found[key] = []
                    for v in vectors:
                        got, ms = timed(run, stmt, {"v": v, "n": args.chunks}, args.ef_search)
                        times[key].append(ms)
                        found[key].append(best_per_note(got))
                for key, stmt in (("rv", related_float), ("rh", related_half)):
                    found[key] = []
                    for n in sample:
                        got, ms = timed(run, stmt, {"n": n}, args.related_ef_search)
                        times[key].append(ms)
                        found[key].append(got)

            def recall(got: list[list[int]], exact: list[list[int]]) -> float:
                return statistics.mean(
                    len(set(g) & set(e)) / len(e) for g, e in zip(got, exact, strict=True) if e
                )

            print(
                f"scans, warm, {args.rounds} rounds in turns (ef_search {args.ef_search} / "
                f"related {args.related_ef_search}):"
            )
            report(f"chunks: vector HNSW, top {args.chunks}", times["cv"])
            report(f"chunks: halfvec HNSW + float re-score, top {args.chunks}", times["ch"])
            report("related notes: vector HNSW, top 8", times["rv"])
            report("related notes: halfvec HNSW, top 8", times["rh"])
            print("recall against the exact float scan:")
            print(f"  semantic top-10 notes, vector HNSW : {recall(found['cv'], exact_chunks):.3f}")
            print(f"  semantic top-10 notes, halfvec HNSW: {recall(found['ch'], exact_chunks):.3f}")
            print(f"  related top-8, vector HNSW  : {recall(found['rv'], exact_related):.3f}")
            print(f"  related top-8, halfvec HNSW : {recall(found['rh'], exact_related):.3f}")
            sconn.close()
            scans.dispose()
            if not args.keep_indexes:
                for name in INDEXES:
                    conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        engine.dispose()


if __name__ == "__main__":
    main()
