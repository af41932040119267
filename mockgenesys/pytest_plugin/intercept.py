"""Serve every httpx request to a real Genesys host from a mock, through respx.

Code with hard-coded ``https://api.mypurecloud.com`` (or any other region, ``login.*``,
``api-cdn.*``, ``webmessaging.*``) becomes testable unchanged: requests from any
``httpx.Client`` or ``httpx.AsyncClient`` to those hosts go to the mock's in-process
transport; requests to any other host pass through untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx

from mockgenesys.regions import all_hosts

if TYPE_CHECKING:
    import respx

    from mockgenesys import MockGenesys


@contextmanager
def intercept(mock: MockGenesys) -> Iterator[respx.MockRouter]:
    """Route every real Genesys host to ``mock`` while the block runs; yields the respx router."""
    try:
        import respx
    except ImportError:  # pragma: no cover - respx is in the test extra
        raise ImportError(
            "genesys_intercept needs respx: pip install respx (or pip install 'mockgenesys[test]')."
        ) from None
    transport = mock.transport()

    def serve(request: httpx.Request) -> httpx.Response:
        return transport.handle_request(request)

    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        router.route(host__in=tuple(all_hosts()), name="genesys").mock(side_effect=serve)
        router.route(name="other-hosts").pass_through()
        yield router
