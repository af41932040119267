"""World snapshots over the admin API: guest secrets leave only as fingerprints.

``GET /__admin/world`` names every guest session token and seed-dialect session token by its
journal fingerprint (``fp:...``), never by value, so whoever reads the snapshot cannot resume a
guest's session. ``POST /__admin/world`` loads such a snapshot too: those sessions get new random
tokens (their guests start new sessions; everything else is as it was). A snapshot from
``mock.world.snapshot()`` holds the tokens and restores them.
"""

from __future__ import annotations

import secrets
from typing import Any

from mockgenesys.errors import ConfigError, WorldError
from mockgenesys.journal import fingerprint
from mockgenesys.world.store import World

#: Secret fields of each snapshot list, and the key their fingerprint is published under.
SECRET_FIELDS = (
    ("guest_sessions", "token", "token_fingerprint"),
    ("conversations", "guest_token", "guest_token_fingerprint"),
    ("seed_sessions", "session_token", "session_token_fingerprint"),
)


def public_snapshot(world: World) -> dict[str, Any]:
    """``world.snapshot()`` with each guest secret replaced by its fingerprint."""
    snapshot = world.snapshot()
    for kind, secret, published in SECRET_FIELDS:
        for record in snapshot[kind]:
            value = record.pop(secret)
            record[published] = fingerprint(value) if isinstance(value, str) else None
    return snapshot


def world_from_body(body: dict[str, Any]) -> World:
    """The world a ``POST /__admin/world`` body describes, complete and valid, or ``ConfigError``.

    Nothing is changed until the whole snapshot has been read: a bad one leaves the mock as it was.
    """
    tokens: dict[str, str] = {}
    for kind, secret, published in SECRET_FIELDS:
        records = body.get(kind, [])
        if not isinstance(records, list):
            raise ConfigError(f"the request body: {kind} must be a list of records.")
        for index, record in enumerate(records):
            if not isinstance(record, dict) or published not in record:
                continue
            if secret in record:
                raise ConfigError(f"the request body: {kind}[{index}] has both {secret} and {published}; keep one.")
            mark = record.pop(published)
            if kind == "conversations":  # the conversation's guest, under the new token it got
                record[secret] = tokens.get(mark) if isinstance(mark, str) else None
            else:
                record[secret] = tokens.setdefault(str(mark), secrets.token_urlsafe(32))
    world = World.from_snapshot(body, "the request body")
    try:
        world.default_org, world.default_client, world.default_deployment  # noqa: B018 - each raises if missing
    except WorldError as exc:
        raise ConfigError(f"the request body is not a complete world: {exc}") from None
    return world
