"""Monitors observing the latent signals: feeds, devices and their artefacts.

Each device writes a 1 s array into meas (NaN = not sent) and appends its
artefacts to S.conf as (kind, start, end).
"""
import numpy as np

from .sampling import COLS
from .signals import profile, ramp, runs

# feed name -> devices on that monitor
FEEDS = {
    "full_art": {"ecg", "art", "spo2", "capno", "temp"},
    "full_nibp": {"ecg", "nibp", "spo2", "capno", "temp"},
    "art_only": {"art"},
    "art_map_only": {"artm"},
    "hr_spo2": {"ecg", "spo2"},
    "nibp_hr_spo2": {"ecg", "nibp", "spo2"},
    "capno_oxi": {"ecg", "spo2", "capno"},
}
FEED_W = {"full_art": .20, "full_nibp": .16, "art_only": .10, "art_map_only": .10,
          "hr_spo2": .13, "nibp_hr_spo2": .17, "capno_oxi": .14}


def obs_channels(devs):
    s = set()
    if "ecg" in devs or "spo2" in devs:
        s.add("hr")
    if "art" in devs or "nibp" in devs:
        s |= {"sbp", "dbp", "mbp"}
    if "artm" in devs:
        s.add("mbp")
    if "spo2" in devs:
        s.add("spo2")
    if "capno" in devs:
        s |= {"rr", "etco2"}
    if "temp" in devs:
        s.add("temp")
    return s


def observe(S, rng, lat, tl, feed, dt, cid):
    """Returns meas, NIBP readings (t_result, sbp, dbp, map, t_start), meta and hr_src."""
    r, D, obs = S.r, S.D, S.obs
    devs = FEEDS[feed]
    meas = {c: np.full(D, np.nan) for c in COLS}
    hr_src = "ecg" if "ecg" in devs and ("sbp" in obs or "mbp" in obs or r.p(0.5)) else "pleth"
    if "spo2" not in devs:
        hr_src = "ecg"
    meta = dict(case_id=cid, feed=feed, duration_s=D, base_interval_s=dt, airway=S.airway,
                hr_source=hr_src if "hr" in obs else "", low_rate_emergence=int(tl.low_rate))
    # NIBP first: a cuff on the oximeter arm blanks SpO2 during inflation
    nibp = _nibp(S, lat, tl, meta) if "nibp" in devs else []
    if devs & {"art", "artm"}:
        _arterial_line(S, rng, lat, tl, feed, devs, meas)
    pleth_hr = lat["hr"] + rng.normal(0, 1.0, D)
    if "spo2" in devs:
        _pulse_oximetry(S, rng, lat, devs, nibp, pleth_hr, meas, meta)
    if "hr" in obs:
        h = _ecg_hr(S, rng, lat, tl) if hr_src == "ecg" else pleth_hr
        meas["hr"] = np.clip(h, 0, 300)
    if "capno" in devs:
        _capnography(S, rng, lat, tl, meas, meta)
    if "temp" in devs:
        _temperature_probe(S, lat, tl, meas)
    return meas, nibp, meta, hr_src


def _nibp(S, lat, tl, meta):
    r, D = S.r, S.D
    sbp, dbp, mp = lat["sbp"], lat["dbp"], lat["mbp"]
    t_ind, t_int = tl.t_ind, tl.t_int
    nibp = []
    cycle = r.c([150, 180, 240, 300])
    meta["nibp_cycle_s"] = cycle
    stat_ind = r.p(0.5)
    bias = r.u(-4, 4)
    t = r.u(20, 150)
    stat_until = -1
    while t < D - 50:
        mdur = r.u(25, 45) + (10 if mp[int(t)] < 60 else 0)
        tr = t + mdur
        if tr >= D - 1:
            break
        if r.p(0.04):  # failed measurement, retry
            t = tr + r.u(20, 40)
            continue
        a, b = int(t), int(tr)
        ms, md, mm = sbp[a:b].mean(), dbp[a:b].mean(), mp[a:b].mean()
        s = ms + r.n(0, 7) - 0.1 * (ms - 120) + bias
        dd = md + r.n(0, 5) + 0.7 * bias
        mmv = mm + r.n(0, 4) + bias
        if r.p(0.02):  # artefactual reading (movement)
            s += r.n(0, 25)
            dd += r.n(0, 15)
        dd = min(dd, s - 10)
        mmv = float(np.clip(mmv, dd + 0.25 * (s - dd), dd + 0.6 * (s - dd)))
        nibp.append((tr, s, dd, mmv, t))
        if mmv < 65 or s < 80 or s > 180:
            stat_until = tr + r.u(300, 900)
        interval = cycle
        if stat_ind and t_ind - 90 <= t <= t_int + 300:
            interval = r.u(60, 90)
        if tr < stat_until:
            interval = r.c([60, 90, 120])
        t = t + interval
    return nibp


