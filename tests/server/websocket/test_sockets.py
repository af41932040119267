from __future__ import annotations

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.server.guests import open_session


def test_sockets_attach_past_the_cap_changes_nothing() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock(), limits={"ws_connections_per_session": 1})
    session = open_session(mock.world, mock.world.default_deployment, "tok", mock.clock.now())
    first, second = mock.hub.open(mock.deployment_id), mock.hub.open(mock.deployment_id)
    assert mock.hub.sockets.attach(first, session)
    assert not mock.hub.sockets.attach(second, session)
    assert second.session is None and not second.closed and mock.hub.sockets.of(session) == [first]


def test_sockets_broadcast_reaches_every_guest_of_a_conversation() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock())
    session = open_session(mock.world, mock.world.default_deployment, "tok", mock.clock.now())
    conns = [mock.hub.open(mock.deployment_id) for _ in range(2)]
    for conn in conns:
        mock.hub.sockets.attach(conn, session)
    mock.hub.sockets.broadcast_conversation(session.conversation_id, {"type": "message", "class": "X", "code": 200})
    assert [conn.queue.qsize() for conn in conns] == [1, 1]
    conns[0].close()
    assert mock.hub.sockets.of(session) == [conns[1]]
    mock.hub.sockets.drop_all()
    assert conns[1].close_code == 1006 and mock.hub.connections == {}
