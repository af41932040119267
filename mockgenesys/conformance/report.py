"""What grading returns: ``Violation``\\ s (each with its level and the journal rows that prove it)
gathered in a ``ConformanceReport``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockgenesys.errors import MockGenesysError
from mockgenesys.journal import Entry

#: A violation's level: an ``error`` is something real Genesys punishes; a ``warning`` is a habit
#: that works until it does not (``genesys(strict=True)`` fails on both).
LEVELS = ("error", "warning")
MAX_SHOWN = 6


class ConformanceError(MockGenesysError, AssertionError):
    """``ConformanceReport.assert_ok`` found violations; the message explains each one."""


@dataclass(frozen=True)
class Violation:
    """One thing the client did wrong: the rule, a sentence saying how to fix it, the evidence.

    ``caller`` names who did it, as the journal does: ``client:<id>`` for an OAuth client (its
    tokens are followed back to it), ``fp:…`` of a guest session's token, ``guest:<session id>``
    on the guest JWT exchange and refresh.
    """

    rule: str
    message: str
    entries: tuple[Entry, ...] = ()
    level: str = "error"
    caller: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "level": self.level,
            "caller": self.caller,
            "message": self.message,
            "entries": [e.to_dict() for e in self.entries],
        }

    def __str__(self) -> str:
        level = " (warning)" if self.level == "warning" else ""
        lines = [f"[{self.rule}]{level} {self.message}"]
        lines += [f"    {entry}" for entry in self.entries[:MAX_SHOWN]]
        if len(self.entries) > MAX_SHOWN:
            lines.append(f"    … and {len(self.entries) - MAX_SHOWN} more")
        return "\n".join(lines)


@dataclass
class ConformanceReport:
    """The violations found; empty means the client behaved.

    ``ok`` is False on any violation, warnings included (strict grading fails on warnings);
    ``errors`` and ``warnings`` split them by level.
    """

    violations: list[Violation] = field(default_factory=list)
    checked: int = 0
    #: Findings that are listed but do not fail the report (see ``nonexistent_endpoint``).
    notices: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "warning"]

    def by_rule(self, rule: str) -> list[Violation]:
        return [v for v in self.violations if v.rule == rule]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "violations": [v.to_dict() for v in self.violations],
            "notices": [v.to_dict() for v in self.notices],
        }

    def assert_ok(self, *, warnings: bool = True) -> None:
        """Raise ``ConformanceError`` explaining every violation, if there is any.

        ``warnings=False`` lets warnings pass (errors still raise).
        """
        found = self.violations if warnings else self.errors
        if found:
            raise ConformanceError(str(ConformanceReport(found, self.checked)))

    def __str__(self) -> str:
        notes = [f"Notice: {v}" for v in self.notices]
        if self.ok:
            return "\n".join([f"Conformance: OK ({self.checked} journal entries checked).", *notes])
        head = f"Conformance: {len(self.violations)} violation(s) in {self.checked} journal entries:"
        return "\n".join([head, *(str(v) for v in self.violations), *notes])
