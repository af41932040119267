"""Run every README and docs example the way a downstream project would, from outside the repo.

    python docs_examples.py REPO_ROOT WORKDIR

Run with the interpreter of a fresh venv holding only ``pip install mockgenesys-<version>.whl``
(no extras): it proves that a plain install runs the examples unchanged. Only the standard
library is used here.

- a `````python`` block is a script: it runs in WORKDIR/python and must exit 0;
- a `````py`` block is a test file whose first line says ``# expected: passed=N failed=M``: it runs
  with ``python -m pytest`` in a folder of its own with no pytest configuration at all, and the
  outcome must be exactly that;
- a `````bash`` block of the README (except the two set-up commands, which CI runs itself) or one
  of ``curl`` calls to the served mock (``:8765``) runs in WORKDIR/shell with ``mockgenesys serve
  --port 8765 --seed 7`` running, and must exit 0. Other shell blocks are command synopses or use
  the repository's own files; they are listed as not run.

The README's whole-library chaos run must leave a report.html under 300 KB.
An example that needs an optional extra (``pip install 'mockgenesys[sdk]'``) is listed as not run
when that extra is missing. Exit status 1 when any example fails.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
SETUP = "python3 -m venv"
SERVED = ":8765"
PORT = "8765"
TIMEOUT = 600
#: The chaos report of the README's whole-library run must stay this small (bytes).
REPORT_LIMIT = 300_000
#: Modules that only an optional extra installs, and the extra.
EXTRAS = {"PureCloudPlatformClientV2": "sdk"}
OUTCOME = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


@dataclass(frozen=True)
class Example:
    """One fenced block: where it is, its language and its code."""

    doc: str
    index: int
    language: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.doc}[{self.index}]"

    @property
    def slug(self) -> str:
        return re.sub(r"\W+", "_", f"{Path(self.doc).stem}_{self.index}").lower()


def collect(root: Path) -> list[Example]:
    """Every fenced block of README.md and docs/*.md, numbered per document and language."""
    found = []
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        counts: dict[str, int] = {}
        for match in BLOCK.finditer(path.read_text(encoding="utf-8")):
            language = match.group(1)
            counts[language] = counts.get(language, 0) + 1
            found.append(Example(str(path.relative_to(root)), counts[language] - 1, language, match.group(2)))
    return found


def not_run_reason(example: Example) -> str | None:
    """Why ``example`` is not run downstream, or None when it is."""
    if example.language not in ("python", "py", "bash"):
        return "not code (output, data or a diagram)"
    if example.language == "bash":
        if SETUP in example.code:
            return "a set-up command: CI runs it itself"
        if example.doc != "README.md" and not _calls_the_served_mock(example.code):
            return "a command synopsis or a command on the repository's own files"
    for module, extra in EXTRAS.items():
        if re.search(rf"\b(import|from) {module}\b", example.code) and importlib.util.find_spec(module) is None:
            return f"needs the {extra} extra (pip install 'mockgenesys[{extra}]')"
    return None


def _calls_the_served_mock(code: str) -> bool:
    """Every command of the block is a ``curl`` to the served mock (``:8765``)."""
    commands = [line for line in code.splitlines() if line.strip() and not line.lstrip().startswith(("#", "-"))]
    starts = [line for n, line in enumerate(commands) if n == 0 or not commands[n - 1].rstrip().endswith("\\")]
    return bool(starts) and SERVED in code and all(line.lstrip().startswith("curl ") for line in starts)


def expected_outcome(example: Example) -> dict[str, int]:
    head = re.match(r"# expected: (.*)\n", example.code)
    if head is None:
        raise SystemExit(f"{example.name}: a ```py example must start with '# expected: passed=N'")
    return {key: int(value) for key, value in (item.split("=") for item in head.group(1).split())}


def outcome_of(output: str) -> dict[str, int]:
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    counts = {kind: int(number) for number, kind in OUTCOME.findall(summary)}
    if "error" in counts:
        counts["errors"] = counts.pop("error")
    return counts


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def run_example(example: Example, work: Path, env: dict[str, str]) -> str | None:
    """Run one example; None when it did what it should, else what went wrong."""
    if example.language == "python":
        script = work / "python" / f"{example.slug}.py"
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(example.code, encoding="utf-8")
        done = run([sys.executable, script.name], script.parent, env)
        return None if done.returncode == 0 else f"exit {done.returncode}\n{done.stdout}{done.stderr}"
    if example.language == "py":
        folder = work / "pytest" / example.slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"test_{example.slug}.py").write_text(example.code, encoding="utf-8")
        done = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], folder, env)
        expected, got = expected_outcome(example), outcome_of(done.stdout)
        return None if got == expected else f"expected {expected}, got {got}\n{done.stdout}{done.stderr}"
    done = run(["bash", "-e", "-o", "pipefail", "-c", example.code], work / "shell", env)
    return None if done.returncode == 0 else f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def serve(work: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """``mockgenesys serve --port 8765 --seed 7`` (the README's), once it accepts connections."""
    work.mkdir(parents=True, exist_ok=True)
    info = work / "serve-info.json"
    command = [shutil.which("mockgenesys", path=env["PATH"]) or "mockgenesys", "serve", "--port", PORT, "--seed", "7"]
    server = subprocess.Popen(
        [*command, "--quiet", "--info-file", str(info)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not info.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"mockgenesys serve did not start: {server.stderr.read() if server.stderr else ''}")
        time.sleep(0.1)
    return server


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    root, work = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    if work.is_relative_to(root):
        raise SystemExit(f"WORKDIR {work} must be outside the repository {root}: examples run downstream.")
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the README's shell examples; install it (apt-get install curl).")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    examples = collect(root)
    failures: list[str] = []
    ran = 0
    server = serve(work, env)
    try:
        for example in examples:
            reason = not_run_reason(example)
            if reason is not None:
                print(f"not run  {example.name} ({example.language}): {reason}")
                continue
            started = time.monotonic()
            problem = run_example(example, work, env)
            ran += 1
            verdict = "ok      " if problem is None else "FAILED  "
            print(f"{verdict} {example.name} ({example.language}) in {time.monotonic() - started:.1f} s", flush=True)
            if problem is not None:
                failures.append(f"{example.name}:\n{problem}")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    report = work / "shell" / "out" / "report.html"  # the README's whole-library run at 100 guests
    if report.exists() and report.stat().st_size >= REPORT_LIMIT:
        failures.append(
            f"{report}: {report.stat().st_size} bytes; the whole library's report must stay under {REPORT_LIMIT}"
        )
    for failure in failures:
        print(f"\n--- {failure}", file=sys.stderr)
    print(f"{ran - len(failures)} of {ran} examples ran as documented from {work}.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
