"""Exceptions raised by mockgenesys.

One root, ``MockGenesysError``, for everything the package raises on purpose (the client core,
``mockgenesys.client``, has its own root, ``ClientError``)::

    MockGenesysError
    ├── ConfigError (ValueError)       a bad argument, option, world file or rule; fix the input
    │   ├── FaultRuleError             mockgenesys.faults: a fault rule; ``path`` names the field
    │   ├── ScenarioError              mockgenesys.chaos (also a ChaosError): a scenario; file and field
    │   ├── OptionsError               mockgenesys.chaos (also a ChaosError): run options that cannot work
    │   │   └── AdapterError           an adapter factory that cannot be imported or is not a GuestAdapter
    │   ├── UsageError                 mockgenesys.cliargs: a command-line value (one sentence, exit 2)
    │   └── MarkerError                mockgenesys.pytest_plugin: a genesys marker argument or plugin option
    ├── WorldError (LookupError)       an id that is not in the world, or a conflicting change
    │   └── StoreFull                  mockgenesys.world.openmessaging: a configuration store is full
    ├── JournalAssertionError (AssertionError)  ``Journal.assert_called`` found no matching call
    ├── ConformanceError (AssertionError)       ``ConformanceReport.assert_ok`` found violations
    ├── ChaosError                     mockgenesys.chaos: the root of what it refuses (see chaos.errors)
    │   └── ControlError               the mock refused or could not be reached (a live /__admin API)
    ├── LoadError                      mockgenesys.load: the root of what it refuses (see load.errors)
    │   ├── LoadConfigError            (also a ConfigError) a load config file: file and field
    │   ├── TargetError                (also a ConfigError) a load target or listener off this machine
    │   ├── LocustMissing              (also a ConfigError) the load extra is not installed
    │   ├── ProtocolError              a load guest's request was answered with an error frame
    │   └── SocketLost                 a load guest's socket closed before the answer came
    ├── SimulationLimit                mockgenesys.chaos: a run went past its virtual-time limit
    ├── WebSocketClosed                mockgenesys.types: the guest socket is closed (``code``, ``reason``)
    ├── HandshakeRejected              mockgenesys.types: the server refused the upgrade (``status``)
    │
    │   Raised inside the simulated server and rendered there as Genesys answers; they never
    │   reach a client as exceptions:
    ├── ApiError                       a route's platform error (status, code, message)
    ├── OAuthError                     the token endpoint's OAuth error
    ├── JwtInvalid                     a guest JWT that is malformed, wrongly signed or expired
    ├── JsonRefused (ValueError)       a body or frame that is not strict JSON or nests too deep
    ├── ConnectionReset                a fault cuts a live HTTP connection
    ├── AdminError                     an admin API refusal
    └── GuestRefusal                   a guest WebSocket request answered with an error frame
        ├── TooManyGuestRequests       ``TooManyRequestsErrorMessage`` with ``retryAfter``
        ├── UploadRefused              ``UploadFailureEvent`` with a file error code
        └── ConnectionCapReached       ``ConnectionClosedEvent``, then the socket closes

Each message is a sentence that says what was wrong and how to fix it.
"""

from __future__ import annotations


class MockGenesysError(Exception):
    """Root of every exception mockgenesys raises on purpose."""


class ConfigError(MockGenesysError, ValueError):
    """A configuration value, file or rule is invalid."""


class WorldError(MockGenesysError, LookupError):
    """A world operation named something that does not exist, or conflicts."""


class JournalAssertionError(MockGenesysError, AssertionError):
    """``Journal.assert_called`` found no call matching what was expected."""
