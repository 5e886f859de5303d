// The API: the token, JSON requests (reads, and a clinician's review), and the live event stream.
// The token travels only in the Authorization header, never in a URL.

const TOKEN_KEY = "physio.readToken";

/** Kept for this tab (sessionStorage: gone when it closes, so the next
 *  person at a shared theatre workstation does not act under this token),
 *  or in this browser when the user asks to (`remember`). */
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY),
  set(value, remember = false) {
    this.forget();
    (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, value);
  },
  forget() {
    sessionStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(TOKEN_KEY);
  },

  /** `#token=…` in the address (scripts/screenshot uses it, since headless
   *  Chromium cannot type): stored, then removed from the address bar and
   *  history at once. Fragments are never sent to the server, so it reaches
   *  no request line and no access log. Not over a token this browser holds
   *  already: a link must not sign its user in as someone else, whose name
   *  their acknowledgements would then carry. Returns whether it was set aside. */
  adoptFromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const value = params.get("token");
    if (!value) return false;
    const held = this.get();
    if (!held) this.set(value);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    return held != null && held !== value;
  },
};

/** An answer the page must act on: 401 (token unknown or revoked) or 403 (no read scope). */
export class AuthError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

function headers(extra = {}) {
  return { Accept: "application/json", Authorization: `Bearer ${token.get() ?? ""}`, ...extra };
}

async function failure(response) {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const problem = await response.json();
    detail = problem.detail ?? detail;
    // A 422 names each field: say which.
    if (Array.isArray(problem.errors) && problem.errors.length) detail = problem.errors.map((error) => error.detail).join("; ");
  } catch { /* not problem+json */ }
  return response.status === 401 || response.status === 403 ? new AuthError(response.status, detail) : new Error(detail);
}

/** GET a JSON resource; `query` values that are null are left out. */
export async function getJSON(path, query = {}, signal) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value != null) params.set(name, value);
  const url = params.toString() ? `${path}?${params}` : path;
  const response = await fetch(url, { headers: headers(), signal, cache: "no-store" });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** POST a JSON body (or none); answers the JSON reply. 401/403 are AuthErrors the caller decides on. */
export async function postJSON(path, body) {
  const init = { method: "POST", headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }), cache: "no-store" };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** PUT a JSON body; answers the JSON reply. 401/403 are AuthErrors the caller decides on. */
export async function putJSON(path, body) {
  const response = await fetch(path, { method: "PUT", headers: headers({ "Content-Type": "application/json" }), cache: "no-store",
    body: JSON.stringify(body) });
  if (!response.ok) throw await failure(response);
  return response.json();
}

export const caseURL = (id) => `/cases/${encodeURIComponent(id)}`;

/**
 * Follows `GET /cases/{id}/stream`. EventSource cannot send an Authorization
 * header, so the stream is read with fetch() and parsed here. On a drop it
 * reconnects after the server's `retry` (growing while it keeps failing),
 * sending Last-Event-ID so nothing committed meanwhile is missed.
 * Returns `stop()`.
 */
export function followStream(caseID, { onEvent, onState, onAuthError }) {
  const controller = new AbortController();
  let lastEventID = null;
  let retryMs = 2000;
  let failures = 0;

  async function connectOnce() {
    const extra = { Accept: "text/event-stream" };
    if (lastEventID) extra["Last-Event-ID"] = lastEventID;
    const response = await fetch(`${caseURL(caseID)}/stream`, { headers: headers(extra), signal: controller.signal, cache: "no-store" });
    if (!response.ok) throw await failure(response);
    onState("live");
    failures = 0;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new EventParser((event) => {
      if (event.id != null) lastEventID = event.id;
      if (event.retry != null) retryMs = event.retry;
      if (event.name) onEvent(event.name, event.data);
    });
    // The server sends a comment after 15–30 s of silence; 40 s of it means a dead connection.
    let watchdog;
    const arm = () => { clearTimeout(watchdog); watchdog = setTimeout(() => controller.signal.aborted || reader.cancel(), 40000); };
    arm();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        parser.push(value);
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  (async () => {
    while (!controller.signal.aborted) {
      try {
        await connectOnce();
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof AuthError) { onAuthError(error); return; }
        failures += 1;
      }
      if (controller.signal.aborted) return;
      onState("retry");
      await sleep(Math.min(retryMs * 2 ** Math.min(failures, 4), 30000), controller.signal);
    }
  })();

  return () => controller.abort();
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** The text/event-stream format (WHATWG HTML, "Server-sent events"), fed text as it arrives. */
class EventParser {
  constructor(dispatch) {
    this.dispatch = dispatch;
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.name = "";
    this.data = [];
    this.id = null;
    this.retry = null;
  }

  push(text) {
    let all = this.buffer + text;
    // A trailing \r may be half of \r\n: keep it for the next chunk.
    const held = all.endsWith("\r") ? "\r" : "";
    if (held) all = all.slice(0, -1);
    const lines = all.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() + held;
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === "") {
      if (this.data.length || this.id != null || this.retry != null) {
        this.dispatch({ name: this.data.length ? this.name || "message" : "", data: this.data.join("\n"), id: this.id, retry: this.retry });
      }
      this.reset();
      return;
    }
    if (line.startsWith(":")) return; // comment: keep-alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.name = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
  }
}
