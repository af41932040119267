"""Guest sessions and their conversations, shared by the guest REST API and WebSocket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.world.models import Conversation, Deployment, GuestSession, Participant

if TYPE_CHECKING:
    from mockgenesys.world.store import World


def start_conversation(world: World, deployment: Deployment, now: float, *, guest_name: str = "Guest") -> Conversation:
    """A new web-messaging conversation with its customer participant, waiting for routing."""
    customer = Participant(
        id=world.new_id(),
        purpose="customer",
        name=guest_name,
        state="connected",
        start_time=now,
        connected_time=now,
        address=world.new_id(),
        queue_id=world.queue_of(deployment.org_id),
    )
    conversation = Conversation(
        id=world.new_id(),
        org_id=deployment.org_id,
        deployment_id=deployment.id,
        start_time=now,
        state="alerting",
        participants=[customer],
    )
    return world.add_conversation(conversation)


def open_session(
    world: World,
    deployment: Deployment,
    token: str,
    now: float,
    *,
    authenticated: bool = False,
    conversation: Conversation | None = None,
) -> GuestSession:
    """A guest session for ``token``, on ``conversation`` or on a new one."""
    if conversation is None:
        conversation = start_conversation(world, deployment, now)
    conversation.guest_token = token
    session = GuestSession(
        id=world.new_id(),
        token=token,
        deployment_id=deployment.id,
        org_id=deployment.org_id,
        conversation_id=conversation.id,
        created_at=now,
        last_activity=now,
        ttl=deployment.guest_session_ttl,
        authenticated=authenticated,
    )
    return world.add_guest_session(session)
