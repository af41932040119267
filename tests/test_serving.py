from __future__ import annotations

import socket

from mockgenesys.serving import bind


def test_bind_accepted_sockets_say_tcp_so_the_event_loop_disables_nagle() -> None:
    # asyncio and uvloop set TCP_NODELAY on an accepted socket only when its proto is IPPROTO_TCP;
    # with proto 0 every keep-alive request after the first stalled on delayed ACKs.
    listener = bind()
    with listener, socket.create_connection(listener.getsockname()[:2]):
        accepted, _ = listener.accept()
        with accepted:
            assert accepted.proto == socket.IPPROTO_TCP
