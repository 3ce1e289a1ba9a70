#!/usr/bin/env bash
# --threads (#19): the output is byte-identical whatever the number of
# threads. On captures of many batches (the pipeline hands rows over 1024 at
# a time) every case runs with --threads 1, 2 and 4 (4: three formatting
# threads, whose batches must still be written in order) and must give the
# same stdout, stderr, the same interleaving of both in one file, and the
# same exit code: formats, column choices, -c, filters, several inputs,
# damaged input (messages at the right row), pcapng, a full disk, a closed
# pipe.
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

# run NAME ARGS...: the same under --threads 1, 2 and 4
run() {
    local name=$1 t
    shift
    for t in 1 2 4; do
        "$bin" --threads "$t" "$@" > "$tmp/out.$t" 2> "$tmp/err.$t" < /dev/null
        echo $? > "$tmp/rc.$t"
        "$bin" --threads "$t" "$@" > "$tmp/all.$t" 2>&1 < /dev/null
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
run damaged "$tmp/damaged.pcap"
run damaged-q -f q "$tmp/damaged.pcap"
run cut "$tmp/cut.pcap" "$a"
run data --columns time,data,hash "$a"   # one-thread path: must say the same
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
