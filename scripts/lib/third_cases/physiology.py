"""Latent physiology at 1 s: patient, timeline and baseline signals without events."""
from dataclasses import dataclass

import numpy as np

from .signals import bump, ou, ramp, soft_ceil, soft_floor


@dataclass
class Timeline:
    t_ind: float  # induction
    t_int: float  # intubation / airway insertion
    t_em: float  # emergence starts
    t_ext: float  # extubation
    t_inc: float  # incision
    t_preox: float  # pre-oxygenation starts
    low_rate: bool = False  # set RR 6-8 before emergence
    cap_end: float = 0.0  # capnography stops


def build_baseline(S, rng):
    """Draw patient and timeline; fill S.base, S.win, S.nobreath and S.conf."""
    r, D = S.r, S.D
    age = r.u(18, 88)
    hr0 = float(np.clip(r.n(78 - 0.15 * (age - 50), 11), 52, 108))
    sbp0 = float(np.clip(r.n(122 + 0.45 * (age - 45), 15), 105, 178))
    dbp0 = sbp0 * r.u(0.55, 0.64)
    pp0 = sbp0 - dbp0
    map0 = dbp0 + pp0 / 3
    t_ind = r.u(4, 12) * 60
    t_int = t_ind + r.u(90, 240)
    t_em = D - r.u(10, 22) * 60
    t_ext = min(t_em + r.u(5, 14) * 60, D - 90)
    t_inc = min(t_int + r.u(8, 30) * 60, t_em - 600)
    t_preox = max(20.0, t_ind - r.u(120, 300))
    tl = Timeline(t_ind, t_int, t_em, t_ext, t_inc, t_preox)
    map_b, pp_b, hr_b = _haemodynamics(S, rng, tl, hr0, pp0, map0)
    spo2_b = _oxygenation(S, rng, tl, age)
    rr_b, et_b = _ventilation(S, rng, tl)
    tb = _temperature(S, rng, tl)
    S.base = dict(map=map_b, pp=pp_b, hr=hr_b, spo2=spo2_b, rr=rr_b, et=et_b, temp=tb)
    S.win = {"pih": (t_int + 20, t_int + 600), "maint": (t_int + 600, t_em - 120),
             "early": (t_int + 120, min(t_int + 2400, t_em - 300)), "emerg": (t_em, D - 60),
             "temp": (t_int + 600, D - 120)}
    cap_continues = r.p(0.5)  # capnography kept on after extubation
    tl.cap_end = D if cap_continues else t_ext + r.u(30, 180)
    if cap_continues:
        S.win["postext"] = (t_ext + 60, D - 60)
    return tl


def _haemodynamics(S, rng, tl, hr0, pp0, map0):
    r, D, T, airway = S.r, S.D, S.T, S.airway
    t_ind, t_int, t_em, t_ext, t_inc = tl.t_ind, tl.t_int, tl.t_em, tl.t_ext, tl.t_inc
    ind = np.where(T >= t_ind, 1 - np.exp(-np.clip(T - t_ind, 0, None) / r.u(60, 180)), 0.0)
    em = ramp(T, t_em, t_ext)
    pre, ga = r.u(1.0, 1.12), float(np.clip(r.u(0.74, 0.92), 76 / map0, 100 / map0))
    level = pre + (ga - pre) * ind
    level = level * (1 - em) + r.u(0.95, 1.15) * em
    level += (r.u(0.1, 0.3) if airway == "ett" else r.u(0.03, 0.1)) * bump(T, t_int - 15, 30, r.u(120, 300))
    level += r.u(0.04, 0.15) * bump(T, t_inc, 60, r.u(300, 700))
    level += r.u(0.05, 0.2) * bump(T, t_ext - 30, 30, r.u(120, 300))
    map_b = map0 * level + ou(rng, D, 3.5, 600) * (0.5 + 0.5 * ind) + ou(rng, D, 1.0, 8)
    map_b = soft_floor(map_b, 74)
    ppga = 1 - (1 - r.u(0.85, 1.0)) * ind * (1 - em)
    for _ in range(4):
        pp_b = pp0 * (map_b / map0) ** 0.8 * ppga
        ex = np.clip(map_b + 2 * pp_b / 3 - 168, 0, None)
        map_b = map_b - 0.6 * ex
    pp_b = pp0 * (map_b / map0) ** 0.8 * ppga
    hr_pre, hr_ga, hr_em = hr0 * r.u(1.0, 1.15), hr0 * r.u(0.78, 1.0), hr0 * r.u(1.0, 1.2)
    hr_b = hr_pre + (hr_ga - hr_pre) * ind
    hr_b = hr_b * (1 - em) + hr_em * em
    hr_b += r.u(8, 25) * bump(T, t_int - 15, 30, r.u(120, 240))
    hr_b += r.u(2, 10) * bump(T, t_inc, 60, r.u(300, 600))
    hr_b += r.u(5, 20) * bump(T, t_ext - 30, 30, r.u(120, 300))
    hr_b += ou(rng, D, 2.5, 600) + ou(rng, D, 1.0, 5)
    hr_b = soft_ceil(soft_floor(hr_b, 50), 115)
    return map_b, pp_b, hr_b


