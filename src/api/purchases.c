/* purchases.c: the POS and shop flow: calculate, confirm / hold, commit, read, cancel,
 * refunds, manual adjustments and the operations history. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "codec/cardno.h"
#include "codec/phone.h"
#include "http/scope.h"
#include "store/cache.h"
#include "store/docs.h"
#include "store/purchases.h"

#define OPERATIONS_LIMIT_DEFAULT 50
#define OPERATIONS_LIMIT_MAX 500

/* Decode and check a purchase body; the buyer's phone is normalised. */
static bool purchase_read(struct http_req *r, struct msg_purchase_in *in,
                          struct purchase_request *req, bool need_receipt)
{
    if (!http_decode(r, &msg_purchase_in_desc, in))
        return false;
    if (!in->nlines) {
        http_error(r, 400, "missing_field", "lines", "lines is required");
        return false;
    }
    if (need_receipt && !in->receipt_id) {
        http_error(r, 400, "missing_field", "receipt_id", "receipt_id is required");
        return false;
    }
    if (in->card && !api_card_number_ok(r, in->card, "card"))
        return false;
    memset(req, 0, sizeof(*req));
    req->in = in;
    if (in->phone) {
        char e164[20];
        if (!phone_normalize(in->phone, api_default_country(r), e164, sizeof(e164))) {
            http_error(r, 400, "invalid_field", "phone", "phone is not a phone number");
            return false;
        }
        req->phone = arena_strdup(r->arena, e164);
    }
    int64_t total = 0;
    for (size_t i = 0; i < in->nlines; i++) {
        total += dec_qty_times_price(in->lines[i].qty, in->lines[i].price).minor;
        if (total > 100000000000LL) { /* a billion: far beyond any receipt */
            http_error(r, 400, "invalid_field", "lines", "the receipt total is too large");
            return false;
        }
    }
    if (need_receipt)
        req->request_hash = api_request_hash(r, &msg_purchase_in_desc, in);
    return true;
}

static void purchase_answer(struct http_req *r, const struct purchase_result *res, int status)
{
    if (!api_outcome_ok(r, &res->o))
        return;
    api_invalidate(r, &res->o);
    if (res->json && r->out_fmt == MSG_JSON) /* encoded once, for the row and the answer */
        http_reply_raw(r, status, NULL, res->json, strlen(res->json));
    else
        http_reply(r, status, &msg_purchase_desc, res->doc);
}

/* The calculation context cached with a card (NULL card: none); on a miss, *miss and gen
 * (32 bytes) say that and under which generation a context read now may be stored. */
static bool purchase_cached_context(struct http_req *r, const char *card,
                                    struct purchase_context_row *row, char *gen, bool *miss)
{
    struct buf text;
    if (!card)
        return false;
    buf_init(&text);
    enum cache_result cr = cache_card_ctx_get(r->t->cache, card, &text, gen);
    bool hit = cr == CACHE_HIT && store_purchase_context_parse(r->arena, text.data, text.len, row);
    *miss = cr == CACHE_MISS;
    buf_free(&text);
    r->cache_state = hit ? "hit" : *miss ? "miss" : "bypass";
    return hit;
}

void api_purchase_calculate(struct http_req *r)
{
    struct msg_purchase_in in;
    struct purchase_request req;
    struct store_caller who;
    if (!purchase_read(r, &in, &req, false))
        return;
    api_caller(r, &who);
    /* by card: the buyer's context comes from the card's cache entry (no database round
     * trip), or is read and stored there, guarded by the generation like the document */
    struct purchase_context_row cached, read;
    char gen[32] = "0";
    bool miss = false, hit = purchase_cached_context(r, in.card, &cached, gen, &miss);
    struct purchase_result res = store_purchase_calculate(&r->t->db, r->arena, &who, &req,
                                                          hit ? &cached : NULL, &read);
    if (miss && read.col[0] && !store_outcome_failed(&res.o))
        cache_card_ctx_put(r->t->cache, in.card, gen, store_purchase_context_text(r->arena, &read));
    purchase_answer(r, &res, 200);
}

void api_purchase_confirm(struct http_req *r)
{
    struct msg_purchase_in in;
    struct purchase_request req;
    struct store_caller who;
    if (!purchase_read(r, &in, &req, true))
        return;
    api_caller(r, &who);
    /* a cached context saves the confirm a read; its write checks that it is still current */
    struct purchase_context_row cached;
    char gen[32] = "0";
    bool miss = false, hit = purchase_cached_context(r, in.card, &cached, gen, &miss);
    struct purchase_result res =
        store_purchase_confirm(&r->t->db, r->arena, &who, &req, hit ? &cached : NULL);
    purchase_answer(r, &res, res.replayed ? 200 : 201);
}

void api_purchase_get(struct http_req *r)
{
    struct store_caller who;
    api_caller(r, &who);
    /* receipt ids are per API client: an admin reads another client's with ?source=NAME */
    const char *source = http_query(r, "source");
    if (source) {
        PGresult *res = NULL;
        if (!(r->client.scopes & SCOPE_ADMIN)) {
            http_error(r, 403, "forbidden", "source", "only admins read other clients' purchases");
            return;
        }
        const char *p[1] = {source};
        enum db_status st = db_exec(&r->t->db, STMT_API_CLIENT_BY_NAME, 1, p, &res, NULL, 0);
        if (st != DB_OK) {
            http_db_error(r, st);
            return;
        }
        who.api_client_id = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
        PQclear(res);
    }
    struct purchase_result res = store_purchase_get(&r->t->db, r->arena, &who, http_param(r, 0));
    purchase_answer(r, &res, 200);
}

