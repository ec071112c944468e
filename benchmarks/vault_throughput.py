"""Vault import throughput against raw model encoding, export time, peak memory.

A vault of N notes is generated in a temporary folder: SciFact abstracts as bodies (or
generated sentences without the data), front matter (tags, aliases, created, a custom
property), inline and nested #tags, 3 wikilinks per note in every form, 20 folders two
levels deep, same file names in two folders, and a PNG every 100 notes.

1. raw: every chunk text the pipeline embeds, chunked as the app chunks, in one
   `embed_documents` call of the warm model: the floor for the pipeline.
2. import: `ingest_path` of the folder into a fresh database (two readings, batches
   embedded while the previous batch is written).
3. export: `export_vault` of the whole database to a new folder.
Peak memory is the highest resident set size sampled every 20 ms during each phase,
minus the resident size before it (the model is loaded before both).

    .venv/bin/python -m benchmarks.vault_throughput --notes 10000
    # everything but the model (a hashing embedder): the pipeline's own cost, the export
    .venv/bin/python -m benchmarks.vault_throughput --notes 10000 --hash-embedder
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import re
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import psutil

from benchmarks.common import (
    SCIFACT,
    build_app,
    machine,
    scratch_database,
    server_versions,
    unique_name,
)
from pkm_core.application.ingest.parse import parse_markdown
from pkm_core.application.ingest.source import RawEntry
from pkm_core.application.use_cases.export import export_vault
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.domain.chunking import chunk_note
from pkm_core.infrastructure.export_sinks import FolderSink

T = TypeVar("T")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154"
    "08d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def _bodies(n: int) -> list[str]:
    """SciFact abstracts, then (past the 5,183 of them) texts made of the first half of one
    abstract and the second half of another: notes that read like notes. (Random words of
    a small vocabulary made thousands of near-identical vectors, a worst case of HNSW
    insertion that no vault has.) Without the data: random words of a larger vocabulary."""
    corpus = SCIFACT / "corpus.jsonl"
    rng = random.Random(7)
    if corpus.exists():
        import json

        with corpus.open() as handle:
            abstracts = [json.loads(line)["text"] for line in handle]
        texts = abstracts[:n]
        while len(texts) < n:
            first, second = rng.sample(abstracts, 2)
            a, b = SENTENCE.split(first), SENTENCE.split(second)
            texts.append(" ".join(a[: max(len(a) // 2, 1)] + b[len(b) // 2 :]))
        return texts
    stems = ("cell", "gene", "model", "risk", "study")
    words = [f"{stem}{i}" for stem in stems for i in range(400)]
    return [" ".join(rng.choice(words) for _ in range(180)) + "." for _ in range(n)]


def generate_vault(root: Path, n: int) -> None:
    rng = random.Random(42)
    bodies = _bodies(n)
    names = [f"Note {i:05d}" for i in range(n)]
    for i, body in enumerate(bodies):
        index = i % 500 == 0  # an `Index` in 20 folders: one per area, never two in one
        area = (i // 500) % 20 if index else i % 20
        folder = root / f"area{area:02d}" / f"topic{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        name = "Index" if index else names[i]
        links = [rng.randrange(n) for _ in range(3)]
        text = (
            f"---\ntags: [bench, area{i % 20}]\naliases: [N{i}]\n"
            f"created: 2024-01-{1 + i % 28:02d}\nrating: {i % 5}\n---\n# {names[i]}\n\n{body}\n\n"
            f"See [[{names[links[0]]}]], [[{names[links[1]]}|this one]] and "
            f"[[{names[links[2]]}#Heading]]. #topic/t{i % 7} #inline\n"
        )
        if i % 100 == 0:
            (folder / f"image{i}.png").write_bytes(PNG)
            text += f"\n![[image{i}.png]]\n"
        (folder / f"{name}.md").write_text(text)


def chunk_texts(root: Path) -> list[str]:
    texts = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        parsed = parse_markdown(RawEntry("markdown", rel, rel, data=path.read_bytes()))
        texts += [c.embed_text for c in chunk_note(parsed.title, parsed.body)]  # type: ignore[union-attr]
    return texts


def measured(work: Callable[[], T]) -> tuple[T, float, float]:
    """(result, seconds, peak resident MiB above the start)."""
    process = psutil.Process()
    base = process.memory_info().rss
    peak = base
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        result = work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    return result, seconds, (peak - base) / 2**20


class HashEmbedder:
    """384 numbers from a text's hash: costs nothing, so what is left is Kairos's own work."""

    model_name = "bench-hash-embedder"
    dimension = 384
    is_loaded = True

    def load(self) -> None:
        return None

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        rng = random.Random(seed)
        vector = [rng.uniform(-1, 1) for _ in range(self.dimension)]
        norm = sum(v * v for v in vector) ** 0.5
        return [v / norm for v in vector]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--hash-embedder", action="store_true", help="no model: Kairos's own cost")
    args = parser.parse_args()
    # The vector indexes' drop and build times (a large import defers them).
    logging.basicConfig(format="  %(asctime)s %(message)s", level=logging.WARNING)
    logging.getLogger("pkm_core.application.vector_indexes").setLevel(logging.INFO)
    print(machine())
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database(unique_name("kairos_bench_vault")) as urls,
    ):
        vault = Path(tmp) / "vault"
        generate_vault(vault, args.notes)
        kairos = build_app(urls, embedder=HashEmbedder()) if args.hash_embedder else build_app(urls)
        print(server_versions(kairos))
        texts = chunk_texts(vault)
        kairos.embedder.embed_documents(texts[:64])  # load and warm the model
        n = args.notes
        print(f"{n} notes, {len(texts)} chunks ({len(texts) / n:.2f} per note)", flush=True)
        _r, raw, raw_mem = measured(lambda: kairos.embedder.embed_documents(texts))
        print(
            f"raw encode : {raw:7.1f} s  {n / raw:6.1f} notes/s  (+{raw_mem:.0f} MiB)", flush=True
        )
        report, imported, import_mem = measured(
            lambda: ingest_path(kairos.uow, kairos.embedder, kairos.reader, vault)
        )
        print(
            f"created {report.created}, skipped {report.skipped}, attachments {report.attachments}"
        )
        print(
            f"import     : {imported:7.1f} s  {n / imported:6.1f} notes/s  (+{import_mem:.0f} MiB)"
        )
        print(f"overhead   : {100 * (imported / raw - 1):+.1f} % time", flush=True)
        summary, exported, export_mem = measured(
            lambda: export_vault(kairos.uow, FolderSink(Path(tmp) / "out"))
        )
    print(
        f"export     : {exported:7.1f} s  {summary.notes / exported:6.0f} notes/s  "
        f"(+{export_mem:.0f} MiB)  {summary.notes} notes, {summary.attachments} attachments"
    )


if __name__ == "__main__":
    main()
