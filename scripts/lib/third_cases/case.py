"""One case end to end: feed, latent physiology, events, monitors, rows."""
from .monitors import FEED_W, FEEDS, obs_channels, observe
from .physiology import build_baseline, compose
from .sampling import DT_CHOICES, DT_W, finish_rows, sample_rows
from .scheduling import label_events, schedule_events
from .signals import R
from .sim import Sim


def simulate_case(rng, cid):
    """Returns (rows, events, confounders, meta); the draw order fixes the output."""
    r = R(rng)
    feed = r.c(list(FEED_W), list(FEED_W.values()))
    devs = FEEDS[feed]
    obs = obs_channels(devs)
    dt = r.c(DT_CHOICES, DT_W)
    D = int(r.u(60, 240) * 60)
    airway = "lma_spont" if r.p(0.22) else "ett"
    S = Sim(r, D, obs, airway)
    tl = build_baseline(S, rng)
    schedule_events(S)
    lat = compose(S)
    label_events(S.events, lat)
    meas, nibp, meta, hr_src = observe(S, rng, lat, tl, feed, dt, cid)
    rows, jitter = sample_rows(S, rng, devs, dt, hr_src, meas, nibp, meta)
    out_rows, conf = finish_rows(S, rng, rows, jitter, meta)
    return out_rows, S.events, conf, meta
