/* test_calccache.c: the buyer's calculation context kept in the card's Redis entry (field
 * ctx of {card:N}:doc). A calculation by card answers from it (X-Cache: hit) exactly what
 * the database gives, in JSON and XML; it is never stale after a write or a level change; a
 * confirm that starts from a stale context (written back into Redis on purpose) answers and
 * writes from the current account and card, or refuses and writes nothing; `loyaltyctl
 * cache warm` fills it. Talks to the stack's Redis (LOYALTY_REDIS) directly. */
#include <hiredis/hiredis.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "it.h"

static redisContext *cc_redis; /* the suite's connection to the stack's Redis */

/* ============================================================ helpers == */

static redisContext *cc_r(void)
{
    if (!cc_redis)
        cc_redis = warm_redis();
    return cc_redis;
}

static const char *cc_key(const char *card, char *out, size_t n)
{
    snprintf(out, n, "{card:%s}:doc", card);
    return out;
}

/* The card's cached calculation context (malloc), NULL when there is none. */
static char *cc_ctx_get(const char *card)
{
    char key[96];
    redisContext *c = cc_r();
    redisReply *r = c ? redisCommand(c, "HGET %s ctx", cc_key(card, key, sizeof(key))) : NULL;
    char *text = NULL;
    if (r && r->type == REDIS_REPLY_STRING && (text = malloc(r->len + 1))) {
        memcpy(text, r->str, r->len);
        text[r->len] = '\0';
    }
    if (r)
        freeReplyObject(r);
    return text;
}

/* Put a context text into the card's entry, as a calculation would have cached it. */
static bool cc_ctx_put(const char *card, const char *text)
{
    char key[96];
    redisContext *c = cc_r();
    cc_key(card, key, sizeof(key));
    redisReply *r = c && text ? redisCommand(c, "HSET %s ctx %b", key, text, strlen(text)) : NULL;
    bool ok = r && r->type == REDIS_REPLY_INTEGER;
    if (!ok)
        it_note("HSET %s ctx: %s", key, r && r->str ? r->str : c ? c->errstr : "no Redis");
    if (r)
        freeReplyObject(r);
    return ok;
}

/* Drop the card's cached context (its document stays). */
static bool cc_ctx_del(const char *card)
{
    char key[96];
    redisContext *c = cc_r();
    return c && warm_redis_int(c, "HDEL %s ctx", cc_key(card, key, sizeof(key))) >= 0;
}

/* Is there a cached context for the card? */
static bool cc_ctx_cached(const char *card)
{
    char *text = cc_ctx_get(card);
    free(text);
    return text != NULL;
}

/* A receipt by card of one line, 1 × price, spending points (NULL: none). */
struct cc_receipt {
    struct pur_line line;   /* its line */
    struct pur_req req;     /* the request (req.lines points at line) */
    char id[80];            /* its receipt_id */
};

static void cc_receipt(struct cc_receipt *q, const char *card, const char *price,
                       const char *points, bool strict)
{
    memset(q, 0, sizeof(*q));
    q->line = (struct pur_line){1, "CC-SKU", "Calc cache", "1", price};
    uniq_str("IT-CC", q->id, sizeof(q->id));
    q->req = (struct pur_req){q->id, card, &q->line, 1, points, strict, false};
}

/* POST the receipt to calculate or confirm, in JSON or XML (answer in the same format). */
static void cc_send(struct http_resp *r, const struct cc_receipt *q, bool confirm, bool xml)
{
    char body[2048];
    pur_body(&q->req, xml, body, sizeof(body));
    pur_post(r, confirm ? "/api/v1/purchases" : "/api/v1/purchases/calculate", AUTH_POS, xml,
             xml ? XML_T : JSON_T, body);
}

/* A calculation that must answer 200 with X-Cache `cache` (XML: valid against its XSD). */
static void cc_calc(struct http_resp *r, const struct cc_receipt *q, bool xml, const char *cache,
                    const char *step)
{
    cc_send(r, q, false, xml);
    EXPECT_STATUS(*r, 200);
    if (strcmp(r->x_cache, cache) != 0)
        it_note("%s: calculate by card %s answered X-Cache: %s, expected %s", step,
                q->req.card, r->x_cache[0] ? r->x_cache : "(none)", cache);
    CU_ASSERT(strcmp(r->x_cache, cache) == 0);
    if (xml)
        EXPECT_XML_VALID(*r);
}

