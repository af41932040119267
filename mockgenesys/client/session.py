"""The first tutorial's session manager, done carefully: re-authentication and conversation restore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack

from mockgenesys.client.errors import ClientError
from mockgenesys.client.events import Events, Handler
from mockgenesys.client.guest import GuestMessagingClient, GuestOptions
from mockgenesys.client.messages import GuestMessage
from mockgenesys.client.timing import Timing

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

#: Conversation states after which the manager stops restoring (the tutorial's CLOSED / TERMINATED).
ENDED_STATES = frozenset({"CLOSED", "TERMINATED", "DISCONNECTED", "SIGNED_OUT"})


class SessionManager:
    """Keeps one guest logged in and its conversation restored, with the tutorial's events.

    Events: ``guest_session_expired``, ``conversation_updated`` (``{"state", "token",
    "restored"}``; state ``SIGNED_OUT`` after a logout or a sign-in on another device),
    ``message_received``, ``message_sent``, ``message_failed``, ``connection_state_change``,
    ``signed_in``, ``signed_in_elsewhere``, ``logged_out`` and ``error``. After the guest session expires the manager
    logs in again (a new session) and, after a reconnect or a re-login, re-fetches the active
    conversation's history into ``messages``, unless the conversation has ended.
    """

    def __init__(self, client: GuestMessagingClient, *, name: str = "Guest", restore_history: bool = True) -> None:
        self.client = client
        self.name = name
        self.restore_history = restore_history
        self.events = Events()
        self.messages: list[GuestMessage] = []
        self.conversation_state: str | None = None
        self.reauths = 0
        self._ids: set[str] = set()
        #: Agent-side message ids listeners already know: delivered as ``message_received`` or in a restore.
        self._notified: set[str] = set()
        self._restored: set[str] = set()
        forwarded = (
            "message_received",
            "message_sent",
            "message_failed",
            "connection_state_change",
            "error",
            "signed_in",
        )
        for name_ in forwarded:
            client.events.on(name_, self._forward(name_))
        for name_ in ("signed_in_elsewhere", "logged_out"):
            client.events.on(name_, self._signed_out(name_))
        client.events.on("message_received", self._remember)
        client.events.on("message_received", self._note_received)
        client.events.on("message_sent", self._remember)
        client.events.on("session_expired", self._on_expired)
        client.events.on("session_restarted", self._on_restarted)
        client.events.on("reconnected", self._on_reconnected)
        client.events.on("conversation_updated", self._on_conversation)

    @classmethod
    def for_mock(
        cls,
        mock: MockGenesys,
        *,
        name: str = "Guest",
        restore_history: bool = True,
        deployment_id: str | None = None,
        timing: Timing | None = None,
        **options: Unpack[GuestOptions],
    ) -> SessionManager:
        """A manager for a guest of ``mock`` (in-process, on the mock's clock); call ``start()``."""
        client = GuestMessagingClient.for_mock(mock, deployment_id=deployment_id, timing=timing, **options)
        return cls(client, name=name, restore_history=restore_history)

    def _forward(self, name: str) -> Handler:
        def forward(payload: Any) -> None:
            self.events.emit(name, payload)

        return forward

    def _signed_out(self, name: str) -> Handler:
        def signed_out(payload: Any) -> None:
            self.conversation_state = "SIGNED_OUT"
            self.events.emit(name, payload)
            self.events.emit("conversation_updated", {"state": "SIGNED_OUT", "token": self.client.session_token})

        return signed_out

    @property
    def active(self) -> bool:
        """True while the guest's conversation has not ended."""
        return self.conversation_state not in ENDED_STATES

    async def start(self) -> dict[str, Any]:
        """Log the guest in and restore the conversation's history (the tutorial's ``start()``)."""
        body = await self.client.login_guest()
        self.conversation_state = "ACTIVE"
        self.events.emit("conversation_updated", {"state": "ACTIVE", "token": self.client.session_token})
        if self.restore_history and not body.get("newSession", True):
            await self.restore()
        return body

    async def send(self, text: str) -> GuestMessage:
        """Send ``text`` through the client's outbox (exactly once)."""
        return await self.client.send(text)

    async def restore(self) -> list[GuestMessage]:
        """Re-fetch the conversation's history into ``messages``; returns it (oldest first).

        An ended conversation's history can still be read; it is only never restored automatically.
        """
        history = await self.client.history()
        self.messages = list(history)
        self._ids = {m.id for m in history}
        self._restored.update(self._ids)
        self.events.emit(
            "conversation_updated",
            {"state": self.conversation_state, "token": self.client.session_token, "restored": len(history)},
        )
        return list(self.messages)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.events.drain()

    async def __aenter__(self) -> SessionManager:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ handlers
    def _remember(self, message: GuestMessage) -> None:
        if message.id and message.id not in self._ids and message.type != "Event":
            self._ids.add(message.id)
            self.messages.append(message)

    async def _on_expired(self, payload: Any) -> None:
        """The tutorial's ``guestSessionExpired``: tell listeners, then log in again at once."""
        self.events.emit("guest_session_expired", payload)
        if self.client.restart_expired and self.client.connected:
            try:
                await self.client.login_guest()
            except ClientError as exc:
                self.events.emit("error", exc)

    def _note_received(self, message: GuestMessage) -> None:
        if message.id:
            self._notified.add(message.id)

    async def _on_restarted(self, token: str) -> None:
        """A new session replaced the expired one: a new conversation starts empty."""
        self.reauths += 1
        self.messages = []
        self._ids = set()
        self._notified.clear()
        self._restored.clear()
        self.conversation_state = "ACTIVE"
        self.events.emit("conversation_updated", {"state": "ACTIVE", "token": token, "restored": 0})

    async def _on_reconnected(self, body: Any) -> None:
        if self.restore_history and self.active:
            known = self._notified | self._restored
            try:
                history = await self.restore()
            except ClientError as exc:
                self.events.emit("error", exc)
                return
            # Genesys does not resend what the agent side sent while the socket was down: the restore is
            # the only place the guest learns of it, so listeners get it as message_received.
            for message in history:
                missed = message.id and message.id not in known and message.id not in self._notified
                if missed and message.direction != "Inbound" and message.type != "Event":
                    self._notified.add(message.id)
                    self.events.emit("message_received", message)

    def _on_conversation(self, update: dict[str, Any]) -> None:
        state = str(update.get("state") or "")
        if state in ENDED_STATES or state == "ACTIVE":
            self.conversation_state = state
        if update.get("new"):  # the client started a new conversation after the agent closed the last one
            self.messages = []
            self._ids = set()
            self._notified.clear()
            self._restored.clear()
        self.events.emit("conversation_updated", update)
