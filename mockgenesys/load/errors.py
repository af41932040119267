"""The exceptions of ``mockgenesys.load``: one root, ``LoadError``, under ``MockGenesysError``::

    MockGenesysError
    └── LoadError                anything mockgenesys.load refuses or cannot do
        ├── LoadConfigError      (also a ConfigError) the load config is invalid: .source file, .path field
        ├── TargetError          (also a ConfigError) a target that is not a loopback http(s) URL,
        │                        without --allow-remote, or not a URL at all
        ├── LocustMissing        (also a ConfigError) the load extra is not installed
        ├── ProtocolError        a guest request was answered with an error frame (.code)
        └── SocketLost           the guest socket closed or timed out before the answer came

Every message is one sentence that names the bad value and how to fix it. The command line
prints it after ``mockgenesys:`` and exits 2.
"""

from __future__ import annotations

from mockgenesys.errors import ConfigError, MockGenesysError


class LoadError(MockGenesysError):
    """Root of every error ``mockgenesys.load`` raises on purpose."""


class LoadConfigError(LoadError, ConfigError):
    """A load config file or dict is invalid; ``source`` is the file, ``path`` the field."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")
        self.source = source
        self.path = path


class TargetError(LoadError, ConfigError):
    """A target URL the load generator refuses to send traffic to."""


class LocustMissing(LoadError, ConfigError):
    """Locust (the ``load`` extra) is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "mockgenesys load runs on Locust, which is not installed; "
            "install the extra with: pip install 'mockgenesys[load]'."
        )
