"""Monitor output: sampling per device group, aggregation, jitter, dropouts, row format."""
import numpy as np

COLS = ["hr", "sbp", "dbp", "mbp", "spo2", "rr", "etco2", "temp"]
DT_CHOICES = [1, 2, 5, 15, 60]  # base sampling interval per case, s
DT_W = [.18, .15, .25, .15, .27]


def sample_rows(S, rng, devs, dt, hr_src, meas, nibp, meta):
    """Rows keyed by time: {t: {col: value}}; also returns whether times are jittered."""
    r, D, obs = S.r, S.D, S.obs
    jitter = r.p(0.3)
    agg = r.c(["median", "snapshot"]) if dt >= 15 else "snapshot"
    groups = {}
    if "hr" in obs and hr_src == "ecg":
        groups["ecg"] = (dt, ["hr"])
    if "spo2" in devs:
        groups["spo2"] = (dt if dt >= 5 or r.p(0.7) else 5, ["spo2"] + (["hr"] if hr_src == "pleth" else []))
    if devs & {"art", "artm"}:
        groups["art"] = (dt, ["mbp"] if "artm" in devs else ["sbp", "dbp", "mbp"])
    if "capno" in devs:
        groups["capno"] = (dt if dt >= 5 else r.c([dt, 5]), ["rr", "etco2"])
    if "temp" in devs:
        groups["temp"] = (60 if dt >= 30 else r.c([30, 60]), ["temp"])
    meta["intervals"] = ";".join("%s:%d" % (g, v[0]) for g, v in groups.items())
    meta["aggregation"] = agg
    meta["jitter"] = int(jitter)
    drift = r.u(-3e-4, 3e-4)
    rows = {}

    def put(t, col, v):
        if np.isnan(v):
            return
        k = round(float(t), 3) if jitter else int(round(t))
        rows.setdefault(k, {})[col] = v

    for g, (iv, cols) in groups.items():
        if jitter:
            off0 = r.u(0, min(iv, 1.0))
            grid = np.arange(0, D, iv)
            times = off0 + grid * (1 + drift) + rng.normal(0, 0.02 * min(iv, 5), len(grid))
            times = np.sort(times[(times >= 0) & (times < D - 1)])
        else:
            times = np.arange(0, D, iv, dtype=float)
        idx = np.floor(times).astype(int)
        for col in cols:
            arr = meas[col]
            if agg == "median" and iv >= 15:
                vals = np.array([np.nanmedian(arr[max(0, i - iv + 1):i + 1])
                                 if np.any(~np.isnan(arr[max(0, i - iv + 1):i + 1])) else np.nan for i in idx])
            else:
                vals = arr[idx]
            for t, v in zip(times, vals):
                put(t, col, v)
    for (tr, s, dd, mmv, _) in nibp:
        tt = float(np.ceil(tr / 60.0) * 60) if dt == 60 else tr
        if tt >= D:
            continue
        put(tt, "sbp", s)
        put(tt, "dbp", dd)
        put(tt, "mbp", mmv)
    return rows, jitter


def finish_rows(S, rng, rows, jitter, meta):
    """Drop rows, cut a transmission gap, restart the clock at the first row, format.

    Event times are shifted in place; confounders come back on the new clock.
    """
    r, D, conf = S.r, S.D, S.conf
    keys = sorted(rows)
    # missing rows and transmission gaps
    p_drop = r.u(0, 0.02)
    keep = rng.random(len(keys)) >= p_drop
    ka = np.array(keys, float)
    if r.p(0.25) and len(keys):
        a = r.u(600, max(601, D - 900))
        w = r.u(30, 600)
        keep &= ~((ka >= a) & (ka < a + w))
        conf.append(("data_gap", a, a + w))
    keep[0] = True
    keys = [k for k, kp in zip(keys, keep) if kp]
    t_shift = keys[0]
    out_rows = []
    for k in keys:
        rw = rows[k]
        t = k - t_shift
        ts = ("%.3f" % t).rstrip("0").rstrip(".") if jitter else str(int(t))
        vals = []
        for c in COLS:
            v = rw.get(c)
            if v is None:
                vals.append("")
            elif c == "temp":
                vals.append("%.1f" % v)
            else:
                vals.append(str(int(np.clip(np.rint(v), 0, 400))))
        out_rows.append((ts, vals))
    t_last = np.floor((keys[-1] - t_shift) * 10) / 10
    sh = lambda x: float(np.clip(round(x - t_shift, 1), 0, t_last))
    for e in S.events:
        e["onset"], e["peak"], e["end"] = sh(e["onset"]), sh(e["peak"]), sh(e["end"])
    conf = [(k, sh(a), sh(b)) for k, a, b in conf if a < D]
    meta["t_shift_s"] = t_shift
    meta["n_rows"] = len(out_rows)
    return out_rows, conf
