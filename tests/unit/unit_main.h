/* unit_main.h: the Check runner every unit test program ends with. */
#ifndef PCAP2KDB_UNIT_MAIN_H
#define PCAP2KDB_UNIT_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Runs the suite (forking per test, Check's default) and turns its result
 * into the exit status ctest reads. */
static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* What the temporary file f holds (its writer flushed first), NUL-ended
 * in text (cap bytes). */
static inline const char *unit_file_text(FILE *f, char *text, size_t cap)
{
    long n = ftell(f);
    ck_assert(n >= 0 && (size_t)n < cap);
    ck_assert_int_eq(pread(fileno(f), text, (size_t)n, 0), n);
    text[n] = '\0';
    return text;
}

#endif
