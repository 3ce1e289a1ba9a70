#!/usr/bin/env python3
"""Generate the hardware-timestamp and hash test data of issue #17.

Independent of src/: every frame is built byte by byte here, and the
expected rows come from the values this script chose (the trailer's
seconds, nanoseconds, device, port) and from its own FNV-1a fingerprint.

    python3 tests/gen_hwts.py [OUTDIR]     write captures + expected output
    python3 tests/gen_hwts.py --table      print the golden.tsv lines
    python3 tests/gen_hwts.py --tshark     check every expected stamp against
                                           tshark 4.0, field by field (needs
                                           tshark; run by hand, not by ctest);
                                           a row marked "differs:" is one of
                                           README's differences from tshark,
                                           which tshark must show

Captures (testdata/):
  hwts_metamako.pcap  Arista 7130/Metamako trailers (--hwts metamako)
  hwts_exablaze.pcap  Exablaze trailers (--hwts exablaze)
  hwts_ixia.pcap      Ixia/Keysight trailers (recognised by default)
  hwts_ixia_fcs.pcap  Ixia trailers in a file that declares the FCS (the
      pcap header's FCS bits)
  hwts_arista.pcap    Arista EOS 0xD28B headers (recognised by default)
  hwts_expcap.pcap    exact-capture expcap footers (--hwts expcap)
  hwts_expcap_over.pcap  expcap footers over frames with an Ixia trailer or
      an Arista header (--hwts expcap,ixia,arista)
  hwts_ip_end.pcap    Ixia trailers after IP datagrams tshark leaves
      unbounded (bogus IPv4 headers, IPv6 lengths, versions)
  hwts_vlan_*.pcap    trailers and Arista headers after 20 and more VLAN
      tags (the 21st 802.1Q/0x9100 tag ends the packet: no trailer)
  hwts_throw_*.pcap   trailers after a TCP segment from port 80 that is not
      HTTP, with and without MPLS (tshark's HTTP exception hides it
      behind MPLS)
  latency_a.pcap / latency_b.pcap and latency_expected.tsv: the same
      traffic before and after a router (tests/latency_join_test.py).
"""

import os
import random
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_linkcols import pw_control_word  # noqa: E402  (the pseudowire rule's model)

COLS = "frame,time,src,dest,srcport,destport,protocol,length,len,caplen,hwtime,hwdev,hwport,hash"
BASE = 1589458202          # 2020-05-14 12:10:02 UTC

# ------------------------------------------------------------ fingerprint

FNV_BASIS = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3


def fingerprint(ip, caplen=None):
    """The hash column: FNV-1a 64 over the first min(L, 128) bytes of the IP
    packet with DSCP/ECN, TTL (hop limit) and the IPv4 checksum zeroed, as a
    signed 64-bit integer clamped to +-(2^63 - 2). None when fewer
    bytes were captured."""
    cap = ip if caplen is None else ip[:caplen]
    if not cap:
        return None
    v = cap[0] >> 4
    if v == 4:
        L = struct.unpack(">H", ip[2:4])[0]
        if L < 20:
            return None
    elif v == 6:
        L = 40 + struct.unpack(">H", ip[4:6])[0]
    else:
        return None
    n = min(L, 128)
    if len(cap) < n:
        return None
    b = bytearray(cap[:n])
    if v == 4:
        b[1] = 0
        b[8] = 0
        b[10] = b[11] = 0
    else:
        b[0] &= 0xF0
        b[1] &= 0x0F
        b[7] = 0
    h = FNV_BASIS
    for x in b:
        h = ((h ^ x) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    v = h - (1 << 64) if h >= 1 << 63 else h
    return max(-(2**63 - 2), min(2**63 - 2, v))


def ip_shown(ip):
    """Whether a row shows the IP packet's fields (addresses, protocol,
    ports), by tshark's rules: an IPv4 header length below 5 words ("Bogus
    IP header length") or above a non-zero total length ("Bogus IP
    length") leaves the packet undecoded. The hash is of the packet the
    row's addresses come from, so such a row has none."""
    if ip[0] >> 4 != 4:
        return True
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack(">H", ip[2:4])[0]
    return ihl >= 20 and (total == 0 or total >= ihl)


# ------------------------------------------------------------ frames

def qtime(sec, ns):
    import datetime
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec)
    return "%04d.%02d.%02dD%02d:%02d:%02d.%09d" % (
        d.year, d.month, d.day, d.hour, d.minute, d.second, ns)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=64, ipid=1, tos=0):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), ipid, 0, ttl, proto, 0,
                    bytes(src), bytes(dst))
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, hlim=64, tclass=0):
    return struct.pack(">IHBB16s16s", 6 << 28 | tclass << 20, len(payload), nh, hlim, src, dst) + payload


def udp(sport, dport, data):
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


def eth(payload, etype=0x0800, dst=b"\x00\x11\x22\x33\x44\x55", src=b"\x00\x66\x77\x88\x99\xaa",
        pad=True):
    f = dst + src + struct.pack(">H", etype) + payload
    if pad and len(f) < 60:
        f += b"\0" * (60 - len(f))
    return f


def fcs(frame):
    return struct.pack("<I", zlib.crc32(frame) & 0xFFFFFFFF)


def metamako(sec, ns, dev, port, flags=0x01, tlvs=(), orig_fcs=b"\xde\xad\xbe\xef"):
    """orig FCS, TLV words (listed from the first in the frame), seconds,
    nanoseconds, flags, device (u16), port. tlvs: raw 32-bit words."""
    ext = b"".join(struct.pack(">I", w) for w in tlvs)
    if tlvs:
        flags |= 0x02
    return orig_fcs + ext + struct.pack(">IIBHB", sec, ns, flags, dev, port)


def mm_tag(tag, data24=0, final=False, extra_words=0):
    """A TLV tag word: data in bits 8-31, extra word count in 6-7, final bit 5, tag 0-4."""
    return (data24 << 8) | (extra_words << 6) | (0x20 if final else 0) | tag


def exablaze(dev, port, sec, frac40, orig_fcs=b"\x01\x02\x03\x04"):
    return orig_fcs + struct.pack(">BBI", dev, port, sec) + frac40.to_bytes(5, "big") + b"\0"


def ixia(tlvs, bad_checksum=False):
    area = b"".join(struct.pack(">BB", t, len(v)) + v for t, v in tlvs)
    body = area + struct.pack(">BH", len(area), 0xAF12)
    c = csum(body)
    if bad_checksum:
        c ^= 0x0101
    return body + struct.pack(">H", c)


def arista_hdr(version, sec, ns):
    if version >> 4 & 0xF == 1:
        ts = struct.pack(">II", sec, ns)
    else:
        ts = struct.pack(">HI", sec & 0xFFFF, ns)
    return struct.pack(">HHH", 0xD28B, 1, version) + ts


def expcap(sec, ps, dev, port, flags=0, dropped=0):
    return struct.pack("<I", sec) + ps.to_bytes(5, "little") + struct.pack("<BBBHH", flags, dev, port, dropped, 0)


# ------------------------------------------------------------ cases

class Rec:
    def __init__(self, frame, sec, ns, ip=None, udp_len=None, hw=None, caplen=None, origlen=None,
                 proto="UDP", ports=(1234, 5678), src=(10, 0, 0, 1), dst=(10, 0, 0, 2),
                 ip_off=14, tshark=None, note=""):
        self.frame = frame
        self.sec, self.ns = sec, ns
        self.ip, self.udp_len, self.hw = ip, udp_len, hw  # hw: (sec, ns, dev, port)
        self.caplen = len(frame) if caplen is None else caplen
        self.origlen = len(frame) if origlen is None else origlen
        self.proto, self.ports, self.src, self.dst = proto, ports, src, dst
        self.ip_off = ip_off
        self.tshark = tshark  # expected tshark fields, or None when tshark shows none
        self.note = note


