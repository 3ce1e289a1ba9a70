#!/usr/bin/env bash
# --threads (#19): the output is byte-identical whatever the number of
# threads. On captures of many batches (the pipeline hands rows over 1024 at
# a time) every case runs with --threads 1, 2 and 4 (4: three formatting
# threads, whose batches must still be written in order) and must give the
# same stdout, stderr, the same interleaving of both in one file, and the
# same exit code: formats, column choices, -c, filters, several inputs,
# damaged input (messages at the right row), a damaged compressed input
# (the decompressor's failure), pcapng, a full disk, a closed pipe (also one
# whose reader is gone before the run, with damaged input: silent).
#
#   tests/threads_test.sh PCAP2KDB_BINARY GEN_FIXTRAFFIC_BINARY
set -u
bin=$1
gen=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0 passed=0

# the generator is a test tool that leaves its last packets to exit (no
# leak check for it under ASan, as in output_faults.sh)
ASAN_OPTIONS=detect_leaks=0 "$gen" -n 40000 -f pcap -o "$tmp/a.pcap" 2>/dev/null || { echo "FAIL: generator"; exit 1; }
ASAN_OPTIONS=detect_leaks=0 "$gen" -n 9000 -f pcapng -o "$tmp/b.pcapng" 2>/dev/null || { echo "FAIL: generator"; exit 1; }
# damage: record 20001's captured length made impossible (the reader says
# where and stops or resynchronises), and a copy cut in the middle of a record
python3 - "$tmp/a.pcap" "$tmp/damaged.pcap" "$tmp/cut.pcap" <<'EOF'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
off, n = 24, 0
while n < 20000:
    cap = struct.unpack_from('<I', data, off + 8)[0]
    off += 16 + cap
    n += 1
struct.pack_into('<I', data, off + 8, 0x7ffffff0)
open(sys.argv[2], 'wb').write(data)
open(sys.argv[3], 'wb').write(data[:off - 7])
EOF

# the smac/dmac columns read the packet's bytes when the row is formatted:
# frames whose MAC addresses differ (frame i: 02:00:00:00:HH:LL ->
# 06:00:00:00:HH:LL, i = HHLL) in a file of more than seven input buffers
# (named, and on stdin), and VXLAN frames whose outer datagrams come in
# fragments (their MACs lie in the reassembly buffer)
python3 - "$tmp/mac.pcap" "$tmp/frag.pcap" <<'EOF'
import struct, sys
def ip4(payload, ident=0, fo=0, src=(10, 0, 0, 1), dst=(10, 0, 0, 2)):
    return struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, fo, 64, 17, 0,
                       bytes(src), bytes(dst)) + payload
def macs(i):
    return bytes.fromhex('06000000') + struct.pack('>H', i) + bytes.fromhex('02000000') + \
        struct.pack('>H', i) + b'\x08\x00'
hdr = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
with open(sys.argv[1], 'wb') as o:
    o.write(hdr)
    for i in range(60000):
        udp = struct.pack('>HHHH', 1000, 2000, 80, 0) + bytes([i & 255]) * 72
        fr = macs(i & 0xffff) + ip4(udp, i & 0xffff)
        o.write(struct.pack('<IIII', 1700000000 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)) + fr)
with open(sys.argv[2], 'wb') as o:
    o.write(hdr)
    n = 0
    for i in range(3000):
        inner = macs(i) + ip4(struct.pack('>HHHH', 1, 2, 208, 0) + b'x' * 200, 0, 0,
                              (10, 1, 0, 1), (10, 1, 0, 2))
        vx = b'\x08\x00\x00\x00\x00\x00\x05\x00' + inner
        udp = struct.pack('>HHHH', 4789, 4789, 8 + len(vx), 0) + vx
        for off in range(0, len(udp), 128):
            fo = (off // 8) | (0x2000 if off + 128 < len(udp) else 0)
            fr = b'\xbb' * 6 + b'\xaa' * 6 + b'\x08\x00' + ip4(udp[off:off + 128], i, fo,
                                                                 (192, 168, 0, 1), (192, 168, 0, 2))
            o.write(struct.pack('<IIII', 1700000000, n, len(fr), len(fr)) + fr)
            n += 1
EOF

# more damaged blocks than are named one by one: the summary line of the
# input must fall after its rows too (12 packets on an interface no block
# describes, between two runs of 5000 good ones)
python3 - "$tmp/skip.pcapng" <<'EOF'
import struct, sys
def block(t, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', t, n) + body + struct.pack('<I', n)
def epb(iface, i):
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 28, i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + struct.pack('>HHHH', 1000, 2000, 8, 0)
    fr = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip
    ts = 1700000000000000 + i
    return block(6, struct.pack('<IIIII', iface, ts >> 32, ts & 0xffffffff, len(fr), len(fr)) + fr)
with open(sys.argv[1], 'wb') as o:
    o.write(block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)))
    o.write(block(1, struct.pack('<HHI', 1, 0, 65535)))
    o.write(b''.join(epb(0, i) for i in range(5000)))
    o.write(b''.join(epb(7, i) for i in range(12)))
    o.write(b''.join(epb(0, i) for i in range(5000)))
EOF

