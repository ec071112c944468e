"""The Kairos MCP server (official `mcp` SDK, low-level `Server`): seven tools and the
resource `kairos://note/{id}`, served over stdio (`kairos mcp`) or streamable HTTP (`/mcp`
of `kairos serve`).

The low-level server is used rather than `MCPServer` (the SDK's decorator layer) because
that layer reports every failure as "Error executing tool <name>: ..." and bad arguments
as a pydantic dump; here the arguments are validated by our own models (their JSON schema
is the tool's input schema) and every failure is one sentence (`interfaces.errors`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, ConfigDict, Field

from pkm_core.interfaces.errors import one_sentence
from pkm_core.interfaces.payloads import (
    KeywordOut,
    NoteOut,
    ProjectOut,
    RelatedOut,
    SearchResult,
)
from pkm_core.interfaces.service import KairosService

NOTE_URI = re.compile(r"^kairos://note/(\d{1,18})$")
NoteArg = int | str


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchArgs(_Args):
    query: str = Field(description="What to look for: words, or a question in any wording.")
    mode: Literal["hybrid", "semantic", "keyword"] = "hybrid"
    keywords: list[str] = Field(default=[], description="Only notes carrying all of these.")
    project: str | None = Field(default=None, description="Only notes of this project (name).")
    limit: int = Field(default=10, ge=1, le=200)


class GetArgs(_Args):
    note: NoteArg = Field(description="The note's id or its exact title.")


class RelatedArgs(_Args):
    note: NoteArg | None = Field(default=None, description="A stored note (id or exact title).")
    text: str | None = Field(default=None, description="Or a text that is not stored.")
    limit: int = Field(default=8, ge=1, le=100)


class CreateArgs(_Args):
    title: str
    body: str = Field(description="Markdown; [[Title]] links to another note.")
    keywords: list[str] = []
    project: str | None = Field(default=None, description="An existing project's name.")
    source_url: str | None = Field(default=None, description="Where the content came from.")


class UpdateArgs(_Args):
    note: NoteArg = Field(description="The note's id or its exact title.")
    expected_version: int = Field(description="The version read; a newer one is a conflict.")
    title: str | None = None
    body: str | None = None
    keywords: list[str] | None = None


class NoArgs(_Args):
    pass


class SearchResults(BaseModel):
    result: list[SearchResult]


class RelatedResults(BaseModel):
    result: list[RelatedOut]


class KeywordResults(BaseModel):
    result: list[KeywordOut]


class ProjectResults(BaseModel):
    result: list[ProjectOut]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    args: type[_Args]
    output: type[BaseModel]
    run: Callable[[KairosService, Any], Awaitable[BaseModel]]

    def tool(self) -> types.Tool:
        return types.Tool(
            name=self.name,
            description=self.description,
            input_schema=self.args.model_json_schema(),
            output_schema=self.output.model_json_schema(),
        )


async def _search(s: KairosService, a: SearchArgs) -> BaseModel:
    return SearchResults(result=await s.search(a.query, a.mode, a.keywords, a.project, a.limit))


async def _get(s: KairosService, a: GetArgs) -> BaseModel:
    return await s.get(a.note)


async def _related(s: KairosService, a: RelatedArgs) -> BaseModel:
    return RelatedResults(result=await s.related(a.note, a.text, a.limit))


async def _create(s: KairosService, a: CreateArgs) -> BaseModel:
    return await s.create(a.title, a.body, a.keywords, a.project, a.source_url)


async def _update(s: KairosService, a: UpdateArgs) -> BaseModel:
    return await s.update(a.note, a.expected_version, a.title, a.body, a.keywords)


async def _keywords(s: KairosService, _a: NoArgs) -> BaseModel:
    return KeywordResults(result=await s.keywords())


async def _projects(s: KairosService, _a: NoArgs) -> BaseModel:
    return ProjectResults(result=await s.projects())


TOOLS = {
    spec.name: spec
    for spec in (
        ToolSpec(
            "search_notes",
            "Find notes by meaning and by keywords (hybrid, the default), by meaning only "
            "(semantic) or by words only (keyword). Each result says what it matched by.",
            SearchArgs,
            SearchResults,
            _search,
        ),
        ToolSpec(
            "get_note",
            "Read a note (by id or exact title) with its keywords, project, source, version "
            "and its links in both directions.",
            GetArgs,
            NoteOut,
            _get,
        ),
        ToolSpec(
            "related_notes",
            "Notes nearest in meaning to a stored note, or to a text that is not stored.",
            RelatedArgs,
            RelatedResults,
            _related,
        ),
        ToolSpec(
            "create_note",
            "Write a new note (markdown). Titles are unique.",
            CreateArgs,
            NoteOut,
            _create,
        ),
        ToolSpec(
            "update_note",
            "Change a note's title, body or keywords. Pass the version you read: if the note "
            "changed meanwhile nothing is overwritten and the call fails with a conflict. A new "
            "title rewrites the [[links]] of every note linking to it (listed in `relinked`).",
            UpdateArgs,
            NoteOut,
            _update,
        ),
        ToolSpec(
            "list_keywords",
            "Every keyword in use with its number of notes.",
            NoArgs,
            KeywordResults,
            _keywords,
        ),
        ToolSpec(
            "list_projects",
            "Every project (notes are filed under them).",
            NoArgs,
            ProjectResults,
            _projects,
        ),
    )
}


def _error(sentence: str) -> types.CallToolResult:
    content: list[Any] = [types.TextContent(type="text", text=sentence)]
    return types.CallToolResult(content=content, is_error=True)


async def call_tool(
    service: KairosService, name: str, arguments: dict[str, Any] | None
) -> types.CallToolResult:
    """Run one tool call; a failure is a tool error with one sentence, never a traceback."""
    spec = TOOLS.get(name)
    if spec is None:
        return _error(f"Kairos has no tool named “{name}”; it has {', '.join(TOOLS)}.")
    try:
        args = spec.args.model_validate(arguments or {})
        result = await spec.run(service, args)
    except Exception as exc:  # KairosError, ValidationError, or a bug (logged)
        return _error(one_sentence(exc))
    data = result.model_dump(mode="json")
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(data, ensure_ascii=False))],
        structured_content=data,
    )


async def read_note_resource(service: KairosService, uri: str) -> types.ReadResourceResult:
    match = NOTE_URI.match(str(uri))
    if match is None:
        raise MCPError(types.INVALID_PARAMS, f"“{uri}” is not a note address (kairos://note/ID).")
    try:
        text = await service.markdown(int(match.group(1)))
    except Exception as exc:
        raise MCPError(types.INVALID_PARAMS, one_sentence(exc)) from None
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, mime_type="text/markdown", text=text)]
    )


def build_mcp_server(
    service: Callable[[], KairosService],
    lifespan: Callable[[Server[Any]], Any] | None = None,
) -> Server[Any]:
    """The MCP server over `service()` (looked up per call: a lifespan may build it)."""

    async def on_list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[spec.tool() for spec in TOOLS.values()])

    async def on_call_tool(
        _ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        return await call_tool(service(), params.name, params.arguments)

    async def on_list_resources(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[])

    async def on_list_resource_templates(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        template = types.ResourceTemplate(
            name="note",
            uri_template="kairos://note/{id}",
            description="A Kairos note as markdown.",
            mime_type="text/markdown",
        )
        return types.ListResourceTemplatesResult(resource_templates=[template])

    async def on_read_resource(
        _ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        return await read_note_resource(service(), params.uri)

    extra: dict[str, Any] = {} if lifespan is None else {"lifespan": lifespan}
    return Server(
        "kairos",
        instructions="Search, read and write the notes of a Kairos knowledge base.",
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=on_list_resources,
        on_list_resource_templates=on_list_resource_templates,
        on_read_resource=on_read_resource,
        **extra,
    )
