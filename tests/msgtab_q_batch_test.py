#!/usr/bin/env python3
"""-f q of the message tables (--fix, --kdb: src/output/write_table.c) cuts an
insert statement at 1000 rows or once its text reaches 1 MiB, as the packet
q writer does, so that memory stays flat however long the values are.

Captures built here (tests/gen_kdb.py's TCP builder):

  fix_big   10 FIX messages whose Text (58) is 150,000 control bytes: each
            row is about 600,000 bytes of q text (\\002 escapes), so every
            statement holds exactly 2 rows (1 row < 1 MiB <= 2 rows);
  kdb_big   20 kdb+ sync queries of 60,000 control bytes (240,000 bytes of
            q text): exactly 5 rows a statement (4 rows < 1 MiB <= 5);
  fix_many  1001 small FIX messages: statements of 1000 and 1 rows, as
            before (the byte bound does not move the cut of ordinary rows);
  fix_mem   100 FIX messages of 200,000 control bytes (80 MB of q text):
            -f q must not hold them (peak memory within 32 MB of the CSV
            run's; it held every row of a 1000-row batch before).

Every row's values are read back with tests/qscript_msg_check.py's strict
reader and compared with what was sent.

    msgtab_q_batch_test.py PCAP2KDB
"""
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_kdb as gk               # noqa: E402
import qscript_msg_check as qm     # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def fixmsg(seq, text):
    body = b"35=D\x0134=%d\x0149=CLI\x0156=EXCH\x0111=C%d\x0158=%s\x01" % (seq, seq, text)
    head = b"8=FIX.4.4\x019=%d\x01" % len(body)
    return head + body + b"10=%03d\x01" % (sum(head + body) % 256)


def send_split(conn, side, data, seg=60000):
    for i in range(0, len(data), seg):
        conn.seg(side, data[i:i + seg])


def fix_capture(path, n, text_len):
    cap = gk.Capture()
    c = gk.Conn(cap, 40000, 9878)
    texts = []
    for k in range(n):
        t = bytes([2 + k % 3]) * text_len if text_len else b"T%d" % k
        texts.append(t)
        send_split(c, 0, fixmsg(k + 1, t))
    with open(path, "wb") as f:
        f.write(cap.pcap())
    return [t.decode("latin-1") for t in texts]


def kdb_capture(path, n, text_len):
    cap = gk.Capture()
    c = gk.Conn(cap, 40001, 5010)
    c.hello("feed", "pw")
    texts = []
    for k in range(n):
        t = chr(2 + k % 3) * text_len
        texts.append(t)
        msg = gk.message(gk.SYNC, gk.chars(t))
        send_split(c, 0, msg)
    with open(path, "wb") as f:
        f.write(cap.pcap())
    return texts


def statements(binary, args, cap, table, col, want):
    """Runs -f q; checks the values; returns the rows of each statement."""
    r = subprocess.run([binary] + args + ["-f", "q", cap], capture_output=True)
    check(r.returncode == 0, "%s -f q: exit 0 (%s)" % (table, r.stderr.decode()[-200:]))
    text = r.stdout.decode("latin-1")
    lines = text.split("\n")
    counts, got = [], []
    try:
        for line in lines[3:-1]:   # each statement read on its own
            cols, rows = qm.parse_script("\n".join(lines[:3] + [line]) + "\n", table)
            counts.append(len(rows))
            at = [c for c, _ in cols].index(col)
            got += [row[at] for row in rows]
    except qm.QError as e:
        check(False, "%s -f q reads: %s" % (table, e))
        return []
    check(got == want, "%s -f q: %d values, all as sent (%d sent)" % (table, len(got), len(want)))
    return counts


def peak_kb(cmd):
    """Peak resident memory of one run, in KB. Run from a small Python of
    its own: a child's peak counts from its parent's size at the fork, and
    this one holds whole captures."""
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True,
                         text=True, check=True).stdout.split()
    check(out[0] == "0", "%s: exit 0" % " ".join(cmd[1:4]))
    return int(out[1])


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "fix_big.pcap")
        want = fix_capture(cap, 10, 150000)
        counts = statements(binary, ["--fix", "--columns", "frame,msgtype", "--tags", "58"],
                            cap, "fix", "tag58", want)
        check(counts == [2] * 5, "fix_big: 5 statements of 2 rows: %s" % counts)

        cap = os.path.join(tmp, "kdb_big.pcap")
        want = kdb_capture(cap, 20, 60000)
        counts = statements(binary, ["--kdb", "--columns", "frame,query"], cap, "kdb",
                            "query", want)
        check(counts == [5] * 4, "kdb_big: 4 statements of 5 rows: %s" % counts)

        cap = os.path.join(tmp, "fix_many.pcap")
        want = fix_capture(cap, 1001, 0)
        counts = statements(binary, ["--fix", "--tags", "58"], cap, "fix", "tag58", want)
        check(counts == [1000, 1], "fix_many: statements of 1000 and 1 rows: %s" % counts)

        cap = os.path.join(tmp, "fix_mem.pcap")
        fix_capture(cap, 100, 200000)
        args = [binary, "--fix", "--columns", "frame", "--tags", "58"]
        csv_kb = peak_kb(args + [cap])
        q_kb = peak_kb(args + ["-f", "q", cap])
        check(q_kb < csv_kb + 32 * 1024,
              "fix_mem: -f q peak %d KB, within 32 MB of CSV's %d KB" % (q_kb, csv_kb))
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
