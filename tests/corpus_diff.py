#!/usr/bin/env python3
"""Differential test: pcap2kdb against the tshark oracle of ../shared/corpus.

For every capture NAME in the corpus that has NAME.tshark.tsv, run

    pcap2kdb --columns frame,time,src,...,mss NAME

(20 s timeout) and compare each output row with the oracle line of the same
frame number.  The expected value of each column is derived from the tshark
fields as described in README ("Columns", "Compared with tshark"); where the oracle cannot tell what our value
should be (SCTP ports, option fields of stacked TCP headers, ...) the field
is not compared.  IP fragments are compared like any packet: the transport
fields on the fragment where tshark reassembled the datagram.  See
expected_row() for every rule.

Usage:
    tests/corpus_diff.py [--corpus DIR] [--bin PATH] [--only SUBSTR]...
                         [--default-only | --columns LIST] [--jobs N]
                         [--verbose] [--list-unknown-as-tsv]

A difference is printed as
    FILE frame N column: ours=X tshark=Y
("" is an empty field).  Differences listed in tests/known_differences.tsv
(FILE<TAB>FRAME|*<TAB>COLUMN|*<TAB>REASON, FILE may be a glob) are "known" and
do not fail.  Pseudo-columns: `rows` (row count), `exit` (exit code 1/2 on a
file tshark read without complaint), `frame` (frame numbering).

The run FAILS (exit 1) if
  - any difference is not known,
  - a file crashes, times out, or exits with a code other than 0/1/2
    (1/2 only for files with NAME.tshark.err or a known `exit` line),
  - the row count differs on a file without NAME.tshark.err (unless known),
  - overall agreement (equal / compared, known differences count as NOT
    equal) is below 99.9 %,
  - on a whole-corpus run of the default column set, README's figures
    (values compared, disagreements left) are not this run's.
A NAME.tshark.tsv without even its header line counts like NAME.tshark.err
(tshark gave up before the first frame).  --by-cause groups the unknown
differences by row signature; --list-unknown-as-tsv prints them as
candidate lines for the known list (check each reason on the bytes first).
Without the corpus it prints `SKIP: corpus not found at DIR` and exits 77
(ctest: Skipped).
The last line is always `N passed, N failed` (files).
"""

import argparse
import concurrent.futures
import csv
import datetime
import fnmatch
import io
import ipaddress
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
DEFAULT_KNOWN = os.path.join(REPO, "tests", "known_differences.tsv")

ALL_COLUMNS = ("frame,time,src,dest,srcport,destport,protocol,flags,seq,ack,"
               "win,tsval,tsecr,length,len,caplen,iface,vlan,ttl,ipid,stream,"
               "rseq,rack,rawwin,wscale,mss,tunnel,tsrc,tdest,ethertype").split(",")
DEFAULT_COLUMNS = ("time,sym,src,dest,srcport,destport,protocol,flags,seq,ack,"
                   "win,tsval,tsecr,length,len").split(",")
TIMEOUT = 20
MIN_AGREEMENT = 99.9
SKIP = None          # expected value "do not compare"

# ---------------------------------------------------------------------------
# IANA protocol numbers -> "Keyword" column of the IANA protocol-numbers
# registry.  Exception (README "Columns"): 58 is printed as ICMPv6.  89 is
# OSPFIGP (the IANA keyword; "OSPF" is only the common name).  Numbers
# without a keyword (61, 63, 68, 99, 114, 146-252, 253, 254, 255) are
# expected as the decimal number.  For the few whose keyword is awkward
# (two keywords, spaces) both the keyword and the number are accepted.
IANA = {
    0: "HOPOPT", 1: "ICMP", 2: "IGMP", 3: "GGP", 4: "IPv4", 5: "ST",
    6: "TCP", 7: "CBT", 8: "EGP", 9: "IGP", 10: "BBN-RCC-MON", 11: "NVP-II",
    12: "PUP", 13: "ARGUS", 14: "EMCON", 15: "XNET", 16: "CHAOS", 17: "UDP",
    18: "MUX", 19: "DCN-MEAS", 20: "HMP", 21: "PRM", 22: "XNS-IDP",
    23: "TRUNK-1", 24: "TRUNK-2", 25: "LEAF-1", 26: "LEAF-2", 27: "RDP",
    28: "IRTP", 29: "ISO-TP4", 30: "NETBLT", 31: "MFE-NSP", 32: "MERIT-INP",
    33: "DCCP", 34: "3PC", 35: "IDPR", 36: "XTP", 37: "DDP", 38: "IDPR-CMTP",
    39: "TP++", 40: "IL", 41: "IPv6", 42: "SDRP", 43: "IPv6-Route",
    44: "IPv6-Frag", 45: "IDRP", 46: "RSVP", 47: "GRE", 48: "DSR", 49: "BNA",
    50: "ESP", 51: "AH", 52: "I-NLSP", 53: "SWIPE", 54: "NARP", 55: "Min-IPv4",
    56: "TLSP", 57: "SKIP", 58: "ICMPv6", 59: "IPv6-NoNxt", 60: "IPv6-Opts",
    62: "CFTP", 64: "SAT-EXPAK", 65: "KRYPTOLAN", 66: "RVD", 67: "IPPC",
    69: "SAT-MON", 70: "VISA", 71: "IPCV", 72: "CPNX", 73: "CPHB", 74: "WSN",
    75: "PVP", 76: "BR-SAT-MON", 77: "SUN-ND", 78: "WB-MON", 79: "WB-EXPAK",
    80: "ISO-IP", 81: "VMTP", 82: "SECURE-VMTP", 83: "VINES", 84: "TTP",
    85: "NSFNET-IGP", 86: "DGP", 87: "TCF", 88: "EIGRP", 89: "OSPFIGP",
    90: "Sprite-RPC", 91: "LARP", 92: "MTP", 93: "AX.25", 94: "IPIP",
    95: "MICP", 96: "SCC-SP", 97: "ETHERIP", 98: "ENCAP", 100: "GMTP",
    101: "IFMP", 102: "PNNI", 103: "PIM", 104: "ARIS", 105: "SCPS", 106: "QNX",
    107: "A/N", 108: "IPComp", 109: "SNP", 110: "Compaq-Peer",
    111: "IPX-in-IP", 112: "VRRP", 113: "PGM", 115: "L2TP", 116: "DDX",
    117: "IATP", 118: "STP", 119: "SRP", 120: "UTI", 121: "SMP", 122: "SM",
    123: "PTP", 124: "ISIS over IPv4", 125: "FIRE", 126: "CRTP", 127: "CRUDP",
    128: "SSCOPMCE", 129: "IPLT", 130: "SPS", 131: "PIPE", 132: "SCTP",
    133: "FC", 134: "RSVP-E2E-IGNORE", 135: "Mobility Header", 136: "UDPLite",
    137: "MPLS-in-IP", 138: "manet", 139: "HIP", 140: "Shim6", 141: "WESP",
    142: "ROHC", 143: "Ethernet", 144: "AGGFRAG", 145: "NSH",
}
# numbers where more than one spelling is acceptable
IANA_ALIASES = {84: {"TTP", "IPTM", "84"}, 124: {"ISIS over IPv4", "124"},
                135: {"Mobility Header", "135"}, 146: {"Homa", "146"}}

