"""The save path without the model: create and edit a 250-word note, the vectors given.

`benchmarks.latency --save-only` times a save with its model runs (most of it, and the
part other sessions' load moves most); this one gives the embedder the draft's three
real chunk vectors (embedded once), so what it times is what stands around the model:
chunking, language detection, the statements, the BM25 trigger, the commit. It prints
the use case's p50 and each statement's (client side, including the round trip), on
the kept benchmark database as it is; the notes go to the trash afterwards.

    .venv/bin/python -m benchmarks.save_write --notes 100000 --workdir /work/bench/latency
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from benchmarks.common import SCIFACT, build_app, load_beir, machine, scratch_database
from benchmarks.latency import LookupEmbedder, draft_of, sentences_of
from pkm_core.application.use_cases.notes import create_note, delete_note, update_note
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.persistence.engines import sync_engine


class GivenVectors(LookupEmbedder):
    """The model's name and size, and the draft's chunk vectors for any text (in turn)."""

    def __init__(self, model: Any, vectors: Sequence[list[float]]) -> None:
        super().__init__(model, {})
        self.given = list(vectors)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.given[i % len(self.given)] for i in range(len(texts))]


class StatementTimes:
    """Client-side time of each statement and commit of the engine, while `on`."""

    def __init__(self, engine: Any) -> None:
        self.on = False
        self.times: dict[str, list[float]] = defaultdict(list)
        self._started: dict[str, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._before_commit)
        event.listen(Session, "after_commit", self._after_commit)

    def _before(self, *_: object) -> None:
        self._started["statement"] = time.perf_counter()

    def _after(self, _c: object, _cur: object, statement: str, *_: object) -> None:
        if self.on:
            elapsed = time.perf_counter() - self._started["statement"]
            self.times[" ".join(statement.split())[:56]].append(elapsed * 1000)

    def _before_commit(self, _: object) -> None:
        self._started["commit"] = time.perf_counter()

    def _after_commit(self, _: object) -> None:
        if self.on and "commit" in self._started:
            elapsed = time.perf_counter() - self._started.pop("commit")
            self.times["COMMIT"].append(elapsed * 1000)

    def report(self, label: str, totals: list[float]) -> None:
        n = len(totals)
        print(f"  {label:<34} p50 {statistics.median(totals):6.1f} ms   (n={n})")
        for statement, values in self.times.items():
            per_call = len(values) / n
            print(f"     {per_call:3.1f}x  p50 {statistics.median(values):6.2f} ms  {statement}")
        self.times.clear()


def timed(run: Callable[[int], object], count: int) -> list[float]:
    """Wall-clock ms of each run; prints this process's CPU time per run (Python's own
    part of a save, which other processes' load moves far less than the wall clock)."""
    totals = []
    cpu = time.process_time()
    for i in range(count):
        started = time.perf_counter()
        run(i)
        totals.append((time.perf_counter() - started) * 1000)
    print(f"  (this process's CPU: {(time.process_time() - cpu) * 1000 / count:.2f} ms a run)")
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, required=True, help="server and caches")
    parser.add_argument("--saves", type=int, default=40)
    args = parser.parse_args()
    draft = draft_of(sentences_of(load_beir(SCIFACT).corpus))
    edited = draft.replace("the", "a", 1)
    print(machine())
    name = f"kairos_latency_{args.notes}"
    with scratch_database(name, args.workdir, keep=True, reuse=True) as urls:
        kairos = build_app(urls)
        kairos.embedder.load()
        chunks = [c.embed_text for c in chunk_note("Bench", draft)]
        embedder = GivenVectors(kairos.embedder, kairos.embedder.embed_documents(chunks))
        uow = kairos.uow
        stamp = time.strftime("%H%M%S")
        notes: list[Note] = []

        def create(i: int) -> None:
            title = f"Bench write {stamp} {len(notes)}"
            notes.append(create_note(uow(), embedder, NoteDraft(title=title, body=draft)))

        def edit(i: int) -> None:  # the end changed, alternately: one chunk rewritten
            note = notes[i]
            body = f"{edited} revision {'AB'[i % 2]}"
            update_note(uow(), embedder, note.id, NoteDraft(title=note.title, body=body), 1)

        timed(create, 5)  # warm up: statements compiled, pool filled
        timed(edit, 5)
        times = StatementTimes(sync_engine(kairos.urls.sync_url))
        print(f"save a 250-word note, the model's vectors given, {args.saves} each:")
        first = len(notes)
        times.on = True
        totals = timed(create, args.saves)
        times.report("create_note", totals)
        totals = timed(lambda i: edit(first + i), args.saves)
        times.report("update_note (the end changed)", totals)
        times.on = False
        for note in notes:
            delete_note(uow(), note.id)


if __name__ == "__main__":
    main()
