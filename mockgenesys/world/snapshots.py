"""Reading a world snapshot: the file, its version and seed, and every record checked on the way in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockgenesys.errors import ConfigError
from mockgenesys.world.models import (
    Conversation,
    Deployment,
    ExternalContact,
    GuestSession,
    OAuthClient,
    Org,
    SeedSession,
    from_dict,
)
from mockgenesys.world.validation import record_problem

if TYPE_CHECKING:
    from mockgenesys.world.store import World

SNAPSHOT_VERSION = 1


def read_snapshot(path: Path, origin: str) -> Any:
    """The JSON a world file holds; ``ConfigError`` naming ``origin`` when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read the world file {origin}: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"The world file {origin} is not valid JSON ({exc.msg} at line {exc.lineno}); "
            "write it with `mock.world.snapshot()` or `GET /__admin/world`."
        ) from exc


def snapshot_seed(data: Any, origin: str) -> int:
    """The seed of snapshot ``data`` once its version is checked; ``ConfigError`` naming ``origin``."""
    if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
        raise ConfigError(
            f"{origin} is not a mockgenesys world snapshot of version {SNAPSHOT_VERSION}; "
            'it needs a top-level object with "version": 1.'
        )
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"{origin}: seed must be a whole number, got {seed!r:.80}.")
    return seed


def fill_from_snapshot(world: World, data: dict[str, Any], origin: str) -> None:
    """Put every record of ``data`` into the empty ``world``, each checked; ``ConfigError`` naming the bad one."""
    kinds: list[tuple[str, type[Any], dict[str, Any]]] = [
        ("orgs", Org, world.orgs),
        ("clients", OAuthClient, world.clients),
        ("deployments", Deployment, world.deployments),
        ("contacts", ExternalContact, world.contacts),
        ("conversations", Conversation, world.conversations),
        ("seed_sessions", SeedSession, world.seed_sessions),
        ("guest_sessions", GuestSession, world.guest_sessions),
    ]
    for key, kind, target in kinds:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise ConfigError(f"{origin}: {key} must be a list of {kind.__name__} records, got {type(items).__name__}.")
        for index, item in enumerate(items):
            try:
                record = from_dict(kind, item)
            except (KeyError, TypeError) as exc:
                raise ConfigError(f"{origin}: {key}[{index}] is not a valid {kind.__name__}: {exc}") from exc
            problem = record_problem(record)
            if problem is not None:
                raise ConfigError(f"{origin}: {key}[{index}].{problem}")
            target[record.id] = record
    for index, guest in enumerate(world.guest_sessions.values()):
        if guest.conversation_id not in world.conversations or guest.deployment_id not in world.deployments:
            raise ConfigError(
                f"{origin}: guest_sessions[{index}] names conversation {guest.conversation_id!r:.80} and "
                f"deployment {guest.deployment_id!r:.80}; both must be in the snapshot."
            )
    world.guest_tokens = {g.token: g.id for g in world.guest_sessions.values()}
