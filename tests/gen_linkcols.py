#!/usr/bin/env python3
"""Generate the golden cases of issue #18's link columns (file, smac, dmac,
ethertype) and of the time window (--from / --to).

Captures are built byte by byte; the expected rows come from this script's
own record of what each frame holds (its MACs, its last Ethertype field, its
time), never from running pcap2kdb. The --fix and --flows window cases
filter tables of other generators' cases (fix_split3.out of gen_fixdata.py,
the reviewed analysis_reconnect_flows.out) by this script's own window rule.

    python3 tests/gen_linkcols.py [OUTDIR]   (default: <repo>/testdata)
    python3 tests/gen_linkcols.py --table    print the golden.tsv lines
    python3 tests/gen_linkcols.py --tshark   check the pseudowire cases'
                                             readings against tshark 4.0
                                             (needs tshark; run by hand)

Deterministic: two runs write the same bytes.
"""

import calendar
import ipaddress
import os
import struct
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T0 = calendar.timegm((2024, 1, 2, 10, 0, 0))  # 2024.01.02D10:00:00

MAC_A = bytes.fromhex("0200000000a1")
MAC_B = bytes.fromhex("00005e0053b2")
MAC_IN_S = bytes.fromhex("aabbccddee01")
MAC_IN_D = bytes.fromhex("aabbccddee02")


def mac_text(m):
    return ":".join("%02x" % b for b in m)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0,
                      ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + l4


def ipv6(src, dst, nxt, l4):
    return struct.pack("!IHBB16s16s", 6 << 28, len(l4), nxt, 64,
                       ipaddress.IPv6Address(src).packed,
                       ipaddress.IPv6Address(dst).packed) + l4


def tcp(sport, dport, flags=0x02):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 8192, 0, 0)


def udp(sport, dport, payload=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def vlan(vid, etype, payload):
    return struct.pack("!HH", vid, etype) + payload


ARP = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + MAC_A + bytes([10, 0, 0, 1]) + \
    b"\0" * 6 + bytes([10, 0, 0, 2])


def pcap_bytes(recs, linktype):
    """recs: (sec, nsec, frame bytes); nanosecond pcap, little-endian."""
    out = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, linktype)
    for sec, nsec, data in recs:
        out += struct.pack("<IIII", sec, nsec, len(data), len(data)) + data
    return out


def ts_text(sec, nsec):
    g = time.gmtime(sec)
    return "%04d.%02d.%02dD%02d:%02d:%02d.%09d" % (g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour,
                                                  g.tm_min, g.tm_sec, nsec)


# ------------------------------------------------------------ link columns
# Each frame: (bytes, smac, dmac, ethertype, protocol) as pcap2kdb prints them.

