"""``FaultRule``: one fault as an immutable value that reads from and dumps to plain dicts.

The same rule is written identically in Python, in a dict, in YAML (scenarios), in JSON
(``POST /__admin/faults``) and in marker arguments::

    {"match": {"endpoint": "externalcontacts.search"}, "when": {"times": 2},
     "then": {"status": 429, "retry_after": 2}}
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockgenesys.errors import ConfigError
from mockgenesys.faults.actions import Action, parse_then

if TYPE_CHECKING:
    from mockgenesys.faults.catalogue import EndpointCatalogue


class FaultRuleError(ConfigError):
    """A fault rule is invalid; ``path`` names the field (``then.status``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


MATCH_FIELDS = ("endpoint", "method", "principal", "action")
WHEN_FIELDS = ("after", "times", "every", "probability", "start", "end", "per")
#: What ``after``, ``every`` and ``times`` count: every matching request of the rule, or each caller's own.
PER_VALUES = ("rule", "caller")
RULE_FIELDS = ("id", "match", "when", "then")


@dataclass(frozen=True)
class Match:
    """Which requests or frames a rule applies to; every given field must match."""

    endpoint: str | None = None
    method: str | None = None
    principal: str | None = None
    action: str | None = None
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @property
    def is_glob(self) -> bool:
        return self.endpoint is not None and any(ch in self.endpoint for ch in "*?[")

    def endpoint_matches(self, endpoint: str) -> bool:
        if self.endpoint is None:
            return True
        if self._pattern is None:
            return self.endpoint == endpoint
        return self._pattern.match(endpoint) is not None

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in MATCH_FIELDS if getattr(self, name) is not None}


@dataclass(frozen=True)
class When:
    """When a matching request makes the rule fire.

    ``per="caller"`` counts ``after``, ``every`` and ``times`` for each caller on its own (a guest
    session, else an OAuth client, else a credential), so ``{every: 2, times: 10, per: caller}``
    refuses every guest ten times in a row, however the guests interleave.
    """

    after: int = 0
    times: int | None = None
    every: int | None = None
    probability: float | None = None
    start: float | None = None
    end: float | None = None
    per: str = "rule"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.after:
            data["after"] = self.after
        for name in ("times", "every", "probability", "start", "end"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.per != "rule":
            data["per"] = self.per
        return data


@dataclass(frozen=True)
class FaultRule:
    """``match`` + ``when`` + ``then`` (one or more actions).

    >>> rule = FaultRule.from_dict({"match": {"endpoint": "oauth.token"}, "then": {"status": 503}})
    >>> rule.to_dict()
    {'match': {'endpoint': 'oauth.token'}, 'then': {'status': 503}}
    """

    match: Match
    when: When
    then: tuple[Action, ...]
    id: str | None = None
    _then_dict: str = field(default="{}", compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> FaultRule:
        """Validate and build a rule; ``FaultRuleError`` names the field path and the options."""
        prefix = f"{path}." if path else ""
        if not isinstance(data, dict):
            raise FaultRuleError(path, f"a fault rule must be an object with match, when and then; got {data!r}")
        _unknown(data, RULE_FIELDS, path)
        rule_id = data.get("id")
        if rule_id is not None and (not isinstance(rule_id, str) or not 0 < len(rule_id) <= 256):
            raise FaultRuleError(
                f"{prefix}id", f"must be a non-empty string of at most 256 characters, got {rule_id!r:.60}"
            )
        match = _parse_match(data.get("match", {}), f"{prefix}match")
        when = _parse_when(data.get("when", {}), f"{prefix}when")
        if "then" not in data:
            raise FaultRuleError(f"{prefix}then", 'is required: what the fault does (e.g. {"status": 503})')
        then = parse_then(data["then"], f"{prefix}then", FaultRuleError)
        return cls(match=match, when=when, then=then, id=rule_id, _then_dict=json.dumps(data["then"], sort_keys=True))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.id is not None:
            data["id"] = self.id
        match = self.match.to_dict()
        if match:
            data["match"] = match
        when = self.when.to_dict()
        if when:
            data["when"] = when
        data["then"] = json.loads(self._then_dict)
        return data

    def with_id(self, rule_id: str) -> FaultRule:
        return FaultRule(self.match, self.when, self.then, rule_id, self._then_dict)

    def __repr__(self) -> str:
        return f"FaultRule(match={self.match.to_dict()!r}, when={self.when.to_dict()!r}, then={json.loads(self._then_dict)!r})"


def _unknown(data: dict[str, Any], valid: tuple[str, ...], path: str) -> None:
    for key in data:
        if key not in valid:
            where = f"{path}.{key}" if path else key
            raise FaultRuleError(where, f"unknown field; valid fields: {', '.join(valid)}")


def _parse_match(data: Any, path: str) -> Match:
    if not isinstance(data, dict):
        raise FaultRuleError(path, f"must be an object with any of {', '.join(MATCH_FIELDS)}; got {data!r}")
    _unknown(data, MATCH_FIELDS, path)
    for name, value in data.items():
        if not isinstance(value, str) or not 0 < len(value) <= 256:
            raise FaultRuleError(
                f"{path}.{name}", f"must be a non-empty string of at most 256 characters, got {value!r:.60}"
            )
    endpoint = data.get("endpoint")
    pattern = re.compile(fnmatch.translate(endpoint)) if endpoint and any(c in endpoint for c in "*?[") else None
    method = data.get("method")
    return Match(
        endpoint=endpoint,
        method=method.upper() if method else None,
        principal=data.get("principal"),
        action=data.get("action"),
        _pattern=pattern,
    )


def _parse_when(data: Any, path: str) -> When:
    if not isinstance(data, dict):
        raise FaultRuleError(path, f"must be an object with any of {', '.join(WHEN_FIELDS)}; got {data!r}")
    _unknown(data, WHEN_FIELDS, path)
    for name in ("after", "times", "every"):
        value = data.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < (0 if name == "after" else 1)
        ):
            low = 0 if name == "after" else 1
            raise FaultRuleError(f"{path}.{name}", f"must be a whole number >= {low}, got {value!r}")
    probability = data.get("probability")
    if probability is not None and (
        isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1
    ):
        raise FaultRuleError(f"{path}.probability", f"must be a number from 0 to 1, got {probability!r}")
    for name in ("start", "end"):
        value = data.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0
        ):
            raise FaultRuleError(
                f"{path}.{name}", f"must be seconds >= 0 on the mock's clock since the plan started, got {value!r}"
            )
    per = data.get("per", "rule")
    if per not in PER_VALUES:
        raise FaultRuleError(
            f"{path}.per",
            f"must be one of {', '.join(PER_VALUES)} (what after, every and times count), got {per!r}",
        )
    if data.get("start") is not None and data.get("end") is not None and data["end"] <= data["start"]:
        raise FaultRuleError(f"{path}.end", f"must be after start ({data['start']}), got {data['end']}")
    return When(
        after=data.get("after") or 0,  # null reads as absent, like every other field
        times=data.get("times"),
        every=data.get("every"),
        probability=probability,
        start=data.get("start"),
        end=data.get("end"),
        per=per,
    )


def validate_rule(data: Any, catalogue: EndpointCatalogue | None = None) -> dict[str, Any]:
    """Check a fault rule dict with the mock's own validator (and its names against ``catalogue``); returns a copy."""
    rule = FaultRule.from_dict(data)
    if catalogue is not None:
        catalogue.check(rule)
    return dict(data)
