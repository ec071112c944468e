"""`kairos run` (and a plain `streamlit run` of the app) listen on 127.0.0.1 only, whatever
the working directory and its configuration; another address needs KAIROS_ALLOW_REMOTE=1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[3]
KAIROS = Path(sys.executable).parent / "kairos"
START_TIMEOUT = 90

# What another project's working directory may hold: every interface, telemetry on.
HOSTILE_CONFIG = """
[server]
address = "0.0.0.0"
[browser]
gatherUsageStats = true
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env.update(KAIROS_DATA_DIR=str(tmp_path / "data"), DATABASE_URL_SYNC="", HOME=str(tmp_path))
    return env


@contextmanager
def serving(command: list[str], cwd: Path, port: int) -> Iterator[tuple[psutil.Process, Path]]:
    log_path = cwd / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=cwd, env=env_for(cwd), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not healthy(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start; its log:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield psutil.Process(server.pid), log_path
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def listening_addresses(process: psutil.Process) -> set[str]:
    return {
        conn.laddr.ip
        for conn in process.net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    }


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory that is not the checkout, with a hostile Streamlit config."""
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(HOSTILE_CONFIG)
    return tmp_path


def test_kairos_run_started_from_another_directory_binds_127_0_0_1_only(elsewhere: Path) -> None:
    port = free_port()
    with serving([str(KAIROS), "run", "--port", str(port), "--headless"], elsewhere, port) as (
        process,
        log_path,
    ):
        assert listening_addresses(process) == {"127.0.0.1"}
        log = log_path.read_text()
    assert "Network URL" not in log
    assert f"http://localhost:{port}" in log


def test_a_plain_streamlit_run_from_another_directory_reads_the_apps_own_configuration(
    tmp_path: Path,
) -> None:
    port = free_port()
    app = ROOT / "streamlit_app" / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port)]
    with serving([*command, "--server.headless", "true"], tmp_path, port) as (process, _log):
        assert listening_addresses(process) == {"127.0.0.1"}


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.10", "::"])
def test_kairos_run_refuses_a_remote_address_without_the_explicit_opt_in(
    tmp_path: Path, address: str
) -> None:
    result = subprocess.run(
        [str(KAIROS), "run", "--address", address, "--headless"],
        cwd=tmp_path,
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "KAIROS_ALLOW_REMOTE=1" in result.stderr
    assert "Traceback" not in result.stderr
