#!/usr/bin/env python3
"""Stopping a live run with SIGINT, SIGTERM or SIGHUP (README "Stopping a
run", the man page's EXIT STATUS).

pcap2kdb reads a pipe fed here: the capture's header and some records, and
the pipe stays open (a live capture). Once pcap2kdb has read them all (the
pipe is empty and its rows are out, or held) the signal comes. The run must
end as if the input had ended there: its output is that of a file holding
exactly those records (every row; --flows the rows of the connections still
open; --fix the message held for its ACK; -f q a script whose statements are
whole), --stats is printed, no damage is reported for the cut, and the
process dies by the signal (Python's returncode -N; 128+N in a shell).

The capture is made here (gen_kdb's TCP builder): 3 connections from
10.1.0.1-3 to 10.9.9.9:9000, each a handshake and 3 FIX orders, the server
ACKing the first two: 27 records, 3 open connections, 3 messages waiting
for an ACK. Expected counts come from that model; the output itself is
compared with the file run's.

Cases: CSV rows (SIGINT, --stats); -f q -o FILE (SIGTERM); --flows
(SIGINT); --fix with acktime (SIGHUP); a record cut by the signal (half of
it written: no damage message, the whole records' rows); the capture's
header cut (nothing written, no message); --threads 2; a
gzip stream, the signal sent to the process group as Ctrl-C does, so the
decompressor dies too (no "damaged compressed data"); a second signal
during the clean-up (the output pipe not read) kills at once.

    tests/signal_stop_test.py PCAP2KDB
"""

import fcntl
import gzip
import os
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_kdb  # noqa: E402  (the TCP capture builder)
from gen_fixdata import fixmsg  # noqa: E402

SERVER = (10, 9, 9, 9)
CONNECTIONS = 3
ORDERS = 3           # per connection; the last is not ACKed
PCAP_HEADER = 24

passed = failed = 0


def expect(name, want, got):
    global passed, failed
    if want == got:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s:\n  want %.600r\n  got  %.600r" % (name, want, got))


def capture():
    """The pcap's bytes, and where each record starts."""
    cap = gen_kdb.Capture()
    A, S, PA = gen_kdb.ACK, gen_kdb.SYN, gen_kdb.ACK | gen_kdb.PSH
    for c in range(CONNECTIONS):
        client, port = (10, 1, 0, 1 + c), 40001 + c
        cap.add(client, SERVER, port, 9000, 1000, 0, S)
        cap.add(SERVER, client, 9000, port, 5000, 1001, S | A)
        cap.add(client, SERVER, port, 9000, 1001, 5001, A)
        seq = 1001
        for i in range(ORDERS):
            msg, _ = fixmsg([(35, "D"), (49, "C%d" % c), (56, "S"), (34, str(i + 1)),
                             (11, "o%d-%d" % (c, i)), (55, "X"), (54, "1"), (38, "10")])
            cap.add(client, SERVER, port, 9000, seq, 5001, PA, msg)
            seq += len(msg)
            if i < ORDERS - 1:
                cap.add(SERVER, client, 9000, port, 5001, seq, A)
    blob = cap.pcap()
    starts, at = [], PCAP_HEADER
    while at < len(blob):
        starts.append(at)
        at += 16 + struct.unpack_from("<I", blob, at + 8)[0]
    return blob, starts


