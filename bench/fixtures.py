"""`python -m bench fixtures`: what a fresh simulated Genesys costs a test, beside its baselines.

Measures, in one run, every target of issue 16:

- the first world generation of a seed in a fresh process (and the import before it);
- ``MockGenesys()`` for an already-generated seed, and ``reset()`` after a typical test;
- a ``genesys_mock`` test making one OAuth call vs the same test on a no-op
  ``httpx.MockTransport`` answering from a pre-built body, from pytest's own per-test durations
  (setup + call + teardown) in a downstream-style project without a conftest, the two kinds
  interleaved test by test, over several rounds (one pytest process each);
- a ``genesys_server`` test vs the same HTTP call to an already-running server;
- a 1,000-test suite on ``genesys_mock``: the fixture's total overhead over the no-op suite;
- the in-process transport vs a no-op ``httpx.MockTransport`` (``bench.transport``, fewer requests).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import transport
from bench.durations import ENV
from mockgenesys import MockGenesys, VirtualClock

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://api.mypurecloud.com"
SEED = 0  # the fixtures' default seed
INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"

TARGETS = {
    "first_generation_ms": 30.0,
    "construct_us": 1000.0,
    "reset_us": 500.0,
    "mock_ratio": 3.0,
    "server_extra_ms": 2.0,
    "suite_overhead_s": 2.0,
    "transport_ratio": 0.85,
}

_MOCK_HEAD = """
import httpx

BASE = {base!r}
HEADERS = {headers!r}
BODY = {body!r}


def _static(request):
    return httpx.Response(200, headers=HEADERS, content=BODY)


def _token(transport, client_id, client_secret):
    with httpx.Client(transport=transport, base_url=BASE) as client:
        response = client.post("/oauth/token", data={{"grant_type": "client_credentials"}}, auth=(client_id, client_secret))
    assert response.status_code == 200 and response.json()["access_token"]
"""
_MOCK_PAIR = """

def test_mock_{n}(genesys_mock):
    _token(genesys_mock.transport(), genesys_mock.client_id, genesys_mock.client_secret)


def test_static_{n}():
    _token(httpx.MockTransport(_static), "client", "secret")
"""
_SERVER_HEAD = """
import httpx
import pytest


@pytest.fixture(scope="session")
def http():
    with httpx.Client() as client:
        yield client


@pytest.fixture(scope="session")
def running(make_genesys_server):
    return make_genesys_server(seed={seed})


def _token(http, server):
    response = http.post(server.url + "/oauth/token", data={{"grant_type": "client_credentials"}},
                         auth=(server.client_id, server.client_secret))
    assert response.status_code == 200
"""
_SERVER_PAIR = """

def test_server_{n}(http, genesys_server):
    _token(http, genesys_server)


def test_plain_{n}(http, running):
    _token(http, running)
"""


def _token_answer() -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The mock's own token answer (headers and body), for the no-op transport to replay."""
    mock = MockGenesys(seed=SEED, clock=VirtualClock())
    with httpx.Client(transport=mock.transport(), base_url=BASE) as client:
        response = client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
        )
    headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"content-length"]
    return headers, response.content


