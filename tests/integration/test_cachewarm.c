/* test_cachewarm.c: `loyaltyctl cache warm` fills an empty card cache with the documents the
 * API itself would cache, and its guarded store leaves alone a card invalidated between the
 * generation read and the store. Talks to the stack's Redis (LOYALTY_REDIS) directly. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "it.h"
#include "store/cache.h"

#define WARM_NCARDS 5 /* cards read back after the warm-up */

/* A connection to the stack's Redis; NULL (noted) when there is none. */
redisContext *warm_redis(void)
{
    const char *addr = E.redis, *colon = addr ? strrchr(addr, ':') : NULL;
    if (!colon) {
        it_note("LOYALTY_REDIS is not set: cannot reach the stack's Redis");
        return NULL;
    }
    char host[128];
    snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
    /* "unix:PATH" (./dev's default) or "host:port" */
    redisContext *ctx = strncmp(addr, "unix:", 5) == 0 ? redisConnectUnix(addr + 5)
                                                        : redisConnect(host, atoi(colon + 1));
    if (!ctx || ctx->err) {
        it_note("Redis at %s: %s", addr, ctx ? ctx->errstr : "no memory");
        if (ctx)
            redisFree(ctx);
        return NULL;
    }
    return ctx;
}

/* One Redis command; its integer reply (string replies as numbers), -1 on an error. */
long long warm_redis_int(redisContext *ctx, const char *fmt, const char *arg)
{
    redisReply *r = arg ? redisCommand(ctx, fmt, arg) : redisCommand(ctx, fmt);
    long long v = -1;
    if (r && r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    else if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS))
        v = strcmp(r->str, "OK") == 0 ? 0 : strtoll(r->str, NULL, 10);
    else
        it_note("Redis %s %s: %s", fmt, arg ? arg : "", r ? r->str : ctx->errstr);
    if (r)
        freeReplyObject(r);
    return v;
}

