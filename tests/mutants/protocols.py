"""The platform-side adapter protocol and its context, as published by mockgenesys.

``PlatformAdapter`` (``mockgenesys.client``) is to a backend or bot on the platform API what
``GuestAdapter`` is to a web-messaging guest; ``PlatformContext`` (``mockgenesys.chaos``) is what a
platform adapter factory gets. The baselines and mutants are written against these names.
"""

from __future__ import annotations

from mockgenesys.chaos import PlatformContext
from mockgenesys.client import PlatformAdapter

__all__ = ["PlatformAdapter", "PlatformContext"]
