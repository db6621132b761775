/* test_auth.c: every route of api_routes[] (linked from src/libloyalty.a, so a new route
 * cannot be forgotten): no key → 401, bad keys → 401, a key without the scope → 403,
 * public routes answer without a key; Basic auth; error bodies in both formats. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "http/router.h"
#include "http/scope.h"
#include "it.h"

/* The path of a route with sample values in its {x} segments. */
static void auth_path(const struct route *rt, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = rt->pattern; *p && o + 1 < n;) {
        if (*p != '{') {
            out[o++] = *p++;
            continue;
        }
        const char *end = strchr(p, '}');
        if (!end)
            break;
        size_t len = (size_t)(end - p - 1);
        const char *v = "1";
        if (len == 6 && strncmp(p + 1, "number", 6) == 0)
            v = DEMO_CARD2;
        else if (len == 2 && strncmp(p + 1, "id", 2) == 0)
            v = "1";
        else if (len == 4 && strncmp(p + 1, "name", 4) == 0)
            v = "card.xsd";
        else if (len == 10 && strncmp(p + 1, "receipt_id", 10) == 0)
            v = "IT-AUTH-RECEIPT-1";
        else if (len == 4 && strncmp(p + 1, "code", 4) == 0)
            v = "IT-AUTH-CODE";
        o += (size_t)snprintf(out + o, n - o, "%s", v);
        if (o >= n)
            o = n - 1;
        p = end + 1;
    }
    out[o] = '\0';
}

static bool auth_has_body(const struct route *rt)
{
    return strcmp(rt->method, "GET") != 0 && strcmp(rt->method, "DELETE") != 0;
}

/* One request on a route with the given Authorization (NULL: none) and Accept. */
static void auth_call(const struct route *rt, const char *auth, const char *accept,
                      struct http_resp *r)
{
    char path[512];
    auth_path(rt, path, sizeof(path));
    struct http_call c = {.method = rt->method, .url = path, .auth = auth, .accept = accept};
    if (auth_has_body(rt)) {
        c.content_type = JSON_T;
        c.body = "{}";
    }
    http_exec(&c, r);
}

static void test_route_table_sane(void)
{
    CU_ASSERT(api_nroutes > 0);
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *rt = &api_routes[i];
        bool ok = rt->method && rt->pattern && rt->name && rt->handler &&
                  (strncmp(rt->pattern, "/api/v1/", 8) == 0 || strcmp(rt->pattern, "/metrics") == 0);
        if (!ok)
            it_note("route %zu (%s %s) is malformed", i, rt->method ? rt->method : "?",
                    rt->pattern ? rt->pattern : "?");
        CU_ASSERT(ok);
        /* only health and metrics may be public */
        if (rt->scopes == 0) {
            bool known = strcmp(rt->pattern, "/api/v1/health") == 0 ||
                         strcmp(rt->pattern, "/metrics") == 0;
            if (!known)
                it_note("route %s %s is public (scopes == 0)", rt->method, rt->pattern);
            CU_ASSERT(known);
        }
    }
}

static void test_public_routes(void)
{
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *rt = &api_routes[i];
        if (rt->scopes)
            continue;
        struct http_resp r;
        auth_call(rt, NULL, NULL, &r);
        EXPECT_STATUS(r, 200); /* health; /metrics is open to loopback */
        if (strcmp(rt->pattern, "/metrics") == 0) {
            CU_ASSERT(strstr(r.body, "loyalty_requests_total") != NULL);
            CU_ASSERT(strncmp(r.content_type, "text/plain", 10) == 0);
        } else {
            CU_ASSERT_PTR_NOT_NULL(r.json);
            EXPECT_STREQ(jstr(r.json, "status"), "ok");
        }
        http_resp_free(&r);
    }
    /* health in XML validates against health.xsd */
    struct http_resp r;
    http_get(&r, "/api/v1/health", NULL, XML_T);
    EXPECT_STATUS(r, 200);
    EXPECT_XML_VALID(r);
    http_resp_free(&r);
}

static void test_no_credentials(void)
{
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *rt = &api_routes[i];
        if (!rt->scopes)
            continue;
        struct http_resp r;
        auth_call(rt, NULL, NULL, &r);
        EXPECT_ERROR(r, 401, "unauthorized", NULL);
        CU_ASSERT(r.is_json); /* JSON by default */
        http_resp_free(&r);
        auth_call(rt, NULL, XML_T, &r);
        EXPECT_ERROR(r, 401, "unauthorized", NULL);
        CU_ASSERT(r.is_xml);
        EXPECT_XML_VALID(r);
        http_resp_free(&r);
        auth_call(rt, NULL, "text/xml", &r);
        EXPECT_ERROR(r, 401, "unauthorized", NULL);
        CU_ASSERT(r.is_xml);
        http_resp_free(&r);
    }
}

