"""The mockgenesys pytest plugin (entry point ``pytest11: mockgenesys = mockgenesys.pytest_plugin.plugin``).

Installing mockgenesys gives every project the fixtures ``genesys_mock``, ``genesys_server``,
``make_genesys_server``, ``genesys_client`` and ``genesys_intercept``, the ``genesys`` marker and
the ``--genesys-*`` options (docs/pytest.md). `GenesysServer` is what ``genesys_server`` gives and
`ServerFactory` what ``make_genesys_server`` gives, for type hints. Nothing heavier than pytest is
imported until a test requests a fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.lazy import lazy_exports

if TYPE_CHECKING:
    from mockgenesys.pytest_plugin.server import GenesysServer, ServerFactory

__all__ = ["GenesysServer", "ServerFactory"]


__getattr__, __dir__ = lazy_exports(__name__, dict.fromkeys(__all__, "mockgenesys.pytest_plugin.server"), globals())
