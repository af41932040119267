"""Hypothesis-driven frames on the guest WebSocket: random text, random JSON, deep and huge
documents, known actions with odd-typed fields. Every answer is a Genesys frame, a socket closes
only with a documented code, the mock keeps no internal error, and a canary guest on the same
mock still works afterwards."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.server.endpoints import FRAME_CLASSES
from mockgenesys.server.websocket.actions import ACTIONS
from mockgenesys.server.websocket.connection import GuestConnection

#: Close codes a guest socket may end with (docs/websocket.md): a normal close (closeSession,
#: signed in elsewhere, a refused connection) or a Genesys 4xxx code (4029: kept flooding).
CLOSE_CODES = {1000, *range(4000, 5000)}
TOKENS = ("fuzz-token-1", "fuzz-token-2")

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)
huge_text = st.integers(4_000, 70_000).map(lambda n: "x" * n)
odd = documents | huge_text | st.integers(1, 40).map(lambda n: [[]] * n)
deep = st.integers(20, 3_000).flatmap(
    lambda n: st.sampled_from(["[" * n + "]" * n, '{"a":' * n + "1" + "}" * n, "[" * n])
)
messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["Text", "Structured", "Event"]) | odd},
    optional={
        "text": st.text(max_size=40) | huge_text | odd,
        "metadata": st.integers(1, 6_000).map(lambda n: {"k": "v" * n}) | odd,
        "content": st.lists(documents, max_size=30) | odd,
        "events": odd,
    },
)


def structured(deployment_id: str) -> st.SearchStrategy[str]:
    return st.fixed_dictionaries(
        {"action": st.sampled_from(list(ACTIONS)) | odd},
        optional={
            "token": st.sampled_from(TOKENS) | odd,
            "deploymentId": st.just(deployment_id) | odd,
            "message": messages | odd,
            "tracingId": st.text(max_size=8) | odd,
            "attachmentId": odd,
            "fileName": st.text(max_size=300) | odd,
            "fileType": st.sampled_from(["image/png", "text/plain"]) | odd,
            "fileSize": st.integers(-5, 10**12) | odd,
            "closeAllConnections": odd,
        },
    ).map(json.dumps)


def frames_for(deployment_id: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=60), documents.map(json.dumps), deep, structured(deployment_id))


def answers(conn: GuestConnection) -> list[dict[str, Any]]:
    """Every frame the server queued for ``conn`` (JSON objects; anything else fails the test)."""
    found = []
    while not conn.queue.empty():
        item = conn.queue.get_nowait()
        if item is not None:
            frame = json.loads(item)
            assert isinstance(frame, dict), item
            found.append(frame)
    return found


def assert_genesys_frame(frame: dict[str, Any]) -> None:
    assert frame.get("type") in ("response", "message"), frame
    assert frame.get("class") in FRAME_CLASSES, frame
    assert isinstance(frame.get("code"), int) and "body" in frame, frame
    if frame["class"] == "string":
        assert isinstance(frame["body"], str) and frame["code"] >= 400, frame


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=11, clock=VirtualClock(), routing_delay=None)


def test_frame_fuzz_every_answer_is_a_genesys_frame_and_a_canary_still_works(mock: MockGenesys) -> None:
    hub = mock.hub
    canary = hub.open(mock.deployment_id)
    hub.receive(
        canary, json.dumps({"action": "configureSession", "token": "canary", "deploymentId": mock.deployment_id})
    )
    assert answers(canary)[0]["class"] == "SessionResponse"
    sent = 0

    @settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(batch=st.lists(frames_for(mock.deployment_id), min_size=1, max_size=4))
    def fuzz(batch: list[str]) -> None:
        nonlocal sent
        conn = hub.open(mock.deployment_id)
        for text in batch:
            if conn.closed:
                break
            hub.receive(conn, text)
            sent += 1
        for frame in answers(conn):
            assert_genesys_frame(frame)
        if conn.closed:
            assert conn.close_code in CLOSE_CODES, (conn.close_code, conn.close_reason)
        else:
            conn.close(1000, "done")
        assert not mock.server.errors, mock.server.errors

    fuzz()
    assert sent >= 600
    hub.receive(
        canary,
        json.dumps({"action": "onMessage", "token": "canary", "message": {"type": "Text", "text": "still here"}}),
    )
    echoes = [f for f in answers(canary) if f["class"] == "StructuredMessage"]
    assert echoes and echoes[0]["body"]["text"] == "still here"
    assert not canary.closed
