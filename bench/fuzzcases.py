"""Seeded generators of hostile input for ``bench.fuzz``: REST requests, raw HTTP and guest frames.

Each generator mixes well-formed requests (so the fuzz reaches the routes and actions) with
mutations of them: wrong types, out-of-range numbers, deep and huge JSON, strict-JSON violations,
broken encodings, forged and garbage credentials, unknown paths and methods.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass, field
from typing import Any

from mockgenesys.server.routes import all_routes

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO")
QUERY_NAMES = ("pageSize", "pageNumber", "q", "expand", "sortOrder", "ids", "limit", "before", "after", "x")
ODD_VALUES = (
    "-1", "0", "1", "25", "101", "1e9", "99999999999999999999", "NaN", "abc", "", "%00", "%ZZ", "true",
    "%F0%9F%98%80", "a" * 3000, "'; DROP", "../..", "\u00e9",
)  # fmt: skip
IDS = ("", "nope", "..", "%2F", "%00", "a" * 2000, "00000000-0000-4000-8000-000000000000", "%E2%80%AE")
ACTIONS = (
    "configureSession", "configureAuthenticatedSession", "onMessage", "echo", "getJwt", "closeSession",
    "onAttachment", "getAttachment", "deleteAttachment", "nope", "",
)  # fmt: skip


@dataclass
class Facts:
    """What the fuzz knows of the server: valid ids and credentials to build plausible requests."""

    org_id: str
    deployment_id: str
    client_id: str
    client_secret: str
    conversation_ids: list[str]
    contact_ids: list[str]
    token: str = ""
    guest_jwt: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class RestCase:
    """One HTTP request for httpx."""

    method: str
    path: str
    query: str
    headers: dict[str, bytes]
    body: bytes


def scalar(rng: random.Random) -> Any:
    """A JSON scalar chosen to upset a validator."""
    return rng.choice(
        [
            None, True, False, 0, -1, 1, 2**53 + 1, 10**30, 1.5, -0.0, 1e308, "", "x", "0", "true", "null",
            "\u00e9\u4e2d\U0001f600", "a" * rng.choice((10, 300, 5000)), "\u202e", "<script>", "{}",
        ]
    )  # fmt: skip


def json_value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value: objects and lists up to a few levels, odd scalars at the leaves."""
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return scalar(rng)
    if roll < 0.75:
        keys = ["text", "type", "token", "message", "metadata", "content", "id", rng.choice(string.ascii_letters)]
        return {rng.choice(keys): json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def hostile_body(rng: random.Random, base: Any) -> bytes:
    """``base`` as JSON, or one of many ways a body goes wrong."""
    roll = rng.random()
    if roll < 0.35:
        return json.dumps(base).encode()
    if roll < 0.55:
        return json.dumps(mutate(rng, base)).encode()
    if roll < 0.62:
        depth = rng.choice((65, 200, 5000, 250_000))
        return b"[" * depth + (b"]" * depth if rng.random() < 0.5 else b"")
    if roll < 0.66:
        return b'{"a":"' + b"x" * rng.choice((400_000, 600_000)) + b'"}'
    if roll < 0.74:
        return rng.choice([b"NaN", b'{"a": Infinity}', b'{"a": 1e400}', b'"\\ud800"', b"\xff\xfe\xfd", b"{", b""])
    if roll < 0.85:
        return json.dumps(json_value(rng)).encode()
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200)))


def mutate(rng: random.Random, value: Any) -> Any:
    """``value`` with one field replaced, removed or added."""
    if isinstance(value, dict) and value:
        copy = dict(value)
        key = rng.choice(list(copy))
        action = rng.random()
        if action < 0.4:
            copy[key] = json_value(rng)
        elif action < 0.6:
            del copy[key]
        elif isinstance(copy[key], (dict, list)):
            copy[key] = mutate(rng, copy[key])
        else:
            copy[rng.choice(("extra", "id", "type"))] = json_value(rng)
        return copy
    if isinstance(value, list) and value:
        copy_list = list(value)
        copy_list[rng.randrange(len(copy_list))] = json_value(rng)
        return copy_list
    return json_value(rng)


