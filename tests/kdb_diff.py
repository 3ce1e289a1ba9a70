#!/usr/bin/env python3
"""Differential test of `pcap2kdb --kdb` against the kdb+ IPC ground truth.

For every capture NAME in the corpus that has NAME.kdb.csv (the traffic
generator's own log of every message it sent; see ../shared/corpus/README.md),
run

    pcap2kdb --kdb --columns srcport,destport,msgtype,compressed,len,ulen,
             func,table,rows,status NAME

and compare, per connection direction (source port -> destination port) and
in order, the same messages with the same msgtype, compressed, len, ulen,
func, table and rows. The log is in send order per direction, so the n-th
message we find in a direction is compared with the n-th the generator sent
in it. Every message must also have status `ok`.

A difference is printed as  FILE SPORT>DPORT msg N FIELD: ours=X truth=Y.
Differences listed in tests/kdb_known_differences.tsv
(FILE<TAB>SPORT>DPORT|*<TAB>N|*<TAB>FIELD|*<TAB>REASON, FILE a glob) do not
fail; the pseudo-field `count` is the number of messages of a direction.

Usage: tests/kdb_diff.py [--corpus DIR] [--bin PATH] [--verbose]
Without the corpus: prints `SKIP: corpus not found at DIR`, exits 77
(ctest: Skipped).
Prints per-field agreement (messages matched / total); exit 1 on an unknown
difference.
"""

import argparse
import csv
import fnmatch
import glob
import io
import os
import subprocess
import sys
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
KNOWN = os.path.join(REPO, "tests", "kdb_known_differences.tsv")

COLUMNS = "srcport,destport,msgtype,compressed,len,ulen,func,table,rows,status"
FIELDS = ["msgtype", "compressed", "len", "ulen", "func", "table", "rows"]


def load_known(path):
    known = []
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 5:
                sys.exit("%s: bad line: %r" % (path, line))
            known.append(tuple(parts[:5]))
    return known


def is_known(known, name, conn, n, field):
    for f, c, m, fld, _ in known:
        if (fnmatch.fnmatch(name, f) and c in ("*", conn) and m in ("*", str(n))
                and fld in ("*", field)):
            return True
    return False


def truth_rows(path):
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            yield (r["sport"] + ">" + r["dport"], {
                "msgtype": r["msgtype"],
                "compressed": "1" if r["compressed"] == "True" else "0",
                "len": r["len"], "ulen": r["ulen"], "func": r["func"],
                "table": r["table"], "rows": r["rows"],
            })


def our_rows(binary, capture):
    p = subprocess.run([binary, "--kdb", "--columns", COLUMNS, capture],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit("%s: pcap2kdb exited %d" % (capture, p.returncode))
    for r in csv.DictReader(io.StringIO(p.stdout.decode(errors="replace"))):
        yield (r["srcport"] + ">" + r["destport"], r)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        corpus_sample.skip(a.corpus)
    truths = sorted(glob.glob(os.path.join(a.corpus, "*.kdb.csv")))
    if not truths:
        print("FAIL: no *.kdb.csv in %s (a corpus without its kdb+ oracle)" % a.corpus)
        return 1
    known = load_known(KNOWN)
    unknown = 0
    for tpath in truths:
        capture = tpath[:-len(".kdb.csv")]
        name = os.path.basename(capture)
        want = defaultdict(list)
        for conn, r in truth_rows(tpath):
            want[conn].append(r)
        got = defaultdict(list)
        for conn, r in our_rows(a.bin, capture):
            got[conn].append(r)
        agree = defaultdict(int)
        total = 0
        diffs = []
        for conn in sorted(set(want) | set(got)):
            w, g = want.get(conn, []), got.get(conn, [])
            if len(w) != len(g):
                diffs.append((conn, "*", "count", len(g), len(w)))
            for i in range(max(len(w), len(g))):
                total += i < len(w)
                if i >= len(w) or i >= len(g):
                    continue
                if g[i]["status"] != "ok":
                    diffs.append((conn, i + 1, "status", g[i]["status"], "ok"))
                for f in FIELDS:
                    if g[i][f] == w[i][f]:
                        agree[f] += 1
                    else:
                        diffs.append((conn, i + 1, f, g[i][f], w[i][f]))
        nmsgs = sum(len(v) for v in got.values())
        print("%s: %d messages found, %d in the ground truth" % (name, nmsgs, total))
        for f in FIELDS:
            print("  %-10s %d/%d" % (f, agree[f], total))
        for conn, n, f, ours, truth in diffs:
            k = is_known(known, name, conn, n, f)
            if not k:
                unknown += 1
            if not k or a.verbose:
                print("%s%s %s msg %s %s: ours=%s truth=%s" %
                      ("known: " if k else "", name, conn, n, f, ours, truth))
    if unknown:
        print("%d unknown difference(s)" % unknown)
        return 1
    print("all agree (apart from known differences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
