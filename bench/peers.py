"""Peers: WireMock, Prism and Mockoon beside `mockgenesys serve` and bare Starlette, in the same run.

The peers come from npm at the versions pinned in ``bench/peers/package-lock.json`` (the WireMock
package ships the standalone jar; Java 17+ runs it), installed with ``npm ci`` into a cache folder
outside the checkout. Each peer serves the mock's own two answers from static stubs written per
run: ``POST /oauth/token`` → the mock's token body when ``grant_type=client_credentials`` (400
otherwise), ``GET /api/v2/conversations/messaging/{id}/messages`` → the mock's 25-message page
with a bearer header (401 without). They run through ``bench.live``'s rounds: same core pinning,
load generator, warm-up, workloads and figures as the mock.

Parity notes: WireMock keeps its request journal on, bounded like the mock's (100,000 entries),
and runs once more without it (its fastest mode);
Prism validates each request against its OpenAPI document (its normal mode); Mockoon matches
with rules, templating off. Peers do no auth, no rate limits and no state: they are the floor
of a stub server, not an equivalent of the mock.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import live, procs
from bench.procs import BAD_GRANT, NO_AUTH

HERE = Path(__file__).resolve().parent / "peers"
CACHE = Path(os.environ.get("MOCKGENESYS_BENCH_CACHE", Path.home() / ".cache" / "mockgenesys-bench")) / "peers"
JOURNAL_ENTRIES = 100_000


def ensure_installed(install: bool = True) -> Path:
    """The folder holding ``node_modules`` with the pinned peers; runs ``npm ci`` when needed."""
    for tool in ("node", "npm", "java"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"peers need {tool} on PATH (Node >= 18.20, Java 17+); install it and rerun")
    CACHE.mkdir(parents=True, exist_ok=True)
    wanted = json.loads((HERE / "package.json").read_text())["dependencies"]
    if _installed(wanted):
        return CACHE
    if not install:
        raise RuntimeError(f"peers are not installed in {CACHE}; run with install=True (python -m bench peers does)")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HERE / name, CACHE / name)
    print(f"[bench peers] npm ci in {CACHE}", file=sys.stderr, flush=True)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CACHE, capture_output=True, timeout=900
    )
    if done.returncode != 0 or not _installed(wanted):
        raise RuntimeError(f"npm ci failed in {CACHE}: {done.stderr.decode(errors='replace')[-400:]}")
    return CACHE


def _installed(wanted: dict[str, str]) -> bool:
    for name, version in wanted.items():
        try:
            found = json.loads((CACHE / "node_modules" / name / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            return False
        if found != version:
            return False
    return True


def _jar(root: Path) -> Path:
    jars = sorted((root / "node_modules" / "wiremock" / "build").glob("wiremock-standalone-*.jar"))
    if not jars:
        raise RuntimeError(f"no WireMock standalone jar under {root}/node_modules/wiremock/build")
    return jars[-1]


def _template(facts: dict[str, Any]) -> str:
    """The history path with ``{conversationId}`` in place of the conversation id."""
    prefix, _, _ = str(facts["history_path"]).split("?", 1)[0].rpartition("/messages")
    return prefix.rsplit("/", 1)[0] + "/{conversationId}/messages"


def write_stubs(tmp: Path, facts: dict[str, Any]) -> None:
    """WireMock mappings, a Prism OpenAPI document and a Mockoon environment serving the mock's bodies."""
    token, history = facts["token_body"].decode(), facts["history_body"].decode()
    template = _template(facts)
    json_hdr = {"Content-Type": "application/json"}
    mappings = tmp / "wiremock" / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    (tmp / "wiremock" / "__files").mkdir(exist_ok=True)
    stubs = [
        ({"method": "POST", "url": "/oauth/token",
          "formParameters": {"grant_type": {"equalTo": "client_credentials"}}}, 200, token, 1),
        ({"method": "POST", "url": "/oauth/token"}, 400, BAD_GRANT.decode(), 10),
        ({"method": "GET", "urlPathTemplate": template,
          "headers": {"Authorization": {"matches": "^Bearer .+"}}}, 200, history, 1),
        ({"method": "GET", "urlPathTemplate": template}, 401, NO_AUTH.decode(), 10),
    ]  # fmt: skip
    for n, (request, status, body, priority) in enumerate(stubs):
        mapping = {
            "priority": priority,
            "request": request,
            "response": {"status": status, "headers": json_hdr, "body": body},
        }
        (mappings / f"{n:02d}.json").write_text(json.dumps(mapping))
    (tmp / "prism.json").write_text(json.dumps(_openapi(template, json.loads(token), json.loads(history))))
    (tmp / "mockoon.json").write_text(json.dumps(_mockoon(template, token, history)))


