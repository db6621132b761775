#include "store/cache.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util/log.h"

#define CACHE_RETRY_SECONDS 1          /* wait between reconnect attempts */
#define CACHE_PENDING_MAX 4096         /* invalidations remembered while Redis is down */

/* A thread's Redis connection. */
struct cache {
    redisContext *ctx;     /* NULL while disconnected */
    char host[200];        /* Redis host, or the socket's path when unix */
    int port;              /* Redis port (TCP) */
    bool unix_socket;      /* host is a Unix socket path ("unix:PATH") */
    int ttl;               /* seconds an entry lives */
    time_t next_try;       /* no reconnect before this time (reads only) */
    bool disabled;         /* no Redis configured */
    uint64_t epoch;        /* bumped on every new connection: a reader's generation is only
                              good on the connection (so the Redis incarnation) it came from */
};

/* Invalidations that could not be sent: every thread of the process refuses to read the
 * cache until they are delivered, so no stale entry is ever served. */
static pthread_mutex_t cache_pending_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cache_pending[CACHE_PENDING_MAX];
static size_t cache_npending;
static bool cache_pending_overflow; /* too many: flush the whole card cache on reconnect */

/* Store only when the generation is still what the reader saw before reading the database;
 * 1 when stored, 0 when not. */
static const char cache_put_script[] =
    "if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then "
    "redis.call('HSET', KEYS[2], 'json', ARGV[2], 'xml', ARGV[3], 'src', ARGV[4]) "
    "if ARGV[6] ~= '' then redis.call('HSET', KEYS[2], 'ctx', ARGV[6]) end "
    "redis.call('EXPIRE', KEYS[2], ARGV[5]) return 1 end return 0";
/* The same for the calculation context (field ctx of the same entry). */
static const char cache_ctx_put_script[] =
    "if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then "
    "redis.call('HSET', KEYS[2], 'ctx', ARGV[2]) "
    "redis.call('EXPIRE', KEYS[2], ARGV[3]) return 1 end return 0";

/* One guarded store: the script's command (EVAL or EVALSHA) with its keys and values. */
struct cache_put {
    char gk[128];         /* generation key */
    char dk[128];         /* document key */
    char src[32];         /* source client as text */
    char ttl[16];         /* seconds to live as text */
    const char *argv[11]; /* the command; points into this struct and the document */
};

struct cache *cache_new(const char *addr, int ttl_seconds)
{
    struct cache *c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->ttl = ttl_seconds > 0 ? ttl_seconds : 3600;
    if (strncmp(addr, "unix:", 5) == 0) {
        snprintf(c->host, sizeof(c->host), "%s", addr + 5);
        c->unix_socket = true;
        c->disabled = !addr[5]; /* "unix:" without a path: no cache */
        return c;
    }
    const char *colon = strrchr(addr, ':');
    if (!*addr || !colon) {
        c->disabled = true;
        return c;
    }
    snprintf(c->host, sizeof(c->host), "%.*s", (int)(colon - addr), addr);
    c->port = atoi(colon + 1);
    return c;
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    if (c->ctx)
        redisFree(c->ctx);
    free(c);
}

static void cache_drop(struct cache *c)
{
    if (c->ctx)
        redisFree(c->ctx);
    c->ctx = NULL;
    c->next_try = time(NULL) + CACHE_RETRY_SECONDS;
}

bool cache_self_connected(int fd)
{
    struct sockaddr_storage mine, peer;
    socklen_t ml = sizeof(mine), pl = sizeof(peer);
    if (getsockname(fd, (struct sockaddr *)&mine, &ml) != 0 ||
        getpeername(fd, (struct sockaddr *)&peer, &pl) != 0)
        return false;
    return ml == pl && memcmp(&mine, &peer, ml) == 0;
}

static bool cache_connect(struct cache *c)
{
    if (c->ctx)
        return true;
    if (c->disabled || time(NULL) < c->next_try)
        return false;
    struct timeval tv = {0, 200000};
    c->ctx = c->unix_socket ? redisConnectUnixWithTimeout(c->host, tv)
                            : redisConnectWithTimeout(c->host, c->port, tv);
    if (!c->ctx || c->ctx->err || (!c->unix_socket && cache_self_connected(c->ctx->fd))) {
        cache_drop(c);
        return false;
    }
    struct timeval io = {0, 500000};
    redisSetTimeout(c->ctx, io);
    c->epoch++;
    return true;
}

