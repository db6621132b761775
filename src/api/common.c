#include "api/common.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/cardno.h"
#include "http/scope.h"
#include "store/cache.h"
#include "store/docs.h"
#include "store/settings.h"

void api_caller(struct http_req *r, struct store_caller *who)
{
    unsigned full = SCOPE_ADMIN | SCOPE_POS | SCOPE_SHOP | SCOPE_ERP | SCOPE_ANALYTICS;
    memset(who, 0, sizeof(*who));
    who->api_client_id = r->client.id;
    who->api_client_name = r->client.name;
    if ((r->client.scopes & SCOPE_PARTNER) && !(r->client.scopes & full))
        who->only_source = r->client.id;
}

bool api_path_id(struct http_req *r, size_t i, const char *code, int64_t *id)
{
    const char *s = http_param(r, i);
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0) {
        http_error(r, 404, code, NULL, "no such resource: %s", s);
        return false;
    }
    *id = v;
    return true;
}

bool api_outcome_ok(struct http_req *r, const struct store_outcome *o)
{
    if (o->db != DB_OK) {
        http_db_error(r, o->db);
        return false;
    }
    if (o->status) {
        http_error(r, o->status, o->code, o->field, "%s", o->message ? o->message : o->code);
        return false;
    }
    return true;
}

void api_reply_card(struct http_req *r, int status, const char *number)
{
    struct msg_card *card;
    int64_t source;
    enum db_status st = docs_card_load(&r->t->db, r->arena, number, &card, &source);
    if (st != DB_OK)
        http_db_error(r, st);
    else if (!card)
        http_error(r, 404, "card_not_found", NULL, "no such card");
    else
        http_reply(r, status, &msg_card_desc, card);
}

void api_card_encode(const struct msg_card *card, struct buf *json, struct buf *xml)
{
    codec_encode(json, MSG_JSON, &msg_card_desc, card);
    codec_encode(xml, MSG_XML, &msg_card_desc, card);
}

void api_reply_client(struct http_req *r, int status, int64_t client_id)
{
    struct msg_client *c;
    int64_t source;
    enum db_status st = docs_client_load(&r->t->db, r->arena, client_id, &c, &source);
    if (st != DB_OK)
        http_db_error(r, st);
    else if (!c)
        http_error(r, 404, "client_not_found", NULL, "no such client");
    else
        http_reply(r, status, &msg_client_desc, c);
}

void api_invalidate(struct http_req *r, const struct store_outcome *o)
{
    cache_card_invalidate(r->t->cache, o->cards, o->ncards);
}

bool api_card_number_ok(struct http_req *r, const char *number, const char *field)
{
    if (cardno_valid(number))
        return true;
    http_error(r, 400, "invalid_field", field, "%s must be 4..32 characters of [0-9A-Za-z-]",
               field);
    return false;
}

const char *api_default_country(struct http_req *r)
{
    struct settings_general g;
    /* cached per process for the configuration generation (store/notify.h) */
    if (settings_general_load(&r->t->db, &g) != DB_OK)
        return "RU";
    return arena_strdup(r->arena, g.default_country);
}

const char *api_request_hash(struct http_req *r, const struct msg_desc *d, const void *msg)
{
    struct buf canon;
    unsigned char md[32];
    unsigned int n = sizeof(md);
    char *hex = arena_alloc(r->arena, 65);
    buf_init(&canon);
    codec_encode(&canon, MSG_JSON, d, msg);
    EVP_Digest(canon.data, canon.len, md, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    buf_free(&canon);
    return hex;
}
