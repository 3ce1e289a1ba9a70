#!/usr/bin/env python3
"""Differential test of the `analysis` column against the tshark oracle.

For every capture NAME of ../shared/corpus whose NAME.tshark.tsv has the
tcp.analysis.* fields, run

    pcap2kdb --columns frame,analysis NAME

and compare, frame by frame, each finding with the oracle's field:

    ours                      tshark 4.0.17 field
    retransmission            tcp.analysis.retransmission, unless also
                              fast_retransmission or spurious_retransmission
                              (Wireshark adds the retransmission expert to both)
    fast_retransmission       tcp.analysis.fast_retransmission
    spurious_retransmission   tcp.analysis.spurious_retransmission
    dup_ack                   tcp.analysis.duplicate_ack
    (every other finding)     tcp.analysis.<same name>

A frame agrees on a finding when both flag it or neither does.  The totals
count the TCP frames of the oracle (tcp.stream set).  Each difference must be
listed, with its reason, in tests/known_analysis_differences.tsv:

    FILE<TAB>FRAME|*<TAB>FINDING|*<TAB>REASON      (FILE may be a glob)

The run FAILS (exit 1) on a difference not listed there, on a crash or
timeout, or when a finding agrees on fewer than 99 % of the frames (known
differences count as disagreement).  Without the corpus: SKIP, exit 77 (ctest: Skipped).
"""

import argparse
import fnmatch
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
DEFAULT_KNOWN = os.path.join(REPO, "tests", "known_analysis_differences.tsv")
MIN_AGREEMENT = 99.0
TIMEOUT = 20

FINDINGS = ["retransmission", "fast_retransmission", "spurious_retransmission",
            "out_of_order", "lost_segment", "ack_lost_segment", "dup_ack",
            "zero_window", "zero_window_probe", "zero_window_probe_ack",
            "keep_alive", "keep_alive_ack", "window_full", "window_update",
            "reused_ports"]
FIELD = {f: "tcp.analysis." + f for f in FINDINGS}
FIELD["dup_ack"] = "tcp.analysis.duplicate_ack"


def oracle_findings(d):
    got = {f for f in FINDINGS if d.get(FIELD[f], "") != ""}
    if got & {"fast_retransmission", "spurious_retransmission"}:
        got.discard("retransmission")
    return got


def read_oracle(path):
    got = corpus_sample.read_tshark(path)
    if got is None or FIELD["retransmission"] not in got[0]:
        return None
    return got[1]


def load_known(path):
    known = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fp:
            for ln, line in enumerate(fp, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                p = line.split("\t")
                if len(p) < 4 or not p[3].strip():
                    print("%s:%d: needs FILE, FRAME, FINDING and a REASON" % (path, ln),
                          file=sys.stderr)
                    sys.exit(2)
                known.append({"file": p[0], "frame": p[1], "finding": p[2],
                              "reason": p[3], "line": ln, "hits": 0})
    return known


def is_known(known, fname, frame, finding):
    for k in known:
        if fnmatch.fnmatchcase(fname, k["file"]) and k["frame"] in ("*", str(frame)) \
                and k["finding"] in ("*", finding):
            k["hits"] += 1
            return k
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--known", default=DEFAULT_KNOWN)
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--sample", action="store_true",
                    help="only the sample of tests/corpus_sample.py (the sanitizer "
                         "tier; PCAP2KDB_FULL=1 turns it off)")
    a = ap.parse_args()
    corpus = os.path.normpath(a.corpus)
    if not os.path.isdir(corpus):
        corpus_sample.skip(corpus)
    known = load_known(a.known)
    names = sorted(f[:-len(".tshark.tsv")] for f in os.listdir(corpus)
                   if f.endswith(".tshark.tsv"))
    names = [n for n in names if os.path.exists(os.path.join(corpus, n))]
    corpus_sample.require(corpus, names, "captures with a tshark decode")
    if a.sample:
        names = corpus_sample.sample(corpus, names)
    if a.only:
        names = [n for n in names if any(s in n for s in a.only)]
    stats = {f: [0, 0, 0, 0, 0] for f in FINDINGS}  # frames, agree, both, ours, tshark
    unknown, fatal = [], []
    for name in names:
        oracle = read_oracle(os.path.join(corpus, name + ".tshark.tsv"))
        if oracle is None:
            continue
        try:
            p = subprocess.run([a.bin, "--columns", "frame,analysis",
                                os.path.join(corpus, name)], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            fatal.append("%s: timeout" % name)
            continue
        if p.returncode < 0 or p.returncode > 2:
            fatal.append("%s: exit %d" % (name, p.returncode))
            continue
        ours = {}
        for line in p.stdout.decode("utf-8", "replace").split("\n")[1:]:
            if not line:
                continue
            fr, _, an = line.partition(",")
            ours[int(fr)] = set(an.split("|")) if an else set()
        for fn, d in oracle.items():
            if d.get("tcp.stream", "") == "":
                continue
            theirs = oracle_findings(d)
            mine = ours.get(fn, set())
            for f in FINDINGS:
                st = stats[f]
                st[0] += 1
                o, t = f in mine, f in theirs
                st[3] += o
                st[4] += t
                if o and t:
                    st[2] += 1
                if o == t:
                    st[1] += 1
                    continue
                k = is_known(known, name, fn, f)
                line = "%s frame %d %s: ours=%d tshark=%d" % (name, fn, f, o, t)
                if k:
                    if a.verbose:
                        print("known: %s (%s)" % (line, k["reason"]))
                else:
                    unknown.append(line)
    for u in unknown:
        print(u)
    print()
    print("%-24s %8s %8s %9s %6s %6s %6s" % ("finding", "frames", "agree", "agreement",
                                           "both", "ours", "tshark"))
    ok = not unknown and not fatal
    for f in FINDINGS:
        n, eq, both, o, t = stats[f]
        pct = 100.0 * eq / n if n else 100.0
        print("%-24s %8d %8d %8.3f%% %6d %6d %6d" % (f, n, eq, pct, both, o, t))
        if pct < MIN_AGREEMENT:
            ok = False
            print("  %s agrees on %.3f%% < %.1f%%" % (f, pct, MIN_AGREEMENT))
    for k in known:
        if k["hits"] == 0 and not a.only:
            print("warning: %s:%d: stale known difference: %s %s %s"
                  % (a.known, k["line"], k["file"], k["frame"], k["finding"]))
    for m in fatal:
        print("FATAL: " + m)
    print("%d unknown differences, %d fatal" % (len(unknown), len(fatal)))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
