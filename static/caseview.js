// One case: its header (state, times), the charts over a time window that
// follows the newest sample, and the episode list with clinicians' reviews;
// kept live by the case's event stream. Windows up to an hour load raw samples, longer ones minute
// buckets (min–max band and mean) with live samples drawn on top.

import { AuthError, caseURL, followStream, getJSON } from "./api.js";
import { LIVE_MS } from "./cases.js";
import { byId, text } from "./dom.js";
import { renderEpisodes } from "./episodes.js";
import { RECEIVING_MS, ago, caseRules, clock, isCurrent, ruleLabel } from "./format.js";
import { LimitsPanel } from "./limits.js";
import { Panels } from "./panels.js";
import { EpisodeReviews, acknowledged } from "./review.js";
import { CaseData } from "./series.js";

const RAW_MAX_MS = 3_600_000;
const BUCKET_RELOAD_MS = 60_000;  // minute buckets of a followed window are fetched again this often
const DRAW_INTERVAL_MS = 250;     // live data redraws at most 4 times a second
const STREAM_WAIT_MS = 2_000;     // the window loads without the stream when it has not connected by then
const OPEN_GAP_MS = 30_000;       // an episode ending this close to the newest score is still open (the server's rule)

export class CaseView {
  constructor({ onAuthError, onWindow, onReviewed, onLimits }) {
    Object.assign(this, { onAuthError, onWindow, onReviewed, onLimits });
    this.panels = new Panels(byId("charts"), (t) => { this.hover = t; this.schedule(true); });
    this.windowSeconds = 3600;
    this.generation = 0;
    this.data = new CaseData();
    this.lastDraw = 0;
    this.reviews = new EpisodeReviews({
      onReviewed: (answer, askedID) => this.reviewed(answer, askedID),
      onDenied: (message) => { const note = byId("review-denied"); text(note, message); note.hidden = false; },
      onAuthError,
    });
    this.limits = new LimitsPanel(byId("case-limits"), {
      onChanged: (answer) => this.setLimits(answer),
      onAuthError,
    });
    for (const button of document.querySelectorAll("[data-window]")) {
      button.addEventListener("click", () => this.setWindow(Number(button.dataset.window)));
    }
    new ResizeObserver(() => this.schedule(true)).observe(byId("charts"));
    // A button held down in the episode list: its redraws wait for the release (episodeList).
    byId("episode-list").addEventListener("pointerdown", () => { this.listPointerDown = performance.now(); });
    const released = () => {
      if (!this.listPointerDown) return;
      this.listPointerDown = false;
      // After the click that this release makes: redrawing first would remove its target.
      setTimeout(() => this.episodeList(), 0);
    };
    window.addEventListener("pointerup", released);
    window.addEventListener("pointercancel", released);
    setInterval(() => this.caseID && this.bucket === "1m" && !this.zoom && !this.loading && this.load(), BUCKET_RELOAD_MS);
  }

  /** Shows `caseID`; `detail` is its GET /cases/{id} answer if the caller has one. */
  open(caseID, detail, windowSeconds) {
    if (windowSeconds != null && Number.isFinite(windowSeconds)) this.windowSeconds = windowSeconds;
    if (caseID === this.caseID) return;
    this.close();
    this.caseID = caseID;
    this.detail = detail;
    this.data = new CaseData();
    this.zoom = null;
    this.hover = null;
    text(byId("case-title"), caseID);
    this.header();
    this.showWindow();
    this.stopStream = followStream(caseID, {
      onEvent: (name, data) => this.event(name, data),
      onState: (state) => this.streamState(state),
      onAuthError: this.onAuthError,
    });
    // The window loads once the stream is connected (streamState): loaded before, what committed in between
    // would be in neither. A stream that cannot connect does not keep the charts empty for long.
    this.loadSoon(STREAM_WAIT_MS);
  }

  close() {
    this.stopStream?.();
    this.stopStream = null;
    this.stream = null;
    clearTimeout(this.loadTimer);
    this.caseID = null;
    this.generation += 1;
  }

  /** A fresh GET /cases/{id} answer (the page polls it). */
  updateDetail(detail) {
    if (!detail || detail.case_id !== this.caseID) return;
    this.detail = detail;
    this.header();
    this.episodeList();
  }

  setWindow(seconds) {
    this.windowSeconds = seconds;
    this.zoom = null;
    this.showWindow();
    this.onWindow(seconds);
    this.load();
  }

  showWindow() {
    for (const button of document.querySelectorAll("[data-window]")) {
      button.setAttribute("aria-pressed", String(!this.zoom && Number(button.dataset.window) === this.windowSeconds));
    }
  }

