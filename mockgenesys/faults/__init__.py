"""Faults and rate limits: ``FaultRule`` / ``FaultPlan`` in one rule format, and ``RateLimits``."""

from __future__ import annotations

from mockgenesys.faults.actions import FaultContext
from mockgenesys.faults.interceptor import FaultInterceptor
from mockgenesys.faults.plan import FaultPlan, Firing
from mockgenesys.faults.ratelimit import RateLimits
from mockgenesys.faults.rules import FaultRule, FaultRuleError, Match, When

__all__ = [
    "FaultContext",
    "FaultInterceptor",
    "FaultPlan",
    "FaultRule",
    "FaultRuleError",
    "Firing",
    "Match",
    "RateLimits",
    "When",
]
