"""A guest speaking the real Genesys web-messaging protocol, synchronously, for load generators.

``GuestSession`` opens ``/v1?deploymentId=…``, configures a session (and resumes it with the same
token after a reconnect), sends texts with exactly-once confirmation, refreshes its JWT with
``getJwt`` and reads its history over REST (``GET /api/v2/webmessaging/messages``). It blocks on
plain sockets (``websocket-client``), so under Locust, whose gevent patches the socket module,
thousands of them share one process.

Exactly once: a text is confirmed only by the server's echo carrying the request's tracingId. A
refusal (4029 with ``retryAfter``, a session gone) means it was not stored, so it is sent again.
When its fate is unknown (the socket dropped or no answer came in time) the guest reconnects,
resumes its session and looks for the text in its history; it sends again only if it is not there,
and abandons it (never sends it again) if the history cannot be read.

Every request is reported to a ``Recorder`` (Locust's request event), and every text goes into a
``Ledger`` before it is sent, so the run can be judged from the mock's side.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import websocket

from mockgenesys.load.errors import LoadError
from mockgenesys.load.ledger import Ledger, guest_text

HISTORY_PATH = "/api/v2/webmessaging/messages"
HISTORY_PAGE_SIZE = 100
MAX_SEND_ATTEMPTS = 6
MAX_HISTORY_PAGES = 50
#: Refresh the JWT when it has less than this many seconds left.
JWT_MARGIN = 30.0
#: The session is gone: expired (4006) or unknown / cleared (4007).
SESSION_GONE = (4006, 4007)
WS_ERRORS = (websocket.WebSocketException, OSError)

Frame = dict[str, Any]


class Recorder(Protocol):
    """Hears of every request: ``kind`` (``WS`` or ``GET``), its name, when it started, its outcome."""

    def __call__(
        self, kind: str, name: str, started: float, *, length: int = 0, error: BaseException | None = None
    ) -> None: ...


#: ``(path, params, headers, name)`` → ``(status, parsed JSON or None)``: one REST GET, recorded by the caller.
HttpGet = Callable[[str, dict[str, Any], dict[str, str], str], tuple[int, Any]]
Connect = Callable[[str, float], Any]


class ProtocolError(LoadError):
    """The server answered a guest request with an error frame (``code``) or broke the protocol."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


class SocketLost(LoadError):
    """The socket closed or timed out before the answer came: the request's fate is unknown."""


def _connect(url: str, timeout: float) -> Any:
    return websocket.create_connection(url, timeout=timeout, enable_multithread=False)


