"""The worker processes of ``serve --workers N``: started, awaited, watched and stopped together.

Each worker is ``python -m mockgenesys.cluster.worker`` with its settings in one environment
variable (``MOCKGENESYS_WORKER``, JSON: shard index, the ``MockGenesys`` options, the fault file,
the host and where to write its URL). It binds a free port on the cluster's host, writes its base
URL to the info file once it accepts connections, and stops with SIGTERM, or by itself when the
process that started it is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mockgenesys.errors import ConfigError

ENV_WORKER = "MOCKGENESYS_WORKER"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
#: How often a worker checks that the process that started it is still there.
ORPHAN_CHECK_SECONDS = 1.0


@contextlib.contextmanager
def start_workers(
    count: int, *, first_shard: int, options: Mapping[str, Any], faults_file: str | None, host: str
) -> Iterator[list[str]]:
    """Start ``count`` workers (shards ``first_shard``…); yields their base URLs once all accept connections."""
    with tempfile.TemporaryDirectory(prefix="mockgenesys-workers-") as folder:
        procs: list[subprocess.Popen[bytes]] = []
        infos = [Path(folder) / f"worker-{first_shard + n}.json" for n in range(count)]
        try:
            for n, info in enumerate(infos):
                settings = {
                    "shard": first_shard + n,
                    "options": dict(options),
                    "faults_file": faults_file,
                    "host": host,
                    "info_file": str(info),
                    "parent": os.getpid(),
                }
                env = {**os.environ, ENV_WORKER: json.dumps(settings)}
                procs.append(subprocess.Popen([sys.executable, "-m", "mockgenesys.cluster.worker"], env=env))
            yield [_wait_for(info, proc) for info, proc in zip(infos, procs, strict=True)]
        finally:
            _stop(procs)


def shared_secrets(options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` for every worker of one cluster: one JWT key for all, so a guest JWT one worker
    signs verifies on every other. ``jwt_secret`` and ``deterministic_secrets`` (``serve
    --jwt-secret`` / ``--deterministic-secrets``) pass through as given; with neither, the
    cluster draws one random secret (new in every run, as a single process's key is)."""
    shared = dict(options)
    if shared.get("jwt_secret") is None and not shared.get("deterministic_secrets"):
        shared["jwt_secret"] = secrets.token_urlsafe(32)
    return shared


def _wait_for(info: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if info.exists():
            return str(json.loads(info.read_text(encoding="utf-8"))["base_url"])
        if proc.poll() is not None:
            raise ConfigError(
                f"a --workers process exited with status {proc.returncode} before serving; run without --workers "
                "to see why."
            )
        time.sleep(0.02)
    raise ConfigError(f"a --workers process did not start serving within {START_TIMEOUT:g} s.")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def worker_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The worker's settings, from ``MOCKGENESYS_WORKER`` (the one place a worker reads the environment)."""
    env = os.environ if environ is None else environ
    try:
        settings = json.loads(env[ENV_WORKER])
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"{ENV_WORKER} must hold the worker's settings as JSON ({exc}); 'serve --workers' sets it."
        ) from None
    if not isinstance(settings, dict):
        raise ConfigError(f"{ENV_WORKER} must hold a JSON object; 'serve --workers' sets it.")
    return settings


def watch_parent(parent: int) -> None:
    """Stop this worker (SIGTERM to itself, so uvicorn shuts down cleanly) once ``parent`` is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="mockgenesys-orphan-watch", daemon=True).start()
