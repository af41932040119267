"""The mock's own request/response values and the route table both transports share."""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

from mockgenesys.errors import MockGenesysError
from mockgenesys.faults.caller import ANONYMOUS, Caller

if TYPE_CHECKING:
    from mockgenesys.server.core import Server
    from mockgenesys.server.operations import Operation
    from mockgenesys.world.models import GuestSession

JSON_TYPE = b"application/json"
#: The largest request body the mock reads (Genesys ``request.bytes.max``); a larger one is answered 413.
MAX_REQUEST_BYTES = 512_000
#: The deepest nesting of arrays and objects a JSON body or frame may have; deeper is answered 400.
MAX_JSON_DEPTH = 64


class JsonRefused(MockGenesysError, ValueError):
    """A JSON text the mock will not read; ``reason`` is a sentence for the error body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_json(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``data`` parsed as strict JSON (no NaN or Infinity, no lone surrogates, at most
    ``max_depth`` levels of nesting); ``JsonRefused`` with the reason otherwise."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc):
            raise JsonRefused(f"The JSON nests deeper than {max_depth} levels.") from None
        raise JsonRefused(f"The body is not valid JSON ({exc.msg} at character {exc.pos}).") from None
    if isinstance(value, (dict, list)) and _nests_deeper(data, value, max_depth):
        raise JsonRefused(f"The JSON nests deeper than {max_depth} levels.")
    return value


def _nests_deeper(data: bytes | str, value: Any, limit: int) -> bool:
    # Counting brackets (in C) settles almost every body; only a body with more brackets than the
    # limit is walked, level by level, with no recursion.
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    level: list[Any] = [value]
    for _ in range(limit):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return False
    return True


def parse_query(text: str) -> dict[str, list[str]]:
    """``parse_qs(text, keep_blank_values=True)``, without its decoding work when nothing is encoded."""
    if "%" in text or "+" in text:
        return parse_qs(text, keep_blank_values=True)
    parsed: dict[str, list[str]] = {}
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            parsed.setdefault(name, []).append(value)
    return parsed


class MockRequest:
    """One HTTP request as the route handlers see it (transport-independent)."""

    __slots__ = (
        "_basic",
        "_bearer",
        "_query",
        "body",
        "caller",
        "client",
        "detail",
        "endpoint",
        "expires_at",
        "guest",
        "headers",
        "method",
        "org_id",
        "params",
        "path",
        "principal",
        "query_string",
        "received",
    )

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        client: str = "127.0.0.1",
        received: float | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query_string = query_string
        self.headers = headers
        self.body = body
        self.client = client
        self.params: dict[str, str] = {}
        self.endpoint = "unmatched"
        #: Mock-clock time the request arrived, when the transport saw it before the body was read.
        self.received = received
        #: Who sent it, resolved once by the server before faults and authentication look at it.
        self.caller: Caller = ANONYMOUS
        self.principal: str | None = None
        self.org_id: str | None = None
        #: The guest session, once a guest JWT has been authorized for this request.
        self.guest: GuestSession | None = None
        #: For the journal: the expiry of a token this request issued, and a short note.
        self.expires_at: float | None = None
        self.detail: str | None = None
        self._query: dict[str, list[str]] | None = None
        self._bearer: str | None = ""  # "": not read yet (an empty token reads as None)
        self._basic: tuple[str, str] | bool | None = False  # False: not read yet

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            self._query = parse_query(self.query_string)
        return self._query

    @property
    def bearer(self) -> str | None:
        """The bearer token, or None when absent or empty (``Bearer`` alone)."""
        if self._bearer == "":
            token = None
            value = self.headers.get("authorization")
            if value:
                scheme, _, rest = value.partition(" ")
                if scheme.lower() == "bearer":
                    token = rest.strip() or None
            self._bearer = token
        return self._bearer

    def basic_credentials(self) -> tuple[str, str] | None:
        """(client id, secret) from an ``Authorization: Basic`` header, or None."""
        if self._basic is False:
            self._basic = self._read_basic()
        return self._basic if isinstance(self._basic, tuple) else None

    def _read_basic(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization")
        if not value:
            return None
        scheme, _, encoded = value.partition(" ")
        return decode_basic(encoded.strip()) if scheme.lower() == "basic" else None

    def require_guest(self) -> GuestSession:
        """The guest session of a guest-only route (the server authorized its JWT before the handler)."""
        if self.guest is None:
            raise ApiError(401, "bad.credentials", "Invalid login credentials.")
        return self.guest

    def query_one(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        """The body parsed as strict JSON (``parse_json``); a 400 ``bad.request`` when it is not."""
        try:
            return parse_json(self.body)
        except JsonRefused as exc:
            raise ApiError(
                400,
                "bad.request",
                f"The request could not be understood by the server due to malformed syntax. {exc.reason}",
                details=[{"errorCode": "bad.request", "fieldName": "body"}],
            ) from None


@dataclass(slots=True)
class MockResponse:
    """What the route table answers; ``delay`` and ``reset`` are fault actions the transports
    carry out (sleep before answering; drop the connection instead of answering)."""

    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes | None = JSON_TYPE
    delay: float = 0.0
    reset: bool = False


@functools.lru_cache(maxsize=256)  # a pure function on every token call; clients resend the same header
def decode_basic(encoded: str) -> tuple[str, str] | None:
    """(client id, secret) from the base64 part of a Basic header, or None when it is not one."""
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


class ApiError(MockGenesysError):
    """Raised by route handlers; the server renders it, in one place, as a Genesys platform error."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        params: dict[str, str] | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.params = params or {}
        self.headers = headers or []


