"""`python -m bench [all|transport|faults|live|ws|soak|chaos|peers|fixtures|fuzz|load]`: benchmarks on loopback / in-process only.

See docs/benchmarks.md for the method and the figures. ``all`` (the default) runs every bench
with quick settings and prints one table per bench; ``--soak SECONDS`` adds a soak of that length.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import chaos, faults, fixtures, fuzz, live, load, peers, soak, transport, ws


def _transport(args: argparse.Namespace) -> tuple[Any, str]:
    rows = transport.run(n=args.n, rounds=args.rounds)
    return rows, transport.table(rows)


def _faults(args: argparse.Namespace) -> tuple[Any, str]:
    rows = faults.run(n=args.n, rounds=args.rounds, rule_count=args.rules)
    return rows, faults.table(rows)


def _live(args: argparse.Namespace) -> tuple[Any, str]:
    result = live.run(
        rounds=args.rounds, duration=args.duration, warmup=args.warmup, connections=args.connections, rules=args.rules
    )
    return result, live.table(result)


def _ws(args: argparse.Namespace) -> tuple[Any, str]:
    result = ws.run(sessions=args.sessions, rounds=args.ws_rounds)
    return result, ws.table(result)


def _soak(args: argparse.Namespace) -> tuple[Any, str]:
    result = soak.run(seconds=args.soak)
    return result, soak.table(result)


def _chaos(args: argparse.Namespace) -> tuple[Any, str]:
    result = chaos.run(guests=args.guests, scale=tuple(args.scale))
    return result, chaos.table(result)


def _peers(args: argparse.Namespace) -> tuple[Any, str]:
    result = peers.run(rounds=args.rounds, duration=args.duration, warmup=args.warmup, connections=args.connections)
    return result, live.table(result)


def _load(args: argparse.Namespace) -> tuple[Any, str]:
    rows = load.run(guests=args.load_guests, duration=args.duration)
    return rows, load.table(rows)


def _fixtures(args: argparse.Namespace) -> tuple[Any, str]:
    result = fixtures.run(tests=args.tests, rounds=args.rounds, suite=args.suite)
    return result, fixtures.table(result)


def _fuzz(args: argparse.Namespace) -> tuple[Any, str]:
    result = fuzz.run(cases=args.cases, frames=args.frames, slowloris=args.slowloris, seconds=args.fuzz_seconds)
    return result, fuzz.table(result)


def _guest_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected guest counts like 100,500,1000; got {text!r}") from None
    if any(n < 1 for n in counts):
        raise argparse.ArgumentTypeError(f"guest counts must be >= 1; got {text!r}")
    return counts


BENCHES: dict[str, Callable[[argparse.Namespace], tuple[Any, str]]] = {
    "transport": _transport,
    "faults": _faults,
    "live": _live,
    "ws": _ws,
    "soak": _soak,
    "chaos": _chaos,
    "peers": _peers,
    "fixtures": _fixtures,
    "fuzz": _fuzz,
    "load": _load,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="mockgenesys benchmarks (loopback / in-process only, bounded runs)."
    )
    parser.add_argument("command", nargs="?", default="all", choices=["all", *BENCHES])
    parser.add_argument("--n", type=int, help="in-process requests per measurement (default 3000; all: 2000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds; medians are reported (default 3)")
    parser.add_argument("--rules", type=int, default=100, help="installed fault rules for faults/live (default 100)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measured live run (default 5)")
    parser.add_argument(
        "--warmup", type=float, help="seconds of warm-up per live workload (default 2; peers: 10, for the JIT peers)"
    )
    parser.add_argument("--connections", type=int, default=32, help="live load connections (default 32)")
    parser.add_argument("--sessions", type=int, default=10_000, help="guest WebSocket sessions (default 10000)")
    parser.add_argument("--ws-rounds", type=int, default=10, help="messages per guest session (default 10)")
    parser.add_argument("--soak", type=float, help="soak seconds (soak: default 60; all: no soak unless given)")
    parser.add_argument("--guests", type=int, default=100, help="chaos: guests per library scenario (default 100)")
    parser.add_argument(
        "--scale",
        type=_guest_counts,
        help=f"chaos: guest counts of the scale runs (default {','.join(map(str, chaos.SCALE_GUESTS))}; all: 100,500)",
    )
    parser.add_argument("--tests", type=int, default=300, help="fixtures: tests of each kind per round (default 300)")
    parser.add_argument(
        "--suite", type=int, default=1000, help="fixtures: tests in the suite-overhead run (default 1000)"
    )
    parser.add_argument("--cases", type=int, default=12_000, help="fuzz: REST cases (default 12000)")
    parser.add_argument("--frames", type=int, default=120_000, help="fuzz: guest frames (default 120000)")
    parser.add_argument("--slowloris", type=int, default=1000, help="fuzz: slow connections (default 1000)")
    parser.add_argument("--fuzz-seconds", type=float, default=600.0, help="fuzz: time cap in seconds (default 600)")
    parser.add_argument(
        "--load-guests", type=int, default=500, help="load: Locust guests per cell (default 500; all: 200)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"), help="where the JSON results go")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quick = args.command == "all"
    if args.n is None:
        args.n = 2000 if quick else 3000
    if args.rounds is None:
        args.rounds = 5 if args.command == "faults" else 3
    if args.warmup is None:
        args.warmup = 10.0 if args.command == "peers" else 2.0
    if args.scale is None:
        args.scale = [100, 500] if quick else list(chaos.SCALE_GUESTS)
    if quick and args.load_guests == 500:
        args.load_guests = 200
    if args.command == "soak" and args.soak is None:
        args.soak = 60.0
    chosen = list(BENCHES) if quick else [args.command]
    if quick:
        chosen.remove("peers")  # installs npm packages and takes minutes: only when asked for
        chosen.remove("fuzz")  # minutes of hostile load: only when asked for
        if args.soak is None:
            chosen.remove("soak")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            data, text = BENCHES[name](args)
        except (RuntimeError, ValueError) as exc:  # a missing tool, a server that would not start...
            print(f"[bench] {name} failed: {exc}", file=sys.stderr, flush=True)
            return 2
        print(f"\n## {name}\n\n{text}\n", flush=True)
        (args.out / f"{name}.json").write_text(
            json.dumps({"python": platform.python_version(), "machine": platform.machine(), "result": data}, indent=2)
        )
        if name == "soak" and not data["plateau"]["flat"]:
            return 1  # the verdict line above says why; a CI job fails on it
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
