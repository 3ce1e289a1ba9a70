/* ipcomp.h (#15): IPComp payloads inflated for the row, as Wireshark does. */
#ifndef PCAP2KDB_IPCOMP_H
#define PCAP2KDB_IPCOMP_H

#include <stdint.h>
#include "row.h"

/* Inflates the DEFLATE payload the row describes (HAS_IPCOMP) into *buf
 * (allocated on first use, IPCOMP_MAX_INFLATED bytes, kept until
 * ipcomp_free) and decodes what it carries onto the row, whose payload
 * then points into *buf until the next call. A payload that does not
 * inflate leaves the row as the decoders made it (tshark shows it as data). */
void ipcomp_row(uint8_t **buf, struct row *r);
void ipcomp_free(uint8_t **buf);

#endif
