#!/usr/bin/env python3
"""Generate the golden captures of `pcap2kdb --kdb` and their expected rows.

Each capture is real TCP framing (Ethernet, IPv4, TCP with handshakes,
sequence and acknowledgment numbers) carrying kdb+ IPC bytes built here by
hand: symbols, char vectors, long/float vectors, general lists, tables of a
few columns, errors, and one message compressed with kdb+'s algorithm (a
port of c.java compress(), checked here by a port of its uncompress()).
The expected rows are computed from what this script sent -- which packet
completes which message, its length, function, table, rows -- an oracle
independent of pcap2kdb.

    python3 tests/gen_kdb.py [OUTDIR]      (default: <repo>/testdata)
    python3 tests/gen_kdb.py --table       print the golden.tsv lines

Cases:
  kdb_tick       handshakes, async .u.upd (column lists, a table, one row of
                 atoms), sync string query and .u.sub call with responses
                 (latency), an error response, a compressed message, a message
                 over many segments, several messages in one segment, .u.end;
                 also with the default columns (kdb_tick_default)
  kdb_midstream  capture starting inside a message, no handshake: chain resync
  kdb_gap        a lost segment inside a message (truncated, framing goes on)
                 and one across a message boundary (truncated, then resync)
  kdb_corrupt    an impossible header (bad row, resync) and a length larger
                 than its object (bad row, framing goes on after the object)
  kdb_grown      compressed messages longer than their uncompressed form
                 (legal, never sent by kdb+): decoded in sync, after a
                 handshake and after a resync; a string response (no query);
                 lying lengths (bad)
  kdb_far        a nanosecond pcapng: a sync query in 1970 answered in 2280,
                 a latency a q timespan cannot hold (beyond +-(2^63 - 2) ns,
                 292 years: null), then one in 2280 answered 250 us later
  kdb_cut        lengths larger than their object, each message in its own
                 segment (framing goes on in sync where the object ends, each
                 later message with its own packet, the last one too); and
                 connections ending 0..5 bytes after a header (truncated)
  kdb_falsehdr   picked up mid-stream after a zero byte that makes a false
                 big-endian header claiming megabytes before the real chain:
                 the chain is found with the segment that completes it (the
                 connection ends less than 4 KiB later), or when the
                 connection ends on a message's end; also with ftime
"""

import datetime
import os
import struct
import sys

CASES = []  # (name, capture, exit code, args)

COLS = ("frame,time,srcport,destport,dir,user,msgtype,compressed,len,ulen,ptype,"
        "func,table,rows,query,error,latency,status,segs,skipped")


# ---------------------------------------------------------------- q bytes

def sym(s):
    return b"\xf5" + s.encode() + b"\0"


def chars(s):
    b = s.encode()
    return b"\x0a\x00" + struct.pack("<I", len(b)) + b


def syms(v):
    return b"\x0b\x00" + struct.pack("<I", len(v)) + b"".join(x.encode() + b"\0" for x in v)


def longs(v):
    return b"\x07\x00" + struct.pack("<I", len(v)) + b"".join(struct.pack("<q", x) for x in v)


def floats(v):
    return b"\x09\x00" + struct.pack("<I", len(v)) + b"".join(struct.pack("<d", x) for x in v)


def timespans(v):
    return b"\x10\x00" + struct.pack("<I", len(v)) + b"".join(struct.pack("<q", x) for x in v)


def glist(items):
    return b"\x00\x00" + struct.pack("<I", len(items)) + b"".join(items)


def table(names, cols):
    return b"\x62\x00\x63" + syms(names) + glist(cols)


def long_atom(x):
    return b"\xf9" + struct.pack("<q", x)


def float_atom(x):
    return b"\xf7" + struct.pack("<d", x)


def error(text):
    return b"\x80" + text.encode() + b"\0"


IDENTITY = b"\x65\x00"
ASYNC, SYNC, RESPONSE = 0, 1, 2
MSGTYPE = {0: "async", 1: "sync", 2: "response"}


def message(mtype, payload):
    return bytes([1, mtype, 0, 0]) + struct.pack("<I", 8 + len(payload)) + payload


