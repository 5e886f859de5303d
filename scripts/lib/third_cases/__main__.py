"""python -m third_cases --cases N --seed S --out DIR"""
import argparse
import os
import sys
import warnings

if not __package__:  # run as `python path/to/third_cases`: import it as a package
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import third_cases  # noqa: E402
from third_cases.case import simulate_case  # noqa: E402
from third_cases.output import write_case, write_tables  # noqa: E402


def main():
    ap = argparse.ArgumentParser(prog="third_cases", description=third_cases.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning)  # NaN means/medians on empty spans
    os.makedirs(a.out, exist_ok=True)
    # one SeedSequence child per case: a case does not depend on the others
    children = np.random.SeedSequence(a.seed).spawn(a.cases)
    feeds, evs, confs, metas = [], [], [], []
    for i in range(a.cases):
        cid = "g3s%d-%03d" % (a.seed, i + 1)
        rows, events, conf, meta = simulate_case(np.random.default_rng(children[i]), cid)
        write_case(a.out, i + 1, cid, rows)
        feeds.append((cid, meta["feed"]))
        for e in sorted(events, key=lambda e: e["onset"]):
            evs.append((cid, e))
        confs += [(cid,) + c for c in sorted(conf, key=lambda c: c[1])]
        metas.append(meta)
    write_tables(a.out, feeds, evs, confs, metas)
    print("wrote %d cases, %d events to %s" % (a.cases, len(evs), a.out))


if __name__ == "__main__":
    main()
