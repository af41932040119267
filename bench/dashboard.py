"""What the dashboard's live feed costs the mock.

`python -m bench.dashboard [--rows N] [--rounds R] [--duration S] [--no-live] [--browser]`

In-process, on CPU time (best round): one feed tick that sends ``--rows`` new journal rows (µs per
row), an idle tick that rebuilds and compares the state (clock, fault rules, 100 rate-limit
windows), and grading a full journal of 100,000 rows (done off the event loop, once per
``CHECK_SPACING`` times its own cost). Live (``mockgenesys serve`` pinned to core 0, wrk and the
feed's reader on core 1): history-page throughput, p99 latency and server CPU per request with no
page open and with one open feed (``curl -N`` reading ``/__admin/events``), rounds interleaved.
With no page open the feed does not exist: ``bench.calls`` measures that hot path.

``--browser`` (needs selenium and Debian's chromium and chromium-driver) opens the page in headless
Chromium during one more load run and reports how smoothly it kept drawing: the gaps between
animation frames, the browser's long tasks, the rows it held and its JavaScript heap.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

from bench import procs
from bench.calls import _requests
from bench.loadgen import Workload, ensure_wrk, run_load
from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.dashboard import Feed
from mockgenesys.dashboard.feed import grade

JOURNAL_ROWS = 100_000
#: Chromium flags for a headless run on a machine without a network.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)
_WATCH = """
window.gaps = []; let last = performance.now();
const frame = (t) => { window.gaps.push(t - last); last = t; requestAnimationFrame(frame); };
requestAnimationFrame(frame);
window.longs = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longs.push(e.duration); })
  .observe({type: "longtask"});
"""
_READ = """
const g = window.gaps.slice(1).sort((a, b) => a - b);
return {"frames": g.length, "frame gap p50 ms": g[Math.floor(g.length * 0.5)],
        "frame gap p99 ms": g[Math.floor(g.length * 0.99)], "frame gap max ms": g[g.length - 1],
        "long tasks": window.longs.length, "longest task ms": Math.max(0, ...window.longs),
        "rows held": document.getElementById("journal-count").textContent,
        "JS heap MB": performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null};
"""
#: The order ``--browser`` prints the page's figures in.
PAGE_FIGURES = (
    "rows/s",
    "frames",
    "frame gap p50 ms",
    "frame gap p99 ms",
    "frame gap max ms",
    "long tasks",
    "longest task ms",
    "rows held",
    "JS heap MB",
)


def _mock(rows: int) -> MockGenesys:
    """A mock whose journal holds ``rows`` history-page requests (the realistic row)."""
    mock = MockGenesys(seed=7, clock=VirtualClock(), limits={"enabled": False})
    _fill(mock, rows)
    return mock


def _fill(mock: MockGenesys, rows: int) -> None:
    make = _requests(mock)["history"]
    for _ in range(rows):
        mock.server.handle(make())


def feed_costs(rows: int, rounds: int) -> dict[str, float]:
    """Best-round CPU costs of the feed's work, in-process."""
    mock = _mock(JOURNAL_ROWS)
    for n in range(100):  # windows for the limits view to report
        mock.server.limiter.window("ws_messages", f"session-{n}", 2, 1.0, mock.clock.now()).hit(mock.clock.now())
    ticks = itertools.count()
    page = Feed(mock, after=mock.journal.total, clock=lambda: float(next(ticks)))  # the state is always due
    page.tick()
    per_row = idle = float("inf")
    for _ in range(rounds):
        _fill(mock, rows)
        start = time.process_time()
        page.tick()
        per_row = min(per_row, (time.process_time() - start) / rows * 1e6)
        start = time.process_time()
        for _ in range(100):
            page.tick()
        idle = min(idle, (time.process_time() - start) / 100 * 1e6)
    table = mock.journal.rows_after(0, len(mock.journal))
    start = time.process_time()
    grade(table)
    grading = (time.process_time() - start) * 1000
    return {"tick µs per row": per_row, "idle tick µs": idle, f"grade {len(table):,} rows ms": grading}


def _serve(port: int) -> procs.Started:
    """``mockgenesys serve`` without rate limits, pinned to core 0."""
    command = [sys.executable, "-m", "mockgenesys", "serve", "--port", str(port), "--quiet", "--no-limits"]
    return procs.start(command, port, ("GET", "/__admin/clock", None, {}), cpu=0)


