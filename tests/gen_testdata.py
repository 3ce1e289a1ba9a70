#!/usr/bin/env python3
"""Generate pcap2kdb's golden test captures and their expected outputs.

Every capture in testdata/ is assembled here byte by byte (struct.pack, no
packet library), and its expected output is computed from the field values
this script chose while building it -- an oracle independent of pcap2kdb.

    python3 tests/gen_testdata.py [OUTDIR]      (default: <repo>/testdata)
    python3 tests/gen_testdata.py --table       print the golden.tsv lines

Output per case NAME: the capture, NAME.out (expected stdout) and, for
damaged input, NAME.err (expected stderr).  The run is deterministic: two
runs give identical bytes (tests/run_golden.sh --regen-check checks it).

How the oracle handles truncation: every field a layer builds is recorded
with the number of frame bytes it needs ("need"); a record that captured
fewer bytes shows the field empty.  Rules (README "Columns", tshark-like):
IPv4 protocol needs 10 bytes of IP header, src 16, dest 20; TCP ports need
4 bytes of TCP header; seq, ack, flags, window and the payload length (len)
need all of the fixed 16 (tshark reads them together and shows none of them
before); an option's value shows when its own bytes are there (MSS 4 bytes of
the option, TS value 6, TS echo 10 -- as tshark).
`length` is always the original length.
"""

import datetime
import os
import struct
import sys

DEFAULT_COLS = ("time,sym,src,dest,srcport,destport,protocol,flags,seq,ack,"
                "win,tsval,tsecr,length,len").split(",")

CASES = []  # (name, capture file name, exit code, extra args)


# ---------------------------------------------------------------- formatting

def qtime(sec, ns):
    """UTC q timestamp literal with 9 fraction digits."""
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec)
    return "%04d.%02d.%02dD%02d:%02d:%02d.%09d" % (
        d.year, d.month, d.day, d.hour, d.minute, d.second, ns)


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(s):
    """Parse an IPv6 literal (full or with ::, no dotted tail) into 16 bytes."""
    if "::" in s:
        a, b = s.split("::")
        ha = [int(x, 16) for x in a.split(":")] if a else []
        hb = [int(x, 16) for x in b.split(":")] if b else []
        groups = ha + [0] * (8 - len(ha) - len(hb)) + hb
    else:
        groups = [int(x, 16) for x in s.split(":")]
    assert len(groups) == 8
    return struct.pack(">8H", *groups)


def fmt6(b):
    """RFC 5952 text of a 16-byte IPv6 address, written independently of any
    library: lowercase, no leading zeros, the longest run (>= 2) of zero
    groups as ::, the first on ties; IPv4-mapped in dotted form (s. 5)."""
    g = struct.unpack(">8H", b)
    if g[:6] == (0, 0, 0, 0, 0, 0xFFFF):
        return "::ffff:%d.%d.%d.%d" % tuple(b[12:])
    best, bestlen, i = -1, 0, 0
    while i < 8:
        if g[i] == 0:
            j = i
            while j < 8 and g[j] == 0:
                j += 1
            if j - i > bestlen:
                best, bestlen = i, j - i
            i = j
        else:
            i += 1
    if bestlen < 2:
        return ":".join("%x" % x for x in g)
    left = ":".join("%x" % x for x in g[:best])
    right = ":".join("%x" % x for x in g[best + bestlen:])
    return left + "::" + right


# ---------------------------------------------------------------- frames

class Frag:
    """Bytes of a (partial) frame plus the row fields they carry.

    fields: {column: (value, need)} where need is the number of bytes of
    this fragment that must be captured for the field to show.  meta holds
    what the TCP flow oracle needs."""

    def __init__(self, data=b"", fields=None, meta=None):
        self.data = bytes(data)
        self.fields = dict(fields or {})
        self.meta = dict(meta or {})

    def wrap(self, hdr, fields=None):
        """Prepend a header; inner fields win over the header's own (so for
        IP-in-IP the inner addresses are the row's)."""
        n = len(hdr)
        f = {c: (v, need + n) for c, (v, need) in self.fields.items()}
        for c, vn in (fields or {}).items():
            f.setdefault(c, vn)
        m = dict(self.meta)
        if "tcp_off" in m:
            m["tcp_off"] += n
        return Frag(hdr + self.data, f, m)


IPPROTO_NAME = {0: "HOPOPT", 1: "ICMP", 2: "IGMP", 6: "TCP", 17: "UDP", 58: "ICMPv6",
                59: "IPv6-NoNxt", 47: "GRE",
                132: "SCTP", 50: "ESP", 51: "AH", 60: "IPv6-Opts",
                  140: "Shim6"}


def raw(data):
    return Frag(data)


# TCP options: tuples ("mss", v) ("nop",) ("eol",) ("ws", n) ("sackok",)
# ("ts", val, ecr) ("sack", [(l, r)]) ("bytes", b"...", stop) -- the last
# one writes bytes verbatim; stop=True means option parsing stops at it
# (stop=False: it is stepped over, as an option of a wrong length is). Of an
# option given twice the first counts (Wireshark's first occurrence), but of
# window scale the last: Wireshark 4.0's dissector stores the shift each time
# it meets one (tshark 4.0.17: `03 03 02 03 03 07` scales by 128).
# ("opt", kind, body) writes an option of any kind, length 2 + len(body):
# a segment with one is read by tshark_options when its connection is known
# (tcp_flow), as whether tshark 4.0 reads past an SCPS option depends on it.
def opt_bytes(o):
    k = o[0]
    if k == "mss":
        return struct.pack(">BBH", 2, 4, o[1])
    if k == "nop":
        return b"\x01"
    if k == "eol":
        return b"\x00"
    if k == "ws":
        return struct.pack(">BBB", 3, 3, o[1])
    if k == "sackok":
        return b"\x04\x02"
    if k == "ts":
        return struct.pack(">BBII", 8, 10, o[1], o[2])
    if k == "sack":
        return struct.pack(">BB", 5, 2 + 8 * len(o[1])) + b"".join(
            struct.pack(">II", l, r) for l, r in o[1])
    if k == "bytes":
        return o[1]
    if k == "opt":
        return bytes([o[1], 2 + len(o[2])]) + o[2]
    raise ValueError(k)


# What Wireshark 4.0.17's option dissectors read, where it is past the
# option's own length: each option is dissected on a buffer of its length
# only, so reading further throws ("Malformed Packet"), which ends the
# options (later ones give nothing) and the analysis of the segment (no
# tcp.analysis, no window-scaling check). Found with tshark on a sweep of
# kinds 2-255 and lengths 2-30; all other kinds read within their length.
MPTCP_READS = {0: 4, 1: 3, 3: 4, 4: 3, 5: 3, 6: 12, 7: 12, 8: 4}   # by subtype


def mptcp_reads(body):
    """Bytes 4.0's MPTCP dissector reads of an option (RFC 8684)."""
    if not body:
        return 3                        # the subtype
    sub = body[0] >> 4
    if sub != 2:
        return MPTCP_READS.get(sub, 3)
    if len(body) < 2:
        return 4                        # DSS: its flags byte
    fl = body[1]
    n = 4
    if fl & 1:                          # data ACK, 4 or 8 bytes
        n += 8 if fl & 2 else 4
    if fl & 4:                          # mapping: DSN (4 or 8), SSN, length
        n += (8 if fl & 8 else 4) + 6
    return n


def rvbd_probe_reads(vt):
    """Bytes 4.0's Riverbed probe dissector (kind 76) reads, by its
    version/type byte."""
    if vt & 1:                          # version 1, type in the high nibble
        t = vt >> 4
        return {0: 10, 1: 14, 2: 3, 3: 10, 4: 10, 5: 18}.get(
            t, 8 if t <= 10 else 3)
    return {6: 4, 7: 4, 8: 8, 9: 8, 10: 4}.get(vt >> 1, 3)


def scps_walk_overruns(body):
    """An SCPS option (kind 20) of a length other than 4, on a side that
    offered SCPS: 4.0 walks binding spaces (ID byte, length byte whose
    high nibble counts 16-bit words, data) to the end of the option."""
    b = bytes([20, 2 + len(body)]) + body
    i = 2
    while i < len(b):
        if i + 1 >= len(b):
            return True
        i += 2 + (b[i + 1] >> 4) * 2
        if i > len(b):
            return True
    return False


# The length Wireshark 4.0's dissector of a kind checks before reading its
# value: at another length it reads the option's kind and length bytes only
# (tshark 4.0.17: kinds 2-255, lengths 2-40, each option ending a header cut
# after its length byte and at every byte after it).
CHECKED_LENGTH = {2: 4, 3: 3, 4: 2, 6: 6, 7: 6, 8: 10, 11: 6, 12: 6, 13: 6,
                  19: 18, 21: 6, 27: 8, 28: 4, 78: 16}


def option_reads(kind, olen):
    """How many of an option's olen bytes tshark 4.0.17 reads (same sweep):
    the kind and length only at a wrong length (CHECKED_LENGTH), for SCPS
    record boundary and corruption experienced (22, 23), for TCP-AO and the
    experimental kinds (29, 253, 254) under 4 bytes and for AccECN (172,
    174) but at 5, 8 or 11 bytes; all of them otherwise."""
    if kind in (22, 23):
        return 2
    if kind in (29, 253, 254) and olen < 4:
        return 2
    if kind in (172, 174):
        return olen if olen in (5, 8, 11) else 2
    want = CHECKED_LENGTH.get(kind)
    return 2 if want and olen != want else olen


def tshark_options(opts, scps, captured=None):
    """The options of a segment as pcap2kdb shows them: as tshark 4.0 reads
    them, on a connection where this side offered SCPS or not (scps), but
    for a SACK shorter than one block (RFC 2018 section 3: 8n + 2 bytes),
    which is skipped where 4.0 throws in its D-SACK test and loses the RFC
    7323 options after it (README, "Compared with tshark"). captured: the
    option bytes the capture holds (None: all). A byte tshark reads and the
    capture does not hold throws, like a dissector reading past its option;
    tshark 4.0.17 reads the options up to the header's end (an EOL's
    padding too) or up to a bad length, which stops it: of a length under 2
    it reads the kind and length bytes, of one past the header the bytes
    from the option's start to two before the header's end (its expert
    item's range); of an option that ends the header the bytes option_reads
    gives. Here an option gives a value only when all its bytes are
    captured (cuts inside one are cases_truncation's). Returns the fields
    shown, the window-scale shift (or None), whether the reading threw, and
    whether an SCPS capabilities option was read."""
    fields, ws, cap = {}, None, False
    total = sum(len(opt_bytes(o)) for o in opts)
    have = total if captured is None else captured
    at = 0
    for o in opts:
        b = opt_bytes(o)
        if b[0] == 0:
            return fields, ws, have < total, cap
        if b[0] == 1:
            if at >= have:
                return fields, ws, True, cap
            at += 1
            continue
        kind, olen, body = b[0], b[1], b[2:]
        if o[0] == "bytes" and o[2]:
            # a bad length: the reading stops
            need = at + 2 if olen < 2 else max(at + 2, total - 2)
            return fields, ws, have < need, cap
        if at + len(b) > have:
            # cut inside it: tshark reads no further when it ends the header
            ends = at + len(b) == total
            return fields, ws, not ends or have < at + option_reads(kind, olen), cap
        at += len(b)
        if kind == 2 and olen == 4 and "mss" not in fields:
            fields["mss"] = str(struct.unpack(">H", body)[0])
        elif kind == 3 and olen == 3:
            ws = body[0]                # the last counts
        elif kind == 8 and olen == 10 and "tsval" not in fields:
            fields["tsval"] = str(struct.unpack(">I", body[:4])[0])
            fields["tsecr"] = str(struct.unpack(">I", body[4:])[0])
        elif kind == 20:
            if olen == 4:
                scps = cap = True
            elif scps and scps_walk_overruns(body):
                return fields, ws, True, cap
        elif kind == 21 and olen == 6:
            return fields, ws, True, cap
        elif kind == 30 and olen < mptcp_reads(body):
            return fields, ws, True, cap
        elif kind == 76 and olen >= 3 and olen < rvbd_probe_reads(
                body[0] if body else 0):
            return fields, ws, True, cap
    return fields, ws, False, cap


def tcp_opts(opts):
    out = b""
    fields = {}
    meta = {}
    stopped = False
    if any(o[0] == "opt" for o in opts):
        # read by tshark_options in tcp_flow
        return b"".join(opt_bytes(o) for o in opts), {}, {"opts": list(opts)}
    for o in opts:
        start = 20 + len(out)
        k = o[0]
        if k == "mss":
            b = struct.pack(">BBH", 2, 4, o[1])
        elif k == "nop":
            b = b"\x01"
        elif k == "eol":
            b = b"\x00"
        elif k == "ws":
            b = struct.pack(">BBB", 3, 3, o[1])
        elif k == "sackok":
            b = b"\x04\x02"
        elif k == "ts":
            b = struct.pack(">BBII", 8, 10, o[1], o[2])
        elif k == "sack":
            b = struct.pack(">BB", 5, 2 + 8 * len(o[1]))
            b += b"".join(struct.pack(">II", l, r) for l, r in o[1])
        elif k == "bytes":
            b = o[1]
            if o[2]:
                stopped = True
        else:
            raise ValueError(k)
        end = start + len(b)
        if not stopped:
            if k == "mss" and "mss" not in meta:
                fields["mss"] = (str(o[1]), end)
                meta["mss"] = o[1]
            elif k == "ws":
                meta["ws"] = o[1]
            elif k == "ts" and "tsval" not in fields:
                fields["tsval"] = (str(o[1]), start + 6)
                fields["tsecr"] = (str(o[2]), end)
        out += b
    return out, fields, meta


FLAG_BITS = [("NS", 0x100), ("CWR", 0x80), ("ECE", 0x40), ("URG", 0x20),
             ("ACK", 0x10), ("PSH", 0x08), ("RST", 0x04), ("SYN", 0x02),
             ("FIN", 0x01)]
F = {n: v for n, v in FLAG_BITS}


def flags_str(fl):
    return "|".join(n for n, v in FLAG_BITS if fl & v)


def tcp(sport, dport, seq, ack, flags, win, opts=(), payload=b"",
        doff=None, reserved=0, len_override=None):
    """TCP segment.  flags: int (NS = 0x100).  doff overrides the header
    length nibble (for damaged headers)."""
    ob, ofields, ometa = tcp_opts(opts)
    assert len(ob) % 4 == 0, opts
    hlen = 20 + len(ob)
    nib = (hlen // 4) if doff is None else doff
    b12 = (nib << 4) | (reserved << 1) | (1 if flags & 0x100 else 0)
    hdr = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, b12,
                      flags & 0xFF, win, 0, 0) + ob
    fields = {
        "srcport": (str(sport), 4), "destport": (str(dport), 4),
        "seq": (str(seq), 16), "ack": (str(ack), 16),
        "flags": (flags_str(flags), 16), "rawwin": (str(win), 16),
        "len": (str(len(payload)) if len_override is None else len_override,
                16),
    }
    fields.update(ofields)
    meta = {"tcp_off": 0, "sport": sport, "dport": dport, "seq": seq,
            "ack": ack, "flags": flags, "win": win, "paylen": len(payload)}
    meta.update(ometa)
    return Frag(hdr + payload, fields, meta)


def udp(sport, dport, payload=b""):
    hdr = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0)
    return Frag(hdr + payload, {"srcport": (str(sport), 4),
                                "destport": (str(dport), 4),
                                "len": (str(len(payload)), 8)})


def sctp(sport, dport, payload=b""):
    """SCTP common header (ports; no TCP/UDP-style len column). tshark
    shows the ports only when the whole 12-byte common header is there
    (packet-sctp.c reads it all, its checksum last, before any field)."""
    return Frag(struct.pack(">HHII", sport, dport, 0x01020304, 0) + payload,
                {"srcport": (str(sport), 12), "destport": (str(dport), 12)})


def icmp(typ, code, rest=b"\0\0\0\0", payload=b""):
    return Frag(struct.pack(">BBH", typ, code, 0) + rest + payload)


def icmp6(typ, code, rest=b"\0\0\0\0", payload=b""):
    return icmp(typ, code, rest, payload)


# ICMP types whose quoted packet Wireshark 4.0 dissects: Destination
# Unreachable, Source Quench, Time Exceeded, Parameter Problem (not
# Redirect, nor the queries); ICMPv6 Destination Unreachable, Packet Too
# Big, Time Exceeded, Parameter Problem.
ICMP_QUOTING = {1: (3, 4, 11, 12), 58: (1, 2, 3, 4)}


