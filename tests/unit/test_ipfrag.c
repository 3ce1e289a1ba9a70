/* Unit tests for the fragment table (ipfrag.c): completion, overlap and
 * tail rules, and the bounds (datagram count, bytes, pieces). */
#include "ipfrag.h"
#include "unit_main.h"

#include <string.h>

static uint8_t src[16] = { 192, 0, 2, 1 }, dst[16] = { 198, 51, 100, 2 };
static uint8_t payload[70000];
static struct ipfrag_table t;

static void fill_payload(void)
{
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 1);
}

/* A fragment of payload[offset .. offset+len) of datagram id. */
static struct row_frag frag(uint32_t id, uint32_t offset, uint32_t len, int more)
{
    return (struct row_frag){ .ver = IPVER_4, .proto = 17, .more = (uint8_t)more, .id = id,
                              .offset = offset, .len = len, .data = payload + offset };
}

static const uint8_t *add(uint32_t id, uint32_t offset, uint32_t len, int more, size_t *n,
                          size_t *cap)
{
    struct row_frag f = frag(id, offset, len, more);
    return ipfrag_add(&t, &f, src, dst, n, cap);
}

START_TEST(completes_on_the_fragment_that_fills_the_last_gap)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 16, 1 << 20), 0);
    size_t n, cap;
    ck_assert_ptr_null(add(1, 16, 16, 1, &n, &cap));
    ck_assert_ptr_null(add(1, 32, 8, 0, &n, &cap)); /* tail: length 40, gap at 0 */
    const uint8_t *p = add(1, 0, 16, 1, &n, &cap);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(n, 40);
    ck_assert_uint_eq(cap, 40);
    ck_assert_mem_eq(p, payload, 40);
    ck_assert_uint_eq(t.count, 0); /* a completed datagram leaves the table */
    ck_assert_uint_eq(t.bytes, 0);
    ipfrag_free(&t);
}
END_TEST

START_TEST(lower_offset_wins_overlap_then_earlier)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 16, 1 << 20), 0);
    static uint8_t other[64];
    memset(other, 0xEE, sizeof other);
    size_t n, cap;
    struct row_frag a = frag(2, 8, 24, 1);
    a.data = other; /* bytes 8..32 differ */
    ck_assert_ptr_null(ipfrag_add(&t, &a, src, dst, &n, &cap));
    ck_assert_ptr_null(add(2, 32, 8, 0, &n, &cap));
    struct row_frag b = frag(2, 0, 16, 1); /* later, lower offset: wins 8..16 */
    const uint8_t *p = ipfrag_add(&t, &b, src, dst, &n, &cap);
    ck_assert_ptr_nonnull(p);
    ck_assert_mem_eq(p, payload, 16);
    ck_assert_mem_eq(p + 16, other, 16); /* 16..32 only a had */
    ck_assert_mem_eq(p + 32, payload + 32, 8);

    /* equal offsets: the first one's bytes */
    ck_assert_ptr_null(add(3, 0, 16, 1, &n, &cap));
    struct row_frag c = frag(3, 0, 16, 1);
    c.data = other;
    ck_assert_ptr_null(ipfrag_add(&t, &c, src, dst, &n, &cap));
    p = add(3, 16, 8, 0, &n, &cap);
    ck_assert_ptr_nonnull(p);
    ck_assert_mem_eq(p, payload, 24);
    ipfrag_free(&t);
}
END_TEST

START_TEST(first_tail_sets_the_length)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 16, 1 << 20), 0);
    size_t n, cap;
    ck_assert_ptr_null(add(4, 16, 8, 0, &n, &cap));  /* length 24 */
    ck_assert_ptr_null(add(4, 16, 24, 0, &n, &cap)); /* another tail: ignored */
    ck_assert_ptr_nonnull(add(4, 0, 16, 1, &n, &cap));
    ck_assert_uint_eq(n, 24);
    ipfrag_free(&t);
}
END_TEST

START_TEST(key_has_addresses_version_and_id)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 16, 1 << 20), 0);
    size_t n, cap;
    ck_assert_ptr_null(add(5, 0, 16, 1, &n, &cap));
    uint8_t other_dst[16] = { 198, 51, 100, 3 };
    struct row_frag f = frag(5, 16, 8, 0);
    ck_assert_ptr_null(ipfrag_add(&t, &f, src, other_dst, &n, &cap));
    f.ver = IPVER_6;
    ck_assert_ptr_null(ipfrag_add(&t, &f, src, dst, &n, &cap));
    ck_assert_ptr_null(add(6, 16, 8, 0, &n, &cap));
    ck_assert_uint_eq(t.count, 4);
    ck_assert_ptr_nonnull(add(5, 16, 8, 0, &n, &cap));
    ipfrag_free(&t);
}
END_TEST

