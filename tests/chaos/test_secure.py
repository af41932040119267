"""The secure-session step reaches the mock like any platform client: in-process or by URL."""

from __future__ import annotations

import pytest

from mockgenesys import MockGenesys
from mockgenesys.chaos import InProcessControl, MockFacts, Scenario, SimClock
from mockgenesys.chaos.sections import Pacing, SecureStep
from mockgenesys.chaos.secure import create_secure_session, platform_client
from mockgenesys.client import Timing


async def test_secure_session_is_created_and_a_slow_webhook_does_not_hold_it_up() -> None:
    control = InProcessControl.for_scenario(Scenario.from_dict({"name": "s"}))
    step = SecureStep(kms_delay=Pacing("fixed", 5.0), kms_timeout=1.0)

    async def create() -> None:
        outcome = await create_secure_session(control.facts, step, control.now, guest=3, tag="s/0", seed=9)
        assert outcome.error is None and outcome.kms_synced is False and outcome.webhook_calls == 1
        assert outcome.done is not None and outcome.done - outcome.issued == pytest.approx(1.0, abs=0.3)

    await control.drive(create(), max_seconds=60)
    [session] = control.mock.world.seed_sessions.values()
    assert session.metadata == {"chaosTag": "s/0", "chaosGuest": "3"}


async def test_secure_platform_client_by_url_or_in_process() -> None:
    mock = MockGenesys(seed=1)
    facts = MockFacts("org", "dep", "cid", "secret", SimClock(), base_url="http://127.0.0.1:1")
    by_url = platform_client(facts, Timing())
    assert str(by_url.http.base_url) == "http://127.0.0.1:1"
    await by_url.aclose()
    in_process = platform_client(MockFacts("org", "dep", "cid", "s", SimClock(), mock=mock), Timing())
    await in_process.aclose()
    with pytest.raises(ValueError, match="either mock or base_url"):
        platform_client(MockFacts("org", "dep", "cid", "s", SimClock()), Timing())


def test_secure_session_created_leaves_out_the_retry_after_the_server_imposed() -> None:
    from mockgenesys.chaos import GuestRecord, ServerView
    from mockgenesys.chaos.invariants import evaluate
    from mockgenesys.chaos.records import SecureOutcome
    from mockgenesys.journal import Entry

    session = {"metadata": {"chaosTag": "t", "chaosGuest": "0"}}
    told = Entry(1, 10.5, 0.0, "http", "sessions.create", "POST", "/s", 429, retry_after=1, credential="fp:broker")
    record = GuestRecord(0, "g0", 1, [])
    record.secure = SecureOutcome(issued=10.0, done=13.2, credential="fp:broker")
    view = ServerView("t", [], [], [told], seed_sessions=[session])
    [result] = evaluate([("secure_session_created", {"within": 3.0})], view, [record])
    assert result.passed  # 3.2 s, of which the server asked for 1
    record.secure.credential = "fp:other"
    [result] = evaluate([("secure_session_created", {"within": 3.0})], view, [record])
    assert not result.passed and "the broker took 3.2 s" in result.evidence[0]
