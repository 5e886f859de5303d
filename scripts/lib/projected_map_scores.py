#!/usr/bin/env python3
"""Scores of "the current MAP projected by its own trend", for `physio evaluate --scores`.

    projected_map_scores.py DATA OUT --weight K --window W [--alarms DETECTOR_SCORES]

score = -(MAP + K * min(slope, 0) * 5 min): MAP measured, else (SBP + 2 DBP) / 3,
readings outside 30-200 mmHg left out, the last reading held up to 360 s (as the
detector holds a pressure), the least-squares slope over the last W seconds
(none where fewer than 3 readings or less than half the window is covered).
K = 0 is the current MAP. With --alarms (a `--write-scores` file of the detector),
its alarm column is kept, so that the same samples are judged as for the detector.
docs/evaluation.md ("What a trend adds to MAP alone") says what it showed.
"""
import argparse
import glob
import os
import numpy as np
import pandas as pd

VITALS = ["hr", "sbp", "dbp", "mbp", "spo2", "rr", "etco2", "temp"]


def case_files(data):
    files = glob.glob(os.path.join(data, "*.csv.gz")) + glob.glob(os.path.join(data, "*.csv"))
    return sorted(f for f in files if "t_seconds" in pd.read_csv(f, nrows=0).columns)  # case files only


def projected(case, weight, window):
    for column in VITALS:
        if column not in case:
            case[column] = np.nan
    level = case["mbp"].where(case["mbp"].notna(), (case["sbp"] + 2 * case["dbp"]) / 3)
    t = case["t_seconds"].astype(float)
    clean = level.notna() & (level >= 30) & (level <= 200)
    score = np.full(len(case), -1e6)
    if clean.sum() == 0:
        return score
    x = pd.Series(level[clean].values, index=pd.to_datetime(t[clean], unit="s"))
    times = pd.Series(t[clean].values, index=x.index)
    mean = lambda v: v.rolling(f"{window}s").mean()
    mt, mx = mean(times), mean(x)
    var = mean(times * times) - mt * mt
    slope = (mean(times * x) - mt * mx) / var.replace(0, np.nan) * 60
    covered = times - times.rolling(f"{window}s").min()
    slope[(x.rolling(f"{window}s").count() < 3) | (covered < window / 2)] = 0
    slope = slope.fillna(0).values
    reading_times = t[clean].values
    at = np.searchsorted(reading_times, t.values, side="right") - 1
    held = (at >= 0) & (t.values - reading_times[np.clip(at, 0, None)] <= 360)
    value = x.values[np.clip(at, 0, None)] + weight * np.minimum(slope[np.clip(at, 0, None)], 0) * 5
    score[held] = -value[held]
    return score


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--weight", type=float, default=0.5)
    parser.add_argument("--window", type=int, default=180)
    parser.add_argument("--alarms")
    args = parser.parse_args()
    parts = []
    for path in case_files(args.data):
        case = pd.read_csv(path)
        parts.append(pd.DataFrame({"case_id": case["case_id"], "t_seconds": case["t_seconds"],
                                   "score": projected(case, args.weight, args.window)}))
    scores = pd.concat(parts)
    if args.alarms:
        alarms = pd.read_csv(args.alarms, usecols=["case_id", "t_seconds", "alarm"])
        scores = alarms.merge(scores, on=["case_id", "t_seconds"], how="left")
        scores["score"] = scores["score"].fillna(-1e6)
    else:
        scores["alarm"] = 0
    scores["threshold"] = 1e9
    scores["hypotension_score"] = scores["score"]
    scores[["case_id", "t_seconds", "score", "threshold", "hypotension_score", "alarm"]].to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