def compress(msg, order="<", always=False):
    """c.java compress(): None when the result would not be smaller than half;
    with always, the result whatever its size (a test's receiver sends every
    answer compressed: room for literals only and c.java's 17-byte margin).
    order: the message's byte order."""
    t = len(msg)
    b = msg
    y = bytearray(12 + t + t // 8 + 32 if always else t // 2)
    if len(y) < 12:
        return None
    y[0:4] = b[0:4]
    y[2] = 1
    y[8:12] = struct.pack(order + "I", t)
    a = [0] * 256
    i = 0
    c = 0
    d = 12
    e = len(y)
    s = 8
    s0 = 0
    h0 = 0
    h = 0
    f = 0
    while s < t:
        if i == 0:
            if d > e - 17:
                return None
            i = 1
            c = d
            d += 1
            f = 0
        g = s > t - 3
        if not g:
            h = b[s] ^ b[s + 1]
            p = a[h]
            g = p == 0 or b[s] != b[p]
        if s0 > 0:
            a[h0] = s0
            s0 = 0
        if g:
            h0 = h
            s0 = s
            y[d] = b[s]
            d += 1
            s += 1
        else:
            a[h] = s
            f |= i
            p += 2
            s += 2
            r = s
            q = min(s + 255, t)
            while b[p] == b[s]:
                s += 1
                if s >= q:
                    break
                p += 1
            y[d] = h
            y[d + 1] = s - r
            d += 2
        y[c] = f
        i = (i * 2) & 0xff
    y[4:8] = struct.pack(order + "I", d)
    return bytes(y[:d])


def store(msg):
    """A compressed form that does not pay: every item a literal, a flag byte
    0 before each 8, so 12 + n + ceil(n / 8) bytes for an n-byte payload,
    more than the message itself. kdb+ never sends one (it keeps a
    compression only when it halves the size), but c.java's uncompress (and
    uncompress() below) decodes it like any other."""
    body = msg[8:]
    out = bytearray(msg[0:4])
    out[2] = 1
    out += b"\0\0\0\0" + struct.pack("<I", len(msg))
    for i in range(0, len(body), 8):
        out.append(0)
        out += body[i:i + 8]
    out[4:8] = struct.pack("<I", len(out))
    return bytes(out)


def uncompress(m):
    """c.java uncompress(), as in KX's public c.java (github.com/KxSystems/javakdb)."""
    ulen = struct.unpack("<I", m[8:12])[0]
    dst = bytearray(ulen)
    aa = [0] * 256
    s = p = 8
    d = 12
    mask = f = n = 0
    while s < ulen:
        if mask == 0:
            f = m[d]
            d += 1
            mask = 1
        if f & mask:
            r = aa[m[d]]
            n = m[d + 1]
            d += 2
            assert r >= 8 and s + 2 + n <= ulen
            for k in range(n + 2):
                dst[s + k] = dst[r + k]
            s += 2
        else:
            dst[s] = m[d]
            s += 1
            d += 1
        while p + 1 < s:
            aa[dst[p] ^ dst[p + 1]] = p
            p += 1
        if f & mask:
            s += n
            p = s
        mask = (mask << 1) & 0xff
    assert d == len(m)
    return bytes(dst[8:])


# ---------------------------------------------------------------- capture

def qtime(ns):
    sec, frac = divmod(ns, 1000000000)
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec)
    return "%04d.%02d.%02dD%02d:%02d:%02d.%09d" % (
        d.year, d.month, d.day, d.hour, d.minute, d.second, frac)


def qspan(ns):
    sec, frac = divmod(ns, 1000000000)
    return "%dD%02d:%02d:%02d.%09d" % (sec // 86400, sec // 3600 % 24, sec // 60 % 60,
                                        sec % 60, frac)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Capture:
    """Packets of one or more TCP connections; frames are numbered from 1."""

    def __init__(self, t0=1700000000 * 10**9):
        self.pkts = []
        self.t = t0
        self.rows = []

    def tick(self, us=100):
        self.t += us * 1000

    def add(self, src, dst, sport, dport, seq, ack, flags, payload=b"", drop=False):
        self.tick()
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                          5 << 4, flags, 65535, 0, 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                         bytes(src), bytes(dst))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frame = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + tcp
        if not drop:
            self.pkts.append((self.t, frame))
        return len(self.pkts), self.t  # the frame number it has (or the last kept)

    def ng(self):
        """pcapng, when a time is beyond pcap's 32-bit seconds."""
        return any(not 0 <= t < 2**32 * 10**9 for t, _ in self.pkts)

    def pcap(self):
        if self.ng():
            return self.pcapng()
        out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)]
        for t, fr in self.pkts:
            sec, ns = divmod(t, 10**9)
            out.append(struct.pack("<IIII", sec, ns // 1000, len(fr), len(fr)) + fr)
        return b"".join(out)


    def pcapng(self):
        def block(btype, body):
            body += b"\0" * (-len(body) % 4)
            return struct.pack("<II", btype, 12 + len(body)) + body + \
                struct.pack("<I", 12 + len(body))
        # Ethernet, if_tsresol 9 (nanoseconds)
        out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
               block(1, struct.pack("<HHI", 1, 0, 262144) + struct.pack("<HHB3x", 9, 1, 9) +
                     struct.pack("<HH", 0, 0))]
        for t, fr in self.pkts:
            assert 0 <= t < 2**64
            out.append(block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(fr),
                                            len(fr)) + fr))
        return b"".join(out)


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


