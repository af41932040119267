// The page's copy of the journal: a capped buffer of rows, the filters, and a table that renders
// only the rows in view (a few dozen DOM rows whatever the buffer holds).

// Rows the page keeps; older ones leave in chunks so trimming is rare.
export const CAP = 50000;
const TRIM_SLACK = 5000;
const OVERSCAN = 10;

export function statusClass(status) {
  if (status === 0) return "reset";
  if (status === 429) return "throttled";
  if (status >= 500) return "server";
  if (status >= 400) return "client";
  return "ok";
}

export function clockText(seconds) {
  return new Date(seconds * 1000).toISOString().slice(11, 23);
}

export function isoText(seconds) {
  return new Date(seconds * 1000).toISOString();
}

// Rows are arrays in the order of the hello event's `fields`; F maps a field name to its index.
export class RowStore {
  constructor() {
    this.rows = [];
    this.fields = [];
    this.F = {};
    this.skipped = 0;
  }

  setFields(fields) {
    this.fields = fields;
    this.F = Object.fromEntries(fields.map((name, i) => [name, i]));
  }

  // Appends rows (oldest first); returns how many old rows were trimmed from the front.
  add(rows) {
    const seq = this.F.seq;
    const last = this.rows.length ? this.rows[this.rows.length - 1][seq] : 0;
    for (const row of rows) if (row[seq] > last) this.rows.push(row);
    if (this.rows.length <= CAP + TRIM_SLACK) return 0;
    const trimmed = this.rows.length - CAP;
    this.rows.splice(0, trimmed);
    return trimmed;
  }

  clear() {
    this.rows = [];
    this.skipped = 0;
  }

  lastSeq() {
    return this.rows.length ? this.rows[this.rows.length - 1][this.F.seq] : null;
  }

  // Binary search by sequence number (rows are in seq order).
  find(seqNumber) {
    const seq = this.F.seq;
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = this.rows[mid][seq];
      if (value === seqNumber) return this.rows[mid];
      if (value < seqNumber) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  toObject(row) {
    return Object.fromEntries(this.fields.map((name, i) => [name, row[i]]));
  }
}

function globRegExp(glob) {
  const escaped = glob.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

// "429", "4xx", "!200", "401,403": a list of statuses or classes, each optionally negated.
function statusTest(text) {
  const wanted = [];
  const unwanted = [];
  for (const raw of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    const negated = raw.startsWith("!");
    const term = negated ? raw.slice(1) : raw;
    let test;
    if (/^\d{1,3}$/.test(term)) test = (s) => s === Number(term);
    else if (/^[0-5]xx$/i.test(term)) test = (s) => Math.floor(s / 100) === Number(term[0]);
    else throw new Error(`status takes numbers or classes like 429, 4xx or !200, separated by commas; got "${raw}".`);
    (negated ? unwanted : wanted).push(test);
  }
  return (s) => (!wanted.length || wanted.some((t) => t(s))) && !unwanted.some((t) => t(s));
}

// Compiles the filter form's values into one test over rows; throws with a sentence on bad input.
// `sessions` maps a guest session id to its principal fingerprint; `now` is the mock's clock.
export function compileFilter(values, F, sessions, now, range) {
  const tests = [];
  const endpoint = values.endpoint.trim();
  if (endpoint) {
    if (/[*?]/.test(endpoint)) {
      const re = globRegExp(endpoint);
      tests.push((r) => re.test(r[F.endpoint]));
    } else tests.push((r) => r[F.endpoint].includes(endpoint));
  }
  if (!values.admin) tests.push((r) => !r[F.endpoint].startsWith("admin."));
  if (values.status.trim()) {
    const test = statusTest(values.status);
    tests.push((r) => test(r[F.status]));
  }
  const principal = values.principal.trim();
  if (principal) tests.push((r) => r[F.principal] !== null && r[F.principal].includes(principal));
  const session = values.session.trim();
  if (session) {
    const fp = sessions.get(session);
    if (!fp) throw new Error(`No guest session "${session}" in the world; pick one from the list (World tab).`);
    const named = `guest:${session}`;
    tests.push((r) => r[F.principal] === fp || r[F.principal] === named);
  }
  if (values.kind) tests.push((r) => r[F.kind] === values.kind);
  if (values.time === "range" && range) tests.push((r) => r[F.time] >= range[0] && r[F.time] < range[1]);
  else if (values.time && values.time !== "range") {
    const since = now - Number(values.time);
    tests.push((r) => r[F.time] >= since);
  }
  return (row) => tests.every((t) => t(row));
}

// The windowed journal table and its detail pane.
export class JournalTable {
  constructor(store, { scroll, spacer, rowsBox, detail, findingsOf }) {
    this.store = store;
    this.scroll = scroll;
    this.spacer = spacer;
    this.rowsBox = rowsBox;
    this.detail = detail;
    this.findingsOf = findingsOf;
    this.view = [];
    this.test = () => true;
    this.selected = null;
    this.follow = true;
    this.pool = [];
    this.dirty = false;
    this.rowHeight = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--row-h")) || 24;
    scroll.addEventListener("scroll", () => {
      this.follow = scroll.scrollTop + scroll.clientHeight >= scroll.scrollHeight - this.rowHeight;
      this.schedule();
    });
    rowsBox.addEventListener("click", (event) => {
      const row = event.target.closest(".row");
      if (row && row.dataset.seq) this.select(Number(row.dataset.seq));
    });
  }

  setFilter(test) {
    this.test = test;
    this.view = this.store.rows.filter(test);
    this.schedule();
  }

  // New rows arrived (already in the store); `trimmed` old ones left its front.
  added(rows, trimmed) {
    if (trimmed) {
      const oldest = this.store.rows.length ? this.store.rows[0][this.store.F.seq] : Infinity;
      let drop = 0;
      while (drop < this.view.length && this.view[drop][this.store.F.seq] < oldest) drop++;
      if (drop) {
        this.view.splice(0, drop);
        // Keep the rows the user is reading where they are while older ones leave above them.
        if (!this.follow) this.scroll.scrollTop = Math.max(0, this.scroll.scrollTop - drop * this.rowHeight);
      }
    }
    for (const row of rows) if (this.test(row)) this.view.push(row);
    this.schedule();
  }

  reset() {
    this.view = [];
    this.selected = null;
    this.showDetail(null);
    this.schedule();
  }

  schedule() {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.render();
    });
  }

