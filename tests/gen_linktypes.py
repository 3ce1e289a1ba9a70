#!/usr/bin/env python3
"""Writes testdata/lt_NAME.pcap and lt_NAME.out: link types that carry IP
and that tshark 4.0 decodes, added after an audit found them missing
(Token Ring, FDDI, PPPoE sessions, OpenBSD enc and pflog, 802.11 behind a
Prism or AVS header, IP over Fibre Channel, Apple IP over IEEE 1394, PPP
with a direction byte). Each capture holds IPv4 and IPv6 UDP datagrams
behind its header, and the frames its decoder must leave without IP (a
Token Ring MAC frame, an FDDI SMT frame, a PPPoE LCP frame). The expected
rows come from the values written here, not from pcap2kdb.

The lt_ipver_* cases (and the AF_INET frames of lt_enc and lt_pflog) put
the other IP version behind a field that names one, as tshark 4.0 reads
it: a field naming IPv4 (Ethertype 0x0800, AF_INET, PPP 0x0021, ARCNET's
IP ids, NFLOG's NFPROTO_IPV4, Frame Relay's NLPID 0xCC, NSH's next
protocol 1) carrying a version-6 header is IPv6, as Wireshark's IPv4
dissector hands it on; one naming IPv6 takes version 6 only, and a
version-4 header there is data (behind Ethertype 0x86DD the row names the
Ethertype, 0x86dd, as tshark's protocol column does). Address family 10
(Linux's AF_INET6) is no BSD family: tshark and tcpdump show it as data.
The framing cases (FRAMING below; an audit in the twelfth session) show
the TCP length, VLAN and ethertype columns too: each case's function says
what its frames cover.

    tests/gen_linktypes.py [DIR]       write into DIR (default testdata/)
    tests/gen_linktypes.py --table     the golden.tsv lines
    tests/gen_linktypes.py --tshark    compare the captures with tshark
"""
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_linkcols import csum  # noqa: E402  (the Internet checksum)

COLS = "frame,linktype,src,dest,srcport,destport,protocol,length,len"
T0 = 1700000000


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


class Dgram:
    """An IP datagram and the fields its row shows."""
    def __init__(self, v6, seed):
        data = bytes((seed * 11 + i) & 0xFF for i in range(3 + seed % 5))
        self.sport, self.dport = 1000 + seed, 2000 + seed
        u = udp(self.sport, self.dport, data)
        self.len = len(data)
        if v6:
            self.src, self.dst = "2001:db8::%x" % (seed + 1), "2001:db8::%x" % (seed + 100)
            a = bytes.fromhex("20010db8" + "0" * 16) + struct.pack("!I", seed + 1)
            b = bytes.fromhex("20010db8" + "0" * 16) + struct.pack("!I", seed + 100)
            self.bytes = struct.pack("!IHBB", 0x60000000, len(u), 17, 64) + a + b + u
        else:
            self.src, self.dst = "10.1.0.%d" % (seed + 1), "10.2.0.%d" % (seed + 1)
            h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), seed, 0, 64, 17, 0,
                            bytes([10, 1, 0, seed + 1]), bytes([10, 2, 0, seed + 1]))
            h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
            self.bytes = h + u
        self.ethertype = 0x86DD if v6 else 0x0800


SNAP = b"\xaa\xaa\x03\x00\x00\x00"
MAC_A, MAC_B = b"\x02\x00\x00\x00\x00\x0a", b"\x02\x00\x00\x00\x00\x0b"


def snap(d):
    return SNAP + struct.pack("!H", d.ethertype) + d.bytes


def w80211_body(body):
    # data frame to the DS: address 1 the BSSID, 2 the source, 3 the destination
    return struct.pack("<HH", 0x0108, 0) + MAC_B + MAC_A + MAC_B + struct.pack("<H", 0x10) + body


def w80211(d):
    return w80211_body(snap(d))


def prism(d, big_endian=False):
    e = ">" if big_endian else "<"
    return struct.pack(e + "II", 0x44, 144) + b"wlan0".ljust(16, b"\0") + b"\0" * 120 + w80211(d)


def avs(d):
    return struct.pack(">II", 0x80211001, 64) + b"\0" * 56 + w80211(d)


def pflog(d, af):
    return (bytes([61, af, 0, 0]) + b"pflog0".ljust(16, b"\0") + b"\0" * 16 + b"\0" * 24 +
            b"\x01\0\0\0" + d.bytes)


