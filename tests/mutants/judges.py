"""The three judges of issue 13, each run on one client and turned into a ``Verdict``.

- ``judge_chaos``: every built-in chaos scenario (``builtin_scenarios()``) through
  ``run_scenario(adapter_factory=...)``, at most ``guests`` guests each; a platform client through
  the scenarios with a platform workload (``platform_factory=...``).
- ``judge_machine``: ``mockgenesys.stateful.reauth_machine`` (guests) or ``platform_machine``
  (platform clients) with a bounded, derandomized hypothesis budget, in a fresh interpreter.
- ``judge_strict``: ``strict_cases.py`` in one pytest subprocess (strict grading, no
  assertions on the mock), every case of a client's kind against every client asked for.

Everything is deterministic: the same budget gives the same verdicts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import types
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from mockgenesys.chaos import AdapterFactory, PlatformFactory, Scenario, builtin_scenarios, run_scenario
from mockgenesys.stateful import platform_machine, reauth_machine

from .baseline_guest import BaselineGuest
from .baseline_platform import BaselinePlatform
from .catalogue import ReferenceGuest, ReferencePlatform, Subject
from .strict_cases import SUBJECTS_ENV
from .verdicts import Finding, Verdict

ROOT = Path(__file__).resolve().parents[2]
STRICT_CASES = Path(__file__).resolve().with_name("strict_cases.py")
RULE_TAG = re.compile(r"\[([a-z_0-9]+)\]")
GRADING_INVARIANTS = ("conformance", "retry_after_honoured", "retries_bounded")
#: Environment a nested pytest must not inherit from the pytest that may be running us.
NESTED_PYTEST_ENV = ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT")
STRICT_EXIT_OK = (0, 1, 5)  # passed, some failed, nothing selected

Client = Subject


class HarnessError(Exception):
    """A judge could not run at all (not a verdict about a client); the message says why."""


@dataclass(frozen=True)
class Budget:
    """How hard each judge looks: chaos guests per scenario, hypothesis examples and steps,
    and whether strict cases that need a live loopback server run."""

    chaos_guests: int = 4
    machine_examples: int = 30
    machine_steps: int = 20
    strict_live: bool = True


# ---------------------------------------------------------------------- chaos
def judge_chaos(subject: str, cls: Client, *, guests: int, scenarios: list[Scenario] | None = None) -> Verdict:
    """Run the scenarios with ``cls`` as every guest (a guest client: every scenario) or as the
    platform workload's adapter (a platform client: the scenarios with a ``platform`` section,
    their guests on the client core); a failed invariant is a finding."""
    platform = issubclass(cls, (BaselinePlatform, ReferencePlatform))
    started = time.perf_counter()
    findings: list[Finding] = []
    for scenario in scenarios if scenarios is not None else builtin_scenarios():
        if platform and scenario.platform is None:
            continue
        guest_count = min(guests, scenario.guests)
        if platform:
            result = run_scenario(scenario, guests=guest_count, platform_factory=cast(PlatformFactory, cls))
        else:
            result = run_scenario(scenario, guests=guest_count, adapter_factory=cast(AdapterFactory, cls))
        if result.aborted:
            findings.append(Finding(scenario.name, "aborted", result.aborted))
        for invariant in result.invariants:
            if invariant.passed:
                continue
            what = invariant.name
            if invariant.name in GRADING_INVARIANTS:
                rules = sorted(set(RULE_TAG.findall(" ".join(invariant.evidence))))
                what += f"[{','.join(rules)}]" if rules else ""
            first = invariant.evidence[0] if invariant.evidence else invariant.summary
            findings.append(Finding(scenario.name, what, first))
    return Verdict("chaos", subject, findings, seconds=time.perf_counter() - started)


# ---------------------------------------------------------------------- state machine
def judge_machine(subject: str, *, examples: int, steps: int) -> Verdict:
    """Run ``run_machine`` on the client named ``subject`` in a fresh interpreter.

    Hypothesis mixes constants from every local module loaded so far into what it generates, so a
    derandomized search in a process that had imported more (pytest, a pool worker that ran a
    chaos judge first, which depends on scheduling and so on the machine's load) tries other
    examples. A fresh interpreter loads the same modules every time: the verdict depends on the
    client and the budget only.
    """
    command = [sys.executable, "-m", "tests.mutants.judges", subject, str(examples), str(steps)]
    env = {k: v for k, v in os.environ.items() if k not in NESTED_PYTEST_ENV}
    env["PYTHONHASHSEED"] = "0"  # set iteration order is an input too
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise HarnessError(f"the state-machine judge could not run on {subject} (exit {done.returncode}):\n{tail}")
    data = json.loads(lines[-1])
    findings = [Finding(**finding) for finding in data.pop("findings")]
    return Verdict(**data, findings=findings)


def run_machine(subject: str, cls: Client, *, examples: int, steps: int) -> Verdict:
    """Run ``reauth_machine(cls.for_mock)`` for a guest client, ``platform_machine(cls.for_mock)`` for a
    platform client, in this process; the first failure hypothesis finds is the finding."""
    machine: type[RuleBasedStateMachine]
    if issubclass(cls, (BaselineGuest, ReferenceGuest)):
        machine = reauth_machine(cls.for_mock, name=f"{subject}Machine")
    else:
        machine = platform_machine(cls.for_mock, name=f"{subject}Machine")
    budget = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),  # no shrinking: the verdict, not the smallest example
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    started = time.perf_counter()
    findings: list[Finding] = []
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # hypothesis prints the falsifying example
            run_state_machine_as_test(machine, settings=budget)
    except Flaky as exc:
        findings.append(Finding("(flaky)", "Flaky", _first_line(exc)))
    except Exception as exc:
        findings.append(_machine_finding(exc, machine))
    return Verdict("machine", subject, findings, seconds=time.perf_counter() - started)


def _machine_finding(exc: BaseException, machine: type[RuleBasedStateMachine]) -> Finding:
    steps = {name for name in dir(machine) if not name.startswith("_")}
    where = "(outside a step)"
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name in steps:
            where = tb.tb_frame.f_code.co_name  # the innermost step or invariant that failed
        tb = tb.tb_next
    if isinstance(exc, AssertionError):
        rules = sorted(set(RULE_TAG.findall(str(exc))))
        what = f"assert[{','.join(rules)}]" if rules else "assert"
    else:
        what = f"raised {type(exc).__name__}"
    return Finding(where, what, _first_line(exc))


# ---------------------------------------------------------------------- strict pytest
def start_strict(subjects: list[str], *, live: bool, workdir: Path) -> subprocess.Popen[str]:
    """Start ``strict_cases.py`` for ``subjects`` in a pytest subprocess (see ``judge_strict``)."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(STRICT_CASES.relative_to(ROOT)),
        "-q",
        "-p",
        "no:cacheprovider",
        "--junitxml",
        str(workdir / "junit.xml"),
        "--genesys-report",
        str(workdir / "reports"),
    ]
    if not live:
        command += ["-m", "not live"]
    env = {k: v for k, v in os.environ.items() if k not in NESTED_PYTEST_ENV}
    env[SUBJECTS_ENV] = ",".join(subjects)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_strict(process: subprocess.Popen[str], subjects: list[str], workdir: Path) -> dict[str, Verdict]:
    """Wait for ``process`` and read its JUnit XML and conformance reports into verdicts."""
    output, _ = process.communicate()
    junit = workdir / "junit.xml"
    if process.returncode not in STRICT_EXIT_OK or not junit.exists():
        tail = "\n".join(output.splitlines()[-20:])
        raise HarnessError(f"the strict-pytest judge could not run (pytest exit {process.returncode}):\n{tail}")
    violations: dict[str, list[dict[str, str]]] = {}
    for path in (workdir / "reports").glob("*.conformance.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        violations[_test_id(data["test"])] = data["violations"]
    verdicts = {s: Verdict("strict", s) for s in subjects}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        test = _test_id(case.get("name", ""))
        subject, _, name = test.partition("-")
        verdict = verdicts.get(subject)
        if verdict is None:
            continue
        verdict.seconds += float(case.get("time") or 0.0)
        failure = case.find("failure")
        error = case.find("error")
        if failure is None and error is None:
            continue
        rules: dict[str, str] = {}
        for violation in violations.get(test, []):
            rules.setdefault(violation["rule"], violation["message"])
        verdict.findings += [Finding(name, rule, message) for rule, message in sorted(rules.items())]
        problem = failure if failure is not None else error
        assert problem is not None
        message = problem.get("message") or ""
        if "genesys(strict=True) found conformance violations" not in message:
            raised = message.split(":", 1)[0].rsplit(".", 1)[-1] or "failure"
            what = f"raised {raised}" if error is None else f"error {raised}"
            verdict.findings.append(Finding(name, what, _first_line(message), counts=False))
    return verdicts


def judge_strict(subjects: list[str], *, live: bool = True) -> dict[str, Verdict]:
    """Every strict case of each client's kind against each of ``subjects`` (one subprocess)."""
    with tempfile.TemporaryDirectory(prefix="mutants-strict-") as tmp:
        workdir = Path(tmp)
        return finish_strict(start_strict(subjects, live=live, workdir=workdir), subjects, workdir)


def _test_id(name: str) -> str:
    """``test_guest[Subject-case]`` (or a node id ending so) -> ``Subject-case``."""
    return name[name.index("[") + 1 : name.rindex("]")] if "[" in name else name


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0][:300] if text else type(value).__name__


def _machine_main(argv: list[str]) -> int:
    """``python -m tests.mutants.judges NAME EXAMPLES STEPS``: one machine verdict as a JSON line."""
    from .catalogue import subject as named

    name, examples, steps = argv
    verdict = run_machine(name, named(name), examples=int(examples), steps=int(steps))
    print(json.dumps(asdict(verdict)))
    return 0


if __name__ == "__main__":
    sys.exit(_machine_main(sys.argv[1:]))
