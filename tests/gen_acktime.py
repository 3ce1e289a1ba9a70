#!/usr/bin/env python3
"""Golden captures for the acktime column of --fix and --kdb (issue 16).

    python3 tests/gen_acktime.py [OUTDIR]     (default: <repo>/testdata)
    python3 tests/gen_acktime.py --table      print the golden.tsv lines

The FIX capture is built with gen_fixdata.py's connections and its model of
the message table (which rows, in which order, completed by which frame);
the kdb+ capture with gen_kdb.py's. acktime is computed here from what the
generator put where: a message ends at its connection direction's ISN + 1 +
the stream offset after its last byte; its acktime is the time of the first
later frame of the other direction with the ACK flag and an acknowledgment
number at or past that end, minus the time of the frame that completed it;
empty when there is none before the connection is reset or the capture ends.

FIX cases (one connection each): an order ACKed 40 ms later (delayed ACK),
two orders in one segment acknowledged one at a time (a partial ACK), an
order over two segments, an order retransmitted before its ACK (the clock
runs from the first copy), a duplicated copy (`-i any`), an order the peer
never acknowledges before a reset, one never acknowledged at the end of the
capture. kdb+: sync requests and responses with delayed ACKs, a bundle of
two asyncs acknowledged in two steps, and a last message never acknowledged.
fix_acktime_far (a nanosecond pcapng): an order in 1970 acknowledged in 2280,
an acktime a q timespan cannot hold (beyond +-(2^63 - 2) ns, 292 years:
empty), then an order in 2280 acknowledged 40 ms later.
fix_acktime_gap: gen_fixdata.py's fix_gap_reorder (a message completed by
its middle segment after a gap): acktime from that segment.
kdb_acktime_mid: a kdb+ connection picked up mid-stream (no handshake), its
first message over two segments and the chain of headers completed by the
second, a partial ACK covering exactly that first message: segs, ftime and
acktime as if the framer had been in sync from the first byte.
fix_acktime_clock / kdb_acktime_clock (the 10 s bound; nanosecond times):
an order whose ACK comes 21 s later with an unrelated UDP packet 12 s after
it (given up there), an ACK exactly 10 s later (kept), one 10 s + 1 ns later
with no packet between (given up by the ACK itself), and for FIX an ACK
exactly 10 s later behind a UDP packet at the same time (kept) and one
10 s + 1 ns later behind a UDP packet at 5 s (given up). The same expected
table with --port, --host and --proto choosing the FIX (kdb+) connection
and dropping the UDP packets: they move the clock all the same.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fixdata as gf  # noqa: E402
import gen_kdb as gk  # noqa: E402

ACK = 0x10
FIX_COLUMNS = "frame,stream,srcport,segs,bundled,msgtype,seqnum,latency,acktime"
KDB_COLUMNS = "frame,stream,dir,msgtype,len,latency,acktime"
FIX_GAP_COLUMNS = "frame,time,segs,seqnum,flags,acktime"
KDB_MID_COLUMNS = "frame,stream,dir,msgtype,len,segs,ftime,acktime,skipped"


# README (acktime): "a message waits at most 10 s of capture time (any
# packet moves the clock)"
WAIT_NS = 10 * 10**9


def acktime_of(frames, fno, stream_of, d, end_seq):
    """frames: (ns, stream, dir, flags, ack, rst), stream None for a packet
    of no TCP connection; the acktime text. Every frame after the
    completing one moves the clock, whichever packets the filters choose
    (they choose whole connections, so the message's own ACKs pass with
    it): one stamped more than WAIT_NS after the message gives it up, before
    its own ACK counts, so an acktime is at most WAIT_NS."""
    t0 = frames[fno - 1][0]
    for ns, st, dd, flags, ack, rst in frames[fno:]:
        if ns - t0 > WAIT_NS:
            return ""
        if st != stream_of:
            continue
        if dd != d and flags & ACK and ((ack - end_seq) & 0xFFFFFFFF) < 0x80000000:
            return gf.qspan(ns - t0) if abs(ns - t0) <= 2**63 - 2 else ""
        if rst:  # either side: no ACK follows
            return ""
    return ""


# ------------------------------------------------------------------ FIX --

def fix_capture():
    cap = gf.Capture("fix_acktime")
    ms = 1000000
    # delayed ACK, then the report and its ACK
    c = gf.Conn(cap, 41001)
    c.handshake()
    c.seg(0, c.build(0, gf.order(1, "K1")))
    c.ack(1, dt=40 * ms)
    c.seg(1, c.build(1, gf.report(1, "K1", "2")), dt=2 * ms)
    c.ack(0, dt=3 * ms)
    # two orders in one segment, acknowledged one at a time
    a = c.build(0, gf.order(2, "K2"))
    b = c.build(0, gf.order(3, "K3"))
    c.seg(0, a + b, dt=ms)
    c.packet(1, ACK, c.nxt[1], c.isn[0] + 1 + c.msgs[0][-2][1], dt=5 * ms)
    c.ack(1, dt=7 * ms)
    # an order over two segments: the first one's ACK does not cover it
    m = c.build(0, gf.order(4, "K4"))
    c.seg(0, m[:50], dt=ms)
    c.ack(1, dt=ms)
    c.seg(0, m[50:], dt=ms)
    c.ack(1, dt=4 * ms)
    # lost before the peer: retransmitted 200 ms later, then acknowledged
    m = c.build(0, gf.order(5, "K5"))
    off = c.nxt[0] - c.isn[0] - 1
    c.seg(0, m, dt=ms)
    c.seg(0, m, off=off, dt=200 * ms)
    c.ack(1, dt=ms)
    # `-i any`: the same packet twice, then the ACK
    m = c.build(0, gf.order(6, "K6"))
    f = c.seg(0, m, dt=ms)
    cap.t += 7000
    cap.frames.append((cap.t,) + cap.frames[f - 1][1:])
    c.ack(1, dt=ms)
    # never acknowledged: the capture ends
    c.seg(0, c.build(0, gf.order(7, "K7")), dt=ms)
    # a second connection: an order, then the client resets it
    e = gf.Conn(cap, 41002)
    e.handshake()
    e.seg(0, e.build(0, gf.order(1, "R1")), dt=ms)
    e.packet(0, 0x14, e.nxt[0], e.nxt[1], dt=ms)
    e.ack(1, dt=ms)  # too late: the connection is gone
    return cap


def fix_far_capture():
    cap = gf.Capture("fix_acktime_far")
    c = gf.Conn(cap, 41010)
    c.handshake()
    c.seg(0, c.build(0, gf.order(1, "Z1")), dt=10**9 - cap.t)     # 1970.01.01D00:00:01
    c.ack(1, dt=310 * 365 * 86400 * 10**9)                        # 2280
    c.seg(0, c.build(0, gf.order(2, "Z2")))
    c.ack(1, dt=40 * 1000000)
    return cap


def fix_gap_capture():
    """gen_fixdata.py's fix_gap_reorder: after a message the capture lost,
    one whose middle segment, captured last, completes it; acktime runs
    from that segment, not from the earlier one holding its last byte."""
    cap = gf.Capture("fix_acktime_gap")
    gf.c_gap_reorder(cap)
    return cap


def fix_holes_capture():
    """Three orders; the capture lost two pieces: the first 10 bytes (of
    order 1) and 10 bytes from order 1's end (of order 2). Order 2's start
    comes in frame 4, all of order 3 in frame 5; then the server
    acknowledges everything (frame 6): both holes are given up there,
    orders 1 and 2 are dropped, order 3 (gap) is completed by frame 5 and
    acknowledged by frame 6. A second ACK and the client's FIN follow."""
    cap = gf.Capture("fix_acktime_holes")
    c = gf.Conn(cap, 41020)
    c.handshake()
    m = [c.build(0, gf.order(i, "H%d" % i)) for i in (1, 2, 3)]
    s = b"".join(m)
    a = len(m[0])
    c.seg(0, s[10:a + 10], off=10)
    c.seg(0, s[a + 20:], off=a + 20)
    c.ack(1, dt=10**6)
    c.ack(1, dt=10**6)
    c.packet(0, 0x11, c.nxt[0], c.nxt[1])
    return cap


