#!/usr/bin/env python3
"""Golden captures for tunnels and the link types of issue #15, beside the
catalogue of tests/gen_testdata.py (whose frame builders and oracle this
reuses: every capture is assembled byte by byte, and the expected rows come
from the field values chosen here, not from pcap2kdb).

    tests/gen_tunnels.py [OUTDIR]     write captures and expected outputs
                                      (default testdata/)
    tests/gen_tunnels.py --table      print its lines of tests/golden.tsv

The rules the oracle applies (README "Tunnels", checked against tshark 4.0
field by field when the cases were written):
- a tunnel (GRE, ERSPAN I/II/III, VXLAN, GENEVE, IP in IP) is followed to
  the innermost packet; the row's network and transport fields are the
  innermost IP header's and what it carries, as soon as that header's
  source address was captured;
- when the encapsulated frame holds no IP (ARP...) or is cut before its IP
  header's source address, the row keeps the tunnel's own IP header (and
  its UDP ports);
- tunnel, tsrc, tdest, tid describe the outermost tunnel (tid: GRE key,
  ERSPAN session, VNI); the vlan column stays the outer link's;
- --no-tunnels gives the outer packet's fields.
The tunnels_more case (GTP-U, MPLS in UDP, GRE in UDP, VXLAN-GPE, IPv4 and
IPv6 in IPv4) was compared with tshark 4.0's fields when written: inner
addresses, ports, lengths, TEID and VNI agree. So were pppoe_len (the PPPoE
LENGTH bounds the PPP frame), tunnel_ports (which UDP port names the
tunnel: the lower first, as packet-udp.c) and tunnel_nesting (QinQ and
PPPoE around two tunnels with QinQ inner frames; 15 nested IP-in-IP
headers), except its last frame: 16 nested IP-in-IP headers, past
pcap2kdb's documented bound of 15 (tshark has none). So was vlan_limit
(stacks of 802.1Q, 0x9100 and 802.1ad tags on the link and inside VXLAN,
ERSPAN and GRE: every field of every frame, the stream numbers too).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fixdata as fx  # noqa: E402
import gen_testdata as g  # noqa: E402
from gen_testdata import F, Frag, Rec, T0  # noqa: E402

TUNNEL_COLS = ["tunnel", "tsrc", "tdest", "tid"]
COLS = ["frame"] + g.DEFAULT_COLS + ["vlan", "ttl", "stream"] + TUNNEL_COLS
COLS_ARG = "--columns " + ",".join(COLS)
OUTER_A, OUTER_B = "192.0.2.1", "192.0.2.2"


# ---------------------------------------------------------------- headers

def gre(proto, key=None, seq=None, csum=False):
    flags = (0x8000 if csum else 0) | (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0)
    h = struct.pack(">HH", flags, proto)
    if csum:
        h += b"\x12\x34\0\0"
    if key is not None:
        h += struct.pack(">I", key)
    if seq is not None:
        h += struct.pack(">I", seq)
    return h


def erspan2(session, vlan=0):
    return struct.pack(">HHI", 1 << 12 | vlan, session, 7)


def erspan3(session, platform=False, frame_type=0, version=2, pdu=False):
    """An ERSPAN type III header: its last word holds P (bit 15), Frame
    Type (bits 14-10: 0 Ethernet, 2 IP) and O (bit 0: the platform
    subheader follows)."""
    word = (0x8000 if pdu else 0) | frame_type << 10 | (1 if platform else 0)
    return struct.pack(">HHIHH", version << 12, session, 0x01020304, 0,
                       word) + (b"\x08" + b"\0" * 7 if platform else b"")


def vxlan(vni):
    return struct.pack(">BBHI", 0x08, 0, 0, vni << 8)


def geneve(vni, proto, opts=b""):
    assert len(opts) % 4 == 0
    return struct.pack(">BBHI", len(opts) // 4, 0, proto, vni << 8) + opts


# ---------------------------------------------------------------- tunnels

class Tunnelled:
    """A tunnelled frame: the bytes, the row as seen through the tunnel
    (inner view) and the row of the outer packet (outer view); which one
    the oracle expects depends on how much was captured."""

    def __init__(self, outer, inner, inner_ip_off, tun):
        self.outer, self.inner = outer, inner
        self.inner_ip_off = inner_ip_off
        for v in (outer, inner):
            for c, val in tun.items():
                v.fields[c] = val

    def view(self, caplen, follow=True):
        """The inner view once the inner header's source address was
        captured (IPv4: bytes 12-15, IPv6: 8-23), else the outer one."""
        deep = False
        if self.inner_ip_off is not None and caplen > self.inner_ip_off:
            v6 = self.outer.data[self.inner_ip_off] >> 4 == 6
            deep = caplen >= self.inner_ip_off + (24 if v6 else 16)
        # --no-tunnels follows IP in IP
        ipip = self.outer.fields.get("tunnel", ("",))[0] == "ipip"
        return self.inner if (follow or ipip) and deep else self.outer


def tunnel(kind, tid, hdr, inner, l2=None, udp_port=None, proto=None,
           outer_src=OUTER_A, outer_dst=OUTER_B, ipv6_outer=False, sport=55555,
           outer_tags=()):
    """Outer Ethernet + IP (+ UDP to udp_port) + tunnel header hdr + the
    encapsulated packet: an IP Frag (l2=None), an Ethernet frame around it
    (l2="eth", tags from inner.meta), or a non-IP Frag (l2="noip")."""
    if l2 == "eth":
        enc = g.eth(inner, tags=inner.meta.get("tags", ()))
        enc.fields.pop("vlan", None)        # the outer link's vlan counts
        inner_ip = 14 + 4 * len(inner.meta.get("tags", ()))
    elif l2 == "noip":
        enc = inner
        inner_ip = None
    else:
        enc = inner
        inner_ip = 0
    payload = Frag(hdr + enc.data)
    if udp_port is not None:
        t = g.udp(sport, udp_port, payload.data)
        ipproto = 17
    else:
        t = payload
        ipproto = 47 if proto is None else proto     # 4/41: IP in IP
    if ipv6_outer:
        outer = g.eth(g.ipv6(outer_src, outer_dst, ipproto, t))
        tsrc, tdst = g.fmt6(g.ip6(outer_src)), g.fmt6(g.ip6(outer_dst))
    else:
        outer = g.eth(g.ipv4(outer_src, outer_dst, ipproto, t, ipid=0x0101),
                      tags=outer_tags)
        tsrc, tdst = outer_src, outer_dst
    if proto in (4, 41):
        # the builders give an IP-in-IP frame the inner header's fields;
        # the tunnel's own header alone is the row when the inner one is
        # cut before its source address
        own = g.ipv6(outer_src, outer_dst, 59, Frag()) if ipv6_outer else \
            g.ipv4(outer_src, outer_dst, 59, Frag(), ipid=0x0101)
        own = g.eth(own)
        fields = dict(own.fields)
        fields["protocol"] = ("IPv4" if proto == 4 else "IPv6",
                              fields["protocol"][1])
        outer = Frag(outer.data, fields, dict(outer.meta))
    prefix = len(outer.data) - len(enc.data)
    view = Frag(enc.data, dict(enc.fields), dict(enc.meta)).wrap(
        outer.data[:prefix])
    view.fields.pop("vlan", None)
    if "vlan" in outer.fields:
        view.fields["vlan"] = outer.fields["vlan"]   # the outer link's
    tun_end = prefix
    tun = {"tunnel": (kind, tun_end), "tsrc": (tsrc, tun_end),
           "tdest": (tdst, tun_end)}
    if tid is not None:
        tun["tid"] = (str(tid), tun_end)
    return Tunnelled(outer, view, None if inner_ip is None
                     else prefix + inner_ip, tun)


def tcp_pkt(src, dst, sport, dport, seq, ack, flags, payload=b"", opts=(),
            v6=False):
    t = g.tcp(sport, dport, seq, ack, flags, 1000, opts=opts, payload=payload)
    return g.ipv6(src, dst, 6, t) if v6 else g.ipv4(src, dst, 6, t)


def udp_pkt(src, dst, sport, dport, payload):
    return g.ipv4(src, dst, 17, g.udp(sport, dport, payload))


def with_tags(frag, tags):
    frag.meta["tags"] = tags
    return frag


def recs_of(tunnelled, follow=True):
    """(capture records, oracle records): the oracle's Rec holds the view
    that the captured length selects."""
    caps, views = [], []
    for i, (t, caplen) in enumerate(tunnelled):
        n = len(t.outer.data)
        cl = n if caplen is None else caplen
        caps.append(Rec(t.outer, T0 + i, 1000 * i, caplen=cl))
        views.append(Rec(t.view(cl, follow), T0 + i, 1000 * i, caplen=cl,
                         origlen=n))
    return caps, views


# ---------------------------------------------------------------- cases

def tunnel_frames():
    """Each tunnel kind with TCP and UDP inside, nested tunnels, non-IP
    payloads, and inner packets cut by the snap length."""
    A, B = "10.1.0.1", "10.1.0.2"
    hs = [  # a handshake and data inside ERSPAN II: window scaling, stream
        tcp_pkt(A, B, 40000, 9898, 100, 0, F["SYN"], opts=[("nop",), ("ws", 7)]),
        tcp_pkt(B, A, 9898, 40000, 500, 101, F["SYN"] | F["ACK"],
                opts=[("nop",), ("ws", 2)]),
        tcp_pkt(A, B, 40000, 9898, 101, 501, F["ACK"] | F["PSH"],
                payload=b"8=FIX.4.4\x019=5\x0135=0\x0110=000\x01"),
    ]
    fr = []
    add = lambda t, cap=None: fr.append((t, cap))   # noqa: E731
    # GRE: plain, with checksum, key and sequence; IPv6 inside; Ethernet
    add(tunnel("gre", None, gre(0x0800),
               tcp_pkt(A, B, 1001, 80, 1, 2, F["ACK"], b"gre-tcp")))
    add(tunnel("gre", 77, gre(0x0800, key=77, seq=5, csum=True),
               udp_pkt(A, B, 5353, 53, b"gre-udp")))
    add(tunnel("gre", None, gre(0x86DD),
               tcp_pkt("2001:db8::1", "2001:db8::2", 1002, 443, 3, 4,
                       F["ACK"], b"six", v6=True)))
    add(tunnel("gre", 4096, gre(0x6558, key=4096),
               tcp_pkt(A, B, 1003, 80, 5, 6, F["ACK"], b"teb"), l2="eth"))
    add(tunnel("gre", 4097, gre(0x6558, key=4097),
               udp_pkt(A, B, 1004, 514, b"teb-udp"), l2="eth"))
    # ERSPAN type I (no sequence bit), II (with an 802.1Q tag inside: not
    # the row's vlan) and III (with the platform-specific subheader)
    add(tunnel("erspan", None, gre(0x88BE),
               tcp_pkt(A, B, 1005, 80, 7, 8, F["ACK"], b"e1"), l2="eth"))
    add(tunnel("erspan", 1, gre(0x88BE, key=1),
               udp_pkt(A, B, 1006, 53, b"e1-udp"), l2="eth"))
    for p in hs:
        add(tunnel("erspan", 42, gre(0x88BE, seq=9) + erspan2(42, vlan=5),
                   with_tags(p, [(0x8100, 300)]), l2="eth"))
    add(tunnel("erspan", 43, gre(0x88BE, seq=10) + erspan2(43),
               udp_pkt(A, B, 1007, 53, b"e2-udp"), l2="eth"))
    add(tunnel("erspan", 1023, gre(0x22EB, seq=11) + erspan3(1023),
               tcp_pkt(A, B, 1008, 80, 9, 10, F["ACK"], b"e3"), l2="eth"))
    add(tunnel("erspan", 44, gre(0x22EB, seq=12) + erspan3(44, True),
               udp_pkt(A, B, 1009, 53, b"e3-udp"), l2="eth"))
    # VXLAN and GENEVE (one with options, one carrying IPv4 directly); an
    # IPv6 outer header
    add(tunnel("vxlan", 1000, vxlan(1000),
               tcp_pkt(A, B, 1010, 80, 11, 12, F["ACK"], b"vx"), l2="eth",
               udp_port=4789))
    add(tunnel("vxlan", 16777215, vxlan(16777215),
               udp_pkt(A, B, 1011, 53, b"vx-udp"), l2="eth", udp_port=4789,
               ipv6_outer=True, outer_src="2001:db8:f::1",
               outer_dst="2001:db8:f::2"))
    add(tunnel("geneve", 2000, geneve(2000, 0x6558, b"\x01\x02\x03\x01"
                                      b"\xaa\xbb\xcc\xdd"),
               tcp_pkt(A, B, 1012, 80, 13, 14, F["ACK"], b"gv"), l2="eth",
               udp_port=6081))
    add(tunnel("geneve", 2001, geneve(2001, 0x0800),
               udp_pkt(A, B, 1013, 53, b"gv-udp"), udp_port=6081))
    # nested: VXLAN carrying GRE carrying TCP (the outermost describes it)
    mid = g.ipv4("172.16.0.1", "172.16.0.2", 47,
                 Frag(gre(0x0800, key=9) +
                      tcp_pkt(A, B, 1014, 80, 15, 16, F["ACK"], b"nest").data))
    deep = tcp_pkt(A, B, 1014, 80, 15, 16, F["ACK"], b"nest")
    t = tunnel("vxlan", 1001, vxlan(1001), mid, l2="eth", udp_port=4789)
    off = t.inner_ip_off + 20 + 8          # middle IP header, GRE with key
    t.inner = Frag(deep.data, deep.fields, deep.meta).wrap(
        t.outer.data[:off])
    for c in TUNNEL_COLS:
        t.inner.fields[c] = t.outer.fields[c]
    t.inner_ip_off = off
    add(t)
    # GRE in GRE
    inner = udp_pkt(A, B, 1015, 53, b"gg")
    mid = g.ipv4("172.16.1.1", "172.16.1.2", 47,
                 Frag(gre(0x0800, key=6) + inner.data))
    t = tunnel("gre", 5, gre(0x0800, key=5), mid)
    off = t.inner_ip_off + 20 + 8
    t.inner = Frag(inner.data, inner.fields, inner.meta).wrap(
        t.outer.data[:off])
    for c in TUNNEL_COLS:
        t.inner.fields[c] = t.outer.fields[c]
    t.inner_ip_off = off
    add(t)
    # no IP inside: the row is the tunnel's own packet
    add(tunnel("gre", 7, gre(0x6558, key=7), g.eth(g.arp(), 0x0806),
               l2="noip"))
    add(tunnel("vxlan", 5, vxlan(5), g.eth(g.arp(), 0x0806), l2="noip",
               udp_port=4789))
    # cut by the snap length: inside the inner TCP header (ports, no seq),
    # inside the inner IP header (source, no destination), inside the inner
    # Ethernet header (the outer packet's row)
    t = tunnel("vxlan", 1002, vxlan(1002),
               tcp_pkt(A, B, 1016, 80, 17, 18, F["ACK"], b"cut"), l2="eth",
               udp_port=4789)
    add(t, t.inner_ip_off + 20 + 8)
    t = tunnel("erspan", 45, gre(0x88BE, seq=13) + erspan2(45),
               tcp_pkt(A, B, 1017, 80, 19, 20, F["ACK"], b"cut"), l2="eth")
    add(t, t.inner_ip_off + 18)
    t = tunnel("gre", 8, gre(0x6558, key=8),
               tcp_pkt(A, B, 1018, 80, 21, 22, F["ACK"], b"cut"), l2="eth")
    add(t, t.inner_ip_off - 4)
    # cut inside the inner IP header before its source address: the outer
    # packet's row, as tshark shows only the outer addresses (a row with
    # no address could be chosen by no --host, --port or --proto)
    t = tunnel("vxlan", 1003, vxlan(1003),
               tcp_pkt(A, B, 1019, 80, 23, 24, F["ACK"], b"cut"), l2="eth",
               udp_port=4789)
    add(t, t.inner_ip_off + 4)
    t = tunnel("gre", None, gre(0x0800),
               tcp_pkt(A, B, 1020, 80, 25, 26, F["ACK"], b"cut"))
    add(t, t.inner_ip_off + 15)
    for cut in (0, 10):       # IPv4 in IPv6, the inner header cut or absent
        t = tunnel("ipip", None, b"", tcp_pkt(A, B, 1021, 80, 27, 28, F["ACK"], b"cut"),
                   proto=4, ipv6_outer=True, outer_src="2001:db8:f::1",
                   outer_dst="2001:db8:f::2")
        add(t, t.inner_ip_off + cut)
    return fr


def cases_tunnels(out):
    fr = tunnel_frames()
    caps, views = recs_of(fr)
    capbytes = g.pcap_bytes(caps, 1)
    g.case(out, "tunnels", "tunnels.pcap", capbytes, views, COLS_ARG, COLS)
    g.case(out, "tunnels_default", "tunnels.pcap", None, views)
    _, outer = recs_of(fr, follow=False)
    for r in outer:          # --no-tunnels: no tunnel but IP in IP is followed
        if r.frag.fields["tunnel"][0] != "ipip":
            r.frag.fields.pop("tunnel", None)
    cols = COLS[:-4] + ["tunnel"]
    g.case(out, "tunnels_off", "tunnels.pcap", None, outer,
           "--no-tunnels --columns " + ",".join(cols), cols)


def erspan_frame_type_frames():
    """ERSPAN type III's Frame Type: only an Ethernet frame (0) is followed,
    as tshark 4.0's packet-erspan.c does; behind any other (2, IP, whether
    the payload is an IP packet or an Ethernet frame; 5, not assigned) the
    row is the tunnel's own packet (protocol GRE) with the session id, as
    tshark shows data there. The P bit and the platform subheader do not
    change that. The header layout follows the version field whatever the
    GRE protocol type (a type III header under 0x88BE with the sequence
    bit, a type II one under 0x22EB); a header of another version (3) is
    not decoded: no session id either."""
    A, B = "10.1.3.1", "10.1.3.2"
    fr = []

    def seg(port):
        return tcp_pkt(A, B, port, 80, 1, 0, F["SYN"])

    def add(tid, hdr, inner, follows, l2="eth"):
        t = tunnel("erspan", tid, hdr, inner, l2=l2)
        fr.append(t.inner if follows else t.outer)

    add(46, gre(0x22EB, seq=1) + erspan3(46), seg(3001), True)
    add(46, gre(0x22EB, seq=2) + erspan3(46, pdu=True), seg(3002), True)
    add(46, gre(0x22EB, seq=3) + erspan3(46, frame_type=2), seg(3003),
        False, l2=None)                    # an IP packet, as the draft says
    add(46, gre(0x22EB, seq=4) + erspan3(46, frame_type=2), seg(3004), False)
    add(46, gre(0x22EB, seq=5) + erspan3(46, frame_type=5), seg(3005), False)
    add(47, gre(0x22EB, seq=6) + erspan3(47, True, frame_type=1), seg(3006),
        False)
    add(47, gre(0x22EB, seq=7) + erspan3(47, True), seg(3007), True)
    add(48, gre(0x88BE, seq=8) + erspan3(48), seg(3008), True)
    add(48, gre(0x88BE, seq=9) + erspan3(48, frame_type=2), seg(3009), False)
    add(49, gre(0x22EB, seq=10) + erspan2(49), seg(3010), True)
    add(None, gre(0x22EB, seq=11) + erspan3(50, version=3), seg(3011), False)
    return fr


def cases_erspan_frame_type(out):
    recs = [Rec(f, T0 + i, 1000 * i)
            for i, f in enumerate(erspan_frame_type_frames())]
    g.case(out, "erspan_frame_type", "erspan_frame_type.pcap",
           g.pcap_bytes(recs, 1), recs, COLS_ARG, COLS)


def erspan_wrap(pcap):
    """Every Ethernet frame of a pcap mirrored through ERSPAN type II (GRE
    with a sequence number, session 42), as a switch's SPAN session
    delivers it."""
    hdr, out, off, n = pcap[:24], [], 24, 0
    order = "<" if pcap[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    while off < len(pcap):
        sec, frac, cl, ol = struct.unpack(order + "IIII", pcap[off:off + 16])
        data = pcap[off + 16:off + 16 + cl]
        off += 16 + cl
        n += 1
        body = gre(0x88BE, seq=n) + erspan2(42, vlan=10) + data
        frame = g.eth(g.ipv4(OUTER_A, OUTER_B, 47, Frag(body),
                             ipid=n & 0xFFFF)).data
        out.append(struct.pack(order + "IIII", sec, frac, len(frame),
                               ol + len(frame) - cl) + frame)
    return hdr + b"".join(out)


def cases_fix_erspan(out):
    """FIX sessions mirrored through ERSPAN give the same --fix rows as on
    the wire (the rows from gen_fixdata's own reassembly model)."""
    cap = fx.Capture("tunnels_fix")
    fx.c_split3(cap)
    fx.c_bundle5(cap)
    fx.c_reorder(cap)
    rows = cap.expected("tunnels_fix")
    text = fx.HEADER + "\n" + "".join(",".join(r) + "\n" for r in rows)
    g.case(out, "tunnels_fix", "tunnels_fix.pcap", erspan_wrap(cap.pcap()),
           [], "--fix", stdout=text)
    g.case(out, "tunnels_fix_off", "tunnels_fix.pcap", None, [],
           "--fix --no-tunnels", stdout=fx.HEADER + "\n")


# ---------------------------------------------------------------- link types

LINKTYPE_NAMES = {
    100: "ATM_RFC1483", 106: "ATM_CLIP", 123: "SUNATM", 226: "IPNET",
    130: "JUNIPER_MLPPP", 133: "JUNIPER_GGSN", 135: "JUNIPER_ATM2",
    136: "JUNIPER_SERVICES", 137: "JUNIPER_ATM1", 167: "JUNIPER_PPPOE",
    178: "JUNIPER_ETHER", 179: "JUNIPER_PPP", 180: "JUNIPER_FRELAY",
    181: "JUNIPER_CHDLC", 183: "JUNIPER_VP"}
MGC = b"MGC"
SNAP = b"\xaa\xaa\x03\x00\x00\x00"


def v6(p):
    return p.data[0] >> 4 == 6


def link_frames():
    """(linktype, frame) pairs: each link header around the sample IPv4 TCP,
    IPv4 UDP and IPv6 TCP packets of gen_testdata."""
    pk = g.sample_ip_packets()
    out = []
    for p in pk:
        et = struct.pack(">H", g.ip_ethertype(p))
        pktlen = struct.pack(">I", len(p.data))
        out += [
            (226, p.wrap(bytes([1, 26 if v6(p) else 2]) + b"\0\0" + pktlen +
                         b"\0\0\0\x03" + b"\0" * 12)),
            (106, p),
            (100, p.wrap(SNAP + et)),
            (123, p.wrap(b"\x02\x00\x00\x20" + SNAP + et)),
            (178, g.eth(p).wrap(MGC + b"\x00")),
            (167, g.eth(p).wrap(MGC + b"\x01")),
            (179, p.wrap(MGC + b"\x00" + b"\x0f\x00" +
                         (b"\x00\x57" if v6(p) else b"\x00\x21"))),
            (181, p.wrap(MGC + b"\x00" + b"\x0f\x00" + et)),
            (135, p.wrap(MGC + b"\x01" + b"\0" * 8)),
            (133, p.wrap(MGC + b"\x00" + (b"\x06" if v6(p) else b"\x02") +
                         b"\x00\x05\x00")),
            (183, p.wrap(MGC + b"\x00" + b"\0" * 18)),
            (136, p.wrap(MGC + b"\x00" + b"\0" * 12)),
        ]
        if not v6(p):
            out += [
                (180, p.wrap(MGC + b"\x00" + b"\x04\x01\x03\xcc")),
                (137, p.wrap(MGC + b"\x00" + b"\x00\x00\x00\x01")),
                (137, p.wrap(MGC + b"\x00" + b"\x00\x00\x00\x01" + SNAP + et)),
                (130, p.wrap(MGC + b"\x00" + b"\x00\x01\x00\x21")),
                # Juniper extension TLVs, then no link header (protocol 2)
                (178, p.wrap(MGC + b"\x82" + b"\x00\x06" + b"\x01\x04" +
                             b"\x07\0\0\0" + b"\x02\0\0\0")),
            ]
    # no IP: an OAM cell (ATM1 cookie 0x80...), a PPP frame behind an HDLC
    # address (Wireshark's Juniper PPP does not skip it)
    out += [(137, Frag(MGC + b"\x00" + b"\x80\0\0\x01" + pk[0].data)),
            (179, Frag(MGC + b"\x00" + b"\x0f\x00" + b"\xff\x03\x00\x21" +
                       pk[0].data))]
    return out


def cases_link_types(out):
    order = "<"
    lts = []
    body = b""
    recs = []
    for i, (lt, f) in enumerate(link_frames()):
        if lt not in lts:
            lts.append(lt)
        r = Rec(f, T0 + i, 0, iface=lts.index(lt), linktype=lt)
        recs.append(r)
        body += g.epb(order, r.iface, (T0 + i) * 10 ** 6, r.data, r.origlen)
    capbytes = g.shb(order) + b"".join(g.idb(order, lt) for lt in lts) + body
    g.LINKTYPE_NAME.update(LINKTYPE_NAMES)
    cols = ["frame", "linktype", "src", "dest", "srcport", "destport",
            "protocol", "len", "ttl"]
    g.case(out, "linktypes15", "linktypes15.pcapng", capbytes, recs,
           "--columns " + ",".join(cols), cols)


def gtpu(teid, payload_len):
    """GTP-U T-PDU header (3GPP TS 29.281): version 1, PT, no options."""
    return struct.pack(">BBHI", 0x30, 0xFF, payload_len, teid)


def vxlan_gpe(vni, next_proto):
    """VXLAN-GPE (I and P flags): 1 IPv4, 2 IPv6, 3 Ethernet."""
    return struct.pack(">BBBBI", 0x0C, 0, 0, next_proto, vni << 8)


def mpls(label, bottom=True, ttl=64):
    return struct.pack(">I", label << 12 | (0x100 if bottom else 0) | ttl)


def more_tunnel_frames():
    """The other tunnels followed: GTP-U, MPLS in UDP, GRE in UDP,
    VXLAN-GPE and IP-in-IP, each with TCP and UDP inside."""
    A, B = "10.9.0.1", "10.9.0.2"
    fr = []
    for i, inner in enumerate((
            tcp_pkt(A, B, 2001, 80, 1, 2, F["ACK"], b"tcp-in"),
            udp_pkt(A, B, 2002, 53, b"udp-in"))):
        n = len(inner.data)
        fr += [
            (tunnel("gtp", 0x1000 + i, gtpu(0x1000 + i, n), inner,
                    udp_port=2152), None),
            (tunnel("mpls", None, mpls(100 + i), inner, udp_port=6635), None),
            (tunnel("gre", None, gre(0x0800), inner, udp_port=4754), None),
            (tunnel("vxlan", 3000 + i, vxlan_gpe(3000 + i, 1), inner,
                    udp_port=4790), None),
            (tunnel("vxlan", 3100 + i, vxlan_gpe(3100 + i, 3), inner,
                    l2="eth", udp_port=4790), None),
            (tunnel("ipip", None, b"", inner, proto=4), None),
        ]
    v6 = tcp_pkt("2001:db8::1", "2001:db8::2", 2003, 443, 3, 4, F["ACK"],
                 b"v6-in", v6=True)
    fr.append((tunnel("ipip", None, b"", v6, proto=41), None))
    return fr


def cases_tunnels_more(out):
    fr = more_tunnel_frames()
    caps, views = recs_of(fr)
    g.case(out, "tunnels_more", "tunnels_more.pcap", g.pcap_bytes(caps, 1),
           views, COLS_ARG, COLS)


def untunnelled(t):
    """The tunnel's own packet, its tunnel columns empty: where tshark 4.0
    shows no inner layer, nothing was followed."""
    for c in TUNNEL_COLS:
        t.outer.fields.pop(c, None)
    return t


def header_only_ipv4(proto, trailer):
    """An Ethernet frame whose IPv4 total length (20) leaves no payload,
    protocol proto, and then trailer's bytes: packet-ip.c hands no payload
    on, so the row is the header's, no tunnel."""
    own = g.ipv4(OUTER_A, OUTER_B, 59, Frag(), ipid=0x0101)
    fields = dict(own.fields)
    fields["protocol"] = ("IPv4" if proto == 4 else "IPv6", fields["protocol"][1])
    return g.eth(Frag(own.data[:9] + bytes([proto]) + own.data[10:] + trailer.data, fields))


def ip_version_frames():
    """The IP version nibble against the field that names the version, and
    IP in IP with no inner packet, as tshark 4.0 reads them: a field naming
    IPv4 (IP protocol 4, GRE's WCCP type behind its redirect header) takes
    an IPv6 header, as Wireshark's IPv4 dissector hands it on; one naming
    IPv6 (protocol 41, GRE type 0x86DD, VXLAN-GPE next protocol 2) declines
    a version-4 header: protocol 41 is then no tunnel (tshark shows data
    after the outer header), GRE and VXLAN-GPE are, with nothing inside."""
    A4, B4 = "10.12.0.1", "10.12.0.2"
    A6, B6 = "2001:db8:12::1", "2001:db8:12::2"
    u4 = udp_pkt(A4, B4, 3001, 53, b"udp-v4")
    u6 = g.ipv6(A6, B6, 17, g.udp(3002, 53, b"udp-v6"))
    wccp_redirect = b"\x00\x00\x00\x00"
    return [
        (tunnel("ipip", None, b"", u6, proto=4), None),
        (untunnelled(tunnel("ipip", None, b"", u4, proto=41, l2="noip")), None),
        (tunnel("gre", None, gre(0x883E) + wccp_redirect, u6), None),
        (tunnel("gre", None, gre(0x86DD), u4, l2="noip"), None),
        (tunnel("vxlan", 3200, vxlan_gpe(3200, 2), u4, l2="noip", udp_port=4790), None),
        (tunnel("vxlan", 3201, vxlan_gpe(3201, 2), u6, udp_port=4790), None),
        # no inner packet within the IPv4 total length, one after it in the
        # frame; an IPv6 payload length of 0 instead hands on an empty
        # payload (an inner header the snap length cut: the tunnel counts)
        (untunnelled(Tunnelled(header_only_ipv4(4, u4), Frag(), None, {})), None),
        (untunnelled(Tunnelled(header_only_ipv4(41, u6), Frag(), None, {})), None),
        (tunnel("ipip", None, b"", Frag(), proto=4, ipv6_outer=True, outer_src=A6,
                outer_dst=B6), None),
    ]


def cases_tunnel_ipver(out):
    caps, views = recs_of(ip_version_frames())
    g.case(out, "tunnel_ipver", "tunnel_ipver.pcap", g.pcap_bytes(caps, 1), views,
           COLS_ARG, COLS)


# ---------------------------------------------------------------- PPPoE

PPP_IPV4 = b"\x00\x21"
PPPOE_CREDITS = struct.pack(">HHHH", 0x0106, 4, 1, 2)   # RFC 5578 tag


def pppoe(ip, length=None, credits=False, trailer=b"", view=None):
    """An Ethernet PPPoE session frame (RFC 2516) around the IPv4 Frag ip:
    LENGTH counts the PPPoE payload (a Credits tag, PPP protocol, the
    datagram) unless given; trailer bytes follow the payload in the frame.
    The row's fields are view's (default ip's): what the PPPoE payload
    holds of the datagram, never what follows it."""
    tag = PPPOE_CREDITS if credits else b""
    n = len(tag) + 2 + len(ip.data) if length is None else length
    v = ip if view is None else view
    f = Frag(ip.data, v.fields, v.meta).wrap(
        struct.pack(">BBHH", 0x11, 0, 0x2A, n) + tag + PPP_IPV4)
    e = g.eth(Frag(f.data + trailer, f.fields, f.meta), 0x8864)
    e.fields.pop("protocol", None) if not v.fields else None
    return e


def pppoe_frames():
    """The PPPoE LENGTH bounds the PPP frame, as tshark 4.0's
    packet-pppoe.c bounds the buffer it hands PPP: bytes after it (padding,
    a trailer) are not the datagram's, whatever its IP total length says;
    a LENGTH that ends before the datagram cuts it there. A Credits tag
    (RFC 5578) before the PPP frame is stepped over."""
    A, B = "10.3.0.1", "10.3.0.2"

    def seg(sport, payload):
        return g.tcp(sport, 80, 1000, 2000, F["ACK"] | F["PSH"], 1000,
                     payload=payload)

    fr = []
    t = seg(1001, b"pad")
    fr.append(pppoe(g.ipv4(A, B, 6, t), trailer=b"\0" * 6))
    # the IP total length runs 4 bytes into the trailer: len from PPPoE's
    t = seg(1002, b"trailer")
    fr.append(pppoe(g.ipv4(A, B, 6, t, total=20 + len(t.data) + 4),
                    trailer=b"\xde\xad\xbe\xef"))
    # LENGTH 2: the PPP protocol field alone, no datagram
    t = seg(1003, b"none")
    fr.append(pppoe(g.ipv4(A, B, 6, t), length=2, view=Frag()))
    # LENGTH ends after the IP header: the addresses, no TCP fields
    t = seg(1004, b"header")
    fr.append(pppoe(g.ipv4(A, B, 6, t), length=22,
                    view=g.ipv4(A, B, 6, t, total=20)))
    # a Credits tag first; a LENGTH past the frame's end
    fr.append(pppoe(g.ipv4(A, B, 6, seg(1005, b"credits")), credits=True))
    fr.append(pppoe(g.ipv4(A, B, 6, seg(1006, b"long")), length=0xFFFF))
    return fr


def cases_pppoe(out):
    recs = [Rec(f, T0 + i, 1000 * i) for i, f in enumerate(pppoe_frames())]
    g.case(out, "pppoe_len", "pppoe_len.pcap", g.pcap_bytes(recs, 1), recs,
           COLS_ARG, COLS)


# ---------------------------------------------------------------- UDP ports

DNS_QUERY = bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d"
                          "0000010001")


