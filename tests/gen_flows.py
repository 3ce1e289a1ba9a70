#!/usr/bin/env python3
"""Golden captures for --flows (one row per TCP connection), with a model of
the connection rows written for this script.

Each scenario is a TCP conversation built packet by packet (Ethernet, IPv4,
TCP, microsecond pcap, optionally cut to a snap length), and every packet
states what its packet row shows, as tshark 4.0 shows it: its stream
(tcp.stream), its analysis findings, bytes in flight and ACK RTT
(tcp.analysis.*).  From these statements and the packets' own headers the
model here works out every --flows column by README's definitions:

  - start/finish: the earliest and latest packet time of the row;
  - spkts..dwire: segments, payload and frame bytes of each side;
  - synack: the first SYN-ACK after the row's last SYN less that SYN (null
    when none follows it); rtt: the first ACK without SYN less the latest
    SYN before it (Wireshark's initial_rtt, fixed at that ACK);
    a negative difference (a clock going backwards) is shown negative, as
    the packet columns ackrtt and irtt show it; a difference a q timespan
    cannot hold (beyond +-(2^63 - 2) ns, 292 years) is null, one between
    times q cannot hold (outside 1707.09.22 .. 2292.04.10: a null start or
    finish) is not;
  - swscale/dwscale: 0 when a SYN with whole options carried no window
    scale, null when no such SYN was seen (no scenario sends that option);
  - smss/dmss: the MSS option of the side's last SYN (or SYN-ACK);
  - sminwin..ddupack: the windows (not of RST segments) and the stated
    findings; szwtime/dzwtime from the windows and times (null when a part
    is, or the total is beyond a timespan);
  - smaxflight, srtt*: the stated bytes in flight of the side's segments and
    the stated ACK RTTs of the peer's ACKs that q can hold, the ones the
    packet rows show (mean rounded toward zero);
  - closer, end: of the connection.
A row is written when its connection is closed (FIN both ways or RST) and
its last packet (in file order) is 10 s older than the record being read
(any record with a time: a TCP segment, or a UDP or ARP packet, or a TCP
header cut short, which no connection counts), whatever the other
connections do; the rows a record so writes go in the
order of those last packets' times, equal ones in stream order; the others
at the end of the input, in stream order.
A packet of a connection whose row was written goes into a further row with
the same stream (its synack, rtt, smss and dmss null; closer and end the
connection's).

The packet case of each scenario (--columns frame,stream,analysis,inflight,
ackrtt) is written from the same statements, so the two modes are held to
the same stream numbers.

    python3 tests/gen_flows.py [OUTDIR]        (default <repo>/testdata)
    python3 tests/gen_flows.py --table         the golden.tsv lines
    python3 tests/gen_flows.py --check-tshark  check every statement with
                                               tshark (needs tshark; the
                                               tests do not)

Scenarios:
  flows_late  a connection reset, then a segment every 30 s, each answered
              by a RST (after the first row was written), then a new
              connection on the next port: stream 1, as in packet rows
  flows_back  the SYN stamped 100 s after the rest: start is the earliest
              time, synack, rtt and an ACK RTT negative; --from/--to inside
              the connection's span select it
  flows_back2 one ACK stamped 5 s early: a negative ACK RTT sample among
              positive ones
  flows_snap  snap length 60 cuts every segment's timestamp option: no
              finding, bytes in flight or ACK RTT is shown, none counted
  flows_nosnap the same packets whole: a fast retransmission, duplicate
              ACKs, a zero window, bytes in flight and ACK RTTs
  flows_mss   a retransmitted SYN with another MSS, and an MSS option on a
              later ACK: the last SYN's counts
  flows_hao   Mobile IPv6 (RFC 6275): a mobile node sends from its care-of
              address with a Home Address option, its correspondent answers
              to the care-of address with a type 2 routing header: one
              connection of the home address (src), as Wireshark keys it;
              the care-of address's own segments on the same ports another
              connection
  flows_far   pcapng, nanoseconds: times in 1970 and in 2280 (more than 292
              years apart, both within q's range) and two in 2300 (beyond
              it): the durations that a timespan cannot hold (synack, ACK
              RTTs, a zero window's time, an irtt) are null; those of 200
              years are exact (and the mean of two of them, whose sum int64
              cannot hold), as is an ACK RTT of 1 ms in 2300 (null times);
              the quiet time after a RST is judged exactly (no difference
              turned round past 2^63 ns); flows_far_window(_late): --from
              and --to in epoch seconds around them: the 2300 row (empty
              start and finish) is in no window
  flows_optthrow segments whose TCP options tshark 4.0's dissector reads
              past and throws on (a short MPTCP MP_FAIL on data, a short
              Riverbed probe on the last packet, a RST whose connection has
              no other segment, a SNACK on the first packet seen, a header
              running past its segment): each counts in its connection's
              row, as its tcp.stream says; tshark's conversation table
              leaves them out (README, "Compared with tshark"), which
              --check-tshark checks too, with the snap-cut segments of
              flows_snap
  flows_bogus two segments with a data offset below 5 (a zero window, a
              spurious retransmission that no row shows): no finding
              counted; tshark's conversation table leaves them out
  flows_bogus_acked such a segment acknowledges the client's data before
              the real ACK (one RTT sample fewer) and counts in the
              server's bytes in flight
  flows_collide 16 connections whose addresses and ports were chosen
              (first_set below re-implements the flow table's first hash)
              to fall in one set of 8 of the default flow table: their 16
              SYNs, then their SYN-ACKs, then their ACKs. Each keeps its
              stream, as tshark's tcp.stream (no table there), and gives one
              row at the end of the input: the table's second choice holds
              what one set cannot
  flows_quiet_other closed connections made quiet by records that are no
              segment of any connection (a UDP packet, a TCP header cut at
              10 bytes, an ARP request), each exactly 10 s after the last
              packet of one: written then, before the row of a connection
              open at the end; the last, 1 us short of 10 s, writes none
  flows_synack_again SYNs sent again after a SYN-ACK: synack restarts at
              each (the last SYN to the first SYN-ACK after it: null when
              none follows), rtt is fixed at the first ACK (as Wireshark's
              initial_rtt), so after an ACK the two count from different
              SYNs
  flows_collide_same 9 connections whose two hashes both give one set
              (one connection in 8,192 is so): the same, their second
              choice being the neighbouring set
  flows_hol   closed connections, each written once quiet for 10 s: one
              that closed earlier but still gets packets holds back none
              closed after it (a late packet then makes a further row);
              rows written at one packet go longest quiet first, equal
              last times in stream order; a connection whose packets are
              stamped back in time is written when it is quiet, before one
              closed earlier in the file
"""

import os
import socket
import struct
import subprocess
import sys
import time as _time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fixdata import csum  # noqa: E402  (the Internet checksum)

