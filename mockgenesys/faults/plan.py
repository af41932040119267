"""``FaultPlan``: the ordered rules of one mock, their firing state, and where they act."""

from __future__ import annotations

import itertools
import json
import random
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mockgenesys.errors import ConfigError
from mockgenesys.faults.outcome import Outcome
from mockgenesys.faults.rules import FaultRule, FaultRuleError

if TYPE_CHECKING:
    from mockgenesys.clock import Clock
    from mockgenesys.faults.caller import Caller
    from mockgenesys.faults.catalogue import EndpointCatalogue

RuleInput = FaultRule | dict[str, Any]


@dataclass
class _State:
    matches: int = 0
    fired: int = 0


@dataclass(frozen=True)
class Firing:
    """One time a rule fired."""

    time: float
    rule_id: str
    endpoint: str


class FaultPlan:
    """An ordered list of ``FaultRule``; the first rule that matches and is due fires.

    ``probability`` draws from the plan's own RNG seeded with the mock's seed: the same seed
    and the same traffic give the same firing sequence. With a ``catalogue`` (a mock's plan has
    the server's) every rule added is checked against it: an unknown endpoint id, action or
    method is refused where it enters, never accepted to sit there unfired.

    >>> plan = FaultPlan(seed=1)
    >>> [rule.id for rule in plan.add({"match": {"endpoint": "oauth.token"}, "then": {"status": 503}})]
    ['rule-1']
    """

    def __init__(
        self,
        rules: Iterable[RuleInput] = (),
        *,
        seed: int = 0,
        clock: Clock | None = None,
        catalogue: EndpointCatalogue | None = None,
    ) -> None:
        self.seed = seed
        self.catalogue = catalogue
        self.rng = random.Random(f"faults/{seed}")
        self._clock = clock
        self.started = clock.now() if clock is not None else 0.0
        self._rules: list[FaultRule] = []
        self._state: dict[str, _State] = {}
        self._cache: dict[str, tuple[FaultRule, ...]] = {}
        #: Per endpoint: its rules aimed at no principal, those aimed at each principal, plan order.
        self._by_principal: dict[
            str, tuple[tuple[FaultRule, ...], dict[str, tuple[FaultRule, ...]], dict[int, int]]
        ] = {}
        self._ids = itertools.count(1)
        self.firings: deque[Firing] = deque(maxlen=10_000)
        initial = list(rules)
        if initial:
            self.add(*initial)

    # ------------------------------------------------------------------ the list
    def __bool__(self) -> bool:
        return bool(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(list(self._rules))

    def add(self, *rules: RuleInput | list[RuleInput]) -> list[FaultRule]:
        """Validate and append rules (dicts or ``FaultRule``); returns them with their ids."""
        flat: list[RuleInput] = []
        for item in rules:
            flat.extend(item if isinstance(item, list) else [item])
        built: list[FaultRule] = []
        for index, item in enumerate(flat):
            path = f"[{index}]" if len(flat) > 1 else ""
            rule = item if isinstance(item, FaultRule) else FaultRule.from_dict(item, path)
            if self.catalogue is not None:
                self.catalogue.check(rule, path)
            if rule.id is None:
                rule = rule.with_id(f"rule-{next(self._ids)}")
                while rule.id in self._state:
                    rule = rule.with_id(f"rule-{next(self._ids)}")
            elif rule.id in self._state or any(r.id == rule.id for r in built):
                raise FaultRuleError(
                    "id", f"a rule with id {rule.id!r} is already installed; remove it first or pick another id"
                )
            built.append(rule)
        for rule in built:
            self._rules.append(rule)
            self._state[_rule_id(rule)] = _State()
        self._cache.clear()
        self._by_principal.clear()
        return built

    def remove(self, rule_id: str) -> bool:
        """Remove the rule ``rule_id``; False when no such rule is installed."""
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        self._state.pop(rule_id, None)
        self._cache.clear()
        self._by_principal.clear()
        return len(self._rules) != before

    def clear(self) -> None:
        """Remove every rule (ids keep counting: see ``reset``)."""
        self._rules.clear()
        self._state.clear()
        self._cache.clear()
        self._by_principal.clear()

    def reset(self) -> None:
        """Forget every rule, count and firing, reseed the RNG and number rules from ``rule-1`` again."""
        self.clear()
        self.firings.clear()
        self._ids = itertools.count(1)
        self.rng = random.Random(f"faults/{self.seed}")
        self.started = self._clock.now() if self._clock is not None else 0.0

    def stats(self, rule_id: str) -> dict[str, int]:
        """How often rule ``rule_id`` matched and fired."""
        state = self._state[rule_id]
        return {"matches": state.matches, "fired": state.fired}

    def to_list(self) -> list[dict[str, Any]]:
        """The rules as plain dicts, in plan order."""
        return [rule.to_dict() for rule in self._rules]

    @staticmethod
    def load_file(path: str | Path, *, catalogue: EndpointCatalogue | None = None) -> list[FaultRule]:
        """Rules from a YAML or JSON file holding a list (or ``{faults: [...]}``), checked against ``catalogue``."""
        return FaultPlan.rules_from_document(read_document(path), path, catalogue=catalogue)

    @staticmethod
    def rules_from_document(
        data: Any, source: str | Path, *, catalogue: EndpointCatalogue | None = None
    ) -> list[FaultRule]:
        """Rules from a parsed faults document (a list, or ``{faults: [...]}``); errors name ``source``."""
        if isinstance(data, dict) and "faults" in data:
            data = data["faults"]
        if not isinstance(data, list):
            raise ConfigError(f"The faults file {source} must hold a list of rules (or an object with a faults list).")
        try:
            rules = [FaultRule.from_dict(item, f"[{n}]") for n, item in enumerate(data)]
            if catalogue is not None:
                for n, rule in enumerate(rules):
                    catalogue.check(rule, f"[{n}]")
            return rules
        except FaultRuleError as exc:
            raise FaultRuleError(exc.path, f"in {source}: {exc!s}") from None

    # ------------------------------------------------------------------ firing
    def _candidates(self, endpoint: str) -> tuple[FaultRule, ...]:
        found = self._cache.get(endpoint)
        if found is None:
            found = self._cache[endpoint] = tuple(r for r in self._rules if r.match.endpoint_matches(endpoint))
        return found

    def _indexed(self, endpoint: str, principals: frozenset[str]) -> tuple[FaultRule, ...]:
        """The endpoint's rules that could match these principals, in plan order.

        Rules aimed at a principal are indexed by it, so a hundred rules for other clients cost a
        few dictionary lookups instead of a hundred membership tests.
        """
        index = self._by_principal.get(endpoint)
        if index is None:
            candidates = self._candidates(endpoint)
            open_rules = tuple(r for r in candidates if r.match.principal is None)
            aimed: dict[str, list[FaultRule]] = {}
            for rule in candidates:
                if rule.match.principal is not None:
                    aimed.setdefault(rule.match.principal, []).append(rule)
            order = {id(rule): n for n, rule in enumerate(candidates)}
            index = self._by_principal[endpoint] = (open_rules, {k: tuple(v) for k, v in aimed.items()}, order)
        open_rules, by_principal, order = index
        hits = [rule for principal in principals for rule in by_principal.get(principal, ())]
        if not hits:
            return open_rules
        return tuple(sorted((*open_rules, *hits), key=lambda rule: order[id(rule)]))

    def select(
        self, endpoint: str, method: str, principals: frozenset[str], action: str | None, now: float
    ) -> FaultRule | None:
        """The first rule that matches and is due (counting the match for every rule tried)."""
        for rule in self._indexed(endpoint, principals):
            match = rule.match
            if match.method is not None and match.method != method:
                continue
            if match.principal is not None and match.principal not in principals:
                continue
            if match.action is not None and match.action != action:
                continue
            rule_id = _rule_id(rule)
            state = self._state[rule_id]
            state.matches += 1
            if self._due(rule, state, now):
                state.fired += 1
                self.firings.append(Firing(now, rule_id, endpoint))
                return rule
        return None

    def _due(self, rule: FaultRule, state: _State, now: float) -> bool:
        when = rule.when
        elapsed = now - self.started
        if when.start is not None and elapsed < when.start:
            return False
        if when.end is not None and elapsed >= when.end:
            return False
        if state.matches <= when.after:
            return False
        if when.every is not None and (state.matches - when.after) % when.every != 0:
            return False
        if when.times is not None and state.fired >= when.times:
            return False
        return when.probability is None or self.rng.random() < when.probability

    def has_rules_for(self, endpoint: str) -> bool:
        """Whether any installed rule could match ``endpoint`` (a dictionary lookup once warm)."""
        return bool(self._candidates(endpoint))

    def decide(self, endpoint: str, method: str, caller: Caller, action: str | None, now: float) -> Outcome | None:
        """The ``Outcome`` of the first rule that matches and is due, or ``None``.

        This is the whole fault engine on the hot path: the server resolves the ``Caller``,
        asks once, and carries out what comes back.
        """
        if not self._candidates(endpoint):
            return None
        rule = self.select(endpoint, method, caller.principals(), action, now)
        if rule is None:
            return None
        outcome = Outcome(_rule_id(rule))
        for item in rule.then:
            item.apply(outcome, self.rng)
        return outcome

    def __repr__(self) -> str:
        return f"FaultPlan({json.dumps(self.to_list())})"


def _rule_id(rule: FaultRule) -> str:
    """An installed rule's id (``add`` gives every rule one)."""
    return rule.id or ""


def read_document(path: str | Path) -> Any:
    """A YAML or JSON file, parsed; a ``ConfigError`` naming the file if it cannot be read or parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read the file {path}: {exc.strerror}.") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"The file {path} is not valid YAML/JSON: {exc}") from exc
