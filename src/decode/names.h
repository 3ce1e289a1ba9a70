/* names.h: names for numbers that appear in the protocol and linktype
 * columns. Each returns NULL when the number has no name here. */
#ifndef PCAP2KDB_NAMES_H
#define PCAP2KDB_NAMES_H

#include <stdint.h>

const char *ipproto_name(uint8_t proto);
const char *ethertype_name(uint16_t type);
/* A link type's name such as "ETHERNET" (linktype.h numbers). */
const char *linktype_name(uint32_t linktype);

#endif
