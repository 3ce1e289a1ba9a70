# bash completion for pcap2kdb                          -*- shell-script -*-
# Installed as share/bash-completion/completions/pcap2kdb.
#
# Options are read from `pcap2kdb --help`, so new options complete without
# changing this file; column names come from `pcap2kdb --list-columns [MODE]`
# for the mode on the line, with the packet columns listed here as a fallback
# (tests/completion_test.sh checks them against the binary's own list).

_pcap2kdb_columns="time sym src dest srcport destport protocol flags seq ack win
tsval tsecr length len frame caplen iface linktype vlan ttl ipid stream rseq rack
rawwin wscale mss analysis data
hwtime hwdev hwport hash
tunnel tsrc tdest tid
inflight pushbytes ackrtt acked irtt
file smac dmac ethertype"

_pcap2kdb()
{
    local cur prev
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    case $prev in
        -o)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        -f)
            COMPREPLY=($(compgen -W "csv q" -- "$cur"))
            return ;;
        --proto)
            COMPREPLY=($(compgen -W "tcp udp icmp icmpv6 sctp gre esp ah igmp arp lldp" -- "$cur"))
            return ;;
        --columns)
            # complete the name after the last comma, keeping what is before
            local done=${cur%"${cur##*,}"} word=${cur##*,} c mode= w cols
            local IFS=$' \t\n'
            # the mode's own columns, from the binary (--list-columns)
            for w in "${COMP_WORDS[@]}"; do
                case $w in --fix|--kdb|--flows) mode=$w ;; esac
            done
            cols=$("${COMP_WORDS[0]}" --list-columns $mode 2>/dev/null | cut -f1 | grep -vx tagN)
            [[ -n $cols ]] || cols=$_pcap2kdb_columns
            for c in $cols; do
                [[ $c == "$word"* ]] && COMPREPLY+=("$done$c")
            done
            [[ ${#COMPREPLY[@]} -eq 1 ]] && compopt -o nospace 2>/dev/null
            return ;;
        --hwts)
            COMPREPLY=($(compgen -W "auto none metamako exablaze expcap ixia arista" -- "$cur"))
            return ;;
        --sym|--table|--data-max|--port|--host|-c|--tags)
            return ;;
    esac

    if [[ $cur == -* ]]; then
        local opts
        opts=$("${COMP_WORDS[0]}" --help 2>/dev/null |
               grep -oE -- '(^|[ ,])--?[A-Za-z][-A-Za-z]*' | tr -d ' ,' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # captures: anything, but pcap-looking names first if there are some
    COMPREPLY=($(compgen -f -X '!*.@(pcap|pcapng|cap|pcap.gz|pcapng.gz|dmp)' -- "$cur"))
    [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
    return 0
} &&
    complete -F _pcap2kdb pcap2kdb