def payload(n, seed):
    return bytes((seed * 7 + i * 13) & 0xFF for i in range(n))


def udp_ip(n, seed, ttl=64):
    data = payload(n, seed)
    return ipv4((10, 0, 0, 1), (10, 0, 0, 2), 17, udp(1234, 5678, data), ttl=ttl, ipid=seed), n


def cases_metamako():
    recs = []
    t = BASE
    ts = (t + 1, 123456789)

    def add(frame, hw, sec_off, **kw):
        recs.append(Rec(frame, t + sec_off, 1000 * len(recs), hw=hw, **kw))

    ip, n = udp_ip(40, 1)
    base = eth(ip)
    add(base + metamako(*ts, 0x1234, 7), ts + (0x1234, 7), 0, ip=ip, udp_len=n, note="plain")
    f = base + metamako(*ts, 0x0001, 2)
    add(f + fcs(f), ts + (1, 2), 1, ip=ip, udp_len=n, note="with FCS")
    ip2, n2 = udp_ip(100, 2)
    tl = [mm_tag(0, 0x00ABCD00 >> 8), mm_tag(1, 0x800000, final=True)]  # seqnum, sub-ns 0.5
    add(eth(ip2) + metamako(t + 2, 999999999, 300, 255, tlvs=tl), (t + 2, 999999999, 300, 255), 2,
        ip=ip2, udp_len=n2, note="TLVs seqnum + sub-ns")
    tl = [mm_tag(31, 0, final=False, extra_words=0) | (1 << 6)]  # a tag string, 1 extra word
    tl = [0x41424344, mm_tag(31 - 29, 0, extra_words=1), mm_tag(1, 0x000001, final=True)]
    f = eth(ip2) + metamako(t + 3, 5, 9, 1, tlvs=tl)
    add(f + fcs(f), (t + 3, 5, 9, 1), 3, ip=ip2, udp_len=n2, note="TLV with an extra word, FCS")
    ips, ns_ = udp_ip(4, 3)          # a short frame: padding before the trailer
    add(eth(ips) + metamako(t + 4, 42, 65535, 0), (t + 4, 42, 65535, 0), 4, ip=ips, udp_len=ns_,
        note="padded short frame")
    f = eth(ip2) + metamako(t + 5, 77, 1, 1)
    add(f, None, 5, ip=ip2, udp_len=n2, caplen=len(f) - 20, note="truncated by the snaplen")
    # looks like one: 12 bytes whose "seconds" are 40 days off the record time
    add(eth(ip) + metamako(t - 40 * 86400, 1, 1, 1), None, 6, ip=ip, udp_len=n,
        note="seconds 40 days off")
    add(eth(ip) + struct.pack(">III", t, 1500000000, 0), None, 7, ip=ip, udp_len=n,
        note="nanoseconds >= 10^9")
    arp = eth(bytes(28), etype=0x0806)
    add(arp, None, 8, proto="ARP", note="ARP frame")
    add(eth(ips), None, 9, ip=ips, udp_len=ns_, note="padding only, no trailer")
    ip6 = ipv6(b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01", b"\x20\x01\x0d\xb8" + bytes(11) + b"\x02",
               17, udp(1234, 5678, payload(30, 4)), hlim=7)
    add(eth(ip6, etype=0x86DD) + metamako(t + 10, 10, 2, 3, tlvs=[mm_tag(0, 5, final=True)]),
        (t + 10, 10, 2, 3), 10, ip=ip6, udp_len=30, src="2001:db8::1", dst="2001:db8::2",
        note="IPv6, one TLV")
    # Whole trailers whose nanoseconds are 2^31 and more: no stamp (README:
    # nanoseconds < 10^9). packet-metamako.c keeps them in nstime_t's
    # signed nsecs, where they are negative and pass its "< 10^9" test.
    for i, nsec in enumerate([0x80000000, 0xFFFFFFFF]):
        add(eth(ip) + metamako(t + 11 + i, nsec, 7, 8), None, 11 + i, ip=ip, udp_len=n,
            tshark="differs: shows nanoseconds %d" % (nsec - (1 << 32)),
            note="nanoseconds %#x" % nsec)
    # A final TLV tag claiming 2 data words where only 5 bytes are left
    # before it (1 byte, then 4): the TLVs run past the trailer's start, no
    # stamp. packet-metamako.c's unsigned count of the bytes left wraps and
    # passes its ">= 4" test: tshark shows the stamp.
    add(eth(ip) + b"\x05" + b"\x00\x00\x05\x02" +
        struct.pack(">I", mm_tag(1, 0, final=True, extra_words=2)) +
        struct.pack(">IIBHB", t + 13, 5, 0x02, 7, 8), None, 13, ip=ip, udp_len=n,
        tshark="differs: TLVs past the trailer's start", note="TLVs past the trailer's start")
    # IPv6 payload length 0 without a Jumbo Payload option (BIG TCP): the
    # datagram runs to the frame's end, no trailer. packet-ipv6.c ends it
    # at the 40-byte header, and the rest, read as the trailer, ends with
    # the Metamako trailer: tshark shows the stamp.
    big = bytearray(ip6)
    big[4:6] = b"\0\0"
    add(eth(bytes(big), etype=0x86DD) + metamako(t + 14, 14, 2, 3), None, 14, ip=bytes(big),
        udp_len=30, src="2001:db8::1", dst="2001:db8::2",
        tshark="differs: IPv6 payload length 0", note="IPv6 payload length 0")
    return recs


def cases_exablaze():
    recs = []
    t = BASE

    def add(frame, hw, sec_off, **kw):
        recs.append(Rec(frame, t + sec_off, 1000 * len(recs), hw=hw, **kw))

    def ns_of(frac):
        return frac * 1000000000 >> 40

    ip, n = udp_ip(40, 1)
    for i, (frac, with_fcs) in enumerate([(0x8000000000, False), (0x0000000001, True),
                                          (0xFFFFFFFFFF, False), (0x1234567890, True)]):
        f = eth(ip) + exablaze(3 + i, 10 + i, t + i, frac)
        if with_fcs:
            f += fcs(f)
        add(f, (t + i, ns_of(frac), 3 + i, 10 + i), i, ip=ip, udp_len=n,
            note="fraction %#x%s" % (frac, " FCS" if with_fcs else ""))
    ips, ns_ = udp_ip(4, 3)
    add(eth(ips) + exablaze(1, 2, t + 5, 0x4000000000), (t + 5, 250000000, 1, 2), 5, ip=ips,
        udp_len=ns_, note="padded short frame")
    f = eth(ip) + exablaze(1, 2, t + 6, 1)
    add(f, None, 6, ip=ip, udp_len=n, caplen=len(f) - 10, note="truncated by the snaplen")
    add(eth(ip) + exablaze(1, 2, t - 8 * 86400, 1), None, 7, ip=ip, udp_len=n,
        note="seconds 8 days off")
    f = eth(b"\x00\x64\x08\x00" + ip, etype=0x8100) + exablaze(7, 8, t + 8, 0x0123456789)
    add(f, (t + 8, 0x0123456789 * 1000000000 >> 40, 7, 8), 8, ip=ip, udp_len=n, ip_off=18,
        note="VLAN-tagged")
    add(eth(ips), None, 9, ip=ips, udp_len=ns_, note="padding only, no trailer")
    return recs


