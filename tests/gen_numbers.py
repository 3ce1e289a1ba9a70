#!/usr/bin/env python3
"""Golden captures for the TCP number columns of issue 16: inflight,
pushbytes, ackrtt, acked, irtt.

Each scenario is a TCP conversation built with gen_analysis.py's packet
builder; the expected values are computed here by a model of Wireshark
4.0's rules (packet-tcp.c, tcp_analyze_sequence_number), written for this
script:
  - each direction lists its segments that carry data, SYN or FIN
    (sequence range, frame, time), retransmissions included;
  - an acknowledgment number walks the peer's list oldest first: an entry
    ending exactly there is acknowledged (the first such one gives acked
    and ackrtt = now - its time; ackrtt is not shown when 0), entries
    before it go, an entry it cuts is shortened;
  - on a segment with data, bytes in flight = the highest end - the lowest
    start listed in its direction, less the bytes of the peer's last SACK
    option (from the segment after it on), less 1 on SYN/FIN; not after a
    lost_segment until the peer sends an ACK; pushbytes counts the bytes
    since the last PSH (a PSH segment after a PSH one restarts it);
  - irtt is the time from the SYN to the first ACK without SYN;
  - the fields show only on frames Wireshark gives a tcp.analysis tree:
    findings (stated per packet, as in gen_analysis.py), an ACK that
    acknowledged a listed segment, a bytes-in-flight figure, or the tree
    stated without a finding (tree=True: an ACK past what the peer was
    seen to send, after the peer's duplicate ACK, which Wireshark does not
    flag once the peer's highest segment was acknowledged, though it made
    the tree first);
  - a segment whose data offset is below 5 (bogus) is analysed like any
    other, its length being the bytes past offset * 4, but its row shows
    no flags, ack or numbers (tshark gives up at the header after the
    analysis) and it carries no SACK blocks (a side's blocks are those of
    its last segment);
  - a segment whose header runs past its IP payload (short) has no
    length and no analysis (its flags and raw ack show, nothing else), but
    its SACK blocks, as far as the payload holds them, are its side's.
pcap2kdb keeps at most 128 entries per direction (src/tcp/unacked.h): at
the bound the two oldest are merged (the newer one's frame and time stay),
so an ACK of exactly the older one's end shows no acked/ackrtt. The model
does the same; numbers_overflow shows it (tshark differs there, on the
frames listed by --check-tshark).

    python3 tests/gen_numbers.py [OUTDIR]        (default <repo>/testdata)
    python3 tests/gen_numbers.py --table         the golden.tsv lines
    python3 tests/gen_numbers.py --check-tshark  compare every expected
                                                 value with tshark 4.0

Scenarios:
  numbers_window     a window filling up (bytes in flight up to the
                     advertised window, window_full), then ACKs
  numbers_delack     delayed ACKs: every second segment acknowledged 40 ms
                     later (acked = the second one), PSH and non-PSH runs
  numbers_retrans    a timeout retransmission followed by its ACK: the RTT
                     is measured from the first transmission, acked is the
                     original frame (Wireshark's rule)
  numbers_sack       a lost segment, duplicate ACKs with SACK blocks, the
                     fast retransmission (bytes in flight less SACKed bytes)
  numbers_midstream  a connection seen mid-stream: no handshake, no irtt
  numbers_overflow   150 segments unacknowledged, more than the bounded list
                     holds, then ACKs of a merged one, of the merge's end and
                     of all
  numbers_ackunseen  ACKs past what the client was seen to send, after its
                     duplicate ACK: no finding, but the tree (irtt)
  numbers_shortsack  the server's SACK block in a header that runs past its
                     segment counts in the client's bytes in flight, until
                     the server's next segment
  numbers_bogus      segments with a data offset of 4: one acknowledges the
                     client's data (the real ACK after it finds nothing), its
                     "data" counts in the server's bytes in flight and push
                     bytes; another ends the server's SACK blocks
"""

import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_analysis as ga  # noqa: E402