def _credentials(rng: random.Random, facts: Facts) -> bytes | None:
    choice = rng.random()
    if choice < 0.15:
        return None
    if choice < 0.45:
        return f"Bearer {facts.token}".encode()
    if choice < 0.6:
        return f"Bearer {facts.guest_jwt}".encode()
    if choice < 0.7:  # a JWT with a valid shape and the wrong signature
        parts = facts.guest_jwt.split(".")
        payload = base64.urlsafe_b64encode(json.dumps(json_value(rng)).encode()).rstrip(b"=").decode()
        return f"Bearer {parts[0]}.{payload}.{parts[-1]}".encode()
    if choice < 0.8:
        secret = base64.b64encode(f"{facts.client_id}:{facts.client_secret}".encode()).decode()
        return rng.choice([f"Basic {secret}", "Basic !!!", "Basic " + "A" * 5000]).encode()
    return rng.choice([b"Bearer", b"Bearer a.b.c", b"Bearer \xe9\xe8", b"Digest x", b"Bearer " + b"x" * 8000])


def _body_for(rng: random.Random, path: str, facts: Facts) -> tuple[bytes, bytes]:
    """A plausible body for the route (and its content type), then maybe broken."""
    if path == "/oauth/token":
        grant = rng.choice(["client_credentials", "password", "", "client_credentials&grant_type=x"])
        form = f"grant_type={grant}&client_id={facts.client_id}&client_secret={facts.client_secret}"
        if rng.random() < 0.7:
            return form.encode(), b"application/x-www-form-urlencoded"
        return hostile_body(rng, {"grant_type": grant}), b"application/json"
    base: Any = {}
    if path.endswith("/sessions"):
        base = {"channel": "web", "expirationSeconds": 3600, "metadata": {"k": "v"}}
    elif path.endswith("/bulk"):
        base = [f"m-{rng.randint(0, 9)}"]
    elif path.endswith("oauthcodegrantjwtexchange"):
        base = {"deploymentId": facts.deployment_id, "oauth": {"code": "c", "redirectUri": "https://x"}}
    elif path.endswith("/refresh"):
        base = {"refreshToken": facts.extra.get("refresh", "r"), "deploymentId": facts.deployment_id}
    elif path.endswith("/inbound/open/message"):
        sender = {"id": f"user-{rng.randint(0, 9)}", "idType": "Opaque", "nickname": "Fuzz"}
        channel = {"messageId": f"m-{rng.randint(0, 99)}", "time": "2026-01-01T00:00:00.000Z", "from": sender}
        base = {"channel": channel, "type": "Text", "text": "hi", "metadata": {"k": "v"}}
    elif path.endswith("/inbound/open/receipt"):
        base = {"id": "x", "channel": {"to": {"id": "user-1", "idType": "Opaque"}}, "status": "Delivered"}
    elif path.endswith("/inbound/open/event"):
        base = {"channel": {"from": {"id": "user-1", "idType": "Opaque"}}, "events": [{"eventType": "Typing"}]}
    elif path.endswith("/subscriptions"):
        base = [{"id": f"v2.users.{facts.extra.get('user', 'x')}.conversations"}]
    elif path.endswith("/externalcontacts/contacts") or ("/contacts/" in path and not path.endswith("/search")):
        base = {"firstName": "Fuzz", "lastName": "Case", "workEmail": "fuzz@example.com"}
    elif path.endswith("/integrations/open"):
        base = {"name": "fuzz", "outboundNotificationWebhookUrl": "http://127.0.0.1:9/hook"}
    elif "/participants/" in path:
        base = {"state": "disconnected", "wrapup": {"code": "x"}, "textBody": "hi", "typing": {"type": "On"}}
    content_type = rng.choice([b"application/json", b"application/json", b"text/plain", b"image/png", b"\xe9"])
    return hostile_body(rng, base), content_type


def _fill(rng: random.Random, template: str, facts: Facts) -> str:
    values = {
        "organizationId": facts.org_id,
        "conversationId": rng.choice(facts.conversation_ids),
        "contactId": rng.choice(facts.contact_ids),
        "deploymentId": facts.deployment_id,
        **facts.extra,
    }
    path = template
    while "{" in path:
        start = path.index("{")
        name = path[start + 1 : path.index("}")]
        value = values.get(name, "x") if rng.random() < 0.7 else rng.choice(IDS)
        path = path[:start] + value + path[path.index("}") + 1 :]
    return path


