/*
 * kdb_ipc.h - protocol-level decoding of kdb+ IPC (q's TCP protocol) for the
 * --kdb message rows: handshake recognition, message headers, prefix
 * decompression and a summary of a message payload.
 *
 * Pure library code: no I/O, no allocation, no global mutable state. Every
 * function works on caller-owned bytes and fixed-size caller-owned structs;
 * every length read from the wire is checked against the bytes present before
 * it is used. Wire format references, public: KX's "Interprocess communication"
 * (code.kx.com/q/basics/ipc: the handshake, capabilities, the message
 * header), "Serialization examples" (code.kx.com/q/kb/serialization: the
 * bytes of each type) and the uncompress of KX's c.java
 * (github.com/KxSystems/javakdb); cited below by those names.
 *
 * Status values (all functions): KDB_OK; KDB_TRUNCATED = the bytes given end
 * before the result is complete (give more bytes, or report "truncated");
 * KDB_BAD = malformed (bad type, attribute, count, length, back-reference);
 * KDB_UNSUPPORTED = legal but not decoded here (>2 GB forms of capability 5/6,
 * 8-byte vector counts, foreign objects, nesting deeper than KDB_MAX_DEPTH).
 * Where a status is not KDB_OK a static English reason is available.
 *
 * 1. Handshake (ipc: handshake). The client's first bytes are
 *    "user[:password]" + capability byte (0..6) + NUL, or in the pre-2.6 form
 *    "user[:password]" + NUL (capability reported as -1). kdb_hello_parse()
 *    accepts any credential byte but NUL, as kdb+ does; it waits for more
 *    bytes (KDB_TRUNCATED) only while those given are printable (>= 0x20
 *    but 0x7f), so a handshake holding a control byte or DEL must come with
 *    its NUL, and gives up (KDB_BAD) when no NUL appears within KDB_HELLO_MAX
 *    bytes; the user name (text before the first ':') is returned, never the
 *    password. kdb_hello_reply() checks the server's 1-byte answer (<= 6 and
 *    <= the client's capability when known). Rejected logins get no reply at
 *    all: the server just closes. Use these only on the first bytes after a
 *    SYN: mid-stream, a little-endian header "01 00 ..." also reads as an
 *    empty-user capability-1 handshake.
 *
 * 2. Header (ipc: message header): 8 bytes {byte order 0/1, msgtype 0 async / 1 sync /
 *    2 response, compressed 0/1, reserved 0, uint32 total length including
 *    the header}. Flag 2 (compressed with an 8-byte uncompressed length) and a
 *    non-zero byte 3 (length high byte, capability 5/6) are the >2 GB forms
 *    known only from one third-party source: KDB_UNSUPPORTED, length still
 *    filled. kdb_hdr_consistent() adds the payload's first bytes (a valid q
 *    type; an atom's exact size; a vector's attribute <= 4 and a count that
 *    fits; for a compressed message an uncompressed length of at least 9
 *    that its wire length can decode to (kdb_unz_len_fits), two leading
 *    literals and a valid type at offset 13): what every message a kdb+
 *    decoder takes passes, so a framing in sync uses it. kdb_hdr_plausible()
 *    adds what kdb+ itself always sends: a compressed message no longer
 *    than its uncompressed form (kdb+ keeps a compression only when it
 *    pays; a longer one is legal, its decompressor takes it, but a search
 *    without it finds more false headers). kdb_find_chain() uses it to find
 *    a message boundary in a stream picked up mid-connection: a plausible
 *    header whose length lands on another plausible header of the same byte
 *    order, `need` times, or (after two headers) exactly on the end of the
 *    data.
 *
 * 3. Decompression (c.java uncompress). The scheme is LZ77-like:
 *    after the 12-byte header+ulen, groups of one flag byte + 8 items; an item
 *    is a literal byte or (h, n) = copy n+2 bytes from the position in hash
 *    slot h. Slots map out[p]^out[p+1] to the latest hashed position p, so the
 *    table is a function of the output produced so far, and every reference
 *    points strictly backwards into it. Hence output byte i depends only on
 *    the input and on output bytes before i: a K-byte caller buffer plus the
 *    1 KiB table (struct kdb_unz) decodes any prefix exactly, fed in
 *    arbitrary chunks (an item split across chunks is kept in the struct).
 *    The state is ~1.1 KiB plus the caller's K bytes; nothing is allocated.
 *    What is not decoded past K cannot be checked either. Errors (KDB_BAD):
 *    ulen < 9, a wire length longer than any encoding of ulen bytes
 *    (kdb_unz_len_fits: found at once, whatever K), reference to a
 *    never-set slot, a copy past ulen, compressed bytes ending before ulen
 *    output bytes, and (when the whole payload fits in K) compressed bytes
 *    left over after ulen output bytes. ulen may be below the wire length
 *    (a compression that did not pay): c.java's uncompress takes it too.
 *
 * 4. Payload summary (serialization). kdb_summarise() walks the serialized q
 *    object in the first `n` bytes of a payload whose full length is `total`
 *    (counts beyond `total` are KDB_BAD, beyond `n` KDB_TRUNCATED), stopping
 *    as soon as the fields below are known; it never reads the rest:
 *      ptype   type byte of the payload (signed);
 *      func    item 0 of a general list when a symbol atom or a char vector
 *              (".u.upd", "upd", ".u.sub", ".u.end");
 *      table   item 1 when a symbol atom;
 *      rows    rows of item 2 (the data argument): table 98 and keyed table
 *              -> its first column's count; general list -> count of its
 *              first item when that is a list/vector (columns), 1 when it is
 *              an atom (one row of atoms), 0 when empty; simple vector -> 1
 *              (tick.q's `0>type first x` rule);
 *      query   the text when the whole payload is a char vector (type 10);
 *      error   the text of an error (type -128).
 *    func/table/rows/query describe calls: for responses (msgtype 2) only
 *    ptype and error are filled, as in the corpus ground truth (a response
 *    `(`trade;schema)` is a value, not a call of `trade`). Texts are not
 *    copied: each points into p[0..n), whole (nothing is cut to a buffer: a
 *    q query of a few hundred bytes is ordinary), so the summary is valid as
 *    long as those bytes are. func/table are only set when complete;
 *    query/error may be partial (the bytes given end inside them) with
 *    status KDB_TRUNCATED. A text may hold any byte, NUL too (a char
 *    vector): escape it on output.
 *    kdb_obj_size() walks one whole object, for full validation.
 *    Recursion is bounded by KDB_MAX_DEPTH; each item consumes at least one
 *    byte, so counts are checked against the bytes left before any loop.
 *
 * Byte order: every multi-byte field of a message follows header byte 0
 * (1 little, 0 big-endian; kdb+ on x86 writes little, legacy c.java big).
 */
