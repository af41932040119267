"""``mockgenesys load``: options checked before Locust starts, and the Locust command line it builds."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockgenesys import MockGenesys
from mockgenesys.cli import build_parser, main
from mockgenesys.load.cli import LOCUSTFILE, cmd_load, locust_argv


def _args(*argv: str) -> list[str]:
    return locust_argv(build_parser({}).parse_args(["load", *argv]), environ={})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[MockGenesys, str]]:
    mock = MockGenesys(seed=5)
    with mock.serve() as url:
        yield mock, url


@pytest.mark.live
def test_load_cli_reads_the_deployment_from_the_mock_and_keeps_every_run_bounded(
    served: tuple[MockGenesys, str],
) -> None:
    mock, url = served
    argv = _args("--host", url, "--users", "200", "--run-time", "3", "--master", "--expect-workers", "2")
    assert argv[:4] == [sys.executable, "-m", "locust", "-f"] and argv[4] == str(LOCUSTFILE)
    options = dict(itertools.pairwise(argv))
    assert options["--host"] == url and options["--users"] == "200" and options["--mockgenesys-run-time"] == "3"
    assert options["--mockgenesys-deployment"] == mock.deployment_id
    assert options["--master-bind-host"] == "127.0.0.1" and options["--expect-workers"] == "2"
    assert options["--mockgenesys-client-id"] == mock.client_id
    assert json.loads(options["--mockgenesys-config"])["guest"]["weight"] == 10
    assert "--headless" in argv and argv[-2:] == ["GuestUser", "PlatformUser"]


def test_load_cli_worker_takes_everything_from_its_master() -> None:
    argv = _args("--worker", "--master-port", "6000")
    assert argv[-5:] == ["--worker", "--master-host", "127.0.0.1", "--master-port", "6000"]


def test_load_cli_drops_user_classes_of_weight_zero(tmp_path: Path) -> None:
    (tmp_path / "load.yaml").write_text("guest: {weight: 0}\n", encoding="utf-8")
    argv = _args("--host", "http://127.0.0.1:9", "--config", str(tmp_path / "load.yaml"))
    assert argv[-1] == "PlatformUser" and "GuestUser" not in argv


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--host", "http://10.1.2.3:8765"], "is not on this machine; load goes to loopback addresses"),
        (["--users", "0", "--host", "http://127.0.0.1:1"], "--users must be a whole number from 1 to 100000"),
        (["--worker", "--master"], "--master and --worker exclude each other"),
        (["--worker", "--host", "http://127.0.0.1:1"], "--worker takes its --host"),
        (["--worker", "--master-host", "10.0.0.2"], "--master-host 10.0.0.2 would listen beyond this machine"),
        (
            ["--master", "--master-bind-host", "0.0.0.0", "--host", "http://127.0.0.1:1", "--deployment-id", "d"],
            "would listen",
        ),
        ([], "give --host URL"),
        (["--host", "http://127.0.0.1:1"], "cannot be reached (ConnectError); start the mock"),
    ],
)
def test_load_cli_bad_options_are_one_sentence(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("mockgenesys: ")


def test_load_cli_hands_the_checked_command_to_the_runner() -> None:
    seen: list[list[str]] = []
    args = build_parser({}).parse_args(["load", "--worker"])
    assert cmd_load(args, run=lambda argv: seen.append(argv) or 7) == 7
    assert seen and "--worker" in seen[0]


@pytest.mark.live
def test_load_cli_a_target_without_admin_needs_a_deployment_id(capsys: pytest.CaptureFixture[str]) -> None:
    from starlette.applications import Starlette

    from mockgenesys.serving import serve_in_thread

    with serve_in_thread(Starlette()) as url:
        assert main(["load", "--host", url]) == 2
    assert "has no mockgenesys admin API to read a deployment from (answered 404); give --deployment-id." in (
        capsys.readouterr().err
    )


def test_load_cli_errors_never_print_a_traceback() -> None:
    exe = str(Path(sys.executable).parent / "mockgenesys")
    done = subprocess.run([exe, "load", "--host", "https://example.com"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_load_cli_without_locust_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "locust" else real(name, *a))
    assert main(["load", "--worker"]) == 2
    assert "install the extra with: pip install 'mockgenesys[load]'." in capsys.readouterr().err
