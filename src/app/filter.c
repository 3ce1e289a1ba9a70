/* filter.c: --port, --host and --proto. */
#define _POSIX_C_SOURCE 200809L
#include "filter.h"
#include "columns.h"
#include "decimal.h"
#include "decode.h"
#include "flow.h"
#include "names.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int too_many(char *err, size_t errlen, const char *opt)
{
    snprintf(err, errlen, "more than %d %s values", FILTER_MAX_VALUES, opt);
    return -1;
}

int filter_add_port(struct filter *f, const char *arg, char *err, size_t errlen)
{
    uint64_t v;
    if (decimal_parse(arg, 65535, &v) != DECIMAL_OK) {
        snprintf(err, errlen, "--port '%.60s' is not a port number (0-65535)", arg);
        return -1;
    }
    /* a value given twice is a slip, refused as a column named twice */
    for (int i = 0; i < f->n_ports; i++)
        if (f->port[i] == v) {
            snprintf(err, errlen, "--port '%.60s': port %u given twice", arg, (unsigned)v);
            return -1;
        }
    if (f->n_ports == FILTER_MAX_VALUES)
        return too_many(err, errlen, "--port");
    f->port[f->n_ports++] = (uint16_t)v;
    return 0;
}

static int host_match(const struct filter_host *h, uint8_t ipver, const uint8_t *a);

/* Whether two --host values keep the same rows: the same version and
 * prefix length, and the same network (10.0.0.1/8 is 10.0.0.0/8). */
static int same_addresses(const struct filter_host *a, const struct filter_host *b)
{
    return a->prefix == b->prefix && host_match(a, b->ipver, b->addr);
}

int filter_add_host(struct filter *f, const char *arg, char *err, size_t errlen)
{
    char text[INET6_ADDRSTRLEN + 8];
    struct filter_host h;
    memset(&h, 0, sizeof h);
    if (strlen(arg) >= sizeof text)
        goto bad;
    strcpy(text, arg);
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    if (inet_pton(AF_INET, text, h.addr) == 1) {
        h.ipver = IPVER_4;
        h.prefix = 32;
    } else if (inet_pton(AF_INET6, text, h.addr) == 1) {
        h.ipver = IPVER_6;
        h.prefix = 128;
    } else {
        goto bad;
    }
    if (slash) {
        uint64_t bits;
        if (decimal_parse(slash + 1, h.prefix, &bits) != DECIMAL_OK)
            goto bad;
        h.prefix = (uint8_t)bits;
    }
    for (int i = 0; i < f->n_hosts; i++)
        if (same_addresses(&f->host[i], &h)) {
            snprintf(err, errlen, "--host '%.60s': the same addresses given twice", arg);
            return -1;
        }
    if (f->n_hosts == FILTER_MAX_VALUES)
        return too_many(err, errlen, "--host");
    f->host[f->n_hosts++] = h;
    return 0;
bad:
    snprintf(err, errlen, "--host '%.60s' is not an IPv4 or IPv6 address "
             "(optionally with /prefix)", arg);
    return -1;
}

/* Whether name (any case) is what the protocol column shows for a payload
 * that is not IP: an Ethertype's name or another link payload's, from the
 * lists the decoders name them by (names.h). */
static int link_protocol_name(const char *name)
{
    for (unsigned t = 0; t < 65536; t++) {
        const char *known = ethertype_name((uint16_t)t);
        if (known && strcasecmp(known, name) == 0)
            return 1;
    }
    for (int p = LINK_PROTO_NONE + 1; p < LINK_PROTO_COUNT; p++)
        if (strcasecmp(link_proto_name((enum link_proto)p), name) == 0)
            return 1;
    return 0;
}

static int proto_twice(char *err, size_t errlen, const char *arg)
{
    snprintf(err, errlen, "--proto '%.60s': the same protocol given twice", arg);
    return -1;
}

