#!/usr/bin/env python3
"""--flows against tshark's conversation table, over ../shared/corpus.

tests/flows_conv_expected.tsv holds, for every corpus capture with TCP, what

    tshark -n -q -r NAME -z conv,tcp          (tshark 4.0.17)

printed: one line per conversation, FILE, address and port of side A (the
sender of the conversation's first frame), of side B, then frames and bytes
A->B and B->A, bytes exactly as tshark prints them ("2024 bytes", "498 kB":
format_size(), SI prefixes, truncated). `corpus_flows.py --regen` rewrites it
(that needs tshark); the test itself does not need tshark.

A capture with TCP segments (tshark gave a frame a tcp.stream) but no
conversation there is compared too: tshark's table leaves out a segment
whose TCP options made its dissector throw, and so a connection all of
whose segments did.

For each file the test runs `pcap2kdb --flows NAME` and matches its rows
(src = side A) with the conversations by endpoints; several conversations on
the same endpoints (ports reused) are compared as a multiset.  Frames must be
equal, and swire/dwire printed like tshark must give tshark's text.  Rows
with the same `stream` are added up first: a connection's packets that come
after its row was written (closed and quiet for 10 s) make a further row
with its stream (README, "Connection rows"), where tshark's table, one
conversation per tcp.stream, has one (the corpus has none today).
Differences must be listed with their reason in
tests/known_flows_differences.tsv (FILE<TAB>A:PORT-B:PORT|*<TAB>REASON, FILE
may be a glob).  Exit 1 on an unknown difference or a crash; exit 77 (ctest:
Skipped) without the corpus.  Also fails when fewer than 95 % of the conversations agree (known
differences count as disagreement: most are encapsulations not decoded yet).
"""

import argparse
import csv
import fnmatch
import io
import os
import re
import subprocess
import sys
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
EXPECTED = os.path.join(REPO, "tests", "flows_conv_expected.tsv")
KNOWN = os.path.join(REPO, "tests", "known_flows_differences.tsv")
TIMEOUT = 20
MIN_AGREEMENT = 95.0

CONV_RE = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+) (\d+ bytes|\d+ [kMGT]B)\s+"
                     r"(\d+) (\d+ bytes|\d+ [kMGT]B)\s+")


