/* test_cache.c: GET /cards/{n} is served from Redis (X-Cache: hit, metrics grow) and is
 * never stale after a write that has returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "it.h"

/* A counter from /metrics (Prometheus text); -1 when absent. */
static long long cache_metric(const char *name)
{
    struct http_resp r;
    http_get(&r, "/metrics", NULL, NULL);
    long long v = -1;
    size_t nl = strlen(name);
    for (const char *p = r.body; p && *p;) {
        if (strncmp(p, name, nl) == 0 && p[nl] == ' ') {
            v = strtoll(p + nl + 1, NULL, 10);
            break;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    http_resp_free(&r);
    return v;
}

static void cache_read(const char *card, const char *accept, struct http_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    http_get(r, path, AUTH_POS, accept);
    EXPECT_STATUS(*r, 200);
}

static void test_cache_hit(void)
{
    char card[33];
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    long long hits0 = cache_metric("loyalty_cache_hits_total");
    long long miss0 = cache_metric("loyalty_cache_misses_total");
    CU_ASSERT(hits0 >= 0 && miss0 >= 0);
    struct http_resp a, b, x;
    cache_read(card, JSON_T, &a);
    cache_read(card, JSON_T, &b);
    EXPECT_STREQ(b.x_cache, "hit");
    CU_ASSERT(a.x_cache[0] != '\0'); /* miss (or hit) is reported */
    char why[400];
    bool same = jx_json_equal(a.json, b.json, NULL, why, sizeof(why));
    if (!same)
        it_note("the cached card differs from the first read: %s", why);
    CU_ASSERT(same);
    /* XML from the cache as well, equal to the JSON */
    cache_read(card, XML_T, &x);
    EXPECT_STREQ(x.x_cache, "hit");
    EXPECT_XML_VALID(x);
    if (b.json && x.xml) {
        same = jx_equal_doc(b.json, x.xml, "card", why, sizeof(why));
        if (!same)
            it_note("cached XML differs from cached JSON: %s", why);
        CU_ASSERT(same);
    }
    long long hits1 = cache_metric("loyalty_cache_hits_total");
    long long miss1 = cache_metric("loyalty_cache_misses_total");
    if (hits1 < hits0 + 2)
        it_note("loyalty_cache_hits_total went from %lld to %lld after two hits", hits0, hits1);
    CU_ASSERT(hits1 >= hits0 + 2);
    CU_ASSERT(miss1 >= miss0 + (strcmp(a.x_cache, "miss") == 0 ? 1 : 0));
    http_resp_free(&a);
    http_resp_free(&b);
    http_resp_free(&x);
}

/* After each write that returned, the next read (JSON and XML) shows it. */
static void test_never_stale(void)
{
    char card[33], path[128], body[256], buf[64];
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    struct http_resp r, x;
    for (int round = 0; round < 3; round++) {
        /* warm both formats */
        cache_read(card, JSON_T, &r);
        http_resp_free(&r);
        cache_read(card, XML_T, &x);
        http_resp_free(&x);
        cache_read(card, JSON_T, &r);
        EXPECT_STREQ(r.x_cache, "hit");
        http_resp_free(&r);

        snprintf(path, sizeof(path), "/api/v1/cards/%s/block", card);
        http_send(&r, "POST", path, AUTH_SHOP, JSON_T, JSON_T, "{\"reason\":\"cache test\"}");
        EXPECT_STATUS(r, 200);
        http_resp_free(&r);
        cache_read(card, JSON_T, &r);
        EXPECT_STREQ(jstr(r.json, "status"), "blocked");
        http_resp_free(&r);
        cache_read(card, XML_T, &x);
        EXPECT_STREQ(xtext(x.xml, "status", buf, sizeof(buf)), "blocked");
        http_resp_free(&x);
        cache_read(card, JSON_T, &r); /* a hit now, still the new state */
        EXPECT_STREQ(jstr(r.json, "status"), "blocked");
        http_resp_free(&r);

        snprintf(path, sizeof(path), "/api/v1/cards/%s/unblock", card);
        http_send(&r, "POST", path, AUTH_ERP, JSON_T, NULL, NULL);
        EXPECT_STATUS(r, 200);
        http_resp_free(&r);
        cache_read(card, XML_T, &x);
        EXPECT_STREQ(xtext(x.xml, "status", buf, sizeof(buf)), "active");
        http_resp_free(&x);
        cache_read(card, JSON_T, &r);
        EXPECT_STREQ(jstr(r.json, "status"), "active");
        http_resp_free(&r);
    }
    /* a change of the client shows on its card */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
    http_send(&r, "PATCH", path, AUTH_POS, JSON_T, JSON_T, "{\"first_name\":\"Renamed\"}");
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    cache_read(card, JSON_T, &r);
    EXPECT_STREQ(jstr(r.json, "client.first_name"), "Renamed");
    http_resp_free(&r);
    /* points given show on the card at once */
    char key[64];
    uniq_str("it-cache-adj", key, sizeof(key));
    snprintf(body, sizeof(body),
             "{\"client_id\":%lld,\"amount\":\"25.50\",\"reason\":\"cache\",\"idempotency_key\":\"%s\"}",
             id, key);
    cache_read(card, JSON_T, &r);
    http_resp_free(&r);
    http_send(&r, "POST", "/api/v1/points/adjustments", AUTH_ERP, JSON_T, JSON_T, body);
    EXPECT_STATUS(r, 201);
    http_resp_free(&r);
    cache_read(card, JSON_T, &r);
    EXPECT_STREQ(jtext(r.json, "balance.available"), "25.50");
    http_resp_free(&r);
    /* a second card added to the client: the first card still reads right */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld/cards", id);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, "{\"virtual\":true}");
    EXPECT_STATUS(r, 201);
    http_resp_free(&r);
    /* replace: the old card reads as replaced at once */
    char newcard[33];
    uniq_card(newcard);
    cache_read(card, JSON_T, &r);
    http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/cards/%s/replace", card);
    snprintf(body, sizeof(body), "{\"new_number\":\"%s\"}", newcard);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    cache_read(card, JSON_T, &r);
    EXPECT_STREQ(jstr(r.json, "status"), "replaced");
    EXPECT_STREQ(jstr(r.json, "replaced_by"), newcard);
    http_resp_free(&r);
}

/* A card unknown, then registered: the 404 is not cached. */
static void test_not_found_not_cached(void)
{
    char card[33], nat[32], e164[20], body[256];
    uniq_card(card);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    struct http_resp r;
    for (int i = 0; i < 2; i++) {
        http_get(&r, path, AUTH_POS, JSON_T);
        EXPECT_ERROR(r, 404, "card_not_found", NULL);
        http_resp_free(&r);
    }
    uniq_phone(nat, e164);
    snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"card_number\":\"%s\"}", e164, card);
    long long id = it_create_client(AUTH_POS, body, NULL);
    CU_ASSERT_FATAL(id > 0);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    CU_ASSERT_EQUAL(jint(r.json, "client.id"), id);
    http_resp_free(&r);
}

void cache_add_tests(CU_pSuite s)
{
    CU_add_test(s, "second read is X-Cache: hit; cache metrics grow", test_cache_hit);
    CU_add_test(s, "never stale after a write", test_never_stale);
    CU_add_test(s, "unknown card then registered: 404 not cached", test_not_found_not_cached);
}
