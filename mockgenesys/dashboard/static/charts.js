// Two canvas charts on one time axis (the mock's clock): requests per bucket stacked by status
// class, and latency percentiles (log scale); fault firings are marked on both. Clicking a bucket
// picks its time range (the journal's time filter).

import { clockText, statusClass } from "./journal.js";

const CLASSES = [
  ["ok", "--ok", "2xx/3xx"],
  ["client", "--client", "4xx"],
  ["throttled", "--throttled", "429"],
  ["server", "--server", "5xx"],
  ["reset", "--reset", "no answer (0)"],
];
const PERCENTILES = [
  [0.5, "--ok", "p50"],
  [0.95, "--client", "p95"],
  [0.99, "--server", "p99"],
];
const STEPS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400, 604800];
const MAX_BUCKETS = 60;
const MIN_BUCKETS = 20;
const PAD = { left: 40, right: 8, top: 14, bottom: 18 };

function color(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

function legend(box, items) {
  box.replaceChildren();
  for (const [label, variable] of items) {
    const span = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = color(variable);
    span.append(swatch, label);
    box.append(span);
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// Buckets of the rows between t0 and t1 (whole bucket boundaries), at most MAX_BUCKETS.
export function bucketize(rows, F, t0, t1) {
  const span = Math.max(t1 - t0, 0.001);
  const step = STEPS.find((s) => span / s <= MAX_BUCKETS) || STEPS[STEPS.length - 1];
  // At least MIN_BUCKETS, the latest on the right, so a burst at one instant is a bar, not the whole chart.
  const last = Math.floor(t1 / step);
  const first = Math.min(Math.floor(t0 / step), last - MIN_BUCKETS + 1);
  const start = first * step;
  const n = last - first + 1;
  const buckets = Array.from({ length: n }, () => ({ counts: {}, total: 0, latencies: [], faults: 0 }));
  for (const row of rows) {
    if (row[F.kind] === "ws.out") continue; // frames the server sent are not requests
    const i = Math.floor((row[F.time] - start) / step);
    if (i < 0 || i >= n) continue;
    const b = buckets[i];
    const cls = statusClass(row[F.status]);
    b.counts[cls] = (b.counts[cls] || 0) + 1;
    b.total++;
    b.latencies.push(row[F.latency_ms]);
    if (row[F.fault]) b.faults++;
  }
  for (const b of buckets) {
    b.latencies.sort((x, y) => x - y);
    b.p = b.latencies.length ? PERCENTILES.map(([p]) => percentile(b.latencies, p)) : null;
    b.latencies = null;
  }
  return { start, step, buckets };
}

export class Charts {
  constructor(statusCanvas, latencyCanvas, statusLegend, latencyLegend, onPick) {
    this.canvases = [statusCanvas, latencyCanvas];
    this.data = null;
    legend(statusLegend, [...CLASSES.map(([, v, label]) => [label, v]), ["fault fired", "--fault"]]);
    legend(latencyLegend, [...PERCENTILES.map(([, v, label]) => [label, v]), ["fault fired", "--fault"]]);
    const observer = new ResizeObserver(() => this.draw());
    for (const canvas of this.canvases) {
      observer.observe(canvas);
      canvas.addEventListener("click", (event) => {
        if (!this.data) return;
        const rect = canvas.getBoundingClientRect();
        const width = rect.width - PAD.left - PAD.right;
        const i = Math.floor(((event.clientX - rect.left - PAD.left) / width) * this.data.buckets.length);
        if (i >= 0 && i < this.data.buckets.length) {
          const from = this.data.start + i * this.data.step;
          onPick([from, from + this.data.step]);
        }
      });
    }
  }

  update(rows, F, t0, t1) {
    this.data = rows.length || t0 !== null ? bucketize(rows, F, t0 ?? 0, t1 ?? 0) : null;
    this.draw();
  }

  draw() {
    const ctxs = this.canvases.map((canvas) => {
      const ratio = window.devicePixelRatio || 1;
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
      if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.font = "11px system-ui, sans-serif";
      return { ctx, width, height };
    });
    if (!this.data || !this.data.buckets.some((b) => b.total)) {
      for (const { ctx, width, height } of ctxs) {
        ctx.fillStyle = color("--muted");
        ctx.textAlign = "center";
        ctx.fillText("No requests in view yet", width / 2, height / 2);
      }
      return;
    }
    this.drawStatus(ctxs[0]);
    this.drawLatency(ctxs[1]);
  }

  frame({ ctx, width, height }, ticks, format) {
    const plotW = width - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    ctx.strokeStyle = color("--line");
    ctx.fillStyle = color("--muted");
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const [value, y] of ticks) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, PAD.top + y);
      ctx.lineTo(PAD.left + plotW, PAD.top + y);
      ctx.stroke();
      ctx.fillText(format(value), PAD.left - 4, PAD.top + y);
    }
    const { buckets, start, step } = this.data;
    const labels = Math.max(1, Math.floor(plotW / 90));
    const every = Math.max(1, Math.ceil(buckets.length / labels));
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let i = 0; i < buckets.length; i += every) {
      const text = step >= 1 ? clockText(start + i * step).slice(0, 8) : clockText(start + i * step);
      ctx.fillText(text, PAD.left + ((i + 0.5) / buckets.length) * plotW, PAD.top + plotH + 4);
    }
    return { plotW, plotH, barW: plotW / buckets.length };
  }

  faults(ctx, plotW, barW) {
    ctx.fillStyle = color("--fault");
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    this.data.buckets.forEach((b, i) => {
      if (!b.faults) return;
      const x = PAD.left + (i + 0.5) * barW;
      ctx.beginPath();
      ctx.moveTo(x - 4, PAD.top - 1);
      ctx.lineTo(x + 4, PAD.top - 1);
      ctx.lineTo(x, PAD.top + 6);
      ctx.fill();
      if (b.faults > 1 && barW > 16) ctx.fillText(String(b.faults), x, PAD.top - 2);
    });
  }

  drawStatus(surface) {
    const { ctx } = surface;
    const max = Math.max(...this.data.buckets.map((b) => b.total), 1);
    const top = niceCeil(max);
    const plotH = surface.height - PAD.top - PAD.bottom;
    const ticks = [0, top / 2, top].map((v) => [v, plotH - (v / top) * plotH]);
    const { plotW, barW } = this.frame(surface, ticks, (v) => String(Math.round(v)));
    const colors = Object.fromEntries(CLASSES.map(([cls, variable]) => [cls, color(variable)]));
    this.data.buckets.forEach((b, i) => {
      let y = PAD.top + plotH;
      for (const [cls] of CLASSES) {
        const count = b.counts[cls];
        if (!count) continue;
        const h = (count / top) * plotH;
        ctx.fillStyle = colors[cls];
        ctx.fillRect(PAD.left + i * barW + 1, y - h, Math.max(1, barW - 2), h);
        y -= h;
      }
    });
    this.faults(ctx, plotW, barW);
  }

  drawLatency(surface) {
    const { ctx } = surface;
    const values = this.data.buckets.filter((b) => b.p).flatMap((b) => b.p);
    const lo = Math.floor(Math.log10(Math.max(Math.min(...values), 0.01)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values, 0.01))));
    const plotH = surface.height - PAD.top - PAD.bottom;
    const y = (v) => plotH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotH;
    const ticks = [];
    for (let e = lo; e <= hi; e++) ticks.push([10 ** e, y(10 ** e)]);
    const { plotW, barW } = this.frame(surface, ticks, (v) => (v >= 1 ? String(v) : v.toString()));
    PERCENTILES.forEach(([, variable], k) => {
      ctx.strokeStyle = color(variable);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let drawing = false;
      this.data.buckets.forEach((b, i) => {
        if (!b.p) {
          drawing = false;
          return;
        }
        const x = PAD.left + (i + 0.5) * barW;
        const py = PAD.top + y(b.p[k]);
        if (drawing) ctx.lineTo(x, py);
        else ctx.moveTo(x, py);
        drawing = true;
        ctx.fillRect(x - 1.5, py - 1.5, 3, 3);
      });
      ctx.stroke();
    });
    this.faults(ctx, plotW, barW);
  }
}

function niceCeil(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}
