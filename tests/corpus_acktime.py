#!/usr/bin/env python3
"""acktime (issue 16) of `pcap2kdb --fix` and `--kdb` against a computation of our own
from Wireshark's output, on every corpus capture with NAME.fix.tsv.

For each FIX message Wireshark found (NAME.fix.tsv: the frame completing
it, messages of one frame joined by ';'), its end in the TCP stream is the
stream's first payload byte plus the lengths of the messages before it and
its own (length from BeginString, BodyLength and the 7-byte trailer; the
FIX captures of the corpus carry nothing but messages). The message's
acktime is then, from NAME.tshark.tsv, the capture time of the first frame
after the completing one that travels the other way on the same stream with
the ACK flag and a relative acknowledgment number (tcp.ack) at or past that
end, minus the completing frame's time; empty when there is none, or when
a frame of any stream in between (or the ACK itself) comes more than 10 s
after the completing one (README: a message waits at most 10 s of capture
time, any packet moves the clock). Each end is also checked to lie inside
its completing frame's segment.

    pcap2kdb --fix --columns frame,stream,acktime NAME

must give the same value for every message (compared in order). The same
for --kdb on every capture with NAME.kdb.csv (the sender's log of message
lengths; see expected_kdb), comparing the completing frame too. Prints
per-file counts; exit 1 on any difference, 77 without the corpus.
Usage: tests/corpus_acktime.py [--corpus DIR] [--bin PATH]
"""

import argparse
import csv
import glob
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402


def ns(text):
    """'1795785540.024665699' -> integer nanoseconds."""
    sec, _, frac = text.partition(".")
    return int(sec) * 10**9 + int((frac + "000000000")[:9])