class Conn:
    """A TCP connection; side 0 is the client, side 1 the server."""

    def __init__(self, cap, cport, sport, caddr=(10, 0, 0, 1), saddr=(10, 0, 0, 2),
                 handshake=True, seqs=(1000, 50000)):
        self.cap = cap
        self.addr = (caddr, saddr)
        self.port = (cport, sport)
        self.seq = list(seqs)
        self.user = None
        self.pending_sync = []
        if handshake:
            self.cap.add(caddr, saddr, cport, sport, self.seq[0], 0, SYN)
            self.cap.add(saddr, caddr, sport, cport, self.seq[1], self.seq[0] + 1, SYN | ACK)
            self.seq[0] += 1
            self.seq[1] += 1
            self.cap.add(caddr, saddr, cport, sport, self.seq[0], self.seq[1], ACK)

    def seg(self, side, data, drop=False):
        o = 1 - side
        r = self.cap.add(self.addr[side], self.addr[o], self.port[side], self.port[o],
                         self.seq[side], self.seq[o], PSH | ACK, data, drop)
        self.seq[side] += len(data)
        return r

    def seg_at(self, side, data, seq, drop=False):
        """data at sequence number seq (out of order, overlapping)."""
        o = 1 - side
        r = self.cap.add(self.addr[side], self.addr[o], self.port[side], self.port[o],
                         seq, self.seq[o], PSH | ACK, data, drop)
        self.seq[side] = max(self.seq[side], seq + len(data))
        return r

    def ack(self, side):
        o = 1 - side
        return self.cap.add(self.addr[side], self.addr[o], self.port[side], self.port[o],
                            self.seq[side], self.seq[o], ACK)

    def hello(self, user, pw, capability=3):
        self.seg(0, ("%s:%s" % (user, pw)).encode() + bytes([capability, 0]))
        self.seg(1, bytes([capability]))
        self.user = user

    def row(self, side, frame, t, msg, mtype, payload_fields, status="ok", segs=1,
            skipped=0, compressed=False, ulen=None, latency=None, has_hdr=True, ftime=None):
        f = dict(payload_fields)
        r = {
            "frame": str(frame), "time": qtime(t), "ftime": qtime(ftime or t),
            "srcport": str(self.port[side]), "destport": str(self.port[1 - side]),
            "dir": "c2s" if side == 0 else "s2c", "user": self.user or "",
            "msgtype": MSGTYPE[mtype] if has_hdr else "",
            "compressed": ("1" if compressed else "0") if has_hdr else "",
            "len": str(len(msg)) if has_hdr else "",
            "ulen": str(ulen if ulen is not None else len(msg)) if has_hdr else "",
            "ptype": f.get("ptype", ""), "func": f.get("func", ""),
            "table": f.get("table", ""), "rows": f.get("rows", ""),
            "query": f.get("query", ""), "error": f.get("error", ""),
            "latency": qspan(latency) if latency is not None else "",
            "status": status, "segs": str(segs), "skipped": str(skipped) if skipped else "",
        }
        if mtype == SYNC and has_hdr:
            self.pending_sync.append(t)
        if mtype == RESPONSE and has_hdr and self.pending_sync and latency is None:
            d = t - self.pending_sync.pop(0)
            # null beyond a q timespan's +-(2^63 - 2) ns
            r["latency"] = qspan(d) if abs(d) <= 2**63 - 2 else ""
        self.cap.rows.append(r)

    def send(self, side, mtype, payload, fields, segsize=None, compressed=False):
        """One message in one segment (or several of segsize bytes); the row.
        compressed: True for kdb+'s compress(), or the function (store)."""
        msg = message(mtype, payload)
        ulen = len(msg)
        if compressed:
            c = (compress if compressed is True else compressed)(msg)
            assert c is not None and uncompress(c) == payload
            msg = c
        if segsize is None:
            frame, t = self.seg(side, msg)
            segs = 1
            ftime = t
        else:
            segs = 0
            for i in range(0, len(msg), segsize):
                frame, t = self.seg(side, msg[i:i + segsize])
                if segs == 0:
                    ftime = t
                segs += 1
        self.row(side, frame, t, msg, mtype, fields, segs=segs, compressed=bool(compressed),
                 ulen=ulen, ftime=ftime)
        return msg

    def send_many(self, side, items):
        """Several messages in one segment: [(mtype, payload, fields)]."""
        msgs = [message(m, p) for m, p, _ in items]
        frame, t = self.seg(side, b"".join(msgs))
        for (m, p, f), msg in zip(items, msgs):
            self.row(side, frame, t, msg, m, f)


# ---------------------------------------------------------------- payloads

def upd_cols(func, tab, nrows, k=0):
    """(func;`tab;(times;syms;prices;sizes)) with nrows rows."""
    fn = chars(func) if func.startswith(".u.") else sym(func)
    data = glist([timespans([34200000000000 + i * 1000 + k for i in range(nrows)]),
                  syms([["IBM", "MSFT", "AAPL", "GOOG"][i % 4] for i in range(nrows)]),
                  floats([100.25 + i for i in range(nrows)]),
                  longs([100 * (i + 1) for i in range(nrows)])])
    return glist([fn, sym(tab), data]), {"ptype": "0", "func": func, "table": tab,
                                          "rows": str(nrows)}


def upd_table(func, tab, nrows):
    t = table(["time", "sym", "price"],
              [timespans([34200000000000 + i for i in range(nrows)]),
               syms([["IBM", "MSFT"][i % 2] for i in range(nrows)]),
               floats([10.0 + (i % 7) for i in range(nrows)])])
    return glist([sym(func), sym(tab), t]), {"ptype": "0", "func": func, "table": tab,
                                              "rows": str(nrows)}