START_TEST(whole_datagram_kept_and_built_in_turn)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 16, 1 << 20), 0);
    size_t n, cap;
    ck_assert_ptr_null(add(7, 0, 1480, 1, &n, &cap));
    ck_assert_ptr_null(add(7, 2960, 1000, 0, &n, &cap));
    /* charged: every byte of both fragments, whatever the row shows */
    ck_assert_uint_ge(t.bytes, 2480);
    const uint8_t *p = add(7, 1480, 1480, 1, &n, &cap);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(n, 3960);
    ck_assert_uint_eq(cap, 3960);
    ck_assert_mem_eq(p, payload, 3960);
    /* a datagram whose fragment came inside p is built elsewhere: p stays
     * whole until the completion after that one */
    struct row_frag in = frag(8, 0, 64, 1);
    in.data = p + 100;
    ck_assert_ptr_null(ipfrag_add(&t, &in, src, dst, &n, &cap));
    in = frag(8, 64, 16, 0);
    in.data = p + 164;
    const uint8_t *q = ipfrag_add(&t, &in, src, dst, &n, &cap);
    ck_assert_ptr_nonnull(q);
    ck_assert(q != p);
    ck_assert_uint_eq(n, 80);
    ck_assert_mem_eq(q, payload + 100, 80);
    ck_assert_mem_eq(p, payload, 3960);
    ipfrag_free(&t);
}
END_TEST

START_TEST(datagram_count_bound_evicts_least_recent)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 3, 1 << 20), 0);
    size_t n, cap;
    for (uint32_t id = 10; id < 13; id++)
        ck_assert_ptr_null(add(id, 16, 8, 0, &n, &cap));
    ck_assert_ptr_null(add(10, 24, 8, 1, &n, &cap)); /* 10 is now the most recent */
    ck_assert_ptr_null(add(13, 16, 8, 0, &n, &cap)); /* evicts 11 */
    ck_assert_uint_eq(t.count, 3);
    ck_assert_uint_eq(t.evicted, 1);
    ck_assert_ptr_nonnull(add(10, 0, 16, 1, &n, &cap));
    ck_assert_ptr_nonnull(add(12, 0, 16, 1, &n, &cap));
    ck_assert_ptr_null(add(11, 0, 16, 1, &n, &cap)); /* forgotten: starts anew */
    ipfrag_free(&t);
}
END_TEST

START_TEST(byte_bound_holds)
{
    fill_payload();
    size_t max = 64 * 1024;
    ck_assert_int_eq(ipfrag_init(&t, 1000, max), 0);
    size_t n, cap;
    for (uint32_t id = 0; id < 200; id++) {
        ck_assert_ptr_null(add(id, 0, 8000, 1, &n, &cap));
        ck_assert_uint_le(t.bytes, max);
    }
    ck_assert_uint_gt(t.evicted, 150);
    /* a fragment bigger than the whole budget is dropped, not kept */
    ipfrag_free(&t);
    ck_assert_int_eq(ipfrag_init(&t, 1000, 4096), 0);
    ck_assert_ptr_null(add(1, 0, 8000, 1, &n, &cap));
    ck_assert_uint_le(t.bytes, 4096);
    ck_assert_uint_eq(t.dropped, 1);
    ipfrag_free(&t);
}
END_TEST

START_TEST(pieces_bound_per_datagram)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 16, 64 << 20), 0);
    size_t n, cap;
    for (uint32_t i = 0; i < IPFRAG_MAX_PIECES + 10; i++)
        ck_assert_ptr_null(add(1, 8 * (i % 100) + 8, 8, 1, &n, &cap));
    ck_assert_uint_eq(t.dropped, 10);
    ipfrag_reset(&t);
    ck_assert_uint_eq(t.count, 0);
    ck_assert_uint_eq(t.bytes, 0);
    ipfrag_free(&t);
}
END_TEST

/* The model of what the table's allocations take from the heap, written
 * apart from ipfrag.c: malloc(n) costs n rounded up to 16 plus 16 of header,
 * at least 32 (glibc on 64 bits takes n + 8 rounded up to 16, at least 32:
 * never more). A datagram is its struct, its pieces array (4 entries, then
 * doubling) and one allocation per fragment's bytes. */
static size_t model_alloc(size_t n)
{
    if (n == 0)
        return 0;
    size_t c = (n + 15) / 16 * 16 + 16;
    return c < 32 ? 32 : c;
}

static size_t model_datagram(const uint32_t *lens, uint32_t npieces)
{
    uint32_t cap = 0;
    while (cap < npieces)
        cap = cap ? cap * 2 : 4;
    size_t c = model_alloc(sizeof(struct ipfrag_dgram)) +
               model_alloc(cap * sizeof(struct ipfrag_piece));
    for (uint32_t i = 0; i < npieces; i++)
        c += model_alloc(lens[i]);
    return c;
}