def ppp_proto(d):
    return struct.pack("!H", 0x0057 if d.ethertype == 0x86DD else 0x0021)


def eth(etype, payload):
    return MAC_B + MAC_A + struct.pack("!H", etype) + payload


def nsh(next_proto, d):
    """RFC 8300: base header (length 2 words, MD type 2), service path"""
    return struct.pack("!BBBB", 0, 2, 2, next_proto) + b"\0\0\x01\xff" + d.bytes


def nflog(family, d):
    """Linux NFLOG: header (family, version, resource id), then the
    packet's TLV (little-endian length and type 9), padded to 4 bytes"""
    tlv = struct.pack("<HH", 4 + len(d.bytes), 9) + d.bytes
    return bytes([family, 0, 0, 1]) + tlv + b"\0" * (-len(tlv) % 4)


def ipver_cases(v4, v6):
    """The lt_ipver_* cases (module docstring)."""
    sll = lambda proto, d: struct.pack("!HHH", 0, 1, 6) + MAC_A + b"\0\0" + \
        struct.pack("!H", proto) + d.bytes
    return [
        ("ipver_eth", 1, [
            (eth(0x0800, v6[0].bytes), v6[0], "UDP"),
            (eth(0x86DD, v4[0].bytes), None, "0x86dd"),
            (eth(0x86DD, v6[1].bytes), v6[1], "UDP"),
            (eth(0x894F, nsh(1, v6[2])), v6[2], "UDP"),
            (eth(0x894F, nsh(2, v4[1])), None, ""),
            (eth(0x8864, struct.pack("!BBHH", 0x11, 0, 7, len(v6[3].bytes) + 2) + b"\x00\x21" +
                 v6[3].bytes), v6[3], "UDP"),
        ]),
        ("ipver_sll", 113, [
            (sll(0x86DD, v4[2]), None, "0x86dd"),
            (sll(0x0800, v6[0]), v6[0], "UDP"),
        ]),
        ("ipver_null", 0, [
            (struct.pack("<I", 2) + v6[1].bytes, v6[1], "UDP"),
            (struct.pack(">I", 2) + v6[2].bytes, v6[2], "UDP"),    # a big-endian writer
            (struct.pack("<I", 24) + v4[3].bytes, None, ""),
            (struct.pack("<I", 10) + v6[3].bytes, None, ""),       # Linux's AF_INET6
            (struct.pack("<I", 30) + v6[0].bytes, v6[0], "UDP"),
        ]),
        ("ipver_loop", 108, [
            (struct.pack(">I", 2) + v6[1].bytes, v6[1], "UDP"),
            (struct.pack(">I", 10) + v6[2].bytes, None, ""),
        ]),
        ("ipver_ppp", 9, [
            (b"\xff\x03\x00\x21" + v6[1].bytes, v6[1], "UDP"),
            (b"\x21" + v6[2].bytes, v6[2], "UDP"),                   # protocol field compressed
            (b"\xff\x03\x00\x57" + v4[0].bytes, None, ""),
        ]),
        ("ipver_arcnet", 7, [
            (b"\x01\x02\xf0" + v6[3].bytes, v6[3], "UDP"),           # RFC 1051 IP
            (b"\x01\x02\xd4\x00\x00\x00" + v6[0].bytes, v6[0], "UDP"),  # RFC 1201 IP
            (b"\x01\x02\xc4\x00\x00\x00" + v4[1].bytes, None, ""),  # RFC 1201 IPv6
        ]),
        ("ipver_nflog", 239, [
            (nflog(2, v6[1]), v6[1], "UDP"),
            (nflog(10, v4[2]), None, ""),
            (nflog(10, v6[3]), v6[3], "UDP"),
        ]),
        ("ipver_frelay", 107, [
            (b"\x18\x41\x03\xcc" + v6[0].bytes, v6[0], "UDP"),       # NLPID IPv4
            (b"\x18\x41\x03\x8e" + v4[1].bytes, None, ""),           # NLPID IPv6
        ]),
    ]