def upd_atoms(func, tab):
    row = glist([b"\xf0" + struct.pack("<q", 34200000000000), sym("IBM"),
                 float_atom(35.65), long_atom(100)])
    return glist([chars(func), sym(tab), row]), {"ptype": "0", "func": func,
                                                  "table": tab, "rows": "1"}


def query(text):
    return chars(text), {"ptype": "10", "query": text}


# ---------------------------------------------------------------- cases

def case_tick():
    cap = Capture()
    feed = Conn(cap, 40001, 5010)
    rdb = Conn(cap, 40002, 5010, caddr=(10, 0, 0, 3))
    feed.hello("feed", "secret")
    rdb.hello("rdb", "")
    # subscriber: a string query and a .u.sub call, each answered
    p, f = query("(.u.sub[`;`];`.u `i`L)")
    rdb.send(0, SYNC, p, f)
    cap.tick(250)
    rdb.send(1, RESPONSE, glist([glist([sym("trade"), table(["time", "sym"],
                                                            [timespans([]), syms([])])]),
                                 glist([long_atom(0), sym(":tp/log")])]), {"ptype": "0"})
    rdb.send(0, SYNC, glist([sym(".u.sub"), sym("quote"), sym("")]),
             {"ptype": "0", "func": ".u.sub", "table": "quote"})
    cap.tick(40)
    rdb.send(1, RESPONSE, glist([sym("quote"), table(["time", "bid"],
                                                     [timespans([]), floats([])])]),
             {"ptype": "0"})
    # feed: column lists, a row of atoms, a table; the TP publishes to rdb
    for k in range(3):
        p, f = upd_cols(".u.upd", "trade", k + 2, k)
        feed.send(0, ASYNC, p, f)
        p, f = upd_cols("upd", "trade", k + 2, k)
        rdb.send(1, ASYNC, p, f)
    p, f = upd_atoms(".u.upd", "trade")
    feed.send(0, ASYNC, p, f)
    p, f = upd_table(".u.upd", "quote", 3)
    feed.send(0, ASYNC, p, f)
    # several messages in one segment (Nagle)
    feed.send_many(0, [(ASYNC,) + upd_cols(".u.upd", "trade", 1, 7),
                       (ASYNC,) + upd_cols(".u.upd", "quote", 2, 8),
                       (ASYNC,) + upd_atoms(".u.upd", "quote")])
    # a big message over many segments, and a compressed one
    p, f = upd_table(".u.upd", "quote", 300)
    feed.send(0, ASYNC, p, f, segsize=1448)
    p, f = upd_table("upd", "quote", 300)
    rdb.send(1, ASYNC, p, f, compressed=True)
    p, f = upd_table("upd", "quote", 400)
    rdb.send(1, ASYNC, p, f, compressed=True, segsize=200)
    # a sync chaser and an error
    feed.send(0, SYNC, chars(""), {"ptype": "10"})
    cap.tick(120)
    feed.send(1, RESPONSE, IDENTITY, {"ptype": "101"})
    feed.send(0, SYNC, glist([sym(".u.nosuch"), sym("x")]),
              {"ptype": "0", "func": ".u.nosuch", "table": "x"})
    cap.tick(33)
    feed.send(1, RESPONSE, error(".u.nosuch"), {"ptype": "-128", "error": ".u.nosuch"})
    rdb.send(1, ASYNC, glist([sym(".u.end"), b"\xf2" + struct.pack("<i", 9000)]),
             {"ptype": "0", "func": ".u.end"})
    return cap


def case_far():
    cap = Capture(t0=10**9)                      # 1970.01.01D00:00:01
    c = Conn(cap, 40003, 5010)
    c.hello("far", "")
    p, f = query("til 3")
    c.send(0, SYNC, p, f)
    cap.t += 310 * 365 * 86400 * 10**9           # 2280
    c.send(1, RESPONSE, longs([0, 1, 2]), {"ptype": "7"})
    c.send(0, SYNC, p, f)
    cap.tick(250)
    c.send(1, RESPONSE, longs([0, 1, 2]), {"ptype": "7"})
    return cap


def case_midstream():
    cap = Capture()
    tp = Conn(cap, 45000, 5010, handshake=False)
    tail = syms(["ABCDEFGH"] * 6)[6:]        # the end of a message we never saw
    msgs = [upd_cols("upd", "trade", n) for n in (2, 3)]
    frame, t = tp.seg(1, tail + b"".join(message(ASYNC, p) for p, _ in msgs))
    for i, (p, f) in enumerate(msgs):
        tp.row(1, frame, t, message(ASYNC, p), ASYNC, f, skipped=len(tail) if i == 0 else 0)
    tp.send_many(1, [(ASYNC,) + upd_cols("upd", "quote", 4), (ASYNC,) + upd_cols("upd", "trade", 1)])
    p, f = upd_table("upd", "quote", 50)
    tp.send(1, ASYNC, p, f, segsize=700)
    return cap