def format_size(n):
    """wsutil/str_util.c format_size(n, FORMAT_SIZE_UNIT_BYTES, 0), 4.0."""
    p = 1000
    for div, pfx in ((p ** 4, "T"), (p ** 3, "G"), (p ** 2, "M"), (p, "k")):
        if n // div >= 10:
            return "%d %sB" % (n // div, pfx)
    return "%d bytes" % n


def split_ep(s):
    addr, _, port = s.rpartition(":")
    return addr, port


def tcp_captures(corpus):
    return sorted(f[:-len(".tshark.tsv")] for f in os.listdir(corpus)
                  if f.endswith(".tshark.tsv"))


def has_tcp(corpus, name):
    """Whether the capture is there and tshark gave one of its frames a
    tcp.stream (a TCP segment)."""
    path = os.path.join(corpus, name)
    if not os.path.exists(path):
        return False
    with open(path + ".tshark.tsv", encoding="utf-8", errors="replace") as fp:
        hdr = fp.readline().rstrip("\n").split("\t")
        if "tcp.stream" not in hdr:
            return False
        i = hdr.index("tcp.stream")
        return any(len(l.split("\t")) > i and l.split("\t")[i] for l in fp)


def conv_lines(name, path):
    """tshark's conversation table of the capture at path, as lines of the
    expected file (FILE being name)."""
    p = subprocess.run(["tshark", "-n", "-q", "-r", path, "-z", "conv,tcp"],
                       capture_output=True, text=True)
    out = []
    for line in p.stdout.splitlines():
        m = CONV_RE.match(line)
        if not m:
            continue
        (aa, ap), (ba, bp) = split_ep(m.group(1)), split_ep(m.group(2))
        # columns: "<-" (B to A) first, then "->" (A to B)
        out.append("\t".join([name, aa, ap, ba, bp, m.group(5), m.group(6),
                              m.group(3), m.group(4)]))
    return out


def regen(corpus, path):
    names = tcp_captures(corpus)
    out = ["# tshark 4.0.17 conversation table of each corpus capture with TCP, made by",
           "#   tests/corpus_flows.py --regen, which runs",
           "#   tshark -n -q -r ../shared/corpus/NAME -z conv,tcp",
           "# and keeps each row: FILE A_ADDR A_PORT B_ADDR B_PORT FRAMES_A_TO_B",
           "# BYTES_A_TO_B FRAMES_B_TO_A BYTES_B_TO_A (tshark's '->' then '<-' columns;",
           "# bytes as tshark prints them)."]
    for n in names:
        if has_tcp(corpus, n):
            out += conv_lines(n, os.path.join(corpus, n))
    with open(path, "w", encoding="utf-8") as fp:
        fp.write("\n".join(out) + "\n")
    print("wrote %s: %d conversations" % (path, len(out) - 6))
    return 0


def load_known(path):
    known = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fp:
            for ln, line in enumerate(fp, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                p = line.split("\t")
                if len(p) < 3 or not p[2].strip():
                    sys.exit("%s:%d: needs FILE, CONVERSATION and a REASON" % (path, ln))
                known.append({"file": p[0], "conv": p[1], "reason": p[2], "hits": 0,
                              "line": ln})
    return known


def stream_totals(flows_csv):
    """--flows rows added up by stream: {stream: (endpoints, [spkts, swire,
    dpkts, dwire])}. A further row of a connection's late packets has its
    connection's stream and sides, so its counts add to the first row's, as
    tshark's table counts them in the one conversation of the tcp.stream."""
    streams = {}
    for r in csv.DictReader(io.StringIO(flows_csv.decode("utf-8", "replace"))):
        key = "%s:%s-%s:%s" % (r["src"], r["srcport"], r["dest"], r["destport"])
        _, tot = streams.setdefault(r["stream"], (key, [0, 0, 0, 0]))
        for i, col in enumerate(("spkts", "swire", "dpkts", "dwire")):
            tot[i] += int(r[col])
    return streams


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--expected", default=EXPECTED,
                    help="tshark's tables (default tests/flows_conv_expected.tsv)")
    ap.add_argument("--known", default=KNOWN,
                    help="known differences (default tests/known_flows_differences.tsv)")
    ap.add_argument("--regen", action="store_true", help="rewrite the expected file (tshark)")
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args()
    corpus = os.path.normpath(a.corpus)
    if not os.path.isdir(corpus):
        corpus_sample.skip(corpus)
    if a.regen:
        return regen(corpus, a.expected)
    expected = defaultdict(lambda: defaultdict(list))
    with open(a.expected, encoding="utf-8") as fp:
        for line in fp:
            if line.startswith("#") or not line.strip():
                continue
            f, aa, ap_, ba, bp, fab, bab, fba, bba = line.rstrip("\n").split("\t")
            expected[f]["%s:%s-%s:%s" % (aa, ap_, ba, bp)].append(
                (int(fab), bab, int(fba), bba))
    # a capture with TCP segments but no conversation in tshark's table
    # (every segment's TCP dissection threw) is compared too: its rows
    # have no conversation to match
    for name in tcp_captures(corpus):
        if name not in expected and has_tcp(corpus, name):
            expected[name] = defaultdict(list)
    known = load_known(a.known)
    total = agree = 0
    unknown, fatal = [], []
    for name in sorted(expected):
        path = os.path.join(corpus, name)
        try:
            p = subprocess.run([a.bin, "--flows", path], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            fatal.append("%s: timeout" % name)
            continue
        if p.returncode < 0 or p.returncode > 2:
            fatal.append("%s: exit %d" % (name, p.returncode))
            continue
        ours = defaultdict(list)
        for key, (spkts, swire, dpkts, dwire) in stream_totals(p.stdout).values():
            ours[key].append((spkts, format_size(swire), dpkts, format_size(dwire)))
        for key in sorted(set(expected[name]) | set(ours)):
            exp = sorted(expected[name].get(key, []))
            got = sorted(ours.get(key, []))
            n = max(len(exp), len(got))
            total += n
            same = sum(min(exp.count(x), got.count(x)) for x in set(exp))
            agree += same
            if same == n:
                continue
            k = next((k for k in known if fnmatch.fnmatchcase(name, k["file"])
                      and k["conv"] in ("*", key)), None)
            line = "%s %s: ours=%s tshark=%s" % (name, key, got, exp)
            if k:
                k["hits"] += 1
                if a.verbose:
                    print("known: %s (%s)" % (line, k["reason"]))
            else:
                unknown.append(line)
    for u in unknown:
        print(u)
    for k in known:
        if k["hits"] == 0:
            print("warning: %s:%d: stale known difference %s %s"
                  % (a.known, k["line"], k["file"], k["conv"]))
    for m in fatal:
        print("FATAL: " + m)
    pct = 100.0 * agree / total if total else 100.0
    print("conversations: %d/%d agree (%.3f%%), %d unknown differences"
          % (agree, total, pct, len(unknown)))
    ok = not unknown and not fatal and pct >= MIN_AGREEMENT
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
