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


def test_async_tests_and_genesys_client_need_no_asyncio_mode(pytester: pytest.Pytester) -> None:
    """A project that configured nothing (pytest-asyncio in strict mode) and turns warnings into errors."""
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(
        """
        import httpx


        async def test_client(genesys_client):
            await genesys_client.start()
            assert (await genesys_client.send("hi")).text == "hi"


        async def test_intercept(genesys_intercept):
            async with httpx.AsyncClient() as http:
                assert (await http.get("https://api.mypurecloud.com/api/v2/organizations/me")).status_code == 401


        class TestInAClass:
            async def test_mock(self, genesys_mock):
                assert genesys_mock.journal.total == 0
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_async_tests_without_mockgenesys_fixtures_are_left_to_the_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        async def test_own():
            pass

        @pytest.mark.asyncio
        async def test_marked(genesys_mock):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*_ test_own _*", "async def functions are not natively supported."])


def test_an_anyio_module_is_left_to_anyio(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.anyio

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        async def test_send(genesys_client, genesys_mock):
            await genesys_client.start()
            await genesys_client.send("hello from anyio")
            assert [e.status for e in genesys_mock.journal.calls("guest.ws.onMessage")] == [200]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
