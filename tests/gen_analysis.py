#!/usr/bin/env python3
"""Golden captures for TCP analysis (the analysis column and --flows).

Each scenario is a TCP conversation built packet by packet (Ethernet, IPv4,
TCP with correct checksums, microsecond pcap), and every packet states the
findings Wireshark 4.0's rules give it (tcp.analysis.*, see
src/tcp/analysis.c).  The expected output of the packet case

    pcap2kdb --columns frame,srcport,flags,len,stream,analysis CAPTURE

is written from those statements, not from pcap2kdb.

    python3 tests/gen_analysis.py [OUTDIR]        (default <repo>/testdata)
    python3 tests/gen_analysis.py --table         the golden.tsv lines
    python3 tests/gen_analysis.py --check-tshark  check every statement with
                                                  tshark (needs tshark; the
                                                  tests do not)

Scenarios:
  analysis_stall      a receiver that stops reading: window full, zero
                      window, zero-window probes (1 byte, and Linux's
                      keep-alive style), their ACKs, window update
  analysis_loss       a lost segment, duplicate ACKs and the fast
                      retransmission, out of order, a timeout retransmission,
                      a spurious one, an ACK of an unseen segment, keep-alive
  analysis_reconnect  a reset and a reconnect on the same ports (new ISN:
                      reused ports, new stream), a retransmitted SYN
  analysis_optthrow   segments with a TCP option that Wireshark 4.0's
                      dissector reads past (an MPTCP MP_FAIL of 5 bytes, a
                      SNACK): tshark shows no findings for them, though it
                      keeps the state they change

The --flows cases (NAME_flows.out) are pcap2kdb's own output, reviewed by
hand and checked against `tshark -z conv,tcp` (frames and bytes each way) by
--check-tshark; this script does not rewrite them.
"""

import os
import struct
import subprocess
import sys

COLUMNS = "frame,srcport,flags,len,stream,analysis"
CASES = ["analysis_stall", "analysis_loss", "analysis_reconnect", "analysis_optthrow"]
# with a --flows case: not analysis_optthrow, as tshark's conversation
# table leaves out a segment whose TCP dissection threw (README, "Compared
# with tshark"); gen_flows.py's flows_optthrow models --flows on such segments
FLOWS_CASES = CASES[:3]
T0 = 1700000000  # 2023-11-14T22:13:20Z

# tshark field of each finding (retransmission: see corpus_analysis.py)
FINDINGS = ["retransmission", "fast_retransmission", "spurious_retransmission",
            "out_of_order", "lost_segment", "ack_lost_segment", "dup_ack",
            "zero_window", "zero_window_probe", "zero_window_probe_ack",
            "keep_alive", "keep_alive_ack", "window_full", "window_update",
            "reused_ports"]
FLAGBITS = [(0x100, "NS"), (0x80, "CWR"), (0x40, "ECE"), (0x20, "URG"),
            (0x10, "ACK"), (0x08, "PSH"), (0x04, "RST"), (0x02, "SYN"),
            (0x01, "FIN")]
F, S, R, P, A = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Conv:
    """One scenario: two hosts, packets appended in capture order."""

    def __init__(self):
        self.pkts = []       # (time_us, frame bytes)
        self.expect = []     # (srcport, flags, len, stream, findings)
        self.stream = 0

    def seg(self, t_ms, frm, to, seq, ack, flags, win, length=0, opts=b"",
            expect=(), doff=None):
        """doff: the data offset field, when not the header's length (for
        gen_numbers.py's segments with a bogus one)."""
        (sip, sport), (dip, dport) = frm, to
        for e in expect:
            assert e in FINDINGS, e
        opts += b"\0" * (-len(opts) % 4)
        hl = 20 + len(opts)
        payload = bytes((i * 7) & 0xFF for i in range(length))
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                          ack & 0xFFFFFFFF, (hl // 4 if doff is None else doff) << 4, flags,
                          win, 0, 0)
        tcp += opts + payload
        src = bytes(int(x) for x in sip.split("."))
        dst = bytes(int(x) for x in dip.split("."))
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), len(self.pkts) + 1,
                         0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
        self.pkts.append((int(round(t_ms * 1000)), eth + ip + tcp))
        self.expect.append((sport, flags, length, self.stream, set(expect)))

    def pcap(self):
        out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
        for t_us, b in self.pkts:
            out += struct.pack("<IIII", T0 + t_us // 1000000, t_us % 1000000,
                               len(b), len(b)) + b
        return out

    def expected_out(self):
        lines = [COLUMNS]
        for i, (sport, flags, length, stream, exp) in enumerate(self.expect, 1):
            fl = "|".join(n for bit, n in FLAGBITS if flags & bit)
            an = "|".join(f for f in FINDINGS if f in exp)
            lines.append("%d,%d,%s,%d,%d,%s" % (i, sport, fl, length, stream, an))
        return "\n".join(lines) + "\n"