/* Run one command; NULL (and the connection dropped) on a transport error. */
static redisReply *cache_cmd(struct cache *c, int argc, const char **argv)
{
    if (!cache_connect(c))
        return NULL;
    redisReply *r = redisCommandArgv(c->ctx, argc, argv, NULL);
    if (!r || c->ctx->err) {
        if (r)
            freeReplyObject(r);
        cache_drop(c);
        return NULL;
    }
    return r;
}

/* The next reply of a pipeline; NULL (and the connection dropped) on a transport error. */
static redisReply *cache_reply(struct cache *c)
{
    void *reply = NULL;
    if (redisGetReply(c->ctx, &reply) != REDIS_OK || !reply) {
        if (reply)
            freeReplyObject(reply);
        cache_drop(c);
        return NULL;
    }
    return reply;
}

static void cache_keys(const char *number, char *gen, char *doc, size_t n)
{
    /* the hash tag keeps both keys of a card in one Redis Cluster slot */
    snprintf(gen, n, "{card:%s}:gen", number);
    snprintf(doc, n, "{card:%s}:doc", number);
}

/* Send one card's invalidation: bump the generation, delete the document. */
static bool cache_invalidate_one(struct cache *c, const char *number)
{
    char gk[128], dk[128];
    cache_keys(number, gk, dk, sizeof(gk));
    c->next_try = 0; /* a writer tries at once: Redis may be back while readers wait */
    if (!cache_connect(c))
        return false;
    redisAppendCommand(c->ctx, "INCR %s", gk);
    redisAppendCommand(c->ctx, "DEL %s", dk);
    for (int i = 0; i < 2; i++) {
        redisReply *reply = cache_reply(c);
        if (!reply)
            return false;
        bool err = reply->type == REDIS_REPLY_ERROR;
        freeReplyObject(reply);
        if (err)
            return false;
    }
    return true;
}

/* Deliver remembered invalidations; true when none is left. */
static bool cache_flush_pending(struct cache *c)
{
    bool ok = true;
    pthread_mutex_lock(&cache_pending_lock);
    if (cache_pending_overflow) {
        const char *argv[] = {"FLUSHDB"};
        redisReply *r = cache_cmd(c, 1, argv);
        ok = r && r->type != REDIS_REPLY_ERROR;
        if (r)
            freeReplyObject(r);
        if (ok) {
            cache_pending_overflow = false;
            for (size_t i = 0; i < cache_npending; i++)
                free(cache_pending[i]);
            cache_npending = 0;
        }
    }
    while (ok && cache_npending > 0) {
        ok = cache_invalidate_one(c, cache_pending[cache_npending - 1]);
        if (ok)
            free(cache_pending[--cache_npending]);
    }
    pthread_mutex_unlock(&cache_pending_lock);
    return ok;
}

static bool cache_usable(struct cache *c)
{
    bool pending;
    if (!cache_connect(c))
        return false;
    pthread_mutex_lock(&cache_pending_lock);
    pending = cache_npending > 0 || cache_pending_overflow;
    pthread_mutex_unlock(&cache_pending_lock);
    return !pending || cache_flush_pending(c);
}

bool cache_ping(struct cache *c)
{
    const char *argv[] = {"PING"};
    redisReply *r = cache_cmd(c, 1, argv);
    bool ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    return ok;
}

/* A generation as a reader keeps it: "<epoch>:<value>" (32 bytes). */
static void cache_gen_text(struct cache *c, const redisReply *g, char *gen)
{
    snprintf(gen, 32, "%llu:%s", (unsigned long long)c->epoch,
             g->type == REDIS_REPLY_STRING ? g->str : "0");
}

/* One field of a card's entry and its source API client. A hit is one command; on a miss the
 * generation follows in a second round trip — still before the caller reads the database,
 * which is all the store's guard needs. */
