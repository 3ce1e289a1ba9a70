#!/usr/bin/env bash
# --threads with an output that fails (README "Damaged input and exit
# codes", pipeline.h): messages, --stats and the exit code are those of
# --threads 1. With one thread, rows collect in a 1 MiB buffer that is
# written out when full and before a damage message; a write that fails
# stops the run there, so damage past that write is never reported nor
# counted: damage after the first write (the buffer full) is never reached,
# and damage before it is not reported either when the write of the rows
# before it (the one that comes before its message) fails: the write error
# alone, exit 3, or nothing at all for a closed pipe, exit 0.
# The formatting threads write each batch of 1,024 rows as it is ready and
# the driver reads ahead of them: they must still fail, and stop, where the
# one-thread run does. Cases: damage before the first write (record 3,000,
# about 700 KB of CSV) and after it (record 20,000), a pcap record that
# stops the file and pcapng blocks that are skipped, a second input after
# the damaged one; standard output on /dev/full, -o /dev/full, a pipe whose
# reader is gone before the run starts, and a pipe that `head -c 1000`
# closes (every write past its first KB fails, so the first write fails
# whatever its size; how many bytes the pipe took first depends on the
# writes, so --stats' count of them is left out there); CSV and q; with
# --stats.
#
#   tests/threads_faults_test.sh PCAP2KDB GEN_FIXTRAFFIC
#
# The last line is "N passed, N failed".
set -u
[ $# -eq 2 ] || { echo "usage: $0 PCAP2KDB GEN_FIXTRAFFIC" >&2; exit 64; }
bin=$(realpath "$1") gen=$(realpath "$2")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-tfaults.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
[ -w /dev/full ] || { echo "FAIL: /dev/full is not writable here (Linux has it)"; exit 1; }

# (the generator is a test tool: its leaks at exit do not matter under ASan)
ASAN_OPTIONS=detect_leaks=0 "$gen" -n 40000 -f pcap -o "$tmp/a.pcap" 2> /dev/null ||
    { echo "FAIL: generator"; exit 1; }
# pcap: record N's captured length made impossible (the file stops there);
# pcapng: 12 packets on an interface no block describes after N good ones
# (each skipped and reported, and conversion goes on)
python3 - "$tmp" <<'PY'
import struct, sys
tmp = sys.argv[1]
data = open(tmp + '/a.pcap', 'rb').read()
for n in (0, 3000, 20000):
    d = bytearray(data)
    off = 24
    for _ in range(n):
        off += 16 + struct.unpack_from('<I', d, off + 8)[0]
    struct.pack_into('<I', d, off + 8, 0x7ffffff0)
    open('%s/d%d.pcap' % (tmp, n), 'wb').write(d)

def block(t, body):
    body += b'\0' * (-len(body) % 4)
    return struct.pack('<II', t, 12 + len(body)) + body + struct.pack('<I', 12 + len(body))
def epb(iface, i):
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 88, i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + \
        struct.pack('>HHHH', 1000, 2000, 68, 0) + b'x' * 60
    fr = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip
    ts = 1700000000000000 + i
    # every third packet cut short (the truncated count of --stats)
    return block(6, struct.pack('<IIIII', iface, ts >> 32, ts & 0xffffffff, len(fr),
                                len(fr) + (i % 3 == 0)) + fr)
for n in (3000, 20000):
    with open('%s/s%d.pcapng' % (tmp, n), 'wb') as o:
        o.write(block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)))
        o.write(block(1, struct.pack('<HHI', 1, 0, 65535)))
        o.write(b''.join(epb(0, i) for i in range(n)))
        o.write(b''.join(epb(7, i) for i in range(12)))
        o.write(b''.join(epb(0, i) for i in range(n, 30000)))
PY
[ -s "$tmp/d3000.pcap" ] && [ -s "$tmp/s20000.pcapng" ] || { echo "FAIL: python3 made no capture"; exit 1; }

# one THREADS KIND ARGS...: stderr (without the run's duration and rate) and
# the exit code in $tmp/res.THREADS
one() {
    local t=$1 kind=$2 rc
    shift 2
    case $kind in
    full) "$bin" --threads "$t" "$@" > /dev/full 2> "$tmp/err" < /dev/null; rc=$? ;;
    o-full) "$bin" --threads "$t" -o /dev/full "$@" 2> "$tmp/err" < /dev/null; rc=$? ;;
    pipe) "$bin" --threads "$t" "$@" 2> "$tmp/err" < /dev/null | head -c 1000 > /dev/null
          rc=${PIPESTATUS[0]}
          sed -i -E 's/^(output +closed by its reader after )[0-9]+ bytes$/\1N bytes/' "$tmp/err" ;;
    closed) python3 -c 'import os, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 1)
os.execv(sys.argv[1], sys.argv[1:])' "$bin" --threads "$t" "$@" 2> "$tmp/err" < /dev/null
          rc=$? ;;
    esac
    { sed -E '/^(elapsed|packets\/s) /d' "$tmp/err"; echo "exit $rc"; } > "$tmp/res.$t"
}

