"""Latent state of one case and the helpers event builders use to write into it."""
import numpy as np

from .signals import profile

GAP_S = 240  # minimum quiet time between two events of a case


class Sim:
    def __init__(self, r, D, obs, airway):
        self.r, self.D, self.obs, self.airway = r, D, obs, airway
        self.T = np.arange(D, dtype=float)
        self.base = {}  # baseline signals at 1 s, filled by physiology.build_baseline
        # events add deltas (ppf: pulse-pressure factor, multiplicative)
        self.d = {k: np.zeros(D) for k in ["map", "hr", "spo2", "rr", "et", "temp"]}
        self.d["ppf"] = np.ones(D)
        self.nobreath = np.zeros(D, bool)
        self.busy, self.tbusy = [], []  # occupied spans; temperature events have their own
        self.win = {}  # name -> (lo, hi) placement window
        self.events, self.conf = [], []

    def bv(self, key, t):
        """Baseline value around t (40 s mean)."""
        a = int(np.clip(t - 20, 0, self.D - 1))
        b = int(np.clip(t + 20, a + 1, self.D))
        return float(np.mean(self.base[key][a:b]))

    def prof(self, *a, **k):
        return profile(self.T, *a, **k)

    def place(self, need, win, temp=False):
        """Random onset for an event lasting need s inside window win, or None."""
        if win not in self.win:
            return None
        lo, hi = self.win[win]
        # 'pih': only the onset is constrained to the window
        hi = min(hi, self.D - 60 - need) if win == "pih" else hi - need
        if hi <= lo:
            return None
        lst = self.tbusy if temp else self.busy
        for _ in range(80):
            t0 = self.r.u(lo, hi)
            if all(t0 + need + GAP_S < a or t0 > b + GAP_S for a, b in lst):
                lst.append((t0, t0 + need))
                return t0
        return None

    def timed(self, mode, win, rise, hold, fall, extra=0, rise_only=False):
        """Draw rise, hold and fall, place the event; (t0, tp, th, te) or None.

        rise and fall are (lo, hi) ranges, hold a {mode: (lo, hi)} table, drawn in
        that order. A number counts as already drawn: a builder with a draw in
        between (or that needs fall later) draws up to there itself. extra: time
        after te (drug response, rebound) that must fit too. rise_only: only onset,
        rise and 60 s must fit (emergence/post-extubation run past the window).
        """
        def draw(x):
            x = x[mode] if isinstance(x, dict) else x
            return self.r.u(*x) if isinstance(x, tuple) else x

        rise = draw(rise)
        hold = draw(hold)
        fall = draw(fall)
        t0 = self.place(rise + 60 if rise_only else rise + hold + fall + extra, win)
        if t0 is None:
            return None
        tp, th = t0 + rise, t0 + rise + hold
        return t0, tp, th, th + fall

    def map_delta(self, t, which, target, ppf=1.0):
        """MAP change that brings `which` (mbp or sbp) to target at t."""
        mb, ppb = self.bv("map", t), self.bv("pp", t)
        if which == "mbp":
            return target - mb
        lo, hi = 5.0, 320.0
        for _ in range(60):
            m = 0.5 * (lo + hi)
            s = m + (2 / 3) * ppb * (m / mb) ** 0.8 * ppf
            lo, hi = (m, hi) if s < target else (lo, m)
        return max(0.5 * (lo + hi), 40.0) - mb  # never below MAP 40 (peri-arrest)

    def pressure_which(self):
        if "sbp" in self.obs and "mbp" in self.obs:
            return "mbp" if self.r.p(0.6) else "sbp"
        return "mbp"  # MAP-only or unobserved pressure: target MAP anyway

    def event(self, kind, mode, primary, target, t0, tp, te, info):
        te = min(te, self.D - 1)
        tp = min(tp, te)
        name = ("near_miss_" + kind) if mode == "near" else kind
        self.events.append(dict(event=name, kind=kind, mode=mode, primary=primary,
                                target=target, onset=t0, peak=tp, end=te, info=info))
        return True
