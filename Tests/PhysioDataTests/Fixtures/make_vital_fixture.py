#!/usr/bin/env python3
"""Writes the test fixture solar8000_case.vital and the case CSV it must become.

Independent of physio's Swift code: the .vital bytes are packed exactly as
`vitaldb.VitalFile.to_vital` (vitaldb 1.4, vitaldb/utils.py) packs them, and the
expected CSV follows `VitalFile.to_pandas(track_names, interval=1)`: the
recording starts at its earliest record of any track (the wave track here),
row = int(dt - dtstart), the last value in each second wins, rows without a
value are left out. Synthetic values shaped like VitalDB case 1 (unconnected
arterial line reading ~0, a 300/290 flush, an HR spike); no real data.

    python3 Tests/PhysioDataTests/Fixtures/make_vital_fixture.py
    python3 Tests/PhysioDataTests/Fixtures/make_vital_fixture.py --large /tmp/big.vital --hours 3

`--large` writes a recording of VitalDB's size instead (not committed; for
measuring read speed): four 500 Hz SNUADC waves, two 62.5 Hz Primus waves,
one 128 Hz BIS wave in 1-s records, and 30 Solar8000/Primus/BIS numeric
tracks every 2 s.
"""
import array
import math
import random
import sys
import gzip
import os
from struct import pack

HERE = os.path.dirname(os.path.abspath(__file__))
DTSTART = 1_577_836_800.0  # 2020-01-01T00:00:00Z, the first (wave) record


def pack_str(s):
    b = s.encode("utf-8")
    return pack("<L", len(b)) + b


def packet(kind, data):
    return pack("<b", kind) + pack("<L", len(data)) + data


def devinfo(did, name):
    # to_vital order: did, name, type, port
    return packet(9, pack("<L", did) + pack_str(name) + pack_str(name) + pack_str(""))


def trkinfo(tid, rectype, fmt, name, unit, did, srate=0.0):
    ti = (pack("<H", tid) + pack("<b", rectype) + pack("<b", fmt) + pack_str(name) + pack_str(unit)
          + pack("<f", 0.0) + pack("<f", 200.0) + pack("<L", 0xFFFFFFFF) + pack("<f", srate)
          + pack("<d", 1.0) + pack("<d", 0.0) + pack("<b", 0) + pack("<L", did))
    return packet(0, ti)


def rec(tid, dt, value_bytes):
    return packet(1, pack("<H", 10) + pack("<d", dt) + pack("<H", tid) + value_bytes)


NUMERIC = {  # tid: (device id, name, unit, physio column or None)
    1: (1, "HR", "/min", "hr"),
    2: (1, "ART_SBP", "mmHg", "sbp"),
    3: (1, "ART_DBP", "mmHg", "dbp"),
    4: (1, "ART_MBP", "mmHg", "mbp"),
    5: (1, "PLETH_SPO2", "%", "spo2"),
    6: (1, "RR_CO2", "/min", "rr"),
    7: (1, "ETCO2", "mmHg", "etco2"),
    8: (1, "BT", "C", "temp"),
    9: (2, "ETCO2", "mmHg", None),   # Primus/ETCO2: Solar8000's is preferred
    10: (1, "PLETH_HR", "/min", None),  # pulse rate: not physio's hr
}


def samples():
    """(tid, dt, value) in time order, a record every 2 s like the Solar 8000."""
    out = []
    for k in range(60):
        t = DTSTART + 3.25 + 2 * k
        hr = 72 + (k % 5) - 2
        if k == 20:
            hr = 95  # electrocautery spike
        sbp, dbp, mbp = 118 + k % 7, 57 + k % 3, 78 + k % 4
        if k < 8:
            sbp, dbp, mbp = -3 + k % 2, -3 + k % 2, -3  # line not yet connected
        if 40 <= k < 44:
            sbp, dbp, mbp = 300, 290, 295  # flush
        rows = [(1, hr), (2, sbp), (3, dbp), (4, mbp), (5, 99 - (k % 2)), (6, 12),
                (7, 34 + k % 3), (8, 36.25 + 0.25 * (k % 2)), (9, 50), (10, hr + 1)]
        if 30 <= k < 35:
            rows = [r for r in rows if r[0] not in (2, 3, 4)]  # line closed for sampling
        out += [(tid, t, v) for tid, v in rows]
    return out


