#!/usr/bin/env python3
"""Intra-operative cases from a second, independent generator.

`physio simulate` is the project's simulator; the detector must not be judged
only on data shaped like it. This generator shares no code, parameters or
noise model with it: latent physiology (anaesthetic depth, surgical
stimulation, vascular tone) drives the vitals with Ornstein-Uhlenbeck noise,
deteriorations come at other onset speeds (a bolus hypotension as an
exponential fall, a haemorrhage's heart-rate response lagging by 1-5 minutes,
vagal bradycardia in 15 s to 2 min), a third of the events are near misses,
and each case is one of six feeds (all vitals, MAP only, HR+SpO2, NIBP every
3-5 min with HR+SpO2, arterial line with HR, SpO2+EtCO2+RR+HR: "spo2_capno"), at 1 or 2 s.

Writes DIR/case_NNNN.csv.gz (the case-CSV format), DIR/feeds.csv (case_id,feed)
and DIR/independent_events.csv (its own event kinds; `physio evaluate` reads
only the breaches in the data). numpy only.

    scripts/lib/independent_cases.py --cases 60 --seed 5000 --out DIR
"""
import argparse, gzip, math, os
import numpy as np

FEEDS = ["full", "map_only", "hr_spo2", "nibp", "art_hr", "spo2_capno"]
COLS = ["hr", "sbp", "dbp", "mbp", "spo2", "rr", "etco2", "temp"]


def ou(rng, n, dt, tau, sd):
    """Ornstein-Uhlenbeck path, stationary sd, time constant tau (s)."""
    a = math.exp(-dt / tau)
    b = sd * math.sqrt(1 - a * a)
    x = np.empty(n)
    x[0] = rng.normal(0, sd)
    e = rng.normal(0, 1, n)
    for i in range(1, n):
        x[i] = a * x[i - 1] + b * e[i]
    return x


def ramp(t, onset, rise, hold, fall, shape="lin"):
    """0..1 profile: rises over `rise` s, holds, falls over `fall` s."""
    y = np.zeros_like(t, dtype=float)
    r = (t - onset) / max(rise, 1)
    if shape == "exp":  # fast at first (a bolus)
        up = 1 - np.exp(-3 * np.clip(r, 0, None))
        up = up / (1 - math.exp(-3))
    else:
        up = np.clip(r, 0, 1)
    y = np.where(t >= onset, np.clip(up, 0, 1), 0.0)
    end_hold = onset + rise + hold
    down = 1 - np.clip((t - end_hold) / max(fall, 1), 0, 1)
    y = np.where(t >= end_hold, down, y)
    return y


