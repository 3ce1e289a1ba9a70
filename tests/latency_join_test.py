#!/usr/bin/env python3
"""The latency recipe of the README, in Python (issue #17): convert the
captures taken before (A) and after (B) a router, join on hash, subtract.

testdata/latency_{a,b}.pcap and latency_expected.tsv come from
tests/gen_hwts.py: B is A's traffic with TTL - 1, a new checksum and DSCP,
new MACs, a VLAN tag and an Arista header stamping B's hardware time, cut at
snaplen 128, with a few packets dropped. Checks: every latency exactly,
every dropped packet unmatched, no false match, and the packets B's snaplen
cut too short for a fingerprint are exactly those the generator expects.

    latency_join_test.py PCAP2KDB_BINARY
"""

import csv
import datetime
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "testdata")
EPOCH = datetime.datetime(1970, 1, 1)


def ns_of(qtime):
    """q timestamp literal -> integer nanoseconds since 1970."""
    day, clock = qtime.split("D")
    whole, frac = clock.split(".")
    d = datetime.datetime.strptime(day + " " + whole, "%Y.%m.%d %H:%M:%S")
    return int((d - EPOCH).total_seconds()) * 10**9 + int(frac)


def convert(binary, pcap, cols):
    out = subprocess.run([binary, "--columns", cols, os.path.join(DATA, pcap)],
                         capture_output=True, text=True, check=True).stdout
    return list(csv.DictReader(out.splitlines()))


def main():
    binary = sys.argv[1]
    a = convert(binary, "latency_a.pcap", "frame,time,hash")
    b = convert(binary, "latency_b.pcap", "frame,time,hwtime,hash")
    expect = {}
    with open(os.path.join(DATA, "latency_expected.tsv")) as fh:
        for line in fh:
            if not line.startswith("#"):
                f, e = line.split()
                expect[int(f)] = e
    fails = []
    # B's rows, in order, are A's frames that were not dropped
    b_of_a = [f for f in sorted(expect) if expect[f] != "dropped"]
    if len(b) != len(b_of_a):
        fails.append("B has %d rows, expected %d" % (len(b), len(b_of_a)))
    by_hash = {}
    for row in b:
        if row["hash"]:
            by_hash.setdefault(row["hash"], []).append(row)
    if any(len(v) > 1 for v in by_hash.values()):
        fails.append("two B rows share a hash")
    matched = 0
    for row in a:
        f = int(row["frame"])
        e = expect[f]
        if not row["hash"]:
            fails.append("A frame %d: no hash" % f)
            continue
        hits = by_hash.get(row["hash"], [])
        if e == "dropped" or e == "nohash":
            if hits:
                fails.append("A frame %d (%s) matched B frame %s" % (f, e, hits[0]["frame"]))
            continue
        if len(hits) != 1:
            fails.append("A frame %d: %d matches" % (f, len(hits)))
            continue
        bf = int(hits[0]["frame"])
        if b_of_a[bf - 1] != f:
            fails.append("A frame %d matched B frame %d, which is A frame %d" % (f, bf, b_of_a[bf - 1]))
            continue
        got = ns_of(hits[0]["hwtime"]) - ns_of(row["time"])
        if got != int(e):
            fails.append("A frame %d: latency %d ns, expected %s" % (f, got, e))
        matched += 1
    # the rows of B without a hash are exactly the expected ones
    for i, row in enumerate(b):
        if (not row["hash"]) != (expect[b_of_a[i]] == "nohash"):
            fails.append("B frame %s: hash %r, expected %s" % (row["frame"], row["hash"],
                                                               expect[b_of_a[i]]))
    want = sum(1 for e in expect.values() if e not in ("dropped", "nohash"))
    if matched != want:
        fails.append("%d matched, expected %d" % (matched, want))
    for f in fails:
        print("FAIL:", f)
    print("%d packets, %d matched with exact latency, %d dropped, %d not hashable at B"
          % (len(a), matched, sum(e == "dropped" for e in expect.values()),
             sum(e == "nohash" for e in expect.values())))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
