"""The report's charts: round ticks, real axes, bounded size, hover details; the whole library's page in Chromium."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from mockgenesys.chaos import charts, run_scenario, write_reports
from mockgenesys.chaos.library import builtin_scenarios
from mockgenesys.chaos.metrics import LOG_FLOOR, log_histogram

from .test_html import chromium

PAGE_LIMIT = 300_000


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        (17.3, [0, 5, 10, 15, 20]),
        (1150, [0, 250, 500, 750, 1000, 1250]),
        (3, [0, 1, 2, 3]),
        (0.29, [0, 0.1, 0.2, 0.3]),
        (0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_charts_ticks_are_round_and_cover_the_data(high: float, ticks: list[float]) -> None:
    assert charts.linear_ticks(high) == ticks


def test_charts_labels_and_log_scale() -> None:
    assert [charts.label(v) for v in (0, 2.5, 40, 1250, 3e6)] == ["0", "2.5", "40", "1.25k", "3M"]
    assert [charts.seconds_label(v) for v in (0.001, 0.25, 1, 30)] == ["1 ms", "250 ms", "1 s", "30 s"]
    assert charts.decade_ticks(0.056, 4.05) == [0.01, 0.1, 1.0, 10.0]
    scale = charts.Scale(0.01, 10.0, 100, 400, log=True)
    assert (scale(0.01), scale(0.1), scale(10.0)) == (100, 200, 400)


def test_log_histogram_gives_the_tail_its_own_room() -> None:
    values = [0.0] * 937 + [0.002, 0.01, 0.011, 0.49, 3.0]
    histogram = log_histogram(values)
    assert histogram["under"] == 937 and sum(histogram["counts"]) == 5
    chart = charts.log_histogram("t", histogram["under"], histogram["edges"], histogram["counts"], LOG_FLOOR)
    assert "937 message(s) stored in under 1 ms" in chart
    assert "1 message(s) took 1.78 s–3.16 s" in chart and "(log scale)" in chart


def test_stacked_bars_merge_buckets_and_carry_a_tip_per_column() -> None:
    stacks = {"2xx": [10] * 60, "429": [0] * 59 + [4]}
    chart = charts.stacked_bars("t", 30.0, 0.5, stacks, {"2xx": "s0", "429": "s2"}, "requests")
    assert chart.count('class="hit"') == 30  # 60 buckets drawn as 30 columns
    assert "29–30 s: 24 (20 2xx, 4 429)" in chart and "requests per 1 s" in chart


def test_dot_rows_stay_small_however_many_events() -> None:
    points = [charts.Point(i * 0.01, f"rule-{i % 8}", "firing", "fired on oauth.token") for i in range(50_000)]
    chart = charts.dot_rows("t", 500.0, sorted({p.row for p in points}), points, "none")
    assert chart.count("<circle") <= charts.MAX_DOTS and len(chart) < 40_000
    assert re.search(r"<title>0–\d+(\.\d+)? s, rule-0: \d+ × fired on oauth\.token</title>", chart)


PROBE = """
<script>
const out = {text: document.body.innerText, charts: []};
for (const svg of document.querySelectorAll("svg")) {
  const box = svg.getBoundingClientRect();
  const clipped = [];
  for (const text of svg.querySelectorAll("text")) {
    const r = text.getBoundingClientRect();
    if (r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)) {
      clipped.push(text.textContent);
    }
  }
  out.charts.push({name: svg.getAttribute("aria-label"), yTicks: svg.querySelectorAll("text.yt").length,
                   xTicks: svg.querySelectorAll("text.xt").length, tips: svg.querySelectorAll("title").length - 1, clipped});
}
const pre = document.createElement("pre");
pre.id = "probe";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>
"""


@pytest.mark.browser
def test_report_of_the_whole_library_is_small_and_renders_readable_charts_in_chromium(tmp_path: Path) -> None:
    browser = chromium()
    # 20 guests keeps this test at a few seconds; CI checks the README's 100-guest run too (.ci/docs_examples.py)
    results = [run_scenario(scenario, guests=20) for scenario in builtin_scenarios()]
    paths = write_reports(results, tmp_path)
    page = paths["html"].read_text(encoding="utf-8")
    assert len(page.encode()) < PAGE_LIMIT, f"report.html is {len(page.encode())} bytes"
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,900",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    probe = json.loads(html.unescape(found.group(1)))
    text = probe["text"]
    for words in ("virtual seconds since the run started", "requests per", "send latency, virtual seconds (log scale)"):
        assert words in text
    assert "messages (log)" in text and "< 1 ms" in text and "all passed" in text
    drawn = [c for c in probe["charts"] if c["xTicks"]]
    assert len(drawn) >= 3 * len(results)
    assert [c for c in probe["charts"] if c["clipped"]] == []  # no label outside its chart
    assert all(c["xTicks"] >= 3 for c in drawn)
    bars = [c for c in drawn if c["name"] in ("Requests over virtual time by status", "Send latency distribution")]
    assert bars and all(c["yTicks"] >= 3 and c["tips"] > 0 for c in bars)  # a y axis, not only its maximum