def make_case(rng, n_case, args):
    dt = float(rng.choice([1.0, 2.0], p=[0.7, 0.3]))
    minutes = rng.uniform(args.min_minutes, args.max_minutes)
    n = int(minutes * 60 / dt)
    t = np.arange(n) * dt
    feed = FEEDS[n_case % len(FEEDS)] if args.feed == "mix" else args.feed

    # Patient
    base_map = rng.normal(82, 9)
    pulse_p = rng.normal(50, 10)
    base_hr = rng.normal(70, 11)
    base_spo2 = min(100, rng.normal(98, 1.0))
    base_etco2 = rng.normal(35, 3)
    base_rr = rng.integers(10, 16)
    base_temp = rng.normal(36.4, 0.3)

    # Latent courses
    depth = ou(rng, n, dt, 1200, 0.6)              # anaesthetic depth (unitless)
    stim = np.zeros(n)
    for _ in range(rng.poisson(minutes / 30)):     # surgical stimulation bursts (benign)
        on = rng.uniform(0, t[-1])
        stim += rng.uniform(0.3, 1.0) * ramp(t, on, rng.uniform(20, 120), rng.uniform(60, 600), rng.uniform(120, 600))
    tone = ou(rng, n, dt, 600, 0.5)
    map_ = base_map - 6 * depth + 10 * stim + 4 * tone + ou(rng, n, dt, 90, 2.5)
    hr = base_hr - 5 * depth + 12 * stim + ou(rng, n, dt, 120, 3.0)
    spo2 = base_spo2 + ou(rng, n, dt, 300, 0.5)
    etco2 = base_etco2 + ou(rng, n, dt, 600, 1.5)
    rr = np.full(n, float(base_rr))
    temp = base_temp - 0.6 * (1 - np.exp(-t / 3600)) + ou(rng, n, dt, 1800, 0.05)
    pp = pulse_p + 0.3 * (map_ - base_map) + ou(rng, n, dt, 600, 3)

    events = []
    # Deteriorations and near misses; kinds and how fast they come on.
    kinds = args.kinds.split(",")
    n_events = rng.poisson(minutes / 60 * args.events_per_hour)
    for _ in range(n_events):
        kind = str(rng.choice(kinds))
        near_miss = rng.random() < 0.35
        if kind == "emergence":
            onset = rng.uniform(max(0, t[-1] - 1200), max(1, t[-1] - 420))
        else:
            onset = rng.uniform(600, max(700, t[-1] - 900))
        if kind == "haemorrhage":
            rise, hold, fall = rng.uniform(300, 1200), rng.uniform(120, 600), rng.uniform(180, 600)
            target = rng.uniform(67, 74) if near_miss else rng.uniform(48, 60)
            prof = ramp(t, onset, rise, hold, fall)
            drop = max(0.0, np.median(map_[(t > onset - 120) & (t <= onset)]) - target) if np.any(t <= onset) else 20
            map_ = map_ - drop * prof
            lag = rng.uniform(60, 300)                  # HR follows later
            hr = hr + rng.uniform(10, 30) * ramp(t, onset + lag, rise, hold, fall)
            pp = pp - 10 * prof
            peak = onset + rise
        elif kind == "bolus_hypotension":
            rise, hold, fall = rng.uniform(45, 180), rng.uniform(60, 300), rng.uniform(120, 480)
            target = rng.uniform(67, 74) if near_miss else rng.uniform(45, 60)
            prof = ramp(t, onset, rise, hold, fall, "exp")
            drop = max(0.0, np.median(map_[(t > onset - 120) & (t <= onset)]) - target)
            map_ = map_ - drop * prof
            hr = hr - rng.uniform(0, 8) * prof
            peak = onset + rise
        elif kind == "bradycardia":
            rise, hold, fall = rng.uniform(15, 120), rng.uniform(45, 240), rng.uniform(30, 180)
            target = rng.uniform(43, 50) if near_miss else rng.uniform(28, 38)
            prof = ramp(t, onset, rise, hold, fall)
            drop = max(0.0, np.median(hr[(t > onset - 120) & (t <= onset)]) - target)
            hr = hr - drop * prof
            map_ = map_ - rng.uniform(5, 15) * prof
            peak = onset + rise
        elif kind == "desaturation":
            rise, hold, fall = rng.uniform(40, 300), rng.uniform(45, 240), rng.uniform(60, 240)
            target = rng.uniform(91, 94) if near_miss else rng.uniform(78, 88)
            prof = ramp(t, onset, rise, hold, fall)
            drop = max(0.0, np.median(spo2[(t > onset - 120) & (t <= onset)]) - target)
            spo2 = spo2 - drop * prof
            etco2 = etco2 + rng.uniform(0, 10) * prof
            hr = hr + rng.uniform(0, 12) * prof
            peak = onset + rise
        else:  # emergence: hypertension and tachycardia together
            rise, hold, fall = rng.uniform(90, 420), rng.uniform(60, 300), rng.uniform(120, 400)
            prof = ramp(t, onset, rise, hold, fall)
            s_now = np.median(map_[(t > onset - 120) & (t <= onset)]) + 0.6 * pulse_p
            sbp_target = rng.uniform(160, 176) if near_miss else rng.uniform(186, 215)
            hr_now = np.median(hr[(t > onset - 120) & (t <= onset)])
            hr_target = rng.uniform(115, 135) if near_miss else rng.uniform(120, 160)
            map_ = map_ + max(0.0, (sbp_target - s_now)) * 0.75 * prof
            pp = pp + max(0.0, (sbp_target - s_now)) * 0.4 * prof
            hr = hr + max(0.0, hr_target - hr_now) * prof
            peak = onset + rise
        end = onset + rise + hold + fall
        events.append((kind + ("_near_miss" if near_miss else ""), onset, peak, min(end, t[-1])))

    pp = np.clip(pp, 20, 110)
    sbp = map_ + 2 * pp / 3
    dbp = map_ - pp / 3
    # Measurement noise and rounding (a monitor's numerics)
    out = {c: np.full(n, np.nan) for c in COLS}
    out["hr"] = np.round(np.clip(hr + rng.normal(0, 1.5, n), 20, 250))
    out["spo2"] = np.round(np.clip(spo2 + rng.normal(0, 0.4, n), 50, 100))
    out["etco2"] = np.round(np.clip(etco2 + rng.normal(0, 0.7, n), 5, 90))
    out["rr"] = np.round(rr + rng.normal(0, 0.3, n))
    out["temp"] = np.round((temp + rng.normal(0, 0.02, n)) * 10) / 10
    art_s = np.round(sbp + rng.normal(0, 2.0, n))
    art_d = np.round(dbp + rng.normal(0, 1.5, n))
    art_m = np.round(map_ + rng.normal(0, 1.0, n))

    # Artefacts: cautery spikes on HR, probe-off on SpO2, flushes and gaps on the line
    for _ in range(rng.poisson(minutes / 60 * 8)):
        i = rng.integers(0, n); k = rng.integers(1, 4)
        out["hr"][i:i + k] += rng.choice([-1, 1]) * rng.uniform(10, 40)
    for _ in range(rng.poisson(minutes / 60 * 1.0)):
        i = rng.integers(0, n); k = int(rng.uniform(5, 40) / dt)
        out["spo2"][i:i + k] = np.nan
    for _ in range(rng.poisson(minutes / 60 * 0.8)):
        i = rng.integers(0, n); k = int(rng.uniform(5, 20) / dt)
        art_s[i:i + k] = 300; art_d[i:i + k] = 290; art_m[i:i + k] = 295
    for _ in range(rng.poisson(minutes / 60 * 1.0)):
        i = rng.integers(0, n); k = int(rng.uniform(10, 40) / dt)
        art_s[i:i + k] = np.nan; art_d[i:i + k] = np.nan; art_m[i:i + k] = np.nan

    cols = {}
    if feed == "full":
        cols = dict(hr=out["hr"], sbp=art_s, dbp=art_d, mbp=art_m, spo2=out["spo2"], rr=out["rr"],
                    etco2=out["etco2"], temp=out["temp"])
    elif feed == "map_only":
        cols = dict(mbp=art_m)
    elif feed == "hr_spo2":
        cols = dict(hr=out["hr"], spo2=out["spo2"])
    elif feed == "art_hr":
        cols = dict(hr=out["hr"], sbp=art_s, dbp=art_d, mbp=art_m)
    elif feed == "spo2_capno":
        cols = dict(spo2=out["spo2"], etco2=out["etco2"], rr=out["rr"], hr=out["hr"])
    elif feed == "nibp":
        s = np.full(n, np.nan); d = np.full(n, np.nan); m = np.full(n, np.nan)
        tt = rng.uniform(10, 60)
        while tt < t[-1]:
            i = int(tt / dt)
            s[i] = np.round(sbp[i] + rng.normal(0, 5)); d[i] = np.round(dbp[i] + rng.normal(0, 4))
            m[i] = np.round(map_[i] + rng.normal(0, 3))
            tt += rng.uniform(180, 300)
        cols = dict(hr=out["hr"], sbp=s, dbp=d, mbp=m, spo2=out["spo2"])
    table = np.full((n, 8), np.nan)
    for j, c in enumerate(COLS):
        if c in cols:
            table[:, j] = cols[c]
    return dt, t, table, events, feed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=30)
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--out", required=True)
    p.add_argument("--feed", default="mix", choices=["mix"] + FEEDS)
    p.add_argument("--events-per-hour", type=float, default=1.2)
    p.add_argument("--kinds", default="haemorrhage,bolus_hypotension,bradycardia,desaturation,emergence")
    p.add_argument("--min-minutes", type=float, default=90)
    p.add_argument("--max-minutes", type=float, default=180)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "independent_events.csv"), "w") as ev, \
         open(os.path.join(args.out, "feeds.csv"), "w") as fd:
        ev.write("case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds\n")
        fd.write("case_id,feed\n")
        for c in range(args.cases):
            rng = np.random.default_rng([args.seed, c])
            dt, t, table, events, feed = make_case(rng, c, args)
            cid = f"ind{args.seed}-{c:03d}"
            fd.write(f"{cid},{feed}\n")
            for kind, on, pk, en in events:
                ev.write(f"{cid},{kind},{int(on)},{int(pk)},{int(en)}\n")
            with gzip.open(os.path.join(args.out, f"case_{c:04d}.csv.gz"), "wt") as f:
                f.write("case_id,t_seconds,hr,sbp,dbp,mbp,spo2,rr,etco2,temp\n")
                for i in range(len(t)):
                    row = table[i]
                    if np.all(np.isnan(row)):
                        continue
                    vals = ",".join("" if np.isnan(v) else (f"{v:.1f}" if j == 7 else f"{int(v)}") for j, v in enumerate(row))
                    f.write(f"{cid},{t[i]:g},{vals}\n")


if __name__ == "__main__":
    main()