START_TEST(bytes_charged_are_the_allocations)
{
    fill_payload();
    ck_assert_int_eq(ipfrag_init(&t, 16, 64 << 20), 0);
    size_t n, cap;
    /* lengths around the model's steps, a datagram that never completes
     * (no tail), its pieces array growing 4, 8, 16, ... */
    static uint32_t lens[IPFRAG_MAX_PIECES];
    uint32_t offset = 8;
    for (uint32_t i = 0; i < IPFRAG_MAX_PIECES; i++) {
        static const uint32_t steps[] = { 8, 1, 16, 17, 24, 32, 33, 48, 1480, 7 };
        lens[i] = steps[i % 10];
        ck_assert_ptr_null(add(30, offset, lens[i], 1, &n, &cap));
        offset += 8;
        ck_assert_uint_eq(t.bytes, model_datagram(lens, i + 1));
    }
    ipfrag_reset(&t);
    ck_assert_uint_eq(t.bytes, 0);
    ipfrag_free(&t);
}
END_TEST

/* The audit's case: the default bounds, datagrams of 1,024 fragments of 8
 * bytes, each sent last fragment first, none ever complete (256 of them:
 * half as many again as fit, and quick enough for the unit timeout, also
 * under AddressSanitizer). Charged
 * as allocated, a datagram costs model_datagram(1024 x 8) (about 48 KiB,
 * not the 24 KiB of its bytes and piece entries alone), so the 8 MiB hold
 * floor(8 MiB / that) whole datagrams at the end, and the rest were
 * forgotten. */
START_TEST(tiny_fragments_stay_within_the_bound)
{
    fill_payload();
    size_t max = IPFRAG_DEFAULT_BYTES;
    ck_assert_int_eq(ipfrag_init(&t, IPFRAG_DEFAULT_DATAGRAMS, max), 0);
    static uint32_t eights[IPFRAG_MAX_PIECES];
    for (uint32_t i = 0; i < IPFRAG_MAX_PIECES; i++)
        eights[i] = 8;
    size_t n, cap;
    const uint32_t datagrams = 256;
    for (uint32_t id = 0; id < datagrams; id++) {
        for (uint32_t i = IPFRAG_MAX_PIECES; i >= 1; i--)
            ck_assert_ptr_null(add(id, 8 * i, 8, i != IPFRAG_MAX_PIECES, &n, &cap));
        ck_assert_uint_le(t.bytes, max);
    }
    size_t whole = model_datagram(eights, IPFRAG_MAX_PIECES);
    ck_assert_uint_eq(t.count, max / whole);
    ck_assert_uint_eq(t.bytes, t.count * whole);
    ck_assert_uint_eq(t.dropped, 0);
    ck_assert_uint_eq(t.evicted, datagrams - max / whole);
    ipfrag_free(&t);
}
END_TEST

START_TEST(row_gets_the_transport_on_completion)
{
    /* a UDP datagram in two fragments, decoded into the row */
    uint8_t udp[24] = { 0x04, 0xd2, 0x00, 0x35, 0x00, 24, 0, 0 };
    ck_assert_int_eq(ipfrag_init(&t, 16, 1 << 20), 0);
    struct row r;
    row_reset(&r);
    r.present |= HAS_SRC | HAS_DST | HAS_FRAG;
    r.ipver = IPVER_4;
    memcpy(r.src, src, 16);
    memcpy(r.dst, dst, 16);
    r.frag = (struct row_frag){ .ver = IPVER_4, .proto = 17, .more = 0, .id = 9,
                                .offset = 16, .len = 8, .data = udp + 16 };
    ipfrag_row(&t, &r);
    ck_assert(!(r.present & (HAS_SPORT | HAS_FRAG)));
    row_reset(&r);
    r.present |= HAS_SRC | HAS_DST | HAS_FRAG;
    r.ipver = IPVER_4;
    memcpy(r.src, src, 16);
    memcpy(r.dst, dst, 16);
    r.frag = (struct row_frag){ .ver = IPVER_4, .proto = 17, .more = 1, .id = 9,
                                .offset = 0, .len = 16, .data = udp };
    ipfrag_row(&t, &r);
    ck_assert(r.present & HAS_SPORT);
    ck_assert_uint_eq(r.sport, 1234);
    ck_assert_uint_eq(r.dport, 53);
    ck_assert(r.present & HAS_PAYLEN);
    ck_assert_uint_eq(r.paylen, 16);
    ipfrag_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ipfrag");
    TCase *tc = tcase_create("ipfrag");
    tcase_set_timeout(tc, 30); /* the 8 MiB filled with 8-byte fragments, under ASan too */
    tcase_add_test(tc, completes_on_the_fragment_that_fills_the_last_gap);
    tcase_add_test(tc, lower_offset_wins_overlap_then_earlier);
    tcase_add_test(tc, first_tail_sets_the_length);
    tcase_add_test(tc, key_has_addresses_version_and_id);
    tcase_add_test(tc, whole_datagram_kept_and_built_in_turn);
    tcase_add_test(tc, datagram_count_bound_evicts_least_recent);
    tcase_add_test(tc, byte_bound_holds);
    tcase_add_test(tc, pieces_bound_per_datagram);
    tcase_add_test(tc, bytes_charged_are_the_allocations);
    tcase_add_test(tc, tiny_fragments_stay_within_the_bound);
    tcase_add_test(tc, row_gets_the_transport_on_completion);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
