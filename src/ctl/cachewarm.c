/* cachewarm.c: `loyaltyctl cache warm [--batch N]`: fill the Redis card cache from
 * PostgreSQL in bulk, after a Redis restart or flush, or before a benchmark.
 *
 * Every card of card_index, in keyset pages ordered by number. Per page: the generations of
 * its cards in one pipelined Redis round trip, then their documents in one SQL statement
 * (docs_card_load_many(), the columns of GET /cards/{number}) and their calculation contexts
 * (store_purchase_contexts(), what POST /purchases/calculate reads), then JSON and XML as the API
 * renders them (api_card_encode()), then one pipelined round trip of guarded stores
 * (cache_card_put_many(): the Lua script of cache_card_put()). A card whose generation moved
 * between the read and the store (an API write invalidated it meanwhile) is not stored, so
 * the command is safe while the API serves and writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "ctl/ctl.h"
#include "store/cache.h"
#include "store/docs.h"
#include "store/purchases.h"

#define WARM_DEFAULT_BATCH 5000
#define WARM_MAX_BATCH 100000

/* How a page ended. */
enum warm_status {
    WARM_OK,         /* stored; more pages may follow */
    WARM_DONE,       /* no card after the last page */
    WARM_DB_DOWN,    /* PostgreSQL failed */
    WARM_REDIS_DOWN, /* Redis failed */
};

/* One page of cards and what it needs, reused from page to page. */
struct warm_page {
    struct arena arena;          /* numbers and documents of the current page */
    size_t size;                 /* cards per page (--batch) */
    char (*gens)[32];            /* generation of each card, read before the database */
    struct msg_card **cards;     /* document of each card, NULL when it is gone */
    int64_t *sources;            /* owner's source API client of each card */
    struct cache_card_doc *docs; /* the stores sent to Redis */
    const char **contexts;       /* calculation context of each card, NULL when none */
    struct buf json;             /* one card's JSON, before it is copied into the arena */
    struct buf xml;              /* one card's XML, likewise */
    struct buf last;             /* the last card number read: the next page starts after it */
    size_t stored;               /* cards stored so far */
    size_t skipped;              /* cards changed (or gone) between generation read and store */
};

static void warm_usage(void)
{
    fprintf(stderr, "usage: loyaltyctl cache warm [--batch N]   (cards per round trip, default "
                    "%d, at most %d)\n",
            WARM_DEFAULT_BATCH, WARM_MAX_BATCH);
}

static double warm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *warm_calloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        abort();
    return p;
}

static void warm_page_init(struct warm_page *p, size_t size)
{
    memset(p, 0, sizeof(*p));
    arena_init(&p->arena, 1 << 20);
    p->size = size;
    p->gens = warm_calloc(size, sizeof(*p->gens));
    p->cards = warm_calloc(size, sizeof(*p->cards));
    p->sources = warm_calloc(size, sizeof(*p->sources));
    p->docs = warm_calloc(size, sizeof(*p->docs));
    p->contexts = warm_calloc(size, sizeof(*p->contexts));
    buf_init(&p->json);
    buf_init(&p->xml);
    buf_init(&p->last); /* "": the first page starts at the first number */
}

static void warm_page_free(struct warm_page *p)
{
    arena_free(&p->arena);
    free(p->gens);
    free(p->cards);
    free(p->sources);
    free(p->docs);
    free(p->contexts);
    buf_free(&p->json);
    buf_free(&p->xml);
    buf_free(&p->last);
}

/* The documents of the page's cards in both formats, as stores under the generations read;
 * returns how many (cards gone meanwhile have none). */
static size_t warm_encode(struct warm_page *p, const char *const *numbers, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p->cards[i])
            continue;
        buf_reset(&p->json);
        buf_reset(&p->xml);
        api_card_encode(p->cards[i], &p->json, &p->xml);
        p->docs[k] = (struct cache_card_doc){numbers[i], p->gens[i],
                                             arena_strdup(&p->arena, buf_str(&p->json)),
                                             arena_strdup(&p->arena, buf_str(&p->xml)),
                                             p->sources[i], p->contexts[i]};
        k++;
    }
    return k;
}

/* The next page: generations, documents, stores. */
static enum warm_status warm_next_page(struct ctl_ctx *c, struct cache *cache, struct warm_page *p)
{
    const char **numbers;
    size_t n, k, stored;
    arena_reset(&p->arena);
    if (docs_card_numbers_after(&c->db, &p->arena, buf_str(&p->last), p->size, &numbers, &n) !=
        DB_OK)
        return WARM_DB_DOWN;
    if (n == 0)
        return WARM_DONE;
    if (!cache_card_gens(cache, numbers, n, p->gens))
        return WARM_REDIS_DOWN;
    if (docs_card_load_many(&c->db, &p->arena, numbers, n, p->cards, p->sources) != DB_OK ||
        store_purchase_contexts(&c->db, &p->arena, numbers, n, p->contexts) != DB_OK)
        return WARM_DB_DOWN;
    k = warm_encode(p, numbers, n);
    if (!cache_card_put_many(cache, p->docs, k, &stored))
        return WARM_REDIS_DOWN;
    p->stored += stored;
    p->skipped += n - stored;
    buf_reset(&p->last);
    buf_adds(&p->last, numbers[n - 1]);
    return WARM_OK;
}

static int warm_run(struct ctl_ctx *c, size_t batch)
{
    struct warm_page p;
    struct cache *cache = cache_new(c->cfg.redis, c->cfg.cache_ttl);
    enum warm_status st = WARM_OK;
    double t0 = warm_now();
    int rc = 1;

    warm_page_init(&p, batch);
    if (!*c->cfg.redis) {
        fprintf(stderr, "loyaltyctl: cache warm: no Redis is configured (redis, LOYALTY_REDIS)\n");
        goto out;
    }
    if (!cache_ping(cache)) {
        fprintf(stderr, "loyaltyctl: cache warm: Redis at %s is unreachable\n", c->cfg.redis);
        goto out;
    }
    if (db_ensure(&c->db) != DB_OK) {
        fprintf(stderr, "loyaltyctl: cache warm: PostgreSQL is unreachable (pg, LOYALTY_PG)\n");
        goto out;
    }
    while (st == WARM_OK)
        st = warm_next_page(c, cache, &p);
    if (st == WARM_DB_DOWN) {
        fprintf(stderr, "loyaltyctl: cache warm: PostgreSQL failed after %zu cards\n",
                p.stored + p.skipped);
        goto out;
    }
    if (st == WARM_REDIS_DOWN) {
        fprintf(stderr, "loyaltyctl: cache warm: Redis at %s failed after %zu cards\n",
                c->cfg.redis, p.stored + p.skipped);
        goto out;
    }
    printf("cache warm: %zu cards stored, %zu skipped (changed meanwhile), %.1f s\n", p.stored,
           p.skipped, warm_now() - t0);
    rc = 0;
out:
    warm_page_free(&p);
    cache_free(cache);
    return rc;
}

int ctl_cache(struct ctl_ctx *c, int argc, char **argv)
{
    long batch = WARM_DEFAULT_BATCH;
    if (argc < 2 || strcmp(argv[1], "warm") != 0) {
        warm_usage();
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
            batch = strtol(argv[++i], &end, 10);
        if (!end || *end || batch < 1 || batch > WARM_MAX_BATCH) {
            warm_usage();
            return 2;
        }
    }
    return warm_run(c, (size_t)batch);
}
