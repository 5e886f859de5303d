"""The table and JSON of scripts/bench, from its rows file (one tab-separated
row per measurement: key, metric, value, unit, target, ratio keys, ratio
target, note). Arguments: rows, JSON path, quick (0/1), nproc, PostgreSQL
version, durability, commit, run parameters (k=v ...)."""
import datetime, json, platform, sys

rows_path, json_path, quick, nproc, pg_version, durability, commit, parameters = sys.argv[1:]
short = {"copy": "COPY", "pgtx": "1-row tx", "healthz": "/healthz", "hl7_http": "HTTP (loadgen)", "single": "HTTP (wrk)"}

rows = []
for line in open(rows_path):
    key, metric, value, unit, target, ratio_of, ratio_target, note = line.rstrip("\n").split("\t")
    rows.append(dict(key=key, metric=metric, value=float(value), unit=unit, target=target,
                     ratio_of=[k for k in ratio_of.split(",") if k], ratio_target=ratio_target, note=note))
values = {r["key"]: r["value"] for r in rows}

def meets(value, target):
    limit = float(target[2:])
    return value >= limit if target.startswith(">=") else value <= limit

def number(value):
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"

for r in rows:
    r["ratios"] = {k: values[k] and r["value"] / values[k] for k in r["ratio_of"] if k in values}
    checks = [meets(r["value"], r["target"])] if r["target"] else []
    if r["ratio_target"] and r["ratio_of"] and r["ratio_of"][0] in r["ratios"]:
        checks.append(meets(r["ratios"][r["ratio_of"][0]], r["ratio_target"]))
    r["met"] = None if not checks else all(checks)

def target_text(r):
    parts = []
    if r["target"]:
        parts.append(r["target"].replace(">=", "≥ ").replace("<=", "≤ ") if float(r["target"][2:]) < 1000
                     else r["target"][:2].replace(">=", "≥ ").replace("<=", "≤ ") + number(float(r["target"][2:])))
    if r["ratio_target"]:
        parts.append(f"≥ {float(r['ratio_target'][2:]):.0%} of {short[r['ratio_of'][0]]}")
    return ", ".join(parts)

header = ["metric", "value", "unit", "target", "met", "ratio to ceiling"]
table = [[r["metric"], number(r["value"]), r["unit"], target_text(r),
          {None: "", True: "yes", False: "no"}[r["met"]],
          ", ".join(f"{v:.2f}× {short[k]}" for k, v in r["ratios"].items())] for r in rows]
widths = [max(len(line[i]) for line in [header] + table) for i in range(len(header))]
def show(line):
    print(" | ".join(cell.rjust(w) if i == 1 else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
show(header)
print("-+-".join("-" * w for w in widths))
for line in table:
    show(line)
for r in rows:
    if r["note"]:
        print(f"  {r['metric']}: {r['note']}")

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
load = open("/proc/loadavg").read().split()[:3]
report = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "mode": "quick" if quick == "1" else "full",
    "commit": commit,
    "machine": {"nproc": int(nproc), "cpu": cpu, "kernel": platform.release(), "load_average_at_end": load},
    "postgresql": {"version": pg_version, "fsync/synchronous_commit": durability},
    "parameters": dict(item.split("=", 1) for item in parameters.split()),
    "rows": [{k: r[k] for k in ("key", "metric", "value", "unit", "target", "ratio_target", "ratios", "met", "note")} for r in rows],
}
with open(json_path, "w") as out:
    json.dump(report, out, indent=2, ensure_ascii=False)
    out.write("\n")
print(f"\n{report['mode']} run, {nproc} cores, PostgreSQL {pg_version} (fsync/synchronous_commit {durability}); JSON: {json_path}")
