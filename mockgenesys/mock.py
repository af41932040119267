"""``MockGenesys``: one object that owns a simulated Genesys Cloud and serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, Unpack

from starlette.applications import Starlette

from mockgenesys.admin import admin_routes
from mockgenesys.agent import DEFAULT_ROUTING_DELAY, AgentSimulator
from mockgenesys.clock import Clock, SystemClock
from mockgenesys.conformance import RULES, CheckOptions, ConformanceReport, check
from mockgenesys.errors import ConfigError, WorldError
from mockgenesys.faults.plan import FaultPlan
from mockgenesys.faults.ratelimit import RateLimits
from mockgenesys.faults.rules import FaultRule
from mockgenesys.journal import DEFAULT_JOURNAL_SIZE, Journal
from mockgenesys.scheduler import Scheduler
from mockgenesys.server import jwt
from mockgenesys.server.app import RestApp, build_app
from mockgenesys.server.core import Server
from mockgenesys.server.endpoints import endpoint_catalogue
from mockgenesys.server.events import ConversationEvents
from mockgenesys.server.guests import open_session, start_conversation
from mockgenesys.server.notifications import InProcessNotificationSocket, NotificationHub
from mockgenesys.server.notifications.asgi import notification_route
from mockgenesys.server.openmessaging.webhooks import WebhookDispatcher
from mockgenesys.server.routes import DIALECTS, all_routes
from mockgenesys.server.state import ServerState
from mockgenesys.server.websocket import GuestHub, GuestSockets, InProcessGuestSocket
from mockgenesys.server.websocket.asgi import websocket_route
from mockgenesys.serving import LOOPBACK, serve_in_thread
from mockgenesys.transport import MockTransport
from mockgenesys.world.generate import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_CONTACTS,
    DEFAULT_CONVERSATIONS,
)
from mockgenesys.world.models import Conversation, ExternalContact, Message
from mockgenesys.world.retention import Retention
from mockgenesys.world.store import World
from mockgenesys.world.template import WorldTemplate


class MockGenesys:
    """A simulated Genesys Cloud: world, clock, journal, the Starlette app and transports.

    Keyword arguments mirror ``mockgenesys serve``'s flags.

    >>> mock = MockGenesys(seed=7)
    >>> mock.client_id == mock.world.default_client.id
    True
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        clock: Clock | None = None,
        world: World | str | Path | dict[str, Any] | None = None,
        limits: RateLimits | dict[str, Any] | None = None,
        retention: Retention | dict[str, Any] | None = None,
        conversations: int = DEFAULT_CONVERSATIONS,
        contacts: int = DEFAULT_CONTACTS,
        token_ttl: int = 86400,
        journal_size: int = DEFAULT_JOURNAL_SIZE,
        jwt_secret: str | None = None,
        deterministic_secrets: bool = False,
        routing_delay: float | None = DEFAULT_ROUTING_DELAY,
        bot: bool = False,
        faults: Iterable[FaultRule | dict[str, Any]] | None = None,
        admin_token: str | None = None,
        admin_remote: bool = False,
        dialect: str = "both",
    ) -> None:
        if conversations < 0 or contacts < 0:
            raise ConfigError("conversations and contacts must be >= 0.")
        if jwt_secret is not None and (not isinstance(jwt_secret, str) or not jwt_secret):
            raise ConfigError("jwt_secret must be a non-empty string (or None for a random key per process).")
        if dialect not in DIALECTS:
            raise ConfigError(
                f"dialect must be one of {', '.join(DIALECTS)}, got {dialect!r}: 'real' serves Genesys Cloud's API "
                "only, 'seed' the tutorials' invented paths, 'both' everything."
            )
        self.seed = seed
        #: Which API the REST routes serve: "real", "seed" or "both" (see docs/server.md).
        self.dialect = dialect
        #: Whether tokens and the JWT key come from the seed (replays) instead of the OS.
        self.deterministic_secrets = deterministic_secrets
        self.admin_token = admin_token
        self.admin_remote = admin_remote
        self._world_source = world
        self._options: dict[str, Any] = {
            "client_id": client_id,
            "client_secret": client_secret,
            "conversations": conversations,
            "contacts": contacts,
            "token_ttl": token_ttl,
        }
        if clock is not None and not isinstance(clock, Clock):
            raise ConfigError(
                f"clock must implement mockgenesys.Clock (now, monotonic, advance, sleep, sleep_sync, listeners, "
                f"is_virtual), got {clock!r}; use VirtualClock() or SystemClock()."
            )
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.limits = limits if isinstance(limits, RateLimits) else RateLimits.from_dict(limits)
        if retention is not None and not isinstance(retention, (Retention, dict)):
            raise ConfigError(
                f"retention must be a Retention or a dict such as {{'guest_sessions': 1000}}, got {retention!r}."
            )
        #: The bounds on what the world keeps from run time; ``reset()`` and ``load_world`` keep them
        #: (``None``: each world's own, ``Retention()`` unless set on it).
        self.retention = retention if not isinstance(retention, dict) else Retention.from_dict(retention)
        self.journal = Journal(journal_size)
        self.world = self._build_world()
        key = jwt.signing_key(jwt_secret, seed=seed, deterministic=deterministic_secrets)
        self.faults = FaultPlan(faults or (), seed=seed, clock=self.clock, catalogue=endpoint_catalogue())
        self.scheduler = Scheduler(self.clock)
        # Built bottom-up, each part given what it uses: state, the sockets of each guest, the agent
        # (who reaches guests through the sockets), the guest hub, then the HTTP server.
        state = ServerState(self.world, self.clock, self.journal, self.limits, self.scheduler, jwt_key=key)
        sockets = GuestSockets(state)
        #: The Notifications API's sockets, and the Open Messaging webhooks (the contact-centre side).
        self.notifications = NotificationHub(state, self.faults)
        self.webhooks = WebhookDispatcher(state, self.faults)
        self.events = ConversationEvents(state, self.notifications, self.webhooks)
        self.agent = AgentSimulator(state, sockets, routing_delay=routing_delay, bot=bot, events=self.events)
        self.hub = GuestHub(state, sockets, self.agent, self.faults)
        self.server = Server(state, routes=all_routes(dialect), faults=self.faults, hub=self.hub)

    # ------------------------------------------------------------------ world
    def _build_world(self) -> World:
        source = self._world_source
        world = source if isinstance(source, World) else self._template.world()
        return self._prepared(world)

    def _prepared(self, world: World) -> World:
        if self.deterministic_secrets:
            world.use_deterministic_secrets()
        if self.retention is not None:
            world.retention = self.retention
        return world

    def reset(self) -> None:
        """Back to the initial world, an empty journal, fresh rate-limit windows and no fault rules;
        a wall clock loses the offset ``advance`` added (a virtual clock keeps its time).

        Costs what the test changed, not what the world holds: the new world is a lazy copy of
        the seed's (or snapshot's) template, made once per process.
        """
        if isinstance(self._world_source, World):
            raise ConfigError(
                "A mock built around a World object cannot rebuild it; pass a seed or a snapshot instead."
            )
        if isinstance(self.clock, SystemClock):
            self.clock.offset = 0.0
        self.hub.reset()
        self.notifications.reset()
        self.webhooks.reset()
        self.world = self._build_world()
        self.server.reset(self.world)
        self.agent.reset()
        self.journal.clear()
        self.scheduler.clear()
        self.faults.reset()

    def load_world(self, source: World | str | Path | dict[str, Any]) -> None:
        """Replace the world (a ``World``, a snapshot dict or a JSON file); sockets are dropped.

        ``reset()`` still returns to the world the mock was built with.
        """
        world = self._prepared(source if isinstance(source, World) else WorldTemplate.load(source).world())
        self.hub.reset()
        self.notifications.reset()
        self.webhooks.reset()
        self.world = world
        self.server.world = world
        self.server.seed_views.clear()

    def add_conversation(self, *, guest_name: str = "Guest", messages: list[str] | None = None) -> Conversation:
        """A new web-messaging conversation on the default deployment with optional guest messages."""
        now = self.clock.now()
        conversation = start_conversation(self.world, self.world.default_deployment, now, guest_name=guest_name)
        customer = conversation.participants[0]  # start_conversation puts the customer first
        for text in messages or []:
            if not isinstance(text, str) or not text:
                raise ConfigError(f"Conversation messages must be non-empty strings, got {text!r}.")
            self.world.add_message(
                conversation,
                Message(
                    id=self.world.new_id(),
                    conversation_id=conversation.id,
                    direction="inbound",
                    text=text,
                    timestamp=conversation.next_time(now),
                    sender_id=customer.id,
                ),
            )
        return conversation

    def add_contact(self, **fields: Any) -> ExternalContact:
        """Add an external contact; camelCase or snake_case fields (``firstName``/``first_name``)."""
        allowed = {
            "first_name",
            "last_name",
            "title",
            "work_email",
            "personal_email",
            "cell_phone",
            "work_phone",
            "middle_name",
        }
        values: dict[str, Any] = {}
        for key, value in fields.items():
            name = "".join("_" + c.lower() if c.isupper() else c for c in key)
            if name not in allowed or not isinstance(value, str):
                raise ConfigError(f"Unknown or non-string contact field {key!r}; valid: {', '.join(sorted(allowed))}.")
            values[name] = value
        now = self.clock.now()
        contact = ExternalContact(
            id=self.world.new_id(),
            org_id=self.org_id,
            first_name=values.pop("first_name", ""),
            last_name=values.pop("last_name", ""),
            title=values.pop("title", ""),
            work_email=values.pop("work_email", ""),
            personal_email=values.pop("personal_email", ""),
            cell_phone=values.pop("cell_phone", ""),
            work_phone=values.pop("work_phone", ""),
            address={},
            create_date=now,
            modify_date=now,
            division_id=self.world.default_org.default_site_id,
            **values,
        )
        if not contact.first_name and not contact.last_name:
            raise ConfigError("A contact needs a firstName or a lastName.")
        return self.world.add_contact(contact)

    @property
    def client_id(self) -> str:
        return self.world.default_client.id

    @property
    def client_secret(self) -> str:
        return self.world.default_client.secret

    @property
    def org_id(self) -> str:
        return self.world.default_org.id

    @property
    def deployment_id(self) -> str:
        return self.world.default_deployment.id

    # ------------------------------------------------------------------ faults and grading
    def add_fault(self, *rules: FaultRule | dict[str, Any]) -> list[FaultRule]:
        """Install fault rules (dicts in the one rule format, or ``FaultRule``); returns them with ids."""
        return self.faults.add(*rules)

    def check(self, *, rules: Iterable[str] = RULES, **options: Unpack[CheckOptions]) -> ConformanceReport:
        """Grade the client from the journal: what it did that real Genesys would punish.

        ``rules`` picks the checks (all of ``conformance.RULES`` by default); the keywords of
        ``conformance.Settings`` tune them (``storm_count=3``, ``max_attempts=12``, ...). Calls to
        seed-dialect paths (``nonexistent_endpoint``) are violations when the mock serves only the
        real dialect, and ``notices`` (listed, not failing) otherwise.
        """
        report = check(self.journal, rules=rules, **options)
        if self.dialect != "real":
            report.notices.extend(report.by_rule("nonexistent_endpoint"))
            report.violations = [v for v in report.violations if v.rule != "nonexistent_endpoint"]
        return report

    # ------------------------------------------------------------------ helpers for tests
    def issue_token(self, client_id: str | None = None) -> str:
        """An access token for a client (the default one), as ``POST /oauth/token`` would give."""
        client = self.world.clients.get(client_id or self.client_id)
        if client is None:
            raise WorldError(f"No OAuth client {client_id!r}; known clients: {sorted(self.world.clients)}.")
        return self.world.issue_token(client, self.clock.now()).token

    def guest_jwt(self, conversation_id: str | None = None) -> str:
        """A guest JWT for a new guest session on ``conversation_id`` (or a new conversation)."""
        deployment = self.world.default_deployment
        conversation = self.world.conversation(conversation_id) if conversation_id else None
        session = open_session(
            self.world, deployment, "test-" + self.world.new_hex_id(), self.clock.now(), conversation=conversation
        )
        return self.server.mint_guest_jwt(session, deployment.jwt_ttl)[0]

    def auth_code(self, user_id: str, *, first_name: str = "", last_name: str = "") -> str:
        """An OAuth authorization code that signs ``user_id`` in (for the guest JWT exchange,
        ``POST /api/v2/webdeployments/token/oauthcodegrantjwtexchange``).

        Two sign-ins of one user end the first one (``ConnectionClosedEvent signedIn``); the
        names show in the Presence ``SignIn`` event of a step-up. Any other code is its own user.
        """
        if not user_id:
            raise ConfigError("auth_code needs the id of the user to sign in.")
        code = "code-" + self.world.new_hex_id()
        self.hub.users[code] = (user_id, first_name, last_name)
        return code

    @asynccontextmanager
    async def connect_guest(
        self, deployment_id: str | None = None, *, origin: str | None = None
    ) -> AsyncIterator[InProcessGuestSocket]:
        """An in-process guest WebSocket (no sockets, works on virtual time).

        Raises ``HandshakeRejected`` (403) for an unknown deployment, as Genesys does.
        """
        connection = self.hub.open(deployment_id or self.deployment_id, origin=origin)
        socket = InProcessGuestSocket(self.hub, connection)
        try:
            yield socket
        finally:
            await socket.close()

    @asynccontextmanager
    async def connect_notifications(self, connect_uri: str) -> AsyncIterator[InProcessNotificationSocket]:
        """An in-process notification socket on a channel (its ``connectUri`` or its id): no
        network, works on virtual time. An unknown or expired channel answers ``{"result": "404"}``
        and closes, as the live socket does."""
        channel_id = connect_uri.rstrip("/").rsplit("/", 1)[-1]
        socket = InProcessNotificationSocket(self.notifications, self.notifications.open(channel_id))
        try:
            yield socket
        finally:
            await socket.close()

    # ------------------------------------------------------------------ serving
    @property
    def asgi(self) -> RestApp | Starlette:
        """The ASGI entry point (the Starlette ``app``)."""
        return self.app

    def transport(self, *, raise_server_errors: bool = True) -> MockTransport:
        """An httpx transport for ``httpx.Client`` and ``httpx.AsyncClient``, without sockets."""
        return MockTransport(self.server, raise_server_errors=raise_server_errors)

    @contextmanager
    def serve(self, host: str = LOOPBACK, port: int = 0) -> Iterator[str]:
        """Serve live on ``host`` (loopback) in a background thread; yields the base URL."""
        with serve_in_thread(self.app, host, port) as url:
            yield url

    def __repr__(self) -> str:
        return f"MockGenesys(seed={self.seed!r}, org_id={self.org_id!r}, clock={self.clock!r})"

    # ------------------------------------------------------------------ built on first use
    @cached_property
    def app(self) -> Starlette:
        """The Starlette app: REST routes, the guest WebSocket and ``/__admin``.

        Built on first use (serving, ``asgi``, ``httpx.ASGITransport``): in-process tests
        through ``transport()`` never need it, and it is most of a mock's construction cost.
        """
        routes = [websocket_route(self.hub), notification_route(self.notifications), *admin_routes(self)]
        app, _ = build_app(self.server, routes)
        return app

    @cached_property
    def _template(self) -> WorldTemplate:
        """The world ``reset()`` returns to: the seed's, kept per process, or the snapshot's."""
        source = self._world_source
        if source is None:
            return WorldTemplate.generate(self.seed, **self._options)
        if isinstance(source, World):
            raise ConfigError("A mock built around a World object has no template to rebuild it from.")
        return WorldTemplate.load(source)
