"""`python -m bench transport|faults [--n N] [--rounds R]`: in-process benchmarks (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

from bench import faults, transport


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="mockgenesys benchmarks (loopback / in-process only)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    inproc = commands.add_parser("transport", help="mock.transport() vs httpx.ASGITransport vs httpx.MockTransport")
    inproc.add_argument("--n", type=int, default=3000, help="requests per measurement (default 3000)")
    inproc.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    inproc.add_argument("--out", type=Path, default=Path("bench/results"), help="where the JSON results go")
    overhead = commands.add_parser("faults", help="fault-engine overhead: 0 vs 100 installed rules")
    overhead.add_argument("--n", type=int, default=3000, help="requests per measurement (default 3000)")
    overhead.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the median is reported")
    overhead.add_argument("--rules", type=int, default=100, help="how many rules to install (default 100)")
    overhead.add_argument("--out", type=Path, default=Path("bench/results"), help="where the JSON results go")
    args = parser.parse_args()
    if args.command == "transport":
        rows = transport.run(n=args.n, rounds=args.rounds)
        print(transport.table(rows))
    else:
        rows = faults.run(n=args.n, rounds=args.rounds, rule_count=args.rules)
        print(faults.table(rows))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.command}.json").write_text(
        json.dumps({"python": platform.python_version(), "rows": rows}, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