COLUMNS = "frame,stream,analysis,inflight,ackrtt"
T0 = 1700000000  # 2023-11-14T22:13:20Z
F, S, R, P, A = 0x01, 0x02, 0x04, 0x08, 0x10
CL = ("10.0.0.1", 40000)
SV = ("10.0.0.2", 80)
LINGER_NS = 10 * 10**9
# the findings a scenario may state, in the analysis column's order
FINDINGS = ["retransmission", "fast_retransmission", "spurious_retransmission",
            "out_of_order", "lost_segment", "ack_lost_segment", "dup_ack",
            "zero_window", "zero_window_probe", "zero_window_probe_ack",
            "keep_alive", "keep_alive_ack", "window_full", "window_update",
            "reused_ports"]
RETRANS = {"retransmission", "fast_retransmission", "spurious_retransmission"}
TS_OPT = b"\x01\x01\x08\x0a" + b"\0\0\0\1\0\0\0\2"




def ipv6_mobile(src, dst, tcp, coa, via):
    """An IPv6 packet of tcp from src to dst (the connection's addresses,
    over which the checksum is taken, RFC 6275 sections 6.3, 6.4): from coa
    with a Home Address option in a destination options header (PadN, the
    option at 8n+6) when coa is given; to via with a type 2 routing header
    (Segments Left 1) before it when via is given."""
    a6 = lambda a: socket.inet_pton(socket.AF_INET6, a)
    pseudo = a6(src) + a6(dst) + struct.pack("!IxxxB", len(tcp), 6)
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    hdrs = []       # (next header code of this header, its bytes after the next header byte)
    if via:
        hdrs.append((43, struct.pack("!BBBI", 2, 2, 1, 0) + a6(dst)))
    if coa:
        hdrs.append((60, b"\x02\x01\x02\0\0\xc9\x10" + a6(src)))
    codes = [h[0] for h in hdrs] + [6]
    chain = b"".join(bytes([codes[i + 1]]) + h[1] for i, h in enumerate(hdrs))
    return struct.pack("!IHBB16s16s", 0x60000000, len(chain) + len(tcp), codes[0], 64,
                       a6(coa or src), a6(via or dst)) + chain + tcp


def mss_opt(v):
    return struct.pack("!BBH", 2, 4, v)


class Pkt:
    pass


class Scenario:
    def __init__(self, snap=65535, ng=False):
        self.snap = snap
        self.ng = ng        # pcapng, if_tsresol 9 (nanoseconds)
        self.pk = []

    def seg(self, t_us, frm, to, seq, ack, flags, win=1000, length=0, opts=b"",
            stream=0, findings=(), inflight=None, ackrtt_us=None, coa=None, via=None,
            ip_short=0, threw=False, doff=None):
        """One packet at T0 + t_us; the rest states its packet row. IPv6
        when the addresses are; coa: sent from that care-of address with a
        Home Address option naming frm's (RFC 6275 section 6.3); via: sent
        to that care-of address with a type 2 routing header naming to's
        (section 6.4). frm and to are the connection's addresses. ip_short:
        the IPv4 total length leaves out that many bytes at the end of the
        TCP header, which the frame still carries (a header that runs past
        its segment). threw: tshark 4.0's TCP dissector throws on the
        options (only --check-tshark reads it: the rows count the segment).
        doff: the data offset field, when not the header's length: one below
        5 is bogus, and tshark 4.0 then shows a segment length (the bytes
        past doff * 4), no window or flags, and no findings, though it
        analyses the segment (its state changes)."""
        for f in findings:
            assert f in FINDINGS, f
        p = Pkt()
        p.t = (T0 * 10**6 + t_us) * 1000
        p.frm, p.to, p.flags, p.win, p.len = frm, to, flags, win, length
        p.opts, p.threw = opts, threw
        p.bogus = doff is not None and doff < 5
        p.stream, p.findings, p.inflight = stream, set(findings), inflight
        p.ackrtt = None if ackrtt_us is None else ackrtt_us * 1000
        opts += b"\0" * (-len(opts) % 4)
        tcp = struct.pack("!HHIIBBHHH", frm[1], to[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          (5 + len(opts) // 4 if doff is None else doff) << 4, flags, win, 0, 0)
        tcp += opts + bytes((i * 7) & 0xFF for i in range(length))
        if doff is not None:
            p.len = len(tcp) - 4 * doff
        if ":" in frm[0]:
            ip, ethertype = ipv6_mobile(frm[0], to[0], tcp, coa, via), b"\x86\xdd"
        else:
            src = bytes(int(x) for x in frm[0].split("."))
            dst = bytes(int(x) for x in to[0].split("."))
            tcp = tcp[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp))
                                                    + tcp)) + tcp[18:]
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) - ip_short, len(self.pk) + 1,
                             0x4000, 64, 6, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + tcp
            ethertype = b"\x08\x00"
        p.bytes = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + ethertype + ip
        p.segment, p.caplen = True, None
        # the options are whole when the snap length leaves all of them
        p.opts_whole = len(p.bytes) - length <= self.snap
        p.mss = struct.unpack("!H", p.opts[2:4])[0] if p.opts[:2] == b"\x02\x04" and \
            p.opts_whole else None
        self.pk.append(p)

    def other(self, t_us, kind):
        """A record at T0 + t_us that is no segment of a connection (its
        packet row has no stream): "udp", a UDP datagram; "arp", an ARP
        request; "tcp_cut", a TCP SYN captured with only the first 10
        bytes of its header."""
        p = Pkt()
        p.t = (T0 * 10**6 + t_us) * 1000
        p.segment, p.caplen, p.stream = False, None, None
        p.findings, p.inflight, p.ackrtt, p.mss = set(), None, None, None
        eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01"

        def ipv4(proto, payload):
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), len(self.pk) + 1,
                             0x4000, 64, proto, 0, bytes([10, 0, 0, 9]), bytes([10, 0, 0, 8]))
            return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + payload
        if kind == "udp":
            p.bytes = eth + b"\x08\x00" + ipv4(17, struct.pack("!HHHH", 53, 53, 12, 0) + b"abcd")
        elif kind == "arp":
            p.bytes = eth + b"\x08\x06" + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1,
                                                      b"\x02\0\0\0\0\x01", bytes([10, 0, 0, 9]),
                                                      bytes(6), bytes([10, 0, 0, 8]))
        elif kind == "tcp_cut":
            tcp = struct.pack("!HHIIBBHHH", 1, 2, 1, 0, 5 << 4, S, 1000, 0, 0)
            p.bytes = eth + b"\x08\x00" + ipv4(6, tcp)
            p.caplen = 14 + 20 + 10
        else:
            raise ValueError(kind)
        self.pk.append(p)

    def captured(self, p):
        """The bytes of p the capture holds."""
        return p.bytes[:self.snap if p.caplen is None else min(self.snap, p.caplen)]

    def pcap(self):
        if self.ng:
            return self.pcapng()
        out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, self.snap, 1)
        for p in self.pk:
            us = p.t // 1000
            cap = self.captured(p)
            out += struct.pack("<IIII", us // 10**6, us % 10**6, len(cap), len(p.bytes)) + cap
        return out

    def pcapng(self):
        def block(btype, body):
            body += b"\0" * (-len(body) % 4)
            return struct.pack("<II", btype, 12 + len(body)) + body + \
                struct.pack("<I", 12 + len(body))
        out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
        # Ethernet, snap length, if_tsresol 9, end of options
        out += block(1, struct.pack("<HHI", 1, 0, self.snap) +
                     struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0))
        for p in self.pk:
            assert 0 <= p.t < 2**64
            cap = self.captured(p)
            out += block(6, struct.pack("<IIIII", 0, p.t >> 32, p.t & 0xFFFFFFFF, len(cap),
                                        len(p.bytes)) + cap)
        return out

    # ------------------------------------------------------------ model --
    def packets_out(self):
        lines = [COLUMNS]
        for i, p in enumerate(self.pk, 1):
            if not p.segment:
                lines.append("%d,,,," % i)
                continue
            an = "|".join(f for f in FINDINGS if f in p.findings)
            rtt = shown_rtt(p)
            lines.append("%d,%d,%s,%s,%s" % (i, p.stream, an,
                                             "" if p.inflight is None else p.inflight,
                                             "" if rtt is None else qspan(rtt)))
        return "\n".join(lines) + "\n"

    def rows(self):
        """The --flows rows in the order they are written, each a dict."""
        conns = {}      # stream -> connection state
        out = []
        for p in self.pk:
            # every closed connection on its own: those quiet by this
            # record's time (a segment or not), the longest quiet first,
            # equal times in stream order
            quiet = sorted((c["row"][-1].t, sid) for sid, c in conns.items()
                           if c["queued"] and p.t - c["row"][-1].t >= LINGER_NS)
            for _, sid in quiet:
                c = conns[sid]
                out.append(flow_row(c))
                c["row"], c["continued"], c["queued"] = [], True, False
            if not p.segment:
                continue
            c = conns.setdefault(p.stream, {"first": p, "row": [], "all": [], "continued": False,
                                            "queued": False, "closer": None,
                                            "fin": [False, False], "rst": [False, False]})
            side = 0 if (p.frm, p.to) == (c["first"].frm, c["first"].to) else 1
            p.side = side
            c["row"].append(p)
            c["all"].append(p)
            # (a bogus data offset: no flags shown, none counted)
            if p.flags & (F | R) and not p.bogus:
                if c["closer"] is None:
                    c["closer"] = side
                if p.flags & F:
                    c["fin"][side] = True
                if p.flags & R:
                    c["rst"][side] = True
            if any(c["rst"]) or all(c["fin"]):
                c["queued"] = True
        for sid in sorted(conns):
            if conns[sid]["row"]:
                out.append(flow_row(conns[sid]))
        return out

    def flows_out(self, sym, window=None):
        lines = [",".join(FLOWS_COLUMNS)]
        for r in self.rows():
            # README: a connection without timestamps (an empty start or
            # finish: none, or one outside q's range) is in no window
            if window and not (in_q(r["start"]) and in_q(r["finish"]) and
                               r["start"] < window[1] and r["finish"] >= window[0]):
                continue
            r["sym"] = sym
            lines.append(",".join(fmt_field(k, r[k]) for k in FLOWS_COLUMNS))
        return "\n".join(lines) + "\n"


