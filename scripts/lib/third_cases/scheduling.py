"""Which events a case gets, and their ground-truth labels against the latent signals."""
import numpy as np

from .events_cardio import (ev_drug_brady, ev_haemorrhage, ev_hypertension, ev_hypotension,
                            ev_sinus_tachy, ev_svt, ev_vagal_brady)
from .events_resp_temp import (ev_bronchospasm, ev_disconnection, ev_endobronchial,
                               ev_hyperthermia, ev_hypothermia, ev_hypovent)

# kinds drawn at random: (observed channels that can show it, weight)
POOL = {
    "vasodilator_hypotension": (["mbp", "sbp"], 3.0),
    "haemorrhage": (["mbp", "sbp", "hr"], 1.8),
    "vagal_bradycardia": (["hr"], 1.4),
    "drug_bradycardia": (["hr"], 1.0),
    "tachycardia": (["hr"], 1.2),
    "svt_af_rvr": (["hr"], 0.5),
    "bronchospasm": (["spo2"], 1.0),
    "endobronchial_intubation": (["spo2"], 0.7),
    "circuit_disconnection": (["etco2"], 1.0),
    "stimulation_hypertension": (["sbp", "mbp"], 1.5),
    "hypoventilation": (["rr"], 1.0),
    "hypothermia_drift": (["temp"], 1.0),
    "hyperthermia": (["temp"], 0.35),
}
# builders that serve two kinds take the kind as an argument
WITH_KIND = {
    "post_induction_hypotension": ev_hypotension,
    "vasodilator_hypotension": ev_hypotension,
    "stimulation_hypertension": ev_hypertension,
    "emergence_hypertension": ev_hypertension,
}
BY_MODE = {
    "haemorrhage": ev_haemorrhage,
    "vagal_bradycardia": ev_vagal_brady,
    "drug_bradycardia": ev_drug_brady,
    "tachycardia": ev_sinus_tachy,
    "svt_af_rvr": ev_svt,
    "bronchospasm": ev_bronchospasm,
    "endobronchial_intubation": ev_endobronchial,
    "circuit_disconnection": ev_disconnection,
    "hypoventilation": ev_hypovent,
    "hypothermia_drift": ev_hypothermia,
    "hyperthermia": ev_hyperthermia,
}
TEMP_KINDS = ("hypothermia_drift", "hyperthermia")

LIMITS = {  # name: (column, op, threshold)
    "MAP<65": ("mbp", "<", 65), "SBP<80": ("sbp", "<", 80), "SBP>180": ("sbp", ">", 180),
    "HR<40": ("hr", "<", 40), "HR>140": ("hr", ">", 140), "SpO2<90": ("spo2", "<", 90),
    "RR<=8": ("rr", "<=", 8), "T<=35": ("temp", "<=", 35.0), "T>=39.1": ("temp", ">=", 39.1),
}
PRIMARY_LIMITS = {"mbp": ["MAP<65"], "sbp": ["SBP<80", "SBP>180"], "hr": ["HR<40", "HR>140"],
                  "spo2": ["SpO2<90"], "rr": ["RR<=8"], "temp": ["T<=35", "T>=39.1"], "etco2": []}


def breach(v, op, th):
    return {"<": v < th, ">": v > th, "<=": v <= th, ">=": v >= th}[op]


def run_event(S, kind, mode):
    if kind in WITH_KIND:
        return WITH_KIND[kind](S, kind, mode)
    return BY_MODE[kind](S, mode)


def pick_mode(r, kind):
    if kind == "vagal_bradycardia":
        return r.c(["sustained", "brief", "near"], [.35, .45, .2])
    return r.c(["sustained", "brief", "near"], [.58, .2, .22])


def schedule_events(S):
    """~1-1.5 events per hour, only kinds observable on this feed."""
    r, obs, airway = S.r, S.obs, S.airway
    n_target = max(1, r.pois(r.u(1.0, 1.5) * S.D / 3600))
    n_done = 0
    if obs & {"mbp", "sbp"}:
        x = r.u(0, 1)
        if x < 0.45:
            n_done += bool(run_event(S, "post_induction_hypotension", r.c(["sustained", "brief"], [.75, .25])))
        elif x < 0.65:
            n_done += bool(run_event(S, "post_induction_hypotension", "near"))
        if r.p(0.25):
            n_done += bool(run_event(S, "emergence_hypertension", pick_mode(r, "emergence_hypertension")))
    if "temp" in obs:
        x = r.u(0, 1)
        if x < 0.3:
            n_done += bool(run_event(S, "hypothermia_drift", pick_mode(r, "hypothermia_drift")))
        elif x < 0.4:
            n_done += bool(run_event(S, "hyperthermia", pick_mode(r, "hyperthermia")))
    kinds = [k for k, (ch, _) in POOL.items() if set(ch) & obs]
    if airway != "ett":
        kinds = [k for k in kinds if k != "endobronchial_intubation"]
    if airway == "ett" and "postext" not in S.win:
        kinds = [k for k in kinds if k != "hypoventilation"]
    tries = 0
    while n_done < n_target and kinds and tries < 4 * n_target + 6:
        tries += 1
        k = r.c(kinds, [POOL[k][1] for k in kinds])
        if k in TEMP_KINDS and any(e["kind"] in TEMP_KINDS for e in S.events):
            continue  # one temperature excursion per case
        n_done += bool(run_event(S, k, pick_mode(r, k)))


def label_events(events, lat):
    """Latent seconds beyond each limit inside each event window."""
    for e in events:
        a, b = int(e["onset"]), int(e["end"]) + 1
        secs = {}
        for ln, (col, op, th) in LIMITS.items():
            n = int(np.sum(breach(lat[col][a:b], op, th)))
            if n:
                secs[ln] = n
        e["latent_breach_s"] = ";".join("%s:%d" % kv for kv in secs.items())
        # a near miss whose own limit got crossed anyway (drift, emergence) is relabelled
        if e["mode"] == "near" and any(secs.get(lim, 0) >= 10 for lim in PRIMARY_LIMITS[e["primary"]]):
            e["mode"] = "near_crossed"
            e["event"] = e["kind"]
