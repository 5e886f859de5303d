#!/usr/bin/env python3
"""What the vitaldb library reads from a .vital file, for comparison with physio.

    vitaldb_reference.py FILE TRACK...

Prints one CSV line per second that has a value of any TRACK:
second,value,... (second = row of VitalFile.to_numpy(tracks, interval=1),
the value as vitaldb holds it, empty where missing).
"""
import math
import sys

import vitaldb

path, names = sys.argv[1], sys.argv[2:]
values = vitaldb.VitalFile(path).to_numpy(names, 1)
for second, row in enumerate(values):
    if all(math.isnan(v) for v in row):
        continue
    print(",".join([str(second)] + ["" if math.isnan(v) else repr(float(v)) for v in row]))
