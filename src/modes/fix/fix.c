/* fix.c: the FIX framer and field extraction (see fix.h). */
#include "fix.h"
#include "inline.h"
#include "civil.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

const char *const fix_flag_names[FIX_NFLAGS] = {
    "gap", "skipped", "reordered", "bad_length", "bad_checksum", "no_checksum", "too_long",
    "over_budget",
};

static const char fix_magic[] = "8=FIX";
#define FIX_MAGIC_LEN 5
/* BeginString is short ("FIX.4.4", "FIXT.1.1"): a possible start asks for
 * this many bytes first. */
#define FIX_BEGIN_HINT 32
/* A longer BeginString is still one: Wireshark's packet-fix.c
 * (fix_header_len) takes BeginString up to the first SOH however far.
 * Ours is bounded, so that a stream of false starts ("8=FIX.8=FIX.8=FIX.")
 * costs at most this much scanning per start: "8=", the value and its SOH
 * within FIX_BEGIN_MAX bytes, or no message starts there. */
#define FIX_BEGIN_VALUE_MAX 1024
#define FIX_BEGIN_MAX (2 + FIX_BEGIN_VALUE_MAX + 1)
/* BodyLength has at most this many digits, after at most FIX_LEN_ZEROS
 * leading zeros (FIX's int allows them: "00023" is 23). */
#define FIX_LEN_DIGITS 8
#define FIX_LEN_ZEROS 16

static inline int is_digit(uint8_t c) { return (unsigned)c - '0' < 10; }

size_t fix_next_start(const uint8_t *p, size_t n, size_t from)
{
    while (from < n) {
        const uint8_t *q = memchr(p + from, '8', n - from);
        if (!q)
            return n;
        size_t i = (size_t)(q - p);
        size_t k = n - i < FIX_MAGIC_LEN ? n - i : FIX_MAGIC_LEN;
        if (memcmp(q, fix_magic, k) == 0 && (i == 0 || (!is_digit(p[i - 1]) && p[i - 1] != '=')))
            return i;
        from = i + 1;
    }
    return n;
}

static enum fix_frame_status nostart(const uint8_t *p, size_t n, struct fix_frame_res *res,
                                     uint32_t flags)
{
    res->len = fix_next_start(p, n, 1);
    res->flags = flags;
    return FIX_FRAME_NOSTART;
}

static enum fix_frame_status more(const uint8_t *p, size_t n, size_t want,
                                  struct fix_frame_res *res)
{
    if (n >= FIX_MAX_MSG)
        return nostart(p, n, res, FIXF_TOO_LONG);
    if (want > FIX_MAX_MSG)
        want = FIX_MAX_MSG;
    res->want = want > n ? want : n + 1;
    return FIX_FRAME_MORE;
}

/* "10=ddd<SOH>" at p[e..e+7), within n bytes. */
#define FIX_TRAILER_LEN 7      /* three digits, as FIX wants them */
static inline int trailer_at(const uint8_t *p, size_t n, size_t e)
{
    return e + 7 <= n && p[e] == '1' && p[e + 1] == '0' && p[e + 2] == '=' && is_digit(p[e + 3]) &&
           is_digit(p[e + 4]) && is_digit(p[e + 5]) && p[e + 6] == FIX_SOH;
}

/* The value of the three digits of a trailer at p[e..). */
static inline unsigned trailer_value(const uint8_t *p, size_t e)
{
    return (unsigned)(p[e + 3] - '0') * 100 + (unsigned)(p[e + 4] - '0') * 10 +
           (unsigned)(p[e + 5] - '0');
}

/* The length of an unpadded trailer "10=d<SOH>" or "10=dd<SOH>" at p[e..),
 * within n bytes, or 0. FIX wants three digits, but Wireshark's
 * packet-fix.c (fix_header_len) takes whatever follows "10=" up to the
 * next SOH where BodyLength points as the trailer and compares its value
 * as a number. Accepted there only: the scan for a trailer when
 * BodyLength lies keeps to three digits, so this makes no false trailer. */
static size_t unpadded_trailer_len(const uint8_t *p, size_t n, size_t e)
{
    if (e + 5 > n || p[e] != '1' || p[e + 1] != '0' || p[e + 2] != '=' || !is_digit(p[e + 3]))
        return 0;
    if (p[e + 4] == FIX_SOH)
        return 5;
    return e + 6 <= n && is_digit(p[e + 4]) && p[e + 5] == FIX_SOH ? 6 : 0;
}