def plain_udp(sport, dport, payload):
    return g.eth(udp_pkt(OUTER_A, OUTER_B, sport, dport, payload))


def tunnel_port_frames():
    """Which port of a datagram names its tunnel, as tshark 4.0's
    packet-udp.c decides (decode_udp_ports, "try heuristic sub-dissectors
    first" off): the lower port's dissector first, then the higher's; port
    0 is skipped. A lower port that Wireshark gives another dissector (DNS
    53, NTP 123, RSVP 3455...) makes the datagram that protocol's; a lower
    port with none (1234) leaves the higher port's tunnel; of two tunnel
    ports the lower wins, unless it is GTP-U's and the bytes are no GTP
    (version above 2, or message type 0), which Wireshark's GTP dissector
    declines."""
    A, B = "10.4.0.1", "10.4.0.2"
    inner = udp_pkt(A, B, 3001, 53, b"in")
    eth_in = g.eth(inner).data
    fr = [
        # a DNS query from port 6081: DNS, not GENEVE
        plain_udp(6081, 53, DNS_QUERY),
        plain_udp(3455, 6081, geneve(10, 0x6558) + eth_in),
        plain_udp(53, 4789, vxlan(11) + eth_in),
        plain_udp(4789, 123, vxlan(12) + eth_in),
    ]
    ts = [
        tunnel("vxlan", 13, vxlan(13), inner, l2="eth", udp_port=4789,
               sport=1234),
        tunnel("vxlan", 14, vxlan(14), inner, l2="eth", udp_port=4789,
               sport=0),
        # GTP-U (2152) below VXLAN (4789): the T-PDU is GTP's
        tunnel("gtp", 0x2000, gtpu(0x2000, len(inner.data)), inner,
               udp_port=4789, sport=2152),
        # VXLAN's bytes on 2152 (version 0, type 0): GTP declines them
        tunnel("vxlan", 15, vxlan(15), inner, l2="eth", udp_port=4789,
               sport=2152),
        # GRE in UDP (4754) below GENEVE (6081)
        tunnel("gre", None, gre(0x0800), inner, udp_port=6081, sport=4754),
        # VXLAN (4789) below GENEVE (6081), whichever is the destination
        tunnel("vxlan", 16, vxlan(16), inner, l2="eth", udp_port=6081,
               sport=4789),
    ]
    return fr + [t.view(len(t.outer.data)) for t in ts]


