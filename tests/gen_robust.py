#!/usr/bin/env python3
"""Extra malformed-input cases for the golden runner (issue #5), beside the
catalogue of tests/gen_testdata.py: damage that catalogue does not build, and
inputs that found bugs.

    tests/gen_robust.py [OUTDIR]          write the captures (default testdata/)
    tests/gen_robust.py --table           print the lines of tests/robust.tsv

The captures are built byte by byte here (deterministic). Their expected
testdata/NAME.out and NAME.err were written by pcap2kdb and checked by hand
against the rule each case names below (the decoder's own documented
behaviour, README's exit codes and message format ("Damaged input and exit codes")); run_golden.sh
tests/robust.tsv compares against them like any golden case.
"""
import os
import struct
import sys

T0 = 1700000000


# ------------------------------------------------------------------ frames
def tcp(sport, dport, seq, ack, flags, win, opts=b"", payload=b"", doff=None):
    opts += b"\0" * (-len(opts) % 4)
    d = doff if doff is not None else 5 + len(opts) // 4
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, d << 4, flags, win,
                       0, 0) + opts + payload


def ipv4(src, dst, proto, inner, ttl=64, ipid=1):
    s = bytes(int(x) for x in src.split("."))
    d = bytes(int(x) for x in dst.split("."))
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(inner), ipid, 0x4000,
                       ttl, proto, 0, s, d) + inner


def eth(inner, ethertype=0x0800, tags=()):
    h = b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02"
    for tpid, vid in tags:
        h += struct.pack(">HH", tpid, vid)
    return h + struct.pack(">H", ethertype) + inner


def mini(i):
    return eth(ipv4("10.9.0.1", "10.9.0.2", 6,
                    tcp(40000 + i, 80, 1000 + i, 2000 + i, 0x18, 512,
                        payload=b"ping")))


# ------------------------------------------------------------------ pcap
def pcap(recs, linktype=1, snaplen=262144, major=2):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, major, 4, 0, 0, snaplen, linktype)
    for i, r in enumerate(recs):
        data, caplen, origlen = r if isinstance(r, tuple) else (r, len(r), len(r))
        out += struct.pack("<IIII", T0 + i, 1000 * i, caplen, origlen) + data
    return out


# ------------------------------------------------------------------ pcapng
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def shb(major=1, minor=0):
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, major, minor, -1))


def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)


def idb(linktype=1, tsresol=None, tsoffset=None):
    o = b""
    if tsresol is not None:
        o += opt(9, bytes([tsresol]))
    if tsoffset is not None:
        o += opt(14, struct.pack("<q", tsoffset))
    if o:
        o += struct.pack("<HH", 0, 0)
    return block(1, struct.pack("<HHI", linktype, 0, 0) + o)


def epb(iface, units, data, caplen=None, origlen=None):
    c = len(data) if caplen is None else caplen
    o = len(data) if origlen is None else origlen
    return block(6, struct.pack("<IIIII", iface, units >> 32, units & 0xFFFFFFFF,
                                c, o) + data)


def spb(data):
    return block(3, struct.pack("<I", len(data)) + data)


# ------------------------------------------------------------------ cases
CASES = []   # (name, file, exit code, extra args)


def case(out, name, fname, data, code, args=""):
    if data is not None:
        with open(os.path.join(out, fname), "wb") as f:
            f.write(data)
    CASES.append((name, "testdata/" + fname, code, args))


