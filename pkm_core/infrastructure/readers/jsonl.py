"""A JSONL file, one note per line: each line decoded on its own, so one bad line (invalid
UTF-8, bad JSON, a lone surrogate) is reported and never sinks the others."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pkm_core.application.ingest.source import RawEntry
from pkm_core.infrastructure.readers.limits import MAX_NOTE_BYTES


class JsonlSource:
    is_vault = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self, *, with_attachments: bool) -> Iterator[RawEntry]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                source = f"{self.path.name} line {number}"
                if len(line) > MAX_NOTE_BYTES:
                    yield RawEntry(
                        "problem", source, problem=f"{source} was skipped: it is too long."
                    )
                    continue
                try:
                    record = json.loads(line.decode("utf-8"))
                except UnicodeDecodeError:
                    problem = f"{source} was skipped: it is not valid UTF-8 text."
                except json.JSONDecodeError as exc:
                    problem = f"{source} was skipped: it is not valid JSON ({exc.msg})."
                except RecursionError:
                    problem = f"{source} was skipped: it is nested too deeply."
                else:
                    yield RawEntry("record", source, record=record, path=f"{number}")
                    continue
                yield RawEntry("problem", source, problem=problem)