# same KIND ARGS...: --threads 2 and 4 say what --threads 1 says
same() {
    local kind=$1 t ok=1
    shift
    for t in 1 2 4; do one "$t" "$kind" "$@"; done
    for t in 2 4; do
        if ! cmp -s "$tmp/res.1" "$tmp/res.$t"; then
            echo "FAIL $kind $*: --threads $t differs from --threads 1:"
            diff "$tmp/res.1" "$tmp/res.$t" | head -8
            ok=0
        fi
    done
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

for kind in full o-full pipe closed; do
    for fmt in csv q; do
        for n in 3000 20000; do
            same "$kind" -f "$fmt" --stats "$tmp/d$n.pcap"
            same "$kind" -f "$fmt" --stats "$tmp/s$n.pcapng"
            same "$kind" -f "$fmt" "$tmp/d$n.pcap" "$tmp/a.pcap"
        done
    done
done

# expect NAME KIND THREADS WANT ARGS...: the exact stderr and exit code
expect() {
    local name=$1 kind=$2 t=$3 want=$4
    shift 4
    one "$t" "$kind" "$@"
    if [ "$(cat "$tmp/res.$t")" = "$want" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL $name (--threads $t): want"
        echo "$want"
        echo "got"
        cat "$tmp/res.$t"
        failed=$((failed + 1))
    fi
}
# relative names: the row reservation counts the sym's length (the file's
# name), and with it where the one-thread buffer is first written out
cd "$tmp" || exit 1
d0=d0.pcap d3=d3000.pcap d20=d20000.pcap
damage0="pcap2kdb: $d0: offset 24: record caplen 2147483632 exceeds the limit of 262144 bytes (snaplen 262144)"
# --stats of a run that stopped before the damage at record 3,001: those of
# `-c 3000` (the rows before it), damaged 0, and what reached the output
stats3="records      3000
rows         3000
bytes        712425 (712 kB)
first        2026.01.05D13:30:00.000070000
last         2026.01.05D13:30:00.295102000
span         0D00:00:00.295032000
linktypes    ETHERNET
tcp_flows    12
tcp_evicted  0
truncated    0
damaged      0"
for t in 1 2; do
    # the rows before the damage are written out before its message: that
    # write fails, so the run stops there, before the damage: the write
    # error alone (exit 3), or nothing for a reader gone (exit 0)
    expect damage-first full "$t" "pcap2kdb: stdout: write error: No space left on device
exit 3" "$d3"
    expect damage-first-stats full "$t" "pcap2kdb: stdout: write error: No space left on device
$stats3
output       write error after 0 bytes
exit 3" --stats "$d3"
    expect damage-first-pipe pipe "$t" "exit 0" "$d3"
    expect damage-first-closed closed "$t" "exit 0" "$d3"
    expect damage-first-closed-q closed "$t" "exit 0" -f q "$d3" "$d20"
    expect damage-first-closed-stats closed "$t" "$stats3
output       closed by its reader after 0 bytes
exit 0" --stats "$d3"
    # the first of the skipped pcapng blocks: its message is not printed,
    # and reading stops there (bytes: the section and interface blocks, 28
    # and 20, 3,000 packets of 136, and the skipped block, read)
    expect skipped-closed closed "$t" "records      3000
rows         3000
bytes        408184 (408 kB)
first        2023.11.14D22:13:20.000000000
last         2023.11.14D22:13:20.002999000
span         0D00:00:00.002999000
linktypes    ETHERNET
tcp_flows    0
tcp_evicted  0
truncated    1000
damaged      0
output       closed by its reader after 0 bytes
exit 0" --stats s3000.pcapng
    # no row (and no header) before the damage: nothing is written, nothing
    # fails, the damage is reported
    expect damage-at-once-closed closed "$t" "$damage0
exit 2" --no-header "$d0"
    expect damage-at-once-full full "$t" "$damage0
exit 2" --no-header "$d0"
    # the header is written before the message: the reader is found gone
    expect damage-at-once-header closed "$t" "exit 0" "$d0"
    # the first write (the 1 MiB buffer without room for the 15 columns'
    # bound, 15 * 200 bytes, the sym and a newline: at record 7,764) fails
    # before the damage is read: not reported
    expect damage-after full "$t" "pcap2kdb: stdout: write error: No space left on device
exit 3" "$d20"
    expect damage-after-pipe pipe "$t" "exit 0" "$d20"
    expect damage-after-closed closed "$t" "exit 0" "$d20"
    expect damage-after-stats o-full "$t" "pcap2kdb: /dev/full: write error: No space left on device
records      7764
rows         7764
bytes        1857082 (1.86 MB)
first        2026.01.05D13:30:00.000070000
last         2026.01.05D13:30:00.788011000
span         0D00:00:00.787941000
linktypes    ETHERNET
tcp_flows    12
tcp_evicted  0
truncated    0
damaged      0
output       write error after 0 bytes
exit 3" --stats "$d20"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
