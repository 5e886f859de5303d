// The case list: every case, most recently active first, each with how
// fresh its data is, its latest HR / BP / SpO₂ and its open anomaly
// episode (marked when nobody has acknowledged it). Polled: the list has no stream of its own.

import { caseURL, getJSON } from "./api.js";
import { el, text } from "./dom.js";
import { ago, breaches, clock, isCurrent, isReceiving, number, plausible, ruleLabel, rulesWithLimits } from "./format.js";
import { acknowledged } from "./review.js";

// A case whose last commit is this recent counts as live (a monitor is posting).
export const LIVE_MS = 60_000;
// Details (latest values, open episode) are fetched for this many cases at
// most per poll: the shown case first, then those never fetched, then the
// longest since fetched, so every case is refreshed within a few polls.
const DETAILED = 40;

export class CaseList {
  constructor({ list, empty, count, onSelect }) {
    Object.assign(this, { list, empty, count, onSelect });
    this.details = new Map();  // case id → {updated_at, detail}
    this.selected = null;
    this.cases = [];
  }

  /** Fetches the list and the details that changed; returns the cases, most recent first. */
  async refresh() {
    const { cases } = await getJSON("/cases", { limit: 1000 });
    cases.sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.case_id.localeCompare(b.case_id));
    const fetchedAt = (summary) => summary.case_id === this.selected ? -Infinity : this.details.get(summary.case_id)?.fetchedAt ?? 0;
    const changed = cases.filter((summary) => this.details.get(summary.case_id)?.updated_at !== summary.updated_at)
      .sort((a, b) => fetchedAt(a) - fetchedAt(b)).slice(0, DETAILED);
    await Promise.all(changed.map(async (summary) => {
      try {
        const detail = await getJSON(caseURL(summary.case_id));
        this.details.set(summary.case_id, { updated_at: summary.updated_at, detail, fetchedAt: Date.now() });
      } catch (error) {
        if (error.status) throw error;  // 401/403: the page must ask for a token again
      }
    }));
    this.cases = cases;
    this.render();
    return cases;
  }

  detail(caseID) { return this.details.get(caseID)?.detail ?? null; }

  /** New limits change no case's `updated_at` either: the list takes them from the answer of PUT /cases/{id}/limits. */
  limitsSet(caseID, answer) {
    const detail = this.detail(caseID);
    if (!detail) return;
    detail.limits = Object.fromEntries(answer.rules.filter((rule) => rule.limit !== rule.default_limit).map((rule) => [rule.default_id, rule.limit]));
    this.render();
  }

  /** A review changes no case's `updated_at`, so the list would not fetch it again: its open episode is updated here. */
  reviewed(caseID, episode, askedID) {
    const detail = this.detail(caseID);
    if (!detail?.open_episode || ![episode.id, askedID].includes(detail.open_episode.id)) return;
    detail.open_episode = { ...detail.open_episode, ...episode };
    this.render();
  }

  select(caseID) {
    this.selected = caseID;
    for (const button of this.list.querySelectorAll(".case-item")) {
      button.setAttribute("aria-current", String(button.dataset.case === caseID));
    }
  }

  render() {
    const now = Date.now();
    const unseen = this.cases.filter((summary) => this.alarm(summary, now).unseen).length;
    text(this.count, this.cases.length ? `(${this.cases.length}${unseen ? ` · ${unseen} unacknowledged` : ""})` : "");
    this.empty.hidden = this.cases.length > 0;
    this.list.replaceChildren(...this.cases.map((summary) => el("li", {}, this.item(summary, now))));
  }

  /**
   * The case's open episode, and whether nobody has acknowledged it. A case
   * whose monitor stopped in an episode has none open (the server says so
   * too), but one nobody acknowledged still stands out: `stopped`.
   */
  alarm(summary, now) {
    const held = this.detail(summary.case_id)?.open_episode ?? null;
    const receiving = isReceiving(summary.updated_at, now);
    const unseen = Boolean(held) && !acknowledged(held);
    return { episode: receiving || unseen ? held : null, unseen, stopped: !receiving && unseen };
  }

  item(summary, now) {
    const detail = this.detail(summary.case_id);
    const live = now - Date.parse(summary.updated_at) < LIVE_MS && isCurrent(Date.parse(summary.last_sample), now);
    const { episode, unseen, stopped } = this.alarm(summary, now);
    const latest = detail?.latest ?? {};
    // An artefact (a flushed or unzeroed line) shows as "–", as a monitor shows "---".
    const reading = (vital) => (plausible(vital, latest[vital]?.value) ? latest[vital].value : null);
    const value = (vital) => (reading(vital) != null ? number(vital, reading(vital)) : "–");
    // Past a clinical threshold, in the alarm colour, as a monitor shows it (a lone cuff reading included).
    // MAP estimated as (SBP + 2·DBP)/3 where the monitor sends none, as the detector does.
    const map = reading("mbp") ?? (reading("sbp") != null && reading("dbp") != null ? (reading("sbp") + 2 * reading("dbp")) / 3 : null);
    // By the limits the case's team set, where it set any.
    const rules = rulesWithLimits(detail?.limits);
    const past = (...vitals) => (vitals.some((vital) => breaches(vital, vital === "mbp" ? map : reading(vital), rules).length) ? "breach" : null);
    return el("button", {
      type: "button",
      class: `case-item${live ? " live" : ""}${episode ? " anomalous" : ""}${unseen ? " unseen" : ""}`,
      "aria-current": String(summary.case_id === this.selected),
      dataset: { case: summary.case_id },
      onclick: () => this.onSelect(summary.case_id),
    },
    el("span", { class: "case-top" },
      el("span", { class: "case-id" }, summary.case_id),
      el("span", { class: "case-when", title: `${live ? "live; " : ""}last sample ${summary.last_sample}, stored ${summary.updated_at}` },
        // The last sample's age (a record imported now is not fresh); a replay's clock may run ahead of ours.
        live ? `● ${clock(Date.parse(summary.last_sample))}` : ago(Math.min(Date.parse(summary.last_sample), Date.parse(summary.updated_at)), now))),
    detail && el("span", { class: "case-values" },
      el("span", { class: "v-hr" }, "HR ", el("b", { class: past("hr") }, value("hr"))),
      // MAP alone (an arterial line sending its mean, nothing else): MAP, not an empty BP.
      value("sbp") === "–" && value("dbp") === "–" && value("mbp") !== "–"
        ? el("span", { class: "v-bp" }, "MAP ", el("b", { class: past("mbp") }, value("mbp")))
        : el("span", { class: "v-bp" }, "BP ", el("b", { class: past("sbp", "dbp", "mbp") }, `${value("sbp")}/${value("dbp")}`)),
      el("span", { class: "v-spo2" }, "SpO₂ ", el("b", { class: past("spo2") }, value("spo2")))),
    el("span", { class: `case-flag${episode ? "" : " calm"}` },
      episode
        ? `${stopped ? "Data stopped during an anomaly since" : "Anomaly since"} ${clock(Date.parse(episode.start))}${episode.rules.length ? ` · ${episode.rules.map(ruleLabel).join(", ")}` : ""}`
        : detail?.latest_score ? "No open episode" : "Not scored yet"),
    unseen && el("span", { class: "case-flag unseen" }, "Not acknowledged"));
  }
}
