#!/usr/bin/env python3
"""Tests of the everyday options that golden files cannot hold: live input,
the progress line (through a pseudo-terminal), --stats.

    python3 tests/everyday_test.py PCAP2KDB_BINARY

Prints one line per check and "N passed, N failed"; exits non-zero on any
failure. Needs only the Python standard library (pty, select, subprocess).

No verdict depends on how fast a loaded machine is: each check waits for its
event (rows out, a status line, the process's end) for up to EVENT_TIMEOUT;
the one latency claim (a live pipe's rows within 100 ms) is measured
separately, with a margin, and passes when one of several tries meets it.
Sleeps remain only as lower bounds (the status line redraws at most every
250 ms, so the pauses that must show a new line are longer than that).
"""

import os
import pty
import re
import select
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = None
failed = passed = 0

# How long to wait for an event before calling it missing: generous, since
# only a broken binary gets near it.
EVENT_TIMEOUT = 60.0
# A live pipe must give its rows within 100 ms (README "Long runs"): the check allows
# a margin for scheduling and passes when one of LATENCY_TRIES tries is
# within it.
LATENCY_LIMIT = 0.1
LATENCY_MARGIN = 0.2
LATENCY_TRIES = 5
# The status line redraws at most every 250 ms (PROGRESS_INTERVAL_MS).
REDRAW_PAUSE = 0.3


def check(name, ok, detail=""):
    global failed, passed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def pcap_header():
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


def packet(i):
    """An Ethernet/IPv4/TCP segment with 4 payload bytes."""
    tcp = struct.pack("!HHIIBBHHH", 40000, 443, i, 0, 0x50, 0x18, 8192, 0, 0) + b"ping"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + tcp
    frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip
    return struct.pack("<IIII", 1589458202 + i, 0, len(frame), len(frame)) + frame


def read_until(fd, pred, deadline):
    """Reads fd until pred(data) or the deadline; returns (data, seconds)."""
    data = b""
    start = time.monotonic()
    while not pred(data):
        left = deadline - (time.monotonic() - start)
        if left <= 0:
            break
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data, time.monotonic() - start


def lines(n):
    return lambda d: d.count(b"\n") >= n


# ------------------------------------------------------------- live input

