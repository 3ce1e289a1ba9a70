#!/usr/bin/env python3
"""The message framers (--fix, --kdb) at their limits, end to end, on
captures made here (nothing big is kept):

  fix_over_budget  260 connections each hold a partial 250 kB FIX message
                   (under the 256 KiB limit), which uses the 64 MiB
                   reassembly budget up; then one connection sends a message
                   split over two segments and a whole one. The split one
                   cannot be held: it is dropped, the next is flagged
                   over_budget (not too_long: no longer message came), stderr
                   says so once, --stats counts the 5 messages not held.

  kdb_over_budget  1,100 kdb+ connections each hold the start of a compressed
                   message of 160 kB uncompressed (64 KiB of it kept each)
                   and 100 more the start of an 835-byte one, which uses the
                   budget up; then a connection sends an
                   .u.upd split over two segments and a whole one. The split
                   one gets status over_budget with its header's len and ulen
                   and no field (not a made-up unsupported or bad), the
                   whole one is ok (no copy needed), stderr says so once.
                   The partial messages then end with the capture: those
                   whose prefix was held are truncated, the 135 whose
                   prefix was not are over_budget (not truncated: --stats
                   counts them, 136 with the split one, and so do the rows).

  fix_ooo_over_budget  the budget used up as in fix_over_budget, then 4
                   connections each send a 150 kB message last segment
                   first, its first segment, then a whole message: the
                   segments that cannot wait are dropped and so is the
                   message (never a row); the next is flagged over_budget
                   (not gap: the capture had every byte), and --stats
                   counts 4 + 4 messages not held (4 of the partial ones), the warning once.
  kdb_ooo_over_budget  the budget used up as in kdb_over_budget, then 4
                   connections each send a 60 kB message last segment
                   first, then its first segment and a small message: each
                   60 kB message has its row, over_budget (it had none: its
                   header was given up with the hole), the small one ok;
                   --stats counts 135 + 4 = the over_budget rows (135 of
                   the partial ones, as in kdb_over_budget).
  fix_budget_hull  the budget used up as in fix_over_budget, and what is left
                   of it by out-of-order segments of 5,000 connections that
                   carry no FIX (`q` bytes); connection 10.7.0.1 sends m1
                   whole, then (m2 missing) m3 and m5 out of order: both are
                   dropped, and the range they span takes in m4, which the
                   capture has not had yet. The budget is freed (each filler
                   is given up by a segment far ahead), m4 arrives out of
                   order, then m2 and m6..m9 in order. m4 is queued and has
                   its row (flagged over_budget: m3 before it was dropped),
                   m6 is flagged too (m5); --stats counts 4 + 2: the 4
                   filler messages, and one for each flagged row; the
                   5,000 connections that carry no FIX count nothing.
  kdb_budget_stretch  the budget used up as in kdb_over_budget (135 not
                   held), and what is left of it by out-of-order segments of
                   5,000 connections that carry no kdb+; then connection
                   10.7.0.1 (its handshake seen) sends a 3,014-byte sync
                   message's first 100 bytes (not held: its row says
                   over_budget), a hole, and out of order its rest and 5
                   whole messages (dropped), then the hole and 3 messages
                   in order, after the budget is freed (each filler
                   given up by a segment far ahead, so that the search
                   after the stretch can hold its window). The 5 whole
                   messages have no row (their bytes
                   are the next row's skipped) and count once together;
                   --stats counts 135 + 1 + 1 (the over_budget rows, and
                   that stretch); the 5,000 connections count nothing.
  kdb_compressed   1,100 connections each send the first 100 bytes of a
                   compressed 7 kB message, then all send the rest: every
                   message is ok (each holds what its uncompressed length
                   needs, 16 KiB, not a 64 KiB prefix).

  fix_tiny_segments  a 200 kB FIX message of short fields in 1-byte segments
                   (200,000 packets), then a heartbeat: both rows, in well under the
                   time limit (the trailer search resumes where it stopped;
                   it rescanned the whole message on every segment, 33 s).

Each check prints what it wanted and got on failure; the last line is
"N passed, N failed".

    tests/framer_limits_test.py PCAP2KDB_BINARY
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_kdb  # noqa: E402  (the TCP capture builder)
from gen_fixdata import fixmsg  # noqa: E402

ACK_PSH = gen_kdb.ACK | gen_kdb.PSH
SERVER = (10, 9, 9, 9)
WARNING = ("pcap2kdb: warning: the 64 MiB reassembly budget is used up: --%s cannot hold "
           "every message still arriving (--stats counts those not held: over_budget)\n")

passed = failed = 0


def expect(name, want, got):
    global passed, failed
    if want == got:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s:\n  want %.600r\n  got  %.600r" % (name, want, got))


def run(binary, cap, args, tmp, timeout=None):
    path = os.path.join(tmp, "in.pcap")
    with open(path, "wb") as f:
        f.write(cap.pcap())
    p = subprocess.run([binary] + args + [path], capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def segments(cap, src, sport, seq, data, size):
    """data from src:sport to the server in segments of size bytes."""
    for o in range(0, len(data), size):
        cap.add(src, SERVER, sport, 9000, seq + o, 1, ACK_PSH, data[o:o + size])


def expect_told(name, mode, err, not_held):
    """stderr of a --stats run: the warning once, and the count."""
    expect(name + ": one warning", [WARNING % mode],
           [l + "\n" for l in err.splitlines() if "warning" in l])
    expect(name + ": --stats", ["over_budget  %d messages not held (the 64 MiB reassembly "
                                "budget was used up)" % not_held],
           [l for l in err.splitlines() if l.split()[:1] == ["over_budget"]])


def fix_over_budget(binary, tmp):
    cap = gen_kdb.Capture()
    big = b"8=FIX.4.4\x019=250000\x0135=D\x0158=" + b"x" * 250000
    for i in range(260):
        segments(cap, (10, 0, i // 250, i % 250 + 1), 40000, 1000, big, 1400)
    split, _ = fixmsg([(35, "D"), (34, "1"), (49, "C"), (56, "D"), (11, "split")])
    whole, _ = fixmsg([(35, "D"), (34, "2"), (49, "C"), (56, "D"), (11, "whole")])
    segments(cap, (10, 8, 0, 1), 40001, 5000, split[:30], 30)
    segments(cap, (10, 8, 0, 1), 40001, 5030, split[30:] + whole, 1400)
    rc, out, err = run(binary, cap, ["--fix", "--stats", "--columns", "src,clordid,flags"], tmp)
    expect("fix_over_budget: exit", 0, rc)
    expect("fix_over_budget: rows", "src,clordid,flags\n10.8.0.1,whole,over_budget\n", out)
    expect_told("fix_over_budget", "fix", err, 5)


def fix_tiny_segments(binary, tmp):
    cap = gen_kdb.Capture()
    # short fields: the old search stopped at each of its 40,000 SOHs
    big, _ = fixmsg([(35, "D"), (11, "big")] + [(58, "x")] * 40000)
    beat, _ = fixmsg([(35, "0"), (34, "2")])
    segments(cap, (10, 0, 0, 1), 40000, 1000, big, 1)
    segments(cap, (10, 0, 0, 1), 40000, 1000 + len(big), beat, len(beat))
    try:
        rc, out, err = run(binary, cap, ["--fix", "--columns", "frame,segs,msgtype,clordid,len,"
                                         "flags"], tmp, timeout=8)
    except subprocess.TimeoutExpired:
        rc, out, err = "timeout (8 s)", "", ""
    expect("fix_tiny_segments: exit", 0, rc)
    expect("fix_tiny_segments: rows", "frame,segs,msgtype,clordid,len,flags\n"
           "%d,%d,D,big,%d,\n%d,1,0,,%d,\n" % (len(big), len(big), len(big), len(big) + 1,
                                                len(beat)), out)
    expect("fix_tiny_segments: stderr", "", err)


def kdb_conns(cap, n):
    """n kdb+ connections from 10.1.x.y, each with its handshake."""
    conns = []
    for i in range(n):
        c = gen_kdb.Conn(cap, 40000, 5010, caddr=(10, 1, i // 250, i % 250 + 1))
        c.hello("u%d" % i, "pw")
        conns.append(c)
    return conns


def upd(nrows):
    return gen_kdb.glist([gen_kdb.sym(".u.upd"), gen_kdb.sym("trade"),
                          gen_kdb.longs(list(range(nrows)))])


def kdb_over_budget(binary, tmp):
    cap = gen_kdb.Capture()
    big = gen_kdb.compress(gen_kdb.message(gen_kdb.ASYNC, upd(20000)))
    small = gen_kdb.message(gen_kdb.ASYNC, upd(100))
    for i, c in enumerate(kdb_conns(cap, 1200)):
        # then 100 with 1 KiB each use up what the big ones left
        c.seg(0, big[:100] if i < 1100 else small[:100])
    feed = gen_kdb.Conn(cap, 40001, 5010, caddr=(10, 8, 0, 1))
    feed.hello("feed", "pw")
    feed.send(0, gen_kdb.ASYNC, upd(100), {}, segsize=500)
    feed.send(0, gen_kdb.ASYNC, upd(100), {})
    rc, out, err = run(binary, cap, ["--kdb", "--stats", "--columns",
                                     "src,len,ulen,func,table,rows,status,reason"], tmp)
    rows = out.splitlines()[1:]
    expect("kdb_over_budget: exit", 0, rc)
    expect("kdb_over_budget: the split and the whole message",
           ["10.8.0.1,835,835,,,,over_budget,payload not held: the reassembly budget was "
            "used up", "10.8.0.1,835,835,.u.upd,trade,1,ok,"],
           [r for r in rows if r.startswith("10.8.0.1,")])
    expect("kdb_over_budget: the partial messages at the end", [1200 - 135, 135],
           [sum(r.endswith(",truncated,connection ends inside the message") for r in rows),
            sum(r.endswith(",over_budget,payload not held: the reassembly budget was used up")
                and not r.startswith("10.8.0.1,") for r in rows)])
    expect("kdb_over_budget: rows", 1202, len(rows))
    expect_told("kdb_over_budget", "kdb", err, 136)
    expect("kdb_over_budget: --stats = the over_budget rows", 136,
           sum(",over_budget," in r for r in rows))


def fix_budget_filler(cap):
    """fix_over_budget's 260 partial messages: 4 of them not held (its 5
    with the split message)."""
    big = b"8=FIX.4.4\x019=250000\x0135=D\x0158=" + b"x" * 250000
    for i in range(260):
        segments(cap, (10, 0, i // 250, i % 250 + 1), 40000, 1000, big, 1400)
    return 4


def last_first(cap, src, sport, seq, data, size):
    """data from src:sport in segments of size bytes, all but the first
    in reverse order, then the first."""
    offs = list(range(0, len(data), size))
    for o in reversed(offs[1:]):
        cap.add(src, SERVER, sport, 9000, seq + o, 1, ACK_PSH, data[o:o + size])
    cap.add(src, SERVER, sport, 9000, seq, 1, ACK_PSH, data[:size])


def fix_ooo_over_budget(binary, tmp):
    cap = gen_kdb.Capture()
    filler = fix_budget_filler(cap)
    want = ["src,clordid,flags"]
    for k in range(4):
        src = (10, 7, 0, k + 1)
        big, _ = fixmsg([(35, "D"), (11, "a%d" % k), (58, "x" * 150000)])
        after, _ = fixmsg([(35, "D"), (11, "b%d" % k)])
        cap.add(src, SERVER, 40002, 9000, 6999, 0, gen_kdb.SYN)  # where the stream starts
        last_first(cap, src, 40002, 7000, big, 8000)
        segments(cap, src, 40002, 7000 + len(big), after, len(after))
        want.append("10.7.0.%d,b%d,over_budget" % (k + 1, k))
    rc, out, err = run(binary, cap, ["--fix", "--stats", "--columns", "src,clordid,flags"], tmp)
    expect("fix_ooo_over_budget: exit", 0, rc)
    expect("fix_ooo_over_budget: rows", "\n".join(want) + "\n", out)
    expect_told("fix_ooo_over_budget", "fix", err, filler + 4)


def fix_budget_hull(binary, tmp):
    cap = gen_kdb.Capture()
    filler = fix_budget_filler(cap)
    src = (10, 7, 0, 1)
    m = [fixmsg([(35, "D"), (34, str(k + 1)), (11, "m%d" % (k + 1)), (58, "y" * 400)])[0]
         for k in range(9)]
    off = [sum(len(x) for x in m[:k]) for k in range(10)]
    stream = b"".join(m)

    def send(a, b):
        cap.add(src, SERVER, 40002, 9000, 7000 + a, 1, ACK_PSH, stream[a:b])
    cap.add(src, SERVER, 40002, 9000, 6999, 0, gen_kdb.SYN)
    send(off[0], off[1])                   # m1, whole: nothing held
    for i in range(5000):                  # no FIX: what is left of the budget
        qsrc = (10, 5 + i // 2500, i // 250 % 10, i % 250 + 1)
        cap.add(qsrc, SERVER, 40000, 9000, 1000, 0, gen_kdb.SYN)
        cap.add(qsrc, SERVER, 40000, 9000, 1001 + 1400, 1, ACK_PSH,
                b"q" * (1400 if i < 3000 else 100))
    send(off[2], off[3])                   # m3, out of order: dropped
    send(off[4], off[5])                   # m5: dropped; the range spans m4
    for i in range(260):                   # the fillers given up: budget free
        cap.add((10, 0, i // 250, i % 250 + 1), SERVER, 40000, 9000, 1000 + (17 << 20), 1,
                ACK_PSH, b"z")
    send(off[3], off[4])                   # m4, first captured now, out of order
    send(off[1], off[2])                   # m2: the hole fills
    send(off[5], off[9])                   # m6..m9
    rc, out, err = run(binary, cap, ["--fix", "--stats", "--columns", "src,clordid,flags"], tmp)
    expect("fix_budget_hull: exit", 0, rc)
    want = ["src,clordid,flags", "10.7.0.1,m1,", "10.7.0.1,m2,",
            "10.7.0.1,m4,reordered|over_budget", "10.7.0.1,m6,over_budget",
            "10.7.0.1,m7,", "10.7.0.1,m8,", "10.7.0.1,m9,"]
    expect("fix_budget_hull: rows", "\n".join(want) + "\n", out)
    expect_told("fix_budget_hull", "fix", err, filler + 2)


def kdb_ooo_over_budget(binary, tmp):
    cap = gen_kdb.Capture()
    big = gen_kdb.compress(gen_kdb.message(gen_kdb.ASYNC, upd(20000)))
    small = gen_kdb.message(gen_kdb.ASYNC, upd(100))
    for i, c in enumerate(kdb_conns(cap, 1200)):   # as kdb_over_budget: 135 not held
        c.seg(0, big[:100] if i < 1100 else small[:100])
    chars = gen_kdb.message(gen_kdb.ASYNC, b"\x0a\x00" + (60000).to_bytes(4, "little")
                            + b"c" * 60000)
    for k in range(4):
        c = gen_kdb.Conn(cap, 40002, 5010, caddr=(10, 7, 0, k + 1))
        c.hello("p%d" % k, "pw")
        base = c.seq[0]
        offs = list(range(0, len(chars), 1000))
        for o in reversed(offs[1:]):
            c.seg_at(0, chars[o:o + 1000], base + o)
        c.seg_at(0, chars[:1000], base)
        c.seg(0, small)
    rc, out, err = run(binary, cap, ["--kdb", "--stats", "--columns",
                                     "src,len,ulen,func,rows,status,reason"], tmp)
    rows = out.splitlines()[1:]
    expect("kdb_ooo_over_budget: exit", 0, rc)
    expect("kdb_ooo_over_budget: the late connections",
           ["10.7.0.%d,%d,%d,,,over_budget,payload not held: the reassembly budget was used up"
            % (k + 1, len(chars), len(chars)) for k in range(4) for _ in [0]],
           [r for r in rows if r.startswith("10.7.0.") and ",over_budget," in r])
    expect("kdb_ooo_over_budget: their small messages", ["10.7.0.%d,%d,%d,.u.upd,1,ok," %
                                                         (k + 1, len(small), len(small))
                                                         for k in range(4)],
           [r for r in rows if r.startswith("10.7.0.") and ",ok," in r])
    expect("kdb_ooo_over_budget: rows", 1200 + 8, len(rows))
    expect_told("kdb_ooo_over_budget", "kdb", err, 135 + 4)
    expect("kdb_ooo_over_budget: --stats = the over_budget rows", 135 + 4,
           sum(",over_budget," in r for r in rows))


def kdb_budget_stretch(binary, tmp):
    cap = gen_kdb.Capture()
    x = gen_kdb.Conn(cap, 40002, 5010, caddr=(10, 7, 0, 1))
    x.hello("px", "pw")
    big = gen_kdb.compress(gen_kdb.message(gen_kdb.ASYNC, upd(20000)))
    small = gen_kdb.message(gen_kdb.ASYNC, upd(100))
    conns = kdb_conns(cap, 1200)
    for i, c in enumerate(conns):          # as kdb_over_budget: 135 not held
        c.seg(0, big[:100] if i < 1100 else small[:100])
    for i in range(5000):                  # no kdb+: what is left of the budget
        qsrc = (10, 5 + i // 2500, i // 250 % 10, i % 250 + 1)
        cap.add(qsrc, (10, 0, 0, 2), 40000, 5010, 1000, 0, gen_kdb.SYN)
        cap.add(qsrc, (10, 0, 0, 2), 40000, 5010, 1001 + 1400, 1, ACK_PSH,
                b"q" * (1400 if i < 3000 else 100))
    msgs = [gen_kdb.message(gen_kdb.SYNC, b"\x0a\x00" + (3000).to_bytes(4, "little")
                            + b"c" * 3000)]
    msgs += [gen_kdb.message(gen_kdb.ASYNC, gen_kdb.glist([
        gen_kdb.sym(".u.upd"), gen_kdb.sym("t%d" % k), gen_kdb.longs(list(range(50)))]))
        for k in range(2, 10)]
    off = [sum(len(m) for m in msgs[:k]) for k in range(10)]
    stream, base = b"".join(msgs), x.seq[0]

    def send(a, b):
        x.seg_at(0, stream[a:b], base + a)
    send(0, 100)                           # msg1's prefix: not held
    send(200, off[1])                      # out of order: dropped
    for k in range(1, 6):                  # t2..t6, whole: dropped
        send(off[k], off[k + 1])
    for c in conns:                        # the fillers given up: budget free
        c.seg_at(0, b"z", c.seq[0] + (17 << 20))
    send(100, 200)                         # the hole fills
    send(off[6], off[9])                   # t7..t9
    rc, out, err = run(binary, cap, ["--kdb", "--stats", "--columns",
                                     "src,len,table,status,skipped"], tmp)
    rows = out.splitlines()[1:]
    expect("kdb_budget_stretch: exit", 0, rc)
    expect("kdb_budget_stretch: rows of 10.7.0.1",
           ["10.7.0.1,%d,,over_budget," % len(msgs[0]),
            "10.7.0.1,%d,t7,ok,%d" % (len(msgs[6]), off[6] - off[1])] +
           ["10.7.0.1,%d,t%d,ok," % (len(msgs[k - 1]), k) for k in (8, 9)],
           [r for r in rows if r.startswith("10.7.0.1,")])
    expect("kdb_budget_stretch: over_budget rows", 135 + 1,
           sum(",over_budget," in r for r in rows))
    expect_told("kdb_budget_stretch", "kdb", err, 135 + 1 + 1)


def kdb_compressed(binary, tmp):
    cap = gen_kdb.Capture()
    msg = gen_kdb.compress(gen_kdb.message(gen_kdb.ASYNC, upd(2000)))
    conns = kdb_conns(cap, 1100)
    for c in conns:
        c.seg(0, msg[:100])
    for c in conns:
        c.seg(0, msg[100:])
    rc, out, err = run(binary, cap, ["--kdb", "--columns",
                                     "compressed,len,ulen,func,table,rows,status,reason"], tmp)
    expect("kdb_compressed: exit", 0, rc)
    expect("kdb_compressed: rows", ["1,%d,16035,.u.upd,trade,1,ok," % len(msg)] * 1100,
           out.splitlines()[1:])
    expect("kdb_compressed: stderr", "", err)


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="pcap2kdb-limits.") as tmp:
        fix_over_budget(binary, tmp)
        kdb_over_budget(binary, tmp)
        fix_ooo_over_budget(binary, tmp)
        kdb_ooo_over_budget(binary, tmp)
        fix_budget_hull(binary, tmp)
        kdb_budget_stretch(binary, tmp)
        kdb_compressed(binary, tmp)
        fix_tiny_segments(binary, tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
