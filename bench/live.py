"""Live throughput, latency, startup and memory: `mockgenesys serve` vs bare Starlette, same stack.

Each server runs pinned to one core (``taskset -c 0``), the load generator to the other (wrk -t1
-c32, or the Python fallback), on 127.0.0.1. Rounds are interleaved (seeded shuffle of the server
order per round) and every server start measures: spawn → first answered request, idle RSS after
a settle, a correctness probe, a short warm-up per workload, the measured runs, RSS after load.
"""

from __future__ import annotations

import functools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import faults as fault_bench
from bench import procs
from bench.loadgen import Workload, ensure_wrk, run_load
from mockgenesys import MockGenesys

SEED = 0
FORM = "application/x-www-form-urlencoded"
ROOT = Path(__file__).resolve().parent.parent
#: Limits stay on (every window is counted and checked) but are raised so the load is not 429'd.
RAISED_LIMITS = ("token_per_minute", "client_per_minute", "org_history_per_second")
HIGH = 1_000_000_000
#: A run during which the rest of the machine used more than this (% of one core) is noisy.
QUIET_OTHER_PCT = 25.0


def _world_facts() -> dict[str, Any]:
    """Credentials, a 25+ message conversation and the mock's own bodies (for the baseline)."""
    mock = MockGenesys(seed=SEED, limits={"enabled": False})
    conversation = next(c for c in mock.world.conversations.values() if len(c.messages) >= 25)
    form = f"grant_type=client_credentials&client_id={mock.client_id}&client_secret={mock.client_secret}"
    path = f"/api/v2/conversations/messaging/{conversation.id}/messages?pageSize=25"
    with httpx.Client(transport=mock.transport(), base_url="http://127.0.0.1") as http:
        token_body = http.post("/oauth/token", content=form, headers={"content-type": FORM}).content
        token = json.loads(token_body)["access_token"]
        history_body = http.get(path, headers={"authorization": f"Bearer {token}"}).content
    return {"form": form, "history_path": path, "token_body": token_body, "history_body": history_body}


def _servers_mock_only() -> list[str]:
    """``mockgenesys serve`` with every limit on, the three the load would trip raised."""
    limits = [arg for name in RAISED_LIMITS for arg in ("--limit", f"{name}={HIGH}")]
    return [sys.executable, "-m", "mockgenesys", "serve", "--port", "{port}", "--seed", str(SEED), "--quiet", *limits]


def _servers(tmp: Path, rules: int) -> dict[str, list[str]]:
    mock = _servers_mock_only()
    servers = {
        "starlette (bare)": [
            sys.executable, "-m", "uvicorn", "bench.baseline_app:app", "--host", procs.HOST, "--port", "{port}",
            "--loop", "uvloop", "--http", "httptools", "--lifespan", "off", "--no-access-log",
            "--log-level", "warning",
        ],
        "mockgenesys": mock,
    }  # fmt: skip
    if rules:
        path = tmp / "rules.json"
        path.write_text(json.dumps(fault_bench._rules(rules)))
        servers[f"mockgenesys +{rules} rules"] = [*mock, "--faults", str(path)]
    return servers


def _probe(port: int, facts: dict[str, Any], *, peer: bool = False) -> str:
    """Check the answers before loading the server; returns the bearer token to load with.

    A ``peer`` (a static stub server) must answer the token call with the mock's own body and may
    answer any 4xx without a token; the others must answer a bad grant with 400 and no token with 401.
    """
    status, body = procs.request(port, "POST", "/oauth/token", facts["form"], {"content-type": FORM})
    if status != 200 or (peer and json.loads(body) != json.loads(facts["token_body"])):
        raise RuntimeError(f"token call answered {status}: {body[:200]!r}")
    token = str(json.loads(body)["access_token"])
    if not peer:
        status, _ = procs.request(port, "POST", "/oauth/token", "grant_type=password", {"content-type": FORM})
        if status != 400:
            raise RuntimeError(f"a bad grant answered {status}, expected 400")
    status, body = procs.request(port, "GET", facts["history_path"], None, {"authorization": f"Bearer {token}"})
    page = json.loads(body) if status == 200 else {}
    if len(page.get("entities", [])) != 25:
        raise RuntimeError(f"history answered {status} with {len(page.get('entities', []))} entities, expected 25")
    status, _ = procs.request(port, "GET", facts["history_path"])
    if status != 401 and not (peer and 400 <= status < 500):
        raise RuntimeError(f"history without a token answered {status}, expected {'a 4xx' if peer else 401}")
    return token


