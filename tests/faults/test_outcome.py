from __future__ import annotations

from mockgenesys.faults import Caller, FaultTarget, Outcome, Reply, carry_out
from mockgenesys.world.models import GuestSession


class Recorder:
    """A ``FaultTarget`` that records what it was asked to do."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def expire_token(self, caller: Caller) -> None:
        self.calls.append(("expire_token", caller.principal))

    def expire_guest_session(self, caller: Caller) -> None:
        self.calls.append(("expire_guest_session", caller.principal))

    def close_conversation(self, conversation_id: str) -> None:
        self.calls.append(("close_conversation", conversation_id))

    def drop_connections(self, caller: Caller) -> None:
        self.calls.append(("drop_connections", caller.principal))


def _guest() -> GuestSession:
    return GuestSession(
        id="s",
        token="t",
        deployment_id="d",
        org_id="o",
        conversation_id="c-guest",
        created_at=0,
        last_activity=0,
        ttl=60,
    )


def test_outcome_carry_out_runs_effects_in_rule_order() -> None:
    target: FaultTarget = Recorder()
    outcome = Outcome("r", effects=["close_conversation", "expire_session", "expire_token"])
    carry_out(outcome, Caller(principal="p", guest=_guest()), target, conversation_id="c-path")
    assert target.calls == [  # type: ignore[attr-defined]
        ("close_conversation", "c-guest"),
        ("expire_guest_session", "p"),
        ("expire_token", "p"),
    ]


def test_outcome_close_conversation_falls_back_to_the_requested_one() -> None:
    target = Recorder()
    carry_out(Outcome("r", effects=["close_conversation"]), Caller(principal="p"), target, conversation_id="c-path")
    carry_out(Outcome("r", effects=["close_conversation"]), Caller(principal="p"), target)
    assert target.calls == [("close_conversation", "c-path")]


def test_outcome_http_reply_skips_websocket_only_replies() -> None:
    outcome = Outcome("r", replies=[Reply(4006, websocket_only=True), Reply(503)])
    assert outcome.http_reply == Reply(503)
    assert Outcome("r", replies=[Reply(4006, websocket_only=True)]).http_reply is None


def test_outcome_answers_frame_when_it_replies_or_cuts() -> None:
    assert not Outcome("r", delay=3.0, effects=["expire_token"]).answers_frame
    assert Outcome("r", replies=[Reply(500)]).answers_frame
    assert Outcome("r", drop=True).answers_frame and Outcome("r", reset=True).answers_frame