/* The message p[0..end), its trailer at e saying the byte sum is `want`. */
static enum fix_frame_status complete(const uint8_t *p, size_t e, unsigned want, size_t end,
                                      struct fix_frame_res *res, uint32_t flags)
{
    /* CheckSum: the byte sum of everything before "10=", modulo 256. */
    unsigned sum = 0;
    size_t i = 0;
#ifdef __SSE2__
    /* Sixteen bytes at a time: psadbw adds 8 bytes into each 64-bit lane
     * in one instruction (x86-64 always has SSE2). */
    __m128i acc = _mm_setzero_si128(), acc2 = _mm_setzero_si128(), zero = _mm_setzero_si128();
#define SAD16(at) _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + (at))), zero)
    for (; i + 64 <= e; i += 64) {
        acc = _mm_add_epi64(acc, _mm_add_epi64(SAD16(i), SAD16(i + 16)));
        acc2 = _mm_add_epi64(acc2, _mm_add_epi64(SAD16(i + 32), SAD16(i + 48)));
    }
    for (; i + 16 <= e; i += 16)
        acc = _mm_add_epi64(acc, SAD16(i));
#undef SAD16
    /* The last 1 to 15 bytes: the 16 ending with them, the bytes already
     * added masked out (tail_keep + r keeps the last r of 16). */
    if (i < e && e >= 16) {
        static const uint8_t tail_keep[32] = {
            0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
            0,    0,    0,    0,    0,    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        };
        __m128i last = _mm_and_si128(_mm_loadu_si128((const __m128i *)(p + e - 16)),
                                     _mm_loadu_si128((const __m128i *)(tail_keep + (e - i))));
        acc2 = _mm_add_epi64(acc2, _mm_sad_epu8(last, zero));
        i = e;
    }
    acc = _mm_add_epi64(acc, acc2);
    sum = (unsigned)_mm_cvtsi128_si32(acc) + (unsigned)_mm_cvtsi128_si32(_mm_srli_si128(acc, 8));
#endif
    /* Eight bytes at a time, in four 16-bit lanes (no lane overflows within
     * a block of 256 words). */
    while (i + 8 <= e) {
        uint64_t acc = 0;
        size_t end = e - i >= 2048 ? i + 2048 : e;
        for (; i + 8 <= end; i += 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            acc += (x & 0x00FF00FF00FF00FFull) + ((x >> 8) & 0x00FF00FF00FF00FFull);
        }
        acc = (acc & 0xFFFF) + ((acc >> 16) & 0xFFFF) + ((acc >> 32) & 0xFFFF) + (acc >> 48);
        sum += (unsigned)acc;
    }
    for (; i < e; i++)
        sum += p[i];
    res->checksum_ok = (sum & 0xFF) == want;
    if (!res->checksum_ok)
        flags |= FIXF_BAD_CHECKSUM;
    res->len = end;
    res->flags = flags;
    return FIX_FRAME_OK;
}

/* The data field (FIX type "data", free bytes, SOH included) whose length
 * the field `tag` gives, or 0: RawData, XmlData, SecureData, Signature and
 * the Encoded* texts of FIX 4.2 to 5.0 SP2. Such a field always follows its
 * length field. */
static uint32_t data_tag_of(uint32_t tag)
{
    switch (tag) {
    case 90: return 91;        /* SecureDataLen */
    case 93: return 89;        /* SignatureLength */
    case 95: return 96;        /* RawDataLength */
    case 212: return 213;      /* XmlDataLen */
    case 348: case 350: case 352: case 354: case 356: case 358: case 360: case 362:
    case 364: case 618: case 621: case 1277: case 1280: case 1401: case 1403:
        return tag + 1;        /* Encoded*Len, EncryptedPasswordLen, ... */
    case 445: return 446;      /* EncodedListStatusTextLen */
    case 1184: return 1185;    /* SecurityXMLLen */
    case 1282: return 1283;    /* DerivativeSecurityXMLLen */
    default: return 0;
    }
}

/* The number p[i..) starts with, up to `stop`, which must follow it within
 * max digits; its end in *at. -1 when malformed, -2 when the bytes run out. */