def icmp_quote(proto, typ, packet, tcp_bytes, rest=b"\0\0\0\0", after=b""):
    """An ICMP (proto 1) or ICMPv6 (58) message of type typ quoting the
    first tcp_bytes of packet's TCP header (packet: an ipv4()/ipv6() Frag
    around tcp(), with extension headers or none), then the bytes after
    (RFC 4884 padding and extensions). Wireshark dissects a quote of a quoting type
    and, when 16 bytes of the TCP header are there (its dissector reads up
    to the window before it looks the connection up), finds or creates that
    TCP connection: a new one takes the next tcp.stream number. The ICMP
    row's own columns show none of it.

    Inside the error the connection's destination is the quoted IPv6
    header's own, whatever a routing header names (meta flow_dst is not
    used): Wireshark restores pinfo->dst after the routing type's
    dissector, and goes on to TCP after one that reads past its header.
    Its source is a Home Address option's home address (meta flow_src),
    as outside: Wireshark reads that option in the options header's own
    dissector, which dissects TCP before it returns.

    An ICMPv4 RFC 4884 length (rest[1], in 32-bit words) cuts the quote
    when the message's payload and the quoted datagram's total length are
    both longer than it: to that many words after the quoted IP header
    (Wireshark 4.0 counts the header again). ICMPv6's length is not used.

    An ICMPv6 error's quote is dissected only when it is IPv6
    (packet-icmpv6.c shows another version as data): an IPv4 packet there
    names no connection. A quoted IPv6 options header whose options run
    past the packet's payload (options_overrun) ends the quote's
    dissection as it ends the packet's: judged on the whole packet, so
    cases quote such a packet whole."""
    m = packet.meta
    iphl = m["tcp_off"]
    quoted = packet.data[:iphl + tcp_bytes]
    f = icmp(typ, code=0, rest=rest, payload=quoted + after)
    words = rest[1]
    if proto == 1 and typ in ICMP_QUOTING[1] and words:
        total = struct.unpack(">H", packet.data[2:4])[0]
        if len(quoted + after) > 4 * words and total > 4 * words:
            tcp_bytes = min(tcp_bytes, (iphl // 4 + words) * 4 - iphl)
    v6 = packet.data[0] >> 4 == 6
    if m.get("opts_overrun"):
        assert tcp_bytes == len(packet.data) - iphl
    if (typ in ICMP_QUOTING[proto] and tcp_bytes >= 16 and (v6 or proto == 1)
            and not m.get("opts_overrun")):
        src = packet.data[8:24] if v6 else packet.data[12:16]
        dst = packet.data[24:40] if v6 else packet.data[16:20]
        text = fmt6 if v6 else (lambda b: "%d.%d.%d.%d" % tuple(b))
        q = {k: m[k] for k in ("sport", "dport", "seq", "ack", "flags",
                               "win")}
        if "ws" in m and tcp_bytes >= (packet.data[iphl + 12] >> 4) * 4:
            q["ws"] = m["ws"]
        q.update(src=m.get("flow_src", text(src)), dest=text(dst))
        f.meta["quote"] = q
    return f


def ipv4(src, dst, proto, inner, ttl=64, ipid=0x1234, opts=b"", df=True,
         mf=False, fragoff=0, ihl=None, total=None, fields_ok=True):
    """IPv4 header around inner.  fields_ok=False: the header is bogus (IHL
    < 5, total length < header) and, as tshark, the row shows nothing of it
    nor of what it carries."""
    assert len(opts) % 4 == 0
    hlen = 20 + len(opts)
    nib = hlen // 4 if ihl is None else ihl
    tot = hlen + len(inner.data) if total is None else total
    fl = (0x4000 if df else 0) | (0x2000 if mf else 0) | (fragoff // 8)
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | nib, 0, tot, ipid, fl, ttl,
                      proto, 0, ip4(src), ip4(dst)) + opts
    if not fields_ok:
        return Frag(hdr + inner.data)
    if proto in (4, 41):
        f = {}      # tunnel: the inner header's fields are the row's
    else:
        f = {"src": (src, 16), "dest": (dst, 20), "ttl": (str(ttl), 9),
             "ipid": (str(ipid), 6),
             "protocol": (IPPROTO_NAME.get(proto, str(proto)), 10)}
    final = shown = None
    if opts:
        # see ipv4_options: dest is the header's when no source route names
        # a final destination (shown once the first walk's bytes are
        # captured), else the one shown (once the whole header is), if any
        reads, final, shown, overrun = ipv4_options(opts)
        if "dest" in f:
            if final is None:
                f["dest"] = (dst, 20 + reads)
            elif shown is None:
                del f["dest"]
            else:
                f["dest"] = ("%d.%d.%d.%d" % tuple(shown), hlen)
        if overrun:
            # nothing after the header; an ICMP quote of it goes on (meta)
            inner = Frag(inner.data, meta=dict(inner.meta, noflow=True))
    seg = tot - hlen
    if total and hlen <= total < hlen + len(inner.data):
        # bytes after the datagram are no part of it: what the payload's
        # header needs beyond the total length is not shown (Wireshark's IP
        # dissector ends its buffer there); 16 bytes make a TCP segment
        # and a TCP segment's length only when its whole header fits
        kept = {c: vn for c, vn in inner.fields.items() if vn[1] <= seg}
        if "paylen" in inner.meta and seg < len(inner.data) - inner.meta["paylen"]:
            kept.pop("len", None)
        inner = Frag(inner.data, kept,
                     dict(inner.meta, noflow=True) if seg < 16 else inner.meta)
    if fragoff or mf:
        # a fragment: the transport fields go to the fragment that completes
        # the datagram (see completing())
        inner = Frag(inner.data)
    out = inner.wrap(hdr, f)
    if final is not None and final != shown:
        out.meta["flow_dst"] = "%d.%d.%d.%d" % tuple(final)
    return out


# IPv4 options (RFC 791 3.1) as Wireshark 4.0 reads them (packet-ip.c),
# modelled here from its rules, checked with tshark 4.0.17 (ipv4_options).
# The bytes each option's dissector reads, from the option's start: one
# shorter ends the packet's dissection ("Malformed Packet"), nothing after
# the IP header is shown. Quick-Start (25) needs 8 for its functions 0 and
# 8 (rate request, report), else 3; CIPSO (134) see cipso_overruns.
OPT_READS = {130: 3, 131: 3, 137: 3, 7: 3, 133: 3, 68: 4, 136: 4, 11: 4,
             12: 4, 148: 4, 82: 12}


def cipso_overruns(o):
    """Whether Wireshark 4.0's CIPSO dissector reads past option o: it
    needs the DOI (6 bytes), then walks the tags, letting one run a byte
    past the option (its check is one too loose); tags 1, 6 and 7 then read
    that byte, tags 2 and 5 only when their category bytes are even (they
    read them 2 at a time, and step on by what they read)."""
    if len(o) < 6:
        return True
    i = 6
    while i < len(o):
        tag = o[i]
        tl = o[i + 1] if i + 1 < len(o) else 1
        if tag == 0:
            i += 1
            continue
        if tag not in (1, 2, 5, 6, 7):
            return i + 1 >= len(o)      # it reads the length byte, then stops
        if tl < (2 if tag == 7 else 4) or tl > 34 or i + tl - 1 > len(o):
            return False                # "Malformed CIPSO tag": stops
        if tag in (2, 5):
            if i + tl > len(o) and (tl - 4) % 2 == 0:
                return True
            i += 4 + (tl - 4) // 2 * 2
        else:
            if i + tl > len(o):
                return True
            i += tl
    return False


def option_overruns(o):
    t = o[0]
    if t == 25:
        return len(o) < 3 or (o[2] >> 4 in (0, 8) and len(o) < 8)
    if t == 134:
        return cipso_overruns(o)
    return len(o) < OPT_READS.get(t, 0)


def ipv4_options(opts):
    """What Wireshark 4.0 makes of IPv4 options opts (the IP header's
    bytes 20 on). Both its walks stop at an EOL, at a length byte past the
    options, at a length under 2 or past them. The first stops at the
    first loose or strict source route (131, 137): when its pointer is a
    multiple of 4 from 4 to its length, its last 4 bytes are the final
    destination, on which the connection is keyed (pinfo->dst). The second
    shows them: an option that overruns ends the dissection; the first
    such route of length 3 + 4n shows its last address as ip.dst, which the
    header's destination is then not (with no such route, it is).
    Returns (reads, final, shown, overrun): the bytes of opts the first walk
    reads (with a route's pointer, which may lie past opts), the final
    destination or None, the one shown then (or None), and whether the
    dissection ends at the header."""
    def pending(o):
        return len(o) >= 3 and o[2] >= 4 and o[2] % 4 == 0 and o[2] <= len(o)

    reads, final, i = 0, None, 0
    while i < len(opts):
        reads = i + 1                           # its type
        t = opts[i]
        if t == 0:
            break
        if t == 1:
            i += 1
            continue
        if i + 1 >= len(opts):
            break
        reads = i + 2                           # its length
        n = opts[i + 1]
        if n < 2 or n > len(opts) - i:
            break
        if t in (131, 137):
            reads = i + 3                       # its pointer, even past n = 2
            if pending(opts[i:i + n]):
                reads, final = i + n, opts[i + n - 4:i + n]
            break
        i += n
    shown, overrun, i = None, False, 0
    while i < len(opts) and opts[i] != 0:
        if opts[i] == 1:
            i += 1
            continue
        if i + 1 >= len(opts):
            break
        o = opts[i:i + opts[i + 1]]
        if len(o) < 2 or o[1] > len(opts) - i:
            break
        if option_overruns(o):
            overrun = True
            break
        if (final and shown is None and o[0] in (131, 137)
                and len(o) % 4 == 3 and pending(o)):
            shown = o[-4:]
        i += len(o)
    return reads, final, shown, overrun


def completing(frag, first, total):
    """The fragment frag completes a datagram whose payload (total bytes)
    starts with the transport segment first: its row carries first's
    transport fields, with len for the whole datagram, as tshark's does."""
    tf = {c: (v, 0) for c, (v, need) in first.fields.items()}
    m = dict(first.meta)
    if "tcp_off" in m:
        hl = (first.data[12] >> 4) * 4
        tf["len"] = (str(total - hl), 0)
        m["tcp_off"] = -10**6   # header bytes are not in this frame: always there
    elif "len" in tf:
        tf["len"] = (str(struct.unpack(">H", first.data[4:6])[0] - 8), 0)
    f = dict(frag.fields)
    f.update(tf)
    return Frag(frag.data, f, m)


EXT_CODE = {"hop": 0, "rt": 43, "frag": 44, "dst": 60, "ah": 51,
            "rt0": 43, "rt2": 43, "srh": 43, "rtraw": 43,
            "hao": 60, "dstraw": 60, "hopraw": 0, "shim6": 140}

HAO_TYPE = 0xC9     # RFC 6275 section 6.3


def icmp_quote_error(proto, typ, packet):
    """An ICMP (proto 1) or ICMPv6 (58) error of type typ quoting the whole
    of packet, itself an IP packet carrying an ICMP error (icmp_quote, or
    this again). Wireshark 4.0 dissects a quoted error's quote in turn, at
    any depth (tshark 4.0.17 shows the TCP header inside 200 of them), so
    the connection the innermost quote names takes its tcp.stream number
    as a single quote's would; an ICMPv6 error dissects an IPv6 quote
    only."""
    f = icmp(typ, code=0, payload=packet.data)
    v6 = packet.data[0] >> 4 == 6
    if (typ in ICMP_QUOTING[proto] and (v6 or proto == 1)
            and "quote" in packet.meta):
        f.meta["quote"] = packet.meta["quote"]
    return f


# Option types (IANA "Destination Options and Hop-by-Hop Options") whose
# Wireshark 4.0 dissector reads more data than a short option's length
# gives: the Home Address option's 16 bytes (packet-ipv6.c).
OPT6_READS = {0xC9: 16}


def options_overrun(nopts, rest):
    """Whether Wireshark 4.0 reads past the IPv6 payload's end walking the
    nopts bytes of options of a hop-by-hop or destination options header
    (from its offset 2), rest the bytes from there to the end of the
    payload (the options and what follows them): it reads
    each option's type and length byte (a Pad1's too), then its data: its
    length, or what its type's dissector reads if more (OPT6_READS), and
    steps over that. Reading past the end throws: Malformed, nothing after
    the header is dissected (tshark 4.0.17 agrees). An option running past
    the header but not the payload only ends the walk."""
    i = 0
    while i < nopts:
        if i + 2 > len(rest):
            return True
        if rest[i] == 0:                        # Pad1
            i += 1
            continue
        n = max(rest[i + 1], OPT6_READS.get(rest[i], 0))
        if i + 2 + n > len(rest):
            return True
        i += 2 + n
    return False


# Shim6 (RFC 5533 section 5) as Wireshark 4.0's packet-shim6.c reads it:
# a control message's type-specific data from byte 5 (the checksum at 3),
# by type its length (RFC 5533 section 5; a Probe, RFC 5534, then 40
# bytes per probe sent and received, counted in its byte 11); then options from byte 5 + (5 + that length): the dissector adds
# the offset its type-specific part returns as if it were a length.
SHIM6_CTRL_READS = {1: 10, 2: 10, 3: 18, 4: 10, 5: 10, 6: 26, 64: 10,
                    65: 10, 66: 10, 67: 10}
SHIM6_PROBE_LEN = 40


def shim6_overrun(rest, hlen):
    """Whether Wireshark 4.0 reads past the IPv6 payload's end dissecting
    the Shim6 header of hlen bytes at the start of rest (the header and
    what follows it to the payload's end). Reading past it throws
    (Malformed): nothing after the header is dissected. The payload
    extension header (P bit set) reads its 8 bytes; a control
    message its whole header (the checksum), its type-specific data, then
    each option as the dissector reads it: 4 bytes late,
    its type and content length at +4 and +6, its subtree from +4 over
    its 4-byte header and the content, padded to a multiple of 8 bytes
    (RFC 5533 section 5), the ULID pair's 36 bytes
    (the other types' data lies within that subtree: the cases use those
    only)."""
    if hlen > len(rest):
        return True
    if rest[2] & 0x80:
        return False
    typ = rest[2] & 0x7F
    end = 5 + SHIM6_CTRL_READS.get(typ, 0)
    if typ == 67 and end <= len(rest):
        c = rest[11]
        end += SHIM6_PROBE_LEN * ((c & 0x0F) + (c >> 4))
    if end > len(rest):
        return True
    o = 5 + end
    while o < hlen:
        s = o + 4
        if s + 4 > len(rest):
            return True
        otype, clen = struct.unpack(">HH", rest[s:s + 4])
        total = 4 + clen + (7 - (clen + 3) % 8)
        assert otype >> 1 not in (2, 3), "option type not modelled"
        need = max(s + total, s + 36 if otype >> 1 == 6 else 0)
        if need > len(rest):
            return True
        o += total
    return False


def home_address(opts):
    """The home address (16 bytes) a destination options header whose
    options (from its offset 2) are opts names, per RFC 6275 section 6.3
    and RFC 8200 section 4.2, or None: the last Home Address option whose
    data (at least 16 bytes; its first 16) lies within the header. An
    option running past the header ends the walk."""
    i, home = 0, None
    while i < len(opts):
        if opts[i] == 0:                        # Pad1
            i += 1
            continue
        if i + 2 > len(opts) or i + 2 + opts[i + 1] > len(opts):
            break
        if opts[i] == HAO_TYPE and opts[i + 1] >= 16:
            home = opts[i + 2:i + 18]
        i += 2 + opts[i + 1]
    return home


def ipv6(src, dst, nxt, inner, hlim=64, ext=(), plen=None, proto_ok=True):
    """IPv6 header with an extension header chain.  ext items:
    ("hop"|"dst", nbytes) options header of nbytes (multiple of 8),
    ("rt",) type-2 routing header (24 bytes), ("frag", off, m, ident),
    ("ah", icv_len) authentication header ((len+2)*4 bytes);
    ("hao", home) a destination options header with a Home Address option
    (RFC 6275 section 6.3: PadN, then the option at 8n+6, 24 bytes);
    ("dstraw"|"hopraw", opts) a destination or hop-by-hop options header
    whose bytes from offset 2 are opts (a multiple of 8, less 2);
    routing headers that may name a final destination (RFC 8200 s. 4.4):
    ("rt0", [addr, ...], left) type 0, ("rt2", home, left) type 2 (RFC
    6275), ("srh", [segment 0, ...], left) type 4 (RFC 8754); ("rtraw",
    type, left, body) a routing header of any type whose bytes from offset
    4 are body, for no final destination (used in ICMP quotes, where none
    counts); ("shim6", b2, body) a Shim6 header (RFC 5533 section 5):
    its byte 2 (the P bit, or a control message's type) then body to a
    multiple of 8 bytes, which Wireshark 4.0 passes through to its next
    header unless reading it runs past the payload (shim6_overrun). A
    Compact Routing Header (type 5 or 6) that Wireshark 4.0
    reads past (crh_malformed) ends the dissection: no transport fields,
    the protocol the routing header.

    With Segments Left > 0 the packet has a final destination that is not
    the header's: Wireshark keys its TCP conversation (tcp.stream) on it
    (pinfo->dst) while ipv6.dst, the dest column, stays the header's. That
    is type 0's last address, type 2's home address, an SRH's Segment
    List[0]; it goes to meta["flow_dst"] for the flow oracle.

    A Home Address option in a destination options header is the mirror
    image: Wireshark keys the connection (pinfo->src) on the home address
    while ipv6.src, the src column, stays the header's (care-of) address;
    the last one before the transport header goes to meta["flow_src"]
    (home_address). In a hop-by-hop header it names nothing (RFC 6275 has
    it in destination options only; tshark 4.0 differs, README)."""
    codes = [EXT_CODE[e[0]] for e in ext] + [nxt]
    chain = b""
    raw_opts = []       # (offset in the chain, code, options) of *raw
    shims = []          # (offset in the chain, length) of Shim6 headers
    later_fragment = False
    final = None
    home = None
    malformed = False
    for i, e in enumerate(ext):
        nh = codes[i + 1]
        if e[0] in ("hop", "dst"):
            n = e[1]
            assert n % 8 == 0 and n >= 8
            pad = n - 2
            if pad == 1:
                opt = b"\x00"
            else:  # PadN
                opt = struct.pack(">BB", 1, pad - 2) + b"\0" * (pad - 2)
            chain += struct.pack(">BB", nh, n // 8 - 1) + opt
        elif e[0] == "rt":
            chain += struct.pack(">BBBB", nh, 2, 2, 0) + b"\0" * 4 + \
                ip6("2001:db8::99")
        elif e[0] in ("hao", "dstraw", "hopraw"):
            opts = (b"\1\2\0\0" + bytes([HAO_TYPE, 16]) + ip6(e[1])
                    if e[0] == "hao" else e[1])
            assert (2 + len(opts)) % 8 == 0
            raw_opts.append((len(chain), codes[i], opts))
            chain += struct.pack(">BB", nh, (2 + len(opts)) // 8 - 1) + opts
            if e[0] != "hopraw" and home_address(opts) is not None:
                home = home_address(opts)
        elif e[0] == "rt0":
            addrs, left = e[1], e[2]
            chain += struct.pack(">BBBB", nh, 2 * len(addrs), 0, left) + \
                b"\0" * 4 + b"".join(ip6(a) for a in addrs)
            if left:
                final = addrs[-1]
        elif e[0] == "rt2":
            chain += struct.pack(">BBBB", nh, 2, 2, e[2]) + b"\0" * 4 + \
                ip6(e[1])
            if e[2]:
                final = e[1]
        elif e[0] == "srh":
            segs, left = e[1], e[2]
            chain += struct.pack(">BBBBBBH", nh, 2 * len(segs), 4, left,
                                 len(segs) - 1, 0, 0) + \
                b"".join(ip6(a) for a in segs)
            if left:
                final = segs[0]
        elif e[0] == "rtraw":
            body = e[3]
            assert (4 + len(body)) % 8 == 0
            chain += struct.pack(">BBBB", nh, (4 + len(body)) // 8 - 1, e[1],
                                 e[2]) + body
            malformed = e[1] in (5, 6) and crh_malformed(e[1], e[2], body)
        elif e[0] == "shim6":
            h = struct.pack(">BBB", nh, (3 + len(e[2])) // 8 - 1, e[1]) + e[2]
            assert len(h) % 8 == 0
            shims.append((len(chain), len(h)))
            chain += h
        elif e[0] == "frag":
            chain += struct.pack(">BBHI", nh, 0, (e[1] // 8) << 3 | e[2],
                                 e[3])
            if e[1] or e[2]:
                later_fragment = True   # reassembled on another frame
                nxt_of_frag = nh
        elif e[0] == "ah":
            icv = e[1]
            total = 12 + icv
            assert total % 4 == 0
            chain += struct.pack(">BBHII", nh, total // 4 - 2, 0, 0x1000,
                                 1) + b"\xaa" * icv
    if later_fragment:
        inner = Frag(inner.data)
    pl = len(chain) + len(inner.data) if plen is None else plen
    payload = (chain + inner.data)[:pl]
    # the first header in the chain whose reading runs past the payload
    overruns = sorted([(at, c) for at, c, o in raw_opts
                       if options_overrun(len(o), payload[at + 2:])] +
                      [(at, 140) for at, n in shims
                       if shim6_overrun(payload[at:], n)])
    overrun = overruns[0][1] if overruns else None
    hdr = struct.pack(">IHBB16s16s", 0x60000000, pl, codes[0], hlim,
                      ip6(src), ip6(dst))
    if nxt in (4, 41):
        f = {}      # tunnel: the inner header's fields are the row's
    else:
        f = {"src": (fmt6(ip6(src)), 24), "dest": (fmt6(ip6(dst)), 40),
             "ttl": (str(hlim), 8)}
    if proto_ok and later_fragment:
        # the protocol the fragment header names
        f["protocol"] = (IPPROTO_NAME.get(nxt_of_frag, str(nxt_of_frag)),
                         40 + len(chain))
    elif proto_ok and nxt not in (4, 41):
        f["protocol"] = (IPPROTO_NAME.get(nxt, str(nxt)), 40 + len(chain))
    if not proto_ok:
        inner = Frag(inner.data)
    if malformed:
        # what an ICMP quote of it needs stays (tcp_off), no row field
        inner = Frag(inner.data, meta=dict(inner.meta, noflow=True))
        f["protocol"] = ("IPv6-Route", 40 + len(chain))
    if overrun is not None:
        # options read past the payload: the row ends at their header, the
        # protocol its own; an ICMP error's quote of it too (icmp_quote)
        inner = Frag(inner.data, meta=dict(inner.meta, noflow=True,
                                           opts_overrun=True))
        f["protocol"] = (IPPROTO_NAME[overrun], 40 + len(chain))
    out = inner.wrap(hdr + chain, f)
    if final is not None and nxt not in (4, 41):
        out.meta["flow_dst"] = fmt6(ip6(final))
    if home is not None and nxt not in (4, 41):
        out.meta["flow_src"] = fmt6(home)
    return out


def crh_malformed(typ, left, body):
    """Whether a Compact Routing Header (type 5: 16-bit SIDs, 6: 32-bit;
    body: its SIDs, from offset 4) is malformed: its current SID, Segments
    Left SIDs in, lies past it (tshark 4.0.17 agrees). tshark 4.0 also
    calls a header with no SID 0 Malformed, as its loop reads the SID after
    the last: its fault, not the header's (README), not modelled here."""
    w = 2 if typ == 5 else 4
    return (left + 1) * w > len(body)


ETH_DST = bytes.fromhex("00005e005301")
ETH_SRC = bytes.fromhex("020000000001")
ETHERTYPE_NAME = {0x0806: "ARP", 0x88CC: "LLDP"}


def ip_ethertype(inner):
    return 0x86DD if inner.data and inner.data[0] >> 4 == 6 else 0x0800


def eth(inner, ethertype=None, tags=()):
    """Ethernet II, optional stacked tags [(tpid, vid), ...] outermost first."""
    et = ip_ethertype(inner) if ethertype is None else ethertype
    hdr = ETH_DST + ETH_SRC
    f = {}
    for i, tag in enumerate(tags):
        tpid, vid = tag[0], tag[1]
        pcp = tag[2] if len(tag) > 2 else 0
        hdr += struct.pack(">HH", tpid, pcp << 13 | vid)
        if i == 0:
            need = len(hdr)
            if tpid == 0x88A8:
                # tshark 4.0.17's 802.1ad dissector reads the tag's type
                # before it shows the id and, when that is 802.1ad again,
                # the next tag's TCI too (the outer id then as its S-VID)
                need += 4 if len(tags) > 1 and tags[1][0] == 0x88A8 else 2
            f["vlan"] = (str(vid), need)
    hdr += struct.pack(">H", et)
    if et not in (0x0800, 0x86DD):
        f["protocol"] = (ETHERTYPE_NAME.get(et, "0x%04x" % et), len(hdr))
    return inner.wrap(hdr, f)


def arp():
    return Frag(struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, ETH_SRC,
                            ip4("192.0.2.1"), b"\0" * 6, ip4("192.0.2.2")))


def lldp():
    # chassis id (MAC), port id (local "1"), TTL 120, end
    return Frag(bytes.fromhex("020704") + ETH_SRC + bytes.fromhex("04020731")
                + bytes.fromhex("06020078") + b"\0\0")


def link_proto(p, need):
    if p in (0x0800, 0x86DD):
        return {}
    return {"protocol": (ETHERTYPE_NAME.get(p, "0x%04x" % p), need)}


def sll(inner, proto=None):
    p = ip_ethertype(inner) if proto is None else proto
    hdr = struct.pack(">HHH8sH", 0, 1, 6, ETH_SRC + b"\0\0", p)
    return inner.wrap(hdr, link_proto(p, 16))


def sll2(inner, proto=None):
    p = ip_ethertype(inner) if proto is None else proto
    hdr = struct.pack(">HHIHBB8s", p, 0, 2, 1, 4, 6, ETH_SRC + b"\0\0")
    return inner.wrap(hdr, link_proto(p, 2))


def null(inner, af, order="<"):
    """A BSD loopback header: AF_INET (2) carries either IP version (tshark's
    IPv4 dissector hands a version-6 header on to IPv6), a BSD AF_INET6 (24,
    28, 30) version 6 only; another family, Linux's AF_INET6 (10) too, is
    unknown to tshark 4.0 and tcpdump: the row shows nothing of it."""
    hdr = struct.pack(order + "I", af)
    version = inner.data[0] >> 4 if inner.data else 0
    if (af == 2 and version in (4, 6)) or (af in (24, 28, 30) and version == 6):
        return inner.wrap(hdr)
    return Frag(hdr + inner.data)


def loop(inner, af):
    return null(inner, af, ">")


# ---------------------------------------------------------------- records

class Rec:
    """One capture record: timestamp (sec, ns or None), frame, caplen,
    origlen, interface and link type (for the optional columns)."""

    def __init__(self, frag, sec=0, ns=0, caplen=None, origlen=None,
                 iface=None, linktype=None):
        self.frag = frag
        self.sec, self.ns = sec, ns
        self.origlen = len(frag.data) if origlen is None else origlen
        self.caplen = len(frag.data) if caplen is None else caplen
        self.iface = iface
        self.linktype = linktype

    @property
    def data(self):
        return self.frag.data[:self.caplen]


LINKTYPE_NAME = {1: "ETHERNET", 113: "LINUX_SLL", 276: "LINUX_SLL2",
                 12: "RAW", 14: "RAW", 101: "RAW", 228: "IPV4", 229: "IPV6",
                 0: "NULL", 108: "LOOP"}


def expected_rows(recs, sym):
    """Rows (dicts) for records, including the TCP flow oracle."""
    flows = {}       # canonical key -> {"id": n, dir key -> state}
    rows = []
    for i, r in enumerate(recs):
        cap = len(r.data)
        row = {}
        for c, (v, need) in r.frag.fields.items():
            if need <= cap:
                row[c] = v
        row["frame"] = str(i + 1)
        row["time"] = "" if r.sec is None else qtime(r.sec, r.ns)
        row["sym"] = sym
        row["length"] = str(r.origlen)
        row["caplen"] = str(cap)
        row["iface"] = "" if r.iface is None else str(r.iface)
        if r.linktype is not None:
            row["linktype"] = LINKTYPE_NAME.get(r.linktype, str(r.linktype))
        m = r.frag.meta
        if ("tcp_off" in m and m["tcp_off"] + 16 <= cap and "src" in row
                and not m.get("noflow")):
            tcp_flow(flows, row, m,
                     optcap=max(0, cap - m["tcp_off"] - 20))
        if "quote" in m:
            q = m["quote"]
            tcp_flow(flows, {"src": q["src"], "dest": q["dest"]}, q,
                     quoted=True)
        rows.append(row)
    return rows


def tcp_flow(flows, row, m, quoted=False, optcap=None):
    """Wireshark 4.0 rules for tcp.stream, relative seq/ack and window
    scaling (packet-tcp.c: verify_tcp_window_scaling, base_seq).

    quoted: a TCP header quoted in an ICMP error (see icmp_quote): it
    names its connection, a new one taking the next number, and a SYN's
    window-scale option (or its lack) counts as on the wire; but it has no
    segment length, so it sets no base sequence number, and its row (the
    ICMP packet's) shows nothing of it.

    optcap: the option bytes captured (None: all), for options read by
    tshark_options."""
    a = (m["flow_src"] if "flow_src" in m else row["src"], m["sport"])
    b = (m["flow_dst"] if "flow_dst" in m else row["dest"], m["dport"])
    key = tuple(sorted([a, b]))
    if key not in flows:
        flows[key] = {"id": len(flows), a: {"scale": -1, "base": None},
                      b: {"scale": -1, "base": None}}
    fl = flows[key]
    fwd, rev = fl[a], fl[b]
    syn = m["flags"] & F["SYN"]
    ackf = m["flags"] & F["ACK"]
    if not quoted:
        if fwd["base"] is None:
            fwd["base"] = m["seq"] if syn else (m["seq"] - 1) % 2**32
        if rev["base"] is None and ackf:
            rev["base"] = (m["ack"] - 1) % 2**32
    ws, threw = m.get("ws"), False
    if "opts" in m:
        # read with the connection's state (tshark_options); a side offers
        # SCPS with a capabilities option, and keeps it after the SYN-ACK
        # only when both did (Wireshark's verify_scps)
        got, ws, threw, cap = tshark_options(m["opts"], fwd.get("scps", False),
                                             optcap)
        if cap:
            fwd["scps"] = True
        if not quoted:
            for c in ("mss", "tsval", "tsecr"):
                row[c] = got.get(c, "")
    # a window-scale option counts from the next segment on, on any
    # segment (4.0 stores it whether SYN is set or not)
    scale_before = fwd["scale"]
    if ws is not None:
        fwd["scale"] = min(ws, 14)
    if syn:
        # tshark checks the scaling after the options: not when they threw
        if threw:
            pass
        elif fwd["scale"] == -1:
            fwd["scale"] = rev["scale"] = -2
        elif ackf and rev["scale"] == -2:
            fwd["scale"] = -2
        if ackf and not threw and fwd.get("scps") != rev.get("scps"):
            fwd["scps"] = rev["scps"] = False
    if quoted:
        return
    row["stream"] = str(fl["id"])
    row["rseq"] = str((m["seq"] - fwd["base"]) % 2**32)
    row["rack"] = str((m["ack"] - (rev["base"] or 0)) % 2**32)
    if syn:
        row["win"] = str(m["win"])
        row["wscale"] = ""
    elif scale_before >= 0:
        row["win"] = str(m["win"] << scale_before)
        row["wscale"] = str(scale_before)
    else:
        row["win"] = str(m["win"])
        row["wscale"] = "0" if scale_before == -2 else ""


def csv_text(rows, cols):
    out = [",".join(cols)]
    for r in rows:
        out.append(",".join(r.get(c, "") for c in cols))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- writers

PCAP_MAGIC = {"us": 0xA1B2C3D4, "ns": 0xA1B23C4D}


def pcap_bytes(recs, linktype, order="<", res="us", snaplen=262144,
               magic=None, minor=4, old_order=()):
    """magic 0xA1B2CD34: the "modified" format (Kuznetzov's tcpdump): each
    record header has 8 more bytes (ifindex, protocol, packet type, pad).
    old_order: indexes of records whose header gives the original length
    before the captured one, as files before version 2.3 did (and some
    of 2.3)."""
    out = struct.pack(order + "IHHiIII",
                      PCAP_MAGIC[res] if magic is None else magic,
                      2, minor, 0, 0, snaplen, linktype)
    modified = magic == 0xA1B2CD34
    for i, r in enumerate(recs):
        if r.linktype is None:
            r.linktype = linktype
        frac = r.ns // 1000 if res == "us" else r.ns
        if res == "us":
            assert r.ns % 1000 == 0
        lens = (r.origlen, r.caplen) if i in old_order else (r.caplen, r.origlen)
        out += struct.pack(order + "IIII", r.sec, frac, *lens)
        if modified:
            out += struct.pack(order + "IHBB", 2, 0x0800, 0, 0)
        out += r.data
    return out


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def opt(order, code, val):
    return struct.pack(order + "HH", code, len(val)) + pad4(val)


def opts_end(order, items):
    if not items:
        return b""
    return b"".join(items) + struct.pack(order + "HH", 0, 0)


def block(order, btype, body):
    body = pad4(body)
    tl = 12 + len(body)
    return (struct.pack(order + "II", btype, tl) + body +
            struct.pack(order + "I", tl))


def shb(order, options=(), major=1):
    body = struct.pack(order + "IHHq", 0x1A2B3C4D, major, 0, -1)
    return block(order, 0x0A0D0D0A, body + opts_end(order, list(options)))


def idb(order, linktype, snaplen=0, tsresol=None, tsoffset=None,
        extra=()):
    o = []
    if tsresol is not None:
        o.append(opt(order, 9, bytes([tsresol])))
    if tsoffset is not None:
        o.append(opt(order, 14, struct.pack(order + "q", tsoffset)))
    o.extend(extra)
    return block(order, 1, struct.pack(order + "HHI", linktype, 0, snaplen)
                 + opts_end(order, o))


def epb(order, iface, units, data, origlen, options=()):
    body = struct.pack(order + "IIIII", iface, units >> 32,
                       units & 0xFFFFFFFF, len(data), origlen) + pad4(data)
    return block(order, 6, body + opts_end(order, list(options)))


def pb(order, iface, units, data, origlen):
    body = struct.pack(order + "HHIIII", iface, 0, units >> 32,
                       units & 0xFFFFFFFF, len(data), origlen) + pad4(data)
    return block(order, 2, body)


def spb(order, data, origlen):
    return block(order, 3, struct.pack(order + "I", origlen) + pad4(data))


# ---------------------------------------------------------------- case plumbing

class Out:
    def __init__(self, outdir):
        self.outdir = outdir
        self.written = []

    def write(self, name, data):
        if isinstance(data, str):
            data = data.encode()
        path = os.path.join(self.outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        self.written.append(name)


def case(out, name, capfile, capbytes, recs, args="", cols=None, exit=0,
         err=None, stdout=None):
    """Write a capture (if capbytes is not None) and the case's expected
    output.  recs: the records expected to give rows (in order)."""
    if capbytes is not None:
        out.write(capfile, capbytes)
    sym = capfile.rsplit(".", 1)[0]
    if stdout is None:
        stdout = csv_text(expected_rows(recs, sym), cols or DEFAULT_COLS)
    out.write(name + ".out", stdout)
    if err is not None:
        out.write(name + ".err", "pcap2kdb: testdata/%s: %s\n" % (capfile, err))
    CASES.append((name, "testdata/" + capfile, exit, args))


T0 = 1589458202  # 2020-05-14 12:10:02 UTC


# ---------------------------------------------------------------- the cases

def mini_tcp(i=0, payload=b"hello"):
    """A plain good TCP/IPv4 segment (no handshake)."""
    return ipv4("10.0.0.1", "10.0.0.2", 6,
                tcp(40000 + i, 80, 1000 + i, 2000, F["ACK"] | F["PSH"], 512,
                    payload=payload))


def cases_pcap_magics(out):
    """The four pcap magics; times before 2000 and after 2038."""
    times = [(T0, 639526000), (788918400, 1000),        # 1995-01-01
             (2 ** 31, 999999000), (0xF0000000, 0),      # 2038, 2097
             (0xFFFFFFFF, 123000)]                        # 2106
    for res in ("us", "ns"):
        for order, oname in (("<", "le"), (">", "be")):
            recs = []
            for i, (s, ns) in enumerate(times):
                if res == "ns":
                    ns += 321 * (i + 1) % 1000
                recs.append(Rec(eth(mini_tcp(i)), s, ns))
            name = "pcap_%s_%s" % (res, oname)
            case(out, name, name + ".pcap",
                 pcap_bytes(recs, 1, order, res), recs)
    # the "modified" format, microseconds, both byte orders
    for order, oname in (("<", "le"), (">", "be")):
        recs = [Rec(eth(mini_tcp(i)), s, ns) for i, (s, ns) in enumerate(times)]
        name = "pcap_modified_%s" % oname
        case(out, name, name + ".pcap", pcap_bytes(recs, 1, order, magic=0xA1B2CD34), recs)

    # versions before 2.4: until 2.3 the record header gave the original
    # length first; 2.3 interchanged them, but some 2.3 files kept the old
    # order, which shows as a captured length above the original one (read
    # as libpcap and Wireshark do). Cut records make the order visible.
    def cut(i, keep):
        f = eth(mini_tcp(i))
        return Rec(f, T0 + i, 0, caplen=keep, origlen=len(f.data))
    recs = [cut(0, 40), cut(1, 20), Rec(eth(mini_tcp(2)), T0 + 2, 0)]
    case(out, "pcap_v22", "pcap_v22.pcap",
         pcap_bytes(recs, 1, "<", minor=2, old_order=(0, 1, 2)), recs,
         "--columns frame,time,caplen,length,src,protocol,len",
         ["frame", "time", "caplen", "length", "src", "protocol", "len"])
    recs = [cut(0, 40), cut(1, 20), Rec(eth(mini_tcp(2)), T0 + 2, 0),
            cut(3, 30)]
    case(out, "pcap_v23", "pcap_v23.pcap",
         pcap_bytes(recs, 1, ">", minor=3, old_order=(0, 2, 3)), recs,
         "--columns frame,time,caplen,length,src,protocol,len",
         ["frame", "time", "caplen", "length", "src", "protocol", "len"])
    recs = [cut(0, 40), cut(1, 20)]
    case(out, "pcap_v23_modified", "pcap_v23_modified.pcap",
         pcap_bytes(recs, 1, "<", magic=0xA1B2CD34, minor=3, old_order=(1,)),
         recs, "--columns frame,time,caplen,length,src,protocol,len",
         ["frame", "time", "caplen", "length", "src", "protocol", "len"])


def cases_ethernet(out):
    u = udp(5353, 5353, b"x" * 12)
    recs = [
        Rec(eth(mini_tcp(0)), T0, 0),
        Rec(eth(mini_tcp(1), tags=[(0x8100, 100, 5)]), T0, 1000),
        Rec(eth(ipv4("10.9.0.1", "10.9.0.2", 17, u),
                tags=[(0x88A8, 200), (0x8100, 300)]), T0, 2000),
        Rec(eth(mini_tcp(2), tags=[(0x9100, 400), (0x8100, 401)]), T0, 3000),
        Rec(eth(ipv6("2001:db8::1", "2001:db8::2", 6,
                     tcp(443, 50000, 7, 8, F["ACK"], 100, payload=b"z" * 3)),
                tags=[(0x88A8, 10), (0x8100, 20), (0x8100, 30)]), T0, 4000),
        Rec(eth(mini_tcp(3), tags=[(0x9100, 4094), (0x88A8, 1),
                                   (0x8100, 0)]), T0, 5000),
        Rec(eth(arp(), 0x0806), T0, 6000),
        Rec(eth(arp(), 0x0806, tags=[(0x8100, 5)]), T0, 7000),
        Rec(eth(lldp(), 0x88CC), T0, 8000),
        Rec(eth(Frag(b"\x01\x02\x03\x04" * 4), 0x88B5), T0, 9000),
        Rec(eth(Frag(b"\x00" * 30), 0x88B5, tags=[(0x8100, 7)]), T0, 10000),
    ]
    case(out, "eth_vlan", "eth_vlan.pcap", pcap_bytes(recs, 1), recs)
    case(out, "eth_vlan_cols", "eth_vlan.pcap", None, recs,
         "--columns frame,vlan,protocol,caplen,iface,linktype",
         ["frame", "vlan", "protocol", "caplen", "iface", "linktype"])

    # tag stacks cut inside their first tags (the outer id needs its TCI,
    # an 802.1ad one more: see eth)
    recs = []
    for tags in ([0x8100], [0x9100], [0x88A8], [0x88A8, 0x8100],
                 [0x88A8, 0x9100], [0x88A8, 0x88A8], [0x8100, 0x88A8],
                 [0x88A8, 0x88A8, 0x88A8]):
        fr = eth(mini_tcp(4), tags=[(t, 120 + i) for i, t in enumerate(tags)])
        for cap in range(15, 22):
            recs.append(Rec(fr, T0, 1000 * len(recs), caplen=cap))
    case(out, "eth_vlan_cut", "eth_vlan_cut.pcap",
         pcap_bytes(recs, 1), recs, "--columns frame,caplen,vlan",
         ["frame", "caplen", "vlan"])


def sample_ip_packets():
    """An IPv4 TCP, an IPv4 UDP and an IPv6 TCP packet."""
    return [
        ipv4("192.0.2.10", "198.51.100.20", 6,
             tcp(1234, 5678, 11, 22, F["ACK"], 1000, payload=b"abc")),
        ipv4("192.0.2.11", "198.51.100.21", 17, udp(53, 33000, b"d" * 20)),
        ipv6("2001:db8:0:1::10", "2001:db8:0:2::20", 6,
             tcp(8080, 60000, 33, 44, F["ACK"] | F["FIN"], 2000,
                 payload=b"")),
    ]


def cases_linktypes(out):
    pk = sample_ip_packets()
    v4 = pk[:2]

    def recs_of(frags):
        return [Rec(f, T0 + i, 500000 * 1000) for i, f in enumerate(frags)]

    rl = recs_of([sll(f) for f in pk] + [sll(arp(), 0x0806)])
    case(out, "linux_sll", "linux_sll.pcap", pcap_bytes(rl, 113), rl)
    rl = recs_of([sll2(f) for f in pk] + [sll2(arp(), 0x0806)])
    case(out, "linux_sll2", "linux_sll2.pcap", pcap_bytes(rl, 276, res="ns"),
         rl)
    for dlt in (12, 14, 101):
        rl = recs_of(pk)
        case(out, "raw_%d" % dlt, "raw_%d.pcap" % dlt, pcap_bytes(rl, dlt), rl)
    rl = recs_of(v4)
    case(out, "raw_228", "raw_228.pcap", pcap_bytes(rl, 228), rl)
    rl = recs_of([pk[2], ipv6("fe80::1", "ff02::1", 58,
                              icmp6(128, 0, payload=b"p" * 8))])
    case(out, "raw_229", "raw_229.pcap", pcap_bytes(rl, 229), rl)
    # NULL: AF in the writer's host order, either order in one file
    rl = recs_of([null(pk[0], 2, "<"), null(pk[1], 2, ">"),
                  null(pk[2], 24, "<"), null(pk[2], 28, "<"),
                  null(pk[2], 30, "<"), null(pk[2], 10, "<"),
                  null(pk[2], 30, ">")])
    case(out, "null_le", "null_le.pcap", pcap_bytes(rl, 0, "<"), rl)
    rl = recs_of([null(pk[0], 2, ">"), null(pk[2], 24, ">"),
                  null(pk[1], 2, "<")])
    case(out, "null_be", "null_be.pcap", pcap_bytes(rl, 0, ">"), rl)
    rl = recs_of([loop(pk[0], 2), loop(pk[2], 24), loop(pk[2], 30),
                  loop(pk[1], 2)])
    case(out, "loop", "loop.pcap", pcap_bytes(rl, 108), rl)
    # unknown link type 147 (USER0): rows with time, sym and length only
    rl = [Rec(Frag(eth(pk[0]).data), T0, 0),
          Rec(Frag(b"\xde\xad\xbe\xef" * 5), T0, 1000, origlen=100)]
    case(out, "dlt_user0", "dlt_user0.pcap", pcap_bytes(rl, 147), rl)


def cases_ip(out):
    t = lambda i: tcp(3000 + i, 4000, 100 * i, 200 * i, F["ACK"], 300,
                      payload=b"q" * (i + 1))
    frags = [
        # IPv4 options: IHL 6 (NOP x3 + EOL), IHL 8 (router alert + 8 NOPs)
        ipv4("10.1.0.1", "10.1.0.2", 6, t(1), opts=b"\x01\x01\x01\x00"),
        ipv4("10.1.0.1", "10.1.0.2", 6, t(2),
             opts=b"\x94\x04\x00\x00" + b"\x01" * 8),
        # fragments: the one that completes the datagram carries the ports
        ipv4("10.1.0.3", "10.1.0.4", 6, t(3), df=False, mf=True, ipid=77),
        ipv4("10.1.0.3", "10.1.0.4", 6, Frag(b"r" * 24), df=False,
             mf=True, fragoff=24, ipid=77),
        completing(ipv4("10.1.0.3", "10.1.0.4", 6, Frag(b"s" * 8),
                        df=False, fragoff=48, ipid=77), t(3), 56),
        # UDP fragment (later): no ports either
        ipv4("10.1.0.5", "10.1.0.6", 17, Frag(b"u" * 16), df=False,
             fragoff=1480, ipid=78),
        # IPv6 extension chains
        ipv6("2001:db8::a", "2001:db8::b", 6, t(4),
             ext=[("hop", 8), ("rt",), ("frag", 0, 1, 0xABCD), ("dst", 16),
                  ("ah", 12)]),
        ipv6("2001:db8::a", "2001:db8::b", 17, udp(1000, 2000, b"v" * 9),
             ext=[("hop", 24), ("dst", 8)]),
        ipv6("2001:db8::a", "2001:db8::b", 6, Frag(b"w" * 16),
             ext=[("frag", 1448, 0, 0xABCD)]),
        ipv6("2001:db8::a", "2001:db8::b", 6, t(5),
             ext=[("ah", 4), ("dst", 8)]),
        # tunnels: the inner header is the row's
        ipv4("203.0.113.1", "203.0.113.2", 4,
             ipv4("10.2.0.1", "10.2.0.2", 6, t(6))),
        ipv4("203.0.113.1", "203.0.113.2", 41,
             ipv6("2001:db8:1::1", "2001:db8:2::2", 17,
                  udp(5000, 5001, b"k" * 5))),
        ipv6("2001:db8:ffff::1", "2001:db8:ffff::2", 4,
             ipv4("10.3.0.1", "10.3.0.2", 6, t(7))),
        ipv6("2001:db8:ffff::1", "2001:db8:ffff::2", 41,
             ipv6("2001:db8:3::1", "2001:db8:3::2", 6, t(8)),
             ext=[("dst", 8)]),
        # ICMP echo, ICMP error quoting a TCP header (ports stay empty),
        # ICMPv6 echo and neighbour solicitation
        ipv4("10.4.0.1", "10.4.0.2", 1, icmp(8, 0, b"\x00\x01\x00\x01",
                                            b"ping" * 4)),
        ipv4("10.4.0.2", "10.4.0.1", 1,
             icmp(3, 3, b"\0\0\0\0",
                  ipv4("10.4.0.1", "10.4.0.2", 6, t(9)).data[:28])),
        ipv6("2001:db8::1", "2001:db8::2", 58, icmp6(129, 0, b"\0\1\0\2",
                                                     b"pong")),
        ipv6("fe80::1", "ff02::1:ff00:2", 58,
             icmp6(135, 0, b"\0\0\0\0", ip6("2001:db8::2"))),
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frags)]
    case(out, "ip_variants", "ip_variants.pcap", pcap_bytes(recs, 1), recs)
    case(out, "ip_variants_cols", "ip_variants.pcap", None, recs,
         "--columns frame,src,dest,protocol,ttl,ipid,srcport,len",
         ["frame", "src", "dest", "protocol", "ttl", "ipid", "srcport",
          "len"])


def cases_ipv6_routing(out):
    """Routing headers with Segments Left > 0: dest is the header's address
    (tshark's ipv6.dst), the connection the final destination's (tcp.stream,
    rseq, rack): one stream per connection, both ways."""
    A, S, P = F["ACK"], F["SYN"], F["PSH"]
    C, SRV = "2001:db8:1::c", "2001:db8:2::5"
    sid, hop = "2001:db8:ff::1", "2001:db8:ff::2"

    srh = [("srh", [SRV, sid], 1)]           # SRv6: Segment List[0] last
    rt0 = [("rt0", [hop, SRV], 2)]            # type 0: the last address
    rt2 = [("rt2", SRV, 1)]                   # Mobile IPv6 home address
    done = [("srh", [sid, hop], 0)]           # Segments Left 0: arrived
    frags = []
    for i, ext in enumerate((srh, rt0, rt2, done)):
        port = 40000 + i
        fwd = lambda *a, **k: ipv6(C, sid, 6, tcp(port, 443, *a, **k),
                                   ext=ext)
        rev = lambda *a, **k: ipv6(SRV, C, 6, tcp(443, port, *a, **k))
        frags += [
            fwd(100, 0, S, 64240),
            rev(900, 101, S | A, 65160),
            fwd(101, 901, A | P, 502, payload=b"G" * 10),
            rev(901, 111, A, 509),
        ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frags)]
    cols = ["frame", "src", "dest", "srcport", "destport", "flags", "stream",
            "rseq", "rack"]
    case(out, "ipv6_routing", "ipv6_routing.pcap", pcap_bytes(recs, 1), recs,
         "--columns " + ",".join(cols), cols)


def cases_icmp_quote(out):
    """ICMP errors quoting TCP headers: the ICMP row keeps its own columns
    (no ports, no stream), but a quoted connection takes its tcp.stream
    number as in Wireshark, so later connections are numbered as there."""
    A, S, P = F["ACK"], F["SYN"], F["PSH"]
    R = "192.0.2.254"                       # the router sending the errors
    conn = lambda c, s, sp, dp, *a, **k: ipv4(c, s, 6, tcp(sp, dp, *a, **k))
    conn6 = lambda c, s, sp, dp, *a, **k: ipv6(c, s, 6, tcp(sp, dp, *a, **k))
    unseen = conn("10.0.0.1", "10.0.0.3", 1234, 80, 5, 7, A | P, 1000,
                  payload=b"q" * 100)
    known = conn("10.0.0.1", "10.0.0.2", 1000, 2000, 1, 0, S, 1000)
    unseen6 = conn6("2001:db8::1", "2001:db8::3", 4321, 443, 9, 0, A | P,
                    1000, payload=b"r" * 50)
    syn_nows = conn("10.0.0.1", "10.0.0.4", 5555, 22, 100, 0, S, 29200)
    frags = [
        known,
        # Fragmentation needed (3/4) quoting a whole header of a connection
        # not otherwise seen until later: it takes number 1
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 3, unseen, 20,
                                          b"\0\0\x05\xdc")),
        conn("10.0.0.1", "10.0.0.5", 3, 4, 0, 0, S, 1000),       # 2
        # 15 bytes of the TCP header, a Redirect, an Echo: no number
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 11, conn(
            "10.0.0.1", "10.0.0.6", 7, 8, 0, 0, A, 1), 15)),
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 5, conn(
            "10.0.0.1", "10.0.0.7", 7, 8, 0, 0, A, 1), 20)),
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 8, conn(
            "10.0.0.1", "10.0.0.8", 7, 8, 0, 0, A, 1), 20)),
        # ICMPv6 Packet Too Big quoting 16 bytes: number 3
        ipv6("2001:db8::fe", "2001:db8::1", 58,
             icmp_quote(58, 2, unseen6, 16, b"\0\0\x05\x00")),
        # a quote of a known connection (0): its number again
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 3, known, 20)),
        # the quoted connection's own segments come: number 1, their
        # relative numbers from their own first segment
        unseen,
        conn("10.0.0.3", "10.0.0.1", 80, 1234, 7, 105, A, 1000),
        # a Time Exceeded quoting a SYN without window scaling: number 4,
        # and the handshake it names does not scale (wscale 0)
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 11, syn_nows, 20)),
        conn("10.0.0.4", "10.0.0.1", 22, 5555, 900, 101, S | A, 28960,
             [("mss", 1460), ("nop",), ("ws", 7)]),
        conn("10.0.0.1", "10.0.0.4", 5555, 22, 101, 901, A, 229),
        conn6("2001:db8::1", "2001:db8::9", 1, 2, 0, 0, S, 1000),  # 5
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frags)]
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "flags", "stream", "rseq", "rack", "win", "wscale"]
    case(out, "icmp_quote", "icmp_quote.pcap", pcap_bytes(recs, 1), recs,
         "--columns " + ",".join(cols), cols)