FLOWS_COLUMNS = ("stream sym src srcport dest destport start finish spkts dpkts sbytes dbytes "
                 "swire dwire synack rtt swscale dwscale smss dmss sminwin dminwin szerowin "
                 "dzerowin szwtime dzwtime sretrans dretrans sdupack ddupack closer end "
                 "smaxflight dmaxflight srttmin srttavg srttmax drttmin drttavg drttmax "
                 "srttn drttn").split()
TIMES = {"start", "finish"}
SPANS = {"synack", "rtt", "szwtime", "dzwtime", "srttmin", "srttavg", "srttmax", "drttmin",
         "drttavg", "drttmax"}


# q's finite timestamps and timespans: +-(2^63 - 2) ns, times from 2000.01.01
Q_FINITE = 2**63 - 2
Q_EPOCH_NS = 946684800 * 10**9


def in_q(t):
    """Whether Unix time t (ns) is a finite q timestamp."""
    return abs(t - Q_EPOCH_NS) <= Q_FINITE


def span(later, earlier):
    """later - earlier as the columns show it: None beyond a q timespan."""
    d = later - earlier
    return d if abs(d) <= Q_FINITE else None


def shown_rtt(p):
    """The ackrtt column of packet p: its stated RTT (tshark's), when q
    can hold it."""
    if p.ackrtt is None:
        return None
    return span(p.t, p.t - p.ackrtt)


def qspan(ns):
    sign = "-" if ns < 0 else ""
    s, f = divmod(abs(ns), 10**9)
    return "%s%dD%02d:%02d:%02d.%09d" % (sign, s // 86400, s // 3600 % 24, s // 60 % 60,
                                          s % 60, f)


def qtime(ns):
    s, f = divmod(ns, 10**9)
    return _time.strftime("%Y.%m.%dD%H:%M:%S", _time.gmtime(s)) + ".%09d" % f


def fmt_field(k, v):
    if v is None:
        return ""
    if k in TIMES:
        return qtime(v) if in_q(v) else ""
    if k in SPANS:
        return qspan(v)
    return str(v)