def cases():
    """(name, link type, [(frame bytes, datagram or None, protocol text)])"""
    v4 = [Dgram(False, i) for i in range(4)]
    v6 = [Dgram(True, i) for i in range(4)]
    return [
        ("tr", 6, [
            (b"\x10\x40" + MAC_B + MAC_A + snap(v4[0]), v4[0], "UDP"),
            (b"\x10\x40" + MAC_B + bytes([MAC_A[0] | 0x80]) + MAC_A[1:] + b"\x06\x30" +
             b"\x00\x10\x00\x20" + snap(v6[1]), v6[1], "UDP"),           # source routed
            (b"\x10\x00" + MAC_B + MAC_A + b"\x00\x04\x20\x00", None, ""),  # a MAC frame
        ]),
        ("fddi", 10, [
            (b"\x50" + MAC_B + MAC_A + snap(v4[1]), v4[1], "UDP"),
            (b"\x57" + MAC_B + MAC_A + snap(v6[2]), v6[2], "UDP"),
            (b"\x41" + MAC_B + MAC_A + b"\x00" * 8, None, ""),             # an SMT frame
        ]),
        ("pppoe", 51, [
            (struct.pack("!BBHH", 0x11, 0, 7, len(v4[2].bytes) + 2) + ppp_proto(v4[2]) +
             v4[2].bytes, v4[2], "UDP"),
            (struct.pack("!BBHH", 0x11, 0, 7, len(v6[3].bytes) + 2) + ppp_proto(v6[3]) +
             v6[3].bytes, v6[3], "UDP"),
            (struct.pack("!BBHH", 0x11, 0, 7, 6) + b"\xc0\x21\x01\x01\x00\x04", None, "LCP"),
            # LENGTH 2 (RFC 2516): the PPP protocol field alone, whatever follows
            (struct.pack("!BBHH", 0x11, 0, 7, 2) + ppp_proto(v4[1]) + v4[1].bytes, None, ""),
        ]),
        ("enc", 109, [
            (struct.pack(">III", 2, 0x1000, 0x0400) + v4[3].bytes, v4[3], "UDP"),
            (struct.pack("<III", 2, 0x1000, 0x0400) + v4[0].bytes, v4[0], "UDP"),  # little-endian
            (struct.pack(">III", 24, 0x1000, 0x0400) + v6[0].bytes, v6[0], "UDP"),
            (struct.pack(">III", 2, 0x1000, 0x0400) + v6[1].bytes, v6[1], "UDP"),  # AF_INET
        ]),
        ("pflog", 117, [
            (pflog(v4[1], 2), v4[1], "UDP"),
            (pflog(v6[1], 24), v6[1], "UDP"),                             # OpenBSD AF_INET6
            (pflog(v6[2], 28), v6[2], "UDP"),                             # FreeBSD AF_INET6
            (pflog(v6[3], 2), v6[3], "UDP"),                              # AF_INET
            (pflog(v6[0], 10), None, ""),                                 # Linux's AF_INET6
        ]),
        ("prism", 119, [
            (prism(v4[2]), v4[2], "UDP"),
            (prism(v6[3], big_endian=True), v6[3], "UDP"),
        ]),
        ("ipfc", 122, [
            (b"\x10\x00" + MAC_B + b"\x10\x00" + MAC_A + snap(v4[3]), v4[3], "UDP"),
            (b"\x10\x00" + MAC_B + b"\x10\x00" + MAC_A + snap(v6[0]), v6[0], "UDP"),
        ]),
        ("ap1394", 138, [
            (b"\x01" * 8 + b"\x02" * 8 + b"\x08\x00" + v4[0].bytes, v4[0], "UDP"),
            (b"\x01" * 8 + b"\x02" * 8 + b"\x86\xdd" + v6[1].bytes, v6[1], "UDP"),
        ]),
        ("avs", 163, [
            (avs(v4[1]), v4[1], "UDP"),
            (avs(v6[2]), v6[2], "UDP"),
        ]),
        ("pppdir", 204, [
            (b"\x00\xff\x03" + ppp_proto(v4[2]) + v4[2].bytes, v4[2], "UDP"),
            (b"\x01\xff\x03" + ppp_proto(v6[3]) + v6[3].bytes, v6[3], "UDP"),
        ]),
    ] + ipver_cases(v4, v6)


# ---------------------------------------------------------------------------
# Framing cases: each frame's expected row is built from what this script
# put in it (the bytes an 802.3 length or an A-MSDU subframe length leaves
# to the TCP segment, the last Ethertype field written).

