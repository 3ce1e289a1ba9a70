#!/usr/bin/env python3
"""Type grammar test over the CSV output and --schema.

1. --schema prints exactly  NAME:("TYPES";enlist",") 0: `:out.csv  with the
   q type of README's column tables for every column: each column alone, all together, the
   default list, and --table changes NAME.  Every column the binary accepts
   must have a type in EXPECTED below (a new column needs its README type
   here too).
2. An unknown column name exits 1 and lists exactly the valid columns.
3. For every capture of testdata/ and ../shared/corpus (skipped with a message
   when absent), with all columns (--data-max 16): the header equals the
   column names, every row has exactly one field per column, and every
   non-empty value parses with its column's q type:
     P  YYYY.MM.DDDhh:mm:ss.nnnnnnnnn, a valid date and time inside q's
        timestamp range
     I  32-bit signed, not -2147483648 (0Ni) nor 2147483647 (0Wi)
     J  64-bit signed, not the null nor the infinities
     S  no comma, double quote, CR or LF
     *  (data) lowercase hex, whole bytes, at most --data-max bytes

Usage: tests/csv_types_check.py [--bin PATH] [--corpus DIR] [--jobs N]
The last line is `N passed, N failed`; exit status 1 on any failure.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qscript_check import QError, check_span, check_timestamp  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
CAPTURE_EXT = (".pcap", ".pcapng", ".cap")
DATA_MAX = 16

# The q type of each column, from README's column tables (the first round's).
EXPECTED = {
    "time": "P", "sym": "S", "src": "S", "dest": "S", "srcport": "I", "destport": "I",
    "protocol": "S", "flags": "S", "seq": "J", "ack": "J", "win": "J", "tsval": "J",
    "tsecr": "J", "length": "I", "len": "I",
    "frame": "J", "caplen": "I", "iface": "I", "linktype": "S", "vlan": "I", "ttl": "I",
    "ipid": "I", "stream": "J", "rseq": "J", "rack": "J", "rawwin": "I", "wscale": "I",
    "mss": "I", "analysis": "S", "data": "*",
    "hwtime": "P", "hwdev": "I", "hwport": "I", "hash": "J",  # #17
}
# Added since, one line per issue
EXPECTED.update({"hwtime": "P", "hwdev": "I", "hwport": "I", "hash": "J"})  # #17
EXPECTED.update({"tunnel": "S", "tsrc": "S", "tdest": "S", "tid": "J"})  # #15
EXPECTED.update({"inflight": "J", "pushbytes": "J", "ackrtt": "N", "acked": "J",
                 "irtt": "N"})  # #16
EXPECTED.update({"file": "S", "smac": "S", "dmac": "S", "ethertype": "S"})  # #18
DEFAULT = "time,sym,src,dest,srcport,destport,protocol,flags,seq,ack,win,tsval,tsecr," \
          "length,len".split(",")

INT_RE = re.compile(r"-?(0|[1-9][0-9]*)\Z")
HEX_RE = re.compile(r"(?:[0-9a-f]{2})*\Z")
RANGE = {"I": (-(2**31) + 1, 2**31 - 2), "J": (-(2**63) + 1, 2**63 - 2)}


def run(binary, args, timeout=60):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), \
        p.stderr.decode("utf-8", "replace")


def value_problem(v, t):
    """Why text v is not a value of q type t (None if it is)."""
    if t == "P":
        try:
            check_timestamp(v)
        except QError as e:
            return str(e)
        return None
    if t == "N":
        try:
            check_span(v)
        except QError as e:
            return str(e)
        return None
    if t in RANGE:
        if not INT_RE.match(v):
            return "not an integer"
        lo, hi = RANGE[t]
        if not lo <= int(v) <= hi:
            return "outside %d..%d (q %s null/infinity/overflow)" % (lo, hi, t)
        return None
    if t == "S":
        if any(c in v for c in ',"\r\n'):
            return "symbol text with a comma, quote, CR or LF"
        return None
    if t == "*":
        if not HEX_RE.match(v):
            return "not lowercase hex of whole bytes"
        if len(v) > 2 * DATA_MAX:
            return "more than --data-max %d bytes" % DATA_MAX
        return None
    return "unknown q type %r" % t


def check_capture(binary, capture, cols, types):
    try:
        rc, out, err = run(binary, ["--columns", ",".join(cols), "--data-max", str(DATA_MAX),
                                    capture])
    except subprocess.TimeoutExpired:
        return ["timeout"]
    probs = []
    if rc not in (0, 1, 2):
        probs.append("exit code %d: %s" % (rc, err[:200]))
    if out == "":  # no input a capture: not even the header line
        return probs + (["no output, exit 0"] if rc == 0 else [])
    if not out.endswith("\n"):
        return probs + ["output does not end with a newline"]
    lines = out[:-1].split("\n")
    if lines[0] != ",".join(cols):
        probs.append("header %r, expected the column names" % lines[0][:200])
    for n, line in enumerate(lines[1:], start=1):
        fields = line.split(",")
        if len(fields) != len(cols):
            probs.append("row %d: %d fields for %d columns" % (n, len(fields), len(cols)))
            continue
        for c, t, v in zip(cols, types, fields):
            if v == "":
                continue
            why = value_problem(v, t)
            if why:
                probs.append("row %d %s=%r: %s" % (n, c, v[:80], why))
        if len(probs) > 20:
            probs.append("...")
            break
    return probs


def schema_line(table, types):
    # one type letter alone would be a char atom in q: enlisted
    t = ('enlist"%s"' if len(types) == 1 else '"%s"') % types
    return '%s:(%s;enlist",") 0: `:out.csv\n' % (table, t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--jobs", type=int, default=2)
    part = ap.add_mutually_exclusive_group()
    part.add_argument("--no-corpus", action="store_true", help="testdata and the options only")
    part.add_argument("--corpus-only", action="store_true",
                      help="only the corpus captures: a sample (tests/corpus_sample.py) "
                           "unless PCAP2KDB_FULL=1; exit 77 when the corpus is absent")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        print("csv_types_check: %s not found (build first)" % binary)
        return 1
    passed = failed = 0

    def result(ok, msg):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL " + msg)

    # Unknown column: exit 1 and the list of valid ones.
    rc, out, err = run(binary, ["--columns", "time,no_such_column"])
    m = re.search(r"unknown column 'no_such_column'; valid columns: (\S+)", err)
    result(rc == 1 and out == "" and m is not None,
           "unknown column: expected exit 1 with 'valid columns: ...', got %d %r" % (rc, err))
    cols = m.group(1).split(",") if m else list(EXPECTED)
    result(set(cols) == set(EXPECTED) and len(cols) == len(set(cols)),
           "the binary's columns %s differ from README's %s (new column: add its q type "
           "to README and EXPECTED)" % (sorted(set(cols) ^ set(EXPECTED)), ""))
    cols = [c for c in cols if c in EXPECTED]
    types = [EXPECTED[c] for c in cols]
    for bad in ("", "time,,len", "Time", "time,"):
        rc, out, err = run(binary, ["--columns", bad, "--schema"])
        result(rc == 1 and out == "" and "valid columns" in err,
               "--columns %r: expected a usage error listing the columns, got %d %r"
               % (bad, rc, out))

    # --schema: each column alone, all together, the default, --table.
    for c in cols:
        rc, out, _ = run(binary, ["--schema", "--columns", c])
        result(rc == 0 and out == schema_line("pcap", EXPECTED[c]),
               "--schema --columns %s: %r, expected %r" % (c, out, schema_line("pcap",
                                                                                EXPECTED[c])))
    rc, out, _ = run(binary, ["--schema", "--columns", ",".join(cols)])
    result(rc == 0 and out == schema_line("pcap", "".join(types)),
           "--schema with all columns: %r" % out)
    rc, out, _ = run(binary, ["--schema"])
    result(rc == 0 and out == schema_line("pcap", "".join(EXPECTED[c] for c in DEFAULT)),
           "--schema (default columns): %r" % out)
    rc, out, _ = run(binary, ["--schema", "--table", "x", "--columns", "len,time,data,sym"])
    result(rc == 0 and out == schema_line("x", "IP*S"), "--schema --table x: %r" % out)
    rc, out, _ = run(binary, ["--table", "trades", "--schema"])
    result(rc == 0 and out.startswith("trades:(\""), "--table trades --schema: %r" % out)
    # --schema names the -o file, and with --no-header loads a header-less
    # file (names from the line itself) and in chunks with .Q.fs (#18 item 5).
    rc, out, _ = run(binary, ["--schema", "-o", "x.csv", "--columns", "len,sym"])
    result(rc == 0 and out == 'pcap:("IS";enlist",") 0: `:x.csv\n',
           "--schema -o x.csv: %r" % out)
    rc, out, _ = run(binary, ["--schema", "--no-header", "--columns", "len,time,data,sym"])
    flip = 'flip `len`time`data`sym!("IP*S";",") 0: '
    result(rc == 0 and out == 'pcap:%s`:out.csv\n.Q.fs[{`pcap insert %sx}] `:out.csv\n'
           % (flip, flip), "--schema --no-header: %r" % out)
    rc, out, _ = run(binary, ["--schema", "--no-header", "--kdb", "--columns", "sym,len",
                              "-o", "k.csv"])
    flip = 'flip `sym`len!("SJ";",") 0: '
    result(rc == 0 and out == 'kdb:%s`:k.csv\n.Q.fs[{`kdb insert %sx}] `:k.csv\n'
           % (flip, flip), "--kdb --schema --no-header -o k.csv: %r" % out)
    rc, out, _ = run(binary, ["--schema", "-f", "q", "-o", "t.q", "--table", "t"])
    result(rc == 0 and out == "/ creates table t\n\\l t.q\n", "--schema -f q -o t.q: %r" % out)

    # Every value of every capture, all columns.
    testdata = os.path.join(REPO, "testdata")
    caps = sorted(os.path.join(testdata, f) for f in os.listdir(testdata)
                  if f.endswith(CAPTURE_EXT))
    corpus = os.path.normpath(a.corpus)
    if a.corpus_only:
        if not os.path.isdir(corpus):
            corpus_sample.skip(corpus)
        names = corpus_sample.require(
            corpus, sorted(f for f in os.listdir(corpus) if f.endswith(CAPTURE_EXT)))
        picked = corpus_sample.sample(corpus, names)
        print("corpus: %d of %d captures%s" % (len(picked), len(names), "" if
              len(picked) == len(names) else " (a sample; PCAP2KDB_FULL=1 for all)"))
        caps = [os.path.join(corpus, f) for f in picked]
    elif a.no_corpus:
        pass
    elif os.path.isdir(corpus):
        caps += sorted(os.path.join(corpus, f) for f in os.listdir(corpus)
                       if f.endswith(CAPTURE_EXT))
    else:
        print("SKIP: corpus not found at %s (testdata only)" % corpus)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        futs = [(c, ex.submit(check_capture, binary, c, cols, types)) for c in caps]
        for c, fut in futs:
            probs = fut.result()
            result(not probs, "%s:\n  %s" % (os.path.basename(c), "\n  ".join(probs[:10])))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
