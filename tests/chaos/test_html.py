from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from chaos_adapters import WsGuest

from mockgenesys.chaos import GuestRecord, Raised, Scenario, load_builtin, run_scenario, write_reports
from mockgenesys.chaos.html import render_html
from mockgenesys.chaos.report import report_dict

SCREENSHOT = Path(__file__).parents[2] / "docs" / "images" / "chaos-report.png"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it with apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


@pytest.mark.browser
def test_report_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = chromium()
    result = run_scenario(load_builtin("storm-429-retry-after"), guests=12, adapter_factory=WsGuest)
    paths = write_reports([result], tmp_path)
    shot = tmp_path / "shot.png"
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", paths["html"].as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert dom.count("<svg") == 4 and "storm-429-retry-after" in dom and "PASS" in dom
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            "--window-size=1280,1400",
            paths["html"].as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a real page, not a blank one
    if os.environ.get("MOCKGENESYS_UPDATE_SCREENSHOT"):  # refresh the picture in docs/ on purpose only
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(data)


def test_html_marks_an_incomplete_run_and_names_the_adapters_errors() -> None:
    data = Scenario.from_dict(
        {"name": "h", "guests": 1, "workload": {"messages": 1}, "invariants": ["no_lost_message"]}
    )
    result = run_scenario(data, adapter_factory=WsGuest)
    result.records = [GuestRecord(0, "g0", 1, [], raised=[Raised("send", "RuntimeError: <boom>")])]
    page = render_html(report_dict([result], not_run=["next-one"]))
    assert "Incomplete: the run was cut short (Ctrl-C or an error). Not run: next-one." in page
    assert "The adapter's send raised RuntimeError: &lt;boom&gt; (1 time(s) in 1 guest(s))" in page