# ----------------------------------------------------- the 10 s bound --

SEC = 10**9
# the filters that choose the message connection and drop the UDP packets
CLOCK_FILTERS = [("port", "--port 9878"), ("host", "--host 10.0.0.1"), ("proto", "--proto tcp")]
KDB_CLOCK_FILTERS = [("port", "--port 5010")]


def udp_frame(payload=b"tick"):
    """Ethernet, IPv4, UDP 10.0.0.3:7000 -> 10.0.0.4:7001: a packet of no TCP
    connection, outside every filter of CLOCK_FILTERS."""
    udp = struct.pack("!HHHH", 7000, 7001, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     bytes([10, 0, 0, 3]), bytes([10, 0, 0, 4]))
    ip = ip[:10] + struct.pack("!H", gf.csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x04\x02\0\0\0\0\x03\x08\x00" + ip + udp


class Bystander:
    """gen_fixdata's Capture keeps each frame's connection: the UDP packets'
    has no stream and no messages, so its model passes over them."""
    stream = None
    msgs = ([], [])


def fix_udp(cap, dt):
    cap.add(udp_frame(), dt, Bystander, 0, 0, 0, 0, b"")


def fix_clock_capture():
    cap = gf.Capture("fix_acktime_clock")
    c = gf.Conn(cap, 41030)
    c.handshake()
    c.seg(0, c.build(0, gf.order(1, "C1")), dt=SEC)
    fix_udp(cap, 12 * SEC)                 # more than 10 s: C1 is given up
    c.ack(1, dt=9 * SEC)                   # 21 s after C1
    c.seg(0, c.build(0, gf.order(2, "C2")), dt=SEC)
    c.ack(1, dt=10 * SEC)                  # exactly 10 s: kept
    c.seg(0, c.build(0, gf.order(3, "C3")), dt=SEC)
    c.ack(1, dt=10 * SEC + 1)              # 10 s + 1 ns, nothing between
    c.seg(0, c.build(0, gf.order(4, "C4")), dt=SEC)
    fix_udp(cap, 10 * SEC)                 # exactly 10 s: not given up
    c.ack(1, dt=0)                         # 10 s: kept
    c.seg(0, c.build(0, gf.order(5, "C5")), dt=SEC)
    fix_udp(cap, 5 * SEC)
    c.ack(1, dt=5 * SEC + 1)               # 10 s + 1 ns
    c.seg(1, c.build(1, gf.report(1, "C5", "2")), dt=SEC)
    c.ack(0, dt=SEC // 1000)
    return cap


def fix_expected(cap, columns=FIX_COLUMNS):
    rows = cap.expected("fix_acktime")
    hdr = gf.HEADER.split(",")
    frames = []
    for ns, _data, conn, d, flags, seq, ack, _payload in cap.frames:
        frames.append((ns, conn.stream, d, flags, ack, flags & 0x04))
    # a row's message by its ClOrdID (a message the capture lost has no row)
    end_of = {}
    for fr in cap.frames:
        c = fr[2]
        for d in (0, 1):
            for start, end, fields, *_ in c.msgs[d]:
                key = (c.stream, d, fields[11])
                assert end_of.get(key, end) == end, key
                end_of[key] = end
    out = [columns]
    for r in rows:
        v = dict(zip(hdr, r))
        st, d = int(v["stream"]), 0 if v["src"] == "10.0.0.1" else 1
        c = next(fr[2] for fr in cap.frames if fr[2].stream == st)
        end_seq = (c.isn[d] + 1 + end_of[(st, d, v["clordid"])]) & 0xFFFFFFFF
        v["acktime"] = acktime_of(frames, int(v["frame"]), st, d, end_seq)
        out.append(",".join(v[n] for n in columns.split(",")))
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ kdb+ --

def kdb_capture():
    """Returns the capture and, per row of cap.rows, its message's end."""
    cap = gk.Capture()
    c = gk.Conn(cap, 42001, 5010)
    c.hello("rdb", "")
    ends = []
    p, f = gk.query("select from trade")
    c.send(0, gk.SYNC, p, f)
    ends.append(c.seq[0])
    cap.tick(40000)                  # a delayed ACK, 40 ms
    c.ack(1)
    cap.tick(2000)
    c.send(1, gk.RESPONSE, gk.longs([1, 2, 3]), {"ptype": "7"})
    ends.append(c.seq[1])
    cap.tick(500)
    c.ack(0)
    # two asyncs in one segment, acknowledged one at a time
    items = [(gk.ASYNC,) + gk.upd_cols("upd", "trade", 2), (gk.ASYNC,) + gk.upd_cols("upd", "quote", 3)]
    first_len = len(gk.message(items[0][0], items[0][1]))
    start = c.seq[1]
    c.send_many(1, items)
    ends += [start + first_len, c.seq[1]]
    cap.tick(3000)
    cap.add(c.addr[0], c.addr[1], c.port[0], c.port[1], c.seq[0], start + first_len, gk.ACK)
    cap.tick(9000)
    c.ack(0)
    # the last message: never acknowledged in the capture
    c.send(1, gk.ASYNC, *gk.upd_cols("upd", "trade", 1))
    ends.append(c.seq[1])
    return cap, ends


def kdb_mid_capture():
    """A connection picked up mid-stream (no handshake seen): its first
    message spans two segments, the second completes the chain of three
    headers, and the peer's first ACK covers exactly the first message."""
    cap = gk.Capture()
    c = gk.Conn(cap, 42002, 5010, handshake=False)
    p, f = gk.query("select from trade where sym=`ABC")
    m1 = gk.message(gk.SYNC, p)
    items = [(gk.ASYNC,) + gk.upd_cols("upd", "trade", 2),
             (gk.ASYNC,) + gk.upd_cols("upd", "quote", 1)]
    rest = [gk.message(m, q) for m, q, _ in items]
    f1, t1 = c.seg(0, m1[:20])
    end1 = c.seq[0] + len(m1) - 20
    f2, t2 = c.seg(0, m1[20:] + b"".join(rest))
    c.row(0, f2, t2, m1, gk.SYNC, f, segs=2, ftime=t1)
    ends = [end1]
    for (m, q, fl), msg in zip(items, rest):
        c.row(0, f2, t2, msg, m, fl)
        ends.append(end1 + sum(len(x) for x in rest[:len(ends)]))
    assert ends[-1] == c.seq[0]
    cap.tick(3)
    cap.add(c.addr[1], c.addr[0], c.port[1], c.port[0], c.seq[1], end1, gk.ACK)
    cap.tick(5)
    c.ack(1)
    return cap, ends


def kdb_clock_capture():
    """The 10 s bound with --kdb: a sync query given up by a UDP packet
    12 s later (its ACK 21 s later), the response acknowledged exactly 10 s
    later, an async 10 s + 1 ns later. Nanosecond times: written as pcapng."""
    cap = gk.Capture()
    c = gk.Conn(cap, 42003, 5010)
    c.hello("rdb", "")
    ends = []

    def at(ns):                          # the next frame's time (add ticks 100 us)
        cap.t = ns - 100 * 1000

    p, f = gk.query("select from trade")
    c.send(0, gk.SYNC, p, f)
    ends.append(c.seq[0])
    t = cap.t
    at(t + 12 * SEC)
    cap.pkts.append((cap.t + 100 * 1000, udp_frame()))
    at(t + 21 * SEC)
    c.ack(1)
    at(cap.t + SEC)
    c.send(1, gk.RESPONSE, gk.longs([1, 2, 3]), {"ptype": "7"})
    ends.append(c.seq[1])
    at(cap.t + 10 * SEC)
    c.ack(0)
    at(cap.t + SEC)
    c.send(1, gk.ASYNC, *gk.upd_cols("upd", "trade", 1))
    ends.append(c.seq[1])
    at(cap.t + 10 * SEC + 1)
    c.ack(0)
    return cap, ends


def kdb_expected(cap, ends, columns=KDB_COLUMNS):
    import struct
    frames = []
    for ns, fr in cap.pkts:
        if fr[23] != 6:                  # not TCP: moves the clock only
            frames.append((ns, None, 0, 0, 0, 0))
            continue
        sport, dport, seq, ack, _off, flags = struct.unpack("!HHIIBB", fr[34:48])
        frames.append((ns, 0, 0 if sport in (42001, 42003) else 1, flags, ack, flags & 0x04))
    out = [columns]
    for r, end in zip(cap.rows, ends):
        d = 0 if r["dir"] == "c2s" else 1
        v = dict(r, stream="0")
        v["acktime"] = acktime_of(frames, int(r["frame"]), 0, d, end & 0xFFFFFFFF)
        out.append(",".join(v[n] for n in columns.split(",")))
    return "\n".join(out) + "\n"


CASES = [("fix_acktime", "--fix --columns " + FIX_COLUMNS),
         ("kdb_acktime", "--kdb --columns " + KDB_COLUMNS),
         ("fix_acktime_far", "--fix --columns " + FIX_COLUMNS),
         ("kdb_acktime_mid", "--kdb --columns " + KDB_MID_COLUMNS),
         ("fix_acktime_gap", "--fix --columns " + FIX_GAP_COLUMNS),
         ("fix_acktime_holes", "--fix --columns " + FIX_GAP_COLUMNS)]
# (name, capture, arguments): the bound with and without filters
CLOCK_CASES = [("fix_acktime_clock", "fix_acktime_clock.pcap", "--fix --columns " + FIX_COLUMNS)]
CLOCK_CASES += [("fix_acktime_clock_" + n, "fix_acktime_clock.pcap",
                 "--fix --columns %s %s" % (FIX_COLUMNS, a)) for n, a in CLOCK_FILTERS]
CLOCK_CASES += [("kdb_acktime_clock", "kdb_acktime_clock.pcapng", "--kdb --columns " + KDB_COLUMNS)]
CLOCK_CASES += [("kdb_acktime_clock_" + n, "kdb_acktime_clock.pcapng",
                 "--kdb --columns %s %s" % (KDB_COLUMNS, a)) for n, a in KDB_CLOCK_FILTERS]


def write_clock_cases(outdir):
    """One capture per mode; every case of it expects the same table."""
    cap = fix_clock_capture()
    with open(os.path.join(outdir, "fix_acktime_clock.pcap"), "wb") as f:
        f.write(cap.pcap())
    tables = {"fix_acktime_clock.pcap": fix_expected(cap)}
    cap, ends = kdb_clock_capture()
    with open(os.path.join(outdir, "kdb_acktime_clock.pcapng"), "wb") as f:
        f.write(cap.pcapng())
    tables["kdb_acktime_clock.pcapng"] = kdb_expected(cap, ends)
    for name, capture, _args in CLOCK_CASES:
        with open(os.path.join(outdir, name + ".out"), "w") as f:
            f.write(tables[capture])


def main():
    if sys.argv[1:2] == ["--table"]:
        for n, args in CASES:
            print("%s\ttestdata/%s%s\t0\t%s" % (n, n, ".pcapng" if n.endswith("_far") else ".pcap",
                                               args))
        for n, capture, args in CLOCK_CASES:
            print("%s\ttestdata/%s\t0\t%s" % (n, capture, args))
        return 0
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata")
    os.makedirs(outdir, exist_ok=True)
    cap = fix_capture()
    with open(os.path.join(outdir, "fix_acktime.pcap"), "wb") as f:
        f.write(cap.pcap())
    with open(os.path.join(outdir, "fix_acktime.out"), "w") as f:
        f.write(fix_expected(cap))
    cap = fix_far_capture()
    assert cap.ng()
    with open(os.path.join(outdir, "fix_acktime_far.pcapng"), "wb") as f:
        f.write(cap.pcap())
    with open(os.path.join(outdir, "fix_acktime_far.out"), "w") as f:
        f.write(fix_expected(cap))
    cap = fix_gap_capture()
    with open(os.path.join(outdir, "fix_acktime_gap.pcap"), "wb") as f:
        f.write(cap.pcap())
    with open(os.path.join(outdir, "fix_acktime_gap.out"), "w") as f:
        f.write(fix_expected(cap, FIX_GAP_COLUMNS))
    cap = fix_holes_capture()
    with open(os.path.join(outdir, "fix_acktime_holes.pcap"), "wb") as f:
        f.write(cap.pcap())
    with open(os.path.join(outdir, "fix_acktime_holes.out"), "w") as f:
        f.write(fix_expected(cap, FIX_GAP_COLUMNS))
    cap, ends = kdb_capture()
    with open(os.path.join(outdir, "kdb_acktime.pcap"), "wb") as f:
        f.write(cap.pcap())
    with open(os.path.join(outdir, "kdb_acktime.out"), "w") as f:
        f.write(kdb_expected(cap, ends))
    cap, ends = kdb_mid_capture()
    with open(os.path.join(outdir, "kdb_acktime_mid.pcap"), "wb") as f:
        f.write(cap.pcap())
    with open(os.path.join(outdir, "kdb_acktime_mid.out"), "w") as f:
        f.write(kdb_expected(cap, ends, KDB_MID_COLUMNS))
    write_clock_cases(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