FRAMING_COLS = "frame,linktype,src,dest,srcport,destport,protocol,length,len,vlan,ethertype"


class Seg:
    """An IPv4 TCP segment (ACK) with `payload` bytes of data; its IP total
    length is `total` when given (a wrong one), else the true one."""
    def __init__(self, seed, payload, total=None):
        self.src, self.dst = "10.3.0.%d" % (seed + 1), "10.4.0.%d" % (seed + 1)
        self.sport, self.dport = 3000 + seed, 4000 + seed
        t = struct.pack("!HHIIBBHHH", self.sport, self.dport, 1000 + seed, 5000, 5 << 4, 0x10,
                        8192, 0, 0) + bytes((seed * 7 + i) & 0xFF for i in range(payload))
        self.total = total if total is not None else 20 + len(t)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, self.total, 0x100 + seed, 0, 64, 6, 0,
                        bytes([10, 3, 0, seed + 1]), bytes([10, 4, 0, seed + 1]))
        self.bytes = h[:10] + struct.pack("!H", csum(h)) + h[12:] + t
        self.ethertype = 0x0800

    def len_within(self, n):
        """tcp.len when only n bytes from the IP header on are the packet's
        (20 bytes of IP header, 20 of TCP header)."""
        return min(self.total, n) - 40


def ip_row(d, length=None, vlan="", ethertype=""):
    """The columns src..len, vlan, ethertype of a row decoding d: a Seg of
    TCP length `length` (default: all its data), or a Dgram, whose len is
    its UDP length field's less 8."""
    if isinstance(d, Seg):
        proto, n = "TCP", d.len_within(1 << 16) if length is None else length
    else:
        proto, n = "UDP", d.len
    return [d.src, d.dst, str(d.sport), str(d.dport), proto, str(n), vlan, ethertype]


def no_ip(proto, vlan="", ethertype=""):
    return ["", "", "", "", proto, "", vlan, ethertype]


def snap_oui(oui, d, control=b"\x03"):
    """LLC (control UI by default) and SNAP with this OUI and d's Ethertype, then d."""
    return b"\xaa\xaa" + control + oui + struct.pack("!H", d.ethertype) + d.bytes


def snap0(d):
    return snap_oui(b"\0\0\0", d)


def eth8023(pdu, length=None, tags=b"", trailer=b""):
    """An Ethernet frame whose length field (default: the PDU's) follows the tags."""
    n = len(pdu) if length is None else length
    return MAC_B + MAC_A + tags + struct.pack("!H", n) + pdu + trailer


def tag(vid, tpid=0x8100):
    return struct.pack("!HH", tpid, vid)


def cases_8023len():
    """802.3 lengths: the LLC PDU ends where the length says (IEEE 802.3
    3.2.6), whatever the IP length inside; the bytes after it are pad or a
    trailer. A Seg's expected len counts its bytes within the PDU (its
    length less the 8 bytes of LLC and SNAP)."""
    s = [Seg(i, 4 + i % 3) for i in range(9)]
    big = Seg(10, 10, total=200)     # an IP total length past its 802.3 length
    d = Dgram(False, 1)

    def cut(seg, short, tags=b"", vlan=""):
        pdu = snap0(seg)
        return (eth8023(pdu, len(pdu) - short, tags),
                ip_row(seg, seg.len_within(len(pdu) - short - 8), vlan, "0x0800"))
    return [
        cut(s[0], 4),                    # the audit's: the segment's 4 data bytes left out
        cut(s[1], 2),
        # a length past the frame: the frame's end bounds it
        (eth8023(snap0(s[2]), len(snap0(s[2])) + 30), ip_row(s[2], None, "", "0x0800")),
        cut(s[3], 3, tag(5), "5"),
        cut(s[4], 1, tag(6, 0x9100), "6"),
        # an 802.1ad tag's dissector takes any value for an Ethertype
        (eth8023(snap0(s[5]), 0x30, tag(7, 0x88A8)), no_ip("0x0030", "7", "0x0030")),
        # an 802.1Q tag's length 0: an empty LLC PDU
        (eth8023(snap0(s[6]), 0, tag(8)), no_ip("LLC", "8", "0x8100")),
        # in the Ethernet header 0 is an Ethertype (Cisco MDS), 1501-1535 neither
        (eth8023(snap0(s[7]), 0), no_ip("0x0000", "", "0x0000")),
        (eth8023(snap0(s[8]), 1501), no_ip("")),
        # the IP total length (200) runs past the PDU: the PDU bounds it
        (eth8023(snap0(big), trailer=b"x" * 20),
         ip_row(big, big.len_within(len(snap0(big)) - 8), "", "0x0800")),
        # UDP's len is its length field's, whatever bounds the datagram
        (eth8023(snap0(d), len(snap0(d)) - 2, trailer=b"\0" * 20), ip_row(d, None, "", "0x0800")),
    ]


