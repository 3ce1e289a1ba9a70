/* analysis.c: tcp_analyze_sequence_number() of Wireshark 4.0 packet-tcp.c,
 * step by step and in its order; comments name the Wireshark finding. */
#include "analysis.h"
#include "row.h"
#include "seq_compare.h"

#include <string.h>

#define WSCALE_UNKNOWN_STATE (-1)
#define WSCALE_NOT_USED_STATE (-2)

static const char *const names[TA_COUNT] = {
    "retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
    "lost_segment", "ack_lost_segment", "dup_ack", "zero_window", "zero_window_probe",
    "zero_window_probe_ack", "keep_alive", "keep_alive_ack", "window_full", "window_update",
    "reused_ports",
};

const char *ta_name(int i) { return i >= 0 && i < TA_COUNT ? names[i] : ""; }

void ta_dir_init(struct ta_dir *d)
{
    memset(d, 0, sizeof *d);
    d->window = 0xFFFFFFFFu;   /* init_tcp_conversation_data: G_MAXUINT32 */
}

void ta_same_isn_syn(struct ta_dir *fwd) { fwd->nextseq = fwd->maxseqtobeacked; }

uint32_t ta_segment(struct ta_conn *c, struct ta_dir *fwd, struct ta_dir *rev,
                    int rev_win_scale, uint32_t seq, uint32_t ack, uint32_t seglen,
                    uint16_t flags, uint32_t window, uint64_t now_ns, uint32_t preflags)
{
    uint32_t ta = preflags;
    const int sfr = (flags & (TCP_SYN | TCP_FIN | TCP_RST)) != 0;
    const int same_seq_ack = seq == fwd->nextseq && ack == fwd->lastack;

    /* ZERO WINDOW PROBE: one byte at the next sequence number while the
     * peer's window is closed; skips the checks up to the duplicate ACK. */
    if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
        ta |= TA_ZERO_WINDOW_PROBE;
        goto finished_fwd;
    }
    /* ZERO WINDOW */
    if (window == 0 && !(flags & (TCP_RST | TCP_FIN | TCP_SYN)))
        ta |= TA_ZERO_WINDOW;
    /* LOST SEGMENT: beyond the highest sequence number seen. */
    if (fwd->nextseq && GT_SEQ(seq, fwd->nextseq) && !(flags & TCP_RST))
        ta |= TA_LOST_SEGMENT;
    /* KEEP ALIVE: 0 or 1 byte, one before the next sequence number. */
    if ((seglen == 0 || seglen == 1) && seq == fwd->nextseq - 1 && !sfr)
        ta |= TA_KEEP_ALIVE;
    /* WINDOW UPDATE: empty, same seq/ack, another window. */
    if (seglen == 0 && window && window != fwd->window && same_seq_ack && !sfr)
        ta |= TA_WINDOW_UPDATE;
    /* WINDOW FULL: the data reaches the right edge of the peer's window. */
    if (seglen > 0 && rev_win_scale != WSCALE_UNKNOWN_STATE && !sfr) {
        int shift = rev->is_first_ack || rev_win_scale == WSCALE_NOT_USED_STATE ? 0
                                                                                : rev_win_scale;
        if ((uint32_t)(seq + seglen) == (uint32_t)(rev->lastack + (rev->window << shift)))
            ta |= TA_WINDOW_FULL;
    }
    /* KEEP ALIVE ACK */
    if (seglen == 0 && window && window == fwd->window && same_seq_ack &&
        (rev->lastflags & TA_KEEP_ALIVE) && !sfr) {
        ta |= TA_KEEP_ALIVE_ACK;
        goto finished_fwd;
    }
    /* ZERO WINDOW PROBE ACK */
    if (seglen == 0 && window == 0 && window == fwd->window && same_seq_ack &&
        (rev->lastflags & TA_ZERO_WINDOW_PROBE) && !sfr) {
        ta |= TA_ZERO_WINDOW_PROBE_ACK;
        goto finished_fwd;
    }
    /* DUPLICATE ACK (the MPTCP exception is not modelled). */
    if (seglen == 0 && window && window == fwd->window && same_seq_ack && !sfr) {
        fwd->dupacknum = fwd->dupacknum == 0xFFFFFFFFu ? 1 : fwd->dupacknum + 1;
        ta |= TA_DUP_ACK;
    }

