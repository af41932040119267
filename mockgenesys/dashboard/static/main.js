// Wires the page: the live feed feeds the journal, charts and panels; the tabs; the filters.

import { adoptFragmentToken, openFeed, setToken } from "./api.js";
import { Charts } from "./charts.js";
import { CAP, JournalTable, RowStore, compileFilter } from "./journal.js";
import { ClockPanel, ConformancePanel, FaultsPanel, LimitsPanel } from "./panels.js";
import { WorldPanel } from "./world.js";

const CHART_EVERY_MS = 500;
const WORLD_EVERY_MS = 2000;
const $ = (id) => document.getElementById(id);

adoptFragmentToken();
$("token-form").addEventListener("submit", () => setToken($("token-form").elements.token.value));

const store = new RowStore();
const filters = $("filters");
let sessions = new Map();
let range = null; // [from, to) picked on a chart
let worldStale = true; // client rows arrived since the world was last read
let journalInfo = { total: 0, size: 0, maxlen: 0 };
let activeTab = "journal";

const clock = new ClockPanel();
const conformance = new ConformancePanel((entry) => showEntry(entry));
const faults = new FaultsPanel();
const limits = new LimitsPanel();
const table = new JournalTable(store, {
  scroll: $("journal-scroll"),
  spacer: $("journal-spacer"),
  rowsBox: $("journal-rows"),
  detail: $("journal-detail"),
  findingsOf: (seq) => conformance.findingsOf(seq),
});
const charts = new Charts($("chart-status"), $("chart-latency"), $("status-legend"), $("latency-legend"), (picked) => {
  range = picked;
  filters.elements.time.querySelector('[value="range"]').hidden = false;
  filters.elements.time.value = "range";
  applyFilter();
});
const world = new WorldPanel({
  onSession: (id) => {
    filters.elements.session.value = id;
    switchTab("journal");
    applyFilter();
  },
  onSessions: (map) => {
    sessions = map;
    $("session-ids").replaceChildren(...[...map.keys()].map((id) => new Option("", id)));
    if (filters.elements.session.value.trim()) applyFilter();
  },
});

// ---------------------------------------------------------------------- tabs
function switchTab(name) {
  activeTab = name;
  for (const tab of document.querySelectorAll("[role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll("[role=tabpanel]")) panel.hidden = panel.id !== `tab-${name}`;
  if (name === "world") world.refresh();
  if (name === "journal") {
    table.schedule();
    drawCharts();
  }
}
for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => switchTab(tab.dataset.tab));

// ---------------------------------------------------------------------- filters
function filterValues() {
  const f = filters.elements;
  return {
    endpoint: f.endpoint.value,
    status: f.status.value,
    principal: f.principal.value,
    session: f.session.value,
    kind: f.kind.value,
    time: f.time.value,
    admin: f.admin.checked,
  };
}

function applyFilter() {
  const values = filterValues();
  if (values.time !== "range") range = null;
  let test;
  try {
    test = compileFilter(values, store.F, sessions, clock.current() ?? 0, range);
  } catch (err) {
    $("filter-error").textContent = err.message;
    return;
  }
  $("filter-error").textContent = "";
  table.setFilter(test);
  drawCharts();
  showCounts();
}

let filterTimer = null;
filters.addEventListener("input", (event) => {
  if (event.target.name === "session" && event.target.value.trim() && !sessions.size) world.refresh();
  clearTimeout(filterTimer);
  filterTimer = setTimeout(applyFilter, 120);
});
filters.addEventListener("reset", () => {
  range = null;
  filters.elements.time.querySelector('[value="range"]').hidden = true;
  setTimeout(applyFilter, 0); // after the form has cleared its fields
});

// ---------------------------------------------------------------------- journal view
function showEntry(entry) {
  switchTab("journal");
  const row = store.find(entry.seq);
  if (row && !table.test(row)) {
    filters.reset();
    range = null;
    applyFilter();
  }
  table.select(entry.seq, entry);
}

function showCounts() {
  const held = store.rows.length;
  const dropped = journalInfo.total - journalInfo.size;
  $("journal-shown").textContent =
    `${table.view.length.toLocaleString()} of ${held.toLocaleString()} rows on the page shown` +
    ` (the journal has recorded ${journalInfo.total.toLocaleString()}` +
    (dropped > 0 ? `, keeps the newest ${journalInfo.maxlen.toLocaleString()})` : ")") +
    (held >= CAP ? `; the page keeps the newest ${CAP.toLocaleString()}` : "");
  $("journal-notice").textContent = store.skipped
    ? `${store.skipped.toLocaleString()} rows were skipped to keep up; GET /__admin/journal has every row the journal still holds.`
    : "";
  $("journal-count").textContent = held ? held.toLocaleString() : "";
}

let chartTimer = null;
function drawCharts() {
  clearTimeout(chartTimer);
  chartTimer = null;
  const time = filters.elements.time.value;
  let t0 = null;
  let t1 = null;
  if (range) [t0, t1] = range;
  else if (time) {
    t1 = clock.current() ?? 0;
    t0 = t1 - Number(time);
  } else if (table.view.length) {
    const at = store.F.time;
    t0 = Infinity;
    t1 = -Infinity;
    for (const row of table.view) {
      if (row[at] < t0) t0 = row[at];
      if (row[at] > t1) t1 = row[at];
    }
  }
  charts.update(table.view, store.F, t0, t1);
}

function scheduleCharts() {
  if (chartTimer === null && activeTab === "journal") chartTimer = setTimeout(drawCharts, CHART_EVERY_MS);
}

// ---------------------------------------------------------------------- the feed
const handlers = {
  hello(hello) {
    // Other fields, or a journal shorter than what the page holds (a restarted mock): start afresh.
    const last = store.lastSeq();
    if (store.fields.join() !== hello.fields.join() || (last !== null && hello.total < last)) {
      store.setFields(hello.fields);
      store.clear();
      table.reset();
    }
    $("endpoint-ids").replaceChildren(...hello.endpoints.map((id) => new Option("", id)));
    const actions = hello.endpoints.filter((id) => id.startsWith("guest.ws.") && id !== "guest.ws.connect");
    $("ws-actions").replaceChildren(...actions.map((id) => new Option("", id.slice(9))));
    faults.setVocabulary(hello);
    applyFilter();
  },
  rows({ rows, skipped, total, size }) {
    journalInfo = { ...journalInfo, total, size };
    const trimmed = store.add(rows);
    store.skipped += skipped;
    table.added(rows, trimmed);
    const endpoint = store.F.endpoint;
    if (!worldStale && rows.some((row) => !row[endpoint].startsWith("admin."))) worldStale = true;
    scheduleCharts();
    showCounts();
  },
  reset() {
    store.clear();
    table.reset();
    worldStale = true;
    drawCharts();
    showCounts();
  },
  state(state) {
    clock.update(state.clock);
    faults.update(state.faults);
    limits.update(state.limits);
    journalInfo = state.journal;
    showCounts();
    const time = filters.elements.time.value;
    if (time && time !== "range") applyFilter(); // "last N s" moves with the clock
  },
  check(report) {
    conformance.update(report);
    table.refreshDetail();
  },
};

openFeed({
  lastSeq: () => store.lastSeq(),
  onEvent: (name, data) => handlers[name] && handlers[name](data),
  onStatus: (state, text) => {
    $("feed-status").dataset.state = state;
    $("feed-status").textContent = text;
  },
});

setInterval(() => {
  if (activeTab === "world" && worldStale) {
    worldStale = false;
    world.refresh();
  }
}, WORLD_EVERY_MS);
