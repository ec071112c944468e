"""MCP `search_notes` round trip through `kairos mcp` (stdio) beside the in-process use
case, at 10k notes.

The corpus is `benchmarks.latency`'s (runs of SciFact sentences, vectors = the mean of
their sentences' real-model vectors, ingested by the app's own use case), drawn from the
first `--abstracts` abstracts only so that embedding the sentences takes seconds rather
than the many minutes of the full SciFact. Queries are latency.py's "note-app" queries
(1-6 words of a SciFact claim). The MCP client is the official SDK's, spawning `kairos
mcp` on the same database (DATABASE_URL_SYNC); each call is sequential and warm, and a
round trip is the whole `call_tool` (JSON-RPC over pipes, argument validation, query
embedding, SQL, shaping, JSON back).

    .venv/bin/python -m benchmarks.mcp_latency --workdir /tmp/kairos-mcp-latency
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from benchmarks.common import (
    SCIFACT,
    build_app,
    load_beir,
    machine,
    percentile,
    scratch_database,
    server_versions,
)
from benchmarks.latency import (
    LookupEmbedder,
    build,
    generate,
    note_vectors,
    sentence_vectors,
    sentences_of,
    short_queries,
)
from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.search import search_notes


def report(label: str, times: list[float]) -> None:
    print(
        f"  {label:<40} p50 {percentile(times, 50):7.1f} ms   p95 {percentile(times, 95):7.1f} ms"
        f"   (n={len(times)})",
        flush=True,
    )


async def mcp_times(sync_url: str, queries: list[str], mode: str) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env.update(DATABASE_URL_SYNC=sync_url, HF_HUB_OFFLINE="1", KAIROS_EMBEDDING_DEVICE="cpu")
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "pkm_core.cli", "mcp"], env=env
    )
    async with Client(params, read_timeout_seconds=300) as client:
        for query in queries[:10]:  # warm: the model, the pool, the caches
            await client.call_tool("search_notes", {"query": query, "mode": mode})
        times = []
        for query in queries:
            started = time.perf_counter()
            result = await client.call_tool("search_notes", {"query": query, "mode": mode})
            times.append(1000 * (time.perf_counter() - started))
            assert not result.is_error, result.content
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--abstracts", type=int, default=300, help="SciFact abstracts used")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, required=True, help="server and caches")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    beir = load_beir(SCIFACT)
    abstracts = sentences_of(beir.corpus)[: args.abstracts]
    print(machine())
    name = f"kairos_mcp_latency_{args.notes}"
    with scratch_database(name, args.workdir, reuse=True) as urls:
        kairos = build_app(urls)
        print(server_versions(kairos))
        model = kairos.embedder
        model.load()
        cache = args.workdir / f"sentence-vectors-{args.abstracts}.pickle"
        sentences = sentence_vectors(model, abstracts, cache)
        notes = generate(abstracts, args.notes)
        seconds = build(
            kairos, notes, LookupEmbedder(model, note_vectors(notes, sentences)), args.workdir
        )
        if seconds:
            print(f"built {args.notes} notes through ingest_jsonl in {seconds:.0f} s")
        queries = short_queries(list(beir.queries.values()), args.queries)
        for mode in (SearchMode.HYBRID, SearchMode.KEYWORD):
            for query in queries[:10]:
                search_notes(kairos.uow(), model, query, mode)
            local = []
            for query in queries:
                started = time.perf_counter()
                search_notes(kairos.uow(), model, query, mode)
                local.append(1000 * (time.perf_counter() - started))
            report(f"{mode}: in-process use case (sync)", local)
            remote = asyncio.run(mcp_times(urls.sync_url, queries, mode.value))
            report(f"{mode}: MCP search_notes round trip", remote)


if __name__ == "__main__":
    main()