static int64_t field_number(const uint8_t *p, size_t n, size_t i, uint8_t stop, int max,
                            size_t *at)
{
    int64_t v = 0;
    size_t i0 = i;
    for (; i < n && is_digit(p[i]); i++) {
        if ((int)(i - i0) == max)
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (i == n)
        return -2;
    if (i == i0 || p[i] != stop)
        return -1;
    *at = i;
    return v;
}

/* The field starting at f (after an SOH) gives the length of a data field
 * that follows it: where that data field's SOH is (its value is skipped
 * whole, SOH, "10=" and "8=FIX" inside it included), 0 when f starts no
 * such pair or the length does not hold (the SOH is not where it points,
 * or lies at or past the trailer BodyLength gives, at e), or SIZE_MAX when
 * the bytes that decide have not arrived. */
static size_t data_field_end(const uint8_t *p, size_t n, size_t f, size_t e)
{
    size_t at;
    int64_t tag = field_number(p, n, f, '=', 5, &at);
    if (tag == -2)
        return SIZE_MAX;
    uint32_t dtag = tag > 0 ? data_tag_of((uint32_t)tag) : 0;
    if (!dtag)
        return 0;
    int64_t len = field_number(p, n, at + 1, FIX_SOH, 7, &at);
    if (len == -2)
        return SIZE_MAX;
    if (len < 0)
        return 0;
    int64_t t2 = field_number(p, n, at + 1, '=', 5, &at);
    if (t2 == -2)
        return SIZE_MAX;
    if (t2 != (int64_t)dtag)
        return 0;
    size_t end = at + 1 + (size_t)len;   /* the SOH after the value */
    if (end >= e)
        return 0;
    if (end >= n)
        return SIZE_MAX;
    return p[end] == FIX_SOH ? end : 0;
}

enum fix_frame_status fix_frame(const uint8_t *p, size_t n, struct fix_frame_res *res)
{
    return fix_frame_from(p, n, 0, res);
}

enum fix_frame_status fix_frame_from(const uint8_t *p, size_t n, size_t scanned,
                                     struct fix_frame_res *res)
{
    memset(res, 0, sizeof *res);
    if (n == 0)
        return more(p, n, 1, res);
    /* a constant length in the usual case: compared inline */
    if (n >= FIX_MAGIC_LEN ? memcmp(p, fix_magic, FIX_MAGIC_LEN) != 0
                           : memcmp(p, fix_magic, n) != 0)
        return nostart(p, n, res, 0);
    if (n <= FIX_MAGIC_LEN)
        return more(p, n, FIX_BEGIN_HINT, res);
    /* "8=FIX." or "8=FIXT." */
    if (p[5] != '.' && p[5] != 'T')
        return nostart(p, n, res, 0);
    if (p[5] == 'T' && n > 6 && p[6] != '.')
        return nostart(p, n, res, 0);
    size_t b;                  /* after BeginString's SOH */
#ifdef __SSE2__
    /* Usually within the first 16 bytes ("8=FIX.4.4" and SOH): one compare. */
    unsigned first16 = n >= 16 ? (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
                                     _mm_loadu_si128((const __m128i *)p), _mm_set1_epi8(FIX_SOH)))
                               : 0;
    if (first16)
        b = (unsigned)__builtin_ctz(first16) + 1;
    else
#endif
    {
        size_t lim = n < FIX_BEGIN_MAX ? n : FIX_BEGIN_MAX;
        const uint8_t *soh = memchr(p, FIX_SOH, lim);
        if (!soh)
            return n >= FIX_BEGIN_MAX ? nostart(p, n, res, 0)
                                      : more(p, n, n < FIX_BEGIN_HINT ? FIX_BEGIN_HINT
                                                                      : FIX_BEGIN_MAX, res);
        b = (size_t)(soh - p) + 1;
    }
    res->begin_len = b - 3;

    /* "9=<digits><SOH>" must follow. */
    if (n < b + 2)
        return more(p, n, b + 2 + FIX_LEN_DIGITS + 1, res);
    if (p[b] != '9' || p[b + 1] != '=')
        return nostart(p, n, res, 0);
    size_t i = b + 2;
    if (i < n && p[i] == '0') {   /* rare: leading zeros count for nothing */
        size_t zlim = i + FIX_LEN_ZEROS < n ? i + FIX_LEN_ZEROS : n;
        while (i < zlim && p[i] == '0' && i + 1 < n && is_digit(p[i + 1]))
            i++;
    }
    size_t digits_end = i + FIX_LEN_DIGITS;
    uint32_t len = 0;
    if (digits_end < n) {
        /* every digit that can count, and the byte after, is present */
        while (i < digits_end && is_digit(p[i]))
            len = len * 10 + (uint32_t)(p[i++] - '0');
    } else {
        while (i < n && is_digit(p[i]) && i < digits_end)
            len = len * 10 + (uint32_t)(p[i++] - '0');
    }
    if (i == n)
        return more(p, n, digits_end + 1, res);
    if (i == b + 2 || p[i] != FIX_SOH)
        return nostart(p, n, res, 0);
    size_t h = i + 1;          /* the body starts here */
    res->bodylen = len;

    size_t e = h + len;        /* where "10=" should be */
    if (len <= FIX_MAX_MSG && e + 7 <= n && p[e - 1] == FIX_SOH && trailer_at(p, n, e))
        return complete(p, e, trailer_value(p, e), e + FIX_TRAILER_LEN, res, 0);
    size_t unpadded = len <= FIX_MAX_MSG && e + 5 <= n && p[e - 1] == FIX_SOH
                          ? unpadded_trailer_len(p, n, e) : 0;
    if (unpadded) {
        /* its value as a number, as tshark compares it: 10=2 says 2 */
        unsigned want = (unsigned)(p[e + 3] - '0');
        if (unpadded == 6)
            want = want * 10 + (unsigned)(p[e + 4] - '0');
        return complete(p, e, want, e + unpadded, res, 0);
    }
    /* Not (yet) seen where BodyLength points. Decided already when the bytes
     * there are present and wrong; otherwise a trailer before that point
     * still shows the length lies (too long), or else wait for more. */
    int lying = len > FIX_MAX_MSG || e + 7 <= n;
    if (!lying && e - 1 < n && p[e - 1] != FIX_SOH)
        lying = 1;
    /* SOHs before `scanned` were decided by earlier bytes: not rescanned. */
    size_t j = scanned > h - 1 ? scanned : h - 1;
    for (; j < n; j++) {
        const uint8_t *s = memchr(p + j, FIX_SOH, n - j);
        if (!s) {
            j = n;
            break;
        }
        j = (size_t)(s - p);
        if (j + 1 == n)
            break;             /* the byte after it decides: wait */
        /* A data field's bytes are no trailer and no message start, so
         * the message's end does not depend on where TCP cut it. */
        size_t de = data_field_end(p, n, j + 1, e);
        if (de == SIZE_MAX)
            break;             /* a data field may be arriving: wait */
        if (de) {
            j = de - 1;        /* resume at the SOH after its value */
            continue;
        }
        if (p[j + 1] == '1') {
            if (j + 8 > n)
                break;         /* a trailer may be arriving: wait */
            if (trailer_at(p, n, j + 1))
                return complete(p, j + 1, trailer_value(p, j + 1), j + 1 + FIX_TRAILER_LEN,
                                res, j + 1 == e ? 0 : FIXF_BAD_LENGTH);
        } else if (p[j + 1] == '8') {
            size_t m = n - (j + 1) < FIX_MAGIC_LEN ? n - (j + 1) : FIX_MAGIC_LEN;
            if (memcmp(p + j + 1, fix_magic, m) == 0) {
                if (m < FIX_MAGIC_LEN)
                    break;     /* maybe the next message: wait */
                res->len = j + 1;
                res->flags = FIXF_BAD_LENGTH | FIXF_NO_CHECKSUM;
                return FIX_FRAME_OK;
            }
        }
    }
    enum fix_frame_status st = more(p, n, lying ? n + 1024 : e + 7, res);
    res->scanned = j;
    return st;
}

