"""``Server``: resolves the caller, checks limits, runs the route, answers, journals."""

from __future__ import annotations

import itertools
import random
import time
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from mockgenesys.faults.actions import FaultContext
from mockgenesys.faults.plan import FaultPlan
from mockgenesys.faults.ratelimit import Limiter, RateLimits, Window
from mockgenesys.journal import Entry, Journal, fingerprint
from mockgenesys.server import jwt
from mockgenesys.server.errors import oauth_error_body, platform_error, too_many_requests
from mockgenesys.server.http import (
    JSON_TYPE,
    ApiError,
    MockRequest,
    MockResponse,
    OAuthError,
    Route,
    Router,
)
from mockgenesys.server.views import SeedViewStore
from mockgenesys.world.models import AccessToken, GuestSession

if TYPE_CHECKING:
    from mockgenesys.clock import Clock
    from mockgenesys.server.websocket.hub import GuestHub
    from mockgenesys.world.store import World

MAX_REQUEST_BYTES = 512_000
_UNLIMITED = 1_000_000_000
_CACHE_HEADERS = [
    (b"cache-control", b"no-cache, no-store, must-revalidate"),
    (b"pragma", b"no-cache"),
    (b"expires", b"0"),
]


class Server:
    """The transport-independent core both the ASGI app and the in-process transport call."""

    def __init__(
        self,
        world: World,
        clock: Clock,
        journal: Journal,
        limits: RateLimits,
        *,
        jwt_key: bytes,
        routes: list[Route],
        faults: FaultPlan | None = None,
    ) -> None:
        self.world = world
        self.clock = clock
        self.journal = journal
        self.limits = limits
        self.limiter = Limiter(limits)
        self.jwt_key = jwt_key
        self.router = Router(routes)
        self.faults = faults if faults is not None else FaultPlan(seed=world.seed, clock=clock)
        self.errors: list[BaseException] = []
        self._correlation = _correlation_ids(world.seed)
        #: Hooks called with every journal entry (conformance, chaos metrics).
        self.observers: list[Callable[[Entry], None]] = []
        #: The guest WebSocket hub, once the mock has attached one.
        self.hub: GuestHub | None = None
        #: Attachment bytes uploaded to the presigned URLs, by attachment id.
        self.uploads: dict[str, bytes] = {}
        #: Encoded seed-dialect message views (checked against the world on every page).
        self.seed_views = SeedViewStore()

    def token_in_use(self, token: str, now: float) -> bool:
        """Whether an access token was counted in a rate-limit window that has not ended yet."""
        return self.limiter.is_active("token", token, now)

    def correlation_id(self) -> str:
        return next(self._correlation)

    # ------------------------------------------------------------------ dispatch
    def handle(self, req: MockRequest) -> MockResponse:
        """Answer one request; never raises for bad input."""
        started = time.perf_counter()
        now = self.clock.now()
        correlation = self.correlation_id()
        window: Window | None = None
        fault: FaultContext | None = None
        try:
            route, params, path_known = self.router.match(req.method, req.path)
            if route is None:
                if path_known:
                    raise ApiError(
                        405, "method.not.allowed", f"HTTP method {req.method} is not supported for {req.path}."
                    )
                raise ApiError(404, "not.found", f"No resource at {req.path}. The requested resource was not found.")
            req.params = params
            req.endpoint = route.endpoint
            if len(req.body) > MAX_REQUEST_BYTES:
                raise ApiError(
                    413,
                    "request.entity.too.large",
                    f"The request is over the size limit. Maximum bytes: {MAX_REQUEST_BYTES}",
                    params={"maxBytes": str(MAX_REQUEST_BYTES)},
                )
            if self.faults:
                fault = self.faults.fire_http(self, req, now)
                if fault is not None and (fault.respond is not None or fault.reset):
                    raise _Faulted(fault)
            if route.auth == "oauth" or (route.auth == "oauth_or_guest" and not _looks_like_jwt(req)):
                window = self._authenticate(req, route, now)
            else:
                window = self._anonymous_window(req, now)
                if route.auth != "none":
                    self._authenticate_guest(req, now)
            response = route.handler(self, req)
        except ApiError as exc:
            response = platform_error(
                exc.status, exc.code, exc.message, correlation, details=exc.details, params=exc.params
            )
            response.headers.extend(exc.headers)
        except OAuthError as exc:
            response = MockResponse(exc.status, oauth_error_body(exc.error, exc.description))
        except _RateLimited as exc:
            window = exc.window
            response = too_many_requests(exc.retry_after, correlation)
        except _Faulted as exc:
            response = _fault_response(exc.fault, correlation)
        except Exception as exc:  # a bug in the mock: keep it for the test, answer like Genesys
            self.errors.append(exc)
            response = platform_error(
                500,
                "internal.server.error",
                None,
                correlation,
                details=[
                    {
                        "errorCode": type(exc).__name__,
                        "fieldName": traceback.format_exception_only(exc)[-1].strip()[:200],
                    }
                ],
            )
        if window is None:
            window = self.limiter.window("client", req.client, self._client_limit(), 60.0, now)
        headers = response.headers
        retry_after = _retry_after(headers) if headers else None  # the route's or the fault's own
        headers += (
            (b"inin-correlation-id", correlation.encode()),
            (b"inin-ratelimit-allowed", b"%d" % window.limit),
            (b"inin-ratelimit-count", b"%d" % window.count),
            (b"inin-ratelimit-reset", b"%d" % window.reset_in(now)),
            *_CACHE_HEADERS,
        )
        if fault is not None:
            _apply_fault(fault, response, self.clock)
        self._record(req, response, now, started, retry_after, fault.rule_id if fault is not None else None)
        return response

    def _record(
        self,
        req: MockRequest,
        response: MockResponse,
        now: float,
        started: float,
        retry_after: int | None,
        fault: str | None = None,
    ) -> None:
        code = None
        status = response.status
        if status >= 400 and response.content_type == JSON_TYPE:
            code = _error_code(response.body)
        entry = Entry(
            0,  # the journal numbers it
            now,
            time.time(),
            "http",
            req.endpoint,
            req.method,
            req.path,
            status,
            req.principal,
            req.org_id,
            code,
            fault,
            (time.perf_counter() - started) * 1000.0,
            retry_after,
            req.expires_at,
            req.detail,
        )
        self.journal.append(entry)
        for observer in self.observers:
            observer(entry)

    # ------------------------------------------------------------------ auth
    def _authenticate(self, req: MockRequest, route: Route, now: float) -> Window:
        token = req.bearer
        if token is None:
            raise ApiError(
                401, "authentication.required", "No authentication bearer token specified in authorization header."
            )
        req.principal = fingerprint(token)
        record = self.world.tokens.get(token)
        if record is None or record.revoked or record.expires_at <= now:
            raise ApiError(401, "bad.credentials", "Invalid login credentials.")
        req.org_id = record.org_id
        window = self._token_window(token, record, now)
        if route.permissions:
            client = self.world.clients.get(record.client_id)
            granted = client.permissions if client else []
            if not any(p in granted for p in route.permissions):
                wanted = ", ".join(route.permissions)
                raise ApiError(
                    403,
                    "missing.any.permissions",
                    f"Unable to perform the requested action. You must have at least one of the following permissions assigned: [{wanted}]",
                    params={"permissions": wanted},
                )
        return window

    def _token_window(self, token: str, record: AccessToken, now: float) -> Window:
        limit = self.limits.token_per_minute if self.limits.enabled else None
        window = self.limiter.window("token", token, limit or _UNLIMITED, 60.0, now)
        retry_after = window.hit(now)
        if retry_after is not None and limit is not None:
            raise _RateLimited(retry_after, window)
        return window

    def _client_limit(self) -> int:
        return self.limits.client_per_minute or _UNLIMITED

    def _anonymous_window(self, req: MockRequest, now: float) -> Window:
        window = self.limiter.window("client", req.client, self._client_limit(), 60.0, now)
        retry_after = window.hit(now)
        if retry_after is not None and self.limits.enabled and self.limits.client_per_minute:
            raise _RateLimited(retry_after, window)
        return window

    def hit_limit(self, name: str, key: str, limit: int | None, period: float) -> None:
        """Count a request against a named limit; raise the Genesys 429 when it is over."""
        if limit is None or not self.limits.enabled:
            return
        now = self.clock.now()
        retry_after = self.limiter.window(name, key, limit, period, now).hit(now)
        if retry_after is not None:
            raise ApiError(
                429,
                "too.many.requests.retry.after",
                f"Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds",
                headers=[(b"retry-after", str(retry_after).encode())],
            )

    def _authenticate_guest(self, req: MockRequest, now: float) -> GuestSession:
        session = self.guest_from_jwt(req, now)
        req.principal = fingerprint(session.token)
        req.org_id = session.org_id
        req.guest = session
        return session

    def guest_from_jwt(self, req: MockRequest, now: float) -> GuestSession:
        token = req.bearer
        if token is None:
            raise ApiError(
                401, "authentication.required", "No authentication bearer token specified in authorization header."
            )
        try:
            claims = jwt.verify(token, self.jwt_key, now)
        except jwt.JwtInvalid:
            raise ApiError(401, "bad.credentials", "Invalid login credentials.") from None
        session = self.world.guest_sessions.get(str(claims.get("sub")))
        if session is None or session.closed or claims.get("gen") != session.jwt_generation:
            raise ApiError(401, "bad.credentials", "Invalid login credentials.")
        if session.expires_at <= now:
            raise ApiError(401, "credentials.expired", "The supplied credentials are expired and cannot be used.")
        return session

    def mint_guest_jwt(self, session: GuestSession, ttl: int) -> tuple[str, int]:
        """A signed guest JWT for ``session`` and its ``exp`` (epoch seconds)."""
        now = self.clock.now()
        exp = int(now) + ttl
        claims: dict[str, Any] = {
            "iss": "mockgenesys",
            "aud": session.deployment_id,
            "sub": session.id,
            "org": session.org_id,
            "iat": now,
            "exp": exp,
            "jti": self.world.new_hex_id(),
            "gen": session.jwt_generation,
        }
        return jwt.sign(claims, self.jwt_key), exp

    def reset(self, world: World) -> None:
        """Serve ``world`` as a new server would: no rate-limit windows, kept errors, uploads or
        seed-dialect views, and correlation ids numbered from the start again."""
        self.world = world
        self.limiter.reset()
        self.errors.clear()
        self.uploads.clear()
        self.seed_views.clear()
        self._correlation = _correlation_ids(world.seed)


