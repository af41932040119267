"""The simulated world: records, Faker seeding, snapshot and load."""

from __future__ import annotations

from mockgenesys.world.models import (
    ALL_PERMISSIONS,
    AccessToken,
    Conversation,
    Deployment,
    ExternalContact,
    GuestSession,
    Message,
    OAuthClient,
    Org,
    Participant,
    RefreshToken,
    SeedSession,
)
from mockgenesys.world.store import World

__all__ = [
    "ALL_PERMISSIONS",
    "AccessToken",
    "Conversation",
    "Deployment",
    "ExternalContact",
    "GuestSession",
    "Message",
    "OAuthClient",
    "Org",
    "Participant",
    "RefreshToken",
    "SeedSession",
    "World",
]