int filter_add_proto(struct filter *f, const char *arg, char *err, size_t errlen)
{
    size_t n = strlen(arg);
    /* (a space is part of some names: "Mobility Header", "Netlink route") */
    if (n == 0 || n >= FILTER_PROTO_NAME_MAX || strpbrk(arg, ",\t")) {
        snprintf(err, errlen, "--proto '%.60s' is not a protocol name or number", arg);
        return -1;
    }
    if (f->n_protos == FILTER_MAX_VALUES)
        return too_many(err, errlen, "--proto");
    /* A value that keeps no row an earlier one does not (6 after tcp, arp
     * after ARP) is a protocol given twice: refused, as a column named twice. */
    uint64_t num;
    if (decimal_parse(arg, 255, &num) == DECIMAL_OK) {
        if ((f->ipproto[num >> 3] >> (num & 7)) & 1)
            return proto_twice(err, errlen, arg);
        f->ipproto[num >> 3] |= (uint8_t)(1u << (num & 7));
        f->n_protos++;
        return 0;
    }
    /* 0xhhhh: an Ethertype by number */
    if (n == 6 && arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X') &&
        strspn(arg + 2, "0123456789abcdefABCDEF") == 4) {
        uint16_t type = (uint16_t)strtoul(arg + 2, NULL, 16);
        for (int i = 0; i < f->n_ethertypes; i++)
            if (f->ethertype[i] == type)
                return proto_twice(err, errlen, arg);
        f->ethertype[f->n_ethertypes++] = type;
        f->n_protos++;
        return 0;
    }
    uint8_t ipproto[32] = { 0 };
    int known = 0;
    for (unsigned p = 0; p < 256; p++) {
        const char *name = ipproto_name((uint8_t)p);
        if (name && strcasecmp(name, arg) == 0) {
            ipproto[p >> 3] |= (uint8_t)(1u << (p & 7));
            known = 1;
        }
    }
    /* 58's IANA keyword; the column shows it as ICMPv6 */
    if (strcasecmp(arg, "ipv6-icmp") == 0) {
        ipproto[58 >> 3] |= (uint8_t)(1u << (58 & 7));
        known = 1;
    }
    /* a name of both kinds (STP, PTP, QNX) keeps rows of both */
    int link_name = link_protocol_name(arg);
    if (!known && !link_name) {
        snprintf(err, errlen, "--proto '%.60s' is not a protocol name (as the protocol "
                 "column shows it: tcp, udp, icmp, icmpv6, arp...) or number", arg);
        return -1;
    }
    int adds = 0;
    for (size_t i = 0; i < sizeof ipproto; i++)
        adds |= ipproto[i] & ~f->ipproto[i];
    if (link_name) {
        int have = 0;
        for (int i = 0; i < f->n_proto_names && !have; i++)
            have = strcasecmp(f->proto_name[i], arg) == 0;
        adds |= !have;
    }
    if (!adds)
        return proto_twice(err, errlen, arg);
    for (size_t i = 0; i < sizeof ipproto; i++)
        f->ipproto[i] |= ipproto[i];
    if (link_name)
        memcpy(f->proto_name[f->n_proto_names++], arg, n + 1);
    f->n_protos++;
    return 0;
}

