#!/usr/bin/env python3
"""Scores that know when each labelled event is developing, for `physio evaluate --scores`.

Not a detector: it reads the generator's own event labels (onset to peak)
to ask how many early-warning positives a detector could possibly see. A
sample scores 1 while any labelled event (near misses included: at its
start nobody can tell one from a deterioration) is between its onset and
its peak, else 0; the threshold is 0.5. In the report, the early-warning
counts then say how many positives lie inside a developing event (tp) and
how many come before any change began or with no labelled event (fn).

    scripts/lib/event_phase_scores.py DIR EVENTS.csv OUT.csv
    physio evaluate --data DIR --scores OUT.csv --no-events --report R.json

EVENTS.csv: case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds
(`physio simulate`'s events.csv, scripts/lib/independent_cases.py's
independent_events.csv, scripts/lib/third_cases's third_events.csv). numpy and pandas.
"""
import glob, os, sys
import numpy as np
import pandas as pd


def main():
    data, events_path, out = sys.argv[1:4]
    events = pd.read_csv(events_path)
    frames = []
    for path in sorted(glob.glob(os.path.join(data, "case_*.csv*"))):
        case = pd.read_csv(path, usecols=["case_id", "t_seconds"])
        times = case.t_seconds.to_numpy(dtype=float)
        developing = np.zeros(len(times), dtype=bool)
        for event in events[events.case_id == case.case_id.iloc[0]].itertuples():
            developing |= (times >= event.onset_t_seconds) & (times <= event.peak_t_seconds)
        frames.append(pd.DataFrame({"case_id": case.case_id, "t_seconds": case.t_seconds,
                                    "score": developing.astype(int), "threshold": 0.5}))
    pd.concat(frames).to_csv(out, index=False)


if __name__ == "__main__":
    main()
