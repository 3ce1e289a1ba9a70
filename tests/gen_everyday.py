#!/usr/bin/env python3
"""Generate the golden cases of the row filters (--port, --host, --proto, -c).

One capture, testdata/filter_mix.pcap, holds a little of everything (TCP and
UDP over IPv4 and IPv6, ICMP, ICMPv6, ARP, LLDP, several TCP connections);
each case runs pcap2kdb on it with some filter options and expects the rows
this script's own filter logic selects, in the golden format of
tests/run_golden.sh (NAME.out + one line of tests/golden.tsv).

    python3 tests/gen_everyday.py [OUTDIR]   (default: <repo>/testdata)
    python3 tests/gen_everyday.py --table    print the golden.tsv lines

Deterministic: two runs write the same bytes.
"""

import ipaddress
import os
import struct
import sys

COLS = "frame,src,dest,srcport,destport,protocol,stream"
T0 = 1589458202  # 2020-05-14 12:10:02 UTC


# ------------------------------------------------------------------ packets

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(ethertype, payload):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0,
                      ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return eth(0x0800, hdr + l4)


def ipv6(src, dst, nxt, l4):
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(l4), nxt, 64,
                      ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed)
    return eth(0x86DD, hdr + l4)


def tcp(sport, dport, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000 if flags & 0x10 else 0,
                       5 << 4, flags, 8192, 0, 0) + payload


