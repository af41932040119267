"""``report.html``: one self-contained page (inline CSS and SVG, no script, no network).

The charts (``mockgenesys.chaos.charts``) have real axes and aggregate their marks, so the page
for the whole library at 100 guests stays well under 300 KB.
"""

from __future__ import annotations

from html import escape
from typing import Any

from mockgenesys.chaos import charts
from mockgenesys.chaos.metrics import LOG_FLOOR, STATUS_CLASSES

#: Series of the requests chart and their colours (CSS classes keep the page small).
COLORS = {
    "2xx": "#3a9d5d",
    "401/403": "#e0a030",
    "429": "#d1495b",
    "other 4xx": "#8e6bbf",
    "5xx": "#5b5b5b",
    "fault": "#2e86c1",
}
REAUTH_COLORS = {
    "configure_session": "#2e86c1",
    "get_jwt": "#3a9d5d",
    "oauth_token": "#d1495b",
    "jwt_refresh": "#e0a030",
}
SERIES_CSS = {name: f"s{n}" for n, name in enumerate(COLORS)}
REAUTH_CSS = {name: f"r{n}" for n, name in enumerate(REAUTH_COLORS)}

CSS = (
    """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 6px}h3{font-size:14px;margin:14px 0 4px;color:#444}
.pass{color:#1e7b45;font-weight:600}.fail{color:#b3261e;font-weight:600}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 18px;margin:14px 0}
table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #e6e8eb;padding:3px 10px;text-align:left;vertical-align:top}
th{font-weight:600;color:#555}code{font-size:12px;background:#f1f3f5;padding:1px 4px;border-radius:3px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:10px}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
svg text{font:11px system-ui,sans-serif;fill:#444}svg .xt,svg .xl{text-anchor:middle}svg .yt{text-anchor:end;dominant-baseline:middle}
svg .yl{text-anchor:middle;font-weight:600}svg .xl{font-weight:600}svg .row{fill:#555;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg path.grid{stroke:#eceef0;fill:none}svg path.axis{stroke:#888;fill:none}svg .hit{fill:transparent}svg .hit:hover{fill:rgba(0,0,0,.07)}
svg circle{fill-opacity:.75}svg circle:hover,svg rect.bar:hover{stroke:#1d2330;stroke-width:1.5}
svg .bar{fill:#2e86c1}svg .instant{fill:#7fb3d5}.muted{color:#666;font-size:12px}
"""
    + "".join(f"svg .{css}{{fill:{COLORS[name]}}}" for name, css in SERIES_CSS.items())
    + "".join(f"svg .{css}{{fill:{REAUTH_COLORS[name]}}}" for name, css in REAUTH_CSS.items())
    + "svg .firing{fill:#d1495b}svg .event{fill:#2e86c1}\n"
)


def _legend(colors: dict[str, str], names: list[str]) -> str:
    items = "".join(f'<span><i style="background:{colors[n]}"></i>{escape(n)}</span>' for n in names)
    return f'<div class="legend">{items}</div>'


def requests_chart(metrics: dict[str, Any]) -> str:
    """Requests over virtual time, stacked by status class, per bucket of the run."""
    series = metrics["series"]
    bucket = float(series["bucket_seconds"])
    stacks = {name: series["by_status"][name] for name in STATUS_CLASSES}
    chart = charts.stacked_bars(
        "Requests over virtual time by status",
        float(metrics["virtual_seconds"]),
        bucket,
        stacks,
        SERIES_CSS,
        "requests",
    )
    used = [n for n in STATUS_CLASSES if any(stacks[n])]
    return chart + _legend(COLORS, used)


def faults_chart(metrics: dict[str, Any]) -> str:
    """When each fault rule fired, and the timeline events."""
    firings = metrics["faults"]["firings"]
    rows = sorted({str(f["rule"]) for f in firings})
    events = metrics["timeline"]
    if events:
        rows.append("timeline")
    points = [charts.Point(float(f["t"]), str(f["rule"]), "firing", f"fired on {f['endpoint']}") for f in firings]
    points += [charts.Point(float(e["t"]), "timeline", "event", f"{e['kind']}: {e['summary']}") for e in events]
    return charts.dot_rows(
        "Fault firings and timeline events", float(metrics["virtual_seconds"]), rows, points, "no faults fired"
    )


def reauth_chart(metrics: dict[str, Any]) -> str:
    """Re-authentication requests over time, one row per kind."""
    events = metrics["reauth"]["events"]
    rows = sorted({str(e["kind"]) for e in events})
    points = [
        charts.Point(float(e["t"]), str(e["kind"]), REAUTH_CSS.get(str(e["kind"]), "event"), f"answered {e['status']}")
        for e in events
    ]
    return charts.dot_rows("Re-authentication", float(metrics["virtual_seconds"]), rows, points, "no re-authentication")


