from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mockgenesys import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from mockgenesys.cli import build_parser, env_defaults, main


def test_cli_env_defaults() -> None:
    assert env_defaults({}) == {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET, "seed": 0}
    env = {"MOCKGENESYS_CLIENT_ID": "id", "MOCKGENESYS_CLIENT_SECRET": "s", "MOCKGENESYS_SEED": "9"}
    assert env_defaults(env) == {"client_id": "id", "client_secret": "s", "seed": 9}
    args = build_parser(env).parse_args(["serve"])
    assert (args.client_id, args.client_secret, args.seed, args.host, args.port) == ("id", "s", 9, "127.0.0.1", 8765)


def test_cli_bad_env_seed_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MOCKGENESYS_SEED", "seven")
    assert main(["serve"]) == 2
    assert "MOCKGENESYS_SEED must be a whole number" in capsys.readouterr().err


def test_cli_missing_world_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--world", str(tmp_path / "none.json")]) == 2
    assert "none.json does not exist; give the path of an existing file." in capsys.readouterr().err


@pytest.mark.live
@pytest.mark.parametrize("command", [["mockgenesys"], [sys.executable, "-m", "mockgenesys"]])
def test_cli_serve_runs_until_ctrl_c(tmp_path: Path, command: list[str]) -> None:
    info = tmp_path / "info.json"
    exe = [str(Path(sys.executable).parent / "mockgenesys")] if command == ["mockgenesys"] else command
    options = ["--seed", "7", "--info-file", str(info), "--client-id", "cli-id", "--journal-size", "2"]
    process = subprocess.Popen(
        [*exe, "serve", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not info.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        facts = json.loads(info.read_text())
        assert set(facts) >= {"base_url", "ws_url", "org_id", "deployment_id", "client_id", "client_secret"}
        assert facts["client_id"] == "cli-id" and facts["base_url"].startswith("http://127.0.0.1:")
        response = httpx.post(
            facts["base_url"] + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(facts["client_id"], facts["client_secret"]),
        )
        assert response.status_code == 200
        for _ in range(2):
            httpx.get(facts["base_url"] + "/api/v2/organizations/me")  # 401s, journaled
        journal = httpx.get(facts["base_url"] + "/__admin/journal").text.splitlines()  # JSON lines
        assert [json.loads(line)["endpoint"] for line in journal] == ["organizations.me"] * 2  # --journal-size 2
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert facts["base_url"] in out and facts["org_id"] in out and "Ctrl-C" in out


def test_cli_bad_faults_file_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "faults.yaml"
    rules.write_text("- then: {status: later}\n")
    assert main(["serve", "--port", "0", "--faults", str(rules)]) == 2
    assert "[0].then.status" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["serve", "--port", "99999"],
            "--port must be a whole number from 0 to 65535 (0 picks a free port), got '99999'.",
        ),
        (["serve", "--port", "eighty"], "--port must be a whole number from 0 to 65535"),
        (
            ["serve", "--host", "999.1.1.1"],
            "--host must be an IP address of this machine or localhost, got '999.1.1.1'",
        ),
        (["serve", "--seed", "-1"], "--seed must be a whole number from 0 to"),
        (
            ["serve", "--client-secret", ""],
            "--client-secret must not be empty; give a value or leave --client-secret out.",
        ),
        (["serve", "--client-id", " id"], "--client-id must not start or end with spaces"),
        (["serve", "--client-id", "a:b"], "--client-id must not contain ':'"),
        (["serve", "--admin-token", ""], "--admin-token must not be empty"),
        (["serve", "--token-ttl", "5"], "--token-ttl must be a whole number from 300 to 172800, got '5'."),
        (["serve", "--journal-size", "0"], "--journal-size must be a whole number from 1 to 10000000, got '0'."),
        (["serve", "--routing-delay", "-1"], "--routing-delay must be a number of seconds from 0 to 3600, got '-1'."),
        (["serve", "--routing-delay", "inf"], "--routing-delay must be a number of seconds"),
        (["serve", "--limit", "tokens_per_minute=5"], "is not a rate limit (did you mean token_per_minute"),
        (["serve", "--prot", "8000"], "unknown argument(s) --prot 8000; did you mean --port?"),
        (["serve", "--port"], "--port needs a value."),
        ([], "give a command after 'mockgenesys': serve, endpoints, openapi, chaos or load"),
        (["chaos"], "give a command after 'mockgenesys chaos': run, list, replay or merge"),
    ],
)
def test_cli_bad_values_are_one_sentence_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("mockgenesys: ") and captured.err.count("\n") == 1
    assert message in captured.err


