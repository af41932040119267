"""The ``secure_session`` workload step: the client core's ``SecureSessionBroker`` with a KMS webhook.

Each guest first creates a seed-dialect guest session through the broker; the broker then
notifies a KMS webhook that the run serves itself, as slowly as the scenario says. The broker
must treat the webhook as best effort: return within its ``kms_timeout`` whatever the webhook
does. The step reaches the mock the way any platform client does (``platform_client``), so it
runs in-process and against a live target alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx

from mockgenesys.chaos.control import MockFacts
from mockgenesys.chaos.records import SecureOutcome
from mockgenesys.chaos.sections import SecureStep
from mockgenesys.client import PlatformClient, SecureSessionBroker, Timing
from mockgenesys.journal import fingerprint

KMS_URL = "https://kms.chaos.invalid/webhook"


def platform_client(facts: MockFacts, timing: Timing) -> PlatformClient:
    """A ``PlatformClient`` with the mock's default OAuth client: in-process or by URL."""
    if facts.mock is not None:
        return PlatformClient.for_mock(facts.mock, timing=timing)
    if facts.base_url is None:
        raise ValueError("MockFacts needs either mock or base_url.")
    return PlatformClient(facts.base_url, facts.client_id, facts.client_secret, timing=timing)


async def create_secure_session(
    facts: MockFacts, step: SecureStep, now: Callable[[], float], *, guest: int, tag: str, seed: int
) -> SecureOutcome:
    """Create guest ``guest``'s secure session through the broker, against a slow KMS webhook.

    ``now`` is the run's clock (what the invariants compare with); the broker and the webhook
    wait on ``facts.clock``.
    """
    rng = random.Random(f"{seed}/kms")
    clock = facts.clock
    outcome = SecureOutcome(issued=now())

    async def webhook(request: httpx.Request) -> httpx.Response:
        outcome.webhook_calls += 1
        await clock.sleep(step.kms_delay.sample(rng))
        return httpx.Response(200, json={"ok": True})

    platform = platform_client(facts, Timing(clock=clock, rng=random.Random(seed)))
    broker = SecureSessionBroker(
        platform,
        facts.org_id,
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
        outcome.done = now()
        token = platform.tokens.current
        outcome.credential = fingerprint(token.value) if token is not None else None
        await broker.aclose()
        await platform.aclose()
    return outcome