def cases_tunnel_ports(out):
    recs = [Rec(f, T0 + i, 1000 * i)
            for i, f in enumerate(tunnel_port_frames())]
    g.case(out, "tunnel_ports", "tunnel_ports.pcap", g.pcap_bytes(recs, 1),
           recs, COLS_ARG, COLS)


# ---------------------------------------------------------------- nesting

def qinq(tags):
    return [(0x88A8 if i == 0 else 0x8100, 100 + i) for i in range(tags)]


def nested_frames():
    """Encapsulations inside one another: the row is the innermost packet
    for up to 15 of them (VLAN tags, PPPoE and PPP do not count: each level
    has 15 link headers of its own); past 15 it is the 15th's packet.
    tunnel, tsrc, tdest and tid describe the outermost; vlan the outer
    link's first tag."""
    tcp = g.tcp(12345, 5001, 1000, 0, F["SYN"], 1000)
    fr = []
    # QinQ and PPPoE, then VXLAN, a QinQ frame, GENEVE, a QinQ frame, TCP
    pkt = g.ipv4("10.5.200.1", "10.5.200.2", 6, tcp)
    for i, (hdr, port) in enumerate(((geneve(21, 0x6558), 6081),
                                     (vxlan(20), 4789))):
        e = g.eth(pkt, tags=qinq(2))
        e.fields.pop("vlan", None)
        pkt = g.ipv4("10.5.%d.1" % i, "10.5.%d.2" % i, 17,
                     g.udp(40000 + i, port, Frag(hdr + e.data).data).wrap(
                         b"", {}))
        inner = pkt
    outer_ip = pkt
    # the row: the innermost TCP packet's fields at their offsets
    body = pppoe(outer_ip)
    frame = g.eth(Frag(body.data[14:]), 0x8864, tags=qinq(2))
    off = frame.data.index(g.ipv4("10.5.200.1", "10.5.200.2", 6, tcp).data)
    deep = g.ipv4("10.5.200.1", "10.5.200.2", 6, tcp)
    view = Frag(deep.data, deep.fields, deep.meta).wrap(frame.data[:off])
    view.fields.update({"vlan": ("100", 16), "tunnel": ("vxlan", off),
                        "tsrc": ("10.5.1.1", off), "tdest": ("10.5.1.2", off),
                        "tid": ("20", off)})
    fr.append(Frag(frame.data, view.fields, view.meta))
    # 15 and 16 IP-in-IP headers inside an IPv4 packet
    for n in (15, 16):
        p = g.ipv4("10.6.200.1", "10.6.200.2", 6, tcp)
        last = p
        for i in range(n):
            p = g.ipv4("10.6.%d.1" % i, "10.6.%d.2" % i, 4, p)
            if i == n - 16:
                last = p        # the header the 16th one's decoding stops at
        e = g.eth(p)
        off = 14 + 20 * (n if n <= 15 else 15)
        if n <= 15:
            row = g.ipv4("10.6.200.1", "10.6.200.2", 6, tcp)
        else:
            own = g.ipv4("10.6.0.1", "10.6.0.2", 59, Frag())
            row = Frag(last.data, dict(own.fields), {})
            row.fields["protocol"] = ("IPv4", 10)
        view = Frag(row.data, row.fields, row.meta).wrap(e.data[:off])
        view.fields.update({"tunnel": ("ipip", 34),
                            "tsrc": ("10.6.%d.1" % (n - 1), 34),
                            "tdest": ("10.6.%d.2" % (n - 1), 34)})
        fr.append(Frag(e.data, view.fields, view.meta))
    return fr


