"""Bare Starlette serving the two benchmark calls from pre-serialised bodies: the ceiling for a
Python ASGI mock on the same server stack (uvicorn + httptools + uvloop).

The bodies are the mock's own answers, written by ``bench.live`` into the folder named by the
``MOCKGENESYS_BENCH_FIXTURES`` environment variable (``token.json``, ``history.json``). The token
call parses its form with the stdlib and checks the grant; the history call wants a bearer header.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.procs import BAD_GRANT, NO_AUTH

_FIXTURES = Path(os.environ.get("MOCKGENESYS_BENCH_FIXTURES", "."))
TOKEN = (_FIXTURES / "token.json").read_bytes()
HISTORY = (_FIXTURES / "history.json").read_bytes()
JSON = "application/json"


async def token(request: Request) -> Response:
    body = await request.body()
    if parse_qs(body.decode("latin-1")).get("grant_type") != ["client_credentials"]:
        return Response(BAD_GRANT, status_code=400, media_type=JSON)
    return Response(TOKEN, media_type=JSON)


async def history(request: Request) -> Response:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or len(auth) <= 7:
        return Response(NO_AUTH, status_code=401, media_type=JSON)
    return Response(HISTORY, media_type=JSON)


app = Starlette(
    routes=[
        Route("/oauth/token", token, methods=["POST"]),
        Route("/api/v2/conversations/messaging/{conversation_id}/messages", history, methods=["GET"]),
    ]
)
