#!/usr/bin/env python3
"""The checks of scripts/parity, on the files it wrote to DIR.

    scripts/lib/parity_check.py DIR

stored.csv (case, t, score, anomalous) against offline.csv (`physio evaluate
--write-scores`: score and alarm), and episodes.csv against the whole-case
merge of the stored flags over rows.csv. Exits 1 on a difference.
"""
import csv
import collections
import os
import sys

GAP_S, ROW_GAP_S = 30, 200  # EpisodeBuilder.maxGapSeconds, .maxRowGapSeconds


def key(case, seconds):
    return case, round(float(seconds), 3)


def row_before(times, i):
    """EpisodeBuilder.rowBefore: the row before, when it is the case's own pace."""
    if i < 1 or times[i] - times[i - 1] > ROW_GAP_S:
        return None
    if i < 3:
        return times[i - 1]
    pace = max(times[i - 1] - times[i - 2], times[i - 2] - times[i - 3])
    return times[i - 1] if times[i] - times[i - 1] <= 2 * pace else None


def episodes(rows, flagged):
    out = set()
    for case, times in rows.items():
        group = None
        for i, t in enumerate(times):
            if not flagged.get(key(case, t)):
                continue
            before = row_before(times, i)
            if group and (t - group[1] <= GAP_S or (before is not None and before <= group[1])):
                group[1] = t
            else:
                if group:
                    out.add((case, round(group[0], 3), round(group[1], 3)))
                group = [t, t]
        if group:
            out.add((case, round(group[0], 3), round(group[1], 3)))
    return out


def main():
    work = sys.argv[1]
    read = lambda name: list(csv.reader(open(os.path.join(work, name))))
    stored = {key(c, t): (float(s), a == "t") for c, t, s, a in read("stored.csv")}
    offline_rows = read("offline.csv")
    alarm = offline_rows[0].index("alarm")
    offline = {key(r[0], r[1]): float(r[2]) for r in offline_rows[1:]}
    offline_alarms = {key(r[0], r[1]): r[alarm] == "1" for r in offline_rows[1:]}
    failures = []
    if set(stored) != set(offline):
        failures.append(f"rows: {len(stored)} stored, {len(offline)} offline, {len(set(stored) ^ set(offline))} in one only")
    differing = [k for k in stored if k in offline and abs(stored[k][0] - offline[k]) > 1e-5]
    worst = max((abs(stored[k][0] - offline[k]) for k in differing), default=0.0)
    if differing:
        failures.append(f"scores: {len(differing)} rows differ, by up to {worst:.4f}")
    flags = [k for k in stored if k in offline_alarms and stored[k][1] != offline_alarms[k]]
    if flags:
        failures.append(f"alarms: {len(flags)} rows differ, e.g. {sorted(flags)[:3]}")
    rows = collections.defaultdict(list)
    for case, t in read("rows.csv"):
        rows[case].append(float(t))
    expected = episodes(rows, {k: v[1] for k, v in stored.items()})
    got = {(c, round(float(s), 3), round(float(e), 3)) for c, s, e in read("episodes.csv")}
    if expected != got:
        failures.append(f"episodes: {len(got)} stored, {len(expected)} from the flags; e.g. {sorted(expected ^ got)[:3]}")
    print(f"parity: {len(rows)} cases, {len(stored)} rows, {len(differing)} scores differ by up to {worst:.4f}, "
          f"{len(flags)} alarms differ; "
          f"{len(got)} episodes, {len(expected)} from the flags")
    for failure in failures:
        print("parity: FAILED " + failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