static int host_match(const struct filter_host *h, uint8_t ipver, const uint8_t *a)
{
    if (h->ipver != ipver)
        return 0;
    unsigned whole = h->prefix / 8u, rest = h->prefix % 8u;
    if (memcmp(h->addr, a, whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
    return (h->addr[whole] & mask) == (a[whole] & mask);
}

static int proto_match(const struct filter *f, const struct row *r)
{
    if (r->present & HAS_IPPROTO)
        return (f->ipproto[r->ipproto >> 3] >> (r->ipproto & 7)) & 1;
    if (!(r->present & (HAS_ETHTYPE | HAS_LLCNAME)))
        return 0;
    /* Not IP. 0xhhhh: the Ethertype the ethertype column shows (Cisco
     * HDLC's 0x8035 of a SLARP row too), or the one the protocol column
     * names (ARCnet's ARP has no Ethertype field) */
    for (int i = 0; i < f->n_ethertypes; i++)
        if ((r->has_l2type && r->l2type == f->ethertype[i]) ||
            ((r->present & HAS_ETHTYPE) && r->ethertype == f->ethertype[i]))
            return 1;
    if (!f->n_proto_names)
        return 0;
    /* a name: what the protocol column shows */
    char text[FIELD_MAX];
    char *end = format_protocol(text, r);
    *end = '\0';
    for (int i = 0; i < f->n_proto_names; i++)
        if (strcasecmp(text, f->proto_name[i]) == 0)
            return 1;
    return 0;
}

int filter_match(const struct filter *f, const struct row *r)
{
    if (f->n_protos && !proto_match(f, r))
        return 0;
    if (f->n_ports) {
        int hit = 0;
        for (int i = 0; i < f->n_ports && !hit; i++)
            hit = ((r->present & HAS_SPORT) && r->sport == f->port[i]) ||
                  ((r->present & HAS_DPORT) && r->dport == f->port[i]);
        if (!hit)
            return 0;
    }
    if (f->n_hosts) {
        int hit = 0;
        for (int i = 0; i < f->n_hosts && !hit; i++)
            hit = ((r->present & HAS_SRC) && host_match(&f->host[i], r->ipver, r->src)) ||
                  ((r->present & HAS_DST) && host_match(&f->host[i], r->ipver, r->dst));
        if (!hit)
            return 0;
    }
    if (f->window_rows && (!(r->present & HAS_TIME) ||
                          !timewin_contains(&f->window, r->ts_sec, r->ts_nsec)))
        return 0;
    return 1;
}

int filter_match_flow(const struct filter *f, const struct flow *fl)
{
    struct row r;
    row_reset(&r);
    r.present = HAS_SRC | HAS_DST | HAS_SPORT | HAS_DPORT | HAS_IPPROTO;
    r.ipver = fl->ipver;
    r.ipproto = IPPROTO_TCP;
    memcpy(r.src, fl->addr[0], sizeof r.src);
    memcpy(r.dst, fl->addr[1], sizeof r.dst);
    r.sport = fl->port[0];
    r.dport = fl->port[1];
    return filter_match(f, &r);
}

int filter_set_time(struct filter *f, const char *arg, int is_to, char *err, size_t errlen)
{
    const char *opt = is_to ? "--to" : "--from";
    int64_t sec;
    uint32_t nsec;
    if (is_to ? f->window.has_to : f->window.has_from) {
        snprintf(err, errlen, "%s given twice", opt);
        return -1;
    }
    if (timewin_parse(arg, &sec, &nsec) != 0) {
        snprintf(err, errlen, "%s '%.60s' is not a time: a q timestamp "
                 "(2024.01.02D10:00:00.123456789, or shorter: 2024.01.02, 2024.01.02D10:00) "
                 "or seconds since 1970 (1704189600.5)", opt, arg);
        return -1;
    }
    if (is_to) {
        f->window.has_to = 1;
        f->window.to_sec = sec;
        f->window.to_nsec = nsec;
    } else {
        f->window.has_from = 1;
        f->window.from_sec = sec;
        f->window.from_nsec = nsec;
    }
    struct time_window *w = &f->window;
    if (w->has_from && w->has_to &&
        (w->from_sec > w->to_sec || (w->from_sec == w->to_sec && w->from_nsec >= w->to_nsec))) {
        snprintf(err, errlen, "--from must be before --to: the window is empty");
        return -1;
    }
    return 0;
}

int filter_window_flow(const struct filter *f, int64_t start_sec, uint32_t start_nsec,
                       int64_t finish_sec, uint32_t finish_nsec)
{
    const struct time_window *w = &f->window;
    if (start_sec == INT64_MIN || finish_sec == INT64_MIN)
        return !timewin_active(w);
    if (w->has_to && (start_sec > w->to_sec ||
                      (start_sec == w->to_sec && start_nsec >= w->to_nsec)))
        return 0;
    if (w->has_from && (finish_sec < w->from_sec ||
                        (finish_sec == w->from_sec && finish_nsec < w->from_nsec)))
        return 0;
    return 1;
}
