/* names.c: IANA protocol keywords, Ethertype names, the other link payloads' names
 * and link-type names. */
#include "names.h"
#include "linktype.h"

#include <stddef.h>

/* Keywords of IANA's "Assigned Internet Protocol Numbers" registry, except
 * 58, whose keyword IPv6-ICMP is better known as ICMPv6 (README "Columns"). Numbers
 * without a keyword are printed as numbers. */
static const char *const ipproto_names[256] = {
    [0] = "HOPOPT",
    [1] = "ICMP",
    [2] = "IGMP",
    [3] = "GGP",
    [4] = "IPv4",
    [5] = "ST",
    [6] = "TCP",
    [7] = "CBT",
    [8] = "EGP",
    [9] = "IGP",
    [10] = "BBN-RCC-MON",
    [11] = "NVP-II",
    [12] = "PUP",
    [13] = "ARGUS",
    [14] = "EMCON",
    [15] = "XNET",
    [16] = "CHAOS",
    [17] = "UDP",
    [18] = "MUX",
    [19] = "DCN-MEAS",
    [20] = "HMP",
    [21] = "PRM",
    [22] = "XNS-IDP",
    [23] = "TRUNK-1",
    [24] = "TRUNK-2",
    [25] = "LEAF-1",
    [26] = "LEAF-2",
    [27] = "RDP",
    [28] = "IRTP",
    [29] = "ISO-TP4",
    [30] = "NETBLT",
    [31] = "MFE-NSP",
    [32] = "MERIT-INP",
    [33] = "DCCP",
    [34] = "3PC",
    [35] = "IDPR",
    [36] = "XTP",
    [37] = "DDP",
    [38] = "IDPR-CMTP",
    [39] = "TP++",
    [40] = "IL",
    [41] = "IPv6",
    [42] = "SDRP",
    [43] = "IPv6-Route",
    [44] = "IPv6-Frag",
    [45] = "IDRP",
    [46] = "RSVP",
    [47] = "GRE",
    [48] = "DSR",
    [49] = "BNA",
    [50] = "ESP",
    [51] = "AH",
    [52] = "I-NLSP",
    [53] = "SWIPE",
    [54] = "NARP",
    [55] = "Min-IPv4",
    [56] = "TLSP",
    [57] = "SKIP",
    [58] = "ICMPv6",
    [59] = "IPv6-NoNxt",
    [60] = "IPv6-Opts",
    [62] = "CFTP",
    [64] = "SAT-EXPAK",
    [65] = "KRYPTOLAN",
    [66] = "RVD",
    [67] = "IPPC",
    [69] = "SAT-MON",
    [70] = "VISA",
    [71] = "IPCV",
    [72] = "CPNX",
    [73] = "CPHB",
    [74] = "WSN",
    [75] = "PVP",
    [76] = "BR-SAT-MON",
    [77] = "SUN-ND",
    [78] = "WB-MON",
    [79] = "WB-EXPAK",
    [80] = "ISO-IP",
    [81] = "VMTP",
    [82] = "SECURE-VMTP",
    [83] = "VINES",
    [84] = "TTP",
    [85] = "NSFNET-IGP",
    [86] = "DGP",
    [87] = "TCF",
    [88] = "EIGRP",
    [89] = "OSPFIGP",
    [90] = "Sprite-RPC",
    [91] = "LARP",
    [92] = "MTP",
    [93] = "AX.25",
    [94] = "IPIP",
    [95] = "MICP",
    [96] = "SCC-SP",
    [97] = "ETHERIP",
    [98] = "ENCAP",
    [100] = "GMTP",
    [101] = "IFMP",
    [102] = "PNNI",
    [103] = "PIM",
    [104] = "ARIS",
    [105] = "SCPS",
    [106] = "QNX",
    [107] = "A/N",
    [108] = "IPComp",
    [109] = "SNP",
    [110] = "Compaq-Peer",
    [111] = "IPX-in-IP",
    [112] = "VRRP",
    [113] = "PGM",
    [115] = "L2TP",
    [116] = "DDX",
    [117] = "IATP",
    [118] = "STP",
    [119] = "SRP",
    [120] = "UTI",
    [121] = "SMP",
    [122] = "SM",
    [123] = "PTP",
    [124] = "ISIS over IPv4",
    [125] = "FIRE",
    [126] = "CRTP",
    [127] = "CRUDP",
    [128] = "SSCOPMCE",
    [129] = "IPLT",
    [130] = "SPS",
    [131] = "PIPE",
    [132] = "SCTP",
    [133] = "FC",
    [134] = "RSVP-E2E-IGNORE",
    [135] = "Mobility Header",
    [136] = "UDPLite",
    [137] = "MPLS-in-IP",
    [138] = "manet",
    [139] = "HIP",
    [140] = "Shim6",
    [141] = "WESP",
    [142] = "ROHC",
    [143] = "Ethernet",
    [144] = "AGGFRAG",
    [145] = "NSH",
    [146] = "Homa",
};

