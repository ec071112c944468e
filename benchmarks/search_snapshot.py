"""Search snapshot: the top-10 of the note-app queries (as benchmarks.latency makes them) in
every mode, written to a JSON file; with --compare, the overlap with an earlier snapshot.

A change meant to keep rankings (statement building, round trips, snippets) is checked by
taking a snapshot before and after on the same database:

    .venv/bin/python -m benchmarks.search_snapshot --notes 100000 --workdir W --out before.json
    .venv/bin/python -m benchmarks.search_snapshot --notes 100000 --workdir W --out after.json \
        --compare before.json

It prints, per mode, the mean top-10 overlap, how many queries keep the same order, and
how many keep the same snippets. The vectors come from the real model (embed_query).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from benchmarks.common import SCIFACT, build_app, load_beir, scratch_database
from benchmarks.latency import short_queries
from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.search import search_notes


def snapshot(workdir: Path, notes: int, queries: int) -> dict[str, dict[str, list[Any]]]:
    claims = list(load_beir(SCIFACT).queries.values())
    short = short_queries(claims, queries)
    out: dict[str, dict[str, list[Any]]] = {}
    with scratch_database(f"kairos_latency_{notes}", workdir, keep=True, reuse=True) as urls:
        kairos = build_app(urls)
        kairos.embedder.load()
        for mode in SearchMode:
            out[mode.value] = {}
            for q in short:
                hits = search_notes(kairos.uow(), kairos.embedder, q, mode)
                out[mode.value][q] = [
                    [h.note_id, round(h.score, 9), h.snippet, list(h.highlights)] for h in hits
                ]
    return out


Snapshot = dict[str, dict[str, list[Any]]]


def compare(before: Snapshot, after: Snapshot) -> None:
    for mode, per_query in after.items():
        overlaps, same_order, same_snippets = [], 0, 0
        for q, hits in per_query.items():
            old = before[mode][q]
            old_ids, new_ids = [h[0] for h in old], [h[0] for h in hits]
            both_empty = not old_ids and not new_ids
            overlaps.append(
                1.0 if both_empty else len(set(old_ids) & set(new_ids)) / max(len(old_ids), 1)
            )
            same_order += old_ids == new_ids
            same_snippets += [h[2:] for h in old] == [h[2:] for h in hits]
        n = len(per_query)
        print(
            f"{mode:<9} top-10 overlap {statistics.mean(overlaps):.3f}   same order "
            f"{same_order}/{n}   same snippets {same_snippets}/{n}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, help="an earlier snapshot")
    args = parser.parse_args()
    taken = snapshot(args.workdir, args.notes, args.queries)
    args.out.write_text(json.dumps(taken, ensure_ascii=False))
    if args.compare:  # both as read from JSON (spans as lists)
        compare(json.loads(args.compare.read_text()), json.loads(args.out.read_text()))


if __name__ == "__main__":
    main()