def cases(out):
    us = lambda i: (T0 + i) * 10 ** 6 + i
    good = epb(0, us(1), mini(1))
    # if_tsresol 0 (seconds) with an if_tsoffset near 2^63: the sum of a
    # huge timestamp and the offset does not fit int64 (UBSan, found in
    # review): the time is out of q's range, so null; the next packet, on a
    # sane interface, is normal. Exit 0.
    case(out, "robust_ng_tsoffset_overflow", "robust_ng_tsoffset_overflow.pcapng",
         shb() + idb(1, tsresol=0, tsoffset=0x7FFFFFFFFFFFFF00) + idb(1)
         + epb(0, 0x7FFFFFFFFFFFFFFF, mini(0)) + epb(1, us(1), mini(1)), 0,
         "--columns frame,time,iface,srcport")
    # EPB whose captured length runs past its block: skipped with a message,
    # the next packet converted, exit 2.
    case(out, "robust_ng_epb_caplen_past_block", "robust_ng_epb_caplen_past_block.pcapng",
         shb() + idb() + epb(0, us(0), mini(0), caplen=1000) + good, 2,
         "--columns frame,srcport")
    # IDB shorter than its fixed fields (16 bytes): reported; it keeps its
    # interface number, damaged, so the packet that names interface 0 is
    # skipped with a message naming that block: two messages, exit 2.
    short_idb = struct.pack("<II", 1, 16) + struct.pack("<HH", 1, 0) + struct.pack("<I", 16)
    case(out, "robust_ng_idb_short", "robust_ng_idb_short.pcapng",
         shb() + short_idb + good, 2, "--columns frame,srcport")
    # ... and the interfaces after it keep their numbers (seventh session:
    # a good IDB #1 had become interface 0, its packets went to the damaged
    # one's): the packet on interface 1 is converted with IDB #1's link type
    # (raw IP) and nanoseconds, those on 0 are skipped.
    case(out, "robust_ng_idb_short_next", "robust_ng_idb_short_next.pcapng",
         shb() + short_idb + idb(101, tsresol=9) + epb(0, us(0), mini(0)[14:]) +
         epb(1, (T0 + 1) * 10 ** 9 + 7, mini(1)[14:]) + epb(0, us(2), mini(2)[14:]), 2,
         "--columns frame,time,linktype,srcport")
    # if_tsresol beyond 10^-19 (0x14 = 10^-20): the draft sets no limit and
    # tshark shows the packets, so the time is the exact count over 10^20 s
    # (1.7e15 units: 17 us), not a default resolution and not a skipped
    # interface; exit 0 (tests/gen_testdata.py pcapng_tsresol_fine has more).
    case(out, "robust_ng_tsresol_range", "robust_ng_tsresol_range.pcapng",
         shb() + idb(1, tsresol=20) + epb(0, us(0), mini(0)), 0,
         "--columns frame,time,srcport")
    # SPB before any IDB: no interface 0 to take the link type from.
    case(out, "robust_ng_spb_no_iface", "robust_ng_spb_no_iface.pcapng",
         shb() + spb(mini(0)) + idb() + spb(mini(1)), 2, "--columns frame,srcport,caplen")
    # Custom block shorter than header + PEN + trailer (12 bytes): skipped.
    case(out, "robust_ng_custom_short", "robust_ng_custom_short.pcapng",
         shb() + idb() + block(0x0BAD, b"") + good, 2, "--columns frame,linktype,srcport")
    # SHB version 1.1: neither 1.0 nor 1.2 (libpcap/Wireshark accept those).
    case(out, "robust_ng_shb_minor", "robust_ng_shb_minor.pcapng",
         shb(1, 1) + idb() + good, 2, "")
    # The file ends 5 bytes into the next block header: rows before, exit 2.
    case(out, "robust_ng_block_header_cut", "robust_ng_block_header_cut.pcapng",
         shb() + idb() + good + b"\x06\0\0\0\x40", 2, "--columns frame,srcport")
    # A section header and nothing else; a pcap header and no record:
    # empty tables, exit 0.
    case(out, "robust_ng_shb_only", "robust_ng_shb_only.pcapng", shb(), 0, "")
    # snaplen 65535, not the default: the bytes must not be a copy of a
    # corpus file (tcpdump's empty.pcap is the default header alone)
    case(out, "robust_pcap_header_only", "robust_pcap_header_only.pcap", pcap([], snaplen=65535),
         0, "")
    # pcap version 1.0 (only 2.x exists).
    case(out, "robust_pcap_version", "robust_pcap_version.pcap",
         pcap([mini(0)], major=1), 2, "")
    # A record claiming 200 MiB (allowed by a 2 GiB snaplen) in a short file:
    # "cut short" -- and, since the input buffer grows only as bytes arrive,
    # without a 256 MiB allocation (found by fuzz_convert).
    case(out, "robust_pcap_claimed_huge", "robust_pcap_claimed_huge.pcap",
         pcap([mini(0), (b"\0" * 11, 200 << 20, 200 << 20)], snaplen=0x7FFFFFFF), 2,
         "--columns frame,caplen")
    # Encapsulations that go on and on, each bounded (decode.h): 20
    # IPv4-in-IPv4 headers (15 encapsulations are followed: the row shows
    # the 16th header, protocol IPv4; the rest is not decoded), 300 VLAN
    # tags (the outermost VLAN id; the 21st tag ends the packet, as in
    # tshark: protocol VLAN, nothing past it),
    # and 40 MPLS labels without bottom of stack (nothing past 32).
    inner = tcp(5555, 80, 1, 2, 0x10, 100)
    p = ipv4("10.0.0.99", "10.0.0.100", 6, inner)
    for k in range(20):
        p = ipv4("10.0.%d.1" % k, "10.0.%d.2" % k, 4, p)
    tags = [(0x8100, 100 + k % 4000) for k in range(300)]
    mpls = b"".join(struct.pack(">I", (16 + k) << 12 | 64) for k in range(40))
    case(out, "robust_deep_encaps", "robust_deep_encaps.pcap",
         pcap([eth(p), eth(ipv4("10.1.0.1", "10.1.0.2", 6, inner), tags=tags),
               eth(mpls + ipv4("10.2.0.1", "10.2.0.2", 6, inner), 0x8847)]), 0,
         "--columns frame,src,dest,protocol,vlan,srcport")
    # TCP header of 60 bytes (data offset 15) cut by the snaplen after 30
    # bytes: ports, seq, flags, window from the fixed header; the MSS option
    # inside the captured bytes counts, the timestamp option cut in half does
    # not; len from the IP length. Exit 0.
    opts = b"\x02\x04\x05\xb4" + b"\x01\x01\x08\x0a" + struct.pack(">II", 7, 8)
    opts += b"\x01" * (40 - len(opts))
    frame = eth(ipv4("10.3.0.1", "10.3.0.2", 6,
                     tcp(6000, 6001, 9, 10, 0x18, 300, opts=opts, payload=b"x" * 20)))
    cut = 14 + 20 + 30
    case(out, "robust_tcp_options_cut", "robust_tcp_options_cut.pcap",
         pcap([(frame[:cut], cut, len(frame))]), 0,
         "--columns frame,srcport,seq,flags,rawwin,mss,tsval,len,caplen,length")


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    table = "--table" in argv
    args = [a for a in argv if a != "--table"]
    out = args[0] if args else os.path.join(os.path.dirname(here), "testdata")
    os.makedirs(out, exist_ok=True)
    cases(out)
    if table:
        for name, cap, code, extra in CASES:
            print("%s\t%s\t%d\t%s" % (name, cap, code, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
