"""A Locust master and two worker processes on loopback drive 200 guests against a live mock.

The run is bounded (a few seconds of load); the verdict is the mock's: every text a guest asked
to send is stored exactly once (abandoned mid-send at the stop: at most once).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockgenesys import MockGenesys
from mockgenesys.serving import bind

pytestmark = pytest.mark.live
EXE = str(Path(sys.executable).parent / "mockgenesys")


@pytest.fixture
def mock_url() -> Iterator[tuple[MockGenesys, str]]:
    mock = MockGenesys(seed=11)
    with mock.serve() as url:
        yield mock, url


def _free_port() -> int:
    with bind() as sock:
        return int(sock.getsockname()[1])


def test_locust_master_and_two_workers_lose_and_duplicate_nothing(
    mock_url: tuple[MockGenesys, str], tmp_path: Path
) -> None:
    mock, url = mock_url
    (tmp_path / "load.yaml").write_text(
        "guest: {think_time: [0.3, 0.8], max_messages: 10, tasks: {send: 10, history: 2, refresh_jwt: 1, reconnect: 2}}\n"
        "platform: {weight: 0}\n",
        encoding="utf-8",
    )
    port = str(_free_port())
    verdict = tmp_path / "verdict.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = ["--users", "200", "--spawn-rate", "200", "--run-time", "3", "--config", str(tmp_path / "load.yaml")]
    distributed = ["--master", "--expect-workers", "2", "--master-port", port, "--stop-timeout", "5"]
    master = subprocess.Popen(
        [EXE, "load", "--host", url, *run, *distributed, "--verdict", str(verdict)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    workers = [
        subprocess.Popen(
            [EXE, "load", "--worker", "--master-port", port], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
        )
        for _ in range(2)
    ]
    try:
        out, _ = master.communicate(timeout=90)
        for worker in workers:
            worker.wait(timeout=30)
    finally:
        for proc in (master, *workers):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
    assert master.returncode == 0, out
    result = json.loads(verdict.read_text(encoding="utf-8"))
    assert result["passed"] and result["lost"] == 0 and result["duplicated"] == 0, result
    assert result["guests"] == 200 and result["stored_once"] >= 200, out
    assert result["reauth"]["get_jwt"] >= 1 and result["reauth"]["resume"] >= 1
    assert "PASS guest messages judged from the mock: 200 guests" in out
    assert "WS       message round trip" in out and "GET      GET /api/v2/webmessaging/messages" in out
    # The mock agrees on its own: 200 guest sessions were opened, every one by a Locust guest.
    assert len(mock.world.guest_sessions) >= 200
