/* cache: card documents in Redis. Never the truth: every committed change invalidates the
 * entries it touched, and a reader only stores what it read when no change came between. */
#ifndef LOYALTY_CACHE_H
#define LOYALTY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct cache;

/* What a lookup found. */
enum cache_result {
    CACHE_HIT,   /* the document is in out */
    CACHE_MISS,  /* not cached; gen holds the generation to store under */
    CACHE_DOWN,  /* Redis is unreachable: read the database, store nothing */
};

/* A cached card: the rendered document in both formats and its owner's source. */
struct cache_card {
    struct buf json;        /* JSON document */
    struct buf xml;         /* XML document */
    int64_t source_client;  /* API client that brought the owner in (partner checks), 0 = none */
};

/* One card document to store in a batch (cache_card_put_many). */
struct cache_card_doc {
    const char *number;    /* card number */
    const char *gen;       /* generation seen before the database read (cache_card_gens) */
    const char *json;      /* JSON document */
    const char *xml;       /* XML document */
    int64_t source_client; /* API client that brought the owner in, 0 = none */
    const char *ctx;       /* calculation context to store as well, NULL = leave it */
};

/* TCP lets a client that picks the server's port as its own ephemeral port connect to
 * itself while the server is down; such a socket answers every command with the command
 * and keeps the port taken, so Redis cannot start again. true for such a socket (the cache
 * refuses it). */
bool cache_self_connected(int fd);

/* addr "host:port" or "unix:/path/to/redis.sock"; "" makes a cache that is always down. */
struct cache *cache_new(const char *addr, int ttl_seconds);
void cache_free(struct cache *c);
bool cache_ping(struct cache *c);
/* Look a card up; on CACHE_MISS, gen (32 bytes) receives the generation seen. */
enum cache_result cache_card_get(struct cache *c, const char *number, bool want_xml,
                                 struct buf *doc, int64_t *source_client, char *gen);
/* A card's calculation context (the text of store_purchase_context_text), kept in the same
 * entry as its document and dropped with it; gen as for cache_card_get. */
enum cache_result cache_card_ctx_get(struct cache *c, const char *number, struct buf *text,
                                     char *gen);
void cache_card_ctx_put(struct cache *c, const char *number, const char *gen, const char *text);
/* Store a card read from the database, unless its generation moved since gen was read. */
void cache_card_put(struct cache *c, const char *number, const char *gen, const char *json,
                    const char *xml, int64_t source_client);
/* The generations of many cards in one round trip, to read before the database: gens[i]
 * for numbers[i], as cache_card_get gives one on a miss. false when Redis is unreachable. */
bool cache_card_gens(struct cache *c, const char *const *numbers, size_t n, char (*gens)[32]);
/* Store many cards in one round trip, each under cache_card_put's guard; *stored counts the
 * cards stored (the others changed since their generation was read). false when Redis
 * failed (some of the cards may be stored). */
bool cache_card_put_many(struct cache *c, const struct cache_card_doc *docs, size_t n,
                         size_t *stored);
/* After COMMIT: drop the entries of these cards (remembered and retried while Redis is down). */
void cache_card_invalidate(struct cache *c, const char *const *numbers, size_t n);

/* After a change that touches every card document (a level's name or discount): drop them
 * all. Readers in flight may still store what they read before; the TTL bounds that. */
bool cache_card_flush_all(struct cache *c);

#endif