def latency_chart(metrics: dict[str, Any]) -> str:
    """Send latency (workload asks → server stores) on a log scale; instant sends get their own bar."""
    histogram = metrics["latency"]["send_histogram_log"]
    return charts.log_histogram(
        "Send latency distribution", histogram["under"], histogram["edges"], histogram["counts"], LOG_FLOOR
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return "–" if value is None else f"{value:.3g}" if isinstance(value, float) else escape(str(value))


def _scenario(s: dict[str, Any]) -> str:
    m = s["metrics"]
    verdict = '<span class="pass">PASS</span>' if s["passed"] else '<span class="fail">FAIL</span>'
    rows = []
    for inv in s["invariants"]:
        mark = '<span class="pass">pass</span>' if inv["passed"] else '<span class="fail">fail</span>'
        evidence = "<br>".join(escape(line) for line in inv["evidence"][:5])
        more = f'<br><span class="muted">… {inv["evidence_total"] - 5} more</span>' if inv["evidence_total"] > 5 else ""
        rows.append(
            f"<tr><td>{escape(inv['name'])}</td><td>{mark}</td><td>{escape(inv['summary'])}<br><span class='muted'>{evidence}{more}</span></td></tr>"
        )
    replays = "".join(f"<li><code>{escape(cmd)}</code></li>" for cmd in list(s["replay"].values())[:10])
    endpoint_rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{', '.join(f'{escape(k)}: {v}' for k, v in counts.items())}</td></tr>"
        for name, counts in m["endpoints"].items()
    )
    lat = m["latency"]["send_virtual_seconds"]
    server = m["latency"]["server_ms"]
    aborted = f'<p class="fail">Aborted: {escape(s["aborted"])}</p>' if s["aborted"] else ""
    notes = "".join(f'<p class="muted">{escape(n)}</p>' for n in s["notes"])
    notes += "".join(
        f'<p class="fail">The adapter\'s {escape(e["method"])} raised {escape(e["error"])} '
        f"({e['count']} time(s) in {len(e['guests'])} guest(s))</p>"
        for e in s.get("adapter_errors", [])[:5]
    )
    return f"""
<div class="card" id="{escape(s["scenario"])}">
<h2>{escape(s["scenario"])} {verdict}</h2>
<p class="muted">{escape(s["description"])}</p>
<p>seed <code>{s["seed"]}</code> · {s["guests"]} guests · {_fmt(m["virtual_seconds"])} virtual s · {_fmt(s["wall_seconds"])} wall s ·
{m["requests"]} requests · {m["faults"]["total"]} fault firings · messages {m["messages"]["stored"]}/{m["messages"]["planned"]} stored</p>
{aborted}{notes}
<table><tr><th>invariant</th><th></th><th>result</th></tr>{"".join(rows)}</table>
{f"<h3>Replay a failing guest</h3><ul>{replays}</ul>" if replays else ""}
<div class="grid">
<div><h3>Requests over virtual time, by status</h3>{requests_chart(m)}</div>
<div><h3>Fault firings and timeline</h3>{faults_chart(m)}</div>
<div><h3>Re-authentication</h3>{reauth_chart(m)}</div>
<div><h3>Send latency (virtual s): p50 {_fmt(lat["p50"])} · p90 {_fmt(lat["p90"])} · p99 {_fmt(lat["p99"])} · max {_fmt(lat["max"])}</h3>{latency_chart(m)}</div>
</div>
<h3>Requests by endpoint and status</h3><table>{endpoint_rows}</table>
<p class="muted">server time per request (ms): p50 {_fmt(server["p50"])} · p99 {_fmt(server["p99"])};
re-auth totals {escape(", ".join(f"{k} {v}" for k, v in m["reauth"]["totals"].items()) or "none")}</p>
</div>"""


def _merged(report: dict[str, Any]) -> str:
    sources = report.get("merged_from")
    return f" · merged from {len(sources)} report(s)" if sources else ""


def render_html(report: dict[str, Any]) -> str:
    """The whole page for ``report`` (``report_dict``'s output)."""
    scenarios = report["scenarios"]
    verdict = '<span class="pass">all passed</span>' if report["passed"] else '<span class="fail">failures</span>'
    index = "".join(
        f"<tr><td><a href='#{escape(s['scenario'])}'>{escape(s['scenario'])}</a></td>"
        f"<td>{'<span class=pass>pass</span>' if s['passed'] else '<span class=fail>fail</span>'}</td>"
        f"<td>{s['guests']}</td><td>{s['metrics']['requests']}</td><td>{s['metrics']['faults']['total']}</td></tr>"
        for s in scenarios
    )
    body = "".join(_scenario(s) for s in scenarios)
    if report.get("incomplete"):
        not_run = ", ".join(escape(name) for name in report.get("not_run", [])) or "none"
        missing = ", ".join(str(shard) for shard in report.get("missing_shards", []))
        gap = f" Shards without a report: {missing}." if missing else ""
        body = (
            f'<p class="fail">Incomplete: the run was cut short (Ctrl-C or an error). Not run: {not_run}.{gap}</p>'
            + body
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mockgenesys chaos report</title><style>{CSS}</style></head>
<body><h1>mockgenesys chaos report — {verdict}</h1>
<p class="muted">{escape(report["tool"])} · {len(scenarios)} scenario(s){_merged(report)}</p>
<table><tr><th>scenario</th><th>verdict</th><th>guests</th><th>requests</th><th>fault firings</th></tr>{index}</table>
{body}
</body></html>
"""
