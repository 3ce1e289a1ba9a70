#!/usr/bin/env bash
# Compressed captures on standard input, through a pipe, a redirected file
# (read from where its offset stands) and a named FIFO (README "Inputs"):
# recognised by their first bytes as a named file is, so each gives the
# rows the plain capture gives. Also: damaged compressed data on a pipe is
# the decompressor's message and exit 2, as for a file; -c stops at once
# while the writer of the pipe is still writing (its feeder is stopped,
# nothing waits for the writer); a missing decompressor is named (exit 1).
#
# The oracle is the plain capture, converted as a named file, and for the
# damaged one the decompressor's own output (`PROG -dc`), converted so.
#
#   tests/compressed_stream_test.sh PCAP2KDB
#
# The last line is "N passed, N failed".
set -u
[ $# -eq 1 ] || { echo "usage: $0 PCAP2KDB" >&2; exit 64; }
bin=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-zstream.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok; else fail "$1: want [${2:0:400}], got [${3:0:400}]"; fi; }

# c.pcap: 3,000 UDP packets with pseudo-random payloads
python3 - <<'PY'
import struct
x = 777
def rnd():
    global x
    x = (x * 1103515245 + 12345) & 0x7fffffff
    return x >> 16
recs = []
for i in range(3000):
    body = bytes(rnd() % 256 for _ in range(20 + rnd() % 200))
    udp = struct.pack('>HHHH', 5000 + i % 3, 6000, 8 + len(body), 0) + body
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 1, 1])) + udp
    fr = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip
    recs.append(struct.pack('<IIII', 1700000000 + i // 100, (i % 100) * 10000, len(fr), len(fr)) + fr)
open('c.pcap', 'wb').write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + b''.join(recs))
PY
[ -s c.pcap ] || { echo "FAIL: python3 made no capture"; exit 1; }
"$bin" --sym c c.pcap > want.csv || fail "plain capture: exit $?"
[ "$(wc -l < want.csv)" = 3001 ] || fail "plain capture: $(wc -l < want.csv) lines, want 3001"

for z in "gzip gz" "zstd zst" "xz xz"; do
    read -r prog ext <<< "$z"
    command -v "$prog" > /dev/null || { fail "$prog is not installed"; continue; }
    "$prog" -c c.pcap > "c.$ext"
    for t in 1 2; do
        cat "c.$ext" | "$bin" --threads "$t" --sym c - > got.csv 2> err
        expect "$ext on a pipe --threads $t: exit" 0 "${PIPESTATUS[1]}"
        expect "$ext on a pipe --threads $t: rows" "$(md5sum < want.csv)" "$(md5sum < got.csv)"
        expect "$ext on a pipe --threads $t: stderr" "" "$(cat err)"
    done
    got=$("$bin" --sym c - < "c.$ext" | md5sum)
    expect "$ext redirected: rows" "$(md5sum < want.csv)" "$got"
    # a redirected file is read from where its offset stands
    { printf 'junk'; cat "c.$ext"; } > "j.$ext"
    got=$({ dd bs=4 count=1 of=/dev/null status=none; "$bin" --sym c -; } < "j.$ext" | md5sum)
    expect "$ext redirected, offset 4: rows" "$(md5sum < want.csv)" "$got"
    rm -f fifo && mkfifo fifo
    cat "c.$ext" > fifo &
    got=$("$bin" --sym c fifo | md5sum)
    wait
    expect "$ext from a FIFO: rows" "$(md5sum < want.csv)" "$got"
    # damaged on a pipe: the decompressor's message where its output's rows stop
    python3 -c "
import sys; d = bytearray(open('c.$ext', 'rb').read()); d[len(d) // 2] ^= 0x55
open('flip.$ext', 'wb').write(d)"
    "$prog" -dc < "flip.$ext" > flip.pcap 2> /dev/null && fail "flip.$ext: not damaged"
    "$bin" --sym c flip.pcap > want_flip.csv 2> want_flip.err
    at=$(sed -nE 's/^pcap2kdb: [^:]*: offset ([0-9]+): .*/\1/p' want_flip.err)
    [ -n "$at" ] || at=$(stat -c %s flip.pcap)
    cat "flip.$ext" | "$bin" --sym c - > got.csv 2> err
    expect "flip.$ext on a pipe: exit" 2 "${PIPESTATUS[1]}"
    expect "flip.$ext on a pipe: rows" "$(md5sum < want_flip.csv)" "$(md5sum < got.csv)"
    expect "flip.$ext on a pipe: message" \
        "pcap2kdb: -: offset $at: $prog -dc failed: damaged compressed data" "$(cat err)"
    # -c 1 with the pipe's writer still writing for a minute: ends at once
    # (timeout turns a wait for the writer into exit 124)
    rm -f slow && mkfifo slow
    (cat "c.$ext"; exec sleep 60) > slow &
    writer=$!
    timeout 20 "$bin" -c 1 --sym c - < slow > got.csv 2> err
    expect "$ext on a pipe, -c 1, writer still writing: exit" 0 "$?"
    kill "$writer" 2> /dev/null
    wait "$writer" 2> /dev/null
    expect "$ext on a pipe, -c 1: rows" "$(head -2 want.csv)" "$(cat got.csv)"
done

# no gzip on PATH: the program to install is named, exit 1
gzip -c c.pcap | PATH=/nonexistent "$bin" - > /dev/null 2> err
expect "gzip missing: exit" 1 "${PIPESTATUS[1]}"
expect "gzip missing: message" "pcap2kdb: -: compressed with gzip, which is not installed (install gzip)" "$(cat err)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
