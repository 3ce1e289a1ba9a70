/* decode_wlan.c: IEEE 802.11 data frames and the radio headers that carry
 * them (radiotap, PPI). Only unencrypted data frames with an LLC body reach
 * the network layer; management and control frames, and protected frames,
 * keep their record fields only. */
#include "decode.h"
#include "bytes.h"
#include "linktype.h"

#define WLAN_TYPE_DATA 2
#define WLAN_FC_TO_DS 0x01
#define WLAN_FC_FROM_DS 0x02
#define WLAN_FC_PROTECTED 0x40
#define WLAN_FC_ORDER 0x80
#define WLAN_HEADER_LEN 24
#define WLAN_ADDR4_LEN 6
#define WLAN_QOS_LEN 2
#define WLAN_HT_CONTROL_LEN 4
#define WLAN_QOS_AMSDU 0x80
#define AMSDU_SUBFRAME_HEADER_LEN 14 /* DA, SA, the MSDU's length */
#define RADIOTAP_MIN_LEN 8
#define PPI_MIN_LEN 8

/* An A-MSDU (IEEE 802.11-2020 9.3.2.2): subframes of a header (DA, SA,
 * the MSDU's length) and an MSDU (LLC), each but the last padded to 4
 * bytes. A row is one packet: the first subframe's, whose fields tshark
 * lists first (the other subframes are not decoded). Its length bounds
 * the MSDU as Wireshark's packet-ieee80211.c bounds its buffer: that many
 * bytes were sent, of which those captured are read. */
static void decode_amsdu(const uint8_t *p, size_t caplen, struct row *r)
{
    if (caplen < AMSDU_SUBFRAME_HEADER_LEN) {
        decode_llc(p, 0, 0, r, 0); /* tshark too: an LLC layer that is cut */
        return;
    }
    size_t len = get_be16(p + 12), cap = caplen - AMSDU_SUBFRAME_HEADER_LEN;
    decode_llc(p + AMSDU_SUBFRAME_HEADER_LEN, cap < len ? cap : len, len, r, 0);
}

void decode_ieee80211(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < 2)
        return;
    uint8_t fc0 = p[0], fc1 = p[1];
    unsigned type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
    if (type != WLAN_TYPE_DATA || (subtype & 4) || (fc1 & WLAN_FC_PROTECTED))
        return; /* not data, a null-data frame, or encrypted */
    size_t off = WLAN_HEADER_LEN;
    if ((fc1 & WLAN_FC_TO_DS) && (fc1 & WLAN_FC_FROM_DS))
        off += WLAN_ADDR4_LEN;
    int amsdu = 0;
    if (subtype & 8) { /* QoS data */
        if (caplen < off + 1)
            return;
        amsdu = p[off] & WLAN_QOS_AMSDU;
        off += WLAN_QOS_LEN;
        if (fc1 & WLAN_FC_ORDER)
            off += WLAN_HT_CONTROL_LEN;
    }
    if (caplen < off)
        return;
    if (amsdu)
        decode_amsdu(p + off, caplen - off, r);
    else
        decode_llc(p + off, caplen - off, size_after(reported, off), r, 0);
}

/* Radiotap: version, pad, little-endian header length, then the frame. */
void decode_radiotap(const uint8_t *p, size_t caplen, size_t reported, struct row *r)
{
    if (caplen < RADIOTAP_MIN_LEN)
        return;
    size_t hlen = get_le16(p + 2);
    if (hlen < RADIOTAP_MIN_LEN || hlen > caplen)
        return;
    decode_ieee80211(p + hlen, caplen - hlen, size_after(reported, hlen), r);
}

/* PPI: version, flags, little-endian header length and link type. */
void decode_ppi(const uint8_t *p, size_t caplen, size_t reported, struct row *r, int depth)
{
    if (caplen < PPI_MIN_LEN || depth > 0)
        return;
    size_t hlen = get_le16(p + 2);
    uint32_t dlt = get_le32(p + 4);
    if (hlen < PPI_MIN_LEN || hlen > caplen || dlt == LINKTYPE_PPI)
        return;
    decode_link(dlt, p + hlen, caplen - hlen, size_after(reported, hlen), r);
}
