"""Guest WebSocket capacity: N concurrent in-process guest sessions in one process, RSS and messages/s.

Every guest opens ``mock.connect_guest()``, configures a session (a new session and conversation
each), then each round every guest sends one ``onMessage`` and reads what the mock sent back
(its echo, plus agent events). The mock runs on a ``VirtualClock`` advanced one second per round,
so the per-session limits (2 messages/s, 60 requests/min) stay on and are honoured, and the agent
simulation runs as it would. Run in a child process so its RSS is the mock's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

from bench.procs import rss_mib

MAX_SESSIONS = 50_000
MAX_ROUNDS = 60


def run(sessions: int = 10_000, rounds: int = 5) -> dict[str, Any]:
    """Run the capacity bench in a fresh child process; its JSON result."""
    cmd = [sys.executable, "-m", "bench.ws", "--sessions", str(sessions), "--rounds", str(rounds)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("WS_RESULT "):
            result: dict[str, Any] = json.loads(line[len("WS_RESULT ") :])
            return result
    raise RuntimeError(f"the WebSocket bench failed (exit {out.returncode}): {out.stderr.strip()[-500:]}")


async def _measure(sessions: int, rounds: int) -> dict[str, Any]:
    from mockgenesys import MockGenesys, VirtualClock

    clock = VirtualClock()
    mock = MockGenesys(seed=3, clock=clock, conversations=0, contacts=0)
    pid = os.getpid()
    base_rss = rss_mib(pid)
    received = 0
    async with contextlib.AsyncExitStack() as stack:
        started = time.perf_counter()
        guests = [await stack.enter_async_context(mock.connect_guest()) for _ in range(sessions)]
        for n, guest in enumerate(guests):
            await guest.send(
                json.dumps(
                    {"action": "configureSession", "token": f"guest-{n:08d}", "deploymentId": mock.deployment_id}
                )
            )
        for guest in guests:
            frames = guest.pending()
            if not frames or '"SessionResponse"' not in frames[0]:
                raise RuntimeError(f"configureSession failed: {frames[:1]}")
            received += len(frames)
        connect_s = time.perf_counter() - started
        connected_rss = rss_mib(pid)
        sent = 0
        errors = 0
        started = time.perf_counter()
        for round_no in range(rounds):
            clock.advance(1.0)
            for n, guest in enumerate(guests):
                message = {"type": "Text", "text": f"round {round_no} from guest {n}"}
                await guest.send(json.dumps({"action": "onMessage", "token": f"guest-{n:08d}", "message": message}))
                sent += 1
            for guest in guests:
                frames = guest.pending()
                received += len(frames)
                errors += sum('"class":"TooManyRequestsErrorMessage"' in f or '"class":"string"' in f for f in frames)
        load_s = time.perf_counter() - started
        loaded_rss = rss_mib(pid)
        open_sockets = sum(not guest.closed for guest in guests)
    return {
        "sessions": sessions,
        "open_after_load": open_sockets,
        "rounds": rounds,
        "connect_s": connect_s,
        "sessions_per_s": sessions / connect_s,
        "messages_sent": sent,
        "frames_received": received,
        "error_frames": errors,
        "load_s": load_s,
        "messages_per_s": sent / load_s,
        "frames_per_s": received / load_s,
        "rss_base_mib": base_rss,
        "rss_connected_mib": connected_rss,
        "rss_loaded_mib": loaded_rss,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "journal_entries": len(mock.journal),
    }


def table(result: dict[str, Any]) -> str:
    r = result
    return "\n".join(
        [
            "| sessions | open after load | connect s | messages sent | messages/s | frames out/s | error frames "
            "| RSS before MiB | RSS connected MiB | RSS after load MiB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['sessions']:,} | {r['open_after_load']:,} | {r['connect_s']:.1f} | {r['messages_sent']:,} "
            f"| {r['messages_per_s']:,.0f} | {r['frames_per_s']:,.0f} | {r['error_frames']} | {r['rss_base_mib']:.0f} "
            f"| {r['rss_connected_mib']:.0f} | {r['rss_loaded_mib']:.0f} |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ws")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS or not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--sessions 1..{MAX_SESSIONS}, --rounds 1..{MAX_ROUNDS}")
    result = asyncio.run(_measure(args.sessions, args.rounds))
    print("WS_RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