def cases_ixia():
    recs = []
    t = BASE

    def add(frame, hw, sec_off, **kw):
        recs.append(Rec(frame, t + sec_off, 1000 * len(recs), hw=hw, **kw))

    ip, n = udp_ip(40, 1)
    tsv = struct.pack(">II", t + 100, 987654321)
    add(eth(ip) + ixia([(3, tsv)]), (t + 100, 987654321, None, None), 0, ip=ip, udp_len=n,
        note="local timestamp")
    f = eth(ip) + ixia([(1, struct.pack(">H", 1234)), (6, tsv)])
    add(f + fcs(f), (t + 100, 987654321, None, None), 1, ip=ip, udp_len=n,
        note="original size + PTP timestamp, FCS")
    add(eth(ip) + ixia([(4, tsv)], bad_checksum=True), None, 2, ip=ip, udp_len=n,
        note="bad checksum")
    add(eth(ip) + b"\x00\x00\xaf\x12\x00\x00", None, 3, ip=ip, udp_len=n,
        note="signature, wrong length")
    f = eth(ip) + ixia([(5, tsv)])
    add(f, None, 4, ip=ip, udp_len=n, caplen=len(f) - 3, note="truncated by the snaplen")
    # A short frame: padded with zeros to 60 bytes, then the trailer (the
    # padding is skipped, as Wireshark's "padding: Zeros" does); padded
    # with other bytes, the padding is taken for part of the trailer, whose
    # length then does not match: no stamp.
    sip, sn = udp_ip(4, 2)
    add(eth(sip) + ixia([(3, tsv)]), (t + 100, 987654321, None, None), 5, ip=sip, udp_len=sn,
        note="short frame, zero padding")
    f = eth(sip, pad=False)
    add(f + b"\x55" * (60 - len(f)) + ixia([(3, tsv)]), None, 6, ip=sip, udp_len=sn,
        note="short frame, non-zero padding")
    # an ARP request (RFC 826: its length from its address lengths), padded
    arp = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + b"\x00\x66\x77\x88\x99\xaa" + \
        bytes([10, 0, 0, 1]) + b"\0" * 6 + bytes([10, 0, 0, 2])
    add(eth(arp, etype=0x0806) + ixia([(3, tsv)]), (t + 100, 987654321, None, None), 7,
        proto="ARP", note="ARP, padded, then the trailer")
    # 18 TLV bytes, no FCS: a trailer of 23 bytes, its signature, length and
    # checksum at the end. packet-ixiatrailer.c takes every 23-byte trailer
    # for 19 bytes and an FCS and looks only there: tshark shows no stamp.
    add(eth(ip) + ixia([(3, tsv), (1, struct.pack(">H", 1234)), (2, b"\xab\xcd")]),
        (t + 100, 987654321, None, None), 8, ip=ip, udp_len=n,
        tshark="differs: 23 bytes taken for 19 and an FCS", note="23 bytes, no FCS")
    # nanoseconds 10^9 and more: no stamp; tshark shows them
    for i, nsec in enumerate([1000000000, 0xFFFFFFFF]):
        add(eth(ip) + ixia([(3, struct.pack(">II", t + 100, nsec))]), None, 9 + i, ip=ip,
            udp_len=n, tshark="differs: shows nanoseconds %d" % nsec,
            note="nanoseconds %d" % nsec)
    return recs


# The link-type field of a pcap file header whose FCS bits say every frame
# ends in an FCS of 4 bytes (bit 26 set, length 2 in bits 28-31 counts
# 16-bit words), Ethernet.
LINKTYPE_ETHERNET_FCS4 = 0x24000001


def cases_ixia_fcs():
    """Ixia trailers in a file that declares the FCS (written with
    LINKTYPE_ETHERNET_FCS4): every frame ends in its CRC-32. The stamp is
    there whenever the trailer before the FCS is whole, as in hwts_ixia.
    tshark 4.0 cuts the declared FCS off first and then misses two shapes
    (README, differences from tshark): after zero padding behind a VLAN
    tag it still counts the FCS in the packet length, so it leaves up to 4
    padding zeros at the trailer's start and the length byte does not
    match; and packet-ixiatrailer.c takes the 23 bytes left for 19 and
    another FCS."""
    recs = []
    t = BASE

    def add(frame, hw, sec_off, **kw):
        f = frame + fcs(frame)
        recs.append(Rec(f, t + sec_off, 1000 * len(recs), hw=hw, **kw))

    ip, n = udp_ip(40, 1)
    tsv = struct.pack(">II", t + 100, 987654321)
    stamp = (t + 100, 987654321, None, None)
    add(eth(ip) + ixia([(3, tsv)]), stamp, 0, ip=ip, udp_len=n, note="local timestamp")
    add(eth(ip) + ixia([(1, struct.pack(">H", 1234)), (6, tsv)]), stamp, 1, ip=ip, udp_len=n,
        note="original size + PTP timestamp")
    add(eth(ip), None, 2, ip=ip, udp_len=n, note="no trailer")
    # A short frame, zero padding to 60 bytes, then the trailer. Untagged,
    # tshark's Ethernet dissector measures the padding on the whole frame
    # and finds the stamp. Behind an 802.1Q tag the trailer is measured
    # on the tag's payload, the declared FCS already cut off, while the
    # packet length still holds it: the padding comes out 4 bytes short
    # (none when the frame is 58 bytes or more), and those zeros are taken
    # for the trailer's start.
    sip, sn = udp_ip(4, 2)
    add(eth(sip) + ixia([(3, tsv)]), stamp, 3, ip=sip, udp_len=sn,
        note="short frame, 14 bytes padding")
    for k, (size, pad) in enumerate([(4, 10), (12, 2)]):
        vip, vn = udp_ip(size, 3 + k)
        f = eth(b"\x00\x05\x08\x00" + vip, etype=0x8100)
        assert len(f) == 60 and f[60 - pad:] == bytes(pad)
        add(f + ixia([(3, tsv)]), stamp, 4 + k, ip=vip, udp_len=vn, ip_off=18,
            tshark="differs: padding zeros left in the trailer",
            note="tagged, %d bytes padding" % pad)
    # 18 TLV bytes: a trailer of 23 bytes before the FCS
    add(eth(ip) + ixia([(3, tsv), (1, struct.pack(">H", 1234)), (2, b"\xab\xcd")]), stamp, 6,
        ip=ip, udp_len=n, tshark="differs: 23 bytes taken for 19 and an FCS",
        note="23 bytes, then the FCS")
    return recs