finished_fwd:
    if (ack != fwd->lastack)
        fwd->dupacknum = 0;

    /* ACKED UNSEEN SEGMENT: acknowledges beyond what the peer sent. */
    if (rev->maxseqtobeacked && GT_SEQ(ack, rev->maxseqtobeacked) && (flags & TCP_ACK)) {
        if (LT_SEQ(rev->maxseqtobeacked, rev->nextseq)) {
            rev->maxseqtobeacked = rev->nextseq;
            ta |= TA_ACK_LOST_SEGMENT;
        } else {
            /* (the tree is made either way) */
            ta |= rev->dupacknum == 0 ? TA_ACK_LOST_SEGMENT : TA_TREE;
            rev->dupacknum = 0xFFFFFFFFu;
        }
    }

    /* RETRANSMISSION family: data (or SYN/FIN) that does not advance. */
    if ((seglen > 0 || (flags & (TCP_SYN | TCP_FIN))) && !(ta & TA_KEEP_ALIVE)) {
        int not_advanced = fwd->nextseq && LT_SEQ(seq, fwd->nextseq);
        if (seglen > 1 && fwd->nextseq - 1 == seq)
            not_advanced = 0;
        if (seglen > 0 && rev->lastack && LE_SEQ(seq + seglen, rev->lastack)) {
            ta |= TA_SPURIOUS_RETRANSMISSION;
        } else {
            uint64_t t = now_ns - rev->lastacktime;
            uint64_t ooo = now_ns - fwd->nextseqtime;
            uint64_t thres = c->ts_first_rtt ? c->ts_first_rtt : TA_OOO_DEFAULT_NS;
            uint32_t end = seq + seglen + ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
            if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq &&
                t < TA_FAST_RETRANS_NS)
                ta |= TA_FAST_RETRANSMISSION;
            else if (not_advanced && ooo < thres && fwd->nextseq != end)
                ta |= TA_OUT_OF_ORDER;
            else if (not_advanced)
                ta |= TA_RETRANSMISSION;
        }
    }

    /* State updates (finished_checking_retransmission_type). */
    uint32_t nextseq = seq + seglen;
    if ((seglen || (flags & (TCP_SYN | TCP_FIN))) && fwd->unacked < TA_MAX_UNACKED) {
        fwd->unacked = (uint16_t)(fwd->unacked + 1);
        if (flags & (TCP_SYN | TCP_FIN))
            nextseq++;
    }
    if ((GT_SEQ(nextseq, fwd->nextseq) || !fwd->nextseq) && !(ta & TA_ZERO_WINDOW_PROBE)) {
        fwd->nextseq = nextseq;
        fwd->nextseqtime = now_ns;
    }
    if ((seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) && !(ta & TA_ZERO_WINDOW_PROBE))
        fwd->maxseqtobeacked = fwd->nextseq;
    fwd->window = window;
    fwd->lastack = ack;
    fwd->lastacktime = now_ns;
    fwd->lastflags = (uint16_t)ta;
    /* This ack removes every listed segment of the peer that it covers. */
    if (!GT_SEQ(rev->nextseq, ack))
        rev->unacked = 0;
    return ta;
}

void ta_after_header(struct ta_conn *c, struct ta_dir *fwd, uint16_t flags, uint64_t now_ns)
{
    if (flags & TCP_SYN) {
        if (!(flags & TCP_ACK))
            c->ts_mru_syn = now_ns;
        fwd->is_first_ack = 1;
    }
    if ((flags & (TCP_SYN | TCP_ACK)) == TCP_ACK) {
        if (c->ts_mru_syn && !c->ts_first_rtt)
            c->ts_first_rtt = now_ns - c->ts_mru_syn;
        fwd->is_first_ack = 0;
    }
}

size_t ta_format(char *buf, size_t cap, uint32_t findings)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (int i = 0; i < TA_COUNT; i++) {
        if (!(findings & (1u << i)))
            continue;
        size_t len = strlen(names[i]);
        if (n + (n ? 1 : 0) + len + 1 > cap)
            break;
        if (n)
            buf[n++] = '|';
        memcpy(buf + n, names[i], len);
        n += len;
    }
    buf[n] = '\0';
    return n;
}
