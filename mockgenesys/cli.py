"""The ``mockgenesys`` command: ``serve``, ``endpoints``, ``chaos`` and ``--version``.

Every mistake on the command line is one sentence on stderr that names the bad value and the
fix, with exit status 2 and never a traceback: values are checked by the argument types in
``mockgenesys.cliargs`` as they are parsed, and what needs the file system (the ``--info-file``
folder, ``--world``, ``--faults``) before the server binds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mockgenesys import __version__
from mockgenesys.cliargs import (
    CommandParser,
    UsageError,
    bind_error,
    check_limit_name,
    check_retention_name,
    host,
    info_file,
    non_empty,
    port,
    readable_file,
    seconds,
    seed,
    whole_number,
)
from mockgenesys.errors import ConfigError, MockGenesysError
from mockgenesys.journal import DEFAULT_JOURNAL_SIZE
from mockgenesys.world.generate import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

ENV_CLIENT_ID = "MOCKGENESYS_CLIENT_ID"
ENV_CLIENT_SECRET = "MOCKGENESYS_CLIENT_SECRET"
ENV_SEED = "MOCKGENESYS_SEED"
DEFAULT_PORT = 8765
DEFAULT_TOKEN_TTL = 86400
MAX_WORKERS = 64


def env_defaults(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults for ``serve`` taken from the environment (the one place it is read)."""
    env = os.environ if environ is None else environ
    defaults: dict[str, Any] = {
        "client_id": env.get(ENV_CLIENT_ID) or DEFAULT_CLIENT_ID,
        "client_secret": env.get(ENV_CLIENT_SECRET) or DEFAULT_CLIENT_SECRET,
        "seed": 0,
    }
    if env.get(ENV_SEED):
        try:
            defaults["seed"] = seed(env[ENV_SEED])
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"{ENV_SEED} {exc}.") from None
    return defaults