static enum cache_result cache_entry_get(struct cache *c, const char *number, const char *field,
                                         struct buf *doc, int64_t *source_client, char *gen)
{
    char gk[128], dk[128];
    const char *hmget[4] = {"HMGET", dk, field, "src"}, *get[2] = {"GET", gk};
    redisReply *h = NULL, *g = NULL;
    enum cache_result res = CACHE_DOWN;

    if (!cache_usable(c))
        return CACHE_DOWN;
    cache_keys(number, gk, dk, sizeof(gk));
    h = cache_cmd(c, 4, hmget);
    if (!h || h->type != REDIS_REPLY_ARRAY || h->elements != 2)
        goto out;
    if (h->element[0]->type == REDIS_REPLY_STRING) {
        buf_add(doc, h->element[0]->str, h->element[0]->len);
        *source_client =
            h->element[1]->type == REDIS_REPLY_STRING ? atoll(h->element[1]->str) : 0;
        res = CACHE_HIT;
        goto out;
    }
    g = cache_cmd(c, 2, get);
    if (!g)
        goto out;
    cache_gen_text(c, g, gen);
    res = CACHE_MISS;
out:
    if (h)
        freeReplyObject(h);
    if (g)
        freeReplyObject(g);
    return res;
}

enum cache_result cache_card_get(struct cache *c, const char *number, bool want_xml,
                                 struct buf *doc, int64_t *source_client, char *gen)
{
    return cache_entry_get(c, number, want_xml ? "xml" : "json", doc, source_client, gen);
}

enum cache_result cache_card_ctx_get(struct cache *c, const char *number, struct buf *text,
                                     char *gen)
{
    int64_t source;
    return cache_entry_get(c, number, "ctx", text, &source, gen);
}

/* The generation a reader saw, when it is still good on this connection. */
static const char *cache_gen_of(const struct cache *c, const char *gen)
{
    const char *colon = strchr(gen, ':');
    /* only on the connection the generation was read on: a reconnect may mean a restarted,
     * empty Redis whose generations started again from nothing */
    if (!colon || !c->ctx || strtoull(gen, NULL, 10) != c->epoch)
        return NULL;
    return colon + 1;
}

void cache_card_ctx_put(struct cache *c, const char *number, const char *gen, const char *text)
{
    char gk[128], dk[128], ttl[16];
    const char *g = cache_gen_of(c, gen);
    if (!g)
        return;
    cache_keys(number, gk, dk, sizeof(gk));
    snprintf(ttl, sizeof(ttl), "%d", c->ttl);
    const char *argv[] = {"EVAL", cache_ctx_put_script, "2", gk, dk, g, text, ttl};
    redisReply *r = cache_cmd(c, 8, argv);
    if (r)
        freeReplyObject(r);
}

/* The store of d under the script (EVAL) or its SHA1 (EVALSHA); false when its generation
 * was not read on this connection: a reconnect may mean a restarted, empty Redis whose
 * generations started again from nothing, so nothing is stored. */
static bool cache_put_prepare(struct cache *c, struct cache_put *p, const char *verb,
                              const char *script, const struct cache_card_doc *d)
{
    const char *g = cache_gen_of(c, d->gen);
    if (!g)
        return false;
    cache_keys(d->number, p->gk, p->dk, sizeof(p->gk));
    snprintf(p->src, sizeof(p->src), "%lld", (long long)d->source_client);
    snprintf(p->ttl, sizeof(p->ttl), "%d", c->ttl);
    const char *argv[11] = {verb, script, "2", p->gk, p->dk, g, d->json, d->xml,
                            p->src, p->ttl, d->ctx ? d->ctx : ""};
    memcpy(p->argv, argv, sizeof(argv));
    return true;
}

void cache_card_put(struct cache *c, const char *number, const char *gen, const char *json,
                    const char *xml, int64_t source_client)
{
    struct cache_card_doc d = {number, gen, json, xml, source_client, NULL};
    struct cache_put p;
    if (!cache_put_prepare(c, &p, "EVAL", cache_put_script, &d))
        return;
    redisReply *r = cache_cmd(c, 11, p.argv);
    if (r)
        freeReplyObject(r);
}

