"""Respiratory and temperature events; same builder pattern as events_cardio."""
import numpy as np


def ev_bronchospasm(S, mode):
    r = S.r
    t = S.timed(mode, "maint", (60, 360), {"sustained": (120, 600), "brief": (0, 20), "near": (30, 300)},
                (180, 900))
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(*{"sustained": (76, 88), "brief": (86, 89), "near": (90.5, 93)}[mode])
    p = S.prof(t0, tp, th, te, "exp", "exp")
    S.d["spo2"] += (target - S.bv("spo2", tp)) * p
    S.d["et"] += (-r.u(4, 12) if r.p(0.6) else r.u(3, 10)) * p
    S.d["hr"] += r.u(8, 25) * p
    S.d["map"] += r.u(-10, 8) * p
    return S.event("bronchospasm", mode, "spo2", target, t0, tp, te, "salbutamol/deepening")


def ev_endobronchial(S, mode):
    r = S.r
    t = S.timed(mode, "early", (300, 1200), {"sustained": (120, 600), "brief": (0, 20), "near": (60, 600)},
                (30, 120))
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(*{"sustained": (83, 89), "brief": (87, 89.5), "near": (90.5, 93)}[mode])
    p = S.prof(t0, tp, th, te, "linear", "exp")
    S.d["spo2"] += (target - S.bv("spo2", tp)) * p
    S.d["et"] += r.u(2, 6) * p
    S.d["hr"] += r.u(0, 10) * p
    return S.event("endobronchial_intubation", mode, "spo2", target, t0, tp, te,
                   "tube migration after positioning; withdrawn")


def ev_disconnection(S, mode):
    r = S.r
    mode = "brief" if mode == "brief" else "sustained"
    disc = r.u(60, 240) if mode == "sustained" else r.u(15, 55)
    lag, rate, lag2 = r.u(30, 100), r.u(0.04, 0.2), r.u(10, 30)
    rec, over = r.u(30, 120), r.u(60, 180)
    t0 = S.place(disc + lag2 + rec + over, "maint")
    if t0 is None:
        return None
    t1 = t0 + disc
    sb = S.bv("spo2", t0)
    drop = min(max(0.0, rate * (disc + lag2 - lag)), sb - 55)
    if drop > 0.5:
        tp = t1 + lag2
        S.d["spo2"] -= drop * S.prof(t0 + lag, tp, tp, tp + rec, "linear", "exp")
    else:
        tp = t1
    S.nobreath[int(t0):int(t1)] = True
    S.d["et"] += r.u(5, 15) * S.prof(t1, t1 + 10, t1 + 10, t1 + 10 + over, "linear", "exp")
    S.d["hr"] += r.u(5, 20) * S.prof(t0 + lag, t1 + lag2, t1 + lag2, t1 + lag2 + rec)
    te = max(t1 + lag2 + rec, t1 + 10 + over)
    return S.event("circuit_disconnection", mode, "etco2", round(sb - drop, 1), t0, tp, te,
                   "disconnected %.0f s; SpO2 drop %.1f" % (disc, drop))


def ev_hypovent(S, mode):
    r = S.r
    win = "maint" if S.airway == "lma_spont" else "postext"
    t = S.timed(mode, win, (60, 300), {"sustained": (120, 600), "brief": (0, 20), "near": (60, 400)},
                (60, 300), rise_only=win != "maint")
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(*{"sustained": (3.5, 6.5), "brief": (6, 7.5), "near": (9.6, 11)}[mode])
    p = S.prof(t0, tp, th, te, "exp", "exp")
    S.d["rr"] += (target - S.bv("rr", tp)) * p
    S.d["et"] += r.u(8, 20) * p
    S.d["spo2"] -= r.u(1, 5) * p
    return S.event("hypoventilation", mode, "rr", target, t0, tp, te, "opioid; stimulation/naloxone")


def ev_hypothermia(S, mode):
    r = S.r
    mode = "near" if mode == "near" else "sustained"
    rate = r.u(0.6, 1.5) / 3600
    target = r.u(34.2, 34.9) if mode == "sustained" else r.u(35.1, 35.45)
    tb = S.base["temp"]
    est = max(0.3, float(np.mean(tb)) - target) / rate
    t0 = S.place(est + 300, "temp", temp=True)
    if t0 is None:
        return None
    tp = t0 + est
    for _ in range(4):
        drop = S.bv("temp", min(tp, S.D - 1)) - target
        tp = t0 + max(drop, 0.2) / rate
    if drop < 0.25 or tp > S.D - 120:
        S.tbusy.pop()
        return None
    hold = r.u(600, 2400)
    fall = drop / (r.u(0.3, 0.8) / 3600)
    th = tp + hold
    te = th + fall
    S.d["temp"] -= drop * S.prof(t0, tp, th, te, "linear", "linear")
    return S.event("hypothermia_drift", mode, "temp", target, t0, tp, te,
                   "open cavity/cold fluids/warmer off; forced-air warming")


def ev_hyperthermia(S, mode):
    r = S.r
    mode = "near" if mode == "near" else "sustained"
    rate = r.u(2.0, 5.0) / 3600
    target = r.u(39.2, 39.8) if mode == "sustained" else r.u(38.6, 39.0)
    est = max(0.5, target - float(np.mean(S.base["temp"]))) / rate
    t0 = S.place(est + 300, "temp", temp=True)
    if t0 is None:
        return None
    tp = t0 + est
    for _ in range(4):
        rise_ = target - S.bv("temp", min(tp, S.D - 1))
        tp = t0 + max(rise_, 0.5) / rate
    if tp > S.D - 120:
        S.tbusy.pop()
        return None
    hold = r.u(300, 1200)
    fall = r.u(1200, 3600)
    th = tp + hold
    te = th + fall
    p = S.prof(t0, tp, th, te, "linear", "linear")
    S.d["temp"] += rise_ * p
    S.d["et"] += r.u(5, 18) * p
    S.d["hr"] += r.u(15, 40) * p
    return S.event("hyperthermia", mode, "temp", target, t0, tp, te, "sepsis/MH-like; cooling")
