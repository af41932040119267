// The admin API as the page uses it: the admin token, JSON calls, and the live feed
// (server-sent events read with fetch, so the token travels in a header, never in a URL).

const TOKEN_KEY = "mockgenesys.adminToken";
// The page is served at /__admin/; every call is relative to it.
const BASE = new URL(".", document.baseURI);

let tokenWaiters = [];

export function adminUrl(path) {
  return new URL(path.replace(/^\//, ""), BASE).toString();
}

function headers(extra = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

// A token given in the URL fragment (#token=…, never sent to a server) is kept and removed from the address bar.
export function adoptFragmentToken() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  const waiters = tokenWaiters;
  tokenWaiters = [];
  for (const resolve of waiters) resolve();
}

// Resolves once the user entered a token (the dialog calls setToken).
function askForToken() {
  const dialog = document.getElementById("token-dialog");
  const error = document.getElementById("token-error");
  error.textContent = sessionStorage.getItem(TOKEN_KEY) ? "The admin API refused this token." : "";
  sessionStorage.removeItem(TOKEN_KEY);
  if (!dialog.open) dialog.showModal();
  return new Promise((resolve) => tokenWaiters.push(resolve));
}

// The admin API's own message for a refused call: its Genesys error body's message, else the status.
function refusal(status, text) {
  try {
    const body = JSON.parse(text);
    const field = body.details && body.details[0] && body.details[0].fieldName;
    return { message: body.message || `HTTP ${status}`, field: field || null, code: body.code || null };
  } catch {
    return { message: text ? `HTTP ${status}: ${text.slice(0, 200)}` : `HTTP ${status}`, field: null, code: null };
  }
}

// Calls the admin API; resolves to {ok, status, data} or {ok: false, status, message, field}.
// A 401 asks for the token and retries.
export async function call(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { "content-type": "application/json" }) };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  let response;
  try {
    response = await fetch(adminUrl(path), init);
  } catch (err) {
    return { ok: false, status: 0, message: `The mock did not answer (${err.message}).`, field: null };
  }
  if (response.status === 401) {
    await askForToken();
    return call(method, path, body);
  }
  const text = await response.text();
  if (!response.ok) return { ok: false, status: response.status, ...refusal(response.status, text) };
  return { ok: true, status: response.status, data: text ? JSON.parse(text) : null };
}

// Reads server-sent events from `response` and hands each to onEvent(name, data).
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}

// Keeps the live feed open: reconnects with backoff, resuming after the last row seen
// (lastSeq() returns it), and asks for the token on a 401. onStatus(state, text) reports progress.
export function openFeed({ lastSeq, onEvent, onStatus }) {
  let delay = 500;
  const loop = async () => {
    for (;;) {
      onStatus("connecting", "connecting…");
      const seq = lastSeq();
      const url = adminUrl(seq === null ? "events" : `events?after=${seq}`);
      try {
        const response = await fetch(url, { headers: headers({ accept: "text/event-stream" }), cache: "no-store" });
        if (response.status === 401) {
          onStatus("token", "admin token needed");
          await askForToken();
          continue;
        }
        if (!response.ok) throw new Error(refusal(response.status, await response.text()).message);
        onStatus("live", "live");
        delay = 500;
        await readEvents(response, onEvent);
        onStatus("down", "feed ended; reconnecting");
      } catch (err) {
        onStatus("down", `feed lost (${err.message}); reconnecting`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  };
  loop();
}