void api_purchase_commit(struct http_req *r)
{
    struct store_caller who;
    api_caller(r, &who);
    struct purchase_result res = store_purchase_commit(&r->t->db, r->arena, &who, http_param(r, 0));
    purchase_answer(r, &res, 200);
}

void api_purchase_cancel(struct http_req *r)
{
    struct store_caller who;
    api_caller(r, &who);
    struct purchase_result res = store_purchase_cancel(&r->t->db, r->arena, &who, http_param(r, 0));
    purchase_answer(r, &res, 200);
}

void api_refund_create(struct http_req *r)
{
    struct msg_refund_in in;
    struct store_caller who;
    if (!http_decode(r, &msg_refund_in_desc, &in))
        return;
    if (!in.refund_id || !in.receipt_id || !in.nlines) {
        const char *f = !in.refund_id ? "refund_id" : !in.receipt_id ? "receipt_id" : "lines";
        http_error(r, 400, "missing_field", f, "%s is required", f);
        return;
    }
    api_caller(r, &who);
    struct refund_result res = store_refund_create(&r->t->db, r->arena, &who, &in,
                                                   api_request_hash(r, &msg_refund_in_desc, &in));
    if (!api_outcome_ok(r, &res.o))
        return;
    api_invalidate(r, &res.o);
    http_reply(r, res.replayed ? 200 : 201, &msg_refund_desc, res.doc);
}

void api_adjustment_create(struct http_req *r)
{
    struct msg_adjustment_in in;
    struct store_caller who;
    int64_t client_id = 0;
    if (!http_decode(r, &msg_adjustment_in_desc, &in))
        return;
    if (!in.has_client_id && !in.card) {
        http_error(r, 400, "missing_field", "client_id", "client_id or card is required");
        return;
    }
    if (in.amount.minor == 0) {
        http_error(r, 400, "invalid_field", "amount", "amount must not be zero");
        return;
    }
    if (in.amount.minor < 0 && (in.expires_at || in.active_from)) {
        http_error(r, 400, "invalid_field", in.expires_at ? "expires_at" : "active_from",
                   "a write-off has no activation or expiry");
        return;
    }
    api_caller(r, &who);
    if (in.card) {
        PGresult *res = NULL;
        const char *p[1] = {in.card};
        enum db_status st = db_exec(&r->t->db, STMT_CLIENT_BY_CARD, 1, p, &res, NULL, 0);
        if (st != DB_OK) {
            http_db_error(r, st);
            return;
        }
        client_id = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
        if (!client_id) {
            http_error(r, 404, "card_not_found", "card", "no client has this card");
            return;
        }
    } else {
        client_id = in.client_id;
    }
    struct msg_client *c;
    int64_t source;
    enum db_status st = docs_client_load(&r->t->db, r->arena, client_id, &c, &source);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    if (!c || (who.only_source && who.only_source != source)) {
        http_error(r, 404, "client_not_found", NULL, "no such client");
        return;
    }
    struct adjustment_result res = store_adjustment_create(
        &r->t->db, r->arena, &who, &in, client_id, api_request_hash(r, &msg_adjustment_in_desc, &in));
    if (!api_outcome_ok(r, &res.o))
        return;
    api_invalidate(r, &res.o);
    http_reply(r, res.replayed ? 200 : 201, &msg_adjustment_desc, res.doc);
}

void api_client_operations(struct http_req *r)
{
    struct store_caller who;
    struct msg_client *c;
    struct msg_operation *items;
    size_t n;
    int64_t id, source, before = 0;
    long limit = OPERATIONS_LIMIT_DEFAULT;
    if (!api_path_id(r, 0, "client_not_found", &id))
        return;
    const char *l = http_query(r, "limit"), *cur = http_query(r, "cursor");
    char *end;
    if (l) {
        limit = strtol(l, &end, 10);
        if (!*l || *end || limit < 1 || limit > OPERATIONS_LIMIT_MAX) {
            http_error(r, 400, "invalid_field", "limit", "limit must be 1..%d", OPERATIONS_LIMIT_MAX);
            return;
        }
    }
    if (cur) {
        before = strtoll(cur, &end, 10);
        if (!*cur || *end || before < 1) {
            http_error(r, 400, "invalid_field", "cursor", "bad cursor");
            return;
        }
    }
    api_caller(r, &who);
    enum db_status st = docs_client_load(&r->t->db, r->arena, id, &c, &source);
    if (st == DB_OK && (!c || (who.only_source && who.only_source != source))) {
        http_error(r, 404, "client_not_found", NULL, "no such client");
        return;
    }
    if (st == DB_OK)
        st = store_operations_list(&r->t->db, r->arena, id, before, limit, &items, &n);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    const char *next = (long)n == limit ? arena_printf(r->arena, "%lld", (long long)items[n - 1].id) : NULL;
    http_reply_list(r, &msg_operation_desc, items, n, next);
}
