from __future__ import annotations

import pytest


def test_genesys_client_is_a_session_manager_on_genesys_mock(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from mockgenesys.client import SessionManager

        SEEN = []

        async def test_send(genesys_client, genesys_mock):
            assert isinstance(genesys_client, SessionManager)
            await genesys_client.start()
            assert genesys_client.client.connected
            sent = await genesys_client.send("hello from the plugin")
            assert sent.text == "hello from the plugin"
            genesys_mock.journal.assert_called("guest.ws.onMessage", status=200)
            SEEN.append(genesys_client)

        async def test_closed_at_teardown_and_fresh(genesys_client, genesys_mock):
            assert not SEEN[0].client.connected
            assert genesys_client is not SEEN[0]
            assert genesys_mock.journal.total == 0
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_genesys_client_works_under_the_anyio_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_send(genesys_client, genesys_mock):
            await genesys_client.start()
            await genesys_client.send("hello from anyio")
            assert [e.status for e in genesys_mock.journal.calls("guest.ws.onMessage")] == [200]
        """
    )
    pytester.runpytest("-p", "no:asyncio").assert_outcomes(passed=1)