def cases_nested(out):
    recs = [Rec(f, T0 + i, 1000 * i) for i, f in enumerate(nested_frames())]
    g.case(out, "tunnel_nesting", "tunnel_nesting.pcap",
           g.pcap_bytes(recs, 1), recs, COLS_ARG, COLS)


# 802.1Q tags (TPID 0x8100, and 0x9100, which Wireshark reads with the same
# dissector) that one packet may have, through all its encapsulations; the
# next one ends its decoding. 802.1ad tags (0x88A8) do not count.
VLAN_LIMIT = 20
VLAN_COUNTED = (0x8100, 0x9100)


def tag_stack(tpids, first_vid):
    return [(t, first_vid + i) for i, t in enumerate(tpids)]


def counted(tags):
    return sum(1 for t in tags if t[0] in VLAN_COUNTED)


def cut_tag(tags):
    """Index of the tag past the limit in a stack, or None."""
    n = 0
    for i, t in enumerate(tags):
        n += t[0] in VLAN_COUNTED
        if n > VLAN_LIMIT:
            return i
    return None


def with_ethertype(frag, et):
    frag.fields["ethertype"] = ("0x%04x" % et, 0)
    return frag


def tagged_frame(tags, pkt):
    """Ethernet with the tag stack around the IP Frag pkt; past the limit
    the row is the frame's non-IP payload named by the cut tag's TPID
    (protocol VLAN), with the outermost tag's id."""
    e = with_ethertype(g.eth(pkt, tags=tags), g.ip_ethertype(pkt))
    i = cut_tag(tags)
    if i is None:
        return e
    return Frag(e.data, {"protocol": ("VLAN", 0), "vlan": (str(tags[0][1]), 0),
                         "ethertype": ("0x%04x" % tags[i][0], 0)})


