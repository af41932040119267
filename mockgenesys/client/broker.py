"""The second tutorial's secure guest sessions: validated, signed, replay-protected, audited."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx

from mockgenesys.client.errors import ApiError, ClientConfigError, ReplayError, SessionValidationError
from mockgenesys.client.platform import PlatformClient
from mockgenesys.client.timing import Timing

CHANNELS = ("web", "mobile", "desktop")
MIN_EXPIRATION, MAX_EXPIRATION = 300, 86400
MAX_METADATA_BYTES = 2048
METADATA_TOO_LARGE = "Metadata exceeds maximum key size limit (2KB). Reduce custom attributes."
#: Genesys session tokens are base64url, 20 to 256 characters.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,256}$")
MIN_SECRET_BYTES = 16
#: What ``sign`` returns: 64 lowercase hex digits (HMAC-SHA256).
SIGNATURE_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class SessionRequest:
    """A validated guest-session payload."""

    channel: str = "web"
    expiration_seconds: int = 3600
    metadata: Mapping[str, str] | None = None


def validate_session_payload(payload: Mapping[str, Any]) -> SessionRequest:
    """Check a payload as the tutorial's schema does; ``SessionValidationError`` lists every issue."""
    issues: list[str] = []
    channel = payload.get("channel", "web")
    if channel not in CHANNELS:
        issues.append(f"channel must be one of {', '.join(CHANNELS)} (got {channel!r})")
    expiration = payload.get("expirationSeconds", payload.get("expiration_seconds", 3600))
    if isinstance(expiration, bool) or not isinstance(expiration, int):
        issues.append(f"expirationSeconds must be a whole number of seconds (got {expiration!r})")
    elif not MIN_EXPIRATION <= expiration <= MAX_EXPIRATION:
        issues.append(f"expirationSeconds must be between {MIN_EXPIRATION} and {MAX_EXPIRATION} (got {expiration})")
    metadata = payload.get("metadata") or {}
    if not isinstance(metadata, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        issues.append("metadata must map strings to strings")
    elif len(json.dumps(dict(metadata), separators=(",", ":")).encode()) > MAX_METADATA_BYTES:
        issues.append(METADATA_TOO_LARGE)
    if issues:
        raise SessionValidationError(issues)
    assert isinstance(expiration, int) and isinstance(channel, str)
    return SessionRequest(channel, expiration, dict(metadata))


class NonceStore:
    """Seen request nonces, each kept for ``ttl`` seconds and never more than ``limit`` at once.

    The tutorial's map grows forever; this one forgets expired nonces and, when full, the oldest.
    """

    def __init__(self, ttl: float = 600.0, limit: int = 10_000, *, timing: Timing | None = None) -> None:
        if ttl <= 0 or limit < 1:
            raise ClientConfigError(f"NonceStore needs ttl > 0 and limit >= 1, got ttl={ttl}, limit={limit}.")
        self.ttl = ttl
        self.limit = limit
        self.timing = timing or Timing()
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, nonce: object) -> bool:
        self._expire()
        return nonce in self._seen

    def add(self, nonce: str) -> None:
        """Record ``nonce``; ``ReplayError`` when it was already used within its TTL."""
        self._expire()
        if nonce in self._seen:
            raise ReplayError(f"Request nonce {nonce} was already used: generate a fresh nonce for every request.")
        self._seen[nonce] = self.timing.now() + self.ttl
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)

    def _expire(self) -> None:
        now = self.timing.now()
        while self._seen:
            oldest, until = next(iter(self._seen.items()))
            if until > now:
                break
            del self._seen[oldest]


@dataclass(frozen=True)
class SessionCookie:
    """The cookie a web backend hands the browser: Secure, HttpOnly, SameSite=Strict."""

    name: str
    value: str
    expires: datetime
    signature: str
    secure: bool = True
    http_only: bool = True
    same_site: str = "Strict"

    def header(self) -> str:
        """The ``Set-Cookie`` header value."""
        parts = [
            f"{self.name}={self.value}",
            f"Expires={self.expires.strftime('%a, %d %b %Y %H:%M:%S GMT')}",
            "Path=/",
            f"SameSite={self.same_site}",
        ]
        if self.secure:
            parts.append("Secure")
        if self.http_only:
            parts.append("HttpOnly")
        return "; ".join(parts)


