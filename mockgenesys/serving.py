"""Run the mock live with uvicorn: in a background thread, or as the CLI's foreground server.

Both run the same guarded HTTP protocol (``GuardedHttpTools``): a request head and body must
arrive within ``HEAD_TIMEOUT`` and ``BODY_TIMEOUT``, a head is at most ``MAX_HEAD_BYTES``, at
most ``MAX_PIPELINED`` requests wait behind the one being answered, a client has
``WRITE_TIMEOUT`` seconds to read what it was sent, and every refusal at this level is a Genesys
error body. Forwarded headers (``X-Forwarded-For``) are never read: the peer address is the
socket's.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import ipaddress
import socket
import threading
import uuid
from asyncio import TimerHandle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from mockgenesys.server.errors import platform_error_body

#: The loopback address the mock binds by default (any address ``is_loopback`` accepts works).
LOOPBACK = "127.0.0.1"
#: Seconds a connection may be open without a request in progress (before the first, between two).
IDLE_TIMEOUT = 5
#: Seconds from the first byte of a request to the end of its head (request line and headers).
HEAD_TIMEOUT = 10.0
#: Seconds from the end of a request's head to the end of its body.
BODY_TIMEOUT = 30.0
#: Seconds a client may leave the server's answers unread (the send buffer full) before it is cut off.
WRITE_TIMEOUT = 30.0
#: The largest request head read (URL and headers); a larger one is answered 431.
MAX_HEAD_BYTES = 16 * 1024
#: Requests read ahead of the one being answered on one connection; one more closes it.
MAX_PIPELINED = 16
#: The largest guest WebSocket message read (the hub refuses anything over 64 KiB itself).
WS_MAX_BYTES = 256 * 1024


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8, ``::1`` (or IPv4-mapped 127.x)."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def bind(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A listening TCP socket (port 0: a free port chosen by the OS)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio and uvloop set TCP_NODELAY only on accepted sockets whose proto
    # says TCP. Without it every keep-alive request after the first waited ~40 ms (Nagle against
    # the client's delayed ACK, the response going out as headers then body).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except BaseException:  # a refused address or port must not leak the socket
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def guest_ws_url(url: str, deployment_id: str) -> str:
    """The guest WebSocket URL of ``deployment_id`` on the mock served at ``url``."""
    return url.replace("http://", "ws://", 1) + f"/v1?deploymentId={deployment_id}"


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._set_closing(False)  # the same app may be served again after a shutdown
        await super().startup(sockets)
        if self._on_ready is not None and not self.should_exit:
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Long-lived responses (the dashboard's live feed) end when the app's state says so;
        # otherwise shutting down waits out timeout_graceful_shutdown and then cancels them.
        self._set_closing(True)
        await super().shutdown(sockets)

    def _set_closing(self, closing: bool) -> None:
        state = getattr(self.config.app, "state", None)
        if state is not None:
            state.closing = closing


class _Refused(Exception):
    """Raised inside a parser callback to stop reading a request the server will not take."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits a public server needs (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: TimerHandle | None = None
        self._write_deadline: TimerHandle | None = None
        self._head_bytes = 0
        self._refusal: _Refused | None = None
        self._done = False  # no more requests are read on this connection

    # ------------------------------------------------------------------ connection
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn arms its keep-alive timer only after a first answer: a client that connects
        # and sends nothing would hold the connection forever.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._done:
            return  # after a refused upgrade the rest of the stream is not HTTP: ignore it
        super().data_received(data)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(WRITE_TIMEOUT, self._abort)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None

    # ------------------------------------------------------------------ parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._arm(HEAD_TIMEOUT, "The request head did not arrive within the server timeout limit.")

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if len(self.pipeline) >= MAX_PIPELINED:
            self._refusal = _Refused(0, "too many pipelined requests")  # closed, no answer out of turn
            raise self._refusal
        super().on_headers_complete()
        if self.parser.should_upgrade():
            self._cancel()  # a WebSocket (its protocol takes over) or a refused upgrade
        else:
            self._arm(BODY_TIMEOUT, "The request body did not arrive within the server timeout limit.")

    def on_message_complete(self) -> None:
        self._cancel()
        super().on_message_complete()

    def _should_upgrade(self) -> bool:
        # Hand over only a handshake the WebSocket protocol will accept: it answers a bad one in
        # plain text. A bad one goes to the app as an ordinary request (a Genesys 404 for /v1).
        return super()._should_upgrade() and _valid_handshake(self.scope.get("method"), self.headers)

    def handle_websocket_upgrade(self) -> None:
        self._cancel()
        self._done = True
        super().handle_websocket_upgrade()

    def _unsupported_upgrade_warning(self) -> None:
        # CONNECT or an upgrade to anything but a WebSocket: answer this request (405 or 404),
        # then close, since what follows on the connection is not HTTP the parser can read.
        self._done = True
        self._cancel()
        if self.cycle is not None:
            self.cycle.keep_alive = False
            self.cycle.more_body = False
            self.cycle.message_event.set()

    # ------------------------------------------------------------------ refusals
    def send_400_response(self, msg: str) -> None:
        refusal, self._refusal = self._refusal, None
        self._done = True
        self._cancel()
        if refusal is not None and refusal.status == 0:
            self.transport.close()
            return
        status, message = (
            (refusal.status, refusal.message)
            if refusal
            else (400, "The request is not valid HTTP/1.1; it was not read.")
        )
        self._send_error(status, message)

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refusal = _Refused(431, f"The request head is over the size limit. Maximum bytes: {MAX_HEAD_BYTES}")
            raise self._refusal

    def _arm(self, seconds: float, message: str) -> None:
        self._cancel()
        self._deadline = self.loop.call_later(seconds, self._too_slow, message)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self, message: str) -> None:
        self._deadline = None
        self._done = True
        cycle = self.cycle
        if not self.pipeline and (cycle is None or not cycle.response_started or cycle.response_complete):
            if cycle is not None and not cycle.response_complete:
                cycle.disconnected = True  # the app, waiting for the body, now sees a disconnect
                cycle.message_event.set()
            self._send_error(408, message)
        else:
            self.transport.close()

    def _abort(self) -> None:
        self._write_deadline = None
        self.transport.abort()

    def _send_error(self, status: int, message: str) -> None:
        """Answer with a Genesys error body and close the connection."""
        if self.transport.is_closing():
            return
        codes = {400: "bad.request", 408: "client.timeout", 431: "request.header.fields.too.large"}
        body = platform_error_body(status, codes.get(status, "bad.request"), message, str(uuid.uuid4()))
        head = [
            STATUS_LINE[status],
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def _valid_handshake(method: str | None, headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a WebSocket upgrade request is one RFC 6455 servers accept (GET, version 13, a key
    that is 16 bytes in base64)."""
    found = dict(headers)
    key = found.get(b"sec-websocket-key", b"")
    try:
        decoded = base64.b64decode(key, validate=True)
    except ValueError:
        return False
    return method == "GET" and found.get(b"sec-websocket-version") == b"13" and len(decoded) == 16


def config(app: Any, *, fast: bool = True, log_level: str = "warning") -> uvicorn.Config:
    """uvicorn settings for the mock: the guarded httptools protocol (uvloop too when ``fast``),
    no access log, no proxy headers, bounded WebSocket messages."""
    return uvicorn.Config(
        app,
        loop="uvloop" if fast else "asyncio",
        http=GuardedHttpTools,
        ws="websockets-sansio",
        ws_max_size=WS_MAX_BYTES,
        lifespan="off",
        log_level=log_level,
        access_log=False,
        proxy_headers=False,  # X-Forwarded-For must never make a remote peer look like loopback
        server_header=False,
        timeout_keep_alive=IDLE_TIMEOUT,
        timeout_graceful_shutdown=2,
    )


def run_forever(app: Any, sock: socket.socket, *, on_ready: Callable[[], None] | None = None) -> None:
    """Serve ``app`` on ``sock`` in this thread until Ctrl-C / SIGTERM."""
    settings = config(app)
    settings.load()  # imports uvicorn's protocol modules now, so the freeze below covers them
    # Modules and the seeded world live as long as the process: move them out of the collector's
    # sight so full collections under load only walk what requests created.
    gc.collect()
    gc.freeze()
    _Server(settings, on_ready).run(sockets=[sock])


@contextmanager
def serve_in_thread(app: Any, host: str = LOOPBACK, port: int = 0) -> Iterator[str]:
    """Serve ``app`` on a background thread; yields the base URL; stops on exit."""
    sock = bind(host, port)
    ready = threading.Event()
    server = _Server(config(app, fast=False), ready.set)
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # surfaced to the caller below
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=target, name=f"mockgenesys-{sock.getsockname()[1]}", daemon=True)
    thread.start()
    if not ready.wait(10) or failure:
        server.should_exit = True
        sock.close()
        raise RuntimeError(f"The mock server did not start on {host}:{port}: {failure[0] if failure else 'timeout'}")
    try:
        yield base_url(sock)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
