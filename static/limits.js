// A case's own alarm limits on the dashboard: those in force (the defaults,
// or the team's, with who set them and why) and a form to change them, as a
// team sets limits on the monitor. The server keeps every change
// (PUT /cases/{id}/limits); the charts' lines and red values follow them.

import { AuthError, caseURL, putJSON } from "./api.js";
import { el } from "./dom.js";
import { clock, ruleLabel } from "./format.js";

export class LimitsPanel {
  /** `onChanged(answer)`: the server stored new limits; `onAuthError(error)`: the token is gone (401). */
  constructor(container, { onChanged, onAuthError }) {
    Object.assign(this, { container, onChanged, onAuthError });
  }

  /** Shows `answer` (GET /cases/{id}/limits, or null when it could not be read) for `caseID`. */
  show(caseID, answer) {
    if (caseID !== this.caseID) Object.assign(this, { editing: false, error: null, busy: false });
    this.caseID = caseID;
    this.answer = answer;
    if (!this.editing) this.render();
  }

  render() {
    const answer = this.answer;
    if (!answer) {
      this.container.replaceChildren();
      return;
    }
    const moved = answer.rules.filter((rule) => rule.limit !== rule.default_limit);
    const last = answer.changes.at(-1);
    // replaceChildren, unlike `el`, would write a false or null as text.
    this.container.replaceChildren(...[
      el("p", { class: "limits-status" },
        moved.length > 0
          ? el("span", { class: "own-limits" }, `This case's alarm limits: ${moved.map((rule) => ruleLabel(rule.id)).join(", ")}`)
          : el("span", { class: "muted" }, "Default alarm limits"),
        moved.length > 0 && last && el("span", { class: "muted" },
          ` · set by ${last.by} at ${clock(Date.parse(last.at))}${last.note ? ` · “${last.note}”` : ""}`),
        " ",
        !this.editing && el("button", { type: "button", class: "quiet limits-edit", onclick: () => { this.editing = true; this.render(); } },
          "Change limits…")),
      this.editing && this.form(answer),
      this.error && el("p", { class: "error", role: "alert" }, this.error),
    ].filter(Boolean));
  }

  form(answer) {
    const inputs = answer.rules.map((rule) => el("input", {
      type: "number", name: rule.default_id, value: String(rule.limit), min: String(rule.allowed.min), max: String(rule.allowed.max),
      step: "any", required: true, "aria-label": `${ruleLabel(rule.default_id)}: this case's limit`,
    }));
    const note = el("input", { type: "text", name: "note", maxlength: "2000", placeholder: "Why (optional)", "aria-label": "Why" });
    const save = (limits) => this.save(limits, note.value.trim() || null);
    return el("form", {
      class: "limits-form",
      onsubmit: (event) => {
        event.preventDefault();
        // Only the limits moved from their default: the rest stay the server's.
        const limits = {};
        answer.rules.forEach((rule, index) => {
          const value = Number(inputs[index].value);
          if (value !== rule.default_limit) limits[rule.default_id] = value;
        });
        save(limits);
      },
    },
    ...answer.rules.map((rule, index) => el("label", { class: "limit" },
      el("span", { class: "limit-rule" }, `${ruleLabel(rule.default_id)} →`), inputs[index],
      el("span", { class: "muted" }, ` ${rule.allowed.min}–${rule.allowed.max}`))),
    note,
    el("div", { class: "limits-actions" },
      el("button", { type: "submit", class: "limits-save", disabled: this.busy }, "Save limits"),
      el("button", { type: "button", class: "quiet limits-defaults", disabled: this.busy, onclick: () => save({}) }, "Restore defaults"),
      el("button", { type: "button", class: "quiet", onclick: () => { this.editing = false; this.error = null; this.render(); } }, "Cancel")));
  }

  async save(limits, note) {
    this.busy = true;
    try {
      const answer = await putJSON(`${caseURL(this.caseID)}/limits`, { limits, note });
      Object.assign(this, { answer, editing: false, error: null });
      this.onChanged(answer);
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) {
        this.onAuthError(error);
        return;
      }
      this.error = error instanceof AuthError ? "This token cannot change alarm limits: it needs the review scope." : error.message;
    } finally {
      this.busy = false;
    }
    this.render();
  }
}
