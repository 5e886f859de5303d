// A clinician's review of an episode on the dashboard: acknowledge in one
// click, annotate in two ("Annotate…", then the verdict; a reason and a note
// are optional and go with it), and the episode's audit trail, oldest first.
// The server keeps the trail append-only; this page only adds to it.

import { AuthError, caseURL, postJSON } from "./api.js";
import { el } from "./dom.js";
import { clock, clockOn, ruleLabel } from "./format.js";

// The server's closed lists (README, "Alarm review").
export const VERDICTS = { true_alarm: "True alarm", false_alarm: "False alarm", artefact: "Artefact", not_sure: "Not sure" };
export const REASONS = {
  line_flush: "Line flush", probe_off: "Probe off", patient_movement: "Patient movement",
  electrocautery: "Electrocautery", drug_given: "Drug given", intervention: "Intervention",
};

export const acknowledged = (episode) => Boolean(episode.review?.acknowledged);

export class EpisodeReviews {
  /** `onReviewed(answer, askedID)`: the server stored (or already had) the action; `onDenied(message)`: the token cannot review. */
  constructor({ onReviewed, onDenied, onAuthError }) {
    Object.assign(this, { onReviewed, onDenied, onAuthError });
    this.forms = new Map();      // episode id → {reason, note} while its annotate form is open
    this.trailsOpen = new Set(); // episode ids whose trail the user opened
    this.busy = new Set();
    this.errors = new Map();
    this.denied = false;
  }

  /** Another token: forget what this one was refused and any open form. */
  reset() {
    this.denied = false;
    this.forms.clear();
    this.errors.clear();
  }

  /** The review block of one episode; `refresh()` redraws the list it is in. */
  render(caseID, episode, { selected, refresh }) {
    const review = episode.review ?? { acknowledged: false, trail: [] };
    const form = this.forms.get(episode.id);
    const disabled = this.busy.has(episode.id) || this.denied;
    const send = (action, body) => this.send(caseID, episode.id, action, body, refresh);
    return el("div", { class: "review", dataset: { episode: String(episode.id) } },
      el("p", { class: "review-status" },
        review.acknowledged
          ? el("span", { class: "seen", title: `Acknowledged at ${review.acknowledged_at}` },
            `✓ Seen by ${review.acknowledged_by} ${clockOn(Date.parse(review.acknowledged_at), Date.parse(episode.start), false)}`)
          : el("span", { class: "unseen" }, review.unacknowledged_alarms?.length
            ? `New alarm not acknowledged: ${review.unacknowledged_alarms.map(({ rule }) => ruleLabel(rule)).join(", ")}`
            : "Not acknowledged"),
        review.verdict && el("span", { class: `verdict verdict-${review.verdict}`, title: `By ${review.annotated_by} at ${review.annotated_at}` },
          VERDICTS[review.verdict] ?? review.verdict, review.reason && ` · ${REASONS[review.reason] ?? review.reason}`)),
      review.note && el("p", { class: "review-note" }, `“${review.note}”`),
      el("div", { class: "review-actions" },
        // It names the alarms this card shows: one raised since is not covered unseen.
        !review.acknowledged && el("button", { type: "button", class: "acknowledge", disabled,
          onclick: () => send("acknowledge", { alarms: episode.alarms ?? [] }) },
          review.unacknowledged_alarms?.length ? "Acknowledge new alarm" : "Acknowledge"),
        el("button", {
          type: "button", class: "quiet annotate-toggle", "aria-expanded": String(Boolean(form)), disabled: this.denied,
          onclick: () => { if (form) this.forms.delete(episode.id); else this.forms.set(episode.id, { reason: "", note: "" }); refresh(); },
        }, review.verdict ? "Change verdict…" : "Annotate…")),
      form && this.annotateForm(form, disabled, send),
      this.errors.has(episode.id) && el("p", { class: "error", role: "alert" }, this.errors.get(episode.id)),
      this.trail(episode.id, review.trail ?? [], selected));
  }

  /** The verdict buttons send at once, with the reason and note chosen above them (both optional). */
  annotateForm(form, disabled, send) {
    const reason = el("select", { "aria-label": "Reason (optional)", onchange: (event) => { form.reason = event.target.value; } },
      el("option", { value: "" }, "Reason (optional)"),
      ...Object.entries(REASONS).map(([value, label]) => el("option", { value, selected: form.reason === value }, label)));
    const note = el("input", {
      type: "text", maxlength: "2000", placeholder: "Note (optional)", "aria-label": "Note (optional)", value: form.note,
      oninput: (event) => { form.note = event.target.value; },
    });
    return el("div", { class: "annotate", role: "group", "aria-label": "Annotate this episode" },
      el("div", { class: "annotate-fields" }, reason, note),
      el("div", { class: "verdicts" }, ...Object.entries(VERDICTS).map(([verdict, label]) => el("button", {
        type: "button", class: `verdict-button verdict-${verdict}`, disabled,
        onclick: () => send("annotate", { verdict, ...(form.reason ? { reason: form.reason } : {}), ...(form.note.trim() ? { note: form.note.trim() } : {}) }),
      }, label))));
  }

  trail(episodeID, trail, selected) {
    if (!trail.length) return null;
    return el("details", {
      class: "trail", open: selected || this.trailsOpen.has(episodeID),
      ontoggle: (event) => { if (event.target.open) this.trailsOpen.add(episodeID); else this.trailsOpen.delete(episodeID); },
    },
    // Kept at the click itself too: the toggle event comes a task later, and
    // a list drawn again in between (a stream event) would draw it closed.
    el("summary", {
      onclick: (event) => {
        if (event.currentTarget.parentElement.open) this.trailsOpen.delete(episodeID); else this.trailsOpen.add(episodeID);
      },
    }, `Audit trail (${trail.length})`),
    el("ol", {}, ...trail.map((entry) => el("li", {},
      el("span", { class: "when", title: entry.at }, clockOn(Date.parse(entry.at), Date.now())), " ",
      el("b", {}, entry.by ?? "workers"), " ", describe(entry)))));
  }

  async send(caseID, episodeID, action, body, refresh) {
    this.busy.add(episodeID);
    this.errors.delete(episodeID);
    refresh();
    try {
      const answer = await postJSON(`${caseURL(caseID)}/anomalies/${episodeID}/${action}`, body);
      if (action === "annotate") this.forms.delete(episodeID);
      this.onReviewed(answer, episodeID);
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) { this.onAuthError(error); return; }
      if (error instanceof AuthError) {
        this.denied = true;
        this.onDenied("This token cannot review episodes: open the dashboard with a token that has the review scope "
          + "(physio token create --scope read review --name …).");
      } else {
        this.errors.set(episodeID, `Not saved: ${error.message}`);
      }
    } finally {
      this.busy.delete(episodeID);
      refresh();
    }
  }
}

function describe(entry) {
  switch (entry.action) {
  case "acknowledge": return "acknowledged";
  case "annotate": {
    const reason = entry.reason ? ` · ${REASONS[entry.reason] ?? entry.reason}` : "";
    return `annotated: ${VERDICTS[entry.verdict] ?? entry.verdict}${reason}${entry.note ? ` “${entry.note}”` : ""}`;
  }
  case "merge": return `merged in episode ${entry.episode_id} (${clock(Date.parse(entry.episode_start))}–${clock(Date.parse(entry.episode_end))}) with its reviews`;
  default: return entry.action;
  }
}
