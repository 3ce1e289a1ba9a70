/* Unit tests for the link, IP and transport decoders, on hand-written
 * packets. Each test names the situation it pins down. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "linktype.h"
#include "names.h"
#include "row.h"
#include "unit_main.h"

static struct row r;

static void decode(uint32_t linktype, const uint8_t *p, size_t caplen, size_t origlen)
{
    memset(&r, 0, sizeof r);
    row_reset(&r);
    decode_link(linktype, p, caplen, origlen, &r);
}

/* Ethernet + IPv4 (20) + TCP (20 + 12 options: NOP NOP TS) + 5 payload bytes */
static const uint8_t eth_ipv4_tcp[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x39, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
    10, 0, 0, 1, 10, 0, 0, 2,
    0x30, 0x39, 0x13, 0x8a, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0xc8,
    0x80, 0x18, 0x01, 0xf5, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x09,
    'h', 'e', 'l', 'l', 'o',
};

START_TEST(ethernet_ipv4_tcp_all_fields)
{
    decode(LINKTYPE_ETHERNET, eth_ipv4_tcp, sizeof eth_ipv4_tcp, sizeof eth_ipv4_tcp);
    ck_assert_int_eq(r.ipver, 4);
    ck_assert(r.present & HAS_SRC && r.present & HAS_DST);
    ck_assert_int_eq(r.src[0], 10);
    ck_assert_int_eq(r.dst[3], 2);
    ck_assert_int_eq(r.ipproto, 6);
    ck_assert_int_eq(r.ttl, 64);
    ck_assert_int_eq(r.ipid, 0x1234);
    ck_assert_int_eq(r.sport, 12345);
    ck_assert_int_eq(r.dport, 5002);
    ck_assert_uint_eq(r.seq, 100);
    ck_assert_uint_eq(r.ack, 200);
    ck_assert_int_eq(r.tcpflags, TCP_ACK | TCP_PSH);
    ck_assert_int_eq(r.rawwin, 501);
    ck_assert(r.present & HAS_TSOPT);
    ck_assert_uint_eq(r.tsval, 7);
    ck_assert_uint_eq(r.tsecr, 9);
    ck_assert(r.present & HAS_PAYLEN);
    ck_assert_uint_eq(r.paylen, 5);
    ck_assert_uint_eq(r.payload_caplen, 5);
    ck_assert_int_eq(r.payload[0], 'h');
}
END_TEST

START_TEST(ethernet_padding_does_not_count_as_payload)
{
    uint8_t p[sizeof eth_ipv4_tcp + 6];
    memcpy(p, eth_ipv4_tcp, sizeof eth_ipv4_tcp);
    memset(p + sizeof eth_ipv4_tcp, 0, 6);
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert_uint_eq(r.paylen, 5);
    ck_assert_uint_eq(r.payload_caplen, 5);
}
END_TEST

START_TEST(truncated_ipv4_fills_fields_whose_bytes_exist)
{
    /* 14 Ethernet + 17 IP bytes: ttl and protocol and source, no destination */
    decode(LINKTYPE_ETHERNET, eth_ipv4_tcp, 14 + 17, sizeof eth_ipv4_tcp);
    ck_assert(r.present & HAS_SRC);
    ck_assert(!(r.present & HAS_DST));
    ck_assert(r.present & HAS_IPPROTO);
    ck_assert(!(r.present & HAS_SPORT));
    /* 15 IP bytes: no source either */
    decode(LINKTYPE_ETHERNET, eth_ipv4_tcp, 14 + 15, sizeof eth_ipv4_tcp);
    ck_assert(!(r.present & HAS_SRC));
    ck_assert(r.present & HAS_TTL);
}
END_TEST

START_TEST(truncated_tcp_ports_need_4_bytes_and_seq_needs_16)
{
    decode(LINKTYPE_ETHERNET, eth_ipv4_tcp, 14 + 20 + 15, sizeof eth_ipv4_tcp);
    ck_assert(r.present & HAS_SPORT);
    ck_assert(!(r.present & HAS_TCPSEQ));
    ck_assert(!(r.present & HAS_PAYLEN));
    decode(LINKTYPE_ETHERNET, eth_ipv4_tcp, 14 + 20 + 16, sizeof eth_ipv4_tcp);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert(r.present & HAS_TCPHDR);
    /* the length comes from the IP header, so it is known though cut */
    ck_assert(r.present & HAS_PAYLEN);
    ck_assert_uint_eq(r.paylen, 5);
    ck_assert(!(r.present & HAS_TSOPT));
    ck_assert_uint_eq(r.payload_caplen, 0);
}
END_TEST

START_TEST(tcp_data_offset_below_5_gives_seq_and_length_only)
{
    uint8_t p[sizeof eth_ipv4_tcp];
    memcpy(p, eth_ipv4_tcp, sizeof p);
    p[14 + 20 + 12] = 0x40; /* data offset 4: 16 bytes */
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert(!(r.present & HAS_TCPHDR));
    ck_assert(!(r.present & HAS_TSOPT));
    ck_assert_uint_eq(r.paylen, 37 - 16);
}
END_TEST

START_TEST(tcp_data_offset_past_segment_gives_no_length)
{
    uint8_t p[sizeof eth_ipv4_tcp];
    memcpy(p, eth_ipv4_tcp, sizeof p);
    p[14 + 20 + 12] = 0xF0; /* 60 bytes of header in a 37-byte segment */
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(r.present & HAS_TCPHDR);
    ck_assert(!(r.present & HAS_PAYLEN));
}
END_TEST

START_TEST(tcp_option_bad_length_stops_options_not_row)
{
    uint8_t p[sizeof eth_ipv4_tcp];
    memcpy(p, eth_ipv4_tcp, sizeof p);
    p[14 + 20 + 20] = 0x02; /* MSS kind ... */
    p[14 + 20 + 21] = 0x01; /* ... with length 1: bogus */
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(!(r.present & HAS_TSOPT));
    ck_assert(!(r.present & HAS_MSS));
    ck_assert(r.present & HAS_PAYLEN);
    p[14 + 20 + 21] = 0x00; /* length 0 */
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(!(r.present & HAS_TSOPT));
    p[14 + 20 + 20] = 0x01;
    p[14 + 20 + 21] = 0x01;
    p[14 + 20 + 23] = 0x0b; /* timestamp option running past the header */
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(!(r.present & HAS_TSOPT));
}
END_TEST

