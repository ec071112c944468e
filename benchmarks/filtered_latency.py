"""Filtered hybrid search at 1-60 % selectivity: exact scan vs iterative HNSW, per filter.

Runs against the database kept by `benchmarks.latency --keep` (same --notes, --workdir);
it builds nothing. Filters: a tag covering 1 % (every note carries one of 100 tags) and
10 / 30 / 60 % (three tags "bench-tag-NN" added once, by SQL, to the notes whose id mod 10
is < 1 / < 3 / < 6), a project subtree covering 10 / 30 / 60 % (two parent projects are
added once over the ten flat projects of the latency corpus: "Bench 30 %" holds projects
0-2, "Bench 60 %" holds "Bench 30 %" and projects 3-5), and a creation-date range holding
the newest 1 / 10 / 30 / 60 % of the notes (the generated notes' dates are left as they
are: 441 distinct creation times, so a share is met to within a few hundred notes; the
notes passing each filter are counted and printed). Each filter is timed three ways: the
per-query choice (`exact_filter_limit`, the default), always exact, always iterative
HNSW; and the top-10 through HNSW is compared with the exact top-10, semantic and hybrid
(recall@10).

    .venv/bin/python -m benchmarks.filtered_latency --notes 100000 --workdir /work/bench/latency
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from benchmarks.common import SCIFACT, build_app, load_beir, machine, scratch_database
from benchmarks.latency import measure, short_queries
from benchmarks.scifact_quality import parse_tuning
from pkm_core.application.dto import NoteFilter, SearchMode, SearchTuning
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.use_cases.search import search_notes
from pkm_core.infrastructure.persistence.note_sql import filtered_note_ids

SHARES = (0.01, 0.10, 0.30, 0.60)


def project_filters(sync_url: str) -> dict[float, int]:
    """Project ids covering 10 / 30 / 60 % of the notes (parents added once)."""
    engine = create_engine(sync_url)
    with engine.begin() as conn:
        flat = [
            r[0]
            for r in conn.execute(
                text("SELECT id FROM projects WHERE name LIKE 'Project %' ORDER BY id")
            )
        ]
        ids = {}
        for name in ("Bench 30 %", "Bench 60 %"):
            conn.execute(
                text(
                    "INSERT INTO projects (name) SELECT :n "
                    "WHERE NOT EXISTS (SELECT 1 FROM projects WHERE name = :n)"
                ),
                {"n": name},
            )
            ids[name] = conn.execute(
                text("SELECT min(id) FROM projects WHERE name = :n"), {"n": name}
            ).scalar_one()
        conn.execute(
            text("UPDATE projects SET parent_id = :p WHERE id = ANY(:ids)"),
            {"p": ids["Bench 30 %"], "ids": flat[:3]},
        )
        conn.execute(
            text("UPDATE projects SET parent_id = :p WHERE id = ANY(:ids)"),
            {"p": ids["Bench 60 %"], "ids": [ids["Bench 30 %"], *flat[3:6]]},
        )
    engine.dispose()
    return {0.10: flat[0], 0.30: ids["Bench 30 %"], 0.60: ids["Bench 60 %"]}


def tag_filters(sync_url: str) -> dict[float, NoteFilter]:
    """Tags covering 10 / 30 / 60 % of the notes (added once; notes_keywords has no trigger)."""
    engine = create_engine(sync_url)
    found = {}
    with engine.begin() as conn:
        for share in SHARES[1:]:
            name = f"bench-tag-{share * 100:.0f}"
            conn.execute(
                text("INSERT INTO keywords (name) VALUES (:n) ON CONFLICT (name) DO NOTHING"),
                {"n": name},
            )
            conn.execute(
                text(
                    "INSERT INTO note_keywords (note_id, keyword_id) "
                    "SELECT n.id, k.id FROM notes n, keywords k "
                    "WHERE k.name = :n AND n.id % 10 < :tenths "
                    "ON CONFLICT DO NOTHING"
                ),
                {"n": name, "tenths": round(share * 10)},
            )
            found[share] = NoteFilter(keywords=(name,))
        # Rows added in bulk: the planner's statistics should know them, as autovacuum's
        # ANALYZE would after a while.
        conn.execute(text("ANALYZE note_keywords"))
    engine.dispose()
    return found


def passing(sync_url: str, note_filter: NoteFilter) -> int:
    """How many live notes pass the filter (the listing's own count)."""
    engine = create_engine(sync_url)
    with Session(engine) as session:
        query = filtered_note_ids(note_filter)
        assert query is not None
        count = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    engine.dispose()
    return int(count)


def date_filters(sync_url: str) -> dict[float, NoteFilter]:
    """created_from holding the newest `share` of the live notes."""
    engine = create_engine(sync_url)
    found = {}
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM notes WHERE deleted_at IS NULL")).scalar()
        for share in SHARES:
            since = conn.execute(
                text(
                    "SELECT created_at FROM notes WHERE deleted_at IS NULL "
                    "ORDER BY created_at DESC OFFSET :n LIMIT 1"
                ),
                {"n": int(share * (total or 0)) - 1},
            ).scalar_one()
            found[share] = NoteFilter(created_from=since)
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--only", default="", help="run the filters whose label holds this")
    parser.add_argument("--set", nargs="*", default=[], help="tuning knob=value (dto.py)")
    parser.add_argument(
        "--ways", default="chosen,exact,hnsw", help="which of chosen, exact, hnsw to time"
    )
    parser.add_argument("--no-recall", action="store_true", help="time only, no recall@10")
    args = parser.parse_args()
    tuning = parse_tuning(args.set)
    claims = list(load_beir(SCIFACT).queries.values())
    queries = short_queries(claims, args.queries)
    print(machine())
    name = f"kairos_latency_{args.notes}"
    with scratch_database(name, args.workdir, keep=True, reuse=True) as urls:
        kairos = build_app(urls)
        emb = kairos.embedder
        emb.load()
        filters: dict[str, NoteFilter] = {"tag, 1 %": NoteFilter(keywords=("tag7",))}
        for share, tagged in tag_filters(kairos.urls.sync_url).items():
            filters[f"tag, {share:.0%}"] = tagged
        for share, project in project_filters(kairos.urls.sync_url).items():
            filters[f"project, {share:.0%}"] = NoteFilter(project_id=project)
        for share, dated in date_filters(kairos.urls.sync_url).items():
            filters[f"date, {share:.0%}"] = dated
        ways: dict[str, SearchTuning] = {
            "chosen": tuning,
            "exact": replace(tuning, exact_filter_limit=10**9),
            "hnsw": replace(tuning, exact_filter_limit=0),
        }
        print(f"tuning: {tuning}")
        for label, note_filter in filters.items():
            if args.only not in label:
                continue
            print(f"{label}: {passing(kairos.urls.sync_url, note_filter)} notes pass", flush=True)
            for way, t in ways.items():
                if way not in args.ways.split(","):
                    continue

                def run(q: str, f: NoteFilter = note_filter, t: SearchTuning = t) -> object:
                    return search_notes(kairos.uow(), emb, q, filters=f, tuning=t)

                measure(f"hybrid, {label} filter, {way}", run, queries)
            if not args.no_recall:
                recall(kairos.uow, emb, queries, note_filter, ways, label)


def recall(
    uow: Callable[[], ISyncUnitOfWork],
    emb: IEmbedder,
    queries: list[str],
    note_filter: NoteFilter,
    ways: dict[str, SearchTuning],
    label: str,
) -> None:
    """Top-10 through HNSW against the top-10 of the exact scan for the same filter, in
    semantic and in hybrid mode."""
    for mode in (SearchMode.SEMANTIC, SearchMode.HYBRID):
        hits = 0.0
        for q in queries[:50]:
            got = [
                [
                    h.note_id
                    for h in search_notes(uow(), emb, q, mode, note_filter, 10, tuning=ways[w])
                ]
                for w in ("hnsw", "exact")
            ]
            hits += len(set(got[0]) & set(got[1])) / max(len(got[1]), 1)
        share = hits / min(len(queries), 50)
        print(f"  {mode.value} recall@10, HNSW vs exact, {label}: {share:.3f}", flush=True)


if __name__ == "__main__":
    main()