bool cache_card_gens(struct cache *c, const char *const *numbers, size_t n, char (*gens)[32])
{
    char gk[128], dk[128];
    if (!cache_usable(c))
        return false;
    /* GETs, not one MGET: the keys of different cards lie in different Cluster slots */
    for (size_t i = 0; i < n; i++) {
        cache_keys(numbers[i], gk, dk, sizeof(gk));
        redisAppendCommand(c->ctx, "GET %s", gk);
    }
    for (size_t i = 0; i < n; i++) {
        redisReply *g = cache_reply(c);
        if (!g)
            return false;
        cache_gen_text(c, g, gens[i]);
        freeReplyObject(g);
    }
    return true;
}

/* SCRIPT LOAD of the put script on the current connection; its SHA1 into sha (41 bytes). */
static bool cache_script_load(struct cache *c, char *sha)
{
    if (!c->ctx) /* the generations came from a connection that is gone */
        return false;
    const char *argv[] = {"SCRIPT", "LOAD", cache_put_script};
    redisReply *r = cache_cmd(c, 3, argv);
    bool ok = r && r->type == REDIS_REPLY_STRING && r->len == 40;
    if (ok)
        memcpy(sha, r->str, 41);
    else if (r && r->type == REDIS_REPLY_ERROR)
        log_warn("cache: SCRIPT LOAD: %s", r->str);
    if (r)
        freeReplyObject(r);
    return ok;
}

bool cache_card_put_many(struct cache *c, const struct cache_card_doc *docs, size_t n,
                         size_t *stored)
{
    char sha[41];
    size_t sent = 0;
    bool ok = true;
    *stored = 0;
    if (!cache_script_load(c, sha))
        return false;
    for (size_t i = 0; i < n; i++) {
        struct cache_put p;
        if (cache_put_prepare(c, &p, "EVALSHA", sha, &docs[i]) &&
            redisAppendCommandArgv(c->ctx, 11, p.argv, NULL) == REDIS_OK)
            sent++;
    }
    for (size_t i = 0; i < sent; i++) {
        redisReply *r = cache_reply(c);
        if (!r)
            return false;
        if (r->type == REDIS_REPLY_ERROR && ok)
            log_warn("cache: store refused: %s", r->str);
        ok = ok && r->type != REDIS_REPLY_ERROR;
        *stored += r->type == REDIS_REPLY_INTEGER && r->integer == 1;
        freeReplyObject(r);
    }
    return ok;
}

void cache_card_invalidate(struct cache *c, const char *const *numbers, size_t n)
{
    if (c->disabled)
        return;
    c->next_try = 0;
    if (cache_connect(c))
        cache_flush_pending(c); /* older deferred invalidations go first */
    for (size_t i = 0; i < n; i++) {
        if (cache_invalidate_one(c, numbers[i]))
            continue;
        pthread_mutex_lock(&cache_pending_lock);
        if (cache_npending < CACHE_PENDING_MAX) {
            cache_pending[cache_npending] = strdup(numbers[i]);
            if (cache_pending[cache_npending])
                cache_npending++;
            else
                cache_pending_overflow = true;
        } else {
            cache_pending_overflow = true;
        }
        pthread_mutex_unlock(&cache_pending_lock);
        log_warn("cache: invalidation of card %s deferred until Redis answers", numbers[i]);
    }
}

bool cache_card_flush_all(struct cache *c)
{
    char cursor[32] = "0";
    if (c->disabled)
        return true;
    c->next_try = 0;
    if (!cache_connect(c))
        return false;
    do {
        const char *argv[] = {"SCAN", cursor, "MATCH", "{card:*}:doc", "COUNT", "1000"};
        redisReply *r = cache_cmd(c, 6, argv);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject(r);
            return false;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        if (keys->elements) {
            const char **argv_del = calloc(keys->elements + 1, sizeof(char *));
            if (!argv_del)
                abort();
            argv_del[0] = "DEL";
            for (size_t i = 0; i < keys->elements; i++)
                argv_del[i + 1] = keys->element[i]->str;
            redisReply *d = cache_cmd(c, (int)keys->elements + 1, argv_del);
            free(argv_del);
            if (d)
                freeReplyObject(d);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return true;
}