#ifndef PCAP2KDB_KDB_IPC_H
#define PCAP2KDB_KDB_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kdb_status {
    KDB_OK = 0,
    KDB_TRUNCATED,
    KDB_BAD,
    KDB_UNSUPPORTED,
    KDB_OVER_BUDGET     /* the framer's only: its payload could not be held
                         * (the reassembly budget was used up), so nothing of
                         * it was read */
};

/* "ok", "truncated", "bad", "unsupported", "over_budget" */
const char *kdb_status_name(enum kdb_status st);

#define KDB_HELLO_MAX   1024u  /* client handshake: NUL must appear by then */
#define KDB_MAX_DEPTH   64u    /* nesting of q objects walked */
#define KDB_HDR_LEN     8u
/* a header and the payload bytes its checks read (kdb_hdr_consistent) */
#define KDB_HDR_CHECK_LEN 14u

/* ---- 1. handshake ------------------------------------------------------ */

/* Text of the wire, where it lies in the caller's bytes (not copied, not
 * NUL-terminated). */
struct kdb_text {
    const uint8_t *p;
    size_t n;
};

struct kdb_hello {
    struct kdb_text user;      /* text before the first ':' (or all), in p */
    size_t len;                /* handshake bytes including the final NUL */
    int    capability;         /* 0..6, or -1 for the pre-2.6 form */
    bool   has_password;       /* a ':' was present */
};

