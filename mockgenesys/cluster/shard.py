"""``ShardMock``: one worker's mock in ``serve --workers N``, the same world with ids of its own.

Every worker builds the world from the same seed (or snapshot), so the org, the OAuth client, the
deployment and the seeded conversations are the same on each: a client may pick any worker. Ids
made after that (guest sessions, new conversations, messages) are drawn from a stream salted with
the worker's index, so no two workers ever hand out the same id and their worlds merge cleanly.
Worker 0 keeps the seed's own stream: a one-worker cluster is the plain mock.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from mockgenesys.mock import MockGenesys
from mockgenesys.world import World


class ShardMock(MockGenesys):
    """A ``MockGenesys`` whose new ids cannot collide with another worker's (``shard`` of the cluster)."""

    def __init__(self, *, shard: int, **options: Any) -> None:
        self.shard = shard
        super().__init__(**options)

    def _salted(self, world: World) -> World:
        if self.shard:
            world.rng = random.Random(f"mockgenesys-shard/{self.shard}/{self.seed}")
            if world.secret_rng is not None:  # deterministic secrets: still none shared with another worker
                world.secret_rng = random.Random(f"mockgenesys-secrets/{self.shard}/{self.seed}")
        return world

    def _build_world(self) -> World:
        return self._salted(super()._build_world())

    def load_world(self, source: World | str | Path | dict[str, Any]) -> None:
        super().load_world(source)
        self._salted(self.world)
