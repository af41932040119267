"""``Server``: resolves the caller, asks the fault plan, checks limits, runs the route, answers, journals."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from mockgenesys.conformance import SEED_DIALECT
from mockgenesys.faults.outcome import Outcome, Reply, carry_out
from mockgenesys.journal import RESET
from mockgenesys.server.auth import authorize_guest, authorize_oauth, request_caller
from mockgenesys.server.errors import oauth_error_body, platform_error, too_many_requests
from mockgenesys.server.http import (
    JSON_TYPE,
    MAX_REQUEST_BYTES,
    ApiError,
    MockRequest,
    MockResponse,
    OAuthError,
    Route,
    Router,
)
from mockgenesys.server.views import SeedViewStore
from mockgenesys.world.retention import BudgetDict

if TYPE_CHECKING:
    from mockgenesys.clock import Clock
    from mockgenesys.faults.plan import FaultPlan
    from mockgenesys.faults.ratelimit import Limiter, RateLimits, Window
    from mockgenesys.journal import Journal
    from mockgenesys.server.state import ServerState
    from mockgenesys.server.websocket.hub import GuestHub
    from mockgenesys.world.models import GuestSession
    from mockgenesys.world.store import World

_UNLIMITED = 1_000_000_000
_CACHE_HEADERS = [
    (b"cache-control", b"no-cache, no-store, must-revalidate"),
    (b"pragma", b"no-cache"),
    (b"expires", b"0"),
]


class Server:
    """The transport-independent HTTP core both the ASGI app and the in-process transport call.

    Each request crosses the fault engine once: the caller is resolved, ``FaultPlan.decide``
    answers with an ``Outcome`` or nothing, and this class carries the outcome out (the guest
    side effects through the ``hub``, a ``FaultTarget``).
    """

    def __init__(self, state: ServerState, *, routes: list[Route], faults: FaultPlan, hub: GuestHub) -> None:
        self.state = state
        #: The parts of the state that are never replaced, by name (the world is, on reset).
        self.clock: Clock = state.clock
        self.journal: Journal = state.journal
        self.limits: RateLimits = state.limits
        self.limiter: Limiter = state.limiter
        self.router = Router(routes)
        self.faults = faults
        self.hub = hub
        #: Attachment bytes uploaded to the presigned URLs, by attachment id (oldest forgotten first).
        self.uploads: BudgetDict[str, bytes] = BudgetDict(MAX_UPLOADS, MAX_UPLOAD_BYTES, len)
        #: Encoded seed-dialect message views (checked against the world on every page).
        self.seed_views = SeedViewStore()

    # ------------------------------------------------------------------ shared state, by name
    @property
    def world(self) -> World:
        """The current world (the mock replaces it on reset and load)."""
        return self.state.world

    @world.setter
    def world(self, world: World) -> None:
        self.state.world = world

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the mock while answering (its own bugs), the newest few."""
        return self.state.errors

    @property
    def error_count(self) -> int:
        """How many exceptions the mock raised while answering since the last reset."""
        return self.state.error_count

    def reset(self, world: World) -> None:
        """Serve ``world`` as a new server would: no rate-limit windows, kept errors, uploads or
        seed-dialect views, and correlation ids numbered from the start again."""
        self.state.reset(world)
        self.uploads.clear()
        self.seed_views.clear()

    def correlation_id(self) -> str:
        """The next ``ININ-Correlation-Id``."""
        return self.state.correlation_id()

    def mint_guest_jwt(self, session: GuestSession, ttl: int) -> tuple[str, int]:
        """A signed guest JWT for ``session`` and its ``exp`` (epoch seconds)."""
        return self.state.mint_guest_jwt(session, ttl)

    def token_in_use(self, token: str, now: float) -> bool:
        """Whether an access token was counted in a rate-limit window that has not ended yet."""
        return self.state.limiter.is_active("token", token, now)

    def hit_limit(self, name: str, key: str, limit: int | None, period: float) -> None:
        """Count a request against a named limit; raise the Genesys 429 when it is over."""
        retry_after = self.state.hit(name, key, limit, period)
        if retry_after is not None:
            raise ApiError(
                429,
                "too.many.requests.retry.after",
                f"Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds",
                headers=[(b"retry-after", str(retry_after).encode())],
            )

    # ------------------------------------------------------------------ dispatch
    def handle(self, req: MockRequest) -> MockResponse:
        """Answer one request; never raises for bad input."""
        started = time.perf_counter()
        state = self.state
        now = state.clock.now()
        correlation = state.correlation_id()
        window: Window | None = None
        outcome: Outcome | None = None
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
            self.hub.tidy()
            if route.dialect == "seed":  # every call to the tutorials' invented paths is marked
                req.detail = SEED_DIALECT
            if len(req.body) > MAX_REQUEST_BYTES:
                raise ApiError(
                    413,
                    "request.entity.too.large",
                    f"The request is over the size limit. Maximum bytes: {MAX_REQUEST_BYTES}",
                    params={"maxBytes": str(MAX_REQUEST_BYTES)},
                )
            caller = req.caller = request_caller(req, state.world, state.jwt_key)
            req.principal = caller.principal
            req.org_id = caller.org_id
            if self.faults:
                outcome = self.faults.decide(route.endpoint, req.method, caller, None, now)
                if outcome is not None:
                    carry_out(outcome, caller, self.hub, conversation_id=params.get("conversationId"))
                    if outcome.drop:
                        self.hub.drop_connections(caller)
                    if outcome.reset or outcome.http_reply is not None:
                        raise _Faulted(outcome)
            if route.auth == "oauth" or (route.auth == "oauth_or_guest" and not _looks_like_jwt(req)):
                record = authorize_oauth(req, route, state.world, now)
                window = self._token_window(record.token, now)
                self._app_window(req, now)
            else:
                window = self._app_window(req, now)
                if route.auth != "none":
                    authorize_guest(req, now)
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
            response = _fault_response(exc.outcome, correlation)
        except Exception as exc:  # a bug in the mock: keep it for the test, answer like Genesys
            state.record_error(exc)
            req.detail = f"internal error: {type(exc).__name__}"  # the journal's line; never the text
            response = platform_error(500, "internal.server.error", None, correlation)
        if window is None:
            window = state.limiter.window("app", _app_key(req), self._client_limit(), 60.0, now)
        headers = response.headers
        retry_after = _retry_after(headers) if headers else None  # the route's or the fault's own
        headers += (
            (b"inin-correlation-id", correlation.encode()),
            (b"inin-ratelimit-allowed", b"%d" % window.limit),
            (b"inin-ratelimit-count", b"%d" % window.count),
            (b"inin-ratelimit-reset", b"%d" % window.reset_in(now)),
            *_CACHE_HEADERS,
        )
        if outcome is not None:
            self._break(outcome, response)
        self._record(req, response, now, started, retry_after, outcome.rule_id if outcome is not None else None)
        return response

    def _break(self, outcome: Outcome, response: MockResponse) -> None:
        """Carry out the parts of a fault that change how the answer arrives."""
        if outcome.empty_body:
            response.body = b""
        elif outcome.malformed:
            response.body = response.body[: max(1, len(response.body) // 2)] or b"{"
        if outcome.reset:
            response.reset = True
        if outcome.delay > 0:
            clock = self.state.clock
            if clock.is_virtual:
                clock.advance(outcome.delay)
            else:
                response.delay += outcome.delay

    def _record(
        self,
        req: MockRequest,
        response: MockResponse,
        now: float,
        started: float,
        retry_after: int | None,
        fault: str | None,
    ) -> None:
        code = None
        status = response.status
        if response.reset:  # the client got no answer: the server did not carry the request out
            status, code = 0, RESET
        elif status >= 400 and response.content_type == JSON_TYPE:
            code = _error_code(response.body)
        received = req.received
        self.state.journal.add(  # every Entry field after seq, in order
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
            req.caller.credential,
            received if received is not None and received < now else None,
        )

    # ------------------------------------------------------------------ limits
    def _token_window(self, token: str, now: float) -> Window:
        limits = self.state.limits
        limit = limits.token_per_minute if limits.enabled else None
        window = self.state.limiter.window("token", token, limit or _UNLIMITED, 60.0, now)
        retry_after = window.hit(now)
        if retry_after is not None and limit is not None:
            raise _RateLimited(retry_after, window)
        return window

    def _client_limit(self) -> int:
        return self.state.limits.client_per_minute or _UNLIMITED

    def _app_window(self, req: MockRequest, now: float) -> Window:
        """Count ``org.app.user.rate.per.minute`` for the caller (see ``_app_key``)."""
        limits = self.state.limits
        window = self.state.limiter.window("app", _app_key(req), self._client_limit(), 60.0, now)
        retry_after = window.hit(now)
        if retry_after is not None and limits.enabled and limits.client_per_minute:
            raise _RateLimited(retry_after, window)
        return window


#: The most bytes of uploaded attachments kept at once, and the most uploads.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_UPLOADS = 1_000


class _Faulted(Exception):
    """A fault answers (or cuts off) the request instead of the route."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def _fault_response(outcome: Outcome, correlation: str) -> MockResponse:
    reply: Reply | None = outcome.http_reply
    if reply is None:  # a reset without a response
        return MockResponse(200, b"", content_type=None, reset=True)
    if reply.body is not None:
        response = MockResponse(reply.status, reply.body.encode("utf-8"))
        if reply.retry_after is not None:
            response.headers.append((b"retry-after", str(reply.retry_after).encode()))
    else:
        message = reply.message
        if message is None and reply.retry_after is not None and reply.status == 429:
            message = "Rate limit exceeded the maximum. Retry the request in [%s] seconds"
        response = platform_error(reply.status, reply.code, message, correlation, retry_after=reply.retry_after)
    response.headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers)
    return response


class _RateLimited(Exception):
    def __init__(self, retry_after: int, window: Window) -> None:
        self.retry_after = retry_after
        self.window = window


def _app_key(req: MockRequest) -> str:
    """The key of ``org.app.user.rate.per.minute``: Genesys counts it per org, OAuth client and
    user (a client-credentials token has no user). A guest counts per guest session, and a caller
    that presents nothing per address, the only thing known about it."""
    caller = req.caller
    if caller.token is not None:
        return f"{caller.token.org_id}/{caller.token.client_id}"
    if caller.client_id is not None:
        return f"client/{caller.client_id}"
    if caller.guest is not None:
        return f"{caller.guest.org_id}/guest/{caller.guest.id}"
    return f"address/{req.client}"


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