def timespan(v):
    """Nanoseconds as q prints a timespan: 0D00:00:00.000007955."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    d, v = divmod(v, 86400 * 10**9)
    h, v = divmod(v, 3600 * 10**9)
    m, v = divmod(v, 60 * 10**9)
    s, v = divmod(v, 10**9)
    return "%s%dD%02d:%02d:%02d.%09d" % (sign, d, h, m, s, v)


# README (acktime): a message waits at most 10 s of capture time
WAIT_NS = 10 * 10**9


def first_ack(frames, after, t0, is_ack):
    """The acktime text of the first frame of frames (in capture order) after
    frame number `after` for which is_ack(frame) holds; empty when none, or
    when any frame from there up to it comes more than WAIT_NS after t0."""
    for q in frames[after:]:
        t = ns(q["frame.time_epoch"])
        if t - t0 > WAIT_NS:
            return ""
        if is_ack(q):
            return timespan(t - t0)
    return ""


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def expected(name):
    """[(frame, acktime text or '')] for the messages of NAME, in order."""
    frames = read_tsv(name + ".tshark.tsv")
    byno = {int(r["frame.number"]): r for r in frames}
    # per (stream, src, srcport): bytes of messages so far
    sent = {}
    out = []
    for fr in read_tsv(name + ".fix.tsv"):
        no = int(fr["frame.number"])
        pk = byno[no]
        key = (pk["tcp.stream"], pk["ip.src"] or pk["ipv6.src"], pk["tcp.srcport"])
        begins = fr["fix.BeginString"].split(";")
        bodylens = fr["fix.BodyLength"].split(";")
        seg_start = int(pk["tcp.seq"])
        seg_end = seg_start + int(pk["tcp.len"])
        for b, bl in zip(begins, bodylens):
            n = 2 + len(b) + 1 + 2 + len(bl) + 1 + int(bl) + 7
            end = sent.get(key, 1) + n          # relative: the first byte is 1
            sent[key] = end
            if not seg_start < end <= seg_end:
                raise SystemExit("%s frame %d: message end %d outside its segment [%d,%d)" %
                                 (name, no, end, seg_start, seg_end))
            ack = first_ack(frames, no, ns(pk["frame.time_epoch"]), lambda q, pk=pk, end=end:
                            q["tcp.stream"] == pk["tcp.stream"] and
                            q["tcp.srcport"] == pk["tcp.dstport"] and
                            int(q["tcp.flags"], 16) & 0x10 and int(q["tcp.ack"]) >= end)
            out.append((no, ack))
    return out


def expected_kdb(name):
    """[(frame, acktime)] per connection direction (sport, dport), in send
    order, for a kdb+ IPC capture with NAME.kdb.csv: each direction's bytes
    are its handshake (the client's first segment, the server's 1-byte
    answer) then the messages of the log, in order; a message is completed
    by the first frame whose segment holds its last byte."""
    frames = read_tsv(name + ".tshark.tsv")
    data = {}
    for q in frames:
        if q["tcp.len"] and int(q["tcp.len"]) > 0:
            data.setdefault((q["tcp.srcport"], q["tcp.dstport"]), []).append(q)
    sent = {}
    with open(name + ".kdb.csv", newline="") as f:
        log = list(csv.DictReader(f))
    out = {}
    for m in log:
        key = (m["sport"], m["dport"])
        if key not in sent:
            first = data[key][0]
            sent[key] = int(first["tcp.seq"]) + (int(first["tcp.len"]) if m["sport"] != "5010"
                                                 else 1)
        end = sent[key] + int(m["len"])
        sent[key] = end
        pk = next(q for q in data[key]
                  if int(q["tcp.seq"]) < end <= int(q["tcp.seq"]) + int(q["tcp.len"]))
        no = int(pk["frame.number"])
        ack = first_ack(frames, no, ns(pk["frame.time_epoch"]), lambda q, m=m, end=end:
                        q["tcp.srcport"] == m["dport"] and q["tcp.dstport"] == m["sport"] and
                        int(q["tcp.flags"], 16) & 0x10 and int(q["tcp.ack"]) >= end)
        out.setdefault(key, []).append((no, ack))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "pcap2kdb"))
    a = ap.parse_args()
    corpus = corpus_sample.corpus_dir(a.corpus)
    if not os.path.isdir(corpus):
        corpus_sample.skip(corpus)  # exit 77: ctest shows Skipped
    names = sorted(p[:-len(".fix.tsv")] for p in glob.glob(os.path.join(corpus, "*.fix.tsv")))
    if not names or not glob.glob(os.path.join(corpus, "*.kdb.csv")):
        print("FAIL: no FIX (*.fix.tsv) or kdb+ (*.kdb.csv) ground truth in %s: nothing tested"
              % corpus)
        return 1
    bad = 0
    for name in names:
        want = expected(name)
        res = subprocess.run([a.bin, "--fix", "--no-header", "--columns", "frame,stream,acktime",
                              name], capture_output=True, text=True, check=True)
        have = [(int(l.split(",")[0]), l.split(",")[2]) for l in res.stdout.splitlines()]
        diffs = 0
        if len(have) != len(want):
            print("%s: %d messages, expected %d" % (os.path.basename(name), len(have), len(want)))
            diffs += 1
        for i, (h, w) in enumerate(zip(have, want)):
            if h != w:
                diffs += 1
                if diffs <= 10:
                    print("%s msg %d (frame %d): acktime ours=%s computed=%s (frame %d)" %
                          (os.path.basename(name), i + 1, h[0], h[1] or "-", w[1] or "-", w[0]))
        acked = sum(1 for w in want if w[1])
        print("%s: %d messages, %d acknowledged, %d agree, %d differ" %
              (os.path.basename(name), len(want), acked, len(want) - diffs, diffs))
        bad += diffs
    for name in sorted(p[:-len(".kdb.csv")] for p in glob.glob(os.path.join(corpus, "*.kdb.csv"))):
        want = expected_kdb(name)
        res = subprocess.run([a.bin, "--kdb", "--no-header", "--columns",
                              "frame,srcport,destport,acktime", name],
                             capture_output=True, text=True, check=True)
        have = {}
        for l in res.stdout.splitlines():
            v = l.split(",")
            have.setdefault((v[1], v[2]), []).append((int(v[0]), v[3]))
        n = diffs = acked = 0
        for key in sorted(set(want) | set(have)):
            w, h = want.get(key, []), have.get(key, [])
            if len(w) != len(h):
                print("%s %s: %d messages, expected %d" % (os.path.basename(name), key, len(h), len(w)))
                diffs += 1
            for i, (x, y) in enumerate(zip(h, w)):
                n += 1
                acked += bool(y[1])
                if x != y:
                    diffs += 1
                    if diffs <= 10:
                        print("%s %s msg %d: ours frame %d acktime %s, computed frame %d %s" %
                              (os.path.basename(name), key, i + 1, x[0], x[1] or "-", y[0], y[1] or "-"))
        print("%s: %d messages, %d acknowledged, %d agree, %d differ" %
              (os.path.basename(name), n, acked, n - diffs, diffs))
        bad += diffs
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