/* p/n: the first bytes the client sent. KDB_TRUNCATED: no NUL yet (and
 * nothing seen so far rules a handshake out). Bytes after the NUL are not
 * inspected (h->len tells where they start). */
enum kdb_status kdb_hello_parse(const uint8_t *p, size_t n, struct kdb_hello *h);

/* p/n: the first bytes the server sent; only p[0] is the reply. client_cap:
 * from kdb_hello_parse, or -1 if unknown. *cap receives the reply byte. */
enum kdb_status kdb_hello_reply(const uint8_t *p, size_t n, int client_cap,
                                int *cap);

/* ---- 2. message header ------------------------------------------------- */

enum kdb_msgtype { KDB_ASYNC = 0, KDB_SYNC = 1, KDB_RESPONSE = 2 };

struct kdb_hdr {
    uint8_t  little;     /* 1: little-endian fields, 0: big-endian */
    uint8_t  msgtype;    /* enum kdb_msgtype */
    uint8_t  compressed; /* 0, 1 (2: >2 GB form, unsupported) */
    uint8_t  reserved;   /* byte 3 (non-zero: >4 GiB length, unsupported) */
    uint64_t len;        /* total bytes on the wire, header included */
};

/* "async", "sync", "response" (NULL for other values) */
const char *kdb_msgtype_name(unsigned msgtype);

/* KDB_TRUNCATED if n < 8; KDB_BAD for an impossible header (byte order > 1,
 * msgtype > 2, flag > 2, len < 9, compressed len < 14); KDB_UNSUPPORTED for
 * the >2 GB forms. h is filled as far as the bytes allow. */
enum kdb_status kdb_hdr_parse(const uint8_t *p, size_t n, struct kdb_hdr *h,
                              const char **reason);

/* A header that parses KDB_OK and, when the bytes are present, is followed by
 * a payload start that agrees with it (see top comment): any message kdb+
 * decodes passes. For a framing in sync. */
bool kdb_hdr_consistent(const uint8_t *p, size_t n);

/* kdb_hdr_consistent() and what kdb+ itself always sends (see top comment).
 * For a search of message boundaries. */
bool kdb_hdr_plausible(const uint8_t *p, size_t n);

/* True for a type byte that can start a serialized q object on the wire. */
bool kdb_type_valid(int8_t t);

/* Find where a chain of `need` (>= 1) plausible headers starts in p[0..n),
 * each length landing on the next header of the same byte order (one sender
 * writes one order), or (after two or more headers)
 * exactly on n. Use need >= 3: resyncing from 138,000 offsets of the corpus
 * streams, need 2 gave 1.1% false chains inside message bodies, 3 and 4 none.
 * KDB_OK: *at = the first such offset (preferred over earlier undecided
 * candidates). KDB_TRUNCATED: none confirmed; *at = the first candidate the
 * bytes can neither confirm nor refute (its chain runs past n): retry with
 * more bytes from *at; *decide_at (when not NULL) = the fewest bytes from
 * p on that can decide one of the undecided candidates, any of them (its
 * next header and the KDB_HDR_CHECK_LEN bytes it is checked with), always
 * more than n: a later candidate's chain may be decided long before the
 * first's (a zero byte before a little-endian header reads as a big-endian
 * one claiming megabytes). KDB_BAD: no candidate at any offset; *at = the
 * offset from which bytes are worth keeping (max(0, n-7)). Cost O(n * need). */
enum kdb_status kdb_find_chain(const uint8_t *p, size_t n, unsigned need,
                               size_t *at, uint64_t *decide_at);

/* ---- 3. prefix decompression ------------------------------------------- */