class GuestSession:
    """One guest: a session token, a socket, a JWT, and the texts it sent (see the module docstring)."""

    def __init__(
        self,
        base_url: str,
        deployment_id: str,
        prefix: str,
        *,
        ledger: Ledger,
        record: Recorder,
        http_get: HttpGet,
        connect: Connect = _connect,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ws_url = base_url.replace("http", "ws", 1) + f"/v1?deploymentId={deployment_id}"
        self.deployment_id = deployment_id
        self.prefix = prefix
        self.ledger = ledger
        self.record = record
        self.http_get = http_get
        self.connect = connect
        self.timeout = timeout
        self.sleep = sleep
        self.token = str(uuid.uuid4())
        self.sent = 0
        self.jwt: str | None = None
        self.jwt_expires = 0.0
        self.socket: Any = None
        self._tracing = 0

    # ------------------------------------------------------------------ session
    def start(self) -> None:
        """Connect and configure a new session."""
        self.ledger.join(self.prefix)
        self._open()
        self._configure()

    def reconnect(self) -> None:
        """Drop the socket and resume the same session on a new one (``newSession: false``)."""
        self.close()
        self._open()
        self._configure()
        self.ledger.count_reauth("resume")

    def close(self) -> None:
        """Close the socket (the session stays, as when a tab closes)."""
        if self.socket is not None:
            # A close frame, then the socket: websocket-client's own close() waits for the server's
            # answer under a bare ``except:``, which would swallow Locust's GreenletExit and leave
            # the user running after it was told to stop.
            with contextlib.suppress(*WS_ERRORS):
                self.socket.send_close()
            self.socket.shutdown()
            self.socket = None

    def _open(self) -> None:
        started = time.perf_counter()
        try:
            self.socket = self.connect(self.ws_url, self.timeout)
        except WS_ERRORS as exc:
            self.record("WS", "connect", started, error=exc)
            raise SocketLost(f"could not connect: {exc}") from exc
        self.record("WS", "connect", started)

    def _configure(self) -> None:
        frame = self._request("configureSession", {"deploymentId": self.deployment_id})
        if frame.get("class") != "SessionResponse":
            raise ProtocolError(f"configureSession answered {_describe(frame)}", int(frame.get("code") or 0))

    def _new_session(self) -> None:
        """The session expired or was cleared: a new token, a new session (a new conversation)."""
        self.token = str(uuid.uuid4())
        self.jwt = None
        self.close()
        self._open()
        self._configure()
        self.ledger.count_reauth("new_session")

    # ------------------------------------------------------------------ requests
    def _request(self, action: str, payload: dict[str, Any], *, name: str | None = None) -> Frame:
        """Send one frame and return the answer carrying its tracingId; 4029s are waited out and retried."""
        for _ in range(MAX_SEND_ATTEMPTS):
            self._tracing += 1
            tracing = f"{self.token[:8]}-{self._tracing}"
            frame = {"action": action, "token": self.token, "tracingId": tracing, **payload}
            started = time.perf_counter()
            try:
                answer = self._exchange(frame, tracing)
            except SocketLost as exc:
                self.record("WS", name or action, started, error=exc)
                raise
            if answer.get("class") == "TooManyRequestsErrorMessage":
                body = _body(answer)
                self.record("WS", name or action, started, error=ProtocolError("4029 too many requests", 4029))
                self.sleep(float(body.get("retryAfter", 1)))
                continue
            error = ProtocolError(_describe(answer), int(answer.get("code") or 0)) if _is_error(answer) else None
            self.record("WS", name or action, started, length=len(json.dumps(answer)), error=error)
            return answer
        raise ProtocolError(f"{action} was refused with 4029 {MAX_SEND_ATTEMPTS} times in a row", 4029)

    def _exchange(self, frame: Frame, tracing: str) -> Frame:
        if self.socket is None:
            raise SocketLost("no socket")
        deadline = time.monotonic() + self.timeout
        try:
            self.socket.send(json.dumps(frame))
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SocketLost(f"no answer to {frame['action']} within {self.timeout:g} s")
                self.socket.settimeout(left)
                raw = self.socket.recv()
                answer = json.loads(raw) if raw else {}
                if not isinstance(answer, dict):
                    continue
                if answer.get("tracingId") == tracing:
                    return answer
                if answer.get("class") in ("SessionExpiredEvent", "SessionClearedEvent", "LogoutEvent"):
                    return {"class": "string", "code": 4006, "body": f"{answer['class']} arrived"}
        except (websocket.WebSocketTimeoutException, TimeoutError) as exc:
            self.close()
            raise SocketLost(f"no answer to {frame['action']} within {self.timeout:g} s") from exc
        except (*WS_ERRORS, ValueError) as exc:
            self.close()
            raise SocketLost(f"socket lost during {frame['action']}: {exc!r}") from exc

    # ------------------------------------------------------------------ messages
    def send(self) -> bool:
        """Send this guest's next text exactly once; True when the server confirmed it (or had it).

        A text that was not confirmed (refused for good, its fate unknown, or the run stopped mid-send)
        is abandoned in the ledger: it is never sent again, so it may be stored at most once.
        """
        index = self.sent
        self.sent += 1
        text = guest_text(self.prefix, index)
        self.ledger.ask(self.prefix, index)
        started = time.perf_counter()
        confirmed = False
        try:
            confirmed = self._deliver(text)
        except (SocketLost, ProtocolError) as exc:
            self.record("WS", "message round trip", started, error=exc)
            return False
        finally:  # also when Locust kills the user mid-send
            if not confirmed:
                self.ledger.abandon(self.prefix, index)
        self.record("WS", "message round trip", started)
        return True

    def _deliver(self, text: str) -> bool:
        for _ in range(MAX_SEND_ATTEMPTS):
            try:
                if self.socket is None:
                    self._resume()
                answer = self._request("onMessage", {"message": {"type": "Text", "text": text}})
            except SocketLost:
                found = self._resume_and_find(text)
                if found:
                    return True
                if found is None:
                    raise ProtocolError("the send's fate is unknown (no echo, history unreadable)") from None
                continue
            if answer.get("class") == "StructuredMessage":
                return True
            if answer.get("code") not in SESSION_GONE:
                raise ProtocolError(f"onMessage answered {_describe(answer)}", int(answer.get("code") or 0))
            self._new_session()
        raise ProtocolError(f"no confirmation after {MAX_SEND_ATTEMPTS} attempts")

    def _resume(self) -> bool:
        """Reconnect to the same session (True), or to a new one when it is gone (False)."""
        try:
            self.reconnect()
        except ProtocolError as exc:
            if exc.code not in SESSION_GONE:
                raise
            self._new_session()
            return False
        return True

    def _resume_and_find(self, text: str) -> bool | None:
        """After a lost answer: resume, then look for ``text`` in the history (None: it cannot be read)."""
        try:
            if not self._resume():
                return None  # the old conversation may hold it, and the new one cannot tell
            return text in self.history_texts()
        except (SocketLost, ProtocolError):
            return None

    # ------------------------------------------------------------------ JWT and history
    def refresh_jwt(self) -> str:
        """A fresh guest JWT with ``getJwt``."""
        if self.socket is None:
            self._resume()
        answer = self._request("getJwt", {})
        body = _body(answer)
        if answer.get("class") != "JwtResponse" or not isinstance(body.get("jwt"), str):
            raise ProtocolError(f"getJwt answered {_describe(answer)}", int(answer.get("code") or 0))
        self.jwt = str(body["jwt"])
        self.jwt_expires = float(body.get("exp") or 0)
        self.ledger.count_reauth("get_jwt")
        return self.jwt

    def history_texts(self) -> list[str]:
        """Every text of the guest's conversation over REST, oldest first; one fresh JWT on a 401."""
        if self.jwt is None or self.jwt_expires - time.time() < JWT_MARGIN:
            self.refresh_jwt()
        texts: list[str] = []
        for page in range(1, MAX_HISTORY_PAGES + 1):
            status, body = self._history_page(page)
            if status == 401:
                self.refresh_jwt()
                status, body = self._history_page(page)
            if status != 200 or not isinstance(body, dict):
                raise ProtocolError(f"history page {page} answered {status}", status)
            entities = body.get("entities") or []
            texts += [str(e.get("text", "")) for e in entities if isinstance(e, dict)]
            if len(entities) < HISTORY_PAGE_SIZE or page >= int(body.get("pageCount") or page):
                break
        return texts[::-1]

    def _history_page(self, page: int) -> tuple[int, Any]:
        for _ in range(MAX_SEND_ATTEMPTS):
            status, body = self.http_get(
                HISTORY_PATH,
                {"pageSize": HISTORY_PAGE_SIZE, "pageNumber": page},
                {"Authorization": f"Bearer {self.jwt}"},
                "GET /api/v2/webmessaging/messages",
            )
            if status != 429:
                return status, body
            self.sleep(1.0)
        return status, body


def _body(frame: Frame) -> dict[str, Any]:
    body = frame.get("body")
    return body if isinstance(body, dict) else {}


def _is_error(frame: Frame) -> bool:
    return frame.get("class") == "string" or int(frame.get("code") or 200) >= 400


def _describe(frame: Frame) -> str:
    return f"{frame.get('class')} {frame.get('code')}: {str(frame.get('body'))[:120]}"