def cases_arista():
    recs = []
    t = BASE
    dst, src = b"\x00\x11\x22\x33\x44\x55", b"\x00\x66\x77\x88\x99\xaa"

    def add(frame, hw, sec_off, **kw):
        recs.append(Rec(frame, t + sec_off, 1000 * len(recs), hw=hw, **kw))

    ip, n = udp_ip(40, 1)
    for i, v in enumerate([0x0010, 0x0110]):
        f = dst + src + arista_hdr(v, t + 50, 111111111 * (i + 1)) + b"\x08\x00" + ip
        add(f, (t + 50, 111111111 * (i + 1), None, None), i, ip=ip, udp_len=n, ip_off=28,
            note="64-bit version %#06x" % v)
    # 48-bit: low 16 bits of the seconds; the record time lies 65530 s before
    # the stamp's low bits would wrap forward, so the nearest is picked
    for i, (v, hsec) in enumerate([(0x0020, t + 10), (0x0120, t + 20000), (0x0020, t - 30000)]):
        f = dst + src + arista_hdr(v, hsec, 5 + i) + b"\x08\x00" + ip
        add(f, (hsec, 5 + i, None, None), 2 + i, ip=ip, udp_len=n, ip_off=26,
            note="48-bit version %#06x" % v)
    f = dst + src + arista_hdr(0x0010, t, 7) + b"\x81\x00\x00\x64\x08\x00" + ip
    add(f, (t, 7, None, None), 5, ip=ip, udp_len=n, ip_off=32, note="then a VLAN tag")
    f = dst + src + struct.pack(">HHH", 0xD28B, 1, 0x0030) + b"\0" * 8 + b"\x08\x00" + ip
    add(f, None, 6, proto="0xd28b", note="unknown version")
    f = dst + src + arista_hdr(0x0010, t, 7) + b"\x08\x00" + ip
    add(f, None, 7, proto="", caplen=20, note="header cut by the snaplen")
    # the R3 hardware generation (low nibble 1): the same layouts, as
    # tcpdump's print-arista.c reads them; tshark 4.0 does not know these
    # versions and shows neither the stamp nor the packet
    for i, (v, hsec) in enumerate([(0x0011, t + 60), (0x0111, t + 61), (0x0021, t + 62),
                                   (0x0121, t - 62)]):
        f = dst + src + arista_hdr(v, hsec, 999999990 + i) + b"\x08\x00" + ip
        add(f, (hsec, 999999990 + i, None, None), 8 + i, ip=ip, udp_len=n,
            ip_off=28 if v & 0xF0 == 0x10 else 26, tshark="unknown version",
            note="R3 version %#06x" % v)
    # nanoseconds 10^9 and more: no stamp (the packet is decoded); tshark
    # shows them
    for i, (v, nsec) in enumerate([(0x0010, 1000000000), (0x0020, 0xFFFFFFFF)]):
        f = dst + src + arista_hdr(v, t + 70, nsec) + b"\x08\x00" + ip
        add(f, None, 12 + i, ip=ip, udp_len=n, ip_off=28 if v == 0x0010 else 26,
            tshark="differs: shows nanoseconds %d" % nsec, note="nanoseconds %d" % nsec)
    return recs


