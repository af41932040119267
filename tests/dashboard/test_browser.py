"""The dashboard in a real headless Chromium, driven by selenium against a live mock.

Under ``CI=true`` a missing browser, driver or selenium fails these tests (``.ci/run`` installs
them); elsewhere they are skipped. ``MOCKGENESYS_UPDATE_SCREENSHOT=1`` refreshes the pictures
in docs/images/ (on purpose only).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.serving import guest_ws_url

pytestmark = [pytest.mark.browser, pytest.mark.live]

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
CHROMIUM = ("chromium", "chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)
T = TypeVar("T")


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (.ci/run installs chromium, chromium-driver and the test extra)")
    pytest.skip(f"{what} is not installed (apt-get install -y chromium chromium-driver; pip install selenium)")


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium")
    binary = next(filter(None, map(shutil.which, CHROMIUM)), None)
    if binary is None:
        _missing("chromium")
    chromedriver = shutil.which("chromedriver") or (CHROMEDRIVER if Path(CHROMEDRIVER).exists() else None)
    if chromedriver is None:
        _missing("chromedriver (Debian's chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def wait(driver: Any, what: Callable[[], T], timeout: float = 10.0) -> T:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda _: what())


def errors(driver: Any, allowed: tuple[str, ...] = ()) -> list[str]:
    """The browser's console errors since the last call, but for failed requests the test provoked."""
    found = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return [message for message in found if not any(part in message for part in allowed)]


@contextmanager
def served(driver: Any, mock: MockGenesys) -> Iterator[tuple[str, httpx.Client]]:
    """``mock`` served live, and an HTTP client for it; the page is closed before the server stops."""
    driver.get_log("browser")  # what an earlier test left behind is not this test's
    with mock.serve() as url, httpx.Client(base_url=url) as http:
        try:
            yield url, http
        finally:
            driver.get("about:blank")


def open_page(driver: Any, url: str, width: int = 1400, height: int = 1000) -> None:
    driver.set_window_size(width, height)
    driver.get(url + "/__admin/")
    wait(driver, lambda: driver.find_element("id", "feed-status").get_attribute("data-state") == "live")


def rows(driver: Any) -> list[list[str]]:
    """The journal rows the table renders, as the text of their cells."""
    script = (
        "return [...document.querySelectorAll('#journal-rows .row:not([hidden])')]"
        ".map(r => [...r.children].map(c => c.textContent))"
    )
    found: list[list[str]] = driver.execute_script(script)
    return found


def text(driver: Any, element_id: str) -> str:
    found: str = driver.find_element("id", element_id).text
    return found


def tab(driver: Any, name: str) -> None:
    driver.find_element("css selector", f"[data-tab={name}]").click()


def token(http: httpx.Client, mock: MockGenesys) -> int:
    response = http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
    )
    return response.status_code


def fill(driver: Any, selector: str, value: str) -> None:
    field = driver.find_element("css selector", selector)
    field.clear()
    field.send_keys(value)


def test_browser_dashboard_shows_requests_faults_clock_and_findings(driver: Any) -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock())
    with served(driver, mock) as (url, http):
        open_page(driver, url)
        # A request the test makes shows up, pushed.
        assert token(http, mock) == 200
        wait(driver, lambda: any(r[4] == "oauth.token" and r[5] == "200" for r in rows(driver)))
        assert text(driver, "clock-now") == "2026-01-01 00:00:00.000Z"

        # Add a fault through the form: first refused with the admin API's own words, then accepted.
        tab(driver, "faults")
        fill(driver, "[name='match.endpoint']", "oauth.token")
        fill(driver, "[name='when.times']", "twice")
        fill(driver, "[name=then]", '{"status": 429, "retry_after": 30}')
        driver.find_element("css selector", "#fault-form [type=submit]").click()
        wait(driver, lambda: text(driver, "fault-error") == "when.times: must be a whole number >= 1, got 'twice'")
        assert driver.find_element("css selector", "[name='when.times']").get_attribute("aria-invalid") == "true"
        fill(driver, "[name='when.times']", "2")
        driver.find_element("css selector", "#fault-form [type=submit]").click()
        wait(driver, lambda: "rule-1" in text(driver, "faults-table"))
        assert text(driver, "fault-error") == "" and [r.id for r in mock.faults] == ["rule-1"]

        # The client ignores Retry-After: the conformance report says so, linked to the rows.
        assert [token(http, mock) for _ in range(3)] == [429, 429, 200]
        tab(driver, "conformance")
        wait(driver, lambda: "retry_after (2)" in text(driver, "conformance-list"))
        first = mock.journal.calls("oauth.token", status=429)[0].seq
        link = driver.find_element("css selector", "#conformance-list .entry-link")
        assert link.text == f"#{first} POST oauth.token → 429"
        link.click()
        wait(driver, lambda: text(driver, "journal-detail").startswith(f"#{first} POST oauth.token → 429"))
        detail = text(driver, "journal-detail")
        assert "fault\nrule-1" in detail and "retry_after\n30" in detail and "[retry_after]" in detail
        selected = driver.find_element("css selector", "#journal-rows .row[aria-selected=true]")
        assert selected.get_attribute("data-seq") == str(first)

        # Remove the fault through the page.
        tab(driver, "faults")
        driver.find_element("css selector", "#faults-table button.danger").click()
        wait(driver, lambda: "No fault rules" in text(driver, "faults-table"))
        assert not mock.faults

        # The clock: a preset, a value with a unit, and a refused value.
        driver.find_element("css selector", "[data-advance='60']").click()
        wait(driver, lambda: text(driver, "clock-now") == "2026-01-01 00:01:00.000Z")
        fill(driver, "#clock-amount", "2")
        driver.find_element("css selector", "#clock-unit option[value='3600']").click()
        driver.find_element("css selector", "#clock-form [type=submit]").click()
        wait(driver, lambda: text(driver, "clock-now") == "2026-01-01 02:01:00.000Z")
        assert mock.clock.now() == VirtualClock().now() + 7260
        fill(driver, "#clock-amount", "soon")
        driver.find_element("css selector", "#clock-form [type=submit]").click()
        wait(driver, lambda: text(driver, "clock-error") == "seconds must be a finite number, got 'soon'.")

        # Only the two refusals the test provoked reached the console (as failed requests).
        assert errors(driver, allowed=("/__admin/faults - Failed", "/__admin/clock/advance - Failed")) == []

    if os.environ.get("MOCKGENESYS_UPDATE_SCREENSHOT"):  # refresh the pictures in docs/ on purpose only
        screenshots(driver)


