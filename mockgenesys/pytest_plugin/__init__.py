"""The mockgenesys pytest plugin (entry point ``pytest11: mockgenesys = mockgenesys.pytest_plugin.plugin``).

Installing mockgenesys gives every project the fixtures ``genesys_mock``, ``genesys_server``,
``make_genesys_server``, ``genesys_client`` and ``genesys_intercept``, the ``genesys`` marker and
the ``--genesys-*`` options (docs/pytest.md). `GenesysServer` is what ``genesys_server`` gives and
`ServerFactory` what ``make_genesys_server`` gives, for type hints. Nothing heavier than pytest is
imported until a test requests a fixture.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockgenesys.pytest_plugin.server import GenesysServer, ServerFactory

__all__ = ["GenesysServer", "ServerFactory"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'mockgenesys.pytest_plugin' has no attribute {name!r}")
    value = getattr(importlib.import_module("mockgenesys.pytest_plugin.server"), name)
    globals()[name] = value
    return value
