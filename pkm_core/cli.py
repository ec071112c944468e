"""`kairos` command line: maintenance tasks that do not need the browser."""

from __future__ import annotations

import argparse
import sys

from pkm_core.domain.errors import KairosError


def _migrate(args: argparse.Namespace) -> int:
    from pkm_core.bootstrap import resolve_database_urls
    from pkm_core.infrastructure.persistence import migrate

    urls = resolve_database_urls()
    migrate.upgrade(urls.sync_url, args.revision)
    print(f"Database at {urls.display} is at revision {args.revision}.")
    return 0


def _status(_args: argparse.Namespace) -> int:
    from pkm_core.application.use_cases.notes import count_notes
    from pkm_core.bootstrap import build_kairos

    kairos = build_kairos()
    print(f"Data: {kairos.urls.display}")
    print(f"Notes: {count_notes(kairos.uow())}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kairos", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(handler=_migrate)
    status = commands.add_parser("status", help="where the data lives and how much there is")
    status.set_defaults(handler=_status)
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