struct kdb_unz {
    uint8_t    *out;      /* caller buffer: payload bytes 0..cap (message offset 8..) */
    size_t      cap;
    uint64_t    ulen;     /* uncompressed total incl. 8-byte header (0 until known) */
    uint64_t    clen;     /* compressed total on the wire incl. header */
    uint64_t    d;        /* compressed input position (message offset) */
    uint64_t    s;        /* output position (message offset, from 8) */
    uint64_t    p;        /* next output position to hash */
    uint32_t    aa[256];  /* hash slot -> output position; 0 = never set */
    unsigned    mask;     /* current flag bit, 0 = read a new flag byte */
    unsigned    flags;    /* current flag byte */
    uint8_t     pend[4];  /* bytes of a split ulen or (h, n) pair */
    unsigned    npend;
    uint8_t     little;
    enum kdb_status st;   /* KDB_TRUNCATED while more input is needed */
    const char *reason;
};

/* A compressed message of clen wire bytes (header included) can decode to
 * ulen bytes (header included): ulen >= 9 and clen at most ulen's longest
 * encoding, every item a literal (12 + (ulen - 8) + ceil((ulen - 8) / 8)). */
bool kdb_unz_len_fits(uint64_t ulen, uint64_t clen);

/* Prepare to decode the message whose header is h (h->compressed == 1) into
 * out[0..cap). Fails (KDB_BAD/UNSUPPORTED) when h is not a compressed
 * message this module decodes. */
enum kdb_status kdb_unz_init(struct kdb_unz *z, const struct kdb_hdr *h,
                             uint8_t *out, size_t cap);

/* Feed the next n compressed bytes, starting with message offset 8 (the
 * uncompressed length) on the first call. *used (may be NULL) receives how
 * many were consumed: fewer than n once the message's compressed length or
 * the output limit is reached. Returns KDB_TRUNCATED while more input is
 * needed, KDB_OK once min(cap, ulen-8) payload bytes are in out, KDB_BAD on
 * corrupt data; later calls return the same final status. */
enum kdb_status kdb_unz_feed(struct kdb_unz *z, const uint8_t *in, size_t n,
                             size_t *used);

/* Payload bytes decoded so far into out (<= cap). */
size_t kdb_unz_out_len(const struct kdb_unz *z);

/* Uncompressed payload length (ulen - 8), or 0 while unknown. */
uint64_t kdb_unz_payload_len(const struct kdb_unz *z);

/* One-shot: msg/n = a whole compressed message or a prefix of it.
 * KDB_OK when out holds min(cap, ulen-8) payload bytes. *out_len (may be
 * NULL) = bytes decoded; *payload_len (may be NULL) = ulen - 8 when known. */
enum kdb_status kdb_unz_prefix(const uint8_t *msg, size_t n, uint8_t *out,
                               size_t cap, size_t *out_len,
                               uint64_t *payload_len, const char **reason);

/* ---- 4. payload summary ------------------------------------------------ */

enum {
    KDB_HAS_FUNC  = 1u << 0,
    KDB_HAS_TABLE = 1u << 1,
    KDB_HAS_ROWS  = 1u << 2,
    KDB_HAS_QUERY = 1u << 3,
    KDB_HAS_ERROR = 1u << 4
};

#define KDB_PTYPE_NONE INT16_MIN  /* no payload byte given */

struct kdb_summary {
    enum kdb_status status;
    const char *reason;       /* "" when status is KDB_OK */
    int16_t  ptype;           /* q type of the payload, or KDB_PTYPE_NONE */
    unsigned has;             /* KDB_HAS_* of the fields filled */
    int64_t  rows;            /* -1 unless has & KDB_HAS_ROWS */
    struct kdb_text func, table, query, error;   /* in the payload bytes given */
};

/* p/n: the first n bytes of a message payload (after the 8-byte header, after
 * decompression); total: the payload's full length (header len - 8, or ulen
 * - 8); n > total is treated as n = total. little: header byte 0. msgtype:
 * header byte 1. Returns s->status. */
enum kdb_status kdb_summarise(const uint8_t *p, size_t n, uint64_t total,
                              int little, unsigned msgtype,
                              struct kdb_summary *s);

/* Walk one whole q object at p (n bytes present, total bytes it may span).
 * KDB_OK: *size = its serialized size. */
enum kdb_status kdb_obj_size(const uint8_t *p, size_t n, uint64_t total,
                             int little, size_t *size, const char **reason);

#endif /* PCAP2KDB_KDB_IPC_H */