def eth_frames():
    F = []
    tcp4 = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 80))
    F.append((eth(MAC_B, MAC_A, 0x0800, tcp4), MAC_A, MAC_B, "0x0800", "TCP"))
    F.append((eth(MAC_B, MAC_A, 0x86DD, ipv6("2001:db8::1", "2001:db8::2", 17, udp(5000, 53))),
              MAC_A, MAC_B, "0x86dd", "UDP"))
    F.append((eth(b"\xff" * 6, MAC_A, 0x0806, ARP), MAC_A, b"\xff" * 6, "0x0806", "ARP"))
    # 802.1Q: the Ethertype behind the tag (tshark's vlan.etype)
    F.append((eth(MAC_B, MAC_A, 0x8100, vlan(100, 0x0800, tcp4)), MAC_A, MAC_B, "0x0800", "TCP"))
    # 802.1ad + 802.1Q + IPv6
    F.append((eth(MAC_B, MAC_A, 0x88A8, vlan(200, 0x8100, vlan(300, 0x86DD, ipv6(
        "2001:db8::1", "2001:db8::2", 6, tcp(1, 2))))), MAC_A, MAC_B, "0x86dd", "TCP"))
    # 802.3 length field, LLC without SNAP: no Ethertype at all
    llc = b"\x42\x42\x03" + b"\0" * 35
    F.append((eth(bytes.fromhex("0180c2000000"), MAC_A, len(llc), llc), MAC_A,
              bytes.fromhex("0180c2000000"), "", "STP"))
    # 802.3 + LLC/SNAP carrying IPv4: SNAP's Ethertype
    snap = b"\xaa\xaa\x03\0\0\0\x08\x00" + tcp4
    F.append((eth(MAC_B, MAC_A, len(snap), snap), MAC_A, MAC_B, "0x0800", "TCP"))
    # an Ethertype nobody names
    F.append((eth(MAC_B, MAC_A, 0x88B5, b"\0" * 46), MAC_A, MAC_B, "0x88b5", "0x88b5"))
    # VXLAN: the inner frame's MACs and Ethertype
    inner = eth(MAC_IN_D, MAC_IN_S, 0x0800, ipv4("192.168.0.1", "192.168.0.2", 6, tcp(1234, 443)))
    vx = struct.pack("!BBHI", 0x08, 0, 0, 42 << 8) + inner
    F.append((eth(MAC_B, MAC_A, 0x0800, ipv4("10.9.0.1", "10.9.0.2", 17, udp(50000, 4789, vx))),
              MAC_IN_S, MAC_IN_D, "0x0800", "TCP"))
    # GRE carrying IPv4 (no inner Ethernet): GRE's protocol type, outer MACs
    gre = struct.pack("!HH", 0, 0x0800) + ipv4("192.168.1.1", "192.168.1.2", 17, udp(7, 7))
    F.append((eth(MAC_B, MAC_A, 0x0800, ipv4("10.8.0.1", "10.8.0.2", 47, gre)),
              MAC_A, MAC_B, "0x0800", "UDP"))
    # MPLS, one label, IPv4 below: the Ethertype is MPLS's
    F.append((eth(MAC_B, MAC_A, 0x8847, struct.pack("!I", (1000 << 12) | (1 << 8) | 64) + tcp4),
              MAC_A, MAC_B, "0x8847", "TCP"))
    # a frame shorter than an Ethernet header: nothing
    F.append((MAC_B + MAC_A[:4], None, None, "", ""))
    # MPLS in UDP (RFC 7510): no Ethertype names the labels, so the outer one
    mpls = struct.pack("!I", (16 << 12) | (1 << 8) | 64) + \
        ipv4("192.168.2.1", "192.168.2.2", 6, tcp(5, 6))
    F.append((eth(MAC_B, MAC_A, 0x0800, ipv4("10.7.0.1", "10.7.0.2", 17, udp(50001, 6635, mpls))),
              MAC_A, MAC_B, "0x0800", "TCP"))
    # VXLAN carrying ARP: the row stays the outer packet's, and so do its MACs
    inner_arp = eth(b"\xff" * 6, MAC_IN_S, 0x0806, ARP)
    vx = struct.pack("!BBHI", 0x08, 0, 0, 43 << 8) + inner_arp
    F.append((eth(MAC_B, MAC_A, 0x0800, ipv4("10.9.0.1", "10.9.0.2", 17, udp(50000, 4789, vx))),
              MAC_A, MAC_B, "0x0800", "UDP"))
    return F


# ------------------------------------------------------------ pseudowires
# An Ethernet pseudowire over MPLS (RFC 4448) whose first nibble after the
# bottom label is 0 may start with a control word (RFC 4385) or, without
# one, with a destination address beginning with a 0 nibble. The rule of
# README "Inputs", modelled here on its own: without a control word when
# that reading of the bytes finds a network layer and the reading after a
# control word does not, or when both do and the control word's reserved
# bits (4-15, RFC 4448 section 4.6) are not 0; a network layer is, past at
# most 20 VLAN tags, an Ethertype pcap2kdb follows (for IPv4 and IPv6,
# with a header of that version after it).

PW_TAG_TYPES = (0x8100, 0x88A8, 0x9100)
PW_MAX_TAGS = 20
# Ethertype -> the IP version its header must have (None: any bytes)
PW_NETWORK_TYPES = {0x0800: 4, 0x86DD: 6, 0x0806: None, 0x8847: None, 0x8848: None,
                    0x8864: None, 0x8870: None, 0x894F: None, 0x88E5: None, 0xD28B: None}