def case_gap():
    cap = Capture()
    c = Conn(cap, 40010, 5010)
    c.hello("rte", "pw")
    # A: 3 segments, the middle one lost: truncated, framing goes on
    pa, fa = upd_table("upd", "trade", 60)
    a = message(ASYNC, pa)
    third = len(a) // 3
    _, ta = c.seg(1, a[:third])
    c.seg(1, a[third:2 * third], drop=True)
    frame, t = c.seg(1, a[2 * third:])
    c.ack(0)              # the client acknowledges past the hole: it is given up
    # bytes queued behind a given-up hole are completed by their own packet
    fields = {"ptype": "0", "func": "upd", "table": "trade", "rows": "60"}
    c.row(1, frame, t, a, ASYNC, fields, status="truncated", segs=2, ftime=ta)
    pb, fb = upd_cols("upd", "trade", 3)
    c.send(1, ASYNC, pb, fb)
    # B ends inside a lost segment that also holds C's header: resync at D
    pb, fb = upd_cols("upd", "quote", 20)
    b = message(ASYNC, pb)
    pc, _ = upd_cols("upd", "trade", 5)
    cm = message(ASYNC, pc)
    ds = [upd_cols("upd", "trade", n) for n in (1, 2, 3)]
    half = len(b) // 2
    fb_, tb = c.seg(1, b[:half])
    lost = b[half:] + cm[:20]
    c.seg(1, lost, drop=True)
    fd, td = c.seg(1, cm[20:] + b"".join(message(ASYNC, p) for p, _ in ds))
    c.ack(0)
    # B's last byte is lost: its row goes with the last packet that had some
    c.row(1, fb_, tb, b, ASYNC, fb, status="truncated", segs=1)
    for i, (p, f) in enumerate(ds):
        # skipped: the lost bytes past B's end and C's tail (all of C)
        c.row(1, fd, td, message(ASYNC, p), ASYNC, f, skipped=len(cm) if i == 0 else 0)
    pe, fe = upd_cols("upd", "trade", 4)
    c.send(1, ASYNC, pe, fe)
    return cap


def case_corrupt():
    cap = Capture()
    c = Conn(cap, 40020, 5010)
    c.hello("feed", "pw")
    p, f = upd_cols(".u.upd", "trade", 2)
    c.send(0, ASYNC, p, f)
    # an impossible header (byte order 7), then three good messages
    p2, _ = upd_cols(".u.upd", "trade", 3)
    m2 = bytearray(message(ASYNC, p2))
    m2[0] = 7
    good = [upd_cols(".u.upd", n, k) for n, k in (("quote", 1), ("trade", 2), ("quote", 3))]
    frame, t = c.seg(0, bytes(m2) + b"".join(message(ASYNC, p) for p, _ in good))
    c.row(0, frame, t, m2, ASYNC, {}, status="bad", has_hdr=False)
    for i, (p, f) in enumerate(good):
        c.row(0, frame, t, message(ASYNC, p), ASYNC, f,
              skipped=len(m2) - 1 if i == 0 else 0)
    # a length 100 bytes too large: the object ends first; the next frames
    p6, f6 = upd_cols(".u.upd", "trade", 4)
    m6 = bytearray(message(ASYNC, p6))
    m6[4:8] = struct.pack("<I", len(m6) + 100)
    after = [upd_cols(".u.upd", "quote", 5), upd_cols(".u.upd", "trade", 6)]
    frame, t = c.seg(0, bytes(m6) + b"".join(message(ASYNC, p) for p, _ in after))
    r6 = dict(f6)
    c.row(0, frame, t, bytes(m6) + b"\0" * 100, ASYNC, r6, status="bad")
    for p, f in after:
        c.row(0, frame, t, message(ASYNC, p), ASYNC, f)
    return cap


