"""The guest WebSocket actions (reference §5.3): one handler per action, and the checks every frame passes."""

from __future__ import annotations

from collections.abc import Callable

from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.attachments import delete_attachment, get_attachment, on_attachment
from mockgenesys.server.websocket.auth import configure_authenticated_session
from mockgenesys.server.websocket.call import FrameCall
from mockgenesys.server.websocket.frames import MAX_TEXT_BYTES
from mockgenesys.server.websocket.messages import on_message
from mockgenesys.server.websocket.refusals import GuestRefusal
from mockgenesys.server.websocket.session import close_session, configure_session, echo, get_jwt

ActionHandler = Callable[[FrameCall], None]

ACTIONS: dict[str, ActionHandler] = {
    "configureSession": configure_session,
    "configureAuthenticatedSession": configure_authenticated_session,
    "onMessage": on_message,
    "echo": echo,
    "getJwt": get_jwt,
    "closeSession": close_session,
    "onAttachment": on_attachment,
    "getAttachment": get_attachment,
    "deleteAttachment": delete_attachment,
}

__all__ = ["ACTIONS", "MAX_TEXT_BYTES", "ActionHandler", "handle"]


def handle(call: FrameCall) -> None:
    """Check the envelope and run the action's handler.

    Every refusal is raised as a ``GuestRefusal`` for the hub to render.
    """
    frame = call.frame
    if frame.get("tracingId") is not None and call.tracing is None:
        raise GuestRefusal(400, "Request failed. tracingId must be a string.")
    action = frame.get("action")
    if not isinstance(action, str) or not action:
        raise GuestRefusal(400, f"Request failed. Every request needs an action: one of {', '.join(ACTIONS)}.")
    handler = ACTIONS.get(action)
    if handler is None:
        raise GuestRefusal(400, f"Request failed. Unknown action {action!r}; valid actions: {', '.join(ACTIONS)}.")
    token = frame.get("token")
    if not isinstance(token, str) or not token:
        raise GuestRefusal(frames.MISSING_PARAMETER, "Missing parameter: token (the guest session token).")
    handler(call)  # the hub counted the frame against the connection's request limit
