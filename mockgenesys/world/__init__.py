"""The simulated world: records, seeded generation, snapshot and load, and templates to copy worlds from."""

from __future__ import annotations

from mockgenesys.world.channels import NotificationChannel
from mockgenesys.world.contactcentre import ContactCentre
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
from mockgenesys.world.openmessaging import OpenIntegration, WebhookDelivery
from mockgenesys.world.store import World
from mockgenesys.world.template import WorldTemplate

__all__ = [
    "ALL_PERMISSIONS",
    "AccessToken",
    "ContactCentre",
    "Conversation",
    "Deployment",
    "ExternalContact",
    "GuestSession",
    "Message",
    "NotificationChannel",
    "OAuthClient",
    "OpenIntegration",
    "Org",
    "Participant",
    "RefreshToken",
    "SeedSession",
    "WebhookDelivery",
    "World",
    "WorldTemplate",
]
