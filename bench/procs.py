"""Server processes for the live benchmarks: start pinned in their own group, probe, measure, stop."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
#: The static 400 and 401 bodies of the bare baseline and the peers (the mock's own wording).
BAD_GRANT = b'{"error":"unsupported_grant_type","description":"grant type not supported"}'
NO_AUTH = b'{"message":"No authentication bearer token specified in authorization header.","status":401}'


@dataclass
class Started:
    """A running server process and how long it took to answer its first request."""

    proc: subprocess.Popen[bytes]
    port: int
    startup_ms: float

    @property
    def url(self) -> str:
        """The base URL it serves on, ``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def request(
    port: int, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=3.0)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def pin(cpu: int | None) -> list[str]:
    """The ``taskset -c <cpu>`` prefix that pins a command to one core; none without ``cpu`` or taskset."""
    return ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []


def start(
    cmd: list[str],
    port: int,
    ready: tuple[str, str, str | None, dict[str, str]],
    *,
    cpu: int | None = 0,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    timeout_s: float = 30.0,
) -> Started:
    """Spawn ``cmd`` (pinned to ``cpu``) in its own process group; wait for a 200 on ``ready``."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*pin(cpu), *cmd], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
    )
    method, path, body, headers = ready
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd[:4]} exited with {proc.returncode} before answering (log: {log})")
        try:
            if request(port, method, path, body, headers)[0] == 200:
                return Started(proc, port, (time.perf_counter() - started) * 1000.0)
        except OSError:
            pass
        if time.perf_counter() - started > timeout_s:
            stop(proc)
            raise RuntimeError(f"{cmd[:4]} did not answer within {timeout_s:.0f} s (log: {log})")
        time.sleep(0.002)


def _stat(pid: int | str) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first); [] once the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return stat[stat.rfind(")") + 2 :].split()


def _tree(pid: int) -> Iterator[int]:
    """``pid`` and its live descendants, from one pass over /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(entry)):
            children.setdefault(int(fields[1]), []).append(int(entry))
    todo = [pid]
    while todo:  # each list is popped once, so the walk ends even if a reused pid made a cycle
        current = todo.pop()
        todo.extend(children.pop(current, ()))
        yield current


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MiB."""
    total = 0
    for member in _tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its live descendants (threads included)."""
    ticks = sum(int(fields[11]) + int(fields[12]) for fields in map(_stat, _tree(pid)) if fields)
    return ticks / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (pgid = its pid), SIGKILL after 10 s."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass
    proc.wait()


def busy_seconds() -> float:
    """CPU seconds spent busy by the whole machine since boot (all cores, steal excluded)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle - fields[7]) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """User + system CPU of this process's finished children (the load generator runs)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
