/* names.h: every name the protocol column shows (IP protocols, Ethertypes,
 * other link payloads) and the link types' names. Each lookup by number
 * returns NULL when the number has no name here. */
#ifndef PCAP2KDB_NAMES_H
#define PCAP2KDB_NAMES_H

#include <stdint.h>

const char *ipproto_name(uint8_t proto);
const char *ethertype_name(uint16_t type);
/* A link type's name such as "ETHERNET" (linktype.h numbers). */
const char *linktype_name(uint32_t linktype);

/* The payloads that are neither IP nor named by an Ethertype, as the
 * protocol column names them (row.link_proto, when HAS_LLCNAME). The
 * decoders can name such a payload only by one of these, and --proto
 * accepts each name (filter.c walks the list), so the two cannot drift. */
enum link_proto {
    LINK_PROTO_NONE,
    /* 802.2 LLC frames that carry no IP: spanning tree (DSAP 0x42) or other */
    LINK_LLC, LINK_STP,
    /* Cisco HDLC's 0x8035: Cisco's keepalives */
    LINK_SLARP,
    /* netlink frames, and the families tshark 4.0 names */
    LINK_NETLINK, LINK_NETLINK_ROUTE, LINK_NETLINK_SOCK_DIAG, LINK_NETLINK_NETFILTER,
    LINK_NETLINK_GENERIC,
    /* PPP's control protocols (ppp_control_proto) */
    LINK_PPP_LCP, LINK_PPP_PAP, LINK_PPP_CHAP, LINK_PPP_IPCP, LINK_PPP_IPV6CP, LINK_PPP_OSINLCP,
    LINK_PPP_ATCP, LINK_PPP_IPXCP, LINK_PPP_BCP, LINK_PPP_ECP, LINK_PPP_CCP, LINK_PPP_MPLSCP,
    LINK_PPP_LQR, LINK_PPP_CBCP, LINK_PPP_BACP, LINK_PPP_BAP, LINK_PPP_EAP,
    LINK_PROTO_COUNT
};
/* The protocol column's text of p; NULL for LINK_PROTO_NONE. */
const char *link_proto_name(enum link_proto p);
/* The PPP control protocol a PPP protocol number names (LINK_PPP_LCP...),
 * LINK_PROTO_NONE for any other number. */
enum link_proto ppp_control_proto(uint16_t proto);

#endif
