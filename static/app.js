// The dashboard page: asks for a read token once (kept for the tab, or in this browser when asked),
// then shows the case list, polled, and the selected case, live. The
// address fragment holds what is shown (#case=…&window=…), so a view can
// be bookmarked; it never holds the token after the page has read it.

import { AuthError, getJSON, token } from "./api.js";
import { CaseList } from "./cases.js";
import { CaseView } from "./caseview.js";
import { byId, text } from "./dom.js";
import { adoptRules, clock, rulesAdopted, timeZone } from "./format.js";

const POLL_MS = 5000;

const caseList = new CaseList({
  list: byId("case-list"),
  empty: byId("cases-empty"),
  count: byId("case-count"),
  onSelect: (caseID) => select(caseID),
});
const caseView = new CaseView({
  onAuthError: (error) => signOut(authMessage(error)),
  onWindow: () => writeHash(),
  onReviewed: (caseID, episode, askedID) => caseList.reviewed(caseID, episode, askedID),
  onLimits: (caseID, answer) => caseList.limitsSet(caseID, answer),
});
let pollTimer = null;

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const windowSeconds = params.has("window") ? Number(params.get("window")) : null;
  return { caseID: params.get("case"), windowSeconds: Number.isFinite(windowSeconds) ? windowSeconds : null };
}

function writeHash() {
  if (!caseView.caseID) return;
  const params = new URLSearchParams({ case: caseView.caseID, window: String(caseView.windowSeconds) });
  history.replaceState(null, "", `${location.pathname}${location.search}#${params}`);
}

function select(caseID, windowSeconds) {
  caseList.select(caseID);
  caseView.open(caseID, caseList.detail(caseID), windowSeconds);
  writeHash();
}

async function poll() {
  clearTimeout(pollTimer);
  const connection = byId("connection");
  try {
    if (!rulesAdopted()) adoptRules(await getJSON("/rules"));
    const cases = await caseList.refresh();
    text(connection, `Updated ${clock(Date.now())} · times in ${timeZone()}`);
    connection.classList.remove("bad");
    if (!caseView.caseID && cases.length) {
      const wanted = readHash();
      const known = cases.some((summary) => summary.case_id === wanted.caseID);
      select(known ? wanted.caseID : cases[0].case_id, wanted.windowSeconds);
    }
    caseView.updateDetail(caseList.detail(caseView.caseID));
  } catch (error) {
    if (error instanceof AuthError) { signOut(authMessage(error)); return; }
    text(connection, `Server unreachable (${error.message}); retrying`);
    connection.classList.add("bad");
  }
  pollTimer = setTimeout(poll, POLL_MS);
}

function showDashboard() {
  byId("login").hidden = true;
  byId("dashboard").hidden = false;
  byId("forget").hidden = false;
  poll();
}

function signOut(message = "") {
  clearTimeout(pollTimer);
  caseView.close();
  caseView.reviews.reset();
  byId("review-denied").hidden = true;
  byId("link-token-note").hidden = true;
  token.forget();
  byId("dashboard").hidden = true;
  byId("forget").hidden = true;
  byId("login").hidden = false;
  text(byId("connection"), "");
  text(byId("token-error"), message);
  byId("token-input").focus();
}

const authMessage = (error) => error.status === 403
  ? "This token lacks the read scope."
  : "This token is unknown or was revoked.";

/** Checks a token against the API before keeping it (for this tab, or in this browser when `remember`). */
async function tryToken(value, remember) {
  token.set(value, remember);
  try {
    await getJSON("/cases", { limit: 1 });
    return null;
  } catch (error) {
    token.forget();
    return error instanceof AuthError ? authMessage(error) : `Cannot reach the server: ${error.message}`;
  }
}

byId("token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = byId("token-input").value.trim();
  if (!value) return;
  const problem = await tryToken(value, byId("token-remember").checked);
  if (problem) { text(byId("token-error"), problem); return; }
  byId("token-input").value = "";
  byId("token-remember").checked = false;
  text(byId("token-error"), "");
  showDashboard();
});

byId("forget").addEventListener("click", () => signOut());

window.addEventListener("hashchange", () => {
  const { caseID, windowSeconds } = readHash();
  if (caseID && caseID !== caseView.caseID) select(caseID, windowSeconds);
  else if (windowSeconds != null && windowSeconds !== caseView.windowSeconds) caseView.setWindow(windowSeconds);
});

if (token.adoptFromFragment()) {
  const note = byId("link-token-note");
  text(note, "This link carried another token; you are still signed in with yours. Forget token, then open the link, to use it.");
  note.hidden = false;
}
if (token.get()) showDashboard();
else signOut();
