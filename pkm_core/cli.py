"""`kairos` command line: maintenance tasks that do not need the browser."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pkm_core.domain.errors import KairosError


def _migrate(args: argparse.Namespace) -> int:
    from pkm_core.bootstrap import resolve_database_urls
    from pkm_core.infrastructure.persistence import migrate

    urls = resolve_database_urls()
    migrate.upgrade(urls.sync_url, args.revision)
    print(f"Database at {urls.display} is at revision {args.revision}.")
    return 0


def _status(_args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.index import index_status
    from pkm_core.bootstrap import build_kairos

    kairos = build_kairos()
    status = index_status(kairos.uow(), kairos.embedder.model_name)
    print(f"Data: {kairos.urls.display}")
    print(f"Notes: {status.notes} ({status.chunks} chunks)")
    recorded = (
        f"{status.recorded_model} ({status.recorded_dimension} dimensions)"
        if status.recorded_model
        else "none yet (recorded at the first save)"
    )
    print(f"Embedding model on record: {recorded}")
    print(f"Configured model: {status.configured_model}")
    if status.notes_without_vectors:
        print(f"Notes without vectors: {status.notes_without_vectors} (run `kairos reindex`)")
    if not status.model_matches:
        print("The configured model differs from the one on record: run `kairos reindex`.")
        return 1
    return 0


@contextmanager
def _progress(description: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    from tqdm import tqdm

    bar = tqdm(desc=description, unit=unit, total=0, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


def _ingest(args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.ingest import ingest_path
    from pkm_core.bootstrap import build_kairos

    kairos = build_kairos()
    kairos.check_embedding_model()
    with _progress(f"Importing {args.path.name}", "note") as on_progress:
        report = ingest_path(
            kairos.uow,
            kairos.embedder,
            kairos.reader,
            args.path,
            on_progress=on_progress,
            batch_size=args.batch_size,
            project_id=args.project_id,
        )
    print(
        f"Created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}, skipped {report.skipped}."
    )
    for source, reason in report.warnings:
        print(f"  note: {source}: {reason}")
    for _source, reason in report.skipped_items:
        print(f"  skipped: {reason}")
    for _source, reason in report.vanished:
        print(f"  vanished: {reason}")
    if report.attachments:
        print(f"Attachments stored: {report.attachments}.")
    return 0 if report.skipped == 0 else 3


def _export(args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.export import export_vault
    from pkm_core.bootstrap import build_kairos
    from pkm_core.infrastructure.export_sinks import open_sink

    kairos = build_kairos()
    with open_sink(args.target) as sink:
        summary = export_vault(kairos.uow, sink)
    print(f"Exported {summary.notes} notes and {summary.attachments} attachments to {args.target}.")
    return 0


def _reindex(args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.index import reindex
    from pkm_core.bootstrap import build_kairos

    kairos = build_kairos()
    print(f"Re-embedding every note with {kairos.embedder.model_name}…")
    with _progress("Re-indexing", "note") as on_progress:
        done = reindex(kairos.uow, kairos.embedder, on_progress, batch_size=args.batch_size)
    print(f"Re-embedded {done} notes with {kairos.embedder.model_name}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kairos", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(handler=_migrate)
    status = commands.add_parser("status", help="where the data lives and how much there is")
    status.set_defaults(handler=_status)
    ingest = commands.add_parser(
        "ingest",
        help="import a vault (folder or .zip of Markdown, Obsidian or Logseq), or a .jsonl file",
        description="Import notes. Re-running skips notes already stored unchanged; a bad "
        "file is reported and skipped. Exit status 3 when some files were skipped.",
    )
    ingest.add_argument("path", type=Path, help="folder, .zip, .jsonl, or one .md file")
    ingest.add_argument("--batch-size", type=int, default=64, help="notes per transaction")
    ingest.add_argument("--project-id", type=int, default=None, help="file notes under it")
    ingest.set_defaults(handler=_ingest)
    export = commands.add_parser(
        "export",
        help="write every note as Markdown (with its front matter) and every attachment",
        description="Export the vault: one .md per note at its vault path (new notes under "
        "their project's folder), attachments at their paths. DIR must be empty or new.",
    )
    export.add_argument("target", type=Path, help="an empty folder, or FILE.zip")
    export.set_defaults(handler=_export)
    reindex = commands.add_parser(
        "reindex",
        help="re-embed every note with the configured model (after changing the model)",
    )
    reindex.add_argument("--batch-size", type=int, default=64, help="notes per transaction")
    reindex.set_defaults(handler=_reindex)
    from pkm_core.interfaces.cli_commands import register

    register(commands)  # mcp, serve, search, show, related
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KairosError as error:
        print(f"kairos: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
