from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mockgenesys import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from mockgenesys.cli import build_parser, env_defaults, main


def test_cli_env_defaults() -> None:
    assert env_defaults({}) == {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET, "seed": 0}
    env = {"MOCKGENESYS_CLIENT_ID": "id", "MOCKGENESYS_CLIENT_SECRET": "s", "MOCKGENESYS_SEED": "9"}
    assert env_defaults(env) == {"client_id": "id", "client_secret": "s", "seed": 9}
    args = build_parser(env).parse_args(["serve"])
    assert (args.client_id, args.client_secret, args.seed, args.host, args.port) == ("id", "s", 9, "127.0.0.1", 8765)


def test_cli_bad_env_seed_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MOCKGENESYS_SEED", "seven")
    assert main(["serve"]) == 2
    assert "MOCKGENESYS_SEED must be a whole number" in capsys.readouterr().err


def test_cli_missing_world_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--world", str(tmp_path / "none.json")]) == 2
    assert "Cannot read the world file" in capsys.readouterr().err


@pytest.mark.live
@pytest.mark.parametrize("command", [["mockgenesys"], [sys.executable, "-m", "mockgenesys"]])
def test_cli_serve_runs_until_ctrl_c(tmp_path: Path, command: list[str]) -> None:
    info = tmp_path / "info.json"
    exe = [str(Path(sys.executable).parent / "mockgenesys")] if command == ["mockgenesys"] else command
    process = subprocess.Popen(
        [*exe, "serve", "--port", "0", "--seed", "7", "--info-file", str(info), "--client-id", "cli-id"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not info.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        facts = json.loads(info.read_text())
        assert set(facts) >= {"base_url", "ws_url", "org_id", "deployment_id", "client_id", "client_secret"}
        assert facts["client_id"] == "cli-id" and facts["base_url"].startswith("http://127.0.0.1:")
        response = httpx.post(
            facts["base_url"] + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(facts["client_id"], facts["client_secret"]),
        )
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert facts["base_url"] in out and facts["org_id"] in out and "Ctrl-C" in out


def test_cli_bad_faults_file_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "faults.yaml"
    rules.write_text("- then: {status: later}\n")
    assert main(["serve", "--port", "0", "--faults", str(rules)]) == 2
    assert "[0].then.status" in capsys.readouterr().err