def _openapi(template: str, token: Any, history: Any) -> dict[str, Any]:
    def answer(description: str, example: Any) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": {"type": "object"}, "example": example}}}  # fmt: skip

    form = {
        "type": "object",
        "required": ["grant_type"],
        "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "mockgenesys bench peers", "version": "1.0.0"},
        "paths": {
            "/oauth/token": {"post": {
                "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": form}}},
                "responses": {"200": answer("token", token), "400": answer("bad grant", json.loads(BAD_GRANT))},
            }},
            template: {"get": {
                "security": [{"bearerAuth": []}],
                "parameters": [
                    {"name": "conversationId", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "pageSize", "in": "query", "required": False, "schema": {"type": "integer"}},
                ],
                "responses": {"200": answer("page", history), "401": answer("no token", json.loads(NO_AUTH))},
            }},
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }  # fmt: skip


def _mockoon(template: str, token: str, history: str) -> dict[str, Any]:
    """A Mockoon data file (schema migration 33, @mockoon/cli 9.x), templating off."""

    def response(uid: str, status: int, body: str, rules: list[dict[str, Any]], default: bool) -> dict[str, Any]:
        return {"uuid": f"00000000-0000-4000-8000-{uid:0>12}", "body": body, "latency": 0, "statusCode": status,
                "label": uid, "headers": [], "bodyType": "INLINE", "filePath": "", "databucketID": "",
                "sendFileAsBody": False, "rules": rules, "rulesOperator": "OR", "disableTemplating": True,
                "fallbackTo404": False, "default": default, "crudKey": "id", "callbacks": []}  # fmt: skip

    def route(uid: str, method: str, endpoint: str, responses: list[dict[str, Any]]) -> dict[str, Any]:
        return {"uuid": f"00000000-0000-4000-9000-{uid:0>12}", "type": "http", "documentation": uid,
                "method": method, "endpoint": endpoint, "responses": responses, "responseMode": None,
                "streamingMode": None, "streamingInterval": 0}  # fmt: skip

    grant = {"target": "body", "modifier": "grant_type", "value": "client_credentials", "invert": False,
             "operator": "equals"}  # fmt: skip
    bearer = {"target": "header", "modifier": "Authorization", "value": "^Bearer .+", "invert": False,
              "operator": "regex"}  # fmt: skip
    routes = [
        route("1", "post", "oauth/token", [response("11", 200, token, [grant], False),
                                           response("12", 400, BAD_GRANT.decode(), [], True)]),
        route("2", "get", template.lstrip("/").replace("{conversationId}", ":conversationId"),
              [response("21", 200, history, [bearer], False), response("22", 401, NO_AUTH.decode(), [], True)]),
    ]  # fmt: skip
    return {
        "uuid": "00000000-0000-4000-a000-000000000001", "lastMigration": 33, "name": "mockgenesys-bench",
        "endpointPrefix": "", "latency": 0, "port": 3000, "hostname": procs.HOST, "folders": [], "routes": routes,
        "rootChildren": [{"type": "route", "uuid": r["uuid"]} for r in routes], "proxyMode": False,
        "proxyHost": "", "proxyRemovePrefix": False,
        "tlsOptions": {"enabled": False, "type": "CERT", "pfxPath": "", "certPath": "", "keyPath": "",
                       "caPath": "", "passphrase": ""},
        "cors": False, "headers": [{"key": "Content-Type", "value": "application/json"}],
        "proxyReqHeaders": [{"key": "", "value": ""}], "proxyResHeaders": [{"key": "", "value": ""}],
        "data": [], "callbacks": [],
    }  # fmt: skip


def _servers(root: Path) -> Any:
    def extra(tmp: Path, facts: dict[str, Any]) -> dict[str, tuple[list[str], live.Probe]]:
        write_stubs(tmp, facts)
        modules = root / "node_modules"
        probe = functools.partial(live._probe, peer=True)
        wiremock = ["java", "-jar", str(_jar(root)), "--port", "{port}", "--bind-address", procs.HOST,
                    "--root-dir", str(tmp / "wiremock"), "--disable-banner", "--disable-request-logging"]  # fmt: skip
        return {
            "wiremock": ([*wiremock, "--max-request-journal-entries", str(JOURNAL_ENTRIES)], probe),
            "wiremock (no journal)": ([*wiremock, "--no-request-journal"], probe),
            "prism": (["node", str(modules / "@stoplight" / "prism-cli" / "dist" / "index.js"), "mock",
                       str(tmp / "prism.json"), "-h", procs.HOST, "-p", "{port}", "--cors=false", "-v", "error"],
                      probe),
            "mockoon": (["node", str(modules / "@mockoon" / "cli" / "bin" / "run.js"), "start", "--data",
                         str(tmp / "mockoon.json"), "--port", "{port}", "--hostname", procs.HOST,
                         "--disable-log-to-file", "--disable-admin-api"], probe),
        }  # fmt: skip

    return extra


def run(
    *, rounds: int = 2, duration: float = 5.0, warmup: float = 10.0, connections: int = 32, install: bool = True
) -> dict[str, Any]:
    """``bench.live`` rounds with the three peers added (no fault-rule variant of the mock)."""
    root = ensure_installed(install)
    return live.run(
        rounds=rounds, duration=duration, warmup=warmup, connections=connections, rules=0, extra=_servers(root)
    )