def _arterial_line(S, rng, lat, tl, feed, devs, meas):
    r, D, T, conf = S.r, S.D, S.T, S.conf
    hours = D / 3600
    t_int, t_ext = tl.t_int, tl.t_ext
    sbp, dbp, mp = lat["sbp"], lat["dbp"], lat["mbp"]
    t_art = r.u(30, 200) if (feed.startswith("art") or r.p(0.4)) else t_int + r.u(120, 600)
    s, dd, mm = sbp.copy(), dbp.copy(), mp.copy()
    if r.p(0.15):  # under-damped / resonant system: SBP overshoot
        w = r.u(12, 30)
        s += w
        dd -= r.u(0, 5)
        conf.append(("art_underdamped", t_art, D))
    for _ in range(r.pois(0.25 * hours)):  # transducer height not re-levelled
        a = r.u(t_art, D - 300)
        b = a + r.u(600, 3600)
        off = r.c([-1, 1]) * r.u(7, 15)
        m = (T >= a) & (T < b)
        s[m] += off
        dd[m] += off
        mm[m] += off
        conf.append(("art_transducer_level", a, min(b, D)))
    flush_at = []
    for _ in range(r.pois(0.5 * hours)):  # over-damping (air bubble / clot)
        a = r.u(t_art + 300, D - 200)
        b = a + r.u(120, 1200)
        m = (T >= a) & (T < b)
        k = ramp(T[m], a, a + 60) * r.u(0.4, 0.7)
        pulse = s[m] - dd[m]
        s[m] -= k * pulse * 2 / 3
        dd[m] += k * pulse / 3
        mm[m] -= 2 * k
        conf.append(("art_damping", a, min(b, D)))
        if r.p(0.6):
            flush_at.append(b)
    mask = np.zeros(D, bool)

    def setv(a, b, fs, fd, fm):
        a, b = int(max(a, 0)), int(min(b, D))
        if b > a:
            s[a:b], dd[a:b], mm[a:b] = fs(b - a), fd(b - a), fm(b - a)

    def zeroing(a):
        z = r.u(5, 20)
        zf = lambda n: np.abs(rng.normal(0, 0.8, n))
        setv(a, a + z, zf, zf, zf)
        sl = r.u(3, 8)  # numerics settle
        a2, b2 = int(a + z), int(min(a + z + sl, D))
        if b2 > a2:
            w = np.linspace(0, 1, b2 - a2)
            s[a2:b2] *= w
            dd[a2:b2] *= w
            mm[a2:b2] *= w
        conf.append(("art_zeroing", a, a + z + sl))

    def flush(a):
        f = r.u(5, 15)
        top = r.u(280, 320)
        setv(a, a + f, lambda n: top + rng.normal(0, 3, n),
             lambda n: top - r.u(5, 60) + rng.normal(0, 3, n),
             lambda n: top - r.u(3, 25) + rng.normal(0, 3, n))
        conf.append(("art_flush", a, a + f))

    zeroing(t_art)
    for _ in range(r.pois(0.3 * hours)):
        zeroing(r.u(t_art + 600, D - 60))
    for _ in range(r.pois(0.8 * hours)):  # blood sampling: line closed then flush
        a = r.u(t_art + 300, D - 120)
        c = r.u(15, 45)
        lowv = r.u(0, 25)
        setv(a, a + c, lambda n: lowv + rng.normal(0, 1, n), lambda n: lowv - 2 + rng.normal(0, 1, n),
             lambda n: lowv - 1 + rng.normal(0, 1, n))
        conf.append(("art_blood_sample", a, a + c))
        flush(a + c)
    for _ in range(r.pois(0.6 * hours)):
        flush_at.append(r.u(t_art + 120, D - 30))
    for a in flush_at:
        if a < D - 20:
            flush(a)
    mask[: int(t_art)] = True
    if r.p(0.35):
        mask[int(min(t_ext + r.u(0, 240), D - 30)):] = True
    hi_, lo_ = np.maximum(np.maximum(s, dd), mm), np.minimum(np.minimum(s, dd), mm)
    s, dd = hi_, lo_
    for c_, v in (("sbp", s), ("dbp", dd), ("mbp", mm)):
        v = np.clip(v, 0, 340)
        v[mask] = np.nan
        meas[c_] = v
    if "artm" in devs:
        meas["sbp"][:] = np.nan
        meas["dbp"][:] = np.nan