def _oxygenation(S, rng, tl, age):
    r, D, T = S.r, S.D, S.T
    t_ind, t_ext, t_preox = tl.t_ind, tl.t_ext, tl.t_preox
    spo2_ra = float(np.clip(r.n(97.5 - 0.04 * (age - 40), 1.0), 93, 99.5))
    spo2_b = spo2_ra + (99.8 - spo2_ra) * ramp(T, t_preox, t_preox + 90)
    spo2_b += (r.u(97.5, 100.3) - 99.8) * ramp(T, t_ind, t_ind + 120)
    spo2_b = np.where(T >= t_ext, spo2_b + (r.u(94.5, 99.5) - spo2_b) * ramp(T, t_ext, t_ext + 120), spo2_b)
    spo2_b = soft_floor(spo2_b + ou(rng, D, 0.4, 120), 94)
    return spo2_b


def _ventilation(S, rng, tl):
    r, D, T, airway = S.r, S.D, S.T, S.airway
    t_ind, t_int, t_em, t_ext = tl.t_ind, tl.t_int, tl.t_em, tl.t_ext
    ap0 = t_ind + r.u(20, 60)
    ap1 = ap0 + r.u(20, 90)
    if airway == "ett":
        lar0, lar1 = t_int - r.u(20, 45), t_int + r.u(5, 15)
    else:
        lar0, lar1 = t_int - r.u(10, 25), t_int + r.u(3, 8)
    rr_b = r.u(12, 20) + ou(rng, D, 1.5, 30)
    et_b = r.u(24, 36) + ou(rng, D, 2.0, 30)
    m = (T >= ap1) & (T < lar0)
    rr_b[m] = r.u(10, 18) + ou(rng, int(m.sum()) or 1, 2.0, 20)[: m.sum()]
    et_b[m] = r.u(26, 38) + ou(rng, int(m.sum()) or 1, 2.0, 20)[: m.sum()]
    t_spont = t_em + r.u(0.3, 0.8) * (t_ext - t_em)
    if airway == "ett":
        vent = np.full(D, float(int(r.u(10, 17))))
        for _ in range(r.pois(1.0)):  # anaesthetist changes set rate
            ts = r.u(lar1, t_em)
            vent[T >= ts] = float(np.clip(vent[int(ts)] + r.c([-2, -1, 1, 2]), 9, 18))
        et_ga = r.u(32, 40) + ou(rng, D, 1.5, 900) - 0.8 * (vent - vent[int(lar1)])
        m = (T >= lar1) & (T < t_spont)
        rr_b[m] = vent[m]
        et_b[m] = et_ga[m]
        if r.p(0.3):  # hypoventilate to let CO2 rise before emergence: set RR 6-8
            tl.low_rate = True
            m2 = (T >= t_em) & (T < t_spont)
            rr_b[m2] = float(int(r.u(6, 9)))
            et_b[m2] = et_ga[m2] + 8 * ramp(T[m2], t_em, t_spont)
            S.conf.append(("emergence_low_rate_ventilation", t_em, t_spont))
        m = T >= t_spont
        rr_b[m] = r.u(12, 22) + ou(rng, D, 3.0, 20)[m]
        et_b[m] = r.u(40, 50) + ou(rng, D, 2.0, 60)[m]
    else:
        m = T >= lar1
        rr_b[m] = r.u(11, 20) + ou(rng, D, 2.0, 60)[m]
        et_b[m] = r.u(40, 49) + ou(rng, D, 2.0, 600)[m]
    m = T >= t_ext + 30
    rr_b[m] = r.u(12, 22) + ou(rng, D, 3.0, 30)[m]
    et_b[m] = r.u(30, 40) + ou(rng, D, 3.0, 30)[m]
    lr = np.zeros(D, bool)
    if tl.low_rate:
        lr[(T >= t_em) & (T < t_spont)] = True
    rr_b = np.where(lr, rr_b, soft_floor(rr_b, 10.5, 0.2))  # no spontaneous bradypnoea without an event
    rr_b = np.clip(rr_b, 4, 40)
    S.nobreath[int(ap0):int(ap1)] = True
    S.nobreath[int(lar0):int(lar1)] = True
    S.conf.append(("induction_apnoea", ap0, ap1))
    S.conf.append(("airway_insertion_no_capno", lar0, lar1))
    return rr_b, et_b


def _temperature(S, rng, tl):
    r, D, T, t_ind = S.r, S.D, S.T, tl.t_ind
    t0c = r.u(36.1, 37.1)
    tb = t0c - r.u(0.3, 1.0) * np.where(T >= t_ind, 1 - np.exp(-np.clip(T - t_ind, 0, None) / (r.u(20, 50) * 60)), 0)
    tb += r.u(-0.3, 0.35) / 3600 * np.clip(T - t_ind - 3600, 0, None)
    tb = soft_ceil(soft_floor(tb + ou(rng, D, 0.04, 900), 35.6, 0.2), 37.8)
    return tb


def compose(S):
    """Baseline plus event deltas: the latent signals the monitors observe."""
    b, d = S.base, S.d
    mp = np.clip(b["map"] + d["map"], 15, None)
    pp = b["pp"] * (mp / b["map"]) ** 0.8 * d["ppf"]
    sbp = mp + 2 * pp / 3
    dbp = mp - pp / 3
    hr = np.clip(b["hr"] + d["hr"], 15, 250)
    spo2 = np.clip(b["spo2"] + d["spo2"], 40, 100)
    rr = np.clip(b["rr"] + d["rr"], 0, 60)
    et = np.clip(b["et"] + d["et"], 0, 99)
    temp = b["temp"] + d["temp"]
    return dict(hr=hr, sbp=sbp, dbp=dbp, mbp=mp, spo2=spo2, rr=rr, etco2=et, temp=temp)
