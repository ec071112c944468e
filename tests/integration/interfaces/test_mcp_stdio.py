"""`kairos mcp` driven by the official MCP client over stdio, on the embedded database
with the real packaged model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.integration.interfaces.conftest import KAIROS

pytestmark = pytest.mark.model


@asynccontextmanager
async def kairos_mcp(env: dict[str, str]) -> AsyncIterator[Client]:
    params = StdioServerParameters(command=KAIROS[0], args=[*KAIROS[1:], "mcp"], env=env)
    async with Client(params, read_timeout_seconds=120) as client:
        yield client


async def call(client: Client, tool: str, **arguments: Any) -> Any:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    data = result.structured_content
    assert data is not None
    return data["result"] if set(data) == {"result"} else data


async def error_of(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    [content] = result.content
    assert content.type == "text"
    return content.text


async def test_an_assistant_writes_finds_reads_and_relates_notes_by_meaning(
    kairos_env: dict[str, str],
) -> None:
    async with kairos_mcp(kairos_env) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert tools == {
            "search_notes",
            "get_note",
            "related_notes",
            "create_note",
            "update_note",
            "list_keywords",
            "list_projects",
        }
        puppy = await call(
            client,
            "create_note",
            title="Puppy vaccinations",
            body="Take the young dog to the vet for its shots. See [[Kitten care]].",
            keywords=["pets"],
        )
        kitten = await call(
            client,
            "create_note",
            title="Kitten care",
            body="A little cat needs deworming, a scratching post and regular feeding.",
            keywords=["pets", "cats"],
        )
        await call(
            client,
            "create_note",
            title="Sourdough",
            body="Feed the starter with flour and water, then bake the loaf in a hot oven.",
        )

        hits = await call(client, "search_notes", query="immunising a canine", mode="semantic")
        assert hits[0]["id"] == puppy["id"]
        assert hits[0]["matched_by"] == ["meaning"]
        assert set(hits[0]) == {
            "id",
            "title",
            "snippet",
            "score",
            "matched_by",
            "semantic_score",
            "keyword_score",
        }

        read = await call(client, "get_note", note="Puppy vaccinations")
        assert read["links_out"] == [{"title": "Kitten care", "id": kitten["id"]}]
        assert read["keywords"] == ["pets"]
        assert read["version"] == 1
        backlinked = await call(client, "get_note", note=kitten["id"])
        assert backlinked["links_in"] == [{"id": puppy["id"], "title": "Puppy vaccinations"}]

        related = await call(client, "related_notes", note=puppy["id"], limit=2)
        assert related[0]["id"] == kitten["id"]
        by_text = await call(client, "related_notes", text="my cat scratches the sofa", limit=1)
        assert by_text[0]["id"] == kitten["id"]

        renamed = await call(
            client, "update_note", note="Kitten care", expected_version=1, title="Cat care"
        )
        assert renamed["relinked"] == [{"id": puppy["id"], "title": "Puppy vaccinations"}]
        assert renamed["links_in"] == [{"id": puppy["id"], "title": "Puppy vaccinations"}]
        relinked = await call(client, "get_note", note=puppy["id"])
        assert relinked["body"] == "Take the young dog to the vet for its shots. See [[Cat care]]."
        assert relinked["version"] == 2
        assert relinked["links_out"] == [{"title": "Cat care", "id": kitten["id"]}]

        updated = await call(
            client, "update_note", note=puppy["id"], expected_version=2, body="Vet, shots, dog."
        )
        assert (updated["version"], updated["relinked"]) == (3, [])
        stale = await error_of(
            client, "update_note", note=puppy["id"], expected_version=2, body="Overwrite!"
        )
        assert "changed elsewhere" in stale and "nothing was overwritten" in stale
        assert (await call(client, "get_note", note=puppy["id"]))["body"] == "Vet, shots, dog."

        keywords = await call(client, "list_keywords")
        assert {"keyword": "pets", "notes": 2} in keywords
        assert await call(client, "list_projects") == []

        resource = await client.read_resource(f"kairos://note/{kitten['id']}")
        [content] = resource.contents
        assert content.text.startswith("# Cat care\n\n")  # type: ignore[union-attr]


BAD_CALLS = [
    ("create_note", {"title": "   ", "body": "x"}, "needs a title"),
    ("create_note", {"title": "Huge", "body": "x" * 1_000_000}, "the limit is"),
    ("create_note", {"title": "Nul", "body": "a\x00b"}, "NUL byte"),
    ("create_note", {"title": "A target of bad calls", "body": "again"}, "already exists"),
    ("get_note", {"note": 999_999}, "does not exist"),
    ("get_note", {"note": "No such title"}, "No note is titled"),
    ("search_notes", {"query": "dog", "mode": "psychic"}, "“mode”"),
    ("search_notes", {"query": "dog", "project": "Nowhere"}, "No project is named"),
    ("search_notes", {"query": "a\x00b"}, "NUL byte"),
    ("search_notes", {}, "“query” is required"),
    ("related_notes", {}, "either a note"),
    (
        "update_note",
        {"note": "A target of bad calls", "expected_version": "one"},
        "expected_version",
    ),
    ("no_such_tool", {}, "no tool named"),
]


async def test_bad_input_is_a_tool_error_of_one_sentence_and_the_server_keeps_serving(
    kairos_env: dict[str, str],
) -> None:
    async with kairos_mcp(kairos_env) as client:
        await call(client, "create_note", title="A target of bad calls", body="Stays intact.")
        for tool, arguments, expected in BAD_CALLS:
            message = await error_of(client, tool, **arguments)
            assert expected in message, (tool, message)
            assert "Error executing tool" not in message
            assert "Traceback" not in message and "\n" not in message
        target = await call(client, "get_note", note="A target of bad calls")
        assert (target["body"], target["version"]) == ("Stays intact.", 1)


async def test_fifty_concurrent_searches_and_creates_are_all_answered(
    kairos_env: dict[str, str],
) -> None:
    async with kairos_mcp(kairos_env) as client:
        titles = [f"Concurrent note {i}" for i in range(25)]
        creates = [
            client.call_tool("create_note", {"title": t, "body": f"Body {t} about gardening."})
            for t in titles
        ]
        searches = [
            client.call_tool("search_notes", {"query": f"garden plants {i}", "limit": 5})
            for i in range(25)
        ]
        calls = [c for pair in zip(creates, searches, strict=True) for c in pair]
        results = await asyncio.gather(*calls)
        errors = [r.content for r in results if r.is_error]
        assert errors == []
        assert all(r.structured_content is not None for r in results)
        listed = await call(
            client, "search_notes", query="Concurrent note", mode="keyword", limit=50
        )
        assert {hit["title"] for hit in listed} >= set(titles)
        for title in titles:
            note = await call(client, "get_note", note=title)
            assert json.dumps(note)
