#!/usr/bin/env python3
"""Golden capture for IPComp (RFC 3173) payloads, which Wireshark 4.0
inflates as DEFLATE whatever the CPI and dissects (#15): each packet is
built uncompressed with tests/gen_testdata.py's builders, whose fields are
the expected row, then its IPComp payload is compressed with Python's zlib
(raw DEFLATE: stored, fixed and dynamic Huffman blocks; once with a zlib
header, which Wireshark also accepts).  Checked against tshark 4.0 when
written (`--tshark` repeats it).

    tests/gen_ipcomp.py [OUTDIR]   write the capture and expected output
    tests/gen_ipcomp.py --table    print its line of tests/golden.tsv
    tests/gen_ipcomp.py --tshark   compare the expected rows with tshark
"""
import os
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_testdata as g  # noqa: E402
from gen_testdata import F, Frag, Rec, T0  # noqa: E402

COLS = ["frame", "src", "dest", "srcport", "destport", "protocol", "flags",
        "seq", "len", "ttl"]
A, B = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::a", "2001:db8::b"
CPI_NEGOTIATED = 0xEED1


def deflate(data, level=6, wrap=False, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, 15 if wrap else -15, 9, strategy)
    return c.compress(data) + c.flush()


def btype(raw):
    return (raw[0] >> 1) & 3


def comp_packet(plain, payload, proto, comp, v6=False):
    """plain: the uncompressed packet (its fields are the row's); payload:
    what IPComp carries (proto: its next header); comp: the compressed bytes."""
    body = struct.pack(">BBH", proto, 0, CPI_NEGOTIATED) + comp
    if v6:
        hdr = struct.pack(">IHBB16s16s", 0x60000000, len(body), 108, 64,
                          g.ip6(A6), g.ip6(B6))
    else:
        hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 7, 0x4000,
                          64, 108, 0, g.ip4(A), g.ip4(B))
    fields = {c: (v, 0) for c, (v, _) in plain.fields.items()}
    return Frag(g.ETH_DST + g.ETH_SRC + (b"\x86\xdd" if v6 else b"\x08\x00") +
                hdr + body, fields)


def packets():
    out = []
    # tunnel mode (next header 4): an inner IPv4/TCP packet, fixed Huffman
    inner = g.ipv4("10.1.0.1", "10.1.0.2", 6,
                   g.tcp(40000, 80, 100, 200, F["ACK"] | F["PSH"], 512,
                         payload=b"GET / HTTP/1.0\r\n\r\n"), ttl=33)
    raw = deflate(inner.data, strategy=zlib.Z_FIXED)
    assert btype(raw) == 1
    out.append(comp_packet(g.eth(g.ipv4(A, B, 4, inner)), inner.data, 4, raw))
    # transport mode (next header 6): a TCP segment, dynamic Huffman
    seg = g.tcp(80, 40000, 200, 118, F["ACK"], 1000,
                payload=b"HTTP/1.0 200 OK\r\n" + " ".join(
                    str(i * i) for i in range(150)).encode())
    raw = deflate(seg.data, level=9)
    assert btype(raw) == 2
    out.append(comp_packet(g.eth(g.ipv4(A, B, 6, seg)), seg.data, 6, raw))
    # stored block
    seg = g.tcp(81, 40001, 5, 6, F["SYN"], 100)
    raw = deflate(seg.data, level=0)
    assert btype(raw) == 0
    out.append(comp_packet(g.eth(g.ipv4(A, B, 6, seg)), seg.data, 6, raw))
    # a zlib header before the DEFLATE data
    seg = g.tcp(82, 40002, 7, 8, F["ACK"] | F["FIN"], 100, payload=b"bye")
    out.append(comp_packet(g.eth(g.ipv4(A, B, 6, seg)), seg.data, 6,
                           deflate(seg.data, wrap=True)))
    # IPv6: UDP in transport mode
    u = g.udp(5353, 5353, b"x" * 40)
    out.append(comp_packet(g.eth(g.ipv6(A6, B6, 17, u)), u.data, 17,
                           deflate(u.data), v6=True))
    # not DEFLATE (an invalid block type): the IPComp header is the end
    f = comp_packet(g.eth(g.ipv4(A, B, 108, Frag(b""))), b"", 6,
                    b"\x07" + b"\x00" * 20)
    f.fields["protocol"] = ("IPComp", 0)
    out.append(f)
    return out


def records():
    return [Rec(f, T0 + i, 0) for i, f in enumerate(packets())]


def cases(out):
    recs = records()
    g.case(out, "ipcomp15", "ipcomp15.pcap", g.pcap_bytes(recs, 1), recs,
           "--columns " + ",".join(COLS), COLS)


def check_tshark(outdir):
    path = os.path.join(outdir, "ipcomp15.pcap")
    fields = ["ip.src", "ipv6.src", "tcp.srcport", "udp.srcport", "tcp.len",
              "udp.length", "ip.ttl", "ipv6.hlim"]
    p = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields",
                        "-E", "occurrence=l"] + sum((["-e", x] for x in fields), []),
                       capture_output=True, text=True, check=True)
    with open(os.path.join(outdir, "ipcomp15.out")) as fp:
        exp = [l.split(",") for l in fp.read().splitlines()[1:]]
    bad = 0
    for line, e in zip(p.stdout.splitlines(), exp):
        t = dict(zip(fields, line.split("\t")))
        ulen = t["udp.length"]
        got = [t["ip.src"] or t["ipv6.src"], t["tcp.srcport"] or t["udp.srcport"],
               str(int(ulen) - 8) if ulen else t["tcp.len"],
               t["ip.ttl"] or t["ipv6.hlim"]]
        want = [e[1], e[3], e[8], e[9]]
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
