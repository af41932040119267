"""mockgenesys: a simulated Genesys Cloud for testing web-messaging integrations."""

from __future__ import annotations

from mockgenesys.clock import DEFAULT_EPOCH, Clock, SystemClock, VirtualClock
from mockgenesys.errors import ConfigError, JournalAssertionError, MockGenesysError, WorldError
from mockgenesys.faults.ratelimit import RateLimits
from mockgenesys.journal import Entry, Journal
from mockgenesys.mock import MockGenesys
from mockgenesys.transport import MockTransport
from mockgenesys.world import World
from mockgenesys.world.generate import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_EPOCH",
    "Clock",
    "ConfigError",
    "Entry",
    "Journal",
    "JournalAssertionError",
    "MockGenesys",
    "MockGenesysError",
    "MockTransport",
    "RateLimits",
    "SystemClock",
    "VirtualClock",
    "World",
    "WorldError",
    "__version__",
]
