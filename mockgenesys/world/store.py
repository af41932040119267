"""``World``: every record the simulated Genesys Cloud holds, in one object."""

from __future__ import annotations

import base64
import json
import random
import secrets
import uuid
from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from mockgenesys.bounded import forget_one
from mockgenesys.errors import ConfigError, WorldError
from mockgenesys.world.contactcentre import ContactCentre, queue_id_of
from mockgenesys.world.copying import copy_records
from mockgenesys.world.models import (
    AccessToken,
    Conversation,
    Deployment,
    ExternalContact,
    GuestSession,
    Message,
    OAuthClient,
    Org,
    RefreshToken,
    SeedSession,
    to_dict,
)
from mockgenesys.world.retention import Retention, sweep
from mockgenesys.world.snapshots import SNAPSHOT_VERSION, fill_from_snapshot, read_snapshot, snapshot_seed

#: How many used seed-dialect request nonces are remembered (oldest forgotten first).
DEFAULT_NONCE_MEMORY = 100_000
#: The most access tokens a world remembers by default (``World.max_tokens``). A full garbage
#: collection walks the store, so the bound sets that pause under a log-in-per-call load (40,000
#: gave a 12 ms token p99 live). With the default limits one caller address needs over three
#: minutes of log-ins to fill it.
MAX_TOKENS = 10_000


