#!/usr/bin/env python3
"""Several live inputs in turn: the rows of one input are out before the
next one is opened (README "Live input").

    python3 tests/live_inputs_test.py PCAP2KDB_BINARY

`pcap2kdb -f q f1 f2` with f1 and f2 named pipes: once f1 has ended,
pcap2kdb waits in open("f2") until a writer opens it, for as long as that
takes. The rows decoded from f1 must be written before that wait, the
statement they are in ended, as at a pause of the input; before the fix
the rows of f1's last insert statement stayed unwritten until f2 opened.
Checked with -f q in every mode (packet, --fix, --kdb, --flows), with one
and two threads, and with a capture file before the FIFO.

The rows expected come from outside pcap2kdb: the packets this script
writes (frames 1..N, one TCP connection: stream 0), and the frame column
of the golden outputs of testdata/fix_bundle5.pcap and kdb_gap.pcap, which
tests/gen_fixdata.py's and tests/gen_kdb.py's models write.

The only timed verdict is a generous bound: f1's rows within ROWS_WITHIN
seconds while f2 has no writer (before the fix they never came).
"""

import csv
import os
import subprocess
import sys
import tempfile
import time

# everyday_test.py's pipe checks: one connection's 4-byte segments, and
# reading a pipe until a predicate holds or a deadline passes
from everyday_test import packet, pcap_header, read_until

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = None
failed = passed = 0

ROWS_WITHIN = 2.0        # f1's rows must be out this soon (they come in ms)
EVENT_TIMEOUT = 60.0     # anything else: only a broken binary gets near it


def check(name, ok, detail=""):
    global failed, passed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


PACKETS = 3
OWN_CAPTURE = pcap_header() + b"".join(packet(i) for i in range(1, PACKETS + 1))


def golden_frames(name):
    """The frame column of a golden output written by a model."""
    with open(os.path.join(ROOT, "testdata", name + ".out"), newline="") as f:
        return [row["frame"] for row in csv.DictReader(f)]


def testdata(name):
    with open(os.path.join(ROOT, "testdata", name + ".pcap"), "rb") as f:
        return f.read()


def first_column(text):
    """The first column's values of every complete insert statement in a
    -f q script: `t insert enlist 1 2 3` (one column) or `t insert (0;...)`
    and `t insert (0 1;...)` (several)."""
    values = []
    for line in text.split("\n")[:-1]:          # complete lines only
        if not line.startswith("`") or " insert " not in line:
            continue
        rest = line.split(" insert ", 1)[1]
        first = rest[len("enlist "):] if rest.startswith("enlist ") else rest[1:].split(";", 1)[0]
        values += [v.lstrip(",").rstrip("ijh") for v in first.split()]
    return values


def feed_fifo(path, data):
    """Opens the FIFO for writing (waits for pcap2kdb to open it), writes
    data, and closes it: that input's end."""
    with open(path, "wb") as f:
        f.write(data)


def run_case(name, mode_args, data, want, threads, first_is_file=False):
    with tempfile.TemporaryDirectory() as d:
        f1, f2 = os.path.join(d, "f1.pcap"), os.path.join(d, "f2.pcap")
        if first_is_file:
            with open(f1, "wb") as f:
                f.write(data)
        else:
            os.mkfifo(f1)
        os.mkfifo(f2)
        p = subprocess.Popen([BIN] + mode_args + ["-f", "q", "--threads", threads, f1, f2],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            if not first_is_file:
                feed_fifo(f1, data)
            # f2 has no writer yet: pcap2kdb waits in its open()
            got = lambda b: first_column(b.decode()) == want
            out, secs = read_until(p.stdout.fileno(), got, ROWS_WITHIN)
            check("%s --threads %s: f1's rows out while f2 waits for its writer (%.0f ms)"
                  % (name, threads, secs * 1000), got(out),
                  "rows %r, want %r; tail %r" % (first_column(out.decode()), want, out[-200:]))
            feed_fifo(f2, data)
            rest, _ = read_until(p.stdout.fileno(), lambda b: False, EVENT_TIMEOUT)
            rc = p.wait(timeout=EVENT_TIMEOUT)
            err = p.stderr.read()
            both = first_column((out + rest).decode())
            check("%s --threads %s: both inputs' rows, clean exit" % (name, threads),
                  both == want + want and rc == 0 and err == b"",
                  "rows %r rc=%s err=%r" % (both, rc, err))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            p.stdout.close()
            p.stderr.close()


def main():
    global BIN
    BIN = os.path.abspath(sys.argv[1])
    frames = [str(i) for i in range(1, PACKETS + 1)]
    cases = [
        ("packets", ["--columns", "frame"], OWN_CAPTURE, frames),
        ("--fix", ["--fix", "--columns", "frame"], testdata("fix_bundle5"),
         golden_frames("fix_bundle5")),
        ("--kdb", ["--kdb", "--columns", "frame"], testdata("kdb_gap"),
         golden_frames("kdb_gap")),
        ("--flows", ["--flows"], OWN_CAPTURE, ["0"]),   # one connection, stream 0
    ]
    for threads in ("1", "2"):
        for name, args, data, want in cases:
            run_case(name, args, data, want, threads)
    run_case("packets, a capture file then a FIFO", ["--columns", "frame"], OWN_CAPTURE,
             frames, "2", first_is_file=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