def cases_llc():
    """802.2 LLC in 802.3 frames: SNAP with the IEEE 802.1H OUI 00-00-F8
    carries an Ethertype as RFC 1042's 00-00-00 does (Apple's 08-00-07
    does not); IP's SAP 0x06, whatever the SSAP; only information frames
    (I, with a 2-byte control field, or UI 0x03) hand their payload on."""
    v4 = [Dgram(False, i) for i in range(4)]
    v6 = [Dgram(True, i) for i in range(3)]
    s = [Seg(i, 4 + i % 3) for i in range(6)]
    arp = bytes.fromhex("0001080006040001") + MAC_A + bytes(4) + MAC_B + bytes(4)
    return [
        (eth8023(snap_oui(b"\0\0\xf8", v4[0])), ip_row(v4[0], None, "", "0x0800")),
        (eth8023(snap_oui(b"\0\0\xf8", v6[1])), ip_row(v6[1], None, "", "0x86dd")),
        # Apple's OUI has protocol ids of its own
        (eth8023(snap_oui(b"\x08\x00\x07", v4[2])), no_ip("LLC")),
        # an I frame: a 2-byte control field
        (eth8023(snap_oui(b"\0\0\0", s[0], b"\x00\x00")), ip_row(s[0], None, "", "0x0800")),
        # UI with the poll bit is no information frame
        (eth8023(snap_oui(b"\0\0\0", s[1], b"\x13")), no_ip("LLC")),
        (eth8023(b"\x06\x06\x03" + v4[3].bytes), ip_row(v4[3])),
        (eth8023(b"\x06\x07\x03" + s[2].bytes), ip_row(s[2])),       # a response
        (eth8023(b"\x06\x06\x02\x05" + s[3].bytes), ip_row(s[3])),   # an I frame
        (eth8023(b"\x06\x06\x01\x00" + s[4].bytes), no_ip("LLC")),   # an S frame
        (eth8023(b"\x07\x06\x03" + s[5].bytes), no_ip("LLC")),       # group DSAP
        # IP's SAP with a version 6 header, as tshark's IPv4 dissector hands it on
        (eth8023(b"\x06\x06\x03" + v6[2].bytes), ip_row(v6[2])),
        (eth8023(b"\x06\x06\x03"), no_ip("LLC")),
        (eth8023(b"\xaa\xaa\x03\x00\x00\xf8\x08\x06" + arp), no_ip("ARP", "", "0x0806")),
    ]


def cases_chdlc():
    """Cisco HDLC frames (address 0x0F or 0x8F, control, protocol), read as
    Wireshark's chdlc.protocol table reads them: IPv4, IPv6, MPLS and
    bridged Ethernet; SLARP; no 802.1Q. The same frames behind the PPP link
    types, with one PPP frame (the PPP link types add it)."""
    v4 = [Dgram(False, i) for i in range(3)]
    v6 = Dgram(True, 1)
    s = Seg(0, 4)
    slarp = struct.pack("!III", 2, 7, 6) + b"\xff\xff"     # a keepalive
    return [
        (b"\x0f\x00\x08\x00" + v4[0].bytes, ip_row(v4[0], None, "", "0x0800")),
        (b"\x8f\x00\x86\xdd" + v6.bytes, ip_row(v6, None, "", "0x86dd")),
        (b"\x0f\x00\x88\x47" + b"\x00\x01\x01\x40" + s.bytes, ip_row(s, None, "", "0x8847")),
        (b"\x0f\x00\x80\x35" + slarp, no_ip("SLARP", "", "0x8035")),
        # no 802.1Q in Wireshark's table: the tag is not read
        (b"\x0f\x00\x81\x00" + b"\x00\x05\x08\x00" + v4[1].bytes, no_ip("VLAN", "", "0x8100")),
        # transparent Ethernet bridging: the bridged frame's Ethertype
        (b"\x8f\x00\x65\x58" + MAC_B + MAC_A + b"\x08\x00" + v4[2].bytes,
         ip_row(v4[2], None, "", "0x0800")),
    ]