def case_grown():
    """Compressed messages longer than their uncompressed form (store()): legal
    IPC that kdb+'s decompressor takes, so a framing in sync decodes them like
    any other compressed message, and the messages after them follow."""
    cap = Capture()
    c = Conn(cap, 40030, 5010)
    c.hello("feed", "pw")
    p, f = upd_cols(".u.upd", "trade", 2)
    c.send(0, ASYNC, p, f)
    p, f = query("1+1")                       # 23 bytes on the wire, ulen 17
    c.send(0, ASYNC, p, f, compressed=store)
    c.send_many(0, [(ASYNC,) + upd_cols(".u.upd", "trade", 3, 1),
                    (ASYNC,) + upd_cols(".u.upd", "quote", 1, 2)])
    # one over three segments (its output held by ulen, less than len), a
    # sync query answered by a string: a result, not a query (no `query`)
    p, f = query(".Q.s til 3")
    c.send(0, SYNC, p, f, compressed=store, segsize=12)
    cap.tick(80)
    c.send(1, RESPONSE, chars("0 1 2\n"), {"ptype": "10"})
    p, f = upd_table(".u.upd", "quote", 3)
    c.send(0, ASYNC, p, f, compressed=store)
    # lies: data left after ulen's bytes (bad, framing goes on at its
    # length) ...
    p, f = query("a" * 64)
    m = compress(message(ASYNC, p)) + b"xyz"
    m = m[:4] + struct.pack("<I", len(m)) + m[8:]
    frame, t = c.seg(0, m)
    c.row(0, frame, t, m, ASYNC, f, status="bad", compressed=True, ulen=8 + len(p))
    p, f = upd_cols(".u.upd", "trade", 4, 3)
    c.send(0, ASYNC, p, f)
    # ... and a wire length no encoding of ulen bytes reaches: no length to
    # trust (bad, no header fields), resync on the three messages after it
    pl, _ = query("1+1")
    lie = store(message(ASYNC, pl)) + b"1"
    lie = lie[:4] + struct.pack("<I", len(lie)) + lie[8:]
    good = [upd_cols(".u.upd", n, k) for n, k in (("quote", 4), ("trade", 5), ("quote", 6))]
    frame, t = c.seg(0, lie + b"".join(message(ASYNC, p) for p, _ in good))
    c.row(0, frame, t, lie, ASYNC, {}, status="bad", has_hdr=False)
    for i, (p, f) in enumerate(good):
        c.row(0, frame, t, message(ASYNC, p), ASYNC, f, skipped=len(lie) - 1 if i == 0 else 0)
    # picked up mid-connection: once a chain of three headers put the
    # framing in sync, such a message is taken there too
    tp = Conn(cap, 45030, 5010, caddr=(10, 0, 0, 3), handshake=False)
    tail = syms(["ABCDEFGH"] * 6)[6:]
    msgs = [upd_cols("upd", "trade", n) for n in (2, 3, 1)]
    frame, t = tp.seg(1, tail + b"".join(message(ASYNC, p) for p, _ in msgs))
    for i, (p, f) in enumerate(msgs):
        tp.row(1, frame, t, message(ASYNC, p), ASYNC, f, skipped=len(tail) if i == 0 else 0)
    p, f = upd_cols("upd", "quote", 2)
    tp.send(1, ASYNC, p, f, compressed=store)
    p, f = upd_cols("upd", "trade", 5)
    tp.send(1, ASYNC, p, f)
    return cap


def case_cut():
    """Lengths that lie (larger than the object), each message in its own
    segment: framing goes on in sync where the object ends, and each message
    after it is dated by its own packet; and connections that end after a
    header but before the 6 payload bytes it is checked with."""
    cap = Capture()

    def lie(c, d, after):
        """A message whose header says d bytes more than its object, then the
        messages after (mtype, payload, fields), each in its own segment. The
        lying one's row comes with the packet holding its claimed last byte."""
        p, f = upd_cols(".u.upd", "lie", 2)
        m = bytearray(message(ASYNC, p))
        m[4:8] = struct.pack("<I", len(m) + d)
        f0, t0 = c.seg(0, bytes(m))
        sent = [(c.seg(0, message(mt, pl)), mt, pl, fl) for mt, pl, fl in after]
        # the packets holding the d claimed bytes after the object
        need, segs, at = d, 1, (f0, t0)
        for (fr, mt, pl, _) in sent:
            if need <= 0:
                break
            segs += 1
            at = fr
            need -= len(message(mt, pl))
        c.row(0, at[0], at[1], bytes(m) + b"\0" * d, ASYNC, f, status="bad", segs=segs,
              ftime=t0)
        # a message lying wholly inside the claimed bytes is framed only when
        # the lie is found: its row comes with that packet, and so does its
        # ftime when its bytes came before it (only the last packet's bytes
        # are told apart); the others go with their own packet
        claimed = d
        for (fr, mt, pl, fl) in sent:
            claimed -= len(message(mt, pl))
            row_at = at if claimed >= 0 else fr
            c.row(0, row_at[0], row_at[1], message(mt, pl), mt, fl)

    # +5, the next message the last one its side sends (then FIN both ways)
    c = Conn(cap, 40050, 5010)
    c.hello("feed", "pw")
    lie(c, 5, [(SYNC,) + upd_cols(".u.upd", "after0", 2)])
    c.send(1, RESPONSE, long_atom(5), {"ptype": "-7"})
    c.cap.add(c.addr[0], c.addr[1], c.port[0], c.port[1], c.seq[0], c.seq[1], FIN | ACK)
    c.cap.add(c.addr[1], c.addr[0], c.port[1], c.port[0], c.seq[1], c.seq[0] + 1, FIN | ACK)
    # +40 over three messages longer than 40 bytes, and the capture ends
    c = Conn(cap, 40051, 5010)
    c.hello("feed", "pw")
    lie(c, 40, [(ASYNC,) + upd_cols(".u.upd", "after%d" % i, 2) for i in range(3)])
    # +40 over short messages: the claimed bytes run over two of them (rows
    # with the packet that shows the lie) and into a third (its own packet)
    c = Conn(cap, 40052, 5010)
    c.hello("feed", "pw")
    lie(c, 40, [(SYNC,) + query(q) for q in ("1+1", "2+2", "3+3", "4+4")])
    # ends after the header and 0..5 payload bytes: truncated, with what the
    # bytes give (the payload type from its first byte); a type byte no
    # object has is bad (no header fields), as with more bytes
    p, _ = upd_cols(".u.upd", "trade", 3)
    for k, (mt, pl, fl) in enumerate([(ASYNC, p, {}), (ASYNC, p, {"ptype": "0"}),
                                      (ASYNC, p, {"ptype": "0"}),
                                      (SYNC, chars("select from t"), {"ptype": "10"})]):
        cut = (8, 9, 13, 12)[k]
        c = Conn(cap, 40060 + k, 5010)
        c.hello("feed", "pw")
        m = message(mt, pl)
        fr, t = c.seg(0, m[:cut])
        c.row(0, fr, t, m, mt, fl, status="truncated")
    c = Conn(cap, 40070, 5010)
    c.hello("feed", "pw")
    m = message(ASYNC, b"\x50\x00\x01\x00\x00\x00")
    fr, t = c.seg(0, m[:10])
    c.row(0, fr, t, m, ASYNC, {}, status="bad", has_hdr=False)
    return cap


