#!/usr/bin/env bash
# Checks completion/pcap2kdb.bash against the binary:
#   tests/completion_test.sh PCAP2KDB_BINARY
# - its fallback lists (columns, options that take a value, --hwts formats)
#   are the binary's;
# - every option of --help completes; an option that takes a value completes
#   its values (-f, --publish-layout, --proto, --columns, --hwts, also after
#   a comma, never one the binary would refuse) or nothing, never files;
# - file names: a name with a space is one candidate, -o completes file names
#   (a directory gets its '/'), captures compressed with gzip, zstd or xz are
#   offered; a command word starting with ~ still reads options and columns.
# The checks run twice: with the completion alone (its compgen fallback), and
# with bash-completion loaded (its _filedir) when that is installed.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$1
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
mode=${2:-}
bash_completion=/usr/share/bash-completion/bash_completion

if [ -z "$mode" ]; then
    bash "$0" "$bin" plain; rc=$?
    if [ -r "$bash_completion" ]; then
        bash "$0" "$bin" bash-completion || rc=1
    else
        echo "SKIP with bash-completion loaded: $bash_completion is not installed"
    fi
    exit $rc
fi

if [ "$mode" = plain ]; then echo "== the completion alone"; else echo "== with bash-completion loaded"; fi
if [ "$mode" = bash-completion ]; then
    # shellcheck source=/dev/null
    source "$bash_completion"
fi
# the completion alone must not need extglob (an interactive bash without
# bash-completion has it off); bash-completion turns it on
[ "$mode" = plain ] && shopt -u extglob
# shellcheck source=/dev/null
source "$here/../completion/pcap2kdb.bash"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# compopt as a function: records the options the completion sets
compopt() { local IFS=" "; printf "%s\n" "$*" >> "$tmp/compopt"; }

failed=0 passed=0
check() { # name, condition result (0 ok)
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"
    else failed=$((failed + 1)); echo "FAIL $1 ${3:-}"; fi
}
complete_words() { # the words of a command line, the last one being completed
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    : > "$tmp/compopt"
    _pcap2kdb
    printf '%s\n' "${COMPREPLY[@]}"
}
lines() { printf '%s\n' "$@"; }

want=$("$bin" --columns '?' 2>&1 | sed -n 's/.*valid columns: *//p' | head -1 | tr ',' '\n' | sort)
have=$(printf '%s\n' $_pcap2kdb_columns | sort)
[ -n "$want" ] && [ "$want" = "$have" ]; check "column names match the binary's" $? \
    "$(diff <(echo "$want") <(echo "$have") | tr '\n' ' ')"

opts=$("$bin" --help | grep -oE -- '(^|[ ,])--?[A-Za-z][-A-Za-z]*' | tr -d ' ,' | sort -u)
got=$(complete_words "$bin" - | sort -u)
[ -n "$opts" ] && [ "$opts" = "$got" ]; check "every --help option completes" $? \
    "$(diff <(echo "$opts") <(echo "$got") | tr '\n' ' ')"

got=$(complete_words "$bin" --pro)
[ "$got" = "$(lines --progress --proto)" ]; check "--pro completes to --progress --proto" $? "$got"

# each mode's own columns (#18), from --list-columns
got=$(complete_words "$bin" --fix --columns msg)
[ "$got" = "msgtype" ]; check "--fix --columns completes FIX columns" $? "$got"
got=$(complete_words "$bin" --kdb --columns fu)
[ "$got" = "func" ]; check "--kdb --columns completes kdb columns" $? "$got"
got=$(complete_words "$bin" --columns time,fl)
[ "$got" = "time,flags" ]; check "--columns completes packet columns" $? "$got"

got=$(complete_words "$bin" -f "")
[ "$got" = "$(lines csv q)" ]; check "-f completes csv q" $? "$got"

got=$(complete_words "$bin" --columns "frame,s")
[ "$got" = "$(lines frame,sym frame,src frame,srcport frame,seq frame,stream frame,smac)" ]
check "--columns completes after a comma" $? "$(echo $got)"

# --columns offers nothing the binary refuses: a column twice, any after --flows
got=$(complete_words "$bin" --columns "time,ti")
[ "$got" = "time,tid" ]; check "--columns time,ti does not offer time again" $? "$(echo $got)"
got=$(complete_words "$bin" --columns "src,dest,srcport,s")
[ "$got" = "$(lines src,dest,srcport,sym src,dest,srcport,seq src,dest,srcport,stream src,dest,srcport,smac)" ]
check "--columns offers no column already in the list" $? "$(echo $got)"
got=$(complete_words "$bin" --flows --columns str)$(complete_words "$bin" --flows --columns "")
[ -z "$got" ]; check "--columns offers nothing with --flows" $? "$(echo $got)"

# options that take a value: the completion's fallback list is --help's, and
# each completes its values or nothing, never the files around it
help_vals=$("$bin" --help | grep -E '^ +-' | sed -E 's/^ +-[A-Za-z], /  /' |
            grep -E '^ +--?[A-Za-z][-A-Za-z]* [^ ]' | awk '{ print $1, $2 }')