def _correlation_ids(seed: int) -> Iterator[str]:
    """UUID-shaped correlation ids: a per-seed prefix, then a counter from 1."""
    prefix = f"{random.Random(seed).getrandbits(32):08x}"
    return (
        f"{prefix}-{n >> 16 & 0xFFFF:04x}-4{n >> 4 & 0xFFF:03x}-8{n & 0xF:03x}-{n:012x}" for n in itertools.count(1)
    )


class _Faulted(Exception):
    def __init__(self, fault: FaultContext) -> None:
        self.fault = fault


def _fault_response(fault: FaultContext, correlation: str) -> MockResponse:
    respond = fault.respond
    if respond is None:  # a reset without a response
        return MockResponse(200, b"", content_type=None, reset=True)
    if respond.body is not None:
        response = MockResponse(respond.status, respond.body.encode("utf-8"))
        if respond.retry_after is not None:
            response.headers.append((b"retry-after", str(respond.retry_after).encode()))
    else:
        message = respond.message
        if message is None and respond.retry_after is not None and respond.status == 429:
            message = "Rate limit exceeded the maximum. Retry the request in [%s] seconds"
        response = platform_error(respond.status, respond.code, message, correlation, retry_after=respond.retry_after)
    response.headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in respond.headers)
    response.reset = fault.reset
    return response


def _apply_fault(fault: FaultContext, response: MockResponse, clock: Clock) -> None:
    if fault.empty_body:
        response.body = b""
    elif fault.malformed:
        response.body = response.body[: max(1, len(response.body) // 2)] or b"{"
    if fault.reset:
        response.reset = True
    if fault.delay > 0:
        if getattr(clock, "is_virtual", False):
            clock.advance(fault.delay)
        else:
            response.delay += fault.delay


class _RateLimited(Exception):
    def __init__(self, retry_after: int, window: Window) -> None:
        self.retry_after = retry_after
        self.window = window


def _looks_like_jwt(req: MockRequest) -> bool:
    token = req.bearer
    return token is not None and token.count(".") == 2


def _error_code(body: bytes) -> str | None:
    start = body.find(b'"code":"')
    if start < 0:
        start = body.find(b'"error":"')
        if start < 0:
            return None
        start += 9
    else:
        start += 8
    end = body.find(b'"', start)
    return body[start:end].decode("utf-8", "replace") if end > start else None


def _retry_after(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"retry-after":
            try:
                return int(value)
            except ValueError:
                return None
    return None
