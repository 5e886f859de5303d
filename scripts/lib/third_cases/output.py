"""Writing a run: per-case CSVs and the per-run tables."""
import gzip
import os

from .sampling import COLS

META_KEYS = ["case_id", "feed", "duration_s", "base_interval_s", "intervals", "aggregation", "jitter", "airway",
             "hr_source", "nibp_cycle_s", "nibp_same_arm", "capno_apnoea_style", "low_rate_emergence",
             "t_shift_s", "n_rows"]


def fmt(x):
    return ("%.1f" % x).rstrip("0").rstrip(".")


def write_case(out, i, cid, rows):
    with gzip.open(os.path.join(out, "case_%04d.csv.gz" % i), "wt", newline="") as f:
        f.write("case_id,t_seconds," + ",".join(COLS) + "\n")
        for ts, vals in rows:
            f.write("%s,%s,%s\n" % (cid, ts, ",".join(vals)))


def write_tables(out, feeds, evs, confs, metas):
    with open(os.path.join(out, "feeds.csv"), "w") as f:
        f.write("case_id,feed\n")
        f.writelines("%s,%s\n" % x for x in feeds)
    # not events.csv: a downstream tool reads any events.csv in its own format
    with open(os.path.join(out, "third_events.csv"), "w") as f:
        f.write("case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds\n")
        for cid, e in evs:
            f.write("%s,%s,%s,%s,%s\n" % (cid, e["event"], fmt(e["onset"]), fmt(e["peak"]), fmt(e["end"])))
    with open(os.path.join(out, "events_detail.csv"), "w") as f:
        f.write("case_id,event,mode,primary,target,onset_t_seconds,peak_t_seconds,end_t_seconds,latent_breach_s,info\n")
        for cid, e in evs:
            f.write('%s,%s,%s,%s,%.1f,%s,%s,%s,%s,"%s"\n' % (cid, e["event"], e["mode"], e["primary"], e["target"],
                                                          fmt(e["onset"]), fmt(e["peak"]), fmt(e["end"]),
                                                          e["latent_breach_s"], e["info"]))
    with open(os.path.join(out, "confounders.csv"), "w") as f:
        f.write("case_id,kind,start_t_seconds,end_t_seconds\n")
        f.writelines("%s,%s,%s,%s\n" % (c, k, fmt(s), fmt(e)) for c, k, s, e in confs)
    with open(os.path.join(out, "cases_meta.csv"), "w") as f:
        f.write(",".join(META_KEYS) + "\n")
        for m in metas:
            f.write(",".join(str(m.get(k, "")) for k in META_KEYS) + "\n")