def test_cli_output_and_input_files_are_checked_before_the_server_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0", "--info-file", str(tmp_path / "missing" / "info.json")]) == 2
    assert (
        f"the folder {tmp_path / 'missing'} does not exist; create it or give another path." in capsys.readouterr().err
    )
    (tmp_path / "afile").write_text("x")
    assert main(["serve", "--port", "0", "--info-file", str(tmp_path / "afile" / "info.json")]) == 2
    assert f"{tmp_path / 'afile'} is a file, not a folder" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--info-file", str(tmp_path)]) == 2
    assert "is a folder; give a file path such as" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--faults", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml does not exist; give the path of an existing file." in capsys.readouterr().err


def test_cli_port_in_use_says_pick_another_port(capsys: pytest.CaptureFixture[str]) -> None:
    from mockgenesys.serving import bind

    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    finally:
        taken.close()
    assert (
        capsys.readouterr().err
        == f"mockgenesys: port {port} on 127.0.0.1 is in use; pick another --port (0 picks a free one).\n"
    )


def test_cli_bind_errors_name_the_host_not_the_port() -> None:
    import errno
    import socket

    from mockgenesys.cliargs import bind_error

    assert "--host 10.9.9.9 is not an address of this machine" in str(
        bind_error("10.9.9.9", 0, OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"))
    )
    assert "--host ::2 is not an address" in str(bind_error("::2", 0, socket.gaierror(-2, "Name or service not known")))
    assert "port 80 needs privileges" in str(bind_error("127.0.0.1", 80, PermissionError(errno.EACCES, "denied")))


def test_cli_faults_file_with_an_unknown_endpoint_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "faults.yaml"
    rules.write_text("- {match: {endpoint: oauht.token}, then: {status: 503}}\n")
    assert main(["serve", "--port", "0", "--faults", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "[0].match.endpoint" in err and "did you mean 'oauth.token'?" in err and str(rules) in err


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    from mockgenesys import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"mockgenesys {__version__}\n"


def test_cli_endpoints_lists_every_id_of_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    from mockgenesys.server.endpoints import UNFAULTABLE, endpoint_catalogue

    assert main(["endpoints"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert listed == set(endpoint_catalogue().ids) | set(UNFAULTABLE)
    assert {"oauth.token", "organizations.me", "guest.ws.onMessage", "guest.ws.out.StructuredMessage"} <= listed
    assert main(["endpoints", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"id": "oauth.token", "method": "POST", "what": "/oauth/token"} in rows


def test_cli_errors_never_print_a_traceback(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).parent / "mockgenesys")
    (tmp_path / "info.json.partial").mkdir()  # the info file cannot be written once the server is up
    for args in (
        ["serve", "--port", "99999"],
        ["serve", "--port", "0", "--info-file", str(tmp_path / "no" / "i.json")],
        ["serve", "--port", "0", "--quiet", "--info-file", str(tmp_path / "info.json")],
    ):
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert "cannot be written (Is a directory); give a path in a writable folder." in done.stderr


# ---------------------------------------------------------------------- the README's tables come from the parsers
README = Path(__file__).resolve().parents[1] / "README.md"


def _commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def commands_table() -> str:
    rows = ["| command | does |", "|---|---|"]
    rows += [f"| `mockgenesys {c.dest}` | {c.help} |" for c in _commands(build_parser({}))._choices_actions]
    rows.append("| `mockgenesys --version` | print the version |")
    return "\n".join(rows)


def serve_table() -> str:
    serve = _commands(build_parser({})).choices["serve"]
    rows = ["| flag | default | meaning |", "|---|---|---|"]
    for action in serve._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        flag = action.option_strings[-1] + (f" {action.metavar}" if action.metavar else "")
        default = (
            "" if action.default is None or action.default is False or action.default == [] else f"`{action.default}`"
        )
        rows.append(f"| `{flag}` | {default} | {action.help} |")
    return "\n".join(rows)


def readme_block(name: str) -> str:
    match = re.search(rf"<!-- {name}: generated.*?-->\n(.*?)\n<!-- /{name} -->", README.read_text(), re.S)
    assert match is not None, f"README.md has no <!-- {name}: generated … --> block"
    return match.group(1)


@pytest.mark.parametrize(("name", "table"), [("commands", commands_table), ("serve flags", serve_table)])
def test_cli_readme_tables_are_the_parsers(name: str, table: Callable[[], str]) -> None:
    expected = table()
    assert readme_block(name) == expected, f"paste this into README.md's {name} block:\n{expected}"


def test_cli_readme_keeps_exactly_two_setup_commands() -> None:
    setup = README.read_text().split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", setup, re.S)
    assert len(commands) == 2 and all(c.count("\n") == 1 for c in commands)
