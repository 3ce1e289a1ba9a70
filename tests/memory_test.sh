#!/usr/bin/env bash
# Peak memory of pcap2kdb stays bounded whatever the capture holds.
#
#   tests/memory_test.sh PCAP2KDB GEN_FIXTRAFFIC [LIMIT_MIB]    (default 16)
#
# Each case streams a capture from tests/bench/gen_fixtraffic (or a small
# inline generator) through a pipe into `pcap2kdb -` (nothing is written to
# disk), measures the converter's peak RSS with GNU `/usr/bin/time -v`, and
# fails when it reaches LIMIT_MIB:
#   packets   2,000,000 packets of FIX sessions, pcap, default columns, CSV
#   packets_q 1,000,000 packets of the same traffic as pcapng, every column, -f q
#   flows_default 1,000,000 distinct TCP connections (5,000,000 packets),
#             default columns
#   flows     the same with the flow-table columns (stream, rseq, rack, win,
#             wscale, analysis)
#   jumbo_q   1,500 UDP packets of 65,000 bytes, -f q with the data column
#             (q batches must not hold 1,000 rows of 128 KiB hex each);
#             needs python3 (a failure without it: README installs it)
#   frags, frags_data, frags_fix  100,000 IPv4 fragments of datagrams that
#             never complete (the fragment table's bounds), default columns,
#             the data column, --fix; python3 too
#   fix       --fix on 1,000,000 packets of FIX sessions
#   fix_flows --fix -f q on the 1,000,000 connections
#   flows_rows --flows on the 1,000,000 connections
# The last three keep per-connection state of their own (reassembly,
# --flows summaries and, since #16, the lists of unacknowledged segments
# behind smaxflight/srtt*: 12 MiB for 65,536 slots) in tables of fixed size:
# they are held to MODE_LIMIT_MIB (default 48; --flows measured 40 MiB),
# which catches growth with the number of connections (a byte per
# connection would add 1 MiB per million); the 16 MiB target applies to the
# packet table.
# ctest runs it with the label "memory" (ctest -L memory); it takes well under
# a minute on an idle machine. The last line is "N passed, N failed".
set -u

[ $# -ge 2 ] || { echo "usage: $0 PCAP2KDB GEN_FIXTRAFFIC [LIMIT_MIB]" >&2; exit 64; }
bin=$1 gen=$2 limit_mib=${3:-16} mode_limit_mib=${MODE_LIMIT_MIB:-48}
timecmd=/usr/bin/time
if ! "$timecmd" -v true > /dev/null 2>&1; then
    echo "$0: GNU time (/usr/bin/time -v) is needed: apt-get install time" >&2
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-mem.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0

# measure NAME PRODUCER_COMMAND LIMIT_MIB -- PCAP2KDB_ARGS...: PRODUCER's
# stdout is piped into `pcap2kdb ARGS -`; the converter's peak RSS is checked.
measure() {
    local name=$1 producer=$2 lim=$3
    local limit_kib=$((lim * 1024))
    shift 4
    local t0=$SECONDS
    bash -c "$producer" 2> "$tmp/gen.err" |
        "$timecmd" -v -o "$tmp/time" "$bin" "$@" - > /dev/null 2> "$tmp/err"
    local st=("${PIPESTATUS[@]}")
    local kib
    kib=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time")
    local what
    what=$(cat "$tmp/gen.err")
    if [ "${st[0]}" != 0 ] || [ "${st[1]}" != 0 ] || [ -z "$kib" ] || [ -s "$tmp/err" ]; then
        echo "FAIL $name: generator exit ${st[0]}, pcap2kdb exit ${st[1]}"
        sed 's/^/  /' "$tmp/gen.err" "$tmp/err" "$tmp/time" | head -20
        failed=$((failed + 1))
    elif [ "$kib" -ge "$limit_kib" ]; then
        echo "FAIL $name: peak RSS $((kib / 1024)).$(((kib % 1024) * 10 / 1024)) MiB" \
             ">= $lim MiB (pcap2kdb $*) [$what]"
        failed=$((failed + 1))
    else
        echo "ok   $name: peak RSS $((kib / 1024)).$(((kib % 1024) * 10 / 1024)) MiB" \
             "< $lim MiB ($((SECONDS - t0)) s; pcap2kdb $*) [$what]"
        passed=$((passed + 1))
    fi
}

all=$("$bin" --columns '?' 2>&1 | sed -n 's/.*valid columns: *//p' | head -1)
all=${all// /}
[ -n "$all" ] || { echo "$0: cannot learn the column names from $bin" >&2; exit 1; }

q() { printf '%q' "$1"; }
measure packets "$(q "$gen") -n 2000000 -f pcap" "$limit_mib" -- -f csv
measure packets_q "$(q "$gen") -n 1000000 -f pcapng" "$limit_mib" -- -f q --columns "$all"
measure flows_default "$(q "$gen") --flows 1000000 -f pcap" "$limit_mib" -- -f csv
measure flows "$(q "$gen") --flows 1000000 -f pcap" "$limit_mib" -- \
    --columns time,src,dest,srcport,destport,flags,stream,rseq,rack,win,wscale,analysis

if command -v python3 > /dev/null 2>&1; then
    jumbo='import struct, sys
o = sys.stdout.buffer
o.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 101))
pay = (bytes(range(256)) * 254)[:65000]
for i in range(1500):
    udp = struct.pack(">HHHH", 1000, 2000, 8 + len(pay), 0) + pay
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 0, i, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
    o.write(struct.pack("<IIII", 1700000000 + i, 0, len(ip), len(ip)) + ip)