START_TEST(tcp_options_mss_and_wscale)
{
    static const uint8_t syn[] = {
        0x45, 0, 0, 48, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
        0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0x70, 0x02, 0xff, 0xff, 0, 0, 0, 0,
        0x02, 0x04, 0x05, 0xb4, 0x03, 0x03, 0x07, 0x00,
    };
    decode(LINKTYPE_RAW, syn, sizeof syn, sizeof syn);
    ck_assert(r.present & HAS_MSS);
    ck_assert_int_eq(r.mss, 1460);
    ck_assert(r.present & HAS_WSOPT);
    ck_assert_int_eq(r.wsopt, 7);
    ck_assert_int_eq(r.tcpflags, TCP_SYN);
    ck_assert(r.tcp_opts & TCPOPTS_WHOLE);
}
END_TEST

/* A raw IPv4 segment with these flags, ACK field and 16 option bytes (kept
 * for tcp_options_reread, which reads the row's header again). */
static uint8_t seg16[56] = {
    0x45, 0, 0, 56, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
    0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0x90, 0, 0xff, 0xff, 0, 0, 0, 0,
};

static void decode_syn_options(const uint8_t opt[16], uint8_t flags, uint32_t ack)
{
    uint8_t *p = seg16;
    p[33] = flags;
    p[28] = (uint8_t)(ack >> 24);
    p[29] = (uint8_t)(ack >> 16);
    p[30] = (uint8_t)(ack >> 8);
    p[31] = (uint8_t)ack;
    memcpy(p + 40, opt, 16);
    decode(LINKTYPE_RAW, p, sizeof seg16, sizeof seg16);
}

START_TEST(tcp_sack_of_part_blocks_does_not_stop_the_options)
{
    /* SACK of 11 (a block and a byte), then window scale 7: tshark 4.0
     * stops at the byte without reading past the option */
    static const uint8_t o[16] = {5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 3, 3, 7, 1, 1};
    decode_syn_options(o, TCP_SYN, 0);
    ck_assert(r.present & HAS_WSOPT);
    ck_assert_int_eq(r.wsopt, 7);
    ck_assert_int_eq(r.nsack, 1);
    ck_assert(r.tcp_opts & TCPOPTS_WHOLE);
    ck_assert_int_eq(r.tcp_opts & ~TCPOPTS_WSOPT, TCPOPTS_WHOLE);
}
END_TEST

START_TEST(tcp_sack_shorter_than_a_block_is_skipped)
{
    /* SACK of 2 on a SYN, then window scale 7 and timestamps: RFC 2018
     * has no such SACK and RFC 7323's options after it are whole, so they
     * count, and the options were read to the end (tshark 4.0 throws in
     * its D-SACK test: a known difference) */
    static const uint8_t o[16] = {5, 2, 3, 3, 7, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0};
    decode_syn_options(o, TCP_SYN, 0);
    ck_assert(r.present & HAS_WSOPT);
    ck_assert_int_eq(r.wsopt, 7);
    ck_assert(r.present & HAS_TSOPT);
    ck_assert(!(r.present & HAS_SACK));
    ck_assert(r.tcp_opts & TCPOPTS_WHOLE);
    /* of 9 (one block cut short) too */
    static const uint8_t o9[16] = {5, 9, 0, 0, 0, 1, 0, 0, 0, 3, 3, 7, 0, 0, 0, 0};
    decode_syn_options(o9, TCP_ACK, 1);
    ck_assert(r.present & HAS_WSOPT);
    ck_assert(r.tcp_opts & TCPOPTS_WHOLE);
}
END_TEST

START_TEST(tcp_short_mptcp_snack_and_probe_options_throw)
{
    static const uint8_t fail5[16] = {30, 5, 0x62, 0x8d, 0xb9, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0};
    static const uint8_t fail12[16] = {30, 12, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 7, 0};
    static const uint8_t snack[16] = {21, 6, 0, 0, 0, 0, 3, 3, 7, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t probe[16] = {76, 9, 1, 0, 0, 0, 0, 0, 0, 3, 3, 7, 0, 0, 0, 0};
    static const uint8_t probe2[16] = {76, 10, 1, 0, 0, 0, 0, 0, 0, 0, 3, 3, 7, 0, 0, 0};
    decode_syn_options(fail5, TCP_SYN, 0);
    ck_assert(!(r.present & HAS_TSVAL));
    ck_assert(!(r.tcp_opts & TCPOPTS_WHOLE));
    decode_syn_options(fail12, TCP_SYN, 0);
    ck_assert(r.present & HAS_WSOPT);
    ck_assert(r.tcp_opts & TCPOPTS_WHOLE);
    decode_syn_options(snack, TCP_SYN, 0);
    ck_assert(!(r.present & HAS_WSOPT));
    decode_syn_options(probe, TCP_SYN, 0);
    ck_assert(!(r.present & HAS_WSOPT));
    decode_syn_options(probe2, TCP_SYN, 0);
    ck_assert(r.present & HAS_WSOPT);
}
END_TEST

START_TEST(tcp_scps_extended_option_throws_once_scps_was_offered)
{
    /* SCPS capabilities (4) then an extended option of 5 bytes whose
     * binding spaces run past it: the sender offered SCPS, so it throws */
    static const uint8_t both[16] = {20, 4, 0, 0, 20, 5, 0, 0, 0, 3, 3, 7, 0, 0, 0, 0};
    static const uint8_t ext[16] = {20, 5, 0, 0, 0, 3, 3, 7, 0, 0, 0, 0, 0, 0, 0, 0};
    decode_syn_options(both, TCP_ACK, 1);
    ck_assert(!(r.present & HAS_WSOPT));
    ck_assert(r.tcp_opts & TCPOPTS_SCPS);
    ck_assert(!(r.tcp_opts & TCPOPTS_WHOLE));
    /* alone it depends on what the side offered before */
    decode_syn_options(ext, TCP_ACK, 1);
    ck_assert(r.present & HAS_WSOPT);
    ck_assert(r.tcp_opts & TCPOPTS_STATEFUL);
    struct tcp_opt_state st = {1};
    tcp_options_reread(&r, &st);
    ck_assert(!(r.present & HAS_WSOPT));
    ck_assert(!(r.tcp_opts & TCPOPTS_WHOLE));
}
END_TEST

START_TEST(vlan_stack_reports_outermost_id)
{
    static const uint8_t p[] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
        0x88, 0xa8, 0x00, 0x64,  /* 802.1ad, VLAN 100 */
        0x81, 0x00, 0x00, 0xc8,  /* 802.1Q, VLAN 200 */
        0x91, 0x00, 0x01, 0x2c,  /* 0x9100, VLAN 300 */
        0x08, 0x06,              /* ARP */
        0, 1, 8, 0, 6, 4, 0, 1,
    };
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(r.present & HAS_VLAN);
    ck_assert_int_eq(r.vlan, 100);
    ck_assert(r.present & HAS_ETHTYPE);
    ck_assert_int_eq(r.ethertype, 0x0806);
}
END_TEST