def pw_network_frame(f):
    i = 12
    for _ in range(PW_MAX_TAGS + 1):
        if len(f) < i + 2 or struct.unpack("!H", f[i:i + 2])[0] not in PW_TAG_TYPES:
            break
        i += 4
    else:
        return False
    if len(f) < i + 2:
        return False
    t = struct.unpack("!H", f[i:i + 2])[0]
    if t not in PW_NETWORK_TYPES:
        return False
    v = PW_NETWORK_TYPES[t]
    return v is None or (len(f) > i + 2 and f[i + 2] >> 4 == v)


def pw_control_word(pw):
    """Whether pcap2kdb reads a control word at the start of pw (first
    nibble 0)."""
    if not pw_network_frame(pw):
        return True
    if not pw_network_frame(pw[4:]):
        return False
    return struct.unpack("!H", pw[:2])[0] & 0x0FFF == 0


def pw_frames():
    """Ethernet pseudowires over MPLS, with and without a control word,
    their first nibble 0 either way. Each case: the bytes after the labels,
    whether they begin with a control word, the row read the right way
    round and the row read the other way (only where the rule cannot tell),
    and the reading tshark 4.0.17 takes (packet-pw-eth.c: without a control
    word when the first 6 bytes and the next 6 both begin with an OUI of its
    manufacturer database; README "Compared with tshark")."""
    labels = struct.pack("!II", 0x0DE89040, 0xCA4FE140)   # S on the second
    u = ipv4("192.168.7.7", "172.16.1.5", 17, udp(9999, 43907))
    da, sa = bytes.fromhex("001b21000001"), bytes.fromhex("000c29000002")
    ip_row = (sa, da, "0x0800", "UDP")
    cases = []     # (note, pw bytes, has control word, right row, wrong row, tshark cw)
    # README's example (an audit's capture): control word 00 00 00 00, then
    # a frame whose first 12 bytes, read from the control word on, begin
    # with registered OUIs (00:00:00, 40:1b:5f): tshark takes them for the
    # addresses, no IP. Without a control word the Ethertype would be
    # 3e 54: a control word.
    dst, src = bytes.fromhex("022f401b5f5d"), bytes.fromhex("528b3e546b2d")
    inner = eth(dst, src, 0x88A8, vlan(0x8000, 0x8100, vlan(0x80C8, 0x0800, u)))
    cases.append(("control word, destination 02:2f:...", b"\0" * 4 + inner, True,
                  (src, dst, "0x0800", "UDP"), None, False))
    # no control word, destination 00:1b:21: Ethertype IPv4 and a version 4
    # header; after a control word the "Ethertype" would be the IPv4 total
    # length (00 30). tshark finds both OUIs registered
    cases.append(("no control word, destination 00:1b:21:...",
                  eth(da, sa, 0x0800, u), False, ip_row, None, False))
    # the same with locally administered addresses: tshark finds no OUI and
    # reads a control word (no IP)
    cases.append(("no control word, destination 02:00:00:...",
                  eth(bytes.fromhex("020000000001"), bytes.fromhex("020000000002"), 0x0800, u),
                  False, (bytes.fromhex("020000000002"), bytes.fromhex("020000000001"),
                          "0x0800", "UDP"), None, True))
    # control word, then 802.1Q tag 100 before IPv4; without one the
    # Ethertype would be 00 0c (the source address's bytes 2-3)
    cases.append(("control word, 802.1Q tag", b"\0" * 4 + eth(da, sa, 0x8100, vlan(100, 0x0800, u)),
                  True, ip_row, None, True))
    # no control word, an 802.1Q tag (100) before IPv4: after a control
    # word the Ethertype would be IPv4's too (the tag is as long as a
    # control word), so the would-be control word's reserved bits decide:
    # 0x01b (00:1b:21) is no control word
    tagged = vlan(100, 0x0800, u)
    cases.append(("no control word, 802.1Q tag", eth(da, sa, 0x8100, tagged), False, ip_row,
                  None, False))
    # the same to 00:00:5e:00:01:01 (a VRRP router): the reserved bits are
    # 0, so a control word, the addresses read from bytes 4 and 10 and no
    # tag; tshark finds both OUIs registered
    vrrp = bytes.fromhex("00005e000101")
    pw = eth(vrrp, sa, 0x8100, tagged)
    cases.append(("no control word, 802.1Q tag, destination 00:00:5e:...", pw, False,
                  (sa, vrrp, "0x0800", "UDP"), (pw[10:16], pw[4:10], "0x0800", "UDP"), False))
    # a control word with a sequence number (RFC 4385: flags 0, length 0,
    # sequence 0x1234)
    cases.append(("control word, sequence 0x1234", b"\x00\x00\x12\x34" + eth(da, sa, 0x0800, u),
                  True, ip_row, None, True))
    # no control word, an 802.3 frame (STP to 01:80:c2:00:00:00, LLC
    # 42 42 03): neither reading finds a network layer, so a control word,
    # as the RFC says: the addresses are read from bytes 4 and 10, the
    # "length" 03 00 then gives LLC 00 (no Ethertype past MPLS's). tshark
    # does the same (01:80:c2 is no OUI of its database)
    llc = b"\x42\x42\x03" + b"\0" * 35
    stp = eth(bytes.fromhex("0180c2000000"), sa, len(llc), llc)
    cases.append(("no control word, 802.3 STP", stp, False,
                  (sa, bytes.fromhex("0180c2000000"), "0x8847", "STP"),
                  (stp[10:16], stp[4:10], "0x8847", "LLC"), True))
    # no control word, IPv6 whose flow label 0x00800 puts 08 00 at bytes
    # 16-17: after a control word an Ethertype IPv4, but the byte after it
    # (the payload length's, 00) is no version 4 header
    v6 = struct.pack("!IHBB16s16s", 6 << 28 | 0x00800, 8, 17, 64,
                     ipaddress.IPv6Address("2001:db8::1").packed,
                     ipaddress.IPv6Address("2001:db8::2").packed) + udp(5000, 53)
    cases.append(("no control word, IPv6, flow label 0x00800", eth(da, sa, 0x86DD, v6), False,
                  (sa, da, "0x86dd", "UDP"), None, False))
    # control word, and a source address 02:00:08:00:45:02 that, read
    # without one, gives Ethertype IPv4 and a version 4 byte too: both
    # readings find a network layer, so a control word
    sa2 = bytes.fromhex("020008004502")
    cases.append(("control word, both readings IPv4", b"\0" * 4 + eth(da, sa2, 0x0800, u), True,
                  (sa2, da, "0x0800", "UDP"), None, True))
    # no control word, ARP to 00:1b:21
    cases.append(("no control word, ARP", eth(da, sa, 0x0806, ARP), False,
                  (sa, da, "0x0806", "ARP"), None, False))
    F = []
    for note, pw, cw, right, wrong, _ in cases:
        assert pw[0] >> 4 == 0, note
        row = right if pw_control_word(pw) == cw else wrong
        assert row is not None, note
        outer = eth(bytes.fromhex("02bc10ce9926"), bytes.fromhex("007db39c36a3"), 0x8847,
                    labels + pw) if not F else eth(MAC_B, MAC_A, 0x8847, labels + pw)
        F.append((outer,) + row)
    return F, cases