/* The same document in two JSON answers. */
static void cc_same_json(const struct http_resp *a, const struct http_resp *b, const char *what)
{
    char why[400] = "no JSON";
    bool same = a->json && b->json && jx_json_equal(a->json, b->json, NULL, why, sizeof(why));
    if (!same)
        it_note("%s: %s\n      %.600s\n      %.600s", what, why, a->body ? a->body : "",
                b->body ? b->body : "");
    CU_ASSERT(same);
}

/* The same document in a JSON and an XML answer. */
static void cc_same_doc(const struct http_resp *j, const struct http_resp *x, const char *what)
{
    char why[400] = "no JSON or no XML";
    bool same = j->json && x->xml && jx_equal_doc(j->json, x->xml, "purchase", why, sizeof(why));
    if (!same)
        it_note("%s: %s\n      %.600s\n      %.600s", what, why, j->body ? j->body : "",
                x->body ? x->body : "");
    CU_ASSERT(same);
}

/* The same bytes in two answers. */
static void cc_same_bytes(const struct http_resp *a, const struct http_resp *b, const char *what)
{
    bool same = a->body && b->body && a->len == b->len && memcmp(a->body, b->body, a->len) == 0;
    if (!same)
        it_note("%s:\n      %.600s\n      %.600s", what, a->body ? a->body : "",
                b->body ? b->body : "");
    CU_ASSERT(same);
}

/* A calculation right after a write: read from the database (miss), balance.before is
 * `want` and the account's available; the next one is a hit with the same document. */
static void cc_expect_fresh(const struct cc_receipt *q, long long client_id, long long want,
                            const char *step)
{
    struct http_resp a, b;
    cc_calc(&a, q, false, "miss", step);
    EXPECT_AMT(a, "balance.before", want);
    EXPECT_EQ_LL(pur_account(client_id, "available"), want);
    cc_calc(&b, q, false, "hit", step);
    cc_same_json(&a, &b, step);
    http_resp_free(&a);
    http_resp_free(&b);
}

/* Purchases stored under a receipt id (any client). */
static long long cc_purchases_of(const char *receipt)
{
    const char *p[1] = {receipt};
    return pur_sql("SELECT count(*) FROM purchases WHERE receipt_id = $1", 1, p);
}

/* Calculate by card (caches the context) and hand back the context text (malloc). */
static char *cc_cache_context(const struct cc_receipt *q)
{
    struct http_resp r;
    cc_calc(&r, q, false, "miss", "calculate that caches the context");
    http_resp_free(&r);
    char *text = cc_ctx_get(q->req.card);
    if (!text)
        it_note("no ctx field in {card:%s}:doc after a calculate that missed", q->req.card);
    return text;
}

/* A buyer whose calculation context is cached: the start of the stale-context tests. */
struct cc_buyer {
    long long id;           /* the client */
    char card[33];          /* its card */
    struct cc_receipt q;    /* a receipt by the card */
    char *ctx;              /* the context the calculation of q cached (malloc) */
};

/* A client funded with `funds`, a receipt (1 × price, points, strict) calculated once;
 * false (noted) when any of it failed. */
static bool cc_buyer(struct cc_buyer *b, const char *funds, const char *price,
                     const char *points, bool strict)
{
    memset(b, 0, sizeof(*b));
    if (!pur_points_settings("{}") || (b->id = pur_new_funded_client(funds, b->card)) <= 0)
        return false;
    cc_receipt(&b->q, b->card, price, points, strict);
    b->ctx = cc_cache_context(&b->q);
    return b->ctx != NULL;
}

/* Write an old context back after a write has dropped the entry: a stale cache. */
static void cc_restore_stale(const char *card, const char *stale)
{
    if (cc_ctx_cached(card))
        it_note("card %s: the write did not drop the cached context", card);
    CU_ASSERT(!cc_ctx_cached(card));
    CU_ASSERT_FATAL(cc_ctx_put(card, stale));
}

/* A confirm that must be written from the current balance `before`: 201, its points
 * spent, balance.after in the answer and in the account, one purchase, verify clean.
 * Returns the balance after. */
static long long cc_expect_confirm(const struct cc_receipt *q, long long client_id,
                                   long long before)
{
    struct http_resp r;
    long long spent = q->req.points ? pur_minor(q->req.points) : 0;
    cc_send(&r, q, true, false);
    EXPECT_STATUS(r, 201);
    long long accrued = pur_amt(&r, "points_accrued"), after = before - spent + accrued;
    CU_ASSERT(accrued > 0 && accrued != LLONG_MIN);
    EXPECT_AMT(r, "balance.before", before);
    EXPECT_AMT(r, "points_spent", spent);
    EXPECT_AMT(r, "balance.after", after);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_account(client_id, "available"), after);
    EXPECT_EQ_LL(cc_purchases_of(q->id), 1);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
    return after;
}

