"""The tuning runs behind docs/SEARCH.md: chunk size, fusion, BM25 knobs on SciFact test.

Same code path as scifact_quality.py (ingest_jsonl, search_notes), with two conveniences
for sweeping: document vectors are cached on disk by text (so a chunk-size variant only
embeds texts it has not seen), and each chunk-size variant keeps its database in
--workdir so query-side knobs are swept without ingesting again.

    .venv/bin/python -m benchmarks.tune_scifact --workdir /tmp/kairos-tune \
        --chunk-words 128 180 256 --grid fusion=minmax,rrf semantic_weight=0.4,0.5,0.6
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import pickle
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import SCIFACT, build_app, load_beir, machine, scratch_database
from benchmarks.scifact_quality import (
    corpus_ids_by_note,
    evaluate,
    ingest,
    parse_tuning,
    sample,
    write_corpus,
)
from pkm_core.application.dto import SearchMode
from pkm_core.application.ports import IEmbedder
from pkm_core.domain import chunking

FUSION = {"fusion", "semantic_weight", "rrf_k"}


class CachingEmbedder:
    """Document vectors from a disk cache keyed by text (queries are always embedded)."""

    def __init__(self, inner: IEmbedder, path: Path) -> None:
        self.inner = inner
        self.path = path
        self.cache: dict[str, list[float]] = (
            pickle.loads(path.read_bytes()) if path.exists() else {}
        )
        self.dirty = False

    model_name = property(lambda self: self.inner.model_name)
    dimension = property(lambda self: self.inner.dimension)
    is_loaded = property(lambda self: self.inner.is_loaded)

    def load(self) -> None:
        self.inner.load()

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if self._key(t) not in self.cache]
        if missing:
            for text, vector in zip(missing, self.inner.embed_documents(missing), strict=True):
                self.cache[self._key(text)] = vector
            self.dirty = True
        return [self.cache[self._key(t)] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def save(self) -> None:
        if self.dirty:
            self.path.write_bytes(pickle.dumps(self.cache))
            self.dirty = False


def grid(specs: list[str]) -> list[list[str]]:
    axes = []
    for spec in specs:
        key, _, values = spec.partition("=")
        axes.append([f"{key}={v}" for v in values.split(",")])
    return [list(combo) for combo in itertools.product(*axes)] or [[]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SCIFACT)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--chunk-words", type=int, nargs="+", default=[chunking.DEFAULT_MAX_WORDS])
    parser.add_argument("--grid", nargs="*", default=[], help="knob=v1,v2 ... (dto.py)")
    parser.add_argument("--modes", nargs="+", default=["semantic", "keyword", "hybrid"])
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--queries", type=int, default=None)
    args = parser.parse_args()

    beir = sample(load_beir(args.data), args.docs, args.queries)
    print(machine())
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = write_corpus(beir, args.workdir) if args.docs else beir.corpus_path
    for words in args.chunk_words:
        # The chunk size is a module default; the sweep swaps it for this process only.
        chunking.chunk_note.__defaults__ = (words,)
        name = f"kairos_tune_c{words}" + (f"_d{args.docs}" if args.docs else "")
        with scratch_database(name, args.workdir, keep=True, reuse=True) as urls:
            kairos = build_app(urls)
            embedder = CachingEmbedder(kairos.embedder, args.workdir / "vectors.pickle")
            kairos.embedder = embedder
            ingest(kairos, corpus, 64, quiet=True)
            embedder.save()
            ids = corpus_ids_by_note(kairos)
            seen: set[tuple[str, ...]] = set()
            for combo in grid(args.grid):
                tuning = parse_tuning(combo)
                for mode in args.modes:
                    # Fusion knobs do not change a single mode: run each such variant once.
                    relevant = tuple(
                        k for k in combo if mode == "hybrid" or k.split("=")[0] not in FUSION
                    )
                    if (mode, *relevant) in seen:
                        continue
                    seen.add((mode, *relevant))
                    result = evaluate(kairos, beir, SearchMode(mode), tuning, ids)
                    print(
                        f"chunk={words:<4} {mode:<9} {' '.join(combo) or 'defaults':<50} "
                        f"nDCG@10 {result.ndcg10:.4f}  R@100 {result.recall100:.4f}  "
                        f"{result.mean_ms:6.1f} ms",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