def sll_frame(hatype, halen, addr, proto, payload):
    return struct.pack("!HHH", 0, hatype, halen) + addr.ljust(8, b"\0") + \
        struct.pack("!H", proto) + payload


def sll2_frame(hatype, halen, addr, proto, payload):
    return struct.pack("!HHIHBB", proto, 0, 1, hatype, 0, halen) + addr.ljust(8, b"\0") + payload


def nlmsg(mtype, body, big_endian=False):
    """A netlink message: length, type, flags, sequence, port id"""
    return struct.pack((">" if big_endian else "<") + "IHHII", 16 + len(body), mtype, 0, 1,
                       0) + body


def sll_frames(two):
    make = sll2_frame if two else sll_frame
    tcp4 = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 80))
    gre = struct.pack("!HH", 0, 0x0800) + ipv4("192.168.1.1", "192.168.1.2", 17, udp(7, 7))
    inner = eth(MAC_IN_D, MAC_IN_S, 0x0800, ipv4("192.168.0.1", "192.168.0.2", 6, tcp(1, 2)))
    vx = udp(50000, 4789, struct.pack("!BBHI", 0x08, 0, 0, 42 << 8) + inner)
    # the header cut after the sender's address: Wireshark's SLL dissector
    # shows it before it reads the protocol field (SLL2: after 18 bytes)
    cut = make(1, 6, MAC_B, 0x0800, tcp4)[:19 if two else 13]
    rtnl = nlmsg(16, b"\0" * 16)        # RTM_NEWLINK and its ifinfomsg
    frames = [
        (make(1, 6, MAC_A, 0x0800, tcp4), MAC_A, None, "0x0800", "TCP"),
        # loopback (ARPHRD_LOOPBACK 772): a zero address, shown like Wireshark's
        # sll.src.eth; an address of another length is no MAC
        (make(772, 6, b"\0" * 6, 0x0800, tcp4), b"\0" * 6, None, "0x0800", "TCP"),
        (make(778, 4, b"\x0a\0\0\x01", 0x0800, tcp4), None, None, "0x0800", "TCP"),
        (make(1, 6, MAC_B, 0x0806, ARP), MAC_B, None, "0x0806", "ARP"),
        # GRE carrying IP, no Ethernet header inside: the cooked header's
        # sender alone still (no destination); VXLAN's inner frame has both
        (make(1, 6, MAC_A, 0x0800, ipv4("10.8.0.1", "10.8.0.2", 47, gre)), MAC_A, None,
         "0x0800", "UDP"),
        (make(1, 6, MAC_A, 0x0800, ipv4("10.9.0.1", "10.9.0.2", 17, vx)), MAC_IN_S, MAC_IN_D,
         "0x0800", "TCP"),
        # (SLL2's protocol field comes first: its Ethertype shows too)
        (cut, MAC_B, None, "0x0800" if two else "", ""),
    ]
    # netlink (ARPHRD_NETLINK 824, an nlmon device): the protocol field is a
    # netlink family. Wireshark hands an SLL frame whole to its netlink
    # dissector: no address, no Ethertype, no IP; the protocol column is
    # "Netlink", or the family's name once a message of its own (type 16 or
    # more, longer than its header) reaches that family's dissector. It
    # declines SLL2's header: tshark shows such a frame as data.
    if two:
        frames.append((make(824, 6, MAC_A, 0x0800, tcp4), None, None, "", ""))
    else:
        frames += [
            (make(824, 6, MAC_A, 0x0800, tcp4), None, None, "", "Netlink"),
            (make(824, 0, b"", 0, rtnl), None, None, "", "Netlink route"),
            # a control message (NLMSG_DONE) first, then generic netlink's
            (make(824, 0, b"", 16, nlmsg(3, b"") + nlmsg(16, b"\0" * 4)), None, None, "",
             "Netlink generic"),
            # the host's byte order, guessed by the length: big-endian here
            (make(824, 0, b"", 0, nlmsg(16, b"\0" * 16, True)), None, None, "",
             "Netlink route"),
            # control messages alone (NLMSG_ERROR), a family without a
            # dissector (1), a message no longer than its header
            (make(824, 0, b"", 12, nlmsg(2, b"\0" * 20)), None, None, "", "Netlink"),
            (make(824, 0, b"", 1, rtnl), None, None, "", "Netlink"),
            (make(824, 0, b"", 0, nlmsg(16, b"")), None, None, "", "Netlink"),
            # a length of -1 as an int is "to the end"; another negative one
            # makes Wireshark throw before the family's dissector (fe ff ff
            # ff, nearer the bytes left big-endian, type 0x1000 then)
            (make(824, 0, b"", 0, struct.pack("<IHHII", 0xFFFFFFFF, 16, 0, 1, 0) + b"\0" * 16),
             None, None, "", "Netlink route"),
            (make(824, 0, b"", 0, struct.pack("<IHHII", 0xFFFFFFFE, 16, 0, 1, 0) + b"\0" * 16),
             None, None, "", "Netlink"),
        ]
    return frames