def flow_row(c):
    pk = c["row"]
    first = c["first"]
    r = {"stream": first.stream, "src": first.frm[0], "srcport": first.frm[1],
         "dest": first.to[0], "destport": first.to[1],
         "start": min(p.t for p in pk), "finish": max(p.t for p in pk)}
    syn_t = synack = irtt = None
    # a segment with a bogus data offset shows no flags or window: they
    # count nowhere
    hdr = [p for p in pk if not p.bogus]
    for p in hdr:
        if p.flags & (S | A) == S:
            # a SYN sent again restarts synack, also after a SYN-ACK
            syn_t, synack = p.t, None
        elif p.flags & (S | A) == S | A and synack is None and syn_t is not None:
            synack = (p.t, syn_t)
        elif p.flags & (S | A) == A and irtt is None and syn_t is not None:
            irtt = (p.t, syn_t)
    cont = c["continued"]
    r["synack"] = None if cont or synack is None else span(*synack)
    r["rtt"] = None if cont or irtt is None else span(*irtt)
    # no scenario offers a window scale: known (0) once a whole SYN was seen
    saw_syn = any(p.flags & S and p.opts_whole for p in first_rows(c))
    rtts = [[], []]
    for side, n in ((0, "s"), (1, "d")):
        mine = [p for p in pk if p.side == side]
        r[n + "wscale"] = 0 if saw_syn else None
        r[n + "pkts"] = len(mine)
        r[n + "bytes"] = sum(p.len for p in mine)
        r[n + "wire"] = sum(len(p.bytes) for p in mine)
        syns = [p.mss for p in mine if p.flags & S and p.mss is not None]
        r[n + "mss"] = syns[-1] if syns and not cont else None
        wins = [p.win for p in mine if not p.flags & R and not p.bogus]
        r[n + "minwin"] = min(wins) if wins else None
        r[n + "zerowin"] = sum("zero_window" in p.findings for p in mine)
        r[n + "retrans"] = sum(bool(p.findings & RETRANS) for p in mine)
        r[n + "dupack"] = sum("dup_ack" in p.findings for p in mine)
        fl = [p.inflight for p in mine if p.inflight is not None]
        r[n + "maxflight"] = max(fl) if fl else None
        zw, since = 0, None
        parts = []
        for p in (p for p in mine if not p.bogus):
            if p.win == 0 and not p.flags & (S | F | R) and since is None:
                since = p.t
            elif since is not None and (p.win != 0 or p.flags & R):
                parts.append(span(p.t, since))
                since = None
        if since is not None:
            parts.append(span(pk[-1].t, since))
        for d in parts:
            zw = None if zw is None or d is None or abs(zw + d) > Q_FINITE else zw + d
        r[n + "zwtime"] = zw
        # an ACK's RTT is a sample of the side whose segment it acknowledges
        # (the ones the packet rows show)
        for p in mine:
            if shown_rtt(p) is not None:
                rtts[1 - side].append(shown_rtt(p))
    for side, n in ((0, "s"), (1, "d")):
        v = rtts[side]
        r[n + "rttn"] = len(v)
        r[n + "rttmin"] = min(v) if v else None
        r[n + "rttmax"] = max(v) if v else None
        # C's division: toward zero
        r[n + "rttavg"] = (abs(sum(v)) // len(v)) * (-1 if sum(v) < 0 else 1) if v else None
    r["closer"] = {None: None, 0: "src", 1: "dest"}[c["closer"]]
    r["end"] = "rst" if any(c["rst"]) else "fin" if all(c["fin"]) else \
        "half_closed" if any(c["fin"]) else "open"
    return r


def first_rows(c):
    """The packets of the connection so far (the SYN may be in an earlier row)."""
    return c["all"]


def handshake(s, sp, t, stream=0, snap_cut=False):
    """SYN, SYN-ACK, ACK, 100 bytes and their ACK at t .. t+40 ms."""
    ms = 1000
    opts = TS_OPT if snap_cut else b""
    whole = not snap_cut
    c = (CL[0], sp)
    s.seg(t, c, SV, 1000, 0, S, opts=opts, stream=stream)
    s.seg(t + 10 * ms, SV, c, 5000, 1001, S | A, opts=opts, stream=stream,
          ackrtt_us=10 * ms if whole else None)
    s.seg(t + 20 * ms, c, SV, 1001, 5001, A, opts=opts, stream=stream,
          ackrtt_us=10 * ms if whole else None)
    s.seg(t + 30 * ms, c, SV, 1001, 5001, A | P, length=100, opts=opts, stream=stream,
          inflight=100 if whole else None)
    s.seg(t + 40 * ms, SV, c, 5001, 1101, A, opts=opts, stream=stream,
          ackrtt_us=10 * ms if whole else None)


def late():
    s = Scenario()
    c = (CL[0], 40000)
    handshake(s, 40000, 0)
    s.seg(50000, SV, c, 5001, 0, R, win=0)
    for k in range(1, 4):
        # the RST's window was 0: a byte past it is a zero-window probe
        s.seg(k * 30 * 10**6, c, SV, 1101, 5001, A | P, length=1, inflight=1,
              findings=["zero_window_probe"])
        s.seg(k * 30 * 10**6 + 1000, SV, c, 5001, 0, R, win=0)
    handshake(s, 40001, 200 * 10**6, stream=1)
    return s


def close(s, sp, t, stream):
    """FIN from the client, the server's FIN, the client's last ACK at t ..
    t+20 ms (after handshake(): the client's 100 bytes acknowledged)."""
    ms = 1000
    c = (CL[0], sp)
    s.seg(t, c, SV, 1101, 5001, A | F, stream=stream)
    s.seg(t + 10 * ms, SV, c, 5001, 1102, A | F, stream=stream, ackrtt_us=10 * ms)
    s.seg(t + 20 * ms, c, SV, 1102, 5002, A, stream=stream, ackrtt_us=10 * ms)


def hol():
    """Closed connections each written once quiet for 10 s, whatever the
    others do (module docstring)."""
    s = Scenario()
    sec = 10**6
    c = lambda sp: (CL[0], sp)
    # 0: closed at 0.07 s, its last ACK again at 5 s and 14 s
    handshake(s, 40000, 0)
    close(s, 40000, 50000, 0)
    # 1: closed at 1.07 s; 4 bytes at 12 s: its row is written first
    # (quiet 10.93 s though 0 is not), the bytes and the server's RST make
    # a further row
    handshake(s, 40001, 1 * sec, stream=1)
    close(s, 40001, 1 * sec + 50000, 1)
    # 2: closed at 2.07 s, a late ACK at 3 s; 3: closed at 2.57 s: both
    # quiet at 14 s, 3 (quiet longer) written first
    handshake(s, 40002, 2 * sec, stream=2)
    close(s, 40002, 2 * sec + 50000, 2)
    handshake(s, 40003, 2500000, stream=3)
    close(s, 40003, 2500000 + 50000, 3)
    s.seg(3 * sec, c(40002), SV, 1102, 5002, A, stream=2, findings=["dup_ack"])
    s.seg(5 * sec, c(40000), SV, 1102, 5002, A, findings=["dup_ack"])
    s.seg(12 * sec, c(40001), SV, 1102, 5002, A | P, length=4, stream=1, inflight=4)
    s.seg(12 * sec + 10000, SV, c(40001), 5002, 0, R, win=0, stream=1)
    s.seg(14 * sec, c(40000), SV, 1102, 5002, A, findings=["dup_ack"])
    # 4 closed at 20 s, 5 at 16.07 s with its last ACK again at 20 s: the
    # same last time, written in stream order at 30 s (exactly 10 s)
    handshake(s, 40004, 15 * sec, stream=4)
    handshake(s, 40005, 16 * sec, stream=5)
    close(s, 40005, 16 * sec + 50000, 5)
    close(s, 40004, 20 * sec - 20000, 4)
    s.seg(20 * sec, c(40005), SV, 1102, 5002, A, stream=5, findings=["dup_ack"])
    # 6 closed at 31 s; 7 closed after it in the file but stamped 26 s (the
    # clock went back): at 36.5 s 7 is quiet and written, 6 is not
    handshake(s, 40006, 30 * sec, stream=6)
    close(s, 40006, 31 * sec - 20000, 6)
    handshake(s, 40007, 25 * sec, stream=7)
    close(s, 40007, 26 * sec - 20000, 7)
    s.seg(36500000, c(40008), SV, 1000, 0, S, stream=8)
    return s


def quiet_other():
    """Closed connections made quiet by records of no connection (module
    docstring)."""
    s = Scenario()
    ms, sec = 1000, 10**6
    # 0: open to the end; 1: reset at 0.15 s; 2: closed by FIN/FIN at
    # 0.27 s; 3: reset at 0.35 s; 4: reset at 0.45 s
    handshake(s, 40000, 0)
    handshake(s, 40001, 60 * ms, stream=1)
    s.seg(150 * ms, SV, (CL[0], 40001), 5001, 0, R, win=0, stream=1)
    handshake(s, 40002, 200 * ms, stream=2)
    close(s, 40002, 250 * ms, 2)
    handshake(s, 40003, 300 * ms, stream=3)
    s.seg(350 * ms, SV, (CL[0], 40003), 5001, 0, R, win=0, stream=3)
    handshake(s, 40004, 400 * ms, stream=4)
    s.seg(450 * ms, SV, (CL[0], 40004), 5001, 0, R, win=0, stream=4)
    # each exactly 10 s after a connection's last packet: writes it
    s.other(10 * sec + 150 * ms, "udp")
    s.other(10 * sec + 270 * ms, "tcp_cut")
    s.other(10 * sec + 350 * ms, "arp")
    # 1 us short of 10 s after 4's: 4 is written at the end, after 0
    s.other(10 * sec + 450 * ms - 1, "udp")
    return s


def synack_again():
    """SYNs sent again after a SYN-ACK (module docstring)."""
    s = Scenario()
    ms = 1000
    c0, c1, c2 = ((CL[0], p) for p in (40000, 40001, 40002))
    # 0: the server's view of a lost SYN-ACK: the client's SYN again 3 s
    # later, the SYN-ACK again: synack 2 ms (the second pair), rtt 3 ms
    s.seg(0, c0, SV, 1000, 0, S, opts=mss_opt(1460))
    s.seg(500 * ms, SV, c0, 5000, 1001, S | A, opts=mss_opt(1400), ackrtt_us=500 * ms)
    s.seg(3000 * ms, c0, SV, 1000, 0, S, opts=mss_opt(1460), findings=["retransmission"])
    s.seg(3002 * ms, SV, c0, 5000, 1001, S | A, opts=mss_opt(1400),
          findings=["retransmission"], ackrtt_us=2 * ms)
    s.seg(3003 * ms, c0, SV, 1001, 5001, A, ackrtt_us=2503 * ms)
    # 1: the SYN again, then the client's ACK with no SYN-ACK after that
    # SYN: synack null, rtt from the last SYN
    s.seg(10000 * ms, c1, SV, 2000, 0, S, stream=1)
    s.seg(10500 * ms, SV, c1, 6000, 2001, S | A, stream=1, ackrtt_us=500 * ms)
    s.seg(13000 * ms, c1, SV, 2000, 0, S, stream=1, findings=["retransmission"])
    s.seg(13001 * ms, c1, SV, 2001, 6001, A, stream=1, ackrtt_us=2501 * ms)
    # 2: a SYN again after the handshake's ACK, and a SYN-ACK again: synack
    # from that SYN (1 ms), rtt fixed at the first ACK (20 ms)
    s.seg(20000 * ms, c2, SV, 3000, 0, S, stream=2)
    s.seg(20010 * ms, SV, c2, 7000, 3001, S | A, stream=2, ackrtt_us=10 * ms)
    s.seg(20020 * ms, c2, SV, 3001, 7001, A, stream=2, ackrtt_us=10 * ms)
    s.seg(23000 * ms, c2, SV, 3000, 0, S, stream=2, findings=["retransmission"])
    s.seg(23001 * ms, SV, c2, 7000, 3001, S | A, stream=2, findings=["retransmission"],
          ackrtt_us=1 * ms)
    return s


def back():
    s = Scenario()
    handshake(s, 40000, 0)
    s.pk[0].t += 100 * 10**9
    s.pk[1].ackrtt = -99990 * 10**6
    return s


def back2():
    s = Scenario()
    c = (CL[0], 40000)
    handshake(s, 40000, 0)
    s.seg(50000, c, SV, 1101, 5001, A | P, length=100, inflight=100)
    s.seg(-5 * 10**6, SV, c, 5001, 1201, A, ackrtt_us=-5050000)
    s.seg(70000, c, SV, 1201, 5001, A | P, length=100, inflight=100)
    s.seg(80000, SV, c, 5001, 1301, A, ackrtt_us=10000)
    return s


def snap(cut=True):
    """gen: the fast retransmission case, its options cut by a snap length of 60."""
    s = Scenario(snap=60 if cut else 65535)
    c = (CL[0], 40000)
    whole = not cut

    def st(**kw):
        return kw if whole else {}
    s.seg(0, c, SV, 1000, 0, S, opts=TS_OPT)
    s.seg(10000, SV, c, 5000, 1001, S | A, opts=TS_OPT, **st(ackrtt_us=10000))
    s.seg(20000, c, SV, 1001, 5001, A, opts=TS_OPT, **st(ackrtt_us=10000))
    s.seg(1000000, c, SV, 1001, 5001, A | P, length=100, opts=TS_OPT, **st(inflight=100))
    # (no bytes in flight after a lost segment until the peer's next ACK)
    s.seg(1010000, c, SV, 1201, 5001, A | P, length=100, opts=TS_OPT,
          **st(findings=["lost_segment"]))
    s.seg(1020000, SV, c, 5001, 1101, A, opts=TS_OPT, **st(ackrtt_us=20000))
    s.seg(1030000, SV, c, 5001, 1101, A, opts=TS_OPT, **st(findings=["dup_ack"]))
    s.seg(1040000, SV, c, 5001, 1101, A, opts=TS_OPT, **st(findings=["dup_ack"]))
    s.seg(1050000, c, SV, 1101, 5001, A | P, length=100, opts=TS_OPT,
          **st(findings=["fast_retransmission"], inflight=200))
    # acknowledges the segment after the gap (frame 5), 50 ms old
    s.seg(1060000, SV, c, 5001, 1301, A, win=0, opts=TS_OPT,
          **st(findings=["zero_window"], ackrtt_us=50000))
    return s


def mss():
    s = Scenario()
    c = (CL[0], 40000)
    s.seg(0, c, SV, 1000, 0, S, opts=mss_opt(1460))
    # the SYN again a second later, with another MSS
    s.seg(1000000, c, SV, 1000, 0, S, opts=mss_opt(1400), findings=["retransmission"])
    # (the RTT counts from the first SYN, as Wireshark's)
    s.seg(1010000, SV, c, 5000, 1001, S | A, opts=mss_opt(1380), ackrtt_us=1010000)
    s.seg(1020000, c, SV, 1001, 5001, A, ackrtt_us=10000)
    s.seg(1030000, c, SV, 1001, 5001, A | P, length=100, inflight=100)
    s.seg(1040000, SV, c, 5001, 1101, A, ackrtt_us=10000)
    # a data segment and a pure ACK carrying MSS options
    s.seg(1060000, SV, c, 5001, 1101, A | P, length=10, opts=mss_opt(500), inflight=10)
    s.seg(1070000, c, SV, 1101, 5011, A, opts=mss_opt(536), ackrtt_us=10000)
    return s


def hao():
    s = Scenario()
    hoa, coa = ("2001:db8:1::10", 40000), "2001:db8:2::10"
    cn = ("2001:db8:3::1", 80)
    ms = 1000
    s.seg(0, hoa, cn, 1000, 0, S, coa=coa)
    s.seg(10 * ms, cn, hoa, 5000, 1001, S | A, via=coa, ackrtt_us=10 * ms)
    s.seg(20 * ms, hoa, cn, 1001, 5001, A, coa=coa, ackrtt_us=10 * ms)
    s.seg(30 * ms, hoa, cn, 1001, 5001, A | P, length=100, coa=coa, inflight=100)
    s.seg(40 * ms, cn, hoa, 5001, 1101, A, via=coa, ackrtt_us=10 * ms)
    s.seg(50 * ms, cn, hoa, 5001, 1101, A, via=coa, findings=["dup_ack"])
    # the care-of address's own segments on the same ports: stream 1
    s.seg(60 * ms, (coa, 40000), cn, 1101, 5001, A | P, length=10, stream=1, inflight=10)
    s.seg(70 * ms, cn, (coa, 40000), 5001, 1111, A, stream=1, ackrtt_us=10 * ms)
    s.seg(80 * ms, hoa, cn, 1101, 5001, A | F, coa=coa)
    s.seg(90 * ms, cn, hoa, 5001, 1102, A | F, via=coa, ackrtt_us=10 * ms)
    return s


def far():
    """pcapng times more than 292 years apart (module docstring)."""
    s = Scenario(ng=True)
    c, c2 = (CL[0], 40000), (CL[0], 40001)
    ms = 1000
    e = -T0 * 10**6                          # t_us of 1970.01.01
    y310 = 310 * 365 * 86400 * 10**6         # 310 years (2280), in us
    y200 = 200 * 365 * 86400 * 10**6         # 200 years (2169)
    t1 = e + 10**6                           # 1970.01.01D00:00:01
    s.seg(t1, c, SV, 1000, 0, S)
    # the SYN-ACK 310 years later, the ACK back in 1970: synack and both
    # ACK RTTs are beyond a timespan, irtt is 20 ms
    s.seg(e + y310, SV, c, 5000, 1001, S | A, ackrtt_us=y310 - 10**6)
    s.seg(t1 + 20 * ms, c, SV, 1001, 5001, A, ackrtt_us=t1 + 20 * ms - (e + y310))
    s.seg(t1 + 30 * ms, c, SV, 1001, 5001, A | P, length=100, inflight=100)
    # the server closes its window (from 1970 to 2169: 200 years, exact)
    s.seg(t1 + 40 * ms, SV, c, 5001, 1101, A, win=0, ackrtt_us=10 * ms,
          findings=["zero_window"])
    s.seg(e + y200, SV, c, 5001, 1101, A, win=1000, findings=["window_update"])
    s.seg(e + y200 + 10 * ms, SV, c, 5001, 1101, A | P, length=50, inflight=50)
    # the client acknowledges in 1970 (an RTT of minus 200 years, exact)
    # and closes its window until 2280 (310 years: null)
    s.seg(t1 + 60 * ms, c, SV, 1101, 5051, A, win=0, ackrtt_us=t1 + 60 * ms - (e + y200 + 10 * ms),
          findings=["zero_window"])
    s.seg(e + y310 + 10**6, c, SV, 1101, 5051, A, win=1000, findings=["window_update"])
    # a second connection whose first ACK comes 310 years after its SYN
    s.seg(e + 2 * 10**6, c2, SV, 7000, 0, S, stream=1)
    s.seg(e + 2 * 10**6 + 10 * ms, SV, c2, 9000, 7001, S | A, stream=1, ackrtt_us=10 * ms)
    s.seg(e + y310 + 3 * 10**6, c2, SV, 7001, 9001, A, stream=1,
          ackrtt_us=y310 + 10**6 - 10 * ms)
    # two ACK RTTs of 200 years: their sum is beyond int64, their mean is not
    for k in range(2):
        s.seg(e + (3 + k) * 10**6, c2, SV, 7001 + 10 * k, 9001, A | P, length=10, stream=1,
              inflight=10)
        s.seg(e + y200 + (3 + k) * 10**6, SV, c2, 9001, 7011 + 10 * k, A, stream=1,
              ackrtt_us=y200)
    # the first connection is reset in 2280; a packet of it back in 1970
    # is 310 years before, not after: the same row
    s.seg(e + y310 + 4 * 10**6, c, SV, 1101, 5051, R, win=0)
    s.seg(t1 + 70 * ms, SV, c, 5051, 1101, A, win=1000, findings=["dup_ack"])
    # 2300, beyond q's range (null times), 330 years after that one: the
    # row was written, these start another; the ACK RTT of 1 ms between two
    # times q cannot hold is exact (as tshark's)
    y330 = 330 * 365 * 86400 * 10**6
    s.seg(e + y330, SV, c, 5051, 1101, A | P, length=10, win=1000, inflight=10)
    s.seg(e + y330 + ms, c, SV, 1101, 5061, A, win=1000, ackrtt_us=ms)
    return s


def optthrow():
    """Segments whose TCP options tshark 4.0's dissector reads past and
    throws on (module docstring): each is a segment of its connection, as
    its tcp.stream says, though tshark's conversation table leaves it out."""
    s = Scenario()
    ms = 1000
    c0, c1, c2, c3 = ((CL[0], p) for p in (40000, 40001, 40002, 40003))
    mp_fail = b"\x1e\x05\x62\x8d\xb9"   # MPTCP MP_FAIL of 5 bytes: its DSN needs 12
    probe = b"\x4c\x03\x01"              # Riverbed probe of 3: a query needs 10
    snack = b"\x15\x06\0\0\0\0"          # SNACK: the hole's edges are read 2 bytes on
    mp_capable = b"\x1e\x03\x00"         # MPTCP MP_CAPABLE of 3: needs 4
    # stream 0: the 100 bytes carry a short MP_FAIL (no bytes in flight
    # shown, though the ACK's RTT is), the client's RST, the last packet,
    # a short Riverbed probe
    s.seg(0, c0, SV, 1000, 0, S)
    s.seg(10 * ms, SV, c0, 5000, 1001, S | A, ackrtt_us=10 * ms)
    s.seg(20 * ms, c0, SV, 1001, 5001, A, ackrtt_us=10 * ms)
    s.seg(30 * ms, c0, SV, 1001, 5001, A | P, length=100, opts=mp_fail, threw=True)
    s.seg(40 * ms, SV, c0, 5001, 1101, A, ackrtt_us=10 * ms)
    s.seg(50 * ms, c0, SV, 1101, 5001, R | A, win=0, opts=probe, threw=True)
    # stream 1: a connection of one segment, a RST with a short MP_CAPABLE
    s.seg(60 * ms, c1, SV, 7000, 8000, R | A, win=0, stream=1, opts=mp_capable, threw=True)
    # stream 2: caught in the middle, the first packet seen (the server's
    # 50 bytes) with a SNACK: the server is src
    s.seg(70 * ms, SV, c2, 9000, 3000, A | P, length=50, stream=2, opts=snack, threw=True)
    s.seg(80 * ms, c2, SV, 3000, 9050, A, stream=2, ackrtt_us=10 * ms)
    s.seg(90 * ms, SV, c2, 9050, 3000, A | P, length=50, stream=2, inflight=50)
    s.seg(100 * ms, c2, SV, 3000, 9100, A, stream=2, ackrtt_us=10 * ms)
    # stream 3: a header of 28 bytes in a segment of 20 (the IP length
    # leaves its option out; the frame's padding holds it)
    s.seg(110 * ms, c3, SV, 4000, 6000, A, stream=3, opts=b"\x01" * 8, ip_short=8, threw=True)
    s.seg(120 * ms, c3, SV, 4000, 6000, A, stream=3, opts=b"\x01" * 8, ip_short=8, threw=True)
    return s


def bogus():
    """Segments with a data offset below 5: tshark analyses them (a zero
    window, a spurious retransmission) but shows no finding, so the row
    counts none."""
    s = Scenario()
    ms = 1000
    c = (CL[0], 40000)
    handshake(s, 40000, 0)
    # the server's header says 16 bytes: 4 bytes of "data", window 0
    s.seg(50 * ms, SV, c, 5001, 1101, A, win=0, doff=4)
    # the client's 100 bytes again, the header saying 16 bytes (100 bytes
    # of "data": 96 and the last 4 of the header)
    s.seg(60 * ms, c, SV, 1001, 5001, A | P, length=96, doff=4)
    s.seg(70 * ms, SV, c, 5005, 0, R)
    return s


def bogus_acked():
    """A segment with a data offset below 5 acknowledges the client's data
    before the server's real ACK, which then finds nothing (no RTT sample),
    and its "data" counts in the server's bytes in flight."""
    s = Scenario()
    ms = 1000
    c = (CL[0], 40000)
    s.seg(0, c, SV, 1000, 0, S)
    s.seg(10 * ms, SV, c, 5000, 1001, S | A, ackrtt_us=10 * ms)
    s.seg(20 * ms, c, SV, 1001, 5001, A, ackrtt_us=10 * ms)
    s.seg(30 * ms, c, SV, 1001, 5001, A | P, length=100, inflight=100)
    # 12 bytes of "data" (relative 1..13) past a header said to be 16
    s.seg(40 * ms, SV, c, 5001, 1101, A, length=8, doff=4)
    s.seg(50 * ms, SV, c, 5001, 1101, A)
    s.seg(60 * ms, SV, c, 5013, 1101, A | P, length=50, inflight=62)
    s.seg(70 * ms, c, SV, 1101, 5063, A, ackrtt_us=10 * ms)
    return s


# The flow table's first hash (src/tcp/flow.c flow_hash, seed 0) of an IPv4
# connection, as a set of the default table (65,536 slots in sets of 8):
# only to choose connections that collide, never to compute expected output.
M64 = (1 << 64) - 1
DEFAULT_SETS = 65536 // 8


def first_set(src, sport, dst, dport, seed=0):
    def mix(h, v):
        return (h ^ ((v + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)) & M64)) & M64

    def side(addr, port):
        # the key: the 4 address bytes then 12 zero bytes, read as two
        # little-endian 64-bit words
        a, b = struct.unpack("<QQ", socket.inet_aton(addr) + bytes(12))
        return mix(mix(seed, a), b) ^ (port << 32)
    s, e = side(src, sport), side(dst, dport)
    h = ((s + e) & M64) ^ (((s ^ e) * 0xFF51AFD7ED558CCD) & M64)
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & M64
    h ^= h >> 29
    return h & (DEFAULT_SETS - 1)


