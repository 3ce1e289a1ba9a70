#!/usr/bin/env python3
"""Golden capture for IEEE 802.15.4 with 6LoWPAN (#15 link types): each
frame is assembled byte by byte and its expected row comes from the field
values chosen here (RFC 4944 / RFC 6282 rules written out below), not from
pcap2kdb.  Checked against tshark 4.0 when written (`--tshark` repeats it).

    tests/gen_wpan.py [OUTDIR]     write the capture and expected output
                                   (default testdata/)
    tests/gen_wpan.py --table      print its line of tests/golden.tsv
    tests/gen_wpan.py --tshark     compare the expected rows with tshark

Cases: IPHC with addresses from extended and short link addresses, inline
64-bit and 16-bit interface ids, an inline 128-bit address, compressed
multicast, inline and compressed (NHC) UDP, TCP, the uncompressed IPv6
dispatch, frame versions 2006 and 2015 (PAN id rules), with and without
FCS; and frames that keep only their record fields: a bad FCS (Wireshark
shows the payload as data), a secured frame, an unknown NHC encoding
(Wireshark: "No Next Header").
"""
import ipaddress
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_testdata as g  # noqa: E402
from gen_testdata import F, Frag, Rec, T0  # noqa: E402

LT_FCS, LT_NOFCS = 195, 230
NAMES = {LT_FCS: "IEEE802_15_4_WITHFCS", LT_NOFCS: "IEEE802_15_4_NOFCS"}
COLS = ["frame", "linktype", "src", "dest", "srcport", "destport",
        "protocol", "len", "ttl"]
EXT_A = bytes.fromhex("0002000240021002")     # EUI-64, network order
EXT_B = bytes.fromhex("1005008100010001")
SHORT_A, SHORT_B = 0x1234, 0x00AB


def crc16(b):
    """802.15.4 FCS: CRC-16 ITU-T, reflected, initial value 0."""
    c = 0
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x8408 if c & 1 else c >> 1
    return c


def mac(version, dst, src, comp=False, security=False, pan=0xAB4D):
    """MAC header of a data frame.  dst/src: 8-byte EUI-64 or int short
    address.  PAN ids as IEEE 802.15.4-2015 table 7-2 (version 2) or the
    2003/2006 rule (dst PAN with a dst address, src PAN unless compressed)."""
    def mode(a):
        return 3 if isinstance(a, bytes) else 2

    def addr(a):
        return a[::-1] if isinstance(a, bytes) else struct.pack("<H", a)
    dm, sm = mode(dst), mode(src)
    if version == 2:
        both_ext = dm == 3 and sm == 3
        dpan = (not comp) if both_ext else True
        span = False if both_ext else not comp
    else:
        dpan, span = True, not comp
    fcf = 1 | (8 if security else 0) | (0x40 if comp else 0) | \
        (dm << 10) | (version << 12) | (sm << 14)
    out = struct.pack("<HB", fcf, 7)
    if dpan:
        out += struct.pack("<H", pan)
    out += addr(dst)
    if span:
        out += struct.pack("<H", pan)
    return out + addr(src)


def ll_ip(a):
    """fe80::/64 + the interface id RFC 6282 derives from a link address."""
    if isinstance(a, bytes):
        iid = bytes([a[0] ^ 2]) + a[1:]
    else:
        iid = b"\0\0\0\xff\xfe\0" + struct.pack(">H", a)
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + iid))


def iphc(tf=3, nh=0, hlim=2, sam=3, m=0, dam=3):
    return struct.pack(">H", 0x6000 | (tf << 11) | (nh << 10) | (hlim << 8) |
                       (sam << 4) | (m << 3) | dam)


def ipf(src, dst, proto, ttl):
    return {"src": (src, 0), "dest": (dst, 0), "ttl": (str(ttl), 0),
            "protocol": (g.IPPROTO_NAME.get(proto, str(proto)), 0)}


