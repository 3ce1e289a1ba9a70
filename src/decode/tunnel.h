/* tunnel.h: encapsulations followed to the innermost packet (#15): GRE (with
 * ERSPAN I/II/III, transparent Ethernet bridging, PPTP), VXLAN, GENEVE, and
 * IP-in-IP. The row then describes the innermost IP packet that carries a
 * transport header, and its tunnel fields the outermost encapsulation. */
#ifndef PCAP2KDB_TUNNEL_H
#define PCAP2KDB_TUNNEL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "row.h"

/* IANA ports on which tshark 4.0 decodes these by default. */
#define UDP_PORT_VXLAN 4789
#define UDP_PORT_VXLAN_GPE 4790
#define UDP_PORT_GENEVE 6081
#define UDP_PORT_GTPU 2152
#define UDP_PORT_MPLS 6635     /* RFC 7510 */
#define UDP_PORT_GRE 4754      /* RFC 8086 */

/* The tunnel column's text for a row's tunnel kind ("" for none). */
const char *tunnel_name(uint8_t kind);

/* Records the outermost tunnel (kind, the row's current addresses as outer
 * ones); a tunnel inside another leaves it as it is. */
static inline void tunnel_enter(struct row *r, uint8_t kind)
{
    if (r->tunnel != TUNNEL_NONE)
        return;
    r->tunnel = kind;
    r->tunnel_has_id = 0;
    r->tunnel_ipver = r->ipver;
    r->tunnel_addrs = 0;
    if (r->present & HAS_SRC) {
        r->tunnel_addrs |= TUNNEL_HAS_SRC;
        memcpy(r->tsrc, r->src, 16);
    }
    if (r->present & HAS_DST) {
        r->tunnel_addrs |= TUNNEL_HAS_DST;
        memcpy(r->tdst, r->dst, 16);
    }
}

/* GRE (RFC 2784, 2890; RFC 2637 version 1) after its IP header: seglen is
 * the GRE packet's length from that header. */
void decode_gre(const uint8_t *p, size_t caplen, size_t seglen, struct row *r, int depth);
/* VXLAN (RFC 7348), VXLAN-GPE, GENEVE (RFC 8926), GTP-U, MPLS or GRE in a UDP payload, chosen
 * by the UDP ports already in the row as tshark 4.0 chooses (the lower port
 * first: decode_tunnel.c); returns 0 when neither port names one (the row
 * is left alone). */
int decode_udp_tunnel(const uint8_t *p, size_t caplen, size_t reported, struct row *r,
                      int depth);
/* decode_udp, then the tunnel its ports name (unless --no-tunnels). Kept
 * out of decode_ip.c so that its transport switch stays calls in tail
 * position: no cost for TCP. */
void decode_udp_tunnelled(const uint8_t *p, size_t caplen, size_t seglen, struct row *r,
                          int depth);

#endif
