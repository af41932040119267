"""The Locust users: ``GuestUser`` (the guest web-messaging protocol) and ``PlatformUser`` (OAuth + REST).

Importing this module imports Locust, which patches the standard library for gevent; only
``mockgenesys load`` (through ``locustfile.py``) and Locust itself import it. Options reach it as
Locust's own custom arguments (``--mockgenesys-*``), which the master hands to its workers.

Protocol-level figures beside Locust's per-request table: the guest's message round trip
(``WS message round trip``: asking to send → the server's echo), JWT refreshes, resumed and new
sessions, token requests, and at the end the verdict on lost and duplicated messages judged from
the mock's stored conversations (``GET /__admin/world``). Each worker sends its ``Ledger`` to the
master when it stops; the master (or the single local process) judges.
"""

from __future__ import annotations

import json
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
import httpx
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import MasterRunner, WorkerRunner

from mockgenesys.load.config import LoadConfig, UserLoad
from mockgenesys.load.guest import GuestSession, ProtocolError, SocketLost
from mockgenesys.load.ledger import Ledger, Verdict, judge, stored_texts

LEDGER_MESSAGE = "mockgenesys_ledger"
STOP_MESSAGE = "mockgenesys_stop"
#: How long the master waits for its workers' ledgers beyond the stop timeout.
LEDGER_GRACE_SECONDS = 15.0
STATE_ATTRIBUTE = "mockgenesys_load"
FORM = "application/x-www-form-urlencoded"


class LoadState:
    """What one Locust process keeps for the run: its config, its ledger, a tag for its texts."""

    def __init__(self, options: Any) -> None:
        self.options = options
        self.ledger = Ledger()
        self.tag = secrets.token_hex(4)
        self.serial = 0
        self.verdict: Verdict | None = None
        self.reported = 0  # ledgers received from workers (master only)

    @property
    def config(self) -> LoadConfig:
        text = getattr(self.options, "mockgenesys_config", "") or "{}"
        return LoadConfig.from_dict(json.loads(text), source="--mockgenesys-config")

    def next_user(self, default_host: str) -> tuple[int, str]:
        """A serial for the next user and the worker it talks to (users round-robin over the workers)."""
        self.serial += 1
        hosts = [h for h in str(getattr(self.options, "mockgenesys_hosts", "") or "").split(",") if h]
        return self.serial, hosts[self.serial % len(hosts)] if hosts else default_host


def state_of(environment: Environment) -> LoadState:
    """The ``LoadState`` of this process (made at Locust's ``init`` event)."""
    state = getattr(environment, STATE_ATTRIBUTE, None)
    if not isinstance(state, LoadState):
        state = LoadState(environment.parsed_options)
        setattr(environment, STATE_ATTRIBUTE, state)
    state.options = environment.parsed_options  # a worker receives the master's options at each spawn
    return state


def _add_options(parser: Any) -> None:
    parser.add_argument("--mockgenesys-config", default="{}", include_in_web_ui=False, help="LoadConfig as JSON")
    parser.add_argument("--mockgenesys-deployment", default="", include_in_web_ui=False, help="guest deployment id")
    parser.add_argument(
        "--mockgenesys-hosts", default="", include_in_web_ui=False, help="the workers' base URLs, comma-separated"
    )
    parser.add_argument(
        "--mockgenesys-conversations", default="", include_in_web_ui=False, help="conversation ids, comma-separated"
    )
    parser.add_argument("--mockgenesys-client-id", default="", include_in_web_ui=False, help="OAuth client id")
    parser.add_argument(
        "--mockgenesys-client-secret", default="", include_in_web_ui=False, is_secret=True, help="OAuth secret"
    )
    parser.add_argument("--mockgenesys-admin-token", default="", include_in_web_ui=False, help="the mock's admin token")
    parser.add_argument(
        "--mockgenesys-verdict", default="", include_in_web_ui=False, help="write the verdict JSON here"
    )
    parser.add_argument(
        "--mockgenesys-run-time", type=float, default=0.0, include_in_web_ui=False, help="stop after SECONDS"
    )
    parser.add_argument("--mockgenesys-linger", type=float, default=0.0, include_in_web_ui=False, help="UI linger")
    parser.add_argument("--mockgenesys-judge", default="on", include_in_web_ui=False, help="on or off")