/* PPP control frames name their protocol (RFC 1661, IANA): the protocol
 * column of a frame that carries no IP; an unknown number names nothing. */
START_TEST(ppp_control_frames_are_named)
{
    static const struct { uint16_t proto; const char *name; } cases[] = {
        { 0xC021, "LCP" }, { 0x8021, "IPCP" }, { 0x8057, "IPV6CP" }, { 0x80FD, "CCP" },
        { 0x80FB, "CCP" }, { 0x8053, "ECP" }, { 0xC227, "EAP" }, { 0x8281, "MPLSCP" },
        { 0x4021, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t p[] = { 0xFF, 0x03, (uint8_t)(cases[i].proto >> 8), (uint8_t)cases[i].proto,
                        1, 1, 0, 4 };
        decode(LINKTYPE_PPP, p, sizeof p, sizeof p);
        if (cases[i].name) {
            ck_assert(r.present & HAS_LLCNAME);
            ck_assert_str_eq(link_proto_name((enum link_proto)r.link_proto), cases[i].name);
        } else {
            ck_assert(!(r.present & HAS_LLCNAME));
        }
    }
}
END_TEST

START_TEST(llc_snap_carries_ethertype)
{
    static const uint8_t p[] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x00, 0x26,
        0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00,
        0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
        0x00, 0x35, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
    };
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.ipproto, 17);
    ck_assert_int_eq(r.sport, 53);
    ck_assert_uint_eq(r.paylen, 0);
}
END_TEST

START_TEST(sll2_ipv6_with_extension_chain)
{
    uint8_t p[20 + 40 + 8 + 8 + 8 + 20];
    memset(p, 0, sizeof p);
    p[0] = 0x86; p[1] = 0xdd;                 /* SLL2 protocol */
    uint8_t *ip = p + 20;
    ip[0] = 0x60;
    ip[5] = 8 + 8 + 8 + 20;                   /* payload length */
    ip[6] = 0;                                /* hop-by-hop */
    ip[7] = 33;
    ip[8] = 0x20; ip[9] = 0x01; ip[23] = 1;   /* 2001::1 */
    ip[24] = 0x20; ip[25] = 0x01; ip[39] = 2; /* 2001::2 */
    uint8_t *e = ip + 40;
    e[0] = 60; e[1] = 0;                      /* -> destination options */
    e[8] = 44; e[9] = 0;                      /* -> fragment */
    e[16] = 6; e[18] = 0; e[19] = 0;          /* -> TCP, atomic fragment */
    uint8_t *t = e + 24;
    t[0] = 0x04; t[1] = 0xd2; t[12] = 0x50; t[13] = 0x10;
    decode(LINKTYPE_LINUX_SLL2, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.ipver, 6);
    ck_assert_int_eq(r.ipproto, 6);
    ck_assert_int_eq(r.ttl, 33);
    ck_assert_int_eq(r.sport, 1234);
    ck_assert(r.present & HAS_PAYLEN);
    ck_assert_uint_eq(r.paylen, 0);
    ck_assert(!(r.present & HAS_FRAG));

    /* M set: a first fragment, left to the fragment table, no ports */
    e[19] = 1;
    e[20] = 0xde; e[21] = 0xad; e[22] = 0xbe; e[23] = 0xef;
    decode(LINKTYPE_LINUX_SLL2, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.ipproto, 6);
    ck_assert(!(r.present & HAS_SPORT));
    ck_assert(r.present & HAS_FRAG);
    ck_assert_uint_eq(r.frag.id, 0xdeadbeef);
    ck_assert_uint_eq(r.frag.offset, 0);
    ck_assert_uint_eq(r.frag.len, 20);
    ck_assert_int_eq(r.frag.more, 1);
    ck_assert_int_eq(r.frag.proto, 6);
    ck_assert_ptr_eq(r.frag.data, t);

    /* the payload not wholly captured: shown as data, not reassembled */
    decode(LINKTYPE_LINUX_SLL2, p, sizeof p - 1, sizeof p);
    ck_assert(!(r.present & (HAS_FRAG | HAS_SPORT)));
}
END_TEST

/* IPv6 (raw), src 2001:db8::c, dst 2001:db8:ff::1, a routing header of
 * rtlen bytes (next header TCP) whose type-specific bytes from offset 4 are
 * body, then a 20-byte TCP header. Returns the packet's length. */
static size_t ipv6_routed(uint8_t *p, uint8_t type, uint8_t left, const uint8_t *body,
                          size_t rtlen)
{
    memset(p, 0, 40 + rtlen + 20);
    p[0] = 0x60;
    p[5] = (uint8_t)(rtlen + 20);
    p[6] = 43;
    p[7] = 64;
    p[8] = 0x20; p[9] = 0x01; p[10] = 0x0d; p[11] = 0xb8; p[23] = 0x0c;
    p[24] = 0x20; p[25] = 0x01; p[26] = 0x0d; p[27] = 0xb8; p[28] = 0x00; p[29] = 0xff;
    p[39] = 0x01;
    uint8_t *h = p + 40;
    h[0] = 6;
    h[1] = (uint8_t)(rtlen / 8 - 1);
    h[2] = type;
    h[3] = left;
    memcpy(h + 4, body, rtlen - 4);
    uint8_t *t = h + rtlen;
    t[0] = 0x9c; t[1] = 0x40; t[2] = 0x01; t[3] = 0xbb; t[12] = 0x50; t[13] = 0x02;
    return 40 + rtlen + 20;
}

/* 2001:db8::N */
static void addr_n(uint8_t *a, uint8_t n)
{
    memset(a, 0, 16);
    a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8; a[15] = n;
}

/* IPv4 (raw), 10.0.0.1 -> 10.0.0.2, with the options opt (olen bytes, a
 * multiple of 4), then a 20-byte TCP SYN. Returns the packet's length. */
static size_t ipv4_with(uint8_t *p, const uint8_t *opt, size_t olen)
{
    size_t hlen = 20 + olen;
    memset(p, 0, hlen + 20);
    p[0] = (uint8_t)(0x40 | hlen / 4);
    p[3] = (uint8_t)(hlen + 20);
    p[8] = 64;
    p[9] = 6;
    p[12] = 10; p[15] = 1;
    p[16] = 10; p[19] = 2;
    memcpy(p + 20, opt, olen);
    uint8_t *t = p + hlen;
    t[0] = 0x9c; t[1] = 0x40; t[3] = 80; t[12] = 0x50; t[13] = 0x02;
    return hlen + 20;
}

