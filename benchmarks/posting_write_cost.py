"""What a new note's BM25 postings cost to write on a kept database (issue 9: import speed).

Copies of 64 existing notes are inserted with triggers off, then the two statements of
`kairos_bm25_add` (new terms; postings and deltas) run one by one under EXPLAIN ANALYZE,
then `kairos_bm25_fold()`; everything is rolled back, so the database is left as it was.
Prints per batch and the median over batches 2.. in ms a note: `terms`, `postings` (the
statement), `insert` (the postings' INSERT node itself: heap and index entries), `fold`.
`--unordered` writes the postings in the order of migration 0011 (not in term order).

    .venv/bin/python -m benchmarks.posting_write_cost --notes 100000 --workdir W --batches 10
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import scratch_database
from pkm_core.infrastructure.persistence.engines import sync_engine
from pkm_core.infrastructure.persistence.revisions import revision_module

COPY = """
INSERT INTO notes (title, body, content_hash, search_tsv, text_config, title_folded,
                   embedding, version, project_id)
SELECT title || ' (cost probe)', body, content_hash || 'p', search_tsv, text_config,
       title_folded, embedding, 1, project_id
FROM notes WHERE id = ANY(%(ids)s) AND deleted_at IS NULL
RETURNING id
"""


def _statements(ordered: bool) -> list[str]:
    function: str = revision_module("0017_postings_by_note")._bm25_add(ordered)
    body = function.split("BEGIN", 1)[1].rsplit("END;", 1)[0]
    parts = [re.sub(r"--[^\n]*", "", s).strip() for s in body.split(";")]
    return [p.replace("ANY(ids)", "ANY(%(ids)s)") for p in parts if p]


def _inserts(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("Node Type") == "ModifyTable" and node.get("Relation Name") == "bm25_postings":
        yield node
    for child in node.get("Plans", []):
        yield from _inserts(child)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--unordered", action="store_true")
    args = parser.parse_args()
    terms_sql, postings_sql = _statements(ordered=not args.unordered)
    with scratch_database(
        f"kairos_latency_{args.notes}", args.workdir, keep=True, reuse=True
    ) as urls:
        raw = sync_engine(urls.sync_url).raw_connection()
        cur = raw.cursor()
        cur.execute("SELECT version_num FROM alembic_version")
        print("migration", cur.fetchone())
        cur.execute("SELECT min(id), max(id) FROM notes")
        bounds = cur.fetchone()
        assert bounds is not None
        low, high = bounds
        raw.rollback()
        rng = random.Random(args.seed)
        rows: list[dict[str, float]] = []
        for batch in range(args.batches):
            start = rng.randrange(low, max(high - 64, low + 1))
            try:
                cur.execute("SET LOCAL session_replication_role = replica")
                cur.execute(COPY, {"ids": list(range(start, start + 64))})
                new = [r[0] for r in cur.fetchall()]
                cur.execute("SET LOCAL session_replication_role = origin")
                took: dict[str, float] = {}
                for name, sql in (("terms", terms_sql), ("postings", postings_sql)):
                    cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, {"ids": new})
                    plan = cur.fetchall()[0][0][0]
                    took[name] = plan["Execution Time"]
                    for node in _inserts(plan["Plan"]):
                        below = sum(c["Actual Total Time"] for c in node.get("Plans", []))
                        took["insert"] = node["Actual Total Time"] - below
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT kairos_bm25_fold()")
                took["fold"] = cur.fetchall()[0][0][0]["Execution Time"]
            finally:
                raw.rollback()
            per_note = {k: v / max(len(new), 1) for k, v in took.items()}
            rows.append(per_note)
            print(batch, {k: round(v, 2) for k, v in per_note.items()}, "ms a note", flush=True)
        later = rows[1:] or rows
        median = {k: round(statistics.median(r[k] for r in later), 2) for k in rows[0]}
        print("median of batches 2..:", median, "ms a note")


if __name__ == "__main__":
    main()
