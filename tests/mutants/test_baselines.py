"""Every mutant is one bug away from its baseline, and the baselines are graded clean live too.

That every judge passes the correct clients and catches each mutant is ``test_detection.py``;
the false-alarm sweep's slice is ``test_sweep.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mockgenesys import MockGenesys, SystemClock
from mockgenesys.chaos import GuestContext

from .baseline_guest import BaselineGuest
from .baseline_platform import BaselinePlatform
from .catalogue import BASELINES, BUG_CLASSES, MUTANTS
from .protocols import PlatformContext

if TYPE_CHECKING:
    from mockgenesys.pytest_plugin import GenesysServer

INBOUND_DROP = {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}}


# ---------------------------------------------------------------------- the mutants
def test_every_bug_class_of_the_issue_has_a_mutant() -> None:
    assert {m.bug_class for m in MUTANTS.values()} == set(BUG_CLASSES)
    assert {m.kind for m in MUTANTS.values() if m.bug_class != BUG_CLASSES[-1]} == {"guest", "platform"}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_overrides_exactly_one_hook_of_its_baseline(name: str) -> None:
    mutant = MUTANTS[name]
    baseline = BASELINES[f"Baseline{mutant.kind.capitalize()}"]
    overridden = [attr for attr, value in vars(mutant.cls).items() if callable(value)]

    assert mutant.cls.__bases__ == (baseline,)
    assert len(overridden) == 1, f"{name} overrides {overridden}"
    assert callable(getattr(baseline, overridden[0], None)), f"{overridden[0]} is no hook of {baseline.__name__}"


async def test_duplicate_message_spares_the_resend_of_a_frame_dropped_before_storage(mock: MockGenesys) -> None:
    guest = BaselineGuest.for_mock(mock, 5)
    await guest.start()
    mock.add_fault(INBOUND_DROP)
    await guest.send("dropped, then resent once")  # test_baseline_guest.py: the server holds it once
    await guest.close()

    mock.check(rules=["duplicate_message"]).assert_ok()


@pytest.mark.live
async def test_baselines_pass_strict_grading_against_a_live_server(genesys_server: GenesysServer) -> None:
    mock = genesys_server.mock
    guest = BaselineGuest(
        GuestContext(
            0,
            "live guest",
            2,
            SystemClock(),
            mock.deployment_id,
            mock.client_id,
            mock.client_secret,
            base_url=genesys_server.url,
        )
    )
    platform = BaselinePlatform(
        PlatformContext(0, 2, SystemClock(), mock.client_id, mock.client_secret, base_url=genesys_server.url)
    )
    try:
        await guest.start()
        await guest.send("over a real socket")
        assert await guest.restore() == ["over a real socket"]
        assert await platform.organization() == mock.org_id
    finally:
        await guest.close()
        await platform.close()

    mock.check().assert_ok()
