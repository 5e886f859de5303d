// Time-series panels drawn on <canvas>: episodes shaded, threshold lines
// dashed, minute buckets as a min–max band with their mean, raw samples as
// a line. No library: the page loads nothing from elsewhere.

import { clock } from "./format.js";

// The top strip holds the panel legend (an HTML overlay), clear of the traces.
export const PAD = { left: 44, right: 10, top: 22, bottom: 6, axis: 18 };
const GRID = "#223246";
const TICK_TEXT = "#98abbf";
const EPISODE = "rgba(240, 180, 94, 0.15)";
const EPISODE_OPEN = "rgba(240, 180, 94, 0.26)";
const EPISODE_EDGE = "#f0b45e";
const THRESHOLD = "rgba(255, 138, 128, 0.8)";
const THRESHOLD_TEXT = "#ffb3ab";
const LABEL_BACKGROUND = "rgba(19, 30, 43, 0.85)";
const FONT = "11px system-ui, 'DejaVu Sans', sans-serif";
// Larger gaps between points are drawn as gaps (a monitor unplugged), not bridged.
const RAW_GAP_MS = 30_000;
const BUCKET_GAP_MS = 150_000;

/** Sizes the canvas to its box at the screen's pixel density; returns the 2D context in CSS pixels. */
function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  context.font = FONT;
  return context;
}

/** The time under a pointer at `x` (CSS pixels from the canvas' left edge). */
export function timeAt(canvas, x, from, to) {
  const plotWidth = canvas.clientWidth - PAD.left - PAD.right;
  const fraction = Math.min(1, Math.max(0, (x - PAD.left) / plotWidth));
  return from + fraction * (to - from);
}

/**
 * Draws one panel. `lines`: [{colour, raw: [[t, v]], buckets: [[t, avg, min, max]], width}];
 * `range`: the least y-range; `thresholds`: [{value, label}]; `episodes`:
 * [{start, end, open, selected}]; `axis`: draw time labels under it.
 */
export function drawPanel(canvas, { from, to, lines, range, fixedRange, thresholds = [], episodes = [], hover, axis, format = String }) {
  const g = prepare(canvas);
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const box = { left: PAD.left, right: width - PAD.right, top: PAD.top, bottom: height - PAD.bottom - (axis ? PAD.axis : 0) };
  const x = (t) => box.left + ((t - from) / (to - from)) * (box.right - box.left);

  const [low, high] = fixedRange ?? yRange(lines, from, to, range, thresholds);
  const y = (v) => box.bottom - ((v - low) / (high - low)) * (box.bottom - box.top);

  // Episodes first, under everything else.
  for (const episode of episodes) {
    if (episode.end < from || episode.start > to) continue;
    const left = Math.max(box.left, x(episode.start));
    const right = Math.min(box.right, Math.max(x(episode.end), left + 2));
    g.fillStyle = episode.open ? EPISODE_OPEN : EPISODE;
    g.fillRect(left, box.top, right - left, box.bottom - box.top);
    g.fillStyle = EPISODE_EDGE;
    g.fillRect(left, box.top, right - left, episode.selected || episode.open ? 3 : 2);
  }

  drawGrid(g, box, x, y, from, to, low, high, axis, format);

  g.save();
  g.beginPath();
  g.rect(box.left, box.top - 1, box.right - box.left, box.bottom - box.top + 2);
  g.clip();
  for (const line of lines) {
    drawBuckets(g, line, x, y, from, to);
    drawRaw(g, line, x, y, from, to);
  }
  g.restore();

  g.setLineDash([5, 4]);
  g.lineWidth = 1;
  g.strokeStyle = THRESHOLD;
  g.fillStyle = THRESHOLD_TEXT;
  g.textAlign = "right";
  const labels = [];  // where labels went: one too close to another moves left of it
  for (const threshold of thresholds) {
    if (threshold.value < low || threshold.value > high) continue;
    const level = Math.round(y(threshold.value)) + 0.5;
    g.beginPath();
    g.moveTo(box.left, level);
    g.lineTo(box.right, level);
    g.stroke();
    const above = level - box.top > 14;
    const middle = above ? level - 8 : level + 8;
    let right = box.right - 4;
    for (const label of labels) if (Math.abs(label.middle - middle) < 13) right = Math.min(right, label.left - 10);
    const width = g.measureText(threshold.label).width;
    labels.push({ middle, left: right - width });
    g.fillStyle = LABEL_BACKGROUND;
    g.fillRect(right - width - 2, middle - 7, width + 4, 14);
    g.fillStyle = THRESHOLD_TEXT;
    g.textBaseline = "middle";
    g.fillText(threshold.label, right, middle);
  }
  g.setLineDash([]);

  if (hover != null && hover >= from && hover <= to) {
    g.strokeStyle = "rgba(221, 230, 239, 0.55)";
    g.beginPath();
    g.moveTo(Math.round(x(hover)) + 0.5, box.top);
    g.lineTo(Math.round(x(hover)) + 0.5, box.bottom);
    g.stroke();
  }
  return { low, high };
}