def case_falsehdr():
    """Picked up mid-stream after bytes ending in a zero: that zero and the
    first real header read as a big-endian header claiming megabytes, an
    earlier candidate than the real chain, whose next header comes sooner.
    The search looks again as soon as any candidate can be decided, so the
    real chain is found by the segment that completes it, not 4 KiB later
    (here the connection ends before that)."""
    cap = Capture()
    tp = Conn(cap, 45010, 5010, handshake=False)
    tail = syms(["ABCDEFGH"] * 6)[6:]        # a message's end: its last byte 0
    ms = [upd_cols("upd", "trade", n) for n in (4, 3, 2, 5)]
    b = [message(ASYNC, p) for p, _ in ms]
    half = len(b[1]) // 2
    # segment 1: the tail, the first message, half the second: undecided
    f1, t1 = tp.seg(1, tail + b[0] + b[1][:half])
    # segment 2: the second's rest and the third: three headers, a chain
    f2, t2 = tp.seg(1, b[1][half:] + b[2])
    tp.row(1, f2, t2, b[0], ASYNC, ms[0][1], skipped=len(tail), ftime=t1)
    tp.row(1, f2, t2, b[1], ASYNC, ms[1][1], segs=2, ftime=t1)
    tp.row(1, f2, t2, b[2], ASYNC, ms[2][1])
    tp.send(1, ASYNC, ms[3][0], ms[3][1])
    # the second chain: the same with the messages' ends on segment ends
    tp = Conn(cap, 45011, 5010, handshake=False)
    f1, t1 = tp.seg(1, tail + b[0] + b[1][:half])
    f2, t2 = tp.seg(1, b[1][half:])
    f3, t3 = tp.seg(1, b[2])
    tp.row(1, f3, t3, b[0], ASYNC, ms[0][1], skipped=len(tail), ftime=t1)
    tp.row(1, f3, t3, b[1], ASYNC, ms[1][1], segs=2, ftime=t1)
    tp.row(1, f3, t3, b[2], ASYNC, ms[2][1])
    # the connection ends where the second message ends: two headers whose
    # lengths land on the end are a chain (as at a segment's end), found
    # when the connection ends, with the segment that brought its last bytes
    tp = Conn(cap, 45012, 5010, handshake=False)
    f1, t1 = tp.seg(1, tail + b[0] + b[1][:half])
    f2, t2 = tp.seg(1, b[1][half:])
    tp.row(1, f2, t2, b[0], ASYNC, ms[0][1], skipped=len(tail), ftime=t1)
    tp.row(1, f2, t2, b[1], ASYNC, ms[1][1], segs=2, ftime=t1)
    return cap


