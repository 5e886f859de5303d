#!/usr/bin/env python3
"""What the detector's episodes name, judged by a generator's own event labels.

    episode_drivers.py DATA EVENTS EPISODES [--json OUT]

EPISODES: `physio evaluate --write-episodes` on DATA. EVENTS: the generator's
labels (case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds; the
simulator's events.csv, independent_events.csv, third_events.csv). For every
deterioration (near misses and benign changes left out), the episode that
overlaps it with the highest peak; an episode that also overlaps another
deterioration names one of them and is not judged. Judged: whether its
largest driver is a vital the event moves (VITALS_OF below, by the event's
name), and the share of every driver that is flat in the episode (a vital
the event does not move, read at least twice in the episode, its readings
spanning less than its typical 5-minute SD, and past none of its rules in
the episode: no large share, the issue asks; a temperature resting at its
35 °C limit is a breach the episode rightly names, not a flat vital).
EPISODE_DRIVERS_VERBOSE=1 prints the episodes that name another vital.
"""
import argparse
import csv
import glob
import gzip
import json
import os
from collections import defaultdict

PRESSURES = {"sbp", "dbp", "mbp"}
RESPIRATORY = {"spo2", "etco2", "rr"}
# By words of the event's name, first match: the vitals a deterioration of that kind moves.
VITALS_OF = [
    ("hypertension", PRESSURES | {"hr"}), ("emergence", PRESSURES | {"hr"}),
    ("hypotension", PRESSURES), ("haemorrhage", PRESSURES | {"hr"}),  # the heart rate compensates
    ("bradycardia", {"hr"}), ("tachycardia", {"hr"}), ("svt", {"hr"}),
    ("desaturation", RESPIRATORY), ("hypoventilation", RESPIRATORY), ("bronchospasm", RESPIRATORY),
    ("endobronchial", RESPIRATORY), ("circuit_disconnection", RESPIRATORY),
    ("hypothermia", {"temp"}), ("hyperthermia", {"temp"}),
]
# A vital's typical 5-min SD (the threshold-distance baseline's units): readings spanning less are flat.
FLAT_SPAN = {"hr": 3, "sbp": 5, "dbp": 3, "mbp": 4, "spo2": 1, "rr": 2, "etco2": 2, "temp": 0.2}


def vitals_of(event):
    if "near_miss" in event or event.endswith("stimulation"):  # a surgical stimulation is benign; stimulation_hypertension is not
        return None
    for word, vitals in VITALS_OF:
        if word in event:
            return vitals
    return None


def read_cases(data, wanted):
    """Rows (t, {vital: value}) of the cases in `wanted`, by case."""
    rows = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(data, "*.csv")) + glob.glob(os.path.join(data, "*.csv.gz"))):
        with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "t_seconds" not in reader.fieldnames:
                continue
            for line in reader:
                if line["case_id"] in wanted:
                    rows[line["case_id"]].append((float(line["t_seconds"]),
                                                  {k: float(v) for k, v in line.items() if k not in ("case_id", "t_seconds") and v}))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("events")
    parser.add_argument("episodes")
    parser.add_argument("--json")
    args = parser.parse_args()
    events = defaultdict(list)
    for line in csv.DictReader(open(args.events)):
        events[line["case_id"]].append((line["event"], float(line["onset_t_seconds"]), float(line["end_t_seconds"])))
    episodes = defaultdict(list)
    for line in csv.DictReader(open(args.episodes)):
        drivers = [(d.split(":")[0], float(d.split(":")[1])) for d in line["drivers"].split()]
        breached = {rule.split("_")[0] for rule in line["rules"].split()}
        episodes[line["case_id"]].append((float(line["start_t_seconds"]), float(line["end_t_seconds"]), float(line["peak_score"]), drivers,
                                          breached))
    cases = read_cases(args.data, set(episodes))
    judged = named = 0
    deteriorations = 0
    by_kind = defaultdict(lambda: [0, 0])
    flat_shares = []
    for case, labelled in events.items():
        moving = [(name, onset, end, vitals_of(name)) for name, onset, end in labelled if vitals_of(name)]
        for name, onset, end, vitals in moving:
            deteriorations += 1
            overlapping = [e for e in episodes.get(case, []) if e[0] <= end and e[1] >= onset and e[3]]
            if not overlapping:
                continue
            start, stop, _, drivers, breached = max(overlapping, key=lambda e: e[2])
            if any(other != onset and other <= stop and other_end >= start for _, other, other_end, _ in moving):
                continue
            judged += 1
            kind = by_kind[name]
            kind[0] += 1
            if drivers[0][0] in vitals:
                named += 1
                kind[1] += 1
            elif os.environ.get("EPISODE_DRIVERS_VERBOSE"):
                print(f"  not named: {case} {name} {onset:.0f}-{end:.0f}, episode {start:.0f}-{stop:.0f}: {drivers}")
            inside = [values for t, values in cases.get(case, []) if start <= t <= stop]
            for vital, share in drivers:
                readings = [values[vital] for values in inside if vital in values]
                if vital not in vitals and vital not in breached and len(readings) >= 2 and max(readings) - min(readings) < FLAT_SPAN[vital]:
                    flat_shares.append(share)
                    if share >= 0.2 and os.environ.get("EPISODE_DRIVERS_VERBOSE"):
                        print(f"  flat: {case} {name} episode {start:.0f}-{stop:.0f}: {vital} {share} {min(readings)}-{max(readings)}")
    result = {"deteriorations": deteriorations, "judged": judged, "named_first": named,
              "named_first_share": named / judged if judged else None,
              "flat_drivers": len(flat_shares), "largest_flat_share": max(flat_shares, default=0.0),
              "flat_shares_at_least_0.2": sum(s >= 0.2 for s in flat_shares),
              "by_kind": {k: {"judged": v[0], "named_first": v[1]} for k, v in sorted(by_kind.items())}}
    print(f"{named} of {judged} episodes name the event's vital first ({deteriorations} deteriorations); "
          f"flat drivers {len(flat_shares)}, largest share {result['largest_flat_share']:.3f}")
    for k, v in sorted(by_kind.items()):
        print(f"  {k}: {v[1]} of {v[0]}")
    if args.json:
        json.dump(result, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