  /** The newest sample time known: the window follows it. */
  end() {
    const last = this.detail ? Date.parse(this.detail.last_sample) : -Infinity;
    return Math.max(last, this.data.lastSampleTime ?? -Infinity);
  }

  /** [from, to] shown: the zoomed episode, or the window ending at the newest sample. */
  range() {
    if (this.zoom) return [this.zoom.from, this.zoom.to];
    const end = this.end();
    if (this.windowSeconds === 0) return [Date.parse(this.detail.first_sample), Math.max(end, Date.parse(this.detail.first_sample) + 60_000)];
    return [end - this.windowSeconds * 1000, end];
  }

  async load() {
    const generation = ++this.generation;
    const url = caseURL(this.caseID);
    this.loading = true;
    this.pending = [];
    try {
      this.detail = await getJSON(url);
      if (generation !== this.generation) return;
      const [from, to] = this.range();
      this.bucket = to - from <= RAW_MAX_MS ? "raw" : "1m";
      // A followed window is open-ended, so nothing committed while loading is missed.
      const query = { from: iso(from), to: this.zoom ? iso(to) : null };
      const windowFrom = this.windowSeconds === 0 ? null : iso(this.end() - this.windowSeconds * 1000);
      const [vitals, scores, episodes, limits] = await Promise.all([
        getJSON(`${url}/vitals`, { ...query, bucket: this.bucket }),
        getJSON(`${url}/anomalies`, { ...query, granularity: "sample" }).catch((error) => {
          if (error instanceof AuthError) throw error;
          return { samples: [] };  // over the read limit: the charts still show the vitals
        }),
        getJSON(`${url}/anomalies`, { from: windowFrom }),
        // The team's own alarm limits for this case: the lines and red values follow them.
        getJSON(`${url}/limits`).catch((error) => {
          if (error instanceof AuthError) throw error;
          return null;
        }),
      ]);
      this.rules = caseRules(limits);
      this.limits.show(this.caseID, limits);
      if (generation !== this.generation) return;
      const data = new CaseData();
      if (vitals.buckets) data.setBuckets(vitals.buckets);
      for (const sample of vitals.samples ?? []) data.addSample(sample);
      for (const score of scores.samples) data.addScore(score);
      for (const episode of episodes.episodes) data.addEpisode(episode);
      // Minute means are stamped with their minute's start: the value boxes show the latest samples instead.
      if (this.bucket !== "raw") {
        const byTime = new Map();  // one sample per time: a sample at a time already held replaces it
        for (const [vital, { value, t }] of Object.entries(this.detail.latest ?? {})) byTime.set(t, { ...byTime.get(t), t, [vital]: value });
        for (const sample of byTime.values()) data.addSample(sample);
      }
      this.data = data;
      this.loading = false;
      for (const [name, event] of this.pending) this.apply(name, event);
      this.header();
      this.episodeList();
      this.schedule(true);
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof AuthError) { this.onAuthError(error); return; }
      text(byId("case-meta"), `Could not load this case: ${error.message}`);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** A stream event; held back while a load is under way, then merged. */
  event(name, json) {
    let event;
    try { event = JSON.parse(json); } catch { return; }
    if (this.loading) { this.pending.push([name, event]); return; }
    this.apply(name, event);
  }

  apply(name, event) {
    if (name === "sample") {
      this.lastSampleEvent = Date.now();
      this.data.addSample(event);
      if (!this.zoom && this.windowSeconds > 0) this.data.forgetBefore(this.end() - 2 * this.windowSeconds * 1000);
    } else if (name === "score") {
      this.data.addScore(event);
    } else if (name === "episode") {
      this.data.addEpisode(event);
      this.episodeList();
      this.header();
    } else if (name === "merged") {
      // A merge deleted that row; the episode that took it in came as an `episode` event.
      if (this.data.episodes.delete(event.id)) {
        this.episodeList();
        this.header();
      }
    } else if (name === "limits") {
      // Another clinician changed the case's limits (ours come back as the PUT's answer too).
      this.setLimits(event);
      this.limits.show(this.caseID, event);
    } else if (name === "backfill") {
      // Rows committed too far behind the newest for the stream to send (a long backlog): read the window again if it shows them.
      const [from, to] = this.range();
      if (Date.parse(event.from) <= to && Date.parse(event.to) >= from) this.loadSoon();
    } else if (name === "review") {
      // Only episodes this view holds: a review of one outside the window is not a reason to show it.
      const episode = event.episode;
      if (episode && (this.data.episodes.has(episode.id) || this.data.episodes.has(event.entry.episode_id))) {
        this.reviewed(episode, event.entry.episode_id);
      }
    }
    this.schedule(false);
  }

  /** Loads after `ms` unless asked again first: backfills stop coming (a backlog comes in many commits). */
  loadSoon(ms = 1000) {
    clearTimeout(this.loadTimer);
    this.loadTimer = setTimeout(() => this.load(), ms);
  }

  /** The case's limits in force changed (GET /cases/{id}/limits answer): lines, red values and the case list follow. */
  setLimits(answer) {
    this.rules = caseRules(answer);
    this.schedule(true);
    this.onLimits(this.caseID, answer);
  }

  /** An episode answer after a review (ours or another clinician's): it may hold `askedID` merged into it. */
  reviewed(episode, askedID) {
    if (episode.id !== askedID) this.data.episodes.delete(askedID);
    this.data.addEpisode(episode);
    this.episodeList(true);
    this.header();
    this.onReviewed(this.caseID, episode, askedID);
  }

  /** Whether the case's data still arrive: stored (or streamed to us) within a cuff's cycle. */
  receiving() { return Date.now() - this.lastStored() <= RECEIVING_MS; }

  /** When the case's data were last stored (or streamed to us). */
  lastStored() {
    return Math.max(this.detail ? Date.parse(this.detail.updated_at) : -Infinity, this.lastSampleEvent ?? -Infinity);
  }

  /** The newest score's time, streamed or in the case's detail. */
  newestScore() {
    return Math.max(this.data.scores.at(-1)?.[0] ?? -Infinity, this.detail?.latest_score ? Date.parse(this.detail.latest_score.t) : -Infinity);
  }

  /** The open episode: one that ended within 30 s of the newest score, while the case's data still arrive. */
  openEpisode() {
    if (!this.receiving()) return null;
    const newest = this.newestScore();
    let open = null;
    for (const episode of this.data.episodes.values()) {
      if (episode.endMs >= newest - OPEN_GAP_MS && (!open || episode.endMs > open.endMs)) open = episode;
    }
    return open ?? this.detail?.open_episode ?? null;
  }

  header() {
    const detail = this.detail;
    if (!detail) return;
    const first = Date.parse(detail.first_sample);
    const parts = [`Started ${day(first)} ${clock(first)}`, `${detail.samples.toLocaleString("en")} samples`, `last sample ${clock(this.end())}`];
    if (detail.pending_jobs) parts.push(`${detail.pending_jobs} scoring job${detail.pending_jobs === 1 ? "" : "s"} queued`);
    if (detail.failed_jobs) parts.push(`${detail.failed_jobs} failed scoring job${detail.failed_jobs === 1 ? "" : "s"}`);
    text(byId("case-meta"), parts.join(" · "));
    this.showStreamState();

    const state = byId("case-state");
    const open = this.openEpisode(), stopped = open ? null : this.stoppedEpisode();
    if (open) {
      const rules = open.rules.length ? ` · ${open.rules.map(ruleLabel).join(", ")}` : "";
      const unseen = !acknowledged(open);
      text(state, `Anomaly since ${clock(Date.parse(open.start))}${rules}${unseen ? " · not acknowledged" : ""}`);
      state.className = `state anomalous${unseen ? " unseen" : ""}`;
    } else if (stopped) {
      text(state, `Data stopped during an anomaly since ${clock(Date.parse(stopped.start))} · not acknowledged`);
      state.className = "state anomalous unseen";
    } else {
      text(state, detail.latest_score || this.data.scores.length ? "No open episode" : "Waiting for scores");
      state.className = `state${detail.latest_score ? " normal" : ""}`;
    }
  }

  /** An episode the case's data stopped in (it reached the last score) that nobody has acknowledged: not to be shown as calm. */
  stoppedEpisode() {
    if (this.receiving()) return null;
    let last = null;
    for (const episode of this.data.episodes.values()) if (!last || episode.endMs > last.endMs) last = episode;
    return last && last.endMs >= this.newestScore() - OPEN_GAP_MS && !acknowledged(last) ? last : null;
  }

  /**
   * Redraws the episode list; live updates wait while someone is filling in
   * an annotation of this case (`force`: ours, now) or holding a button
   * down, and keyboard focus stays on the button it was on.
   */
  episodeList(force = false) {
    const list = byId("episode-list");
    // A release the page never hears of (the pointer left the window) holds redraws back for 3 s at most.
    if (!force && this.listPointerDown && performance.now() - this.listPointerDown < 3000) {
      clearTimeout(this.listPointerTimer);
      this.listPointerTimer = setTimeout(() => this.episodeList(), 3000);
      return;
    }
    const filling = document.activeElement?.closest?.(".annotate");
    // Another case's form (the address changed while it had focus) is dropped: its buttons would act on that case.
    if (!force && filling && list.contains(filling) && this.listCaseID === this.caseID) {
      if (!this.listWaiting) {
        this.listWaiting = true;
        filling.addEventListener("focusout", (event) => {
          if (filling.contains(event.relatedTarget)) return;
          this.listWaiting = false;
          this.episodeList();
        });
      }
      return;
    }
    this.listWaiting = false;
    const caseID = this.caseID;
    const focused = list.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    this.listCaseID = caseID;
    renderEpisodes(list, byId("episodes-empty"), byId("episode-count"), {
      episodes: this.data.episodes.values(),
      openID: this.openEpisode()?.id,
      selectedID: this.zoom?.episodeID,
      onSelect: (episode) => this.zoomTo(episode),
      review: (episode, selected) => this.reviews.render(caseID, episode, { selected, refresh: () => this.episodeList(true) }),
    });
    if (focused) [...list.querySelectorAll("button, select, input, textarea")].find((node) => focusKey(node) === focused)?.focus();
  }

  /** Zooms to an episode (and its surroundings); the same one again goes back to the live window. */
  zoomTo(episode) {
    if (this.zoom?.episodeID === episode.id) {
      this.zoom = null;
    } else {
      const pad = Math.max(120_000, (episode.endMs - episode.startMs) / 2);
      this.zoom = { from: episode.startMs - pad, to: episode.endMs + pad, episodeID: episode.id };
    }
    this.showWindow();
    this.episodeList();
    this.load();
  }

  streamState(state) {
    const connected = state === "live" && this.stream !== "live";
    this.stream = state;
    this.showStreamState();
    // From the stream's start on nothing is missed: the window is read from there, at the first connection
    // and after a reconnection (rows committed while it was away, on another server, lie behind its times).
    if (connected) {
      clearTimeout(this.loadTimer);
      this.load();
    }
  }

  /**
   * "live" only while the case's data arrive and are of now, by the case
   * list's measure (stored within the last minute): a connected stream of a
   * case that ended, of an old record, or of a cuff between readings says
   * how old its last sample is instead.
   */
  showStreamState() {
    const node = byId("stream-state");
    const receiving = this.detail && this.receiving(), current = isCurrent(this.end());
    const fresh = Date.now() - this.lastStored() < LIVE_MS;
    const quiet = this.stream === "live" && this.detail && !(receiving && current && fresh);
    text(node, this.stream !== "live" ? "reconnecting…"
      : !quiet ? "● live"
      : receiving ? `last sample ${ago(this.end())}`   // a record being imported now
      : `no data since ${ago(Date.parse(this.detail.updated_at))}`);
    node.className = `stream ${quiet ? "quiet" : this.stream}`;
  }

  /** Redraws soon: at the next frame if `now`, else at most every DRAW_INTERVAL_MS. */
  schedule(now) {
    if (this.drawTimer) return;
    const wait = now ? 0 : Math.max(0, this.lastDraw + DRAW_INTERVAL_MS - performance.now());
    this.drawTimer = setTimeout(() => requestAnimationFrame(() => {
      this.drawTimer = null;
      this.lastDraw = performance.now();
      this.draw();
    }), wait);
  }

  draw() {
    if (!this.caseID || !this.detail) return;
    const [from, to] = this.range();
    const openID = this.openEpisode()?.id;
    const episodes = [...this.data.episodes.values()].map((episode) => ({
      start: episode.startMs, end: episode.endMs, open: episode.id === openID, selected: episode.id === this.zoom?.episodeID,
    }));
    const hover = this.hover != null && this.hover >= from && this.hover <= to ? this.hover : null;
    this.panels.draw({ from, to, data: this.data, episodes, hover, rules: this.rules });
    this.header();  // the last sample time and the open episode move with live data
    if (this.data.samples.length || this.data.buckets.length) document.body.dataset.chartDrawn = "true";  // scripts/screenshot waits for this
  }
}

/** Which control an element is, across redraws: its episode, its kind and its label. */
const focusKey = (node) => `${node.closest("[data-episode]")?.dataset.episode}:${node.tagName}:${node.className}:${node.textContent}`;

const iso = (ms) => new Date(ms).toISOString();
const day = (ms) => new Date(ms).toLocaleDateString("en-GB", { day: "numeric", month: "short" });
