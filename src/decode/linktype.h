/* linktype.h: link-layer header types (tcpdump.org LINKTYPE_ values, which
 * pcap and pcapng files carry). Their names are in names.h. */
#ifndef PCAP2KDB_LINKTYPE_H
#define PCAP2KDB_LINKTYPE_H

#include <stdint.h>

enum {
    LINKTYPE_NULL = 0,
    LINKTYPE_ETHERNET = 1,
    LINKTYPE_PPP = 9,
    DLT_RAW_BSD = 12,       /* DLT_RAW on most BSDs */
    DLT_RAW_OPENBSD = 14,   /* DLT_RAW on OpenBSD */
    LINKTYPE_PPP_HDLC = 50,
    LINKTYPE_RAW = 101,
    LINKTYPE_C_HDLC = 104,
    LINKTYPE_IEEE802_11 = 105,
    LINKTYPE_LOOP = 108,
    LINKTYPE_LINUX_SLL = 113,
    LINKTYPE_IEEE802_11_RADIOTAP = 127,
    LINKTYPE_ARCNET_BSD = 7,
    LINKTYPE_FRELAY = 107,
    LINKTYPE_ARCNET_LINUX = 129,
    LINKTYPE_PPI = 192,
    LINKTYPE_IPV4 = 228,
    LINKTYPE_NFLOG = 239,
    LINKTYPE_IPOIB = 242,
    LINKTYPE_PKTAP = 258,
    LINKTYPE_USER2_DARWIN_PKTAP = 149, /* macOS writes PKTAP as DLT_USER2 */
    LINKTYPE_IPV6 = 229,
    LINKTYPE_LINUX_SLL2 = 276,
};

#endif
