"""A real `streamlit run` of Kairos and Debian's Chromium driven by Playwright.

The server runs as a person would run it: the default settings (the packaged
all-MiniLM-L6-v2 model, the embedded PostgreSQL) in a temporary data dir. It is stopped with
SIGTERM so that pgserver stops the PostgreSQL it started; the fixture checks that it did.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Browser, sync_playwright

from pkm_core.infrastructure.settings import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium stalls on a closed network (updates, sync, first-run probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 120  # seconds: the first start creates the embedded database cluster
STOP_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _postmaster(pgdata: Path) -> psutil.Process | None:
    """The embedded server's main process, if it runs."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
        process = psutil.Process(pid)
        return process if process.name().startswith("postgres") else None
    except (OSError, ValueError, IndexError, psutil.Error):
        return None


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is not installed (install the Debian package `chromium`; "
            "`make test` and CI do): the browser tests need it"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def kairos_url(chromium_path: Path, server_dirs: Callable[[str], Path]) -> Iterator[str]:
    """`streamlit run streamlit_app/app.py` on a free port with a fresh data dir."""
    data_dir = server_dirs("kairos-browser")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env.update(
        KAIROS_DATA_DIR=str(data_dir),
        KAIROS_EMBEDDING_MODEL=DEFAULT_MODEL,
        # Empty URLs win over a developer's .env: the embedded server is used.
        DATABASE_URL_SYNC="",
        DATABASE_URL_ASYNC="",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    log_path = data_dir / "streamlit.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "streamlit_app" / "app.py"),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; its log:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(server, data_dir / "pgdata")


def _stop(server: subprocess.Popen[bytes], pgdata: Path) -> None:
    """SIGTERM (a clean exit lets pgserver stop PostgreSQL), then check nothing is left."""
    postmaster = _postmaster(pgdata)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        pytest.fail("streamlit did not stop on SIGTERM")
    if postmaster is None:
        return
    try:
        postmaster.wait(STOP_TIMEOUT)
    except psutil.TimeoutExpired:
        postmaster.terminate()  # do not leave a server behind, but say so
        pytest.fail("the embedded PostgreSQL outlived the app")


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
