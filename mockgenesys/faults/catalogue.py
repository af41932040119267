"""``EndpointCatalogue``: the names a fault rule may use, so a typo is refused where it enters.

A rule for ``oauht.token`` or ``organization.me`` can never fire; without this check it is
accepted and a test under it passes without the fault ever happening. The catalogue holds
every endpoint id with the methods it answers, the guest WebSocket actions, and the ids that
are journaled but take no rule. The server builds the one catalogue from its route table
(``mockgenesys.server.endpoints``); this layer only checks rules against it.

>>> catalogue = EndpointCatalogue({"oauth.token": frozenset({"POST"})}, frozenset())
>>> catalogue.check(FaultRule.from_dict({"match": {"endpoint": "oauht.token"}, "then": {"status": 503}}))
Traceback (most recent call last):
...
mockgenesys.faults.rules.FaultRuleError: match.endpoint: unknown endpoint id 'oauht.token'; did you mean 'oauth.token'? Valid ids: oauth.token (mockgenesys endpoints lists them).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mockgenesys.faults.rules import FaultRule, FaultRuleError

#: How many close names a "did you mean" offers.
SUGGESTIONS = 3


@dataclass(frozen=True)
class EndpointCatalogue:
    """Every endpoint id a fault rule may name (with its methods) and the guest WebSocket actions.

    ``methods`` maps an id to the methods it answers (``WS`` for guest WebSocket frames);
    ``unfaultable`` maps an id the journal records but no rule can act on to the reason.
    ``check(rule)`` refuses a rule that names an unknown id, action or method, a glob that
    matches nothing, or a combination that can never fire.
    """

    methods: Mapping[str, frozenset[str]]
    actions: frozenset[str]
    unfaultable: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """The ids a rule may name, sorted."""
        return sorted(self.methods)

    def matching(self, endpoint: str) -> list[str]:
        """The known ids ``endpoint`` (an id or a glob) names."""
        if not any(ch in endpoint for ch in "*?["):
            return [endpoint] if endpoint in self.methods else []
        return [name for name in self.ids if fnmatch.fnmatchcase(name, endpoint)]

    def check(self, rule: FaultRule, path: str = "") -> FaultRule:
        """``rule`` itself when every name in its ``match`` is known and it can fire; else ``FaultRuleError``."""
        prefix = f"{path}.match." if path else "match."
        match = rule.match
        candidates = self.ids if match.endpoint is None else self._endpoints(match.endpoint, f"{prefix}endpoint")
        if match.action is not None:
            if match.action not in self.actions:
                raise FaultRuleError(
                    f"{prefix}action",
                    f"unknown guest WebSocket action {match.action!r}{_suggest(match.action, self.actions)} "
                    f"Valid actions: {', '.join(sorted(self.actions))}.",
                )
            candidates = [name for name in candidates if name == f"guest.ws.{match.action}"]
            if not candidates:
                raise FaultRuleError(
                    f"{prefix}action",
                    f"action {match.action!r} never comes to endpoint {match.endpoint!r} (its frames are "
                    f"guest.ws.{match.action}); drop one of the two or make them agree.",
                )
        if match.method is not None:
            allowed = sorted({method for name in candidates for method in self.methods[name]})
            if match.method not in allowed:
                where = f"endpoint {match.endpoint!r}" if match.endpoint else "any endpoint"
                if match.action is not None:
                    where = f"action {match.action!r}"
                raise FaultRuleError(
                    f"{prefix}method",
                    f"{match.method!r} never reaches {where}, which answers {', '.join(allowed)}; "
                    "use one of those or drop method.",
                )
        return rule

    def _endpoints(self, endpoint: str, path: str) -> list[str]:
        if endpoint in self.unfaultable:
            raise FaultRuleError(
                path, f"{endpoint!r} is journaled but takes no fault rule: {self.unfaultable[endpoint]}"
            )
        found = self.matching(endpoint)
        if found:
            return found
        listing = f"Valid ids: {', '.join(self.ids)} (mockgenesys endpoints lists them)."
        if any(ch in endpoint for ch in "*?["):
            families = {name.split(".")[0] + ".*" for name in self.ids} | {"guest.ws.*", "guest.ws.out.*"}
            raise FaultRuleError(
                path, f"the glob {endpoint!r} matches no endpoint id{_suggest(endpoint, families)} {listing}"
            )
        raise FaultRuleError(path, f"unknown endpoint id {endpoint!r}{_suggest(endpoint, self.ids)} {listing}")


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=SUGGESTIONS, cutoff=0.6)
    if not close:
        return "."
    return "; did you mean " + " or ".join(repr(name) for name in close) + "?"