/* ------------------------------------------------------------ fields -- */

/* The field of each wanted tag, and its bit in the word of fields still
 * missing (0: not wanted). Every wanted tag is below 100, so a two-digit
 * tag indexes these tables with no bounds test, and one table load and
 * test replace a switch per field. */
#define FIX_WANTED_BELOW 100
static const uint8_t wanted_field[FIX_WANTED_BELOW] = {
    [8] = FIXV_BEGIN,     [35] = FIXV_MSGTYPE, [34] = FIXV_SEQNUM, [49] = FIXV_SENDER,
    [56] = FIXV_TARGET,   [52] = FIXV_SENDTIME, [11] = FIXV_CLORDID, [55] = FIXV_SYMBOL,
    [54] = FIXV_SIDE,     [38] = FIXV_QTY,      [44] = FIXV_PRICE,   [39] = FIXV_ORDSTATUS,
};
#define BIT(f) (1u << (f))
static const uint16_t wanted_bit[FIX_WANTED_BELOW] = {
    [8] = BIT(FIXV_BEGIN),     [35] = BIT(FIXV_MSGTYPE), [34] = BIT(FIXV_SEQNUM),
    [49] = BIT(FIXV_SENDER),   [56] = BIT(FIXV_TARGET),  [52] = BIT(FIXV_SENDTIME),
    [11] = BIT(FIXV_CLORDID),  [55] = BIT(FIXV_SYMBOL),  [54] = BIT(FIXV_SIDE),
    [38] = BIT(FIXV_QTY),      [44] = BIT(FIXV_PRICE),   [39] = BIT(FIXV_ORDSTATUS),
};
#undef BIT

#ifdef __SSE2__
/* Bit i set where p[i] is SOH, for p[0..16). */
static inline uint64_t soh_bits16(const uint8_t *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)p);
    return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(FIX_SOH)));
}
#endif

