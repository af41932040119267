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