def syn_opts(mss=1460, ws=None):
    o = struct.pack("!BBH", 2, 4, mss)
    if ws is not None:
        o += struct.pack("!BBBB", 1, 3, 3, ws)
    return o


C = ("10.0.0.1", 40000)
SV = ("10.0.0.2", 5001)


def stall():
    """The server's application stops reading: its 4000-byte buffer fills."""
    c = Conv()
    cs, ss = 1000, 5000             # ISNs; cs+1 is relative 1
    c.seg(0, C, SV, cs, 0, S, 65535, opts=syn_opts(ws=0))
    c.seg(1, SV, C, ss, cs + 1, S | A, 4000, opts=syn_opts(ws=0))
    c.seg(2, C, SV, cs + 1, ss + 1, A, 65535)
    c.seg(10, C, SV, cs + 1, ss + 1, A | P, 65535, 1000)
    c.seg(11, C, SV, cs + 1001, ss + 1, A | P, 65535, 1000)
    # 2000 bytes buffered: 2000 left, right edge at relative 4001
    c.seg(12, SV, C, ss + 1, cs + 2001, A, 2000)
    c.seg(13, C, SV, cs + 2001, ss + 1, A | P, 65535, 1000)
    c.seg(14, C, SV, cs + 3001, ss + 1, A | P, 65535, 1000, expect=["window_full"])
    c.seg(15, SV, C, ss + 1, cs + 4001, A, 0, expect=["zero_window"])
    # a one-byte probe at the next sequence number, and its answer
    c.seg(215, C, SV, cs + 4001, ss + 1, A, 65535, 1, expect=["zero_window_probe"])
    c.seg(216, SV, C, ss + 1, cs + 4001, A, 0,
          expect=["zero_window_probe_ack", "zero_window"])
    c.seg(616, C, SV, cs + 4001, ss + 1, A, 65535, 1, expect=["zero_window_probe"])
    c.seg(617, SV, C, ss + 1, cs + 4001, A, 0,
          expect=["zero_window_probe_ack", "zero_window"])
    # Linux probes with an empty segment one byte back: a keep-alive
    c.seg(1417, C, SV, cs + 4000, ss + 1, A, 65535, expect=["keep_alive"])
    c.seg(1418, SV, C, ss + 1, cs + 4001, A, 0, expect=["zero_window"])
    # the application reads again
    c.seg(1500, SV, C, ss + 1, cs + 4001, A, 4000, expect=["window_update"])
    c.seg(1501, C, SV, cs + 4001, ss + 1, A | P, 65535, 1000)
    c.seg(1502, SV, C, ss + 1, cs + 5001, A, 4000)
    c.seg(1600, C, SV, cs + 5001, ss + 1, F | A, 65535)
    c.seg(1601, SV, C, ss + 1, cs + 5002, F | A, 4000)
    c.seg(1602, C, SV, cs + 5002, ss + 2, A, 65535)
    return c