def case_reasm():
    """Reassembly corner cases, one connection each."""
    cap = Capture()
    # The middle third of a message captured first (queued), then the whole
    # message in one packet: its first third, the queued middle (its packet
    # captured first wins), its last third. Two packets (segs 2), completed
    # by the whole one, which holds its first byte (ftime).
    c = Conn(cap, 40020, 5010)
    c.hello("rte", "pw")
    p, f = upd_cols("upd", "trade", 6)
    m = message(ASYNC, p)
    s0, a, b = c.seq[1], len(m) // 3, 2 * len(m) // 3
    c.seg_at(1, m[a:b], s0 + a)
    frame, t = c.seg_at(1, m, s0)
    c.ack(0)
    c.row(1, frame, t, m, ASYNC, f, segs=2)
    # A message's middle captured first (queued), then its start, which
    # fills the hole before it; its end is lost, the next message queued
    # behind the hole, and the client acknowledges both: the hole is given
    # up. Truncated, and the row goes with the last captured of the packets
    # that completed its bytes: the start's packet, which completed the
    # middle too (not the middle's own, before the message's first byte).
    # The next message follows, by its own packet.
    c = Conn(cap, 40021, 5010)
    c.hello("rte", "pw")
    p, f = upd_cols("upd", "trade", 8)
    m = message(ASYNC, p)
    s0 = c.seq[1]
    c.seg_at(1, m[30:60], s0 + 30)
    frame, t = c.seg_at(1, m[:30], s0)
    c.seg_at(1, m[60:], s0 + 60, drop=True)
    p2, f2 = upd_cols("upd", "quote", 2)
    m2 = message(ASYNC, p2)
    frame2, t2 = c.seg(1, m2)
    c.ack(0)
    c.row(1, frame, t, m, ASYNC, f, status="truncated", segs=2)
    c.row(1, frame2, t2, m2, ASYNC, f2)
    # The server's handshake reply and its first message (a .z.po writing
    # to the new handle) in one segment: the connection is kdb+, the
    # message is read, and so is the rest of the connection.
    c = Conn(cap, 40023, 5010)
    c.seg(0, b"ops:pw" + bytes([3, 0]))
    c.user = "ops"
    p, f = upd_cols("upd", "trade", 2)
    m = message(ASYNC, p)
    frame, t = c.seg(1, bytes([3]) + m)
    c.row(1, frame, t, m, ASYNC, f)
    q = query("select from trade")
    c.send(0, SYNC, q[0], q[1])
    p, f = upd_cols("upd", "quote", 3)
    c.send(1, RESPONSE, p, {"ptype": "0"})
    # The capture ends inside a message in each direction: both rows come
    # when the connection ends, the client's first, and both carry the
    # handshake's user; the server's, a response, pairs with the first
    # request (latency). It once lost both: the client's side, which holds
    # the user and the requests, was released first.
    c = Conn(cap, 40022, 5010)
    c.hello("ops", "pw")
    q1 = query("select from quote")
    c.send(0, SYNC, q1[0], q1[1])
    q2 = query("select from trade")
    mq = message(SYNC, q2[0])
    fq, tq = c.seg(0, mq[:len(mq) - 3])
    p, f = upd_cols("upd", "trade", 5)
    m = message(RESPONSE, p)
    fm, tm = c.seg(1, m[:len(m) // 2])
    # the query's text is what was captured of it
    c.row(0, fq, tq, mq, SYNC, query("select from tr")[1], status="truncated")
    # a response's payload gives only its type (func, table, rows: calls)
    c.row(1, fm, tm, m, RESPONSE, {"ptype": "0"}, status="truncated")
    return cap


# ---------------------------------------------------------------- output

def csv_out(rows, cols):
    cols = cols.split(",")
    lines = [",".join(cols)]
    for r in rows:
        lines.append(",".join(r[c] for c in cols))
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    table_only = "--table" in args
    args = [a for a in args if a != "--table"]
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = args[0] if args else os.path.join(os.path.dirname(here), "testdata")
    cases = [("kdb_tick", case_tick), ("kdb_midstream", case_midstream),
             ("kdb_gap", case_gap), ("kdb_corrupt", case_corrupt), ("kdb_far", case_far),
             ("kdb_grown", case_grown), ("kdb_reasm", case_reasm), ("kdb_cut", case_cut),
             ("kdb_falsehdr", case_falsehdr)]
    lines = []
    for name, fn in cases:
        cap = fn()
        ext = ".pcapng" if cap.ng() else ".pcap"
        capfile = "testdata/%s%s" % (name, ext)
        lines.append("%s\t%s\t0\t--kdb --columns %s" % (name, capfile, COLS))
        if not table_only:
            with open(os.path.join(outdir, name + ext), "wb") as f:
                f.write(cap.pcap())
            with open(os.path.join(outdir, name + ".out"), "w") as f:
                f.write(csv_out(cap.rows, COLS))
        if name in ("kdb_cut", "kdb_falsehdr"):
            # ftime too: the bytes after a lying length keep their packet
            cols = "frame,ftime,time,table,query,status,segs"
            lines.append("%s_ftime\t%s\t0\t--kdb --columns %s" % (name, capfile, cols))
            if not table_only:
                with open(os.path.join(outdir, name + "_ftime.out"), "w") as f:
                    f.write(csv_out(cap.rows, cols))
        if name == "kdb_tick":
            # the default columns: sym, addresses, stream, ftime, reason too
            lines.append("%s_default\t%s\t0\t--kdb" % (name, capfile))
            if not table_only:
                with open(os.path.join(outdir, name + "_default.out"), "w") as f:
                    f.write(default_out(cap, name))
    if table_only:
        print("\n".join(lines))


DEFAULT = ("time,ftime,sym,src,dest,srcport,destport,stream,frame,dir,user,msgtype,"
           "compressed,len,ulen,ptype,func,table,rows,query,error,latency,status,reason")


def default_out(cap, name):
    """kdb_tick with the default columns: every message of it is whole and ok."""
    by_port = {}
    rows = []
    for r in cap.rows:
        cport = r["srcport"] if r["dir"] == "c2s" else r["destport"]
        stream = {"40001": "0", "40002": "1"}[cport]
        ip_c = {"40001": "10.0.0.1", "40002": "10.0.0.3"}[cport]
        src, dest = (ip_c, "10.0.0.2") if r["dir"] == "c2s" else ("10.0.0.2", ip_c)
        x = dict(r, sym=name, src=src, dest=dest, stream=stream, reason="")
        rows.append(x)
        by_port[cport] = 1
    return csv_out(rows, DEFAULT)


if __name__ == "__main__":
    main()