static void test_bad_credentials(void)
{
    const char *pos = E.keys[1].key;
    const char *dot = strchr(pos, '.');
    char wrong_secret[320], empty_secret[128], wrong_basic[400], basic_nocolon[64],
        basic_wrong_id[400];
    size_t idlen = dot ? (size_t)(dot - pos) : 0;
    /* the right key id with a secret of the right length, one character changed */
    snprintf(wrong_secret, sizeof(wrong_secret), "Bearer %s", pos);
    char *last = wrong_secret + strlen(wrong_secret) - 1;
    *last = *last == '0' ? '1' : '0';
    snprintf(empty_secret, sizeof(empty_secret), "Bearer %.*s.", (int)idlen, pos);
    {
        char secret[300];
        snprintf(secret, sizeof(secret), "%sx", E.erp_secret);
        it_basic(E.erp_key_id, secret, wrong_basic, sizeof(wrong_basic));
        it_basic(NULL, "nocolon", basic_nocolon, sizeof(basic_nocolon));
        it_basic("ffffffffffffffff", E.erp_secret, basic_wrong_id, sizeof(basic_wrong_id));
    }
    const char *bad[] = {
        wrong_secret,                        /* wrong secret */
        empty_secret,                        /* key id, no secret */
        "Bearer garbage",                    /* no separator */
        "Bearer ffffffffffffffff.0123456789abcdef0123456789abcdef", /* unknown key id */
        "Bearer .",                          /* empty */
        "Basic !!!not-base64!!!",            /* garbage Basic */
        basic_nocolon,                       /* Basic without a colon */
        wrong_basic,                         /* ERP key id, wrong secret */
        basic_wrong_id,                      /* unknown id, ERP secret */
        "Token abc",                         /* unknown scheme */
        "Bearer",                            /* scheme only */
    };
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *rt = &api_routes[i];
        if (!rt->scopes)
            continue;
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            struct http_resp r;
            auth_call(rt, bad[k], NULL, &r);
            bool checked = it_check_error(&r, 401, "unauthorized", NULL, __FILE__, __LINE__);
            if (!checked)
                it_note("  (Authorization: %s)", bad[k]);
            CU_ASSERT(checked);
            http_resp_free(&r);
        }
        struct http_resp r;
        auth_call(rt, wrong_secret, XML_T, &r);
        EXPECT_ERROR(r, 401, "unauthorized", NULL);
        EXPECT_XML_VALID(r);
        http_resp_free(&r);
    }
}

static void test_wrong_scope(void)
{
    int calls = 0;
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *rt = &api_routes[i];
        if (!rt->scopes)
            continue;
        for (int k = 0; k < IT_NKEYS; k++) {
            const struct it_key *key = &E.keys[k];
            if (key->scope == SCOPE_ADMIN || (rt->scopes & key->scope))
                continue; /* allowed: not called here (it would act) */
            struct http_resp r;
            auth_call(rt, key->bearer, NULL, &r);
            bool checked = it_check_error(&r, 403, "forbidden", NULL, __FILE__, __LINE__);
            if (!checked)
                it_note("  (route %s, key %s)", rt->name, key->name);
            CU_ASSERT(checked);
            /* without Accept the key's default format applies: XML for the ERP key */
            CU_ASSERT(key->scope == SCOPE_ERP ? r.is_xml : r.is_json);
            http_resp_free(&r);
            auth_call(rt, key->bearer, XML_T, &r);
            EXPECT_ERROR(r, 403, "forbidden", NULL);
            EXPECT_XML_VALID(r);
            http_resp_free(&r);
            auth_call(rt, key->bearer, JSON_T, &r);
            EXPECT_ERROR(r, 403, "forbidden", NULL);
            CU_ASSERT(r.is_json);
            http_resp_free(&r);
            calls++;
        }
    }
    CU_ASSERT(calls > 0);
}

/* The table in API.md §1 as the route table must encode it. */
static void test_scope_contract(void)
{
    static const struct {
        const char *name;     /* route name */
        unsigned must;        /* scopes that must be allowed */
        unsigned never;       /* scopes that must not */
    } want[] = {
        {"cards.get", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP | SCOPE_ANALYTICS, 0},
        {"clients.get", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP | SCOPE_ANALYTICS, 0},
        {"clients.search", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP | SCOPE_ANALYTICS, 0},
        {"clients.operations", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP | SCOPE_ANALYTICS, 0},
        {"clients.create", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP, SCOPE_ANALYTICS},
        {"clients.update", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP, SCOPE_ANALYTICS},
        {"clients.cards.add", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP, SCOPE_ANALYTICS},
        {"cards.block", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP, SCOPE_ANALYTICS},
        {"cards.replace", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP, SCOPE_ANALYTICS},
        {"points.adjust", SCOPE_PARTNER | SCOPE_ERP, SCOPE_POS | SCOPE_SHOP | SCOPE_ANALYTICS},
        {"purchases.confirm", SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP, SCOPE_ANALYTICS},
    };
    for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
        const struct route *rt = NULL;
        for (size_t i = 0; i < api_nroutes && !rt; i++)
            if (strcmp(api_routes[i].name, want[w].name) == 0)
                rt = &api_routes[i];
        if (!rt) {
            it_note("route %s is missing from api_routes", want[w].name);
            CU_FAIL("route missing");
            continue;
        }
        bool ok = (rt->scopes & want[w].must) == want[w].must && !(rt->scopes & want[w].never);
        if (!ok)
            it_note("route %s has scopes 0x%x; API.md §1 needs 0x%x and forbids 0x%x", rt->name,
                    rt->scopes, want[w].must, want[w].never);
        CU_ASSERT(ok);
    }
}