def collide(n=16):
    """n client ends (10.0.x.1, port) whose connections to SV share the
    first set of 10.0.0.1:40000's."""
    want = first_set(CL[0], 40000, SV[0], SV[1])
    found = []
    for x in range(256):
        for port in range(40000, 41000):
            c = ("10.0.%d.1" % x, port)
            if first_set(c[0], port, SV[0], SV[1]) == want:
                found.append(c)
                if len(found) == n:
                    return found
    raise AssertionError("too few collisions")


# the flow table's second hash: the first one with this seed
SECOND_SEED = 0xD1B54A32D192ED03


# Nine client ends whose connections to SAME_SET_SV have set 3011 under
# both of the table's hashes: one connection in 8,192 has its two hashes
# agree, and nine in one set took a search over 2.6 billion ends in C
# (brute force over addresses 10.0.x.y and ports); first_set checks them.
SAME_SET_SV = ("192.168.0.1", 80)
SAME_SET_ENDS = [("10.0.0.1", 19710), ("10.0.0.29", 36438), ("10.0.3.50", 62390),
                 ("10.0.9.235", 20789), ("10.0.16.83", 46709), ("10.0.23.101", 40642),
                 ("10.0.30.188", 15835), ("10.0.37.235", 17398), ("10.0.39.124", 16448)]


