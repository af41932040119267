"""Invariants on the platform workload: its answers compared with the world, and its calls carried through.

A run without a ``platform`` section passes them (there is nothing to judge). Failures are
``platform:`` evidence lines, one per call.
"""

from __future__ import annotations

from typing import Any

from mockgenesys.chaos.records import PlatformCall, RunRecords, ServerView
from mockgenesys.chaos.verdicts import InvariantResult, verdict


def platform_answers(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    """Every call that returned gave the server's whole answer: the org, every message of the
    conversation oldest first, every contact once."""
    shared = []
    for call in run.platform.calls if run.platform is not None else []:
        if call.error is not None or call.done is None:
            continue
        expected = _expected(view, call)
        answer = sorted(call.answer) if call.operation == "search" and isinstance(call.answer, list) else call.answer
        if expected is None or answer == expected:
            continue
        shared.append(
            f"platform: caller {call.caller} call {call.index} {_describe(call)} {_difference(call, expected)}"
        )
    return verdict("platform_answers", params, {}, "every platform answer matched the server", "", shared)


def platform_recovered(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    """Every platform call returned (or raised one of the ``allow``-ed errors), and start and close worked."""
    allowed = set(params.get("allow", []))
    shared = []
    platform = run.platform
    if platform is not None:
        shared += [f"platform: {r.method} raised {r.error}" for r in platform.raised]
        for call in platform.calls:
            if call.error is not None and call.error_type not in allowed:
                shared.append(f"platform: caller {call.caller} call {call.index} {_describe(call)} raised {call.error}")
    return verdict("platform_recovered", params, {}, "every platform call went through", "", shared)


def _describe(call: PlatformCall) -> str:
    return f"{call.operation}({call.argument!r})" if call.argument else f"{call.operation}()"


def _expected(view: ServerView, call: PlatformCall) -> str | list[str] | None:
    if call.operation == "organization":
        return view.org_id or None
    if call.operation == "history":
        conversation = view.conversation(call.argument)
        if conversation is None:
            return None
        return [m.get("text") or "" for m in conversation.get("messages", []) if m.get("type") != "Event"]
    if call.operation == "search":
        return sorted(str(c["id"]) for c in view.contacts if not view.org_id or c.get("org_id") == view.org_id)
    return None


def _difference(call: PlatformCall, expected: str | list[str]) -> str:
    answer = call.answer
    if isinstance(answer, list) and isinstance(expected, list):
        return f"returned {len(answer)} item(s), the server holds {len(expected)} (read every page, each item once)"
    return f"returned {answer!r}, the server says {expected!r}"