def cases_ppp_chdlc():
    d = Dgram(False, 3)
    return cases_chdlc() + [(b"\xff\x03" + ppp_proto(d) + d.bytes, ip_row(d))]


def cases_pppdir_chdlc():
    return [(b"\x01" + b, e) for b, e in cases_ppp_chdlc()]   # a direction byte first


def amsdu_sub(msdu, length=None, pad=True):
    """An A-MSDU subframe: DA, SA, the MSDU's length, the MSDU, padding to 4 bytes."""
    n = len(msdu) if length is None else length
    b = MAC_B + MAC_A + struct.pack("!H", n) + msdu
    return b + bytes(-len(b) % 4) if pad else b


def qos_data(body, qos=0x0080, four_addr=False):
    """A QoS data frame to the DS (four addresses: between stations of a
    wireless distribution system), A-MSDU Present by default."""
    h = struct.pack("<BBH", 0x88, 0x03 if four_addr else 0x01, 0) + MAC_B + MAC_A + MAC_B
    h += struct.pack("<H", 0x20) + (MAC_A if four_addr else b"")
    return h + struct.pack("<H", qos) + body


class Arp:
    """An ARP request, for an A-MSDU's subframe."""
    ethertype = 0x0806
    bytes = bytes.fromhex("0001080006040001") + MAC_A + bytes(4) + MAC_B + bytes(4)


def cases_wlan_llc():
    """802.11 data frames: SNAP 00-00-F8 and SAP 0x06 as in Ethernet, and
    A-MSDUs, whose row is the first subframe's packet, within its length."""
    v4 = [Dgram(False, i) for i in range(4)]
    v6 = [Dgram(True, i) for i in range(4)]
    s = [Seg(i, 4 + i % 3) for i in range(2)]
    m = snap0(s[1])
    return [
        (w80211_body(snap_oui(b"\0\0\xf8", v4[0])), ip_row(v4[0], None, "", "0x0800")),
        (w80211_body(b"\x06\x06\x03" + v4[1].bytes), ip_row(v4[1])),
        (qos_data(amsdu_sub(snap0(s[0]), pad=False)), ip_row(s[0], None, "", "0x0800")),
        # two subframes: the first one's packet
        (qos_data(amsdu_sub(snap0(v4[2])) + amsdu_sub(snap0(v6[3]), pad=False)),
         ip_row(v4[2], None, "", "0x0800")),
        (qos_data(amsdu_sub(snap0(v6[0]), pad=False), four_addr=True),
         ip_row(v6[0], None, "", "0x86dd")),
        # the subframe's length bounds its MSDU: 3 bytes of data left out
        (qos_data(amsdu_sub(m, len(m) - 3)), ip_row(s[1], s[1].len_within(len(m) - 3 - 8), "",
                                                     "0x0800")),
        # a first subframe without IP: its row, not the later one's
        (qos_data(amsdu_sub(snap0(Arp())) + amsdu_sub(snap0(v4[3]), pad=False)),
         no_ip("ARP", "", "0x0806")),
        (qos_data(bytes(10)), no_ip("LLC")),         # shorter than a subframe header
        (qos_data(snap0(v4[1]), qos=0), ip_row(v4[1], None, "", "0x0800")),   # no A-MSDU
    ]


FRAMING = [("8023len", 1, cases_8023len), ("llc", 1, cases_llc),
           ("ppp_chdlc", 9, cases_ppp_chdlc), ("ppphdlc_chdlc", 50, cases_ppp_chdlc),
           ("pppdir_chdlc", 204, cases_pppdir_chdlc), ("chdlc", 104, cases_chdlc),
           ("wlan_llc", 105, cases_wlan_llc)]
# (case, frame) -> why tshark's first values differ from the row, by design
TSHARK_DIFFERS = {
    ("wlan_llc", 7): "the first subframe's row (README Inputs); tshark's first IP is the next's",
}


def framing_cases():
    """(name, link type, [(frame bytes, expected columns src..ethertype)])"""
    return [(name, lt, make()) for name, lt, make in FRAMING]


