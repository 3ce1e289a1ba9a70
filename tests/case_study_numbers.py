#!/usr/bin/env python3
"""The results printed in README's FIX case study, part 2 (issue 16's
numbers): runs pcap2kdb on the corpus FIX capture and evaluates each q query
of the README here, in Python (there is no q on the build machine: the
queries were not run in real q). Prints each query's result.

Usage: tests/case_study_numbers.py [--corpus DIR] [--bin PATH]
Exit 77 without the corpus.
"""

import argparse
import collections
import csv
import io
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402

CAPTURE = "fixsim-shared__any-sll2-ns.pcap"
PKT_COLS = ("time,sym,src,dest,srcport,destport,stream,frame,win,analysis,len,"
            "inflight,ackrtt,acked")
FIX_COLS = "time,stream,frame,srcport,msgtype,clordid,bundled,latency,acktime"


def span(s):
    """q timespan text -> ns (None when empty)."""
    if not s:
        return None
    d, rest = s.split("D")
    h, m, sec = rest.split(":")
    a, b = sec.split(".")
    return (((int(d) * 24 + int(h)) * 60 + int(m)) * 60 + int(a)) * 10**9 + int(b)


def qspan(v):
    s, f = divmod(v, 10**9)
    return "%dD%02d:%02d:%02d.%09d" % (s // 86400, s // 3600 % 24, s // 60 % 60, s % 60, f)


def run(binary, args):
    out = subprocess.run([binary] + args, capture_output=True, text=True, check=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "pcap2kdb"))
    a = ap.parse_args()
    cap = os.path.join(corpus_sample.corpus_dir(a.corpus), CAPTURE)
    pcap = run(a.bin, ["--columns", PKT_COLS, cap])
    fix = run(a.bin, ["--fix", "--columns", FIX_COLS, cap])
    for r in pcap:
        r["an"] = r["analysis"].split("|") if r["analysis"] else []
        r["frame"] = int(r["frame"])
        r["stream"] = int(r["stream"])
    for r in fix:
        r["stream"] = int(r["stream"])
        r["frame"] = int(r["frame"])

    print("/ 5a. in flight before each zero window")
    sent = [r for r in pcap if r["inflight"]]
    print("frame flight")
    for r in pcap:
        if "zero_window" in r["an"]:
            before = [s for s in sent if s["stream"] == r["stream"] and
                      s["destport"] == r["srcport"] and s["frame"] < r["frame"]]
            print(r["frame"], before[-1]["inflight"] if before else "")
    print("/ 5b. largest in flight per stream and sender")
    mx = collections.OrderedDict()
    for r in sorted(sent, key=lambda r: (r["stream"], int(r["srcport"]))):
        k = (r["stream"], r["srcport"])
        mx[k] = max(mx.get(k, 0), int(r["inflight"]))
    for (s, p), v in mx.items():
        print(s, p, v)

    print("/ 6. ACK RTT of the venue's ACKs on stream 0 by phase")
    zw0 = min(r["frame"] for r in pcap if r["stream"] == 0 and "zero_window" in r["an"])
    wu = max(r["frame"] for r in pcap if r["stream"] == 0 and "window_update" in r["an"])
    ph = collections.OrderedDict((p, []) for p in ("before", "stall", "after"))
    for r in pcap:
        if r["stream"] == 0 and r["srcport"] == "40265" and r["ackrtt"]:
            p = "before" if r["frame"] < zw0 else "stall" if r["frame"] <= wu else "after"
            ph[p].append(span(r["ackrtt"]))
    print("phase n lo hi")
    for p, v in ph.items():
        if v:
            print(p, len(v), qspan(min(v)), qspan(max(v)))

    print("/ 7. per order: acktime beside the latency of its first report, by stream")
    rep = {}
    for r in fix:
        if r["msgtype"] == "8" and r["latency"]:
            rep.setdefault((r["stream"], r["clordid"]), span(r["latency"]))
    t = collections.OrderedDict()
    for r in fix:
        if r["msgtype"] == "D" and (r["stream"], r["clordid"]) in rep:
            t.setdefault(r["stream"], []).append((span(r["acktime"]),
                                                  rep[(r["stream"], r["clordid"])]))
    print("stream n ackmin ackmax answermin answermax slower")
    for s, v in sorted(t.items()):
        acks = [x for x, _ in v if x is not None]
        ans = [y for _, y in v]
        slower = sum(1 for x, y in v if x is not None and x > y)
        print(s, len(v), qspan(min(acks)), qspan(max(acks)), qspan(min(ans)), qspan(max(ans)),
              slower)
    print("/ 7b. the stalled stream's orders per segment from frame 74 on")
    print("frame orders ack")
    per = collections.OrderedDict()
    for r in fix:
        if r["stream"] == 0 and r["msgtype"] == "D" and r["frame"] >= 74:
            per.setdefault(r["frame"], []).append(span(r["acktime"]))
    for f, v in per.items():
        print(f, len(v), qspan(max(v)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
