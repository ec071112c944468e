"""A small-sample regression guard of the SciFact quality benchmark (benchmarks/).

50 test claims on a 600-abstract subset holding all their relevant abstracts, through the
app's own ingest and search use cases with the real model. The floors are loose (the full
benchmark's figures are in docs/PERFORMANCE.md); they catch a pipeline that broke, not a
point of nDCG. Skipped with a reason when ../shared/data/beir-scifact is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.embedder import SentenceTransformerEmbedder
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from pkm_core.infrastructure.readers import FileImportReader

pytestmark = pytest.mark.model

# The shared folder beside the repository checkout (CI has a copy there).
SCIFACT = Path(__file__).resolve().parents[4] / "shared" / "data" / "beir-scifact"
FLOORS = {SearchMode.SEMANTIC: 0.8, SearchMode.KEYWORD: 0.75, SearchMode.HYBRID: 0.8}


def test_search_quality_on_a_scifact_sample_stays_above_a_loose_floor(
    clean_database: DatabaseUrls, tmp_path: Path
) -> None:
    if not (SCIFACT / "corpus.jsonl").exists():
        reason = f"BEIR SciFact is not at {SCIFACT}"
        print(f"skipped: {reason}")
        pytest.skip(reason)
    from benchmarks.common import load_beir
    from benchmarks.scifact_quality import corpus_ids_by_note, evaluate, sample, write_corpus
    from pkm_core.bootstrap import Kairos
    from pkm_core.infrastructure.settings import Settings

    beir = sample(load_beir(SCIFACT), docs=600, queries=50)
    model = SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu")
    report = ingest_path(
        lambda: SyncSQLAlchemyUnitOfWork(clean_database.sync_url),
        model,
        FileImportReader(),
        write_corpus(beir, tmp_path),
    )
    assert (report.created, report.skipped) == (len(beir.corpus), 0)

    kairos = Kairos(Settings(), clean_database, model)
    ids = corpus_ids_by_note(kairos)
    scores = {mode: evaluate(kairos, beir, mode, ids=ids).ndcg10 for mode in SearchMode}
    print("nDCG@10 on the sample:", {str(m): round(s, 3) for m, s in scores.items()})
    assert all(scores[mode] >= floor for mode, floor in FLOORS.items()), scores
    assert scores[SearchMode.HYBRID] >= scores[SearchMode.SEMANTIC] - 0.02