def _workload(port: int) -> Workload:
    """A 25-message history page with a fresh bearer token: the mock's common request."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    body = "grant_type=client_credentials&client_id=5f3a1c2e-8d4b-4e6f-9a7c-1b2d3e4f5a6b"
    body += "&client_secret=mockgenesys-local-secret"
    token = json.loads(procs.request(port, "POST", "/oauth/token", body, form)[1])["access_token"]
    conversation = json.loads(procs.request(port, "GET", "/__admin/world")[1])["conversations"][0]["id"]
    path = f"/api/v2/conversations/messaging/{conversation}/messages?pageSize=25"
    return Workload("history", "GET", path, {"Authorization": f"Bearer {token}"})


def live_costs(duration: float, rounds: int) -> dict[str, dict[str, float]]:
    """Median throughput, p99 and server CPU per request, without and with one open feed."""
    curl = shutil.which("curl")
    if curl is None:
        raise SystemExit("The live part reads the feed with curl; install curl or pass --no-live.")
    port = procs.free_port()
    server = _serve(port)
    try:
        workload = _workload(port)
        wrk = ensure_wrk()
        results: dict[str, list[dict[str, Any]]] = {"no page": [], "one open feed": []}
        for n in range(rounds):
            for mode in sorted(results, reverse=bool(n % 2)):  # interleaved, alternating order
                reader = None
                if mode == "one open feed":
                    reader = subprocess.Popen(
                        [*procs.pin(1), curl, "-sN", "-o", "/dev/null", f"{server.url}/__admin/events"]
                    )
                    time.sleep(0.5)
                cpu = procs.cpu_seconds(server.proc.pid)
                result = run_load(server.url, workload, duration=duration, cpu=1, wrk=wrk)
                result["cpu_us"] = (procs.cpu_seconds(server.proc.pid) - cpu) / max(1, result["requests"]) * 1e6
                results[mode].append(result)
                if reader is not None:
                    reader.terminate()
                    reader.wait(5)
    finally:
        procs.stop(server.proc)
    return {
        mode: {
            "rps": statistics.median(r["rps"] for r in runs),
            "p99 ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "server CPU µs/request": statistics.median(r["cpu_us"] for r in runs),
        }
        for mode, runs in results.items()
    }


def browser_costs(duration: float) -> dict[str, Any]:
    """The page open in headless Chromium under one load run: frame gaps (ms), long tasks, rows held."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if chromium is None:
        raise SystemExit("--browser needs chromium and chromium-driver (apt-get install -y chromium chromium-driver).")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    port = procs.free_port()
    server = _serve(port)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        driver.get(f"{server.url}/__admin/")
        time.sleep(1.5)
        driver.execute_script(_WATCH)
        load = run_load(server.url, _workload(port), duration=duration, cpu=1, wrk=ensure_wrk())
        time.sleep(1.0)
        page: dict[str, Any] = driver.execute_script(_READ)
        driver.get("about:blank")
    finally:
        driver.quit()
        procs.stop(server.proc)
    return {"rows/s": load["rps"], **page}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="new rows per measured tick (default 5000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per live run (default 5)")
    parser.add_argument("--no-live", action="store_true", help="only the in-process part")
    parser.add_argument("--browser", action="store_true", help="also measure the page in headless Chromium")
    args = parser.parse_args()
    print("| in-process (CPU, best round) | value |\n|---|---:|")
    for name, value in feed_costs(args.rows, args.rounds).items():
        print(f"| {name} | {value:.2f} |")
    if not args.no_live:
        print("\n| live history page | req/s | p99 ms | server CPU µs/request |\n|---|---:|---:|---:|")
        for mode, row in live_costs(args.duration, args.rounds).items():
            print(f"| {mode} | {row['rps']:.0f} | {row['p99 ms']:.2f} | {row['server CPU µs/request']:.1f} |")
    if args.browser:
        page = browser_costs(args.duration)
        print("\n| the page under load | value |\n|---|---:|")
        for name in PAGE_FIGURES:
            value = page[name]
            print(f"| {name} | {value:.1f} |" if isinstance(value, float) else f"| {name} | {value} |")


if __name__ == "__main__":
    main()