/* `./dev ctl cache warm` with an environment prefix; its exit status, its output in out. */
int warm_run(const char *env, char *out, size_t n)
{
    char cmd[1024];
    out[0] = '\0';
    if (!E.dev) {
        it_note("LOYALTY_DEV is not set: cannot run ./dev ctl cache warm");
        return -1;
    }
    snprintf(cmd, sizeof(cmd), "%s '%s' ctl cache warm 2>&1 </dev/null", env, E.dev);
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t used = fread(out, 1, n - 1, p);
    out[used] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void warm_get(const char *card, const char *accept, struct http_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    http_get(r, path, AUTH_POS, accept);
    EXPECT_STATUS(*r, 200);
}

/* The body of a GET after the card's cached document is deleted (a miss) equals `cached`. */
static void warm_expect_miss_equal(redisContext *ctx, const char *card, const char *accept,
                                   const struct http_resp *cached)
{
    char key[96];
    struct http_resp r;
    snprintf(key, sizeof(key), "{card:%s}:doc", card);
    CU_ASSERT(warm_redis_int(ctx, "DEL %s", key) >= 0);
    warm_get(card, accept, &r);
    EXPECT_STREQ(r.x_cache, "miss");
    bool same = r.body && cached->body && r.len == cached->len &&
                memcmp(r.body, cached->body, r.len) == 0;
    if (!same)
        it_note("card %s (%s): warmed document\n  %s\ndiffers from the database read\n  %s", card,
                accept, cached->body ? cached->body : "(none)", r.body ? r.body : "(none)");
    CU_ASSERT(same);
    http_resp_free(&r);
}

/* Flush Redis, warm, then every card is a hit in both formats, byte for byte what a miss
 * answers. */
static void test_warm_fills_cache(void)
{
    char cards[WARM_NCARDS][33] = {DEMO_CARD, DEMO_CARD2, DEMO_CARD3};
    char out[4096];
    for (int i = 3; i < WARM_NCARDS; i++)
        CU_ASSERT_FATAL(it_new_client_with_card(AUTH_POS, cards[i]) > 0);
    redisContext *ctx = warm_redis();
    CU_ASSERT_FATAL(ctx != NULL);
    CU_ASSERT_FATAL(warm_redis_int(ctx, "FLUSHDB", NULL) == 0);
    long long total = it_db_scalar("SELECT count(*) FROM card_index", NULL);

    int rc = warm_run("", out, sizeof(out));
    unsigned long stored = 0, skipped = 0;
    bool parsed = sscanf(out, "cache warm: %lu cards stored, %lu skipped", &stored, &skipped) == 2;
    if (rc != 0 || !parsed || (long long)stored != total || skipped != 0)
        it_note("cache warm exited %d with %lld cards in card_index:\n%s", rc, total, out);
    CU_ASSERT(rc == 0 && parsed);
    CU_ASSERT_EQUAL((long long)stored, total);
    CU_ASSERT_EQUAL(skipped, 0);

    for (int i = 0; i < WARM_NCARDS; i++) {
        struct http_resp j, x;
        warm_get(cards[i], JSON_T, &j);
        EXPECT_STREQ(j.x_cache, "hit");
        warm_get(cards[i], XML_T, &x);
        EXPECT_STREQ(x.x_cache, "hit");
        EXPECT_XML_VALID(x);
        warm_expect_miss_equal(ctx, cards[i], JSON_T, &j);
        warm_expect_miss_equal(ctx, cards[i], XML_T, &x);
        http_resp_free(&j);
        http_resp_free(&x);
    }
    redisFree(ctx);
}

/* A card whose generation moved between the generation read and the store (an API write
 * invalidated it) is not stored, in bulk as one by one; with the generation unchanged it is. */
static void test_warm_guard(void)
{
    char card[33], gk[96], dk[96], gens[1][32];
    size_t stored = 99;
    CU_ASSERT_FATAL(it_new_client_with_card(AUTH_POS, card) > 0);
    snprintf(gk, sizeof(gk), "{card:%s}:gen", card);
    snprintf(dk, sizeof(dk), "{card:%s}:doc", card);
    redisContext *ctx = warm_redis();
    CU_ASSERT_FATAL(ctx != NULL);
    struct cache *c = cache_new(E.redis, 60);
    const char *numbers[1] = {card};
    struct cache_card_doc doc = {card, gens[0], "{\"marker\":1}", "<marker/>", 0, NULL};

    CU_ASSERT(warm_redis_int(ctx, "DEL %s", dk) >= 0);
    CU_ASSERT_FATAL(cache_card_gens(c, numbers, 1, gens));
    CU_ASSERT(warm_redis_int(ctx, "INCR %s", gk) > 0); /* a write in between */
    CU_ASSERT(cache_card_put_many(c, &doc, 1, &stored));
    CU_ASSERT_EQUAL(stored, 0);
    cache_card_put(c, card, gens[0], doc.json, doc.xml, 0);
    CU_ASSERT_EQUAL(warm_redis_int(ctx, "EXISTS %s", dk), 0);
    struct http_resp r;
    warm_get(card, JSON_T, &r); /* the API reads the database, not a marker */
    EXPECT_STREQ(r.x_cache, "miss");
    CU_ASSERT(r.body && !strstr(r.body, "marker"));
    http_resp_free(&r);

    /* the control: the same store with a fresh generation lands */
    CU_ASSERT(warm_redis_int(ctx, "DEL %s", dk) >= 0);
    CU_ASSERT_FATAL(cache_card_gens(c, numbers, 1, gens));
    CU_ASSERT(cache_card_put_many(c, &doc, 1, &stored));
    CU_ASSERT_EQUAL(stored, 1);
    CU_ASSERT_EQUAL(warm_redis_int(ctx, "EXISTS %s", dk), 1);
    /* leave no marker behind: invalidate as a writer does */
    cache_card_invalidate(c, numbers, 1);
    CU_ASSERT_EQUAL(warm_redis_int(ctx, "EXISTS %s", dk), 0);
    cache_free(c);
    redisFree(ctx);
}

/* Redis or PostgreSQL unreachable: a non-zero exit and a message that says which. */
static void test_warm_unreachable(void)
{
    char out[4096];
    int rc = warm_run("LOYALTY_LOCAL_SOCKETS=0 LOYALTY_REDIS_PORT=1", out, sizeof(out));
    if (rc == 0 || !strstr(out, "Redis"))
        it_note("cache warm without Redis exited %d:\n%s", rc, out);
    CU_ASSERT(rc != 0 && strstr(out, "Redis at 127.0.0.1:1 is unreachable"));
    rc = warm_run("LOYALTY_LOCAL_SOCKETS=0 LOYALTY_PG_PORT=1", out, sizeof(out));
    if (rc == 0 || !strstr(out, "PostgreSQL"))
        it_note("cache warm without PostgreSQL exited %d:\n%s", rc, out);
    CU_ASSERT(rc != 0 && strstr(out, "PostgreSQL is unreachable"));
}

void cachewarm_add_tests(CU_pSuite s)
{
    CU_add_test(s, "after a flush, cache warm makes every card a hit equal to a miss",
                test_warm_fills_cache);
    CU_add_test(s, "a card invalidated between generation read and store is not stored",
                test_warm_guard);
    CU_add_test(s, "Redis or PostgreSQL unreachable: non-zero exit, clear message",
                test_warm_unreachable);
}
