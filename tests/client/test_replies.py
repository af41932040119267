from __future__ import annotations

import asyncio

import pytest

from mockgenesys.client.replies import Replies


async def test_replies_a_reply_resolves_the_request_it_names() -> None:
    replies = Replies()
    tracing, future = replies.expect("abc")
    assert tracing == "abc-1" and replies.expect("abc")[0] == "abc-2"
    assert replies.resolve({"class": "SessionResponse", "tracingId": tracing})
    assert (await future)["class"] == "SessionResponse"


async def test_replies_an_event_answers_no_request() -> None:
    replies = Replies()
    assert not replies.resolve({"class": "SessionExpiredEvent"})
    assert not replies.resolve({"class": "SessionExpiredEvent", "tracingId": "nobody-1"})


async def test_replies_an_echo_after_its_request_gave_up_is_kept_once() -> None:
    replies = Replies()
    tracing, _ = replies.expect("t")
    replies.forget(tracing)
    echo = {"class": "StructuredMessage", "tracingId": tracing, "body": {"text": "hi"}}
    assert replies.resolve(echo) and replies.late == 1
    assert replies.late_echo(tracing) is echo
    assert replies.late_echo(tracing) is None


async def test_replies_forget_late_drops_kept_echoes() -> None:
    replies = Replies()
    replies.resolve({"class": "StructuredMessage", "tracingId": "old-1"})
    replies.forget_late()
    assert replies.late == 0 and replies.late_echo("old-1") is None


async def test_replies_fail_all_fails_every_waiting_request() -> None:
    replies = Replies()
    futures = [replies.expect("t")[1] for _ in range(3)]
    replies.fail_all(ConnectionResetError("gone"))
    for future in futures:
        with pytest.raises(ConnectionResetError):
            await future
    await asyncio.sleep(0)
