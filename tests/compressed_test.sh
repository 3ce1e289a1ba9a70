#!/usr/bin/env bash
# Compressed captures (README "Inputs"), in two sections:
#
# damage: when the decompressor fails, that is the one message,
# `FILE: offset N: PROG -dc failed: damaged compressed data`, exit 2,
# wherever the reader met the damage: at the end of the decompressor's
# output (often inside a record: a cut file), or earlier, in bytes it wrote
# out before its check failed (gzip, zstd and xz check a checksum after the
# data it covers). N is where the rows stop, and the rows are those the
# bytes it wrote give. A capture damaged before it was compressed keeps the
# reader's message. The oracle is the decompressor itself: `PROG -dc`
# writes the bytes we are given into a file (and must fail, or the
# generator made no damage), and that file converted as a plain capture
# gives the rows, and the offset where reading stops (its message's, or its
# length when it ends cleanly). For gzip, zstd and xz: a byte flipped in
# the middle of the compressed file, and the file cut in the middle;
# --threads 1 and 2.
#
# streams: compressed captures on standard input, through a pipe, a
# redirected file (read from where its offset stands) and a named FIFO are
# recognised by their first bytes as a named file is, so each gives the
# rows the plain capture gives (the oracle: the plain capture converted as
# a named file). Damaged compressed data on a pipe: exit 2, the rows the
# decompressor's output gives, its message when that output ended, else
# the reader's (the rest of a pipe is not read), also while the pipe's
# writer is still writing; -c stops at once while the writer is still
# writing; a zstd stream that starts with skippable frames is zstd too;
# gzip's warning about trailing bytes is no failure; a missing
# decompressor is named (exit 1).
#
#   tests/compressed_test.sh PCAP2KDB damage|streams
#
# The last line is "N passed, N failed".
set -u
[ $# -eq 2 ] || { echo "usage: $0 PCAP2KDB damage|streams" >&2; exit 64; }
section=$2
bin=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-compressed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
mkdir plain
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok; else fail "$1: want [${2:0:600}], got [${3:0:600}]"; fi; }