  render() {
    const { F } = this.store;
    const height = this.rowHeight;
    this.spacer.style.height = `${this.view.length * height}px`;
    if (this.follow) this.scroll.scrollTop = this.scroll.scrollHeight;
    const first = Math.max(0, Math.floor(this.scroll.scrollTop / height) - OVERSCAN);
    const count = Math.min(this.view.length - first, Math.ceil(this.scroll.clientHeight / height) + 2 * OVERSCAN);
    while (this.pool.length < count) {
      const el = document.createElement("div");
      el.className = "row";
      el.setAttribute("role", "row");
      for (const cls of ["", "", "c-kind", "", "", "", "c-code", "c-principal", "c-fault", "num"]) {
        const cell = document.createElement("span");
        if (cls) cell.className = cls;
        el.append(cell);
      }
      this.pool.push(el);
      this.rowsBox.append(el);
    }
    this.rowsBox.style.transform = `translateY(${first * height}px)`;
    for (let i = 0; i < this.pool.length; i++) {
      const el = this.pool[i];
      if (i >= count) {
        el.hidden = true;
        continue;
      }
      const row = this.view[first + i];
      const cells = el.children;
      const seq = row[F.seq];
      el.hidden = false;
      el.dataset.seq = seq;
      el.setAttribute("aria-selected", String(seq === this.selected));
      cells[0].textContent = seq;
      cells[1].textContent = clockText(row[F.time]);
      cells[2].textContent = row[F.kind];
      cells[3].textContent = row[F.method];
      cells[4].textContent = row[F.endpoint];
      cells[4].title = row[F.path];
      cells[5].textContent = row[F.status];
      cells[5].className = `s-${statusClass(row[F.status])}`;
      cells[6].textContent = row[F.code] || "";
      cells[7].textContent = row[F.principal] || "";
      cells[8].textContent = row[F.fault] || "";
      cells[8].className = row[F.fault] ? "c-fault faulted" : "c-fault";
      cells[9].textContent = row[F.latency_ms].toFixed(1);
    }
  }

  // Selects row `seq`: scrolls it into view when the filters show it, and fills the detail pane.
  // `fallback` (an entry object from a finding) is shown when the page no longer holds the row.
  select(seq, fallback = null) {
    this.selected = seq;
    const row = this.store.find(seq);
    const index = row ? this.view.indexOf(row) : -1;
    if (index >= 0) {
      this.follow = false;
      const top = index * this.rowHeight;
      if (top < this.scroll.scrollTop || top > this.scroll.scrollTop + this.scroll.clientHeight - this.rowHeight) {
        this.scroll.scrollTop = Math.max(0, top - this.scroll.clientHeight / 2);
      }
    }
    let note = "";
    if (!row && fallback) note = "This row is no longer in the page's buffer; the finding carried it.";
    else if (row && index < 0) note = "The filters hide this row in the table.";
    this.showDetail(row ? this.store.toObject(row) : fallback, note);
    this.schedule();
  }

  // Shows the selected row again (its findings may have changed), without moving the table.
  refreshDetail() {
    const row = this.selected === null ? null : this.store.find(this.selected);
    if (row) this.showDetail(this.store.toObject(row), this.view.includes(row) ? "" : "The filters hide this row in the table.");
  }

  showDetail(entry, note = "") {
    const pane = this.detail;
    pane.replaceChildren();
    if (!entry) {
      const hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = "Select a row to see everything the journal recorded about it.";
      pane.append(hint);
      return;
    }
    const title = document.createElement("h3");
    title.textContent = `#${entry.seq} ${entry.method} ${entry.endpoint} → ${entry.status}${entry.code ? ` ${entry.code}` : ""}`;
    pane.append(title);
    if (note) {
      const p = document.createElement("p");
      p.className = "notice";
      p.textContent = note;
      pane.append(p);
    }
    const list = document.createElement("dl");
    list.className = "pairs";
    for (const [name, value] of Object.entries(entry)) {
      if (value === null || value === undefined) continue;
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      const isTime = name === "time" || name === "received" || name === "expires_at" || name === "wall";
      dd.textContent = isTime && typeof value === "number" ? `${isoText(value)} (${value})` : String(value);
      list.append(dt, dd);
    }
    pane.append(list);
    const findings = this.findingsOf(entry.seq);
    if (findings.length) {
      const head = document.createElement("h3");
      head.textContent = "Conformance findings";
      pane.append(head);
      for (const finding of findings) {
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = `[${finding.rule}] ${finding.message}`;
        pane.append(p);
      }
    }
    const note2 = document.createElement("p");
    note2.className = "hint";
    note2.textContent = "Tokens appear as fingerprints (fp:…), as in the journal; the journal never holds a secret.";
    pane.append(note2);
  }
}
