# bash completion for pcap2kdb                          -*- shell-script -*-
# Installed as share/bash-completion/completions/pcap2kdb.
#
# Options, and which of them take a value, are read from `pcap2kdb --help`:
# an option written "--name ARG" takes one, and an ARG of the form "a|b"
# lists its values. New options therefore complete without changing this
# file. Column names come from `pcap2kdb --list-columns [MODE]` for the mode
# on the line. The lists below are the fallback when the binary cannot be
# run (tests/completion_test.sh checks each one against the binary).
#
# File names go through bash-completion's _filedir when it is loaded, else
# through compgen one name a line; either way as file names (a directory
# gets its '/', spaces and other special characters are quoted).

_pcap2kdb_columns="time sym src dest srcport destport protocol flags seq ack win
tsval tsecr length len frame caplen iface linktype vlan ttl ipid stream rseq rack
rawwin wscale mss analysis data
hwtime hwdev hwport hash
tunnel tsrc tdest tid
inflight pushbytes ackrtt acked irtt
file smac dmac ethertype"

# the options that take a value, and the value as --help writes it
_pcap2kdb_value_opts="-o FILE
-f csv|q
--columns LIST
--sym NAME
--table NAME
--data-max N
--tags LIST
--hwts LIST
--publish [HOST]:PORT[:USER:PASSWORD]
--publish-layout tick|plain
--batch N
--retry-for S
--port N
--host ADDR
--proto NAME
--from TIME
--to TIME
-c N
--threads N"

# --hwts: the formats of its comma-separated list; auto and none stand alone
_pcap2kdb_hwts="metamako exablaze expcap ixia arista"

# the captures offered first: pcap-looking names, plain or compressed in a
# form the tool reads (README "Compressed captures": gzip, zstd, xz)
_pcap2kdb_captures='@(pcap|pcapng|cap|dmp)?(.@(gz|zst|xz))'

