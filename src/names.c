/* names.c: IANA protocol keywords, Ethertype names and link-type names. */
#include "names.h"
#include "linktype.h"

#include <stddef.h>

/* Keywords of IANA's "Assigned Internet Protocol Numbers" registry, except
 * 58, whose keyword IPv6-ICMP is better known as ICMPv6 (SCHEMA.md), and 135,
 * whose keyword has a space (a q symbol read from CSV keeps it, but a hyphen
 * is kinder to q scripts). */
const char *ipproto_name(uint8_t proto)
{
    switch (proto) {
    case 0: return "HOPOPT";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 3: return "GGP";
    case 4: return "IPv4";
    case 5: return "ST";
    case 6: return "TCP";
    case 8: return "EGP";
    case 9: return "IGP";
    case 17: return "UDP";
    case 27: return "RDP";
    case 33: return "DCCP";
    case 41: return "IPv6";
    case 43: return "IPv6-Route";
    case 44: return "IPv6-Frag";
    case 46: return "RSVP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 59: return "IPv6-NoNxt";
    case 60: return "IPv6-Opts";
    case 88: return "EIGRP";
    case 89: return "OSPFIGP";
    case 94: return "IPIP";
    case 97: return "ETHERIP";
    case 98: return "ENCAP";
    case 103: return "PIM";
    case 108: return "IPComp";
    case 112: return "VRRP";
    case 115: return "L2TP";
    case 124: return "ISIS";
    case 132: return "SCTP";
    case 135: return "Mobility-Header";
    case 136: return "UDPLite";
    case 137: return "MPLS-in-IP";
    case 139: return "HIP";
    case 140: return "Shim6";
    case 142: return "ROHC";
    case 143: return "Ethernet";
    default: return NULL;
    }
}

const char *ethertype_name(uint16_t type)
{
    switch (type) {
    case 0x0800: return "IPv4";
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
    case 0x86DD: return "IPv6";
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
    default: return NULL;
    }
}
