"""Start-up per embedding backend: seconds from process start to a ready model, and RSS.

Each measurement is a fresh Python process doing what the app's process does before its
model is ready: import Streamlit and the composition root, build the configured embedder
(`build_embedder`), load it and embed a first query. Reported: seconds from the process's
start (as the OS records it) to that first vector, the share spent importing, the CPU
seconds the process used until then (user + system: the figure a busy machine disturbs
least) and the process's resident memory then. The ONNX export is made once beforehand
(it happens once per data dir, at first use) and is not in the figures; `--export` times
it alone.

    .venv/bin/python -m benchmarks.model_startup --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import BENCH_DATA_DIR, machine
from pkm_core.domain.embedding import BACKENDS

CHILD = """
import json, time
import psutil
process = psutil.Process()
started = process.create_time()
import streamlit  # the app process has it loaded before the model
from pkm_core.bootstrap import build_embedder
from pkm_core.infrastructure.settings import load_settings
imported = time.time()
embedder = build_embedder(load_settings())
embedder.load()
assert len(embedder.embed_query("the first query of the day")) == embedder.dimension
ready = time.time()
import sys
print(json.dumps({
    "ready_s": ready - started,
    "import_s": imported - started,
    "cpu_s": sum(process.cpu_times()[:2]),
    "rss_mib": process.memory_info().rss / 2**20,
    "torch": "torch" in sys.modules,
}))
"""


def run_child(backend: str, data_dir: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env.update(KAIROS_DATA_DIR=str(data_dir), KAIROS_EMBEDDING_BACKEND=backend)
    env.setdefault("HF_HUB_OFFLINE", "1")
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{backend}: the child failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--export", action="store_true", help="also time a first export")
    args = parser.parse_args(argv)

    print(machine())
    if args.export:
        with tempfile.TemporaryDirectory(prefix="kairos-export-") as fresh:
            started = time.perf_counter()
            first = run_child("onnx-int8", Path(fresh))
            print(
                f"first start with onnx-int8 in an empty data dir (export included): "
                f"{time.perf_counter() - started:.1f} s, model ready {first['ready_s']:.1f} s"
            )
            shutil.rmtree(fresh, ignore_errors=True)
    for backend in args.backends:
        run_child(backend, BENCH_DATA_DIR)  # export if needed, warm the file cache
    results: dict[str, list[dict[str, float]]] = {b: [] for b in args.backends}
    for _ in range(args.runs):  # backends take turns, as in the other benchmarks
        for backend in args.backends:
            results[backend].append(run_child(backend, BENCH_DATA_DIR))
    print(f"median of {args.runs} fresh processes each")
    print(
        f"{'backend':<10} {'ready s':>8} {'imports s':>10} {'CPU s':>6} {'RSS MiB':>8} "
        f"{'torch loaded':>13}"
    )
    for backend, runs in results.items():
        print(
            f"{backend:<10} {statistics.median(r['ready_s'] for r in runs):>8.2f} "
            f"{statistics.median(r['import_s'] for r in runs):>10.2f} "
            f"{statistics.median(r['cpu_s'] for r in runs):>6.2f} "
            f"{statistics.median(r['rss_mib'] for r in runs):>8.0f} "
            f"{'yes' if runs[0]['torch'] else 'no':>13}"
        )


if __name__ == "__main__":
    main()