# Wireshark layer name (frame.protocols) of an upper-layer protocol -> number
LAYER_PROTO = {
    "icmp": 1, "igmp": 2, "ip": 4, "tcp": 6, "udp": 17, "ipv6": 41,
    "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "icmpv6": 58, "eigrp": 88,
    "ospf": 89, "pim": 103, "ipcomp": 108, "vrrp": 112, "pgm": 113,
    "sctp": 132, "mipv6": 135, "dccp": 33, "udplite": 136,
}
# IPv6 extension headers (and AH, RFC 8200 section 4) as layers; Shim6
# (RFC 5533) is a protocol of its own in tshark 4.0 (packet-shim6.c), its
# layer `shim6`
EXT_LAYERS = {"ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts",
              "ah", "shim6"}
IP_LAYERS = {"ip", "ipv6"}
VLAN_ETHERTYPES = {0x8100, 0x88a8, 0x9100, 0x9200}
TCP_FLAGS = [(0x100, "NS"), (0x80, "CWR"), (0x40, "ECE"), (0x20, "URG"),
             (0x10, "ACK"), (0x08, "PSH"), (0x04, "RST"), (0x02, "SYN"),
             (0x01, "FIN")]

Q_EPOCH_NS = 946684800 * 10**9            # 2000.01.01 in unix ns
Q_MIN_NS = Q_EPOCH_NS - (2**63 - 1)       # q's timestamp range (nulls excl.)
Q_MAX_NS = Q_EPOCH_NS + (2**63 - 1)
UNIX_DAY0 = datetime.date(1970, 1, 1).toordinal()
Q_TS_RE = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})D(\d{2}):(\d{2}):(\d{2})\.(\d{9})$")
# tshark's frame.time_epoch: seconds, ".", the nanoseconds as an integer of
# at least 9 digits (10 when a pcap's ts_usec of 10^6 or more made them 10^9
# or more: see epoch_ns)
EPOCH_RE = re.compile(r"^(-?)(\d+)\.(\d{9,10})$")


def epoch_ns(text):
    """The Unix nanoseconds of tshark's frame.time_epoch text, None if odd.

    tshark prints an nstime's seconds and nanoseconds side by side
    (display_signed_time): a capture's time before 1970 has negative seconds
    and non-negative nanoseconds, so "-100.000005000" is -100 s + 5 us,
    -99.999995 s. Its pcap reader multiplies ts_usec by 1000 in 32 bits into
    a signed nanoseconds field, which a ts_usec of 10^6 or more can take to
    10^9 or more ("1418145370.1000000000": 1418145371 s) or below 0; a
    negative one is printed as its absolute value, with "-" before the
    whole time when the seconds are not negative ("-0.2078753920": -2.07875392
    s; "-1418145370.2078753920": 1418145370 s - 2.07875392 s). A 10-digit
    fraction is always such a one; a 9-digit one after "-" is read as a
    time before 1970 (pcapng's if_tsoffset), which the same text could also
    be an overflow's (seconds not 0, a fraction under 10^9): the corpus
    has none."""
    m = EPOCH_RE.match(text)
    if not m:
        return None
    sec, frac = int(m.group(2)), int(m.group(3))
    if not m.group(1):
        return sec * 10**9 + frac
    if sec == 0 or len(m.group(3)) == 10:
        return sec * 10**9 - frac
    return -sec * 10**9 + frac


def proto_name(num):
    """Accepted spellings of IP protocol number num (a set)."""
    if num in IANA_ALIASES:
        return IANA_ALIASES[num]
    return {IANA.get(num, str(num))}


# ---------------------------------------------------------------------------
# oracle helpers

def occ(d, field):
    """All occurrences of a tshark field (list, [] when absent)."""
    v = d.get(field, "")
    return v.split(";") if v != "" else []


def nth(d, field, n, ntokens):
    """Occurrence n of field, for a layer of which frame.protocols shows
    ntokens.  When the field has as many occurrences as layers the index
    is exact; with a single layer the field's first value (or empty) is
    it; otherwise the oracle is ambiguous -> SKIP."""
    vals = occ(d, field)
    if len(vals) == ntokens:
        return vals[n]
    if ntokens == 1:
        return vals[0] if vals else ""
    if len(vals) == n and n == ntokens - 1:
        return ""                        # only the last (ours) is missing
    return SKIP