static void test_basic_auth(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", DEMO_CARD2);
    struct http_resp r;
    /* the ERP client's default format is XML */
    http_get(&r, path, E.erp_basic, NULL);
    EXPECT_STATUS(r, 200);
    CU_ASSERT(r.is_xml);
    EXPECT_XML_VALID(r);
    char buf[64];
    EXPECT_STREQ(xtext(r.xml, "number", buf, sizeof(buf)), DEMO_CARD2);
    http_resp_free(&r);
    /* Accept wins over the default */
    http_get(&r, path, E.erp_basic, JSON_T);
    EXPECT_STATUS(r, 200);
    CU_ASSERT(r.is_json);
    EXPECT_STREQ(jstr(r.json, "number"), DEMO_CARD2);
    http_resp_free(&r);
    /* the same key as Bearer */
    http_get(&r, path, AUTH_ERP, JSON_T);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    /* every key reads a card */
    for (int k = 0; k < IT_NKEYS; k++) {
        if (E.keys[k].scope == SCOPE_PARTNER)
            continue; /* partners see only their own clients' cards */
        http_get(&r, path, E.keys[k].bearer, JSON_T);
        if (r.status != 200)
            it_note("key %s cannot read a card", E.keys[k].name);
        EXPECT_STATUS(r, 200);
        http_resp_free(&r);
    }
}

static void test_request_id(void)
{
    struct http_resp r;
    struct http_call c = {.url = "/api/v1/cards/" DEMO_CARD2, .auth = AUTH_POS,
                          .extra = {"X-Request-Id: it-req-12345"}};
    http_exec(&c, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(r.request_id, "it-req-12345");
    CU_ASSERT_EQUAL(r.n_request_id, 1);
    http_resp_free(&r);
    /* generated when absent, also on errors */
    http_get(&r, "/api/v1/cards/" DEMO_CARD2, NULL, NULL);
    EXPECT_ERROR(r, 401, "unauthorized", NULL);
    CU_ASSERT(strlen(r.request_id) >= 8);
    CU_ASSERT_EQUAL(r.n_request_id, 1);
    http_resp_free(&r);
    /* header metacharacters are not echoed */
    struct http_call c2 = {.url = "/api/v1/cards/" DEMO_CARD2, .auth = AUTH_POS,
                           .extra = {"X-Request-Id: <script>alert(1)</script>"}};
    http_exec(&c2, &r);
    EXPECT_STATUS(r, 200);
    CU_ASSERT(r.request_id[0] && !strchr(r.request_id, '<'));
    http_resp_free(&r);
}

static void test_unknown_paths(void)
{
    struct http_resp r;
    http_get(&r, "/api/v1/no-such-thing", AUTH_ADMIN, NULL);
    EXPECT_ERROR(r, 404, "not_found", NULL);
    http_resp_free(&r);
    http_get(&r, "/api/v1/no-such-thing", AUTH_ADMIN, XML_T);
    EXPECT_ERROR(r, 404, "not_found", NULL);
    EXPECT_XML_VALID(r);
    http_resp_free(&r);
    /* outside /api: nginx answers, with the API's error body */
    http_get(&r, "/index.html", NULL, NULL);
    EXPECT_ERROR(r, 404, "not_found", NULL);
    CU_ASSERT(r.is_json);
    http_resp_free(&r);
    http_send(&r, "DELETE", "/api/v1/clients/1", AUTH_ADMIN, NULL, NULL, NULL);
    EXPECT_ERROR(r, 405, "method_not_allowed", NULL);
    http_resp_free(&r);
    http_send(&r, "DELETE", "/api/v1/clients/1", AUTH_ADMIN, XML_T, NULL, NULL);
    EXPECT_ERROR(r, 405, "method_not_allowed", NULL);
    EXPECT_XML_VALID(r);
    http_resp_free(&r);
    http_get(&r, "/api/v1/schema/nope.xsd", AUTH_POS, NULL);
    EXPECT_ERROR(r, 404, "not_found", NULL);
    http_resp_free(&r);
}

void auth_add_tests(CU_pSuite s)
{
    CU_add_test(s, "route table sane, only health/metrics public", test_route_table_sane);
    CU_add_test(s, "route scopes follow API.md §1", test_scope_contract);
    CU_add_test(s, "public routes answer without a key", test_public_routes);
    CU_add_test(s, "every route: no credentials -> 401 (JSON and XML)", test_no_credentials);
    CU_add_test(s, "every route: wrong secret / garbage -> 401", test_bad_credentials);
    CU_add_test(s, "every route: key without the scope -> 403", test_wrong_scope);
    CU_add_test(s, "Basic auth with the ERP key; default format XML", test_basic_auth);
    CU_add_test(s, "X-Request-Id echoed or generated, once", test_request_id);
    CU_add_test(s, "unknown paths 404, wrong method 405", test_unknown_paths);
}