def netlink_frames():
    """LINKTYPE_NETLINK (253), what libpcap writes for an nlmon device: the
    same 16-byte cooked header as SLL's netlink frames, read by Wireshark's
    netlink dissector alone (packet-netlink.c), so the same protocol column;
    that dissector declines a header of another hardware type (no SLL
    decoding: no address, no Ethertype, no IP) and a frame too short for its
    hardware type (tshark 4.0: an empty protocol column)."""
    nl = [f for f in sll_frames(False) if f[0][2:4] == struct.pack("!H", 824)]
    tcp4 = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 80))
    rtnl = sll_frame(824, 0, b"", 0, nlmsg(16, b"\0" * 16))
    return nl + [
        (sll_frame(1, 6, MAC_A, 0x0800, tcp4), None, None, "", ""),
        # cut in the cooked header: "Netlink" once the hardware type is read
        (rtnl[:15], None, None, "", "Netlink"),
        (rtnl[:4], None, None, "", "Netlink"),
        (rtnl[:3], None, None, "", ""),
    ]


def raw_frames():
    return [(ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 80)), None, None, "", "TCP")]


LINK_COLS = "frame,file,smac,dmac,ethertype,protocol"


def link_case(name, frames, linktype):
    recs = [(T0 + i, 0, f[0]) for i, f in enumerate(frames)]
    path = "testdata/%s.pcap" % name
    rows = [LINK_COLS]
    for i, (_, sm, dm, et, proto) in enumerate(frames):
        rows.append(",".join([str(i + 1), path, mac_text(sm) if sm else "",
                              mac_text(dm) if dm else "", et, proto]))
    return recs, linktype, rows


