#!/usr/bin/env python3
"""--fix on random TCP streams of FIX messages, against this script's own
model of which messages a reader of the capture can have whole.

Each seed writes a capture of one to three connections; the client sends
3-40 FIX messages cut into random segments (1-1460 bytes), sent out of
order, some lost, some twice, some again later, with the server's ACKs
between them (an ACK may acknowledge past bytes the capture never had: the
capture lost them). The model (README "--fix", reassembly): a byte counts
when a packet holding it was captured before any ACK at or past it (bytes
an ACK passed while missing are given up; a copy captured later is a
retransmission of given-up bytes); a message is written when every byte
of it counts, and only then. An ACK here acknowledges up to the end of a
segment just captured, so a hole it passes always has bytes queued behind
it (README: missing bytes with nothing queued behind them wait instead). Checked for every seed:
  - the messages written are exactly those (by port and ClOrdID);
  - bundled = the number of rows with the same stream and frame (README:
    "messages completed by that same packet").

    fix_random_test.py PCAP2KDB [FIRST_SEED LAST_SEED]
"""
import collections
import csv
import os
import random
import struct
import subprocess
import sys
import tempfile

SYN, FIN, PSH, ACK = 0x02, 0x01, 0x08, 0x10
CLIENT, SERVER, SERVER_PORT = (10, 0, 0, 1), (10, 0, 0, 2), 9878


def fix_message(seq, r):
    body = ("35=D\x0134=%d\x0149=CL\x0156=SV\x0152=20260101-10:00:00.000\x01"
            "11=O%d\x0155=VOD.L\x0154=1\x0138=%d\x0144=1.5\x0158=%s\x01"
            % (seq, seq, r.randint(1, 999), "x" * r.randint(0, 300)))
    m = "8=FIX.4.4\x019=%d\x01%s" % (len(body), body)
    return (m + "10=%03d\x01" % (sum(m.encode()) % 256)).encode()


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0) + data
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                               bytes(src), bytes(dst)))
    struct.pack_into("!H", ip, 10, checksum(bytes(ip)))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + bytes(ip) + tcp


def capture(seed, path):
    """Writes the capture; returns the set of (client port, ClOrdID) whole."""
    r = random.Random(seed)
    records, whole = [], set()
    clock = [1700000000 * 10**6]

    def add(f):
        clock[0] += r.randint(1, 50)
        records.append((clock[0], f))

    for conn in range(r.randint(1, 3)):
        cport = 40000 + conn
        cseq, sseq = r.randrange(2**32), r.randrange(2**32)
        add(frame(CLIENT, SERVER, cport, SERVER_PORT, cseq, 0, SYN))
        add(frame(SERVER, CLIENT, SERVER_PORT, cport, sseq, cseq + 1, SYN | ACK))
        cseq, sseq = cseq + 1, sseq + 1
        add(frame(CLIENT, SERVER, cport, SERVER_PORT, cseq, sseq, ACK))
        msgs = [fix_message(i + 1, r) for i in range(r.randint(3, 40))]
        stream = b"".join(msgs)
        counts = bytearray(len(stream))     # 1: the byte counts (model above)
        acked = 0                           # stream offset the server acknowledged
        segs, at = [], 0
        while at < len(stream):
            n = r.choice([r.randint(1, 60), r.randint(60, 1400), 1460])
            segs.append((at, stream[at:at + n]))
            at += n

        def send(off, data):
            add(frame(CLIENT, SERVER, cport, SERVER_PORT, cseq + off, sseq, PSH | ACK, data))
            for k in range(max(off, acked), off + len(data)):
                counts[k] = 1

        order = list(range(len(segs)))
        for _ in range(r.randint(0, 4)):
            a = r.randrange(len(order))
            b = min(len(order) - 1, a + r.randint(1, 3))
            order[a], order[b] = order[b], order[a]
        for k in order:
            off, data = segs[k]
            if r.random() < 0.1:
                continue                    # lost
            send(off, data)
            if r.random() < 0.08:
                send(off, data)             # captured twice
            if r.random() < 0.3:
                if r.random() < 0.5:
                    acked = max(acked, off + len(data))
                add(frame(SERVER, CLIENT, SERVER_PORT, cport, sseq, cseq + acked, ACK))
        if r.random() < 0.5:
            for off, data in segs:          # some sent again, late
                if r.random() < 0.3:
                    send(off, data)
        add(frame(SERVER, CLIENT, SERVER_PORT, cport, sseq, cseq + len(stream), ACK))
        if r.random() < 0.5:
            add(frame(CLIENT, SERVER, cport, SERVER_PORT, cseq + len(stream), sseq, FIN | ACK))
        off = 0
        for i, m in enumerate(msgs):
            if all(counts[off:off + len(m)]):
                whole.add((cport, "O%d" % (i + 1)))
            off += len(m)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, fr in records:
            f.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(fr), len(fr)) + fr)
    return whole


def main():
    binary = sys.argv[1]
    first, last = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (1, 120)
    failed = rows_seen = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.pcap")
        for seed in range(first, last + 1):
            whole = capture(seed, path)
            out = subprocess.run([binary, "--fix", "--columns",
                                  "stream,frame,srcport,clordid,bundled", path],
                                 capture_output=True, text=True)
            rows = list(csv.DictReader(out.stdout.splitlines()))
            rows_seen += len(rows)
            problems = []
            if out.returncode != 0 or out.stderr:
                problems.append("exit %d, stderr %r" % (out.returncode, out.stderr))
            got = set((int(x["srcport"]), x["clordid"]) for x in rows)
            if got != whole or len(rows) != len(got):
                problems.append("messages: missing %s, extra %s, %d rows for %d messages"
                                % (sorted(whole - got)[:5], sorted(got - whole)[:5],
                                   len(rows), len(got)))
            per_frame = collections.Counter((x["stream"], x["frame"]) for x in rows)
            for x in rows:
                if x["bundled"] != str(per_frame[(x["stream"], x["frame"])]):
                    problems.append("bundled %s, %d rows with stream %s frame %s"
                                    % (x["bundled"], per_frame[(x["stream"], x["frame"])],
                                       x["stream"], x["frame"]))
                    break
            if problems:
                failed += 1
                print("FAIL seed %d: %s" % (seed, "; ".join(problems)))
    print("%d seeds, %d rows: %d passed, %d failed" % (last - first + 1, rows_seen,
                                                       last - first + 1 - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