Probe = Callable[[int, dict[str, Any]], str]


def _start(
    cmd: list[str], facts: dict[str, Any], *, env: dict[str, str] | None = None, log: Path | None = None
) -> procs.Started:
    """Start ``cmd`` on a free port (``{port}`` filled in), pinned to core 0, from the checkout."""
    port = procs.free_port()
    ready = ("POST", "/oauth/token", facts["form"], {"content-type": FORM})
    cmd = [part.replace("{port}", str(port)) for part in cmd]
    return procs.start(cmd, port, ready, cpu=0, env=env, cwd=ROOT, log=log)


def _workloads(facts: dict[str, Any], token: str) -> list[Workload]:
    """The two loads: issue a token, read a 25-message history page with ``token``."""
    return [
        Workload("token", "POST", "/oauth/token", {"Content-Type": FORM}, facts["form"]),
        Workload("history", "GET", facts["history_path"], {"Authorization": f"Bearer {token}"}),
    ]


def _one_start(
    name: str,
    cmd: list[str],
    facts: dict[str, Any],
    env: dict[str, str],
    args: dict[str, Any],
    log: Path,
    probe: Probe = _probe,
) -> dict[str, Any]:
    started = _start(cmd, facts, env=env, log=log)
    record: dict[str, Any] = {"server": name, "startup_ms": started.startup_ms}
    try:
        time.sleep(args["settle"])
        record["idle_rss_mib"] = procs.rss_mib(started.proc.pid)
        load = functools.partial(run_load, started.url, connections=args["connections"], wrk=args["wrk"])
        for workload in _workloads(facts, probe(started.port, facts)):
            if args["warmup"] > 0:
                load(workload, duration=args["warmup"])
            cpu_before = procs.cpu_seconds(started.proc.pid)
            busy_before, gen_before = procs.busy_seconds(), procs.children_cpu_seconds()
            result = load(workload, duration=args["duration"])
            if "error" not in result:
                server = procs.cpu_seconds(started.proc.pid) - cpu_before
                generator = procs.children_cpu_seconds() - gen_before
                other = procs.busy_seconds() - busy_before - server - generator
                result["server_cpu_pct"] = 100 * server / args["duration"]
                result["cpu_us_per_req"] = 1e6 * server / max(1, result["requests"])
                # CPU used by anything else on the machine meanwhile: noise (other work on the cores).
                result["other_cpu_pct"] = 100 * other / args["duration"]
            record[workload.name] = result
        record["loaded_rss_mib"] = procs.rss_mib(started.proc.pid)
    except (RuntimeError, OSError, ValueError) as exc:
        record["error"] = str(exc)
    finally:
        procs.stop(started.proc)
    return record


def run(
    *,
    rounds: int = 3,
    duration: float = 5.0,
    warmup: float = 2.0,
    connections: int = 32,
    rules: int = 100,
    settle: float = 1.0,
    seed: int = 1,
    install_wrk: bool = True,
    extra: Callable[[Path, dict[str, Any]], dict[str, tuple[list[str], Probe]]] | None = None,
) -> dict[str, Any]:
    """Median figures per server over interleaved rounds, plus every raw record.

    ``extra(tmp, facts)`` adds servers (command line and probe by name) to the same rounds.
    """
    wrk = ensure_wrk(install=install_wrk)
    facts = _world_facts()
    args = {"duration": duration, "warmup": warmup, "connections": connections, "settle": settle, "wrk": wrk}
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mockgenesys-live-") as name:
        tmp = Path(name)
        (tmp / "token.json").write_bytes(facts["token_body"])
        (tmp / "history.json").write_bytes(facts["history_body"])
        env = {**os.environ, "MOCKGENESYS_BENCH_FIXTURES": str(tmp)}
        servers: dict[str, tuple[list[str], Probe]] = {
            name: (cmd, _probe) for name, cmd in _servers(tmp, rules).items()
        }
        if extra is not None:
            servers.update(extra(tmp, facts))
        for round_no in range(1, rounds + 1):
            order = list(servers)
            random.Random(seed + round_no).shuffle(order)
            for server in order:
                cmd, probe = servers[server]
                log = tmp / f"{round_no}-{server.split()[0]}.log"
                record = _one_start(server, cmd, facts, env, args, log, probe)
                record["round"] = round_no
                print(f"[bench live] round {round_no}/{rounds} {_line(record)}", file=sys.stderr, flush=True)
                records.append(record)
    return {"generator": "wrk" if wrk else "python", "connections": connections, "rows": _medians(records, servers),
            "records": records}  # fmt: skip