const char *ipproto_name(uint8_t proto) { return ipproto_names[proto]; }

const char *ethertype_name(uint16_t type)
{
    /* Not 0x0800 and 0x86DD: a row keeps them as its payload's type only
     * when the IP dissector declined it (0x86DD carrying another IP
     * version), where tshark's protocol column shows the number. */
    switch (type) {
    case 0x0806: return "ARP";
    case 0x0842: return "WoL";
    case 0x22F0: return "AVTP";
    case 0x22F3: return "TRILL";
    case 0x6002: return "DEC-MOP";
    case 0x6003: return "DECnet";
    case 0x8035: return "RARP";
    case 0x809B: return "AppleTalk";
    case 0x80F3: return "AARP";
    case 0x8100: return "VLAN";
    case 0x8137: return "IPX";
    case 0x8204: return "QNX";
    case 0x8808: return "MAC-Control";
    case 0x8809: return "Slow-Protocols";
    case 0x8819: return "CobraNet";
    case 0x8847: return "MPLS";
    case 0x8848: return "MPLS";
    case 0x8863: return "PPPoED";
    case 0x8864: return "PPPoES";
    case 0x886D: return "Intel-ANS";
    case 0x887B: return "HomePlug";
    case 0x888E: return "EAPOL";
    case 0x8892: return "PROFINET";
    case 0x889A: return "HyperSCSI";
    case 0x88A2: return "AoE";
    case 0x88A4: return "EtherCAT";
    case 0x88A8: return "VLAN";
    case 0x88AB: return "POWERLINK";
    case 0x88B8: return "GOOSE";
    case 0x88B9: return "GSE";
    case 0x88BA: return "SV";
    case 0x88CC: return "LLDP";
    case 0x88CD: return "SERCOS";
    case 0x88E1: return "HomePlug-AV";
    case 0x88E3: return "MRP";
    case 0x88E5: return "MACsec";
    case 0x88E7: return "PBB";
    case 0x88F7: return "PTP";
    case 0x88F8: return "NC-SI";
    case 0x88FB: return "PRP";
    case 0x8902: return "CFM";
    case 0x8906: return "FCoE";
    case 0x8914: return "FIP";
    case 0x8915: return "RoCE";
    case 0x891D: return "TTE";
    case 0x892F: return "HSR";
    case 0x9000: return "LOOP";
    case 0x9100: return "VLAN";
    default: return NULL;
    }
}

static const char *const link_proto_names[LINK_PROTO_COUNT] = {
    [LINK_LLC] = "LLC",
    [LINK_STP] = "STP",
    [LINK_SLARP] = "SLARP",
    /* packet-netlink.c and its families' dissectors (tshark 4.0) */
    [LINK_NETLINK] = "Netlink",
    [LINK_NETLINK_ROUTE] = "Netlink route",
    [LINK_NETLINK_SOCK_DIAG] = "Netlink sock diag",
    [LINK_NETLINK_NETFILTER] = "Netlink netfilter",
    [LINK_NETLINK_GENERIC] = "Netlink generic",
    /* as Wireshark's PPP dissector abbreviates them */
    [LINK_PPP_LCP] = "LCP",
    [LINK_PPP_PAP] = "PAP",
    [LINK_PPP_CHAP] = "CHAP",
    [LINK_PPP_IPCP] = "IPCP",
    [LINK_PPP_IPV6CP] = "IPV6CP",
    [LINK_PPP_OSINLCP] = "OSINLCP",
    [LINK_PPP_ATCP] = "ATCP",
    [LINK_PPP_IPXCP] = "IPXCP",
    [LINK_PPP_BCP] = "BCP",
    [LINK_PPP_ECP] = "ECP",
    [LINK_PPP_CCP] = "CCP",
    [LINK_PPP_MPLSCP] = "MPLSCP",
    [LINK_PPP_LQR] = "LQR",
    [LINK_PPP_CBCP] = "CBCP",
    [LINK_PPP_BACP] = "BACP",
    [LINK_PPP_BAP] = "BAP",
    [LINK_PPP_EAP] = "EAP",
};

const char *link_proto_name(enum link_proto p)
{
    return (unsigned)p < LINK_PROTO_COUNT ? link_proto_names[p] : NULL;
}

/* The control protocols of PPP (RFC 1661 and the IANA PPP DLL protocol
 * numbers): the protocol column of a control frame. */