def main():
    body = devinfo(1, "Solar8000") + devinfo(2, "Primus") + devinfo(3, "SNUADC")
    for tid, (did, name, unit, _) in NUMERIC.items():
        body += trkinfo(tid, 2, 1, name, unit, did)
    body += trkinfo(20, 1, 1, "ART", "mmHg", 3, srate=100.0)
    body += trkinfo(21, 5, 0, "EVENT", "", 0)
    # wave records: 1 s of 100 Hz float samples each, starting at DTSTART
    for s in range(0, 120):
        body += rec(20, DTSTART + s, pack("<L", 100) + pack("<100f", *([80.0] * 100)))
    body += rec(21, DTSTART + 10, pack("<L", 0) + pack_str("Intubation"))
    body += packet(6, pack("<b", 5) + pack("<H", 2) + pack("<HH", 1, 2))  # CMD_TRK_ORDER
    for tid, dt, value in samples():
        body += rec(tid, dt, pack("<f", value))

    header = b"VITA" + pack("<L", 3) + pack("<H", 10) + pack("<h", -540) + pack("<L", 0) + pack("<L", 0)
    with gzip.GzipFile(os.path.join(HERE, "solar8000_case.vital"), "wb", compresslevel=1, mtime=0) as f:
        f.write(header + body)

    # Expected case CSV (vitaldb's to_pandas(interval=1) indexing).
    columns = ["hr", "sbp", "dbp", "mbp", "spo2", "rr", "etco2", "temp"]
    last = max(DTSTART + 119, max(dt for _, dt, _ in samples()))  # last wave record or number
    nret = int(-(-(last - DTSTART) // 1))
    grid = {}
    for tid, dt, value in samples():
        column = NUMERIC[tid][3]
        if column is None:
            continue
        idx = min(int((dt - DTSTART) / 1), nret - 1)
        grid.setdefault(idx, {})[column] = value

    def fmt(v):
        return str(int(v)) if v == int(v) else repr(v)

    lines = ["case_id,t_seconds," + ",".join(columns)]
    for idx in sorted(grid):
        lines.append("1,%d," % idx + ",".join(fmt(grid[idx][c]) if c in grid[idx] else "" for c in columns))
    with open(os.path.join(HERE, "solar8000_case.expected.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")


def large(path, hours):
    rng = random.Random(1)
    waves = [(101, "ECG_II", 3, 500), (102, "ART", 3, 500), (103, "PLETH", 3, 500), (104, "CVP", 3, 500),
             (105, "AWP", 2, 62.5), (106, "CO2", 2, 62.5), (107, "EEG1_WAV", 4, 128)]
    numbers = [(200 + i, name, 1 if i < 24 else 2 if i < 28 else 4) for i, name in enumerate(
        ["HR", "ART_SBP", "ART_DBP", "ART_MBP", "PLETH_SPO2", "PLETH_HR", "RR_CO2", "ETCO2", "BT", "NIBP_SBP",
         "NIBP_DBP", "NIBP_MBP", "ST_II", "VENT_TV", "VENT_RR", "VENT_PIP", "VENT_MAWP", "VENT_MV", "FIO2",
         "FEO2", "INCO2", "GAS2_EXPIRED", "VENT_PPLAT", "CVP", "ETCO2", "RR_CO2", "FIO2", "MAC", "BIS", "SQI"])]
    out = gzip.GzipFile(path, "wb", compresslevel=6, mtime=0)
    out.write(b"VITA" + pack("<L", 3) + pack("<H", 10) + pack("<h", -540) + pack("<L", 0) + pack("<L", 0))
    out.write(devinfo(1, "Solar8000") + devinfo(2, "Primus") + devinfo(3, "SNUADC") + devinfo(4, "BIS"))
    for tid, name, did, srate in waves:
        out.write(trkinfo(tid, 1, 1, name, "", did, srate=srate))
    for tid, name, did in numbers:
        out.write(trkinfo(tid, 2, 1, name, "", did))
    for second in range(int(hours * 3600)):
        t = DTSTART + second
        for tid, _, _, srate in waves:
            n = int(srate) if srate != 62.5 else (62 if second % 2 else 63)
            samples = array.array("f", (math.sin((second * srate + i) / 40.0) * 50 + rng.random() for i in range(n)))
            out.write(rec(tid, t, pack("<L", n) + samples.tobytes()))
        if second % 2 == 0:
            for tid, _, _ in numbers:
                out.write(rec(tid, t + 0.37, pack("<f", 70 + rng.randint(-3, 3))))
    out.close()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--large":
        large(sys.argv[2], float(sys.argv[4]) if len(sys.argv) > 4 else 3)
    else:
        main()
