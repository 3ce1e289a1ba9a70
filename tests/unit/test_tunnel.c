/* Unit tests for the tunnel decoders (#15) and the link types of
 * decode_link_extra.c, on hand-written packets: an outer Ethernet + IPv4
 * header (192.0.2.1 -> 192.0.2.2), the tunnel's header bytes as written
 * here, and an inner IPv4 + TCP or UDP packet. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "linktype.h"
#include "row.h"
#include "tunnel.h"
#include "unit_main.h"

static struct row r;
static uint8_t frame[512];

/* IPv4 10.1.0.1 -> 10.1.0.2, TCP 1234 -> 80, seq 100, ack 200, ACK, 3 bytes */
static const uint8_t inner_tcp[] = {
    0x45, 0x00, 0x00, 0x2b, 0x00, 0x07, 0x00, 0x00, 0x20, 0x06, 0x00, 0x00,
    10, 1, 0, 1, 10, 1, 0, 2,
    0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0xc8,
    0x50, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 'a', 'b', 'c',
};
/* IPv4 10.3.0.1 -> 10.3.0.2, UDP 5353 -> 53, 4 bytes */
static const uint8_t inner_udp[] = {
    0x45, 0x00, 0x00, 0x20, 0x00, 0x08, 0x00, 0x00, 0x20, 0x11, 0x00, 0x00,
    10, 3, 0, 1, 10, 3, 0, 2,
    0x14, 0xe9, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'd', 'n', 's', '!',
};
/* Ethernet header carrying IPv4, and one with an 802.1Q tag (VLAN 300) */
static const uint8_t inner_eth[] = {
    0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00,
};
static const uint8_t inner_eth_vlan[] = {
    0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x81, 0x00, 0x01, 0x2c, 0x08, 0x00,
};
/* ARP request, behind an Ethernet header */
static const uint8_t inner_arp[] = {
    0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0, 1, 2, 3, 4, 6,
    192, 0, 2, 9, 0, 0, 0, 0, 0, 0, 192, 0, 2, 10,
};

static size_t put(size_t off, const uint8_t *p, size_t n)
{
    memcpy(frame + off, p, n);
    return off + n;
}

/* Outer Ethernet + IPv4 (protocol 47, or 17 with a UDP header to udp_port),
 * then the given parts; the length fields are set to what follows. */
