from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks() -> list[tuple[str, int, str]]:
    found = []
    for path in DOCS:
        for n, match in enumerate(re.finditer(r"```python\n(.*?)```", path.read_text(), re.S)):
            found.append((path.name, n, match.group(1)))
    return found


@pytest.mark.parametrize(("name", "index", "code"), blocks(), ids=lambda v: str(v)[:20])
def test_docs_python_examples_run(name: str, index: int, code: str) -> None:
    exec(compile(code, f"{name}[{index}]", "exec"), {"__name__": f"docs_{index}"})


def test_docs_client_guest_example_prints_from_its_handler_under_its_fault(capsys: pytest.CaptureFixture[str]) -> None:
    name, index, code = next(block for block in blocks() if block[0] == "client.md" and "message_received" in block[2])
    assert "guest.ws.out.StructuredMessage" in code  # the example drops the socket on the first echo
    exec(compile(code, f"{name}[{index}]", "exec"), {"__name__": f"docs_{index}"})
    assert capsys.readouterr().out == "agent: Thanks! You said: Where is my order?\n"
