#!/usr/bin/env python3
"""Differential test of the TCP number columns (issue 16) against the tshark
oracle: for every capture NAME of ../shared/corpus whose NAME.tshark.tsv has
the fields, run

    pcap2kdb --columns frame,inflight,pushbytes,ackrtt,acked,irtt NAME

and compare frame by frame:

    inflight    tcp.analysis.bytes_in_flight
    pushbytes   tcp.analysis.push_bytes_sent
    ackrtt      tcp.analysis.ack_rtt       (seconds, 9 digits; ours a q timespan)
    acked       tcp.analysis.acks_frame
    irtt        tcp.analysis.initial_rtt

A column counts the frames where either side has a value; it agrees when
both have the same value. Every difference is printed with --verbose. The
run FAILS (exit 1) when a column agrees on fewer than 99.9 % of its frames,
or on a crash or timeout; frames of the captures listed in
tests/known_numbers_differences.tsv (with the reason) are counted apart.
Without the corpus: SKIP, exit 77.
"""

import argparse
import fnmatch
import glob
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
DEFAULT_KNOWN = os.path.join(REPO, "tests", "known_numbers_differences.tsv")
MIN_AGREEMENT = 99.9
TIMEOUT = 30

COLUMNS = ["inflight", "pushbytes", "ackrtt", "acked", "irtt"]
FIELD = {"inflight": "tcp.analysis.bytes_in_flight",
         "pushbytes": "tcp.analysis.push_bytes_sent",
         "ackrtt": "tcp.analysis.ack_rtt",
         "acked": "tcp.analysis.acks_frame",
         "irtt": "tcp.analysis.initial_rtt"}
TIMES = {"ackrtt", "irtt"}


def seconds_ns(text):
    """'0.000123000' or '-0.5' -> integer nanoseconds."""
    neg = text.startswith("-")
    text = text.lstrip("-")
    whole, _, frac = text.partition(".")
    ns = int(whole or 0) * 10**9 + int((frac + "000000000")[:9])
    return -ns if neg else ns


def timespan_ns(text):
    """q timespan '0D00:00:00.000123456' -> integer nanoseconds."""
    neg = text.startswith("-")
    text = text.lstrip("-")
    days, _, rest = text.partition("D")
    hms, _, frac = rest.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    ns = ((int(days) * 24 + h) * 60 + m) * 60 + s
    ns = ns * 10**9 + int((frac + "000000000")[:9])
    return -ns if neg else ns


def oracle_value(col, text):
    text = text.split(";")[0]
    if text == "":
        return None
    return seconds_ns(text) if col in TIMES else int(text)


def our_value(col, text):
    if text == "":
        return None
    return timespan_ns(text) if col in TIMES else int(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--known", default=DEFAULT_KNOWN)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--sample", action="store_true",
                    help="only the sample of tests/corpus_sample.py (the sanitizer "
                         "build), unless PCAP2KDB_FULL=1")
    ap.add_argument("files", nargs="*", help="corpus file names (default: all)")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        corpus_sample.skip(a.corpus)
    known = []
    with open(a.known, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                known.append(line.rstrip("\n").split("\t")[0])
    names = a.files or sorted(os.path.basename(p)[:-len(".tshark.tsv")]
                              for p in glob.glob(os.path.join(a.corpus, "*.tshark.tsv")))
    corpus_sample.require(a.corpus, names, "tshark decodes (*.tshark.tsv)")
    if a.sample and not a.files:
        names = corpus_sample.sample(a.corpus, names)
    total = {c: 0 for c in COLUMNS}
    total_all = {c: 0 for c in COLUMNS}
    agree_all = {c: 0 for c in COLUMNS}
    agree = {c: 0 for c in COLUMNS}
    diffs = []
    failures = 0
    for name in names:
        with open(os.path.join(a.corpus, name + ".tshark.tsv"), encoding="utf-8",
                  errors="replace") as f:
            header = f.readline().rstrip("\n").split("\t")
            if FIELD["inflight"] not in header:
                continue
            idx = {h: i for i, h in enumerate(header)}
            oracle = {}
            for line in f:
                v = line.rstrip("\n").split("\t")
                oracle[int(v[idx["frame.number"]])] = {
                    c: oracle_value(c, v[idx[FIELD[c]]]) for c in COLUMNS}
        try:
            p = subprocess.run([a.bin, "--columns", "frame," + ",".join(COLUMNS),
                                os.path.join(a.corpus, name)], capture_output=True,
                               timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            print("FAIL %s: timeout" % name)
            failures += 1
            continue
        if p.returncode not in (0, 2) or p.returncode < 0:
            print("FAIL %s: exit %d" % (name, p.returncode))
            failures += 1
            continue
        ours = {}
        for line in p.stdout.decode().splitlines():
            v = line.split(",")
            if not v[0].isdigit():
                continue       # the header line
            ours[int(v[0])] = {c: our_value(c, v[i + 1]) for i, c in enumerate(COLUMNS)}
        for frame, want in oracle.items():
            got = ours.get(frame, {c: None for c in COLUMNS})
            for c in COLUMNS:
                if want[c] is None and got[c] is None:
                    continue
                listed = any(fnmatch.fnmatch(name, k) for k in known)
                total_all[c] += 1
                agree_all[c] += want[c] == got[c]
                if not listed:
                    total[c] += 1
                    agree[c] += want[c] == got[c]
                if want[c] != got[c]:
                    diffs.append((name, frame, c, want[c], got[c]))
    if a.verbose:
        for d in diffs:
            print("DIFF %s frame %d %s: tshark %s, ours %s" % d)
    bad = failures
    for c in COLUMNS:
        pct = 100.0 * agree[c] / total[c] if total[c] else 100.0
        ok = pct >= MIN_AGREEMENT
        bad += not ok
        pct_all = 100.0 * agree_all[c] / total_all[c] if total_all[c] else 100.0
        print("%-10s %8d / %8d frames agree (%.3f %%)%s; all files: %d / %d (%.3f %%)"
              % (c, agree[c], total[c], pct, "" if ok else "  FAIL", agree_all[c],
                 total_all[c], pct_all))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
