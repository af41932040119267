"""What a firing rule decided, as a value, and the protocol of whoever carries it out.

``FaultPlan.decide`` returns an ``Outcome``; the faults layer never touches a server. The HTTP
server and the guest hub read the answer (``replies``, ``delay``, ``reset``, ``drop``, broken
bodies, outbound ``transforms``) and hand the state changes (``effects``) to a ``FaultTarget``
through ``carry_out``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from mockgenesys.faults.caller import Caller

Effect = Literal["expire_token", "expire_session", "close_conversation"]
TransformKind = Literal["duplicate", "reorder", "hold"]


@dataclass(frozen=True)
class Reply:
    """An answer instead of the real one: a Genesys error over HTTP, an error frame on the socket.

    ``websocket_only`` replies (``ws: {error}``, ``ws: {too_many}``) are ignored over HTTP. On
    the socket a 429 becomes ``TooManyRequestsErrorMessage`` and anything else a ``class:
    "string"`` frame whose code is ``status``.
    """

    status: int
    code: str | None = None
    message: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    retry_after: int | None = None
    body: str | None = None
    websocket_only: bool = False


@dataclass(frozen=True)
class Transform:
    """What happens to the frames the server sends: ``duplicate``, ``reorder`` or ``hold`` (``seconds``)."""

    kind: TransformKind
    seconds: float = 0.0


@dataclass
class Outcome:
    """Everything one firing of rule ``rule_id`` asks for, in the order its ``then`` lists it.

    The actions of the rule fill it in once; the server only reads it.
    """

    rule_id: str
    replies: list[Reply] = field(default_factory=list)
    delay: float = 0.0
    reset: bool = False
    drop: bool = False
    empty_body: bool = False
    malformed: bool = False
    #: An Open Messaging webhook is also sent once with a wrong ``X-Hub-Signature-256``.
    forge_signature: bool = False
    effects: list[Effect] = field(default_factory=list)
    transforms: list[Transform] = field(default_factory=list)

    @property
    def http_reply(self) -> Reply | None:
        """The reply an HTTP request gets instead of the route's answer, if any."""
        for reply in self.replies:
            if not reply.websocket_only:
                return reply
        return None

    @property
    def answers_frame(self) -> bool:
        """Whether the fault itself answers (or cuts) an inbound frame, so the server does not handle it."""
        return bool(self.replies) or self.reset or self.drop


class FaultTarget(Protocol):
    """The state changes a fault can ask for, carried out by the server side (the guest hub)."""

    def expire_token(self, caller: Caller) -> None:
        """The caller's OAuth token expires now; its guest session's JWTs stop working."""

    def expire_guest_session(self, caller: Caller) -> None:
        """The caller's guest session expires now (``SessionExpiredEvent``, then 4006)."""

    def close_conversation(self, conversation_id: str) -> None:
        """The agent disconnects the conversation, if it is still active."""

    def drop_connections(self, caller: Caller) -> None:
        """Every socket of the caller's guest session drops (``ws: {drop}`` on an HTTP request)."""


def carry_out(outcome: Outcome, caller: Caller, target: FaultTarget, *, conversation_id: str | None = None) -> None:
    """Hand the outcome's effects to ``target`` in rule order.

    ``conversation_id`` is the conversation a request names (an HTTP path), used by
    ``close_conversation`` when the caller is no guest.
    """
    for effect in outcome.effects:
        if effect == "expire_token":
            target.expire_token(caller)
        elif effect == "expire_session":
            target.expire_guest_session(caller)
        else:
            conversation = caller.guest.conversation_id if caller.guest is not None else conversation_id
            if conversation:
                target.close_conversation(conversation)