def collide_same():
    """Client ends whose connections to SAME_SET_SV have the same set under
    both of the table's hashes, all the same set."""
    sv = SAME_SET_SV
    sets = {(first_set(a, p, sv[0], sv[1]), first_set(a, p, sv[0], sv[1], SECOND_SEED))
            for a, p in SAME_SET_ENDS}
    assert len(sets) == 1 and len(set(next(iter(sets)))) == 1, sets
    return SAME_SET_ENDS


def handshakes(ends, sv):
    """The connections of ends to sv: their SYNs, then their SYN-ACKs, then
    their ACKs, 1 ms apart, each in its own stream."""
    s = Scenario()
    ms = 1000
    for k, c in enumerate(ends):
        s.seg(k * ms, c, sv, 1000, 0, S, stream=k)
    for k, c in enumerate(ends):
        s.seg(100 * ms + k * ms, sv, c, 5000, 1001, S | A, stream=k, ackrtt_us=100 * ms)
    for k, c in enumerate(ends):
        s.seg(200 * ms + k * ms, c, sv, 1001, 5001, A, stream=k, ackrtt_us=100 * ms)
    return s


def collide_same_case():
    """As collide_case, with 9 connections whose two hash functions both
    give one set: each keeps its stream (the table's second choice for
    them is the neighbouring set)."""
    return handshakes(collide_same(), SAME_SET_SV)