/* Bit i set where msg[at + i] is SOH, for the n <= 64 bytes from at
 * (msg[0..at + n) may be read, nothing else). */
static inline uint64_t soh_mask(const uint8_t *msg, size_t at, size_t n)
{
    const uint8_t *p = msg + at;
    uint64_t m = 0;
    size_t i = 0;
#ifdef __SSE2__
    if (n == 64)
        return soh_bits16(p) | soh_bits16(p + 16) << 16 | soh_bits16(p + 32) << 32 |
               soh_bits16(p + 48) << 48;
    for (; i + 16 <= n; i += 16)
        m |= soh_bits16(p + i) << i;
    /* The last few bytes: the 16 ending with them, when the message has
     * 16 bytes before their end, the bits of those already done shifted out. */
    if (i < n && at + n >= 16)
        return m | (soh_bits16(p + n - 16) >> (16 - (n - i))) << i;
#endif
    for (; i < n; i++)
        m |= (uint64_t)(p[i] == FIX_SOH) << i;
    return m;
}

/* --tags: the first occurrence of each extra tag. */
static void extra_field(uint32_t tag, uint32_t off, uint32_t vn, const uint32_t *extra_tags,
                        int n_extra, struct fix_fields *out)
{
    for (int x = 0; x < n_extra; x++)
        if (extra_tags[x] == tag && out->v[FIXV_EXTRA + x].n == FIX_ABSENT) {
            out->v[FIXV_EXTRA + x].off = off;
            out->v[FIXV_EXTRA + x].n = vn;
        }
}


/* The fields of msg[0..len), len > 0 and msg[len - 1] SOH (fix_parse).
 * with_extra is a constant at each call: no test per field for --tags
 * when there are none. */
static ALWAYS_INLINE void parse_fields(const uint8_t *msg, size_t len, const uint32_t *extra_tags,
                                       int n_extra, struct fix_fields *out, const int with_extra)
{
    uint32_t missing = (1u << FIXV_COUNT) - 1;    /* bits of the fields not yet seen */
    const uint8_t *q = msg;            /* the field's start */
    const uint8_t *end = msg + len;
    for (const uint8_t *block = msg; block < end; block += 64) {
        size_t at = (size_t)(block - msg), n = (size_t)(end - block);
        uint64_t sohs = soh_mask(msg, at, n < 64 ? n : 64);
        while (sohs) {
            /* The field is q[0..e): its tag's digits and '=' never pass
             * the SOH at e, which is neither. */
            const uint8_t *e = block + (unsigned)__builtin_ctzll(sohs);
            sohs &= sohs - 1;
            uint32_t tag;
            unsigned bit;
            unsigned d0 = (unsigned)q[0] - '0', d1;
            if (d0 < 10 && (d1 = (unsigned)q[1] - '0') < 10 && q[2] == '=') {
                /* Two digits: most tags of most messages. */
                tag = d0 * 10 + d1;
                bit = wanted_bit[tag];
                q += 3;
            } else {
                const uint8_t *t0 = q, *tmax = q + 9;
                unsigned d;
                tag = 0;
                while ((d = (unsigned)*q - '0') < 10 && q < tmax) {
                    tag = tag * 10 + d;
                    q++;
                }
                if (q == t0 || *q != '=') {
                    q = e + 1;
                    continue;
                }
                q++;
                bit = tag < FIX_WANTED_BELOW ? wanted_bit[tag] : 0;
            }
            const uint8_t *v = q;
            q = e + 1;
            uint32_t vn = (uint32_t)(e - v);
            if (bit & missing) {
                missing ^= bit;
                int f = wanted_field[tag];
                out->v[f].off = (uint32_t)(v - msg);
                out->v[f].n = vn;
                if (!with_extra && !missing)
                    return;    /* every field found: the rest cannot change them */
            }
            if (with_extra)
                extra_field(tag, (uint32_t)(v - msg), vn, extra_tags, n_extra, out);
        }
    }
}

/* One pass over the fields. A field runs to the next SOH; it is "tag=value"
 * when it starts with 1 to 9 digits and '='. Values are offsets in msg. The
 * SOHs are found 64 bytes at a time, as a bit mask walked field by field. */