def rest_case(rng: random.Random, facts: Facts) -> RestCase:
    """One REST request: a known route (or an unknown path), maybe with the wrong method."""
    routes = all_routes()
    if rng.random() < 0.08:
        path = rng.choice(["/", "/api", "/api/v2/nope", "/api/v2/" + "a/" * 200, "/%2e%2e/etc", "/oauth/token/"])
        method = rng.choice(METHODS)
    else:
        route = rng.choice(routes)
        path = _fill(rng, route.template, facts)
        method = route.method if rng.random() < 0.8 else rng.choice(METHODS)
    query = "&".join(f"{rng.choice(QUERY_NAMES)}={rng.choice(ODD_VALUES)}" for _ in range(rng.choice((0, 0, 1, 2, 4))))
    headers: dict[str, bytes] = {}
    credentials = _credentials(rng, facts)
    if credentials is not None:
        headers["authorization"] = credentials
    body, content_type = _body_for(rng, path, facts) if method in ("POST", "PUT", "PATCH", "FOO") else (b"", b"")
    if content_type:
        headers["content-type"] = content_type
    if rng.random() < 0.05:
        headers["x-genesys-request-nonce"] = rng.choice([b"n", b"n" * 3000, b"\xe9"])
    return RestCase(method, path, query, headers, body)


RAW_REQUESTS = (
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde",
    b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"CONNECT /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /x HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    b"GET /v1?deploymentId=x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20_000 + b"\r\n\r\n",
    b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v2/organizations/me HTTP/1.1\r\nHost: x\r\n\r\n" * 40,
    b"GET /api/v2/organizations/me HTTP/1.0\r\n\r\n",
    b"\r\n\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n",
)


def raw_request(rng: random.Random) -> bytes:
    """Bytes that are not quite (or not at all) an HTTP/1.1 request."""
    if rng.random() < 0.7:
        return rng.choice(RAW_REQUESTS)
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))) + b"\r\n\r\n"


def frame(rng: random.Random, facts: Facts, token: str) -> str | bytes:
    """One guest frame: a valid request, a mutation of one, or garbage."""
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(["", "null", "[]", "1", '"x"', "{", "NaN", '{"action": Infinity}'])
    if roll < 0.07:
        depth = rng.choice((65, 1000, 20_000))
        return "[" * depth + "]" * depth
    if roll < 0.08:
        return json.dumps({"action": "onMessage", "token": token, "message": {"text": "x" * 70_000}})
    if roll < 0.1:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 100)))
    action = rng.choice(ACTIONS)
    text = rng.choice(["hi", "", "x" * 4097, "\u00e9" * 2000, "\U0001f600"])
    request: dict[str, Any] = {"action": action, "token": token, "tracingId": f"t-{rng.randint(0, 9999)}"}
    if action == "configureSession":
        request["deploymentId"] = facts.deployment_id
    elif action == "onMessage":
        message: dict[str, Any] = {"type": rng.choice(["Text", "Text", "Event", "Structured", "x"]), "text": text}
        if rng.random() < 0.3:
            message["metadata"] = {"id": f"m-{rng.randint(0, 99)}", "k": "v" * rng.choice((1, 100, 3000))}
        if rng.random() < 0.2:
            message["content"] = [{"contentType": "Attachment", "attachment": {"id": "a"}}] * rng.choice((1, 12))
        if rng.random() < 0.2:
            message["channel"] = {"metadata": {"customAttributes": json_value(rng)}}
        if message["type"] == "Event":
            message["events"] = [{"eventType": rng.choice(["Presence", "Typing", "x"]), "typing": {"type": "On"}}]
        request["message"] = message
    elif action == "onAttachment":
        request.update(fileName="a.png", fileType="image/png", fileSize=rng.choice([1, 0, -5, 10**12, "3"]))
    elif action == "configureAuthenticatedSession":
        request["data"] = {"code": facts.guest_jwt if rng.random() < 0.5 else "x.y.z"}
    if rng.random() < 0.35:
        request = mutate(rng, request)
    return json.dumps(request)
