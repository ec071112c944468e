"""SciFact on the abstracts already in a tuning database (for a machine too busy to import
all 5,183): the claims whose relevant abstracts are all there, against those abstracts.

Same search path as scifact_quality.py (`search_notes`), compared variant against variant
on one database; the figures are not those of the full test split.

    .venv/bin/python -m benchmarks.scifact_subset --workdir /tmp/kairos-tune \
        --set semantic_scale=minmax keyword_scale=minmax background_docs=0 --set
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.common import SCIFACT, Beir, build_app, load_beir, machine, scratch_database
from benchmarks.scifact_quality import corpus_ids_by_note, evaluate, parse_tuning
from pkm_core.application.dto import SearchMode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SCIFACT)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--db", default="kairos_tune_c128")
    parser.add_argument("--modes", nargs="+", default=["semantic", "keyword", "hybrid"])
    parser.add_argument(
        "--set", nargs="*", action="append", default=[], help="one variant: knob=value ..."
    )
    args = parser.parse_args()
    print(machine())
    beir = load_beir(args.data)
    with scratch_database(args.db, args.workdir, keep=True, reuse=True) as urls:
        kairos = build_app(urls)
        ids = corpus_ids_by_note(kairos)
        present = set(ids.values())
        queries = {
            q: t
            for q, t in beir.queries.items()
            if all(d in present for d in beir.qrels[q] if d in beir.corpus)
        }
        subset = Beir(
            corpus={d: beir.corpus[d] for d in present},
            queries=queries,
            qrels={q: beir.qrels[q] for q in queries},
            corpus_path=beir.corpus_path,
        )
        print(f"{len(present)} abstracts, {len(queries)} claims")
        for variant in args.set or [[]]:
            tuning = parse_tuning(variant)
            for mode in args.modes:
                result = evaluate(kairos, subset, SearchMode(mode), tuning, ids)
                print(
                    f"{mode:<9} {' '.join(variant) or 'defaults':<70} nDCG@10 "
                    f"{result.ndcg10:.4f}  R@100 {result.recall100:.4f}  {result.mean_ms:6.1f} ms",
                    flush=True,
                )


if __name__ == "__main__":
    main()