sys.stderr.write("1500 packets of %d bytes" % len(ip))'
    printf '%s\n' "$jumbo" > "$tmp/jumbo.py"
    measure jumbo_q "python3 $(q "$tmp/jumbo.py")" "$limit_mib" -- -f q --columns time,len,data
    # IP fragments that never complete: the fragment table stays bounded,
    # keeping datagram heads (packet rows) or whole payloads (data column)
    frags='import struct, sys
o = sys.stdout.buffer
o.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 101))
pay = (bytes(range(256)) * 6)[:1480]
for i in range(100000):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(pay), i & 0xFFFF,
                     0x2000 | (i % 7) * 185, 64, 17, 0,
                     bytes([10, 1, i >> 16 & 255, 1]), bytes([10, 0, 0, 2])) + pay
    o.write(struct.pack("<IIII", 1700000000, i, len(ip), len(ip)) + ip)
sys.stderr.write("100000 IPv4 fragments of %d bytes, none completes" % len(ip))'
    printf '%s\n' "$frags" > "$tmp/frags.py"
    measure frags "python3 $(q "$tmp/frags.py")" "$limit_mib" -- -f csv
    measure frags_data "python3 $(q "$tmp/frags.py")" "$limit_mib" -- --columns time,len,data
    measure frags_fix "python3 $(q "$tmp/frags.py")" "$mode_limit_mib" -- --fix
else
    # README's setup installs python3: its absence is a broken setup
    echo "FAIL jumbo_q, frags: python3 is not installed"
    failed=$((failed + 1))
fi

# Out of memory (here: a 200 MiB record under a 150 MB address-space
# limit) exits 3 with a message naming where, and nothing else (README
# "Exit codes"; the sanitizer builds cannot run under ulimit -v, so this
# lives here, in the normal build's memory tier)
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x01\x00\x00\x00' > "$tmp/oom.pcap"
printf '\x00\xf1\x53\x65\x00\x00\x00\x00\x00\x00\x80\x0c\x00\x00\x80\x0c' >> "$tmp/oom.pcap"
oom_err=$( (ulimit -v 150000; { cat "$tmp/oom.pcap"; head -c 210000000 /dev/zero; } | "$bin" - 2>&1 > /dev/null; echo "exit $?") )
if [ "$oom_err" = "pcap2kdb: -: offset 24: out of memory
exit 3" ]; then
    echo "ok   out_of_memory: exit 3, one message"
    passed=$((passed + 1))
else
    echo "FAIL out_of_memory: [$oom_err]"
    failed=$((failed + 1))
fi

measure fix "$(q "$gen") -n 1000000 -f pcap" "$mode_limit_mib" -- --fix
measure fix_flows "$(q "$gen") --flows 1000000 -f pcap" "$mode_limit_mib" -- --fix -f q
measure flows_rows "$(q "$gen") --flows 1000000 -f pcap" "$mode_limit_mib" -- --flows

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
