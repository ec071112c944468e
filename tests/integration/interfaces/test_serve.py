"""`kairos serve`: the REST API and MCP over streamable HTTP, behind the bearer token,
on 127.0.0.1 only (one server process for the module, the real packaged model)."""

from __future__ import annotations

import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import psutil
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.integration.interfaces.conftest import KAIROS

pytestmark = pytest.mark.model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(kairos_env: dict[str, str]) -> Iterator[tuple[str, int]]:
    port = _free_port()
    process = subprocess.Popen([*KAIROS, "serve", "--port", str(port)], env=kairos_env)
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("kairos serve did not start") from None
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}", process.pid
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def token(server: tuple[str, int], kairos_env: dict[str, str], data_dir: Path) -> str:
    shown = subprocess.run(
        [*KAIROS, "serve", "--show-token"], env=kairos_env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    token_file = data_dir / "api-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert shown.stdout.strip() == token_file.read_text().strip()
    return shown.stdout.strip()


def test_the_server_listens_on_127_0_0_1_only(server: tuple[str, int]) -> None:
    _url, pid = server
    listening = [
        c for c in psutil.Process(pid).net_connections(kind="inet") if c.status == "LISTEN"
    ]
    assert listening
    assert {c.laddr.ip for c in listening} == {"127.0.0.1"}


async def test_calls_without_the_token_are_refused_with_401(
    server: tuple[str, int], token: str
) -> None:
    url, _ = server
    async with httpx.AsyncClient(base_url=url) as http:
        for path in ("/api/notes", "/api/keywords", "/mcp"):
            response = await http.get(path)
            assert response.status_code == 401
            assert "Authorization: Bearer" in response.json()["detail"]
        wrong = await http.get("/api/notes", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        docs = await http.get("/docs")
        assert docs.status_code == 200


async def test_the_rest_api_creates_reads_searches_relates_updates_and_deletes(
    server: tuple[str, int], token: str
) -> None:
    url, _ = server
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
        created = await http.post(
            "/api/notes",
            json={"title": "Bicycle repair", "body": "Patch the tyre tube and oil the chain."},
        )
        assert created.status_code == 201, created.text
        bike = created.json()
        assert created.headers["Location"] == f"/api/notes/{bike['id']}"
        other = await http.post(
            "/api/notes",
            json={
                "title": "Cycling maintenance",
                "body": "Fix a flat tire on the bike, then lubricate it. [[Bicycle repair]]",
                "keywords": ["bikes"],
            },
        )
        assert other.status_code == 201, other.text
        cycling = other.json()

        read = await http.get(f"/api/notes/{bike['id']}")
        assert read.status_code == 200
        assert read.json()["links_in"] == [{"id": cycling["id"], "title": "Cycling maintenance"}]
        assert read.headers["ETag"] == '"1"'

        listed = (await http.get("/api/notes", params={"keyword": "bikes"})).json()
        assert [n["id"] for n in listed["items"]] == [cycling["id"]]

        hits = (await http.get("/api/search", params={"q": "mending a bike puncture"})).json()
        assert hits[0]["id"] in {bike["id"], cycling["id"]}
        assert {h["id"] for h in hits[:2]} == {bike["id"], cycling["id"]}
        related = (await http.get(f"/api/notes/{bike['id']}/related")).json()
        assert related[0]["id"] == cycling["id"]
        assert (await http.get("/api/keywords")).json() == [{"keyword": "bikes", "notes": 1}]
        assert (await http.get("/api/projects")).json() == []

        patched = await http.patch(
            f"/api/notes/{bike['id']}", json={"body": "New tube."}, headers={"If-Match": "1"}
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["version"] == 2
        stale = await http.patch(
            f"/api/notes/{bike['id']}", json={"body": "Lost."}, headers={"If-Match": "1"}
        )
        assert stale.status_code == 409
        assert "nothing was overwritten" in stale.json()["detail"]
        unconditional = await http.patch(f"/api/notes/{bike['id']}", json={"body": "Lost."})
        assert unconditional.status_code == 428
        assert (await http.get(f"/api/notes/{bike['id']}")).json()["body"] == "New tube."

        deleted = await http.delete(f"/api/notes/{bike['id']}", headers={"If-Match": "2"})
        assert deleted.status_code == 204
        gone = await http.get(f"/api/notes/{bike['id']}")
        assert gone.status_code == 404
        assert gone.json() == {
            "detail": f"Note {bike['id']} does not exist (it may have been deleted)."
        }


async def test_bad_rest_input_is_a_4xx_with_one_sentence(
    server: tuple[str, int], token: str
) -> None:
    url, _ = server
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
        cases = [
            await http.post("/api/notes", json={"title": "", "body": "x"}),
            await http.post("/api/notes", json={"title": "Nul", "body": "a\x00b"}),
            await http.post("/api/notes", json={"body": "no title"}),
            await http.get("/api/search", params={"q": "x", "mode": "psychic"}),
            await http.get("/api/notes/abc"),
            await http.get("/api/search", params={"q": "x", "project": "Nowhere"}),
        ]
        for response in cases:
            assert 400 <= response.status_code < 500, response.text
            detail = response.json()["detail"]
            assert isinstance(detail, str) and "\n" not in detail and detail.endswith(".")


async def test_the_mcp_server_answers_over_http_with_the_token(
    server: tuple[str, int], token: str
) -> None:
    url, _ = server
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=120)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
        created = await client.call_tool(
            "create_note", {"title": "Over HTTP", "body": "Written through /mcp."}
        )
        assert not created.is_error, created.content
        note = created.structured_content
        assert note is not None
        found = await client.call_tool("search_notes", {"query": "Over HTTP", "mode": "keyword"})
        assert found.structured_content is not None
        assert found.structured_content["result"][0]["id"] == note["id"]
