"""Hand-written journal rows for the rule tests: one caller's requests, as the server journals them."""

from __future__ import annotations

from mockgenesys.journal import Entry

GUEST = "fp:guest"


class Rows:
    """Builds a journal one row at a time, numbering and timing them."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def add(self, t: float, endpoint: str, status: int, **fields: object) -> Entry:
        defaults: dict[str, object] = {"kind": "http", "method": "GET", "path": f"/{endpoint}", "principal": GUEST}
        if endpoint.startswith("guest.ws."):
            defaults.update(kind="ws.in", method="WS", path="/v1")
        defaults.update(fields)
        entry = Entry(len(self.entries) + 1, t, 0.0, endpoint=endpoint, status=status, **defaults)  # type: ignore[arg-type]
        self.entries.append(entry)
        return entry