# Tunnels followed to the innermost packet (#15): the layer after an IP
# header (after its extension headers) that starts one, the UDP payloads
# that do, and the layers that may lie between the tunnel and the inner IP
# header (link layers only: an IP header quoted by NHRP, ICMP or sFlow is
# not the row's).
TUNNEL_AFTER_IP = {"gre"}
# The layer after udp that starts a tunnel, and that tunnel's `tunnel` name.
# VXLAN-GPE (4790) has no vxlan layer in tshark 4.0's frame.protocols: the
# inner packet's own layer follows udp (`udp:ip:`, `udp:ipv6:`, `udp:eth:`,
# `udp:nsh:` with NSH). GRE in UDP (4754) is `udp:gre:`.
UDP_TUNNEL_NAMES = {"vxlan": "vxlan", "geneve": "geneve", "gtp": "gtp",
                    "mpls": "mpls", "gre": "gre", "nsh": "vxlan",
                    "ip": "vxlan", "ipv6": "vxlan", "eth": "vxlan"}
# ... of which those that are the inner packet's layer, not the tunnel's
UDP_TUNNEL_NO_LAYER = {"ip", "ipv6", "eth"}
TUNNEL_LINK_LAYERS = {"erspan", "eth", "ethertype", "vlan", "ppp", "mpls",
                      "pwethcw", "pwethheuristic", "vxlan", "geneve", "gtp",
                      "nsh", "cmd", "wccp", "ieee8021ad"}


def address_shown(d, layers, i):
    """Whether tshark shows the source address of IP layer i (the kind's
    occurrences up to and including it are all there)."""
    kind = layers[i]
    pre = "ip" if kind == "ip" else "ipv6"
    return len(occ(d, pre + ".src")) > layers[:i].count(kind)


def innermost_ip(layers, j):
    """Index of the row's IP layer, starting from IP layer j."""
    while True:
        k = j + 1
        while k < len(layers) and layers[k] in EXT_LAYERS:
            k += 1
        if k < len(layers) and layers[k] in IP_LAYERS:
            j = k
            continue
        if layers[k:k + 2] == ["ipcomp", "data"] and k + 2 < len(layers) \
                and layers[k + 2] in IP_LAYERS:
            j = k + 2                   # IPComp (RFC 3173) inflated, tunnel mode
            continue
        if k < len(layers) and (layers[k] in TUNNEL_AFTER_IP or (
                layers[k] == "udp" and k + 1 < len(layers)
                and layers[k + 1] in UDP_TUNNEL_NAMES)):
            # past the tunnel's own layer, when tshark shows one
            if layers[k] in TUNNEL_AFTER_IP or layers[k + 1] in UDP_TUNNEL_NO_LAYER:
                m = k + 1
            else:
                m = k + 2
            while m < len(layers) and layers[m] in TUNNEL_LINK_LAYERS:
                m += 1
            if m < len(layers) and layers[m] in IP_LAYERS:
                j = m
                continue
        return j


TUNNEL_HINTS = {"gre", "erspan", "vxlan", "geneve", "gtp", "ipcomp"}


def ip_version_of_layer(d, layers, i):
    """ip.version of the ip or ipv6 layer layers[i] ("" when not shown)."""
    k = sum(1 for name in layers[:i] if name in ("ip", "ipv6"))
    vers = occ(d, "ip.version")
    return vers[k] if k < len(vers) else ""


def expected_tunnel(d, layers, first):
    """tunnel, tsrc, tdest (#15): the outermost encapsulation followed from
    the first IP header, and that header's addresses.  SKIP where the
    layers name a tunnel this does not recognise the shape of."""
    none = {"tunnel": "", "tsrc": "", "tdest": ""}
    skip = {"tunnel": SKIP, "tsrc": SKIP, "tdest": SKIP}
    if first is None:
        return skip if TUNNEL_HINTS & set(layers) else none
    # tshark's ip layer hands a header whose version is 6 to ipv6 (no ip.src
    # then): one header, not IP in IP. ip.version has one occurrence per ip
    # or ipv6 layer: a 4 there is a real IPv4 header carrying IPv6, though
    # a bogus IPv4 header further in may have no ip.src either.
    while layers[first] == "ip" and first + 1 < len(layers) and \
            layers[first + 1] == "ipv6" and \
            len(occ(d, "ip.src")) < layers.count("ip") and \
            ip_version_of_layer(d, layers, first) != "4":
        first += 1
    k = first + 1
    while k < len(layers) and layers[k] in EXT_LAYERS:
        k += 1
    nxt = layers[k] if k < len(layers) else ""
    after = layers[k + 1] if k + 1 < len(layers) else ""
    if nxt == "udp" and after == "gre":         # GRE in UDP: judged as GRE
        k += 1
        nxt = after
        after = layers[k + 1] if k + 1 < len(layers) else ""
    if nxt in IP_LAYERS:
        kind = "ipip"
    elif nxt == "gre" and after == "":
        return skip                 # nothing decodable inside: followed?
    elif nxt == "gre":
        kind = "erspan" if after == "erspan" else "gre"
    elif nxt == "udp" and after == "gtp" and not (
            k + 2 < len(layers) and layers[k + 2] in IP_LAYERS):
        return skip if "gtpv2" not in layers else none   # GTP-C: no tunnel
    elif nxt == "udp" and after in UDP_TUNNEL_NAMES:
        kind = UDP_TUNNEL_NAMES[after]
    elif nxt == "ipcomp" and after == "data" and k + 2 < len(layers) \
            and layers[k + 2] in IP_LAYERS:
        kind = "ipip"               # IPComp's tunnel mode: IP in (inflated) IP
    elif TUNNEL_HINTS & set(layers[k:]) and "icmp" not in layers \
            and "icmpv6" not in layers:
        return skip
    else:
        return none
    pre = "ip" if layers[first] == "ip" else "ipv6"
    ipcount = layers.count(layers[first])
    ipn = layers[:first].count(layers[first])
    return {"tunnel": kind, "tsrc": nth(d, pre + ".src", ipn, ipcount),
            "tdest": nth(d, pre + ".dst", ipn, ipcount)}