def test_live(fmt_args, name, want_first, want_second):
    """The input stays open and silent after each write: rows that arrive at
    all were written on the pause (the process cannot have seen the end)."""
    p = subprocess.Popen([BIN, "--columns", "frame,seq"] + fmt_args + ["-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(pcap_header() + packet(1) + packet(2) + packet(3))
    p.stdin.flush()
    out, secs = read_until(p.stdout.fileno(), want_first, EVENT_TIMEOUT)
    check("%s: rows out while the input pauses (%.0f ms)" % (name, secs * 1000),
          want_first(out), repr(out[-200:]))
    p.stdin.write(packet(4) + packet(5))
    p.stdin.flush()
    more, secs = read_until(p.stdout.fileno(), want_second, EVENT_TIMEOUT)
    check("%s: more rows after a second pause (%.0f ms)" % (name, secs * 1000),
          want_second(more), repr(more[-200:]))
    p.stdin.close()
    rest = p.stdout.read()
    rc = p.wait(timeout=10)
    err = p.stderr.read()
    check("%s: clean end of input" % name, rc == 0 and err == b"", "rc=%s err=%r" % (rc, err))
    return out + more + rest


def live_latency(extra=()):
    """Seconds from writing one record to a live pipe to its row (CSV)."""
    p = subprocess.Popen([BIN, "--columns", "frame"] + list(extra) + ["-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        p.stdin.write(pcap_header())
        p.stdin.flush()
        time.sleep(0.05)       # not a verdict: lets the header be read first
        p.stdin.write(packet(1))
        p.stdin.flush()
        out, secs = read_until(p.stdout.fileno(), lines(2), EVENT_TIMEOUT)
        return secs if lines(2)(out) else None
    finally:
        p.stdin.close()
        p.wait(timeout=EVENT_TIMEOUT)


def test_live_all():
    for threads in ("1", "4"):
        test_live_threads(threads)
    test_live_threads(None)


def test_live_modes():
    """The message modes' q writer holds up to 1,000 rows for one insert
    statement: on a pause they go out too, as the packet rows' do (before,
    they waited for the end of the input). Each capture is one atomic pipe
    write (at most PIPE_BUF bytes), so the input pauses once, after all of
    it, and the live output must be the whole output of the same bytes."""
    for mode, name in (("--fix", "fix_bundle5.pcap"), ("--kdb", "kdb_gap.pcap")):
        with open(os.path.join(ROOT, "testdata", name), "rb") as f:
            data = f.read()
        assert len(data) <= 4096, name
        args = [BIN, mode, "-f", "q", "-"]
        whole = subprocess.run(args, input=data, capture_output=True).stdout
        p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(data)
        p.stdin.flush()
        out, secs = read_until(p.stdout.fileno(), lambda d: d == whole, EVENT_TIMEOUT)
        check("live %s -f q: every row out while the input pauses (%.0f ms)" % (mode, secs * 1000),
              out == whole and whole.count(b" insert ") == 1, repr(out[-200:]))
        p.stdin.close()
        rest = p.stdout.read()
        rc = p.wait(timeout=10)
        err = p.stderr.read()
        check("live %s -f q: nothing more at the end, clean exit" % mode,
              rest == b"" and rc == 0 and err == b"", "rest=%r rc=%s err=%r" % (rest[:200], rc, err))
    # --fix writes a packet's messages when the next packet comes (their
    # latency lookups wait that long for memory): when the input pauses
    # after a packet that completes messages, they go out on the pause.
    with open(os.path.join(ROOT, "testdata", "fix_bundle5.pcap"), "rb") as f:
        data = f.read()
    recs, at = [], 24
    while at < len(data):
        n = struct.unpack_from("<I", data, at + 8)[0]
        recs.append(data[at:at + 16 + n])
        at += 16 + n
    data = data[:24] + b"".join(recs[:-1])   # ends with the 5 reports' packet
    args = [BIN, "--fix", "--columns", "frame,msgtype,bundled", "-"]
    whole = subprocess.run(args, input=data, capture_output=True).stdout
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(data)
    p.stdin.flush()
    out, secs = read_until(p.stdout.fileno(), lambda d: d == whole, EVENT_TIMEOUT)
    check("live --fix: the last packet's messages out while the input pauses (%.0f ms)" % (secs * 1000),
          out == whole and whole.endswith(b"6,8,5\n") and whole.count(b"\n") == 11, repr(out[-200:]))
    p.stdin.close()
    p.wait(timeout=10)


def test_live_threads(threads):
    """The live checks with --threads THREADS (#19: the rows of a batch in
    the making go out on a pause), or with the default (None)."""
    extra = ["--threads", threads] if threads else []
    tag = " --threads " + threads if threads else ""
    tries = []
    for _ in range(LATENCY_TRIES):
        tries.append(live_latency(extra))
        if tries[-1] is not None and tries[-1] <= LATENCY_LIMIT + LATENCY_MARGIN:
            break
    best = min((t for t in tries if t is not None), default=None)
    check("live csv%s: a row within %.0f ms (+%.0f ms margin; best of %d tries: %s)"
          % (tag, LATENCY_LIMIT * 1000, LATENCY_MARGIN * 1000, len(tries),
             "none" if best is None else "%.0f ms" % (best * 1000)),
          best is not None and best <= LATENCY_LIMIT + LATENCY_MARGIN,
          "tries: %r" % tries)

    out = test_live(extra, "live csv" + tag, lines(4), lines(2))
    check("live csv%s: whole output" % tag,
          out == b"frame,seq\n1,1\n2,2\n3,3\n4,4\n5,5\n", repr(out))
    # the q writer holds a batch of rows: it must be written on a pause too
    test_live(["-f", "q"] + extra, "live q" + tag, lambda d: b"insert" in d,
              lambda d: b"insert" in d)
    if threads:
        return

    # -c stops reading as soon as it has its rows, even though input goes on
    p = subprocess.Popen([BIN, "--columns", "frame", "-c", "2", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(pcap_header() + packet(1) + packet(2) + packet(3))
    p.stdin.flush()
    try:
        rc = p.wait(timeout=EVENT_TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    out = p.stdout.read()
    check("-c 2 on a live pipe ends after two rows", rc == 0 and out == b"frame\n1\n2\n",
          "rc=%s out=%r" % (rc, out))
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass


# ------------------------------------------------------------ progress line

def run_with_pty_stderr(args, feed=None, slow_reader=False, stderr_tty=True):
    """Runs BIN with stderr on a pseudo-terminal (or a pipe); returns
    (rc, stdout bytes, stderr bytes).

    feed: [(bytes, rows)]: each chunk is written, then its rows (CSV lines,
    header included) awaited on stdout -- the process has decoded it and
    waits for input -- then REDRAW_PAUSE passes, so the next pause is due a
    new status line. slow_reader: stdout is read slowly until the status
    line shows, so that the conversion outlasts the redraw interval."""
    if stderr_tty:
        master, slave = pty.openpty()
    else:
        master, slave = os.pipe()
    p = subprocess.Popen([BIN] + args, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    out = b""

    def drain_err():
        nonlocal err
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            err += chunk

    fd = p.stdout.fileno()
    if feed:
        want = 0
        for chunk, rows in feed:
            p.stdin.write(chunk)
            p.stdin.flush()
            want += rows
            if want:
                got, _ = read_until(fd, lines(want - out.count(b"\n")), EVENT_TIMEOUT)
                out += got
            time.sleep(REDRAW_PAUSE)
            drain_err()
        p.stdin.close()
    while True:
        drain_err()
        if slow_reader and b"left" not in err:
            time.sleep(0.02)
        r, _, _ = select.select([fd], [], [], EVENT_TIMEOUT)
        if not r:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        out += chunk
    rc = p.wait(timeout=EVENT_TIMEOUT)
    # the rest of stderr, up to its end (EOF, or EIO from a terminal whose
    # other side is closed)
    while select.select([master], [], [], EVENT_TIMEOUT)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return rc, out, err


def slow_feed(n_chunks=6, per_chunk=50):
    """[(bytes, CSV lines they give)]: the header, then n_chunks of packets."""
    chunks = [(pcap_header(), 1)]
    k = 0
    for _ in range(n_chunks):
        chunks.append((b"".join(packet(k + j) for j in range(per_chunk)), per_chunk))
        k += per_chunk
    return chunks


ERASED = re.compile(rb"\r {10,}\r$")


def test_progress():
    # a live pipe that pauses: the line shows records and bytes, then is erased
    rc, out, err = run_with_pty_stderr(["--columns", "frame", "-"], feed=slow_feed(3))
    text = err.decode(errors="replace")
    check("progress on a terminal: a status line", b"records" in err and b"\r" in err, repr(text))
    check("progress on a terminal: erased at the end", ERASED.search(err) is not None,
          repr(text[-120:]))
    check("progress on a terminal: no newline in the line", b"\n" not in err, repr(text))
    check("progress on a terminal: output untouched",
          rc == 0 and out.count(b"\n") == 151, "rc=%s rows=%d" % (rc, out.count(b"\n")))
    m = re.findall(rb"pcap2kdb: ([0-9,]+) records", err)
    check("progress: the record count grows", len(m) >= 2 and
          int(m[-1].replace(b",", b"")) > int(m[0].replace(b",", b"")), repr(m))

    rc, out, err = run_with_pty_stderr(["--no-progress", "--columns", "frame", "-"],
                                       feed=slow_feed(1))
    check("--no-progress on a terminal: nothing on stderr", err == b"", repr(err))

    rc, out, err = run_with_pty_stderr(["--columns", "frame", "-"], feed=slow_feed(1),
                                       stderr_tty=False)
    check("stderr not a terminal: no status line", err == b"", repr(err))

    rc, out, err = run_with_pty_stderr(["--progress", "--columns", "frame", "-"],
                                       feed=slow_feed(1), stderr_tty=False)
    check("--progress forces the line when stderr is not a terminal", b"records" in err,
          repr(err))

    # given both, the last counts
    rc, out, err = run_with_pty_stderr(["--no-progress", "--progress", "--columns", "frame",
                                        "-"], feed=slow_feed(1), stderr_tty=False)
    check("--no-progress --progress: the line", b"records" in err, repr(err))
    rc, out, err = run_with_pty_stderr(["--progress", "--no-progress", "--columns", "frame",
                                        "-"], feed=slow_feed(1))
    check("--progress --no-progress on a terminal: nothing on stderr", err == b"", repr(err))

    # a file of known size, read by a slow consumer: percent, rate, time left
    with tempfile.NamedTemporaryFile(suffix=".pcap", delete=False) as f:
        f.write(pcap_header() + b"".join(packet(i) for i in range(60000)))
        path = f.name
    try:
        rc, out, err = run_with_pty_stderr([path], slow_reader=True)
    finally:
        os.unlink(path)
    text = err.decode(errors="replace")
    check("progress on a file: percent, throughput and time left",
          re.search(r"of [0-9.]+ MB \([0-9]+%\), [0-9.]+ [kMG]?B/s, [0-9:]+ left", text)
          is not None, repr(text[:300]))
    check("progress on a file: erased at the end", ERASED.search(err) is not None,
          repr(text[-120:]))
    check("progress on a file: all rows", rc == 0 and out.count(b"\n") == 60001,
          "rc=%s rows=%d" % (rc, out.count(b"\n")))


# ------------------------------------------------------------------- --stats

def stats_of(stderr):
    d = {}
    for line in stderr.decode().splitlines():
        k, _, v = line.partition(" ")
        d[k] = v.strip()
    return d


def test_stats():
    cap = os.path.join(ROOT, "testdata", "filter_mix.pcap")
    base = subprocess.run([BIN, "--port", "443", cap], capture_output=True)
    r = subprocess.run([BIN, "--port", "443", "--stats", cap], capture_output=True)
    check("--stats leaves stdout untouched", r.stdout == base.stdout and r.returncode == 0)
    s = stats_of(r.stderr)
    want = {"records": "14", "rows": "5", "linktypes": "ETHERNET", "tcp_flows": "4", "tcp_evicted": "0",
            "truncated": "0", "damaged": "0", "first": "2020.05.14D12:10:02.000000000",
            "last": "2020.05.14D12:10:02.013000000", "span": "0D00:00:00.013000000",
            "bytes": "%d (%d B)" % (os.path.getsize(cap), os.path.getsize(cap))}
    for k, v in want.items():
        check("--stats %s" % k, s.get(k) == v, "got %r, want %r" % (s.get(k), v))
    check("--stats elapsed and packets/s", re.match(r"[0-9.]+ s$", s.get("elapsed", "")) and
          re.match(r"[0-9]+$", s.get("packets/s", "")), repr(s))

    q = subprocess.run([BIN, "-f", "q", "--stats", cap], capture_output=True)
    q0 = subprocess.run([BIN, "-f", "q", cap], capture_output=True)
    check("--stats leaves -f q untouched", q.stdout == q0.stdout and
          stats_of(q.stderr).get("rows") == "14")

    trunc = os.path.join(ROOT, "testdata", "truncated.pcap")
    rows = subprocess.run([BIN, "--no-header", "--columns", "caplen,length", trunc],
                          capture_output=True).stdout.decode().split()
    n = sum(1 for x in rows if int(x.split(",")[0]) < int(x.split(",")[1]))
    s = stats_of(subprocess.run([BIN, "--stats", "-o", os.devnull, trunc],
                                capture_output=True).stderr)
    check("--stats truncated", s.get("truncated") == str(n), "got %r want %d" % (s, n))

    # two inputs, one damaged: records add up, damage is counted
    r = subprocess.run([BIN, "--stats", "-o", os.devnull, cap, cap], capture_output=True)
    check("--stats over two inputs", stats_of(r.stderr).get("records") == "28" and
          stats_of(r.stderr).get("tcp_flows") == "8", repr(r.stderr))
    # 70,000 connections open at once (a SYN each, random-looking client
    # addresses and ports): more than the flow table's 65,536, so each one
    # past it evicts one, and none is evicted while the table is below 70%
    # full (README "Memory and speed"); none comes back, so no new streams
    n, slots = 70000, 65536
    syns = bytearray(pcap_header())
    x = 0x9E3779B97F4A7C15
    for i in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        tcp = struct.pack("!HHIIBBHHH", 1024 + (x >> 33) % 64000, 443, i, 0, 0x50, 0x02,
                          8192, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                         bytes([10 + (x >> 60), (i >> 16) & 255, (i >> 8) & 255, i & 255]),
                         bytes([192, 0, 2, 1])) + tcp
        frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip
        syns += struct.pack("<IIII", 1589458202, i, len(frame), len(frame)) + frame
    r = subprocess.run([BIN, "--stats", "-o", os.devnull, "-"], input=bytes(syns),
                       capture_output=True)
    s = stats_of(r.stderr)
    check("--stats tcp_evicted counts a table overflow",
          r.returncode == 0 and s.get("tcp_flows") == str(n) and
          n - slots <= int(s.get("tcp_evicted", "-1")) <= n - slots * 7 // 10, repr(s))
    bad = os.path.join(ROOT, "testdata", "bad_ng_blocklen_small.pcapng")
    r = subprocess.run([BIN, "--stats", "-o", os.devnull, bad], capture_output=True)
    check("--stats damaged", r.returncode == 2 and stats_of(r.stderr.split(b"\n", 1)[1])
          .get("damaged", "0") != "0", repr(r.stderr))


# --stats span: last - first, a q timespan (README "Columns": a duration q
# cannot hold is empty). Each capture is a pcapng of one nanosecond
# interface (if_tsresol 9) whose if_tsoffset lets its EPBs lie at any Unix
# nanosecond; the expected text comes from q_timespan below.
Q_SPAN_MAX = 2**63 - 2              # q's largest finite timespan, in ns
Q_EPOCH_NS = 946684800 * 10**9      # 2000.01.01 in Unix ns


def q_timespan(ns):
    """q's text of a timespan of ns nanoseconds, "" when q cannot hold it."""
    if abs(ns) > Q_SPAN_MAX:
        return ""
    sign, ns = ("-" if ns < 0 else ""), abs(ns)
    sec, frac = divmod(ns, 10**9)
    return "%s%dD%02d:%02d:%02d.%09d" % (sign, sec // 86400, sec // 3600 % 24,
                                         sec // 60 % 60, sec % 60, frac)


def pcapng_at(unix_ns_list):
    """A pcapng with one EPB (60 zero bytes) per time, in the order given,
    each on an interface of its own whose if_tsoffset is the time's whole
    seconds (so any time fits the EPB's 64-bit units)."""
    def block(btype, body):
        return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))

    def opt(code, value):
        return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for t in unix_ns_list:
        out += block(1, struct.pack("<HHI", 1, 0, 0) + opt(9, b"\x09") +
                     opt(14, struct.pack("<q", t // 10**9)) + opt(0, b""))
    for iface, t in enumerate(unix_ns_list):
        units = t % 10**9
        out += block(6, struct.pack("<IIIII", iface, 0, units, 60, 60) + bytes(60))
    return out


def test_stats_span():
    year1800, year2200 = -5364662400 * 10**9, 7258118400 * 10**9
    cases = [
        # name, the times in file order
        ("400 years apart (1800 and 2200)", [year1800, year2200]),
        ("at q's two limits", [Q_EPOCH_NS - Q_SPAN_MAX, Q_EPOCH_NS + Q_SPAN_MAX]),
        ("q's largest span", [0, Q_SPAN_MAX]),
        ("1 ns past q's largest span", [0, Q_SPAN_MAX + 1]),
        ("q's largest span, the later time first (times going backwards)", [Q_SPAN_MAX, 0]),
        ("times going backwards", [1589458207500000000, 1589458202000000000, 1589458203000000000]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, times in cases:
            path = os.path.join(tmp, "span.pcapng")
            with open(path, "wb") as f:
                f.write(pcapng_at(times))
            r = subprocess.run([BIN, "--stats", "-o", os.devnull, path], capture_output=True)
            s = stats_of(r.stderr)
            want = q_timespan(max(times) - min(times))
            check("--stats span, %s" % name, r.returncode == 0 and s.get("span") == want,
                  "got %r, want %r (exit %d)" % (s.get("span"), want, r.returncode))


def main():
    global BIN
    if len(sys.argv) != 2:
        sys.exit("usage: everyday_test.py PCAP2KDB_BINARY")
    BIN = os.path.abspath(sys.argv[1])
    test_live_all()
    test_live_modes()
    test_progress()
    test_stats()
    test_stats_span()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
