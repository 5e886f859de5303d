"""Cardiovascular events: hypotension, haemorrhage, brady/tachycardias, hypertension.

Every builder draws rise/hold/fall times for its mode (sustained, brief, near)
and places them with S.timed, aims a profile at a target nadir or peak, adds it to
S.d and records the event; it returns None when the event does not fit the case.
Clinician responses (vasopressor, atropine, labetalol) and their rebounds are
part of the same event window.
"""


def ev_hypotension(S, kind, mode):
    r = S.r
    if kind == "post_induction_hypotension":
        rise, rs, win = r.u(90, 300), r.c(["exp", "linear", "sigmoid"]), "pih"
    else:
        rise, rs, win = r.u(240, 900), r.c(["linear", "sigmoid", "exp"]), "maint"
    pih = kind == "post_induction_hypotension"
    hold = r.u(*{"sustained": (90, 480) if pih else (120, 900), "brief": (0, 20), "near": (60, 600)}[mode])
    # pressor/rebound draws sit between hold and fall, so all durations are drawn here
    pressor = r.p(0.8 if pih else 0.65)
    fall = r.u(45, 200) if pressor else r.u(300, 900)
    reb = pressor and r.p(0.6)
    extra = r.u(300, 700) if reb else 0
    t = S.timed(mode, win, rise, hold, fall, extra)
    if t is None:
        return None
    t0, tp, th, te = t
    which = S.pressure_which()
    tgt = {("mbp", "sustained"): (45, 62), ("mbp", "brief"): (58, 64), ("mbp", "near"): (66, 72),
           ("sbp", "sustained"): (62, 78), ("sbp", "brief"): (73, 79), ("sbp", "near"): (82, 92)}
    target = r.u(*tgt[(which, mode)])
    dm = S.map_delta(tp, which, target)
    p = S.prof(t0, tp, th, te, rs, "exp" if pressor else "linear")
    S.d["map"] += dm * p
    S.d["hr"] += r.u(-8, 10) * p
    info = "vasopressor bolus" if pressor else "fluids/lighter anaesthesia"
    if reb:
        drug = r.c(["phenylephrine", "ephedrine", "noradrenaline"])
        r0 = th + 0.2 * fall
        rp = te + r.u(0, 60)
        rh = rp + r.u(0, 120)
        re = rh + r.u(180, 480)
        q = S.prof(r0, rp, rh, re, "exp", "linear")
        S.d["map"] += r.u(0.06, 0.22) * S.bv("map", tp) * q
        S.d["hr"] += {"phenylephrine": -r.u(4, 14), "ephedrine": r.u(5, 15),
                      "noradrenaline": -r.u(0, 8)}[drug] * q
        te = re
        info = drug + " bolus with rebound"
    return S.event(kind, mode, which, target, t0, tp, te, info)


def ev_haemorrhage(S, mode):
    r = S.r
    mode = "near" if mode == "near" else "sustained"
    rise, rs = r.u(600, 2400), r.c(["accel", "linear", "sigmoid"])
    t = S.timed(mode, "maint", rise, {"sustained": (180, 900), "near": (60, 600)}, (600, 1800))
    if t is None:
        return None
    t0, tp, th, te = t
    p = S.prof(t0, tp, th, te, rs, "linear")
    hrb, mb = S.bv("hr", tp), S.bv("map", tp)
    if "mbp" in S.obs:
        which = S.pressure_which()
        rng_ = {"mbp": (44, 62) if mode == "sustained" else (66, 72),
                "sbp": (62, 78) if mode == "sustained" else (82, 92)}[which]
        target = r.u(*rng_)
        dm = S.map_delta(tp, which, target, 0.7)
        dh = r.u(20, 50) if mode == "sustained" else r.u(10, 25)
    else:
        which = "hr"
        target = r.u(142, 158) if mode == "sustained" else r.u(124, 138)
        dh = max(target - hrb, 10)
        dm = -(r.u(0.25, 0.45) if mode == "sustained" else r.u(0.12, 0.22)) * mb
    ppf = r.u(0.6, 0.8)
    S.d["map"] += dm * p
    S.d["ppf"] *= 1 - (1 - ppf) * p
    S.d["hr"] += dh * p
    S.d["et"] -= r.u(3, 8) * p
    S.d["spo2"] -= r.u(0, 2) * p
    return S.event("haemorrhage", mode, which, target, t0, tp, te,
                   "blood loss; fluids/transfusion restore")