def _init(environment: Environment, **_: Any) -> None:
    state = state_of(environment)
    if environment.parsed_options is not None:
        config = state.config
        GuestUser.weight = config.guest.weight
        PlatformUser.weight = config.platform.weight
    if isinstance(environment.runner, MasterRunner):

        def receive(environment: Environment, msg: Any, **_: Any) -> None:
            state = state_of(environment)
            state.ledger.merge(msg.data)
            state.reported += 1

        environment.runner.register_message(LEDGER_MESSAGE, receive)
    elif isinstance(environment.runner, WorkerRunner):

        def stop(environment: Environment, msg: Any, **_: Any) -> None:
            if environment.runner is not None:
                environment.runner.stop()  # its users finish their sends; test_stop sends the ledger

        environment.runner.register_message(STOP_MESSAGE, stop, concurrent=True)


def _started(environment: Environment, **_: Any) -> None:
    # Locust's own --run-time quits a master before its workers have stopped their users (and
    # sent their ledgers); stopping first waits for every worker, then the master judges.
    seconds = float(getattr(environment.parsed_options, "mockgenesys_run_time", 0.0) or 0.0)
    if seconds > 0 and not isinstance(environment.runner, WorkerRunner):
        gevent.spawn_later(seconds, _finish, environment)


def _finish(environment: Environment) -> None:
    """Stop the workers' users, wait for their ledgers, then stop here (which judges) and quit."""
    runner = environment.runner
    if runner is None:
        return
    if isinstance(runner, MasterRunner):
        state = state_of(environment)
        workers = runner.worker_count
        runner.send_message(STOP_MESSAGE)
        deadline = time.monotonic() + environment.stop_timeout + LEDGER_GRACE_SECONDS
        while state.reported < workers and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if state.reported < workers:
            print(f"note: {workers - state.reported} worker(s) sent no ledger; their guests are not judged.")
        runner.stop(send_stop_to_client=False)
    else:
        runner.stop()
    gevent.sleep(float(getattr(environment.parsed_options, "mockgenesys_linger", 0.0) or 0.0))
    runner.quit()
    if environment.web_ui is not None:  # with the web UI, Locust waits for the page's server
        environment.web_ui.stop()  # type: ignore[no-untyped-call]


def _stopped(environment: Environment, **_: Any) -> None:
    state = state_of(environment)
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.send_message(LEDGER_MESSAGE, state.ledger.to_dict())
        state.ledger = Ledger()
        return
    if getattr(environment.parsed_options, "mockgenesys_judge", "on") != "on":
        return
    verdict = _judge(environment, state)
    if verdict is None:
        return
    state.verdict = verdict
    for line in verdict.lines():
        print(line, file=sys.stderr, flush=True)
    path = getattr(environment.parsed_options, "mockgenesys_verdict", "")
    if path:
        Path(path).write_text(json.dumps(verdict.to_dict(), indent=1) + "\n", encoding="utf-8")
    if not verdict.passed:
        environment.process_exit_code = 1


events.init_command_line_parser.add_listener(_add_options)  # type: ignore[no-untyped-call]
events.init.add_listener(_init)  # type: ignore[no-untyped-call]
events.test_start.add_listener(_started)  # type: ignore[no-untyped-call]
events.test_stop.add_listener(_stopped)  # type: ignore[no-untyped-call]


