// The chart column of a case: one panel per vital group the case has data
// for, plus the anomaly score, each with a legend (names and units) and a
// monitor-style value box; a pointer over any panel reads all of them at
// that time.

import { drawPanel, timeAt } from "./chart.js";
import { el, text } from "./dom.js";
import { PANELS, RULES, VITALS, breaches, clock, number, ruleLabel } from "./format.js";

const SCORE = { id: "score", title: "Risk score", colour: "#f0b45e" };

export class Panels {
  constructor(container, onHover) {
    this.container = container;
    this.onHover = onHover;
    this.panels = [];
    this.shown = "";
    // Panels change size when others appear or the window changes: redraw then.
    this.resized = new ResizeObserver(() => onHover(this.hover));
  }

  /** Draws `data` (a CaseData) over [from, to]; `episodes`: [{start, end, open, selected}] in ms;
   *  `rules`: the case's own (`caseRules`), whose limits the lines and red values follow. */
  draw({ from, to, data, episodes, hover, rules = RULES }) {
    const visible = PANELS.filter((panel) => panel.vitals.some((vital) => data.has(vital) || (vital === "mbp" && data.has("mbp_est"))));
    const key = visible.map((panel) => panel.id).join(",");
    if (key !== this.shown) this.build(visible);
    this.from = from;
    this.to = to;
    this.hover = hover;

    for (const panel of this.panels) {
      const lines = panel.id === "score" ? scoreLines(data) : vitalLines(panel, data);
      drawPanel(panel.canvas, {
        from, to, lines, episodes, hover, axis: true,
        range: panel.range,
        // Only the limits of vitals this case sends: a MAP-only line must not sit under "SBP < 80".
        thresholds: thresholds(panel, rules).filter((line) => data.has(line.vital) || (line.vital === "mbp" && data.has("mbp_est"))),
        format: panel.id === "score" ? (v) => v.toFixed(2) : (v) => String(Math.round(v * 10) / 10),
      });
      for (const [vital, item] of panel.legendItems) item.hidden = !data.has(vital);
      if (panel.id === "score") showScore(panel, data, hover);
      else showValues(panel, data, hover, rules);
    }
  }

  build(visible) {
    this.shown = visible.map((panel) => panel.id).join(",");
    this.container.replaceChildren();
    this.resized.disconnect();
    this.panels = [...visible, SCORE].map((definition) => {
      const panel = {
        ...definition,
        vitals: definition.vitals ?? [],
        range: definition.range ?? [0.35, 0.75],
        canvas: el("canvas", { role: "img", "aria-label": `${definition.title} over time` }),
        number: el("span", { class: "number" }),
        extra: el("span", { class: "unit" }),
        at: el("span", { class: "at" }),
      };
      panel.label = el("span", { class: "label" }, definition.id === "bp" ? "SBP/DBP" : definition.id === "score" ? "Score" : VITALS[definition.vitals[0]].label);
      panel.box = el("div", { class: "value" },
        panel.label,
        panel.number,
        panel.extra,
        panel.at);
      const legend = el("div", { class: "legend" }, ...legendItems(panel));
      panel.legendItems = [...legend.querySelectorAll("[data-vital]")].map((item) => [item.dataset.vital, item]);
      this.container.append(el("div", { class: `chart${definition.id === "score" ? " score" : ""}` },
        el("div", { class: "plot" }, panel.canvas, legend), panel.box));
      this.resized.observe(panel.canvas);
      panel.canvas.addEventListener("mousemove", (event) => this.onHover(timeAt(panel.canvas, event.offsetX, this.from, this.to)));
      panel.canvas.addEventListener("mouseleave", () => this.onHover(null));
      return panel;
    });
  }
}

function legendItems(panel) {
  if (panel.id === "score") {
    return [el("span", { class: "swatch-label" }, swatch(SCORE.colour), "Risk score"), el("span", { class: "muted" }, " chance of a threshold breach within 5 min, raised by novelty; 1 in breach")];
  }
  const items = panel.vitals.map((vital) => el("span", { class: "swatch-label", dataset: { vital } },
    swatch(VITALS[vital].colour), panel.vitals.length > 1 ? VITALS[vital].label : VITALS[vital].name));
  if (panel.vitals.includes("mbp")) {
    items.push(el("span", { class: "swatch-label", dataset: { vital: "mbp_est" } }, swatch(VITALS.mbp.colour, true), "MAP est. (SBP+2·DBP)/3"));
  }
  items.push(el("span", { class: "muted" }, VITALS[panel.vitals[0]].unit));
  return items;
}