def cases_expcap():
    recs = []
    t = BASE

    def add(frame, hw, sec_off, **kw):
        recs.append(Rec(frame, t + sec_off, 1000 * len(recs), hw=hw, **kw))

    ip, n = udp_ip(40, 1)
    f = eth(ip)
    # a padding record, as exact-capture writes after every file header:
    # wire length 0, no footer, so no stamp (its zero bytes make an Ethernet
    # frame of type 0, which Wireshark's packet-eth.c takes for an Ethertype,
    # not an 802.3 length: the non-IP type 0x0000)
    add(bytes(64), None, 0, origlen=0, proto="0x0000", note="padding record")
    for i, (ps, dev, port) in enumerate([(123456789012, 1, 2), (999999999999, 255, 7), (999, 0, 0)]):
        foot = expcap(t + 20 + i, ps, dev, port)
        add(f + foot, (t + 20 + i, ps // 1000, dev, port), i + 1, ip=ip, udp_len=n,
            origlen=len(f), note="picoseconds %d" % ps)
    # picoseconds since the last second boundary: 10^12 and more is none
    for i, ps in enumerate([10**12, (1 << 40) - 1]):
        add(f + expcap(t + 30, ps, 1, 2), None, 4 + i, ip=ip, udp_len=n, origlen=len(f),
            note="picoseconds %d: out of range" % ps)
    return recs


def cases_hash():
    """The hash column on IPv4 headers tshark calls bogus: no address, no
    hash, whichever length is wrong; a valid header with options is hashed."""
    recs = []
    t = BASE

    def add(frame, sec_off, **kw):
        recs.append(Rec(frame, t + sec_off, 1000 * len(recs), **kw))

    ip, n = udp_ip(13, 5)
    add(eth(ip), 0, ip=ip, udp_len=n, note="valid")

    def with_vihl(vihl, total=None):
        b = bytearray(ip)
        b[0] = vihl
        if total is not None:
            b[2:4] = struct.pack(">H", total)
        return bytes(b)

    for vihl, total, note in [(0x44, None, "header length 4 words"),
                              (0x4F, None, "header length 60 > total length 41"),
                              (0x45, 19, "total length 19 < header length 20")]:
        bad = with_vihl(vihl, total)
        add(eth(bad), len(recs), ip=bad, proto="", note=note)
    # 4 bytes of options (NOPs): header length 6 words
    u = udp(1234, 5678, payload(13, 6))
    h = struct.pack(">BBHHHBBH4s4s", 0x46, 0, 24 + len(u), 7, 0, 64, 17, 0,
                    bytes((10, 0, 0, 1)), bytes((10, 0, 0, 2))) + b"\x01" * 4
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    add(eth(h + u), len(recs), ip=h + u, udp_len=13, note="header with options")
    return recs


def cases_ip_end():
    """Where an IP datagram ends, for the trailer after it (an Ixia trailer
    here): where Wireshark's IP dissectors bound their data. An IPv4 header
    tshark calls bogus (header length below 5 words or above the total
    length) is left unbounded (packet-ip.c returns first): no trailer, also
    behind MPLS. After Ethertype 0x86DD only version 6 is IPv6 (packet-ipv6.c
    declines another); after 0x0800 a version-6 header is IPv6. An IPv6
    payload length running past the frame, or 0 (BIG TCP: to the frame's
    end), leaves no trailer either."""
    recs = []
    t = BASE
    mac = b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa"
    k = 0

    def tr():
        nonlocal k
        k += 1
        return ixia_ts(t + 100 + k, 1000 * k + 7)

    def add(frame, hw, **kw):
        recs.append(Rec(frame, t + len(recs), 1000 * len(recs), hw=hw, **kw))

    ip, n = udp_ip(40, 1)

    def with_vihl(vihl, total):
        b = bytearray(ip)
        b[0] = vihl
        b[2:4] = struct.pack(">H", total)
        return bytes(b)

    b, hw = tr()
    add(eth(ip) + b, hw, ip=ip, udp_len=n, note="valid IPv4")
    for vihl, total, note in [(0x44, len(ip), "header length 4 words"),
                              (0x40, len(ip), "header length 0"),
                              (0x4F, 40, "header length 60 > total length 40"),
                              (0x46, 23, "header length 24 > total length 23")]:
        bad = with_vihl(vihl, total)
        b, hw = tr()
        add(eth(bad) + b, None, ip=bad, proto="", note=note)
    bad = with_vihl(0x44, len(ip))
    b, hw = tr()
    add(mac + b"\x88\x47" + mpls(16, 1) + bad + b, None, ip=bad, proto="", ip_off=18,
        note="MPLS, header length 4 words")
    b, hw = tr()
    add(eth(ip, etype=0x86DD) + b, None, proto="0x86dd", note="IPv4 after Ethertype 0x86DD")
    u6 = udp(1234, 5678, payload(30, 4))
    v6 = dict(src="2001:db8::1", dst="2001:db8::2")

    def ip6(plen=None, version=6):
        a = b"\x20\x01\x0d\xb8" + bytes(11)
        return struct.pack(">IHBB16s16s", version << 28, len(u6) if plen is None else plen, 17, 64,
                           a + b"\x01", a + b"\x02") + u6

    b, hw = tr()
    add(eth(ip6(), etype=0x86DD) + b, hw, ip=ip6(), udp_len=30, note="valid IPv6", **v6)
    b, hw = tr()
    add(eth(ip6()) + b, hw, ip=ip6(), udp_len=30, note="IPv6 after Ethertype 0x0800", **v6)
    b, hw = tr()
    add(eth(ip6(version=5), etype=0x86DD) + b, None, proto="0x86dd",
        note="version 5 after Ethertype 0x86DD")
    b, hw = tr()
    add(eth(ip6(len(u6) + 100), etype=0x86DD) + b, None, ip=ip6(len(u6) + 100), udp_len=30,
        note="IPv6 payload length past the frame", **v6)
    b, hw = tr()
    add(eth(ip6(0), etype=0x86DD) + b, None, ip=ip6(0), udp_len=30,
        note="IPv6 payload length 0", **v6)
    return recs


def cases_expcap_over():
    """An expcap footer over a frame that carries a trailer or an Arista
    header (--hwts expcap,ixia,arista): the footer, added last, wins; one
    that gives no stamp (picoseconds 10^12 or more) hides none of the
    frame's, which is then given."""
    recs = []
    t = BASE

    def add(frame, foot, hw, **kw):
        recs.append(Rec(frame + foot, t + len(recs), 1000 * len(recs), hw=hw,
                        origlen=len(frame), **kw))

    ip, n = udp_ip(40, 1)
    tsv = struct.pack(">II", t + 100, 5)
    ix = eth(ip) + ixia([(3, tsv)])
    ar = (b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa" + arista_hdr(0x0010, t + 50, 6) +
          b"\x08\x00" + ip)
    add(ix, expcap(t + 20, 123456789012, 1, 2), (t + 20, 123456789, 1, 2), ip=ip, udp_len=n,
        note="footer over an Ixia trailer")
    add(ix, expcap(t + 20, 10**12, 1, 2), (t + 100, 5, None, None), ip=ip, udp_len=n,
        note="footer without a stamp over an Ixia trailer")
    add(ar, expcap(t + 21, 999, 3, 4), (t + 21, 0, 3, 4), ip=ip, udp_len=n, ip_off=28,
        note="footer over an Arista header")
    add(ar, expcap(t + 21, (1 << 40) - 1, 3, 4), (t + 50, 6, None, None), ip=ip, udp_len=n,
        ip_off=28, note="footer without a stamp over an Arista header")
    add(eth(ip), expcap(t + 22, 10**12, 5, 6), None, ip=ip, udp_len=n,
        note="footer without a stamp, nothing else")
    return recs


def mpls(label, bottom, ttl=64):
    return struct.pack(">I", label << 12 | bottom << 8 | ttl)


SNAP_IPV4 = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"   # LLC UI, SNAP OUI 0, Ethertype IPv4
LLC_PROTO = "LLC"     # an 802.3 frame's LLC PDU that carries no IP


def ethertype_proto(v):
    """The protocol column of a payload whose Ethertype is not followed."""
    return "0x%04x" % v


def cases_encap(trailer, name):
    """One trailer after packets behind MPLS and 802.2 LLC/SNAP. Wireshark
    looks for it where its dissectors end the packet: after the IP packet's
    length behind MPLS (packet-mpls.c shrinks its data to the IP packet's, so
    that the Ethernet trailer is found), after the inner frame's IP packet
    behind a pseudowire, and after the 802.3 length field for an LLC frame
    (packet-ieee8023.c), whatever that frame carries. trailer(sec, ns)
    gives the trailer bytes and the expected (sec, ns, dev, port)."""
    recs = []
    t = BASE
    mac = b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa"

    def add(frame, hw, **kw):
        recs.append(Rec(frame, t + len(recs), 1000 * len(recs), hw=hw, **kw))

    def pad(f):
        return f + b"\0" * (60 - len(f)) if len(f) < 60 else f

    ip, n = udp_ip(40, 1)
    sip, sn = udp_ip(4, 2)           # short: the frames are padded before the trailer
    ip6 = ipv6(b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01", b"\x20\x01\x0d\xb8" + bytes(11) + b"\x02",
               17, udp(1234, 5678, payload(30, 4)))
    v6 = dict(src="2001:db8::1", dst="2001:db8::2")
    k = 0

    def tr():
        nonlocal k
        k += 1
        return trailer(t + 100 + k, 1000 * k + 7)

    b, hw = tr()
    add(mac + b"\x88\x47" + mpls(16, 1) + ip + b, hw, ip=ip, udp_len=n, ip_off=18,
        note="MPLS, one label")
    b, hw = tr()
    add(pad(mac + b"\x88\x47" + mpls(16, 0) + mpls(17, 1) + sip) + b, hw, ip=sip, udp_len=sn,
        ip_off=22, note="MPLS, two labels, padded")
    b, hw = tr()
    add(mac + b"\x81\x00\x00\x05\x88\x47" + mpls(16, 1) + ip6 + b, hw, ip=ip6, udp_len=30,
        ip_off=22, note="VLAN, MPLS, IPv6", **v6)
    b, hw = tr()
    add(mac + b"\x88\x47" + mpls(16, 1) + b"\0" * 4 + mac + b"\x08\x00" + ip + b, hw, ip=ip,
        udp_len=n, ip_off=36, note="MPLS pseudowire: control word, Ethernet")
    b, hw = tr()
    add(mac + struct.pack(">H", 8 + len(ip)) + SNAP_IPV4 + ip + b, hw, ip=ip, udp_len=n,
        ip_off=22, note="802.3 length, LLC/SNAP")
    b, hw = tr()
    add(pad(mac + struct.pack(">H", 8 + len(sip)) + SNAP_IPV4 + sip) + b, hw, ip=sip, udp_len=sn,
        ip_off=22, note="802.3 length, LLC/SNAP, padded")
    b, hw = tr()
    add(mac + b"\x81\x00\x00\x05" + struct.pack(">H", 8 + len(ip)) + SNAP_IPV4 + ip + b, hw,
        ip=ip, udp_len=n, ip_off=26, note="VLAN, 802.3 length, LLC/SNAP")
    # the 802.3 length, not the IP packet's, ends the frame: 4 more bytes
    b, hw = tr()
    add(mac + struct.pack(">H", 8 + len(ip) + 4) + SNAP_IPV4 + ip + b"\0" * 4 + b, hw, ip=ip,
        udp_len=n, ip_off=22, note="802.3 length past the IP packet")
    # an 802.3 length that covers the trailer, or runs past the frame: no
    # trailer after it, no stamp (tshark neither)
    b, hw = tr()
    add(mac + struct.pack(">H", 8 + len(ip) + len(b)) + SNAP_IPV4 + ip + b, None, ip=ip,
        udp_len=n, ip_off=22, note="802.3 length covering the trailer")
    b, hw = tr()
    add(mac + struct.pack(">H", 1500) + SNAP_IPV4 + ip + b, None, ip=ip, udp_len=n, ip_off=22,
        note="802.3 length past the frame")
    # LLC in a jumbo frame (Ethertype 0x8870): tshark looks for no trailer
    b, hw = tr()
    add(mac + b"\x88\x70" + SNAP_IPV4 + ip + b, None, ip=ip, udp_len=n, ip_off=22,
        note="Ethertype 0x8870 LLC/SNAP")
    # a pseudowire without a control word, the inner destination beginning
    # with a 0 nibble: gen_linkcols.py's model of the control word rule
    # tells where the inner frame starts (tshark reads it so too: both OUIs
    # are in its database)
    b, hw = tr()
    pw = bytes.fromhex("001b21000001000c29000002") + b"\x08\x00" + ip
    cw = 4 if pw_control_word(pw) else 0
    add(mac + b"\x88\x47" + mpls(16, 1) + pw + b, hw, ip=ip, udp_len=n, ip_off=32 + cw,
        note="MPLS pseudowire without a control word")
    # Where a length/type field up to 1500 is a length (IEEE 802.3 3.2.6)
    # depends on where it stands, as Wireshark 4.0 reads it: in an Ethernet
    # header 0 is a type (packet-eth.c); behind an 802.1Q or 0x9100 tag 0
    # too is a length (packet-vlan.c); behind an 802.1ad tag
    # (packet-ieee8021ah.c) and after an Arista header it is always a type.
    # A type no dissector takes leaves its data whole to the data
    # dissector: no trailer is found after it.
    b, hw = tr()
    add(pad(mac + b"\x00\x00") + b, None, proto=ethertype_proto(0), note="Ethertype 0, padded")
    b, hw = tr()
    add(mac + b"\x88\xa8\x00\x05" + struct.pack(">H", 8 + len(ip)) + SNAP_IPV4 + ip + b, None,
        proto=ethertype_proto(8 + len(ip)), note="802.1ad, a length: a type")
    b, hw = tr()
    add(mac + b"\x91\x00\x00\x05" + struct.pack(">H", 8 + len(ip)) + SNAP_IPV4 + ip + b, hw,
        ip=ip, udp_len=n, ip_off=26, note="0x9100 tag, 802.3 length, LLC/SNAP")
    b, hw = tr()
    add(pad(mac + b"\x81\x00\x00\x05\x00\x00") + b, hw, proto=LLC_PROTO,
        note="802.1Q, 802.3 length 0, padded")
    # the Arista header's stamp stands in for the trailer where Arista
    # headers are read (by default: the Ixia run)
    b, hw = tr()
    ahw = (t + 90, 9, None, None)
    add(mac + arista_hdr(0x0010, ahw[0], ahw[1]) + struct.pack(">H", 8 + len(ip)) + SNAP_IPV4 +
        ip + b, ahw if name == "ixia" else None, proto=ethertype_proto(8 + len(ip)),
        tshark="no trailer", note="Arista header, a length: a type")
    return recs


def ixia_ts(sec, ns):
    return ixia([(3, struct.pack(">II", sec, ns))]), (sec, ns, None, None)


def metamako_ts(sec, ns):
    dev, port = sec & 0xFFFF, ns & 0xFF
    return metamako(sec, ns, dev, port), (sec, ns, dev, port)


def exablaze_ts(sec, ns):
    frac = (ns << 40) // 1000000000 + 1     # the fraction that truncates back to ns
    dev, port = sec & 0xFF, ns & 0xFF
    return exablaze(dev, port, sec, frac), (sec, frac * 1000000000 >> 40, dev, port)


# 802.1Q tags (TPID 0x8100, and 0x9100, which Wireshark reads with the
# same dissector) that a packet may have, counting a pseudowire's inner
# frame's; 802.1ad tags (0x88A8) do not count.
VLAN_LIMIT = 20
VLAN_COUNTED = (0x8100, 0x9100)


def vlan_tags(tpids, first_vid=100):
    return b"".join(struct.pack(">HH", tp, first_vid + i) for i, tp in enumerate(tpids))


def cases_vlan(trailer):
    """One trailer after stacks of VLAN tags. tshark 4.0 reads 20
    802.1Q/0x9100 tags in a packet; the 21st ends it there, its data not
    shortened to the IP packet, so no trailer is found (and the row is a
    non-IP frame, protocol VLAN). 802.1ad tags are read whatever their
    number. Behind an MPLS pseudowire the inner frame's tags add to the
    outer ones. trailer as for cases_encap."""
    recs = []
    t = BASE
    mac = b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa"
    ip, n = udp_ip(40, 1)
    Q, AD, OLD = 0x8100, 0x88A8, 0x9100
    k = 0

    def tr():
        nonlocal k
        k += 1
        return trailer(t + 100 + k, 1000 * k + 7)

    def add(frame, hw, counted, ip_off, note):
        if counted > VLAN_LIMIT:
            recs.append(Rec(frame, t + len(recs), 1000 * len(recs), proto="VLAN", note=note))
        else:
            recs.append(Rec(frame, t + len(recs), 1000 * len(recs), hw=hw, ip=ip, udp_len=n,
                            ip_off=ip_off, note=note))

    for tpids in ([Q] * 20, [Q] * 21, [OLD, Q] * 10, [OLD, Q] * 10 + [OLD], [AD, Q] * 20,
                  [AD, Q] * 20 + [Q], [AD] * 30, [Q] * 40):
        b, hw = tr()
        counted = sum(1 for x in tpids if x in VLAN_COUNTED)
        add(mac + vlan_tags(tpids) + b"\x08\x00" + ip + b, hw, counted, 14 + 4 * len(tpids),
            "%d tags, %d of them 802.1Q/0x9100" % (len(tpids), counted))
    # an MPLS pseudowire (control word, Ethernet) between 10 tags and 10 or 11
    for inner in (10, 11):
        b, hw = tr()
        f = (mac + vlan_tags([Q] * 10) + b"\x88\x47" + mpls(16, 1) + b"\0" * 4 + mac +
             vlan_tags([Q] * inner, 500) + b"\x08\x00" + ip + b)
        add(f, hw, 10 + inner, 14 + 40 + 4 + 4 + 12 + 4 * inner,
            "10 tags, pseudowire, %d tags" % inner)
    return recs


def cases_vlan_arista():
    """An Arista header before 21 802.1Q tags is read (its stamp is shown
    though the packet ends at the 21st tag); after 20 tags it is read, after
    21 it is not reached."""
    recs = []
    t = BASE
    mac = b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa"
    ip, n = udp_ip(40, 1)
    q20, q21 = vlan_tags([0x8100] * 20), vlan_tags([0x8100] * 21)
    hdr = arista_hdr(0x0010, t + 50, 5)
    hw = (t + 50, 5, None, None)
    for f, hw_, have_ip, note in ((mac + hdr + q21 + b"\x08\x00" + ip, hw, False,
                                   "Arista header, 21 tags"),
                                  (mac + q20 + hdr + b"\x08\x00" + ip, hw, True,
                                   "20 tags, Arista header"),
                                  (mac + q21 + hdr + b"\x08\x00" + ip, None, False,
                                   "21 tags, Arista header")):
        if have_ip:
            recs.append(Rec(f, t + len(recs), 0, hw=hw_, ip=ip, udp_len=n,
                            ip_off=len(f) - len(ip), note=note))
        else:
            recs.append(Rec(f, t + len(recs), 0, hw=hw_, proto="VLAN", note=note))
    return recs


def cases_encap_ixia():
    return cases_encap(ixia_ts, "ixia")


def cases_encap_metamako():
    return cases_encap(metamako_ts, "metamako")


def cases_encap_exablaze():
    return cases_encap(exablaze_ts, "exablaze")


def cases_vlan_ixia():
    return cases_vlan(ixia_ts)


def cases_vlan_metamako():
    return cases_vlan(metamako_ts)


def cases_vlan_exablaze():
    return cases_vlan(exablaze_ts)


# 100 bytes that are not HTTP: tshark 4.0's HTTP dissector throws on them
# ("Illegal characters found in header name": Malformed)
NOT_HTTP = bytes.fromhex(
    "532e4af5789936f15bbae22230caa7263a85840b1c581fa71635f6512ba174a675a1e327"
    "6c1b05dfc6e04927bcd41bf8bc61392346bc4a0a66c457c525eaa3da87abc72879733a37"
    "b61c4cd285d516dde3b74369ee997ca217dade8f7c0a409910db0471")


def cases_throw(trailer):
    """A trailer after a TCP segment from port 80 whose payload is not HTTP.
    Behind MPLS tshark shows no stamp: packet-mpls.c bounds the packet at
    the IP length only after its IP dissector returns, and the HTTP
    dissector's exception unwinds past that (README: a difference from
    tshark). Without MPLS the Ethertype dissector catches the exception and
    still finds the trailer: both give the stamp."""
    def segment(seq):   # the next segment: not a retransmission, which HTTP would not see
        tcp = struct.pack(">HHIIBBHHH", 80, 36609, seq, 2000, 5 << 4, 0x10, 8192, 0, 0)
        ip = ipv4((10, 0, 0, 1), (10, 0, 0, 2), 6, tcp + NOT_HTTP)
        return ip, dict(ip=ip, udp_len=len(NOT_HTTP), proto="TCP", ports=(80, 36609))
    recs = []
    t = BASE
    ip, kw = segment(1000)
    b, hw = trailer(t + 200, 7)
    recs.append(Rec(eth(ip) + b, t, 0, hw=hw, note="no MPLS: tshark catches the exception",
                    **kw))
    ip, kw = segment(1000 + len(NOT_HTTP))
    b, hw = trailer(t + 201, 8)
    recs.append(Rec(eth(mpls(16, 1) + ip, 0x8847) + b, t + 1, 0, hw=hw, ip_off=18,
                    tshark="differs: a payload dissector throws behind MPLS",
                    note="MPLS: HTTP throws", **kw))
    return recs


def cases_throw_ixia():
    return cases_throw(ixia_ts)


def cases_throw_metamako():
    return cases_throw(metamako_ts)


def cases_throw_exablaze():
    return cases_throw(exablaze_ts)


# ------------------------------------------------------------ writing

def write_pcap(path, recs, nanos=True, snaplen=65535, linktype=1):
    with open(path, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B23C4D if nanos else 0xA1B2C3D4, 2, 4, 0, 0,
                             snaplen, linktype))
        for r in recs:
            frac = r.ns if nanos else r.ns // 1000
            fh.write(struct.pack("<IIII", r.sec, frac, r.caplen, r.origlen))
            fh.write(r.frame[:r.caplen])


