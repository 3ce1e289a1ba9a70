/* flow_numbers.c: the TCP numbers of issue 16 for one segment of a tracked
 * connection (unacked.h). Apart from flow.c so that the hot path of the
 * default columns keeps its code. */
#include "flow.h"
#include "qspan.h"

/* #16: the TCP numbers of one segment (unacked.h): the row's columns, as
 * tshark shows them (only on a frame with a tcp.analysis tree, findings
 * already made or made here), and the --flows figures. */
void flow_numbers(struct flow_table *t, struct flow *f, int dir, struct row *r, int listed,
                  uint32_t findings, uint64_t now, int32_t now_hi)
{
    size_t i = (size_t)(f - t->slots);
    const struct flow_ana *ana = &t->ana[i];
    /* without a length (a header past the IP payload) no analysis, but
     * the options are read */
    if (!(r->present & HAS_PAYLEN)) {
        flow_take_sack(&t->num[i].dir[dir], r);
        return;
    }
    uint16_t flags = r->tcpflags;
    uint32_t end = r->seq + r->paylen + ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
    struct ual_result res;
    ual_segment(&t->ual, &t->num[i].dir[dir], &t->num[i].dir[!dir], f->dir[dir].base_seq, r->seq, r->ack,
                r->paylen, flags, listed, end, (findings & TA_LOST_SEGMENT) != 0, r->frame, now,
                now_hi, &res);
    /* (tshark dissects the options after the analysis) */
    flow_take_sack(&t->num[i].dir[dir], r);
    if (!(r->tcp_opts & TCPOPTS_WHOLE) || !(findings || res.matched || res.bif_ran))
        return;
    uint8_t tn = 0;
    if (res.matched) {
        tn |= TN_ACKED;
        r->acked = res.acked_frame;
        /* not shown when 0, nor when q cannot hold it (qspan.h) */
        if (res.rtt_ns != 0 && res.rtt_ns != QSPAN_NULL) {
            tn |= TN_ACKRTT;
            r->ackrtt = res.rtt_ns;
        }
    }
    if (ana->conn.ts_first_rtt && !t->num[i].irtt_null) {
        tn |= TN_IRTT;
        r->irtt = (int64_t)ana->conn.ts_first_rtt;
    }
    if (res.inflight) {
        tn |= TN_INFLIGHT;
        r->inflight = res.inflight;
        r->pushbytes = res.push_bytes;
    }
    if (tn) {
        r->present |= HAS_TCPNUM;
        r->tcpnum = tn;
    }
    /* --flows: from the values the row shows, so that the figures are
     * those of the packet rows (none when the options were cut) */
    if (t->sum) {
        struct flow_dir_stats *mine = &t->sum[i].dir[dir], *peer = &t->sum[i].dir[!dir];
        if ((tn & TN_INFLIGHT) && res.inflight > mine->maxflight)
            mine->maxflight = res.inflight;
        if (tn & TN_ACKRTT) {
            int64_t rtt = res.rtt_ns;
            if (!peer->rttn || rtt < peer->rttmin)
                peer->rttmin = rtt;
            if (!peer->rttn || rtt > peer->rttmax)
                peer->rttmax = rtt;
            peer->rttsum += rtt;
            peer->rttn++;
        }
    }
}