START_TEST(ipv4_source_route_as_wireshark_reads_it)
{
    uint8_t p[60 + 20], hdr_dst[16] = { 10, 0, 0, 2 }, want[16] = { 0 };
    /* pending (pointer 4 of length 11): dest and key are its last address */
    const uint8_t ok[12] = { 131, 11, 4, 192, 0, 2, 1, 192, 0, 2, 2, 0 };
    size_t n = ipv4_with(p, ok, sizeof ok);
    decode(LINKTYPE_IPV4, p, n, n);
    memcpy(want, ok + 7, 4);
    ck_assert(r.present & HAS_DST);
    ck_assert(!(r.present & HAS_FINAL_DST));
    ck_assert_mem_eq(r.dst, want, 16);
    ck_assert(r.present & HAS_SPORT);

    /* a pointer into an address: no final destination, the header's */
    const uint8_t mid[12] = { 131, 11, 5, 192, 0, 2, 1, 192, 0, 2, 2, 0 };
    n = ipv4_with(p, mid, sizeof mid);
    decode(LINKTYPE_IPV4, p, n, n);
    ck_assert_mem_eq(r.dst, hdr_dst, 16);
    ck_assert(!(r.present & HAS_FINAL_DST));

    /* length 9: tshark shows no ip.dst, but keys on the last 4 bytes */
    const uint8_t odd[12] = { 131, 9, 4, 192, 0, 2, 1, 1, 2, 0, 0, 0 };
    n = ipv4_with(p, odd, sizeof odd);
    decode(LINKTYPE_IPV4, p, n, n);
    memcpy(want, odd + 5, 4);
    ck_assert(!(r.present & HAS_DST));
    ck_assert(r.present & HAS_FINAL_DST);
    ck_assert_mem_eq(row_key_dst(&r), want, 16);
    ck_assert(r.present & HAS_TCPSEQ);

    /* the route whole but the header cut by the capture: no dest either */
    n = ipv4_with(p, ok, sizeof ok);
    decode(LINKTYPE_IPV4, p, 20 + 11, n);
    ck_assert(!(r.present & (HAS_DST | HAS_SPORT)));
    ck_assert(r.present & HAS_SRC);
}
END_TEST

START_TEST(ipv4_option_read_past_its_length_ends_the_row_but_not_a_quote)
{
    uint8_t p[60 + 20];
    const uint8_t rr2[4] = { 7, 2, 1, 1 };       /* record route of 2 bytes */
    const uint8_t ra3[4] = { 148, 3, 0, 0 };     /* router alert of 3 */
    const uint8_t ra4[4] = { 148, 4, 0, 0 };
    size_t n = ipv4_with(p, rr2, sizeof rr2);
    decode(LINKTYPE_IPV4, p, n, n);
    ck_assert(r.present & HAS_DST);
    ck_assert(!(r.present & (HAS_SPORT | HAS_TCPSEQ)));
    ck_assert_int_eq(r.ipproto, 6);

    n = ipv4_with(p, ra4, sizeof ra4);
    decode(LINKTYPE_IPV4, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);

    /* in an ICMP error's quote, Wireshark goes on past it */
    n = ipv4_with(p, ra3, sizeof ra3);
    memset(&r, 0, sizeof r);
    row_reset(&r);
    r.decode_flags = DECODE_IN_ERROR;
    decode_ipv4(p, n, n, &r, 1);
    ck_assert(r.present & HAS_TCPSEQ);
    decode(LINKTYPE_IPV4, p, n, n);
    ck_assert(!(r.present & HAS_SPORT));
}
END_TEST

START_TEST(ipv6_srh_with_segments_left_keys_on_segment_list_0)
{
    uint8_t p[40 + 40 + 20], body[36] = { 1 }; /* Last Entry 1 */
    addr_n(body + 4, 5);                       /* Segment List[0]: the final one */
    addr_n(body + 20, 7);
    uint8_t hdr_dst[16], want[16];
    size_t n = ipv6_routed(p, 4, 1, body, 40);
    memcpy(hdr_dst, p + 24, 16);
    addr_n(want, 5);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_SPORT);
    ck_assert_mem_eq(r.dst, hdr_dst, 16);      /* dest: the header's, as ipv6.dst */
    ck_assert(r.present & HAS_FINAL_DST);
    ck_assert_mem_eq(row_key_dst(&r), want, 16);

    ipv6_routed(p, 4, 0, body, 40);             /* Segments Left 0: arrived */
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(!(r.present & HAS_FINAL_DST));
    ck_assert_mem_eq(row_key_dst(&r), hdr_dst, 16);

    body[0] = 2;                                /* Last Entry past the header: Malformed */
    ipv6_routed(p, 4, 0, body, 40);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(!(r.present & HAS_SPORT));
    ck_assert_int_eq(r.ipproto, 43);
}
END_TEST

START_TEST(ipv6_routing_types_0_2_3_name_their_final_destination)
{
    uint8_t p[40 + 40 + 20], body[36] = { 0 }, want[16];
    /* type 0: the last of its addresses */
    addr_n(body + 4, 6);
    addr_n(body + 20, 9);
    size_t n = ipv6_routed(p, 0, 2, body, 40);
    decode(LINKTYPE_IPV6, p, n, n);
    addr_n(want, 9);
    ck_assert(r.present & HAS_SPORT);
    ck_assert_mem_eq(row_key_dst(&r), want, 16);
    /* type 2: the home address; a header too short for it is Malformed */
    n = ipv6_routed(p, 2, 1, body, 24);
    decode(LINKTYPE_IPV6, p, n, n);
    addr_n(want, 6);
    ck_assert_mem_eq(row_key_dst(&r), want, 16);
    n = ipv6_routed(p, 2, 1, body, 8);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(!(r.present & (HAS_SPORT | HAS_FINAL_DST)));
    /* type 3 (RPL), CmprI 14, CmprE 14, no pad, 8 bytes: 4 addresses of 2
     * bytes, the last one's first 14 bytes the destination's */
    uint8_t rpl[12] = { 0xEE, 0, 0, 0, 0x00, 0x11, 0x00, 0x05, 0xab, 0xcd, 0x12, 0x34 };
    n = ipv6_routed(p, 3, 1, rpl, 16);
    decode(LINKTYPE_IPV6, p, n, n);
    memcpy(want, p + 24, 16);
    want[14] = 0x12; want[15] = 0x34;
    ck_assert(r.present & HAS_SPORT);
    ck_assert_mem_eq(row_key_dst(&r), want, 16);
    /* an unassigned type names none */
    n = ipv6_routed(p, 7, 1, body, 24);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_SPORT);
    ck_assert(!(r.present & HAS_FINAL_DST));
}
END_TEST

