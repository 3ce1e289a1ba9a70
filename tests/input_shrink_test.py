#!/usr/bin/env python3
"""A capture file cut short by another program while pcap2kdb reads it.

pcap2kdb reads a capture file into a 1 MiB buffer (src/capture/input.h).
When the file is truncated under it past what it has read, the rows of the
records before the cut must come out exactly as they would from a file that
ended there, followed by one message naming the file and the offset of the
cut (of the record the cut went through), and exit status 2 (damaged input)
-- never a row made of lost bytes, never a "cut short" record.

Four cuts, all past the first 4 MiB: the reader of the output pipe does not
read until the file is cut, so pcap2kdb is held back (its output buffer and
the pipe fill) after about 1 MiB of rows, well before them. Between records
at a page boundary, between records in the middle of a page, through the
middle of a record, and near the end of the file; and a file still being
written, cut below the size it grew to but above its size at the open.
Each with --threads 1 and --threads 2.

    input_shrink_test.py PCAP2KDB
"""
import os
import struct
import subprocess
import sys
import tempfile

PAGE = 4096
RECORD = 64                 # every record after the first: 16 + 48 bytes
FILE_SIZE = 8 << 20         # 4096 + 64 * n: records end on page boundaries
# (cut, offset named): the record the cut goes through is where it is named
# and a file that is 2 MiB at the open, grows to 8 MiB, is read past 3 MiB
# and then cut to 6 MiB
GROW_FROM, GROW_READ, GROW_CUT = 2 << 20, 3 << 20, 6 << 20
CUTS = ((4 << 20, 4 << 20), ((4 << 20) + 3 * RECORD, (4 << 20) + 3 * RECORD),
        ((4 << 20) + 5 * RECORD + 20, (4 << 20) + 5 * RECORD), (7 << 20, 7 << 20),
        (GROW_CUT, GROW_CUT))


def packet(i, payload_len):
    udp_len = 8 + payload_len
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, i & 0xFFFF, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    udp = struct.pack(">HHHH", 1024 + i % 50000, 9000, udp_len, 0)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp + bytes([i & 0xFF]) * payload_len


def record(i, data):
    return struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(data),
                       len(data)) + data


def capture():
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    first = record(0, packet(0, PAGE - 24 - 16 - 42))
    out = [head, first]
    n = (FILE_SIZE - PAGE) // RECORD
    out += [record(i, packet(i, RECORD - 16 - 42)) for i in range(1, n + 1)]
    blob = b"".join(out)
    assert len(blob) == FILE_SIZE
    return blob


def main():
    binary = sys.argv[1]
    blob = capture()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for cut, named in CUTS:
            prefix = os.path.join(tmp, "prefix.pcap")
            with open(prefix, "wb") as f:
                f.write(blob[:cut])
            for threads in ("1", "2"):
                # the same name: the sym column comes from it
                path = os.path.join(tmp, "cut", "prefix.pcap")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                # (a prefix that ends inside a record is damaged: exit 2)
                want = subprocess.run([binary, "--threads", threads, prefix],
                                      capture_output=True).stdout
                grown = cut == GROW_CUT
                with open(path, "wb") as f:
                    f.write(blob[:GROW_FROM] if grown else blob)
                p = subprocess.Popen([binary, "--threads", threads, path],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                start = os.read(p.stdout.fileno(), 4096)  # it is reading the file
                if grown:
                    # a capture still being written: the file grows to its
                    # full size, pcap2kdb reads past where it was at the
                    # open, then the file is cut below its full size but
                    # above its size at the open
                    with open(path, "ab") as f:
                        f.write(blob[GROW_FROM:])
                    while start.count(b"\n") - 1 < (GROW_READ - PAGE) // RECORD + 1:
                        start += os.read(p.stdout.fileno(), 65536)
                os.truncate(path, cut)
                rest, err = p.communicate(timeout=60)
                got = start + rest
                want_err = ("pcap2kdb: %s: offset %d: the file was truncated while being read\n"
                            % (path, named)).encode()
                name = "cut at %d%s, --threads %s" % (cut, " after growing" if grown else "",
                                                      threads)
                if p.returncode != 2:
                    print("FAIL %s: exit status %d, want 2" % (name, p.returncode))
                    failures += 1
                if err != want_err:
                    print("FAIL %s: stderr %r, want %r" % (name, err, want_err))
                    failures += 1
                if got != want:
                    print("FAIL %s: %d rows, want the %d rows of the first %d bytes"
                          % (name, got.count(b"\n") - 1, want.count(b"\n") - 1, cut))
                    failures += 1
                if not failures:
                    print("ok %s: %d rows, then the message" % (name, got.count(b"\n") - 1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