def _pulse_oximetry(S, rng, lat, devs, nibp, pleth_hr, meas, meta):
    """Also blanks / disturbs pleth_hr in place."""
    r, D, T, conf = S.r, S.D, S.T, S.conf
    hours = D / 3600
    spo2_m = lat["spo2"].copy()
    for _ in range(r.pois(1.5 * hours)):  # motion / poor perfusion dips
        a = r.u(0, D - 40)
        w = r.u(5, 30)
        q = profile(T, a, a + w / 2, a + w / 2, a + w, "linear", "linear")
        spo2_m -= r.u(5, 25) * q
        m = q > 0.2
        pleth_hr[m] += rng.uniform(-30, 40, int(m.sum()))
        conf.append(("spo2_motion_dip", a, a + w))
    off = np.zeros(D, bool)
    for _ in range(r.pois(0.6 * hours)):  # probe off / displaced
        a = r.u(60, D - 60)
        w = r.u(10, 300)
        if r.p(0.3):  # garbage low values for a few seconds first
            g = r.u(2, 6)
            spo2_m[int(a):int(a + g)] = rng.uniform(45, 80, len(spo2_m[int(a):int(a + g)]))
            a += g
        off[int(a):int(min(a + w, D))] = True
        conf.append(("spo2_probe_off", a, a + w))
    if "nibp" in devs and r.p(0.3):  # cuff on the same arm as the probe
        meta["nibp_same_arm"] = 1
        for (tr, _, _, _, ts) in nibp:
            off[int(ts + 5):int(tr + 3)] = True
    off[: int(r.u(0, 40))] = True
    off[int(D - r.u(0, 60)):] = True
    spo2_m[off] = np.nan
    meas["spo2"] = np.clip(spo2_m, 0, 100)
    pleth_hr[off] = np.nan


def _ecg_hr(S, rng, lat, tl):
    r, D, conf = S.r, S.D, S.conf
    hours = D / 3600
    t_inc, t_em = tl.t_inc, tl.t_em
    h = lat["hr"] + rng.normal(0, 0.7, D)
    for _ in range(r.pois(0.25 * hours)):  # leads off
        a = r.u(60, D - 60)
        w = r.u(10, 120)
        h[int(a):int(a + w)] = np.nan
        conf.append(("ecg_leads_off", a, a + w))
    surg = max(0.0, (t_em - t_inc) / 3600)
    cw = [.75, .2, .05] if r.p(0.5) else [.25, .7, .05]  # monitor-specific behaviour
    for _ in range(r.pois(r.u(3, 40) * surg)):  # diathermy bursts
        a = r.u(t_inc, t_em)
        w = r.u(2, 20)
        sl = slice(int(a), int(min(a + w, D)))
        n = len(h[sl])
        kind = r.c(["spike", "drop", "zero"], cw)
        h[sl] = rng.uniform(130, 290, n) if kind == "spike" else (np.nan if kind == "drop" else 0.0)
        conf.append(("ecg_cautery_" + kind, a, a + w))
    h[: int(r.u(0, 60))] = np.nan
    h[int(D - r.u(0, 60)):] = np.nan
    return h


def _capnography(S, rng, lat, tl, meas, meta):
    r, D, T, conf, airway = S.r, S.D, S.T, S.conf, S.airway
    et, rr = lat["etco2"], lat["rr"]
    t_int, t_em, t_preox, cap_end = tl.t_int, tl.t_em, tl.t_preox, tl.cap_end
    style = r.c(["zero", "missing", "mixed"], [.45, .3, .25])
    meta["capno_apnoea_style"] = style
    e_m, r_m = et.copy(), np.round(rr + (rng.random(D) < 0.03) * (airway == "ett") * 1.0)
    for a, b in runs(S.nobreath):
        e_m[a + 3:b] = np.nan if style == "missing" else 0.0
        dl = int(r.u(8, 20))
        r_m[a + dl:b] = 0.0 if style == "zero" else np.nan
        if b > a + dl and style != "missing":
            r_m[a:a + dl] = r_m[max(a - 1, 0)]
    if r.p(0.12):  # sampling line occlusion / water trap
        a = r.u(t_int + 300, t_em)
        w = r.u(30, 300)
        sl = slice(int(a), int(min(a + w, D)))
        n = len(e_m[sl])
        e_m[sl] = e_m[sl] * np.exp(-np.arange(n) / 8.0)
        r_m[sl] = np.nan if r.p(0.5) else 0.0
        conf.append(("capno_line_occlusion", a, a + w))
    on = (T >= t_preox) & (T < cap_end)
    e_m[~on] = np.nan
    r_m[~on] = np.nan
    meas["etco2"], meas["rr"] = e_m, r_m


def _temperature_probe(S, lat, tl, meas):
    r, D, T, conf = S.r, S.D, S.T, S.conf
    t_int, t_ext = tl.t_int, tl.t_ext
    t_probe = t_int + r.u(60, 400)
    tm = lat["temp"].copy()
    if r.p(0.5):
        room, tau = r.u(22, 26), r.u(20, 60)
        q = np.exp(-np.clip(T - t_probe, 0, None) / tau)
        tm = tm - (tm - room) * q
        conf.append(("temp_probe_equilibration", t_probe, t_probe + tau * np.log(14 / 0.3)))
        tm[T < t_probe] = np.nan
    else:
        tm[T < t_probe + r.u(120, 300)] = np.nan
    if r.p(0.08):  # probe displaced (out of oesophagus), later re-inserted
        a = r.u(t_probe + 900, max(t_probe + 901, D - 600))
        w = r.u(300, 1800)
        room = r.u(27, 33)
        q = profile(T, a, a + 240, a + w, a + w + 120, "exp", "exp")
        tm = tm - (tm - room) * q
        conf.append(("temp_probe_displaced", a, a + w + 120))
    if r.p(0.5):
        tm[T >= t_ext + r.u(0, 120)] = np.nan
    meas["temp"] = tm
