// What the page holds of one case: raw samples, minute buckets, scores and
// episodes, kept in time order so a loaded range and live events merge
// without duplicates. Times are milliseconds since the epoch.

import { lowerBound } from "./chart.js";
import { PLAUSIBLE, VITALS, plausible } from "./format.js";

const NAMES = Object.keys(VITALS);

/** MAP as the server estimates it when a monitor sends none: (SBP + 2·DBP) / 3. */
export const estimatedMAP = (sbp, dbp) => (sbp + 2 * dbp) / 3;

export class CaseData {
  constructor() {
    this.samples = [];  // [t, {hr, sbp, …}]
    this.buckets = [];  // [t, {hr: {avg, min, max}, …}]
    this.scores = [];   // [t, score, anomalous]
    this.episodes = new Map();
    this.cache = new Map();
  }

  /** A raw sample from the API (`{t, hr, …}`). */
  addSample(sample) {
    const values = {};
    for (const name of NAMES) if (sample[name] != null) values[name] = sample[name];
    insert(this.samples, [Date.parse(sample.t), values]);
    this.cache.clear();
  }

  addScore(score) {
    insert(this.scores, [Date.parse(score.t), score.score, score.anomalous]);
  }

  setBuckets(buckets) {
    this.buckets = buckets.map((bucket) => [Date.parse(bucket.t), bucket]);
    this.cache.clear();
  }

  /** An episode from the API, replacing its earlier state (episodes grow while open). */
  /**
   * Holds `episode`. A case's episodes never overlap: one held that overlaps
   * it was merged into it by the workers (which send no event for the row
   * they delete), so it goes.
   */
  addEpisode(episode) {
    const held = { ...episode, startMs: Date.parse(episode.start), endMs: Date.parse(episode.end) };
    for (const [id, other] of this.episodes) {
      if (id !== held.id && other.startMs <= held.endMs && other.endMs >= held.startMs) this.episodes.delete(id);
    }
    this.episodes.set(held.id, held);
  }

  /** Drops what lies before `t`, so a long-followed case does not grow without end. */
  forgetBefore(t) {
    const samples = lowerBound(this.samples, t);
    if (samples > 0) { this.samples.splice(0, samples); this.cache.clear(); }
    const scores = lowerBound(this.scores, t);
    if (scores > 0) this.scores.splice(0, scores);
  }

  get lastSampleTime() { return this.samples.at(-1)?.[0] ?? this.buckets.at(-1)?.[0] ?? null; }

  /** [[t, v]] of one vital's plausible raw values; "mbp_est" is MAP estimated where none was sent. */
  raw(name) {
    if (!this.cache.has(name)) {
      const points = [];
      for (const [t, values] of this.samples) {
        const value = name === "mbp_est" ? estimate(values) : values[name];
        if (value != null && plausible(name === "mbp_est" ? "mbp" : name, value)) points.push([t, value]);
      }
      this.cache.set(name, points);
    }
    return this.cache.get(name);
  }

  /**
   * [[t, avg, min, max]] of one vital's minute buckets. A bucket holding an
   * artefact has it in min or max: those are kept to the plausible range,
   * and a bucket whose mean is implausible is left out.
   */
  bucketed(name) {
    const key = `bucket:${name}`;
    if (!this.cache.has(key)) {
      const vital = name === "mbp_est" ? "mbp" : name;
      const [min, max, sustained, , above] = PLAUSIBLE[vital];
      const low = sustained != null ? 0 : min;   // as plausible() draws them
      const high = above ? Infinity : max;
      const points = [];
      for (const [t, bucket] of this.buckets) {
        const stats = name === "mbp_est" ? estimateBucket(bucket) : bucket[name];
        if (!stats || !plausible(vital, stats.avg)) continue;
        points.push([t, stats.avg, Math.max(low, stats.min), Math.min(high, stats.max)]);
      }
      this.cache.set(key, points);
    }
    return this.cache.get(key);
  }

  /** The newest plausible value of a vital at or before `at`: [t, v], or null. */
  valueAt(name, at = Infinity) {
    const points = this.raw(name);
    const index = Math.min(points.length, lowerBound(points, at + 1)) - 1;
    if (index >= 0) return points[index];
    const buckets = this.bucketed(name);
    const bucket = Math.min(buckets.length, lowerBound(buckets, at + 1)) - 1;
    return bucket >= 0 ? [buckets[bucket][0], buckets[bucket][1]] : null;
  }

  scoreAt(at = Infinity) {
    const index = Math.min(this.scores.length, lowerBound(this.scores, at + 1)) - 1;
    return index >= 0 ? this.scores[index] : null;
  }

  has(name) { return this.raw(name).length > 0 || this.bucketed(name).length > 0; }
}

function estimate(values) {
  if (values.mbp != null || values.sbp == null || values.dbp == null) return null;
  if (!plausible("sbp", values.sbp) || !plausible("dbp", values.dbp)) return null;
  return estimatedMAP(values.sbp, values.dbp);
}

function estimateBucket(bucket) {
  if (bucket.mbp || !bucket.sbp || !bucket.dbp) return null;
  return {
    avg: estimatedMAP(bucket.sbp.avg, bucket.dbp.avg),
    min: estimatedMAP(bucket.sbp.min, bucket.dbp.min),
    max: estimatedMAP(bucket.sbp.max, bucket.dbp.max),
  };
}

/** Inserts a [t, …] row in time order; a row with the same time replaces the old one. */
function insert(rows, row) {
  if (!rows.length || row[0] > rows.at(-1)[0]) { rows.push(row); return; }
  const index = lowerBound(rows, row[0]);
  if (rows[index]?.[0] === row[0]) rows[index] = row;
  else rows.splice(index, 0, row);
}
