"""Faults and rate limits: the pure decision layer.

`FaultRule` / `FaultPlan` in one rule format; `FaultPlan.decide` returns an `Outcome` for a
`Caller` (`ANONYMOUS` when nothing was presented), and the server carries it out: the answer
itself, and the state changes (`Effect`) through a `FaultTarget` with `carry_out`. Nothing here
imports the server. `RateLimits` holds every documented limit. `EndpointCatalogue` checks the
names a rule uses against the ones the server hands it.
"""

from __future__ import annotations

from mockgenesys.faults.caller import ANONYMOUS, Caller
from mockgenesys.faults.catalogue import EndpointCatalogue
from mockgenesys.faults.outcome import Effect, FaultTarget, Outcome, Reply, Transform, carry_out
from mockgenesys.faults.plan import FaultPlan, Firing
from mockgenesys.faults.ratelimit import RateLimits
from mockgenesys.faults.rules import FaultRule, FaultRuleError, Match, When

__all__ = [
    "ANONYMOUS",
    "Caller",
    "Effect",
    "EndpointCatalogue",
    "FaultPlan",
    "FaultRule",
    "FaultRuleError",
    "FaultTarget",
    "Firing",
    "Match",
    "Outcome",
    "RateLimits",
    "Reply",
    "Transform",
    "When",
    "carry_out",
]
