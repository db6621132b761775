/* main.c: the unit test program. No services: no database, no Redis, no network.
 * Usage: unit-tests [suite ...]   (no argument: every suite)
 * Exit status: 0 when every registered test ran and no assertion failed, 1 otherwise,
 * 2 when the registry could not be built. */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"

/* Every suite of the program, in run order. */
static const struct {
    const char *name;   /* for the failure message */
    int (*add)(void);   /* registers the suite */
} unit_suites[] = {
    {"decimal", test_decimal_register},
    {"phone", test_phone_register},
    {"cardno", test_cardno_register},
    {"time", test_time_register},
    {"buf", test_buf_register},
    {"utf8", test_utf8_register},
    {"codec_json", test_codec_json_register},
    {"codec_xml", test_codec_xml_register},
    {"codec_xsd", test_codec_xsd_register},
    {"router", test_router_register},
    {"receipt", test_receipt_register},
    {"accept", test_accept_register},
    {"context", test_context_register},
    {"selfconnect", test_selfconnect_register},
};

/* Counters summed over runs (one run per suite named on the command line). */
struct unit_totals {
    unsigned ran;           /* tests run */
    unsigned tests_failed;  /* tests with a failed assertion */
    unsigned failures;      /* failed assertions */
    unsigned suites_failed; /* suites whose init or cleanup failed */
    unsigned inactive;      /* suites and tests that were not active */
};

static void unit_add_run(struct unit_totals *t)
{
    t->ran += CU_get_number_of_tests_run();
    t->tests_failed += CU_get_number_of_tests_failed();
    t->failures += CU_get_number_of_failures();
    t->suites_failed += CU_get_number_of_suites_failed();
    t->inactive += CU_get_number_of_suites_inactive() + CU_get_number_of_tests_inactive();
}

int main(int argc, char **argv)
{
    int rc = 1;
    unsigned expected = 0;
    struct unit_totals t = {0, 0, 0, 0, 0};

    xmlInitParser();
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "unit: cannot initialise CUnit: %s\n", CU_get_error_msg());
        return 2;
    }
    for (size_t i = 0; i < sizeof(unit_suites) / sizeof(unit_suites[0]); i++)
        if (unit_suites[i].add() != 0) {
            fprintf(stderr, "unit: cannot register suite %s: %s\n", unit_suites[i].name,
                    CU_get_error_msg());
            rc = 2;
            goto out;
        }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            CU_pSuite s = CU_get_suite(argv[i]);
            if (!s) {
                fprintf(stderr, "unit: no suite named %s\n", argv[i]);
                rc = 2;
                goto out;
            }
            expected += s->uiNumberOfTests;
            if (CU_basic_run_suite(s) != CUE_SUCCESS)
                fprintf(stderr, "unit: running suite %s: %s\n", argv[i], CU_get_error_msg());
            unit_add_run(&t);
        }
    } else {
        expected = CU_get_registry()->uiNumberOfTests;
        if (CU_basic_run_tests() != CUE_SUCCESS)
            fprintf(stderr, "unit: running the tests: %s\n", CU_get_error_msg());
        unit_add_run(&t);
    }
    printf("\nunit: %u tests to run, %u ran, %u failed (%u failed assertions), %u suites failed, "
           "%u inactive\n",
           expected, t.ran, t.tests_failed, t.failures, t.suites_failed, t.inactive);
    /* a test that could not run counts as a failure */
    rc = t.failures || t.tests_failed || t.suites_failed || t.inactive || t.ran != expected ? 1 : 0;
out:
    CU_cleanup_registry();
    xmlCleanupParser();
    return rc;
}