def _judge(environment: Environment, state: LoadState) -> Verdict | None:
    token = getattr(environment.parsed_options, "mockgenesys_admin_token", "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(f"{environment.host}/__admin/world", headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        print(f"not judged: the target's /__admin/world could not be read ({exc!r}).", file=sys.stderr)
        return None
    if response.status_code != 200:
        print(
            f"not judged: {environment.host}/__admin/world answered {response.status_code} "
            "(only a mockgenesys target can judge lost and duplicated messages).",
            file=sys.stderr,
        )
        return None
    return judge(state.ledger, stored_texts(response.json()))


def _pick(rng: random.Random, load: UserLoad) -> str:
    names = [name for name, weight in load.tasks.items() if weight]
    return rng.choices(names, weights=[load.tasks[name] for name in names])[0]


class _ConfiguredUser(FastHttpUser):
    abstract = True
    #: The single Locust task picks one of the config's tasks by weight, so the file decides the mix.
    kind = "guest"

    def __init__(self, environment: Environment) -> None:
        self.state = state_of(environment)
        # Each user stays on one worker of a `serve --workers N` mock: its session lives there.
        self.serial, self.host = self.state.next_user(environment.host or self.host or "")
        super().__init__(environment)
        self.load = getattr(self.state.config, self.kind)
        self.rng = random.Random()

    def wait_time(self) -> float:
        low, high = self.load.think_time
        return self.rng.uniform(low, high)

    def record(
        self, kind: str, name: str, started: float, *, length: int = 0, error: BaseException | None = None
    ) -> None:
        """Report one request to Locust's statistics."""
        self.environment.events.request.fire(
            request_type=kind,
            name=name,
            response_time=(time.perf_counter() - started) * 1000.0,
            response_length=length,
            exception=error,
            context={},
        )

    @task
    def act(self) -> None:
        getattr(self, _pick(self.rng, self.load))()


class GuestUser(_ConfiguredUser):
    """A web-messaging guest: session, messages with exactly-once confirmation, JWT, history, reconnects."""

    kind = "guest"
    weight = 10

    def on_start(self) -> None:
        options = self.state.options
        self.guest = GuestSession(
            self.host or "",
            options.mockgenesys_deployment,
            f"load {self.state.tag} g{self.serial}",
            ledger=self.state.ledger,
            record=self.record,
            http_get=self._get,
        )
        try:
            self.guest.start()
        except (SocketLost, ProtocolError):
            self.guest.close()
            raise StopUser() from None

    def on_stop(self) -> None:
        self.guest.close()

    def _get(self, path: str, params: dict[str, Any], headers: dict[str, str], name: str) -> tuple[int, Any]:
        with self.client.get(path, params=params, headers=headers, name=name, catch_response=True) as response:
            status = int(response.status_code or 0)
            if status == 401:
                response.success()  # an expired JWT is part of the protocol: refreshed and retried
            try:
                body = response.json() if status == 200 else None
            except ValueError:
                body = None
            return status, body

    def send(self) -> None:
        if self.guest.sent >= self.load.max_messages:
            return
        self._safely(self.guest.send)

    def history(self) -> None:
        self._safely(self.guest.history_texts)

    def refresh_jwt(self) -> None:
        self._safely(self.guest.refresh_jwt)

    def reconnect(self) -> None:
        self._safely(self.guest.reconnect)

    def _safely(self, action: Any) -> None:
        # A refused or lost request is already in the statistics; the guest carries on.
        try:
            action()
        except (SocketLost, ProtocolError):
            self.guest.close()


class PlatformUser(_ConfiguredUser):
    """A backend integration: client credentials, then REST reads; a new token on 401 or near expiry."""

    kind = "platform"
    weight = 1

    def on_start(self) -> None:
        self.token = ""
        self.expires = 0.0
        self.contacts: list[str] = []

    def _login(self) -> None:
        options = self.state.options
        with self.client.post(
            "/oauth/token",
            data="grant_type=client_credentials",
            headers={"Content-Type": FORM},
            auth=(options.mockgenesys_client_id, options.mockgenesys_client_secret),
            name="POST /oauth/token",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"token request answered {response.status_code}")
                return
            body = response.json()
            self.token = str(body.get("access_token", ""))
            self.expires = time.monotonic() + float(body.get("expires_in", 0)) - 60
        self.state.ledger.count_reauth("oauth_token")

    def _get(self, path: str, name: str, params: dict[str, Any] | None = None) -> Any:
        if not self.token or time.monotonic() > self.expires:
            self._login()
        for _ in range(2):
            with self.client.get(
                path, params=params, headers={"Authorization": f"Bearer {self.token}"}, name=name, catch_response=True
            ) as response:
                if response.status_code == 401:
                    response.success()
                    self._login()
                    continue
                try:
                    return response.json() if response.status_code == 200 else None
                except ValueError:
                    response.failure("the body is not JSON")
                    return None
        return None

    def get_conversation(self) -> None:
        conversations = [c for c in self.state.options.mockgenesys_conversations.split(",") if c]
        if conversations:
            conversation = self.rng.choice(conversations)
            self._get(f"/api/v2/conversations/messages/{conversation}", "GET /api/v2/conversations/messages/{id}")

    def search_contacts(self) -> None:
        body = self._get(
            "/api/v2/externalcontacts/contacts",
            "GET /api/v2/externalcontacts/contacts",
            {"q": self.rng.choice("aeiou")},
        )
        if isinstance(body, dict):
            self.contacts = [str(c["id"]) for c in body.get("entities", []) if isinstance(c, dict) and "id" in c]

    def get_contact(self) -> None:
        if not self.contacts:
            self.search_contacts()
        if self.contacts:
            contact = self.rng.choice(self.contacts)
            self._get(f"/api/v2/externalcontacts/contacts/{contact}", "GET /api/v2/externalcontacts/contacts/{id}")

    def organization(self) -> None:
        self._get("/api/v2/organizations/me", "GET /api/v2/organizations/me")