[ -n "$help_vals" ] && [ "$help_vals" = "${_pcap2kdb_value_opts-}" ]
check "the options that take a value are --help's" $? \
    "$(diff <(echo "$help_vals") <(echo "${_pcap2kdb_value_opts-}") | tr '\n' ' ')"
[ "$(_pcap2kdb_help_value_opts "$bin" 2> /dev/null)" = "$help_vals" ]
check "the completion reads them from --help" $?

hwts=$("$bin" --columns time,hwtime --hwts '?' 2>&1 | sed -n 's/.*formats are //p' | tr -d ',')
hwts=${hwts% auto none}   # the formats of a list; auto and none stand alone
[ -n "$hwts" ] && [ "$hwts" = "${_pcap2kdb_hwts-}" ]
check "--hwts formats match the binary's" $? "$hwts"

mkdir "$tmp/dir" "$tmp/dir/outdir"
cd "$tmp/dir" || exit 1
for f in "day one.pcap" day1.pcap day1.pcap.gz day1.pcap.zst day1.pcapng.xz day1.pcapng.zst day.txt; do
    : > "$f"
done

while read -r o value; do
    got=$(complete_words "$bin" "$o" "")
    case $o in
        -o) want=$(lines "day one.pcap" day.txt day1.pcap day1.pcap.gz day1.pcap.zst day1.pcapng.xz day1.pcapng.zst outdir) ;;
        -f) want=$(lines csv q) ;;
        --publish-layout) want=$(lines tick plain) ;;
        --proto) want=$(lines tcp udp icmp icmpv6 sctp gre esp ah igmp arp lldp) ;;
        --hwts) want=$(lines auto none $hwts) ;;
        --columns) want=$(lines $_pcap2kdb_columns) ;;
        *) want= ;;
    esac
    [ "$(sort <<< "$got")" = "$(sort <<< "$want")" ]; rc=$?
    what="its values"
    [ -n "$want" ] || what=nothing
    [ "$o" != -o ] || what="file names"
    check "$o completes $what" $rc "$(echo $got)"
done <<< "$help_vals"
got=$(complete_words "$bin" --hwts ixia,)
[ "$got" = "$(lines ixia,metamako ixia,exablaze ixia,expcap ixia,arista)" ]
check "--hwts completes after a comma" $? "$(echo $got)"

# an option that a newer binary adds takes its value from --help, not files
printf '#!/bin/sh\nprintf "  -o FILE   out\\n      --new-thing N   new\\n      --flag    flag\\n"\n' > "$tmp/fake"
chmod +x "$tmp/fake"
got=$(complete_words "$tmp/fake" --new-thing "")
[ -z "$got" ]; check "a new value option of --help completes nothing" $? "$(echo $got)"

# file names
got=$(complete_words "$bin" day)
[ "$(sort <<< "$got")" = "$(lines "day one.pcap" day1.pcap day1.pcap.gz day1.pcap.zst day1.pcapng.xz day1.pcapng.zst | sort)" ]
check "captures: a name with a space is one candidate, .gz .zst .xz offered" $? "$(printf '[%s]' "${got//$'\n'/][}")"
got=$(complete_words "$bin" day1.pcapng.)
[ "$(sort <<< "$got")" = "$(lines day1.pcapng.xz day1.pcapng.zst)" ]
check "captures: .pcapng.zst and .pcapng.xz offered" $? "$(echo $got)"
# (as typed after an opening quote: non-interactive, only readline would
# take the backslash out of day\ o for bash-completion's compgen)
got=$(complete_words "$bin" "'day o")
[ "$got" = "day one.pcap" ]; check "captures: 'day o completes to 'day one.pcap'" $? "$(printf '[%s]' "${got//$'\n'/][}")"
complete_words "$bin" day1 > /dev/null
grep -qx -- '-o filenames' "$tmp/compopt"; check "captures complete as file names" $?
got=$(complete_words "$bin" -o "'day o")
[ "$got" = "day one.pcap" ]; check "-o: a name with a space is one candidate" $? "$(printf '[%s]' "${got//$'\n'/][}")"
got=$(complete_words "$bin" -o outd)
[ "$got" = outdir ] && grep -qx -- '-o filenames' "$tmp/compopt"
check "-o outd completes the directory as a file name (outdir/)" $? "$got / $(echo $(cat "$tmp/compopt"))"

# a command word starting with ~ (bash leaves the tilde to the completion)
mkdir -p "$tmp/home/bin"
ln -s "$bin" "$tmp/home/bin/pcap2kdb"
got=$(HOME=$tmp/home PATH=/usr/bin:/bin complete_words '~/bin/pcap2kdb' --pro)
[ "$got" = "$(lines --progress --proto)" ]; check "~/bin/pcap2kdb --pro completes options" $? "$got"
got=$(HOME=$tmp/home PATH=/usr/bin:/bin complete_words '~/bin/pcap2kdb' --fix --columns msg)
[ "$got" = "msgtype" ]; check "~/bin/pcap2kdb --fix --columns completes FIX columns" $? "$got"
cd / || exit 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
