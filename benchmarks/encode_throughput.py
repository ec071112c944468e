"""Encode throughput of SciFact abstracts per embedding backend, against torch fp32 in the
same run.

The texts are what the app embeds (every chunk's title + passage of the first `--docs`
abstracts, chunked as the app chunks them). Each backend's embedder is built by the
composition root (`build_embedder`), loaded and warmed; then the backends take turns
encoding all the texts, `--rounds` times, and the best round of each is kept (the
machine may be shared: taking turns spreads other work over all backends alike).

    .venv/bin/python -m benchmarks.encode_throughput --docs 100
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.common import SCIFACT, build_embedder_for, load_beir, machine
from benchmarks.scifact_quality import sample
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.embedding import BACKENDS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SCIFACT)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    args = parser.parse_args(argv)

    beir = sample(load_beir(args.data), args.docs, 0)
    texts = [
        c.embed_text
        for doc in beir.corpus.values()
        for c in chunk_note(" ".join(doc["title"].split()), doc["text"])
    ]
    print(machine())
    print(f"{len(beir.corpus)} abstracts, {len(texts)} chunks; best of {args.rounds} rounds")
    embedders = {backend: build_embedder_for(backend) for backend in args.backends}
    for embedder in embedders.values():
        embedder.embed_documents(texts[:8])  # load (export at first use) and warm
    best = dict.fromkeys(embedders, float("inf"))
    for _ in range(args.rounds):
        for backend, embedder in embedders.items():
            started = time.perf_counter()
            embedder.embed_documents(texts)
            best[backend] = min(best[backend], time.perf_counter() - started)
    reference = best.get("torch")
    print(f"{'backend':<10} {'seconds':>8} {'chunks/s':>9} {'notes/s':>8} {'× torch':>8}")
    for backend, seconds in best.items():
        ratio = f"{reference / seconds:.2f}" if reference else "-"
        print(
            f"{backend:<10} {seconds:>8.1f} {len(texts) / seconds:>9.1f} "
            f"{len(beir.corpus) / seconds:>8.1f} {ratio:>8}"
        )


if __name__ == "__main__":
    main()
