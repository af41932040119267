"""What the dashboard shows of a mock, as JSON-ready dicts: the clock, fault rules, rate-limit
windows and the world, with every secret replaced by the fingerprint the journal uses.

Each view costs a bounded amount of work however large the mock grows: lists are capped (newest
first) and say how many they left out, so the live feed can send them every half second.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mockgenesys.journal import fingerprint
from mockgenesys.server.views import iso

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys
    from mockgenesys.world.models import Conversation, GuestSession

#: Windows the limits view reports, and how many of the newest it looks at to find them.
MAX_WINDOWS = 200
SCAN_WINDOWS = 5000
#: Limit names whose window key is a credential (shown as its fingerprint, never in full).
SECRET_KEYED = frozenset({"token"})
#: Above this a limit counts as off (the server keeps counting with a huge limit to track tokens in use).
UNLIMITED = 1_000_000
MAX_CONVERSATIONS = 200
MAX_MESSAGES = 50
MAX_SESSIONS = 500
MAX_CONTACTS = 200


def clock_view(mock: MockGenesys) -> dict[str, Any]:
    """The mock's clock: ``now`` (epoch seconds), ``iso``, ``virtual`` and a wall clock's ``offset``."""
    now = mock.clock.now()
    offset = getattr(mock.clock, "offset", None)
    return {"now": now, "iso": iso(now), "virtual": mock.clock.is_virtual, "offset": offset}


def faults_view(mock: MockGenesys) -> list[dict[str, Any]]:
    """The installed fault rules in plan order, each with how often it matched and fired."""
    rules = []
    for rule in mock.faults:
        data = rule.to_dict()
        if rule.id is not None:
            data["stats"] = mock.faults.stats(rule.id)
        rules.append(data)
    return rules


def limits_view(mock: MockGenesys) -> dict[str, Any]:
    """The configured limits and the running windows with their remaining budget, tightest first.

    Only the ``SCAN_WINDOWS`` most recently opened windows are looked at and the ``MAX_WINDOWS``
    tightest of the running ones reported; ``running`` counts the running ones among those looked at.
    """
    now = mock.clock.now()
    running: list[tuple[float, dict[str, Any]]] = []  # (share of the budget left, the window's view)
    for (name, key), window in mock.server.limiter.windows(SCAN_WINDOWS):
        if now - window.start >= window.period:
            continue  # ended: the next request starts a fresh window
        limited = window.limit < UNLIMITED
        remaining = max(0, window.limit - window.count)
        view = {
            "name": name,
            "key": fingerprint(key) if name in SECRET_KEYED else key,
            "limit": window.limit if limited else None,
            "period": window.period,
            "used": window.count,
            "remaining": remaining if limited else None,
            "resetIn": window.reset_in(now),
        }
        running.append((remaining / window.limit if limited else math.inf, view))
    running.sort(key=lambda pair: pair[0])
    windows = [view for _, view in running[:MAX_WINDOWS]]
    return {"limits": mock.limits.to_dict(), "running": len(running), "windows": windows}


def world_view(mock: MockGenesys) -> dict[str, Any]:
    """The world for people: deployments, clients (no secrets), the newest conversations with their
    participants and latest messages, guest sessions with their open connections, and contacts."""
    world = mock.world
    connections = mock.hub.connections
    conversations = list(world.conversations.values())
    sessions = list(world.guest_sessions.values())
    contacts = world.contacts_sorted()
    return {
        "orgId": mock.org_id,
        "deployments": [
            {"id": d.id, "name": d.name, "status": d.status, "jwtTtl": d.jwt_ttl, "sessionTtl": d.guest_session_ttl}
            for d in world.deployments.values()
        ],
        "clients": [
            {"id": c.id, "name": c.name, "tokenTtl": c.token_ttl, "grants": c.grants} for c in world.clients.values()
        ],
        "conversations": [_conversation(c) for c in reversed(conversations[-MAX_CONVERSATIONS:])],
        "guestSessions": [_session(s, len(connections.get(s.id, ()))) for s in reversed(sessions[-MAX_SESSIONS:])],
        "contacts": [
            {"id": c.id, "name": f"{c.first_name} {c.last_name}".strip(), "title": c.title, "email": c.work_email}
            for c in contacts[:MAX_CONTACTS]
        ],
        "totals": {"conversations": len(conversations), "guestSessions": len(sessions), "contacts": len(contacts)},
    }


def _conversation(conversation: Conversation) -> dict[str, Any]:
    messages = conversation.messages
    return {
        "id": conversation.id,
        "state": conversation.state,
        "deploymentId": conversation.deployment_id,
        "startTime": conversation.start_time,
        "participants": [
            {"id": p.id, "purpose": p.purpose, "name": p.name, "state": p.state} for p in conversation.participants
        ],
        "messageCount": len(messages),
        "messages": [
            {
                "id": m.id,
                "direction": m.direction,
                "type": m.type,
                "text": m.text,
                "timestamp": m.timestamp,
                "status": m.status,
            }
            for m in messages[-MAX_MESSAGES:]
        ],
    }


def _session(session: GuestSession, connections: int) -> dict[str, Any]:
    return {
        "id": session.id,
        "principal": fingerprint(session.token),
        "deploymentId": session.deployment_id,
        "conversationId": session.conversation_id,
        "createdAt": session.created_at,
        "expiresAt": session.expires_at,
        "authenticated": session.authenticated,
        "readOnly": session.read_only,
        "closed": session.closed,
        "expired": session.expired,
        "connections": connections,
    }