# A word as typed, without its quotes and backslash escapes (nothing is
# expanded: no eval).
_pcap2kdb_dequote()
{
    local w=$1 out='' c q='' i
    for ((i = 0; i < ${#w}; i++)); do
        c=${w:i:1}
        if [[ $q == "'" ]]; then
            if [[ $c == "'" ]]; then q=; else out+=$c; fi
        elif [[ $c == "\\" ]]; then
            ((i++))
            out+=${w:i:1}
        elif [[ $q == '"' && $c == '"' ]]; then
            q=
        elif [[ -z $q && ( $c == "'" || $c == '"' ) ]]; then
            q=$c
        else
            out+=$c
        fi
    done
    printf '%s\n' "$out"
}

# The program of the command line: its word with a leading ~ or ~USER
# expanded (by looking up the home directory, not by eval), else pcap2kdb on
# the PATH when the word names nothing that runs.
_pcap2kdb_program()
{
    local c user home
    c=$(_pcap2kdb_dequote "$1")
    # shellcheck disable=SC2088 # the tilde is matched, not expanded
    case $c in
        '~' | '~/'*)
            c=$HOME${c#'~'} ;;
        '~'*)
            user=${c%%/*}
            user=${user#'~'}
            if [[ $user =~ ^[A-Za-z0-9._][-A-Za-z0-9._]*$ ]] &&
                home=$(getent passwd "$user" 2> /dev/null | cut -d: -f6) &&
                [[ -n $home ]]; then
                c=$home${c#'~'"$user"}
            fi ;;
    esac
    type -P -- "$c" > /dev/null 2>&1 || c=pcap2kdb
    printf '%s\n' "$c"
}

# The options of `PROGRAM --help` that take a value, "OPTION VALUE" a line.
_pcap2kdb_help_value_opts()
{
    "$1" --help 2> /dev/null |
        sed -nE 's/^ +(-[A-Za-z], )?(--?[A-Za-z][-A-Za-z]*) ([^ ]+)( {2,}.*)?$/\2 \3/p'
}

# File names for $cur (the word as typed), directories with a '/'. With an
# extglob pattern $1 of extensions (as _filedir takes it), the names that
# match it and the directories; all names when none match.
_pcap2kdb_files()
{
    if declare -F _filedir > /dev/null; then
        [[ -n ${1-} ]] && _filedir "$1"
        [[ ${#COMPREPLY[@]} -eq 0 ]] && _filedir
        return 0
    fi
    # without bash-completion: compgen, one name a line (mapfile), so that a
    # name with spaces stays one candidate and none is globbed
    local word extglob
    word=$(_pcap2kdb_dequote "$cur")
    extglob=$(shopt -p extglob)
    shopt -s extglob
    if [[ -n ${1-} ]]; then
        mapfile -t COMPREPLY < <(compgen -o plusdirs -f -X "!*.@($1|${1^^})" -- "$word")
    fi
    [[ ${#COMPREPLY[@]} -eq 0 ]] && mapfile -t COMPREPLY < <(compgen -f -- "$word")
    $extglob
    compopt -o filenames 2> /dev/null
    return 0
}

# The item after the last comma of a comma-separated list in $cur: each of
# the words given that the list does not hold yet, after what is before it.
_pcap2kdb_list_item()
{
    local done=${cur%"${cur##*,}"} word=${cur##*,} c
    for c in "$@"; do
        [[ $c == "$word"* && ",$done" != *",$c,"* ]] && COMPREPLY+=("$done$c")
    done
    [[ ${#COMPREPLY[@]} -eq 1 ]] && compopt -o nospace 2> /dev/null
    return 0
}

_pcap2kdb()
{
    local cur prev prog opts o arg value='' takes='' w mode='' cols
    local IFS=$' \t\n'
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    prog=$(_pcap2kdb_program "${COMP_WORDS[0]}")

    # the word after an option that takes a value is that value
    if [[ $prev == -* ]]; then
        opts=$(_pcap2kdb_help_value_opts "$prog")
        [[ -n $opts ]] || opts=$_pcap2kdb_value_opts
        while read -r o arg; do
            if [[ $o == "$prev" ]]; then
                takes=1 value=$arg
                break
            fi
        done <<< "$opts"
    fi
    if [[ -n $takes ]]; then
        case $prev in
            -o)
                _pcap2kdb_files ;;
            --proto)
                mapfile -t COMPREPLY < <(compgen -W "tcp udp icmp icmpv6 sctp gre esp ah igmp arp lldp" -- "$cur") ;;
            --columns)
                # the mode's own columns, from the binary (--list-columns);
                # none after --flows, whose columns are fixed, and none
                # already in the list (the binary refuses both)
                for w in "${COMP_WORDS[@]}"; do
                    case $w in --fix | --kdb | --flows) mode=$w ;; esac
                done
                [[ $mode == --flows ]] && return 0
                # shellcheck disable=SC2086 # no mode: no argument
                cols=$("$prog" --list-columns $mode 2> /dev/null | cut -f1 | grep -vx tagN)
                [[ -n $cols || -n $mode ]] || cols=$_pcap2kdb_columns
                # shellcheck disable=SC2086 # one column a word
                _pcap2kdb_list_item $cols ;;
            --hwts)
                # shellcheck disable=SC2086 # one format a word
                if [[ $cur == *,* ]]; then
                    _pcap2kdb_list_item $_pcap2kdb_hwts
                else
                    _pcap2kdb_list_item auto none $_pcap2kdb_hwts
                fi ;;
            *)
                # values that --help lists as a|b; free text gets nothing
                if [[ $value =~ ^[a-z]+(\|[a-z]+)+$ ]]; then
                    mapfile -t COMPREPLY < <(compgen -W "${value//|/ }" -- "$cur")
                fi ;;
        esac
        return 0
    fi

    if [[ $cur == -* ]]; then
        opts=$("$prog" --help 2> /dev/null |
               grep -oE -- '(^|[ ,])--?[A-Za-z][-A-Za-z]*' | tr -d ' ,' | sort -u)
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return 0
    fi
    # captures: anything, but pcap-looking names first if there are some
    _pcap2kdb_files "$_pcap2kdb_captures"
} &&
    complete -F _pcap2kdb pcap2kdb
