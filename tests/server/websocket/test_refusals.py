from __future__ import annotations

import pytest

from mockgenesys.faults import Reply
from mockgenesys.server.websocket.refusals import (
    ConnectionCapReached,
    GuestRefusal,
    TooManyGuestRequests,
    UploadRefused,
    from_reply,
)


@pytest.mark.parametrize(
    ("reply", "frame"),
    [
        (Reply(503), {"type": "response", "class": "string", "code": 503, "body": "Request failed."}),
        (
            Reply(4006, message="gone", websocket_only=True),
            {"type": "response", "class": "string", "code": 4006, "body": "gone"},
        ),
        (
            Reply(429),
            {
                "type": "response",
                "class": "TooManyRequestsErrorMessage",
                "code": 429,
                "body": {"errorCode": 4029, "errorMessage": "Request rate too high", "retryAfter": 1},
            },
        ),
        (
            Reply(429, message="slow", retry_after=0, websocket_only=True),
            {
                "type": "response",
                "class": "TooManyRequestsErrorMessage",
                "code": 429,
                "body": {"errorCode": 4029, "errorMessage": "slow", "retryAfter": 0},
            },
        ),
    ],
)
def test_refusals_a_fault_reply_renders_like_a_handlers_refusal(reply: Reply, frame: dict[str, object]) -> None:
    assert from_reply(reply).frames(None) == [frame]


def test_refusals_carry_what_the_journal_records() -> None:
    assert (GuestRefusal(4007, "x").status, GuestRefusal(4007, "x").journal_code) == (4007, None)
    limited = TooManyGuestRequests(5, "slow")
    assert (limited.status, limited.retry_after) == (429, 5)
    upload = UploadRefused("att", 4001, "bad type", "2026-01-01T00:00:00.000Z")
    assert upload.status == 4001 and upload.frames("t")[0]["class"] == "UploadFailureEvent"
    cap = ConnectionCapReached()
    assert (cap.status, cap.journal_code, cap.closes) == (0, "closed", True)
    assert cap.frames("t")[0]["body"] == {}  # no reason: the transport reads it as "session limit reached"