static size_t build(int udp_port, const uint8_t *h1, size_t n1, const uint8_t *h2, size_t n2,
                    const uint8_t *h3, size_t n3)
{
    static const uint8_t eth[] = { 0, 0, 0x5e, 0, 0x53, 1, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
    static const uint8_t ip[] = {
        0x45, 0, 0, 0, 0x01, 0x01, 0x40, 0x00, 0x40, 47, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
    };
    size_t off = put(0, eth, sizeof eth);
    size_t ip_off = off;
    off = put(off, ip, sizeof ip);
    size_t udp_off = off;
    if (udp_port) {
        frame[ip_off + 9] = 17;
        uint8_t udp[8] = { 0xd9, 0x03, (uint8_t)(udp_port >> 8), (uint8_t)udp_port, 0, 0, 0, 0 };
        off = put(off, udp, sizeof udp);
    }
    off = put(off, h1, n1);
    if (h2)
        off = put(off, h2, n2);
    if (h3)
        off = put(off, h3, n3);
    size_t iplen = off - ip_off;
    frame[ip_off + 2] = (uint8_t)(iplen >> 8);
    frame[ip_off + 3] = (uint8_t)iplen;
    if (udp_port) {
        size_t ulen = off - udp_off;
        frame[udp_off + 4] = (uint8_t)(ulen >> 8);
        frame[udp_off + 5] = (uint8_t)ulen;
    }
    return off;
}

static void decode_n(size_t caplen, size_t len, int no_tunnels)
{
    memset(&r, 0, sizeof r);
    row_reset(&r);
    r.decode_flags = no_tunnels ? DECODE_NO_TUNNELS : 0;
    decode_link(LINKTYPE_ETHERNET, frame, caplen, len, &r);
}

static void assert_inner_tcp(void)
{
    ck_assert_int_eq(r.ipver, 4);
    ck_assert_int_eq(r.src[0], 10);
    ck_assert_int_eq(r.src[1], 1);
    ck_assert_int_eq(r.dst[3], 2);
    ck_assert_int_eq(r.ipproto, 6);
    ck_assert_int_eq(r.ttl, 0x20);
    ck_assert_int_eq(r.ipid, 7);
    ck_assert_int_eq(r.sport, 1234);
    ck_assert_int_eq(r.dport, 80);
    ck_assert_uint_eq(r.seq, 100);
    ck_assert_uint_eq(r.ack, 200);
    ck_assert_uint_eq(r.paylen, 3);
    ck_assert_int_eq(r.payload[0], 'a');
}

static void assert_inner_udp(void)
{
    ck_assert_int_eq(r.src[1], 3);
    ck_assert_int_eq(r.ipproto, 17);
    ck_assert_int_eq(r.sport, 5353);
    ck_assert_int_eq(r.dport, 53);
    ck_assert_uint_eq(r.paylen, 4);
}

static void assert_tunnel(uint8_t kind, int has_id, uint32_t id)
{
    ck_assert_int_eq(r.tunnel, kind);
    ck_assert_int_eq(r.tunnel_ipver, 4);
    ck_assert_int_eq(r.tunnel_addrs, TUNNEL_HAS_SRC | TUNNEL_HAS_DST);
    ck_assert_int_eq(r.tsrc[0], 192);
    ck_assert_int_eq(r.tsrc[3], 1);
    ck_assert_int_eq(r.tdst[3], 2);
    ck_assert_int_eq(r.tunnel_has_id, has_id);
    if (has_id)
        ck_assert_uint_eq(r.tunnel_id, id);
}

static void assert_outer_row(uint8_t proto)
{
    ck_assert_int_eq(r.ipver, 4);
    ck_assert_int_eq(r.src[0], 192);
    ck_assert_int_eq(r.dst[3], 2);
    ck_assert_int_eq(r.ipproto, proto);
    ck_assert_int_eq(r.ttl, 64);
}

START_TEST(gre_with_checksum_key_and_sequence_reaches_inner_tcp)
{
    static const uint8_t gre[] = {
        0xb0, 0x00, 0x08, 0x00, 0x12, 0x34, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 5,
    };
    size_t n = build(0, gre, sizeof gre, inner_tcp, sizeof inner_tcp, NULL, 0);
    decode_n(n, n, 0);
    assert_inner_tcp();
    assert_tunnel(TUNNEL_GRE, 1, 256);
}
END_TEST

START_TEST(gre_transparent_ethernet_bridging_reaches_inner_udp)
{
    static const uint8_t gre[] = { 0x00, 0x00, 0x65, 0x58 };
    size_t n = build(0, gre, sizeof gre, inner_eth, sizeof inner_eth, inner_udp,
                     sizeof inner_udp);
    decode_n(n, n, 0);
    assert_inner_udp();
    assert_tunnel(TUNNEL_GRE, 0, 0);
}
END_TEST

START_TEST(erspan_type1_without_sequence_bit_is_ethernet_after_gre)
{
    static const uint8_t gre[] = { 0x00, 0x00, 0x88, 0xbe };
    size_t n = build(0, gre, sizeof gre, inner_eth, sizeof inner_eth, inner_tcp,
                     sizeof inner_tcp);
    decode_n(n, n, 0);
    assert_inner_tcp();
    assert_tunnel(TUNNEL_ERSPAN, 0, 0);
}
END_TEST

START_TEST(erspan_type2_session_id_and_inner_vlan_not_the_rows)
{
    /* GRE with sequence; ERSPAN II: version 1, VLAN 5, session 42, index */
    static const uint8_t hdr[] = {
        0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 9,
        0x10, 0x05, 0x00, 0x2a, 0, 0, 0, 7,
    };
    size_t n = build(0, hdr, sizeof hdr, inner_eth_vlan, sizeof inner_eth_vlan, inner_tcp,
                     sizeof inner_tcp);
    decode_n(n, n, 0);
    assert_inner_tcp();
    assert_tunnel(TUNNEL_ERSPAN, 1, 42);
    ck_assert(!(r.present & HAS_VLAN));
}
END_TEST

START_TEST(erspan_type3_platform_subheader_is_skipped)
{
    /* GRE 0x22EB without flags; ERSPAN III: version 2, session 1023,
     * timestamp, SGT, O bit set, then 8 platform-specific bytes */
    static const uint8_t hdr[] = {
        0x00, 0x00, 0x22, 0xeb,
        0x20, 0x00, 0x03, 0xff, 1, 2, 3, 4, 0, 0, 0x00, 0x01,
        0x08, 0, 0, 0, 0, 0, 0, 0,
    };
    size_t n = build(0, hdr, sizeof hdr, inner_eth, sizeof inner_eth, inner_udp,
                     sizeof inner_udp);
    decode_n(n, n, 0);
    assert_inner_udp();
    assert_tunnel(TUNNEL_ERSPAN, 1, 1023);
}
END_TEST

START_TEST(erspan_unknown_version_keeps_the_outer_packet)
{
    static const uint8_t hdr[] = {
        0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 9,
        0x30, 0x05, 0x00, 0x2a, 0, 0, 0, 7,
    };
    size_t n = build(0, hdr, sizeof hdr, inner_eth, sizeof inner_eth, inner_tcp,
                     sizeof inner_tcp);
    decode_n(n, n, 0);
    assert_outer_row(47);
    ck_assert(!(r.present & HAS_SPORT));
    assert_tunnel(TUNNEL_ERSPAN, 0, 0);
}
END_TEST

START_TEST(vxlan_vni_and_inner_tcp)
{
    static const uint8_t vx[] = { 0x08, 0, 0, 0, 0x00, 0x03, 0xe8, 0x00 };
    size_t n = build(4789, vx, sizeof vx, inner_eth, sizeof inner_eth, inner_tcp,
                     sizeof inner_tcp);
    decode_n(n, n, 0);
    assert_inner_tcp();
    assert_tunnel(TUNNEL_VXLAN, 1, 1000);
}
END_TEST

/* Port 2152 (GTP-U) below 4789 (VXLAN): a 1-byte payload has no GTP message
 * type, Wireshark's GTP dissector declines it, and packet-udp.c goes on to
 * the higher port's (tshark: eth:ethertype:ip:udp:vxlan). */
START_TEST(one_byte_on_gtpu_port_goes_to_the_higher_tunnel_port)
{
    static const uint8_t one[] = { 0x30 };
    size_t n = build(4789, one, sizeof one, NULL, 0, NULL, 0);
    frame[34] = 2152 >> 8; /* the UDP source port */
    frame[35] = 2152 & 0xff;
    decode_n(n, n, 0);
    assert_tunnel(TUNNEL_VXLAN, 0, 0);
}
END_TEST

START_TEST(geneve_options_skipped_and_ipv4_payload)
{
    /* option length 2 words, protocol 0x0800, VNI 2001, one 8-byte option */
    static const uint8_t gv[] = {
        0x02, 0x00, 0x08, 0x00, 0x00, 0x07, 0xd1, 0x00,
        0x01, 0x02, 0x03, 0x01, 0xaa, 0xbb, 0xcc, 0xdd,
    };
    size_t n = build(6081, gv, sizeof gv, inner_udp, sizeof inner_udp, NULL, 0);
    decode_n(n, n, 0);
    assert_inner_udp();
    assert_tunnel(TUNNEL_GENEVE, 1, 2001);
}
END_TEST

START_TEST(nested_vxlan_then_gre_reports_the_outermost_tunnel)
{
    /* VXLAN -> Ethernet -> IPv4 172.16.0.1 (GRE, key 9) -> inner TCP */
    uint8_t mid[14 + 20 + 8 + sizeof inner_tcp];
    static const uint8_t mid_ip[] = {
        0x45, 0, 0, 0, 0, 1, 0, 0, 0x30, 47, 0, 0, 172, 16, 0, 1, 172, 16, 0, 2,
    };
    static const uint8_t gre_key[] = { 0x20, 0x00, 0x08, 0x00, 0, 0, 0, 9 };
    memcpy(mid, inner_eth, 14);
    memcpy(mid + 14, mid_ip, 20);
    mid[14 + 3] = (uint8_t)(20 + 8 + sizeof inner_tcp);
    memcpy(mid + 34, gre_key, 8);
    memcpy(mid + 42, inner_tcp, sizeof inner_tcp);
    static const uint8_t vx[] = { 0x08, 0, 0, 0, 0x00, 0x03, 0xe9, 0x00 };
    size_t n = build(4789, vx, sizeof vx, mid, sizeof mid, NULL, 0);
    decode_n(n, n, 0);
    assert_inner_tcp();
    assert_tunnel(TUNNEL_VXLAN, 1, 1001);
}
END_TEST

START_TEST(arp_inside_gre_keeps_the_tunnels_ip_header)
{
    static const uint8_t gre[] = { 0x20, 0x00, 0x65, 0x58, 0, 0, 0, 7 };
    size_t n = build(0, gre, sizeof gre, inner_arp, sizeof inner_arp, NULL, 0);
    decode_n(n, n, 0);
    assert_outer_row(47);
    ck_assert(!(r.present & HAS_ETHTYPE));
    assert_tunnel(TUNNEL_GRE, 1, 7);
}
END_TEST

START_TEST(arp_inside_vxlan_keeps_the_udp_ports)
{
    static const uint8_t vx[] = { 0x08, 0, 0, 0, 0x00, 0x00, 0x05, 0x00 };
    size_t n = build(4789, vx, sizeof vx, inner_arp, sizeof inner_arp, NULL, 0);
    decode_n(n, n, 0);
    assert_outer_row(17);
    ck_assert_int_eq(r.sport, 0xd903);
    ck_assert_int_eq(r.dport, 4789);
    assert_tunnel(TUNNEL_VXLAN, 1, 5);
}
END_TEST

START_TEST(inner_packet_cut_by_snaplen)
{
    static const uint8_t vx[] = { 0x08, 0, 0, 0, 0x00, 0x03, 0xea, 0x00 };
    size_t n = build(4789, vx, sizeof vx, inner_eth, sizeof inner_eth, inner_tcp,
                     sizeof inner_tcp);
    size_t inner_ip = 14 + 20 + 8 + 8 + 14;
    /* inside the inner TCP header: ports, no sequence number */
    decode_n(inner_ip + 20 + 8, n, 0);
    ck_assert_int_eq(r.src[1], 1);
    ck_assert_int_eq(r.sport, 1234);
    ck_assert(!(r.present & HAS_TCPSEQ));
    /* inside the inner IP header: its source, no destination */
    decode_n(inner_ip + 18, n, 0);
    ck_assert(r.present & HAS_SRC);
    ck_assert_int_eq(r.src[1], 1);
    ck_assert(!(r.present & HAS_DST));
    ck_assert(!(r.present & HAS_SPORT));
    /* inside the inner Ethernet header: the outer packet's row */
    decode_n(inner_ip - 4, n, 0);
    assert_outer_row(17);
    ck_assert_int_eq(r.dport, 4789);
    assert_tunnel(TUNNEL_VXLAN, 1, 1002);
}
END_TEST

START_TEST(no_tunnels_keeps_the_outer_packet)
{
    static const uint8_t gre[] = { 0x20, 0x00, 0x08, 0x00, 0, 0, 0, 5 };
    size_t n = build(0, gre, sizeof gre, inner_tcp, sizeof inner_tcp, NULL, 0);
    decode_n(n, n, 1);
    assert_outer_row(47);
    ck_assert_int_eq(r.tunnel, TUNNEL_NONE);
    static const uint8_t vx[] = { 0x08, 0, 0, 0, 0x00, 0x03, 0xe8, 0x00 };
    n = build(4789, vx, sizeof vx, inner_eth, sizeof inner_eth, inner_tcp, sizeof inner_tcp);
    decode_n(n, n, 1);
    assert_outer_row(17);
    ck_assert_int_eq(r.dport, 4789);
    ck_assert_int_eq(r.tunnel, TUNNEL_NONE);
}
END_TEST

START_TEST(gtpu_tpdu_with_sequence_number)
{
    /* version 1, PT, S: 12-byte header, T-PDU, TEID 0x01020304 */
    static const uint8_t gtp[] = {
        0x32, 0xff, 0x00, 0x30, 0x01, 0x02, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00,
    };
    size_t n = build(2152, gtp, sizeof gtp, inner_tcp, sizeof inner_tcp, NULL, 0);
    decode_n(n, n, 0);
    assert_inner_tcp();
    assert_tunnel(TUNNEL_GTP, 1, 0x01020304);
}
END_TEST

static void decode_link_bytes(uint32_t linktype, const uint8_t *hdr, size_t hlen,
                              const uint8_t *payload, size_t plen)
{
    if (hlen)
        memcpy(frame, hdr, hlen);
    memcpy(frame + hlen, payload, plen);
    memset(&r, 0, sizeof r);
    row_reset(&r);
    decode_link(linktype, frame, hlen + plen, hlen + plen, &r);
}

START_TEST(solaris_ipnet_finds_ip_by_its_length)
{
    uint8_t h[24] = { 1, 2, 0, 0, 0, 0, 0, (uint8_t)sizeof inner_tcp };
    decode_link_bytes(LINKTYPE_IPNET, h, sizeof h, inner_tcp, sizeof inner_tcp);
    assert_inner_tcp();
    /* a length that does not match the packet misplaces it, as in Wireshark */
    h[7] = (uint8_t)(sizeof inner_tcp - 4);
    decode_link_bytes(LINKTYPE_IPNET, h, sizeof h, inner_tcp, sizeof inner_tcp);
    ck_assert(!(r.present & HAS_SRC));
}
END_TEST

START_TEST(atm_clip_is_ip_without_a_link_header)
{
    decode_link_bytes(LINKTYPE_ATM_CLIP, NULL, 0, inner_udp, sizeof inner_udp);
    assert_inner_udp();
}
END_TEST

START_TEST(juniper_ether_with_extensions_and_without_magic)
{
    static const uint8_t h[] = {
        'M', 'G', 'C', 0x80, 0x00, 0x06, 0x01, 0x04, 7, 0, 0, 0,
        0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00,
    };
    decode_link_bytes(LINKTYPE_JUNIPER_ETHER, h, sizeof h, inner_tcp, sizeof inner_tcp);
    assert_inner_tcp();
    /* no "MGC": Wireshark 4.0 reads the frame from its first byte */
    decode_link_bytes(LINKTYPE_JUNIPER_ETHER, h + 12, 14, inner_tcp, sizeof inner_tcp);
    assert_inner_tcp();
}
END_TEST

START_TEST(juniper_no_l2_flag_names_the_payload)
{
    static const uint8_t h[] = { 'M', 'G', 'C', 0x02, 0x02, 0x00, 0x00, 0x00 };
    decode_link_bytes(LINKTYPE_JUNIPER_PPP, h, sizeof h, inner_udp, sizeof inner_udp);
    assert_inner_udp();
}
END_TEST

START_TEST(juniper_atm1_oam_cell_has_no_ip)
{
    static const uint8_t h[] = { 'M', 'G', 'C', 0x00, 0x80, 0x00, 0x00, 0x01 };
    decode_link_bytes(LINKTYPE_JUNIPER_ATM1, h, sizeof h, inner_tcp, sizeof inner_tcp);
    ck_assert_int_eq(r.ipver, IPVER_NONE);
    static const uint8_t vc[] = { 'M', 'G', 'C', 0x00, 0x00, 0x00, 0x00, 0x01 };
    decode_link_bytes(LINKTYPE_JUNIPER_ATM1, vc, sizeof vc, inner_tcp, sizeof inner_tcp);
    assert_inner_tcp();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tunnel");
    TCase *tc = tcase_create("tunnel");
    tcase_add_test(tc, gre_with_checksum_key_and_sequence_reaches_inner_tcp);
    tcase_add_test(tc, gre_transparent_ethernet_bridging_reaches_inner_udp);
    tcase_add_test(tc, erspan_type1_without_sequence_bit_is_ethernet_after_gre);
    tcase_add_test(tc, erspan_type2_session_id_and_inner_vlan_not_the_rows);
    tcase_add_test(tc, erspan_type3_platform_subheader_is_skipped);
    tcase_add_test(tc, erspan_unknown_version_keeps_the_outer_packet);
    tcase_add_test(tc, vxlan_vni_and_inner_tcp);
    tcase_add_test(tc, geneve_options_skipped_and_ipv4_payload);
    tcase_add_test(tc, nested_vxlan_then_gre_reports_the_outermost_tunnel);
    tcase_add_test(tc, arp_inside_gre_keeps_the_tunnels_ip_header);
    tcase_add_test(tc, arp_inside_vxlan_keeps_the_udp_ports);
    tcase_add_test(tc, inner_packet_cut_by_snaplen);
    tcase_add_test(tc, no_tunnels_keeps_the_outer_packet);
    tcase_add_test(tc, gtpu_tpdu_with_sequence_number);
    tcase_add_test(tc, solaris_ipnet_finds_ip_by_its_length);
    tcase_add_test(tc, atm_clip_is_ip_without_a_link_header);
    tcase_add_test(tc, juniper_ether_with_extensions_and_without_magic);
    tcase_add_test(tc, juniper_no_l2_flag_names_the_payload);
    tcase_add_test(tc, juniper_atm1_oam_cell_has_no_ip);
    tcase_add_test(tc, one_byte_on_gtpu_port_goes_to_the_higher_tunnel_port);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