START_TEST(ipv6_compact_routing_header_read_past_is_malformed)
{
    uint8_t p[40 + 16 + 20];
    /* CRH-16 of 8 bytes, SIDs 1, 0: Segments Left 1 is in it */
    uint8_t sids[12] = { 0, 1, 0, 0 };
    size_t n = ipv6_routed(p, 5, 1, sids, 8);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert(!(r.present & HAS_FINAL_DST));
    /* Segments Left 5: the current SID is past the header (Malformed) */
    ipv6_routed(p, 5, 5, sids, 8);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(!(r.present & HAS_SPORT));
    ck_assert_int_eq(r.ipproto, 43);
    /* no SID 0: a well-formed header (tshark 4.0 reads the SID after the
     * last and calls it Malformed; README's known differences) */
    sids[3] = 2;
    ipv6_routed(p, 5, 1, sids, 8);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    /* CRH-32 of 16 bytes, SIDs 9, 0, 7: Segments Left 2 in it, 3 not */
    uint8_t sids32[12] = { 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 7 };
    n = ipv6_routed(p, 6, 2, sids32, 16);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    ipv6_routed(p, 6, 3, sids32, 16);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(!(r.present & HAS_SPORT));
}
END_TEST

/* IPv6 (raw), src 2001:db8::c, dst 2001:db8:ff::1, a destination options
 * header (next header TCP) whose bytes from offset 2 are opts (dolen - 2
 * of them; hop: a hop-by-hop header instead), then a 20-byte TCP header.
 * Returns the packet's length. */
static size_t ipv6_dstopts(uint8_t *p, const uint8_t *opts, size_t dolen, int hop)
{
    memset(p, 0, 40 + dolen + 20);
    p[0] = 0x60;
    p[5] = (uint8_t)(dolen + 20);
    p[6] = hop ? 0 : 60;
    p[7] = 64;
    p[8] = 0x20; p[9] = 0x01; p[10] = 0x0d; p[11] = 0xb8; p[23] = 0x0c;
    p[24] = 0x20; p[25] = 0x01; p[26] = 0x0d; p[27] = 0xb8; p[28] = 0x00; p[29] = 0xff;
    p[39] = 0x01;
    uint8_t *h = p + 40;
    h[0] = 6;
    h[1] = (uint8_t)(dolen / 8 - 1);
    memcpy(h + 2, opts, dolen - 2);
    uint8_t *t = h + dolen;
    t[0] = 0x9c; t[1] = 0x40; t[2] = 0x01; t[3] = 0xbb; t[12] = 0x50; t[13] = 0x02;
    return 40 + dolen + 20;
}

START_TEST(ipv6_home_address_option_keys_the_source)
{
    /* PadN of 4, then the Home Address option (RFC 6275 section 6.3) */
    uint8_t p[40 + 48 + 20], opts[46] = { 1, 2, 0, 0, 0xC9, 16 }, want[16], hdr_src[16];
    addr_n(opts + 6, 0x10);
    addr_n(want, 0x10);
    size_t n = ipv6_dstopts(p, opts, 24, 0);
    memcpy(hdr_src, p + 8, 16);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert_mem_eq(r.src, hdr_src, 16);      /* src: the header's, as ipv6.src */
    ck_assert(r.present & HAS_HOME_SRC);
    ck_assert_mem_eq(row_key_src(&r), want, 16);
    /* in a hop-by-hop header it is none (RFC 6275: destination options) */
    ipv6_dstopts(p, opts, 24, 1);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert(!(r.present & HAS_HOME_SRC));
    ck_assert_mem_eq(row_key_src(&r), hdr_src, 16);
    /* 14 bytes: no room for the address */
    opts[5] = 14;
    opts[20] = 1; /* PadN of 4 after it */
    opts[21] = 2;
    ipv6_dstopts(p, opts, 24, 0);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert(!(r.present & HAS_HOME_SRC));
    /* 18 bytes: the first 16 */
    uint8_t o18[22] = { 1, 0, 0xC9, 18 };
    addr_n(o18 + 4, 0x11);
    addr_n(want, 0x11);
    n = ipv6_dstopts(p, o18, 24, 0);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_HOME_SRC);
    ck_assert_mem_eq(row_key_src(&r), want, 16);
    /* running past its 8-byte header: none */
    uint8_t past[6] = { 0xC9, 16, 0x20, 0x01, 0x0d, 0xb8 };
    n = ipv6_dstopts(p, past, 8, 0);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert(!(r.present & HAS_HOME_SRC));
    /* two: the last counts */
    uint8_t two[46] = { 1, 2, 0, 0, 0xC9, 16 };
    two[22] = 1; two[23] = 2;
    two[26] = 0xC9; two[27] = 16;
    addr_n(two + 6, 0x21);
    addr_n(two + 28, 0x22);
    two[44] = 1; /* PadN of 2 */
    addr_n(want, 0x22);
    n = ipv6_dstopts(p, two, 48, 0);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
    ck_assert_mem_eq(row_key_src(&r), want, 16);
    /* inside an ICMPv6 error's quote it counts too, as in Wireshark */
    struct row_frag quote = { .proto = 58, .len = (uint32_t)n, .data = p };
    struct row q;
    decode_quoted(&quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
    ck_assert(q.present & HAS_HOME_SRC);
    ck_assert_mem_eq(row_key_src(&q), want, 16);
}
END_TEST

