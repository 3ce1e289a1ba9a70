#!/usr/bin/env python3
"""Generate the --fix golden captures and their expected message tables.

    python3 tests/gen_fixdata.py [OUTDIR]     (default: <repo>/testdata)
    python3 tests/gen_fixdata.py --table      print the golden.tsv lines

Each case is a nanosecond pcap (Ethernet, IPv4, TCP with real sequence and
acknowledgment numbers, handshake, ACKs) carrying FIX sessions, built byte by
byte with the standard library, and NAME.out, the expected `pcap2kdb --fix`
output, computed here from what the generator put where -- not from
pcap2kdb. The model of reassembly is the documented one: bytes are taken in
sequence order, each once; a segment ahead of a hole waits; a hole becomes a
gap when the peer acknowledges past it or the direction sends FIN/RST; a
message cut by a gap is dropped and the next one flagged `gap`.

Cases: split over 3 segments, 5 messages in one segment, duplicated and
retransmitted segments, reordering, a gap, a lying BodyLength, a bad
checksum, FIXT.1.1, a session that resets and reconnects (latency pairs
per connection), segments sent as IPv4 fragments (reassembled first), data
fields holding a trailer or a message start, cut just after it,
overlapping copies ahead of a hole (the first capture wins), SendingTimes
on days the month does not have, BodyLength with leading zeros, a NUL
OrdStatus (no final status), a report that waited behind a hole and
an order captured after it (not paired), CheckSum values not padded to
three digits (fix_unpadded_checksum, with --columns ... len),
BeginString values of 29 to 1024 bytes, whole and cut by TCP inside them,
and one of 1025 bytes, past the documented bound: no message, its bytes
skipped (fix_long_begin, with --columns ... begin), and
times pcap cannot hold (fix_far, a nanosecond pcapng): an order in 1970
answered in 2280, a latency a q timespan cannot hold (beyond +-(2^63 - 2)
ns, 292 years: null), and an order in 2280 answered a year later.
"""

import datetime
import os
import struct
import sys

T0 = 1767619800 * 10**9          # 2026-01-05 13:30:00 UTC, ns
# README (--fix): a BeginString value of up to this many bytes starts a
# message; a longer one is none, its bytes are skipped up to the next one.
BEGIN_VALUE_MAX = 1024
CASES = []


def qtime(ns):
    s, f = divmod(ns, 10**9)
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=s)
    return d.strftime("%Y.%m.%dD%H:%M:%S.") + "%09d" % f


