/* unit_main.h: the Check runner every unit test program ends with. */
#ifndef PCAP2KDB_UNIT_MAIN_H
#define PCAP2KDB_UNIT_MAIN_H

#include <check.h>
#include <stdlib.h>

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

#endif
