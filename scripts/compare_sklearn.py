#!/usr/bin/env python3
"""Compare physio's Swift Isolation Forest with scikit-learn's on one feature matrix.

In one run, on the same features CSV (from `physio features`), both forests are fitted
with the same parameters for several seeds and every row is scored on one core. Prints
and writes (JSON) the mean ROC AUC of each against the labels (any clinical rule true),
fit and scoring times and their ratios. Exits 1 when the mean AUCs differ by more than
--tolerance (default 0.01), 2 when scikit-learn or the physio binary is missing.

Several seeds (100 by default), because one forest's ROC AUC moves by about ±0.02 from
seed to seed on these data: comparing single fits of two implementations with different
random generators would fail a 0.01 tolerance by chance alone.

    scripts/compare_sklearn.py --data ../shared/data/vitaldb            # makes the features first
    scripts/compare_sklearn.py --features features.csv --physio .build/release/physio

With --evaluation DIR (the --export of `physio evaluate --train-data/--folds`), it fits
scikit-learn's forest on exactly the rows the Swift forest was grown on, sets the threshold
by the same rule, and writes DIR/sklearn_scores.csv for `physio evaluate --scores`, so
both forests are judged by the same evaluation code:

    physio evaluate --data D --train-data D --export X ...
    scripts/compare_sklearn.py --evaluation X
    physio evaluate --data D --scores X/sklearn_scores.csv ...
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# One core for every library that might start threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

try:
    import numpy as np
    from sklearn import __version__ as sklearn_version
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import roc_auc_score, average_precision_score
except ImportError as error:
    print(f"compare_sklearn: scikit-learn is not installed ({error}).\n"
          "Install it with:  python3 -m pip install scikit-learn", file=sys.stderr)
    sys.exit(2)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--features", help="features CSV written by `physio features`")
    source.add_argument("--data", help="case-CSV directory or file: run `physio features` on it first")
    source.add_argument("--evaluation", help="export directory of `physio evaluate --export`: write sklearn_scores.csv")
    parser.add_argument("--physio", default=os.path.join(REPO, ".build", "release", "physio"),
                        help="physio binary (default: .build/release/physio)")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--max-samples", type=int, default=256)
    parser.add_argument("--max-features", type=float, default=1.0)
    parser.add_argument("--fit-rows", choices=["all", "rule_negative"], default="all",
                        help="fit on every row or on label-0 rows only (both implementations)")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--seeds", type=int, default=100,
                        help="number of seeds; AUCs are averaged (one forest's AUC moves ~0.02 with the seed, "
                             "so 100 seeds keep the standard error of the difference near 0.003)")
    parser.add_argument("--tolerance", type=float, default=0.01)
    parser.add_argument("--json", default="compare_sklearn.json", help="summary file to write")
    return parser.parse_args()


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"compare_sklearn: {' '.join(command)} failed with status {result.returncode}")
    return result.stdout


def load_features(path):
    with open(path) as file:
        header = file.readline().strip().split(",")
    if header[:2] != ["case_id", "t_seconds"] or header[-1] != "label":
        raise SystemExit(f"compare_sklearn: {path} is not a `physio features` CSV")
    columns = range(2, len(header) - 1)
    matrix = np.loadtxt(path, delimiter=",", skiprows=1, usecols=columns, dtype=np.float32, ndmin=2)
    labels = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[len(header) - 1], dtype=np.int64, ndmin=1)
    return header[2:-1], matrix, labels.astype(bool)


def sklearn_forest(matrix, labels, arguments):
    fit_matrix = matrix if arguments.fit_rows == "all" else matrix[~labels]
    fit_times, score_times, fit_cpu, score_cpu, aucs, precisions = [], [], [], [], [], []
    for seed in range(arguments.seed, arguments.seed + arguments.seeds):
        forest = IsolationForest(n_estimators=arguments.trees, max_samples=min(arguments.max_samples, len(fit_matrix)),
                                 max_features=arguments.max_features, random_state=seed, n_jobs=1)
        started, started_cpu = time.perf_counter(), time.process_time()
        forest.fit(fit_matrix)
        fit_times.append(time.perf_counter() - started)
        fit_cpu.append(time.process_time() - started_cpu)
        started, started_cpu = time.perf_counter(), time.process_time()
        scores = -forest.score_samples(matrix)  # physio's convention: higher = more abnormal
        score_times.append(time.perf_counter() - started)
        score_cpu.append(time.process_time() - started_cpu)
        aucs.append(roc_auc_score(labels, scores))
        precisions.append(average_precision_score(labels, scores))
    return summary("scikit-learn " + sklearn_version, len(matrix), len(fit_matrix), fit_times, score_times,
                   fit_cpu, score_cpu, aucs, precisions)


def swift_forest(features_path, rows, arguments):
    output = run([arguments.physio, "forest", "--features", features_path, "--trees", str(arguments.trees),
                  "--max-samples", str(arguments.max_samples), "--max-features", str(arguments.max_features),
                  "--seed", str(arguments.seed), "--seed-count", str(arguments.seeds), "--repeats", "1",
                  "--fit-rows", arguments.fit_rows])
    report = json.loads(output)
    return {
        "implementation": report["implementation"],
        "rows": report["rows"],
        "fit_rows": report["fit_row_count"],
        "roc_auc_mean": report["roc_auc"],
        "roc_auc_per_seed": report["roc_auc_per_seed"],
        "average_precision_mean": report["average_precision"],
        "fit_seconds_best": report["fit_seconds"],
        "score_seconds_best": report["score_seconds"],
        "score_samples_per_second": rows / report["score_seconds"],
        "fit_cpu_seconds_best": report["fit_cpu_seconds"],
        "score_cpu_seconds_best": report["score_cpu_seconds"],
        "score_samples_per_cpu_second": rows / report["score_cpu_seconds"],
    }


def summary(name, rows, fit_rows, fit_times, score_times, fit_cpu, score_cpu, aucs, precisions):
    return {
        "implementation": name,
        "rows": rows,
        "fit_rows": fit_rows,
        "roc_auc_mean": float(np.mean(aucs)),
        "roc_auc_per_seed": [float(a) for a in aucs],
        "average_precision_mean": float(np.mean(precisions)),
        "fit_seconds_best": min(fit_times),
        "score_seconds_best": min(score_times),
        "score_samples_per_second": rows / min(score_times),
        "fit_cpu_seconds_best": min(fit_cpu),
        "score_cpu_seconds_best": min(score_cpu),
        "score_samples_per_cpu_second": rows / min(score_cpu),
    }


def threshold_by_rule(fold, fit_scores, train_scores, train_labels):
    """physio's ThresholdRule, on scikit-learn's scores (higher = more abnormal)."""
    if "threshold_score" in fold:
        return fold["threshold_score"]
    if "contamination" in fold:
        return float(np.percentile(fit_scores, 100 * (1 - fold["contamination"])))
    target = fold["target_precision"]
    order = np.argsort(-train_scores, kind="stable")
    ranked, positives = train_scores[order], np.cumsum(train_labels[order])
    threshold = float(ranked[0])
    for rank in range(len(ranked)):
        following = ranked[rank + 1] if rank + 1 < len(ranked) else -np.inf
        if following < ranked[rank] and positives[rank] >= target * (rank + 1):
            threshold = max(float(following), 0.0)
    return threshold


def score_evaluation_export(directory):
    with open(os.path.join(directory, "export.json")) as file:
        export = json.load(file)
    output = os.path.join(directory, "sklearn_scores.csv")
    with open(output, "w") as out:
        out.write("case_id,t_seconds,score,threshold\n")
        for fold in export["folds"]:
            width = len(fold["features"])
            train = np.genfromtxt(os.path.join(directory, fold["train"]), delimiter=",", skip_header=1,
                                  dtype=None, encoding="utf-8", ndmin=1)
            matrix = np.array([[row[2 + column] for column in range(width)] for row in train], dtype=np.float64)
            fit = np.array([row[2 + width] == 1 for row in train])
            labels = np.array([row[3 + width] == 1 for row in train])
            forest = IsolationForest(n_estimators=fold["n_estimators"], max_samples=min(fold["max_samples"], int(fit.sum())),
                                     max_features=fold["max_features"], random_state=fold["seed"], n_jobs=1)
            forest.fit(matrix[fit])
            train_scores = -forest.score_samples(matrix)
            threshold = threshold_by_rule(fold, train_scores[fit], train_scores, labels)
            evaluated = np.genfromtxt(os.path.join(directory, fold["eval"]), delimiter=",", skip_header=1,
                                      dtype=None, encoding="utf-8", ndmin=1)
            eval_matrix = np.array([[row[2 + column] for column in range(width)] for row in evaluated], dtype=np.float64)
            scores = -forest.score_samples(eval_matrix)
            for row, score in zip(evaluated, scores):
                out.write(f"{row[0]},{row[1]},{float(score)!r},{float(threshold)!r}\n")
            print(f"fold {fold['fold']}: scikit-learn {sklearn_version} threshold {threshold:.4f} "
                  f"(Swift {fold['swift_threshold']:.4f}), {len(scores)} samples scored")
    print(f"scores in {output}; judge them with: physio evaluate --data ... --scores {output}")


def main():
    arguments = parse_arguments()
    if arguments.evaluation:
        score_evaluation_export(arguments.evaluation)
        return
    if not os.access(arguments.physio, os.X_OK):
        print(f"compare_sklearn: no physio binary at {arguments.physio}; build it with "
              "`swift build -c release` or pass --physio PATH", file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory() as scratch:
        features_path = arguments.features
        if arguments.data:
            features_path = os.path.join(scratch, "features.csv")
            run([arguments.physio, "features", "--data", arguments.data, "--out", features_path])
        names, matrix, labels = load_features(features_path)
        if labels.all() or not labels.any():
            raise SystemExit("compare_sklearn: the labels have one class only; ROC AUC is undefined")
        swift = swift_forest(features_path, len(matrix), arguments)
        sklearn = sklearn_forest(matrix, labels, arguments)

    difference = swift["roc_auc_mean"] - sklearn["roc_auc_mean"]
    standard_error = float(np.sqrt(np.var(swift["roc_auc_per_seed"]) / arguments.seeds
                                   + np.var(sklearn["roc_auc_per_seed"]) / arguments.seeds))
    result = {
        "data": arguments.data or arguments.features,
        "rows": int(len(matrix)),
        "positives": int(labels.sum()),
        "features": names,
        "parameters": {"n_estimators": arguments.trees, "max_samples": arguments.max_samples,
                       "max_features": arguments.max_features, "fit_rows": arguments.fit_rows,
                       "seeds": list(range(arguments.seed, arguments.seed + arguments.seeds))},
        "swift": swift,
        "sklearn": sklearn,
        "roc_auc_difference": difference,
        "roc_auc_difference_standard_error": standard_error,
        "tolerance": arguments.tolerance,
        "fit_speedup": sklearn["fit_seconds_best"] / swift["fit_seconds_best"],
        "score_speedup": sklearn["score_seconds_best"] / swift["score_seconds_best"],
        "fit_speedup_cpu": sklearn["fit_cpu_seconds_best"] / swift["fit_cpu_seconds_best"],
        "score_speedup_cpu": sklearn["score_cpu_seconds_best"] / swift["score_cpu_seconds_best"],
        "passed": abs(difference) <= arguments.tolerance,
    }
    with open(arguments.json, "w") as file:
        json.dump(result, file, indent=2)

    print(f"data: {result['data']}: {result['rows']} rows, {result['positives']} positive, "
          f"{len(names)} features, {arguments.seeds} seeds, fit on {arguments.fit_rows} rows")
    print("  best of all seeds; wall time, then CPU time (the honest one-core figure on a shared machine)")
    for side in (swift, sklearn):
        print(f"  {side['implementation']:<22} ROC AUC {side['roc_auc_mean']:.4f}  AP {side['average_precision_mean']:.4f}  "
              f"fit {side['fit_seconds_best'] * 1e3:8.2f} / {side['fit_cpu_seconds_best'] * 1e3:8.2f} ms  "
              f"score {side['score_seconds_best'] * 1e3:8.2f} / {side['score_cpu_seconds_best'] * 1e3:8.2f} ms "
              f"({side['score_samples_per_second']:,.0f} / {side['score_samples_per_cpu_second']:,.0f} samples/s)")
    print(f"  AUC difference {difference:+.4f} ± {standard_error:.4f} (tolerance {arguments.tolerance}); Swift fits "
          f"{result['fit_speedup']:.1f}x ({result['fit_speedup_cpu']:.1f}x CPU) and scores "
          f"{result['score_speedup']:.1f}x ({result['score_speedup_cpu']:.1f}x CPU) faster; summary in {arguments.json}")
    if not result["passed"]:
        print("compare_sklearn: FAIL: the mean ROC AUCs differ by more than the tolerance", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
