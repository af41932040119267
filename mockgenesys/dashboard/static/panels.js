// The panels the feed keeps current: the clock, the conformance report, the fault rules (with the
// form that adds them through the admin API) and the rate-limit windows.

import { call } from "./api.js";
import { isoText } from "./journal.js";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function cell(text, className = "") {
  return el("td", { textContent: text, className });
}

// ---------------------------------------------------------------------- clock
export class ClockPanel {
  constructor() {
    this.now = document.getElementById("clock-now");
    this.kind = document.getElementById("clock-kind");
    this.error = document.getElementById("clock-error");
    this.clock = null;
    this.receivedAt = 0;
    for (const button of document.querySelectorAll("[data-advance]")) {
      button.addEventListener("click", () => this.advance(Number(button.dataset.advance)));
    }
    document.getElementById("clock-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const amount = document.getElementById("clock-amount").value.trim();
      const unit = Number(document.getElementById("clock-unit").value);
      // Sent as typed when it is not a number, so the admin API's own validation answers.
      const seconds = amount !== "" && Number.isFinite(Number(amount)) ? Number(amount) * unit : amount;
      this.advance(seconds);
    });
    setInterval(() => this.render(), 250);
  }

  // The mock's clock now: a wall clock keeps running between two state events, a virtual one does not.
  current() {
    if (!this.clock) return null;
    return this.clock.virtual ? this.clock.now : this.clock.now + (performance.now() - this.receivedAt) / 1000;
  }

  update(clock) {
    this.clock = clock;
    this.receivedAt = performance.now();
    this.kind.textContent = clock.virtual ? "virtual clock" : `wall clock${clock.offset ? `, +${clock.offset} s offset` : ""}`;
    this.render();
  }

  render() {
    const now = this.current();
    if (now !== null) this.now.textContent = isoText(now).replace("T", " ").slice(0, 23) + "Z";
  }

  async advance(seconds) {
    const result = await call("POST", "clock/advance", { seconds });
    this.error.textContent = result.ok ? "" : result.message;
    if (result.ok) this.update({ ...this.clock, ...result.data });
  }
}

// ---------------------------------------------------------------------- conformance
export class ConformancePanel {
  constructor(onEntry) {
    this.summary = document.getElementById("conformance-summary");
    this.list = document.getElementById("conformance-list");
    this.badge = document.getElementById("conformance-count");
    this.onEntry = onEntry;
    this.bySeq = new Map();
  }

  findingsOf(seq) {
    return this.bySeq.get(seq) || [];
  }

  update(report) {
    if (report.error) {
      this.summary.className = "summary bad";
      this.summary.textContent = `${report.error} The findings below are from the last check that ran.`;
      return; // the findings already shown stay until a check succeeds
    }
    this.bySeq = new Map();
    const count = Object.values(report.rules).reduce((a, b) => a + b, 0);
    this.badge.textContent = count ? String(count) : "";
    this.badge.classList.toggle("bad", count > 0);
    this.summary.className = `summary ${report.ok ? "ok" : "bad"}`;
    this.summary.textContent = report.ok
      ? `No findings: the client behaved (${report.checked} journal entries checked).`
      : `${count} finding(s) in ${report.checked} journal entries. Each links to the rows that prove it` +
        (count > report.violations.length ? `; the newest ${report.violations.length} are shown (GET /__admin/check has all).` : ".");
    const groups = new Map();
    for (const violation of report.violations) {
      if (!groups.has(violation.rule)) groups.set(violation.rule, []);
      groups.get(violation.rule).push(violation);
      for (const entry of violation.entries) {
        if (!this.bySeq.has(entry.seq)) this.bySeq.set(entry.seq, []);
        this.bySeq.get(entry.seq).push(violation);
      }
    }
    const open = new Set([...this.list.querySelectorAll("details[open]")].map((d) => d.dataset.rule));
    const first = this.list.children.length === 0;
    this.list.replaceChildren();
    for (const [rule, violations] of groups) {
      const details = el("details", { className: "rule", open: first || open.has(rule) });
      details.dataset.rule = rule;
      details.append(el("summary", { textContent: `${rule} (${report.rules[rule]})` }));
      for (const violation of violations) {
        const links = violation.entries.map((entry) => {
          const link = el("button", {
            type: "button",
            className: "entry-link",
            textContent: `#${entry.seq} ${entry.method} ${entry.endpoint} → ${entry.status}`,
            title: "Show this row in the journal",
          });
          link.addEventListener("click", () => this.onEntry(entry));
          return link;
        });
        if (violation.omitted) links.splice(2, 0, el("span", { className: "hint", textContent: ` … ${violation.omitted} more … ` }));
        details.append(el("div", { className: "finding" }, el("p", { textContent: violation.message }), ...links));
      }
      this.list.append(details);
    }
  }
}

// ---------------------------------------------------------------------- faults
function compact(data) {
  return data ? Object.entries(data).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ") : "";
}