def loss():
    c = Conv()
    cs, ss = 70000, 900000
    W = 29200
    c.seg(0, C, SV, cs, 0, S, 64240, opts=syn_opts(ws=7))
    c.seg(1, SV, C, ss, cs + 1, S | A, 65160, opts=syn_opts(ws=7))
    c.seg(2, C, SV, cs + 1, ss + 1, A, 502)        # first RTT: 2 ms
    c.seg(10, C, SV, cs + 1, ss + 1, A | P, 502, 1000)
    # relative 1001-2000 is lost before the capture point
    c.seg(10.2, C, SV, cs + 2001, ss + 1, A | P, 502, 1000, expect=["lost_segment"])
    c.seg(10.5, SV, C, ss + 1, cs + 1001, A, W)
    c.seg(10.6, C, SV, cs + 3001, ss + 1, A | P, 502, 1000)
    c.seg(10.8, SV, C, ss + 1, cs + 1001, A, W, expect=["dup_ack"])
    c.seg(10.9, SV, C, ss + 1, cs + 1001, A, W, expect=["dup_ack"])
    c.seg(11.0, SV, C, ss + 1, cs + 1001, A, W, expect=["dup_ack"])
    c.seg(11.2, C, SV, cs + 1001, ss + 1, A | P, 502, 1000,
          expect=["fast_retransmission"])
    c.seg(11.5, SV, C, ss + 1, cs + 4001, A, W)
    # two segments swapped within the first RTT
    c.seg(20.0, C, SV, cs + 5001, ss + 1, A | P, 502, 1000, expect=["lost_segment"])
    c.seg(20.5, C, SV, cs + 4001, ss + 1, A | P, 502, 1000, expect=["out_of_order"])
    c.seg(21.0, SV, C, ss + 1, cs + 6001, A, W)
    # data already acknowledged, sent again
    c.seg(300, C, SV, cs + 5001, ss + 1, A | P, 502, 1000,
          expect=["spurious_retransmission"])
    # no ACK: a timeout retransmission 300 ms later
    c.seg(400, C, SV, cs + 6001, ss + 1, A | P, 502, 1000)
    c.seg(700, C, SV, cs + 6001, ss + 1, A | P, 502, 1000, expect=["retransmission"])
    c.seg(701, SV, C, ss + 1, cs + 7001, A, W)
    # relative 7001-8000 never reaches the capture, yet is acknowledged
    c.seg(710, SV, C, ss + 1, cs + 8001, A, W, expect=["ack_lost_segment"])
    c.seg(711, C, SV, cs + 8001, ss + 1, A | P, 502, 1000, expect=["lost_segment"])
    # the sequence after the gap never became "continuous", so this ACK too
    # is beyond what Wireshark counts as sent (maxseqtobeacked)
    c.seg(712, SV, C, ss + 1, cs + 9001, A, W, expect=["ack_lost_segment"])
    # idle: a keep-alive and its answer
    c.seg(2712, C, SV, cs + 9000, ss + 1, A, 502, expect=["keep_alive"])
    c.seg(2713, SV, C, ss + 1, cs + 9001, A, W, expect=["keep_alive_ack"])
    c.seg(2800, C, SV, cs + 9001, ss + 1, R | A, 0)
    return c


def reconnect():
    c = Conv()
    cs, ss = 1111, 2222
    c.seg(0, C, SV, cs, 0, S, 65535, opts=syn_opts(ws=2))
    c.seg(1, SV, C, ss, cs + 1, S | A, 65535, opts=syn_opts(ws=2))
    c.seg(2, C, SV, cs + 1, ss + 1, A, 16384)
    c.seg(3, C, SV, cs + 1, ss + 1, A | P, 16384, 100)
    c.seg(4, SV, C, ss + 1, cs + 101, A, 16384)
    # the server resets the connection
    c.seg(5, SV, C, ss + 1, cs + 101, R | A, 0)
    # the client reconnects from the same port with a new ISN
    cs2, ss2 = 777777, 888888
    c.stream = 1
    c.seg(1000, C, SV, cs2, 0, S, 65535, opts=syn_opts(ws=2), expect=["reused_ports"])
    # no answer: the same SYN again 1 s later
    c.seg(2000, C, SV, cs2, 0, S, 65535, opts=syn_opts(ws=2), expect=["retransmission"])
    c.seg(2001, SV, C, ss2, cs2 + 1, S | A, 65535, opts=syn_opts(ws=2))
    c.seg(2002, C, SV, cs2 + 1, ss2 + 1, A, 16384)
    c.seg(2003, C, SV, cs2 + 1, ss2 + 1, A | P, 16384, 200)
    c.seg(2004, SV, C, ss2 + 1, cs2 + 201, A | P, 16384, 50)
    c.seg(2005, C, SV, cs2 + 201, ss2 + 51, F | A, 16384)
    c.seg(2006, SV, C, ss2 + 51, cs2 + 202, F | A, 16384)
    c.seg(2007, C, SV, cs2 + 202, ss2 + 52, A, 16384)
    return c


