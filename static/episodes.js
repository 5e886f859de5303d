// The episode list beside the charts: newest first, each with its times,
// what raised it (the detector's early warning, the clinical-rule safety
// floor, or both), peak score, the vitals that drove it, the rules crossed,
// each rule's alarm raised after the first, and its review (review.js). An
// open episode nobody has acknowledged, or with an alarm nobody has seen,
// stands out.

import { el } from "./dom.js";
import { VITALS, clock, duration, ruleLabel } from "./format.js";
import { acknowledged } from "./review.js";

/**
 * Renders `episodes` (CaseData episodes) into `list`. `openID`: the case's
 * open episode; `selectedID`: the one zoomed to; `onSelect(episode)`;
 * `review(episode, selected)`: the episode's review block.
 */
export function renderEpisodes(list, empty, count, { episodes, openID, selectedID, onSelect, review }) {
  const sorted = [...episodes].sort((a, b) => b.startMs - a.startMs);
  count.textContent = sorted.length ? `(${sorted.length})` : "";
  empty.hidden = sorted.length > 0;
  list.replaceChildren(...sorted.map((episode) => {
    const open = episode.id === openID;
    const unseen = open && !acknowledged(episode);
    const selected = episode.id === selectedID;
    return el("li", { class: `episode-item${open ? " open" : ""}${unseen ? " unseen" : ""}`, dataset: { episode: String(episode.id) } },
      el("button", {
        type: "button",
        class: `episode${open ? " open" : ""}`,
        "aria-pressed": String(selected),
        onclick: () => onSelect(episode),
      },
      el("span", { class: "episode-top" },
        open && el("span", { class: "badge" }, "open"),
        el("b", {}, `${clock(episode.startMs)}–${clock(episode.endMs)}`),
        el("span", { class: "muted" }, duration(episode.duration_seconds)),
        source(episode.source)),
      el("span", { class: "peak" }, `peak score ${episode.peak_score.toFixed(2)} at ${clock(Date.parse(episode.peak_time))}`),
      raised(episode),
      laterAlarms(episode),
      drivers(episode.drivers),
      rules(episode.rules)),
      review(episode, selected));
  }));
}

/**
 * When the alarm was raised, if after the episode's start: a breach is
 * stored from its first sample but alarmed once it has lasted.
 */
function raised(episode) {
  const raisedMs = episode.raised_at ? Date.parse(episode.raised_at) : NaN;
  if (!(raisedMs > episode.startMs)) return null;
  return el("span", { class: "peak raised", title: "The episode starts where the breach began; the alarm came once it had lasted" },
    `alarm raised at ${clock(raisedMs)}, ${duration((raisedMs - episode.startMs) / 1000)} after its start`);
}

/**
 * The rules whose own alarms came after the episode's first (a desaturation
 * during a hypotension): new alarms, marked while no acknowledgement saw them.
 */
function laterAlarms(episode) {
  const firstMs = episode.raised_at ? Date.parse(episode.raised_at) : NaN;
  const later = (episode.alarms ?? []).filter(({ raised_at }) => Date.parse(raised_at) > firstMs);
  if (!later.length) return null;
  const key = ({ rule, raised_at }) => `${rule}@${Date.parse(raised_at)}`;
  const unseen = new Set((episode.review?.unacknowledged_alarms ?? []).map(key));
  return el("span", { class: "later-alarms", "aria-label": "Alarms raised inside the episode" },
    later.map((alarm) => el("span", {
      class: `later-alarm${unseen.has(key(alarm)) ? " unseen" : ""}`,
      title: unseen.has(key(alarm)) ? "A new alarm inside the episode, not yet acknowledged" : "A new alarm inside the episode",
    }, `new alarm ${ruleLabel(alarm.rule)} at ${clock(Date.parse(alarm.raised_at))}`)));
}

/** The vitals that drove the episode's peak, as bars of their share. */
function drivers(list) {
  if (!list?.length) return null;
  // A share that rounds to 0 % says nothing: left out.
  return el("span", { class: "drivers", "aria-label": "Contributing vitals" },
    list.filter(({ weight }) => Math.round(weight * 100) > 0).flatMap(({ vital, weight }) => {
      const bar = el("span");
      bar.style.width = `${Math.round(Math.max(0, Math.min(1, weight)) * 100)}%`;  // CSSOM: allowed under the CSP
      return [
        el("span", {}, VITALS[vital]?.label ?? vital),
        el("span", { class: "bar" }, bar),
        el("span", { class: "pct" }, `${Math.round(weight * 100)}%`),
      ];
    }));
}

/** What raised the episode: the score's early warning, the safety floor (a rule breach ≥ 60 s), or both. */
const SOURCES = {
  model: ["warning", "The detector's score warned: a clinical threshold is likely to be crossed within minutes"],
  rule: ["rule breach", "Safety floor: a clinical threshold crossed for at least 60 s"],
  both: ["warning + breach", "The detector warned, and a clinical threshold was crossed for at least 60 s"],
};

function source(kind) {
  const [label, title] = SOURCES[kind] ?? [];
  return label ? el("span", { class: `source source-${kind}`, title }, label) : null;
}

function rules(ids) {
  return el("span", { class: "rules", "aria-label": "Clinical rules fired" },
    ids?.length
      ? ids.map((id) => el("span", { class: "rule", title: id }, ruleLabel(id)))
      : el("span", { class: "rule none" }, "no clinical threshold crossed"));
}
