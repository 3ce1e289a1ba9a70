#!/usr/bin/env python3
"""Golden cases for IP fragment reassembly (issue 15), written like
tests/gen_testdata.py (whose packet builders and row oracle it uses): each
capture is assembled byte by byte and the expected rows come from this file's
own model of Wireshark 4.0's defaults (epan/reassemble.c fragment_add_check,
packet-ip.c, packet-ipv6.c), not from pcap2kdb:

- the key is (IP version, src, dst, id): IPv4 id = protocol ^ IP ID (^ the
  VLAN id of pinfo_vlan between private addresses), IPv6 id = the fragment
  header's identification;
- a fragment is added only when its whole payload was captured and is not
  empty (packet-ip.c: ip_len > hlen; packet-ipv6.c: frag_plen > 0, so an
  empty IPv6 last fragment sets no length); an IPv4 first fragment that was
  not captured whole shows its own transport header (TCP without a length)
  and, as data, the payload bytes captured after it (tcp.payload), an IPv6
  one shows neither;
- the datagram's length is set by the first fragment with MF clear; it
  completes on the first fragment after which the bytes 0..length are all
  covered; overlapping bytes come from the fragment with the lower offset,
  then from the earlier one;
- that fragment's row carries the transport fields (len for the whole
  datagram); the others none; a completed datagram leaves the table;
- a reassembled datagram is dissected whole: an IPv4-in-IPv4 datagram whose
  inner packet is itself a fragment adds that fragment to the table (nested
  fragmentation), so does an IPv6 one that starts with another fragment
  header (where tshark 4.0 reads on as if it were atomic: README), and headers of any length after an IPv6 fragment header
  are read through, whichever columns are asked for.

    python3 tests/gen_ipfrag.py [OUTDIR]   (default <repo>/testdata)
    python3 tests/gen_ipfrag.py --table    also print the golden.tsv lines
    python3 tests/gen_ipfrag.py --tshark   also check the expected transport
                                           columns against tshark 4.0
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_testdata as g  # noqa: E402

T0 = g.T0


# ---------------------------------------------------------------- the model

class Reassembler:
    """Wireshark's one-pass IP reassembly, without its (absent) bounds."""

    def __init__(self):
        self.table = {}

    def add(self, key, offset, data, more):
        """Returns the datagram's bytes when this fragment completes it."""
        d = self.table.setdefault(key, {"pieces": [], "datalen": None})
        # sorted by offset, equal offsets in arrival order (LINK_FRAG)
        i = len(d["pieces"])
        while i > 0 and d["pieces"][i - 1][0] > offset:
            i -= 1
        d["pieces"].insert(i, (offset, data))
        if not more and d["datalen"] is None:
            d["datalen"] = offset + len(data)
        if d["datalen"] is None:
            return None
        top = 0
        for off, b in d["pieces"]:
            if off <= top < off + len(b):
                top = off + len(b)
        if top < d["datalen"]:
            return None
        out = bytearray(d["datalen"])
        pos = 0
        for off, b in d["pieces"]:
            if off >= d["datalen"]:
                continue
            end = min(off + len(b), d["datalen"])
            if end > pos:
                out[pos:end] = b[pos - off:end - off]
                pos = end
        del self.table[key]
        return bytes(out)


