"""Run the mock live with uvicorn: in a background thread, or as the CLI's foreground server."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

#: The loopback address the mock binds by default (any address ``is_loopback`` accepts works).
LOOPBACK = "127.0.0.1"


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


def config(app: Any, *, fast: bool = True, log_level: str = "warning") -> uvicorn.Config:
    """uvicorn settings for the mock: httptools + uvloop when ``fast``, no access log."""
    return uvicorn.Config(
        app,
        loop="uvloop" if fast else "asyncio",
        http="httptools" if fast else "h11",
        ws="websockets-sansio",
        lifespan="off",
        log_level=log_level,
        access_log=False,
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
