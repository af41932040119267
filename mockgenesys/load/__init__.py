"""Load tests on Locust: guests speaking the Genesys guest protocol and platform users, at scale.

``mockgenesys load`` (the ``load`` extra: ``pip install 'mockgenesys[load]'``) runs Locust headless,
on its own or as a master with workers on several machines. The pieces that need no Locust are
importable anywhere: ``LoadConfig`` (user weights, think times, task weights), ``check_target``
(loopback unless allowed), ``GuestSession`` (the guest protocol, synchronous), and ``Ledger`` /
``judge`` / ``Verdict`` (lost and duplicated messages from the mock's side). The Locust users live
in ``mockgenesys.load.users``, imported only by Locust, since importing Locust patches the
standard library for gevent.

Errors (``mockgenesys.load.errors``)::

    MockGenesysError
    └── LoadError                anything mockgenesys.load refuses or cannot do
        ├── LoadConfigError      (also a ConfigError) the load config is invalid: file, field path
        ├── TargetError          (also a ConfigError) a target or listener off this machine
        ├── LocustMissing        (also a ConfigError) the load extra is not installed
        ├── ProtocolError        a guest request was answered with an error frame (.code)
        └── SocketLost           the guest socket closed or timed out before the answer came
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.lazy import lazy_exports

if TYPE_CHECKING:
    from mockgenesys.load.config import LoadConfig, UserLoad
    from mockgenesys.load.errors import LoadConfigError, LoadError, LocustMissing, TargetError
    from mockgenesys.load.guard import check_target
    from mockgenesys.load.guest import GuestSession, ProtocolError, Recorder, SocketLost
    from mockgenesys.load.ledger import Ledger, Verdict, judge, stored_texts

__all__ = [
    "GuestSession",
    "Ledger",
    "LoadConfig",
    "LoadConfigError",
    "LoadError",
    "LocustMissing",
    "ProtocolError",
    "Recorder",
    "SocketLost",
    "TargetError",
    "UserLoad",
    "Verdict",
    "check_target",
    "judge",
    "stored_texts",
]

#: Where each public name lives, imported on first use: ``mockgenesys --help`` registers the
#: ``load`` command without the load extra (``GuestSession`` needs websocket-client).
_HOMES = {
    "LoadConfig": "mockgenesys.load.config",
    "UserLoad": "mockgenesys.load.config",
    "LoadConfigError": "mockgenesys.load.errors",
    "LoadError": "mockgenesys.load.errors",
    "LocustMissing": "mockgenesys.load.errors",
    "TargetError": "mockgenesys.load.errors",
    "check_target": "mockgenesys.load.guard",
    "GuestSession": "mockgenesys.load.guest",
    "ProtocolError": "mockgenesys.load.guest",
    "Recorder": "mockgenesys.load.guest",
    "SocketLost": "mockgenesys.load.guest",
    "Ledger": "mockgenesys.load.ledger",
    "Verdict": "mockgenesys.load.ledger",
    "judge": "mockgenesys.load.ledger",
    "stored_texts": "mockgenesys.load.ledger",
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