void fix_parse(const uint8_t *msg, size_t len, const uint32_t *extra_tags, int n_extra,
               struct fix_fields *out)
{
    /* Absent until found: a field's first occurrence wins. The table's
     * fields are a constant count (stores without a loop), the extra tags
     * follow. */
    for (int i = 0; i < FIXV_COUNT; i++)
        out->v[i] = (struct fix_val){ 0, FIX_ABSENT };
    for (int i = 0; i < n_extra; i++)
        out->v[FIXV_EXTRA + i] = (struct fix_val){ 0, FIX_ABSENT };
    /* A framed message ends with SOH, but stay safe for any input. */
    if (len == 0)
        return;
    if (msg[len - 1] != FIX_SOH) {
        const uint8_t *last = msg + len;
        while (last > msg && last[-1] != FIX_SOH)
            last--;
        len = (size_t)(last - msg);
    }
    if (n_extra > 0)
        parse_fields(msg, len, extra_tags, n_extra, out, 1);
    else
        parse_fields(msg, len, NULL, 0, out, 0);
}

static int num(const uint8_t *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* "YYYYMMDD-HH:MM:SS" (the first 17 bytes) as UTC seconds; -1 if malformed,
 * a day the month does not have (Feb 30) included: null, like any other
 * text that is no UTCTimestamp, rather than a day of the next month.
 * Second 60 (a leap second) is the next minute's first. */
static int utc_seconds(const uint8_t *p, int64_t *sec)
{
    if (p[8] != '-' || p[11] != ':' || p[14] != ':')
        return -1;
    int y = num(p, 4), mo = num(p + 4, 2), d = num(p + 6, 2);
    int h = num(p + 9, 2), mi = num(p + 12, 2), s = num(p + 15, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        s < 0 || s > 60 || d > days_in_month(y, mo))
        return -1;
    *sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

/* The fraction after the seconds (p[17..n), n >= 17): "" or "." and 1 to 9
 * digits, as nanoseconds; -1 if malformed. */
static int utc_fraction(const uint8_t *p, size_t n, uint32_t *nsec)
{
    static const uint32_t scale[10] = { 0,      100000000, 10000000, 1000000, 100000,
                                        10000,  1000,      100,      10,      1 };
    uint32_t frac = 0;
    if (n > 17) {
        size_t digits = n - 18;
        if (p[17] != '.' || digits < 1 || digits > 9)
            return -1;
        for (size_t i = 0; i < digits; i++) {
            if (!is_digit(p[18 + i]))
                return -1;
            frac = frac * 10 + (uint32_t)(p[18 + i] - '0');
        }
        frac *= scale[digits];
    }
    *nsec = frac;
    return 0;
}

int fix_parse_utc(const uint8_t *p, size_t n, int64_t *sec, uint32_t *nsec)
{
    /* YYYYMMDD-HH:MM:SS */
    if (n < 17 || utc_seconds(p, sec) != 0)
        return -1;
    return utc_fraction(p, n, nsec);
}

int fix_parse_utc_cached(struct fix_utc_cache *c, const uint8_t *p, size_t n, int64_t *sec,
                         uint32_t *nsec)
{
    if (n < 17)
        return -1;
    if (!c->valid || memcmp(c->text, p, sizeof c->text) != 0) {
        if (utc_seconds(p, &c->sec) != 0) {
            c->valid = 0;
            return -1;
        }
        memcpy(c->text, p, sizeof c->text);
        c->valid = 1;
    }
    *sec = c->sec;
    return utc_fraction(p, n, nsec);
}

/* ------------------------------------------------------------ framer -- */

/* Per direction of a connection. */
struct fix_dir {
    uint8_t *buf;              /* a message (or a possible start) still arriving */
    uint32_t len, cap;
    uint32_t want;             /* bytes the framer needs to decide */
    uint32_t scanned;          /* fix_frame_from's resume point in buf */
    struct reasm_pkt first;    /* the packet of buf's first byte */
    struct reasm_span span;    /* the packets that added bytes to buf */
    uint32_t flags;            /* for the next message */
    /* The bytes of buf captured before bytes ahead of them (they waited in
     * the out-of-order queue: a message holding one is `reordered`), as the
     * span [reordered_from, reordered_to) of buf; none when reordered_to
     * is 0. A span, not a flag: bytes that turn out to be no message, or
     * to belong to the next one, do not flag a message that has none. */
    uint32_t reordered_from, reordered_to;
    uint64_t gap_bytes;
};

/* Not a flag of the message: bytes between messages were dropped for want
 * of budget and not counted yet; they are when a message follows (it is
 * flagged over_budget), so that a direction that carries no FIX (whatever
 * the budget dropped of it) never counts (README: --fix, over_budget). */
#define FIXF_BUDGET_UNCOUNTED (1u << 31)

static void emit(struct reasm *ra, struct fix_framer *fx, struct reasm_stream *s,
                 struct fix_dir *d, const uint8_t *p, const struct fix_frame_res *fr,
                 const struct reasm_pkt *first, const struct reasm_pkt *last, uint32_t segs, uint32_t chunk_flags,
                 uint32_t end_seq)
{
    struct fix_message m = {
        .p = p, .len = fr->len, .fr = fr, .flow = s->flow, .dir = s->dir, .first = first,
        .last = last, .segs = segs,
        .flags = (d->flags & ~FIXF_BUDGET_UNCOUNTED) | fr->flags | chunk_flags,
        .gap_bytes = d->gap_bytes, .end_seq = end_seq,
    };
    if (d->flags & FIXF_BUDGET_UNCOUNTED) {
        fx->dropped++;
        reasm_message_over_budget(ra);
    }
    fx->messages++;
    fx->on_message(fx->ctx, &m);
    d->flags = 0;
    d->gap_bytes = 0;
}

/* buf[from, to) came from a reordered chunk. */
static void mark_reordered(struct fix_dir *d, uint32_t from, uint32_t to)
{
    if (d->reordered_to == 0 || from < d->reordered_from)
        d->reordered_from = from;
    if (to > d->reordered_to)
        d->reordered_to = to;
}

/* Whether buf's first n bytes hold one that was reordered. */
static int reordered_within(const struct fix_dir *d, size_t n)
{
    return d->reordered_to != 0 && d->reordered_from < n;
}

/* buf's first n bytes are done with and the rest moves to its start. The
 * span may cover bytes in order between two reordered chunks, so after a
 * cut inside it the rest counts as reordered from its start. */
static void forget_reordered(struct fix_dir *d, uint32_t n)
{
    if (d->reordered_to <= n) {
        d->reordered_to = 0;
        return;
    }
    d->reordered_from = d->reordered_from > n ? d->reordered_from - n : 0;
    d->reordered_to -= n;
}

static void skipped(struct fix_dir *d, uint32_t flags)
{
    /* After a gap or a message dropped over budget, skipping the rest of
     * what was lost up to the next message start is expected. */
    if (!(d->flags & (FIXF_GAP | FIXF_OVER_BUDGET)))
        d->flags |= FIXF_SKIPPED;
    d->flags |= flags;
}

/* The message held is complete or given up: its memory goes back to the
 * budget at once, which so counts only messages still arriving (a buffer
 * kept for the connection's life would charge every connection that once
 * saw a split message, and ordinary traffic would use the budget up). */
static void buf_release(struct reasm *ra, struct fix_dir *d)
{
    reasm_budget_give(ra, d->cap);
    free(d->buf);
    d->buf = NULL;
    d->len = d->cap = d->scanned = d->reordered_to = 0;
}

/* The message arriving cannot be held: the budget is used up. It is
 * dropped, counted and said (reasm_message_over_budget), and the next
 * message is flagged over_budget, never too_long. */
static void over_budget(struct reasm *ra, struct fix_framer *fx, struct fix_dir *d)
{
    buf_release(ra, d);
    fx->dropped++;
    reasm_message_over_budget(ra);
    d->flags = (d->flags | FIXF_OVER_BUDGET) & ~FIXF_BUDGET_UNCOUNTED;
}

static int buf_append(struct reasm *ra, struct fix_dir *d, const uint8_t *p, size_t n)
{
    if (d->cap - d->len < n) {
        size_t cap = grown_capacity(d->cap, 512, d->len, n);
        if (!cap || cap > UINT32_MAX || reasm_budget_take(ra, cap - d->cap) != 0)
            return -1;
        uint8_t *b = realloc(d->buf, cap);
        if (!b) {
            reasm_budget_give(ra, cap - d->cap);
            return -1;
        }
        d->buf = b;
        d->cap = (uint32_t)cap;
    }
    memcpy(d->buf + d->len, p, n);
    d->len += (uint32_t)n;
    return 0;
}

static void fix_data(struct reasm *ra, struct reasm_stream *s, const struct reasm_chunk *c)
{
    struct fix_framer *fx = ra->fr->ctx;
    struct fix_dir *d = s->state;
    const uint8_t *p = c->p;
    size_t n = c->n;
    const struct reasm_pkt *done = c->cur;
    struct fix_frame_res res;
    /* Every message with bytes of a reordered chunk says so. */
    uint32_t cf = c->reordered ? FIXF_REORDERED : 0;
    /* the sequence number of p[0] is s->seq + (p - c->p) */

    while (n > 0) {
        if (d->len == 0) {
            /* Messages wholly inside this chunk are framed in place. */
            switch (fix_frame_from(p, n, 0, &res)) {
            case FIX_FRAME_OK:
                emit(ra, fx, s, d, p, &res, c->own, done, 1, cf,
                     s->seq + (uint32_t)(p - c->p) + (uint32_t)res.len);
                p += res.len;
                n -= res.len;
                continue;
            case FIX_FRAME_NOSTART:
                skipped(d, res.flags);
                p += res.len;
                n -= res.len;
                continue;
            case FIX_FRAME_MORE:
                if (buf_append(ra, d, p, n) != 0) {
                    over_budget(ra, fx, d);
                    return;
                }
                if (c->reordered)
                    mark_reordered(d, 0, d->len);
                d->first = *c->own;
                reasm_span_start(&d->span, c->own->frame);
                d->want = (uint32_t)res.want;
                d->scanned = (uint32_t)res.scanned;
                return;
            }
        }
        /* A message began in an earlier chunk: add what it needs, frame again. */
        size_t old = d->len;
        size_t a = d->want > old ? d->want - old : 1;
        if (a > n)
            a = n;
        if (old + a > FIX_MAX_MSG)
            a = FIX_MAX_MSG - old > 0 ? FIX_MAX_MSG - old : 1;
        if (buf_append(ra, d, p, a) != 0) {
            over_budget(ra, fx, d);
            continue;
        }
        reasm_span_add(&d->span, c->own->frame);
        enum fix_frame_status st = fix_frame_from(d->buf, d->len, d->scanned, &res);
        if (st == FIX_FRAME_MORE) {
            if (c->reordered)
                mark_reordered(d, (uint32_t)old, d->len);
            d->want = (uint32_t)res.want;
            d->scanned = (uint32_t)res.scanned;
            p += a;
            n -= a;
            continue;
        }
        if (st == FIX_FRAME_OK) { /* its first `old` bytes came before p */
            int reordered = reordered_within(d, res.len) || (c->reordered && res.len > old);
            emit(ra, fx, s, d, d->buf, &res, &d->first, done, d->span.segs,
                 reordered ? FIXF_REORDERED : 0,
                 s->seq + (uint32_t)(p - c->p) + (uint32_t)res.len - (uint32_t)old);
        } else {
            skipped(d, res.flags);
        }
        if (res.len >= old) {
            /* The rest of what was appended is still in the chunk. */
            p += res.len - old;
            n -= res.len - old;
            buf_release(ra, d);
        } else {
            /* Ends inside the older bytes: keep those, drop the appended. */
            memmove(d->buf, d->buf + res.len, old - res.len);
            d->len = (uint32_t)(old - res.len);
            forget_reordered(d, (uint32_t)res.len);
            d->span.segs = 1;
            d->want = 0;
            d->scanned = 0;    /* another message starts the buffer */
        }
    }
}

static void fix_gap(struct reasm *ra, struct reasm_stream *s, uint64_t nbytes,
                    const struct reasm_pkt *cur)
{
    (void)cur;
    struct fix_framer *fx = ra->fr->ctx;
    struct fix_dir *d = s->state;
    if (s->over_budget) {
        /* Bytes captured but dropped for want of budget. A message being
         * received is not held, as one whose copy could not be taken, and
         * counted. Between messages, the bytes are gone (how many messages
         * they held, if any, is unknown): the next message is flagged and
         * counted once when it comes, unless a loss before it was counted
         * already. */
        if (d->len > FIX_MAGIC_LEN) {
            over_budget(ra, fx, d);
        } else {
            buf_release(ra, d);
            if (!(d->flags & FIXF_OVER_BUDGET))
                d->flags |= FIXF_OVER_BUDGET | FIXF_BUDGET_UNCOUNTED;
        }
        d->flags &= ~FIXF_SKIPPED;  /* (gapbytes: what the capture lacks) */
        return;
    }
    if (d->len > 0) {
        /* The message being received lost bytes: never invent it. A lone
         * partial "8=FIX" prefix is no message and is not counted. */
        if (d->len > FIX_MAGIC_LEN)
            fx->dropped++;
        buf_release(ra, d);
    }
    d->flags |= FIXF_GAP;
    d->flags &= ~FIXF_SKIPPED;
    d->gap_bytes += nbytes;
}

static void fix_close(struct reasm *ra, struct reasm_stream *s)
{
    struct fix_framer *fx = ra->fr->ctx;
    struct fix_dir *d = s->state;
    if (d->len > FIX_MAGIC_LEN)
        fx->dropped++;
    buf_release(ra, d);
    reasm_span_free(&d->span);
    memset(d, 0, sizeof *d);
}

struct reasm_framer fix_reasm_framer(struct fix_framer *fx)
{
    struct reasm_framer fr = {
        .name = "fix", .state_size = sizeof(struct fix_dir),
        .data = fix_data, .gap = fix_gap, .close = fix_close, .ctx = fx,
    };
    return fr;
}