def vlan_limit_frames():
    """Stacks of 802.1Q, 802.1ad and 0x9100 tags around and inside tunnels:
    20 802.1Q/0x9100 tags in all are read, the 21st ends the packet (on the
    outer link: a non-IP row; in a tunnel's inner frame: the tunnel's own
    packet is the row, as for an inner frame without IP)."""
    A, B = "10.9.0.1", "10.9.0.2"
    fr = []
    port = [41000]

    def tcp4():
        port[0] += 1
        return g.ipv4(A, B, 6, g.tcp(port[0], 80, 1, 0, F["SYN"], 1000))

    def udp6():
        port[0] += 1
        return g.ipv6("2001:db8:9::1", "2001:db8:9::2", 17,
                      g.udp(port[0], 2222, b"hi"))

    q, ad, old = 0x8100, 0x88A8, 0x9100
    for tpids, pkt in (([q] * 19, udp6), ([q] * 20, tcp4), ([q] * 21, tcp4),
                       ([old, q] * 11, udp6), ([ad, q] * 20, tcp4),
                       ([ad, q] * 20 + [q], tcp4), ([ad] * 24, tcp4),
                       ([old, ad, q] * 14, tcp4), ([q] * 40, udp6)):
        fr.append(tagged_frame(tag_stack(tpids, 100), pkt()))
    # the count goes on inside tunnels: outer tags + inner tags
    for kind, mk, outer_n, inner_tpids in (
            ("vxlan", "vxlan", 10, [q] * 10), ("vxlan", "vxlan", 10, [q] * 11),
            ("vxlan", "vxlan", 20, [ad] * 5), ("vxlan", "vxlan", 20, [q]),
            ("erspan", "erspan", 19, [q]), ("erspan", "erspan", 19, [q, q]),
            ("gre", "gre", 0, [q] * 21), ("gre", "gre", 1, [old] * 19)):
        outer_tags = tag_stack([q] * outer_n, 100)
        inner = with_tags(tcp4(), tag_stack(inner_tpids, 200))
        if mk == "vxlan":
            t = tunnel("vxlan", 77, vxlan(77), inner, l2="eth", udp_port=4789,
                       outer_tags=outer_tags)
        elif mk == "erspan":
            t = tunnel("erspan", 5, gre(0x88BE, seq=1) + erspan2(5), inner,
                       l2="eth", outer_tags=outer_tags)
        else:
            t = tunnel("gre", None, gre(0x6558), inner, l2="eth",
                       outer_tags=outer_tags)
        whole = outer_tags + inner.meta["tags"]
        row = t.inner if cut_tag(whole) is None else t.outer
        fr.append(with_ethertype(row_of(t, row), 0x0800))
    return fr


def row_of(t, view):
    """The Tunnelled's view as a Frag over the whole frame's bytes."""
    return Frag(t.outer.data, dict(view.fields), dict(view.meta))


def cases_vlan_limit(out):
    recs = [Rec(f, T0 + i, 1000 * i) for i, f in enumerate(vlan_limit_frames())]
    cols = COLS + ["ethertype"]
    g.case(out, "vlan_limit", "vlan_limit.pcap", g.pcap_bytes(recs, 1), recs,
           "--columns " + ",".join(cols), cols)


ALL = [cases_tunnels, cases_erspan_frame_type, cases_fix_erspan, cases_link_types, cases_tunnels_more,
       cases_pppoe, cases_tunnel_ports, cases_nested, cases_vlan_limit, cases_tunnel_ipver]


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    table = "--table" in argv
    args = [a for a in argv if a != "--table"]
    outdir = args[0] if args else os.path.join(os.path.dirname(here),
                                               "testdata")
    os.makedirs(outdir, exist_ok=True)
    out = g.Out(outdir)
    del g.CASES[:]
    for fn in ALL:
        fn(out)
    if table:
        for name, cap, code, extra in g.CASES:
            print("%s\t%s\t%d\t%s" % (name, cap, code, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