def qspan(ns):
    s, f = divmod(ns, 10**9)
    return "%dD%02d:%02d:%02d.%09d" % (s // 86400, s // 3600 % 24, s // 60 % 60, s % 60, f)


def fixmsg(fields, begin="FIX.4.4", len_delta=0, chk_delta=0, len_zeros=0, chk_text=None):
    """fields: list of (tag, value); returns (bytes, declared bodylen).
    len_zeros: leading zeros before BodyLength's digits; chk_text: the
    CheckSum's text as given (e.g. "2", unpadded), not computed."""
    body = b"".join(b"%d=%s\x01" % (t, v.encode()) for t, v in fields)
    bl = len(body) + len_delta
    head = b"8=%s\x019=%s%d\x01" % (begin.encode(), b"0" * len_zeros, bl)
    chk = (sum(head + body) + chk_delta) % 256
    text = chk_text.encode() if chk_text is not None else b"%03d" % chk
    return head + body + b"10=" + text + b"\x01", bl


def with_sum(fields, target, **kw):
    """fields and a Text (58) of three printable bytes chosen so that the
    message's byte sum before "10=" is target modulo 256."""
    pads = [chr(c) for c in range(0x21, 0x7F)]
    for a in pads:
        for b in pads:
            for c in pads:
                f = fields + [(58, a + b + c)]
                m, _ = fixmsg(f, **kw)
                if sum(m[:m.rindex(b"\x0110=") + 1]) % 256 == target:
                    return f
    raise ValueError(target)


def trailer_of(m):
    """What the model makes of a message's CheckSum: (is a trailer, its
    value is right). Where BodyLength points, "10=" and 1 to 3 digits and
    SOH is the trailer (zero padding to three digits is FIX's rule, not
    required), its value read as a number against the byte sum before it
    modulo 256; anything else there is no trailer."""
    at = m.rindex(b"\x0110=") + 1
    text = m[at + 3:-1]
    if not (1 <= len(text) <= 3 and text.isdigit()):
        return False, False
    return True, int(text) == sum(m[:at]) % 256


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Conn:
    """One TCP connection 10.0.0.1:cport <-> 10.0.0.2:sport."""

    def __init__(self, cap, cport, sport=9878):
        self.cap = cap
        self.ip = (bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        self.port = (cport, sport)
        self.isn = (1000000 + cport, 5000000 + cport)
        self.nxt = [self.isn[0] + 1, self.isn[1] + 1]
        self.stream = cap.next_stream
        cap.next_stream += 1
        self.msgs = ([], [])      # per direction: (start, end, fields, info)
        self.sent = [0, 0]        # stream offset of the next byte built

    def packet(self, d, flags, seq, ack, payload=b"", dt=1000, frag=None):
        src, dst = self.ip[d], self.ip[1 - d]
        sp, dp = self.port[d], self.port[1 - d]
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        c = csum(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000,
                         64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
        if frag:
            return self.fragments(eth, src, dst, tcp + payload, frag, dt,
                                  (d, flags, seq, ack, payload))
        return self.cap.add(eth + ip + tcp + payload, dt, self, d, flags, seq, ack, payload)

    def fragments(self, eth, src, dst, dgram, frag, dt, seg):
        """The datagram as IPv4 fragments of frag[1] bytes, in order or
        reversed (frag[0]): the frame added last completes it, and pcap2kdb
        (like tshark) shows the segment there, so that frame carries it in
        the model; the others carry nothing."""
        how, size = frag
        self.cap.ipid += 1
        pieces = [(o, dgram[o:o + size]) for o in range(0, len(dgram), size)]
        order_ = list(enumerate(pieces))
        if how == "reversed":
            order_.reverse()
        last = None
        for n, (i, (o, b)) in enumerate(order_):
            mf = 0x2000 if i < len(pieces) - 1 else 0
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(b), self.cap.ipid,
                             mf | o // 8, 64, 6, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            if n < len(order_) - 1:
                last = self.cap.add(eth + ip + b, dt, self, seg[0], 0, 0, 0, b"")
            else:
                last = self.cap.add(eth + ip + b, dt, self, *seg)
        return last

    def handshake(self):
        self.packet(0, 0x02, self.isn[0], 0)
        self.packet(1, 0x12, self.isn[1], self.isn[0] + 1)
        self.packet(0, 0x10, self.isn[0] + 1, self.isn[1] + 1)

    def build(self, d, fields, **kw):
        """Appends a message to direction d's byte stream; returns its bytes."""
        m, bl = fixmsg(fields, **kw)
        start = self.sent[d]
        self.sent[d] += len(m)
        self.msgs[d].append((start, start + len(m), dict(fields), bl, kw, m))
        return m

    def seg(self, d, data, off=None, flags=0x18, dt=1000, frag=None):
        """Sends data at stream offset off (default: the next unsent);
        frag=(order, size): as IPv4 fragments (see fragments())."""
        if off is None:
            off = self.nxt[d] - self.isn[d] - 1
        seq = self.isn[d] + 1 + off
        f = self.packet(d, flags, seq, self.nxt[1 - d], data, dt, frag)
        self.nxt[d] = max(self.nxt[d], seq + len(data))
        return f

    def ack(self, d, dt=1000):
        return self.packet(d, 0x10, self.nxt[d], self.nxt[1 - d], b"", dt)


class Capture:
    def __init__(self, name):
        self.name = name
        self.t = T0
        self.frames = []          # (ns, bytes, conn, dir, flags, seq, ack, payload)
        self.next_stream = 0
        self.ipid = 0x1000

    def add(self, data, dt, conn, d, flags, seq, ack, payload):
        self.t += dt
        self.frames.append((self.t, data, conn, d, flags, seq, ack, payload))
        return len(self.frames)

    def ng(self):
        """pcapng, when a time is beyond pcap's 32-bit seconds."""
        return any(not 0 <= ns < 2**32 * 10**9 for ns, *_ in self.frames)

    def pcap(self):
        if self.ng():
            return self.pcapng()
        out = [struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1)]
        for ns, data, *_ in self.frames:
            s, f = divmod(ns, 10**9)
            out.append(struct.pack("<IIII", s, f, len(data), len(data)) + data)
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
        for ns, data, *_ in self.frames:
            assert 0 <= ns < 2**64
            out.append(block(6, struct.pack("<IIIII", 0, ns >> 32, ns & 0xFFFFFFFF, len(data),
                                            len(data)) + data))
        return b"".join(out)

    # ------------------------------------------------------- the model --
    def expected(self, sym, columns=None):
        """Rows of `pcap2kdb --fix` by the model in the module docstring,
        of the named columns (default: --fix's, HEADER)."""
        pick = [MODEL_COLUMNS.index(c) for c in columns or HEADER.split(",")]
        rows = []
        state = {}                # (conn id, dir) -> model state
        orders = {}               # (stream, dir, clordid) -> time

        def st(c, d):
            k = (id(c), d)
            if k not in state:
                state[k] = {"next": 0, "have": {}, "owner": {}, "gap": False,
                            "reord": set(), "done": 0, "dropped": set()}
            return state[k]

        for fno, (ns, _data, c, d, flags, seq, ack, payload) in enumerate(self.frames, 1):
            done_now = []
            if flags & 0x10 and c.msgs[1 - d]:
                s = st(c, 1 - d)
                a = ack - c.isn[1 - d] - 1
                # every hole below the ACK with bytes queued behind it
                while True:
                    later = [o for o in s["have"] if o >= s["next"]]
                    if not (a > s["next"] and later):
                        break
                    self._gap(s, min(a, min(later)))
                    self._advance(c, 1 - d, s, fno, ns, done_now, True)
            if payload:
                s = st(c, d)
                off = seq - c.isn[d] - 1
                queued = off > s["next"]
                for i, b in enumerate(payload):
                    o = off + i
                    if o >= s["next"] and o not in s["have"]:
                        s["have"][o] = fno
                        if queued:
                            s["reord"].add(o)
                self._advance(c, d, s, fno, ns, done_now, False)
            if flags & 0x05 and c.msgs[d]:
                s = st(c, d)
                while any(o >= s["next"] for o in s["have"]):
                    self._gap(s, min(o for o in s["have"] if o >= s["next"]))
                    self._advance(c, d, s, fno, ns, done_now, True)
            for (cc, dd, m, first_frame, last_frame, segs, gap, reord, skipped) in done_now:
                mns = self.frames[last_frame - 1][0]
                bundled = sum(1 for x in done_now if x[4] == last_frame)
                start, end, f, bl, kw, mbytes = m
                is_trailer, chk_right = trailer_of(mbytes)
                mt = f.get(35)
                key = (cc.stream, dd, f.get(11))
                lat = ""
                if mt in ("D", "F", "G") and 11 in f:
                    orders[key] = (mns, last_frame)
                elif mt in ("8", "9", "3", "j") and 11 in f:
                    k2 = (cc.stream, 1 - dd, f.get(11))
                    # only an order completed by an earlier packet
                    if k2 in orders and orders[k2][1] < last_frame:
                        ons = orders[k2][0]
                        # null beyond a q timespan's +-(2^63 - 2) ns
                        if abs(mns - ons) <= 2**63 - 2:
                            lat = qspan(mns - ons)
                        if f.get(39) in ("2", "4", "8", "C", "3"):
                            del orders[k2]
                fl = []
                if gap:
                    fl.append("gap")
                if skipped:
                    fl.append("skipped")
                if reord:
                    fl.append("reordered")
                if kw.get("len_delta") or not is_trailer:
                    fl.append("bad_length")
                if is_trailer and not chk_right:
                    fl.append("bad_checksum")
                if not is_trailer:      # ended before the next message
                    fl.append("no_checksum")
                st52 = f.get(52, "")
                sendtime = ""
                try:          # a date the calendar does not have: null
                    dt = datetime.datetime.strptime(st52[:17], "%Y%m%d-%H:%M:%S")
                except ValueError:
                    dt = None
                if dt:
                    frac = (st52[18:] + "000000000")[:9] if len(st52) > 17 else "000000000"
                    sendtime = dt.strftime("%Y.%m.%dD%H:%M:%S.") + frac
                def num(v):
                    return v if v is not None else ""
                rows.append([
                    qtime(mns), qtime(self.frames[first_frame - 1][0]), sym,
                    "10.0.0.%d" % (dd + 1), "10.0.0.%d" % (2 - dd),
                    str(cc.port[dd]), str(cc.port[1 - dd]), str(cc.stream), str(last_frame),
                    str(segs), str(bundled), mt or "", num(f.get(34)), num(f.get(49)),
                    num(f.get(56)), sendtime, num(f.get(11)), num(f.get(55)), num(f.get(54)),
                    num(f.get(38)), num(f.get(44)), str(bl),
                    "1" if chk_right else "0", "|".join(fl), lat, str(end - start),
                    kw.get("begin", "FIX.4.4")])
        return [[r[i] for i in pick] for r in rows]

    @staticmethod
    def _gap(s, to):
        s["gapped"] = True
        for o in range(s["next"], to):
            s["dropped"].add(o)
        s["next"] = to

    def _advance(self, c, d, s, fno, ns, done_now, after_gap):
        """Delivers what is contiguous. Bytes that waited in the queue are
        `reordered` and completed by this packet when it filled the hole
        before them. After a gap (the hole given up) each byte is completed
        by the last captured of the packets delivered from the gap on up to
        it: its own packet, unless it was captured before bytes ahead of it
        in the stream, which makes it `reordered` too. A message is
        completed where its last byte (without a trailer: the next
        message's "8=FIX") is."""
        done_by = s.setdefault("done_by", {})
        latest = 0
        while s["next"] in s["have"]:
            o = s["next"]
            if after_gap:
                latest = max(latest, s["have"][o])
                done_by[o] = latest
                if s["have"][o] < latest:
                    s.setdefault("reord_ok", set()).add(o)
            else:
                done_by[o] = fno
                if o in s["reord"]:
                    s.setdefault("reord_ok", set()).add(o)
            s["next"] += 1
        # messages whose last byte is now delivered
        for m in c.msgs[d][s["done"]:]:
            start, end = m[0], m[1]
            # without a trailer, "8=FIX" of the next message ends it
            need = end + (0 if trailer_of(m[5])[0] else 5)
            if need > s["next"]:
                break
            s["done"] += 1
            if len(m[4].get("begin", "")) > BEGIN_VALUE_MAX:
                s["skipped"] = True       # no message: flags the next one
                continue
            if any(o in s["dropped"] for o in range(start, end)):
                s["gap"] = True
                continue
            if s.pop("gapped", False):
                s["gap"] = True
            owners = [s["have"][o] for o in range(start, end)]
            reord = any(o in s.get("reord_ok", ()) for o in range(start, end))
            last = done_by[need - 1]
            done_now.append((c, d, m, owners[0], last, len(set(owners)), s["gap"], reord,
                             s.pop("skipped", False) and not s["gap"]))
            s["gap"] = False


HEADER = ("time,ftime,sym,src,dest,srcport,destport,stream,frame,segs,bundled,msgtype,"
          "seqnum,sender,target,sendtime,clordid,symbol,side,qty,price,bodylen,chkok,flags,"
          "latency")
# the model's row: HEADER's columns, then these (--columns only)
MODEL_COLUMNS = HEADER.split(",") + ["len", "begin"]


def order(seq, cl, qty="100", price="101.25", sym="VOD.L", sender="CLI", target="EXCH"):
    return [(35, "D"), (34, str(seq)), (49, sender), (56, target),
            (52, "20260105-13:30:00.%03d" % (seq % 1000)), (11, cl), (55, sym), (54, "1"),
            (38, qty), (44, price), (40, "2")]


def report(seq, cl, status="0", sender="EXCH", target="CLI"):
    return [(35, "8"), (34, str(seq)), (49, sender), (56, target),
            (52, "20260105-13:30:00.%03d" % (seq % 1000)), (11, cl), (37, "X" + cl),
            (17, "E%d" % seq), (150, status), (39, status), (55, "VOD.L"), (54, "1")]


def case(name, build, columns=None):
    """columns: --columns, by name from MODEL_COLUMNS (default: --fix's)."""
    cap = Capture(name)
    build(cap)
    CASES.append((name, cap, columns))


def c_split3(cap):
    c = Conn(cap, 40001)
    c.handshake()
    m = c.build(0, order(1, "A1"))
    c.seg(0, m[:15])
    c.seg(0, m[15:80])
    c.seg(0, m[80:])
    c.ack(1)
    r = c.build(1, report(1, "A1", "2"))
    c.seg(1, r, dt=250000)
    c.ack(0)


def c_bundle5(cap):
    c = Conn(cap, 40002)
    c.handshake()
    data = b"".join(c.build(0, order(i, "B%d" % i)) for i in range(1, 6))
    c.seg(0, data)
    c.ack(1)
    data = b"".join(c.build(1, report(i, "B%d" % i)) for i in range(1, 6))
    c.seg(1, data, dt=50000)
    c.ack(0)


def c_dup(cap):
    """`tcpdump -i any` on loopback: every packet twice; then a
    retransmission, and a repacketized retransmission with new bytes."""
    c = Conn(cap, 40003)
    c.handshake()
    a = c.build(0, order(1, "C1"))
    b = c.build(0, order(2, "C2"))
    f = c.seg(0, a)
    cap.frames.append(cap.frames[f - 1][:0] + (cap.t + 1,) + cap.frames[f - 1][1:])
    cap.t += 1
    c.seg(0, b)
    c.seg(0, a, off=0, dt=200000)            # RTO retransmission
    d = c.build(0, order(3, "C3"))
    c.seg(0, b + d, off=len(a))               # old bytes and new ones
    c.ack(1)


def c_reorder(cap):
    c = Conn(cap, 40004)
    c.handshake()
    ms = [c.build(0, order(i, "R%d" % i)) for i in range(1, 5)]
    offs = [0]
    for m in ms:
        offs.append(offs[-1] + len(m))
    c.seg(0, ms[0], off=offs[0])
    c.seg(0, ms[2], off=offs[2])
    c.seg(0, ms[3], off=offs[3])
    c.seg(0, ms[1], off=offs[1])
    c.ack(1)


def c_gap(cap):
    c = Conn(cap, 40005)
    c.handshake()
    ms = [c.build(0, order(i, "G%d" % i)) for i in range(1, 5)]
    data = b"".join(ms)
    cut1 = len(ms[0]) + 30                    # lost: the end of 2, the start of 3
    cut2 = len(ms[0]) + len(ms[1]) + 40
    c.seg(0, data[:cut1], off=0)
    c.nxt[0] = c.isn[0] + 1 + cut2            # the segment [cut1, cut2) is not captured
    c.seg(0, data[cut2:], off=cut2)
    c.ack(1)                                  # acknowledges everything


def c_badlen(cap):
    c = Conn(cap, 40006)
    c.handshake()
    a = c.build(0, order(1, "L1"), len_delta=5000)     # far too long
    b = c.build(0, order(2, "L2"))
    e = c.build(0, order(3, "L3"), len_delta=-10)      # too short
    f = c.build(0, order(4, "L4"))
    c.seg(0, a)
    c.seg(0, b)
    c.seg(0, e + f)
    c.ack(1)


def c_badchk(cap):
    c = Conn(cap, 40007)
    c.handshake()
    data = c.build(0, order(1, "K1")) + c.build(0, order(2, "K2"), chk_delta=7) + \
        c.build(0, order(3, "K3"))
    c.seg(0, data)
    c.ack(1)


def c_fixt(cap):
    c = Conn(cap, 40008)
    c.handshake()
    lo = [(35, "A"), (34, "1"), (49, "CLI"), (56, "EXCH"), (52, "20260105-13:30:00.000"),
          (98, "0"), (108, "30"), (1137, "9")]
    c.seg(0, c.build(0, lo, begin="FIXT.1.1"))
    c.ack(1)
    c.seg(0, c.build(0, order(2, "T1"), begin="FIXT.1.1"))
    c.seg(1, c.build(1, report(1, "T1", "2"), begin="FIXT.1.1"), dt=120000)
    c.ack(0)


def c_ipfrag(cap):
    """Segments that cross a smaller MTU as IPv4 fragments: --fix sees the
    reassembled segment on the fragment that completes it (issue 15)."""
    c = Conn(cap, 40010)
    c.handshake()
    big = c.build(0, order(1, "F1" + "x" * 700))
    c.seg(0, big, frag=("reversed", 256))
    c.ack(1)
    two = c.build(0, order(2, "F2")) + c.build(0, order(3, "F3"))
    c.seg(0, two[:100])
    c.seg(0, two[100:], frag=("in order", 120))
    c.ack(1)
    c.seg(1, c.build(1, report(1, "F2", "2")), dt=40000, frag=("in order", 64))
    c.ack(0)


def c_reconnect(cap):
    c = Conn(cap, 40009)
    c.handshake()
    c.seg(0, c.build(0, order(1, "N1")))
    c.seg(1, c.build(1, report(1, "N1")), dt=30000)
    c.seg(0, c.build(0, order(2, "N2")))
    c.packet(0, 0x14, c.nxt[0], c.nxt[1])     # RST: the session drops
    c2 = Conn(cap, 40010)
    c2.handshake()
    # the same ClOrdID on the new connection: pairs with its own order only
    c2.seg(0, c2.build(0, order(1, "N2")), dt=500000)
    c2.seg(1, c2.build(1, report(1, "N2", "2")), dt=70000)
    c2.ack(0)


def c_rawdata(cap):
    """Data fields (RawData 96, XmlData 213: free bytes, SOH included)
    holding a trailer "<SOH>10=123<SOH>" or a message start "<SOH>8=FIX",
    the message cut by TCP just after it: the message still ends where its
    BodyLength points, as when it arrives whole."""
    c = Conn(cap, 40012)
    c.handshake()
    raw = "ab\x0110=123\x01cd"
    lo = [(35, "A"), (34, "1"), (49, "CLI"), (56, "EXCH"), (52, "20260105-13:30:00.000"),
          (98, "0"), (108, "30"), (95, str(len(raw))), (96, raw), (553, "user")]
    m = c.build(0, lo)
    cut = m.index(b"10=123\x01") + 7
    c.seg(0, m[:cut])
    c.seg(0, m[cut:] + c.build(0, order(2, "W1")))
    xml = "<x>\x018=FIX.4.4\x01</x>"
    d = c.build(0, order(3, "W2") + [(212, str(len(xml))), (213, xml)])
    cut = d.index(b"8=FIX.4.4\x01<") + 9
    c.seg(0, d[:cut])
    c.seg(0, d[cut:])
    c.seg(0, c.build(0, lo[:7] + [(95, str(len(raw))), (96, raw)]))   # whole
    c.ack(1)


def c_overlap(cap):
    """Overlapping copies ahead of a hole: the first capture of each byte
    wins (its packet, its time, its bytes), whatever the sequence order of
    the queued copies. Frame 4 brings M2 ahead of the hole; frame 5 a
    repacketized retransmission of M1's last 10 bytes and M2, whose M2
    bytes differ (MsgSeqNum 9 for 2); frame 6 fills the hole with M1's
    start. Then M4 ahead of a hole, and an in-order copy of M3 and M4
    carrying other M4 bytes: the queued M4 wins again."""
    c = Conn(cap, 40013)
    c.handshake()
    m1 = c.build(0, order(1, "V1"))
    m2 = c.build(0, order(2, "V2"))
    l1 = len(m1)
    c.seg(0, m2, off=l1)
    c.seg(0, m1[-10:] + fixmsg(order(9, "V2"))[0], off=l1 - 10)
    c.seg(0, m1[:-10], off=0)
    m3 = c.build(0, order(3, "V3"))
    m4 = c.build(0, order(4, "V4"))
    o3 = l1 + len(m2)
    c.seg(0, m4, off=o3 + len(m3))
    c.seg(0, m3 + fixmsg(order(8, "V4"))[0], off=o3)
    c.ack(1)


def c_baddate(cap):
    """SendingTime on days the month does not have (Feb 31, Apr 31, Feb 29
    of 2027): null, not a day of the next month; Feb 29 of 2028 is one."""
    c = Conn(cap, 40014)
    c.handshake()
    for i, t in enumerate(["20260231-10:00:00.000", "20260431-10:00:00", "20270229-23:59:59.5",
                           "20280229-23:59:59.5"], 1):
        f = order(i, "Y%d" % i)
        f[4] = (52, t)
        c.seg(0, c.build(0, f))
    c.ack(1)


def c_lenzeros(cap):
    """BodyLength with leading zeros (FIX's int allows them): 3 zeros,
    9 (11 digits in all), 16; whole and cut inside the zeros."""
    c = Conn(cap, 40015)
    c.handshake()
    c.seg(0, c.build(0, order(1, "Z1"), len_zeros=3))
    c.seg(0, c.build(0, order(2, "Z2"), len_zeros=9))
    m = c.build(0, order(3, "Z3"), len_zeros=16)
    c.seg(0, m[:18])
    c.seg(0, m[18:] + c.build(0, order(4, "Z4")))
    c.ack(1)


def c_nulstatus(cap):
    """A report whose OrdStatus (39) is one NUL byte is no final status:
    the order stays, and the next report (39=2) still gets its latency."""
    c = Conn(cap, 40016)
    c.handshake()
    c.seg(0, c.build(0, order(1, "U1")))
    c.seg(1, c.build(1, report(1, "U1", "\x00")), dt=20000)
    c.seg(1, c.build(1, report(2, "U1", "2")), dt=30000)
    c.seg(1, c.build(1, report(3, "U1", "0")), dt=40000)    # after the fill: none
    c.ack(0)


def c_heldreport(cap):
    """A report captured ahead of a hole (frame 5) waits; the client then
    sends an order with the same ClOrdID (frame 6, acknowledging only up to
    the hole) and acknowledges past the hole (frame 7): the report comes
    out with its own packet's time, before the order's, and is not paired
    with it (no negative latency). The venue's next report (frame 8) is."""
    c = Conn(cap, 40017)
    c.handshake()
    c.seg(0, c.build(0, order(1, "K1")))
    lost = c.build(1, report(1, "K1", "0"))             # never captured: the hole
    c.seg(1, c.build(1, report(2, "K2", "0")), off=len(lost), dt=20000)
    after_hole = c.nxt[1]
    c.nxt[1] = c.isn[1] + 1                              # acknowledges up to the hole
    c.seg(0, c.build(0, order(2, "K2")), dt=30000)
    c.nxt[1] = after_hole
    c.ack(0, dt=40000)                                   # past the hole: given up
    c.seg(1, c.build(1, report(3, "K2", "2")), dt=50000)
    c.ack(0)


def c_gap_reorder(cap):
    """A message the capture lost, which the receiver acknowledges at once
    (frame 4), then the next one in three segments: its first bytes, its
    last part, its middle (frames 5, 6, 7). The middle completes it: its
    frame and time, flags gap|reordered, as fix_reorder's without a gap --
    not frame 6, which holds its last byte. Then one lost with no ACK
    captured and the next one sent the same way (frames 9, 10, 11): it
    waits behind the hole until the receiver acknowledges past it (frame
    12), and is completed by its middle too, the last of its packets
    captured."""
    c = Conn(cap, 40020)
    c.handshake()
    for i in (1, 3):
        lost = c.build(0, order(i, "J%d" % i))
        c.nxt[0] += len(lost)                 # never captured
        if i == 1:
            c.ack(1)                          # the receiver had it
        m = c.build(0, order(i + 1, "J%d" % (i + 1)))
        o = c.nxt[0] - c.isn[0] - 1
        c.seg(0, m[:3], off=o)
        c.seg(0, m[50:], off=o + 50)
        c.seg(0, m[3:50], off=o + 3)
        c.ack(1)


def c_reorder_early(cap):
    """Parts of a message captured before the bytes ahead of them, its
    last bytes in order: flagged reordered (some of its bytes arrived out
    of order, README) whichever part came early. M1: its middle (frame 4)
    before its first 3 bytes (frame 5), then its end (frame 6). M2: its
    start, then its third quarter (frame 8) before its second (frame 9),
    then its end (frame 10). M4's first 20 bytes (frame 12) before M3's
    last 30 (frame 13), then M4's rest: M4 is reordered; M3 is not (none
    of its bytes came before bytes ahead of them; frame 13 completes it)."""
    c = Conn(cap, 40021)
    c.handshake()
    m = c.build(0, order(1, "E1"))
    o = c.nxt[0] - c.isn[0] - 1
    c.seg(0, m[3:50], off=o + 3)
    c.seg(0, m[:3], off=o)
    c.seg(0, m[50:], off=o + 50)
    m = c.build(0, order(2, "E2"))
    o = c.nxt[0] - c.isn[0] - 1
    q = len(m) // 4
    c.seg(0, m[:q], off=o)
    c.seg(0, m[2 * q:3 * q], off=o + 2 * q)
    c.seg(0, m[q:2 * q], off=o + q)
    c.seg(0, m[3 * q:], off=o + 3 * q)
    m3 = c.build(0, order(3, "E3"))
    m4 = c.build(0, order(4, "E4"))
    o = c.nxt[0] - c.isn[0] - 1
    c.seg(0, m3[:-30], off=o)
    c.seg(0, m4[:20], off=o + len(m3))
    c.seg(0, m3[-30:], off=o + len(m3) - 30)
    c.seg(0, m4[20:], off=o + len(m3) + 20)
    c.ack(1)


def c_segs_overlap(cap):
    """The middle third of a message captured first (frame 4, queued),
    then the whole message in one packet (frame 5): its first third, the
    queued middle (frame 4's bytes win), then its last third. Two packets
    (segs 2), not three changes of packet; reordered, completed by frame 5."""
    c = Conn(cap, 40022)
    c.handshake()
    m = c.build(0, order(1, "S1"))
    o = c.nxt[0] - c.isn[0] - 1
    a, b = len(m) // 3, 2 * len(m) // 3
    c.seg(0, m[a:b], off=o + a)
    c.seg(0, m, off=o)
    c.ack(1)


def c_unpadded_checksum(cap):
    """CheckSum not padded to three digits where BodyLength points: "10=2"
    and "10=02" (byte sum 2), the latter cut by TCP inside its trailer,
    "10=47" (47), "10=7" (sum 5: wrong), "10=1234" (four digits: no
    trailer, the message ends before the next one), and "10=9" (9) ending
    the last segment."""
    c = Conn(cap, 40018)
    c.handshake()
    c.seg(0, c.build(0, with_sum(order(1, "P1"), 2), chk_text="2"))
    m = c.build(0, with_sum(order(2, "P2"), 2), chk_text="02")
    c.seg(0, m[:-2])
    c.seg(0, m[-2:] + c.build(0, with_sum(order(3, "P3"), 47), chk_text="47"))
    c.seg(0, c.build(0, with_sum(order(4, "P4"), 5), chk_text="7"))
    c.seg(0, c.build(0, order(5, "P5"), chk_text="1234") + c.build(0, order(6, "P6")))
    c.seg(0, c.build(0, with_sum(order(7, "P7"), 9), chk_text="9"))
    c.ack(1)


def c_long_begin(cap):
    """BeginString values longer than FIX's: 29 bytes, 30 (the first one
    pcap2kdb dropped before), 200 cut by TCP inside it after 100 bytes,
    1024 (the bound) cut after "8=F", and 1025, past the bound: no
    message, the next one is flagged skipped. Wireshark's packet-fix.c
    takes BeginString up to the first SOH whatever its length."""
    c = Conn(cap, 40019)
    c.handshake()
    def begin(n):
        return "FIX." + "x" * (n - 4)
    c.seg(0, c.build(0, order(1, "H1"), begin=begin(29)))
    c.seg(0, c.build(0, order(2, "H2"), begin=begin(30)) + c.build(0, order(3, "H3")))
    m = c.build(0, order(4, "H4"), begin=begin(200))
    c.seg(0, m[:100])
    c.seg(0, m[100:])
    m = c.build(0, order(5, "H5"), begin=begin(BEGIN_VALUE_MAX))
    c.seg(0, m[:3])
    c.seg(0, m[3:])
    c.seg(0, c.build(0, order(6, "H6"), begin=begin(BEGIN_VALUE_MAX + 1)))
    c.seg(0, c.build(0, order(7, "H7")))
    c.ack(1)


def c_far(cap):
    y310, y311 = 310 * 365 * 86400 * 10**9, 311 * 365 * 86400 * 10**9
    c = Conn(cap, 40011)
    c.handshake()
    # the order in 1970, its report 310 years later: no latency
    c.seg(0, c.build(0, order(1, "F1")), dt=10**9 - cap.t)
    c.seg(1, c.build(1, report(1, "F1", "2")), dt=y310)
    # an order in 2280 and its report a year later (2281): 365 days
    c.seg(0, c.build(0, order(2, "F2")), dt=1000)
    c.seg(1, c.build(1, report(2, "F2", "2")), dt=y311 - y310)
    c.ack(0)


case("fix_split3", c_split3)
case("fix_bundle5", c_bundle5)
case("fix_dup_retrans", c_dup)
case("fix_reorder", c_reorder)
case("fix_gap", c_gap)
case("fix_badlen", c_badlen)
case("fix_badchk", c_badchk)
case("fix_fixt", c_fixt)
case("fix_reconnect", c_reconnect)
case("fix_ipfrag", c_ipfrag)
case("fix_far", c_far)
case("fix_rawdata", c_rawdata)
case("fix_overlap", c_overlap)
case("fix_baddate", c_baddate)
case("fix_lenzeros", c_lenzeros)
case("fix_nulstatus", c_nulstatus)
case("fix_heldreport", c_heldreport)
case("fix_gap_reorder", c_gap_reorder)
case("fix_reorder_early", c_reorder_early)
case("fix_segs_overlap", c_segs_overlap)
case("fix_unpadded_checksum", c_unpadded_checksum,
     ["time", "frame", "segs", "bundled", "msgtype", "seqnum", "clordid", "bodylen", "len",
      "chkok", "flags"])
case("fix_long_begin", c_long_begin,
     ["frame", "segs", "bundled", "msgtype", "clordid", "bodylen", "len", "chkok", "flags",
      "begin"])


def table_lines():
    return ["%s\ttestdata/%s%s\t0\t--fix%s" % (n, n, ".pcapng" if c.ng() else ".pcap",
                                              " --columns " + ",".join(cols) if cols else "")
            for n, c, cols in CASES]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--table":
        print("\n".join(table_lines()))
        return 0
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata")
    os.makedirs(outdir, exist_ok=True)
    for name, cap, columns in CASES:
        with open(os.path.join(outdir, name + (".pcapng" if cap.ng() else ".pcap")), "wb") as f:
            f.write(cap.pcap())
        columns = columns or HEADER.split(",")
        with open(os.path.join(outdir, name + ".out"), "w") as f:
            f.write(",".join(columns) + "\n")
            for r in cap.expected(name, columns):
                f.write(",".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
