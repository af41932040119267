"""``WebhookDispatcher``: Genesys' outbound webhook to an Open Messaging integration, with its retries.

Genesys' validation page: the webhook must answer within 10 seconds; a request that times out or
answers 429 or a 5xx is retried up to 5 times, 5 seconds apart; after the last failure "we
generate a failure receipt", so the message becomes ``Failed``. Another 4xx is final at once.

Every attempt is journaled (kind ``webhook``, endpoint ``openmessaging.webhook``, the receiver's
status, ``0`` with code ``timeout`` / ``connect-error`` / ``reset`` when it got none) and passes the
fault rules on ``openmessaging.webhook`` first: ``delay`` makes it slow (10 s or more is a timeout,
and the late request still reaches the receiver, as on a slow network: receivers must de-duplicate
on ``id``), ``reset`` loses it (a timeout to Genesys), a ``status`` fails it as a proxy in the way
would, and ``forge_signature`` sends it once more with a wrong signature before the real one (a
receiver that answers that with a 2xx did not check ``X-Hub-Signature-256``).

Attempts run on the mock's clock (retries are timers); the HTTP exchange itself runs as a task on
the running event loop (the live server's, or the test's in-process), or to completion at once when
no loop runs. ``transport`` sends them to an in-process receiver (an ASGI app through
``httpx.ASGITransport``) instead of the network; either way only loopback URLs are accepted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from mockgenesys.faults.caller import Caller
from mockgenesys.journal import RESET
from mockgenesys.server.http import dump_json
from mockgenesys.server.openmessaging.payloads import SIGNATURE_HEADER, sign
from mockgenesys.world.openmessaging import WebhookDelivery

if TYPE_CHECKING:
    from mockgenesys.faults.plan import FaultPlan
    from mockgenesys.server.state import ServerState
    from mockgenesys.world.openmessaging import OpenIntegration, OpenMessagingStore

ENDPOINT = "openmessaging.webhook"
WEBHOOK_TIMEOUT = 10.0
RETRY_DELAY = 5.0
MAX_RETRIES = 5
#: Journal codes of the requests that are not the real attempt.
FORGED = "forged"
LATE = "late"
TIMEOUT = "timeout"
CONNECT_ERROR = "connect-error"


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) to this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def retryable(status: int) -> bool:
    """Whether Genesys tries again after this answer (0: none came)."""
    return status == 0 or status == 429 or status >= 500


class WebhookDispatcher:
    """Delivers agent messages and events to integrations' webhooks; see the module docstring."""

    def __init__(self, state: ServerState, faults: FaultPlan) -> None:
        self.state = state
        self.faults = faults
        #: Where requests go instead of the network (``httpx.ASGITransport(app=receiver)``).
        self.transport: httpx.AsyncBaseTransport | None = None
        self.timeout = WEBHOOK_TIMEOUT
        self.retry_delay = RETRY_DELAY
        self.retries = MAX_RETRIES
        #: Called once a delivery has failed for good (the message becomes ``Failed``).
        self.on_failed: Callable[[WebhookDelivery], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def store(self) -> OpenMessagingStore:
        return self.state.world.contact_centre.messaging

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        """The deliveries of the current world, oldest first."""
        return list(self.store.deliveries.values())

    def send(
        self, integration: OpenIntegration, body: dict[str, Any], *, message_id: str, conversation_id: str
    ) -> WebhookDelivery:
        """Start delivering ``body`` to ``integration``'s webhook (the first attempt is due now)."""
        delivery = WebhookDelivery(
            id=self.state.world.new_id(),
            integration_id=integration.id,
            message_id=message_id,
            conversation_id=conversation_id,
            body=dump_json(body),
            created_at=self.state.clock.now(),
        )
        self.store.add_delivery(delivery)
        self._attempt(delivery)  # now, whichever thread asks: retries are timers on the mock's clock
        return delivery

    async def drain(self) -> None:
        """Wait for every request under way (not for retries the clock has not reached)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def reset(self) -> None:
        """Cancel the requests under way (the world they belong to is gone)."""
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()

    # ------------------------------------------------------------------ attempts
    def _attempt(self, delivery: WebhookDelivery) -> None:
        integration = self.store.integrations.get(delivery.integration_id)
        now = self.state.clock.now()
        if integration is None or delivery.state != "pending":
            if delivery.state == "pending":
                delivery.attempts.append((now, 0, "the integration was deleted"))
                self._fail(delivery)
            return
        outcome = None
        if self.faults:
            caller = Caller(principal=integration.id, org_id=integration.org_id)
            outcome = self.faults.decide(ENDPOINT, "POST", caller, None, now)
        fault = outcome.rule_id if outcome is not None else None
        if outcome is not None and outcome.forge_signature:
            self._post(delivery, integration, fault, kind=FORGED)
        if outcome is not None and (outcome.reset or outcome.drop):
            delivery.attempts.append((now, 0, "lost on the way (fault)"))
            self._journal(delivery, integration, 0, RESET, fault)
            self._after(delivery, 0, waited=self.timeout)
            return
        reply = outcome.http_reply if outcome is not None else None
        if reply is not None:
            delivery.attempts.append((now, reply.status, "answered by a fault"))
            self._journal(delivery, integration, reply.status, reply.code, fault)
            self._after(delivery, reply.status)
            return
        delay = outcome.delay if outcome is not None else 0.0
        if delay >= self.timeout:  # Genesys gives up at the timeout; the request still arrives
            self.state.scheduler.call_later(delay, lambda: self._post(delivery, integration, fault, kind=LATE))
            delivery.attempts.append((now, 0, f"timed out after {self.timeout:g} s (fault delay {delay:g} s)"))
            self._journal(delivery, integration, 0, TIMEOUT, fault)
            self._after(delivery, 0, waited=self.timeout)
        elif delay > 0:
            self.state.scheduler.call_later(delay, lambda: self._post(delivery, integration, fault))
        else:
            self._post(delivery, integration, fault)

    def _after(self, delivery: WebhookDelivery, status: int, *, waited: float = 0.0) -> None:
        """What follows an attempt that got ``status``: done, another attempt, or failure."""
        if 200 <= status < 300:
            delivery.state = "delivered"
        elif retryable(status) and len(delivery.attempts) <= self.retries:
            self.state.scheduler.call_later(waited + self.retry_delay, lambda: self._attempt(delivery))
        else:
            self._fail(delivery)

    def _fail(self, delivery: WebhookDelivery) -> None:
        delivery.state = "failed"
        if self.on_failed is not None:
            self.on_failed(delivery)

    # ------------------------------------------------------------------ requests
    def _post(
        self, delivery: WebhookDelivery, integration: OpenIntegration, fault: str | None, *, kind: str | None = None
    ) -> None:
        secret = integration.secret if kind != FORGED else integration.secret[::-1] + "-forged"
        headers = {
            **integration.webhook_headers,
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, delivery.body),
        }
        self._run(self._exchange(delivery, integration, headers, fault, kind))

    def _run(self, exchange: Coroutine[Any, Any, None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(exchange)  # no loop runs here (a synchronous caller): finish it now
            return
        task = loop.create_task(exchange)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _exchange(
        self,
        delivery: WebhookDelivery,
        integration: OpenIntegration,
        headers: dict[str, str],
        fault: str | None,
        kind: str | None,
    ) -> None:
        started = time.perf_counter()
        code: str | None = kind
        try:
            if not is_loopback_url(integration.webhook_url):
                raise httpx.ConnectError(f"{integration.webhook_url} is not a loopback URL")
            async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as http:
                response = await http.post(integration.webhook_url, content=delivery.body, headers=headers)
            status = response.status_code
        except httpx.TimeoutException:
            status, code = 0, code or TIMEOUT
        except httpx.HTTPError:
            status, code = 0, code or CONNECT_ERROR
        self._journal(delivery, integration, status, code, fault, started=started)
        if kind is not None:  # a forged copy or a late arrival: Genesys is not waiting for it
            return
        what = "answered" if status else (code or "no answer")
        delivery.attempts.append((self.state.clock.now(), status, what))
        self._after(delivery, status)

    def _journal(
        self,
        delivery: WebhookDelivery,
        integration: OpenIntegration,
        status: int,
        code: str | None,
        fault: str | None,
        *,
        started: float | None = None,
    ) -> None:
        try:
            path = urlsplit(integration.webhook_url).path or "/"
        except ValueError:
            path = "/"
        self.state.journal.add(  # every Entry field after seq, in order
            self.state.clock.now(),
            time.time(),
            "webhook",
            ENDPOINT,
            "POST",
            path,
            status,
            integration.id,
            integration.org_id,
            code,
            fault,
            (time.perf_counter() - started) * 1000.0 if started is not None else 0.0,
            None,
            None,
            delivery.message_id,
            None,
            None,
        )