# ------------------------------------------------------------ time window
# Packets around the window's edges, one nanosecond apart; a TCP connection
# opened before the window so that stream and rseq show the whole capture.

FROM = (T0 + 60, 500)          # 2024.01.02D10:01:00.000000500
TO = (T0 + 120, 0)             # 2024.01.02D10:02:00.000000000


def tw_frames():
    def seg(seq, flags, sport=40000, dport=80):
        t = struct.pack("!HHIIBBHHH", sport, dport, seq, 1 if flags & 0x10 else 0, 5 << 4,
                        flags, 8192, 0, 0)
        return eth(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, t))
    times = [(T0, 0), (FROM[0], FROM[1] - 1), FROM, (FROM[0], FROM[1] + 1),
             (TO[0] - 1, 999999999), TO, (TO[0], 1), (T0 + 30, 0)]
    recs = []
    for i, (s, n) in enumerate(times):
        flags = 0x02 if i == 0 else 0x10
        recs.append((s, n, seg(1000 + (i and 1 + i), flags)))
    return recs


def in_window(t, frm, to):
    return (frm is None or t >= frm) and (to is None or t < to)


def tw_rows(recs, frm, to):
    rows = ["frame,time,stream,rseq"]
    for i, (s, n, _) in enumerate(recs):
        if not in_window((s, n), frm, to):
            continue
        rows.append("%d,%s,0,%d" % (i + 1, ts_text(s, n), (1000 + (i and 1 + i)) - 1000))
    return rows


def epoch_text(t):
    return "%d.%09d" % t


# ------------------------------------------------------- message / flows

