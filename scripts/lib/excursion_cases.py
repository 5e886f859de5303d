"""A fourth generator, with no physiology in it: cases to check the detector
against breach labels read from the raw values, as an outside evaluator
reads them (`physio evaluate` reads its labels from the cleaned values).

Each case is an hour at one sampling interval (1, 2, 5, 15, 20, 45 or 60 s,
the slower ones as anaesthesia records write) with one
feed (every vital, HR+SpO2, MAP alone, an arterial line with HR, a cuff
every 2, 3 or 5 min beside HR+SpO2, capnography with SpO2 and HR, or HR
with temperature). One to three excursions ramp a vital linearly to a
target anywhere a monitor can read (asystole, apnoea, SpO2 40 %, SBP 20,
hyperthermia), hold it for 40 s to 12 min and ramp back; Gaussian noise
on every reading. Two habits of other writers, each in a third of the
cases: one row per device at each time (the pressures together, every
other vital alone, in a random order), as a monitor sending one parameter
per message writes them; and noise left unclipped, so that a zero (an
asystole, an apnoea) reads a little below 0 at times.

    python excursion_cases.py --cases N --seed S --out DIR
"""
import argparse
import gzip
import os

import numpy as np

VITALS = ["hr", "sbp", "dbp", "mbp", "spo2", "rr", "etco2", "temp"]
FEEDS = {
    "all": VITALS, "hr_spo2": ["hr", "spo2"], "map_only": ["mbp"], "art_hr": ["hr", "sbp", "dbp", "mbp"],
    "cuff": ["hr", "spo2", "sbp", "dbp", "mbp"], "capno": ["spo2", "rr", "etco2", "hr"], "temp_hr": ["hr", "temp"],
}
# Per vital, the target ranges an excursion is drawn from (MAP: through SBP).
EXCURSIONS = {
    "hr": [(150, 210), (25, 38), (0, 0), (140, 180)],
    "mbp": [(35, 60), (15, 30), (55, 64)],
    "spo2": [(70, 88), (40, 60), (85, 89)],
    "rr": [(0, 0), (4, 8), (3, 6)],
    "sbp": [(185, 230), (45, 75), (20, 38)],
    "temp": [(34.0, 34.9), (39.2, 40.5)],
}
NOISE = dict(hr=2, sbp=3, dbp=2, mbp=2, spo2=0.7, rr=1, etco2=1, temp=0.05)
SECONDS = 3600


def excursion(rng, t, level):
    """`level` ramped to a target and back, at a random time."""
    vital = rng.choice(list(EXCURSIONS))
    low, high = EXCURSIONS[vital][rng.integers(len(EXCURSIONS[vital]))]
    target = rng.uniform(low, high) * (1.45 if vital == "mbp" else 1)   # the SBP whose MAP reaches it
    key = "sbp" if vital == "mbp" else vital
    start, ramp, hold = rng.uniform(300, SECONDS - 900), rng.uniform(5, 400), rng.uniform(40, 700)
    up = np.clip((t - start) / ramp, 0, 1)
    down = np.clip(1 - (t - start - ramp - hold) / ramp, 0, 1)
    weight = np.where(t < start + ramp + hold, up, down)
    level[key] = level[key] + (target - level[key]) * weight


def case_rows(rng, case_id):
    feed = rng.choice(list(FEEDS))
    present = FEEDS[feed]
    step = int(rng.choice([1, 2, 5, 15, 20, 45, 60]))
    cuff_every = int(rng.choice([120, 180, 300]))
    t = np.arange(0, SECONDS, step)
    level = {k: np.full(len(t), v) for k, v in dict(
        hr=rng.uniform(55, 100), sbp=rng.uniform(95, 140), spo2=rng.uniform(95, 100), rr=rng.uniform(10, 18),
        etco2=rng.uniform(32, 42), temp=rng.uniform(36.0, 37.2)).items()}
    for _ in range(rng.integers(1, 4)):
        excursion(rng, t, level)
    dbp = level["sbp"] * rng.uniform(0.5, 0.65)
    values = dict(level, dbp=dbp, mbp=(level["sbp"] + 2 * dbp) / 3, spo2=np.minimum(level["spo2"], 100))
    split, clipped = rng.random() < 1 / 3, rng.random() >= 1 / 3
    for i, second in enumerate(t):
        row = {}
        for vital in VITALS:
            # A cuff reads at the first row of each cycle.
            if vital not in present or (feed == "cuff" and vital in ("sbp", "dbp", "mbp") and second % cuff_every >= step):
                continue
            x = values[vital][i] + rng.normal(0, NOISE[vital])
            x = min(max(x, 0), 100) if vital == "spo2" else max(x, 0) if clipped else x
            row[vital] = "%.1f" % x if vital == "temp" else "%d" % round(x)
        devices = [[v for v in row if v in ("sbp", "dbp", "mbp")]] + [[v] for v in row if v not in ("sbp", "dbp", "mbp")]
        devices = [d for d in devices if d]
        for device in ([devices[j] for j in rng.permutation(len(devices))] if split else [list(row)]):
            yield "%s,%d,%s" % (case_id, second, ",".join(row[v] if v in device else "" for v in VITALS))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for i, child in enumerate(np.random.SeedSequence(a.seed).spawn(a.cases)):
        case_id = "ex%d-%03d" % (a.seed, i + 1)
        with gzip.open(os.path.join(a.out, "case_%03d.csv.gz" % (i + 1)), "wt") as out:
            out.write("case_id,t_seconds," + ",".join(VITALS) + "\n")
            out.writelines(row + "\n" for row in case_rows(np.random.default_rng(child), case_id))
    print("wrote %d cases to %s" % (a.cases, a.out))


if __name__ == "__main__":
    main()
