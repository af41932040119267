"""The SVG charts of ``report.html``: real axes, bounded size, hover details, no script.

Every chart has ticks on both axes at round numbers, grid lines, axis titles with units, and
margins wide enough that no label is clipped. Marks are aggregated to the chart's resolution
(a bar per time bucket, a dot per row and time bin), so a chart's size depends on its width,
never on how long the run was or how many guests it had. Hovering a bar or dot shows what it
stands for (an SVG ``<title>``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

W, H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 26, 14, 42
#: Bars at most on a time chart (a run's buckets are merged down to this).
MAX_COLUMNS = 40
#: Time bins per dot row (fewer when there are many rows: at most ``MAX_DOTS`` dots a chart).
DOT_BINS = 32
MIN_DOT_BINS = 12
MAX_DOTS = 128
MAX_TIP_LINES = 4


def _num(value: float) -> str:
    """A coordinate, short: whole units of a 640-wide view box (a tenth of one is invisible, and
    the decimals were a tenth of the whole library's page)."""
    return str(round(value))


def label(value: float) -> str:
    """A tick label: ``0``, ``2.5``, ``40``, ``1.2k``, ``3M``."""
    if value == 0:
        return "0"
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def seconds_label(value: float) -> str:
    """A duration tick: ``1 ms``, ``250 ms``, ``1 s``, ``30 s``."""
    return f"{value * 1000:.3g} ms" if value < 1 else f"{value:.3g} s"


def linear_ticks(high: float, count: int = 5) -> list[float]:
    """Round ticks from 0 to at least ``high`` (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    high = high if high > 0 else 1.0
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    steps = max(1, math.ceil(high / step - 1e-9))
    return [round(i * step, 10) for i in range(steps + 1)]


def decade_ticks(low: float, high: float) -> list[float]:
    """Powers of ten from the one at or below ``low`` to the one at or above ``high``."""
    first = math.floor(math.log10(low) + 1e-9)
    last = max(first + 1, math.ceil(math.log10(high) - 1e-9))
    return [10.0**n for n in range(first, last + 1)]


@dataclass(frozen=True)
class Scale:
    """Maps data to pixels along one axis, linearly or on a log scale."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    def __call__(self, value: float) -> float:
        if self.log:
            value, low, high = math.log10(max(value, self.low)), math.log10(self.low), math.log10(self.high)
        else:
            low, high = self.low, self.high
        share = (value - low) / (high - low) if high > low else 0.0
        return self.start + (self.end - self.start) * min(max(share, 0.0), 1.0)


def axes(
    x: Scale,
    x_ticks: Sequence[float],
    x_title: str,
    y: Scale,
    y_ticks: Sequence[float],
    y_title: str,
    *,
    x_text: Sequence[str] | None = None,
) -> str:
    """Grid lines, both axes with ticks and labels, and the axis titles (lines drawn as single paths)."""
    base = _num(y.start)
    grid = "".join(f"M{LEFT} {_num(y(value))}H{W - RIGHT}" for value in y_ticks)
    marks = "".join(f"M{_num(x(value))} {base}v4" for value in x_ticks)
    parts = [
        f'<path class="grid" d="{grid}"/>' if grid else "",
        f'<path class="axis" d="M{LEFT} {TOP}V{base}H{W - RIGHT}{marks}"/>',
    ]
    parts += [f'<text class="yt" x="{LEFT - 6}" y="{_num(y(v))}">{escape(label(v))}</text>' for v in y_ticks]
    texts = x_text or [label(value) for value in x_ticks]
    below = _num(y.start + 16)
    for value, text in zip(x_ticks, texts, strict=True):
        parts.append(f'<text class="xt" x="{_num(x(value))}" y="{below}">{escape(text)}</text>')
    parts.append(f'<text class="xl" x="{_num((LEFT + W - RIGHT) / 2)}" y="{H - 6}">{escape(x_title)}</text>')
    if y_title:
        middle = _num((TOP + y.start) / 2)
        parts.append(f'<text class="yl" transform="translate(13 {middle}) rotate(-90)">{escape(y_title)}</text>')
    return "".join(parts)


def svg(title: str, body: str) -> str:
    """A chart: a scalable SVG with an accessible name."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def no_data(title: str, text: str) -> str:
    return svg(title, f'<text class="xl" x="{W / 2}" y="{H / 2}">{escape(text)}</text>')


def _time_scale(span: float) -> tuple[Scale, list[float]]:
    ticks = linear_ticks(span)
    return Scale(0.0, ticks[-1], LEFT, W - RIGHT), ticks


def stacked_bars(
    title: str, span: float, bucket: float, stacks: dict[str, Sequence[int]], classes: dict[str, str], unit: str
) -> str:
    """Bars over time (one per bucket of ``bucket`` seconds), stacked by series; one path per series.

    More than ``MAX_COLUMNS`` buckets are merged in twos (threes…), so the chart stays small.
    """
    buckets = max((len(counts) for counts in stacks.values()), default=0)
    merge = max(1, math.ceil(buckets / MAX_COLUMNS))
    if merge > 1:
        stacks = {
            name: [sum(counts[i : i + merge]) for i in range(0, len(counts), merge)] for name, counts in stacks.items()
        }
        bucket, buckets = bucket * merge, math.ceil(buckets / merge)
    totals = [sum(counts[i] for counts in stacks.values()) for i in range(buckets)]
    if not any(totals):
        return no_data(title, "no requests")
    x, x_ticks = _time_scale(max(span, bucket * buckets))
    y_ticks = linear_ticks(max(totals))
    y = Scale(0.0, y_ticks[-1], H - BOTTOM, TOP)
    paths: dict[str, list[str]] = defaultdict(list)
    hits = []
    tall = _num(y.start - TOP)
    for i, total in enumerate(totals):
        if not total:
            continue
        left, right = x(i * bucket), x((i + 1) * bucket)
        width = _num(max(right - left - 1, 0.6))
        level = 0
        for name, counts in stacks.items():
            if counts[i]:
                bottom, height = y(level), y(level) - y(level + counts[i])
                paths[name].append(f"M{_num(left)} {_num(bottom)}h{width}v-{_num(height)}h-{width}z")
                level += counts[i]
        detail = ", ".join(f"{counts[i]} {name}" for name, counts in stacks.items() if counts[i])
        tip = f"{label(i * bucket)}–{label((i + 1) * bucket)} s: {total} ({detail})"
        hits.append(
            f'<path class="hit" d="M{_num(left)} {TOP}h{width}v{tall}h-{width}z"><title>{escape(tip)}</title></path>'
        )
    bars = "".join(f'<path class="{classes[name]}" d="{"".join(d)}"/>' for name, d in paths.items())
    y_title = f"{unit} per {label(bucket)} s"
    return svg(
        title, axes(x, x_ticks, "virtual seconds since the run started", y, y_ticks, y_title) + bars + "".join(hits)
    )


@dataclass(frozen=True)
class Point:
    """One event on a dot chart: when, on which row, its colour class and what it was."""

    t: float
    row: str
    css: str
    what: str


def dot_rows(title: str, span: float, rows: Sequence[str], points: Sequence[Point], empty: str) -> str:
    """Events over time, one row each; events of a row close in time share one dot sized by their count."""
    if not points:
        return no_data(title, empty)
    x, x_ticks = _time_scale(span)
    top, bottom = TOP + 4, H - BOTTOM
    step = (bottom - top) / max(len(rows), 1)
    level = {row: top + step * (n + 0.5) for n, row in enumerate(rows)}
    per_row = max(MIN_DOT_BINS, min(DOT_BINS, MAX_DOTS // max(len(rows), 1)))
    width = x_ticks[-1] / per_row
    bins: dict[tuple[str, int], list[Point]] = defaultdict(list)
    for point in points:
        bins[(point.row, min(per_row - 1, int(max(point.t, 0.0) / width)))].append(point)
    parts = [axes(x, x_ticks, "virtual seconds since the run started", Scale(0, 1, bottom, top), [], "")]
    parts.append(f'<path class="grid" d="{"".join(f"M{LEFT} {_num(level[row])}H{W - RIGHT}" for row in rows)}"/>')
    for (row, index), group in sorted(bins.items()):
        kinds: dict[str, int] = defaultdict(int)
        for point in group:
            kinds[point.what] += 1
        lines = [f"{count} × {what}" for what, count in sorted(kinds.items(), key=lambda item: -item[1])]
        if len(lines) > MAX_TIP_LINES:
            lines = [*lines[:MAX_TIP_LINES], f"… {len(lines) - MAX_TIP_LINES} more kinds"]
        tip = f"{label(index * width)}–{label((index + 1) * width)} s, {row}: " + "; ".join(lines)
        t = sum(point.t for point in group) / len(group)
        radius = _num(min(2.5 + math.log2(len(group)), 8.0))
        parts.append(
            f'<circle class="{group[0].css}" cx="{_num(x(t))}" cy="{_num(level[row])}" r="{radius}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    for row in rows:  # over the dots, with a halo (CSS), so a busy row keeps its name readable
        parts.append(f'<text class="row" x="{LEFT + 4}" y="{_num(level[row] - 9)}">{escape(row)}</text>')
    return svg(title, "".join(parts))


def log_histogram(title: str, under: int, edges: Sequence[float], counts: Sequence[int], floor: float) -> str:
    """A histogram on a log latency axis, counts on a log axis; instant values (< ``floor``) get their own bar."""
    if not under and not any(counts):
        return no_data(title, "no messages")
    peak = max([under, *counts])
    y_ticks = decade_ticks(1.0, max(peak, 10))
    y = Scale(0.5, y_ticks[-1], H - BOTTOM, TOP, log=True)
    instant = LEFT + 8  # the bar of instant values, left of the log axis
    parts = []
    low, high = (edges[0], edges[-1]) if edges else (floor, floor * 10)
    x_ticks = decade_ticks(min(low, floor * 10), high)
    x = Scale(x_ticks[0], x_ticks[-1], instant + 76, W - RIGHT, log=True)
    parts.append(
        axes(
            x,
            x_ticks,
            "send latency, virtual seconds (log scale)",
            y,
            y_ticks,
            "messages (log)",
            x_text=[seconds_label(v) for v in x_ticks],
        )
    )
    if under:
        top = _num(y(under))
        tip = f"{under} message(s) stored in under {seconds_label(floor)}"
        parts.append(
            f'<rect class="bar instant" x="{instant}" y="{top}" width="30" height="{_num(y.start - y(under))}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    parts.append(
        f'<text class="xt" x="{LEFT + 23}" y="{_num(y.start + 16)}">&lt; {escape(seconds_label(floor))}</text>'
    )
    for n, count in enumerate(counts):
        if not count:
            continue
        left, right = x(edges[n]), x(edges[n + 1])
        tip = f"{count} message(s) took {seconds_label(edges[n])}–{seconds_label(edges[n + 1])}"
        parts.append(
            f'<rect class="bar" x="{_num(left)}" y="{_num(y(count))}" width="{_num(max(right - left - 1, 0.6))}" '
            f'height="{_num(y.start - y(count))}"><title>{escape(tip)}</title></rect>'
        )
    return svg(title, "".join(parts))