def build_parser(environ: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``environ`` (default ``os.environ``) supplies ``serve``'s defaults."""
    defaults = env_defaults(environ)
    parser = CommandParser(prog="mockgenesys", description="A simulated Genesys Cloud for tests.")
    parser.add_argument("--version", action="version", version=f"mockgenesys {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=CommandParser)
    serve = commands.add_parser("serve", help="run the mock server", description="Run the mock Genesys Cloud server.")
    serve.add_argument("--host", type=host, default="127.0.0.1", help="interface to bind: an IP address or localhost")
    serve.add_argument("--port", type=port, default=DEFAULT_PORT, help="TCP port (`0` picks a free one)")
    serve.add_argument(
        "--seed",
        type=seed,
        default=defaults["seed"],
        help=f"world seed from 0 to 2**63-1: same seed, byte-identical world (env `{ENV_SEED}`)",
    )
    serve.add_argument(
        "--client-id",
        type=non_empty("--client-id", colon=False),
        default=defaults["client_id"],
        help=f"the default OAuth client's id (env `{ENV_CLIENT_ID}`)",
    )
    serve.add_argument(
        "--client-secret",
        type=non_empty("--client-secret"),
        default=defaults["client_secret"],
        help=f"its secret (env `{ENV_CLIENT_SECRET}`)",
    )
    serve.add_argument(
        "--world", type=readable_file, metavar="FILE", help="load a JSON world snapshot instead of generating one"
    )
    serve.add_argument(
        "--info-file",
        type=info_file,
        metavar="PATH",
        help="write `base_url`, `ws_url`, `org_id`, `deployment_id`, `client_id`, `client_secret` as JSON "
        "once the server accepts connections",
    )
    serve.add_argument(
        "--token-ttl",
        type=whole_number(300, 172800),
        default=DEFAULT_TOKEN_TTL,
        metavar="SECONDS",
        help="access-token lifetime (300..172800 s)",
    )
    serve.add_argument("--no-limits", action="store_true", help="switch rate limiting off")
    serve.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=N",
        help="set one rate limit, e.g. `token_per_minute=600` or `org_history_per_second=off` (repeatable)",
    )
    serve.add_argument(
        "--retention",
        action="append",
        default=[],
        metavar="NAME=N",
        help="bound one store of what the world keeps from run time, e.g. `guest_sessions=1000` or "
        "`expired_grace=60` (repeatable; names as `Retention` in docs/server.md#limits)",
    )
    serve.add_argument(
        "--journal-size",
        type=whole_number(1, 10_000_000),
        default=DEFAULT_JOURNAL_SIZE,
        metavar="N",
        help=f"how many requests and frames the journal keeps, newest first (1..10000000; default {DEFAULT_JOURNAL_SIZE:,})",
    )
    serve.add_argument(
        "--faults",
        type=readable_file,
        metavar="FILE",
        help="install the fault rules of a YAML or JSON file at start (endpoint ids as `mockgenesys endpoints` lists them)",
    )
    serve.add_argument(
        "--admin-token",
        type=non_empty("--admin-token"),
        metavar="TOKEN",
        help="require `Authorization: Bearer TOKEN` on `/__admin`",
    )
    serve.add_argument(
        "--jwt-secret",
        type=non_empty("--jwt-secret"),
        metavar="SECRET",
        help="sign guest JWTs with this secret, so they stay valid across restarts (default: a random key per process)",
    )
    serve.add_argument(
        "--deterministic-secrets",
        action="store_true",
        help="derive tokens and the JWT key from `--seed` (reproducible, and guessable: tests and replays only)",
    )
    serve.add_argument("--bot", action="store_true", help="a bot answers every guest message")
    serve.add_argument(
        "--routing-delay",
        type=seconds(0.0, 3600.0),
        default=2.0,
        metavar="SECONDS",
        help="seconds before an agent joins a new conversation",
    )
    serve.add_argument(
        "--dialect",
        choices=("real", "seed", "both"),
        default="both",
        metavar="{real,seed,both}",
        help="which paths to serve: `real` (Genesys Cloud's only; the seed tutorials' paths answer 404), "
        "`seed` (the tutorials' invented paths) or `both`",
    )
    serve.add_argument(
        "--workers",
        type=whole_number(1, MAX_WORKERS),
        default=1,
        metavar="N",
        help="serve from N processes, one shard each, with `/__admin` answering for all (docs/server.md)",
    )
    serve.add_argument("--quiet", action="store_true", help="print only the base URL")
    endpoints = commands.add_parser(
        "endpoints",
        help="list the endpoint ids fault rules and the journal use",
        description="List every endpoint id: REST routes, guest WebSocket actions and the frames sent to guests.",
    )
    endpoints.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    openapi = commands.add_parser(
        "openapi",
        help="print the OpenAPI document of the REST routes",
        description="Print the OpenAPI 3.1 document a server serves at /api/v2/docs/openapi.json.",
    )
    openapi.add_argument(
        "--dialect", choices=("real", "seed", "both"), default="both", help="the paths `serve --dialect` would serve"
    )
    openapi.add_argument(
        "--base-url", default=f"http://127.0.0.1:{DEFAULT_PORT}", metavar="URL", help="the document's server URL"
    )
    add_chaos_parser(commands)
    from mockgenesys.load.cli import add_load_parser

    add_load_parser(commands)
    return parser


def add_chaos_parser(commands: Any) -> None:
    """Register ``chaos`` and its subcommands (defined here so ``serve`` never imports the chaos runner)."""
    chaos = commands.add_parser(
        "chaos", help="run chaos scenarios", description="Chaos scenarios: many guests under faults."
    )
    sub = chaos.add_subparsers(dest="chaos_command", required=True, metavar="SUBCOMMAND", parser_class=CommandParser)
    run = sub.add_parser("run", help="run scenarios", description="Run scenarios (names, files, or 'all').")
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="a built-in name, a YAML file, or 'all'")
    _run_options(run)
    sub.add_parser("list", help="list the built-in scenarios", description="List the built-in scenarios.")
    replay = sub.add_parser(
        "replay", help="rerun the failures of a report", description="Rerun the failing scenarios of a report.json."
    )
    replay.add_argument("report_file", type=Path, metavar="REPORT", help="a report.json written by chaos run --report")
    replay.add_argument("--scenario", help="only this scenario of the report")
    replay.add_argument(
        "--guest", type=int, help="replay only guest K (default: each failing guest of each scenario, one run each)"
    )
    replay.add_argument("--isolate", action="store_true", help="run each replayed guest alone (default: as reported)")
    replay.add_argument("--report", type=Path, help="write reports of the replay into this directory")
    replay.add_argument(
        "--adapter", help="guest adapter factory as package.module:callable (default: the one the report names)"
    )
    replay.add_argument(
        "--platform-adapter", help="platform adapter factory as package.module:callable (default: as reported)"
    )
    replay.add_argument("--admin-token", help="bearer token for the target's /__admin API")
    merge = sub.add_parser(
        "merge",
        help="merge the reports of a sharded sweep",
        description="Merge report.json files (or --report folders) of chaos run shards into one set of reports.",
    )
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="--report folders or their report.json files")
    merge.add_argument(
        "--report", type=Path, required=True, help="write the merged report.json, junit.xml and report.html here"
    )


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--guests", type=int, help="number of guests (overrides the scenario's)")
    parser.add_argument("--seed", type=int, help="seed (overrides the scenario's)")
    parser.add_argument("--report", type=Path, help="write report.json, junit.xml and report.html into this directory")
    parser.add_argument("--target", help="run against a live server at this base URL, in real time")
    parser.add_argument("--guest", type=int, help="judge only guest K (the replay of one failing guest)")
    parser.add_argument("--isolate", action="store_true", help="with --guest: run guest K alone")
    parser.add_argument("--adapter", help="guest adapter factory as package.module:callable (default: the client core)")
    parser.add_argument(
        "--platform-adapter", help="platform adapter factory as package.module:callable (default: the client core)"
    )
    parser.add_argument("--admin-token", help="bearer token for the target's /__admin API")
    parser.add_argument(
        "--seeds", metavar="SEEDS", help="run each scenario at every seed of a sweep: 1-200, 3,5,8 (instead of --seed)"
    )
    parser.add_argument("--shard", metavar="I/N", help="run only runner I's share of the sweep (of N runners, from 1)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="run the sweep on N local processes")


def parse_limits(items: Sequence[str], *, enabled: bool = True) -> dict[str, Any]:
    """``["token_per_minute=600", "ws_messages_per_second=off"]`` → a ``limits`` dict for ``MockGenesys``."""
    limits: dict[str, Any] = {} if enabled else {"enabled": False}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--limit takes NAME=N (for example token_per_minute=600), got {item!r}.")
        name = check_limit_name(name.strip())
        value = value.strip()
        if value.lower() == "off":
            limits[name] = None
            continue
        try:
            limits[name] = int(value)
        except ValueError:
            raise UsageError(f"--limit {name} needs a whole number or 'off', got {value!r}.") from None
    return limits


def parse_retention(items: Sequence[str]) -> dict[str, int | float]:
    """``["guest_sessions=1000", "expired_grace=60"]`` → a ``retention`` dict for ``MockGenesys``."""
    from mockgenesys.world.retention import Retention

    retention: dict[str, int | float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--retention takes NAME=N (for example guest_sessions=1000), got {item!r}.")
        name = check_retention_name(name.strip())
        try:
            retention[name] = float(value) if name == "expired_grace" else int(value)
        except ValueError:
            kind = "a number of seconds" if name == "expired_grace" else "a whole number"
            raise UsageError(f"--retention {name} needs {kind} from 1 to 1e9, got {value.strip()!r}.") from None
    try:
        Retention.from_dict(retention)
    except ConfigError as exc:
        raise UsageError(f"--retention: {exc}") from None
    return retention


def connection_facts(mock: Any, url: str) -> dict[str, Any]:
    from mockgenesys.serving import guest_ws_url

    world = mock.world
    return {
        "base_url": url,
        "ws_url": guest_ws_url(url, mock.deployment_id),
        "org_id": mock.org_id,
        "deployment_id": mock.deployment_id,
        "client_id": mock.client_id,
        "client_secret": mock.client_secret,
        "conversation_ids": list(world.conversations)[:3],
        "external_contact_ids": [c.id for c in world.contacts_sorted()[:3]],
    }


def _banner(facts: dict[str, Any]) -> str:
    lines = [
        f"mockgenesys is serving a simulated Genesys Cloud at {facts['base_url']}",
        f"  guest WebSocket   {facts['ws_url']}",
        f"  dashboard         {facts['base_url']}/__admin/",
        f"  OAuth client id   {facts['client_id']}",
        f"  OAuth secret      {facts['client_secret']}",
        f"  org id            {facts['org_id']}",
        f"  deployment id     {facts['deployment_id']}",
    ]
    lines += [f"  worker {n:<10d} {worker}" for n, worker in enumerate(facts.get("workers", [])) if n]
    lines += [f"  conversation      {cid}" for cid in facts["conversation_ids"]]
    lines += [f"  external contact  {cid}" for cid in facts["external_contact_ids"]]
    lines += [
        "Try:",
        f"  curl -s -u {facts['client_id']}:{facts['client_secret']} -d grant_type=client_credentials {facts['base_url']}/oauth/token",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    from mockgenesys.faults import FaultPlan
    from mockgenesys.mock import MockGenesys
    from mockgenesys.server.endpoints import endpoint_catalogue
    from mockgenesys.serving import base_url, bind, is_loopback

    # Plain values only: with --workers, every worker process builds its mock from the same ones.
    options: dict[str, Any] = {
        "seed": args.seed,
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "world": str(args.world) if args.world else None,
        "token_ttl": args.token_ttl,
        "limits": parse_limits(args.limit, enabled=not args.no_limits),
        "retention": parse_retention(args.retention) or None,
        "journal_size": args.journal_size,
        "admin_token": args.admin_token,
        "bot": args.bot,
        "routing_delay": args.routing_delay,
        "dialect": args.dialect,
        "jwt_secret": args.jwt_secret,
        "deterministic_secrets": args.deterministic_secrets,
    }
    if args.workers > 1:
        from mockgenesys.cluster import shared_secrets

        options = shared_secrets(options)
    mock = MockGenesys(
        faults=FaultPlan.load_file(args.faults, catalogue=endpoint_catalogue()) if args.faults else None, **options
    )
    try:
        sock = bind("127.0.0.1" if args.host == "localhost" else args.host, args.port)
    except (OSError, OverflowError) as exc:
        raise bind_error(args.host, args.port, exc) from None
    if not is_loopback(args.host):
        print(
            f"note: binding {args.host}; the mock has no real security, keep it on trusted networks.", file=sys.stderr
        )
    url = base_url(sock)
    facts = connection_facts(mock, url)
    with contextlib.ExitStack() as stack:
        app: Any = mock.app
        if args.workers > 1:
            from mockgenesys.cluster import ClusterFront, start_workers

            host = "127.0.0.1" if args.host == "localhost" else args.host
            faults = str(args.faults) if args.faults else None
            peers = stack.enter_context(
                start_workers(args.workers - 1, first_shard=1, options=options, faults_file=faults, host=host)
            )
            app = ClusterFront(mock, peers)
            app.urls = facts["workers"] = [url, *peers]
        print(url if args.quiet else _banner(facts), flush=True)
        return _serve(app, sock, facts, args)


def _serve(app: Any, sock: Any, facts: dict[str, Any], args: argparse.Namespace) -> int:
    from mockgenesys.serving import run_forever

    def ready() -> None:
        if args.info_file:  # whole or not at all: a reader polling for the file never sees half of it
            partial = args.info_file.with_name(args.info_file.name + ".partial")
            try:
                partial.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
                partial.replace(args.info_file)
            except OSError as exc:
                raise UsageError(
                    f"--info-file {args.info_file} cannot be written ({exc.strerror}); give a path in a writable folder."
                ) from None

    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after its graceful shutdown
        run_forever(app, sock, on_ready=ready)
    if not args.quiet:
        print("mockgenesys stopped.", flush=True)
    return 0


def cmd_endpoints(args: argparse.Namespace) -> int:
    """Print every endpoint id with its method and what it is."""
    from mockgenesys.server.endpoints import endpoint_rows

    rows = endpoint_rows()
    if args.json:
        print(json.dumps([{"id": r.id, "method": r.method, "what": r.what} for r in rows], indent=1))
        return 0
    width = max(len(r.id) for r in rows)
    for row in rows:
        print(f"{row.id:<{width}}  {row.method:<6}  {row.what}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mockgenesys`` command; returns the exit status (2 for any usage error)."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "endpoints":
            return cmd_endpoints(args)
        if args.command == "openapi":
            from mockgenesys.server.routes import openapi_document

            print(json.dumps(openapi_document(args.dialect, args.base_url), indent=1))
            return 0
        if args.command == "load":
            from mockgenesys.load.cli import cmd_load

            return cmd_load(args)
        from mockgenesys.chaos.cli import cmd_chaos

        return cmd_chaos(args)
    except MockGenesysError as exc:
        print(f"mockgenesys: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
