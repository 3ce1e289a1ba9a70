#!/usr/bin/env python3
"""--kdb wire text (user, func, table, query, error) reaches CSV, -f q and
--publish whole and as README documents it.

A capture is built here (tests/gen_kdb.py's TCP and q builders) whose
messages carry text that is unusual but legal q; each row's expected values
are what this script sent, not what pcap2kdb printed before:

  - a NUL byte inside a char vector (a query, a function name given as a
    string) is text, shown as `?` in all three outputs (README: a NUL of
    wire text is `?`), and nothing after it is lost;
  - a query or error of a few hundred bytes, a function name (string or
    symbol) and a table symbol of 150-200, a handshake user name of 300
    come whole; a query past the 64 KiB of a payload the mode keeps is
    shown up to there, and its row says `unsupported` with the reason;
  - connections whose handshake user name holds a control byte or DEL
    give their rows, the user escaped as wire text is.

The CSV field is compared byte for byte with this script's own escaping of
the value (README: control byte \\ooo, backslash \\\\, NUL ?, RFC 4180
quotes); the -f q values are read back with tests/qscript_msg_check.py's
strict reader; the published values are what tests/tickerplant.py received.

    kdb_wire_text_test.py PCAP2KDB
"""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_kdb as gk               # noqa: E402
import qscript_msg_check as qm     # noqa: E402
import tickerplant                 # noqa: E402

COLS = "frame,user,func,table,query,error,status,reason"
TEXT_COLS = ("user", "func", "table", "query", "error", "reason")


def csv_field(raw):
    """README's CSV form of wire text (bytes as latin-1 text)."""
    out = []
    for ch in raw:
        c = ord(ch)
        if c == 0:
            out.append("?")
        elif ch == "\\":
            out.append("\\\\")
        elif c < 0x20 or c == 0x7f:
            out.append("\\%03o" % c)
        else:
            out.append(ch)
    s = "".join(out)
    if "," in s or '"' in s:
        s = '"' + s.replace('"', '""') + '"'
    return s


def shown(raw):
    """The value q holds for wire text: the bytes, a NUL as `?`."""
    return raw.replace("\0", "?")


def build(path):
    """The capture; returns the expected rows (dicts of raw values, latin-1)."""
    cap = gk.Capture()
    rows = []

    def send(conn, side, mtype, payload, segsize=None, **want):
        conn.send(side, mtype, payload, {}, segsize=segsize)
        frame = cap.rows[-1]["frame"]
        row = dict.fromkeys(COLS.split(","), "")
        row.update(frame=frame, user=conn.user or "", status="ok")
        row.update(want)
        rows.append(row)

    feed = gk.Conn(cap, 40001, 5010)
    feed.hello("feed", "pw")
    # Finding 3: a NUL inside a char vector is text, not its end.
    send(feed, 0, gk.SYNC, gk.chars("count\0trade"), query="count\0trade")
    send(feed, 1, gk.RESPONSE, gk.long_atom(0))
    send(feed, 0, gk.ASYNC, gk.glist([gk.chars("f\0g"), gk.sym("t"), gk.longs([1])]),
         func="f\0g", table="t")
    # Finding 2: texts longer than 255 (query, error) or 127 bytes (func,
    # table, user) were cut, status ok; they are whole, up to the 64 KiB of
    # a payload the mode keeps, and past that the row says so.
    where = "select from trade where sym in " + "".join("`SYM%03d" % i for i in range(40))
    send(feed, 0, gk.SYNC, gk.chars(where), query=where)
    err = "rank: " + "x" * 294
    send(feed, 1, gk.RESPONSE, gk.error(err), error=err)
    long_func, long_table = ".app." + "f" * 195, "t" * 150
    send(feed, 0, gk.ASYNC, gk.glist([gk.chars(long_func), gk.sym(long_table), gk.longs([1])]),
         func=long_func, table=long_table)
    send(feed, 0, gk.ASYNC, gk.glist([gk.sym(long_func), gk.sym("t")]), func=long_func,
         table="t")
    big = "q" * 70000
    send(feed, 0, gk.ASYNC, gk.chars(big), segsize=1448, query=big[:65536 - 6],
         status="unsupported",
         reason="fields lie past the first 64 KiB of the payload")
    named = gk.Conn(cap, 40002, 5010, caddr=(10, 0, 0, 3))
    named.hello("u" * 300, "pw")
    send(named, 0, gk.SYNC, gk.chars("1+1"), query="1+1")
    # Finding 6: a handshake whose user name holds a control byte or DEL is
    # a kdb+ handshake (kdb+ takes any byte but NUL): its connection gave no
    # rows at all.
    for port, user in ((40003, "fe\x01ed"), (40004, "a\tb\x7f")):
        odd = gk.Conn(cap, port, 5010, caddr=(10, 0, 0, 4))
        odd.hello(user, "pw")
        send(odd, 0, gk.SYNC, gk.chars("2+2"), query="2+2")
        send(odd, 1, gk.RESPONSE, gk.long_atom(4))
    with open(path, "wb") as f:
        f.write(cap.pcap())
    return rows


failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(binary, args):
    r = subprocess.run([binary] + args, capture_output=True)
    check(r.returncode == 0, "%s: exit 0 (%s)" % (" ".join(args[:3]), r.stderr.decode()[-200:]))
    return r.stdout.decode("latin-1")


def check_csv(binary, cap, want):
    got = run(binary, ["--kdb", "--columns", COLS, cap]).split("\n")
    check(got[0] == COLS, "CSV header")
    for w, line in zip(want, got[1:]):
        expect = ",".join(csv_field(w[c]) if c in TEXT_COLS else w[c] for c in COLS.split(","))
        check(line == expect, "CSV frame %s: %r (expected %r)" % (w["frame"], line[:160],
                                                                  expect[:160]))
    check(len(got) == len(want) + 2 and got[-1] == "",
          "CSV: %d rows (expected %d)" % (len(got) - 2, len(want)))


def check_q(binary, cap, want):
    text = run(binary, ["--kdb", "--columns", COLS, "-f", "q", cap])
    try:
        cols, rows = qm.parse_script(text, "kdb")
    except qm.QError as e:
        check(False, "-f q reads: %s" % e)
        return
    names = [c for c, _ in cols]
    check(len(rows) == len(want), "-f q: %d rows (expected %d)" % (len(rows), len(want)))
    for w, r in zip(want, rows):
        got = dict(zip(names, r))
        for c in TEXT_COLS:
            v = got[c] if got[c] is not None else ""
            check(v == shown(w[c]), "-f q frame %s %s: %r (expected %r)"
                  % (w["frame"], c, v[:80], shown(w[c])[:80]))


def check_publish(binary, cap, want, tmp):
    schema = os.path.join(tmp, "schema.q")
    with open(schema, "wb") as f:
        f.write(subprocess.run([binary, "--schema", "--publish", ":1", "--publish-layout",
                                "plain", "--kdb", "--columns", COLS], capture_output=True, check=True).stdout)
    port_file, dump = os.path.join(tmp, "port"), os.path.join(tmp, "dump.json")
    tp = subprocess.Popen([sys.executable, tickerplant.__file__, "--schema", schema,
                           "--port-file", port_file, "--dump", dump, "--layout", "plain"])
    try:
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read():
                break
            time.sleep(0.05)
        target = "127.0.0.1:" + open(port_file).read().strip()
        run(binary, ["--kdb", "--columns", COLS, "--publish", target,
                     "--publish-layout", "plain", cap])
    finally:
        tp.send_signal(signal.SIGTERM)
        tp.wait(timeout=30)
    d = json.load(open(dump))
    check(d["errors"] == [], "--publish: the receiver saw no error %s" % d["errors"][:2])
    t = d["tables"]["kdb"]
    check(len(t["rows"]) == len(want),
          "--publish: %d rows (expected %d)" % (len(t["rows"]), len(want)))
    for w, r in zip(want, t["rows"]):
        got = dict(zip(t["columns"], r))
        for c in TEXT_COLS:
            check(got[c] == shown(w[c]), "--publish frame %s %s: %r (expected %r)"
                  % (w["frame"], c, got[c][:80], shown(w[c])[:80]))


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "kdb_text.pcap")
        want = build(cap)
        check_csv(binary, cap, want)
        check_q(binary, cap, want)
        check_publish(binary, cap, want, tmp)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