# run NAME ARGS...: the same under --threads 1, 2 and 4 (standard input:
# $stdin_file, /dev/null unless set)
stdin_file=/dev/null
run() {
    local name=$1 t
    shift
    for t in 1 2 4; do
        "$bin" --threads "$t" "$@" > "$tmp/out.$t" 2> "$tmp/err.$t" < "$stdin_file"
        echo $? > "$tmp/rc.$t"
        "$bin" --threads "$t" "$@" > "$tmp/all.$t" 2>&1 < "$stdin_file"
    done
    # --stats: the run's duration and rate are not the output's
    for t in 1 2 4; do
        sed -i -E '/^(elapsed|packets\/s) /d' "$tmp/err.$t" "$tmp/all.$t"
    done
    local ok=1
    for t in 2 4; do
        for f in out err rc all; do
            if ! cmp -s "$tmp/$f.1" "$tmp/$f.$t"; then
                echo "FAIL $name: --threads $t: $f differs from --threads 1: $*"
                cmp "$tmp/$f.1" "$tmp/$f.$t" | head -3
                ok=0
            fi
        done
    done
    # a case that writes nothing would prove nothing
    if [ ! -s "$tmp/out.1" ] && [ "$name" != full-disk ]; then
        echo "FAIL $name: no output at all"
        ok=0
    fi
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

a=$tmp/a.pcap
run csv "$a"
run q -f q "$a"
run q-table -f q --table t --columns frame,time,flags,stream,analysis "$a"
run columns --columns time,src,dest,stream,rseq,rack,win,analysis,inflight,ackrtt "$a"
run no-header --no-header --sym 'x\y' "$a"
run q-sym -f q --sym 'a\b' "$a"
run count -c 12345 "$a"
run q-count -f q -c 2500 "$a"
run filter --port 5001 --proto tcp "$a"
run stats --stats "$a"
run several -f q "$a" "$tmp/b.pcapng" "$a"
run several-csv "$a" "$tmp/b.pcapng"
run pcapng "$tmp/b.pcapng"
run skipped "$tmp/skip.pcapng"
run damaged "$tmp/damaged.pcap"
run damaged-q -f q "$tmp/damaged.pcap"
run cut "$tmp/cut.pcap" "$a"
# the compressed capture cut in the middle: gzip fails, inside a record
command -v gzip > /dev/null || { echo "FAIL: gzip is not installed (README's setup installs it)"; exit 1; }
gzip -c "$a" > "$tmp/a.pcap.gz"
head -c $(($(wc -c < "$tmp/a.pcap.gz") / 2)) "$tmp/a.pcap.gz" > "$tmp/cut.pcap.gz"
run compressed-cut --stats "$tmp/cut.pcap.gz" "$a"
# (not -f q: a pipe's pauses cut its insert statements, README "--threads")
run data --columns time,data,hash "$a"   # one-thread path: must say the same
run mac --columns frame,smac,dmac "$tmp/mac.pcap"
run mac-q -f q --columns frame,smac "$tmp/mac.pcap"
run mac-tunnel --columns frame,smac,dmac,tunnel "$tmp/frag.pcap"
stdin_file=$tmp/mac.pcap run mac-stdin --columns frame,smac,dmac -
run flows --flows "$a"
run fix --fix "$a"
run full-disk -o /dev/full "$a"

# the fuzz corpus and seeds (small, often damaged captures): a row before
# the damage, the message, the exit code, in both formats
for f in "$(dirname "$0")"/fuzz/corpus/fuzz_convert/* "$(dirname "$0")"/fuzz/seeds/fuzz_convert/*; do
    [ -f "$f" ] || continue
    for fmt in csv q; do
        for t in 1 2 4; do
            "$bin" --threads "$t" -f "$fmt" --columns time,src,dest,flags,stream,analysis "$f" \
                > "$tmp/all.$t" 2>&1 < /dev/null
            echo "exit $?" >> "$tmp/all.$t"
        done
        if cmp -s "$tmp/all.1" "$tmp/all.2" && cmp -s "$tmp/all.1" "$tmp/all.4"; then
            passed=$((passed + 1))
        else
            echo "FAIL fuzz input $f -f $fmt: the output depends on --threads"
            failed=$((failed + 1))
        fi
    done
done

# a reader that goes away: quiet, exit 0, whatever the threads
for t in 1 2 4; do
    "$bin" --threads "$t" "$a" 2> "$tmp/pipe.err" | head -c 100000 > /dev/null
    rc=${PIPESTATUS[0]}
    if [ "$rc" = 0 ] && [ ! -s "$tmp/pipe.err" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL closed-pipe: --threads $t: exit $rc, stderr: $(head -c 200 "$tmp/pipe.err")"
        failed=$((failed + 1))
    fi
done

# a reader gone before the run starts and damaged input: the rows before
# the damage are written before its message, which that write finds the
# reader gone: no message, exit 0 (threads_faults has the exact cases)
for t in 1 2 4; do
    for f in "$tmp/damaged.pcap" "$tmp/cut.pcap" "$tmp/skip.pcapng" "$tmp/cut.pcap.gz"; do
        python3 -c 'import os, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 1)
os.execv(sys.argv[1], sys.argv[1:])' "$bin" --threads "$t" "$f" 2> "$tmp/pipe.err" < /dev/null
        rc=$?
        if [ "$rc" = 0 ] && [ ! -s "$tmp/pipe.err" ]; then
            passed=$((passed + 1))
        else
            echo "FAIL closed-before-the-run $f: --threads $t: exit $rc, stderr: $(head -c 200 "$tmp/pipe.err")"
            failed=$((failed + 1))
        fi
    done
done

# the option itself
for bad in 0 9 x ''; do
    if "$bin" --threads "$bad" "$a" > /dev/null 2>&1; then
        echo "FAIL --threads '$bad' accepted"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
msg=$("$bin" --threads 2 --threads 2 "$a" 2>&1 > /dev/null)
if [ "$msg" = "pcap2kdb: --threads given twice (see --help)" ] ||
   [ "${msg#pcap2kdb: --threads given twice}" != "$msg" ]; then
    passed=$((passed + 1))
else
    echo "FAIL --threads twice: $msg"
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