def _line(record: dict[str, Any]) -> str:
    if "error" in record:
        return f"{record['server']}: ERROR {record['error']}"
    parts = [f"{record['server']}: start {record['startup_ms']:.0f} ms, idle {record['idle_rss_mib']:.1f} MiB"]
    for name in ("token", "history"):
        r = record.get(name, {})
        if "error" in r:
            parts.append(f"{name} ERROR {r['error']}")
        elif r:
            parts.append(
                f"{name} {r['rps']:,.0f} req/s p99 {r['p99_us'] / 1000:.2f} ms non-2xx {r['non2xx']} "
                f"{r['cpu_us_per_req']:.0f} µs CPU/req, other CPU {r['other_cpu_pct']:.0f} %"
            )
    return "; ".join(parts)


def _medians(records: list[dict[str, Any]], servers: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for server in servers:
        good = [r for r in records if r["server"] == server and "error" not in r]
        row: dict[str, Any] = {"server": server, "starts": len(good)}
        if good:
            row["startup_ms"] = statistics.median(r["startup_ms"] for r in good)
            row["idle_rss_mib"] = statistics.median(r["idle_rss_mib"] for r in good)
            row["loaded_rss_mib"] = statistics.median(r["loaded_rss_mib"] for r in good)
            for name in ("token", "history"):
                every = [r[name] for r in good if "error" not in r[name]]
                # Other work on the machine skews a run: use the quiet runs when there are any.
                quiet = [x for x in every if x["other_cpu_pct"] < QUIET_OTHER_PCT]
                runs = quiet or every
                row[name] = {
                    "rps": statistics.median(x["rps"] for x in runs),
                    "p50_ms": statistics.median(x["p50_us"] for x in runs) / 1000,
                    "p99_ms": statistics.median(x["p99_us"] for x in runs) / 1000,
                    "non2xx": sum(x["non2xx"] + x["errors"] for x in runs),
                    "cpu_us_per_req": statistics.median(x["cpu_us_per_req"] for x in runs),
                    "other_cpu_pct": statistics.median(x["other_cpu_pct"] for x in runs),
                    "quiet_runs": f"{len(quiet)}/{len(every)}",
                    "rps_min": min(x["rps"] for x in runs),
                    "rps_max": max(x["rps"] for x in runs),
                }
        rows.append(row)
    return rows


def table(result: dict[str, Any]) -> str:
    rows = result["rows"]
    bare = next((r for r in rows if r["server"] == "starlette (bare)" and "token" in r), None)
    lines = [
        f"load generator: {result['generator']}, 1 thread, {result['connections']} connections",
        "| server | startup ms | idle RSS MiB | token req/s | token p99 ms | history req/s | history p99 ms "
        "| vs bare (token / history) | server CPU µs/req (token / history) | non-2xx | RSS after load MiB "
        "| other CPU % | quiet runs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "token" not in r:
            lines.append(f"| {r['server']} | failed |")
            continue
        t, h = r["token"], r["history"]
        ratio = f"{t['rps'] / bare['token']['rps']:.2f}x / {h['rps'] / bare['history']['rps']:.2f}x" if bare else "-"
        lines.append(
            f"| {r['server']} | {r['startup_ms']:.0f} | {r['idle_rss_mib']:.1f} | {t['rps']:,.0f} | {t['p99_ms']:.2f} "
            f"| {h['rps']:,.0f} | {h['p99_ms']:.2f} | {ratio} | {t['cpu_us_per_req']:.0f} / {h['cpu_us_per_req']:.0f} "
            f"| {t['non2xx'] + h['non2xx']} | {r['loaded_rss_mib']:.1f} "
            f"| {max(t['other_cpu_pct'], h['other_cpu_pct']):.0f} | {t['quiet_runs']} / {h['quiet_runs']} |"
        )
    return "\n".join(lines)
