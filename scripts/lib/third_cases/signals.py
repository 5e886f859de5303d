"""Random draws and signal shapes shared by physiology, events and monitors."""
import numpy as np


class R:
    # One call per draw: the call order is the random stream, so never reorder draws.
    def __init__(self, rng):
        self.g = rng

    def u(self, a, b):
        return float(self.g.uniform(a, b))

    def p(self, q):
        return bool(self.g.random() < q)

    def c(self, seq, w=None):
        if w is not None:
            w = np.asarray(w, float) / np.sum(w)
        return seq[int(self.g.choice(len(seq), p=w))]

    def n(self, mu, sd):
        return float(self.g.normal(mu, sd))

    def pois(self, lam):
        return int(self.g.poisson(max(lam, 0)))


def ou(rng, n, sd, tau):
    """Ornstein-Uhlenbeck noise, stationary SD sd, correlation time tau samples."""
    a = np.exp(-1.0 / tau)
    e = rng.normal(0, sd * np.sqrt(1 - a * a), n)
    x = np.empty(n)
    x[0] = rng.normal(0, sd)
    for i in range(1, n):
        x[i] = a * x[i - 1] + e[i]
    return x


def shape(x, kind):
    x = np.clip(x, 0, 1)
    if kind == "linear":
        return x
    if kind == "exp":  # fast then slow
        return (1 - np.exp(-4 * x)) / (1 - np.exp(-4))
    if kind == "sigmoid":
        lo, hi = 1 / (1 + np.exp(5)), 1 / (1 + np.exp(-5))
        return (1 / (1 + np.exp(-10 * (x - 0.5))) - lo) / (hi - lo)
    if kind == "accel":  # slow then fast (decompensation)
        return x ** 2
    raise ValueError(kind)


def profile(T, t0, tp, th, te, rs="linear", fs="linear"):
    """0 before t0, rises to 1 at tp, holds to th, returns to 0 at te."""
    p = np.zeros(T.shape)
    if tp > t0:
        m = (T >= t0) & (T < tp)
        p[m] = shape((T[m] - t0) / (tp - t0), rs)
    p[(T >= tp) & (T < th)] = 1
    if te > th:
        m = (T >= th) & (T < te)
        p[m] = 1 - shape((T[m] - th) / (te - th), fs)
    return p


def ramp(T, t0, t1):
    if t1 <= t0:
        return (T >= t0).astype(float)
    return np.clip((T - t0) / (t1 - t0), 0, 1)


def bump(T, t0, trise, tau):
    r = ramp(T, t0, t0 + trise)
    return r * np.exp(-np.clip(T - t0 - trise, 0, None) / tau)


def soft_floor(x, lo, k=0.3):
    x = x.copy()
    m = x < lo
    x[m] = lo - (lo - x[m]) * k
    return x


def soft_ceil(x, hi, k=0.3):
    x = x.copy()
    m = x > hi
    x[m] = hi + (x[m] - hi) * k
    return x


def runs(mask):
    """list of (start, end_exclusive) of True runs."""
    m = np.concatenate([[False], mask.astype(bool), [False]])
    d = np.diff(m.astype(int))
    return list(zip(np.where(d == 1)[0], np.where(d == -1)[0]))