class OAuthError(MockGenesysError):
    """Raised by the token endpoint; rendered as ``{error, description, error_description}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


Handler = Callable[["Server", MockRequest], MockResponse]


@dataclass(frozen=True, slots=True)
class Route:
    """``method`` + path ``template`` (``{name}`` segments) → ``handler``, under ``endpoint``."""

    method: str
    template: str
    endpoint: str
    handler: Handler
    auth: str = "oauth"  # "oauth" | "guest" | "oauth_or_guest" | "none"
    permissions: tuple[str, ...] = ()
    #: Which API has the path: "real" (Genesys Cloud), "seed" (the tutorials' invented dialect)
    #: or "any" (both, and the mock's own paths).
    dialect: str = "real"
    #: What it takes and answers, for the OpenAPI document (``server/operations.py``).
    api: Operation | None = None


class Router:
    """Matches a method and path to a ``Route``: static paths by dict, the rest by regex."""

    def __init__(self, routes: list[Route]) -> None:
        self._static: dict[tuple[str, str], Route] = {}
        self._static_paths: set[str] = set()
        self._dynamic: dict[str, list[tuple[re.Pattern[str], Route]]] = {}
        for route in routes:
            if "{" in route.template:
                pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.template)
                self._dynamic.setdefault(route.method, []).append((re.compile(f"^{pattern}$"), route))
            else:
                self._static[(route.method, route.template)] = route
                self._static_paths.add(route.template)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path params, whether the path exists under another method)."""
        route = self._static.get((method, path))
        if route is not None:
            return route, {}, True
        for pattern, candidate in self._dynamic.get(method, ()):
            found = pattern.match(path)
            if found is not None:
                return candidate, found.groupdict(), True
        path_known = path in self._static_paths or any(
            pattern.match(path) is not None for patterns in self._dynamic.values() for pattern, _ in patterns
        )
        return None, {}, path_known


def json_response(data: Any, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> MockResponse:
    """A JSON response (compact separators, UTF-8)."""
    return MockResponse(status, dump_json(data), headers or [])


def dump_json(data: Any) -> bytes:
    """``data`` as compact UTF-8 JSON: orjson, or the stdlib for what orjson refuses (huge ints...)."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