def test_browser_dashboard_on_a_narrow_window_under_load_with_an_admin_token(driver: Any) -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock(), admin_token="s3cret", limits={"enabled": False})
    with served(driver, mock) as (url, http):
        driver.set_window_size(420, 900)
        driver.get(url + "/__admin/")
        # The page asks for the token, keeps it for this tab and then goes live.
        wait(driver, lambda: driver.find_element("id", "token-dialog").get_attribute("open") is not None)
        fill(driver, "#token-form [name=token]", "s3cret")
        driver.find_element("css selector", "#token-form [type=submit]").click()
        wait(driver, lambda: driver.find_element("id", "feed-status").get_attribute("data-state") == "live")

        # Thousands of rows: the table renders a window of them, the counts say how many.
        for _ in range(2000):
            token(http, mock)
        wait(driver, lambda: text(driver, "journal-shown").startswith("2,000 of 2,0"), timeout=20)
        assert len(rows(driver)) < 100 and rows(driver)[-1][0] == str(mock.journal.calls("oauth.token")[-1].seq)
        width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], "the page scrolls sideways on a narrow window"

        # Filters: a status class and a guest session from the world.
        fill(driver, "#filters [name=status]", "5xx")
        wait(driver, lambda: text(driver, "journal-shown").startswith("0 of"))
        fill(driver, "#filters [name=status]", "soon")
        wait(driver, lambda: "status takes numbers or classes" in text(driver, "filter-error"))

        # An agent reply from the world tab reaches the conversation.
        from selenium.webdriver.common.keys import Keys

        tab(driver, "world")
        conversation = next(c for c in reversed(mock.world.conversations.values()) if c.is_active)
        box = wait(driver, lambda: driver.find_element("css selector", f"input[data-conversation='{conversation.id}']"))
        box.send_keys("Hello from the dashboard", Keys.ENTER)
        wait(driver, lambda: conversation.messages[-1].text == "Hello from the dashboard")
        wait(driver, lambda: "agent: Hello from the dashboard" in text(driver, "world-conversations"))
        assert errors(driver, allowed=("/__admin/events - Failed",)) == []
        if os.environ.get("MOCKGENESYS_UPDATE_SCREENSHOT"):
            IMAGES.mkdir(parents=True, exist_ok=True)
            tab(driver, "journal")
            driver.find_element("css selector", "#filters [type=reset]").click()
            driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(str(IMAGES / "dashboard-narrow.png"))


def screenshots(driver: Any) -> None:
    """A minute of traffic worth looking at on a fresh mock, then one picture per tab for docs/dashboard.md."""
    from websockets.sync.client import connect

    mock = MockGenesys(seed=7, clock=VirtualClock(), limits={"org_history_per_second": 5})
    mock.add_fault({"match": {"endpoint": "conversations.history"}, "when": {"every": 13}, "then": {"status": 503}})
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "when": {"every": 4}, "then": {"ws": {"drop": True}}})
    conversation = next(iter(mock.world.conversations))
    history = f"/api/v2/conversations/messaging/{conversation}/messages"
    with served(driver, mock) as (url, http):
        open_page(driver, url)
        bearer = {"Authorization": f"Bearer {mock.issue_token()}"}
        for second in range(60):
            for _ in range(2 + second % 5):  # over the org's 5/s now and then: real 429s, retried too early
                http.get(history, headers=bearer)
            if second in (30, 31, 32):  # a re-login storm
                token(http, mock)
            if second % 20 == 5:
                with connect(guest_ws_url(url, mock.deployment_id)) as guest:
                    session = {"deploymentId": mock.deployment_id, "token": f"tok-{second}"}
                    guest.send(json.dumps({"action": "configureSession", **session}))
                    guest.recv()
                    for n in range(3):
                        message = {"type": "Text", "text": f"hi {n}"}
                        guest.send(json.dumps({"action": "onMessage", "token": session["token"], "message": message}))
            mock.clock.advance(1)
        IMAGES.mkdir(parents=True, exist_ok=True)
        wait(driver, lambda: text(driver, "conformance-count") != "")
        wait(driver, lambda: text(driver, "journal-count") == f"{len(mock.journal):,}")
        driver.execute_script(
            "[...document.querySelectorAll('#journal-rows .row')].find(r => r.children[8].textContent).click()"
        )
        driver.save_screenshot(str(IMAGES / "dashboard-journal.png"))
        for name in ("conformance", "faults", "limits", "world"):
            tab(driver, name)
            driver.save_screenshot(str(IMAGES / f"dashboard-{name}.png"))
