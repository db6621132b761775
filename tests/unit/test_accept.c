/* test_accept.c: the response format from Accept (q-values, order, wildcards) and the API
 * client's default format. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "http/request.h"
#include "tests.h"

/* One case: Accept, the client's default, and the format and fixedness expected. */
static const struct {
    const char *accept;        /* the header, "" when absent */
    enum msg_format dflt;      /* the API client's default format */
    enum msg_format want;      /* chosen format */
    bool fixed;                /* Accept named a format */
} accept_cases[] = {
    {"", MSG_JSON, MSG_JSON, false},
    {"", MSG_XML, MSG_XML, false},
    {"*/*", MSG_XML, MSG_XML, false},
    {"application/json", MSG_XML, MSG_JSON, true},
    {"application/xml", MSG_JSON, MSG_XML, true},
    {"text/xml", MSG_JSON, MSG_XML, true},
    {"application/xml, application/json", MSG_JSON, MSG_XML, true},
    {"application/json, application/xml", MSG_XML, MSG_JSON, true},
    {"application/xml;q=0.5, application/json;q=0.9", MSG_JSON, MSG_JSON, true},
    {"application/json;q=0.5, application/xml", MSG_JSON, MSG_XML, true},
    {"application/json;q=0, application/xml", MSG_JSON, MSG_XML, true},
    {"application/xml;q=0", MSG_XML, MSG_XML, false},
    {"APPLICATION/JSON", MSG_XML, MSG_JSON, true},
    {"text/html, application/xml;q=0.9, */*;q=0.8", MSG_JSON, MSG_XML, true},
    {"application/jsonx", MSG_XML, MSG_XML, false},
};

static void test_accept_table(void)
{
    for (size_t i = 0; i < sizeof(accept_cases) / sizeof(accept_cases[0]); i++) {
        struct http_req r;
        memset(&r, 0, sizeof(r));
        r.accept = accept_cases[i].accept;
        r.client.id = 7;
        r.client.format = accept_cases[i].dflt;
        http_choose_format(&r);
        CU_ASSERT_EQUAL(r.out_fmt, accept_cases[i].want);
        CU_ASSERT_EQUAL(r.out_fmt_fixed, accept_cases[i].fixed);
    }
    /* unauthenticated callers get JSON unless they ask */
    struct http_req anon;
    memset(&anon, 0, sizeof(anon));
    anon.accept = "";
    anon.client.format = MSG_XML;
    http_choose_format(&anon);
    CU_ASSERT_EQUAL(anon.out_fmt, MSG_JSON);
}

int test_accept_register(void)
{
    CU_pSuite s = CU_add_suite("accept", NULL, NULL);
    if (!s || !CU_add_test(s, "Accept chooses the response format", test_accept_table))
        return -1;
    return 0;
}
