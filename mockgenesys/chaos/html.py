"""``report.html``: one self-contained page (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

from html import escape
from typing import Any

from mockgenesys.chaos.metrics import STATUS_CLASSES

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
W, H, PAD = 640, 200, 36

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 6px}h3{font-size:14px;margin:14px 0 4px;color:#444}
.pass{color:#1e7b45;font-weight:600}.fail{color:#b3261e;font-weight:600}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 18px;margin:14px 0}
table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #e6e8eb;padding:3px 10px;text-align:left;vertical-align:top}
th{font-weight:600;color:#555}code{font-size:12px;background:#f1f3f5;padding:1px 4px;border-radius:3px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:10px}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
svg text{font:11px system-ui,sans-serif;fill:#444}.muted{color:#666;font-size:12px}
"""


def _axis(x_max: float, label: str) -> str:
    parts = [f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 8}" y2="{H - PAD}" stroke="#999"/>']
    for i in range(5):
        x = PAD + (W - 8 - PAD) * i / 4
        parts.append(f'<text x="{x:.1f}" y="{H - PAD + 14}" text-anchor="middle">{x_max * i / 4:.3g}</text>')
    parts.append(f'<text x="{(W + PAD) / 2:.1f}" y="{H - 6}" text-anchor="middle">{escape(label)}</text>')
    return "".join(parts)


def _svg(title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def _legend(colors: dict[str, str], names: list[str]) -> str:
    items = "".join(f'<span><i style="background:{colors[n]}"></i>{escape(n)}</span>' for n in names)
    return f'<div class="legend">{items}</div>'


def requests_chart(metrics: dict[str, Any]) -> str:
    """Requests over virtual time, stacked by status class."""
    series = metrics["series"]
    buckets = series["buckets"]
    by_status = series["by_status"]
    totals = [sum(by_status[name][i] for name in STATUS_CLASSES) for i in range(buckets)]
    peak = max(totals, default=0) or 1
    width = (W - 8 - PAD) / buckets
    parts = [_axis(metrics["virtual_seconds"], "virtual seconds since start")]
    parts.append(f'<text x="4" y="14">{peak} req/bucket</text>')
    for i in range(buckets):
        y = H - PAD
        for name in STATUS_CLASSES:
            count = by_status[name][i]
            if not count:
                continue
            height = (H - PAD - 20) * count / peak
            y -= height
            parts.append(
                f'<rect x="{PAD + i * width:.2f}" y="{y:.2f}" width="{max(width - 1, 0.5):.2f}" height="{height:.2f}" '
                f'fill="{COLORS[name]}"><title>{escape(name)}: {count}</title></rect>'
            )
    used = [n for n in STATUS_CLASSES if any(by_status[n])]
    return _svg("Requests over virtual time by status", "".join(parts)) + _legend(COLORS, used)


def _dots(rows: list[str], points: list[tuple[float, str, str, str]], x_max: float, title: str) -> str:
    parts = [_axis(x_max, "virtual seconds since start")]
    span = x_max or 1.0
    step = (H - PAD - 16) / max(len(rows), 1)
    index = {row: n for n, row in enumerate(rows)}
    for n, row in enumerate(rows):
        y = 16 + step * (n + 0.5)
        parts.append(f'<line x1="{PAD}" y1="{y:.1f}" x2="{W - 8}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{PAD + 4}" y="{y - 4:.1f}">{escape(row)}</text>')
    for t, row, color, tip in points:
        x = PAD + (W - 8 - PAD) * min(max(t, 0.0), span) / span
        y = 16 + step * (index[row] + 0.5)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}" fill-opacity="0.7"><title>{escape(tip)}</title></circle>'
        )
    if not points:
        parts.append(f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">none</text>')
    return _svg(title, "".join(parts))


def faults_chart(metrics: dict[str, Any]) -> str:
    """When each fault rule fired, and the timeline events."""
    firings = metrics["faults"]["firings"]
    rows = sorted({str(f["rule"]) for f in firings})
    events = metrics["timeline"]
    if events:
        rows.append("timeline")
    points = [
        (float(f["t"]), str(f["rule"]), "#d1495b", f"{f['rule']} on {f['endpoint']} at {f['t']} s") for f in firings
    ]
    points += [(float(e["t"]), "timeline", "#2e86c1", f"{e['kind']}: {e['summary']} at {e['t']} s") for e in events]
    return _dots(rows, points, metrics["virtual_seconds"], "Fault firings and timeline events")


def reauth_chart(metrics: dict[str, Any]) -> str:
    """Re-authentication requests over time, one row per kind."""
    events = metrics["reauth"]["events"]
    rows = sorted({str(e["kind"]) for e in events})
    points = [
        (
            float(e["t"]),
            str(e["kind"]),
            REAUTH_COLORS.get(str(e["kind"]), "#555"),
            f"{e['kind']} -> {e['status']} at {e['t']} s",
        )
        for e in events
    ]
    return _dots(rows, points, metrics["virtual_seconds"], "Re-authentication events")


def latency_chart(metrics: dict[str, Any]) -> str:
    """Histogram of send latency (workload asks → server stores), virtual seconds."""
    histogram = metrics["latency"]["send_histogram"]
    counts: list[int] = histogram["counts"]
    edges: list[float] = histogram["edges"]
    if not counts:
        return _svg("Send latency", f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no messages</text>')
    peak = max(counts) or 1
    width = (W - 8 - PAD) / len(counts)
    parts = [_axis(edges[-1] if edges else 0.0, "send latency, virtual seconds")]
    if edges and edges[0]:
        parts.append(f'<text x="{PAD}" y="{H - PAD + 26}">from {edges[0]:.3g}</text>')
    parts.append(f'<text x="4" y="14">{peak} messages</text>')
    for i, count in enumerate(counts):
        height = (H - PAD - 20) * count / peak
        parts.append(
            f'<rect x="{PAD + i * width:.2f}" y="{H - PAD - height:.2f}" width="{max(width - 1, 0.5):.2f}" '
            f'height="{height:.2f}" fill="#2e86c1"><title>{count}</title></rect>'
        )
    return _svg("Send latency distribution", "".join(parts))


def _fmt(value: Any) -> str:
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
        body = f'<p class="fail">Incomplete: the run was cut short (Ctrl-C or an error). Not run: {not_run}.</p>' + body
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mockgenesys chaos report</title><style>{CSS}</style></head>
<body><h1>mockgenesys chaos report — {verdict}</h1>
<p class="muted">{escape(report["tool"])} · {len(scenarios)} scenario(s)</p>
<table><tr><th>scenario</th><th>verdict</th><th>guests</th><th>requests</th><th>fault firings</th></tr>{index}</table>
{body}
</body></html>
"""
