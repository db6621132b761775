/* cards.c: GET /cards/{number} (the hot path, served from Redis) and card actions. */
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "http/dispatch.h"
#include "http/metrics.h"
#include "store/cache.h"
#include "store/docs.h"

void api_card_get(struct http_req *r)
{
    const char *number = http_param(r, 0);
    struct store_caller who;
    struct buf *out = &r->t->out;
    struct metrics *m = dispatch_current ? dispatch_current->metrics : NULL;
    char gen[32] = "0";
    int64_t source = 0;

    if (!api_card_number_ok(r, number, "number"))
        return;
    api_caller(r, &who);
    buf_reset(out);
    enum cache_result cr =
        cache_card_get(r->t->cache, number, r->out_fmt == MSG_XML, out, &source, gen);
    if (cr == CACHE_HIT) {
        if (m)
            metrics_add(&m->cache_hits, 1);
        if (who.only_source && source != who.only_source) {
            http_error(r, 404, "card_not_found", NULL, "no such card");
            return;
        }
        r->status = 200;
        r->cache_state = "hit";
        return;
    }
    if (m)
        metrics_add(cr == CACHE_MISS ? &m->cache_misses : &m->cache_down, 1);
    r->cache_state = cr == CACHE_MISS ? "miss" : "bypass";

    struct msg_card *card;
    enum db_status st = docs_card_load(&r->t->db, r->arena, number, &card, &source);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    if (!card) {
        http_error(r, 404, "card_not_found", NULL, "no such card");
        return;
    }
    if (cr == CACHE_MISS) {
        struct buf json, xml;
        buf_init(&json);
        buf_init(&xml);
        api_card_encode(card, &json, &xml);
        cache_card_put(r->t->cache, number, gen, buf_str(&json), buf_str(&xml), source);
        buf_free(&json);
        buf_free(&xml);
    }
    if (who.only_source && source != who.only_source) {
        http_error(r, 404, "card_not_found", NULL, "no such card");
        return;
    }
    http_reply(r, 200, &msg_card_desc, card);
}

static void api_card_block_common(struct http_req *r, bool blocked)
{
    const char *number = http_param(r, 0);
    struct msg_card_block in;
    struct store_caller who;
    int64_t client_id = 0;

    if (!api_card_number_ok(r, number, "number") || !http_decode(r, &msg_card_block_desc, &in))
        return;
    api_caller(r, &who);
    struct store_outcome o = store_card_set_blocked(&r->t->db, r->arena, &who, number, blocked,
                                                    in.reason, &client_id);
    if (!api_outcome_ok(r, &o))
        return;
    api_invalidate(r, &o);
    api_reply_card(r, 200, number);
}

void api_card_block(struct http_req *r)
{
    api_card_block_common(r, true);
}

void api_card_unblock(struct http_req *r)
{
    api_card_block_common(r, false);
}

void api_card_replace(struct http_req *r)
{
    const char *number = http_param(r, 0);
    struct msg_card_replace in;
    struct store_caller who;
    int64_t client_id = 0;

    if (!api_card_number_ok(r, number, "number") || !http_decode(r, &msg_card_replace_desc, &in) ||
        !api_card_number_ok(r, in.new_number, "new_number"))
        return;
    if (strcmp(in.new_number, number) == 0) {
        http_error(r, 400, "invalid_field", "new_number", "new_number is the card itself");
        return;
    }
    api_caller(r, &who);
    struct store_outcome o =
        store_card_replace(&r->t->db, r->arena, &who, number, in.new_number, &client_id);
    if (!api_outcome_ok(r, &o))
        return;
    api_invalidate(r, &o);
    api_reply_card(r, 200, in.new_number);
}

void api_client_card_add(struct http_req *r)
{
    struct msg_card_add in;
    struct store_caller who;
    int64_t client_id;
    const char *number = NULL;

    if (!api_path_id(r, 0, "client_not_found", &client_id) ||
        !http_decode(r, &msg_card_add_desc, &in))
        return;
    if (!in.virtual_card && !in.number) {
        http_error(r, 400, "missing_field", "number", "number is required unless virtual is true");
        return;
    }
    if (in.virtual_card && in.number) {
        http_error(r, 400, "invalid_field", "number", "give either number or virtual, not both");
        return;
    }
    if (in.number && !api_card_number_ok(r, in.number, "number"))
        return;
    api_caller(r, &who);
    struct store_outcome o = store_card_add(&r->t->db, r->arena, &who, client_id, in.number,
                                            in.virtual_card, &number);
    if (!api_outcome_ok(r, &o))
        return;
    api_invalidate(r, &o);
    api_reply_card(r, 201, number);
}