/** The least range, widened to the data in view, rounded to whole ticks. */
function yRange(lines, from, to, [low, high], thresholds) {
  for (const line of lines) {
    for (const [t, , min, max] of line.buckets ?? []) {
      if (t + 60_000 < from || t > to) continue;
      if (min < low) low = min;
      if (max > high) high = max;
    }
    for (const [t, v] of line.raw ?? []) {
      if (t < from || t > to) continue;
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  for (const { value } of thresholds) { low = Math.min(low, value); high = Math.max(high, value); }
  const step = niceStep((high - low) / 4);
  return [Math.floor(low / step) * step, Math.ceil(high / step) * step];
}

function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough || 1));
  const scaled = rough / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 2.5 ? 2.5 : scaled <= 5 ? 5 : 10) * power;
}

const TIME_STEPS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

function drawGrid(g, box, x, y, from, to, low, high, axis, format) {
  g.lineWidth = 1;
  g.strokeStyle = GRID;
  g.fillStyle = TICK_TEXT;

  const valueStep = niceStep((high - low) / 3);
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (let v = Math.ceil(low / valueStep) * valueStep; v <= high + 1e-9; v += valueStep) {
    const level = Math.round(y(v)) + 0.5;
    g.beginPath();
    g.moveTo(box.left, level);
    g.lineTo(box.right, level);
    g.stroke();
    g.fillText(format(v), box.left - 6, Math.min(box.bottom - 5, Math.max(box.top + 5, level)));
  }

  // Time ticks on local wall-clock boundaries, about one per 110 px.
  const span = to - from;
  const step = TIME_STEPS.find((s) => (s / span) * (box.right - box.left) >= 110) ?? TIME_STEPS.at(-1);
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  g.textAlign = "center";
  g.textBaseline = "top";
  for (let t = Math.ceil((from - offset) / step) * step + offset; t <= to; t += step) {
    const position = Math.round(x(t)) + 0.5;
    g.beginPath();
    g.moveTo(position, box.top);
    g.lineTo(position, box.bottom);
    g.stroke();
    if (axis) {
      const label = clock(t, step < 60_000);
      const half = g.measureText(label).width / 2;
      // A tick near either edge keeps its label inside the canvas.
      g.fillText(label, Math.min(Math.max(position, half + 2), box.right + PAD.right - half - 2), box.bottom + 4);
    }
  }
  g.strokeStyle = "#2d4560";
  g.strokeRect(box.left + 0.5, box.top + 0.5, box.right - box.left - 1, box.bottom - box.top - 1);
}

function drawBuckets(g, line, x, y, from, to) {
  const buckets = (line.buckets ?? []).filter(([t]) => t + 60_000 >= from && t <= to);
  for (const segment of segments(buckets, BUCKET_GAP_MS)) {
    // min–max band, then the mean through the middle of each minute
    g.beginPath();
    segment.forEach(([t, , min], i) => (i ? g.lineTo(x(t + 30_000), y(min)) : g.moveTo(x(t + 30_000), y(min))));
    for (let i = segment.length - 1; i >= 0; i--) g.lineTo(x(segment[i][0] + 30_000), y(segment[i][3]));
    g.closePath();
    g.globalAlpha = 0.2;
    g.fillStyle = line.colour;
    g.fill();
    g.globalAlpha = 1;
    stroke(g, segment.map(([t, avg]) => [x(t + 30_000), y(avg)]), line.colour, line.width ?? 1.6, line.dash);
  }
}

function drawRaw(g, line, x, y, from, to) {
  const raw = line.raw ?? [];
  const first = Math.max(0, lowerBound(raw, from) - 1);
  const visible = raw.slice(first, lowerBound(raw, to) + 1);
  for (const segment of segments(visible, RAW_GAP_MS)) {
    stroke(g, segment.map(([t, v]) => [x(t), y(v)]), line.colour, line.width ?? 1.6, line.dash);
  }
}

function stroke(g, points, colour, width, dash) {
  if (!points.length) return;
  // A reading with no neighbour within the gap (a cuff every few minutes) is a dot, not a 1-px dash.
  if (points.length === 1) {
    g.fillStyle = colour;
    g.beginPath();
    g.arc(points[0][0], points[0][1], Math.max(2.5, width * 1.6), 0, 2 * Math.PI);
    g.fill();
    return;
  }
  g.strokeStyle = colour;
  g.lineWidth = width;
  g.lineJoin = "round";
  g.setLineDash(dash ?? []);
  g.beginPath();
  points.forEach(([px, py], i) => (i ? g.lineTo(px, py) : g.moveTo(px, py)));
  g.stroke();
  g.setLineDash([]);
}

/** Splits time-ordered points wherever consecutive ones are further apart than `gap`. */
function segments(points, gap) {
  const out = [];
  let current = [];
  for (const point of points) {
    if (current.length && point[0] - current.at(-1)[0] > gap) { out.push(current); current = []; }
    current.push(point);
  }
  if (current.length) out.push(current);
  return out;
}

/** First index whose time is ≥ t (points sorted by time). */
export function lowerBound(points, t) {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (points[mid][0] < t) low = mid + 1; else high = mid;
  }
  return low;
}
