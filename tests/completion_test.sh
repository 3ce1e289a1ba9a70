#!/usr/bin/env bash
# Checks completion/pcap2kdb.bash against the binary:
#   tests/completion_test.sh PCAP2KDB_BINARY
# - its column list is the binary's (from the "unknown column" message);
# - every option of --help completes; --columns and -f complete values.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$1
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
shopt -s extglob
# shellcheck source=/dev/null
source "$here/../completion/pcap2kdb.bash"
failed=0 passed=0
check() { # name, condition result (0 ok)
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"
    else failed=$((failed + 1)); echo "FAIL $1 ${3:-}"; fi
}
complete_words() { # the words of a command line, the last one being completed
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _pcap2kdb
    printf '%s\n' "${COMPREPLY[@]}"
}

want=$("$bin" --columns '?' 2>&1 | sed -n 's/.*valid columns: *//p' | head -1 | tr ',' '\n' | sort)
have=$(printf '%s\n' $_pcap2kdb_columns | sort)
[ -n "$want" ] && [ "$want" = "$have" ]; check "column names match the binary's" $? \
    "$(diff <(echo "$want") <(echo "$have") | tr '\n' ' ')"

opts=$("$bin" --help | grep -oE -- '(^|[ ,])--?[A-Za-z][-A-Za-z]*' | tr -d ' ,' | sort -u)
got=$(complete_words "$bin" - | sort -u)
[ -n "$opts" ] && [ "$opts" = "$got" ]; check "every --help option completes" $? \
    "$(diff <(echo "$opts") <(echo "$got") | tr '\n' ' ')"

got=$(complete_words "$bin" --pro)
[ "$got" = "$(printf '%s\n' --progress --proto)" ]; check "--pro completes to --progress --proto" $? "$got"

# each mode's own columns (#18), from --list-columns
got=$(complete_words "$bin" --fix --columns msg)
[ "$got" = "msgtype" ]; check "--fix --columns completes FIX columns" $? "$got"
got=$(complete_words "$bin" --kdb --columns fu)
[ "$got" = "func" ]; check "--kdb --columns completes kdb columns" $? "$got"
got=$(complete_words "$bin" --columns time,fl)
[ "$got" = "time,flags" ]; check "--columns completes packet columns" $? "$got"

got=$(complete_words "$bin" -f "")
[ "$got" = "$(printf 'csv\nq')" ]; check "-f completes csv q" $? "$got"

got=$(complete_words "$bin" --columns "frame,s")
[ "$got" = "$(printf 'frame,sym\nframe,src\nframe,srcport\nframe,seq\nframe,stream\nframe,smac')" ]
check "--columns completes after a comma" $? "$(echo $got)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
