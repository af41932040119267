"""Every frame and body the mock sends a guest, decoded as Genesys' own transport decodes it.

A hypothesis state machine plays guests (several devices and tabs, anonymous and signed in),
the agent and bot, faults and the clock against one mock, and decodes everything it receives
with the strict structures of ``transport_schema`` (written from the Messenger Transport SDK's
data classes). It also checks what the transport relies on beyond decoding: every send is
confirmed by an echo carrying its tracingId, the health check answers with the fixed tracingId,
an upload answer carries headers (else the transport takes it for a URL refresh), history pages
are newest first with one millisecond per message, and the session events arrive (``SignIn``,
``signedIn``, ``LogoutEvent``, 4017). Zero mismatches is the bar.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from transport_schema import AUTH_JWT, DEPLOYMENT_CONFIG, MESSAGE_ENTITY_LIST, decode, decode_frame, shown_problems

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.server.websocket.connection import GuestConnection
from mockgenesys.world.content import (
    attachment,
    card,
    carousel,
    date_picker,
    link_action,
    postback_action,
    quick_replies,
)

HEALTH_CHECK = "SGVhbHRoQ2hlY2tNZXNzYWdlSWQ="  # base64 "HealthCheckMessageId", the transport's echo tracingId
BASE = "http://mock.test"
USERS = ("alice", "bob")
FILES = (("photo.png", "image/png"), ("invoice.pdf", "application/pdf"), ("tool.exe", "application/octet-stream"))
LIMITS = {
    name: None
    for name in ("ws_messages_per_second", "ws_requests_per_minute", "ws_configure_per_minute", "ws_echo_per_minute")
}
AGENT_ACTIONS = (
    "text",
    "quick",
    "card",
    "carousel",
    "datepicker",
    "link",
    "attach",
    "typing",
    "transfer",
    "disconnect",
)
_ids = itertools.count(1)


@dataclass
class Device:
    """One socket of a guest, the session token it uses, what the server told it."""

    conn: GuestConnection
    token: str
    configured: bool = False
    read_only: bool = False
    user: str | None = None
    auth_jwt: str | None = None
    refresh_token: str | None = None
    frames: list[dict[str, Any]] = field(default_factory=list)


def _uuid() -> str:
    return str(uuid.UUID(int=next(_ids), version=4))


class TransportFidelity(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # The guest request limits are off (a frozen clock would make most sends 429); the
        # rate_limited_send rule still produces TooManyRequestsErrorMessage through a fault.
        self.mock = MockGenesys(seed=3, clock=VirtualClock(), bot=True, routing_delay=0.5, limits=LIMITS)
        self.http = httpx.Client(transport=self.mock.transport(), base_url=BASE)
        self.devices: list[Device] = []
        self.mismatches: list[str] = []
        self.codes = {user: self.mock.auth_code(user, first_name=user.title(), last_name="Tester") for user in USERS}

    def teardown(self) -> None:
        self.http.close()

    # ------------------------------------------------------------------ plumbing
    def _open(self, token: str) -> Device:
        device = Device(self.mock.hub.open(self.mock.deployment_id, base_url=BASE), token)
        self.devices.append(device)
        return device

    def _send(self, device: Device, action: str, tracing: str | None = None, **fields: Any) -> list[dict[str, Any]]:
        """Send one frame as the transport builds it; the frames every device got since."""
        frame = {"token": device.token, **fields, "tracingId": tracing or _uuid(), "action": action}
        self.mock.hub.receive(device.conn, json.dumps(frame))
        return self._pump()[id(device)]

    def _pump(self) -> dict[int, list[dict[str, Any]]]:
        self.mock.scheduler.run_due()
        got: dict[int, list[dict[str, Any]]] = {}
        for device in list(self.devices):
            frames = got[id(device)] = []
            queue = device.conn.queue
            while not queue.empty():
                text = queue.get_nowait()
                if text is None:
                    break
                frame = json.loads(text)
                frames.append(frame)
                self._check(device, frame)
            if device.conn.closed:
                self.devices.remove(device)
        return got

    def _check(self, device: Device, frame: dict[str, Any]) -> None:
        self.mismatches.extend(f"{frame.get('class')}: {p} in {json.dumps(frame)[:300]}" for p in decode_frame(frame))
        device.frames.append(frame)
        cls, body = frame.get("class"), frame.get("body")
        if cls == "StructuredMessage" and isinstance(body, dict):
            self.mismatches.extend(_unnamed(body, "frame"))
        if cls in ("LogoutEvent", "SessionClearedEvent", "SessionExpiredEvent") or (
            cls == "string" and frame.get("code") in (4006, 4007, 4017)
        ):
            device.configured = False  # the transport wipes or abandons the token
        elif cls == "SessionResponse" and isinstance(body, dict):
            device.configured = bool(body.get("connected"))
            device.read_only = bool(body.get("readOnly"))
        elif cls == "StructuredMessage" and isinstance(body, dict) and body.get("metadata", {}).get("readOnly"):
            device.read_only = True

    def _live(self, index: int) -> Device | None:
        live = [d for d in self.devices if d.configured and not d.conn.closed]
        return live[index % len(live)] if live else None

    def _confirmed(
        self, tracing: str, frames: list[dict[str, Any]], what: str, *, sent_type: str, refusal: str | None
    ) -> None:
        """The transport confirms a send only by an Inbound echo carrying the request's tracingId;
        anything else (an error frame, nothing) leaves it Sending forever."""
        answers = [f for f in frames if f.get("tracingId") == tracing]
        if refusal is not None and answers and answers[0]["class"] == refusal:
            return
        if not answers or answers[0]["class"] != "StructuredMessage":
            self.mismatches.append(f"{what}: not confirmed, the answer to tracingId {tracing} was {answers[:1]}")
        elif answers[0]["body"].get("direction") != "Inbound" or answers[0]["body"].get("type") != sent_type:
            self.mismatches.append(f"{what}: the echo is not an Inbound {sent_type} message: {answers[0]}")

    def _message(self, device: Device, message: dict[str, Any], what: str, *, refusal: str | None = None) -> None:
        tracing = _uuid()
        frames = self._send(device, "onMessage", tracing, message=message)
        self._confirmed(tracing, frames, what, sent_type=message["type"], refusal=refusal)

    # ------------------------------------------------------------------ guests
    @initialize()
    def first_guest(self) -> None:
        device = self._open(_uuid())
        self._send(device, "configureSession", deploymentId=self.mock.deployment_id, startNew=False)

    @precondition(lambda self: len(self.devices) < 4)
    @rule(second_tab=st.booleans(), index=st.integers(0, 3))
    def open_device(self, second_tab: bool, index: int) -> None:
        other = self._live(index) if second_tab else None
        device = self._open(other.token if other is not None and other.user is None else _uuid())
        self._send(device, "configureSession", deploymentId=self.mock.deployment_id, startNew=False)

    @rule(index=st.integers(0, 3), text=st.text(min_size=1, max_size=40))
    def send_text(self, index: int, text: str) -> None:
        device = self._live(index)
        if device is not None and not device.read_only:
            self._message(device, {"text": text, "type": "Text"}, "text")

    @rule(index=st.integers(0, 3), card_postback=st.booleans())
    def send_button_response(self, index: int, card_postback: bool) -> None:
        device = self._live(index)
        if device is None or device.read_only:
            return
        if card_postback:  # MessageStore.preparePostbackMessage
            reply = {"text": "Buy", "payload": "buy-42", "type": "Button"}
            self._message(device, {"text": "Buy", "content": [_button(reply)], "type": "Structured"}, "postback")
        else:  # MessageStore.prepareMessageWith: a quick reply goes out as Text with empty text
            reply = {"text": "Yes", "payload": "Yes", "type": "QuickReply", "originatingMessageId": _uuid()}
            self._message(device, {"text": "", "content": [_button(reply)], "type": "Text"}, "quick reply")

    def _upload(self, device: Device, name: str, mime: str, *, intact: bool = True) -> str | None:
        """onAttachment, then the PUT to the presigned URL; the attachment id once uploaded."""
        attachment_id = _uuid()
        fields = {
            "attachmentId": attachment_id,
            "fileName": name,
            "fileType": mime,
            "fileSize": 5,
            "errorsAsJson": True,
        }
        presigned = [
            f for f in self._send(device, "onAttachment", **fields) if f.get("class") == "PresignedUrlResponse"
        ]
        if not presigned:
            return None  # refused: an UploadFailureEvent, decoded above
        answer = presigned[0]["body"]
        if not answer["headers"]:
            self.mismatches.append("onAttachment: PresignedUrlResponse without headers reads as a URL refresh")
        upload = self.http.put(answer["url"], content=b"12345" if intact else b"123", headers=answer["headers"])
        events = [f["class"] for f in self._pump()[id(device)] if f["class"].startswith("Upload")]
        if events != (["UploadSuccessEvent"] if intact else ["UploadFailureEvent"]) or upload.is_success != intact:
            self.mismatches.append(
                f"upload of {name} ({'intact' if intact else 'short'}): {upload.status_code} {events}"
            )
        return attachment_id if intact else None

    @rule(index=st.integers(0, 3), file=st.sampled_from(FILES), text=st.sampled_from(["", "see attached"]))
    def send_attachment(self, index: int, file: tuple[str, str], text: str) -> None:
        device = self._live(index)
        if device is None or device.read_only:
            return
        attachment_id = self._upload(device, *file)
        if attachment_id is not None:
            content = [{"contentType": "Attachment", "attachment": {"id": attachment_id}}]
            self._message(device, {"text": text, "content": content, "type": "Text"}, "attachment")

    @rule(index=st.integers(0, 3), intact=st.booleans())
    def refresh_or_delete_attachment(self, index: int, intact: bool) -> None:
        device = self._live(index)
        if device is None or device.read_only:
            return
        attachment_id = self._upload(device, "photo.png", "image/png", intact=intact)
        if attachment_id is None:
            return
        refreshed = [
            f
            for f in self._send(device, "getAttachment", attachmentId=attachment_id)
            if f.get("class") == "PresignedUrlResponse"
        ]
        if not refreshed or refreshed[0]["body"]["headers"] or refreshed[0]["body"].get("fileSize") is None:
            self.mismatches.append(
                f"getAttachment is not read as a refresh (empty headers and a fileSize): {refreshed}"
            )
        self._send(device, "deleteAttachment", attachmentId=attachment_id)

    @rule(index=st.integers(0, 3))
    def typing(self, index: int) -> None:
        device = self._live(index)
        if device is not None:
            self._send(
                device,
                "onMessage",
                message={"events": [{"eventType": "Typing", "typing": {"type": "On"}}], "type": "Event"},
            )

    @rule(index=st.integers(0, 3))
    def health_check(self, index: int) -> None:
        device = self._live(index)
        if device is None:
            return
        frames = self._send(device, "echo", HEALTH_CHECK, message={"text": "ping", "type": "Text"})
        answers = [f for f in frames if f.get("tracingId") == HEALTH_CHECK]
        if answers and answers[0]["class"] == "StructuredMessage" and answers[0]["body"]["type"] != "Text":
            self.mismatches.append(f"echo answer is not type Text: {answers[0]}")
        if not answers:
            self.mismatches.append("echo: no answer with the health-check tracingId")

    @rule(index=st.integers(0, 3))
    def read_history(self, index: int) -> None:
        device = self._live(index)
        if device is None:
            return
        replies = [f for f in self._send(device, "getJwt") if f.get("class") == "JwtResponse"]
        if not replies:
            return
        if not replies[0]["body"].get("jwt"):
            self.mismatches.append("JwtResponse with an empty jwt: a waiting history fetch hangs")
            return
        headers = {"Authorization": f"bearer {replies[0]['body']['jwt']}", "Origin": "mock.test"}
        times: list[str] = []
        for page in itertools.count(1):
            response = self.http.get(f"/api/v2/webmessaging/messages?pageNumber={page}&pageSize=25", headers=headers)
            body = response.json()
            if response.status_code != 200:
                self.mismatches.append(f"history page {page}: {response.status_code} {body}")
                return
            problems = decode(body, MESSAGE_ENTITY_LIST)
            problems += [p for n, e in enumerate(body["entities"]) for p in shown_problems(e, f"$.entities[{n}]")]
            problems += [p for e in body["entities"] for p in _unnamed(e, "history")]
            self.mismatches.extend(f"history page {page}: {p}" for p in problems)
            times += [e["channel"]["time"] for e in body["entities"]]
            if page >= body["pageCount"]:
                break
        if times != sorted(times, reverse=True) or len(set(times)) != len(times):
            self.mismatches.append(f"history is not newest first with one millisecond per message: {times}")

    @precondition(lambda self: any(d.read_only for d in self.devices))
    @rule(index=st.integers(0, 3))
    def start_new_chat(self, index: int) -> None:
        device = next((d for d in self.devices if d.read_only and d.configured), None)
        if device is None:
            return
        closed = [
            f for f in self._send(device, "closeSession", closeAllConnections=True) if f["class"] == "SessionResponse"
        ]
        if closed and closed[0]["body"] != {**closed[0]["body"], "connected": False, "readOnly": True}:
            self.mismatches.append(f"closeSession answer must be connected:false, readOnly:true: {closed[0]['body']}")
        frames = self._send(device, "configureSession", deploymentId=self.mock.deployment_id, startNew=True)
        started = [f["body"] for f in frames if f["class"] == "SessionResponse"]
        if started and not (started[0]["newSession"] and not started[0]["readOnly"]):
            self.mismatches.append(f"startNew answer must be newSession:true, readOnly:false: {started[0]}")

    @rule(index=st.integers(0, 3))
    def clear_conversation(self, index: int) -> None:
        device = self._live(index)
        if device is not None:
            self._send(
                device,
                "onMessage",
                message={"events": [{"eventType": "Presence", "presence": {"type": "Clear"}}], "type": "Event"},
            )

    # ------------------------------------------------------------------ authenticated sessions
    def _exchange(self, user: str) -> tuple[str, str]:
        body = {
            "deploymentId": self.mock.deployment_id,
            "oauth": {"code": self.codes[user], "redirectUri": "https://app/cb"},
        }
        answer = self.http.post("/api/v2/webdeployments/token/oauthcodegrantjwtexchange", json=body).json()
        self.mismatches.extend(f"oauthcodegrantjwtexchange: {p}" for p in decode(answer, AUTH_JWT))
        return answer["jwt"], answer["refreshToken"]

    def _authenticate(self, device: Device, user: str) -> None:
        jwt, refresh = self._exchange(user)
        fields = {"deploymentId": self.mock.deployment_id, "startNew": False, "data": {"code": jwt}}
        frames = self._send(device, "configureAuthenticatedSession", **fields)
        if not any(f["class"] == "SessionResponse" for f in frames):
            self.mismatches.append(f"configureAuthenticatedSession got no SessionResponse: {frames}")
        for tab in self.devices:  # every tab of the session is now the user's
            if tab.token == device.token:
                tab.user, tab.auth_jwt, tab.refresh_token = user, jwt, refresh

    @rule(index=st.integers(0, 3), user=st.sampled_from(USERS))
    def step_up(self, index: int, user: str) -> None:
        device = self._live(index)
        if device is None or device.user is not None:
            return
        self._authenticate(device, user)
        if not any(_is_sign_in(f) for f in device.frames[-3:]):
            self.mismatches.append("step-up: no Presence SignIn event before the SessionResponse")

    @precondition(lambda self: len(self.devices) < 4)
    @rule(user=st.sampled_from(USERS))
    def sign_in_on_new_device(self, user: str) -> None:
        elsewhere = [d for d in self.devices if d.user == user and d.configured]
        self._authenticate(self._open(_uuid()), user)
        for other in elsewhere:
            closed = [f for f in other.frames if f["class"] == "ConnectionClosedEvent"]
            if not closed or closed[-1]["body"] != {"reason": "signedIn"}:
                self.mismatches.append(f"the other device of {user} got no ConnectionClosedEvent signedIn")

    @rule(index=st.integers(0, 3))
    def refresh(self, index: int) -> None:
        device = self._live(index)
        if device is None or device.refresh_token is None:
            return
        response = self.http.post("/api/v2/webdeployments/token/refresh", json={"refreshToken": device.refresh_token})
        if response.status_code == 200:
            self.mismatches.extend(f"refresh: {p}" for p in decode(response.json(), AUTH_JWT))
            device.auth_jwt = response.json()["jwt"]

    @rule(index=st.integers(0, 3))
    def log_out(self, index: int) -> None:
        device = self._live(index)
        if device is None or device.auth_jwt is None:
            return
        response = self.http.delete(
            "/api/v2/webdeployments/token/revoke", headers={"Authorization": f"bearer {device.auth_jwt}"}
        )
        self._pump()
        if response.status_code == 204 and not any(f["class"] == "LogoutEvent" for f in device.frames):
            self.mismatches.append("revoke: the connected device got no LogoutEvent and never finishes logging out")
        device.user = device.auth_jwt = device.refresh_token = None

    @rule(index=st.integers(0, 3))
    def downgrade(self, index: int) -> None:
        device = self._live(index)
        if device is None or device.user is None:
            return
        frames = self._send(device, "configureSession", deploymentId=self.mock.deployment_id, startNew=False)
        if not any(f.get("code") == 4017 for f in frames):
            self.mismatches.append(f"anonymous configureSession on a signed-in token must be 4017: {frames}")

    # ------------------------------------------------------------------ the contact centre, faults, time
    @rule(index=st.integers(0, 3), action=st.sampled_from(AGENT_ACTIONS))
    def agent(self, index: int, action: str) -> None:
        device = self._live(index)
        session = self.mock.world.guest_session(device.token) if device is not None else None
        conversation = self.mock.world.conversations.get(session.conversation_id) if session is not None else None
        if conversation is None or not conversation.is_active:
            return
        agent, cid = self.mock.agent, conversation.id
        items = {
            "quick": quick_replies("Yes", "No"),
            "card": [card("Shoes", "Size 42", image="https://cdn.example/s.png", actions=[postback_action("Buy")])],
            "carousel": [
                carousel(card("A", "a", actions=[link_action("Open", "https://example.com/a")]), card("B", "b"))
            ],
            "datepicker": [date_picker("Pick a slot", [("2026-01-05T10:00:00.000Z", 30)])],
            "link": [attachment("manual.pdf", url="https://cdn.example/manual.pdf", mime="application/pdf", size=10)],
        }
        if action == "text":
            agent.reply(cid, "How can I help?")
        elif action in items:
            agent.reply(cid, "Here you go" if action != "link" else "", content=items[action])
        elif action == "attach":
            agent.attach(cid, "receipt.png", b"\x89PNG....", mime="image/png")
        elif action == "typing":
            agent.typing(cid)
        elif action == "transfer":
            agent.transfer(cid, to="Dana Scully")
        else:
            agent.disconnect(cid)
        self._pump()

    @rule(index=st.integers(0, 3))
    def rate_limited_send(self, index: int) -> None:
        device = self._live(index)
        if device is None or device.read_only:
            return
        self.mock.add_fault(
            {
                "match": {"endpoint": "guest.ws.onMessage"},
                "when": {"times": 1},
                "then": {"ws": {"too_many": {"retry_after": 3}}},
            }
        )
        self._message(
            device, {"text": "again", "type": "Text"}, "rate-limited text", refusal="TooManyRequestsErrorMessage"
        )

    @rule(index=st.integers(0, 3))
    def expire(self, index: int) -> None:
        device = self._live(index)
        session = self.mock.world.guest_session(device.token) if device is not None else None
        if session is not None:
            self.mock.hub.expire_session(session)
            self._pump()

    @rule(seconds=st.sampled_from([0.0, 0.0004, 1.0, 2.0, 30.0]))
    def advance(self, seconds: float) -> None:
        self.mock.clock.advance(seconds)
        self._pump()

    @rule()
    def deployment_config(self) -> None:
        response = self.http.get(f"/webdeployments/v1/deployments/{self.mock.deployment_id}/config.json")
        if response.headers.get("content-type") != "application/json":
            self.mismatches.append(f"config.json Content-Type {response.headers.get('content-type')}")
        self.mismatches.extend(f"config.json: {p}" for p in decode(response.json(), DEPLOYMENT_CONFIG))

    @invariant()
    def no_mismatch(self) -> None:
        assert not self.mismatches, "\n".join(self.mismatches[:10])


def _button(reply: dict[str, str]) -> dict[str, Any]:
    return {"contentType": "ButtonResponse", "buttonResponse": reply}


def _unnamed(message: dict[str, Any], where: str) -> list[str]:
    """An agent or bot message must name its sender: the transport shows ``channel.from.nickname``."""
    if message.get("direction") != "Outbound" or message.get("type") == "Event":
        return []
    sender = (message.get("channel") or {}).get("from") or {}
    return (
        []
        if sender.get("nickname")
        else [f"{where}: outbound message {message.get('id')} has no channel.from.nickname"]
    )


def _is_sign_in(frame: dict[str, Any]) -> bool:
    body = frame.get("body")
    return (
        frame.get("class") == "StructuredMessage"
        and isinstance(body, dict)
        and any(e.get("presence", {}).get("type") == "SignIn" for e in body.get("events", []))
    )


TransportFidelity.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestTransportDecodesEverythingTheMockSends = TransportFidelity.TestCase
