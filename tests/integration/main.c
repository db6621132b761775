/* main.c: integration tests against a running stack (./dev up / ./dev test).
 *
 * Environment (from $LOYALTY_VAR/dev-keys.env): LOYALTY_URL, LOYALTY_HTTPS_URL,
 * LOYALTY_{ADMIN,POS,SHOP,PARTNER,ANALYTICS,ERP}_KEY, LOYALTY_ERP_KEY_ID, LOYALTY_ERP_SECRET,
 * LOYALTY_PG, LOYALTY_VAR; LOYALTY_REDIS (the cache warm and calc cache tests); LOYALTY_DEV (the ./dev
 * script, for the fault tests);
 * IT_ONLY=word runs only the suites whose name contains it, IT_SKIP=word skips those. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/scope.h"
#include "it.h"

static const char *main_env(const char *name, bool required, bool *ok)
{
    const char *v = getenv(name);
    if ((!v || !*v) && required) {
        fprintf(stderr, "integration-tests: %s is not set (source $LOYALTY_VAR/dev-keys.env)\n",
                name);
        *ok = false;
    }
    return v && *v ? v : NULL;
}

/* LOYALTY_WORKERS from the environment, else from $LOYALTY_VAR/stack.env, else 2. */
static int main_workers(void)
{
    const char *w = getenv("LOYALTY_WORKERS");
    if (w && atoi(w) > 0)
        return atoi(w);
    char path[1024], line[256];
    int n = 2;
    snprintf(path, sizeof(path), "%s/stack.env", E.var ? E.var : ".");
    FILE *f = fopen(path, "r");
    if (!f)
        return n;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "LOYALTY_WORKERS=", 16) == 0 && atoi(line + 16) > 0)
            n = atoi(line + 16);
    fclose(f);
    return n;
}

static bool main_read_env(void)
{
    static const struct {
        unsigned scope;
        const char *name, *var;
    } keys[IT_NKEYS] = {
        {SCOPE_ADMIN, "admin", "LOYALTY_ADMIN_KEY"},
        {SCOPE_POS, "pos", "LOYALTY_POS_KEY"},
        {SCOPE_SHOP, "shop", "LOYALTY_SHOP_KEY"},
        {SCOPE_PARTNER, "partner", "LOYALTY_PARTNER_KEY"},
        {SCOPE_ANALYTICS, "analytics", "LOYALTY_ANALYTICS_KEY"},
        {SCOPE_ERP, "erp", "LOYALTY_ERP_KEY"},
    };
    bool ok = true;
    E.http_url = main_env("LOYALTY_URL", true, &ok);
    E.https_url = main_env("LOYALTY_HTTPS_URL", true, &ok);
    for (int i = 0; i < IT_NKEYS; i++) {
        E.keys[i].scope = keys[i].scope;
        E.keys[i].name = keys[i].name;
        E.keys[i].key = main_env(keys[i].var, true, &ok);
        snprintf(E.keys[i].bearer, sizeof(E.keys[i].bearer), "Bearer %s",
                 E.keys[i].key ? E.keys[i].key : "");
    }
    E.erp_key_id = main_env("LOYALTY_ERP_KEY_ID", true, &ok);
    E.erp_secret = main_env("LOYALTY_ERP_SECRET", true, &ok);
    E.pg = main_env("LOYALTY_PG", true, &ok);
    E.redis = main_env("LOYALTY_REDIS", false, &ok);
    E.var = main_env("LOYALTY_VAR", true, &ok);
    E.dev = main_env("LOYALTY_DEV", false, &ok);
    if (!ok)
        return false;
    it_basic(E.erp_key_id, E.erp_secret, E.erp_basic, sizeof(E.erp_basic));
    E.workers = main_workers();
    E.origin = E.http_url;
    E.origin_name = "http";
    return true;
}

/* summary: every XML answer of the whole run validated against its XSD */
static void test_all_xml_valid(void)
{
    unsigned long validated, failed;
    xsd_counts(&validated, &failed);
    if (failed)
        it_note("%lu of %lu XML answers did not validate against their XSD", failed, validated);
    CU_ASSERT(validated > 0);
    CU_ASSERT_EQUAL(failed, 0);
}

typedef void (*add_fn)(CU_pSuite);

