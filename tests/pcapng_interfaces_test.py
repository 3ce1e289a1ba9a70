#!/usr/bin/env python3
"""pcapng: the 65,536 interfaces a section keeps (README, pcapng; man,
INPUT), end to end on a capture made here with its own offsets and rows.

One section of 65,538 interface blocks, then packets on interfaces 0, 65,535
(the last one kept), 65,536 and 65,537 (described, but past the limit) and
99,999 (described by no block); then a second section with one interface and
a packet on it. Expected, from this file's model, not from pcap2kdb:

- the two interface blocks past the limit are reported at their offsets
  ("more than 65536 interfaces in one section") and skipped;
- a packet on one of them is reported at its offset ("packet on interface N,
  past the 65536 interfaces a section keeps"), one on an interface no block
  described as before ("which no interface block described"); both skipped;
- the packets on interfaces 0 and 65,535 and the next section's (which starts
  again from no interface) give rows; exit 2 (damage).

    tests/pcapng_interfaces_test.py PCAP2KDB
"""
import os
import struct
import subprocess
import sys
import tempfile

LIMIT = 65536


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


SHB = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
IDB = block(1, struct.pack("<HHI", 1, 0, 65535))  # Ethernet, microseconds
FRAME = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x06" + bytes(28)  # ARP


def epb(iface, ts_us):
    return block(6, struct.pack("<IIIII", iface, ts_us >> 32, ts_us & 0xFFFFFFFF,
                                len(FRAME), len(FRAME)) + FRAME)


def main(argv):
    binary = argv[1]
    capture = bytearray(SHB)
    errors, rows = [], []
    for i in range(LIMIT + 2):
        if i >= LIMIT:
            errors.append("offset %d: more than %d interfaces in one section" % (len(capture), LIMIT))
        capture += IDB
    for iface, ts in ((0, 1), (LIMIT - 1, 2), (LIMIT, 3), (LIMIT + 1, 4), (99999, 5)):
        if iface < LIMIT:
            rows.append((iface, ts))
        elif iface < LIMIT + 2:
            errors.append("offset %d: packet on interface %d, past the %d interfaces a section keeps"
                          % (len(capture), iface, LIMIT))
        else:
            errors.append("offset %d: packet on interface %d, which no interface block described"
                          % (len(capture), iface))
        capture += epb(iface, ts)
    capture += SHB + IDB + epb(0, 6)
    rows.append((0, 6))

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ifaces.pcapng")
        with open(path, "wb") as f:
            f.write(capture)
        p = subprocess.run([binary, "--no-header", "--columns", "frame,iface,time", path],
                           capture_output=True, text=True, timeout=60)
        want_out = "".join("%d,%d,1970.01.01D00:00:00.%06d000\n" % (n + 1, iface, ts)
                           for n, (iface, ts) in enumerate(rows))
        want_err = "".join("pcap2kdb: %s: %s\n" % (path, e) for e in errors)
        failed = 0
        for what, got, want in (("exit", p.returncode, 2), ("stdout", p.stdout, want_out),
                                ("stderr", p.stderr, want_err)):
            if got != want:
                print("FAIL %s:\n--- want\n%s\n--- got\n%s" % (what, want, got))
                failed += 1
        print("%d passed, %d failed" % (3 - failed, failed))
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
