"""``mockgenesys load``: Locust, headless, driving guests and platform users against a mock.

This module defines the command and checks every option before anything starts (a bad one is
one sentence, exit 2); then it runs Locust in a child process (``python -m locust -f
locustfile.py …``), so gevent's patching of the standard library never touches the calling
process. It imports neither Locust nor the users: ``mockgenesys --help`` stays fast and works
without the ``load`` extra.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from mockgenesys.cliargs import non_empty, readable_file, seconds, whole_number
from mockgenesys.load.config import LoadConfig
from mockgenesys.load.errors import LocustMissing, TargetError
from mockgenesys.load.guard import check_bind_host, check_target
from mockgenesys.world.generate import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
DEFAULT_MASTER_PORT = 5557
DEFAULT_WEB_PORT = 8089
#: With --web-ui, the page keeps showing the final figures this long after the run stopped.
WEB_UI_LINGER = 30.0
#: Conversation ids handed to platform users (``get_conversation``), read from the mock's summary.
MAX_CONVERSATIONS = 20
ENV_CLIENT_ID = "MOCKGENESYS_CLIENT_ID"
ENV_CLIENT_SECRET = "MOCKGENESYS_CLIENT_SECRET"
Runner = Callable[[list[str]], int]


def add_load_parser(commands: Any) -> None:
    """Register ``load`` on the ``mockgenesys`` command's subparsers."""
    load = commands.add_parser(
        "load",
        help="load-test with Locust: guests and platform users (the `load` extra)",
        description="Drive guests speaking the Genesys guest protocol and platform users with Locust, headless.",
    )
    load.add_argument(
        "--host", metavar="URL", help="the target's base URL, e.g. http://127.0.0.1:8765 (not with --worker)"
    )
    load.add_argument("--users", type=whole_number(1, 100_000), default=10, metavar="N", help="concurrent users")
    load.add_argument(
        "--spawn-rate", type=seconds(0.01, 10_000), default=10.0, metavar="PER_S", help="users started per second"
    )
    load.add_argument(
        "--run-time",
        type=seconds(1, 86_400),
        default=60.0,
        metavar="SECONDS",
        help="stop after this long (every run is bounded)",
    )
    load.add_argument(
        "--config", type=readable_file, metavar="FILE", help="user weights, think times and task weights (YAML or JSON)"
    )
    load.add_argument(
        "--deployment-id", metavar="ID", help="the guests' deployment (default: the mock's, read from /__admin)"
    )
    load.add_argument(
        "--client-id",
        type=non_empty("--client-id"),
        metavar="ID",
        help=f"platform users' OAuth client (env `{ENV_CLIENT_ID}`)",
    )
    load.add_argument(
        "--client-secret",
        type=non_empty("--client-secret"),
        metavar="SECRET",
        help=f"its secret (env `{ENV_CLIENT_SECRET}`)",
    )
    load.add_argument(
        "--admin-token",
        type=non_empty("--admin-token"),
        metavar="TOKEN",
        help="the mock's admin token, to judge the run",
    )
    load.add_argument(
        "--allow-remote", action="store_true", help="allow a target or listener that is not on this machine"
    )
    load.add_argument("--master", action="store_true", help="run as the Locust master of --expect-workers workers")
    load.add_argument(
        "--expect-workers",
        type=whole_number(1, 1000),
        default=1,
        metavar="N",
        help="with --master: workers to wait for",
    )
    load.add_argument("--worker", action="store_true", help="run as a Locust worker of the master at --master-host")
    load.add_argument("--master-host", default="127.0.0.1", metavar="HOST", help="with --worker: the master's address")
    load.add_argument(
        "--master-bind-host", default="127.0.0.1", metavar="HOST", help="with --master: the address workers connect to"
    )
    load.add_argument(
        "--master-port",
        type=whole_number(1, 65535),
        default=DEFAULT_MASTER_PORT,
        metavar="PORT",
        help="the master's port",
    )
    load.add_argument(
        "--web-ui", action="store_true", help="serve Locust's web UI on 127.0.0.1 (the run still starts by itself)"
    )
    load.add_argument(
        "--web-port", type=whole_number(1, 65535), default=DEFAULT_WEB_PORT, metavar="PORT", help="the web UI's port"
    )
    load.add_argument(
        "--stop-timeout",
        type=seconds(0, 600),
        default=10.0,
        metavar="SECONDS",
        help="at the end, let sends in flight finish for this long",
    )
    load.add_argument("--verdict", type=Path, metavar="FILE", help="write the lost/duplicated verdict as JSON")
    load.add_argument("--no-judge", action="store_true", help="do not judge lost and duplicated messages")
    load.add_argument("--csv", metavar="PREFIX", help="Locust's CSV statistics, PREFIX_stats.csv etc.")
    load.add_argument("--html", type=Path, metavar="FILE", help="Locust's HTML report")