def hexint(s):
    return int(s, 16) if s not in (SKIP, "") else s


# Layers after which the oracle's eth.type is not the last Ethertype field
# read (the oracle has no vlan.etype, gre.proto...): not compared there.
ETHERTYPE_HIDDEN = {"vlan", "ieee8021ad", "gre", "mpls", "pppoes", "vxlan", "geneve", "erspan",
                    "avsp", "macsec", "nsh", "llc", "eth", "ethertype", "sll", "isl"}


def expected_ethertype(d, layers):
    """#18 ethertype: the last Ethertype field before the network layer. The
    oracle tells it on plain Ethernet: eth.type when the frame has exactly
    one Ethertype layer, right after eth, and nothing that reads another;
    empty for Ethernet frames without one (802.3 without LLC)."""
    if not layers or layers[0] != "eth":
        return SKIP
    rest = layers[1:]
    if not rest or rest[0] != "ethertype":
        return "" if not ETHERTYPE_HIDDEN & set(rest) else SKIP
    if ETHERTYPE_HIDDEN & set(rest[1:]):
        return SKIP
    et = occ(d, "eth.type")
    return "0x%04x" % hexint(et[0]) if len(et) == 1 else SKIP


# The names tshark 4.0 gives a netlink frame (README "Inputs").
NETLINK_NAMES = {"Netlink", "Netlink route", "Netlink sock diag", "Netlink netfilter",
                 "Netlink generic"}


def expected_netlink_protocol(d, layers):
    """A netlink frame (an nlmon capture: link type 253, or SLL with hardware
    type 824): tshark's protocol column itself, "Netlink" or its family's
    name. Not compared when tshark names a generic netlink family further
    (nl80211, from the controller's reply: not modelled, README "Inputs")
    or the oracle has no protocol column."""
    col = d.get("_ws.col.Protocol")
    if col is None or (col not in NETLINK_NAMES and "netlink-generic" in layers):
        return SKIP
    return col


