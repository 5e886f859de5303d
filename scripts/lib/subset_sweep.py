#!/usr/bin/env python3
"""Every subset of vitals a monitor may send, cut from cases that send all eight.

    subset_sweep.py --cases DIR --model M --physio BIN --out WORK [--jobs N]

Writes each of the 255 non-empty subsets of the vitals as its own case
directory (rows left with no vital dropped), scores each with
`physio evaluate --model M`, and judges the issue's first target on every
one: every breach sustained for 60 s (`physio evaluate`'s label) inside an
alarm. Prints one line per subset that misses one or fails, then a summary
(sustained breaches, the model's and the rules' episodes per hour, early
warning against the best baseline); exits 1 if any subset misses.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

VITALS = ["hr", "sbp", "dbp", "mbp", "spo2", "rr", "etco2", "temp"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--physio", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cases = [pd.read_csv(path) for path in sorted(glob.glob(os.path.join(args.cases, "case_*.csv*")))]

    def judge(mask):
        kept = [vital for bit, vital in enumerate(VITALS) if mask >> bit & 1]
        directory = os.path.join(args.out, f"{mask:03d}")
        os.makedirs(directory, exist_ok=True)
        written = 0
        for case in cases:
            rows = case.dropna(subset=kept, how="all")
            if len(rows):
                rows.assign(**{v: float("nan") for v in VITALS if v not in kept}).to_csv(
                    os.path.join(directory, f"{case.case_id.iloc[0]}.csv"), columns=["case_id", "t_seconds"] + VITALS, index=False)
                written += 1
        name = "+".join(kept)
        if not written:
            return name, None
        report = directory + ".json"
        run = subprocess.run([args.physio, "evaluate", "--data", directory, "--model", args.model, "--report", report,
                              "--case-rows", "0", "--resamples", "200"], capture_output=True, text=True)
        if run.returncode != 0:
            return name, {"error": run.stderr.strip()[-300:]}
        result = json.load(open(report))
        burden = result["alarm_burden"]
        warning = result["comparison"]["tasks"].get("early_warning", {}).get("scorers", {})
        baselines = [scorer.get("roc_auc") for key, scorer in warning.items() if key != "detector" and scorer.get("roc_auc") is not None]
        return name, {"sustained": burden.get("sustained_breaches") or 0, "caught": burden.get("sustained_caught_share"),
                      "model_per_hour": burden.get("model_episodes_per_hour") or 0, "rules_per_hour": burden.get("rule_episodes_per_hour") or 0,
                      "early_warning": (warning.get("detector") or {}).get("roc_auc"), "best_baseline": max(baselines, default=None)}

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(judge, range(1, 1 << len(VITALS))))
    judged = [(name, r) for name, r in results if r is not None]
    failed = [(name, r) for name, r in judged if "error" in r or (r["sustained"] and r["caught"] != 1)]
    for name, r in failed:
        print(f"MISSED {name}: {r}")
    scored = [r for _, r in judged if "error" not in r]
    ratios = [r["model_per_hour"] / r["rules_per_hour"] for r in scored if r["rules_per_hour"]]
    compared = [r for r in scored if r["early_warning"] is not None and r["best_baseline"] is not None]
    below = sum(r["early_warning"] < r["best_baseline"] for r in compared)
    print(f"{len(judged)} subsets of {len(cases)} cases: {sum(r['sustained'] for r in scored)} sustained breaches, "
          f"{len(failed)} subsets missing one; model : rule episodes per hour median {statistics.median(ratios):.2f} "
          f"(max {max(ratios):.2f}); early warning below the best baseline on {below} of {len(compared)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