COLUMNS = "frame,srcport,flags,len,rack,inflight,pushbytes,ackrtt,acked,irtt"
CASES = ["numbers_window", "numbers_delack", "numbers_retrans", "numbers_sack",
         "numbers_midstream", "numbers_overflow", "numbers_bogus", "numbers_ackunseen",
         "numbers_shortsack"]
F, S, R, P, A = ga.F, ga.S, ga.R, ga.P, ga.A
PER_DIR = 128   # UAL_PER_DIR
C, SV = ga.C, ga.SV


def qspan(ns):
    s, f = divmod(ns, 10**9)
    return "%dD%02d:%02d:%02d.%09d" % (s // 86400, s // 3600 % 24, s // 60 % 60, s % 60, f)


def sack_opt(blocks):
    o = struct.pack("!BB", 5, 2 + 8 * len(blocks))
    for l, r in blocks:
        o += struct.pack("!II", l & 0xFFFFFFFF, r & 0xFFFFFFFF)
    return b"\x01\x01" + o


class Scenario:
    def __init__(self):
        self.conv = ga.Conv()
        self.pk = []   # (t_ns, dir, seq, ack, flags, len, sack blocks, findings)

    def seg(self, t_ms, d, seq, ack, flags, win=65535, length=0, sack=(), expect=(),
            doff=None, tree=False):
        """doff: a data offset below 5 (bogus) for a header without options,
        its segment's length then 20 + length - doff * 4; or past the end of
        the segment (short, no length)."""
        frm, to = (C, SV) if d == 0 else (SV, C)
        self.conv.seg(t_ms, frm, to, seq, ack, flags, win, length,
                      opts=sack_opt(sack) if sack else b"", expect=expect, doff=doff)
        bogus = doff is not None and doff < 5
        short = doff is not None and doff * 4 > 20 + len(sack_opt(sack) if sack else b"") + length
        assert not (short and length), "a short segment's payload is its header's"
        self.pk.append((int(round(t_ms * 1000)) * 1000, d, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                        flags, None if short else 20 + length - 4 * doff if bogus else length,
                        list(sack),
                        set(expect) | ({"(tree)"} if tree else set()), bogus))

    # ------------------------------------------------------------ model --
    def expected(self):
        lst = [[], []]                       # [seq, nextseq, frame, t]
        base = [None, None]
        push = [0, 0]
        push_last = [False, False]
        bif_off = [False, False]
        sack = [0, 0]                         # bytes of each side's last SACK option
        syn_t = None
        first_rtt = None
        lines = [COLUMNS]
        for i, (t, d, seq, ack, flags, ln, blocks, exp, bogus) in enumerate(self.pk, 1):
            fwd, rev = d, 1 - d
            if ln is None:      # short: its SACK blocks only
                sack[fwd] = sum((r - l) & 0xFFFFFFFF for l, r in blocks)
                fls = "|".join(n for bit, n in ga.FLAGBITS if flags & bit)
                lines.append("%d,%d,%s,,%d,,,,," % (i, (C if d == 0 else SV)[1], fls, ack))
                continue
            if base[fwd] is None:
                base[fwd] = seq if flags & S else seq - 1
            if base[rev] is None and flags & A:
                base[rev] = ack - 1
            if flags & S and not flags & A:
                syn_t = t
            if flags & (S | A) == A and syn_t is not None and first_rtt is None:
                first_rtt = t - syn_t
            if flags & A:
                bif_off[rev] = False
            if "lost_segment" in exp:
                bif_off[fwd] = True
            nextseq = seq + ln + (1 if flags & (S | F) else 0)
            if ln or flags & (S | F):
                if len(lst[fwd]) >= PER_DIR:
                    a, b = lst[fwd][0], lst[fwd][1]
                    lst[fwd][:2] = [[min(a[0], b[0], key=lambda x: x - base[fwd]), b[1], b[2],
                                     b[3]]]
                lst[fwd].append([seq, nextseq & 0xFFFFFFFF, i, t])
            matched = None
            keep = []
            for e in lst[rev]:
                if ack == e[1]:
                    if matched is None:
                        matched = e
                    continue
                if 0 < (ack - e[0]) & 0xFFFFFFFF < 0x80000000 and \
                        (e[1] - ack) & 0xFFFFFFFF < 0x80000000:
                    e[0] = ack
                    keep.append(e)
                elif 0 < (e[1] - ack) & 0xFFFFFFFF < 0x80000000:
                    keep.append(e)
            lst[rev] = keep
            inflight = None
            if ln and lst[fwd] and not bif_off[fwd]:
                first = min((e[0] - base[fwd]) & 0xFFFFFFFF for e in lst[fwd])
                last = max((e[1] - base[fwd]) & 0xFFFFFFFF for e in lst[fwd])
                fl = (last - first - sack[rev]) & 0xFFFFFFFF
                if 0 < fl < 2000000000:
                    inflight = fl - (1 if flags & (S | F) else 0)
                if flags & P:
                    push[fwd] = ln if push_last[fwd] else push[fwd] + ln
                    push_last[fwd] = True
                elif push_last[fwd]:
                    push[fwd] = ln
                    push_last[fwd] = False
                else:
                    push[fwd] += ln
            sack[fwd] = sum((r - l) & 0xFFFFFFFF for l, r in blocks)
            shown = not bogus and (exp or matched is not None or
                                   (ln and lst[fwd] and not bif_off[fwd]))
            vals = ["", "", "", "", ""]
            if shown:
                if inflight:
                    vals[0], vals[1] = str(inflight), str(push[fwd])
                if matched is not None:
                    vals[3] = str(matched[2])
                    if t != matched[3]:
                        vals[2] = qspan(t - matched[3])
                if first_rtt:
                    vals[4] = qspan(first_rtt)
            fls = "" if bogus else "|".join(n for bit, n in ga.FLAGBITS if flags & bit)
            rack = "" if bogus else \
                (ack - base[rev]) & 0xFFFFFFFF if flags & A and base[rev] is not None else ack
            sport = (C if d == 0 else SV)[1]
            lines.append("%d,%d,%s,%d,%s,%s" % (i, sport, fls, ln, rack, ",".join(vals)))
        return "\n".join(lines) + "\n"


def handshake(s, cs, ss, t=0.0, rtt=1.0):
    s.seg(t, 0, cs, 0, S)
    s.seg(t + rtt / 2, 1, ss, cs + 1, S | A)
    s.seg(t + rtt, 0, cs + 1, ss + 1, A)


def window():
    s = Scenario()
    cs, ss = 1000, 5000
    handshake(s, cs, ss)
    # the server advertises 4000 bytes and acknowledges late
    s.seg(1.2, 1, ss + 1, cs + 1, A, win=4000, expect=["window_update"])
    for k in range(4):
        s.seg(2 + k * 0.1, 0, cs + 1 + 1000 * k, ss + 1, A | P, length=1000,
              expect=["window_full"] if k == 3 else ())
    s.seg(30, 1, ss + 1, cs + 2001, A, win=2000)
    s.seg(31, 1, ss + 1, cs + 4001, A, win=4000)
    s.seg(32, 0, cs + 4001, ss + 1, A, length=500)
    s.seg(33, 0, cs + 4501, ss + 1, A | P, length=500)
    s.seg(34, 1, ss + 1, cs + 5001, A, win=4000)
    return s


def delack():
    s = Scenario()
    cs, ss = 70000, 900000
    handshake(s, cs, ss, rtt=0.4)
    seq = cs + 1
    t = 10.0
    for k in range(6):
        s.seg(t, 0, seq, ss + 1, A | (P if k % 3 == 2 else 0), length=700)
        seq += 700
        t += 0.05
        if k % 2 == 1:     # every second segment, 40 ms later
            s.seg(t + 40, 1, ss + 1, seq, A)
            t += 41
    # the server answers; the client's ACK of it is delayed too
    s.seg(t + 1, 1, ss + 1, seq, A | P, length=300)
    s.seg(t + 41, 0, seq, ss + 301, A)
    return s


def retrans():
    s = Scenario()
    cs, ss = 111, 222
    handshake(s, cs, ss, rtt=2.0)
    s.seg(10, 0, cs + 1, ss + 1, A | P, length=100)
    s.seg(11, 1, ss + 1, cs + 101, A)
    s.seg(20, 0, cs + 101, ss + 1, A | P, length=100)
    # no ACK: retransmitted after 200 ms, then acknowledged
    s.seg(220, 0, cs + 101, ss + 1, A | P, length=100, expect=["retransmission"])
    s.seg(221, 1, ss + 1, cs + 201, A)
    return s


def sack():
    s = Scenario()
    cs, ss = 3000, 8000
    handshake(s, cs, ss)
    s.seg(5.0, 0, cs + 1, ss + 1, A, length=1000)
    # relative 1001-2000 is lost before the capture point
    s.seg(5.2, 0, cs + 2001, ss + 1, A, length=1000, expect=["lost_segment"])
    s.seg(5.3, 0, cs + 3001, ss + 1, A, length=1000)
    s.seg(6.0, 1, ss + 1, cs + 1001, A)
    s.seg(6.3, 1, ss + 1, cs + 1001, A, sack=[(cs + 2001, cs + 3001)], expect=["dup_ack"])
    s.seg(6.4, 1, ss + 1, cs + 1001, A, sack=[(cs + 2001, cs + 4001)], expect=["dup_ack"])
    s.seg(6.5, 0, cs + 4001, ss + 1, A, length=1000)
    s.seg(6.6, 1, ss + 1, cs + 1001, A, sack=[(cs + 2001, cs + 5001)], expect=["dup_ack"])
    s.seg(6.7, 0, cs + 1001, ss + 1, A, length=1000, expect=["fast_retransmission"])
    s.seg(7.5, 1, ss + 1, cs + 5001, A)
    return s


def midstream():
    s = Scenario()
    cs, ss = 4000000000, 123456
    s.seg(0, 0, cs, ss, A | P, length=200)
    s.seg(0.5, 0, cs + 200, ss, A | P, length=200)
    s.seg(1.0, 1, ss, cs + 200, A)
    s.seg(1.5, 1, ss, cs + 400, A | P, length=50)
    s.seg(2.0, 0, cs + 400, ss + 50, A, length=100)
    s.seg(2.5, 1, ss + 50, cs + 500, A)
    return s


def overflow():
    s = Scenario()
    cs, ss = 10, 20
    handshake(s, cs, ss)
    for k in range(150):
        s.seg(2 + k * 0.01, 0, cs + 1 + 100 * k, ss + 1, A, length=100)
    s.seg(10, 1, ss + 1, cs + 1 + 100 * 10, A)     # inside the merged entry
    s.seg(11, 1, ss + 1, cs + 1 + 100 * 23, A)     # the merged entry's end
    s.seg(12, 1, ss + 1, cs + 1 + 100 * 150, A)    # all
    return s


def bogus():
    s = Scenario()
    cs, ss = 1000, 5000
    handshake(s, cs, ss)
    s.seg(3, 0, cs + 1, ss + 1, A | P, length=100)
    # the server's header says 16 bytes: 12 bytes of "data" (relative 1..13)
    # and an ack of the client's 100 bytes, which the real ACK after it
    # then finds gone
    s.seg(4, 1, ss + 1, cs + 101, A, length=8, doff=4)
    s.seg(5, 1, ss + 1, cs + 101, A)
    s.seg(6, 1, ss + 13, cs + 101, A | P, length=50)
    s.seg(7, 0, cs + 101, ss + 63, A)
    s.seg(8, 0, cs + 101, ss + 63, A, length=100)
    s.seg(9, 0, cs + 201, ss + 63, A, length=100)
    s.seg(10, 1, ss + 63, cs + 101, A, sack=[(cs + 201, cs + 301)], expect=["dup_ack"])
    # another bogus header: the server's SACK blocks are gone
    s.seg(11, 1, ss + 63, cs + 101, A, doff=4)
    s.seg(12, 0, cs + 301, ss + 63, A, length=100)
    return s


def ackunseen():
    s = Scenario()
    cs, ss = 1000, 5000
    handshake(s, cs, ss, rtt=2.0)
    s.seg(3, 0, cs + 1, ss + 1, A | P, length=100)
    s.seg(4, 1, ss + 1, cs + 101, A)
    s.seg(5, 0, cs + 101, ss + 1, A, expect=["dup_ack"])
    # the client's next 50 and 50 bytes are not captured
    s.seg(6, 1, ss + 1, cs + 151, A, tree=True)
    s.seg(7, 1, ss + 1, cs + 201, A, tree=True)
    # the client's next segment: ack_lost_segment flags the one after it
    s.seg(8, 0, cs + 201, ss + 1, A, length=10, expect=["lost_segment"])
    s.seg(9, 1, ss + 1, cs + 231, A, expect=["ack_lost_segment"])
    return s


def shortsack():
    s = Scenario()
    cs, ss = 1000, 5000
    handshake(s, cs, ss)
    s.seg(3, 0, cs + 1, ss + 1, A, length=100)
    s.seg(4, 0, cs + 101, ss + 1, A, length=100)
    # a header of 60 bytes (data offset 15) in a segment of 32: its SACK
    # block (relative 101..201) is whole
    s.seg(5, 1, ss + 1, cs + 1, A, sack=[(cs + 101, cs + 201)], doff=15)
    s.seg(6, 0, cs + 201, ss + 1, A, length=100)
    # the server's next segment has no SACK option: the block is gone
    s.seg(7, 1, ss + 1, cs + 1, A, expect=["dup_ack"])
    s.seg(8, 0, cs + 301, ss + 1, A, length=100)
    return s


BUILD = {"numbers_window": window, "numbers_delack": delack, "numbers_retrans": retrans,
         "numbers_sack": sack, "numbers_midstream": midstream, "numbers_overflow": overflow,
         "numbers_bogus": bogus, "numbers_ackunseen": ackunseen, "numbers_shortsack": shortsack}


def table():
    for n in CASES:
        print("%s\ttestdata/%s.pcap\t0\t--columns %s" % (n, n, COLUMNS))


# frames where the bounded list makes pcap2kdb differ from tshark on purpose
BOUNDED = {("numbers_overflow", 154)}


def check_tshark(outdir):
    fields = ["frame.number", "tcp.analysis.bytes_in_flight", "tcp.analysis.push_bytes_sent",
              "tcp.analysis.ack_rtt", "tcp.analysis.acks_frame", "tcp.analysis.initial_rtt"]
    bad = 0
    for n in CASES:
        args = ["tshark", "-n", "-r", os.path.join(outdir, n + ".pcap"), "-T", "fields",
                "-E", "separator=/t"]
        for f in fields:
            args += ["-e", f]
        p = subprocess.run(args, capture_output=True, text=True, check=True)
        exp = BUILD[n]().expected().splitlines()[1:]
        for line, e in zip(p.stdout.splitlines(), exp):
            v = line.split("\t")
            ev = e.split(",")[5:]
            ts = [v[1], v[2], v[3] and qspan(int(round(float(v[3]) * 1e9))), v[4],
                  v[5] and qspan(int(round(float(v[5]) * 1e9)))]
            if ts != ev and (n, int(v[0])) in BOUNDED:
                print("%s frame %s: expected %s, tshark %s (the bounded list)" % (n, v[0], ev, ts))
            elif ts != ev:
                bad += 1
                print("%s frame %s: expected %s, tshark %s" % (n, v[0], ev, ts))
    print("tshark agrees with every value" if not bad else "%d disagreements" % bad)
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
        s = BUILD[n]()
        with open(os.path.join(outdir, n + ".pcap"), "wb") as fp:
            fp.write(s.conv.pcap())
        with open(os.path.join(outdir, n + ".out"), "w") as fp:
            fp.write(s.expected())
    return 0


if __name__ == "__main__":
    sys.exit(main())