def expected_row(d, cols):
    """Expected value of each of our columns (dict col -> str or SKIP),
    derived from one oracle line d (dict field -> text)."""
    e = {}
    layers = d.get("frame.protocols", "").split(":")
    e["frame"] = d["frame.number"]
    e["length"] = d["frame.len"]
    e["caplen"] = d["frame.cap_len"]
    e["iface"] = d["frame.interface_id"]

    # time: exact nanoseconds; odd oracle values are not compared
    ns = epoch_ns(d["frame.time_epoch"])
    e["time"] = ns if ns is not None and Q_MIN_NS <= ns <= Q_MAX_NS else SKIP

    # locate the row's IP header: first ip/ipv6 layer, followed through
    # IP-in-IP (directly stacked, extension headers and AH in between) and
    # the tunnels pcap2kdb follows (#15): judged on the innermost header
    first = next((i for i, t in enumerate(layers) if t in IP_LAYERS), None)
    e.update(expected_tunnel(d, layers, first))
    row_ip = first
    if first is not None:
        row_ip = innermost_ip(layers, first)
        # an inner header the snap length cut before its source address
        # leaves the row on the enclosing one (tshark shows only the outer
        # addresses then; README "Tunnels")
        while row_ip != first and not address_shown(d, layers, row_ip):
            outer = max(i for i in range(first, row_ip) if layers[i] in IP_LAYERS)
            if not address_shown(d, layers, outer):
                break
            row_ip = outer

    # vlan: outermost tag of the link layer (before any IP or MPLS layer: a
    # tag inside a pseudowire is another frame's): ieee8021ad.id when an
    # 802.1ad service tag comes first, else the first vlan.id
    link = layers[:first] if first is not None else layers
    inner_vlan = False
    for stop in ("mpls", "pwethcw", "pwethheuristic"):
        if stop in link:
            inner_vlan = inner_vlan or "vlan" in link[link.index(stop):]
            link = link[:link.index(stop)]
    if "ieee8021ad" in link and ("vlan" not in link or
                                 link.index("ieee8021ad") < link.index("vlan")):
        # An 802.1ad tag followed by another is read with it as one layer
        # showing ieee8021ad.svid and .cvid, not .id (packet-ieee8021ah.c),
        # which the oracle lacks: the first .id is the first layer's only
        # when every layer has one (older oracles lack the field)
        v = occ(d, "ieee8021ad.id")
        e["vlan"] = v[0] if v and len(v) == layers.count("ieee8021ad") else SKIP
    elif inner_vlan and "vlan" not in link:
        e["vlan"] = SKIP                # only the pseudowire's frame has one
    elif "vlan" in link:
        v = occ(d, "vlan.id")
        e["vlan"] = v[0] if v else ""
    else:
        e["vlan"] = ""

    e["ethertype"] = expected_ethertype(d, layers)

    transport_cols = ("srcport", "destport", "flags", "seq", "ack", "win",
                      "tsval", "tsecr", "len", "stream", "rseq", "rack",
                      "rawwin", "wscale", "mss")
    for c in ("src", "dest", "ttl", "ipid", "protocol") + transport_cols:
        e[c] = ""

    if row_ip is None:
        # non-IP frame: protocol is the link payload name.  Compared only
        # for ARP, for ethertypes we print as 0x%04x (plain Ethernet) and
        # for netlink frames.
        e["protocol"] = SKIP
        if layers[:1] == ["netlink"] or layers[:2] == ["sll", "netlink"]:
            e["protocol"] = expected_netlink_protocol(d, layers)
        elif "arp" in layers:
            # tshark's arp layer is ARP (0x0806) or RARP (0x8035)
            a = layers.index("arp")
            if a > 0 and layers[a - 1] == "ethertype":
                et = occ(d, "eth.type")
                et0 = hexint(et[0]) if et else ""
                e["protocol"] = {"ARP"} if et0 == 0x0806 else \
                    {"RARP"} if et0 == 0x8035 else {"ARP", "RARP"}
        elif layers[:2] == ["eth", "ethertype"] and "vlan" not in layers:
            et = occ(d, "eth.type")
            if et and hexint(et[0]) not in VLAN_ETHERTYPES:
                e["protocol"] = ("ethertype", hexint(et[0]))
        return e

    kind = layers[row_ip]
    ipn = layers[:row_ip].count(kind)       # occurrence index of our header
    ipcount = layers.count(kind)
    pre = "ip" if kind == "ip" else "ipv6"
    e["src"] = nth(d, pre + ".src", ipn, ipcount)
    e["dest"] = nth(d, pre + ".dst", ipn, ipcount)
    e["ttl"] = nth(d, "ip.ttl" if kind == "ip" else "ipv6.hlim", ipn, ipcount)

    # extension headers after our header, then the upper layer
    k = row_ip + 1
    while k < len(layers) and layers[k] in EXT_LAYERS:
        k += 1
    chain = layers[row_ip + 1:k]
    upper = layers[k] if k < len(layers) else ""

    if kind == "ip":
        e["ipid"] = nth(d, "ip.id", ipn, ipcount)
        if e["ipid"] not in (SKIP, ""):
            e["ipid"] = str(int(e["ipid"], 16))
        proto = nth(d, "ip.proto", ipn, ipcount)
        if proto == "51" or chain:
            e["protocol"] = SKIP        # IPv4 + AH: AH or what follows it?
        else:
            e["protocol"] = proto_name(int(proto)) if proto not in (SKIP, "") \
                else proto
    else:
        e["ipid"] = ""
        if "ipv6.fraghdr" in chain:
            e["ipid"] = SKIP
        if not chain:
            nxt = nth(d, "ipv6.nxt", ipn, ipcount)
            e["protocol"] = proto_name(int(nxt)) if nxt not in (SKIP, "") \
                else nxt
        elif upper in LAYER_PROTO:
            e["protocol"] = proto_name(LAYER_PROTO[upper])
        else:
            e["protocol"] = SKIP        # e.g. later fragment shown as data

    # A fragment: tshark (and we) show the transport header on the fragment
    # that completes the datagram (and on an IPv4 first fragment cut short by
    # the capture); on the others the transport fields are empty, which the
    # code below gives them as the oracle has no transport layer there.

    if upper == "tcp":
        tn = layers[:k].count("tcp")
        tc = layers.count("tcp")
        e["srcport"] = nth(d, "tcp.srcport", tn, tc)
        e["destport"] = nth(d, "tcp.dstport", tn, tc)
        flags = nth(d, "tcp.flags", tn, tc)
        if flags not in (SKIP, ""):
            f = int(flags, 16)
            flags = "|".join(n for bit, n in TCP_FLAGS if f & bit)
        e["flags"] = flags
        e["seq"] = nth(d, "tcp.seq_raw", tn, tc)
        e["ack"] = nth(d, "tcp.ack_raw", tn, tc)
        e["win"] = nth(d, "tcp.window_size", tn, tc)
        e["tsval"] = nth(d, "tcp.options.timestamp.tsval", tn, tc)
        e["tsecr"] = nth(d, "tcp.options.timestamp.tsecr", tn, tc)
        e["len"] = nth(d, "tcp.len", tn, tc)
        e["stream"] = nth(d, "tcp.stream", tn, tc)
        e["rseq"] = nth(d, "tcp.seq", tn, tc)
        e["rack"] = nth(d, "tcp.ack", tn, tc)
        e["rawwin"] = nth(d, "tcp.window_size_value", tn, tc)
        e["mss"] = nth(d, "tcp.options.mss_val", tn, tc)
        sf = nth(d, "tcp.window_size_scalefactor", tn, tc)
        if sf == "-1":
            e["wscale"] = ""
        elif sf == "-2":
            e["wscale"] = "0"
        elif sf in (SKIP, ""):
            # tshark leaves it out on SYN segments: not comparable there
            e["wscale"] = SKIP if (sf is SKIP or "SYN" in (flags or "")) else ""
        else:
            f = int(sf)
            e["wscale"] = str(f.bit_length() - 1) if f > 0 and f & (f - 1) == 0 \
                else SKIP
    elif upper == "udp":
        un = layers[:k].count("udp")
        uc = layers.count("udp")
        e["srcport"] = nth(d, "udp.srcport", un, uc)
        e["destport"] = nth(d, "udp.dstport", un, uc)
        # len is udp.length - 8 (README "Columns"), empty for a bogus length
        # below 8; a zero length over IPv6 is a jumbogram's (RFC 2675), whose
        # length the oracle does not give
        ulen = nth(d, "udp.length", un, uc)
        e["len"] = ulen
        if ulen not in (SKIP, ""):
            if int(ulen) == 0 and kind == "ipv6":
                e["len"] = SKIP
            else:
                e["len"] = str(int(ulen) - 8) if int(ulen) >= 8 else ""
    elif upper in ("sctp", "udplite"):
        e["srcport"] = e["destport"] = SKIP    # no sctp.* fields in oracle
        if upper == "udplite":
            e["len"] = SKIP
    return e


