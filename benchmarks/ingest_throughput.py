"""Ingest throughput against the raw model encode throughput of the same texts, one run.

1. raw: the texts the pipeline embeds (every chunk's title + heading + passage of the
   SciFact abstracts, chunked exactly as the app chunks them) are encoded in one
   `model.encode` call, the model already loaded and warm: the floor for the pipeline.
2. pipeline: the same abstracts imported into a fresh database with the app's ingest
   use case (`ingest_jsonl`: parse, chunk, embed, bulk insert with the BM25 trigger and
   both HNSW indexes, commit per batch).

overhead = pipeline seconds / raw seconds - 1 (also shown as a throughput ratio).

    .venv/bin/python -m benchmarks.ingest_throughput --docs 2000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    SCIFACT,
    build_app,
    load_beir,
    machine,
    scratch_database,
    server_versions,
    unique_name,
)
from benchmarks.scifact_quality import ingest, sample, write_corpus
from pkm_core.domain.chunking import chunk_note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SCIFACT)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64, help="notes per transaction")
    args = parser.parse_args()

    beir = sample(load_beir(args.data), args.docs, None)
    texts = [
        c.embed_text
        for doc in beir.corpus.values()
        for c in chunk_note(" ".join(doc["title"].split()), doc["text"])
    ]
    print(machine())
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database(unique_name("kairos_bench_ingest")) as urls,
    ):
        kairos = build_app(urls)
        print(server_versions(kairos))
        corpus = write_corpus(beir, Path(tmp))
        kairos.embedder.embed_documents(texts[:64])  # load and warm the model

        started = time.perf_counter()
        kairos.embedder.embed_documents(texts)
        raw = time.perf_counter() - started

        pipeline = ingest(kairos, corpus, args.batch_size, quiet=True)

    notes = len(beir.corpus)
    print(f"{notes} notes, {len(texts)} chunks ({len(texts) / notes:.2f} per note)")
    print(
        f"raw encode : {raw:7.1f} s  {notes / raw:6.1f} notes/s  {len(texts) / raw:6.1f} chunks/s"
    )
    print(
        f"pipeline   : {pipeline:7.1f} s  {notes / pipeline:6.1f} notes/s  "
        f"{len(texts) / pipeline:6.1f} chunks/s"
    )
    print(
        f"overhead   : {100 * (pipeline / raw - 1):+.1f} % time "
        f"(throughput {100 * raw / pipeline:.1f} % of raw encode)"
    )


if __name__ == "__main__":
    main()