def collide_case():
    return handshakes(collide(), SV)


BUILD = {"flows_late": late, "flows_back": back, "flows_back2": back2,
         "flows_snap": snap, "flows_nosnap": lambda: snap(False), "flows_mss": mss,
         "flows_hao": hao, "flows_far": far, "flows_optthrow": optthrow,
         "flows_bogus": bogus, "flows_bogus_acked": bogus_acked,
         "flows_collide": collide_case, "flows_hol": hol,
         "flows_collide_same": collide_same_case, "flows_synack_again": synack_again,
         "flows_quiet_other": quiet_other}
CASES = list(BUILD)


def capture(n):
    """The capture file of case n."""
    return n + (".pcapng" if n == "flows_far" else ".pcap")

# --from/--to cases: (name, capture, from, to) with times as ns since T0
WINDOWS = [("flows_back_window", "flows_back", 40 * 10**9, 70 * 10**9),
           ("flows_back_window_after", "flows_back", 101 * 10**9, 200 * 10**9)]


# --from/--to in epoch seconds around flows_far's rows (1970 to 2280, and
# one in 2300 that q cannot hold: empty start and finish, in no window):
# (name, capture, from, to), seconds
EPOCH_WINDOWS = [("flows_far_window", "flows_far", 0, 999999999999),
                 ("flows_far_window_late", "flows_far", 10000000000, 999999999999)]


