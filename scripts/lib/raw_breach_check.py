"""Every sustained breach of a case's raw values, met and held by the
detector's alarms: the check an outside evaluator makes, who labels from
the values a monitor sent, not from physio's cleaned ones.

A breach: consecutive readings of a vital that break one of the model's
rules, their time from the first to the last (a vital read minutes apart,
a cuff, holds each reading until the next, as a chart does). Sustained:
60 s or more. Met: an alarm from 5 min before it to its end (as
`physio evaluate` counts). Held: in alarm for at least 90 % of its
scored rows. A cuff's reading past its plausible range is kept at once
(since 2026-12-06; before, only after a hypotensive reading, and a lone
33/17 between normal readings was not judged here). A pressure breach that
begins past the range at any pace must be met but need not be held (a
fall from normal to 25/15 at once, an arrest on a line, is kept after its
first minute), and so must a breach that holds a
reading past the range in a record slower than the filter's run of
extremes (20 s): there such a reading is kept from the second one on.

    python raw_breach_check.py --cases DIR --scores SCORES.csv --model MODEL.json
Exit status 1 when a judged breach is not met or not held.
"""
import argparse
import glob
import json
import operator

import numpy as np
import pandas as pd

COMPARE = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le}
PRESSURES = ["sbp", "dbp", "mbp"]
SUSTAINED, HORIZON, HELD = 60, 300, 0.9


def breaches(times, values, breaks, sparse):
    """(first, last, readings) of each run of readings that break the rule."""
    runs, start, count = [], None, 0
    for time, broken in zip(times, breaks):
        if broken:
            start, count = (time if start is None else start), count + 1
            last = time
        elif start is not None:
            runs.append((start, time if sparse else last, count))
            start, count = None, 0
    if start is not None:
        runs.append((start, times[-1], count))
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--model", required=True)
    a = ap.parse_args()
    model = json.load(open(a.model))
    rules = model["rules"]["rules"]
    plausible = model["artefacts"]["plausible"]
    scores = pd.read_csv(a.scores)
    judged = met = held = unheld = 0
    failures = []
    for path in sorted(glob.glob(a.cases + "/*.csv.gz")):
        case = pd.read_csv(path)
        case_id = case.case_id.iloc[0]
        rows = scores[scores.case_id == case_id]
        alarms = rows.t_seconds[rows.alarm == 1].to_numpy()
        for rule in rules:
            readings = case[["t_seconds", rule["vital"]]].dropna()
            if readings.empty:
                continue
            times, values = readings.t_seconds.to_numpy(), readings[rule["vital"]].to_numpy()
            step = np.median(np.diff(times)) if len(times) > 1 else np.inf
            sparse, slow = step > SUSTAINED, step > model["artefacts"]["sustained_extreme"]["seconds"]
            # A pressure reading is past the range when any of its triple is (the filter removes all three).
            triple = PRESSURES if rule["vital"] in PRESSURES else [rule["vital"]]
            outside = pd.concat([~case[v].between(*plausible[v]) & case[v].notna() for v in triple], axis=1).any(axis=1)
            past_range = outside.groupby(case.t_seconds).any().to_dict()   # a time may have several rows
            for first, last, count in breaches(times, values, COMPARE[rule["comparison"]](values, rule["limit"]), sparse):
                if last - first < SUSTAINED:
                    continue
                judged += 1
                is_met = ((alarms >= first - HORIZON) & (alarms <= last)).any()
                inside = rows[(rows.t_seconds >= first) & (rows.t_seconds <= last)]
                share = inside.alarm.mean() if len(inside) else 1.0
                met += is_met
                held += share >= HELD
                past = [past_range[time] for time in times[(times >= first) & (times <= last)]]
                must_hold = not (past_range[first] and (sparse or triple == PRESSURES) or slow and any(past))
                unheld += not must_hold and share < HELD
                if not is_met or (must_hold and share < HELD):
                    failures.append("%s %s %d-%d s: %s, %.0f %% of it in alarm, %s %g..%g" % (
                        case_id, rule["id"], first, last, "met" if is_met else "NOT MET", 100 * share,
                        rule["vital"], values[(times >= first) & (times <= last)].min(),
                        values[(times >= first) & (times <= last)].max()))
    for line in failures:
        print("raw breach: " + line)
    print("raw breaches: %d sustained judged, %d met by an alarm, %d held in alarm for >= 90 %% of their time "
          "(%d others hold a reading past the plausible range that the filter keeps from the second)"
          % (judged, met, held, unheld))
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
