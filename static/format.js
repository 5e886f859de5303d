// Names, colours, units and clinical thresholds of the vitals, and how
// numbers and times are written on the page.

export const VITALS = {
  hr: { label: "HR", name: "Heart rate", unit: "/min", colour: "#6fd69a", digits: 0 },
  sbp: { label: "SBP", name: "Systolic pressure", unit: "mmHg", colour: "#f59a8f", digits: 0 },
  dbp: { label: "DBP", name: "Diastolic pressure", unit: "mmHg", colour: "#d9776d", digits: 0 },
  mbp: { label: "MAP", name: "Mean arterial pressure", unit: "mmHg", colour: "#ffc2b8", digits: 0 },
  spo2: { label: "SpO₂", name: "Oxygen saturation", unit: "%", colour: "#6fcfea", digits: 0 },
  rr: { label: "RR", name: "Respiratory rate", unit: "/min", colour: "#e6cf7a", digits: 0 },
  etco2: { label: "EtCO₂", name: "End-tidal CO₂", unit: "mmHg", colour: "#d8d2c4", digits: 0 },
  temp: { label: "Temp", name: "Temperature", unit: "°C", colour: "#c6a8ec", digits: 1 },
};

// One chart per panel; blood pressure shares one. `range` is the least
// y-range shown, so a flat trace is not blown up to fill the panel.
export const PANELS = [
  { id: "hr", title: "Heart rate", vitals: ["hr"], range: [40, 140] },
  { id: "bp", title: "Blood pressure", vitals: ["sbp", "dbp", "mbp"], range: [40, 180] },
  { id: "spo2", title: "SpO₂", vitals: ["spo2"], range: [85, 100] },
  { id: "rr", title: "Respiratory rate", vitals: ["rr"], range: [0, 30] },
  { id: "etco2", title: "EtCO₂", vitals: ["etco2"], range: [20, 50] },
  { id: "temp", title: "Temperature", vitals: ["temp"], range: [35, 39] },
];

// The clinical rules and each vital's plausible range are the server's
// (GET /rules), read once before anything is drawn (`adoptRules`): the
// threshold lines are the rules episodes name, and values outside a range
// (a flushed arterial line) are left out as the detector leaves them out.
export let RULES = [];
export let PLAUSIBLE = {};

const COMPARISONS = { ">": ">", ">=": "≥", "<": "<", "<=": "≤" };

/** Takes the answer of GET /rules. */
export function adoptRules(answer) {
  RULES = answer.rules.map((rule) => ({ id: rule.id, vital: rule.vital, op: COMPARISONS[rule.comparison], value: rule.limit }));
  PLAUSIBLE = Object.fromEntries(Object.entries(answer.plausible).map(([vital, range]) =>
    [vital, [range.min, range.max, range.sustained_seconds, range.sustained_from ?? 0, range.sustained_above === true]]));
}

export const rulesAdopted = () => RULES.length > 0;

// HR, SpO2 and RR below their range are drawn (HR 0 in asystole, RR 0 in
// apnoea), HR above it (a tachyarrhythmia), and pressures from 10 mmHg up
// (profound shock): the detector keeps them once they last, and a chart
// that hid them would show a gap where the patient is in danger.
export const plausible = (vital, value) =>
  value != null && !Number.isNaN(value) && PLAUSIBLE[vital] != null
  && (value <= PLAUSIBLE[vital][1] || PLAUSIBLE[vital][4])
  && (value >= PLAUSIBLE[vital][0] || (PLAUSIBLE[vital][2] != null && value >= PLAUSIBLE[vital][3]));

const OPERATORS = { gt: ">", lt: "<", ge: "≥", le: "≤" };

/** "hr_gt_140" → "HR > 140", from the server's rule if it has one, else
 *  from the id's own pattern; ids of no known shape are shown as they are. */
export function ruleLabel(id) {
  const rule = RULES.find((known) => known.id === id);
  if (rule && VITALS[rule.vital]) return `${VITALS[rule.vital].label} ${rule.op} ${rule.value}`;
  const match = /^([a-z0-9]+)_(gt|lt|ge|le)_(\d+)(?:_(\d+))?$/.exec(id);
  if (!match || !VITALS[match[1]]) return id;
  const value = match[4] ? `${match[3]}.${match[4]}` : match[3];
  return `${VITALS[match[1]].label} ${OPERATORS[match[2]]} ${value}`;
}

/** The rules of one case from GET /cases/{id}/limits: the limits its team
 *  set, else (no answer) the server's defaults. */
export function caseRules(answer) {
  if (!answer?.rules) return RULES;
  return answer.rules.map((rule) => ({ id: rule.id, vital: rule.vital, op: COMPARISONS[rule.comparison], value: rule.limit }));
}

/** The rules with a case's moved limits (`limits` of GET /cases/{id}: default rule id → limit). */
export function rulesWithLimits(limits) {
  if (!limits || Object.keys(limits).length === 0) return RULES;
  return RULES.map((rule) => (limits[rule.id] != null ? { ...rule, value: limits[rule.id] } : rule));
}

export function breaches(vital, value, rules = RULES) {
  return rules.filter((rule) => rule.vital === vital && value != null && compare(rule, value));
}

function compare(rule, value) {
  switch (rule.op) {
    case ">": return value > rule.value;
    case "<": return value < rule.value;
    case "≥": return value >= rule.value;
    default: return value <= rule.value;
  }
}

export function number(vital, value) {
  if (value == null || Number.isNaN(value)) return "–";
  return value.toFixed(VITALS[vital]?.digits ?? 0);
}

const pad = (n) => String(n).padStart(2, "0");

/** Local wall-clock time, 24 h: "14:05:09" (or "14:05" without seconds). */
export function clock(ms, seconds = true) {
  const d = new Date(ms);
  return seconds ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The browser's time zone, in which every time on the page is shown: its name and offset from UTC. */
export function timeZone() {
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local time";
  const offset = -new Date().getTimezoneOffset();
  if (!offset && /^(Etc\/)?(UTC|GMT)$/.test(name)) return "UTC";
  const sign = offset < 0 ? "−" : "+";
  return `${name} (UTC${offset ? `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}` : ""})`;
}

/** A clock time, with its day when that differs from `reference`'s (ms). */
export function clockOn(ms, reference, seconds = true) {
  const same = new Date(ms).toDateString() === new Date(reference).toDateString();
  return same ? clock(ms, seconds) : `${new Date(ms).toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${clock(ms, seconds)}`;
}

// A case whose data were stored this recently still receives them: a cuff
// cycling every 5 min posts no more often (the server's rule for an open episode).
export const RECEIVING_MS = 360_000;
export const isReceiving = (updatedAt, now = Date.now()) => now - Date.parse(updatedAt) <= RECEIVING_MS;
// Whether a sample time is now (a replay's clock may run ahead): a record imported now is not.
export const isCurrent = (sampleMs, now = Date.now()) => sampleMs >= now - RECEIVING_MS;

export function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}

/** "12 s ago", "5 min ago", for how fresh a case is. */
export function ago(ms, now = Date.now()) {
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
