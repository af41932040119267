"""Signed guest JWTs (HS256) with the stdlib: sign, and verify with a reason on failure."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

import orjson

from mockgenesys.errors import MockGenesysError

_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")


class JwtInvalid(MockGenesysError):
    """The token is malformed, wrongly signed or expired; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signing_key(secret: str | None = None, *, seed: int = 0, deterministic: bool = False) -> bytes:
    """The key that signs guest JWTs: from ``secret`` when given (JWTs survive a restart), from
    ``seed`` when ``deterministic`` (anyone who knows the seed can forge them: tests and replays
    only), else 32 random bytes, new in every process."""
    if secret is not None:
        return hashlib.sha256(secret.encode("utf-8")).digest()
    if deterministic:
        return hashlib.sha256(f"mockgenesys-jwt-{seed}".encode()).digest()
    return secrets.token_bytes(32)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def sign(claims: dict[str, Any], key: bytes) -> str:
    """A compact HS256 JWT carrying ``claims``."""
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signing_input = _HEADER + b"." + payload
    signature = _b64(hmac.new(key, signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode("ascii")


def verify(token: str, key: bytes, now: float) -> dict[str, Any]:
    """The claims of a valid, unexpired token signed with ``key``; else ``JwtInvalid``."""
    claims = decode(token, key)
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= now:
        raise JwtInvalid("expired")
    return claims


@functools.lru_cache(maxsize=1024)  # a pure function; a guest sends the same JWT until it refreshes
def read(token: str, key: bytes) -> Mapping[str, Any] | None:
    """The claims of a token signed with ``key``, expired or not; ``None`` for anything else.

    The claims are shared between calls: read them, never change them.
    """
    try:
        return decode(token, key)
    except JwtInvalid:
        return None


def decode(token: str, key: bytes) -> dict[str, Any]:
    """The claims of a well-formed HS256 token signed with ``key`` (``exp`` not checked); else ``JwtInvalid``."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtInvalid("not a JWT")
    try:
        header = orjson.loads(_unb64(parts[0]))  # strict and depth-limited: never a RecursionError
        claims = orjson.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except ValueError:  # binascii.Error and orjson.JSONDecodeError are ValueErrors
        raise JwtInvalid("not a JWT") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        raise JwtInvalid("unsupported JWT")
    expected = hmac.new(key, (parts[0] + "." + parts[1]).encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise JwtInvalid("bad signature")
    return claims