# make_captures text|random: c.pcap, 3,000 UDP packets whose payloads are
# numbers from a fixed pseudo-random sequence (text: compressible, so the
# compressed file is far shorter, but not trivially) or its bytes (random:
# compressed, still over 32 KiB, as gzip fills its 32 KiB input buffer
# before it writes anything); d.pcap: the same with record 1,001's
# captured length made impossible (a capture damaged before compression)
make_captures() {
    python3 - "$1" <<'EOF'
import struct, sys
x = 12345
def rnd():
    global x
    x = (x * 1103515245 + 12345) & 0x7fffffff
    return x >> 16
recs = []
for i in range(3000):
    n = 20 + rnd() % 180
    if sys.argv[1] == 'text':
        body = b''.join(b'%d,' % (rnd() % 1000) for _ in range(n // 4))[:n]
    else:
        body = bytes(rnd() % 256 for _ in range(n))
    udp = struct.pack('>HHHH', 5000 + i % 7, 6000, 8 + len(body), 0) + body
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1 + i % 5]), bytes([10, 0, 1, 1])) + udp
    fr = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip
    recs.append(struct.pack('<IIII', 1700000000 + i // 100, (i % 100) * 10000, len(fr), len(fr)) + fr)
hdr = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
open('c.pcap', 'wb').write(hdr + b''.join(recs))
bad = bytearray(recs[1000])
struct.pack_into('<I', bad, 8, 0x7ffffff0)
open('d.pcap', 'wb').write(hdr + b''.join(recs[:1000]) + bad + b''.join(recs[1001:]))
EOF
    [ -s c.pcap ] && [ -s d.pcap ] || { echo "FAIL: python3 made no capture"; exit 1; }
}

# damage FILE: a copy of FILE with the byte in its middle flipped (flip.FILE)
# and one of its first half (cut.FILE)
damage() {
    python3 - "$1" <<'EOF'
import sys
name = sys.argv[1]
d = bytearray(open(name, 'rb').read())
open('cut.' + name, 'wb').write(d[:len(d) // 2])
d[len(d) // 2] ^= 0x55
open('flip.' + name, 'wb').write(d)
EOF
}

# check NAME PROG WANT_DECOMPRESSOR: FILE converted with --threads 1 and 2
# against plain/FILE, the bytes PROG -dc gives, converted as a plain
# capture: the same rows; the same message, or the decompressor's at the
# offset where the plain one stops; --stats alike (but damaged 1); exit 2.
check() {
    local f=$1 prog=$2 blame=$3 t want_err want_rc
    (cd plain && "$bin" --threads 1 --sym c --stats "$f" > ../want.csv 2> ../want.all)
    want_rc=$?
    grep -Ev '^(elapsed|packets/s) ' want.all | grep -Ev '^[a-z_/]+ {2,}' > want.err
    grep -E '^[a-z_/]+ {2,}' want.all | grep -Ev '^(elapsed|packets/s) ' |
        sed -E 's/^damaged .*/damaged      1/' > want.stats
    if [ "$blame" = yes ]; then
        local at
        at=$(sed -nE 's/^pcap2kdb: [^:]*: offset ([0-9]+): .*/\1/p' want.err)
        [ -n "$at" ] || at=$(stat -c %s "plain/$f")
        want_err="pcap2kdb: $f: offset $at: $prog -dc failed: damaged compressed data"
    else
        want_err=$(cat want.err)
        expect "$f: the plain capture is damaged" 2 "$want_rc"
    fi
    for t in 1 2; do
        timeout 60 "$bin" --threads "$t" --sym c --stats "$f" > got.csv 2> got.all
        expect "$f --threads $t: exit" 2 "$?"
        expect "$f --threads $t: message" "$want_err" \
            "$(grep -Ev '^[a-z_/]+ {2,}' got.all)"
        expect "$f --threads $t: --stats" "$(cat want.stats)" \
            "$(grep -E '^[a-z_/]+ {2,}' got.all | grep -Ev '^(elapsed|packets/s) ')"
        if cmp -s want.csv got.csv; then ok; else fail "$f --threads $t: rows differ from plain/$f's"; fi
    done
}

case $section in
damage)
make_captures text
for z in "gzip gz" "zstd zst" "xz xz"; do
    read -r prog ext <<< "$z"
    # README's setup installs gzip, zstd and xz-utils: a missing one is a
    # broken setup, not a reason to skip
    command -v "$prog" > /dev/null || { fail "$prog is not installed"; continue; }
    "$prog" -c c.pcap > "c.$ext"
    damage "c.$ext"
    for f in "flip.c.$ext" "cut.c.$ext"; do
        "$prog" -dc < "$f" > "plain/$f" 2> /dev/null
        if [ $? = 0 ]; then
            fail "$f: $prog -dc succeeded: the generator made no damage"
            continue
        fi
        check "$f" "$prog" yes
    done
    # sound compressed data, a damaged capture inside: the reader's message
    # (the decompressor, read to its end, exits 0)
    "$prog" -c d.pcap > "d.$ext"
    "$prog" -dc < "d.$ext" > "plain/d.$ext"
    check "d.$ext" "$prog" no
    head -c 100000 c.pcap | "$prog" -c > "short.$ext"
    head -c 100000 c.pcap > "plain/short.$ext"
    check "short.$ext" "$prog" no
done
;;
streams)
make_captures random
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
    # damaged on a pipe: the rows its output gives; the decompressor's
    # message where they stop when its output ended (the reader met its end,
    # inside a record or between two), else the reader's own message (the
    # rest of a pipe is not read: its writer may never stop). The same with
    # the writer still writing for a minute, without waiting for it, when
    # the reader stopped on its own.
    python3 -c "
import sys; d = bytearray(open('c.$ext', 'rb').read()); d[len(d) // 2] ^= 0x55
open('flip.$ext', 'wb').write(d)"
    "$prog" -dc < "flip.$ext" > flip.pcap 2> /dev/null && fail "flip.$ext: not damaged"
    "$bin" --sym c flip.pcap > want_flip.csv 2> want_flip.err
    at=$(sed -nE 's/^pcap2kdb: [^:]*: offset ([0-9]+): .*/\1/p' want_flip.err)
    case $(cat want_flip.err) in
    "" | *"record cut short"*)
        [ -n "$at" ] || at=$(stat -c %s flip.pcap)
        want_err="pcap2kdb: -: offset $at: $prog -dc failed: damaged compressed data" ;;
    *) want_err=$(sed 's/^pcap2kdb: flip.pcap: /pcap2kdb: -: /' want_flip.err) ;;
    esac
    cat "flip.$ext" | "$bin" --sym c - > got.csv 2> err
    expect "flip.$ext on a pipe: exit" 2 "${PIPESTATUS[1]}"
    expect "flip.$ext on a pipe: rows" "$(md5sum < want_flip.csv)" "$(md5sum < got.csv)"
    expect "flip.$ext on a pipe: message" "$want_err" "$(cat err)"
    if [ "$want_err" = "$(sed 's/^pcap2kdb: flip.pcap: /pcap2kdb: -: /' want_flip.err)" ]; then
        # the reader stopped on its own (else it waits, as on any pipe,
        # for the rest of a record that more input may bring)
        rm -f slow && mkfifo slow
        (cat "flip.$ext"; exec sleep 60) > slow &
        writer=$!
        timeout 20 "$bin" --sym c - < slow > got.csv 2> err
        expect "flip.$ext on a pipe, writer still writing: exit" 2 "$?"
        kill "$writer" 2> /dev/null
        wait "$writer" 2> /dev/null
        expect "flip.$ext on a pipe, writer still writing: rows" "$(md5sum < want_flip.csv)" \
            "$(md5sum < got.csv)"
        expect "flip.$ext on a pipe, writer still writing: message" "$want_err" "$(cat err)"
    fi
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

# zstd skippable frames (RFC 8878 3.1.2: magic 0x184D2A50 to 0x184D2A5F,
# little-endian, a 4-byte length, that many bytes; pzstd starts every file
# with one) before the zstd frame: a zstd stream all the same, named or on
# a pipe; the oracle is zstd -dc's reading of the same file
# same_rows_named_and_piped WHAT FILE: FILE read named and on a pipe gives
# the plain capture's rows (want.csv), exit 0 and no message
same_rows_named_and_piped() {
    "$bin" --sym c "$2" > got.csv 2> err
    expect "$1, named file: exit" 0 "$?"
    expect "$1, named file: rows" "$(md5sum < want.csv)" "$(md5sum < got.csv)"
    expect "$1, named file: stderr" "" "$(cat err)"
    cat "$2" | "$bin" --sym c - > got.csv 2> err
    expect "$1 on a pipe: exit" 0 "${PIPESTATUS[1]}"
    expect "$1 on a pipe: rows" "$(md5sum < want.csv)" "$(md5sum < got.csv)"
    expect "$1 on a pipe: stderr" "" "$(cat err)"
}

if command -v zstd > /dev/null; then
    zstd -q -c c.pcap > c.zst
    for magic in 0x184D2A50 0x184D2A5F; do
        python3 -c "
import struct, sys
skip = lambda m, data: struct.pack('<II', m, len(data)) + data
open('skip.zst', 'wb').write(skip($magic, b'pzstd?\\0\\1') + skip(0x184D2A53, b'') +
                             open('c.zst', 'rb').read())"
        zstd -dc < skip.zst | cmp -s - c.pcap || fail "skip.zst ($magic): zstd -dc does not give c.pcap"
        same_rows_named_and_piped "skippable frame $magic" skip.zst
    done
fi

# a sound gzip member, then bytes that are not gzip data: gzip -dc writes
# the whole member, warns "decompression OK, trailing garbage ignored" and
# exits 2, its warning status (gzip(1): an error gives 1); the rows are
# the plain capture's, exit 0, no message, named or on a pipe. (A cut
# member, gzip's error, stays damage: cut.c.gz in the damage section.)
gzip -c c.pcap > c.gz
{ cat c.gz; printf 'garbage\n'; } > trail.gz
gzip -dc < trail.gz 2> /dev/null | cmp -s - c.pcap
expect "trail.gz: gzip -dc's exit (the oracle)" "2 0" "${PIPESTATUS[*]}"
same_rows_named_and_piped "gzip with trailing garbage" trail.gz

# no gzip on PATH: the program to install is named, exit 1
gzip -c c.pcap | PATH=/nonexistent "$bin" - > /dev/null 2> err
expect "gzip missing: exit" 1 "${PIPESTATUS[1]}"
expect "gzip missing: message" "pcap2kdb: -: compressed with gzip, which is not installed (install gzip)" "$(cat err)"
;;
*) echo "usage: $0 PCAP2KDB damage|streams" >&2; exit 64 ;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