def udp(sport, dport, payload=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


ICMP_ECHO = b"\x08\0\0\0\0\x01\0\x01"
ICMP6_ECHO = b"\x80\0\0\0\0\x01\0\x01"
ARP = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + b"\x02\0\0\0\0\x01" + \
    bytes([10, 0, 0, 1]) + b"\0" * 6 + bytes([10, 0, 0, 2])
LLDP = b"\x02\x07\x04\x02\0\0\0\0\x01\x04\x03\x05p1\x06\x02\0\x78\0\0"

SYN, ACK, PSH = 0x02, 0x10, 0x08

# Each packet: (frame bytes, fields as pcap2kdb prints them). `proto` is the
# protocol column; `tcp` the connection key for the stream column.
P = []


def add(frame, src="", dst="", sport="", dport="", proto="", ipproto=None, conn=None):
    P.append(dict(frame=frame, src=src, dst=dst, sport=sport, dport=dport, proto=proto,
                  ipproto=ipproto, conn=conn))


def add_tcp(src, dst, sport, dport, flags, v6=False):
    l4 = tcp(sport, dport, flags, b"x" if flags & PSH else b"")
    f = ipv6(src, dst, 6, l4) if v6 else ipv4(src, dst, 6, l4)
    conn = frozenset([(src, sport), (dst, dport)])
    add(f, src, dst, sport, dport, "TCP", 6, conn)


def add_udp(src, dst, sport, dport, v6=False):
    l4 = udp(sport, dport, b"q")
    f = ipv6(src, dst, 17, l4) if v6 else ipv4(src, dst, 17, l4)
    add(f, src, dst, sport, dport, "UDP", 17)


add_tcp("10.0.0.1", "10.0.0.2", 40000, 443, SYN)                    # 1  stream 0
add_udp("10.0.0.1", "10.0.0.3", 5353, 53)                           # 2
add_tcp("10.0.0.5", "10.0.0.6", 40001, 80, SYN)                     # 3  stream 1
add(eth(0x0806, ARP), proto="ARP")                                  # 4
add(ipv4("10.9.1.1", "10.0.0.1", 1, ICMP_ECHO), "10.9.1.1", "10.0.0.1",
    proto="ICMP", ipproto=1)                                        # 5
add_tcp("10.0.0.2", "10.0.0.1", 443, 40000, SYN | ACK)              # 6  stream 0
add_udp("2001:db8::1", "2001:db8::2", 53, 33000, v6=True)           # 7
add_tcp("2001:db8::2", "2001:db8::1", 50000, 443, SYN, v6=True)     # 8  stream 2
add(ipv6("2001:db8::1", "2001:db8::2", 58, ICMP6_ECHO), "2001:db8::1", "2001:db8::2",
    proto="ICMPv6", ipproto=58)                                     # 9
add_udp("10.9.200.7", "10.0.0.1", 123, 123)                         # 10
add_tcp("10.0.0.7", "10.0.0.2", 40002, 443, SYN)                    # 11 stream 3
add(eth(0x88CC, LLDP), proto="LLDP")                                # 12
add_tcp("10.0.0.1", "10.0.0.2", 40000, 443, ACK | PSH)              # 13 stream 0
add_tcp("10.0.0.5", "10.0.0.6", 40001, 80, ACK | PSH)               # 14 stream 1

streams = {}
for p in P:
    if p["conn"] is not None:
        p["stream"] = streams.setdefault(p["conn"], len(streams))


def pcap_bytes():
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for i, p in enumerate(P):
        f = p["frame"]
        out += struct.pack("<IIII", T0, i * 1000, len(f), len(f)) + f
    return out


# ------------------------------------------------------- the oracle's filter

def in_net(addr, nets):
    if not addr:
        return False
    a = ipaddress.ip_address(addr)
    return any(a.version == n.version and a in n for n in nets)


def select(ports=(), hosts=(), protos=(), count=None):
    nets = [ipaddress.ip_network(h, strict=False) for h in hosts]
    rows = []
    for i, p in enumerate(P, 1):
        if protos and not any(p["proto"].lower() == x.lower() or
                              (x.isdigit() and p["ipproto"] == int(x)) for x in protos):
            continue
        if ports and p["sport"] not in ports and p["dport"] not in ports:
            continue
        if hosts and not (in_net(p["src"], nets) or in_net(p["dst"], nets)):
            continue
        rows.append(",".join(str(v) for v in (i, p["src"], p["dst"], p["sport"], p["dport"],
                                               p["proto"], p.get("stream", ""))))
        if count is not None and len(rows) == count:
            break
    return COLS + "\n" + "".join(r + "\n" for r in rows)


CASES = [
    ("filter_none", "", select()),
    ("filter_port", "--port 53", select(ports=[53])),
    ("filter_ports", "--port 53 --port 443", select(ports=[53, 443])),
    ("filter_host4", "--host 10.0.0.1", select(hosts=["10.0.0.1"])),
    ("filter_host6", "--host 2001:db8::1", select(hosts=["2001:db8::1"])),
    ("filter_hosts", "--host 10.0.0.6 --host 2001:0db8:0:0:0:0:0:0002",
     select(hosts=["10.0.0.6", "2001:db8::2"])),
    ("filter_net", "--host 10.9.0.0/16", select(hosts=["10.9.0.0/16"])),
    ("filter_proto", "--proto udp --proto ICMP", select(protos=["udp", "icmp"])),
    ("filter_proto_num", "--proto 58", select(protos=["58"])),
    ("filter_proto_nonip", "--proto arp --proto lldp", select(protos=["arp", "lldp"])),
    ("filter_and", "--proto tcp --port 443 --host 10.0.0.2",
     select(protos=["tcp"], ports=[443], hosts=["10.0.0.2"])),
    ("filter_and_or", "--proto tcp --proto udp --port 53 --port 80",
     select(protos=["tcp", "udp"], ports=[53, 80])),
    ("filter_nomatch", "--proto sctp", select(protos=["sctp"])),
    ("filter_count", "-c 3", select(count=3)),
    ("filter_count_port", "--port 443 -c 2", select(ports=[443], count=2)),
]


def main():
    args = sys.argv[1:]
    if args[:1] == ["--table"]:
        for name, extra, _ in CASES:
            print("%s\ttestdata/filter_mix.pcap\t0\t%s" % (name, ("--columns " + COLS + " " + extra).strip()))
        return
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = args[0] if args else os.path.join(os.path.dirname(here), "testdata")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "filter_mix.pcap"), "wb") as f:
        f.write(pcap_bytes())
    for name, _, text in CASES:
        with open(os.path.join(outdir, name + ".out"), "w", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
