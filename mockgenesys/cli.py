"""The ``mockgenesys`` command."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mockgenesys.errors import MockGenesysError
from mockgenesys.world.generate import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

ENV_CLIENT_ID = "MOCKGENESYS_CLIENT_ID"
ENV_CLIENT_SECRET = "MOCKGENESYS_CLIENT_SECRET"
ENV_SEED = "MOCKGENESYS_SEED"


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
            defaults["seed"] = int(env[ENV_SEED])
        except ValueError:
            raise MockGenesysError(f"{ENV_SEED} must be a whole number, got {env[ENV_SEED]!r}.") from None
    return defaults


def build_parser(environ: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    defaults = env_defaults(environ)
    parser = argparse.ArgumentParser(prog="mockgenesys", description="A simulated Genesys Cloud for tests.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the mock server", description="Run the mock Genesys Cloud server.")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="TCP port (default 8765; 0 picks a free one)")
    serve.add_argument("--seed", type=int, default=defaults["seed"], help=f"world seed (default 0, env {ENV_SEED})")
    serve.add_argument(
        "--client-id", default=defaults["client_id"], help=f"default OAuth client id (env {ENV_CLIENT_ID})"
    )
    serve.add_argument(
        "--client-secret",
        default=defaults["client_secret"],
        help=f"default OAuth client secret (env {ENV_CLIENT_SECRET})",
    )
    serve.add_argument("--world", type=Path, help="load the world from a JSON snapshot instead of generating it")
    serve.add_argument("--info-file", type=Path, help="write the connection facts as JSON once the server is up")
    serve.add_argument("--token-ttl", type=int, default=86400, help="access token lifetime in seconds (300..172800)")
    serve.add_argument("--no-limits", action="store_true", help="switch every rate limit off")
    serve.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=N",
        help="set one rate limit, e.g. token_per_minute=600 or org_history_per_second=off (repeatable)",
    )
    serve.add_argument("--faults", type=Path, help="install the fault rules of a YAML or JSON file at start")
    serve.add_argument("--admin-token", help="require 'Authorization: Bearer TOKEN' on /__admin")
    serve.add_argument(
        "--jwt-secret",
        help="sign guest JWTs with this secret, so they stay valid across restarts (default: a random key per process)",
    )
    serve.add_argument(
        "--deterministic-secrets",
        action="store_true",
        help="derive tokens and the JWT key from --seed (reproducible, and guessable: tests and replays only)",
    )
    serve.add_argument("--bot", action="store_true", help="a bot answers every guest message")
    serve.add_argument(
        "--routing-delay", type=float, default=2.0, help="seconds before an agent joins a new conversation (default 2)"
    )
    serve.add_argument("--quiet", action="store_true", help="print only the base URL")
    add_chaos_parser(commands)
    return parser


def add_chaos_parser(commands: Any) -> None:
    """Register ``chaos`` and its subcommands (defined here so ``serve`` never imports the chaos runner)."""
    chaos = commands.add_parser(
        "chaos", help="run chaos scenarios", description="Chaos scenarios: many guests under faults."
    )
    sub = chaos.add_subparsers(dest="chaos_command", required=True, metavar="SUBCOMMAND")
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
    replay.add_argument("--admin-token", help="bearer token for the target's /__admin API")


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--guests", type=int, help="number of guests (overrides the scenario's)")
    parser.add_argument("--seed", type=int, help="seed (overrides the scenario's)")
    parser.add_argument("--report", type=Path, help="write report.json, junit.xml and report.html into this directory")
    parser.add_argument("--target", help="run against a live server at this base URL, in real time")
    parser.add_argument("--guest", type=int, help="judge only guest K (the replay of one failing guest)")
    parser.add_argument("--isolate", action="store_true", help="with --guest: run guest K alone")
    parser.add_argument("--adapter", help="guest adapter factory as package.module:callable (default: the client core)")
    parser.add_argument("--admin-token", help="bearer token for the target's /__admin API")


def parse_limits(items: Sequence[str], *, enabled: bool = True) -> dict[str, Any]:
    """``["token_per_minute=600", "ws_messages_per_second=off"]`` → a ``limits`` dict for ``MockGenesys``."""
    limits: dict[str, Any] = {} if enabled else {"enabled": False}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise MockGenesysError(f"--limit takes NAME=N (for example token_per_minute=600), got {item!r}.")
        value = value.strip()
        if value.lower() == "off":
            limits[name.strip()] = None
            continue
        try:
            limits[name.strip()] = int(value)
        except ValueError:
            raise MockGenesysError(f"--limit {name.strip()} needs a whole number or 'off', got {value!r}.") from None
    return limits


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
        f"  OAuth client id   {facts['client_id']}",
        f"  OAuth secret      {facts['client_secret']}",
        f"  org id            {facts['org_id']}",
        f"  deployment id     {facts['deployment_id']}",
    ]
    lines += [f"  conversation      {cid}" for cid in facts["conversation_ids"]]
    lines += [f"  external contact  {cid}" for cid in facts["external_contact_ids"]]
    lines += [
        "Try:",
        f"  curl -s -u {facts['client_id']}:{facts['client_secret']} -d grant_type=client_credentials {facts['base_url']}/oauth/token",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    from mockgenesys.mock import MockGenesys
    from mockgenesys.serving import base_url, bind, run_forever

    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(
            f"note: binding {args.host}; the mock has no real security, keep it on trusted networks.", file=sys.stderr
        )
    from mockgenesys.faults import FaultPlan

    mock = MockGenesys(
        seed=args.seed,
        client_id=args.client_id,
        client_secret=args.client_secret,
        world=args.world,
        token_ttl=args.token_ttl,
        limits=parse_limits(args.limit, enabled=not args.no_limits),
        faults=FaultPlan.load_file(args.faults) if args.faults else None,
        admin_token=args.admin_token,
        jwt_secret=args.jwt_secret,
        deterministic_secrets=args.deterministic_secrets,
        bot=args.bot,
        routing_delay=args.routing_delay,
    )
    try:
        sock = bind("127.0.0.1" if args.host == "localhost" else args.host, args.port)
    except OSError as exc:
        raise MockGenesysError(
            f"Cannot listen on {args.host}:{args.port}: {exc.strerror}. Pick another --port."
        ) from exc
    url = base_url(sock)
    facts = connection_facts(mock, url)
    print(url if args.quiet else _banner(facts), flush=True)

    def ready() -> None:
        if args.info_file:  # whole or not at all: a reader polling for the file never sees half of it
            partial = args.info_file.with_name(args.info_file.name + ".partial")
            partial.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
            partial.replace(args.info_file)

    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after its graceful shutdown
        run_forever(mock.app, sock, on_ready=ready)
    if not args.quiet:
        print("mockgenesys stopped.", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mockgenesys`` command."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "chaos":
            from mockgenesys.chaos.cli import cmd_chaos

            return cmd_chaos(args)
        parser.error(f"unknown command {args.command}")
    except MockGenesysError as exc:
        print(f"mockgenesys: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
