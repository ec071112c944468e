"""Starting the async consumers: the composition root's `Kairos` -> a `KairosService`.

Nothing here runs at import time. `kairos mcp` builds Kairos inside the stdio transport
(which has already diverted file descriptor 1 to stderr, so the embedded server's and
the migrations' messages never mix with the protocol); `kairos serve` builds it before
the HTTP server starts.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio

from pkm_core.bootstrap import Kairos
from pkm_core.infrastructure.persistence.engines import async_engine
from pkm_core.infrastructure.serial_embedder import SerialEmbedder
from pkm_core.interfaces.service import KairosService

log = logging.getLogger(__name__)


def log_to_stderr(level: int = logging.WARNING) -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="kairos: %(levelname)s %(message)s")


def service_for(kairos: Kairos, *, preload: bool = True) -> KairosService:
    """The service over `kairos`'s async Unit of Work; the model starts loading in the
    background so that the first search does not wait for all of it."""
    embedder = SerialEmbedder(kairos.embedder)
    if preload:
        threading.Thread(target=_preload, args=(embedder,), daemon=True).start()
    return KairosService(kairos.async_uow, embedder)


def _preload(embedder: SerialEmbedder) -> None:
    try:
        embedder.load()
    except Exception as exc:  # reported again, as one sentence, by the first call needing it
        log.warning("The embedding model could not be loaded: %s", exc)


async def dispose_async_engine(kairos: Kairos) -> None:
    await async_engine(kairos.urls.async_url).dispose()


def serve_stdio(build: Callable[[], Kairos]) -> None:
    """`kairos mcp`: the MCP server on stdin/stdout until the client closes them."""
    from mcp.server.stdio import stdio_server

    from pkm_core.interfaces.mcp_server import build_mcp_server

    holder: dict[str, KairosService] = {}

    @asynccontextmanager
    async def lifespan(_server: Any) -> AsyncIterator[dict[str, Any]]:
        kairos = await anyio.to_thread.run_sync(build)
        await anyio.to_thread.run_sync(kairos.check_embedding_model)
        holder["service"] = service_for(kairos)
        try:
            yield {}
        finally:
            await dispose_async_engine(kairos)

    server = build_mcp_server(lambda: holder["service"], lifespan)

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(run)