static bool main_add(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup, add_fn add)
{
    const char *only = getenv("IT_ONLY"), *skip = getenv("IT_SKIP");
    if (only && *only && !strstr(name, only))
        return true;
    if (skip && *skip && strstr(name, skip))
        return true;
    CU_pSuite s = CU_add_suite(name, init, cleanup);
    if (!s)
        return false;
    add(s);
    return CU_get_error() == CUE_SUCCESS;
}

static void main_add_summary(CU_pSuite s)
{
    CU_add_test(s, "every XML answer validated against its XSD", test_all_xml_valid);
}

int main(void)
{
    time_t t0 = time(NULL);
    if (!main_read_env())
        return 2;
    http_global_init();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;

    static const struct {
        const char *name;   /* area */
        add_fn add;         /* its tests */
        bool https;         /* also over HTTPS */
    } areas[] = {
        {"auth", auth_add_tests, true},
        {"formats", formats_add_tests, true},
        {"clients", clients_add_tests, true},
        {"bad bodies", badbody_add_tests, true},
        {"cache", cache_add_tests, true},
    };
    bool ok = true;
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]) && ok; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s [http]", areas[i].name);
        ok = main_add(name, it_suite_http, NULL, areas[i].add);
        if (ok && areas[i].https) {
            snprintf(name, sizeof(name), "%s [https]", areas[i].name);
            ok = main_add(name, it_suite_https, NULL, areas[i].add);
        }
    }
    ok = ok && main_add("cache warm [http]", it_suite_http, NULL, cachewarm_add_tests);
    ok = ok && main_add("calc cache [http]", it_suite_http, calccache_suite_cleanup,
                        calccache_add_tests);
    ok = ok && main_add("purchases [http]", it_suite_http, purchases_suite_cleanup,
                        purchases_add_tests);
    ok = ok && main_add("purchases session [https]", it_suite_https, purchases_suite_cleanup,
                        purchases_session_add_tests);
    ok = ok && main_add("races [http]", it_suite_http, races_suite_cleanup, races_add_tests);
    ok = ok && main_add("platform [https]", it_suite_https, purchases_suite_cleanup,
                        platform_add_tests);
    ok = ok && main_add("faults [http]", it_suite_http, faults_suite_cleanup, faults_add_tests);
    ok = ok && main_add("summary", it_suite_http, NULL, main_add_summary);
    if (!ok) {
        fprintf(stderr, "integration-tests: cannot register the suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }

    printf("integration tests against %s and %s (%d workers)\n", E.http_url, E.https_url,
           E.workers);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();

    unsigned failed_tests = CU_get_number_of_tests_failed();
    unsigned failed_asserts = CU_get_number_of_failures();
    unsigned long validated, xfailed;
    xsd_counts(&validated, &xfailed);
    printf("\n== integration summary: %u suites, %u tests run, %u tests failed, %u asserts, "
           "%u failed asserts; %lu XML answers XSD-validated (%lu failed); %lds\n",
           CU_get_number_of_suites_run(), CU_get_number_of_tests_run(), failed_tests,
           CU_get_number_of_asserts(), failed_asserts, validated, xfailed,
           (long)(time(NULL) - t0));
    /* one line per failed test: where its first failure was and how many asserts failed */
    for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext) {
        bool seen = false;
        for (CU_pFailureRecord g = CU_get_failure_list(); g != f && !seen; g = g->pNext)
            seen = g->pTest == f->pTest && g->pSuite == f->pSuite;
        if (seen)
            continue;
        unsigned n = 0;
        for (CU_pFailureRecord g = f; g; g = g->pNext)
            n += g->pTest == f->pTest && g->pSuite == f->pSuite;
        printf("   FAILED %s / %s: %u failed assert%s, first at %s:%u\n",
               f->pSuite ? f->pSuite->pName : "?", f->pTest ? f->pTest->pName : "?", n,
               n == 1 ? "" : "s", f->strFileName ? f->strFileName : "?", f->uiLineNumber);
    }
    if (failed_asserts)
        printf("   (the NOTE lines above say, for each failure, the request, what was expected "
               "and what came)\n");
    int rc = CU_get_error() != CUE_SUCCESS || failed_asserts || failed_tests ||
                     CU_get_number_of_suites_failed()
                 ? 1
                 : 0;
    CU_cleanup_registry();
    it_db_close();
    http_global_cleanup();
    return rc;
}
