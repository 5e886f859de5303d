#!/usr/bin/env python3
"""The tables of scripts/evaluate, from the JSON reports of `physio evaluate`.

    scripts/lib/evaluation_summary.py OUT      (OUT/NAME/report.json for each data set)

Table 1, one row per data set (and per feed subset where the data have them):
the detector's AUROC on the seed protocol and on early warning, the best
baseline's early-warning AUROC, the hypotension early warning beside current
MAP (each with its 95 % bootstrap interval by case), the alarm burden, the
share of sustained breaches inside an alarm and the median lead time.

Table 2, for data sets with an OUT/NAME/event-phase.json (the generators'
own event labels scored by scripts/lib/event_phase_scores.py): how many
early-warning positives lie inside a labelled event's development (onset
to peak), and how many negatives do.

Table 3, for data sets with an OUT/NAME/drivers.json (scripts/lib/episode_drivers.py):
how many labelled deteriorations' episodes name a vital the event moves as
their largest driver, and the largest share a flat vital got.
"""
import json
import os
import sys

ORDER = ["vitaldb", "simulated", "independent", "third", "mimic3-demo", "physionet2012"]
TITLES = {"rules": "rules", "news2": "NEWS2", "current_map": "current MAP", "threshold_distance": "threshold distance"}


def auc(scorer):
    if not scorer or scorer.get("roc_auc") is None:
        return "–"
    interval = scorer.get("roc_auc_ci")
    return f"{scorer['roc_auc']:.3f}" + (f" [{interval[0]:.2f}, {interval[1]:.2f}]" if interval else "")


def row(name, feed, report):
    tasks = report["comparison"]["tasks"]
    seed = tasks.get("seed_protocol", {}).get("scorers", {})
    warning = tasks.get("early_warning")
    hypotension = tasks.get("hypotension_early_warning")
    applicable = report["early_warning"].get("applicable", False)
    if applicable and warning:
        best = warning.get("best_baseline")
        ew = auc(warning["scorers"].get("detector"))
        baseline = f"{auc(warning['scorers'].get(best))} ({TITLES.get(best, best)})" if best else "–"
    else:
        ew, baseline = "n/a (hourly)", "–"
    if applicable and hypotension and hypotension.get("positives"):
        hypo = f"{auc(hypotension['scorers'].get('detector'))} vs {auc(hypotension['scorers'].get('current_map'))}"
    else:
        hypo = "–"
    burden = report["alarm_burden"]
    ratio = burden.get("model_to_rule_episode_ratio")
    per_hour = (f"{burden['model_episodes_per_hour']:.2f} : {burden['rule_episodes_per_hour']:.2f}"
                + (f" ({ratio:.2f})" if ratio is not None else "")) if burden.get("model_episodes_per_hour") is not None else "–"
    sustained = burden.get("sustained_caught_share")
    caught = f"{sustained:.2f} of {burden['sustained_breaches']}" if sustained is not None else "–"
    lead = report["early_warning"].get("median_lead_seconds")
    cases = report.get("cases_evaluated", "")
    return (f"| {name} | {feed} | {cases} | {auc(seed.get('detector'))} | {ew} | {baseline} | {hypo} | {per_hour} | {caught} | "
            f"{'–' if lead is None else f'{lead:.0f}'} |")


def main():
    out = sys.argv[1]
    names = [n for n in ORDER if os.path.exists(os.path.join(out, n, "report.json"))]
    print("| data | feed | cases | seed AUROC | early-warning AUROC | best baseline (EW) | hypotension EW: detector vs current MAP "
          "| episodes/h model : rules (ratio) | sustained breaches in an alarm | median lead s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        report = json.load(open(os.path.join(out, name, "report.json")))
        feeds = report.get("feeds", [])
        # The whole data set first; its feed subsets (one may be named "all") below it.
        print(row(name, "every feed" if len(feeds) > 1 else "all", report))
        for feed in feeds if len(feeds) > 1 else []:
            print(row(name, feed["feed"], {**feed, "cases_evaluated": feed["cases_evaluated"]}))
    phases = [n for n in names if os.path.exists(os.path.join(out, n, "event-phase.json"))]
    if phases:
        print()
        print("| data | early-warning positives | inside a developing labelled event | negatives inside one |")
        print("|---|---|---|---|")
        for name in phases:
            counts = json.load(open(os.path.join(out, name, "event-phase.json")))["early_warning"]["counts"]
            positives, negatives = counts["tp"] + counts["fn"], counts["fp"] + counts["tn"]
            print(f"| {name} | {positives:,} | {100 * counts['tp'] / positives:.1f} % | {100 * counts['fp'] / negatives:.1f} % |")
    judged = [n for n in names if os.path.exists(os.path.join(out, n, "drivers.json"))]
    if judged:
        print()
        print("| data | deteriorations | with an episode of their own | its largest driver a vital the event moves | largest share of a flat vital |")
        print("|---|---|---|---|---|")
        for name in judged:
            d = json.load(open(os.path.join(out, name, "drivers.json")))
            share = f"{d['named_first']} ({100 * d['named_first_share']:.0f} %)" if d["judged"] else "–"
            print(f"| {name} | {d['deteriorations']} | {d['judged']} | {share} | {d['largest_flat_share']:.3f} |")


if __name__ == "__main__":
    main()
