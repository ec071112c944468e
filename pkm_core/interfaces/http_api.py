"""`kairos serve`: one FastAPI app on 127.0.0.1 — the REST API under `/api`, OpenAPI docs
at `/docs`, and the MCP server over streamable HTTP at `/mcp`; `/api` and `/mcp` need
`Authorization: Bearer <token>` (the token lives in the data dir)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from pkm_core.domain.errors import (
    DuplicateTitle,
    EmbeddingModelMismatch,
    KairosError,
    NoteNotFound,
    StorageUnavailable,
    VersionConflict,
)
from pkm_core.interfaces.errors import argument_sentence, one_sentence
from pkm_core.interfaces.mcp_server import build_mcp_server
from pkm_core.interfaces.payloads import (
    KeywordOut,
    NoteOut,
    NotePage,
    ProjectOut,
    RelatedOut,
    SearchResult,
)
from pkm_core.interfaces.service import KairosService
from pkm_core.interfaces.token import bearer_matches

HOST = "127.0.0.1"  # never another interface
UNAUTHORIZED = (
    "This call needs the header “Authorization: Bearer <token>” (kairos serve --show-token)."
)


class NewNote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    body: str = ""
    keywords: list[str] = []
    project: str | None = None
    source_url: str | None = None


class NoteEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    body: str | None = None
    keywords: list[str] | None = None


def _status(exc: KairosError) -> int:
    if isinstance(exc, NoteNotFound):
        return 404
    if isinstance(exc, VersionConflict | DuplicateTitle | EmbeddingModelMismatch):
        return 409
    if isinstance(exc, StorageUnavailable):
        return 503
    return 422


def _detail(status: int, sentence: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": sentence}, status_code=status, headers=headers)


def _version(if_match: str | None) -> int:
    """`If-Match: 3` (or `"3"`, `W/"3"`) -> 3."""
    raw = (if_match or "").strip().removeprefix("W/").strip('"').strip()
    if not raw.isdigit() or len(raw) > 18:
        raise _Precondition()
    return int(raw)


class _Precondition(Exception):
    pass


class TokenGate:
    """ASGI wrapper: the MCP endpoint answers only with the bearer token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            authorization = headers.get(b"authorization", b"").decode("latin-1")
            if not bearer_matches(authorization, self._token):
                response = _detail(401, UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)


def build_app(service: KairosService, token: str) -> FastAPI:
    mcp = build_mcp_server(lambda: service)
    mcp_app = mcp.streamable_http_app(streamable_http_path="/mcp", host=HOST)
    [mcp_route] = [r for r in mcp_app.routes if isinstance(r, Route)]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with mcp.session_manager.run():
            yield

    app = FastAPI(
        title="Kairos",
        summary="Search, read and write the notes of a Kairos knowledge base.",
        lifespan=lifespan,
    )
    app.state.token = token

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(_r: Request, _e: Exception) -> JSONResponse:
        return _detail(401, UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(_Precondition)
    async def _precondition(_r: Request, _e: Exception) -> JSONResponse:
        return _detail(428, "Send the header “If-Match: <version>” with the version you read.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _detail(422, argument_sentence(exc.errors()))

    @app.exception_handler(KairosError)
    async def _refused(_r: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, KairosError)
        return _detail(_status(exc), str(exc))

    @app.exception_handler(ValidationError)  # a domain model refusing a value
    async def _invalid_value(_r: Request, exc: Exception) -> JSONResponse:
        return _detail(422, one_sentence(exc))

    @app.exception_handler(Exception)
    async def _failed(_r: Request, exc: Exception) -> JSONResponse:
        return _detail(500, one_sentence(exc))  # logged with its traceback, never shown

    api = APIRouter(prefix="/api", dependencies=[Depends(_require_token)])

    @api.get("/notes")
    async def list_notes(
        page: int = 1,
        size: int = 20,
        keyword: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies it)
        project: str | None = None,
    ) -> NotePage:
        return await service.list_notes(page, size, keyword, project)

    @api.post("/notes", status_code=201)
    async def create_note(new: NewNote, response: Response) -> NoteOut:
        note = await service.create(new.title, new.body, new.keywords, new.project, new.source_url)
        response.headers["Location"] = f"/api/notes/{note.id}"
        response.headers["ETag"] = f'"{note.version}"'
        return note

    @api.get("/notes/{note_id}")
    async def get_note(note_id: int, response: Response) -> NoteOut:
        note = await service.get(note_id)
        response.headers["ETag"] = f'"{note.version}"'
        return note

    @api.patch("/notes/{note_id}")
    async def update_note(
        note_id: int,
        edit: NoteEdit,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> NoteOut:
        version = _version(if_match)
        note = await service.update(note_id, version, edit.title, edit.body, edit.keywords)
        response.headers["ETag"] = f'"{note.version}"'
        return note

    @api.delete("/notes/{note_id}", status_code=204)
    async def delete_note(
        note_id: int, if_match: Annotated[str | None, Header()] = None
    ) -> Response:
        await service.delete(note_id, None if if_match is None else _version(if_match))
        return Response(status_code=204)

    @api.get("/notes/{note_id}/related")
    async def related_notes(note_id: int, limit: int = 8) -> list[RelatedOut]:
        return await service.related(note_id, None, limit)

    @api.get("/search")
    async def search(
        q: str,
        mode: str = "hybrid",
        limit: int = 10,
        keyword: Annotated[list[str], Query()] = [],  # noqa: B006
        project: str | None = None,
    ) -> list[SearchResult]:
        return await service.search(q, mode, keyword, project, limit)

    @api.get("/keywords")
    async def keywords() -> list[KeywordOut]:
        return await service.keywords()

    @api.get("/projects")
    async def projects() -> list[ProjectOut]:
        return await service.projects()

    app.include_router(api)
    app.router.routes.append(Route("/mcp", endpoint=TokenGate(mcp_route.app, token)))
    return app


class _Unauthorized(Exception):
    pass


_BEARER = HTTPBearer(auto_error=False)


async def _require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> None:
    """Module level: FastAPI resolves this signature's names from the module."""
    given = f"Bearer {credentials.credentials}" if credentials else None
    if not bearer_matches(given, request.app.state.token):
        raise _Unauthorized()


def serve(app: Any, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)