def optthrow():
    c = Conv()
    cs, ss = 3000, 6000
    short_mptcp = bytes.fromhex("1e05628db9") + b"\x01\x01\x01"  # MP_FAIL of 5
    snack = b"\x15\x06\0\0\0\0\x01\x01"                  # SNACK: read past
    c.seg(0, C, SV, cs, 0, S, 65535, opts=syn_opts(ws=1))
    c.seg(1, SV, C, ss, cs + 1, S | A, 65535, opts=syn_opts(ws=1))
    c.seg(2, C, SV, cs + 1, ss + 1, A, 1000)
    c.seg(3, C, SV, cs + 1, ss + 1, A | P, 1000, 100)
    # sent again 300 ms later: a retransmission, not shown after the option
    c.seg(300, C, SV, cs + 1, ss + 1, A | P, 1000, 100, opts=short_mptcp)
    c.seg(600, C, SV, cs + 1, ss + 1, A | P, 1000, 100, expect=["retransmission"])
    c.seg(601, SV, C, ss + 1, cs + 101, A, 1000)
    # the receiver closes its window: zero window, not shown after the SNACK
    c.seg(602, C, SV, cs + 101, ss + 1, A | P, 1000, 100)
    c.seg(603, SV, C, ss + 1, cs + 201, A, 0, opts=snack)
    c.seg(604, SV, C, ss + 1, cs + 201, A, 500, expect=["window_update"])
    c.seg(605, C, SV, cs + 201, ss + 1, R | A, 0)
    return c


BUILD = {"analysis_stall": stall, "analysis_loss": loss, "analysis_reconnect": reconnect,
         "analysis_optthrow": optthrow}


def table():
    for n in CASES:
        print("%s\ttestdata/%s.pcap\t0\t--columns %s" % (n, n, COLUMNS))
        if n in FLOWS_CASES:
            print("%s_flows\ttestdata/%s.pcap\t0\t--flows" % (n, n))
    print("analysis_stall_flows_q\ttestdata/analysis_stall.pcap\t0\t--flows -f q")


def check_tshark(outdir):
    fields = ["tcp.analysis." + (f if f != "dup_ack" else "duplicate_ack")
              for f in FINDINGS]
    bad = 0
    for n in CASES:
        conv = BUILD[n]()
        path = os.path.join(outdir, n + ".pcap")
        args = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t",
                "-e", "tcp.stream", "-e", "tcp.len"]
        for f in fields:
            args += ["-e", f]
        p = subprocess.run(args, capture_output=True, text=True, check=True)
        for i, (line, exp) in enumerate(zip(p.stdout.splitlines(), conv.expect), 1):
            v = line.split("\t")
            got = {f for f, x in zip(FINDINGS, v[2:]) if x}
            if got & {"fast_retransmission", "spurious_retransmission"}:
                got.discard("retransmission")
            if int(v[0]) != exp[3] or int(v[1]) != exp[2] or got != exp[4]:
                bad += 1
                print("%s frame %d: stated stream %d len %d %s, tshark %s" %
                      (n, i, exp[3], exp[2], sorted(exp[4]), v[:2] + sorted(got)))
        # --flows against the conversation table
        flows = os.path.join(outdir, n + "_flows.out")
        if os.path.exists(flows):
            p = subprocess.run(["tshark", "-n", "-q", "-r", path, "-z", "conv,tcp"],
                               capture_output=True, text=True, check=True)
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            from corpus_flows import CONV_RE, format_size
            conv_rows = sorted(m.groups() for m in map(CONV_RE.match, p.stdout.splitlines())
                               if m)
            ours = []
            with open(flows) as fp:
                hdr = fp.readline().strip().split(",")
                for l in fp:
                    r = dict(zip(hdr, l.strip().split(",")))
                    ours.append(("%s:%s" % (r["src"], r["srcport"]),
                                 "%s:%s" % (r["dest"], r["destport"]),
                                 r["dpkts"], format_size(int(r["dwire"])),
                                 r["spkts"], format_size(int(r["swire"]))))
            if sorted(ours) != conv_rows:
                bad += 1
                print("%s: --flows %s, tshark conv,tcp %s" % (n, sorted(ours), conv_rows))
    print("tshark agrees with every statement" if not bad else "%d disagreements" % bad)
    return 1 if bad else 0


def main():
    args = sys.argv[1:]
    if args[:1] == ["--table"]:
        table()
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(os.path.dirname(here), "testdata")
    if args[:1] == ["--check-tshark"]:
        return check_tshark(args[1] if len(args) > 1 else outdir)
    if args:
        outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    for n in CASES:
        conv = BUILD[n]()
        with open(os.path.join(outdir, n + ".pcap"), "wb") as fp:
            fp.write(conv.pcap())
        with open(os.path.join(outdir, n + ".out"), "w") as fp:
            fp.write(conv.expected_out())
    return 0


if __name__ == "__main__":
    sys.exit(main())
