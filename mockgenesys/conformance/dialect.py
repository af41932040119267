"""``nonexistent_endpoint``: calls to paths Genesys Cloud does not have (the tutorials' seed dialect)."""

from __future__ import annotations

from collections import defaultdict

from mockgenesys.conformance.facts import Facts
from mockgenesys.conformance.report import Violation
from mockgenesys.journal import Entry

#: The journal ``detail`` of every call to a seed-dialect path (one Genesys Cloud does not have).
SEED_DIALECT = "seed-dialect"
#: What a client should call on Genesys Cloud instead of each seed-dialect endpoint.
REAL_EQUIVALENTS = {
    "conversations.history": "GET /api/v2/webmessaging/messages (guest) or "
    "POST /api/v2/conversations/messages/{conversationId}/messages/bulk (agent side)",
    "sessions.create": "the guest WebSocket's configureSession",
    "sessions.get": "the guest WebSocket's configureSession",
}


def nonexistent_endpoint(facts: Facts) -> list[Violation]:
    """One violation per seed-dialect endpoint the client called, with every such call."""
    calls: dict[str, list[Entry]] = defaultdict(list)
    for entry in facts.requests:
        if entry.detail == SEED_DIALECT:
            calls[entry.endpoint].append(entry)
    return [
        Violation(
            "nonexistent_endpoint",
            f"called an endpoint that does not exist on Genesys Cloud: {found[0].method} {found[0].path} "
            f"({endpoint}, the tutorials' seed dialect, {len(found)} call(s)); production answers 404. "
            f"Use {REAL_EQUIVALENTS.get(endpoint, 'the real API')} instead.",
            tuple(found),
            caller=found[0].principal,
        )
        for endpoint, found in calls.items()
    ]