function swatch(colour, dashed = false) {
  const mark = el("span", { class: `swatch${dashed ? " dashed" : ""}`, "aria-hidden": "true" });
  mark.style.borderColor = colour;  // CSSOM, allowed under the page's CSP (inline style attributes are not)
  return mark;
}

function vitalLines(panel, data) {
  const lines = panel.vitals.map((vital) => ({ colour: VITALS[vital].colour, raw: data.raw(vital), buckets: data.bucketed(vital), width: vital === "dbp" ? 1.2 : 1.6 }));
  if (panel.vitals.includes("mbp") && data.has("mbp_est")) {
    lines.push({ colour: VITALS.mbp.colour, raw: data.raw("mbp_est"), buckets: data.bucketed("mbp_est"), dash: [4, 3], width: 1.3 });
  }
  return lines;
}

function scoreLines(data) {
  return [{ colour: SCORE.colour, raw: data.scores.map(([t, score]) => [t, score]), width: 1.3 }];
}

/** The value box: the latest values, or those under the pointer; red when a clinical rule is breached. */
const thresholds = (panel, rules) =>
  rules.filter((rule) => panel.vitals.includes(rule.vital)).map((rule) => ({ value: rule.value, label: ruleLabel(rule.id), vital: rule.vital }));

function showValues(panel, data, hover, rules) {
  const at = hover ?? Infinity;
  // Under the pointer, a value older than the detector holds it is no reading of that time (a gap): none.
  // A minute bucket stands for its whole minute.
  const span = (vital) => (data.buckets.length ? Math.max(holdMs(vital), 60_000) : holdMs(vital));
  const held = (vital, value) => (hover != null && value && hover - value[0] > span(vital) ? null : value);
  const values = Object.fromEntries(panel.vitals.map((vital) => [vital, held(vital, data.valueAt(vital, at))]));
  const estimate = panel.vitals.includes("mbp") && !values.mbp ? held("mbp_est", data.valueAt("mbp_est", at)) : null;
  const newest = Math.max(...Object.values(values).filter(Boolean).map(([t]) => t), -Infinity);
  let breached;
  if (panel.id === "bp") {
    const map = values.mbp ?? estimate;
    if (!values.sbp && !values.dbp && map) {
      // MAP alone (an arterial line sending its mean): MAP is the number.
      text(panel.label, "MAP");
      text(panel.number, number("mbp", map[1])).classList.remove("small");
      text(panel.extra, "mmHg");
    } else {
      text(panel.label, "SBP/DBP");
      text(panel.number, `${number("sbp", values.sbp?.[1])}/${number("dbp", values.dbp?.[1])}`).classList.add("small");
      text(panel.extra, map ? `MAP ${estimate && !values.mbp ? "≈" : ""}${number("mbp", map[1])} mmHg` : "mmHg");
    }
    breached = breaches("sbp", values.sbp?.[1], rules).length || (map && breaches("mbp", map[1], rules).length);
  } else {
    const vital = panel.vitals[0];
    text(panel.number, number(vital, values[vital]?.[1]));
    text(panel.extra, VITALS[vital].unit);
    breached = breaches(vital, values[vital]?.[1], rules).length;
  }
  text(panel.at, hover != null ? `at ${clock(hover)}` : Number.isFinite(newest) ? clock(newest) : "");
  panel.box.classList.toggle("breach", Boolean(breached));
  // A value older than the detector holds it while the case goes on is no current reading: dimmed, with its time.
  const last = data.lastSampleTime;
  panel.box.classList.toggle("stale", hover == null && Number.isFinite(newest) && last != null
    && last - newest > Math.min(...panel.vitals.map(holdMs)));
}

/** How long the detector holds a vital's last reading (VitalHold): pressures and temperature 6 min, the rest 30 s. */
const holdMs = (vital) => (["sbp", "dbp", "mbp", "mbp_est", "temp"].includes(vital) ? 360_000 : 30_000);

function showScore(panel, data, hover) {
  const score = data.scoreAt(hover ?? Infinity);
  text(panel.number, score ? score[1].toFixed(2) : "–");
  // Whether the sample is in an alarm (the score held over the threshold, an alarm's hold, or the safety floor): not a reading of the number.
  text(panel.extra, score ? (score[2] ? "in alarm" : "no alarm") : "not scored yet");
  text(panel.at, hover != null ? `at ${clock(hover)}` : score ? clock(score[0]) : "");
  panel.box.classList.toggle("breach", Boolean(score?.[2]));
}
