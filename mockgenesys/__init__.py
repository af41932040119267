"""mockgenesys: a simulated Genesys Cloud for testing web-messaging integrations.

`MockGenesys` owns a world, a clock, fault rules (`FaultRule`, `FaultPlan`), rate limits and a
journal, and serves them in-process (`mock.transport()`, `mock.connect_guest()`) and live
(`mock.serve()`). `mock.check()` grades a client from the journal into a `ConformanceReport` of
`Violation` entries. The seeded world's default OAuth client is `DEFAULT_CLIENT_ID` /
`DEFAULT_CLIENT_SECRET`; a `VirtualClock` starts at `DEFAULT_EPOCH`; `__version__` is the
package version. The layers are drawn in docs/architecture.md, the exceptions in
`mockgenesys.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.errors import ConfigError, JournalAssertionError, MockGenesysError, WorldError
from mockgenesys.lazy import lazy_exports

if TYPE_CHECKING:
    from mockgenesys.clock import DEFAULT_EPOCH, Clock, SystemClock, VirtualClock
    from mockgenesys.conformance import ConformanceError, ConformanceReport, Violation
    from mockgenesys.faults import FaultPlan, FaultRule, FaultRuleError, RateLimits
    from mockgenesys.journal import Entry, Journal
    from mockgenesys.mock import MockGenesys
    from mockgenesys.transport import MockTransport
    from mockgenesys.types import HandshakeRejected, WebSocketClosed
    from mockgenesys.world import World
    from mockgenesys.world.generate import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_EPOCH",
    "Clock",
    "ConfigError",
    "ConformanceError",
    "ConformanceReport",
    "Entry",
    "FaultPlan",
    "FaultRule",
    "FaultRuleError",
    "HandshakeRejected",
    "Journal",
    "JournalAssertionError",
    "MockGenesys",
    "MockGenesysError",
    "MockTransport",
    "RateLimits",
    "SystemClock",
    "Violation",
    "VirtualClock",
    "WebSocketClosed",
    "World",
    "WorldError",
    "__version__",
]

#: Where each public name lives. They are imported on first use, so ``import mockgenesys`` (and
#: with it the pytest plugin, ``mockgenesys.pytest_plugin``) costs nothing in a project that
#: installed mockgenesys but never touches it.
_HOMES = {
    "DEFAULT_CLIENT_ID": "mockgenesys.world.generate",
    "DEFAULT_CLIENT_SECRET": "mockgenesys.world.generate",
    "DEFAULT_EPOCH": "mockgenesys.clock",
    "Clock": "mockgenesys.clock",
    "ConformanceError": "mockgenesys.conformance",
    "ConformanceReport": "mockgenesys.conformance",
    "Entry": "mockgenesys.journal",
    "FaultPlan": "mockgenesys.faults",
    "FaultRule": "mockgenesys.faults",
    "FaultRuleError": "mockgenesys.faults",
    "HandshakeRejected": "mockgenesys.types",
    "Journal": "mockgenesys.journal",
    "MockGenesys": "mockgenesys.mock",
    "MockTransport": "mockgenesys.transport",
    "RateLimits": "mockgenesys.faults",
    "SystemClock": "mockgenesys.clock",
    "Violation": "mockgenesys.conformance",
    "VirtualClock": "mockgenesys.clock",
    "WebSocketClosed": "mockgenesys.types",
    "World": "mockgenesys.world",
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