START_TEST(ipv6_routing_header_inside_an_icmp_quote_is_passed_over)
{
    /* an SRH with Segments Left 1 quoted in an ICMPv6 error: the quoted
     * connection is the header's own destination's (Wireshark restores
     * pinfo->dst inside error packets) */
    uint8_t p[40 + 40 + 20], body[36] = { 1 }, hdr_dst[16];
    addr_n(body + 4, 5);
    addr_n(body + 20, 7);
    size_t n = ipv6_routed(p, 4, 1, body, 40);
    memcpy(hdr_dst, p + 24, 16);
    struct row_frag quote = { .proto = 58, .len = (uint32_t)n, .data = p };
    struct row q;
    decode_quoted(&quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
    ck_assert(!(q.present & HAS_FINAL_DST));
    ck_assert_mem_eq(row_key_dst(&q), hdr_dst, 16);
    /* Last Entry past the header, a type 2 header with no room for its
     * address, a CRH whose Segments Left is past it: Malformed on the
     * wire, but in the quote the TCP header after it is still read */
    body[0] = 2;
    ipv6_routed(p, 4, 1, body, 40);
    decode_quoted(&quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
    n = ipv6_routed(p, 2, 1, body, 8);
    quote.len = (uint32_t)n;
    decode_quoted(&quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
    uint8_t crh[4] = { 0, 1, 0, 2 };
    ipv6_routed(p, 5, 5, crh, 8);
    decode_quoted(&quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
    ck_assert_int_eq(q.sport, 40000);
}
END_TEST

START_TEST(icmp_error_quote_is_marked_and_decoded_apart)
{
    /* IPv4 ICMP Destination Unreachable quoting IPv4 + TCP (20 bytes) */
    uint8_t p[20 + 8 + 20 + 20];
    memset(p, 0, sizeof p);
    p[0] = 0x45; p[3] = sizeof p; p[8] = 64; p[9] = 1;
    p[12] = 9; p[15] = 9; p[16] = 10; p[19] = 1;
    uint8_t *icmp = p + 20, *in = icmp + 8;
    icmp[0] = 3; icmp[1] = 4;
    in[0] = 0x45; in[3] = 140; in[8] = 64; in[9] = 6;
    in[12] = 10; in[15] = 1; in[16] = 10; in[19] = 3;
    in[20] = 0x04; in[21] = 0xd2; in[22] = 0; in[23] = 80; in[27] = 5;
    in[32] = 0x50; in[33] = 0x18; in[34] = 0x03; in[35] = 0xe8;
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.ipproto, 1);
    ck_assert(!(r.present & (HAS_SPORT | HAS_TCPSEQ)));  /* the row is the ICMP one */
    ck_assert(r.present & HAS_QUOTE);
    ck_assert_ptr_eq(r.quote.data, in);
    struct row q;
    decode_quoted(&r.quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
    ck_assert_int_eq(q.sport, 1234);
    ck_assert_uint_eq(q.seq, 5);
    ck_assert_int_eq(q.dst[3], 3);
    /* the quoted IP length leaves 15 TCP bytes: no window, no connection */
    in[3] = 35;
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    decode_quoted(&r.quote, 0, &q);
    ck_assert(q.present & HAS_SPORT);
    ck_assert(!(q.present & HAS_TCPSEQ));
    /* a Redirect and an Echo Request quote nothing Wireshark numbers */
    icmp[0] = 5;
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert(!(r.present & HAS_QUOTE));
    icmp[0] = 8;
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert(!(r.present & HAS_QUOTE));
}
END_TEST

/* IPv4 from 10.0.0.9 carrying ICMP type/code quoting ip_len bytes of
 * 10.0.0.1:1234 -> 10.0.0.3:80 (IPv4 + 20 TCP bytes, a segment of 140),
 * then trailer bytes of 0x40 after the datagram up to frame bytes.
 * rfc4884: the ICMP header's byte 5. Returns the ICMP message. */
static uint8_t *icmp_quoting(uint8_t *p, size_t frame, uint8_t type, uint8_t rfc4884,
                             size_t ip_len)
{
    memset(p, 0x40, frame);
    memset(p, 0, 20 + 8 + ip_len);
    p[0] = 0x45; p[3] = (uint8_t)(20 + 8 + ip_len); p[8] = 64; p[9] = 1;
    p[12] = 10; p[15] = 9; p[16] = 10; p[19] = 1;
    uint8_t *icmp = p + 20, *in = icmp + 8;
    icmp[0] = type; icmp[5] = rfc4884;
    in[0] = 0x45; in[3] = 140; in[8] = 64; in[9] = 6;
    in[12] = 10; in[15] = 1; in[16] = 10; in[19] = 3;
    in[20] = 0x04; in[21] = 0xd2; in[22] = 0; in[23] = 80; in[27] = 5;
    in[32] = 0x50; in[33] = 0x18; in[34] = 0x03; in[35] = 0xe8;
    return icmp;
}

START_TEST(icmp_quote_ends_with_the_ip_datagram_not_the_frame)
{
    /* RFC 792's IP header + 8 bytes, then a 16-byte Ethernet trailer (FCS,
     * a timestamp trailer): the trailer is no TCP byte, so no window and no
     * connection (tshark: eth.trailer) */
    uint8_t p[20 + 8 + 28 + 16];
    icmp_quoting(p, sizeof p, 11, 0, 28);
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert(r.present & HAS_QUOTE);
    ck_assert_uint_eq(r.quote.len, 28);
    struct row q;
    decode_quoted(&r.quote, 0, &q);
    ck_assert(q.present & HAS_SPORT);
    ck_assert(!(q.present & HAS_TCPSEQ));
    /* the whole header quoted, the frame cut by the snap length: the
     * captured bytes bound it */
    uint8_t w[20 + 8 + 40];
    icmp_quoting(w, sizeof w, 11, 0, 40);
    decode(LINKTYPE_IPV4, w, sizeof w - 4, sizeof w);
    ck_assert_uint_eq(r.quote.len, 36);
    decode_quoted(&r.quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
}
END_TEST

START_TEST(icmp_rfc4884_length_cuts_the_quote_as_wireshark)
{
    uint8_t p[20 + 8 + 40];
    struct row q;
    /* length 2 (8 bytes): cut to (IHL 5 + 2) * 4 = 28, 8 TCP bytes */
    icmp_quoting(p, sizeof p, 11, 2, 40);
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert_uint_eq(r.quote.len, 28);
    decode_quoted(&r.quote, 0, &q);
    ck_assert(q.present & HAS_SPORT);
    ck_assert(!(q.present & HAS_TCPSEQ));
    /* length 4 (16 bytes): the IHL counted again leaves 16 TCP bytes */
    icmp_quoting(p, sizeof p, 3, 4, 40);
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert_uint_eq(r.quote.len, 36);
    decode_quoted(&r.quote, 0, &q);
    ck_assert(q.present & HAS_TCPSEQ);
    /* length 32 (128 bytes), more than the message holds: not cut */
    icmp_quoting(p, sizeof p, 12, 32, 40);
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert_uint_eq(r.quote.len, 40);
    /* the quoted datagram no longer than the length (total 8): not cut by it */
    icmp_quoting(p, sizeof p, 4, 2, 40);
    p[28 + 3] = 8;
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert_uint_eq(r.quote.len, 40);
}
END_TEST

/* IPv6 (raw) carrying a Shim6 R1 control message of 32 bytes (RFC 5533
 * section 5.8) whose one option (read by Wireshark 4.0 at byte 24, four
 * bytes late) is of type otype, content length 12, its first data byte b;
 * then a TCP header (20 bytes) or a UDP header with no data. Returns the
 * packet's length. */
static size_t ipv6_shim6_option(uint8_t *p, uint8_t otype, uint8_t b, int tcp)
{
    size_t tl = tcp ? 20 : 8;
    memset(p, 0, 40 + 32 + tl);
    p[0] = 0x60; p[5] = (uint8_t)(32 + tl); p[6] = 140; p[7] = 64;
    uint8_t *h = p + 40;
    h[0] = tcp ? 6 : 17; h[1] = 3; h[2] = 2;
    h[24] = 0; h[25] = (uint8_t)(otype << 1); h[26] = 0; h[27] = 12; h[28] = b;
    uint8_t *t = h + 32;
    t[0] = 0x03; t[1] = 0xe8; t[3] = 80;
    if (tcp) {
        t[12] = 0x50; t[13] = 0x02;
    } else {
        t[5] = 8;
    }
    return 40 + 32 + tl;
}

START_TEST(ipv6_shim6_read_past_the_payload_is_malformed)
{
    uint8_t p[40 + 32 + 20];
    /* a Locator List of one locator: its 16 bytes end where the TCP header
     * ends (packet-shim6.c pads the verification methods to 8n - 1) */
    size_t n = ipv6_shim6_option(p, 2, 1, 1);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert_int_eq(r.ipproto, 6);
    ck_assert(r.present & HAS_TCPSEQ);
    /* two locators: 16 bytes past the payload (Malformed), no TCP */
    ipv6_shim6_option(p, 2, 2, 1);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert_int_eq(r.ipproto, 140);
    ck_assert(!(r.present & HAS_SPORT));
    /* Locator Preferences to byte 40, the payload's end: elements of 1
     * byte end there, of 3 bytes one byte past it */
    n = ipv6_shim6_option(p, 3, 1, 0);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert_int_eq(r.ipproto, 17);
    ck_assert(r.present & HAS_SPORT);
    ipv6_shim6_option(p, 3, 3, 0);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert_int_eq(r.ipproto, 140);
    ck_assert(!(r.present & HAS_SPORT));
    /* an invalid element length: no element read */
    ipv6_shim6_option(p, 3, 0, 0);
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_SPORT);
    /* the payload extension header (P set) reads its 8 bytes only */
    n = ipv6_shim6_option(p, 2, 2, 1);
    p[42] = 0x80;
    decode(LINKTYPE_IPV6, p, n, n);
    ck_assert(r.present & HAS_TCPSEQ);
}
END_TEST

START_TEST(ipv6_later_fragment_has_protocol_but_no_ports)
{
    uint8_t p[40 + 8 + 8];
    memset(p, 0, sizeof p);
    p[0] = 0x60; p[5] = 16; p[6] = 44; p[7] = 64;
    p[40] = 17; p[42] = 0x01; p[43] = 0x00; /* offset 32, UDP */
    decode(LINKTYPE_IPV6, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.ipproto, 17);
    ck_assert(!(r.present & HAS_SPORT));
}
END_TEST

START_TEST(ipv6_extension_chain_cut_short_stops_at_the_cut)
{
    uint8_t p[40 + 4];
    memset(p, 0, sizeof p);
    p[0] = 0x60; p[5] = 200; p[6] = 0; /* hop-by-hop that does not fit */
    decode(LINKTYPE_IPV6, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.ipproto, 0);
    ck_assert(!(r.present & HAS_SPORT));
}
END_TEST

START_TEST(ipv4_later_fragment_has_no_transport)
{
    uint8_t p[sizeof eth_ipv4_tcp];
    memcpy(p, eth_ipv4_tcp, sizeof p);
    p[14 + 6] = 0x00; p[14 + 7] = 0x10; /* offset 128 bytes */
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(r.present & HAS_IPPROTO);
    ck_assert(!(r.present & HAS_SPORT));
    ck_assert(!(r.present & HAS_PAYLEN));
}
END_TEST

START_TEST(ipv4_ihl_below_5_gives_no_addresses)
{
    uint8_t p[sizeof eth_ipv4_tcp];
    memcpy(p, eth_ipv4_tcp, sizeof p);
    p[14] = 0x44;
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(!(r.present & (HAS_SRC | HAS_DST | HAS_IPPROTO)));
    p[14] = 0x45; p[16] = 0; p[17] = 10; /* total length shorter than the header */
    decode(LINKTYPE_ETHERNET, p, sizeof p, sizeof p);
    ck_assert(!(r.present & (HAS_SRC | HAS_DST)));
}
END_TEST

START_TEST(ip_in_ip_reports_inner_header)
{
    uint8_t p[20 + 20 + 8];
    memset(p, 0, sizeof p);
    p[0] = 0x45; p[3] = sizeof p; p[8] = 64; p[9] = 4;
    p[12] = 1; p[15] = 1; p[16] = 1; p[19] = 2;
    uint8_t *in = p + 20;
    in[0] = 0x45; in[3] = 28; in[8] = 9; in[9] = 17;
    in[12] = 2; in[15] = 1; in[16] = 2; in[19] = 2;
    in[20] = 0x11; in[21] = 0x11; in[22] = 0x22; in[23] = 0x22;
    decode(LINKTYPE_IPV4, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.src[0], 2);
    ck_assert_int_eq(r.ttl, 9);
    ck_assert_int_eq(r.ipproto, 17);
    ck_assert_int_eq(r.sport, 0x1111);
}
END_TEST

START_TEST(null_link_both_byte_orders_and_bsd_ipv6_families)
{
    uint8_t p[4 + 40];
    memset(p, 0, sizeof p);
    p[4] = 0x60; p[10] = 59; p[11] = 1;
    static const uint32_t families[] = { 24, 28, 30 };
    for (int i = 0; i < 3; i++) {
        memset(p, 0, 4);
        p[0] = (uint8_t)families[i]; /* little-endian host */
        decode(LINKTYPE_NULL, p, sizeof p, sizeof p);
        ck_assert_int_eq(r.ipver, 6);
        memset(p, 0, 4);
        p[3] = (uint8_t)families[i]; /* big-endian host */
        decode(LINKTYPE_NULL, p, sizeof p, sizeof p);
        ck_assert_int_eq(r.ipver, 6);
        decode(LINKTYPE_LOOP, p, sizeof p, sizeof p);
        ck_assert_int_eq(r.ipver, 6);
    }
    /* Linux's AF_INET6 is no DLT_NULL family (tshark 4.0, tcpdump) */
    memset(p, 0, 4);
    p[0] = 10;
    decode(LINKTYPE_NULL, p, sizeof p, sizeof p);
    ck_assert_int_eq(r.ipver, IPVER_NONE);
}
END_TEST

START_TEST(unknown_link_type_fills_nothing)
{
    decode(147, eth_ipv4_tcp, sizeof eth_ipv4_tcp, sizeof eth_ipv4_tcp);
    ck_assert_uint_eq(r.present, 0);
}
END_TEST

/* An Ethernet pseudowire behind MPLS, first nibble 0: no control word when
 * only the frame read from its first byte reaches a network layer; when
 * the one read after 4 bytes does too, a control word unless its reserved
 * bits 4-15 are set. The edges of those readings. */
START_TEST(mpls_pseudowire_control_word_by_structure)
{
    uint8_t f[14 + 4 * 22 + 24];
    const uint8_t macs[12] = { 0x00, 0x1b, 0x21, 0, 0, 1, 0x00, 0x0c, 0x29, 0, 0, 2 };
    memset(f, 0, sizeof f);
    memcpy(f, macs, sizeof macs);
    f[12] = 0x08, f[13] = 0x00, f[14] = 0x45;
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 0);
    /* the version byte not captured: not shown to be IPv4 */
    ck_assert_uint_eq(mpls_pw_control_word_len(f, 14), 4);
    ck_assert_uint_eq(mpls_pw_control_word_len(f, 15), 0);
    /* a version 6 header behind 0x0800 is no IPv4 one */
    f[14] = 0x60;
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 4);
    /* nothing, or too little for an Ethertype */
    ck_assert_uint_eq(mpls_pw_control_word_len(f, 0), 4);
    ck_assert_uint_eq(mpls_pw_control_word_len(f, 13), 4);
    /* an 802.1Q tag before IPv4: after a control word the Ethertype is
     * IPv4's too, so the reserved bits decide: 0x01b set (00:1b:21), then
     * none (00:00:5e) */
    const uint8_t tag[] = { 0x81, 0x00, 0, 100, 0x08, 0x00, 0x45 };
    memcpy(f + 12, tag, sizeof tag);
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 0);
    f[1] = 0x00, f[2] = 0x5e;
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 4);
    f[0] = 0x01;   /* 01:00:5e, an IPv4 multicast address */
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 0);
    memcpy(f, macs, sizeof macs);
    /* 802.1ad, 802.1Q, then MPLS */
    const uint8_t tags[] = { 0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2, 0x88, 0x47 };
    memcpy(f + 12, tags, sizeof tags);
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 0);
    /* 20 VLAN tags before IPv4 are read past, 21 are not */
    for (int n = 20; n <= 21; n++) {
        for (int i = 0; i < n; i++)
            f[12 + 4 * i] = 0x81, f[13 + 4 * i] = 0x00, f[14 + 4 * i] = 0, f[15 + 4 * i] = 5;
        f[12 + 4 * n] = 0x08, f[13 + 4 * n] = 0x00, f[14 + 4 * n] = 0x45;
        ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), n == 20 ? 0 : 4);
    }
    /* a control word 00 00 00 00, then a frame: whatever the other reading */
    memset(f, 0, sizeof f);
    memcpy(f + 4, macs, sizeof macs);
    f[16] = 0x08, f[17] = 0x06;                /* after a control word: ARP */
    f[12] = 0x88, f[13] = 0x64;                /* without one: PPPoE session */
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 4);
    f[12] = 0x88, f[13] = 0xcc;                /* without one: LLDP, not followed */
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 4);
    /* an 802.3 length after a control word, ARP without one */
    f[16] = 0x00, f[17] = 0x2e;
    f[12] = 0x08, f[13] = 0x06;
    ck_assert_uint_eq(mpls_pw_control_word_len(f, sizeof f), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, ethernet_ipv4_tcp_all_fields);
    tcase_add_test(tc, ethernet_padding_does_not_count_as_payload);
    tcase_add_test(tc, truncated_ipv4_fills_fields_whose_bytes_exist);
    tcase_add_test(tc, truncated_tcp_ports_need_4_bytes_and_seq_needs_16);
    tcase_add_test(tc, tcp_data_offset_below_5_gives_seq_and_length_only);
    tcase_add_test(tc, tcp_data_offset_past_segment_gives_no_length);
    tcase_add_test(tc, tcp_option_bad_length_stops_options_not_row);
    tcase_add_test(tc, tcp_options_mss_and_wscale);
    tcase_add_test(tc, tcp_sack_of_part_blocks_does_not_stop_the_options);
    tcase_add_test(tc, tcp_sack_shorter_than_a_block_is_skipped);
    tcase_add_test(tc, tcp_short_mptcp_snack_and_probe_options_throw);
    tcase_add_test(tc, tcp_scps_extended_option_throws_once_scps_was_offered);
    tcase_add_test(tc, vlan_stack_reports_outermost_id);
    tcase_add_test(tc, ppp_control_frames_are_named);
    tcase_add_test(tc, llc_snap_carries_ethertype);
    tcase_add_test(tc, sll2_ipv6_with_extension_chain);
    tcase_add_test(tc, ipv6_later_fragment_has_protocol_but_no_ports);
    tcase_add_test(tc, ipv6_extension_chain_cut_short_stops_at_the_cut);
    tcase_add_test(tc, ipv6_shim6_read_past_the_payload_is_malformed);
    tcase_add_test(tc, ipv4_later_fragment_has_no_transport);
    tcase_add_test(tc, ipv4_ihl_below_5_gives_no_addresses);
    tcase_add_test(tc, ip_in_ip_reports_inner_header);
    tcase_add_test(tc, null_link_both_byte_orders_and_bsd_ipv6_families);
    tcase_add_test(tc, unknown_link_type_fills_nothing);
    tcase_add_test(tc, ipv4_source_route_as_wireshark_reads_it);
    tcase_add_test(tc, ipv4_option_read_past_its_length_ends_the_row_but_not_a_quote);
    tcase_add_test(tc, ipv6_srh_with_segments_left_keys_on_segment_list_0);
    tcase_add_test(tc, ipv6_routing_types_0_2_3_name_their_final_destination);
    tcase_add_test(tc, ipv6_compact_routing_header_read_past_is_malformed);
    tcase_add_test(tc, ipv6_routing_header_inside_an_icmp_quote_is_passed_over);
    tcase_add_test(tc, ipv6_home_address_option_keys_the_source);
    tcase_add_test(tc, icmp_error_quote_is_marked_and_decoded_apart);
    tcase_add_test(tc, icmp_quote_ends_with_the_ip_datagram_not_the_frame);
    tcase_add_test(tc, icmp_rfc4884_length_cuts_the_quote_as_wireshark);
    tcase_add_test(tc, mpls_pseudowire_control_word_by_structure);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
