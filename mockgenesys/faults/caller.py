"""``Caller``: who sent a request or frame, resolved once before anything else looks at it.

The server builds a ``Caller`` from the request (bearer token, guest JWT, Basic credentials) or
from the frame's session token, without raising; fault rules match on it, then authentication
and authorization check it. Nothing verifies a credential twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockgenesys.world.models import AccessToken, GuestSession


@dataclass(slots=True)
class Caller:
    """The resolved principal of one request or frame; every field is optional. Read-only by
    convention: it is built once per request on the hot path, where a frozen dataclass costs
    twice as much to make.

    ``credential`` is the fingerprint of the exact credential presented (the bearer token or guest
    JWT over HTTP, the session token on the WebSocket); ``principal`` is who the journal names
    (``fp:…`` of the OAuth token or of the guest session's token, ``client:<id>`` for Basic
    credentials). ``token`` is the OAuth token record the bearer names, valid or not; ``guest``
    the guest session an authentic JWT (its signature checks out, expired or not) or the frame's
    session token names, with the JWT's ``jwt_generation`` and ``jwt_exp`` claims.

    >>> Caller(credential="fp:1", principal="fp:1", org_id="org").principals()
    frozenset({'fp:1', 'org'})
    """

    credential: str | None = None
    principal: str | None = None
    token: AccessToken | None = None
    guest: GuestSession | None = None
    jwt_generation: int | None = None
    jwt_exp: float | None = None
    client_id: str | None = None
    org_id: str | None = None

    def principals(self) -> frozenset[str]:
        """Every name a rule's ``match.principal`` may use for this caller: the credential and
        principal fingerprints, the OAuth client, the guest session, its conversation, the org."""
        names = {self.credential, self.principal, self.client_id, self.org_id}
        if self.guest is not None:
            names.update((self.guest.id, self.guest.org_id, self.guest.conversation_id))
        names.discard(None)
        return frozenset(name for name in names if name is not None)


#: A request or frame that presented nothing.
ANONYMOUS = Caller()