def addr(a):
    return a if isinstance(a, str) else "%d.%d.%d.%d" % a


def fmt(v):
    return "" if v is None else str(v)


def expected_rows(recs):
    lines = [COLS]
    for i, r in enumerate(recs, 1):
        ip_cap = None
        if r.ip is not None:
            ip_cap = r.frame[r.ip_off:r.caplen]
        shown = r.ip is not None and ip_shown(r.ip)
        h = fingerprint(r.ip, len(ip_cap)) if shown else None
        have_ip = shown and r.caplen >= r.ip_off + 20
        hw = r.hw
        lines.append(",".join([
            str(i), qtime(r.sec, r.ns),
            addr(r.src) if have_ip else "",
            addr(r.dst) if have_ip else "",
            str(r.ports[0]) if have_ip else "", str(r.ports[1]) if have_ip else "",
            r.proto if have_ip or r.ip is None else r.proto,
            str(r.origlen), fmt(r.udp_len) if have_ip else "", str(r.caplen),
            qtime(hw[0], hw[1]) if hw else "", fmt(hw[2]) if hw else "",
            fmt(hw[3]) if hw else "", fmt(h)]))
    return "\n".join(lines) + "\n"


GOLDEN = [
    # name, cases, args
    ("hwts_metamako", cases_metamako, "--hwts metamako"),
    ("hwts_exablaze", cases_exablaze, "--hwts exablaze"),
    ("hwts_ixia", cases_ixia, ""),
    ("hwts_ixia_fcs", cases_ixia_fcs, ""),
    ("hwts_arista", cases_arista, ""),
    ("hwts_expcap", cases_expcap, "--hwts expcap"),
    ("hwts_hash", cases_hash, ""),
    ("hwts_ip_end", cases_ip_end, ""),
    ("hwts_expcap_over", cases_expcap_over, "--hwts expcap,ixia,arista"),
    ("hwts_encap_ixia", cases_encap_ixia, ""),
    ("hwts_encap_metamako", cases_encap_metamako, "--hwts metamako"),
    ("hwts_encap_exablaze", cases_encap_exablaze, "--hwts exablaze"),
    ("hwts_vlan_ixia", cases_vlan_ixia, ""),
    ("hwts_vlan_metamako", cases_vlan_metamako, "--hwts metamako"),
    ("hwts_vlan_exablaze", cases_vlan_exablaze, "--hwts exablaze"),
    ("hwts_vlan_arista", cases_vlan_arista, ""),
    ("hwts_throw_ixia", cases_throw_ixia, ""),
    ("hwts_throw_metamako", cases_throw_metamako, "--hwts metamako"),
    ("hwts_throw_exablaze", cases_throw_exablaze, "--hwts exablaze"),
]


