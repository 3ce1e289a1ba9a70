#!/usr/bin/env python3
"""--kdb on many messages: the benchmark's tickerplant traffic
(gen_fixtraffic --kdb N: a TCP and IPC handshake, then N async .u.upd
messages of 21 rows, one per segment) read back by pcap2kdb, checked against
this script's own reading of the capture: every data segment from port 5010
that is not the one-byte handshake reply is one whole message, whose frame,
length (from its IPC header, equal to the payload length) and contents
(.u.upd, `trade, 21 rows) are known without pcap2kdb.

    kdb_generated_test.py PCAP2KDB GEN_FIXTRAFFIC
"""
import os
import struct
import subprocess
import sys
import tempfile

MESSAGES = 3000


def messages_in(path):
    """(frame, IPC length) of each tickerplant message, from the pcap bytes."""
    data = open(path, "rb").read()
    assert struct.unpack_from("<I", data, 0)[0] == 0xA1B2C3D4, "pcap magic"
    off, frame, out = 24, 0, []
    while off < len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        frame += 1
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack_from(">H", ip, 2)[0]
        tcp = ip[ihl:total]
        sport = struct.unpack_from(">H", tcp, 0)[0]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if sport != 5010 or len(payload) < 8:
            continue
        assert payload[0] == 1 and payload[1] == 0, "little-endian async"
        length = struct.unpack_from("<I", payload, 4)[0]
        assert length == len(payload), "one whole message a segment"
        out.append((frame, length))
    return out


def main():
    binary, gen = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "kdb.pcap")
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        subprocess.run([gen, "--kdb", str(MESSAGES), "-o", cap], check=True, env=env,
                       stderr=subprocess.DEVNULL)
        want = ["frame,msgtype,len,func,table,rows,status"]
        want += ["%d,async,%d,.u.upd,trade,21,ok" % m for m in messages_in(cap)]
        if len(want) != MESSAGES + 1:
            print("FAIL: the capture holds %d messages, not %d" % (len(want) - 1, MESSAGES))
            return 1
        got = subprocess.run([binary, "--kdb", "--columns",
                              "frame,msgtype,len,func,table,rows,status", cap],
                             capture_output=True, text=True)
        lines = got.stdout.splitlines()
        if got.returncode != 0 or got.stderr or lines != want:
            print("FAIL: exit %d, stderr %r" % (got.returncode, got.stderr[:200]))
            for i, (a, b) in enumerate(zip(lines, want)):
                if a != b:
                    print("  first difference, line %d: got %r, want %r" % (i + 1, a, b))
                    break
            print("  lines: got %d, want %d" % (len(lines), len(want)))
            return 1
    print("ok: %d messages" % MESSAGES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
