"""Faults and rate limits."""

from __future__ import annotations

from mockgenesys.faults.ratelimit import RateLimits

__all__ = ["RateLimits"]