def pipe_unread(fd):
    """Bytes written to the pipe and not read yet (Linux: FIONREAD)."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def file_run(binary, args, data, tmp):
    """pcap2kdb on a file holding data: (stdout, the -o file or None)."""
    path = os.path.join(tmp, "file.pcap")
    with open(path, "wb") as f:
        f.write(data)
    out = os.path.join(tmp, "file.out")
    a = ["--sym", "live"] + [x if x != "OUT" else out for x in args]
    p = subprocess.run([binary] + a + [path], capture_output=True, timeout=60)
    return p.stdout, (open(out, "rb").read() if "OUT" in args else None)


def live_run(binary, args, data, sig, tmp, group=False, wrap=None):
    """pcap2kdb reading a pipe that gets data and stays open, stopped by
    sig once it has read everything: (returncode, stdout, stderr, -o file).
    group: sig goes to the process group (Ctrl-C); wrap: data's stream as
    written (compressed), else data."""
    out = os.path.join(tmp, "live.out")
    a = ["--sym", "live"] + [x if x != "OUT" else out for x in args]
    rfd, wfd = os.pipe()
    stdout = open(os.path.join(tmp, "live.stdout"), "wb")
    p = subprocess.Popen([binary] + a + ["-"], stdin=rfd, stdout=stdout,
                         stderr=subprocess.PIPE, start_new_session=group)
    os.close(rfd)
    os.write(wfd, wrap if wrap is not None else data)
    deadline = time.time() + 20
    while pipe_unread(wfd) and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # rows decoded go out within 100 ms of a pause
    if group:
        os.killpg(p.pid, sig)
    else:
        p.send_signal(sig)
    try:
        err = p.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        p.kill()
        err = p.communicate()[1] + b"(still running 20 s after the signal)"
    os.close(wfd)
    stdout.close()
    got = open(os.path.join(tmp, "live.stdout"), "rb").read()
    return p.returncode, got, err.decode(), (open(out, "rb").read() if "OUT" in args else None)


def lines(b):
    return b.decode().splitlines()


def check(name, binary, args, data, sig, tmp, want_rows, count, **kw):
    """A live run stopped by sig against the file run of data; count(output)
    is want_rows (the model's count)."""
    rc, out, err, ofile = live_run(binary, args, data, sig, tmp, **kw)
    fout, ffile = file_run(binary, args, data, tmp)
    expect(name + ": dies by the signal", -sig, rc)
    expect(name + ": the file run's output", lines(fout), lines(out))
    if ffile is not None:
        expect(name + ": the file run's -o file", ffile.decode(), (ofile or b"").decode())
    got = ofile if ffile is not None else out
    expect(name + ": rows of the model", want_rows, count(got))
    expect(name + ": no message", [], [l for l in err.splitlines() if "pcap2kdb" in l])
    if "--stats" in args:
        expect(name + ": --stats printed", True, "\nrecords" in "\n" + err)
    return out, err


def csv_rows(b):
    return len(lines(b)) - 1


def second_signal_kills(binary, tmp):
    """The output pipe is never read: the clean-up of the first SIGTERM is
    held in a write; the second kills."""
    blob, _ = capture()
    big = os.path.join(tmp, "big.pcap")
    with open(big, "wb") as f:
        f.write(blob[:PCAP_HEADER] + blob[PCAP_HEADER:] * 2000)
    rfd, wfd = os.pipe()
    p = subprocess.Popen([binary, "--columns", "frame,data", big], stdout=wfd,
                         stderr=subprocess.DEVNULL)
    os.close(wfd)
    deadline = time.time() + 20
    while pipe_unread(rfd) < 65536 and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    expect("second signal: alive after the first (its output blocked)", None, p.poll())
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "still running"
    os.close(rfd)
    expect("second signal: killed by it", -signal.SIGINT, rc)


def main():
    binary = sys.argv[1]
    blob, starts = capture()
    n = len(starts)
    expect("model: records", CONNECTIONS * (3 + 2 * ORDERS - 1), n)
    with tempfile.TemporaryDirectory() as tmp:
        check("csv", binary, ["--stats"], blob, signal.SIGINT, tmp, n, csv_rows)
        # -f q: a row is a time in the insert statement's first column
        check("q", binary, ["-f", "q", "-o", "OUT"], blob, signal.SIGTERM, tmp, n,
              lambda b: b.count(b"2023.11.14D"))
        last = lines(live_run(binary, ["-f", "q", "-o", "OUT"], blob, signal.SIGTERM, tmp)[3])[-1]
        expect("q: the script ends with a whole insert", (True, True),
               (last.startswith("`pcap insert ("), last.endswith(")")))
        check("flows", binary, ["--flows", "--stats"], blob, signal.SIGINT, tmp, CONNECTIONS,
              csv_rows)
        out, _ = check("fix held", binary, ["--fix", "--columns", "clordid,acktime"], blob,
                       signal.SIGHUP, tmp, CONNECTIONS * ORDERS, csv_rows)
        expect("fix held: the unACKed orders, acktime empty",
               ["o%d-%d," % (c, ORDERS - 1) for c in range(CONNECTIONS)],
               [l for l in lines(out) if l.endswith(",")])
        # half of the last record: the cut is no damage, its rows are those
        # of the whole records
        cut = starts[-1] + 20
        rc, out, err, _ = live_run(binary, [], blob, signal.SIGINT, tmp, wrap=blob[:cut])
        expect("cut record: dies by the signal", -signal.SIGINT, rc)
        expect("cut record: the whole records' rows", lines(file_run(binary, [], blob[:starts[-1]],
                                                                     tmp)[0]), lines(out))
        expect("cut record: no damage message", "", err)
        # before the capture's header came in whole: no capture opened, so
        # nothing written (not even the CSV header), no message
        rc, out, err, _ = live_run(binary, [], blob, signal.SIGTERM, tmp, wrap=blob[:10])
        expect("cut header: dies by the signal, nothing written, no message",
               (-signal.SIGTERM, b"", ""), (rc, out, err))
        check("threads 2", binary, ["--threads", "2", "--columns", "frame,stream,analysis"],
              blob, signal.SIGINT, tmp, n, csv_rows)
        # gzip dies by the terminal's SIGINT too, with what it decoded and
        # has not written yet: the rows are a beginning of the file run's
        rc, out, err, _ = live_run(binary, ["--stats"], blob, signal.SIGINT, tmp, group=True,
                                   wrap=gzip.compress(blob))
        expect("gzip, Ctrl-C to the group: dies by the signal", -signal.SIGINT, rc)
        fout = lines(file_run(binary, [], blob, tmp)[0])
        expect("gzip, Ctrl-C to the group: the file run's first rows",
               fout[:len(lines(out))], lines(out))
        expect("gzip, Ctrl-C to the group: no message", [],
               [l for l in err.splitlines() if "pcap2kdb" in l])
        expect("gzip, Ctrl-C to the group: --stats", True, "\nrecords" in "\n" + err)
        second_signal_kills(binary, tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