# The pcap link-type field of the captures not plain Ethernet (1)
LINKTYPES = {"hwts_ixia_fcs": LINKTYPE_ETHERNET_FCS4}


def table_lines():
    out = []
    for name, _, args in GOLDEN:
        a = (args + " " if args else "") + "--columns " + COLS
        out.append("%s\ttestdata/%s.pcap\t0\t%s" % (name, name, a))
    # without --hwts the formats without a signature give no stamp, and
    # every other field is the same
    out.append("hwts_metamako_off\ttestdata/hwts_metamako.pcap\t0\t--columns " + COLS)
    out.append("hwts_ixia_none\ttestdata/hwts_ixia.pcap\t0\t--hwts none --columns " + COLS)
    for name, _, args in USAGE:
        out.append("%s\ttestdata/hwts_metamako.pcap\t1\t%s" % (name, args))
    return out


# Usage errors: --hwts that would do nothing, an unknown format.
HELP_HINT = "Try 'pcap2kdb --help' for more information.\n"
USAGE = [
    ("hwts_no_column", "pcap2kdb: --hwts needs the hwtime, hwdev or hwport column\n" + HELP_HINT,
     "--hwts metamako"),
    ("hwts_unknown", "pcap2kdb: --hwts 'metamako,cpacket': formats are metamako, exablaze, "
     "expcap, ixia, arista, auto, none\n" + HELP_HINT, "--hwts metamako,cpacket --columns hwtime"),
    # none beside a format would be ignored
    ("hwts_none_combined", "pcap2kdb: --hwts 'none,metamako': none cannot be combined with other "
     "formats\n" + HELP_HINT, "--hwts none,metamako --columns hwtime"),
    # without such a column every list but expcap alone does nothing, auto
    # (the default named) and none included
    ("hwts_auto_no_column", "pcap2kdb: --hwts needs the hwtime, hwdev or hwport column\n" +
     HELP_HINT, "--hwts auto"),
    ("hwts_none_no_column", "pcap2kdb: --hwts needs the hwtime, hwdev or hwport column\n" +
     HELP_HINT, "--hwts none"),
]


def off_rows(recs):
    rows = expected_rows(recs).splitlines()
    out = [rows[0]]
    for row in rows[1:]:
        f = row.split(",")
        f[10:13] = ["", "", ""]
        out.append(",".join(f))
    return "\n".join(out) + "\n"


# ------------------------------------------------------------ latency pair

