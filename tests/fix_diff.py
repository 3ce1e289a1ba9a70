#!/usr/bin/env python3
"""Differential test of `pcap2kdb --fix` against Wireshark's FIX dissector.

For every capture NAME in the corpus that has NAME.fix.tsv (tshark 4.0.17,
FIX dissector with TCP reassembly; see ../shared/corpus/README.md), run

    pcap2kdb --fix --columns frame,stream,src,dest,srcport,destport,msgtype,
             seqnum,sender,target,clordid,sendtime,symbol,side,qty,price,
             bodylen,chkok,begin NAME

and compare the two lists of messages, in order: the same messages, each
completed by the same frame, with the same MsgType, MsgSeqNum,
SenderCompID, TargetCompID and ClOrdID (the required fields), and also the
same stream, addresses, ports, BeginString, BodyLength, Symbol, Side,
OrderQty, Price, SendingTime and checksum verdict (compared and counted, also
required to agree).

A difference is printed as  FILE msg N (frame F) FIELD: ours=X wireshark=Y.
Differences listed in tests/fix_known_differences.tsv
(FILE<TAB>FRAME|*<TAB>FIELD|*<TAB>REASON, FILE a glob) do not fail; the
pseudo-field `count` is the number of messages.

Usage: tests/fix_diff.py [--corpus DIR] [--bin PATH] [--verbose]
Without the corpus: prints `SKIP: corpus not found at DIR`, exits 77
(ctest: Skipped).
Prints per-file and per-field agreement; exit 1 on an unknown difference.
"""

import argparse
import csv
import datetime
import fnmatch
import glob
import io
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
KNOWN = os.path.join(REPO, "tests", "fix_known_differences.tsv")

COLUMNS = ("frame,stream,src,dest,srcport,destport,msgtype,seqnum,sender,target,"
           "clordid,sendtime,symbol,side,qty,price,bodylen,chkok,begin")
# our column -> Wireshark field, and whether agreement on it is required
FIELDS = [
    ("frame", "frame.number", True),
    ("msgtype", "fix.MsgType", True),
    ("seqnum", "fix.MsgSeqNum", True),
    ("sender", "fix.SenderCompID", True),
    ("target", "fix.TargetCompID", True),
    ("clordid", "fix.ClOrdID", True),
    ("stream", "tcp.stream", True),
    ("src", "ip.src", True),
    ("dest", "ip.dst", True),
    ("srcport", "tcp.srcport", True),
    ("destport", "tcp.dstport", True),
    ("begin", "fix.BeginString", True),
    ("bodylen", "fix.BodyLength", True),
    ("symbol", "fix.Symbol", True),
    ("side", "fix.Side", True),
    ("qty", "fix.OrderQty", True),
    ("price", "fix.Price", True),
    ("sendtime", "fix.SendingTime", True),
    ("chkok", "fix.checksum_good", True),
]
PER_MESSAGE = {"fix.BeginString", "fix.BodyLength", "fix.MsgType", "fix.MsgSeqNum",
               "fix.SenderCompID", "fix.TargetCompID", "fix.SendingTime", "fix.ClOrdID",
               "fix.OrderID", "fix.ExecID", "fix.Symbol", "fix.Side", "fix.OrderQty",
               "fix.Price", "fix.CheckSum", "fix.checksum_good"}


def wireshark_messages(path):
    """One dict per message, in stream order, from NAME.fix.tsv."""
    msgs = []
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    head = rows[0]
    for row in rows[1:]:
        rec = dict(zip(head, row))
        n = len(rec["fix.MsgType"].split(";"))
        for i in range(n):
            m = {}
            for k, v in rec.items():
                if k in PER_MESSAGE:
                    parts = v.split(";")
                    # a field absent from some messages of the frame: the
                    # aggregated list is shorter; only trust full lists
                    m[k] = parts[i] if len(parts) == n else (v if n == 1 else None)
                else:
                    m[k] = v
            msgs.append(m)
    return msgs


def expected(field, m):
    v = m.get(field)
    if v is None:
        return None
    if field == "fix.SendingTime" and v:
        # 20261127-13:19:00.024 -> q timestamp text
        main, _, frac = v.partition(".")
        d = datetime.datetime.strptime(main, "%Y%m%d-%H:%M:%S")
        return d.strftime("%Y.%m.%dD%H:%M:%S.") + (frac + "000000000")[:9]
    if field in ("fix.checksum_good",):
        return {"1": "1", "0": "0", "True": "1", "False": "0"}.get(v, v)
    return v


def ours_norm(col, v):
    return v


def load_known():
    known = []
    if os.path.exists(KNOWN):
        with open(KNOWN) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) >= 3:
                    known.append(parts[:3])
    return known


def is_known(known, name, frame, field):
    for g, fr, fd in known:
        if fnmatch.fnmatch(name, g) and fr in ("*", str(frame)) and fd in ("*", field):
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        corpus_sample.skip(a.corpus)
    files = sorted(glob.glob(os.path.join(a.corpus, "*.fix.tsv")))
    if not files:
        print("FAIL: no *.fix.tsv in %s (a corpus without its FIX oracle)" % a.corpus)
        return 1
    known = load_known()
    total_equal = {f[0]: 0 for f in FIELDS}
    total_cmp = {f[0]: 0 for f in FIELDS}
    unknown = 0
    msgs_matched = msgs_total = 0
    for oracle in files:
        cap = oracle[:-len(".fix.tsv")]
        name = os.path.basename(cap)
        ws = wireshark_messages(oracle)
        p = subprocess.run([a.bin, "--fix", "--columns", COLUMNS, cap],
                           capture_output=True, timeout=60)
        if p.returncode not in (0, 2):
            print("FAIL %s: exit %d: %s" % (name, p.returncode, p.stderr.decode()[:200]))
            unknown += 1
            continue
        ours = list(csv.DictReader(io.StringIO(p.stdout.decode("utf-8", "replace"))))
        msgs_total += len(ws)
        if len(ours) != len(ws) and not is_known(known, name, "*", "count"):
            print("%s count: ours=%d wireshark=%d" % (name, len(ours), len(ws)))
            unknown += 1
        file_diffs = 0
        matched = 0
        for i, (o, w) in enumerate(zip(ours, ws)):
            all_eq = True
            for col, wf, _req in FIELDS:
                e = expected(wf, w)
                if e is None:
                    continue
                total_cmp[col] += 1
                if o[col] == e:
                    total_equal[col] += 1
                    continue
                all_eq = False
                if is_known(known, name, w["frame.number"], col):
                    continue
                file_diffs += 1
                unknown += 1
                if file_diffs <= 20 or a.verbose:
                    print("%s msg %d (frame %s) %s: ours=%r wireshark=%r"
                          % (name, i + 1, w["frame.number"], col, o[col], e))
            matched += all_eq
        msgs_matched += matched
        print("%s: %d/%d messages agree in every field (ours %d rows)"
              % (name, matched, len(ws), len(ours)))
    print("per field (equal/compared):")
    for col, _wf, _req in FIELDS:
        print("  %-9s %d/%d" % (col, total_equal[col], total_cmp[col]))
    print("messages matched: %d/%d" % (msgs_matched, msgs_total))
    print("%s: %d unknown differences" % ("FAIL" if unknown else "PASS", unknown))
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