enum link_proto ppp_control_proto(uint16_t proto)
{
    switch (proto) {
    case 0xC021: return LINK_PPP_LCP;
    case 0xC023: return LINK_PPP_PAP;
    case 0xC223: return LINK_PPP_CHAP;
    case 0x8021: return LINK_PPP_IPCP;
    case 0x8057: return LINK_PPP_IPV6CP;
    case 0x8023: return LINK_PPP_OSINLCP;
    case 0x8029: return LINK_PPP_ATCP;
    case 0x802B: return LINK_PPP_IPXCP;
    case 0x8031: return LINK_PPP_BCP;
    case 0x8053: return LINK_PPP_ECP;
    case 0x8055: return LINK_PPP_ECP;     /* individual link */
    case 0x80FB: return LINK_PPP_CCP;     /* individual link */
    case 0x80FD: return LINK_PPP_CCP;
    case 0x8281: return LINK_PPP_MPLSCP;
    case 0xC025: return LINK_PPP_LQR;
    case 0xC029: return LINK_PPP_CBCP;
    case 0xC02B: return LINK_PPP_BACP;
    case 0xC02D: return LINK_PPP_BAP;
    case 0xC227: return LINK_PPP_EAP;
    default: return LINK_PROTO_NONE;
    }
}

const char *linktype_name(uint32_t linktype)
{
    switch (linktype) {
    case LINKTYPE_NULL: return "NULL";
    case LINKTYPE_ETHERNET: return "ETHERNET";
    case LINKTYPE_PPP: return "PPP";
    case DLT_RAW_BSD: return "RAW";
    case DLT_RAW_OPENBSD: return "RAW";
    case LINKTYPE_PPP_HDLC: return "PPP_HDLC";
    case LINKTYPE_RAW: return "RAW";
    case LINKTYPE_C_HDLC: return "C_HDLC";
    case LINKTYPE_IEEE802_11: return "IEEE802_11";
    case LINKTYPE_LOOP: return "LOOP";
    case LINKTYPE_LINUX_SLL: return "LINUX_SLL";
    case LINKTYPE_IEEE802_11_RADIOTAP: return "IEEE802_11_RADIOTAP";
    case LINKTYPE_IPV4: return "IPV4";
    case LINKTYPE_IPV6: return "IPV6";
    case LINKTYPE_LINUX_SLL2: return "LINUX_SLL2";
    case LINKTYPE_ARCNET_BSD: return "ARCNET_BSD";
    case LINKTYPE_ARCNET_LINUX: return "ARCNET_LINUX";
    case LINKTYPE_FRELAY: return "FRELAY";
    case LINKTYPE_PPI: return "PPI";
    case LINKTYPE_NFLOG: return "NFLOG";
    case LINKTYPE_IPOIB: return "IPOIB";
    case LINKTYPE_NETLINK: return "NETLINK";
    case LINKTYPE_PKTAP: return "PKTAP";
    /* the registry's name: macOS writes PKTAP as this user link type */
    case LINKTYPE_USER2_DARWIN_PKTAP: return "USER2";
    /* #15 */
    case LINKTYPE_ATM_RFC1483: return "ATM_RFC1483";
    case LINKTYPE_ATM_CLIP: return "ATM_CLIP";
    case LINKTYPE_SUNATM: return "SUNATM";
    case LINKTYPE_IPNET: return "IPNET";
    case LINKTYPE_IEEE802_5: return "IEEE802_5";
    case LINKTYPE_FDDI: return "FDDI";
    case LINKTYPE_PPP_ETHER: return "PPP_ETHER";
    case LINKTYPE_ENC: return "ENC";
    case LINKTYPE_PFLOG: return "PFLOG";
    case LINKTYPE_IEEE802_11_PRISM: return "IEEE802_11_PRISM";
    case LINKTYPE_IP_OVER_FC: return "IP_OVER_FC";
    case LINKTYPE_APPLE_IP_OVER_IEEE1394: return "APPLE_IP_OVER_IEEE1394";
    case LINKTYPE_IEEE802_11_AVS: return "IEEE802_11_AVS";
    case LINKTYPE_PPP_WITH_DIR: return "PPP_WITH_DIR";
    case LINKTYPE_IEEE802_15_4_WITHFCS: return "IEEE802_15_4_WITHFCS";
    case LINKTYPE_IEEE802_15_4_NOFCS: return "IEEE802_15_4_NOFCS";
    case LINKTYPE_JUNIPER_MLPPP: return "JUNIPER_MLPPP";
    case LINKTYPE_JUNIPER_MLFR: return "JUNIPER_MLFR";
    case LINKTYPE_JUNIPER_GGSN: return "JUNIPER_GGSN";
    case LINKTYPE_JUNIPER_ATM2: return "JUNIPER_ATM2";
    case LINKTYPE_JUNIPER_SERVICES: return "JUNIPER_SERVICES";
    case LINKTYPE_JUNIPER_ATM1: return "JUNIPER_ATM1";
    case LINKTYPE_JUNIPER_PPPOE: return "JUNIPER_PPPOE";
    case LINKTYPE_JUNIPER_ETHER: return "JUNIPER_ETHER";
    case LINKTYPE_JUNIPER_PPP: return "JUNIPER_PPP";
    case LINKTYPE_JUNIPER_FRELAY: return "JUNIPER_FRELAY";
    case LINKTYPE_JUNIPER_CHDLC: return "JUNIPER_CHDLC";
    case LINKTYPE_JUNIPER_VP: return "JUNIPER_VP";
    default: return NULL;
    }
}