def latency_pair(outdir):
    """The same traffic at A (before a router) and B (after it): TTL - 1,
    checksum recomputed, new MACs, a VLAN tag, an Arista 64-bit header
    carrying B's hardware time, B's snaplen 128; B's record time is the
    capture host's (off by 37 s plus noise), so the latency is B's hwtime
    minus A's time. A few packets are dropped before B."""
    rnd = random.Random(17)
    a, b, expect = [], [], []
    t0 = BASE
    ns = 0
    for i in range(60):
        ns += rnd.randrange(200, 50000)
        size = rnd.choice([8, 20, 33, 60, 64, 70, 200, 900])
        data = bytes(rnd.randrange(256) for _ in range(size))
        if i in (10, 11):
            data = bytes(size)          # same payload as each other: the IP ID differs
        ip = ipv4((192, 168, 1, 1 + i % 3), (10, 1, 2, 3), 17, udp(40000 + i % 5, 9000, data),
                  ttl=64, ipid=1000 + i, tos=0x10 if i % 7 == 0 else 0)
        sec, nsec = t0 + ns // 10**9, ns % 10**9
        a.append(Rec(eth(ip), sec, nsec))
        if i in (5, 23, 41, 42):
            expect.append((i + 1, "dropped"))
            continue
        delay = 25000 + rnd.randrange(-300, 301)   # 25 µs with jitter
        bns = ns + delay
        ip2 = bytearray(ip)
        ip2[8] -= 1
        ip2[1] = 0x00                    # a router that re-marks DSCP
        ip2[10:12] = b"\0\0"
        ip2[10:12] = struct.pack(">H", csum(bytes(ip2[:20])))
        hsec, hns = t0 + bns // 10**9, bns % 10**9
        fb = (b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" +
              arista_hdr(0x0110, hsec, hns) + b"\x81\x00\x00\x0a\x08\x00" + bytes(ip2))
        if len(fb) < 60:
            fb += b"\0" * (60 - len(fb))
        host = bns + 37 * 10**9 + rnd.randrange(0, 10**6)
        rb = Rec(fb, t0 + host // 10**9, host % 10**9, caplen=min(len(fb), 128))
        b.append(rb)
        # B's link header is 32 bytes: the 128-byte snaplen keeps 96 IP bytes
        if min(len(ip), 128) > 128 - 32:
            expect.append((i + 1, "nohash"))
        else:
            expect.append((i + 1, str(delay)))
    write_pcap(os.path.join(outdir, "latency_a.pcap"), a)
    write_pcap(os.path.join(outdir, "latency_b.pcap"), b, snaplen=128)
    with open(os.path.join(outdir, "latency_expected.tsv"), "w") as fh:
        fh.write("# A frame\tB hwtime - A time in ns | dropped | nohash (B cut by its snaplen)\n")
        for f, e in expect:
            fh.write("%d\t%s\n" % (f, e))


# ------------------------------------------------------------ tshark check

def tshark_time(text):
    """'May 14, 2020 12:10:03.123456789 UTC' -> (seconds, nanoseconds)."""
    import calendar
    import time
    text = " ".join(text.replace(" UTC", "").split())
    whole, frac = text.rsplit(".", 1)
    tm = time.strptime(whole, "%b %d, %Y %H:%M:%S")
    return calendar.timegm(tm), int(frac.ljust(9, "0")[:9])


def tshark_check(outdir, only=None):
    import subprocess
    fields = {
        "hwts_metamako": ["metamako.time", "metamako.srcdevice", "metamako.srcport"],
        "hwts_exablaze": ["exablaze.timestamp", "exablaze.device", "exablaze.port"],
        "hwts_ixia": ["ixiatrailer.timestamp", None, None],
        "hwts_ixia_fcs": ["ixiatrailer.timestamp", None, None],
        "hwts_arista": ["avsp.64sec", "avsp.64ns", "avsp.48sec", "avsp.48ns"],
        "hwts_hash": ["ip.dst"],
        "hwts_ip_end": ["ixiatrailer.timestamp", None, None],
        "hwts_encap_ixia": ["ixiatrailer.timestamp", None, None],
        "hwts_encap_metamako": ["metamako.time", "metamako.srcdevice", "metamako.srcport"],
        "hwts_encap_exablaze": ["exablaze.timestamp", "exablaze.device", "exablaze.port"],
        "hwts_vlan_ixia": ["ixiatrailer.timestamp", None, None],
        "hwts_vlan_metamako": ["metamako.time", "metamako.srcdevice", "metamako.srcport"],
        "hwts_vlan_exablaze": ["exablaze.timestamp", "exablaze.device", "exablaze.port"],
        "hwts_vlan_arista": ["avsp.64sec", "avsp.64ns", "avsp.48sec", "avsp.48ns"],
        "hwts_throw_ixia": ["ixiatrailer.timestamp", None, None],
        "hwts_throw_metamako": ["metamako.time", "metamako.srcdevice", "metamako.srcport"],
        "hwts_throw_exablaze": ["exablaze.timestamp", "exablaze.device", "exablaze.port"],
    }
    bad = listed = 0
    for name, cases, _ in GOLDEN:
        if name not in fields or only and name != only:
            continue
        fl = [x for x in fields[name] if x]
        cmd = ["tshark", "-r", os.path.join(outdir, name + ".pcap"),
               "--enable-heuristic", "metamako_eth", "--enable-heuristic", "exablaze_eth",
               "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
               "-e", "frame.number", "-e", "udp.length", "-e", "ip.src", "-e", "ipv6.src"]
        for x in fl:
            cmd += ["-e", x]
        env = dict(os.environ, TZ="UTC")
        out = subprocess.run(cmd, capture_output=True, text=True, env=env).stdout
        recs = cases()
        for r, line in zip(recs, out.splitlines()):
            f = line.split("\t")
            got = f[4:]
            shows_ip = bool(f[2] or f[3])
            exp_ok = True
            if name in ("hwts_hash", "hwts_ip_end"):
                exp_ok = shows_ip == (r.ip is not None and ip_shown(r.ip))
            mark = "ok "
            if name != "hwts_hash":        # it has no trailer
                stamp_ok = stamp_agrees(name, r, got)
                if r.tshark and r.tshark.startswith("differs: "):
                    # a difference README lists: tshark must show it
                    listed += 1
                    mark = "listed"
                    stamp_ok = not stamp_ok
                exp_ok = exp_ok and stamp_ok
            if name.startswith("hwts_vlan"):
                # the 21st 802.1Q tag: no IP packet either
                exp_ok = exp_ok and shows_ip == (r.ip is not None)
            ulen = f[1]
            if r.udp_len is not None and r.caplen >= r.ip_off + 28 and ulen:
                exp_ok = exp_ok and int(ulen) - 8 == r.udp_len
            print("%-14s %2s %-40s %s  tshark: %s" % (name, f[0], r.note,
                                                      mark if exp_ok else "BAD", " | ".join(got)))
            bad += not exp_ok
    print("%d disagreement(s), %d listed difference(s) shown by tshark" % (bad, listed))
    return 1 if bad else 0


def stamp_agrees(name, r, got):
    """Whether tshark's trailer or header fields give r's expected stamp."""
    if name in ("hwts_arista", "hwts_vlan_arista"):
        if r.tshark == "unknown version" or r.hw is None:
            return not any(got)  # tshark 4.0 lacks R3: checked by tcpdump
        if got[0]:
            return int(got[0]) == r.hw[0] and int(got[1]) == r.hw[1]
        return bool(got[2]) and int(got[2]) == r.hw[0] & 0xFFFF and int(got[3]) == r.hw[1]
    if r.hw is None or r.tshark == "no trailer":
        return not got[0]   # a header's stamp stands in for it: hwts_arista's rows check those
    ok = bool(got[0]) and tshark_time(got[0]) == (r.hw[0], r.hw[1])
    if "ixia" not in name and name != "hwts_ip_end":
        ok = ok and int(got[1]) == r.hw[2] and int(got[2]) == r.hw[3]
    return ok


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(here, "..", "testdata")
    args = sys.argv[1:]
    if args and args[0] == "--table":
        print("\n".join(table_lines()))
        return 0
    if args and args[0] == "--tshark":
        return tshark_check(args[1] if len(args) > 1 else outdir)
    if args:
        outdir = args[0]
    for name, cases, _ in GOLDEN:
        recs = cases()
        write_pcap(os.path.join(outdir, name + ".pcap"), recs,
                   linktype=LINKTYPES.get(name, 1))
        with open(os.path.join(outdir, name + ".out"), "w") as fh:
            fh.write(expected_rows(recs))
    with open(os.path.join(outdir, "hwts_metamako_off.out"), "w") as fh:
        fh.write(off_rows(cases_metamako()))
    with open(os.path.join(outdir, "hwts_ixia_none.out"), "w") as fh:
        fh.write(off_rows(cases_ixia()))
    for name, err, _ in USAGE:
        open(os.path.join(outdir, name + ".out"), "w").close()
        with open(os.path.join(outdir, name + ".err"), "w") as fh:
            fh.write(err)
    latency_pair(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
