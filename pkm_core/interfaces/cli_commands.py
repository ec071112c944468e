"""The `kairos` commands for other programs: `mcp`, `serve`, and `search` / `show` /
`related` for scripts and shells (on the sync use cases; `--json` prints the same shapes
as the MCP tools)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pkm_core.application.dto import SearchMode


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _mcp(_args: argparse.Namespace) -> int:
    from pkm_core.bootstrap import build_kairos
    from pkm_core.interfaces.runtime import log_to_stderr, serve_stdio

    log_to_stderr()
    serve_stdio(build_kairos)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from pkm_core.bootstrap import build_kairos
    from pkm_core.interfaces.http_api import HOST, build_app, serve
    from pkm_core.interfaces.runtime import log_to_stderr, service_for
    from pkm_core.interfaces.token import api_token

    log_to_stderr()
    kairos = build_kairos()
    token = api_token(kairos.settings.data_dir)
    if args.show_token:
        print(token)
        return 0
    kairos.check_embedding_model()
    print(
        f"Kairos API on http://{HOST}:{args.port}/api (docs: /docs, MCP: /mcp); "
        f"token: kairos serve --show-token",
        file=sys.stderr,
    )
    serve(build_app(service_for(kairos), token), args.port)
    return 0


def _search(args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.search import search_notes
    from pkm_core.bootstrap import build_kairos
    from pkm_core.interfaces.payloads import SearchResult

    kairos = build_kairos()
    kairos.check_embedding_model()
    embedder = None if args.mode == SearchMode.KEYWORD else kairos.embedder
    hits = search_notes(kairos.uow(), embedder, args.query, args.mode, limit=args.limit)
    if args.json:
        _print_json([SearchResult.of(h).model_dump(mode="json") for h in hits])
        return 0
    if not hits:
        print("No notes match.")
    for hit in hits:
        print(f"{hit.note_id:>6}  {hit.score:.3f}  {hit.title}  ({', '.join(hit.matched_by)})")
        if hit.snippet:
            print(f"        {hit.snippet}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.notes import view_note
    from pkm_core.bootstrap import build_kairos
    from pkm_core.interfaces.payloads import NoteOut, note_markdown

    view = view_note(build_kairos().uow(), args.note)
    if args.json:
        _print_json(NoteOut.of(view).model_dump(mode="json"))
        return 0
    note = view.note
    print(note_markdown(view))
    print()
    print(f"-- note {note.id}, version {note.version}, keywords: {', '.join(note.keywords) or '-'}")
    for link in view.links_out:
        print(f"-- links to: {link.title}" + ("" if link.note_id else " (no such note yet)"))
    for link in view.backlinks:
        print(f"-- linked from: {link.title} ({link.note_id})")
    return 0


def _related(args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.search import related_notes
    from pkm_core.bootstrap import build_kairos
    from pkm_core.interfaces.payloads import RelatedOut

    rows = related_notes(build_kairos().uow(), args.note, args.limit)
    if args.json:
        _print_json([RelatedOut.of(r).model_dump(mode="json") for r in rows])
        return 0
    if not rows:
        print("No related notes.")
    for row in rows:
        print(f"{row.note_id:>6}  {row.similarity:.3f}  {row.title}")
    return 0


def register(commands: Any) -> None:
    """Add the commands to `kairos`'s subparsers."""
    mcp = commands.add_parser(
        "mcp", help="the MCP server on stdin/stdout, for AI assistants that start it"
    )
    mcp.set_defaults(handler=_mcp)
    serve = commands.add_parser(
        "serve", help="the REST API and MCP over HTTP on 127.0.0.1 (bearer token)"
    )
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--show-token", action="store_true", help="print the token and exit")
    serve.set_defaults(handler=_serve)
    search = commands.add_parser("search", help="find notes (hybrid, semantic or keyword)")
    search.add_argument("query")
    search.add_argument("--mode", choices=[m.value for m in SearchMode], default="hybrid")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(handler=_search)
    show = commands.add_parser("show", help="print a note (by id or exact title)")
    show.add_argument("note")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)
    related = commands.add_parser("related", help="notes related to a note (id or title)")
    related.add_argument("note")
    related.add_argument("--limit", type=int, default=8)
    related.add_argument("--json", action="store_true", help="print JSON")
    related.set_defaults(handler=_related)