def transport_fields(proto, b):
    """Row fields and flow meta of the transport header at the start of b
    (a whole datagram payload)."""
    if proto == 17:
        sport, dport, ulen = struct.unpack(">HHH", b[:6])
        return {"srcport": str(sport), "destport": str(dport),
                "len": str(ulen - 8) if ulen >= 8 else ""}, {}
    assert proto == 6
    sport, dport, seq, ack, off, fl, win = struct.unpack(">HHIIBBH", b[:16])
    hl = (off >> 4) * 4
    flags = fl | (0x100 if off & 1 else 0)
    f = {"srcport": str(sport), "destport": str(dport), "seq": str(seq),
         "ack": str(ack), "flags": g.flags_str(flags), "rawwin": str(win),
         "len": str(len(b) - hl)}
    m = {"tcp_off": -10**6, "sport": sport, "dport": dport, "seq": seq,
         "ack": ack, "flags": flags, "win": win, "paylen": len(b) - hl}
    i = 20
    while i < hl:                      # the options these cases use
        k = b[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        n = b[i + 1]
        if k == 8:
            tsval, tsecr = struct.unpack(">II", b[i + 2:i + 10])
            f["tsval"], f["tsecr"] = str(tsval), str(tsecr)
        elif k == 2:
            f["mss"] = struct.unpack(">H", b[i + 2:i + 4])[0]
        i += n
    return f, m


def v4frag(src, dst, proto, ipid, payload, off, more, caplen=None, ttl=64):
    """(record frag, model entry) for an IPv4 fragment of payload bytes."""
    fr = g.ipv4(src, dst, proto, g.Frag(payload), df=False, mf=more,
                fragoff=off, ipid=ipid, ttl=ttl)
    if proto == 4:
        # a fragment of IP-in-IP: until reassembled the outer header is the
        # row's (gen_testdata's ipv4() leaves a tunnel's fields to the inner)
        fr.fields.update({"src": (src, 0), "dest": (dst, 0),
                          "ttl": (str(ttl), 0), "ipid": (str(ipid), 0),
                          "protocol": ("IPv4", 0)})
    return g.eth(fr), ("v4", src, dst, proto ^ ipid, off, payload, more,
                       proto, caplen)


def v6frag(src, dst, nh, ident, payload, off, more, before=(), caplen=None, tags=()):
    """IPv6 fragment: before = extension headers ahead of the fragment
    header; nh = the header the fragment header names (the fragmentable
    part starts with it). A Home Address option ahead ("hao", home) keys
    the datagram on the home address, as Wireshark keys it (pinfo->src)."""
    fr = g.ipv6(src, dst, nh, g.Frag(payload),
                ext=list(before) + [("frag", off, 1 if more else 0, ident)])
    key_src = ([e[1] for e in before if e[0] == "hao"] or [src])[-1]
    return g.eth(fr, tags=tags), ("v6", key_src, dst, ident, off, payload, more, nh,
                       caplen)


def v4frag_tunnelled(osrc, odst, src, dst, proto, ipid, payload, off, more):
    """An IPv4 fragment inside an unfragmented IPv4-in-IPv4 tunnel."""
    inner = g.ipv4(src, dst, proto, g.Frag(payload), df=False, mf=more,
                   fragoff=off, ipid=ipid)
    fr = g.ipv4(osrc, odst, 4, inner, ipid=0x7000 + off // 8)
    return g.eth(fr), ("v4", src, dst, proto ^ ipid, off, payload, more,
                       proto, None)


# ------------------------------------------------ the VLAN id in the key

def private4(a):
    """RFC 1918 and link-local IPv4: packet-ip.c adds the VLAN id to the
    key only when the source or the destination is one of these."""
    b = [int(x) for x in a.split(".")]
    return (b[0] == 10 or (b[0] == 172 and 16 <= b[1] < 32) or b[:2] == [192, 168]
            or b[:2] == [169, 254])


def pinfo_vlan(path):
    """Wireshark 4.0's pinfo->vlan_id once the headers of path (outermost
    first) are read: ("tag", tpid, vid) sets it when it is still 0 if the
    802.1Q dissector reads the tag (0x8100, 0x9100), never for 802.1ad
    (0x88A8); ("erspan2", vlan, encap) when still 0 and encap is not 3 (the
    frame keeps its tag); ("erspan3", vlan) always; ("gre",) never."""
    v = 0
    for h in path:
        if h[0] == "tag" and h[1] in (0x8100, 0x9100) and v == 0:
            v = h[2]
        elif h[0] == "erspan2" and v == 0 and h[2] != 3:
            v = h[1]
        elif h[0] == "erspan3":
            v = h[1]
    return v


OUT_A, OUT_B = "192.0.2.1", "192.0.2.2"


def in_tunnel(frame, tun, outer_tags):
    """frame (an Ethernet Frag) inside tun ("gre",), ("erspan2", vlan,
    encap) or ("erspan3", vlan), over an Ethernet frame with outer_tags. The
    row is the inner packet's; its vlan the outer link's first tag."""
    if tun[0] == "gre":                 # transparent Ethernet bridging
        outer_ip = g.ipv4(OUT_A, OUT_B, 47, g.Frag(struct.pack(">HH", 0, 0x6558) + frame.data),
                          ipid=0x7001)
    elif tun[0] == "erspan2":
        hdr = struct.pack(">HHI", 0x1000, 0x88BE, 1) + struct.pack(
            ">HHI", 1 << 12 | tun[1], tun[2] << 11 | 5, 0)
        outer_ip = g.ipv4(OUT_A, OUT_B, 47, g.Frag(hdr + frame.data), ipid=0x7002)
    else:
        hdr = struct.pack(">HHI", 0x1000, 0x22EB, 1) + struct.pack(
            ">HHIHH", 2 << 12 | tun[1], 5, 0, 0, 0)
        outer_ip = g.ipv4(OUT_A, OUT_B, 47, g.Frag(hdr + frame.data), ipid=0x7003)
    outer = g.eth(outer_ip, tags=outer_tags)
    prefix = outer.data[:len(outer.data) - len(frame.data)]
    fields = {c: v for c, v in frame.fields.items() if c != "vlan"}
    view = g.Frag(frame.data, fields, frame.meta).wrap(prefix)
    if outer_tags:
        view.fields["vlan"] = (str(outer_tags[0][1]), 0)
    return view


def v4frag_vlan(src, dst, proto, ipid, payload, off, more, outer=(), tun=None, inner=()):
    """An IPv4 fragment in an Ethernet frame with tags outer, or inside the
    tunnel tun over that frame, in an inner frame with tags inner. The key's
    id is protocol ^ IP ID ^ pinfo->vlan_id (between private addresses)."""
    fr = g.ipv4(src, dst, proto, g.Frag(payload), df=False, mf=more, fragoff=off, ipid=ipid)
    if tun is None:
        frame = g.eth(fr, tags=outer)
        path = [("tag",) + tuple(t) for t in outer]
    else:
        frame = in_tunnel(g.eth(fr, tags=inner), tun, outer)
        path = ([("tag",) + tuple(t) for t in outer] + [tun] +
                [("tag",) + tuple(t) for t in inner])
    fid = proto ^ ipid
    if private4(src) or private4(dst):
        fid ^= pinfo_vlan(path)
    return frame, ("v4", src, dst, fid, off, payload, more, proto, None)


def dstopts(nh, n=8):
    """A destination options header of n bytes naming nh (PadN filled:
    one PadN option, or two when n is over 257 bytes)."""
    if n - 4 <= 255:
        return struct.pack(">BBBB", nh, n // 8 - 1, 1, n - 4) + b"\0" * (n - 4)
    rest = n - 2 - 257
    return (struct.pack(">BBBB", nh, n // 8 - 1, 1, 255) + b"\0" * 255 +
            struct.pack(">BB", 1, rest - 2) + b"\0" * (rest - 2))


def inner_ipv4(model, dg, fields):
    """The IPv4 packet dg carried in a reassembled IP-in-IP datagram: its
    header's fields into fields; returns (protocol, the bytes after its
    header), or (protocol, None) when it is a fragment (added to the model
    under its own key) that completes no datagram."""
    hl = (dg[0] & 15) * 4
    src = ".".join(map(str, dg[12:16]))
    dst = ".".join(map(str, dg[16:20]))
    ipid = struct.unpack(">H", dg[4:6])[0]
    fields.update({"src": (src, 0), "dest": (dst, 0), "ttl": (str(dg[8]), 0),
                   "ipid": (str(ipid), 0),
                   "protocol": (g.IPPROTO_NAME[dg[9]], 0)})
    proto, total = dg[9], struct.unpack(">H", dg[2:4])[0]
    fl = struct.unpack(">H", dg[6:8])[0]
    if not fl & 0x3FFF:                 # neither MF nor an offset
        return proto, dg[hl:]
    return proto, model.add(("v4", src, dst, proto ^ ipid), (fl & 0x1FFF) * 8,
                            dg[hl:total], bool(fl & 0x2000))


def build(entries):
    """Records for entries: ("pkt", Frag) for an unfragmented frame, or the
    (frag, model) pairs of v4frag/v6frag. The model decides which row shows
    the transport fields."""
    model = Reassembler()
    recs = []
    for i, (fr, ent) in enumerate(entries):
        if ent is None:
            recs.append(g.Rec(fr, T0, 1000 * i))
            continue
        ver, src, dst, fid, off, payload, more, proto, caplen = ent
        full = len(fr.data)
        rec = g.Rec(fr, T0, 1000 * i,
                    caplen=None if caplen is None else caplen)
        whole = caplen is None or caplen >= full
        if whole and not payload:
            pass                        # empty: not added, nothing shown
        elif whole:
            dg = model.add((ver, src, dst, fid), off, payload, more)
            if dg is not None:
                fields = dict(fr.fields)
                if ver == "v6":
                    while proto in (60, 44):    # post-fragment headers
                        if proto == 44:
                            # another fragment header: by its bytes a
                            # fragment of another datagram (its own id),
                            # added in turn; an atomic one is read through
                            fo, ident = struct.unpack(">HI", dg[2:8])
                            proto, dg = dg[0], dg[8:]
                            if fo & 0xFFF9:
                                assert dg, "an empty one is read through"
                                dg = model.add(("v6", src, dst, ident), fo & 0xFFF8,
                                               dg, bool(fo & 1))
                                break
                            continue
                        proto, n = dg[0], (dg[1] + 1) * 8
                        dg = dg[n:]
                if proto == 4:                  # IP-in-IP: the inner header's
                    proto, dg = inner_ipv4(model, dg, fields)
                m = {}
                if dg is not None:
                    f, m = transport_fields(proto, dg)
                    fields.update({c: (v, 0) for c, v in f.items()})
                if ver == "v6":
                    fields["protocol"] = (g.IPPROTO_NAME[proto], 0)
                rec.frag = g.Frag(fr.data, fields, m)
        elif ver == "v4" and off == 0 and proto in (6, 17):
            # not added; an IPv4 first fragment shows its own header (TCP:
            # no length, so raw numbers)
            f, m = transport_fields(proto, payload + b"\0" * 64)
            cap_ip = caplen - 14 - 20
            need = {"srcport": 4, "destport": 4, "seq": 16, "ack": 16,
                    "flags": 16, "rawwin": 16, "len": 8, "tsval": 999,
                    "tsecr": 999}
            fields = dict(fr.fields)
            for c, v in f.items():
                if c == "len" and proto == 6:
                    continue
                if need.get(c, 999) <= cap_ip:
                    fields[c] = (v, 0)
            hl = (payload[12] >> 4) * 4 if proto == 6 else 8
            if cap_ip > hl:
                fields["data"] = (payload[hl:cap_ip].hex(), 0)
            m.pop("paylen", None)
            m["nolen"] = True
            rec.frag = g.Frag(fr.data, fields, m if cap_ip >= 16 else {})
        recs.append(rec)
    return recs


# ---------------------------------------------------------------- the cases

A, B = "192.0.2.10", "198.51.100.20"
A6, B6 = "2001:db8::10", "2001:db8::20"


def udp_bytes(sport, dport, payload):
    return g.udp(sport, dport, payload).data


def split(b, sizes):
    """Pieces of b of the given sizes (the last takes the rest)."""
    out, off = [], 0
    for n in sizes:
        out.append((off, b[off:off + n]))
        off += n
    out.append((off, b[off:]))
    return out


def v4pieces(proto, ipid, dg, sizes, src=A, dst=B):
    ps = split(dg, sizes)
    return [v4frag(src, dst, proto, ipid, b, off, i < len(ps) - 1)
            for i, (off, b) in enumerate(ps)]


def plain_udp(i):
    return (g.eth(g.ipv4(A, B, 17, g.udp(53, 5353, b"x" * i), ipid=1)), None)


def cases(out):
    dg = udp_bytes(1111, 2222, bytes(range(200)) * 2)          # 408 bytes
    tcpdg = g.tcp(40000, 80, 1000, 2000, g.F["ACK"] | g.F["PSH"], 512,
                  opts=[("nop",), ("nop",), ("ts", 7, 8)],
                  payload=b"GET /" + b"a" * 300).data

    # in order, with unfragmented packets around
    recs = build([plain_udp(1)] + v4pieces(17, 0x100, dg, [160, 160]) +
                 [plain_udp(2)])
    g.case(out, "frag_inorder", "frag_inorder.pcap", g.pcap_bytes(recs, 1),
           recs)
    # reversed: the first fragment completes the datagram
    recs = build(list(reversed(v4pieces(17, 0x101, dg, [160, 160]))))
    g.case(out, "frag_reversed", "frag_reversed.pcap", g.pcap_bytes(recs, 1),
           recs)
    # interleaved: a UDP and a TCP datagram with the same IP ID between the
    # same hosts (the protocol is in the key), and one the other way round
    u = v4pieces(17, 0x200, dg, [104, 104, 104])
    t = v4pieces(6, 0x200, tcpdg, [152])
    r = v4pieces(17, 0x200, dg, [200], src=B, dst=A)
    recs = build([u[0], t[0], r[0], u[1], t[1], u[3], r[1], u[2]])
    g.case(out, "frag_interleaved", "frag_interleaved.pcap",
           g.pcap_bytes(recs, 1), recs)
    # overlapping: a later-arriving fragment at a lower offset wins the
    # bytes it shares (here the TCP ack and flags); a fragment at the same
    # offset that arrives later loses them
    alt = bytearray(tcpdg)
    alt[8:16] = struct.pack(">IBBH", 999, 0x80, g.F["ACK"], 512)
    alt2 = bytearray(tcpdg)
    alt2[0:4] = struct.pack(">HH", 1, 2)
    recs = build([
        v4frag(A, B, 6, 0x300, bytes(alt[8:200]), 8, True),
        v4frag(A, B, 6, 0x300, tcpdg[200:], 200, False),
        v4frag(A, B, 6, 0x300, tcpdg[0:16], 0, True),
        # complete now; the same key starts a new datagram: same offset
        # twice, the first one's bytes count
        v4frag(A, B, 6, 0x301, tcpdg[0:64], 0, True),
        v4frag(A, B, 6, 0x301, bytes(alt2[0:64]), 0, True),
        v4frag(A, B, 6, 0x301, tcpdg[64:], 64, False),
    ])
    g.case(out, "frag_overlap", "frag_overlap.pcap", g.pcap_bytes(recs, 1),
           recs)
    # duplicates: a repeated first fragment before completion; after it, the
    # same fragments again form a new datagram, whose first tail (shorter
    # than the UDP length says) sets its length: Wireshark's "multiple
    # tails" rule; udp.length - 8 stays the row's len
    p = v4pieces(17, 0x400, dg, [128, 128])
    odd_tail = v4frag(A, B, 17, 0x400, dg[256:300], 256, False)
    recs = build([p[0], p[0], p[2], p[1], p[1], odd_tail, p[0]])
    g.case(out, "frag_duplicate", "frag_duplicate.pcap",
           g.pcap_bytes(recs, 1), recs)
    # never completed: a gap; and a first fragment cut short by the snaplen
    # (not added: it shows its own ports, TCP without a length) whose
    # datagram then lacks its first bytes
    p = v4pieces(17, 0x500, dg, [96, 96, 96])
    q = v4pieces(6, 0x501, tcpdg, [200])
    cut = (q[0][0], q[0][1][:8] + (14 + 20 + 24,))
    recs = build([p[0], p[1], p[3], cut, q[1], plain_udp(3)])
    g.case(out, "frag_incomplete", "frag_incomplete.pcap",
           g.pcap_bytes(recs, 1), recs)
    # IPv6: hop-by-hop before the fragment header, destination options
    # after it (in the fragmentable part); UDP, then TCP, out of order
    u6 = dstopts(17) + dg
    t6 = dstopts(6, 16) + tcpdg
    hop = [("hop", 8)]
    us = split(u6, [200])
    ts = split(t6, [120, 104])
    recs = build([
        v6frag(A6, B6, 60, 0xA1, us[1][1], us[1][0], False, hop),
        v6frag(A6, B6, 60, 0xB2, ts[0][1], ts[0][0], True),
        v6frag(A6, B6, 60, 0xA1, us[0][1], us[0][0], True, hop),
        v6frag(A6, B6, 60, 0xB2, ts[2][1], ts[2][0], False),
        v6frag(B6, A6, 60, 0xB2, ts[1][1], ts[1][0], True),  # other key
        v6frag(A6, B6, 60, 0xB2, ts[1][1], ts[1][0], True),
    ])
    g.case(out, "frag_ipv6", "frag_ipv6.pcap", g.pcap_bytes(recs, 1), recs)
    # Home Address options (RFC 6275 section 6.3) before the fragment
    # header: two datagrams from one care-of address with one
    # identification but two home addresses are two, interleaved
    h1 = split(udp_bytes(1001, 2001, b"h" * 150), [104])
    h2 = split(udp_bytes(1002, 2002, b"i" * 90), [48])
    hao = lambda h: [("hao", h)]
    recs = build([
        v6frag(A6, B6, 17, 0xC3, h1[0][1], 0, True, hao("2001:db8:1::1")),
        v6frag(A6, B6, 17, 0xC3, h2[0][1], 0, True, hao("2001:db8:1::2")),
        v6frag(A6, B6, 17, 0xC3, h1[1][1], h1[1][0], False,
               hao("2001:db8:1::1")),
        v6frag(A6, B6, 17, 0xC3, h2[1][1], h2[1][0], False,
               hao("2001:db8:1::2")),
    ])
    g.case(out, "frag_ipv6_hao", "frag_ipv6_hao.pcap", g.pcap_bytes(recs, 1),
           recs)
    # TCP in fragments: a connection whose data segment is fragmented; the
    # completing row feeds the flow table (stream, relative numbers)
    syn = g.tcp(40001, 80, 5000, 0, g.F["SYN"], 1000, opts=[("nop",), ("ws", 2)])
    synack = g.tcp(80, 40001, 9000, 5001, g.F["SYN"] | g.F["ACK"], 2000,
                   opts=[("nop",), ("ws", 3)])
    seg = g.tcp(40001, 80, 5001, 9001, g.F["ACK"] | g.F["PSH"], 700,
                payload=b"z" * 600).data
    ack = g.tcp(80, 40001, 9001, 5601, g.F["ACK"], 2000)
    fr = v4pieces(6, 0x600, seg, [208, 208])
    recs = build([(g.eth(g.ipv4(A, B, 6, syn, ipid=2)), None),
                  (g.eth(g.ipv4(B, A, 6, synack, ipid=3)), None),
                  fr[1], fr[0], fr[2],
                  (g.eth(g.ipv4(B, A, 6, ack, ipid=4)), None)])
    g.case(out, "frag_tcp", "frag_tcp.pcap", g.pcap_bytes(recs, 1), recs,
           "--columns frame,src,srcport,destport,flags,rseq,rack,win,len,"
           "stream,ipid",
           ["frame", "src", "srcport", "destport", "flags", "rseq", "rack",
            "win", "len", "stream", "ipid"])
    # tunnels: an IPv4-in-IPv4 datagram fragmented outside (the inner
    # header and its UDP on the completing fragment), and an inner datagram
    # fragmented inside an unfragmented tunnel
    inner = g.ipv4("10.9.0.1", "10.9.0.2", 17,
                   g.udp(4444, 5555, b"Q" * 300), ipid=5).data
    small = udp_bytes(1, 2, b"W" * 250)
    ps = split(small, [128])
    recs = build(v4pieces(4, 0x99, inner, [160]) + [
        v4frag_tunnelled(A, B, "10.9.0.3", "10.9.0.4", 17, 6, b, off,
                         i < len(ps) - 1) for i, (off, b) in enumerate(ps)])
    g.case(out, "frag_tunnel", "frag_tunnel.pcap", g.pcap_bytes(recs, 1),
           recs, "--columns frame,src,dest,protocol,ttl,ipid,srcport,"
           "destport,len", ["frame", "src", "dest", "protocol", "ttl", "ipid",
                            "srcport", "destport", "len"])
    # nested fragmentation: inner IPv4 datagrams fragmented, each inner
    # fragment carried in IPv4-in-IPv4, some of whose outer packets are
    # fragmented too. Datagram 1: its first inner fragment in two outer
    # fragments, then its last inner fragment in one unfragmented outer
    # packet, which completes it. Datagram 2 (TCP): its last inner fragment
    # first, then the outer fragments of its first, in reverse: the row
    # that completes the outer datagram completes the inner one too.
    ng = udp_bytes(3333, 4444, bytes(i & 0xFF for i in range(480)))
    n1 = g.ipv4("10.20.0.1", "10.20.0.2", 17, g.Frag(ng[:400]), df=False,
                mf=True, ipid=0x321, ttl=33).data
    ntcp = g.tcp(40010, 8080, 77, 88, g.F["ACK"] | g.F["PSH"], 900,
                 opts=[("nop",), ("nop",), ("ts", 11, 12)],
                 payload=b"N" * 340).data
    t1 = g.ipv4("10.20.0.3", "10.20.0.4", 6, g.Frag(ntcp[:296]), df=False,
                mf=True, ipid=0x322, ttl=34).data
    nested = (v4pieces(4, 0x41, n1, [208]) +
              [v4frag_tunnelled(A, B, "10.20.0.1", "10.20.0.2", 17, 0x321,
                                ng[400:], 400, False),
               v4frag_tunnelled(A, B, "10.20.0.3", "10.20.0.4", 6, 0x322,
                                ntcp[296:], 296, False)] +
              list(reversed(v4pieces(4, 0x42, t1, [160]))))
    recs = build(nested)
    ncols = ["frame", "src", "dest", "protocol", "ttl", "ipid", "srcport",
             "destport", "len"]
    g.case(out, "frag_nested", "frag_nested.pcap", g.pcap_bytes(recs, 1), recs,
           "--columns " + ",".join(ncols), ncols)
    # three levels of nested fragmentation, the outermost datagram carrying
    # an Ethernet frame (transparent GRE) whose IPv4-in-IPv4 fragment
    # completes the middle one, whose inner fragment completes a UDP
    # datagram. The last record completes all three: its row shows the UDP
    # ports and the addresses of the Ethernet frame inside the outermost
    # datagram, whose bytes must outlive the two completions after it (a
    # buffer reused there showed other bytes, or freed ones).
    in_dst, in_src = bytes.fromhex("02000000b001"), bytes.fromhex("02000000b002")
    u3 = udp_bytes(1111, 2222, bytes(range(64)))
    f3a = g.ipv4("10.3.0.1", "10.3.0.2", 17, g.Frag(u3[:40]), df=False, mf=True,
                 ipid=0x33)
    f3b = g.ipv4("10.3.0.1", "10.3.0.2", 17, g.Frag(u3[40:]), df=False,
                 fragoff=40, ipid=0x33).data
    f2a = g.ipv4("10.2.0.1", "10.2.0.2", 4, g.Frag(f3b[:24]), df=False, mf=True,
                 ipid=0x22)
    f2b = g.ipv4("10.2.0.1", "10.2.0.2", 4, g.Frag(f3b[24:]), df=False,
                 fragoff=24, ipid=0x22).data
    gre = (struct.pack(">HH", 0, 0x6558) + in_dst + in_src +
           struct.pack(">H", 0x0800) + f2b)
    f1a = g.ipv4(A, B, 47, g.Frag(gre[:32]), df=False, mf=True, ipid=0x11)
    f1b = g.ipv4(A, B, 47, g.Frag(gre[32:]), df=False, fragoff=32, ipid=0x11)
    recs = [g.Rec(g.eth(fr), T0, 1000 * i) for i, fr in enumerate([f3a, f2a, f1a, f1b])]
    mac = lambda b: ":".join("%02x" % x for x in b)
    outer = (mac(g.ETH_SRC), mac(g.ETH_DST))
    rows = [("1", "10.3.0.1", "10.3.0.2", "", "") + outer,
            ("2", "10.2.0.1", "10.2.0.2", "", "") + outer,
            ("3", A, B, "", "") + outer,
            ("4", "10.3.0.1", "10.3.0.2", "1111", "2222", mac(in_src), mac(in_dst))]
    n3cols = "frame,src,dest,srcport,destport,smac,dmac"
    g.case(out, "frag_nested3", "frag_nested3.pcap", g.pcap_bytes(recs, 1), recs,
           "--columns " + n3cols,
           stdout=n3cols + "\n" + "".join(",".join(r) + "\n" for r in rows))
    # headers after the IPv6 fragment header longer than a fragment: a
    # 264-byte destination options header, then UDP, then TCP
    pu = dstopts(17, 264) + udp_bytes(5151, 6161, b"p" * 100)
    pt = dstopts(6, 272) + tcpdg
    us, ts = split(pu, [200]), split(pt, [256, 128])
    recs = build([
        v6frag(A6, B6, 60, 0xD4, us[0][1], 0, True),
        v6frag(A6, B6, 60, 0xD5, ts[2][1], ts[2][0], False),
        v6frag(A6, B6, 60, 0xD4, us[1][1], us[1][0], False),
        v6frag(A6, B6, 60, 0xD5, ts[0][1], 0, True),
        v6frag(A6, B6, 60, 0xD5, ts[1][1], ts[1][0], True),
    ])
    g.case(out, "frag_ipv6_longext", "frag_ipv6_longext.pcap",
           g.pcap_bytes(recs, 1), recs)
    # the rows do not depend on the columns: the data column too
    recs = build(nested)   # a fresh model: the same rows
    for r_ in recs:
        if "len" in r_.frag.fields:
            body = ng[8:] if r_.frag.fields["srcport"][0] == "3333" \
                else ntcp[32:]
            r_.frag.fields["data"] = (body[:16].hex(), 0)
    g.case(out, "frag_nested_data", "frag_nested.pcap", None, recs,
           "--columns " + ",".join(ncols + ["data"]) + " --data-max 16",
           ncols + ["data"])
    # fragments with no payload are not added (IPv4 and IPv6 alike): an
    # empty IPv6 last fragment after the others completes nothing (A),
    # nor before them (B), and one inside the data cuts nothing short: the
    # real last fragment completes the datagram (C); an empty IPv4 last
    # fragment likewise (D)
    eu = udp_bytes(7070, 8080, bytes(range(40)))
    e4 = udp_bytes(7071, 8081, bytes(range(40)))
    recs = build([
        v6frag(A6, B6, 17, 0xE1, eu[:24], 0, True),
        v6frag(A6, B6, 17, 0xE1, eu[24:], 24, True),
        v6frag(A6, B6, 17, 0xE1, b"", 48, False),
        v6frag(A6, B6, 17, 0xE2, b"", 48, False),
        v6frag(A6, B6, 17, 0xE2, eu[:24], 0, True),
        v6frag(A6, B6, 17, 0xE2, eu[24:], 24, True),
        v6frag(A6, B6, 17, 0xE3, eu[:24], 0, True),
        v6frag(A6, B6, 17, 0xE3, b"", 16, False),
        v6frag(A6, B6, 17, 0xE3, eu[24:], 24, False),
        v4frag(A, B, 17, 0xE4, e4[:24], 0, True),
        v4frag(A, B, 17, 0xE4, b"", 24, False),
        v4frag(A, B, 17, 0xE4, e4[24:], 24, False),
    ])
    g.case(out, "frag_empty", "frag_empty.pcap", g.pcap_bytes(recs, 1), recs)
    # the data column on a first fragment cut by the snap length: the
    # payload bytes captured, as on an unfragmented segment cut the same
    # way (TCP: the first fragment's segment has no length; UDP)
    cseg = g.tcp(41000, 443, 70000, 80000, g.F["ACK"] | g.F["PSH"], 300,
                 opts=[("nop",), ("nop",), ("ts", 5, 6)],
                 payload=bytes(range(7, 127))).data
    cudp = udp_bytes(9000, 9001, bytes(range(50, 170)))
    whole_cut = g.Rec(g.eth(g.ipv4(A, B, 6, g.tcp(
        41000, 443, 70000, 80000, g.F["ACK"] | g.F["PSH"], 300,
        opts=[("nop",), ("nop",), ("ts", 5, 6)],
        payload=bytes(range(7, 127))), ipid=0x801)), T0, 0,
        caplen=14 + 20 + 32 + 30)
    whole_cut.frag.fields["data"] = (cseg[32:62].hex(), 0)
    q = v4pieces(6, 0x802, cseg, [96])
    u = v4pieces(17, 0x803, cudp, [64])
    recs = [whole_cut] + build([
        (q[0][0], q[0][1][:8] + (14 + 20 + 32 + 30,)), q[1],
        (u[0][0], u[0][1][:8] + (14 + 20 + 8 + 21,)), u[1]])
    for i, r_ in enumerate(recs):
        r_.ns = 1000 * i
    dcols = ["frame", "srcport", "destport", "seq", "flags", "len", "data"]
    g.case(out, "frag_snapcut_data", "frag_snapcut_data.pcap",
           g.pcap_bytes(recs, 1), recs, "--columns " + ",".join(dcols), dcols)
    # a fragment quoted whole in an ICMP or ICMPv6 error is a copy sent
    # back, not a fragment on its way (RFC 792, RFC 4443 section 2.4): it is
    # not added, so the real fragments complete the datagram on the real
    # first one. (tshark 4.0 adds the quote: README, Compared with tshark.)
    qu = udp_bytes(1500, 2500, bytes(range(120)))
    q4 = g.ipv4(A, B, 17, g.Frag(qu[:80]), df=False, mf=True, ipid=0x901)
    q6 = g.ipv6(A6, B6, 17, g.Frag(qu[:80]), ext=[("frag", 0, 1, 0x902)])
    p4 = v4pieces(17, 0x901, qu, [80])
    p6 = [v6frag(A6, B6, 17, 0x902, qu[:80], 0, True),
          v6frag(A6, B6, 17, 0x902, qu[80:], 80, False)]
    recs = build([
        (g.eth(g.ipv4(B, A, 1, g.icmp(3, 4, struct.pack(">HH", 0, 1400),
                                      payload=q4.data), ipid=0x7777)), None),
        p4[1], p4[0],
        (g.eth(g.ipv6(B6, A6, 58, g.icmp6(2, 0, struct.pack(">I", 1280),
                                          payload=q6.data))), None),
        p6[1], p6[0]])
    g.case(out, "frag_icmp_quote", "frag_icmp_quote.pcap",
           g.pcap_bytes(recs, 1), recs)
    # A fragment header is 8 bytes whatever its reserved byte (RFC 8200
    # section 4.5: ignored on reception; packet-ipv6.c reads 8), unlike the
    # other extension headers, whose second byte is a length: atomic
    # fragments (offset 0, M clear) with reserved bytes ff and 01 read on to
    # their UDP header (the second through a destination options header),
    # and a datagram in two fragments with ff completes as any other
    def reserved(frame, value):
        at = 14 + 40 + 1                # Ethernet, IPv6, the next header byte
        assert frame.data[at - 1 - 40 + 6] == 44    # IPv6 next header: fragment
        data = frame.data[:at] + bytes([value]) + frame.data[at + 1:]
        return g.Frag(data, frame.fields, frame.meta)
    rd = udp_bytes(3131, 4141, bytes(range(100)))
    rp = [v6frag(A6, B6, 17, 0xF8, rd[:56], 0, True),
          v6frag(A6, B6, 17, 0xF8, rd[56:], 56, False)]
    recs = build([
        (reserved(g.eth(g.ipv6(A6, B6, 17, g.udp(3030, 4040, b"atomic"),
                               ext=[("frag", 0, 0, 0xF7)])), 0xFF), None),
        (reserved(g.eth(g.ipv6(A6, B6, 17, g.udp(3031, 4041, b"atomic, options"),
                               ext=[("frag", 0, 0, 0xF7), ("dst", 16)])), 0x01), None),
        (reserved(rp[0][0], 0xFF), rp[0][1]), (reserved(rp[1][0], 0xFF), rp[1][1])])
    g.case(out, "frag_ipv6_reserved", "frag_ipv6_reserved.pcap", g.pcap_bytes(recs, 1),
           recs)
    # protocol of the fragments that complete nothing: an IPv4 fragment's
    # header names the transport (UDP on all three); an IPv6 fragment shows
    # what its fragment header names: with destination options after it
    # IPv6-Opts on the first two (the first carries the options and the UDP
    # header), UDP on the completing one; with nothing between, UDP on all.
    # --proto udp keeps the rows whose protocol is UDP.
    pu4 = udp_bytes(6001, 6002, bytes(range(100)))
    pu6 = dstopts(17) + udp_bytes(6003, 6004, bytes(range(100)))
    pu6b = udp_bytes(6005, 6006, bytes(range(60)))
    recs = build(v4pieces(17, 0x720, pu4, [40, 32]) +
                 [v6frag(A6, B6, 60, 0xC7, b, off, i < 2)
                  for i, (off, b) in enumerate(split(pu6, [40, 32]))] +
                 [v6frag(A6, B6, 17, 0xC8, b, off, i < 1)
                  for i, (off, b) in enumerate(split(pu6b, [40]))])
    g.case(out, "frag_proto", "frag_proto.pcap", g.pcap_bytes(recs, 1), recs)
    pcols = ["frame", "src", "protocol", "srcport", "len"]
    rows = [x for x in g.expected_rows(recs, "frag_proto") if x.get("protocol") == "UDP"]
    g.case(out, "frag_filter_proto", "frag_proto.pcap", None, recs,
           "--proto udp --columns " + ",".join(pcols), stdout=g.csv_text(rows, pcols))
    # A reassembled IPv6 payload that starts with a second fragment header:
    # by its bytes a fragment of another datagram (its own identification),
    # added to the table, completed by that datagram's other fragments. Outer
    # datagrams 0xA7, 0xA9, 0xAB in two fragments each; inside 0xA7 the
    # first fragment (offset 0, M set) of UDP datagram 0xA8, whose last
    # fragment then comes on its own and completes it; inside 0xAB the same
    # with the outer id (0xAB: the outer datagram has left the table);
    # inside 0xA9 a last fragment (offset 64) of 0xAA, never completed.
    # Frames: 1-2 0xA7, 3 0xA8's tail, 4-5 0xA9, 6-7 0xAB, 8 0xAB's tail.
    # tshark 4.0 disagrees on frames 2 and 7 (UDP 1 -> 2, len 72, the first
    # inner fragment read as the datagram), 3 and 8 (no ports: nothing to
    # complete) and 5 (ports 258 -> 772 read from 01 02 03 04 in the
    # middle of 0xAA): packet-ipv6.c zeroes frag_plen once it has
    # reassembled, so the inner fragment header is read as if atomic (see
    # README, Compared with tshark).
    nu = udp_bytes(1, 2, bytes(range(72)))          # 80 bytes
    def nested6(outer_id, inner_fh, inner_payload):
        body = inner_fh + inner_payload
        ps = [v6frag(A6, B6, 44, outer_id, body[:32], 0, True),
              v6frag(A6, B6, 44, outer_id, body[32:], 32, False)]
        for fr, _ent in ps:              # until reassembled: the header it names
            fr.fields["protocol"] = ("IPv6-Frag", 0)
        return ps
    fh6 = lambda nh, off, m, ident: struct.pack(">BBHI", nh, 0, off | m, ident)
    recs = build(
        nested6(0xA7, fh6(17, 0, 1, 0xA8), nu[:48]) +
        [v6frag(A6, B6, 17, 0xA8, nu[48:], 48, False)] +
        nested6(0xA9, fh6(17, 64, 0, 0xAA), bytes(range(1, 49))) +
        nested6(0xAB, fh6(17, 0, 1, 0xAB), nu[:48]) +
        [v6frag(A6, B6, 17, 0xAB, nu[48:], 48, False)])
    g.case(out, "frag_ipv6_nested_fh", "frag_ipv6_nested_fh.pcap", g.pcap_bytes(recs, 1),
           recs)
    # An IPv6 fragment with nothing after its fragment header is not
    # reassembled (packet-ipv6.c: only frag_plen > 0), and Wireshark then
    # dissects the next header on no bytes, as for an atomic fragment or an
    # unfragmented packet whose payload ends there: next header 4 or 41 is
    # IP in IP (tunnel ipip, the IPv6 addresses outer ones) with no inner
    # header, so the row keeps the IPv6 addresses; 17 is a UDP header cut
    # to nothing. A fragment with bytes is data until its datagram
    # completes (no tunnel). frames:
    #  1 empty, next header 4, offset 304, M clear (an empty last fragment)
    #  2 empty, next header 41, offset 8, M set
    #  3 empty, next header 4, offset 0, M set (an empty first fragment)
    #  4 no fragment header: next header 4, payload length 0 (as tshark)
    #  5 next header 4, offset 8, M set, 16 bytes: data, no tunnel
    #  6 empty, next header 17, offset 8, M clear: no ports, no tunnel
    #  7-9 an IPv4-in-IPv6 datagram in two fragments with an empty tail
    #    between them: the empty one adds nothing (no length set), the
    #    real tail completes it: the inner header and UDP, tunnel ipip
    e_in = g.ipv4("10.6.0.1", "10.6.0.2", 17, g.udp(1234, 5678, bytes(range(40))),
                  ipid=0x66).data
    empty6 = lambda nh, off, m, ident, pl=b"": g.eth(g.ipv6(
        A6, B6, nh, g.Frag(pl), ext=[("frag", off, m, ident)]))
    frames = [empty6(4, 304, 0, 0xF1), empty6(41, 8, 1, 0xF2),
              empty6(4, 0, 1, 0xF3),
              g.eth(g.ipv6(A6, B6, 4, g.Frag(b""))),
              empty6(4, 8, 1, 0xF4, bytes(16)), empty6(17, 8, 0, 0xF5),
              empty6(4, 0, 1, 0xF6, e_in[:32]), empty6(4, 32, 0, 0xF6),
              empty6(4, 32, 0, 0xF6, e_in[32:])]
    recs = [g.Rec(fr, T0, 1000 * i) for i, fr in enumerate(frames)]
    ecols = "frame,src,dest,protocol,srcport,destport,len,tunnel,tsrc,tdest"
    ipip = ("ipip", A6, B6)
    none = ("", "", "")
    outer = (A6, B6)
    rows = [("1",) + outer + ("IPv4", "", "", "") + ipip,
            ("2",) + outer + ("IPv6", "", "", "") + ipip,
            ("3",) + outer + ("IPv4", "", "", "") + ipip,
            ("4",) + outer + ("IPv4", "", "", "") + ipip,
            ("5",) + outer + ("IPv4", "", "", "") + none,
            ("6",) + outer + ("UDP", "", "", "") + none,
            ("7",) + outer + ("IPv4", "", "", "") + none,
            ("8",) + outer + ("IPv4", "", "", "") + ipip,
            ("9", "10.6.0.1", "10.6.0.2", "UDP", "1234", "5678", "40") + ipip]
    g.case(out, "frag_empty_ipip", "frag_empty_ipip.pcap", g.pcap_bytes(recs, 1),
           recs, "--columns " + ecols,
           stdout=ecols + "\n" + "".join(",".join(r) + "\n" for r in rows))
    # filters see the completing row: --port 80 on the interleaved capture
    # keeps only the row where the TCP datagram completes
    u = v4pieces(17, 0x200, dg, [104, 104, 104])
    t = v4pieces(6, 0x200, tcpdg, [152])
    r = v4pieces(17, 0x200, dg, [200], src=B, dst=A)
    recs = build([u[0], t[0], r[0], u[1], t[1], u[3], r[1], u[2]])
    rows = [x for x in g.expected_rows(recs, "frag_interleaved")
            if "80" in (x.get("srcport"), x.get("destport"))]
    g.case(out, "frag_filter_port", "frag_interleaved.pcap", None, recs,
           "--port 80 --columns frame,srcport,destport,len",
           stdout=g.csv_text(rows, ["frame", "srcport", "destport", "len"]))
    # The VLAN id in the IPv4 key (between private addresses) is Wireshark's
    # pinfo->vlan_id (pinfo_vlan), not the row's vlan column (the outermost
    # tag of any type). Two datagrams A and B with the same addresses,
    # protocol and IP ID, fragments A0 B0 A1 B1 (B0 B1 first for TCP): on
    # different keys both complete; on one, B0 repeats A0's offset (A0's
    # bytes count), A1 completes A and B1 starts a datagram never completed.
    P1, P2 = "10.20.0.1", "10.20.0.2"
    Q, AD, OLD = 0x8100, 0x88A8, 0x9100

    def pair(ipid, a, b, src=P1, dst=P2, tcp=False):
        """a, b: keyword arguments of v4frag_vlan for datagram A and B."""
        if tcp:
            da = g.tcp(40000 + ipid % 1000, 80, 7000, 9000, g.F["ACK"] | g.F["PSH"], 512,
                       payload=b"A" * 150).data
            db = g.tcp(41000 + ipid % 1000, 80, 8000, 9000, g.F["ACK"] | g.F["PSH"], 512,
                       payload=b"B" * 150).data
            proto = 6
        else:
            da = udp_bytes(1000 + ipid % 1000, 2222, b"a" * 200)
            db = udp_bytes(2000 + ipid % 1000, 2222, b"b" * 200)
            proto = 17
        fa = [v4frag_vlan(src, dst, proto, ipid, x, off, i == 0, **a)
              for i, (off, x) in enumerate(split(da, [104]))]
        fb = [v4frag_vlan(src, dst, proto, ipid, x, off, i == 0, **b)
              for i, (off, x) in enumerate(split(db, [104]))]
        return [fa[0], fb[0], fb[1], fa[1]] if tcp else [fa[0], fb[0], fa[1], fb[1]]

    def tags(*t):
        return {"outer": list(t)}
    entries = (
        # QinQ: the 802.1ad service tag is the vlan column, the 802.1Q tag
        # the key: two keys (UDP; TCP, whose streams number in completion order)
        pair(0x1100, tags((AD, 10), (Q, 20)), tags((AD, 10), (Q, 30))) +
        pair(0x1200, tags((AD, 11), (Q, 21)), tags((AD, 11), (Q, 31)), tcp=True) +
        # an 802.1ad tag alone keys as no tag; a priority tag (id 0) before
        # an 802.1Q tag as that tag; 0x9100 as 802.1Q: one key, one, two
        pair(0x1300, tags((AD, 9)), tags()) +
        pair(0x1400, tags((Q, 0), (Q, 7)), tags((Q, 7))) +
        pair(0x1500, tags((OLD, 8)), tags((OLD, 9))) +
        # 802.1Q ids 5 and 6: two keys; between public addresses one
        pair(0x1600, tags((Q, 5)), tags((Q, 6))) +
        pair(0x1700, tags((Q, 5)), tags((Q, 6)), src=A, dst=B) +
        # the id is XORed in: IP ID 0x1800 on 5 and 0x1800 ^ 5 ^ 6 on 6 meet
        # (the pairs' IP IDs differ above the VLAN ids' bits: no others do)
        [v4frag_vlan(P1, P2, 17, 0x1800, x, off, i == 0, outer=[(Q, 5)])
         for i, (off, x) in enumerate(split(udp_bytes(1818, 2222, b"x" * 200), [104]))][:1] +
        [v4frag_vlan(P1, P2, 17, 0x1800 ^ 5 ^ 6, x, off, i == 0, outer=[(Q, 6)])
         for i, (off, x) in enumerate(split(udp_bytes(1818, 2222, b"x" * 200), [104]))][1:] +
        # tunnels: the outer frame's 802.1Q tag keys the inner datagram
        # (40, 41: two keys; 70 before inner 71, 72: one); an outer
        # 802.1ad tag does not, so the inner frame's 802.1Q tag does
        pair(0x2100, dict(outer=[(Q, 40)], tun=("gre",)),
             dict(outer=[(Q, 41)], tun=("gre",))) +
        pair(0x2200, dict(outer=[(AD, 50)], tun=("gre",), inner=[(Q, 60)]),
             dict(outer=[(AD, 50)], tun=("gre",), inner=[(Q, 61)])) +
        pair(0x2300, dict(outer=[(Q, 70)], tun=("gre",), inner=[(Q, 71)]),
             dict(outer=[(Q, 70)], tun=("gre",), inner=[(Q, 72)])) +
        # ERSPAN's VLAN field: type II when no 802.1Q tag came first and
        # the encapsulation is not 3 (77, 78: two keys; with encapsulation
        # 3, or after an outer 802.1Q tag, one), type III always (80, 81
        # after the outer tag 5: two; 0 after 5 and 6: one)
        pair(0x3100, dict(tun=("erspan2", 77, 0)), dict(tun=("erspan2", 78, 0))) +
        pair(0x3200, dict(tun=("erspan2", 77, 3)), dict(tun=("erspan2", 78, 3))) +
        pair(0x3300, dict(outer=[(Q, 5)], tun=("erspan2", 80, 0)),
             dict(outer=[(Q, 5)], tun=("erspan2", 81, 0))) +
        pair(0x3400, dict(outer=[(Q, 5)], tun=("erspan3", 80)),
             dict(outer=[(Q, 5)], tun=("erspan3", 81))) +
        pair(0x3500, dict(outer=[(Q, 5)], tun=("erspan3", 0)),
             dict(outer=[(Q, 6)], tun=("erspan3", 0))))
    # IPv6: no VLAN id in the key (packet-ipv6.c): ids 5 and 6, one key
    d6 = [udp_bytes(1000 + k, 2222, bytes([k]) * 200) for k in (1, 2)]
    v6 = []
    for k, vid in ((0, 5), (1, 6)):
        for i, (off, x) in enumerate(split(d6[k], [104])):
            v6.append((i, v6frag("fd00::1", "fd00::2", 17, 0x4100, x, off, i == 0,
                                 tags=[(Q, vid)])))
    v6.sort(key=lambda e: e[0])
    recs = build(list(entries) + [e for _, e in v6])
    vcols = ["frame", "src", "dest", "vlan", "ipid", "srcport", "destport", "len", "stream"]
    g.case(out, "frag_vlan", "frag_vlan.pcap", g.pcap_bytes(recs, 1), recs,
           "--columns " + ",".join(vcols), vcols)
    # the reassembled payload, as --fix/--kdb and the data column see it
    small = udp_bytes(7, 9, b"0123456789abcdef" * 4)
    recs = build(v4pieces(17, 0x700, small, [24, 24]))
    dg_hex = small[8:].hex()
    for r_ in recs:
        if "len" in r_.frag.fields:
            r_.frag.fields["data"] = (dg_hex, 0)
    g.case(out, "frag_data", "frag_data.pcap", g.pcap_bytes(recs, 1), recs,
           "--columns frame,srcport,len,data",
           ["frame", "srcport", "len", "data"])


TSHARK_FIELDS = ("frame.number", "tcp.srcport", "udp.srcport", "tcp.dstport",
                 "udp.dstport", "tcp.len", "udp.length", "tcp.seq_raw",
                 "tcp.ack_raw", "tcp.seq", "tcp.ack", "tcp.stream")


def tshark_ipip(capture, frame):
    """tunnel, tsrc, tdest as tshark 4.0 shows IP in IP on frame: an ip or
    ipv6 layer right after the first one (its extension headers aside) is
    "ipip", the first one's addresses the outer ones. The only tunnel these
    cases ask the tunnel columns of."""
    import subprocess
    out = subprocess.run(
        ["tshark", "-n", "-r", capture, "-Y", "frame.number == " + frame,
         "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
         "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst",
         "-e", "ipv6.src", "-e", "ipv6.dst"],
        capture_output=True, text=True, check=True).stdout.rstrip("\n")
    layers, ip_src, ip_dst, ip6_src, ip6_dst = out.split("\t")
    layers = layers.split(":")
    first = next(i for i, n in enumerate(layers) if n in ("ip", "ipv6"))
    k = first + 1
    while k < len(layers) and layers[k].startswith("ipv6."):
        k += 1
    if k == len(layers) or layers[k] not in ("ip", "ipv6"):
        return {"tunnel": "", "tsrc": "", "tdest": ""}
    if layers[first] == "ip":
        return {"tunnel": "ipip", "tsrc": ip_src, "tdest": ip_dst}
    return {"tunnel": "ipip", "tsrc": ip6_src, "tdest": ip6_dst}


def check_with_tshark(outdir):
    """Compares each expected row's transport columns (and IP-in-IP tunnel
    columns, where the case asks for them) with what tshark 4.0 shows for
    the frame (run by hand: the tests do not need tshark).
    Returns the number of disagreements."""
    import csv
    import subprocess
    bad = 0
    for name, cap, _code, extra in g.CASES:
        if "--port" in extra:
            continue                    # a filtered view of another case
        cmd = ["tshark", "-n", "-r", os.path.join(outdir, os.path.basename(cap)),
               "-T", "fields", "-E", "separator=/t", "-E", "occurrence=l"]
        for f in TSHARK_FIELDS:
            cmd += ["-e", f]
        lines = subprocess.run(cmd, capture_output=True, text=True,
                               check=True).stdout.splitlines()
        with open(os.path.join(outdir, name + ".out")) as fh:
            exp = list(csv.DictReader(fh))
        if len(lines) != len(exp):
            print("%s: %d frames, %d rows" % (name, len(lines), len(exp)))
            bad += 1
            continue
        for e, line in zip(exp, lines):
            x = dict(zip(TSHARK_FIELDS, line.split("\t")))
            ulen = x["udp.length"]
            w = {"srcport": x["tcp.srcport"] or x["udp.srcport"],
                 "destport": x["tcp.dstport"] or x["udp.dstport"],
                 "len": x["tcp.len"] if x["tcp.srcport"] else
                        (str(int(ulen) - 8) if ulen else ""),
                 "seq": x["tcp.seq_raw"], "ack": x["tcp.ack_raw"],
                 "rseq": x["tcp.seq"], "rack": x["tcp.ack"],
                 "stream": x["tcp.stream"]}
            if "tunnel" in e:
                w.update(tshark_ipip(os.path.join(outdir, os.path.basename(cap)),
                                     x["frame.number"]))
            for c, v in w.items():
                if c in e and e[c] != v:
                    print("%s frame %s %s: expected %r, tshark %r"
                          % (name, x["frame.number"], c, e[c], v))
                    bad += 1
    print("tshark check: %d disagreement(s)" % bad)
    return bad


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    table = "--table" in argv
    tshark = "--tshark" in argv
    args = [a for a in argv if a not in ("--table", "--tshark")]
    outdir = args[0] if args else os.path.join(root, "testdata")
    os.makedirs(outdir, exist_ok=True)
    del g.CASES[:]
    cases(g.Out(outdir))
    if table:
        for name, cap, code, extra in g.CASES:
            print("%s\t%s\t%d\t%s" % (name, cap, code, extra))
    if tshark and check_with_tshark(outdir):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