@dataclass(frozen=True)
class SecureSession:
    """A created guest session with its signature and cookie. ``repr`` never shows the token."""

    session_id: str
    session_token: str
    expiration_timestamp: str
    signature: str
    nonce: str
    cookie: SessionCookie
    latency_ms: float
    kms_synced: bool

    def __repr__(self) -> str:
        return f"SecureSession(session_id={self.session_id!r}, expires={self.expiration_timestamp!r})"


def signing_input(session_id: str, token: str, expiry: str) -> bytes:
    """The bytes a session signature covers: the canonical JSON array ``[session_id, token, expiry]``
    (compact, ASCII-escaped), so no two different triples share an input: ``("a:b", "c", e)``
    and ``("a", "b:c", e)`` sign differently."""
    return json.dumps([session_id, token, expiry], separators=(",", ":"), ensure_ascii=True).encode("ascii")


class SecureSessionBroker:
    """Creates guest sessions through a ``PlatformClient`` and signs them for cookies.

    ``hmac_secret`` is required (at least 16 bytes): a random default would make every signature
    die with the process. The audit log gets one JSON line per attempt and never a token or a
    secret. The KMS webhook is best-effort: a slow or failing webhook is logged, never fatal.
    """

    def __init__(
        self,
        platform: PlatformClient,
        organization_id: str,
        *,
        hmac_secret: str | bytes | None,
        audit_log: str | Path | TextIO | None = None,
        kms_webhook_url: str | None = None,
        kms_transport: httpx.AsyncBaseTransport | None = None,
        kms_timeout: float = 5.0,
        nonces: NonceStore | None = None,
        cookie_name: str = "genesys_session",
    ) -> None:
        if not hmac_secret:
            raise ClientConfigError(
                "SecureSessionBroker needs an explicit hmac_secret (e.g. from the HMAC_SECRET environment "
                "variable); a random one would make every signed cookie invalid after a restart."
            )
        secret = hmac_secret.encode() if isinstance(hmac_secret, str) else bytes(hmac_secret)
        if len(secret) < MIN_SECRET_BYTES:
            raise ClientConfigError(
                f"hmac_secret is {len(secret)} bytes; use at least {MIN_SECRET_BYTES} random bytes "
                "(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if not organization_id:
            raise ClientConfigError(
                "SecureSessionBroker needs the Genesys organization id (GET /api/v2/organizations/me)."
            )
        if kms_timeout <= 0:
            raise ClientConfigError(f"kms_timeout must be > 0 seconds, got {kms_timeout}.")
        self.platform = platform
        self.organization_id = organization_id
        self.timing = platform.timing
        self._secret = secret
        self.audit_log = audit_log
        if isinstance(audit_log, (str, Path)):
            Path(audit_log).parent.mkdir(parents=True, exist_ok=True)
        self.kms_webhook_url = kms_webhook_url
        self.kms_timeout = kms_timeout
        self._kms = httpx.AsyncClient(transport=kms_transport, timeout=kms_timeout) if kms_webhook_url else None
        self.nonces = nonces or NonceStore(timing=self.timing)
        self.cookie_name = cookie_name

    def __repr__(self) -> str:
        return f"SecureSessionBroker(organization_id={self.organization_id!r})"  # never the secret

    async def aclose(self) -> None:
        if self._kms is not None:
            await self._kms.aclose()

    # ------------------------------------------------------------------ signing
    def sign(self, session_id: str, token: str, expiry: str) -> str:
        """HMAC-SHA256 (64 hex digits) over ``signing_input(session_id, token, expiry)``."""
        return hmac.new(self._secret, signing_input(session_id, token, expiry), hashlib.sha256).hexdigest()

    def verify(self, session_id: object, token: object, expiry: object, signature: object) -> bool:
        """Whether ``signature`` is this broker's signature of the three values, checked in constant
        time. Total: any other input (a non-string, a non-hex or non-ASCII signature) is False."""
        if not (
            isinstance(session_id, str)
            and isinstance(token, str)
            and isinstance(expiry, str)
            and isinstance(signature, str)
            and SIGNATURE_PATTERN.match(signature)
        ):
            return False
        expected = self.sign(session_id, token, expiry)
        return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))

    # ------------------------------------------------------------------ sessions
    async def create_session(
        self, *, channel: str = "web", expiration_seconds: int = 3600, metadata: Mapping[str, str] | None = None
    ) -> SecureSession:
        """Validate, create the session, sign it, sync KMS (best effort) and audit; the ``SecureSession``."""
        request = validate_session_payload(
            {"channel": channel, "expirationSeconds": expiration_seconds, "metadata": metadata or {}}
        )
        started = self.timing.clock.monotonic()
        nonce = str(uuid.UUID(int=self.timing.rng.getrandbits(128), version=4))
        self.nonces.add(nonce)
        session_id: str | None = None
        try:
            body = await self.platform.create_guest_session(
                self.organization_id,
                channel=request.channel,
                expiration_seconds=request.expiration_seconds,
                metadata=dict(request.metadata or {}),
                nonce=nonce,
            )
            session_id, token = body.get("id"), body.get("sessionToken")
            expiry = body.get("expirationTimestamp")
            if not isinstance(session_id, str) or not isinstance(token, str) or not isinstance(expiry, str):
                raise ApiError(
                    200, "malformed.body", "the session response lacks id, sessionToken or expirationTimestamp"
                )
            if not TOKEN_PATTERN.match(token):
                raise ApiError(200, "malformed.body", "the session token is not 20-256 base64url characters")
            signature = self.sign(session_id, token, expiry)
            latency = (self.timing.clock.monotonic() - started) * 1000
            synced = await self._sync_kms(session_id, expiry)
            expires = datetime.fromisoformat(expiry.replace("Z", "+00:00")).astimezone(UTC)
            cookie = SessionCookie(self.cookie_name, token, expires, signature)
            self._audit("session.created", session_id, latency, ok=True, kms=synced)
            return SecureSession(session_id, token, expiry, signature, nonce, cookie, latency, synced)
        except Exception as exc:
            latency = (self.timing.clock.monotonic() - started) * 1000
            self._audit("session.failed", session_id, latency, ok=False, error=type(exc).__name__)
            raise

    async def _sync_kms(self, session_id: str, expiry: str) -> bool:
        if self._kms is None or self.kms_webhook_url is None:
            return False
        payload = {
            "event": "session.created",
            "sessionId": session_id,
            "timestamp": datetime.fromtimestamp(self.timing.now(), UTC).isoformat(),
            "expirationDirective": expiry,
        }
        try:
            response = await self.timing.wait_for(self._kms.post(self.kms_webhook_url, json=payload), self.kms_timeout)
            response.raise_for_status()
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            self._audit("kms.sync.failed", session_id, None, ok=False, error=type(exc).__name__)
            return False
        return True

    def _audit(self, event: str, session_id: str | None, latency_ms: float | None, *, ok: bool, **extra: Any) -> None:
        if self.audit_log is None:
            return
        entry = {
            "timestamp": datetime.fromtimestamp(self.timing.now(), UTC).isoformat(),
            "wallTime": time.time(),
            "event": event,
            "sessionId": session_id or "unknown",
            "latencyMs": round(latency_ms, 3) if latency_ms is not None else None,
            "ok": ok,
            **extra,
        }
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        if isinstance(self.audit_log, (str, Path)):
            with Path(self.audit_log).open("a", encoding="utf-8") as handle:
                handle.write(line)
        else:
            self.audit_log.write(line)