def env_credentials(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The OAuth client platform users log in with when no flag gives it (the one place the env is read)."""
    env = os.environ if environ is None else environ
    return env.get(ENV_CLIENT_ID) or DEFAULT_CLIENT_ID, env.get(ENV_CLIENT_SECRET) or DEFAULT_CLIENT_SECRET


def discover(host: str, admin_token: str | None) -> tuple[str, list[str]]:
    """The mock's first deployment id and some conversation ids, from ``GET /__admin/world/summary``.

    ``TargetError`` when the target cannot be reached or has no admin API (then give ``--deployment-id``).
    """
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    try:
        response = httpx.get(f"{host}/__admin/world/summary", headers=headers, timeout=10)
        summary = response.json() if response.status_code == 200 else {}
        deployments = summary.get("deployments", [])
        conversations = [str(c["id"]) for c in summary.get("conversations", [])[:MAX_CONVERSATIONS]]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise TargetError(
            f"--host {host} cannot be reached ({exc.__class__.__name__}); start the mock (mockgenesys serve) "
            "or give the right URL."
        ) from None
    if not deployments:
        raise TargetError(
            f"{host} has no mockgenesys admin API to read a deployment from (answered {response.status_code}); "
            "give --deployment-id."
        )
    return str(deployments[0]["id"]), conversations


def discover_workers(host: str, admin_token: str | None) -> list[str]:
    """The base URLs of a ``serve --workers N`` cluster (``GET /__admin/workers``); ``[host]`` for one mock."""
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    try:
        response = httpx.get(f"{host}/__admin/workers", headers=headers, timeout=10)
        workers = [str(w["base_url"]) for w in response.json()["workers"]] if response.status_code == 200 else []
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        workers = []
    return workers or [host]


def locust_argv(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> list[str]:
    """The Locust command line for ``args``, every option checked first (``TargetError``, ``LoadConfigError``)."""
    base = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--loglevel", "WARNING"]
    if args.master and args.worker:
        raise TargetError("--master and --worker exclude each other; a process is one or the other.")
    if args.worker:
        check_bind_host(args.master_host, allow_remote=args.allow_remote, flag="--master-host")
        if args.host is not None:
            raise TargetError("--worker takes its --host, users and options from the master; leave --host out.")
        return [*base, "--worker", "--master-host", args.master_host, "--master-port", str(args.master_port)]
    if args.host is None:
        raise TargetError("give --host URL, the base URL of the target (e.g. http://127.0.0.1:8765).")
    host = check_target(args.host, allow_remote=args.allow_remote)
    config = LoadConfig.load(args.config) if args.config else LoadConfig()
    client_id, client_secret = env_credentials(environ)
    deployment, conversations, hosts = args.deployment_id, list[str](), [host]
    if deployment is None and config.guest.weight:
        deployment, conversations = discover(host, args.admin_token)
        hosts = [check_target(url, allow_remote=args.allow_remote) for url in discover_workers(host, args.admin_token)]
    classes = [name for name, load in (("GuestUser", config.guest), ("PlatformUser", config.platform)) if load.weight]
    argv = [
        *base,
        "--host",
        host,
        "--users",
        str(args.users),
        "--spawn-rate",
        f"{args.spawn_rate:g}",
        "--mockgenesys-run-time",
        f"{args.run_time:g}",
        "--stop-timeout",
        f"{args.stop_timeout:g}",
        "--exit-code-on-error",
        "0",
        "--only-summary",
        "--mockgenesys-config",
        json.dumps(config.to_dict(), separators=(",", ":")),
        "--mockgenesys-deployment",
        deployment or "",
        "--mockgenesys-hosts",
        ",".join(hosts),
        "--mockgenesys-conversations",
        ",".join(conversations),
        "--mockgenesys-client-id",
        args.client_id or client_id,
        "--mockgenesys-client-secret",
        args.client_secret or client_secret,
        "--mockgenesys-judge",
        "off" if args.no_judge else "on",
    ]
    if args.admin_token:
        argv += ["--mockgenesys-admin-token", args.admin_token]
    if args.verdict is not None:
        argv += ["--mockgenesys-verdict", str(args.verdict)]
    if args.web_ui:
        argv += ["--web-host", "127.0.0.1", "--web-port", str(args.web_port), "--autostart"]
        argv += ["--mockgenesys-linger", f"{WEB_UI_LINGER:g}"]
    else:
        argv.append("--headless")
    if args.master:
        check_bind_host(args.master_bind_host, allow_remote=args.allow_remote, flag="--master-bind-host")
        argv += [
            "--master",
            "--expect-workers",
            str(args.expect_workers),
            "--master-bind-host",
            args.master_bind_host,
            "--master-bind-port",
            str(args.master_port),
        ]
    if args.csv:
        argv += ["--csv", args.csv]
    if args.html is not None:
        argv += ["--html", str(args.html)]
    return [*argv, *classes]


def run_locust(argv: list[str]) -> int:
    """Run Locust as a child process; Ctrl-C lets it stop gracefully, then returns 130."""
    child = subprocess.Popen(argv)
    try:
        return child.wait()
    except KeyboardInterrupt:  # the child got the same SIGINT and is shutting down
        child.wait()
        return 130


def cmd_load(args: argparse.Namespace, run: Runner = run_locust) -> int:
    """Check the options, then run Locust; its exit status (1: lost or duplicated messages)."""
    if importlib.util.find_spec("locust") is None:
        raise LocustMissing()
    return run(locust_argv(args))
