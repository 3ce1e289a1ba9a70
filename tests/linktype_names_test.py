#!/usr/bin/env python3
"""The `linktype` column and --stats' `linktypes` line name every link type
README "Inputs" lists as supported.

The expected names are written here from the tcpdump.org LINKTYPE_ registry
(https://www.tcpdump.org/linktypes.html), without the LINKTYPE_ prefix, not
read from pcap2kdb: ETHERNET for 1 (libpcap's DLT_ name is EN10MB),
ARCNET_BSD for 7 (DLT_ARCNET), PPP_HDLC for 50 (DLT_PPP_SERIAL); 12 and 14
are DLT_RAW on the BSDs and OpenBSD, which the registry maps to
LINKTYPE_RAW; 149 is LINKTYPE_USER2, which macOS uses for PKTAP.

A pcapng with one interface per link type and one 20-byte record on each
(zeros: a row is written whatever the decoders make of them) gives the
column; a pcap per link type gives --stats.

    python3 tests/linktype_names_test.py BIN
"""

import os
import struct
import subprocess
import sys
import tempfile

# README "Inputs", "Link types", in its order: number -> registry name
SUPPORTED = [
    (1, "ETHERNET"),
    (113, "LINUX_SLL"), (276, "LINUX_SLL2"),
    (12, "RAW"), (14, "RAW"), (101, "RAW"), (228, "IPV4"), (229, "IPV6"),
    (0, "NULL"), (108, "LOOP"),
    (9, "PPP"), (50, "PPP_HDLC"), (204, "PPP_WITH_DIR"), (51, "PPP_ETHER"),
    (104, "C_HDLC"), (107, "FRELAY"), (6, "IEEE802_5"), (10, "FDDI"),
    (109, "ENC"), (117, "PFLOG"), (122, "IP_OVER_FC"), (138, "APPLE_IP_OVER_IEEE1394"),
    (105, "IEEE802_11"), (127, "IEEE802_11_RADIOTAP"), (192, "PPI"),
    (119, "IEEE802_11_PRISM"), (163, "IEEE802_11_AVS"),
    (7, "ARCNET_BSD"), (129, "ARCNET_LINUX"), (239, "NFLOG"), (253, "NETLINK"),
    (242, "IPOIB"), (258, "PKTAP"), (149, "USER2"),
    (226, "IPNET"), (106, "ATM_CLIP"), (100, "ATM_RFC1483"), (123, "SUNATM"),
    (178, "JUNIPER_ETHER"), (167, "JUNIPER_PPPOE"), (179, "JUNIPER_PPP"),
    (180, "JUNIPER_FRELAY"), (181, "JUNIPER_CHDLC"), (137, "JUNIPER_ATM1"),
    (135, "JUNIPER_ATM2"), (130, "JUNIPER_MLPPP"), (131, "JUNIPER_MLFR"),
    (133, "JUNIPER_GGSN"), (136, "JUNIPER_SERVICES"), (183, "JUNIPER_VP"),
    (195, "IEEE802_15_4_WITHFCS"), (230, "IEEE802_15_4_NOFCS"),
]
RECORD = bytes(20)
T = 1700000000


def block(btype, body):
    body += bytes(-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng():
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for lt, _ in SUPPORTED:
        out += block(1, struct.pack("<HHI", lt, 0, 65535))
    for i in range(len(SUPPORTED)):
        ts = T * 1000000
        out += block(6, struct.pack("<IIIII", i, ts >> 32, ts & 0xFFFFFFFF, len(RECORD),
                                    len(RECORD)) + RECORD)
    return out


def pcap(lt):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, lt) + \
        struct.pack("<IIII", T, 0, len(RECORD), len(RECORD)) + RECORD


def main():
    binary = sys.argv[1]
    bad = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "all.pcapng")
        with open(path, "wb") as f:
            f.write(pcapng())
        out = subprocess.run([binary, "--no-header", "--columns", "iface,linktype", path],
                             capture_output=True, text=True, check=True).stdout
        want = "".join("%d,%s\n" % (i, name) for i, (_, name) in enumerate(SUPPORTED))
        if out != want:
            got = out.splitlines()
            for i, (lt, name) in enumerate(SUPPORTED):
                row = got[i] if i < len(got) else "(none)"
                if row != "%d,%s" % (i, name):
                    bad.append("linktype column, link type %d: got %r, want %r"
                               % (lt, row, "%d,%s" % (i, name)))
        for lt, name in SUPPORTED:
            path = os.path.join(d, "%d.pcap" % lt)
            with open(path, "wb") as f:
                f.write(pcap(lt))
            err = subprocess.run([binary, "--stats", "--no-header", "--columns", "frame", path],
                                 capture_output=True, text=True, check=True).stderr
            line = [l for l in err.splitlines() if l.startswith("linktypes")]
            if line != ["%-12s %s" % ("linktypes", name)]:
                bad.append("--stats, link type %d: got %r, want %r"
                           % (lt, line, "linktypes    " + name))
    for b in bad:
        print("FAIL:", b)
    print("%d link types, %d failures" % (len(SUPPORTED), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