def trailer(frame, extra):
    """frame with extra bytes after its IP datagram (an Ethernet trailer:
    padding, an FCS, a capture appliance's timestamp): no field of it."""
    return Frag(frame.data + extra, frame.fields, frame.meta)


def cases_icmp_quote_trailer(out):
    """ICMP errors quoting the IP header and 8 bytes (RFC 792) in frames
    with bytes after the datagram: those are no part of the quote (tshark
    shows them as eth.trailer), so the quoted TCP header has no window and
    names no connection; a whole quoted header still does."""
    S, A, P = F["SYN"], F["ACK"], F["PSH"]
    R = "192.0.2.254"
    conn = lambda c, s, sp, dp, *a, **k: ipv4(c, s, 6, tcp(sp, dp, *a, **k))
    conn6 = lambda c, s, sp, dp, *a, **k: ipv6(c, s, 6, tcp(sp, dp, *a, **k))
    stamp = bytes(range(0x40, 0x50))            # 16 bytes: a timestamp trailer
    frames = [
        eth(conn("10.0.0.1", "10.0.0.2", 1000, 2000, 1, 0, S, 1000)),   # 0
        trailer(eth(ipv4(R, "10.0.0.1", 1, icmp_quote(1, 11, conn(
            "10.0.0.1", "10.0.0.9", 5555, 80, 100, 200, A | P, 1000,
            payload=b"x" * 1000), 8))), stamp),
        trailer(eth(ipv6("2001:db8::fe", "2001:db8::1", 58, icmp_quote(
            58, 1, conn6("2001:db8::1", "2001:db8::9", 6666, 80, 1, 1, A,
                         1000), 8))), stamp),
        # eight bytes of padding and an FCS after a Destination Unreachable
        trailer(eth(ipv4(R, "10.0.0.1", 1, icmp_quote(1, 3, conn(
            "10.0.0.1", "10.0.0.8", 7777, 443, 5, 6, A, 1000), 8))),
            b"\0" * 8 + b"\xde\xad\xbe\xef"),
        eth(conn("10.0.0.1", "10.0.0.3", 1001, 2001, 1, 0, S, 1000)),   # 1
        # the whole TCP header quoted, then the trailer: number 2
        trailer(eth(ipv4(R, "10.0.0.1", 1, icmp_quote(1, 11, conn(
            "10.0.0.1", "10.0.0.7", 4444, 80, 9, 9, A, 1000), 20))), stamp),
        eth(conn("10.0.0.1", "10.0.0.4", 1002, 2002, 1, 0, S, 1000)),   # 3
    ]
    recs = [Rec(f, T0, 1000 * i) for i, f in enumerate(frames)]
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "stream"]
    case(out, "icmp_quote_trailer", "icmp_quote_trailer.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)


def cases_icmp_quote_rfc4884(out):
    """ICMP errors with an RFC 4884 length of the original datagram: as in
    Wireshark 4.0, the quote is cut to that many 32-bit words after the
    quoted IP header when the message and the quoted datagram are longer;
    a cut leaving fewer than 16 TCP bytes names no connection. An ICMPv6
    error's length cuts nothing."""
    S, A = F["SYN"], F["ACK"]
    R = "192.0.2.254"
    conn = lambda d, sp, *a, **k: ipv4("10.0.0.1", d, 6, tcp(sp, 80, *a, **k))
    seg = lambda d, sp: conn(d, sp, 100, 200, A, 1000, payload=b"z" * 1400)
    words = lambda n: bytes([0, n, 0, 0])
    frames = [
        conn("10.0.0.2", 1000, 1, 0, S, 1000),                          # 0
        # length 2 (8 bytes) and 3: 8 and 12 TCP bytes are left
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 11, seg("10.0.0.9", 5555), 20,
                                          words(2))),
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 3, seg("10.0.0.8", 5556), 20,
                                          words(3))),
        # length 4 (16 bytes): the IP header counted again leaves 16
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 12, seg("10.0.0.7", 5557), 20,
                                          words(4))),                   # 1
        # length 32 (128 bytes), longer than the message: not cut
        ipv4(R, "10.0.0.1", 1, icmp_quote(1, 4, seg("10.0.0.6", 5558), 20,
                                          words(32))),                  # 2
        # RFC 4884 as sent: 128 bytes of the datagram, then an extension
        # structure (version 2, an empty object): the header is whole
        ipv4(R, "10.0.0.1", 1, icmp_quote(
            1, 11, seg("10.0.0.5", 5559), 108, words(32),
            b"\x20\0\0\0" + b"\0\x04\x01\x01")),                     # 3
        # ICMPv6 Destination Unreachable with a length of 1 (8 bytes)
        ipv6("2001:db8::fe", "2001:db8::1", 58, icmp_quote(
            58, 1, ipv6("2001:db8::1", "2001:db8::9", 6, tcp(
                6666, 80, 1, 1, A, 1000)), 20, b"\x01\0\0\0")),          # 4
        conn("10.0.0.3", 1001, 1, 0, S, 1000),                          # 5
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "stream"]
    case(out, "icmp_quote_rfc4884", "icmp_quote_rfc4884.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)


def cases_icmp_quote_routing(out):
    """ICMPv6 errors quoting packets with a routing header: inside the
    error, as in Wireshark 4.0, the quoted connection is the quoted IPv6
    header's own destination's, and a routing header too short for what it
    declares does not stop the quote before its TCP header. Outside, the
    same packets key on the final destination (ipv6_routing)."""
    S, A = F["SYN"], F["ACK"]
    C, SRV, SID = "2001:db8:1::c", "2001:db8:2::5", "2001:db8:ff::1"
    HOP, D = "2001:db8:ff::2", "2001:db8:3::"
    R = "2001:db8::fe"
    seg = lambda dst, port, ext: ipv6(C, dst, 6, tcp(port, 443, 7, 9, A,
                                                     1000), ext=ext)
    err = lambda typ, q: ipv6(R, C, 58, icmp_quote(58, typ, q, 20))
    srh = [("srh", [SRV, SID], 1)]
    rpl = [("rtraw", 3, 1, b"\0\0\0\0" + ip6(SRV))]     # 1 address, whole
    frames = [
        ipv6(C, SID, 6, tcp(41000, 443, 1, 0, S, 1000), ext=srh),      # 0
        # the same packet quoted: connection to SID, not SRV's
        err(1, seg(SID, 41000, srh)),                                  # 1
        ipv6(SRV, C, 6, tcp(443, 41000, 5, 2, S | A, 1000)),          # 0
        # type 0 and type 2 with Segments Left, RPL: the header's
        # destination, which their own segments then share
        err(3, seg(D + "1", 41001, [("rt0", [HOP, SRV], 2)])),         # 2
        ipv6(C, D + "1", 6, tcp(41001, 443, 1, 0, S, 1000)),          # 2
        err(4, seg(D + "2", 41002, [("rt2", SRV, 1)])),                # 3
        err(2, seg(D + "3", 41003, rpl)),                              # 4
        ipv6(D + "3", C, 6, tcp(443, 41003, 5, 2, S | A, 1000)),      # 4
        # routing headers too short for what they declare: an SRH whose
        # Last Entry (5) is past its 24 bytes, a type 2 of 8 bytes, a
        # Compact Routing Header whose Segments Left (5) is past its end
        err(1, seg(D + "4", 41004, [("rtraw", 4, 1, b"\5\0\0\0" +
                                     ip6(SRV))])),                     # 5
        err(1, seg(D + "5", 41005, [("rtraw", 2, 1, b"\0" * 4)])),     # 6
        err(1, seg(D + "6", 41006, [("rtraw", 5, 5,
                                     b"\0\1\0\2")])),                # 7
        ipv6(C, D + "7", 6, tcp(41007, 443, 1, 0, S, 1000)),          # 8
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "stream"]
    case(out, "icmp_quote_routing", "icmp_quote_routing.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)


def cases_ipv6_home_address(out):
    """Mobile IPv6 (RFC 6275): a mobile node away from home sends from its
    care-of address with a Home Address option, its correspondent answers
    to the care-of address with a type 2 routing header naming the home
    address. src and dest stay the headers' (tshark's ipv6.src, ipv6.dst),
    the connection is the home address's both ways (tcp.stream, rseq,
    rack), also in an ICMPv6 error's quote. Options that are no Home
    Address option by RFC 6275 (in a hop-by-hop header, shorter than 16
    bytes, running past the header) key nothing: there tshark 4.0 reads 16
    bytes anyway (README's known differences), so their answers to the
    care-of address join their connection here and not in tshark."""
    S, A, P = F["SYN"], F["ACK"], F["PSH"]
    H, C, N = "2001:db8:1::10", "2001:db8:2::10", "2001:db8:3::1"
    H2, C2 = "2001:db8:4::20", "2001:db8:5::20"
    R = "2001:db8:3::fe"
    hao = [("hao", H)]
    rt2 = [("rt2", H, 1)]
    mn = lambda sp, *a, ext=hao, **k: ipv6(C, N, 6, tcp(sp, 443, *a, **k),
                                           ext=ext)
    cn = lambda dp, *a, ext=rt2, dst=C, **k: ipv6(N, dst, 6,
                                                  tcp(443, dp, *a, **k),
                                                  ext=ext)
    err = lambda q: ipv6(R, C, 58, icmp_quote(58, 1, q, 20))
    pad = lambda n: b"\0" if n == 1 else bytes([1, n - 2]) + b"\0" * (n - 2)
    opt = lambda b: bytes([0xC9, len(b)]) + b
    frames = [
        mn(40000, 100, 0, S, 64240),                                   # 0
        cn(40000, 900, 101, S | A, 65160),                             # 0
        mn(40000, 101, 901, A | P, 502, payload=b"G" * 10),            # 0
        cn(40000, 901, 111, A, 509),                                   # 0
        # a router's error quoting the mobile node's segment: the home
        # address's connection (0), then one not yet seen (1), whose
        # segments then join it
        err(mn(40000, 111, 901, A, 502)),                              # 0
        err(mn(40001, 7, 0, S, 1000)),                                 # 1
        mn(40001, 7, 0, S, 1000),                                      # 1
        cn(40001, 300, 8, S | A, 1000),                                # 1
        # the care-of address's own connection on the same ports (2)
        mn(40000, 5, 6, A, 1000, ext=[]),                              # 2
        cn(40000, 6, 5, A, 1000, ext=[]),                              # 2
        # one of 18 bytes: its first 16 (3); of two, the last (4)
        mn(40003, 1, 0, S, 1000, ext=[("dstraw", pad(2) + opt(ip6(H) +
                                                             b"\xaa\xbb"))]),
        cn(40003, 9, 2, S | A, 1000),
        mn(40004, 1, 0, S, 1000, ext=[("dstraw", pad(4) +
                                       opt(ip6(H2)) + pad(4) + opt(ip6(H)) +
                                       pad(2))]),
        cn(40004, 9, 2, S | A, 1000),
        # two mobile nodes: a Home Address option and a type 2 routing
        # header in each packet, both ways (5)
        ipv6(C, C2, 6, tcp(40005, 443, 1, 0, S, 1000),
             ext=[("rt2", H2, 1)] + hao),
        ipv6(C2, C, 6, tcp(443, 40005, 9, 2, S | A, 1000),
             ext=[("rt2", H, 1), ("hao", H2)]),
        # a hop-by-hop header's option, one of 14 bytes, one running past
        # its header: no home address, the answer to the care-of address
        # is the same connection (6, 7, 8; tshark: two each)
        mn(40006, 1, 0, S, 1000, ext=[("hopraw", pad(4) + opt(ip6(H)))]),
        cn(40006, 9, 2, S | A, 1000, ext=[]),
        mn(40007, 1, 0, S, 1000, ext=[("dstraw", pad(2) + opt(ip6(H)[:14])
                                       + pad(4))]),
        cn(40007, 9, 2, S | A, 1000, ext=[]),
        mn(40008, 1, 0, S, 1000, ext=[("dstraw", b"\xc9\x10" +
                                       ip6(H)[:4])]),
        cn(40008, 9, 2, S | A, 1000, ext=[]),
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    cols = ["frame", "src", "dest", "srcport", "destport", "flags", "stream",
            "rseq", "rack"]
    case(out, "ipv6_home_address", "ipv6_home_address.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)


def cases_icmp_quote_nested(out):
    """ICMP errors quoting ICMP errors (RFC 1122 3.2.2 and RFC 4443 2.4
    forbid sending them, but they are on the wire): Wireshark dissects each
    quote in turn, so the TCP header inside the innermost names a
    connection that takes the next number, at any depth. An ICMPv6 error
    quotes IPv6 only: an IPv4 packet there is data, no connection; an ICMP
    error's quote is dissected as IPv6 too."""
    S = F["SYN"]
    R4, R6 = "192.0.2.254", "2001:db8::fe"
    c4 = lambda sp: ipv4("10.0.0.1", "10.0.0.2", 6, tcp(sp, 80, 1, 0, S, 1000))
    c6 = lambda sp: ipv6("2001:db8::1", "2001:db8::2", 6,
                         tcp(sp, 80, 1, 0, S, 1000))
    e4 = lambda typ, q: ipv4(R4, "10.0.0.1", 1, icmp_quote(1, typ, q, 20))
    e6 = lambda typ, q: ipv6(R6, "2001:db8::1", 58, icmp_quote(58, typ, q, 20))
    n4 = lambda typ, q: ipv4(R4, "10.0.0.1", 1, icmp_quote_error(1, typ, q))
    n6 = lambda typ, q: ipv6(R6, "2001:db8::1", 58,
                             icmp_quote_error(58, typ, q))
    deep = e4(3, c4(50010))
    for _ in range(11):
        deep = n4(11, deep)
    frames = [
        n4(3, e4(11, c4(50000))),                                # 0
        c4(50001),                                               # 1
        n6(1, e6(3, c6(50002))),                                 # 2
        n4(3, e6(1, c6(50003))),                                 # 3
        # an IPv4 packet in an ICMPv6 error, directly or deeper: data
        n6(3, n4(11, e4(3, c4(50004)))),
        e6(1, c4(50005)),
        n6(1, e6(1, c4(50006))),
        # an IPv6 packet in an ICMP error
        e4(3, c6(50007)),                                        # 4
        # a Redirect's quote is not dissected
        n4(5, e4(3, c4(50008))),
        deep,                                                    # 5
        c4(50005),                                               # 6
        c4(50001),                                               # 1
        c6(50009),                                               # 7
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "stream"]
    case(out, "icmp_quote_nested", "icmp_quote_nested.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)


def cases_ipv6_options(out):
    """Hop-by-hop and destination options that run past the IPv6 payload:
    tshark 4.0 reads each option's length (or, for a Home Address option,
    the 16 bytes its dissector reads) and stops at the header (Malformed):
    no ports, no stream, the protocol the options header; one that ends
    at the payload's end, or runs past its header only, is read through.
    The same inside an ICMPv6 error's quote."""
    S = F["SYN"]
    C, D, R = "2001:db8:1::c", "2001:db8:2::5", "2001:db8::fe"
    u = lambda ext, n=4: ipv6(C, D, 17, udp(54321, 4000, b"\x0a" * n),
                              ext=ext)
    t = lambda sp, ext=(): ipv6(C, D, 6, tcp(sp, 443, 1, 0, S, 1000),
                                ext=ext)
    unk = lambda n: bytes([0x1E, n])
    hop = lambda o: [("hopraw", o)]
    dst = lambda o: [("dstraw", o)]
    err = lambda q: ipv6(R, C, 58, icmp_quote(58, 1, q, 20))
    frames = [
        u(hop(unk(16) + b"\0" * 4)),           # ends at the payload's end
        u(hop(unk(17) + b"\0" * 4)),           # one byte past it
        u(dst(b"\xc9\x11" + b"\0" * 4)),       # a Home Address option too
        # a Home Address option of length 0 last: its 16 bytes run past
        # 12 bytes of UDP, not past 16
        u(dst(b"\1\2\0\0\xc9\0")),
        u(dst(b"\1\2\0\0\xc9\0"), n=8),
        # an option of unknown type last, its length byte the UDP header's
        # first (0xd4): past the payload
        u(hop(b"\1\2\0\0\0\x77")),
        # a Pad1 as the payload's last byte: its next byte is read too
        ipv6(C, D, 59, Frag(b""), ext=[("hopraw", b"\1\3\0\0\0\0")]),
        # TCP: no connection behind such options, in an ICMPv6 error's
        # quote neither
        t(43000, dst(b"\1\2\0\0" + unk(20))),                  # 0
        t(43001, dst(b"\1\2\0\0" + unk(21))),
        err(t(43002, hop(b"\1\2\0\0" + unk(20)))),             # 1
        err(t(43003, hop(b"\1\2\0\0" + unk(21)))),
        t(43003),                                               # 2
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "stream"]
    case(out, "ipv6_options", "ipv6_options.pcap", pcap_bytes(recs, 1), recs,
         "--columns " + ",".join(cols), cols)


def cases_ipv6_crh(out):
    """Compact Routing Headers (types 5 and 6): one whose current SID
    (Segments Left in) lies past it is malformed and ends the row, no TCP
    header, so no connection; otherwise the TCP header after it is decoded
    (also without a SID 0, where tshark 4.0 differs: README)."""
    S = F["SYN"]
    C, D = "2001:db8:1::c", "2001:db8:2::5"
    h16 = lambda *v: struct.pack(">%dH" % len(v), *v)
    h32 = lambda *v: struct.pack(">%dI" % len(v), *v)
    crhs = [
        (5, 5, h16(1, 2)),              # Segments Left past the header
        (5, 1, h16(1, 0)),              # in it, ends with a 0 SID: fine
        (5, 1, h16(1, 2)),              # no 0 SID: well-formed (tshark differs)
        (5, 0, h16(0, 0)),
        (6, 1, h32(0)),                 # the current SID past the end
        (6, 0, h32(7)),                 # no 0 SID (tshark differs)
        (6, 0, h32(0)),
        (5, 5, h16(1, 2, 3, 4, 5, 0)),  # 16 bytes, the last SID 0
        (5, 6, h16(1, 2, 3, 4, 5, 0)),  # the current SID past the end
        (6, 2, h32(9, 8, 0)),
        (6, 3, h32(9, 8, 0)),
    ]
    frames = []
    for i, (typ, left, body) in enumerate(crhs):
        frames.append(ipv6(C, D, 6, tcp(42000 + i, 443, 1, 0, S, 1000),
                           ext=[("rtraw", typ, left, body)]))
    frames.append(ipv6(C, D, 6, tcp(42999, 443, 1, 0, S, 1000)))
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "stream"]
    case(out, "ipv6_crh", "ipv6_crh.pcap", pcap_bytes(recs, 1), recs,
         "--columns " + ",".join(cols), cols)


def cases_ipv6_shim6(out):
    """Shim6 headers (IPv6 next header 140, RFC 5533 section 5): Wireshark
    4.0 dissects the header after a payload extension header (P bit set)
    and after a control message alike, so the TCP, UDP or ICMPv6 behind
    either is the row's, its connection counted in tcp.stream, inside an
    ICMPv6 error's quote too. Not when reading a control message runs
    past the payload (shim6_overrun: a Probe whose probes are not there,
    an option read over the UDP header that follows), nor when the capture
    ends inside the header: the row ends at the Shim6 header, no
    connection."""
    S, A = F["SYN"], F["ACK"]
    C, D, R = "2001:db8:1::c", "2001:db8:2::5", "2001:db8::fe"
    ct = b"\0\0\x12\x34\x56"              # context tag, with byte 2's 7 bits
    pay = lambda body=ct: [("shim6", 0x80, body)]       # payload (P set)
    ctl = lambda typ, body: [("shim6", typ, body)]      # control message
    zero = lambda n: b"\0" * n
    t = lambda sp, dp, seq, ack, fl, ext=(), opts=(), src=C, dst=D: ipv6(
        src, dst, 6, tcp(sp, dp, seq, ack, fl, 1000, opts), ext=ext)
    u = lambda ext, n=4, dp=4000: ipv6(C, D, 17, udp(5353, dp, b"\x0a" * n),
                                       ext=ext)
    # an I2 of 32 bytes: its option is read at byte 32, past the header:
    # the UDP header's ports are its type and content length (12: 16 bytes
    # from there must be in the payload, 8 of UDP data)
    i2 = ctl(3, zero(29))
    frames = [
        t(45000, 443, 100, 0, S, pay(), [("nop",), ("ws", 7)]),             # 0
        t(443, 45000, 900, 101, S | A, pay(), [("nop",), ("ws", 2)],
          D, C),
        t(45000, 443, 101, 901, A, pay(ct + zero(8)), (), C, D),  # 16 bytes
        t(45001, 443, 1, 0, S),                                     # 1
        u(ctl(1, zero(13))),                    # I1 of 16 bytes
        ipv6(C, D, 58, icmp6(128, 0, b"\0\1\0\1", b"ping"),
             ext=ctl(66, zero(5))),             # Keepalive, 8 bytes
        u(i2, n=8, dp=12),                      # the option fits
        u(i2, n=4, dp=12),                      # it does not: no UDP
        # a Probe of 8 bytes with one probe sent: its 40 bytes are not there
        # a Probe of 16 bytes with one probe sent (its byte 11): the probe's
        # 40 bytes are not there
        t(45002, 443, 1, 0, S, ctl(67, zero(8) + b"\1" + zero(4))),
        t(45003, 443, 1, 0, S),                                     # 2
        t(45004, 443, 1, 0, S, pay()),          # cut inside the header: 3
        ipv6(R, C, 58, icmp_quote(58, 3, t(45005, 443, 1, 0, S, pay()),
                                  20)),         # the quote's connection: 4
        t(45006, 443, 1, 0, S),                                     # 5
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    # the capture ends 5 bytes into the Shim6 header: the row ends at it
    cut = recs[10]
    shim_at = 14 + 40
    cut.frag = Frag(cut.frag.data,
                    dict(cut.frag.fields, protocol=("Shim6", shim_at)),
                    cut.frag.meta)
    cut.caplen = shim_at + 5
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "flags", "len", "stream", "wscale"]
    case(out, "ipv6_shim6", "ipv6_shim6.pcap", pcap_bytes(recs, 1), recs,
         "--columns " + ",".join(cols), cols)


def cases_ipv6_text(out):
    addrs = [
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),     # first on ties
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),            # longest run
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),   # single zero
        ("2001:DB8:00AB:0:0:0:0:CDEF", "2001:db8:ab::cdef"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("fe80:0:0:0:0:0:0:1", "fe80::1"),
        ("0:0:0:0:0:ffff:c000:201", "::ffff:192.0.2.1"),     # IPv4-mapped
        ("0:0:1:0:0:0:0:0", "0:0:1::"),
        ("ff02:0:0:0:0:1:ff00:1234", "ff02::1:ff00:1234"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ]
    recs = []
    for i, (a, want) in enumerate(addrs):
        assert fmt6(ip6(a.lower())) == want, (a, fmt6(ip6(a.lower())))
        b = addrs[(i + 1) % len(addrs)][0]
        recs.append(Rec(ipv6(a.lower(), b.lower(), 17,
                             udp(1, 2, b"x")), T0, i * 1000))
    case(out, "ipv6_text", "ipv6_text.pcap", pcap_bytes(recs, 101), recs)


def cases_ipv4_options(out):
    """IPv4 options as Wireshark 4.0 reads them (ipv4_options): the final
    destination of a source route, shown as dest only when the option is
    well formed, the connection keyed on it even when not; an option whose
    dissector reads past its length ends the row at the IP header (no TCP,
    no connection, no reassembly), but not inside an ICMP error's quote;
    options cut by the capture end it too, and dest shows then only when
    the walk for a source route read no further than the capture."""
    S, A = F["SYN"], F["ACK"]
    C, D = "10.5.0.1", "10.5.0.2"
    R1, R2, R3 = ip4("192.0.2.1"), ip4("192.0.2.2"), ip4("192.0.2.3")
    o = lambda *b: bytes(b)
    syn = lambda port, opts, **k: ipv4(C, D, 6, tcp(port, 80, 1, 0, S, 1000),
                                       opts=pad4(opts), **k)
    back = lambda src, port: ipv4(src, C, 6, tcp(80, port, 5, 2, S | A, 1000))
    lsrr = lambda ptr, *addrs: o(131, 3 + 4 * len(addrs), ptr) + b"".join(addrs)
    frames = [
        # a route not finished: dest is its last address, the reply's
        # connection the same; finished (pointer past it): the header's
        syn(50000, lsrr(4, R1, R2)), back("192.0.2.2", 50000),
        syn(50001, lsrr(12, R1, R2)),
        # a pointer into an address or before the first: the header's
        syn(50002, lsrr(5, R1, R2)),
        syn(50003, o(137, 11, 3) + R1 + R2),
        # length 9 (not 3 + 4n): no dest; the connection is keyed on its
        # last 4 bytes, 2.1.1.2 (the end of 192.0.2.1, then 1, 2)
        syn(50004, o(131, 9, 4) + R1 + o(1, 2)), back("2.1.1.2", 50004),
        # two routes: the first names the destination
        syn(50005, lsrr(4, R1) + lsrr(4, R2)),
        # options too short for what their dissectors read: record route
        # of 2 bytes, router alert of 3 after a route (dest stays its
        # address), time stamp of 2 before one (no dest), Quick-Start
        # request of 7 (a function other than request and report needs 3)
        syn(50006, o(7, 2)),
        syn(50007, lsrr(4, R3) + o(148, 3, 0)),
        syn(50008, o(68, 2) + lsrr(4, R3)),
        syn(50009, o(25, 7, 0x00) + bytes(4)),
        syn(50010, o(25, 3, 0x10)),
        # CIPSO: a tag 1 running a byte past the option is read past it;
        # two bytes past, tshark calls the tag malformed and stops there
        syn(50011, o(134, 9, 0, 0, 0, 1, 1, 4, 0)),
        syn(50012, o(134, 8, 0, 0, 0, 1, 1, 4)),
        # an unknown tag type stops the walk after its length byte: as the
        # option's last byte (alone, or after a tag 2 whose odd category
        # bytes leave one) it has none, and that read is past the option
        syn(50112, o(134, 7, 0, 0, 0, 1, 9)),
        syn(50212, o(134, 11, 0, 0, 0, 1, 2, 5, 0xAA, 0xBB, 0x63)),
        syn(50312, o(134, 8, 0, 0, 0, 1, 9, 3)),
        # a length past the options only ends the walk
        syn(50013, o(200, 40)),
        # an ICMP error quoting a segment behind a short router alert: the
        # quote names its connection (50014's), the next segment's is next
        ipv4("10.5.0.9", C, 1,
             icmp_quote(1, 3, syn(50014, o(148, 3, 0)), 20)),
        syn(50015, b""),
        # a first fragment with a short router alert is not reassembled
        syn(50016, o(148, 3, 0), df=False, mf=True, ipid=99),
        ipv4(C, D, 6, Frag(b"x" * 8), df=False, fragoff=24, ipid=99),
    ]
    # options cut by the capture (caplen: bytes of the IP header captured)
    cut = [
        (syn(50100, o(1, 1, 1, 1, 1, 1, 1, 1)), 22),     # a NOP missing
        (syn(50101, o(0, 1, 1, 1)), 21),                 # EOL read: dest
        (syn(50102, o(7, 7, 4) + R1 + lsrr(4, R2)), 34),  # route whole
        (syn(50103, o(7, 7, 4) + R1 + lsrr(4, R2)), 24),  # RR skipped
        (syn(50104, o(1, 1, 131, 2)), 24),               # pointer missing
        (syn(50105, o(1, 1, 131, 2)), 25),
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frames)]
    for f, n in cut:
        recs.append(Rec(eth(f), T0, 1000 * len(recs), caplen=14 + n))
    cols = ["frame", "src", "dest", "protocol", "srcport", "destport",
            "stream"]
    case(out, "ipv4_options", "ipv4_options.pcap", pcap_bytes(recs, 1), recs,
         "--columns " + ",".join(cols), cols)


def cases_ip_more(out):
    """Lengths taken from the IP header, not the frame; other protocols."""
    A = F["ACK"]
    gre_inner = ipv4("10.9.9.1", "10.9.9.2", 6, tcp(1, 2, 3, 4, A, 5))
    frags = [
        # Ethernet padding to 60 bytes: len comes from the IP length
        eth(ipv4("10.8.0.1", "10.8.0.2", 6, tcp(1, 2, 3, 4, A, 5))),
        eth(ipv4("10.8.0.1", "10.8.0.2", 17, udp(7, 9, b"ab"))),
        eth(ipv6("2001:db8:8::1", "2001:db8:8::2", 17, udp(7, 9, b"c"))),
        # IPv4 total length 0 (TCP segmentation offload): the frame's
        eth(ipv4("10.8.0.3", "10.8.0.4", 6,
                 tcp(11, 12, 13, 14, A, 15, payload=b"T" * 3000), total=0)),
        # GRE (followed to the packet inside it, #15), SCTP (ports, no
        # len), IGMP, an unnamed protocol number
        gre_inner.wrap(eth(ipv4("10.8.0.5", "10.8.0.6", 47,
                                Frag(struct.pack(">HH", 0, 0x0800) +
                                     gre_inner.data))).data[:14 + 20 + 4]),
        eth(ipv4("10.8.0.5", "10.8.0.6", 132, sctp(2905, 2906, b"\0" * 16))),
        eth(ipv6("2001:db8:8::5", "2001:db8:8::6", 132,
                 sctp(36412, 36412, b"\0" * 16))),
        eth(ipv4("10.8.0.7", "224.0.0.1", 2,
                 Frag(bytes.fromhex("1164ee9b00000000")), ttl=1)),
        eth(ipv4("10.8.0.7", "10.8.0.8", 253, Frag(b"exp!"))),
        # a total length that ends inside the TCP header, the rest of it
        # in the frame after the datagram: 2 bytes of it (nothing shown),
        # 12 (the ports), 16 (a segment: its flags, numbers and window, but
        # no length, as its 20-byte header does not fit)
        eth(ipv4("10.8.0.9", "10.8.0.10", 6, tcp(21, 22, 23, 24, F["SYN"], 25), total=22)),
        eth(ipv4("10.8.0.9", "10.8.0.10", 6, tcp(31, 32, 33, 34, F["SYN"], 35), total=32)),
        eth(ipv4("10.8.0.9", "10.8.0.10", 6, tcp(41, 42, 43, 44, F["SYN"], 45), total=36)),
        # IPv6 No Next Header after a destination options header
        eth(ipv6("2001:db8:8::7", "2001:db8:8::8", 59, Frag(b""),
                 ext=[("dst", 8)])),
        # an SCTP common header cut by the total length: its ports need all
        # 12 bytes of it
        eth(ipv4("10.8.0.11", "10.8.0.12", 132, sctp(2905, 2906, b"\0" * 16),
                 total=31)),
        eth(ipv4("10.8.0.11", "10.8.0.12", 132, sctp(2905, 2906, b"\0" * 16),
                 total=32)),
    ]
    recs = []
    for i, f in enumerate(frags):
        if len(f.data) < 60:                    # pad as a NIC would
            f = Frag(f.data + b"\0" * (60 - len(f.data)), f.fields, f.meta)
        recs.append(Rec(f, T0, 1000 * i))
    case(out, "ip_more", "ip_more.pcap", pcap_bytes(recs, 1), recs)


def cases_tcp(out):
    C, S = "192.168.1.10", "192.168.1.20"
    isn_c, isn_s = 4294967200, 123456
    syn_opts = [("mss", 1460), ("sackok",), ("ts", 1000, 0), ("nop",),
                ("ws", 7)]
    synack_opts = [("mss", 1400), ("sackok",), ("ts", 5000, 1000), ("nop",),
                   ("ws", 8)]
    ts = lambda a, b: [("nop",), ("nop",), ("ts", a, b)]
    c = lambda *a, **k: ipv4(C, S, 6, tcp(51000, 443, *a, **k))
    s = lambda *a, **k: ipv4(S, C, 6, tcp(443, 51000, *a, **k))
    A, P, FIN = F["ACK"], F["PSH"], F["FIN"]
    c1 = (isn_c + 1) % 2**32
    s1 = isn_s + 1
    frags = [
        c(isn_c, 0, F["SYN"], 64240, syn_opts),
        s(isn_s, c1, F["SYN"] | A, 65160, synack_opts),
        c(c1, s1, A, 502, ts(1001, 5000)),
        c(c1, s1, A | P, 502, ts(1002, 5000), b"G" * 100),
        s(s1, (c1 + 100) % 2**32, A, 509, ts(5001, 1002)),
        s(s1, (c1 + 100) % 2**32, A | P, 509, ts(5002, 1002), b"H" * 200),
        c((c1 + 100) % 2**32, s1 + 200, A, 501, ts(1003, 5002)),
    ]
    # flow 2: only the client offers window scaling -> no scaling
    D, E = "10.1.1.1", "10.1.1.2"
    d = lambda *a, **k: ipv4(D, E, 6, tcp(40001, 8080, *a, **k))
    e = lambda *a, **k: ipv4(E, D, 6, tcp(8080, 40001, *a, **k))
    frags += [
        d(1000, 0, F["SYN"], 29200, [("mss", 1460), ("nop",), ("ws", 6)]),
        e(9000, 1001, F["SYN"] | A, 28960, [("mss", 1460)]),
        d(1001, 9001, A, 229),
        c((c1 + 100) % 2**32, s1 + 200, A | P, 501, ts(1004, 5002),
          b"I" * 10),
        e(9001, 1001, A | P, 227, payload=b"J" * 30),
        d(1001, 9031, A, 229),
    ]
    # flow 3: handshake not in the capture -> raw windows, wscale unknown
    G, H = "10.2.2.1", "10.2.2.2"
    frags += [
        ipv4(G, H, 6, tcp(5000, 6000, 777777, 888888, A | P, 300,
                          payload=b"K" * 40)),
        ipv4(H, G, 6, tcp(6000, 5000, 888888, 777817, A, 200)),
        s(s1 + 200, (c1 + 110) % 2**32, FIN | A, 510, ts(5003, 1004)),
        c((c1 + 110) % 2**32, s1 + 201, FIN | A, 501, ts(1005, 5003)),
        s(s1 + 201, (c1 + 111) % 2**32, A, 510, ts(5004, 1005)),
    ]
    # flow 4: a shift of 15 counts as 14 (RFC 7323 s. 2.3); server shift 0
    K, L = "10.3.3.1", "10.3.3.2"
    frags += [
        ipv4(K, L, 6, tcp(7000, 7001, 5, 0, F["SYN"], 1000, [("nop",),
                                                               ("ws", 15)])),
        ipv4(L, K, 6, tcp(7001, 7000, 50, 6, F["SYN"] | A, 2000,
                          [("nop",), ("ws", 0)])),
        ipv4(K, L, 6, tcp(7000, 7001, 6, 51, A, 3)),
        ipv4(L, K, 6, tcp(7001, 7000, 51, 6, A, 4000)),
    ]
    # flow 5: over IPv6, both sides scale
    V, W = "2001:db8:5::1", "2001:db8:5::2"
    frags += [
        ipv6(V, W, 6, tcp(9000, 22, 100, 0, F["SYN"], 64800,
                          [("mss", 1440), ("nop",), ("ws", 2)])),
        ipv6(W, V, 6, tcp(22, 9000, 700, 101, F["SYN"] | A, 64260,
                          [("mss", 1440), ("nop",), ("ws", 9)])),
        ipv6(V, W, 6, tcp(9000, 22, 101, 701, A | P, 16200,
                          payload=b"SSH-2.0-x\r\n")),
        ipv6(W, V, 6, tcp(22, 9000, 701, 112, A, 126)),
    ]
    recs = [Rec(eth(f), T0 + 10, 100000 * i) for i, f in enumerate(frags)]
    case(out, "tcp_wscale", "tcp_wscale.pcap",
         pcap_bytes(recs, 1, res="ns"), recs)
    cols = ["frame", "src", "srcport", "flags", "stream", "seq", "rseq",
            "rack", "rawwin", "win", "wscale", "mss", "tsval"]
    case(out, "tcp_wscale_cols", "tcp_wscale.pcap", None, recs,
         "--columns " + ",".join(cols), cols)

    # flags, including NS|CWR|ECE|URG and reserved bits (never shown)
    combos = [0, F["SYN"] | F["ECE"] | F["CWR"], F["SYN"] | A | F["ECE"],
              A | P | F["CWR"], A | F["URG"] | P, F["RST"], F["RST"] | A,
              FIN | P | F["URG"], 0x1FF, F["NS"] | A, FIN]
    recs = []
    for i, fl in enumerate(combos):
        f = ipv4("172.16.0.1", "172.16.0.2", 6,
                 tcp(10000 + i, 20000, i, i * 2, fl, 1000 + i,
                     reserved=(7 if i == 8 else 0)))
        recs.append(Rec(eth(f), T0, 1000 * i))
    case(out, "tcp_flags", "tcp_flags.pcap", pcap_bytes(recs, 1), recs)

    # options: SACK blocks, EOL padding, TS after SACK, MSS alone
    op = [
        [("nop",), ("nop",), ("ts", 1, 2)],
        [("nop",), ("nop",), ("sack", [(10, 20), (30, 40)]),
         ("nop",), ("nop",), ("ts", 3, 4)],
        [("mss", 536)],
        [("ts", 4294967295, 4294967294), ("eol",), ("eol",)],
        [("nop",), ("ws", 14), ("sackok",), ("eol",), ("eol",)],
    ]
    recs = [Rec(eth(ipv4("172.16.1.1", "172.16.1.2", 6,
                         tcp(1111, 2222, 5, 6, A, 99, o, b"o" * i))),
                T0, 1000 * i) for i, o in enumerate(op)]
    case(out, "tcp_options", "tcp_options.pcap", pcap_bytes(recs, 1), recs)


def cases_tcp_option_throws(out):
    """Options after one whose Wireshark 4.0 dissector reads past it
    (tshark_options): they give nothing, and the window-scaling check of a
    handshake segment is not made; the options that do not throw count."""
    A, P, SYN = F["ACK"], F["PSH"], F["SYN"]
    frags = []

    def conv(cli, srv, cport):
        c = lambda *a, **k: ipv4(cli, srv, 6, tcp(cport, 80, *a, **k))
        s = lambda *a, **k: ipv4(srv, cli, 6, tcp(80, cport, *a, **k))
        return c, s
    ts = lambda a, b: [("nop",), ("nop",), ("ts", a, b)]
    blk = lambda l, r: struct.pack(">II", l, r)

    def then_ts(opts, a, b):
        """opts, NOPs to a multiple of 4 bytes, a timestamp option"""
        n = sum(len(opt_bytes(o)) for o in opts) + 10
        return opts + [("nop",)] * (-n % 4) + [("ts", a, b)]
    # 1: a SACK of length 11 on the SYN (one block and a byte): 4.0 stops
    # at the byte without reading past, so the window scale after it counts
    c, s = conv("10.9.1.1", "10.9.1.2", 40001)
    frags += [c(1000, 0, SYN, 100, [("opt", 5, blk(1, 2) + b"\0"), ("ws", 7),
                                     ("nop",), ("nop",)]),
              s(5000, 1001, SYN | A, 100, [("nop",), ("ws", 7)]),
              c(1001, 5001, A, 100), s(5001, 1001, A, 100)]
    # 2: a SACK of length 2 on the SYN: no SACK by RFC 2018, skipped; the
    # window scale after it counts (tshark 4.0 throws in its D-SACK test and
    # loses it: the client's scale stays unknown there, a known difference)
    c, s = conv("10.9.2.1", "10.9.2.2", 40002)
    frags += [c(1000, 0, SYN, 100, [("opt", 5, b""), ("ws", 7), ("nop",),
                                     ("nop",), ("nop",)]),
              s(5000, 1001, SYN | A, 100, [("nop",), ("ws", 7)]),
              c(1001, 5001, A, 100), s(5001, 1001, A, 100)]
    # 3: data segments, each option before a timestamp
    c, s = conv("10.9.3.1", "10.9.3.2", 40003)
    frags += [c(1000, 0, SYN, 100, [("mss", 1460), ("nop",), ("ws", 2)]),
              s(5000, 1001, SYN | A, 100, [("mss", 1400), ("nop",), ("ws", 3)])]
    seq = [1001]

    def data(opts, n=10):
        frags.append(c(seq[0], 5001, A | P, 100, opts, b"d" * n))
        seq[0] += n
    for o in [("opt", 30, bytes.fromhex("628db9")),   # MP_FAIL of 5 bytes
              ("opt", 30, bytes.fromhex("6000") + b"\0" * 8),  # MP_FAIL, 12
              ("opt", 30, b"\x20\x01\0\0"),       # DSS: data ACK cut
              ("opt", 30, b"\x20\x01\0\0\0\0"),   # DSS: data ACK whole
              ("opt", 30, b"\x20\x05" + b"\0" * 14),  # DSS: mapping cut
              ("opt", 30, b"\x10"),                 # MP_JOIN of 3 bytes
              ("opt", 21, b"\0" * 4),               # SNACK: always
              ("opt", 21, b"\0" * 2),               # SNACK of 4: not read
              ("opt", 76, b"\x01" + b"\0" * 6),     # probe query of 9
              ("opt", 76, b"\x01" + b"\0" * 7),     # of 10
              ("opt", 76, b"\x0c"),                 # version 2, type 6
              ("opt", 76, b"\x00"),                 # version 2, type 0
              ("opt", 20, b"\0\0\0"),              # SCPS, not offered
              ("opt", 5, blk(1101, 1201) + b"\0" * 9),  # SACK of 19
              ("opt", 5, b"\0" * 6),                # SACK of 8: skipped
              ("opt", 34, b""),                      # any other kind
              ]:
        data(then_ts([o], 7, 8))
    # 4: SCPS: an extended option reads its binding spaces once its side
    # offered SCPS (a capabilities option, of 4 bytes), past its end here
    c, s = conv("10.9.4.1", "10.9.4.2", 40004)
    ext = ("opt", 20, b"\0\0\0")
    frags += [c(1000, 0, SYN, 100, [("nop",), ("ws", 1)]),
              s(5000, 1001, SYN | A, 100, [("nop",), ("ws", 1)]),
              c(1001, 5001, A, 100, then_ts([("opt", 20, b"\0\0")], 1, 2)),
              c(1001, 5001, A, 100, then_ts([ext], 3, 4)),
              s(5001, 1001, A, 100, then_ts([ext], 5, 6))]
    # 5: offered on both handshake segments: both sides read it
    c, s = conv("10.9.5.1", "10.9.5.2", 40005)
    frags += [c(1000, 0, SYN, 100, [("opt", 20, b"\0\0")]),
              s(5000, 1001, SYN | A, 100, [("opt", 20, b"\0\0")]),
              c(1001, 5001, A, 100, then_ts([ext], 11, 12)),
              s(5001, 1001, A, 100, then_ts([ext], 13, 14))]
    # 6: offered on the SYN only: the SYN-ACK takes it back
    c, s = conv("10.9.6.1", "10.9.6.2", 40006)
    frags += [c(1000, 0, SYN, 100, [("opt", 20, b"\0\0")]),
              s(5000, 1001, SYN | A, 100),
              c(1001, 5001, A, 100, then_ts([ext], 15, 16))]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frags)]
    cols = ["frame", "src", "flags", "stream", "rawwin", "win", "wscale",
            "mss", "tsval", "tsecr"]
    case(out, "tcp_option_throws", "tcp_option_throws.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)


def cases_tcp_option_twice(out):
    """Options given twice in one segment (tshark 4.0.17, checked by hand):
    of window scale the last counts, as 4.0's dissector stores the shift
    each time it meets one (shown from the next segment on, on any
    segment, a shift over 14 as 14); of MSS and timestamps tshark shows
    every one, the first first, and pcap2kdb the first."""
    A, SYN = F["ACK"], F["SYN"]
    C, S = "10.9.7.1", "10.9.7.2"
    c = lambda *a, **k: ipv4(C, S, 6, tcp(40007, 80, *a, **k))
    s = lambda *a, **k: ipv4(S, C, 6, tcp(80, 40007, *a, **k))
    nops = [("nop",), ("nop",)]
    frags = [
        # client shift 2 then 7: scales by 128, not 4
        c(1000, 0, SYN, 1000, [("ws", 2), ("ws", 7), ("mss", 1460),
                               ("mss", 1200), ("ts", 1, 2), ("ts", 3, 4)]
          + nops),
        # server shift 3 then 15: 14 counts
        s(5000, 1001, SYN | A, 2000, [("ws", 3), ("ws", 15)] + nops),
        c(1001, 5001, A, 100),
        s(5001, 1001, A, 100),
        # on an ACK, 8 then 5: 5 from the next segment on
        c(1001, 5001, A, 100, [("ws", 8), ("ws", 5)] + nops),
        c(1001, 5001, A, 100),
    ]
    recs = [Rec(eth(f), T0, 1000 * i) for i, f in enumerate(frags)]
    cols = ["frame", "flags", "stream", "rawwin", "win", "wscale", "mss",
            "tsval", "tsecr"]
    case(out, "tcp_option_twice", "tcp_option_twice.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)


def cases_tcp_cut_options(out):
    """A SYN or data segment whose header the snap length cut (tshark 4.0.17,
    checked by hand): when the option walk ends at a bad length before the
    missing bytes (see tshark_options), tshark never reads them: the
    options count as whole, so a SYN without a window-scale option makes
    the connection unscaled (its SYN-ACK's option 7 does not count) and a
    data segment shows its analysis. When a byte the walk reads is missing
    (an EOL's padding, a NOP, an option's body, the expert range of a
    length past the header) tshark throws: the SYN's scaling is not
    checked, the SYN-ACK's 7 counts for the server, the client's shift
    stays unknown."""
    A, P, SYN = F["ACK"], F["PSH"], F["SYN"]
    recs = []
    port = [41000]

    def conn(opts, drop):
        """A SYN with opts, its last drop bytes not captured, a SYN-ACK
        offering shift 7, an ACK each way."""
        cp = port[0]
        port[0] += 1
        C, S = "10.9.8.1", "10.9.8.2"
        c = lambda *a: eth(ipv4(C, S, 6, tcp(cp, 80, *a)))
        sv = lambda *a: eth(ipv4(S, C, 6, tcp(80, cp, *a)))
        syn = eth(ipv4(C, S, 6, tcp(cp, 80, 1000, 0, SYN, 1000,
                                    [("opt", 34, b"")] + opts)))
        n = len(recs)
        recs.extend([
            Rec(syn, T0, 1000 * n, caplen=len(syn.data) - drop),
            Rec(sv(5000, 1001, SYN | A, 2000, [("ws", 7), ("eol",)]), T0,
                1000 * (n + 1)),
            Rec(c(1001, 5001, A, 100), T0, 1000 * (n + 2)),
            Rec(sv(5001, 1001, A, 100), T0, 1000 * (n + 3))])
    bad = lambda b: ("bytes", bytes.fromhex(b), True)
    nop = ("nop",)
    # ("opt", 34, b"") first: a TCP Fast Open cookie request (RFC 7413),
    # read within its 2 bytes, so that tcp_flow reads the options
    conn([nop, nop, bad("0801000000000000")], 2)   # TS of length 1: unscaled
    conn([nop, nop, bad("0801000000000000")], 6)   # ... cut after its length
    conn([nop, nop, bad("0801000000000000")], 7)   # ... length not captured
    conn([nop, nop, bad("0300000000000000")], 3)   # WS of length 0: unscaled
    conn([bad("02280000000000000000")], 2)         # past the header: unscaled
    conn([bad("02280000000000000000")], 3)         # its range cut: throws
    conn([nop, nop, ("eol",)] + [("eol",)] * 7, 2)  # EOL: padding read
    conn([nop] * 10, 2)                             # NOPs: the next is read
    conn([("ws", 2), bad("0801000000000000"), nop, nop, nop], 4)  # shift 2
    # a known option of the wrong length ending the header: tshark reads
    # its kind and length bytes only (option_reads)
    ws4 = ("opt", 3, b"\x07\x00")
    conn([nop, nop, ("mss", 1460), ws4], 2)         # WS of length 4: unscaled
    conn([nop, nop, ("mss", 1460), ws4], 3)         # ... length not captured
    conn([ws4, nop, nop], 1)                        # ... a NOP after it cut
    conn([nop, nop, ("opt", 4, b"\x00\x00")], 1)   # SACK permitted, length 4
    conn([nop, nop, ("opt", 19, bytes(6))], 5)      # MD5 of length 8
    conn([("opt", 172, bytes(4))], 3)               # AccECN of length 6
    conn([nop, nop, ("mss", 1460)], 1)              # right length: value read
    cols = ["frame", "flags", "stream", "caplen", "rawwin", "win", "wscale"]
    case(out, "tcp_cut_options", "tcp_cut_options.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols)

    # a retransmission cut by the capture: tshark shows its analysis when
    # its options stop at a bad length before the cut, none when it throws
    C, S = "10.9.9.1", "10.9.9.2"
    opts = [("opt", 34, b""), nop, nop, bad("0801000000000000")]
    c = lambda *a, **k: eth(ipv4(C, S, 6, tcp(41100, 80, *a, **k)))
    sv = lambda *a: eth(ipv4(S, C, 6, tcp(80, 41100, *a)))
    data = c(1001, 5001, A | P, 100, opts, b"x" * 10)
    recs = [Rec(c(1000, 0, SYN, 1000), T0, 0),
            Rec(sv(5000, 1001, SYN | A, 2000), T0, 1000),
            Rec(data, T0, 2000),
            Rec(data, T0, 3000, caplen=len(data.data) - 10 - 2),
            Rec(data, T0, 4000, caplen=len(data.data) - 10 - 7)]
    # a timestamps option of length 8 ends the header: its value not read
    data = c(1001, 5001, A | P, 100,
             [("opt", 34, b""), nop, nop, ("opt", 8, bytes(6))], b"x" * 10)
    recs += [Rec(data, T0, 5000, caplen=len(data.data) - 10 - 4),
             Rec(data, T0, 6000, caplen=len(data.data) - 10 - 7)]
    rows = expected_rows(recs, "tcp_cut_retransmission")
    rows[3]["analysis"] = rows[5]["analysis"] = "retransmission"
    cols = ["frame", "caplen", "rseq", "analysis"]
    case(out, "tcp_cut_retransmission", "tcp_cut_retransmission.pcap",
         pcap_bytes(recs, 1), recs, "--columns " + ",".join(cols), cols,
         stdout=csv_text(rows, cols))


def cases_truncation(out):
    """Records cut at chosen points; fields filled as far as bytes go."""
    full = eth(ipv4("10.5.0.1", "10.5.0.2", 6,
                    tcp(1500, 2500, 111, 222, F["ACK"] | F["PSH"], 333,
                        [("mss", 1460), ("nop",), ("nop",),
                         ("ts", 4444, 5555)], b"P" * 50)))
    E, I, T = 14, 14 + 20, 14 + 20 + 20
    cuts = [6, 13, 14, E + 12, E + 16, E + 20, I + 2, I + 4, I + 8, I + 12,
            I + 13, I + 16, I + 20, I + 22, T + 5, T + 8, T + 12, T + 20,
            len(full.data)]
    recs = [Rec(full, T0, 1000 * i, caplen=c) for i, c in enumerate(cuts)]
    case(out, "truncated", "truncated.pcap", pcap_bytes(recs, 1, snaplen=200),
         recs)
    sc = eth(ipv4("10.5.0.3", "10.5.0.4", 132, sctp(2905, 2906, b"D" * 20)))
    recs_sctp = [Rec(sc, T0, 1000 * i, caplen=I + c)
                 for i, c in enumerate((4, 7, 11, 12))]
    case(out, "truncated_sctp", "truncated_sctp.pcap",
         pcap_bytes(recs_sctp, 1, snaplen=200), recs_sctp)
    case(out, "truncated_cols", "truncated.pcap", None, recs,
         "--columns frame,caplen,length,protocol,src,dest,srcport,flags,mss,"
         "tsval,len",
         ["frame", "caplen", "length", "protocol", "src", "dest", "srcport",
          "flags", "mss", "tsval", "len"])


def cases_pcapng(out):
    pk = sample_ip_packets()

    # --- single section, little- and big-endian, EPB + PB + SPB + skipped
    for order, oname in (("<", "le"), (">", "be")):
        b = shb(order, [opt(order, 4, b"pcap2kdb gen_testdata")])
        b += idb(order, 1, snaplen=96)                       # iface 0
        recs = []
        r = Rec(eth(pk[0]), T0, 123456000, iface=0, linktype=1)
        b += epb(order, 0, T0 * 10 ** 6 + 123456, r.data, r.origlen,
                 [opt(order, 1, b"comment")])
        recs.append(r)
        b += block(order, 4, struct.pack(order + "HH4s", 1, 4,
                                         ip4("10.0.0.1")) +
                   struct.pack(order + "HH", 0, 0))          # NRB, skipped
        r = Rec(eth(pk[1]), T0 + 1, 1000, iface=0, linktype=1)
        b += pb(order, 0, (T0 + 1) * 10 ** 6 + 1, r.data, r.origlen)
        recs.append(r)
        # SPB: no timestamp; caplen = min(orig, snaplen 96, block bytes)
        big = eth(ipv4("10.6.0.1", "10.6.0.2", 6,
                       tcp(1, 2, 3, 4, F["ACK"], 5, payload=b"S" * 100)))
        r = Rec(big, None, 0, caplen=96, iface=0, linktype=1)
        b += spb(order, r.data, r.origlen)
        recs.append(r)
        r = Rec(eth(pk[2]), None, 0, iface=0, linktype=1)
        b += spb(order, r.data, r.origlen)
        recs.append(r)
        b += block(order, 5, struct.pack(order + "IIII", 0, 0, 0, 0))  # ISB
        # custom blocks are records, as Wireshark shows them as frames (so
        # frame numbers agree): a row of their data, no time, no link type
        b += block(order, 0xBAD, struct.pack(order + "I", 32473) + b"xyz!")
        recs.append(Rec(Frag(b"xyz!"), None, 0))
        b += block(order, 0x40000BAD, struct.pack(order + "I", 32473))
        recs.append(Rec(Frag(b""), None, 0))
        b += block(order, 0x0000000A, b"\0" * 8)    # DSB: skipped
        r = Rec(eth(mini_tcp(5)), T0 + 2, 999999000, iface=0, linktype=1)
        b += epb(order, 0, (T0 + 2) * 10 ** 6 + 999999, r.data, r.origlen)
        recs.append(r)
        name = "pcapng_" + oname
        case(out, name, name + ".pcapng", b, recs)
        if order == "<":
            case(out, "pcapng_le_cols", name + ".pcapng", None, recs,
                 "--columns frame,time,iface,linktype,caplen,length,src",
                 ["frame", "time", "iface", "linktype", "caplen", "length",
                  "src"])

    # --- systemd journal export blocks (type 9) and Sysdig event blocks
    # (0x204, 0x216, 0x221) are frames in Wireshark 4.0 (wiretap/pcapng.c),
    # so they are rows too (frame numbers stay Wireshark's): no link type,
    # no interface. Journal: length = caplen = the entry without its
    # trailing NUL padding; time from a __REALTIME_TIMESTAMP=<digits> line
    # (µs). Sysdig: time = its 64-bit ns timestamp, length = its event
    # length field, caplen = the bytes after its 24-byte (V2: 28-byte)
    # header. Sysdig's other block types (0x208 event with flags, 0x217,
    # 0x222: not records in 4.0) are skipped. Checked with tshark 4.0.17:
    # every row below equal in frame, frame.time_epoch, frame.len and
    # frame.cap_len, except that tshark also shows a time for the entries
    # marked "tshark:" (the name inside another field's text, a value not
    # all digits), where the row's time is empty instead.
    def journal(order, text, pad=0):
        return block(order, 9, text + b"\0" * pad)

    def sysdig(order, btype, ts, evlen, data, nparams=None):
        body = struct.pack(order + "HQQIH", 3, ts, 77, evlen, 12)
        if nparams is not None:
            body += struct.pack(order + "I", nparams)
        return block(order, btype, body + data)

    for order, oname in (("<", "le"), (">", "be")):
        b = shb(order) + idb(order, 1)
        recs = []

        def packet(i):
            r = Rec(eth(pk[i % 3]), T0, i * 1000, iface=0, linktype=1)
            recs.append(r)
            return epb(order, 0, T0 * 10 ** 6 + i, r.data, r.origlen)

        def row(data, sec=None, ns=0, origlen=None):
            recs.append(Rec(Frag(data), sec, ns, origlen=origlen))

        b += packet(0)
        e = (b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1589458205123456\n"
             b"MESSAGE=hello\n")
        b += journal(order, e, 3)                   # padded with NULs
        row(e, T0 + 3, 123456000)
        e = b"MESSAGE=this entry has no time\n"    # no field: no time
        b += journal(order, e)
        row(e)
        e = b"__REALTIME_TIMESTAMP=0\n"            # 1970: a time
        b += journal(order, e)
        row(e, 0, 0)
        e = b"__REALTIME_TIMESTAMP=99999999999999999999\n"  # > 2^64 - 1
        b += journal(order, e)
        row(e)
        e = (b"MESSAGE=x__REALTIME_TIMESTAMP=5\n"  # tshark: 0.000005
             b"__REALTIME_TIMESTAMP=1589458206000000\n")
        b += journal(order, e)
        row(e)
        e = b"__REALTIME_TIMESTAMP=12abc\n"        # tshark: 0.000012
        b += journal(order, e)
        row(e)
        b += packet(1)
        d = b"syscall!"
        b += sysdig(order, 0x204, (T0 + 4) * 10 ** 9 + 987654321, 100, d)
        row(d, T0 + 4, 987654321, origlen=100)
        b += sysdig(order, 0x216, (T0 + 5) * 10 ** 9 + 1, 200, d, 2)
        row(d, T0 + 5, 1, origlen=200)
        b += sysdig(order, 0x221, (T0 + 6) * 10 ** 9 + 2, 300, d + b"more", 2)
        row(d + b"more", T0 + 6, 2, origlen=300)
        b += sysdig(order, 0x204, 0, 0, b"")       # empty event at 1970
        row(b"", 0, 0, origlen=0)
        b += sysdig(order, 0x208, T0 * 10 ** 9, 300, d)     # skipped
        b += sysdig(order, 0x217, T0 * 10 ** 9, 300, d, 1)  # skipped
        b += sysdig(order, 0x222, T0 * 10 ** 9, 300, d, 1)  # skipped
        b += packet(2)
        name = "pcapng_journal_sysdig_" + oname
        case(out, name, name + ".pcapng", b, recs,
             "--columns frame,time,iface,linktype,caplen,length,src",
             ["frame", "time", "iface", "linktype", "caplen", "length",
              "src"])

    # a Sysdig event block too short for its header: skipped, reported
    # (exit 2; tshark stops the file there); an empty journal block: a row
    # of 0 bytes without a time (tshark stops the file there too: it wants
    # room for a __REALTIME_TIMESTAMP field)
    order = "<"
    b = shb(order) + idb(order, 1)
    r0 = Rec(eth(pk[0]), T0, 0, iface=0, linktype=1)
    b += epb(order, 0, T0 * 10 ** 6, r0.data, r0.origlen)
    at = len(b)
    b += block(order, 0x216, b"\0" * 24)   # 36 bytes: V2 needs 40
    b += journal(order, b"")
    r1 = Rec(eth(pk[1]), T0, 1000, iface=0, linktype=1)
    b += epb(order, 0, T0 * 10 ** 6 + 1, r1.data, r1.origlen)
    case(out, "pcapng_sysdig_short", "pcapng_sysdig_short.pcapng", b,
         [r0, Rec(Frag(b""), None, 0), r1],
         "--columns frame,time,linktype,caplen,length,src",
         ["frame", "time", "linktype", "caplen", "length", "src"], exit=2,
         err="offset %d: Sysdig event block too short (36 bytes)" % at)

    # --- interfaces with different link types and time resolutions
    order = "<"
    b = shb(order)
    ifs = [  # (linktype, tsresol, tsoffset, snaplen)
        (1, None, None, 0),            # 0: Ethernet, µs
        (228, 9, None, 0),             # 1: raw IPv4, ns
        (101, 3, None, 0),             # 2: raw, ms
        (1, 0x80 | 20, None, 0),       # 3: 2^-20 s
        (113, 6, 1600000000, 0),       # 4: SLL, µs, offset +1.6e9 s
        (229, 0x80 | 30, 1000, 0),     # 5: IPv6, 2^-30 s, offset 1000 s
        (276, 0, None, 0),             # 6: SLL2, whole seconds
        (101, 12, T0, 0),              # 7: picoseconds (truncated to ns);
                                       #    2^64 ps is 213 days: offset T0
        (228, 6, -1000000000, 0),      # 8: offset -1e9 s
    ]
    for lt, res, off, snap in ifs:
        b += idb(order, lt, snap, res, off)
    recs = []

    def add(iface, frag, sec_units, frac_units, want_sec, want_ns):
        lt, res, off, _ = ifs[iface]
        res = 6 if res is None else res
        if res & 0x80:
            n = res & 0x7F
            units = sec_units << n | frac_units
            assert want_ns == frac_units * 10 ** 9 // 2 ** n
        else:
            units = sec_units * 10 ** res + frac_units
            assert want_ns == frac_units * 10 ** 9 // 10 ** res
        assert want_sec == sec_units + (off or 0)
        r = Rec(frag, want_sec, want_ns, iface=iface, linktype=lt)
        recs.append((r, epb(order, iface, units, r.data, r.origlen)))

    add(0, eth(pk[0]), T0, 654321, T0, 654321000)
    add(1, pk[1], T0, 123456789, T0, 123456789)
    add(2, pk[2], T0, 7, T0, 7000000)
    add(3, eth(pk[0]), T0, 1, T0, 953)                  # 1e9/2^20 = 953.67
    add(3, eth(pk[1]), T0, 2 ** 20 - 1, T0, 999999046)  # floor, not round
    add(3, eth(pk[2]), T0, 2 ** 19, T0, 500000000)
    add(4, sll(pk[0]), 5, 250000, 1600000005, 250000000)
    add(5, pk[2], 1589457000, 2 ** 30 - 3, 1589458000, 999999997)
    add(6, sll2(pk[1]), T0, 0, T0, 0)
    add(1, pk[0], 946684799, 999999999, 946684799, 999999999)  # 1999
    add(0, eth(mini_tcp(9)), 2 ** 32 + 5, 1, 2 ** 32 + 5, 1000)  # 2106+
    add(7, pk[2], 0, 123456789999, T0, 123456789)
    add(7, pk[0], 86400, 999, T0 + 86400, 0)
    add(8, pk[1], T0 + 10 ** 9, 1, T0, 1000)
    for r, blk in recs:
        b += blk
    recs = [r for r, _ in recs]
    case(out, "pcapng_ifaces", "pcapng_ifaces.pcapng", b, recs)
    case(out, "pcapng_ifaces_cols", "pcapng_ifaces.pcapng", None, recs,
         "--columns frame,time,iface,linktype,src,protocol,length",
         ["frame", "time", "iface", "linktype", "src", "protocol", "length"])

    # --- if_tsresol finer than 10^-19 or 2^-63 s (the draft sets no limit):
    # units a second beyond 64 bits, so every 64-bit count is under a
    # second; the time is the exact count over the declared resolution,
    # truncated to the ns (big integers here), plus if_tsoffset
    order = "<"
    fine = [  # (if_tsresol, if_tsoffset)
        (20, None), (28, T0), (29, None), (0x80 | 64, T0), (0x80 | 127, None),
        (0x80 | 100, None)]
    b = shb(order) + b"".join(idb(order, 101, 0, r, off) for r, off in fine)
    recs = []
    for iface, units in ((0, 2 ** 64 - 1), (0, 10 ** 19), (1, 2 ** 64 - 1),
                         (1, 12345678901234567890), (2, 2 ** 64 - 1),
                         (3, 2 ** 63), (3, 2 ** 64 - 1), (3, 12345),
                         (4, 2 ** 64 - 1), (5, 2 ** 64 - 1)):
        r_, off = fine[iface]
        per_sec = 2 ** (r_ & 0x7F) if r_ & 0x80 else 10 ** r_
        r = Rec(pk[len(recs) % 3], (off or 0) + units // per_sec,
                units * 10 ** 9 // per_sec % 10 ** 9, iface=iface,
                linktype=101)
        b += epb(order, iface, units, r.data, r.origlen)
        recs.append(r)
    case(out, "pcapng_tsresol_fine", "pcapng_tsresol_fine.pcapng", b, recs,
         "--columns frame,time,iface,src", ["frame", "time", "iface", "src"])

    # --- if_tsresol (1 byte) and if_tsoffset (8 bytes) of another size, or
    # repeated: the first of the right size counts, the others are ignored
    # (tshark 4.0; libpcap refuses repeated ones). Each interface: its
    # options and the (resolution, offset) that count.
    q = lambda v: struct.pack(order + "q", v)
    dup = [
        ([opt(order, 9, b"\x09\x00")], 6, 0),              # 2 bytes: ignored
        ([opt(order, 9, b"\x09"), opt(order, 9, b"\x03")], 9, 0),
        ([opt(order, 9, b"\x09\x00"), opt(order, 9, b"\x03")], 3, 0),
        ([opt(order, 9, b""), opt(order, 9, b"\x03")], 3, 0),
        ([opt(order, 14, q(100) + b"\0\0\0\x01")], 6, 0),  # 12 bytes
        ([opt(order, 14, q(100)), opt(order, 14, q(200))], 6, 100),
        ([opt(order, 14, q(100)[:4]), opt(order, 14, q(200))], 6, 200),
        ([opt(order, 9, b"\x14"), opt(order, 9, b"\x06")], 20, 0),
    ]
    b = shb(order) + b"".join(idb(order, 101, extra=o_) for o_, _, _ in dup)
    recs = []
    units = 1234567891
    for iface, (_, res, off) in enumerate(dup):
        r = Rec(pk[iface % 3], off + units // 10 ** res,
                units * 10 ** 9 // 10 ** res % 10 ** 9, iface=iface,
                linktype=101)
        b += epb(order, iface, units, r.data, r.origlen)
        recs.append(r)
    case(out, "pcapng_idb_options_dup", "pcapng_idb_options_dup.pcapng", b,
         recs, "--columns frame,time,iface,src",
         ["frame", "time", "iface", "src"])

    # --- an FCS length declared by epb_flags bits 5-8 (octets), if_fcslen
    # (code 13) or the pcap link-type field (0x04000000 set, bits 28-31 in
    # 16-bit words) is not used: the frame's bytes are all handed to the
    # decoders, so an IP datagram that runs into the declared FCS is read
    # whole (tshark 4.0 cuts the FCS off first: README, Compared with
    # tshark). Ethernet/IPv4/TCP, IP total length 44 in a 58-byte frame:
    # the 4 payload bytes are the frame's last 4, which each file calls FCS.
    cols = ["frame", "caplen", "length", "linktype", "protocol", "flags",
            "len", "stream"]
    fr = eth(mini_tcp(0, payload=b"\xde\xad\xbe\xef"))
    r = Rec(fr, T0, 0, iface=0, linktype=1)
    b = (shb(order) + idb(order, 1) +
         epb(order, 0, T0 * 10 ** 6, r.data, r.origlen,
             [opt(order, 2, struct.pack(order + "I", 4 << 5))]) +
         idb(order, 1, extra=[opt(order, 13, b"\x04")]))
    r2 = Rec(fr, T0 + 1, 0, iface=1, linktype=1)
    b += epb(order, 1, (T0 + 1) * 10 ** 6, r2.data, r2.origlen)
    case(out, "pcapng_fcs_declared", "pcapng_fcs_declared.pcapng", b,
         [r, r2], "--columns " + ",".join(cols), cols)
    r3 = Rec(fr, T0, 0, linktype=1)      # the type is bits 0-15
    case(out, "pcap_fcs_declared", "pcap_fcs_declared.pcap",
         pcap_bytes([r3], 1 | 0x04000000 | 2 << 28), [r3],
         "--columns " + ",".join(cols), cols)

    # --- two sections with different byte order; interfaces reset per section
    b = b""
    recs = []
    for si, order in enumerate(("<", ">", "<")):
        b += shb(order)
        lt = [1, 101, 0][si]
        b += idb(order, lt, tsresol=9)
        if si == 1:
            b += idb(order, 1)           # iface 1 of section 2: Ethernet µs
        f = [eth(pk[0]), pk[2], null(pk[1], 2, "<")][si]
        r = Rec(f, T0 + si, 42 + si, iface=0, linktype=lt)
        b += epb(order, 0, (T0 + si) * 10 ** 9 + 42 + si, r.data, r.origlen)
        recs.append(r)
        if si == 1:
            r = Rec(eth(pk[1]), T0 + 9, 9000, iface=1, linktype=1)
            b += epb(order, 1, (T0 + 9) * 10 ** 6 + 9, r.data, r.origlen)
            recs.append(r)
        if si == 2:
            # SPB, snaplen 0 (no limit): the whole packet is in the block
            # (the spec's min(orig, snaplen); a shorter block is damage:
            # bad_ng_spb_short)
            r = Rec(null(pk[0], 2, "<"), None, 0, iface=0, linktype=0)
            b += spb(order, r.data, r.origlen)
            recs.append(r)
    case(out, "pcapng_sections", "pcapng_sections.pcapng", b, recs)
    case(out, "pcapng_sections_cols", "pcapng_sections.pcapng", None, recs,
         "--columns frame,time,iface,linktype,src",
         ["frame", "time", "iface", "linktype", "src"])

    # --- every supported link type in one file, for the linktype column
    order = "<"
    b = shb(order)
    lts = [(1, eth(pk[0])), (113, sll(pk[0])), (276, sll2(pk[0])),
           (12, pk[0]), (14, pk[2]), (101, pk[0]), (228, pk[1]),
           (229, pk[2]), (0, null(pk[0], 2)), (108, loop(pk[2], 30)),
           (147, Frag(b"\x00" * 20)), (1, eth(arp(), 0x0806))]
    recs = []
    for i, (lt, f) in enumerate(lts):
        b += idb(order, lt)
    for i, (lt, f) in enumerate(lts):
        r = Rec(f, T0, i * 1000, iface=i, linktype=lt)
        b += epb(order, i, T0 * 10 ** 6 + i, r.data, r.origlen)
        recs.append(r)
    case(out, "pcapng_linktypes", "pcapng_linktypes.pcapng", b, recs)
    case(out, "pcapng_linktypes_cols", "pcapng_linktypes.pcapng", None, recs,
         "--columns iface,linktype,src,dest,protocol",
         ["iface", "linktype", "src", "dest", "protocol"])


# ------------------------------------------------------------ damaged input

def cases_damaged_files(out):
    good = [Rec(eth(mini_tcp(i)), T0, 1000 * i) for i in range(2)]
    hdr_len = 24

    def pcap_good(snaplen=262144):
        return pcap_bytes(good, 1, snaplen=snaplen)

    def rec_hdr(caplen, origlen, sec=T0):
        return struct.pack("<IIII", sec, 0, caplen, origlen)

    # not a capture: exit 1, nothing written (the header goes out only once
    # an input has opened as a capture)
    case(out, "bad_empty", "bad_empty.pcap", b"", [], exit=1,
         err="offset 0: empty input, not a capture", stdout="")
    case(out, "bad_magic", "bad_magic.pcap",
         b"GIF89a" + b"\0" * 40, [], exit=1,
         err="offset 0: not a pcap or pcapng file (magic 0x47494638)", stdout="")
    # damaged: exit 2, the rows before the damage are written; a file
    # header cut short opens no capture: nothing at all
    case(out, "bad_short_header", "bad_short_header.pcap",
         pcap_good()[:10], [], exit=2,
         err="offset 0: pcap file header cut short (10 of 24 bytes)", stdout="")
    g = pcap_good(snaplen=65535)
    case(out, "bad_caplen_big", "bad_caplen_big.pcap",
         g + rec_hdr(300000, 300000) + b"\0" * 64, good, exit=2,
         err="offset %d: record caplen 300000 exceeds the limit of 262144"
             " bytes (snaplen 65535)" % len(g))
    g = pcap_bytes(good, 1, snaplen=0x7FFFFFFF)
    case(out, "bad_caplen_huge", "bad_caplen_huge.pcap",
         g + rec_hdr(0x20000000, 0x20000000) + b"\0" * 64, good, exit=2,
         err="offset %d: record caplen 536870912 exceeds the limit of"
             " 268435456 bytes (snaplen 2147483647)" % len(g))
    # caplen > orig len: accepted (row normal, length = orig len)
    f = eth(mini_tcp(7))
    r = Rec(f, T0, 5000, origlen=len(f.data) - 10)
    recs = good + [r, Rec(eth(mini_tcp(8)), T0, 6000)]
    case(out, "caplen_gt_len", "caplen_gt_len.pcap", pcap_bytes(recs, 1),
         recs)
    g = pcap_good()
    nxt = eth(mini_tcp(2)).data
    case(out, "bad_cut_record", "bad_cut_record.pcap",
         g + rec_hdr(len(nxt), len(nxt)) + nxt[:20], good, exit=2,
         err="offset %d: record cut short: caplen %d but only 20 bytes"
             " follow the header" % (len(g), len(nxt)))
    case(out, "bad_cut_rechdr", "bad_cut_rechdr.pcap",
         g + rec_hdr(len(nxt), len(nxt))[:10], good, exit=2,
         err="offset %d: record header cut short (10 of 16 bytes)" % len(g))
    # the file header's link-type field: bits 0-15 the type, 16-25
    # reserved (libpcap's LT_RESERVED1, 0x03FF0000), 26-31 an FCS length
    # (pcap_fcs_declared). Reserved bits set: a damaged header, no rows, as
    # tshark refuses the file ("network type reserved field not zero");
    # bit 16 alone, and bit 25 with the FCS bits, big-endian
    for name, field, order in (("bad_linktype_reserved", 0x00010001, "<"),
                               ("bad_linktype_reserved_be", 0x26000001, ">")):
        case(out, name, name + ".pcap",
             pcap_bytes(good, field, order=order), [], exit=2,
             err="offset 0: pcap link-type field 0x%08x has reserved bits"
                 " set (0x%08x)" % (field, field & 0x03FF0000), stdout="")
    # ---- pcapng
    o = "<"
    head = shb(o) + idb(o, 1)
    good_ng = [Rec(eth(mini_tcp(i)), T0, 1000 * i, iface=0, linktype=1)
               for i in range(2)]
    gb = head + b"".join(epb(o, 0, T0 * 10 ** 6 + i, r.data, r.origlen)
                         for i, r in enumerate(good_ng))
    n = len(gb)
    nxt_blk = epb(o, 0, T0 * 10 ** 6 + 9, nxt, len(nxt))

    def set_len(blk, lead=None, trail=None):
        blk = bytearray(blk)
        if lead is not None:
            blk[4:8] = struct.pack(o + "I", lead)
        if trail is not None:
            blk[-4:] = struct.pack(o + "I", trail)
        return bytes(blk)

    L = len(nxt_blk)
    # a block length that cannot be trusted ends the file
    ng = [
        ("bad_ng_blocklen_small", gb + set_len(nxt_blk, 8, 8),
         "bad block length 8 (block type 0x00000006)"),
        ("bad_ng_blocklen_odd", gb + set_len(nxt_blk, L - 2),
         "bad block length %d (block type 0x00000006)" % (L - 2)),
        ("bad_ng_blocklen_past_eof", gb + set_len(nxt_blk, L + 64),
         "block cut short (length %d, only %d bytes left)" % (L + 64, L)),
        ("bad_ng_trailer_len", gb + set_len(nxt_blk, None, L + 4),
         "block trailing length %d disagrees with leading length %d"
         % (L + 4, L)),
        ("bad_ng_shb_major", gb + shb(o, major=2) + idb(o, 1) + nxt_blk,
         "unsupported pcapng version 2.0"),
    ]
    for name, data, why in ng:
        case(out, name, name + ".pcapng", data, good_ng, exit=2,
             err="offset %d: %s" % (n, why))
    # a damaged block whose length is sound is reported and skipped; the
    # packets after it still give rows (exit 2 all the same)
    after = Rec(eth(mini_tcp(3)), T0, 3000, iface=0, linktype=1)
    after_blk = epb(o, 0, T0 * 10 ** 6 + 3, after.data, after.origlen)
    # a simple packet block holding fewer bytes than its packet's
    # min(original length, snaplen): packet bytes are lost, as in an EPB
    # whose captured length runs past its block (Wireshark: "total block
    # length 32 of an SPB is too small for 54 bytes of packet data")
    short_spb = spb(o, nxt[:16], len(nxt))
    case(out, "bad_ng_spb_short", "bad_ng_spb_short.pcapng",
         gb + short_spb + after_blk, good_ng + [after], exit=2,
         err="offset %d: simple packet block of %d bytes too short for its %d bytes of"
             " packet" % (n, len(short_spb), len(nxt)))
    case(out, "bad_ng_no_iface", "bad_ng_no_iface.pcapng",
         gb + epb(o, 3, 0, nxt, len(nxt)) + after_blk, good_ng + [after],
         exit=2, err="offset %d: packet on interface 3, which no interface"
         " block described" % n)
    # IDB whose if_tsresol option runs past the block: the interface keeps
    # its number (later interface numbers do not shift) but is damaged: its
    # packets are skipped with a message naming the block, not given a
    # guessed resolution (until the seventh session: the default
    # microseconds, 1000 times off for this writer's nanoseconds)
    bad_idb = bytearray(idb(o, 101, tsresol=9))
    # the option header follows the 8-byte block header and the 8 bytes of
    # IDB fields: its length field is at block offset 18
    struct.pack_into(o + "H", bad_idb, 16 + 2, 200)
    on1 = Rec(sample_ip_packets()[0], T0 + 1, 5000, iface=1, linktype=101)
    on1_blk = epb(o, 1, (T0 + 1) * 10 ** 6 + 5, on1.data, on1.origlen)
    case(out, "bad_ng_idb_options", "bad_ng_idb_options.pcapng",
         gb + bytes(bad_idb) + on1_blk + after_blk, good_ng + [after],
         exit=2, err="offset %d: interface option 9 runs past its block\n"
         "pcap2kdb: testdata/bad_ng_idb_options.pcapng: offset %d: packet on interface 1, "
         "whose interface block (offset %d) is damaged" % (n, n + len(bad_idb), n))

    # options running past their block: an EPB's (after its packet bytes)
    # is reported and skipped, the packets after it kept; a section
    # header's is reported but its section still starts (byte order and
    # version are sound): the big-endian section's packet after it is read
    def overrun_options(blk, at, claim):
        blk = bytearray(blk)
        struct.pack_into(o + "H", blk, at + 2, claim)
        return bytes(blk)
    good_opt = opt(o, 1, b"abcd")
    epb_over = epb(o, 0, T0 * 10 ** 6 + 9, nxt, len(nxt), [good_opt])
    # the option header comes after the 28 bytes before the packet and the
    # packet padded to 4: its length field claims 40 bytes, 8 are left
    epb_over = overrun_options(epb_over, 28 + len(pad4(nxt)), 40)
    case(out, "bad_ng_epb_options", "bad_ng_epb_options.pcapng",
         gb + epb_over + after_blk, good_ng + [after], exit=2,
         err="offset %d: enhanced packet block option 1 runs past its block" % n)
    b = ">"
    sec2 = Rec(eth(mini_tcp(4)), T0, 4000, iface=0, linktype=1)
    shb2 = bytearray(shb(b, [opt(b, 4, b"pcap2kdb")]))
    # its first option follows the 24 bytes of block header, magic,
    # version and section length: a length of 60 with 12 bytes left
    struct.pack_into(b + "H", shb2, 24 + 2, 60)
    case(out, "bad_ng_shb_options", "bad_ng_shb_options.pcapng",
         gb + bytes(shb2) + idb(b, 1) +
         epb(b, 0, T0 * 10 ** 6 + 4, sec2.data, sec2.origlen),
         good_ng + [sec2], exit=2,
         err="offset %d: section header option 4 runs past its block" % n)
    # the same in the file's first section header: reported first
    shb1 = bytearray(shb(o, [opt(o, 4, b"pcap2kdb")]))
    struct.pack_into(o + "H", shb1, 24 + 2, 60)
    case(out, "bad_ng_shb1_options", "bad_ng_shb1_options.pcapng",
         bytes(shb1) + gb[len(shb(o)):], good_ng, exit=2,
         err="offset 0: section header option 4 runs past its block")


def cases_damaged_packets(out):
    """Damage inside packets is not input damage: exit 0, rows as far as the
    bytes give."""
    A, P = F["ACK"], F["PSH"]
    ok = lambda i: eth(mini_tcp(i))
    frags = [ok(0)]
    # IPv4 IHL < 5 and total length shorter than the header: bogus, as
    # tshark, no addresses and nothing of the transport
    frags.append(eth(ipv4("10.7.0.1", "10.7.0.2", 6,
                          tcp(1, 2, 3, 4, A, 5, payload=b"x" * 4),
                          ihl=4, fields_ok=False)))
    frags.append(eth(ipv4("10.7.0.1", "10.7.0.2", 6,
                          tcp(1, 2, 3, 4, A, 5, payload=b"x" * 4),
                          total=16, fields_ok=False)))
    frags.append(ok(1))
    # IPv6 extension chain running past the packet (hop-by-hop claims 2 KiB):
    # the protocol is the header where decoding stopped (IANA keyword)
    inner = tcp(1, 2, 3, 4, A, 5, payload=b"y" * 8)
    p6 = ipv6("2001:db8::7", "2001:db8::8", 6, inner, ext=[("hop", 8)],
              proto_ok=False)
    d = bytearray(p6.data)
    d[41] = 255                                 # hdr ext len: 2048 bytes
    p6.fields["protocol"] = ("HOPOPT", 40)
    frags.append(eth(Frag(bytes(d), p6.fields)))
    # a chain that goes on and on: 180 dest-opts headers fill the packet,
    # the last one points to yet another
    ext = [("hop", 8)] + [("dst", 8)] * 179
    p6 = ipv6("2001:db8::9", "2001:db8::a", 60, Frag(b""), ext=ext,
              proto_ok=False)
    p6.fields["protocol"] = ("IPv6-Opts", 40)
    frags.append(eth(p6))
    # TCP data offset < 5: as tshark, which gives up at the bogus header
    # length: ports and seq, then len = segment minus the 12 bytes the
    # header claims; no ack, flags, window or options
    t = tcp(7001, 7002, 70, 80, A, 90, payload=b"z" * 8, doff=3)
    for c in ("ack", "flags", "rawwin"):
        del t.fields[c]
    t.fields["len"] = (str(20 + 8 - 12), 16)
    t.meta["noflow"] = True
    frags.append(eth(ipv4("10.7.1.1", "10.7.1.2", 6, t)))
    # TCP data offset past the segment (60-byte header in a 28-byte segment)
    t = tcp(7003, 7004, 71, 81, A, 91, payload=b"z" * 8, doff=15)
    del t.fields["len"]
    frags.append(eth(ipv4("10.7.1.1", "10.7.1.2", 6, t)))
    # TCP options: timestamps before a bad option count, after it not
    for bad in (b"\x1e\x00", b"\x1e\x01"):        # length 0, length 1
        frags.append(eth(ipv4("10.7.2.1", "10.7.2.2", 6, tcp(
            7005, 7006, 72, 82, A | P, 92,
            [("nop",), ("nop",), ("ts", 11, 12),
             ("bytes", bad + b"\0\0", True)],
            payload=b"w"))))
        frags.append(eth(ipv4("10.7.2.1", "10.7.2.2", 6, tcp(
            7005, 7006, 73, 83, A | P, 93,
            [("bytes", bad + b"\0\0", True), ("nop",), ("nop",),
             ("ts", 13, 14)],
            payload=b"w"))))
    # an option longer than what is left of the header: TS claims 10 bytes
    # with 6 left (the payload behind it must not be read as option)
    frags.append(eth(ipv4("10.7.2.1", "10.7.2.2", 6, tcp(
        7005, 7006, 74, 84, A, 94,
        [("mss", 1200), ("nop",), ("nop",),
         ("bytes", b"\x08\x0a" + b"\0" * 4, True)],
        payload=b"\0\0\0\x0f\0\0\0\x10"))))
    # a known option of the wrong length gives no value and is stepped over
    # (MSS of length 3, TS of length 12); so is a SACK shorter than a block
    # (RFC 2018; tshark 4.0 throws on it: README, "Compared with tshark");
    # a TS given twice: the first counts (Wireshark 4.0)
    for opts in ([("bytes", b"\x02\x03\x05", False), ("nop",), ("ts", 15, 16),
                  ("nop",), ("nop",)],
                 [("bytes", b"\x08\x0c" + b"\0" * 10, False), ("mss", 1460)],
                 [("bytes", b"\x05\x06" + b"\0" * 4, False), ("ts", 21, 22),
                  ("nop",), ("nop",), ("nop",), ("nop",)],
                 [("ts", 17, 18), ("ts", 19, 20)]):
        frags.append(eth(ipv4("10.7.2.1", "10.7.2.2", 6, tcp(
            7007, 7008, 75, 85, A, 95, opts, payload=b"v"))))
    frags.append(ok(2))
    recs = [Rec(f, T0, 1000 * i) for i, f in enumerate(frags)]
    case(out, "bad_packets", "bad_packets.pcap", pcap_bytes(recs, 1), recs)
    case(out, "bad_packets_cols", "bad_packets.pcap", None, recs,
         "--columns frame,src,protocol,srcport,seq,flags,rawwin,mss,tsval,len",
         ["frame", "src", "protocol", "srcport", "seq", "flags", "rawwin",
          "mss", "tsval", "len"])


ALL = [cases_pcap_magics, cases_ethernet, cases_linktypes, cases_ip,
       cases_ipv6_text, cases_ipv6_routing, cases_icmp_quote,
       cases_icmp_quote_trailer, cases_icmp_quote_rfc4884,
       cases_icmp_quote_routing, cases_icmp_quote_nested, cases_ipv6_crh,
       cases_ipv6_shim6,
       cases_ipv4_options, cases_ipv6_home_address, cases_ipv6_options,
       cases_ip_more, cases_tcp, cases_tcp_option_throws,
       cases_tcp_option_twice, cases_tcp_cut_options, cases_truncation,
       cases_pcapng,
       cases_damaged_files, cases_damaged_packets]


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    table = "--table" in argv
    args = [a for a in argv if a != "--table"]
    outdir = args[0] if args else os.path.join(root, "testdata")
    os.makedirs(outdir, exist_ok=True)
    out = Out(outdir)
    for fn in ALL:
        fn(out)
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    if table:
        for name, cap, code, extra in CASES:
            print("%s\t%s\t%d\t%s" % (name, cap, code, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