def frames():
    """(linktype, Frag) pairs; FCS frames get their FCS appended later."""
    out = []
    # 1. 2015 frame, ext/ext, everything elided, compressed UDP (full ports,
    #    checksum inline); UDP length from the frame
    pay = b"hello"
    f = Frag(mac(2, EXT_B, EXT_A) + iphc(nh=1) +
             b"\xf0" + struct.pack(">HHH", 5683, 5684, 0) + pay,
             dict(ipf(ll_ip(EXT_A), ll_ip(EXT_B), 17, 64),
                  srcport=("5683", 0), destport=("5684", 0),
                  len=(str(len(pay)), 0)))
    out.append((LT_FCS, f))
    # 2. 2006 frame, short addresses, PAN compressed; SAM=2 (16-bit id
    #    inline), DAM=3 (from the short address); hop limit and next header
    #    inline: TCP
    t = g.tcp(40000, 80, 1000, 2000, F["ACK"] | F["PSH"], 512, payload=b"abcd")
    hdr = mac(1, SHORT_B, SHORT_A, comp=True) + iphc(nh=0, hlim=0, sam=2) + \
        bytes([6, 30]) + struct.pack(">H", 0x0042)
    src = str(ipaddress.IPv6Address("fe80::ff:fe00:42"))
    out.append((LT_FCS, t.wrap(hdr, ipf(src, ll_ip(SHORT_B), 6, 30))))
    # 3. no FCS: the uncompressed IPv6 dispatch (0x41) with UDP
    u = g.ipv6("2001:db8::1", "2001:db8::2", 17, g.udp(1000, 2000, b"x" * 7),
               hlim=9)
    out.append((LT_NOFCS, u.wrap(mac(1, EXT_B, EXT_A, comp=True) + b"\x41")))
    # 4. no FCS: TF=0 (4 bytes inline), SAM=1 (64-bit id inline), multicast
    #    DAM=3 (ff02::XX), compressed UDP with 4-bit ports, checksum elided
    iid = bytes.fromhex("0211223344556677")
    pay = b"zz"
    f = Frag(mac(2, 0xFFFF, EXT_A) + iphc(tf=0, nh=1, hlim=3, sam=1, m=1, dam=3) +
             b"\0\0\0\0" + iid + b"\x1a" + b"\xf7" + b"\x12" + pay,
             dict(ipf("fe80::211:2233:4455:6677", "ff02::1a", 17, 255),
                  srcport=(str(0xF0B1), 0), destport=(str(0xF0B2), 0),
                  len=(str(len(pay)), 0)))
    out.append((LT_NOFCS, f))
    # 5. inline 128-bit source, multicast DAM=1 (ffXX::00XX:XXXX:XXXX),
    #    hop limit 1, inline next header UDP
    u = g.udp(7, 9, b"q" * 3)
    sip = ipaddress.IPv6Address("2001:db8:1::5")
    hdr = mac(1, EXT_B, EXT_A) + iphc(nh=0, hlim=1, sam=0, m=1, dam=1) + \
        bytes([17]) + sip.packed + bytes([0x05, 0x01, 0x02, 0x03, 0x04, 0x05])
    out.append((LT_FCS, u.wrap(hdr, ipf(str(sip), "ff05::1:203:405", 17, 1))))
    # 6. an NHC byte that is no known encoding: tshark's "No Next Header"
    f = Frag(mac(2, EXT_B, EXT_A) + iphc(nh=1) + b"\xb0\x04\x01",
             ipf(ll_ip(EXT_A), ll_ip(EXT_B), 59, 64))
    out.append((LT_FCS, f))
    # 7. a secured frame: nothing decoded
    out.append((LT_FCS, Frag(mac(1, EXT_B, EXT_A, security=True) +
                             b"\x05" + b"\0" * 5 + iphc(nh=1) + b"\xf0" * 8)))
    return out


def records():
    recs = []
    for i, (lt, f) in enumerate(frames()):
        if lt == LT_FCS:
            f = Frag(f.data + struct.pack("<H", crc16(f.data)), f.fields, f.meta)
        recs.append(Rec(f, T0 + i, 0, linktype=lt))
    # 8. frame 1 again with a damaged FCS: shown as data by Wireshark
    bad = recs[0].frag.data[:-2] + struct.pack("<H", crc16(recs[0].frag.data[:-2]) ^ 1)
    recs.append(Rec(Frag(bad), T0 + len(recs), 0, linktype=LT_FCS))
    return recs


def capture(recs):
    order = "<"
    lts = [LT_FCS, LT_NOFCS]
    body = b""
    for r in recs:
        r.iface = lts.index(r.linktype)
        body += g.epb(order, r.iface, r.sec * 10 ** 6, r.data, r.origlen)
    return g.shb(order) + b"".join(g.idb(order, lt) for lt in lts) + body


def cases(out):
    recs = records()
    g.LINKTYPE_NAME.update(NAMES)
    g.case(out, "wpan15", "wpan15.pcapng", capture(recs), recs,
           "--columns " + ",".join(COLS), COLS)


def check_tshark(outdir):
    """Compare the expected rows with tshark 4.0's fields."""
    path = os.path.join(outdir, "wpan15.pcapng")
    fields = ["ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.nxt", "udp.srcport",
              "udp.dstport", "udp.length", "tcp.srcport", "tcp.len"]
    p = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields"] +
                       sum((["-e", x] for x in fields), []),
                       capture_output=True, text=True, check=True)
    with open(os.path.join(outdir, "wpan15.out")) as fp:
        exp = [l.split(",") for l in fp.read().splitlines()[1:]]
    bad = 0
    for line, e in zip(p.stdout.splitlines(), exp):
        t = dict(zip(fields, line.split("\t")))
        ulen = t["udp.length"]
        got = [t["ipv6.src"], t["ipv6.dst"], t["udp.srcport"] or t["tcp.srcport"],
               t["ipv6.hlim"],
               str(int(ulen) - 8) if ulen else t["tcp.len"],
               g.IPPROTO_NAME.get(int(t["ipv6.nxt"]), t["ipv6.nxt"])
               if t["ipv6.nxt"] else ""]
        want = [e[2], e[3], e[4], e[8], e[7], e[6]]
        if got != want:
            bad += 1
            print("frame %s: tshark %s expected %s" % (e[0], got, want))
    print("%d disagreements" % bad)
    return 1 if bad else 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    flags = [a for a in argv if a.startswith("--")]
    args = [a for a in argv if not a.startswith("--")]
    outdir = args[0] if args else os.path.join(os.path.dirname(here), "testdata")
    os.makedirs(outdir, exist_ok=True)
    out = g.Out(outdir)
    del g.CASES[:]
    cases(out)
    if "--table" in flags:
        for name, cap, code, extra in g.CASES:
            print("%s\t%s\t%d\t%s" % (name, cap, code, extra))
    if "--tshark" in flags:
        return check_tshark(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