def _pytest(directory: Path, source: str) -> dict[str, float]:
    """Run ``source`` as a test module in a fresh pytest process; each test's seconds by name."""
    module = directory / "test_bench.py"
    module.write_text(source)
    out = directory / "durations.json"
    env = {**os.environ, ENV: str(out), "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "bench.durations", module.name]
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the inner pytest run failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    seconds: dict[str, float] = json.loads(out.read_text())
    return {nodeid.rsplit("::", 1)[-1]: value for nodeid, value in seconds.items()}


def _kinds(seconds: dict[str, float], *kinds: str) -> dict[str, list[float]]:
    """Durations per kind of test (``test_<kind>_<n>``) in run order."""
    return {kind: [v for name, v in seconds.items() if name.startswith(f"test_{kind}_")] for kind in kinds}


def _mock_suite(directory: Path, tests: int, answer: tuple[list[tuple[bytes, bytes]], bytes]) -> dict[str, list[float]]:
    headers, body = answer
    source = _MOCK_HEAD.format(base=BASE, headers=headers, body=body)
    source += "".join(_MOCK_PAIR.format(n=n) for n in range(tests))
    return _kinds(_pytest(directory, source), "mock", "static")


def _server_suite(directory: Path, tests: int) -> dict[str, list[float]]:
    source = _SERVER_HEAD.format(seed=SEED) + "".join(_SERVER_PAIR.format(n=n) for n in range(tests))
    return _kinds(_pytest(directory, source), "server", "plain")


def first_generation(runs: int = 3) -> dict[str, float]:
    """Import and first generation of a seed's world in fresh processes (medians, ms)."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import mockgenesys\n"
        "from mockgenesys.world.template import WorldTemplate\n"
        "t1 = time.perf_counter(); WorldTemplate.generate(11); t2 = time.perf_counter()\n"
        "mockgenesys.MockGenesys(seed=12); t3 = time.perf_counter()\n"
        "print((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)\n"
    )
    samples = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        samples.append([float(x) for x in done.stdout.split()])
    return {
        "import_ms": statistics.median(s[0] for s in samples),
        "first_generation_ms": statistics.median(s[1] for s in samples),
        "first_mock_ms": statistics.median(s[2] for s in samples),
    }


def _typical_test(mock: MockGenesys) -> None:
    """What a typical test does: log in, read a history page and a contact, add a conversation and a fault."""
    with httpx.Client(transport=mock.transport(), base_url=BASE) as client:
        token = client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
        ).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        conversation = next(iter(mock.world.conversations))
        client.get(f"/api/v2/conversations/messaging/{conversation}/messages", headers=bearer)
        client.get(f"/api/v2/externalcontacts/contacts/{next(iter(mock.world.contacts))}", headers=bearer)
    mock.add_conversation(guest_name="Bench Guest", messages=["hello"])
    mock.add_fault({"match": {"endpoint": "oauth.token"}, "then": {"status": 503}})


def direct(samples: int = 300) -> dict[str, float]:
    """In-process costs (medians, µs): constructing a mock, resetting one, and the lazy copies a test reads."""
    MockGenesys(seed=SEED, clock=VirtualClock())  # the seed's template, once
    construct, reset, conversations, contacts = [], [], [], []
    for _ in range(samples):
        started = time.perf_counter()
        mock = MockGenesys(seed=SEED, clock=VirtualClock())
        construct.append(time.perf_counter() - started)
    for _ in range(samples):
        _typical_test(mock)
        started = time.perf_counter()
        mock.reset()
        reset.append(time.perf_counter() - started)
        started = time.perf_counter()
        _ = mock.world.conversations
        conversations.append(time.perf_counter() - started)
        started = time.perf_counter()
        _ = mock.world.contacts
        contacts.append(time.perf_counter() - started)
    return {
        "construct_us": statistics.median(construct) * 1e6,
        "reset_us": statistics.median(reset) * 1e6,
        "conversations_copy_us": statistics.median(conversations) * 1e6,
        "contacts_copy_us": statistics.median(contacts) * 1e6,
    }


def _ratio(rows: list[dict[str, Any]], workload: str) -> float:
    rates = {(r["client"], r["transport"]): r["req_per_s"] for r in rows if r["workload"] == workload}
    return float(rates[("sync", "mock.transport()")] / rates[("sync", "httpx.MockTransport")])


def run(*, tests: int = 300, rounds: int = 3, suite: int = 1000, transport_n: int = 1500) -> dict[str, Any]:
    """Every measurement of the module docstring; per-test figures are medians over rounds."""
    result: dict[str, Any] = {"tests": tests, "rounds": rounds, "suite": suite}
    result.update(first_generation())
    result.update(direct())
    answer = _token_answer()
    mock_rounds, server_rounds = [], []
    with tempfile.TemporaryDirectory(prefix="bench-fixtures-") as tmp:
        directory = Path(tmp)
        (directory / "pytest.ini").write_text(INI)
        for _ in range(rounds):
            mock_rounds.append(_mock_suite(directory, tests, answer))
            server_rounds.append(_server_suite(directory, tests))
        whole = _mock_suite(directory, suite, answer)
    mock_us = statistics.median(statistics.median(r["mock"]) for r in mock_rounds) * 1e6
    static_us = statistics.median(statistics.median(r["static"]) for r in mock_rounds) * 1e6
    server_us = statistics.median(statistics.median(r["server"]) for r in server_rounds) * 1e6
    plain_us = statistics.median(statistics.median(r["plain"]) for r in server_rounds) * 1e6
    result.update(
        mock_test_us=mock_us,
        static_test_us=static_us,
        mock_ratio=mock_us / static_us,
        server_test_us=server_us,
        plain_test_us=plain_us,
        server_extra_ms=(server_us - plain_us) / 1e3,
        suite_mock_s=sum(whole["mock"]),
        suite_static_s=sum(whole["static"]),
        suite_overhead_s=sum(whole["mock"]) - sum(whole["static"]),
        suite_first_test_ms=whole["mock"][0] * 1e3,
    )
    rows = transport.run(n=transport_n, rounds=rounds)
    result.update(transport_ratio=_ratio(rows, "token"), transport_history_ratio=_ratio(rows, "history"))
    return result


def table(result: dict[str, Any]) -> str:
    """The figures beside their targets, as a Markdown table."""

    def verdict(key: str, value: float) -> str:
        target = TARGETS[key]
        met = value >= target if key == "transport_ratio" else value <= target
        return "yes" if met else "**no**"

    r = result
    rows = [
        ("first world generation of a seed (fresh process)", f"{r['first_generation_ms']:.1f} ms", "≤ 30 ms",
         verdict("first_generation_ms", r["first_generation_ms"]),
         f"import mockgenesys {r['import_ms']:.0f} ms; first MockGenesys() of a new seed {r['first_mock_ms']:.1f} ms"),
        ("`MockGenesys()` for a generated seed", f"{r['construct_us']:.0f} µs", "≤ 1 ms",
         verdict("construct_us", r["construct_us"]), "in-process, median of 300"),
        ("`reset()` after a typical test", f"{r['reset_us']:.0f} µs", "≤ 0.5 ms", verdict("reset_us", r["reset_us"]),
         f"the next test's first read copies: conversations {r['conversations_copy_us']:.0f} µs, "
         f"contacts {r['contacts_copy_us']:.0f} µs"),
        ("`genesys_mock` test, one OAuth call", f"{r['mock_test_us']:.0f} µs = {r['mock_ratio']:.2f}x", "≤ 3x",
         verdict("mock_ratio", r["mock_ratio"]),
         f"no-op httpx.MockTransport test {r['static_test_us']:.0f} µs; {r['tests']} tests each, {r['rounds']} rounds"),
        ("`genesys_server` test, one HTTP call", f"+{r['server_extra_ms']:.2f} ms", "≤ +2 ms",
         verdict("server_extra_ms", r["server_extra_ms"]),
         f"{r['server_test_us']:.0f} µs vs {r['plain_test_us']:.0f} µs on an already-running server"),
        (f"{r['suite']:,}-test suite on `genesys_mock`: fixture overhead", f"{r['suite_overhead_s']:.2f} s", "≤ 2 s",
         verdict("suite_overhead_s", r["suite_overhead_s"]),
         f"{r['suite_mock_s']:.2f} s vs {r['suite_static_s']:.2f} s; its first test {r['suite_first_test_ms']:.0f} ms "
         "(imports, first generation)"),
        ("in-process transport vs no-op MockTransport (token, sync)", f"{r['transport_ratio']:.2f}x", "≥ 0.85x",
         verdict("transport_ratio", r["transport_ratio"]), f"history page: {r['transport_history_ratio']:.2f}x"),
    ]  # fmt: skip
    lines = ["| measure | measured | target | met | beside it |", "|---|---:|---:|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)
