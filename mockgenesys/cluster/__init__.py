"""``serve --workers N``: N processes serve one simulated Genesys Cloud, one shard each.

Worker 0 runs in the front process on the cluster's port, beside ``/__admin`` for the whole
cluster (``ClusterFront``); workers 1…N-1 are processes of their own on free ports of the same
host (``start_workers``), each a ``ShardMock`` of the same world whose new ids never collide. A
client picks a worker (``GET /__admin/workers`` lists them) and stays on it: a guest's session,
conversation and an OAuth token live on the worker that made them. Every worker signs guest JWTs
with the same key (``shared_secrets``), so a JWT verifies on any of them. Limits are in
docs/server.md ("Several workers").
"""

from __future__ import annotations

from mockgenesys.cluster.front import ClusterFront, merge_checks, merge_worlds
from mockgenesys.cluster.shard import ShardMock
from mockgenesys.cluster.workers import shared_secrets, start_workers

__all__ = ["ClusterFront", "ShardMock", "merge_checks", "merge_worlds", "shared_secrets", "start_workers"]