NAMES = {6: "IEEE802_5", 10: "FDDI", 51: "PPP_ETHER", 109: "ENC", 117: "PFLOG",
         119: "IEEE802_11_PRISM", 122: "IP_OVER_FC", 138: "APPLE_IP_OVER_IEEE1394",
         163: "IEEE802_11_AVS", 204: "PPP_WITH_DIR",
         0: "NULL", 1: "ETHERNET", 9: "PPP", 50: "PPP_HDLC", 104: "C_HDLC",
         105: "IEEE802_11", 108: "LOOP", 113: "LINUX_SLL",
         7: "ARCNET_BSD", 107: "FRELAY", 239: "NFLOG"}   # the tcpdump.org LINKTYPE_ names


def write_pcap(path, lt, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, lt))
        for i, b in enumerate(frames):
            f.write(struct.pack("<IIII", T0 + i, 0, len(b), len(b)) + b)


def write(outdir):
    for name, lt, frames in cases():
        write_pcap(os.path.join(outdir, "lt_%s.pcap" % name), lt, [b for b, _, _ in frames])
        rows = [COLS]
        for i, (b, d, proto) in enumerate(frames, start=1):
            if d:
                rows.append("%d,%s,%s,%s,%d,%d,%s,%d,%d" % (i, NAMES[lt], d.src, d.dst, d.sport,
                                                          d.dport, proto, len(b), d.len))
            else:
                rows.append("%d,%s,,,,,%s,%d," % (i, NAMES[lt], proto, len(b)))
        with open(os.path.join(outdir, "lt_%s.out" % name), "w") as f:
            f.write("\n".join(rows) + "\n")
    for name, lt, frames in framing_cases():
        write_pcap(os.path.join(outdir, "lt_%s.pcap" % name), lt, [b for b, _ in frames])
        rows = [FRAMING_COLS]
        for i, (b, e) in enumerate(frames, start=1):
            rows.append(",".join([str(i), NAMES[lt]] + e[:5] + [str(len(b))] + e[5:]))
        with open(os.path.join(outdir, "lt_%s.out" % name), "w") as f:
            f.write("\n".join(rows) + "\n")


def table_lines():
    return (["lt_%s\ttestdata/lt_%s.pcap\t0\t--columns %s" % (n, n, COLS) for n, _, _ in cases()] +
            ["lt_%s\ttestdata/lt_%s.pcap\t0\t--columns %s" % (n, n, FRAMING_COLS)
             for n, _, _ in framing_cases()])


def tshark_check(outdir):
    bad = 0
    for name, _, frames in cases():
        out = subprocess.run(
            ["tshark", "-r", os.path.join(outdir, "lt_%s.pcap" % name), "-T", "fields",
             "-E", "separator=,", "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport"],
            capture_output=True, text=True).stdout.splitlines()
        for (_, d, _), line in zip(frames, out):
            f = line.split(",")
            want = [d.src, str(d.sport)] if d else ["", ""]
            got = [f[0] or f[1], f[2]]
            bad += got != want
            print("%-8s %s %s tshark %s" % (name, "ok " if got == want else "BAD", want, got))
    for name, _, frames in framing_cases():
        out = subprocess.run(
            ["tshark", "-r", os.path.join(outdir, "lt_%s.pcap" % name), "-T", "fields",
             "-E", "separator=,", "-E", "occurrence=f", "-e", "ip.src", "-e", "ipv6.src",
             "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "tcp.len", "-e", "udp.length"],
            capture_output=True, text=True).stdout.splitlines()
        for n, ((_, e), line) in enumerate(zip(frames, out), start=1):
            f = line.split(",")
            ulen = str(int(f[5]) - 8) if f[5] else ""
            got = [f[0] or f[1], f[2] or f[3], f[4] or ulen]
            want = [e[0], e[2], e[5]]
            by_design = TSHARK_DIFFERS.get((name, n))
            bad += got != want and not by_design
            print("%-13s %2d %s %s tshark %s" % (name, n, "ok " if got == want else
                                                  by_design or "BAD", want, got))
    print("%d disagreement(s)" % bad)
    return 1 if bad else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(here, "..", "testdata")
    args = sys.argv[1:]
    if args and args[0] == "--table":
        print("\n".join(table_lines()))
        return 0
    if args and args[0] == "--tshark":
        return tshark_check(args[1] if len(args) > 1 else outdir)
    write(args[0] if args else outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