// A number when the text is one; else the text as typed, for the admin API to refuse in its own words.
function value(text) {
  const trimmed = text.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

export class FaultsPanel {
  constructor() {
    this.table = document.querySelector("#faults-table tbody");
    this.badge = document.getElementById("faults-count");
    this.form = document.getElementById("fault-form");
    this.error = document.getElementById("fault-error");
    this.preview = document.getElementById("fault-preview");
    this.warning = document.getElementById("fault-endpoint-warning");
    this.endpoints = [];
    this.last = "";
    this.form.addEventListener("input", () => this.showPreview());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.add();
    });
    for (const button of this.form.querySelectorAll("[data-then]")) {
      button.addEventListener("click", () => {
        this.form.elements.then.value = button.dataset.then;
        this.showPreview();
      });
    }
    document.getElementById("faults-clear").addEventListener("click", async () => {
      const result = await call("DELETE", "faults");
      this.error.textContent = result.ok ? "" : result.message;
    });
    this.showPreview();
  }

  setVocabulary(hello) {
    this.endpoints = hello.endpoints;
    document.getElementById("then-keys").textContent = `Actions: ${hello.then.join(", ")}.`;
    this.showPreview();
  }

  // The rule as the form describes it; `then` stays text when it is not JSON (the API then says why).
  rule() {
    const form = this.form.elements;
    const rule = {};
    if (form.id.value.trim()) rule.id = form.id.value.trim();
    for (const section of ["match", "when"]) {
      const part = {};
      for (const input of this.form.querySelectorAll(`[name^="${section}."]`)) {
        const name = input.name.slice(section.length + 1);
        if (input.value.trim() === "") continue;
        part[name] = section === "when" ? value(input.value) : input.value.trim();
      }
      if (Object.keys(part).length) rule[section] = part;
    }
    const then = form.then.value.trim();
    try {
      rule.then = JSON.parse(then);
      form.then.removeAttribute("aria-invalid");
    } catch {
      rule.then = then;
      form.then.setAttribute("aria-invalid", "true");
    }
    return rule;
  }

  showPreview() {
    const rule = this.rule();
    this.preview.textContent = `POST /__admin/faults\n${JSON.stringify(rule, null, 2)}`;
    const endpoint = rule.match && rule.match.endpoint;
    const known = !endpoint || /[*?[]/.test(endpoint) || !this.endpoints.length || this.endpoints.includes(endpoint);
    this.warning.textContent = known ? "" : `No endpoint is named "${endpoint}": the rule would never fire. Pick one from the list.`;
  }

  async add() {
    for (const input of this.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const result = await call("POST", "faults", this.rule());
    if (result.ok) {
      this.error.textContent = "";
      this.form.elements.id.value = "";
      return;
    }
    this.error.textContent = result.message;
    if (result.field) {
      const input = this.form.elements[result.field] || this.form.elements[result.field.split(".")[0]];
      if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
    }
  }

  update(rules) {
    const text = JSON.stringify(rules);
    if (text === this.last) return;
    this.last = text;
    this.badge.textContent = rules.length ? String(rules.length) : "";
    this.table.replaceChildren();
    if (!rules.length) {
      this.table.append(el("tr", {}, el("td", { colSpan: 7, className: "hint", textContent: "No fault rules: the mock answers as Genesys would." })));
      return;
    }
    for (const rule of rules) {
      const remove = el("button", { type: "button", className: "danger", textContent: "Remove" });
      remove.addEventListener("click", async () => {
        const result = await call("DELETE", `faults/${encodeURIComponent(rule.id)}`);
        this.error.textContent = result.ok ? "" : result.message;
      });
      const stats = rule.stats || {};
      this.table.append(
        el("tr", {}, cell(rule.id, "mono"), cell(compact(rule.match) || "everything", "mono"), cell(compact(rule.when) || "always", "mono"),
          cell(JSON.stringify(rule.then), "mono"), cell(String(stats.matches ?? "")), cell(String(stats.fired ?? "")), el("td", {}, remove)),
      );
    }
  }
}

// ---------------------------------------------------------------------- limits
export class LimitsPanel {
  constructor() {
    this.config = document.getElementById("limits-config");
    this.table = document.querySelector("#limits-table tbody");
    this.running = document.getElementById("limits-running");
    this.badge = document.getElementById("limits-count");
  }

  update(view) {
    this.config.replaceChildren();
    for (const [name, limit] of Object.entries(view.limits)) {
      const shown = name === "enabled" ? (limit ? "on" : "off: no rate limit is enforced") : limit === null ? "off" : String(limit);
      this.config.append(el("dt", { textContent: name }), el("dd", { textContent: shown }));
    }
    this.running.textContent = view.running > view.windows.length ? `(${view.windows.length} tightest of ${view.running})` : `(${view.running})`;
    const tight = view.windows.filter((w) => w.limit !== null && w.remaining === 0).length;
    this.badge.textContent = tight ? String(tight) : "";
    this.badge.classList.toggle("bad", tight > 0);
    this.table.replaceChildren();
    if (!view.windows.length) {
      this.table.append(el("tr", {}, el("td", { colSpan: 5, className: "hint", textContent: "No window is running: nothing was counted recently." })));
    }
    for (const w of view.windows) {
      const bar = el("span", { className: "bar-cell" });
      const share = w.limit ? w.remaining / w.limit : 1;
      bar.append(el("i", { className: share < 0.2 ? "low" : "" }));
      bar.firstChild.style.width = `${Math.round((1 - share) * 100)}%`;
      const used = el("td", {}, bar, w.limit === null ? `${w.used} (no limit)` : `${w.used} / ${w.limit} per ${w.period} s`);
      this.table.append(el("tr", {}, cell(w.name), cell(w.key, "mono"), used, cell(w.remaining === null ? "–" : String(w.remaining)), cell(`${w.resetIn} s`)));
    }
  }
}