def qarg(ns_since_t0):
    return qtime(T0 * 10**9 + ns_since_t0)


def table():
    for n in CASES:
        print("%s\ttestdata/%s\t0\t--flows" % (n, capture(n)))
        print("%s_packets\ttestdata/%s\t0\t--columns %s" % (n, capture(n), COLUMNS))
    for name, cap, frm, to in WINDOWS:
        print("%s\ttestdata/%s.pcap\t0\t--flows --from %s --to %s" %
              (name, cap, qarg(frm), qarg(to)))
    for name, cap, frm, to in EPOCH_WINDOWS:
        print("%s\ttestdata/%s\t0\t--flows --from %d --to %d" % (name, capture(cap), frm, to))


def check_conv(n, s, path):
    """tshark's conversation table (-z conv,tcp) holds the segments of each
    stream but those stated to throw, those whose options the snap
    length cut (its tap is queued after the options are dissected) and
    those with a bogus data offset (dissect_tcp returns before the tap):
    the first of them names side A; frames and frame bytes each way.
    Returns the number of disagreements."""
    from corpus_flows import CONV_RE
    want = {}
    for p in s.pk:
        if not p.segment or p.threw or not p.opts_whole or p.bogus:
            continue
        a, b = "%s:%d" % p.frm, "%s:%d" % p.to
        c = want.setdefault(p.stream, [a, b, 0, 0, 0, 0])
        i = 2 if a == c[0] else 4
        c[i] += 1
        c[i + 1] += len(p.bytes)
    want = sorted(tuple(c) for c in want.values())
    out = subprocess.run(["tshark", "-n", "-q", "-r", path, "-z", "conv,tcp"],
                         capture_output=True, text=True, check=True).stdout
    # columns "<-" (B to A), then "->" (A to B); bytes below 10 kB exact
    got = sorted((m.group(1), m.group(2), int(m.group(5)), int(m.group(6).split()[0]),
                  int(m.group(3)), int(m.group(4).split()[0]))
                 for m in map(CONV_RE.match, out.splitlines()) if m)
    if got == want:
        return 0
    print("%s: conversations stated %s, tshark %s" % (n, want, got))
    return 1


def check_tshark(outdir):
    bad = 0
    for n in CASES:
        s = BUILD[n]()
        args = ["tshark", "-n", "-r", os.path.join(outdir, capture(n)), "-T", "fields",
                "-E", "separator=/t", "-e", "tcp.stream",
                "-e", "tcp.analysis.bytes_in_flight", "-e", "tcp.analysis.ack_rtt",
                "-e", "tcp.options.mss_val"]
        for f in FINDINGS:
            args += ["-e", "tcp.analysis." + (f if f != "dup_ack" else "duplicate_ack")]
        p = subprocess.run(args, capture_output=True, text=True, check=True)
        for i, (line, pk) in enumerate(zip(p.stdout.splitlines(), s.pk), 1):
            v = line.split("\t")
            got = {f for f, x in zip(FINDINGS, v[4:]) if x}
            if got & {"fast_retransmission", "spurious_retransmission"}:
                got.discard("retransmission")
            rtt = int(Decimal(v[2]) * 10**9) if v[2] else None     # exact
            tsh = (int(v[0]) if v[0] else None, int(v[1]) if v[1] else None, rtt, got)
            if tsh != (pk.stream, pk.inflight, pk.ackrtt, pk.findings) or \
                    (v[3] and int(v[3]) != pk.mss) or (pk.mss and not v[3]):
                bad += 1
                print("%s frame %d: stated %s, tshark %s" %
                      (n, i, (pk.stream, pk.inflight, pk.ackrtt, pk.findings, pk.mss),
                       tsh + (v[3],)))
        bad += check_conv(n, s, os.path.join(outdir, capture(n)))
    print("tshark agrees with every statement" if not bad else "%d disagreements" % bad)
    return 1 if bad else 0


def main():
    args = sys.argv[1:]
    if args[:1] == ["--table"]:
        table()
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(os.path.dirname(here), "testdata")
    if args[:1] == ["--check-tshark"]:
        return check_tshark(args[1] if len(args) > 1 else outdir)
    if args:
        outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    for n in CASES:
        s = BUILD[n]()
        with open(os.path.join(outdir, capture(n)), "wb") as fp:
            fp.write(s.pcap())
        with open(os.path.join(outdir, n + ".out"), "w") as fp:
            fp.write(s.flows_out(n))
        with open(os.path.join(outdir, n + "_packets.out"), "w") as fp:
            fp.write(s.packets_out())
    for name, cap, frm, to in WINDOWS:
        with open(os.path.join(outdir, name + ".out"), "w") as fp:
            fp.write(BUILD[cap]().flows_out(cap, ((T0 * 10**9 + frm), (T0 * 10**9 + to))))
    for name, cap, frm, to in EPOCH_WINDOWS:
        with open(os.path.join(outdir, name + ".out"), "w") as fp:
            fp.write(BUILD[cap]().flows_out(cap, (frm * 10**9, to * 10**9)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