def read_pcap_times(path):
    b = open(path, "rb").read()
    magic = struct.unpack("<I", b[:4])[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack(order + "I", b[:4])[0] == 0xA1B23C4D
    off, out = 24, []
    while off + 16 <= len(b):
        s, f, cl, _ = struct.unpack(order + "IIII", b[off:off + 16])
        out.append((s, f if nano else f * 1000))
        off += 16 + cl
    return out


def parse_q_time(s):
    d, t = s.split("D")
    y, mo, da = (int(x) for x in d.split("."))
    hms, frac = t.split(".")
    h, mi, se = (int(x) for x in hms.split(":"))
    return (calendar.timegm((y, mo, da, h, mi, se)), int(frac))


def filter_table(path, col, frm, to, overlap_end_col=None):
    lines = open(path).read().rstrip("\n").split("\n")
    head = lines[0].split(",")
    i = head.index(col)
    j = head.index(overlap_end_col) if overlap_end_col else None
    out = [lines[0]]
    for l in lines[1:]:
        f = l.split(",")
        if j is None:
            if f[i] and in_window(parse_q_time(f[i]), frm, to):
                out.append(l)
        elif f[i] and f[j] and (to is None or parse_q_time(f[i]) < to) and \
                (frm is None or parse_q_time(f[j]) >= frm):
            out.append(l)
    return out


USAGE_TAIL = "Try 'pcap2kdb --help' for more information.\n"
TIME_FORMS = ("a q timestamp (2024.01.02D10:00:00.123456789, or shorter: 2024.01.02, "
              "2024.01.02D10:00) or seconds since 1970 (1704189600.5)")


def tshark_check():
    """Runs tshark over the pseudowire capture: each case's control word
    reading (pwethcw or pwethnocw) must be the one recorded; prints whether
    pcap2kdb's (this script's rule) and tshark's agree."""
    import subprocess
    import tempfile
    frames, cases = pw_frames()
    recs, lt, _ = link_case("linkcols_pw", frames, 1)
    with tempfile.NamedTemporaryFile(suffix=".pcap") as f:
        f.write(pcap_bytes(recs, lt))
        f.flush()
        out = subprocess.run(["tshark", "-n", "-r", f.name, "-T", "fields", "-e",
                              "frame.protocols"], capture_output=True, text=True,
                             check=True).stdout.split("\n")
    bad = 0
    for i, (note, pw, cw, _, _, tshark_cw) in enumerate(cases):
        got = "pwethcw" in out[i].split(":")
        ours = pw_control_word(pw)
        if got != tshark_cw:
            bad += 1
        print("%2d %-54s pcap2kdb %s, tshark %s: %s%s" % (
            i + 1, note, "right" if ours == cw else "wrong", "right" if got == cw else "wrong",
            "agree" if ours == got else "differ", "" if got == tshark_cw else " (NOT AS RECORDED)"))
    return 1 if bad else 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--tshark":
        sys.exit(tshark_check())
    if len(sys.argv) > 1 and sys.argv[1] == "--table":
        outdir, table = None, True
    else:
        outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "testdata")
        table = False
    cases = []   # (name, capture, exit, args, stdout lines or None, stderr text or None)
    captures = {}

    for name, frames, lt in (("linkcols_eth", eth_frames(), 1),
                             ("linkcols_sll", sll_frames(False), 113),
                             ("linkcols_sll2", sll_frames(True), 276),
                             ("linkcols_raw", raw_frames(), 101),
                             ("linkcols_pw", pw_frames()[0], 1),
                             ("linkcols_netlink", netlink_frames(), 253)):
        recs, lt, rows = link_case(name, frames, lt)
        captures[name + ".pcap"] = pcap_bytes(recs, lt)
        cases.append((name, name, 0, "--columns " + LINK_COLS, rows, None))
    # --sym changes sym, never file
    recs, _, _ = link_case("linkcols_sll", sll_frames(False), 113)
    cases.append(("linkcols_file_sym", "linkcols_sll", 0,
                  "--sym other --columns sym,file,frame",
                  ["sym,file,frame"] + ["other,testdata/linkcols_sll.pcap,%d" % (i + 1)
                                        for i in range(len(recs))], None))
    # --no-tunnels: the VXLAN frame keeps its outer MACs
    fr = eth_frames()
    rows = ["frame,smac,dmac,ethertype"]
    for i, (_, sm, dm, et, _) in enumerate(eth_frames()):
        if i == 8:  # the VXLAN frame
            sm, dm, et = MAC_A, MAC_B, "0x0800"
        rows.append("%d,%s,%s,%s" % (i + 1, mac_text(sm) if sm else "", mac_text(dm) if dm else "",
                                     et))
    cases.append(("linkcols_no_tunnels", "linkcols_eth", 0,
                  "--no-tunnels --columns frame,smac,dmac,ethertype", rows, None))

    tw = tw_frames()
    captures["timewin.pcap"] = pcap_bytes(tw, 1)
    q_from, q_to = ts_text(*FROM), ts_text(*TO)
    for name, args, frm, to in (
            ("timewin_q", "--from %s --to %s" % (q_from, q_to), FROM, TO),
            ("timewin_epoch", "--from %s --to %d" % (epoch_text(FROM), TO[0]), FROM, TO),
            ("timewin_from_only", "--from %s" % q_from, FROM, None),
            ("timewin_to_only", "--to %s" % q_to, None, TO),
            ("timewin_minute", "--from 2024.01.02D10:01 --to 2024.01.02D10:02",
             (T0 + 60, 0), (T0 + 120, 0)),
            ("timewin_date", "--from 2024.01.02", (T0 - 36000, 0), None),
            ("timewin_c", "--from %s -c 2" % q_from, FROM, None)):
        rows = tw_rows(tw, frm, to)
        if name == "timewin_c":
            rows = rows[:3]
        cases.append((name, "timewin", 0, args + " --columns frame,time,stream,rseq", rows, None))

    # --fix: a message is written by its time (the packet completing it)
    fix_out = os.path.join(REPO, "testdata", "fix_split3.out")
    ft = read_pcap_times(os.path.join(REPO, "testdata", "fix_split3.pcap"))
    # between the first and the last segment of the first (split) message
    mid = ft[4]
    cases.append(("timewin_fix_from", "fix_split3", 0, "--fix --from %s" % ts_text(*mid),
                  filter_table(fix_out, "time", mid, None), None))
    cases.append(("timewin_fix_to", "fix_split3", 0, "--fix --to %s" % ts_text(*mid),
                  filter_table(fix_out, "time", None, mid), None))
    # --kdb: likewise; frame 37 ends a message of 8 segments (frames 30-37)
    kdb_out = os.path.join(REPO, "testdata", "kdb_tick_default.out")
    kt = read_pcap_times(os.path.join(REPO, "testdata", "kdb_tick.pcap"))
    mid = kt[31]  # frame 32
    cases.append(("timewin_kdb_from", "kdb_tick", 0, "--kdb --from %s" % epoch_text(mid),
                  filter_table(kdb_out, "time", mid, None), None))
    cases.append(("timewin_kdb_to", "kdb_tick", 0, "--kdb --to %s" % epoch_text(mid),
                  filter_table(kdb_out, "time", None, mid), None))
    # --flows: connections active in the window (start < to, finish >= from)
    fl_out = os.path.join(REPO, "testdata", "analysis_reconnect_flows.out")
    for name, frm, to in (("timewin_flows_second", "2023.11.14D22:13:20.005000001", None),
                          ("timewin_flows_edge", "2023.11.14D22:13:20.005000000",
                           "2023.11.14D22:13:21.000000000"),
                          ("timewin_flows_first", None, "2023.11.14D22:13:21.000000000")):
        args = "--flows" + (" --from " + frm if frm else "") + (" --to " + to if to else "")
        cases.append((name, "analysis_reconnect", 0, args,
                      filter_table(fl_out, "start", frm and parse_q_time(frm),
                                   to and parse_q_time(to), overlap_end_col="finish"), None))

    # usage errors: exit 1, nothing on stdout
    for name, args, msg in (
            ("timewin_bad", "--from 2024.02.30", "--from '2024.02.30' is not a time: " + TIME_FORMS),
            ("timewin_bad_frac", "--to 1704189600.1234567890",
             "--to '1704189600.1234567890' is not a time: " + TIME_FORMS),
            ("timewin_empty", "--from 1704189600 --to 2024.01.02D10:00",
             "--from must be before --to: the window is empty"),
            ("timewin_twice", "--to 1 --to 2", "--to given twice")):
        cases.append((name, "timewin", 1, args, [], "pcap2kdb: " + msg + "\n" + USAGE_TAIL))

    if table:
        for name, cap, code, args, _, _ in cases:
            print("%s\ttestdata/%s.pcap\t%d\t%s" % (name, cap, code, args))
        return
    os.makedirs(outdir, exist_ok=True)
    for fname, data in captures.items():
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(data)
    for name, _, _, _, rows, err in cases:
        with open(os.path.join(outdir, name + ".out"), "w") as f:
            f.write("".join(r + "\n" for r in rows))
        if err is not None:
            with open(os.path.join(outdir, name + ".err"), "w") as f:
                f.write(err)
    print("%d captures, %d cases" % (len(captures), len(cases)))


if __name__ == "__main__":
    main()
