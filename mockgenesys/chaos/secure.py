"""The ``secure_session`` workload step: the client core's ``SecureSessionBroker`` with a KMS webhook.

Each guest first creates a seed-dialect guest session through the broker; the broker then
notifies a KMS webhook that the run serves itself, as slowly as the scenario says. The broker
must treat the webhook as best effort: return within its ``kms_timeout`` whatever the webhook does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from mockgenesys.client import PlatformClient, SecureSessionBroker, Timing

if TYPE_CHECKING:
    from mockgenesys.chaos.scenario import Pacing
    from mockgenesys.clock import Clock
    from mockgenesys.mock import MockGenesys

KMS_URL = "https://kms.chaos.invalid/webhook"


@dataclass(frozen=True)
class SecureStep:
    """``workload.secure_session``: the webhook's delay and the broker's timeout."""

    kms_delay: Pacing
    kms_timeout: float


@dataclass
class SecureOutcome:
    """What the harness saw of one guest's secure session (timed by the runner, not the client)."""

    issued: float
    done: float | None = None
    kms_synced: bool | None = None
    error: str | None = None
    webhook_calls: int = 0


async def create_secure_session(
    mock: MockGenesys, step: SecureStep, clock: Clock, *, guest: int, tag: str, seed: int
) -> SecureOutcome:
    """Create guest ``guest``'s secure session through the broker, against a slow KMS webhook."""
    rng = random.Random(f"{seed}/kms")
    outcome = SecureOutcome(issued=clock.now())

    async def webhook(request: httpx.Request) -> httpx.Response:
        outcome.webhook_calls += 1
        await clock.sleep(step.kms_delay.sample(rng))
        return httpx.Response(200, json={"ok": True})

    timing = Timing(clock=clock, rng=random.Random(seed))
    platform = PlatformClient.for_mock(mock, timing=timing)
    broker = SecureSessionBroker(
        platform,
        mock.org_id,
        hmac_secret=f"chaos-run-secret-{seed:x}",
        kms_webhook_url=KMS_URL,
        kms_transport=httpx.MockTransport(webhook),
        kms_timeout=step.kms_timeout,
    )
    try:
        session = await broker.create_session(metadata={"chaosTag": tag, "chaosGuest": str(guest)})
        outcome.kms_synced = bool(session.kms_synced)
    except Exception as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        outcome.done = clock.now()
        await broker.aclose()
        await platform.aclose()
    return outcome