class World:
    """The state of one simulated Genesys Cloud: orgs, clients, deployments, conversations…

    Build one with ``World.generate(seed=7)`` (seeded data, same seed → byte-identical
    snapshot) or ``World.load(path_or_dict)``; dump it with ``snapshot()``. ``MockGenesys``
    takes its worlds from a ``WorldTemplate``: generated once per process, copied lazily.

    >>> world = World.generate(seed=7)
    >>> world.snapshot_json() == World.generate(seed=7).snapshot_json()
    True
    """

    _origin: World | None
    _rng_state: tuple[Any, ...]

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.orgs = {}
        self.clients = {}
        self.deployments = {}
        self.conversations = {}
        self.contacts = {}
        self.seed_sessions = OrderedDict()
        self.guest_sessions = {}
        self.guest_tokens = {}
        self._messages = {}
        self._init_run_state(DEFAULT_NONCE_MEMORY, MAX_TOKENS)

    def _init_run_state(self, nonce_memory: int, max_tokens: int) -> None:
        """What no snapshot holds: issued tokens, used nonces, caches, and the bounds on them."""
        #: Access tokens by value, oldest first (``issue_token`` keeps the order and the bound).
        self.tokens: OrderedDict[str, AccessToken] = OrderedDict()
        #: Guest refresh tokens by value, oldest first (``tidy`` keeps them bounded).
        self.refresh_tokens: OrderedDict[str, RefreshToken] = OrderedDict()
        #: The bounds ``tidy`` keeps the records gained at run time within.
        self.retention = Retention()
        #: Where tokens and other secrets come from: the OS (``None``) or a seeded stream.
        self.secret_rng: random.Random | None = None
        # Ids of the guest sessions (with the conversation each started on) and conversations
        # added at run time, oldest first (the seed's and snapshot's are never forgotten), which
        # sessions started on each conversation, and how many messages those conversations hold.
        self._session_ages: OrderedDict[str, str] = OrderedDict()
        self._conversation_ages: OrderedDict[str, None] = OrderedDict()
        self._conversation_sessions: dict[str, set[str]] = {}
        self._runtime_messages = 0
        self.used_nonces: OrderedDict[str, float] = OrderedDict()
        self.nonce_memory = nonce_memory
        #: The most access tokens remembered; see ``issue_token`` for what is forgotten past it.
        self.max_tokens = max_tokens
        self._contacts_sorted: list[ExternalContact] | None = None
        self._origin = None

    # ----------------------------------------------------------------- construction
    @classmethod
    def generate(cls, seed: int = 0, **options: Any) -> World:
        """A new world of seeded data; see ``mockgenesys.world.generate`` for options."""
        from mockgenesys.world.generate import populate

        world = cls(seed=seed)
        populate(world, **options)
        world._settle()
        return world

    @classmethod
    def load(cls, source: str | Path | dict[str, Any]) -> World:
        """Rebuild a world from ``snapshot()`` output: a dict, or a path to a JSON file."""
        if isinstance(source, dict):
            return cls.from_snapshot(source, "the snapshot")
        return cls.from_snapshot(cls.read_snapshot(Path(source), str(source)), str(source))

    @staticmethod
    def read_snapshot(path: Path, origin: str) -> Any:
        """The JSON a world file holds; ``ConfigError`` naming ``origin`` when it cannot be read."""
        return read_snapshot(path, origin)

    @classmethod
    def from_snapshot(cls, data: Any, origin: str) -> World:
        """Rebuild a world from ``snapshot()`` data; ``ConfigError`` naming ``origin`` and the bad record."""
        world = cls(seed=snapshot_seed(data, origin))
        fill_from_snapshot(world, data, origin)
        for conversation in world.conversations.values():
            for message in conversation.messages:
                world._messages[message.id] = message
        # Draw new ids from a stream that cannot replay the ones the snapshot already holds.
        world.rng = random.Random(f"{world.seed}/loaded/{len(world._messages)}/{len(world.contacts)}")
        world._settle()
        return world

    @classmethod
    def copy_of(cls, origin: World, rng_state: tuple[Any, ...] | None = None) -> World:
        """A world equal to ``origin``'s records that shares nothing mutable with them, made in O(1).

        Each collection (and the RNG, from ``rng_state`` or ``origin``'s) is copied from
        ``origin`` the first time the new world reads it. ``origin`` must not change while
        copies of it live: ``WorldTemplate`` keeps the origins nobody else holds. Issued tokens
        and used nonces are not copied (no snapshot holds them either).
        """
        world = cls.__new__(cls)
        world.seed = origin.seed
        world._init_run_state(origin.nonce_memory, origin.max_tokens)
        world.retention = origin.retention
        world._origin = origin
        world._rng_state = rng_state if rng_state is not None else origin.rng.getstate()
        return world

    # A world made by ``copy_of`` copies each of these on first read; ``__init__`` sets them all.
    @cached_property
    def rng(self) -> random.Random:
        rng = random.Random(0)
        rng.setstate(self._rng_state)
        return rng

    @cached_property
    def orgs(self) -> dict[str, Org]:
        return copy_records(self._source().orgs)

    @cached_property
    def clients(self) -> dict[str, OAuthClient]:
        return copy_records(self._source().clients)

    @cached_property
    def deployments(self) -> dict[str, Deployment]:
        return copy_records(self._source().deployments)

    @cached_property
    def conversations(self) -> dict[str, Conversation]:
        return copy_records(self._source().conversations)

    @cached_property
    def contacts(self) -> dict[str, ExternalContact]:
        return copy_records(self._source().contacts)

    @cached_property
    def seed_sessions(self) -> OrderedDict[str, SeedSession]:
        return OrderedDict(copy_records(self._source().seed_sessions))

    @cached_property
    def guest_sessions(self) -> dict[str, GuestSession]:
        return copy_records(self._source().guest_sessions)

    @cached_property
    def guest_tokens(self) -> dict[str, str]:
        return dict(self._source().guest_tokens)

    @cached_property
    def _messages(self) -> dict[str, Message]:
        return {m.id: m for conversation in self.conversations.values() for m in conversation.messages}

    def _source(self) -> World:
        if self._origin is None:  # only a world from ``copy_of`` lacks an attribute ``__init__`` sets
            raise WorldError("This World was not built by World(), World.generate/load or World.copy_of.")
        return self._origin

    def snapshot(self) -> dict[str, Any]:
        """Everything but issued access and refresh tokens, as plain JSON-ready data."""
        return {
            "version": SNAPSHOT_VERSION,
            "seed": self.seed,
            "orgs": [to_dict(o) for o in self.orgs.values()],
            "clients": [to_dict(c) for c in self.clients.values()],
            "deployments": [to_dict(d) for d in self.deployments.values()],
            "contacts": [to_dict(c) for c in self.contacts.values()],
            "conversations": [to_dict(c) for c in self.conversations.values()],
            "seed_sessions": [to_dict(s) for s in self.seed_sessions.values()],
            "guest_sessions": [to_dict(g) for g in self.guest_sessions.values()],
        }

    def snapshot_json(self) -> str:
        """``snapshot()`` as canonical JSON text (sorted keys): equal worlds, equal text."""
        return json.dumps(self.snapshot(), sort_keys=True, separators=(",", ":"))

    # ----------------------------------------------------------------- ids
    def new_id(self) -> str:
        """A UUID4-shaped id drawn from the world's seeded RNG."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_hex_id(self) -> str:
        """A 32-hex-digit id without dashes (the shape of outbound message ids)."""
        return f"{self.rng.getrandbits(128):032x}"

    def secret_bytes(self, size: int) -> bytes:
        """``size`` bytes for a token or other secret: from the OS, so nobody can compute them from
        the seed, unless ``use_deterministic_secrets`` was called. Never from the data's RNG: the
        world's ids stay the same per seed whichever way secrets are made."""
        if self.secret_rng is None:
            return secrets.token_bytes(size)
        return self.secret_rng.getrandbits(size * 8).to_bytes(size, "big")

    def new_token(self, size: int = 32) -> str:
        """A base64url token of ``size`` secret bytes."""
        return _b64(self.secret_bytes(size))

    def use_deterministic_secrets(self) -> None:
        """Draw secrets from a stream seeded by the world's seed: the same tokens in every run
        (for replays and golden tests). Anyone who knows the seed can compute them."""
        self.secret_rng = random.Random(f"mockgenesys-secrets/{self.seed}")

    # ----------------------------------------------------------------- lookups
    @property
    def default_org(self) -> Org:
        if not self.orgs:
            raise WorldError("The world has no org; generate one with World.generate(seed=...).")
        return next(iter(self.orgs.values()))

    @property
    def default_client(self) -> OAuthClient:
        if not self.clients:
            raise WorldError("The world has no OAuth client; add one with world.add_client(...).")
        return next(iter(self.clients.values()))

    @property
    def default_deployment(self) -> Deployment:
        if not self.deployments:
            raise WorldError("The world has no web deployment.")
        return next(iter(self.deployments.values()))

    def conversation(self, conversation_id: str) -> Conversation:
        try:
            return self.conversations[conversation_id]
        except KeyError:
            raise WorldError(f"No conversation {conversation_id!r} in the world.") from None

    def message(self, message_id: str) -> Message | None:
        return self._messages.get(message_id)

    def contacts_sorted(self) -> list[ExternalContact]:
        """Contacts in the default order of the search endpoint (last, first name, id)."""
        if self._contacts_sorted is None:
            self._contacts_sorted = sorted(self.contacts.values(), key=lambda c: (c.last_name, c.first_name, c.id))
        return self._contacts_sorted

    # ----------------------------------------------------------------- changes
    def add_org(self, org: Org) -> Org:
        self.orgs[org.id] = org
        return org

    def add_client(
        self,
        *,
        client_id: str | None = None,
        secret: str | None = None,
        name: str = "mockgenesys client",
        permissions: list[str] | None = None,
        token_ttl: int = 86400,
        grants: list[str] | None = None,
        org_id: str | None = None,
    ) -> OAuthClient:
        """Add an OAuth client; by default with every permission and a 24 h token TTL."""
        if not 300 <= token_ttl <= 172800:
            raise ConfigError(f"token_ttl must be between 300 and 172800 seconds (5 min to 48 h), got {token_ttl}.")
        client = OAuthClient(
            id=client_id or self.new_id(),
            secret=secret or self.new_hex_id(),
            org_id=org_id or self.default_org.id,
            name=name,
            token_ttl=token_ttl,
        )
        if permissions is not None:
            client.permissions = list(permissions)
        if grants is not None:
            client.grants = list(grants)
        self.clients[client.id] = client
        return client

    def add_deployment(self, deployment: Deployment) -> Deployment:
        self.deployments[deployment.id] = deployment
        return deployment

    def add_contact(self, contact: ExternalContact) -> ExternalContact:
        self.contacts[contact.id] = contact
        self._contacts_sorted = None
        return contact

    def add_conversation(self, conversation: Conversation) -> Conversation:
        """Add a conversation at run time (``retention`` bounds how many are kept)."""
        self.conversations[conversation.id] = conversation
        for message in conversation.messages:
            self._messages[message.id] = message
        if conversation.id not in self._conversation_ages:
            self._conversation_ages[conversation.id] = None
            self._runtime_messages += len(conversation.messages)
        return conversation

    def add_message(self, conversation: Conversation, message: Message) -> Message:
        """Store ``message``; past ``retention.messages_per_conversation`` the oldest tenth goes."""
        messages = conversation.messages
        messages.append(message)
        self._messages[message.id] = message
        runtime = conversation.id in self._conversation_ages
        self._runtime_messages += runtime
        cap = self.retention.messages_per_conversation
        if len(messages) > cap:
            cut = len(messages) - cap + cap // 10
            for old in messages[:cut]:
                if self._messages.get(old.id) is old:
                    del self._messages[old.id]
            del messages[:cut]
            self._runtime_messages -= cut if runtime else 0
        return message

    def guest_session(self, token: str) -> GuestSession | None:
        """The guest session a client-chosen session token names, if any."""
        session_id = self.guest_tokens.get(token)
        return self.guest_sessions.get(session_id) if session_id else None

    def add_guest_session(self, session: GuestSession) -> GuestSession:
        """Add a guest session at run time (``retention`` bounds how many are kept)."""
        self.guest_sessions[session.id] = session
        self.guest_tokens[session.token] = session.id
        self._session_ages[session.id] = session.conversation_id
        self._conversation_sessions.setdefault(session.conversation_id, set()).add(session.id)
        return session

    # ----------------------------------------------------------------- retention
    def _settle(self) -> None:
        """What the world holds now is its data (generated or loaded): ``tidy`` never forgets it."""
        self._session_ages.clear()
        self._conversation_ages.clear()
        self._conversation_sessions.clear()
        self._runtime_messages = 0

    def tidy(self, now: float, *, busy: Callable[[str], bool]) -> None:
        """Keep the records gained at run time within ``retention`` (see ``mockgenesys.world.retention``).

        Constant work per call; ``busy(session_id)`` says whether a guest session has an open
        socket (such a session, and the conversation it is on, is never forgotten).
        """
        seeds = self.seed_sessions
        refresh = self.refresh_tokens
        if not (self._session_ages or self._conversation_ages or refresh or seeds):
            return  # nothing gained at run time: every request of a fresh mock pays only this
        limits = self.retention
        sessions = self.guest_sessions
        grace = limits.expired_grace

        def session_dead(session_id: str) -> bool:
            session = sessions.get(session_id)
            if session is None:
                return True
            ended = session.closed or session.expired or session.expires_at <= now
            return ended and session.expires_at + grace <= now and not busy(session_id)

        sweep(
            self._session_ages,
            over=lambda: len(self._session_ages) > limits.guest_sessions,
            dead=session_dead,
            keep=busy,
            forget=self._forget_session,
        )
        sweep(
            self._conversation_ages,
            over=lambda: (
                len(self._conversation_ages) > limits.conversations or self._runtime_messages > limits.messages
            ),
            dead=lambda conversation_id: conversation_id not in self.conversations,
            keep=self._conversation_in_use,
            forget=self._forget_conversation,
        )
        sweep(
            refresh,
            over=lambda: len(refresh) > limits.refresh_tokens,
            dead=lambda token: refresh[token].revoked or refresh[token].expires_at <= now,
            keep=lambda token: False,
            forget=refresh.__delitem__,
        )
        sweep(
            seeds,
            over=lambda: len(seeds) > limits.seed_sessions,
            dead=lambda session_id: seeds[session_id].expires_at <= now,
            keep=lambda session_id: False,
            forget=seeds.__delitem__,
        )

    def retained(self) -> dict[str, int]:
        """How many records each store bounded by ``retention`` (and ``max_tokens``) holds now."""
        return {
            "guest_sessions": len(self._session_ages),
            "conversations": len(self._conversation_ages),
            "messages": self._runtime_messages,
            "refresh_tokens": len(self.refresh_tokens),
            "seed_sessions": len(self.seed_sessions),
            "access_tokens": len(self.tokens),
        }

    def _forget_session(self, session_id: str) -> None:
        started_on = self._session_ages.pop(session_id)
        holders = self._conversation_sessions.get(started_on)
        if holders is not None:
            holders.discard(session_id)
            if not holders:
                del self._conversation_sessions[started_on]
        session = self.guest_sessions.pop(session_id, None)
        if session is not None and self.guest_tokens.get(session.token) == session_id:
            del self.guest_tokens[session.token]

    def _conversation_in_use(self, conversation_id: str) -> bool:
        """Whether a guest session is (or may be) on the conversation: never forget it then."""
        sessions = self.guest_sessions
        for session_id in self._conversation_sessions.get(conversation_id, ()):
            session = sessions.get(session_id)
            if session is not None and session.conversation_id == conversation_id:
                return True
        conversation = self.conversations.get(conversation_id)
        holder = self.guest_session(conversation.guest_token) if conversation and conversation.guest_token else None
        return holder is not None and holder.conversation_id == conversation_id

    def _forget_conversation(self, conversation_id: str) -> None:
        del self._conversation_ages[conversation_id]
        self._conversation_sessions.pop(conversation_id, None)
        conversation = self.conversations.pop(conversation_id, None)
        if conversation is None:
            return
        self._runtime_messages -= len(conversation.messages)
        for message in conversation.messages:
            if self._messages.get(message.id) is message:
                del self._messages[message.id]

    def issue_token(
        self, client: OAuthClient, now: float, *, in_use: Callable[[str, float], bool] | None = None
    ) -> AccessToken:
        """A new access token for ``client``, valid for its ``token_ttl`` from ``now``.

        The store keeps at most ``max_tokens``. When it is full, every new token pushes out one
        old one: of the oldest few, the first that is expired, revoked or idle (``in_use(token,
        now)`` false); the ones in use go to the back of the line, and if all of them are in use
        the next oldest goes. Its holder gets a 401 and logs in again. The work per call is
        constant, so memory stays flat and no call pauses for clients that log in for every call.
        """
        tokens = self.tokens

        def busy(key: str, old: AccessToken) -> bool:
            return not old.revoked and old.expires_at > now and in_use is not None and in_use(key, now)

        while tokens and len(tokens) >= self.max_tokens:  # a loop only after the bound was lowered
            forget_one(tokens, busy)
        token = AccessToken(
            token=self.new_token(60),
            client_id=client.id,
            org_id=client.org_id,
            issued_at=now,
            expires_at=now + client.token_ttl,
        )
        tokens[token.token] = token
        return token

    def sweep_tokens(self, now: float) -> int:
        """Forget expired and revoked tokens; returns how many were dropped."""
        dead = [t for t, rec in self.tokens.items() if rec.revoked or rec.expires_at <= now]
        for t in dead:
            del self.tokens[t]
        return len(dead)

    def expire_tokens(self, *, client_id: str | None = None, now: float) -> int:
        """Make every live token (of one client, or all) expire at ``now``."""
        count = 0
        for record in self.tokens.values():
            if (client_id is None or record.client_id == client_id) and record.expires_at > now:
                record.expires_at = now
                count += 1
        return count

    # ----------------------------------------------------------------- the contact-centre side
    # Notification channels, Open Messaging and agent-side state (mockgenesys.world.contactcentre):
    # run state, like issued tokens, so no snapshot holds it and every world starts without it.
    @cached_property
    def contact_centre(self) -> ContactCentre:
        """Channels, integrations, open conversations, webhook deliveries and agent media."""
        return ContactCentre()

    def queue_of(self, org_id: str) -> str:
        """The routing queue of an org's conversations."""
        org = self.orgs.get(org_id)
        return org.queue_id if org is not None and org.queue_id else queue_id_of(org_id)

    def replace_message(self, conversation: Conversation, message: Message) -> Message:
        """Put ``message`` in place of the stored message with its id (a receipt changed its status)."""
        for index, stored in enumerate(conversation.messages):
            if stored.id == message.id:
                conversation.messages[index] = message
                self._messages[message.id] = message
                return message
        raise WorldError(f"Message {message.id} is not in conversation {conversation.id}.")

    def remove_contact(self, contact_id: str) -> ExternalContact | None:
        """Delete an external contact; the removed record, or None when there was none."""
        contact = self.contacts.pop(contact_id, None)
        if contact is not None:
            self._contacts_sorted = None
        return contact

    def contact_changed(self) -> None:
        """A contact's names changed: the search order is worked out again."""
        self._contacts_sorted = None

    def use_nonce(self, nonce: str, now: float) -> bool:
        """Record a request nonce; False when it was seen before (a replay)."""
        if nonce in self.used_nonces:
            return False
        self.used_nonces[nonce] = now
        while len(self.used_nonces) > self.nonce_memory:
            self.used_nonces.popitem(last=False)
        return True


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