def ev_vagal_brady(S, mode):
    r = S.r
    rise = r.u(3, 30)
    hold = r.u(*{"sustained": (60, 240), "brief": (5, 30), "near": (10, 90)}[mode])
    atro = r.p(0.2 if mode == "brief" else 0.55)  # drawn before fall, which depends on it
    fall = r.u(30, 120) if atro else r.u(5, 40)
    extra = r.u(400, 700) if atro else 0
    t = S.timed(mode, "maint", rise, hold, fall, extra)
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(*{"sustained": (28, 37), "brief": (24, 37), "near": (41, 47)}[mode])
    p = S.prof(t0, tp, th, te, "exp", "exp")
    S.d["hr"] += (target - S.bv("hr", tp)) * p
    S.d["map"] -= r.u(0.1, 0.35) * S.bv("map", tp) * p
    info = "traction/oculocardiac reflex; stimulus stopped"
    if atro:
        r0, rp = th + 10, th + r.u(90, 180)
        rh = rp + r.u(0, 120)
        re = rh + r.u(180, 420)
        S.d["hr"] += r.u(15, 40) * S.prof(r0, rp, rh, re, "exp", "linear")
        te, info = re, "vagal reflex; atropine with rebound tachycardia"
    return S.event("vagal_bradycardia", mode, "hr", target, t0, tp, te, info)


def ev_drug_brady(S, mode):
    r = S.r
    rise = r.u(120, 600)
    hold = r.u(*{"sustained": (180, 900), "brief": (0, 20), "near": (120, 600)}[mode])
    fall = r.u(120, 400)
    extra = r.u(300, 600)  # drawn after fall and needed below, so drawn here
    t = S.timed(mode, "maint", rise, hold, fall, extra)
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(*{"sustained": (31, 38.5), "brief": (36.5, 39.5), "near": (41, 46)}[mode])
    p = S.prof(t0, tp, th, te, r.c(["linear", "exp"]), "exp")
    S.d["hr"] += (target - S.bv("hr", tp)) * p
    S.d["map"] -= r.u(0.05, 0.2) * S.bv("map", tp) * p
    q = S.prof(th, te + 60, te + 120, te + extra - 60, "exp", "linear")
    S.d["hr"] += r.u(3, 15) * q
    return S.event("drug_bradycardia", mode, "hr", target, t0, tp, te + extra - 60,
                   r.c(["remifentanil", "beta-blocker", "dexmedetomidine"]) + "; glycopyrrolate")


def ev_sinus_tachy(S, mode):
    r = S.r
    t = S.timed(mode, "maint", (60, 300), {"sustained": (90, 600), "brief": (0, 20), "near": (60, 600)},
                (120, 480))
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(*{"sustained": (142, 162), "brief": (141, 146), "near": (126, 139)}[mode])
    p = S.prof(t0, tp, th, te, r.c(["exp", "linear"]), "exp")
    S.d["hr"] += (target - S.bv("hr", tp)) * p
    S.d["map"] += r.u(0.0, 0.2) * S.bv("map", tp) * p
    return S.event("tachycardia", mode, "hr", target, t0, tp, te,
                   r.c(["light anaesthesia", "pain/stimulation", "hypovolaemia"]) + "; opioid/deepening")


def ev_svt(S, mode):
    r = S.r
    mode = "brief" if mode == "brief" else "sustained"
    rise = r.u(2, 10)
    hold = r.u(60, 900) if mode == "sustained" else r.u(10, 40)
    abrupt = r.p(0.55)  # drawn before fall, which depends on it
    fall = r.u(2, 10) if abrupt else r.u(120, 600)
    t = S.timed(mode, "maint", rise, hold, fall)
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(150, 195)
    p = S.prof(t0, tp, th, te, "linear", "linear" if abrupt else "exp")
    S.d["hr"] += (target - S.bv("hr", tp)) * p
    S.d["map"] -= r.u(0.1, 0.3) * S.bv("map", tp) * p
    return S.event("svt_af_rvr", mode, "hr", target, t0, tp, te,
                   "adenosine/cardioversion" if abrupt else "beta-blocker/amiodarone")


def ev_hypertension(S, kind, mode):
    r = S.r
    emerg = kind == "emergence_hypertension"
    rise = r.u(120, 480) if emerg else r.u(20, 180)
    hold = r.u(*{"sustained": (120, 600), "brief": (0, 20), "near": (60, 400)}[mode])
    fall = r.u(120, 480)  # needed below for the labetalol dip, so drawn here
    t = S.timed(mode, "emerg" if emerg else "maint", rise, hold, fall, rise_only=emerg)
    if t is None:
        return None
    t0, tp, th, te = t
    target = r.u(*{"sustained": (183, 225), "brief": (181, 188), "near": (165, 178)}[mode])
    ppf = r.u(1.1, 1.35)
    dm = S.map_delta(tp, "sbp", target, ppf)
    p = S.prof(t0, tp, th, te, r.c(["exp", "linear"]), "exp")
    S.d["map"] += dm * p
    S.d["ppf"] *= 1 + (ppf - 1) * p
    S.d["hr"] += (r.u(15, 35) if emerg else r.u(5, 30)) * p
    if not emerg and r.p(0.3):
        q = S.prof(te - 0.3 * fall, te + 60, te + 120, te + r.u(300, 600), "exp", "linear")
        S.d["map"] -= r.u(0.05, 0.15) * S.bv("map", tp) * q
    return S.event(kind, mode, "sbp", target, t0, tp, te,
                   "emergence/extubation; labetalol" if emerg else
                   r.c(["incision", "pinning", "pneumoperitoneum", "light plane"]) + "; deepening/labetalol")
