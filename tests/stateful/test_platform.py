"""The platform machine passes the client core and catches a platform client that breaks the rules."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from mockgenesys import MockGenesys
from mockgenesys.client import ClientError
from mockgenesys.stateful import PlatformMachine, platform_machine

TestCorePlatform = PlatformMachine.TestCase

BASE = "https://api.mypurecloud.com"


class Impatient:
    """Logs in once, never refreshes, and retries everything (403s too) at once, without a cap."""

    def __init__(self, mock: MockGenesys, seed: int) -> None:
        self.mock = mock
        self.http = httpx.AsyncClient(transport=mock.transport(), base_url=BASE)
        self.token = ""

    async def start(self) -> None:
        response = await self.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(self.mock.client_id, self.mock.client_secret),
        )
        self.token = response.json()["access_token"]

    async def _get(self, path: str, **params: object) -> dict[str, object]:
        for _ in range(50):
            response = await self.http.get(path, params=params, headers={"Authorization": f"Bearer {self.token}"})
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
            await self.mock.clock.sleep(0.05)
        raise ClientError(f"GET {path} failed")

    async def organization(self) -> str:
        return str((await self._get("/api/v2/organizations/me"))["id"])

    async def history(self, conversation_id: str) -> list[str]:
        body = await self._get(f"/api/v2/conversations/messaging/{conversation_id}/messages", sortOrder="asc")
        return [str(e["text"]) for e in body["entities"]]  # type: ignore[attr-defined]

    async def search_contacts(self, query: str) -> list[str]:
        body = await self._get("/api/v2/externalcontacts/contacts", pageSize=25)
        return [str(e["id"]) for e in body["entities"]]  # type: ignore[attr-defined]

    async def close(self) -> None:
        await self.http.aclose()


def test_the_platform_machine_catches_a_broken_client() -> None:
    machine = platform_machine(Impatient, name="ImpatientMachine")
    search = settings(
        max_examples=50,
        stateful_step_count=8,
        deadline=None,
        derandomize=True,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),  # the verdict, not the smallest example
    )
    with pytest.raises(AssertionError) as caught:
        run_state_machine_as_test(machine, settings=search)
    found = str(caught.value)
    assert any(
        rule in found for rule in ("the server holds", "token_reuse_after_401", "backoff", "retried_client_error")
    )