/* A confirm from a stale context that must be refused with (status, code) and write nothing
 * (the client's rows, the account's version, the receipt). */
static void cc_expect_refused(const struct cc_receipt *q, long long client_id, long status,
                              const char *code, const char *field)
{
    char snap0[1024], snap1[1024];
    struct http_resp c;
    pur_snapshot(client_id, q->id, snap0, sizeof(snap0));
    cc_send(&c, q, true, false);
    EXPECT_ERROR(c, status, code, field);
    http_resp_free(&c);
    pur_snapshot(client_id, q->id, snap1, sizeof(snap1));
    if (strcmp(snap0, snap1) != 0)
        it_note("a refused confirm wrote: before %s\n      after  %s", snap0, snap1);
    CU_ASSERT_STRING_EQUAL(snap0, snap1);
    EXPECT_EQ_LL(cc_purchases_of(q->id), 0);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* ============================================================== tests == */

/* First calculate a miss, second a hit, the same document; the same in XML. */
static void test_calc_hit_equal(void)
{
    char card[33];
    struct cc_receipt q;
    struct http_resp a, b, x1, x2;
    CU_ASSERT_FATAL(pur_new_funded_client("500.00", card) > 0);
    cc_receipt(&q, card, "300.00", "100", false);
    cc_calc(&a, &q, false, "miss", "first calculate");
    CU_ASSERT(cc_ctx_cached(card));
    cc_calc(&b, &q, false, "hit", "second calculate");
    cc_same_json(&a, &b, "the cached calculation differs from the one read from the database");
    EXPECT_AMT(b, "balance.before", 50000);
    EXPECT_AMT(b, "points_spent", 10000);
    /* XML from the same entry: a miss (context dropped) and a hit, byte for byte */
    CU_ASSERT(cc_ctx_del(card));
    cc_calc(&x1, &q, true, "miss", "first calculate in XML");
    cc_calc(&x2, &q, true, "hit", "second calculate in XML");
    cc_same_bytes(&x1, &x2, "the cached calculation in XML differs from the one read");
    cc_same_doc(&b, &x2, "the cached calculation in XML differs from the JSON one");
    http_resp_free(&a);
    http_resp_free(&b);
    http_resp_free(&x1);
    http_resp_free(&x2);
}

/* After a confirm, an adjustment and a cancel the next calculate shows the new balance. */
static void test_calc_never_stale(void)
{
    char card[33], path[160];
    struct cc_receipt q, q2;
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long id = pur_new_funded_client("1000.00", card);
    CU_ASSERT_FATAL(id > 0);
    cc_receipt(&q, card, "500.00", "100", false);
    cc_expect_fresh(&q, id, 100000, "before the confirm");
    /* confirm: spends 100, earns some */
    long long after = cc_expect_confirm(&q, id, 100000);
    cc_receipt(&q2, card, "500.00", "100", false);
    cc_expect_fresh(&q2, id, after, "after the confirm");
    /* an adjustment */
    CU_ASSERT(pur_adjust(id, "25.50", NULL, NULL, &r) > 0);
    EXPECT_AMT(r, "balance_after", after + 2550);
    http_resp_free(&r);
    cc_expect_fresh(&q2, id, after + 2550, "after an adjustment");
    /* a cancel of the purchase: the 100 come back, the accrual goes */
    snprintf(path, sizeof(path), "/api/v1/purchases/%s/cancel", q.id);
    pur_post(&r, path, AUTH_POS, false, JSON_T, NULL);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    cc_expect_fresh(&q2, id, 102550, "after a cancel");
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* A calculation read from the database (miss), then from the cache (hit), both at level
 * `level` earning `accrued`. */
static void cc_expect_accrual(const struct cc_receipt *q, const char *level, long long accrued,
                              const char *step)
{
    struct http_resp r;
    const char *cache[2] = {"miss", "hit"};
    for (int i = 0; i < 2; i++) {
        cc_calc(&r, q, false, cache[i], step);
        EXPECT_AMT(r, "points_accrued", accrued);
        EXPECT_STREQ(r.json ? jstr(r.json, "level.name") : NULL, level);
        http_resp_free(&r);
    }
}

/* A level's accrual_percent changed: the next calculate (and confirm) earns the new one. */
static void test_level_change(void)
{
    char card[33], name[96], path[96], old_level[32];
    struct cc_receipt q;
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long level = pur_new_level("IT CC", "\"accrual_percent\":5,\"discount_percent\":0",
                                    name, NULL);
    CU_ASSERT_FATAL(level > 0);
    snprintf(path, sizeof(path), "/api/v1/levels/%lld", level);
    long long id = it_new_client_with_card(AUTH_POS, card);
    char ids[32], lvl[32];
    snprintf(ids, sizeof(ids), "%lld", id);
    snprintf(lvl, sizeof(lvl), "%lld", level);
    const char *p[2] = {ids, lvl};
    const char *was = pur_sql_text("SELECT level_id::text FROM clients WHERE client_id = $1", 1, p,
                                   old_level, sizeof(old_level));
    /* the client's level comes from purchases: put it on the new level directly, and drop
     * what the cache may hold of the card from before */
    if (id > 0) {
        EXPECT_EQ_LL(pur_sql("UPDATE clients SET level_id = $2::bigint WHERE client_id = $1", 2,
                             p),
                     1);
        CU_ASSERT(cc_ctx_del(card));
        cc_receipt(&q, card, "1000.00", NULL, false);
        cc_expect_accrual(&q, name, 5000, "calculate at 5 %");
        http_send(&r, "PATCH", path, AUTH_ADMIN, JSON_T, JSON_T, "{\"accrual_percent\":7}");
        EXPECT_STATUS(r, 200);
        EXPECT_AMT(r, "accrual_percent", 700);
        http_resp_free(&r);
        cc_expect_accrual(&q, name, 7000, "calculate after the level changed to 7 %");
        EXPECT_EQ_LL(cc_expect_confirm(&q, id, 0), 7000); /* the confirm earns 7 % too */
        /* the client back on its level (NULL when it had none) */
        const char *back[2] = {ids, was};
        EXPECT_EQ_LL(pur_sql("UPDATE clients SET level_id = $2::bigint WHERE client_id = $1", 2,
                             back),
                     1);
    }
    http_send(&r, "DELETE", path, AUTH_ADMIN, JSON_T, NULL, NULL);
    EXPECT_STATUS(r, 204);
    http_resp_free(&r);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* A stale context (an older balance and version) written back into the cache: the confirm
 * answers and writes the figures of the current balance. */
static void test_stale_context_spend(void)
{
    struct cc_buyer b;
    struct http_resp r;
    CU_ASSERT_FATAL(cc_buyer(&b, "1000.00", "500.00", "100", false));
    CU_ASSERT(pur_adjust(b.id, "-300.00", NULL, NULL, NULL) > 0);
    cc_restore_stale(b.card, b.ctx);
    free(b.ctx);
    /* the calculation trusts its cache (by design): it shows the stale 1,000.00 */
    cc_calc(&r, &b.q, false, "hit", "calculate from the planted context");
    EXPECT_AMT(r, "balance.before", 100000);
    http_resp_free(&r);
    /* the confirm does not: the account moved on since that context */
    long long want = cc_expect_confirm(&b.q, b.id, 70000);
    /* the confirm dropped the stale entry */
    cc_receipt(&b.q, b.card, "500.00", "100", false);
    cc_expect_fresh(&b.q, b.id, want, "after the confirm from a stale context");
}

/* A strict spend the stale context would allow but the current balance does not: 422. */
static void test_stale_context_strict(void)
{
    struct cc_buyer b;
    CU_ASSERT_FATAL(cc_buyer(&b, "1000.00", "2000.00", "800", true));
    CU_ASSERT(pur_adjust(b.id, "-500.00", NULL, NULL, NULL) > 0);
    cc_restore_stale(b.card, b.ctx);
    free(b.ctx);
    cc_expect_refused(&b.q, b.id, 422, "insufficient_points", "points_to_spend");
    EXPECT_EQ_LL(pur_account(b.id, "available"), 50000);
    CU_ASSERT(cc_ctx_del(b.card));
}

/* A stale context of a card since blocked: 409 card_blocked, nothing written. */
static void test_stale_context_blocked(void)
{
    char path[96];
    struct cc_buyer b;
    struct http_resp r;
    CU_ASSERT_FATAL(cc_buyer(&b, "500.00", "300.00", "100", false));
    snprintf(path, sizeof(path), "/api/v1/cards/%s/block", b.card);
    http_send(&r, "POST", path, AUTH_SHOP, JSON_T, JSON_T, "{\"reason\":\"calc cache test\"}");
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    cc_restore_stale(b.card, b.ctx);
    free(b.ctx);
    cc_expect_refused(&b.q, b.id, 409, "card_blocked", "card");
    EXPECT_EQ_LL(pur_account(b.id, "available"), 50000);
    CU_ASSERT(cc_ctx_del(b.card));
}

/* A context text with the card's status (column 1) replaced; NULL when it has none.
 * Each column is "-" (NULL) or "<length>:<bytes>" (store_purchase_context_text). */
static char *cc_with_status(const char *text, const char *status)
{
    char *end;
    size_t n = strtoul(text, &end, 10);
    if (end == text || *end != ':' || n >= strlen(end + 1))
        return NULL;
    const char *col1 = end + 1 + n;
    size_t len = strtoul(col1, &end, 10);
    if (end == col1 || *end != ':' || len > strlen(end + 1))
        return NULL;
    const char *rest = end + 1 + len;
    size_t size = (size_t)(col1 - text) + strlen(status) + strlen(rest) + 24;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%.*s%zu:%s%s", (int)(col1 - text), text, strlen(status), status,
                 rest);
    return out;
}

/* A refusal on a cached context is given on a fresh one: cached "blocked", card active. */
static void test_cached_refusal_rechecked(void)
{
    struct cc_buyer b;
    struct http_resp r;
    CU_ASSERT_FATAL(cc_buyer(&b, "500.00", "300.00", "100", false));
    char *blocked = cc_with_status(b.ctx, "blocked");
    free(b.ctx);
    CU_ASSERT_FATAL(blocked != NULL);
    CU_ASSERT_FATAL(cc_ctx_put(b.card, blocked));
    free(blocked);
    cc_send(&r, &b.q, false, false); /* the calculation trusts it */
    EXPECT_ERROR(r, 409, "card_blocked", "card");
    http_resp_free(&r);
    cc_expect_confirm(&b.q, b.id, 50000);
}

/* After `cache warm` the first calculate is a hit, equal to one read from the database. */
static void test_warm_fills_context(void)
{
    char card[33], exp30[40], out[4096];
    struct cc_receipt q;
    struct http_resp a, x, b;
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    /* two lots: one expiring in 30 days (drawn first), one without expiry */
    CU_ASSERT(pur_adjust(id, "300.00", pur_time(30 * 86400L, exp30, sizeof(exp30)), NULL,
                         NULL) > 0);
    CU_ASSERT(pur_adjust(id, "200.00", NULL, NULL, NULL) > 0);
    CU_ASSERT(!cc_ctx_cached(card));
    int rc = warm_run("", out, sizeof(out));
    if (rc != 0)
        it_note("cache warm exited %d:\n%s", rc, out);
    CU_ASSERT_FATAL(rc == 0);
    char *warmed = cc_ctx_get(card);
    CU_ASSERT_FATAL(warmed != NULL);
    cc_receipt(&q, card, "1000.00", "350", false);
    cc_calc(&a, &q, false, "hit", "first calculate after cache warm");
    cc_calc(&x, &q, true, "hit", "first calculate in XML after cache warm");
    EXPECT_AMT(a, "balance.before", 50000);
    EXPECT_AMT(a, "points_spent", 35000);
    CU_ASSERT(cc_ctx_del(card));
    cc_calc(&b, &q, false, "miss", "calculate read from the database");
    cc_same_json(&a, &b, "the warmed calculation differs from the one read from the database");
    cc_same_doc(&b, &x, "the warmed calculation in XML differs from the one read");
    char *read = cc_ctx_get(card);
    if (!read || strcmp(read, warmed) != 0)
        it_note("card %s: context stored by cache warm\n      %s\ndiffers from the one a "
                "calculate stored\n      %s",
                card, warmed, read ? read : "(none)");
    CU_ASSERT(read && strcmp(read, warmed) == 0);
    free(read);
    free(warmed);
    http_resp_free(&a);
    http_resp_free(&x);
    http_resp_free(&b);
}

/* ============================================================== suite == */

int calccache_suite_cleanup(void)
{
    if (cc_redis)
        redisFree(cc_redis);
    cc_redis = NULL;
    pur_db_close();
    return 0;
}

void calccache_add_tests(CU_pSuite s)
{
    CU_add_test(s, "calculate by card: miss then hit, the same document in JSON and XML",
                test_calc_hit_equal);
    CU_add_test(s, "calculate never stale after confirm, adjustment, cancel",
                test_calc_never_stale);
    CU_add_test(s, "a level's accrual_percent changed: the next calculate earns the new one",
                test_level_change);
    CU_add_test(s, "confirm from a stale context: the figures of the current balance",
                test_stale_context_spend);
    CU_add_test(s, "strict confirm from a stale context above the current balance: 422",
                test_stale_context_strict);
    CU_add_test(s, "confirm from a stale context of a card since blocked: 409, nothing written",
                test_stale_context_blocked);
    CU_add_test(s, "a refusal on a cached context is checked on fresh data",
                test_cached_refusal_rechecked);
    CU_add_test(s, "cache warm: the first calculate is a hit equal to a database read",
                test_warm_fills_context);
}
