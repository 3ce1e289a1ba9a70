/* columns_default.h: how a batch holds each of the 15 default columns
 * (columns_batch.h), and the texts of the two that are names: the protocol
 * and the TCP flags. Inline, so that the writers' default rows, with the
 * column a constant, have no dispatch left. */
#ifndef PCAP2KDB_COLUMNS_DEFAULT_H
#define PCAP2KDB_COLUMNS_DEFAULT_H

#include <string.h>
#include "batch.h"
#include "columns.h"

/* How a batch holds each default column (batch.h): the row's own field, as
 * it is, valid by these present bits of the row. Inline, so that a
 * writer's loop over the default columns folds it away. */
struct default_column_enc {
    uint8_t enc;
    uint32_t valid_mask;
};
static inline struct default_column_enc default_column_enc(int c)
{
    switch (c) {
    case COL_TIME: return (struct default_column_enc){ BENC_UNIX_TIME, HAS_TIME };
    case COL_SRC: return (struct default_column_enc){ BENC_ADDR, HAS_SRC };
    case COL_DEST: return (struct default_column_enc){ BENC_ADDR, HAS_DST };
    case COL_SRCPORT: return (struct default_column_enc){ BENC_U16, HAS_SPORT };
    case COL_DESTPORT: return (struct default_column_enc){ BENC_U16, HAS_DPORT };
    case COL_PROTOCOL:
        return (struct default_column_enc){ BENC_PROTOCOL, HAS_IPPROTO | HAS_ETHTYPE | HAS_LLCNAME };
    case COL_FLAGS: return (struct default_column_enc){ BENC_TCP_FLAGS, HAS_TCPHDR };
    case COL_SEQ: return (struct default_column_enc){ BENC_U32, HAS_TCPSEQ };
    case COL_ACK: return (struct default_column_enc){ BENC_U32, HAS_TCPHDR };
    case COL_WIN: return (struct default_column_enc){ BENC_U64, HAS_WIN };
    case COL_TSVAL: return (struct default_column_enc){ BENC_U32, HAS_TSOPT | HAS_TSVAL };
    case COL_TSECR: return (struct default_column_enc){ BENC_U32, HAS_TSOPT };
    case COL_LENGTH: return (struct default_column_enc){ BENC_U32, 0 };
    case COL_LEN: return (struct default_column_enc){ BENC_U32, HAS_PAYLEN };
    default: return (struct default_column_enc){ BENC_Q, 0 }; /* COL_SYM */
    }
}

/* The protocol column's text of a row that has one (HAS_IPPROTO,
 * HAS_ETHTYPE or HAS_LLCNAME): at most PROTOCOL_TEXT_MAX bytes. */
char *format_protocol_text(char *p, const struct row *r);
/* The same through the protocol's code (batch.h BENC_PROTOCOL), which
 * protocol_code() takes from a row that has one. */
static inline uint32_t protocol_code(const struct row *r)
{
    if (r->present & HAS_IPPROTO)
        return BPROTO_IP | r->ipproto;
    if (r->present & HAS_ETHTYPE)
        return BPROTO_ETHERTYPE | r->ethertype;
    return BPROTO_LINK | r->link_proto;
}
char *protocol_code_text(char *p, uint32_t code);
#define PROTOCOL_TEXT_MAX 40
/* The text of each of the 512 combinations of the nine TCP flags, names
 * joined by '|' ("ACK|PSH"), made once (tcp_flags_init): one copy per row
 * instead of nine tests and joins. */
#define TCP_FLAGS_TEXT_MAX 35
extern char tcp_flag_text[512][TCP_FLAGS_TEXT_MAX + 1];
extern uint8_t tcp_flag_len[512];
extern int tcp_flags_ready;
void tcp_flags_init(void);
/* Writes the whole entry (room for TCP_FLAGS_TEXT_MAX + 1 bytes). */
static inline char *format_tcp_flags(char *p, uint16_t f)
{
    if (!tcp_flags_ready)
        tcp_flags_init();
    f &= 0x1FF;
    memcpy(p, tcp_flag_text[f], sizeof tcp_flag_text[f]);
    return p + tcp_flag_len[f];
}

#endif
