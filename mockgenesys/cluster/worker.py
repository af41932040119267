"""``python -m mockgenesys.cluster.worker``: one worker of ``serve --workers N`` (see ``workers``)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from mockgenesys.cluster.shard import ShardMock
from mockgenesys.cluster.workers import watch_parent, worker_settings
from mockgenesys.faults import FaultPlan
from mockgenesys.server.endpoints import endpoint_catalogue
from mockgenesys.serving import base_url, bind, run_forever


def main() -> None:
    """Serve one shard on a free port of the cluster's host until SIGTERM."""
    settings = worker_settings()
    faults = settings.get("faults_file")
    mock = ShardMock(
        shard=int(settings["shard"]),
        faults=FaultPlan.load_file(faults, catalogue=endpoint_catalogue()) if faults else None,
        **settings["options"],
    )
    sock = bind(str(settings["host"]), 0)
    info = Path(settings["info_file"])

    def ready() -> None:
        partial = info.with_name(info.name + ".partial")
        partial.write_text(json.dumps({"base_url": base_url(sock)}), encoding="utf-8")
        partial.replace(info)

    watch_parent(int(settings["parent"]))
    with contextlib.suppress(KeyboardInterrupt):
        run_forever(mock.app, sock, on_ready=ready)


if __name__ == "__main__":
    main()