# ---------------------------------------------------------------------------
# comparison

def q_time_ns(s):
    m = Q_TS_RE.match(s)
    if not m:
        return None
    y, mo, dd, h, mi, se, frac = m.groups()
    try:
        days = datetime.date(int(y), int(mo), int(dd)).toordinal() - UNIX_DAY0
    except ValueError:
        return None
    return ((days * 86400 + int(h) * 3600 + int(mi) * 60 + int(se)) * 10**9
            + int(frac))


def epoch_text(ns):
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    return "%s%d.%09d" % (sign, ns // 10**9, ns % 10**9)


def same_ip(ours, exp):
    """-> (equal, note)"""
    if ours == exp:
        if ":" in ours:
            try:
                a = ipaddress.IPv6Address(ours)
            except ValueError:
                return True, None
            if ours != a.compressed and not (a.ipv4_mapped and
                                             ours.startswith("::ffff:")):
                return False, "not RFC 5952 (%s)" % a.compressed
        return True, None
    if ":" in ours and ":" in exp:
        try:
            a, b = ipaddress.IPv6Address(ours), ipaddress.IPv6Address(exp)
        except ValueError:
            return False, None
        if a != b:
            return False, None
        if ours == a.compressed:
            return True, None
        if a.ipv4_mapped and ours == "::ffff:%s" % a.ipv4_mapped:
            return True, "ipv4-mapped printed dotted"
        return False, "not RFC 5952 (%s)" % a.compressed
    return False, None


def compare_value(col, ours, exp):
    """-> (compared?, equal?, tshark text for the report)"""
    if exp is SKIP:
        return False, True, ""
    if col == "time":
        got = q_time_ns(ours)
        return True, got == exp, epoch_text(exp)
    if col == "protocol":
        if isinstance(exp, tuple):                 # non-IP ethertype
            if re.match(r"^0x[0-9a-f]{4}$", ours):
                return True, int(ours, 16) == exp[1], "0x%04x" % exp[1]
            return False, True, ""
        if isinstance(exp, set):
            return True, ours in exp, "|".join(sorted(exp))
    if col == "ethertype":
        return True, ours == exp, exp
    if col in ("src", "dest", "tsrc", "tdest"):
        eq, _ = same_ip(ours, exp)
        return True, eq, exp
    if ours == exp:
        return True, True, exp
    try:
        return True, int(ours) == int(exp), exp
    except ValueError:
        return True, False, exp


def read_oracle(path):
    got = corpus_sample.read_tshark(path)
    return got[1] if got else None


def run_file(job):
    """Worker: convert one capture and compare.  Returns a result dict."""
    name, corpus, binary, cols = job
    path = os.path.join(corpus, name)
    res = {"file": name, "err": os.path.exists(path + ".tshark.err"),
           "problems": [], "stats": {}, "diffs": [], "rc": None}
    try:
        oracle = read_oracle(path + ".tshark.tsv")
    except (OSError, ValueError, KeyError) as ex:
        res["problems"].append(("fatal", "cannot read oracle: %s" % ex))
        return res
    if oracle is None:
        # a .tsv without even its header line: tshark gave up before the
        # first frame, as for files with .tshark.err
        res["err"] = True
        oracle = {}
    try:
        # two threads: the pipeline's rows against tshark on every capture
        # (the golden cases run with one and two; one is the default)
        p = subprocess.run([binary, "--threads", "2", "--columns", ",".join(cols), path],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        res["problems"].append(("fatal", "timeout after %d s" % TIMEOUT))
        return res
    except OSError as ex:
        res["problems"].append(("fatal", "cannot run %s: %s" % (binary, ex)))
        return res
    res["rc"] = p.returncode
    res["stderr"] = p.stderr.decode("utf-8", "replace").strip()[:500]
    if p.returncode < 0:
        res["problems"].append(("fatal", "killed by signal %d" % -p.returncode))
        return res
    if p.returncode > 2:
        res["problems"].append(("fatal", "exit code %d: %s"
                                % (p.returncode, res["stderr"])))
        return res
    if p.returncode in (1, 2):
        res["diffs"].append(("*", "exit", str(p.returncode), "0",
                             res["stderr"].splitlines()[0] if res["stderr"] else ""))

    out = list(csv.reader(io.StringIO(p.stdout.decode("utf-8", "replace"),
                                      newline="")))
    if not out:
        if oracle or p.returncode == 0:
            res["diffs"].append(("*", "rows", "0 (no header)", str(len(oracle)), ""))
        return res
    header = out[0]
    missing = [c for c in cols if c not in header]
    if missing:
        res["problems"].append(("fatal", "output lacks columns %s" % ",".join(missing)))
        return res
    idx = {c: header.index(c) for c in header}
    rows = out[1:]
    stats = res["stats"]
    sym = os.path.splitext(name)[0]
    seen = set()
    for i, r in enumerate(rows):
        if len(r) != len(header):
            res["diffs"].append((str(i + 1), "frame", "%d fields" % len(r),
                                 "%d fields" % len(header), ""))
            continue
        if "frame" in idx:
            try:
                fn = int(r[idx["frame"]])
            except ValueError:
                fn = None
            if fn != i + 1:
                res["diffs"].append((str(i + 1), "frame", r[idx["frame"]],
                                     str(i + 1), "rows out of order or renumbered"))
                continue
        else:
            fn = i + 1
        seen.add(fn)
        d = oracle.get(fn)
        if d is None:
            continue
        exp = expected_row(d, cols)
        if "sym" in idx:
            exp["sym"] = sym
        for c in header:
            if c not in exp:
                continue
            ours = r[idx[c]]
            cmp_, eq, ttext = compare_value(c, ours, exp[c])
            if not cmp_:
                continue
            st = stats.setdefault(c, [0, 0])
            st[0] += 1
            if eq:
                st[1] += 1
            else:
                res["diffs"].append((str(fn), c, ours, ttext,
                                     d.get("frame.protocols", "")))
    if not res["err"] and len(rows) != len(oracle):
        res["diffs"].append(("*", "rows", str(len(rows)), str(len(oracle)), ""))
    return res


# ---------------------------------------------------------------------------
# known differences

def load_known(path):
    known = []
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                print("%s:%d: malformed line ignored: %r" % (path, ln, line),
                      file=sys.stderr)
                continue
            known.append({"file": parts[0], "frame": parts[1],
                          "col": parts[2],
                          "reason": parts[3] if len(parts) > 3 else "",
                          "line": ln, "hits": 0})
    return known


def find_known(known, fname, frame, col):
    for k in known:
        if (fnmatch.fnmatchcase(fname, k["file"])
                and k["frame"] in ("*", frame) and k["col"] in ("*", col)):
            k["hits"] += 1
            return k
    return None


def fmt(v):
    return '""' if v == "" else v


def encapsulation(layers_text):
    """Short encapsulation key from frame.protocols: the layers up to the
    first transport layer (tcp/udp/icmp/...) or the first 5."""
    layers = layers_text.split(":") if layers_text else ["(none)"]
    out = []
    for t in layers:
        out.append(t)
        if t in LAYER_PROTO and t not in IP_LAYERS or len(out) >= 6:
            break
    return ":".join(out)


def print_by_cause(unknown_all):
    """Group unknown differences by row signature: encapsulation, the set of
    columns that differ in the row and whether ours or tshark's is empty."""
    rows = {}
    for fname, frame, col, ours, theirs, ctx, line in unknown_all:
        r = rows.setdefault((fname, frame), {"ctx": ctx, "cols": []})
        kind = "-" if ours == "" else ("+" if theirs == "" else "~")
        r["cols"].append((col, kind, ours, theirs))
    groups = {}
    for (fname, frame), r in rows.items():
        kinds = sorted(set(k for _, k, _, _ in r["cols"]))
        key = (encapsulation(r["ctx"]) if r["ctx"] else "-",
               ",".join(c for c, _, _, _ in r["cols"]), "".join(kinds))
        groups.setdefault(key, []).append((fname, frame, r["cols"]))
    print("unknown differences grouped by row signature "
          "(kind: - ours empty, + tshark empty, ~ both set):")
    for key, lst in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        files = sorted(set(f for f, _, _ in lst))
        print("%5d rows %4d files  [%s] %s  columns: %s"
              % (len(lst), len(files), key[2], key[0], key[1]))
        shown = set()
        for f, frame, cols in lst:
            if f in shown:
                continue
            shown.add(f)
            print("        e.g. %s frame %s: %s" % (f, frame, "  ".join(
                "%s ours=%s tshark=%s" % (c, fmt(o), fmt(t))
                for c, _, o, t in cols[:4]) + ("  ..." if len(cols) > 4 else "")))
            if len(shown) >= 3:
                break


# ---------------------------------------------------------------------------

def readme_figures_hold(tot):
    """README gives this run's figures ("Agreement (F frames, V values"
    and "D values in N frames"): a whole-corpus run checks V and D, so
    that a change of agreement updates the text."""
    readme = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "README.md")
    text = " ".join(open(readme, encoding="utf-8").read().split())
    m = re.search(r"Agreement \([\d,]+ frames, ([\d,]+) values", text)
    d = re.search(r"The disagreements left, ([\d,]+) values in", text)
    if not m or not d:
        print("README: the agreement figures are missing")
        return False
    said = (int(m.group(1).replace(",", "")), int(d.group(1).replace(",", "")))
    now = (tot[0], tot[0] - tot[1])
    if said != now:
        print("README says %d values, %d disagreements; this run: %d, %d "
              "(update README \"Agreement\")" % (said + now))
        return False
    return True


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--known", default=DEFAULT_KNOWN,
                    help="known differences TSV (default tests/known_differences.tsv)")
    ap.add_argument("--only", action="append", default=[],
                    help="only files whose name contains SUBSTRING (repeatable)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--default-only", action="store_true",
                   help="compare only the default 15 columns (no --columns)")
    g.add_argument("--columns", help="comma list of columns to request and compare")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print known differences and every unknown one")
    ap.add_argument("--max-print", type=int, default=20,
                    help="unknown differences printed per file (default 20)")
    ap.add_argument("--list-unknown-as-tsv", action="store_true",
                    help="print unknown differences as known_differences.tsv lines")
    ap.add_argument("--by-cause", action="store_true",
                    help="group unknown differences by column, encapsulation "
                         "and kind, with example files/frames")
    ap.add_argument("--sample", action="store_true",
                    help="only the sample of tests/corpus_sample.py (the sanitizer "
                         "tier; PCAP2KDB_FULL=1 turns it off)")
    a = ap.parse_args()

    corpus = os.path.normpath(a.corpus)
    if not os.path.isdir(corpus):
        corpus_sample.skip(corpus)
    if not os.access(a.bin, os.X_OK):
        print("corpus_diff: converter %s not found (build it: "
              "cmake -S . -B build && cmake --build build)" % a.bin,
              file=sys.stderr)
        return 2
    if a.default_only:
        cols = DEFAULT_COLUMNS
    elif a.columns:
        cols = [c.strip() for c in a.columns.split(",") if c.strip()]
    else:
        cols = ALL_COLUMNS
    probe = subprocess.run([a.bin, "--columns", ",".join(cols), "--schema"],
                           stdin=subprocess.DEVNULL, capture_output=True)
    if probe.returncode != 0:
        print("corpus_diff: %s rejects --columns %s:\n%s\n(try --default-only "
              "or --columns with the columns it supports)"
              % (a.bin, ",".join(cols), probe.stderr.decode(errors="replace").strip()),
              file=sys.stderr)
        return 2

    names = sorted(f[:-len(".tshark.tsv")] for f in os.listdir(corpus)
                   if f.endswith(".tshark.tsv"))
    names = [n for n in names if os.path.exists(os.path.join(corpus, n))]
    corpus_sample.require(corpus, names, "captures with a tshark decode")
    if a.sample:
        names = corpus_sample.sample(corpus, names)
    if a.only:
        names = [n for n in names if any(s in n for s in a.only)]
    jobs = [(n, corpus, a.bin, cols) for n in names]
    if a.jobs > 1 and len(jobs) > 1:
        with concurrent.futures.ProcessPoolExecutor(a.jobs) as ex:
            results = list(ex.map(run_file, jobs, chunksize=4))
    else:
        results = [run_file(j) for j in jobs]

    known = load_known(a.known)
    colstats = {}        # col -> [compared, equal, known, unknown]
    passed = failed = 0
    failures = []
    unknown_all = []
    for res in results:
        fname = res["file"]
        reasons = [msg for kind, msg in res["problems"]]
        for c, (n, eq) in res["stats"].items():
            cs = colstats.setdefault(c, [0, 0, 0, 0])
            cs[0] += n
            cs[1] += eq
        unknown = []
        for frame, col, ours, theirs, ctx in res["diffs"]:
            if col in ("exit", "rows") and res["err"]:
                continue                    # tshark complained too: allowed
            k = find_known(known, fname, frame, col)
            line = "%s frame %s %s: ours=%s tshark=%s" % (fname, frame, col,
                                                          fmt(ours), fmt(theirs))
            if col not in ("exit", "rows", "frame"):
                colstats.setdefault(col, [0, 0, 0, 0])[2 if k else 3] += 1
            if k:
                if a.verbose:
                    print("known: %s  (%s)" % (line, k["reason"]))
            else:
                unknown.append((frame, col, ours, theirs, ctx, line))
        if unknown:
            reasons.append("%d unknown difference(s)" % len(unknown))
            for u in unknown[: (None if a.verbose else a.max_print)]:
                print(u[5] + (("   [%s]" % u[4]) if a.verbose and u[4] else ""))
            if not a.verbose and len(unknown) > a.max_print:
                print("%s: ... and %d more unknown differences (--verbose)"
                      % (fname, len(unknown) - a.max_print))
            unknown_all.extend((fname,) + u for u in unknown)
        if reasons:
            failed += 1
            failures.append((fname, reasons))
        else:
            passed += 1

    # summary table
    print()
    print("%-10s %9s %9s %7s %8s %10s" % ("column", "compared", "equal",
                                          "known", "unknown", "agreement"))
    tot = [0, 0, 0, 0]
    for c in cols + [c for c in colstats if c not in cols]:
        if c not in colstats:
            continue
        n, eq, kn, un = colstats[c]
        tot = [x + y for x, y in zip(tot, colstats[c])]
        print("%-10s %9d %9d %7d %8d %9.3f%%" % (c, n, eq, kn, un,
                                               100.0 * eq / n if n else 100.0))
    agreement = 100.0 * tot[1] / tot[0] if tot[0] else 100.0
    print("%-10s %9d %9d %7d %8d %9.3f%%" % ("total", tot[0], tot[1], tot[2],
                                           tot[3], agreement))

    run_cols = set(cols) | {"rows", "exit", "frame", "*"}
    ran = set(r["file"] for r in results)
    for k in known:
        if k["hits"] == 0 and k["col"] in run_cols and \
                any(fnmatch.fnmatchcase(f, k["file"]) for f in ran):
            print("warning: %s:%d: stale known difference (matches nothing): "
                  "%s %s %s" % (a.known, k["line"], k["file"], k["frame"], k["col"]))
        elif k["hits"] == 0 and not a.only and k["col"] in run_cols:
            pass

    if failures:
        print()
        print("FAILED files:")
        for fname, reasons in failures:
            print("  %s: %s" % (fname, "; ".join(reasons)))
    if a.list_unknown_as_tsv and unknown_all:
        print()
        print("# unknown differences in known_differences.tsv format: check "
              "each reason before pasting")
        groups = {}
        for fname, frame, col, ours, theirs, ctx, line in unknown_all:
            groups.setdefault((fname, col), []).append((frame, ours, theirs))
        for (fname, col), lst in groups.items():
            if len(lst) > 5:
                print("%s\t*\t%s\tTODO: %d frames, e.g. frame %s ours=%s tshark=%s"
                      % (fname, col, len(lst), lst[0][0], fmt(lst[0][1]),
                         fmt(lst[0][2])))
            else:
                for frame, ours, theirs in lst:
                    print("%s\t%s\t%s\tTODO: ours=%s tshark=%s"
                          % (fname, frame, col, fmt(ours), fmt(theirs)))
    if a.by_cause and unknown_all:
        print()
        print_by_cause(unknown_all)
    ok = True
    if not (a.only or a.sample or a.columns or a.default_only):
        ok = readme_figures_hold(tot) and ok
    if agreement < MIN_AGREEMENT:
        print("overall agreement %.3f%% is below %.1f%%" % (agreement, MIN_AGREEMENT))
        ok = False
    print("%d passed, %d failed" % (passed, failed))
    return 0 if ok and failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:             # e.g. piped into head
        sys.stderr.close()
        sys.exit(1)
